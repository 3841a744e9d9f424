/*
 * test_message.c - collecting one message's header fields and envelope
 * into the facts the policy reads: From counted by name (any case, white
 * space before the colon), a From smuggled in a continuation line, Reply-To
 * and incoming tag headers counted, the envelope and login kept, and all of
 * it forgotten by a reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "message.h"

#define TAG "X-AlignGuard"
#define BIT(r) AG_REASON_BIT(AG_R_##r)

typedef struct header {
	const char *name, *value;
} header_t;

/* collect - feed a message, return its facts */
static void collect(ag_message_t *m, const char *envfrom, const char *login,
		    const header_t *headers, ag_message_facts_t *facts)
{
	ag_from_options_t options = {0};

	ag_message_reset(m);
	if (envfrom != NULL)
		ag_message_set_envfrom(m, envfrom, login);
	for (; headers->name != NULL; headers++)
		assert_int_equal(ag_message_add_header(m, TAG, headers->name,
						       headers->value), 0);
	ag_message_facts(m, &options, facts);
}

static void test_one_from_gives_the_mailbox(void **state)
{
	const header_t h[] = {{"Subject", "hi"},
			      {"From", "Shop <News@Shop.Example>"},
			      {NULL, NULL}};
	ag_message_t m = {0};
	ag_message_facts_t f;

	collect(&m, "<bounce@Bounce.Shop.Example>", "shop", h, &f);
	assert_int_equal(f.from_structure, 0);
	assert_string_equal(f.from_local, "News");
	assert_string_equal(f.from_domain, "shop.example");
	assert_int_equal(f.envfrom, AG_ENVFROM_OK);
	assert_string_equal(f.mailfrom_domain, "bounce.shop.example");
	assert_string_equal(f.login, "shop");
	assert_false(f.has_reply_to);
	ag_message_reset(&m);
}

static void test_from_structure(void **state)
{
	static const struct {
		header_t h[4];
		ag_reasons_t want;
	} cases[] = {
		{{{"Subject", "no from"}, {NULL, NULL}}, BIT(FROM_MISSING)},
		{{{"From", "a@example.com"}, {"from", "b@example.com"}, {NULL, NULL}},
		 BIT(FROM_MULTIPLE)},
		{{{"From", "a@example.com"}, {"FROM ", "a@example.com"}, {NULL, NULL}},
		 BIT(FROM_MULTIPLE)},
		{{{"From", "a@example.com, b@example.com"}, {NULL, NULL}},
		 BIT(FROM_MULTIPLE_MAILBOXES)},
		{{{"From", "Team: a@example.com;"}, {NULL, NULL}}, BIT(FROM_INVALID)},
		{{{"From", "a@example.com"},
		  {"Subject", "x\r\n From: boss@evil.example"},
		  {NULL, NULL}},
		 BIT(FROM_INVALID)},
		{{{"From", "a@example.com"}, {"X-Note", "y\n\tfrom : z@evil.example"},
		  {NULL, NULL}},
		 BIT(FROM_INVALID)},
	};
	ag_message_t m = {0};
	ag_message_facts_t f;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		collect(&m, "<a@example.com>", NULL, cases[i].h, &f);
		if (f.from_structure != cases[i].want)
			fail_msg("case %zu: structure %#x, want %#x", i,
				 (unsigned)f.from_structure, (unsigned)cases[i].want);
		assert_null(f.from_domain);
	}
	ag_message_reset(&m);
}

static void test_reply_to_and_tag_headers_are_counted(void **state)
{
	const header_t h[] = {{"From", "a@example.com"},
			      {"reply-to", "help@example.com"},
			      {"X-AlignGuard", "pass"},
			      {"x-alignguard ", "pass"},
			      {NULL, NULL}};
	ag_message_t m = {0};
	ag_message_facts_t f;

	collect(&m, "<>", NULL, h, &f);
	assert_true(f.has_reply_to);
	assert_int_equal(m.tag_fields, 2);
	assert_int_equal(f.envfrom, AG_ENVFROM_NULL);
	assert_null(f.mailfrom_domain);
	ag_message_reset(&m);
}

static void test_envelope_missing_or_bad_fails_closed(void **state)
{
	const header_t h[] = {{"From", "a@example.com"}, {NULL, NULL}};
	ag_message_t m = {0};
	ag_message_facts_t f;

	collect(&m, NULL, NULL, h, &f);
	assert_int_equal(f.envfrom, AG_ENVFROM_INVALID);
	collect(&m, "<@relay.example:a@example.com>", NULL, h, &f);
	assert_int_equal(f.envfrom, AG_ENVFROM_INVALID);
	assert_null(f.mailfrom_domain);
	ag_message_reset(&m);
}

static void test_reset_forgets_everything(void **state)
{
	const header_t first[] = {{"From", "a@example.com"},
				  {"From", "b@example.com"},
				  {"Reply-To", "c@example.com"},
				  {NULL, NULL}};
	const header_t second[] = {{"From", "d@example.org"}, {NULL, NULL}};
	ag_message_t m = {0};
	ag_message_facts_t f;

	collect(&m, "<a@example.com>", "user", first, &f);
	assert_int_equal(f.from_structure, BIT(FROM_MULTIPLE));
	collect(&m, "<d@example.org>", NULL, second, &f);
	assert_int_equal(f.from_structure, 0);
	assert_string_equal(f.from_domain, "example.org");
	assert_false(f.has_reply_to);
	assert_string_equal(f.login, "");
	ag_message_reset(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_from_gives_the_mailbox),
		cmocka_unit_test(test_from_structure),
		cmocka_unit_test(test_reply_to_and_tag_headers_are_counted),
		cmocka_unit_test(test_envelope_missing_or_bad_fails_closed),
		cmocka_unit_test(test_reset_forgets_everything),
	};
	return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
