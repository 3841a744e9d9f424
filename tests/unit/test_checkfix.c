/*
 * test_checkfix.c - the fix of every reason alignguard-check reports,
 * with the records to publish, over the in-memory zone: one domain per
 * fault, each otherwise complete; and the texts of reasons that concern
 * messages rather than domains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkfix.h"
#include "checkworld.h"

#define AG_TEST_KEY_RECORD "<key record>" /* the rsa2048 key's record */

static const char ag_test_config[] =
    "OutboundAddresses 192.0.2.10\nMinKeyBits 2048\n";

static const char ag_test_table[] =
    "missing.example send-domain=bounce.missing.example selectors=s1 "
    "keys=s1:k.pem\n"
    "nokey.example send-domain=bounce.nokey.example selectors=s1\n"
    "invalid.example send-domain=bounce.invalid.example selectors=s1 "
    "keys=s1:k.pem\n"
    "revoked.example send-domain=bounce.revoked.example selectors=s1 "
    "keys=s1:k.pem\n"
    "testing.example send-domain=bounce.testing.example selectors=s1 "
    "keys=s1:k.pem\n"
    "mismatch.example send-domain=bounce.mismatch.example selectors=s1 "
    "keys=s1:k.pem\n"
    "weak.example send-domain=bounce.weak.example selectors=s1\n"
    "spffail.example send-domain=bounce.spffail.example selectors=s1\n"
    "spfmissing.example send-domain=bounce.spfmissing.example selectors=s1\n"
    "spfperm.example send-domain=bounce.spfperm.example selectors=s1\n"
    "mxmissing.example send-domain=bounce.mxmissing.example selectors=s1 "
    "mx=mx.example.net\n"
    "mxnohost.example send-domain=bounce.mxnohost.example selectors=s1\n"
    "dmarcmissing.example send-domain=bounce.dmarcmissing.example "
    "selectors=s1\n"
    "unaligned.example send-domain=bounce.elsewhere.org selectors=s1\n"
    "strictly.example send-domain=bounce.elsewhere.org alignment=strict\n"
    "bare.example\n"
    "down.example selectors=s1\n";

/* ag_test_publish - DMARC, MX and SPF of bounce.<d>, key s1 if p given */
static void ag_test_publish(ag_check_world_t *world, const char *domain,
                            const char *p, int mx, int spf, int dmarc)
{
	char name[300];

	if (p != NULL)
		ag_check_world_dkim(world, "s1", domain, p);
	snprintf(name, sizeof(name), "bounce.%s", domain);
	if (mx)
		ag_check_world_mx(world, name, "mx.example.net");
	if (spf)
		ag_check_world_txt(world, name, "v=spf1 ip4:192.0.2.10 -all");
	snprintf(name, sizeof(name), "_dmarc.%s", domain);
	if (dmarc)
		ag_check_world_txt(world, name, "v=DMARC1; p=reject");
}

/* setup - one domain per fault */
static int setup(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();
	const char *good = ag_test_rsa2048_p;
	char text[600];

	ag_check_world_file(world, "k.pem", ag_test_rsa2048_pem);
	ag_test_publish(world, "missing.example", NULL, 1, 1, 1);
	ag_test_publish(world, "nokey.example", NULL, 1, 1, 1);
	ag_test_publish(world, "invalid.example", "%%%", 1, 1, 1);
	ag_test_publish(world, "revoked.example", "", 1, 1, 1);
	ag_test_publish(world, "testing.example", NULL, 1, 1, 1);
	snprintf(text, sizeof(text), "v=DKIM1; t=y; k=rsa; p=%s", good);
	ag_check_world_txt(world, "s1._domainkey.testing.example", text);
	ag_test_publish(world, "mismatch.example", NULL, 1, 1, 1);
	snprintf(text, sizeof(text), "v=DKIM1; k=ed25519; p=%s",
	         ag_test_ed25519_p);
	ag_check_world_txt(world, "s1._domainkey.mismatch.example", text);
	ag_test_publish(world, "weak.example", ag_test_rsa1024_p, 1, 1, 1);
	ag_test_publish(world, "spffail.example", good, 1, 0, 1);
	ag_check_world_txt(world, "bounce.spffail.example", "v=spf1 mx -all");
	ag_test_publish(world, "spfmissing.example", good, 1, 0, 1);
	ag_test_publish(world, "spfperm.example", good, 1, 0, 1);
	ag_check_world_txt(world, "bounce.spfperm.example", "v=spf1 moo -all");
	ag_test_publish(world, "mxmissing.example", good, 0, 1, 1);
	ag_test_publish(world, "mxnohost.example", good, 0, 1, 1);
	ag_test_publish(world, "dmarcmissing.example", good, 1, 1, 0);
	ag_test_publish(world, "unaligned.example", good, 1, 1, 1);
	ag_check_world_txt(world, "_dmarc.bare.example", "v=DMARC1; p=reject");
	ag_dnsmem_set_status(world->mem, "s1._domainkey.down.example",
	                     AG_DNSMEM_ANY, AG_DNS_TEMPFAIL);
	ag_check_world_load(world, ag_test_config, ag_test_table);
	*state = world;
	return 0;
}

/* teardown - remove the world */
static int teardown(void **state)
{
	ag_check_world_end(*state);
	return 0;
}

/* ag_test_key_record - the exact record of the rsa2048 key at a domain */
static void ag_test_key_record(const char *domain, char *buf, size_t size)
{
	char text[600];

	snprintf(text, sizeof(text), "v=DKIM1; k=rsa; p=%s", ag_test_rsa2048_p);
	assert_true(strlen(text) > 255 && strlen(text) <= 510);
	snprintf(buf, size, "s1._domainkey.%s. IN TXT ( \"%.255s\" \"%s\" )",
	         domain, text, text + 255);
}

/* ag_test_find - the first line of a report failed with a reason */
static const ag_check_line_t *ag_test_find(const ag_check_report_t *r,
                                           ag_reason_t reason)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->lines[i].reason == reason)
			return &r->lines[i];
	fail_msg("%s: no line with %s", r->domain, ag_reason_name(reason));
	return NULL;
}

typedef struct ag_fix_case {
	const char *domain;
	ag_reason_t reason;
	const char *text;   /* a part of the fix text */
	const char *record; /* the one record, or NULL for none */
	const char *table;  /* the table line, or NULL for none */
} ag_fix_case_t;

static const ag_fix_case_t ag_fix_cases[] = {
    {"nope.example", AG_R_FROM_UNVERIFIED, "add the domain to", NULL,
     "nope.example send-domain=bounce.nope.example selectors=s1"},
    {"unaligned.example", AG_R_MAILFROM_UNALIGNED,
     "return-path in bounce.unaligned.example", NULL,
     "unaligned.example send-domain=bounce.unaligned.example selectors=s1"},
    {"strictly.example", AG_R_MAILFROM_UNALIGNED,
     "return-path in strictly.example", NULL,
     "strictly.example send-domain=strictly.example selectors=s1"},
    {"missing.example", AG_R_DKIM_KEY_MISSING, "publish the selector's",
     AG_TEST_KEY_RECORD, NULL},
    {"nokey.example", AG_R_DKIM_KEY_MISSING, "keys=s1:/path/to/key", NULL,
     NULL},
    {"invalid.example", AG_R_DKIM_KEY_INVALID, "one valid key record",
     AG_TEST_KEY_RECORD, NULL},
    {"revoked.example", AG_R_DKIM_KEY_REVOKED, "revokes the key",
     AG_TEST_KEY_RECORD, NULL},
    {"testing.example", AG_R_DKIM_KEY_TESTING, "without t=y",
     AG_TEST_KEY_RECORD, NULL},
    {"mismatch.example", AG_R_DKIM_KEY_MISMATCH, "not the public half",
     AG_TEST_KEY_RECORD, NULL},
    {"weak.example", AG_R_DKIM_KEY_WEAK,
     "fewer than MinKeyBits 2048 bits: make a new one", NULL, NULL},
    {"spffail.example", AG_R_SPF_FAIL, "add the missing terms",
     "bounce.spffail.example. IN TXT \"v=spf1 mx ip4:192.0.2.10 -all\"", NULL},
    {"spfmissing.example", AG_R_SPF_MISSING, "publish an SPF record",
     "bounce.spfmissing.example. IN TXT \"v=spf1 ip4:192.0.2.10 -all\"", NULL},
    {"spfperm.example", AG_R_SPF_PERMERROR, "replace the SPF record",
     "bounce.spfperm.example. IN TXT \"v=spf1 ip4:192.0.2.10 -all\"", NULL},
    {"mxmissing.example", AG_R_MX_MISSING, "publish an MX record",
     "bounce.mxmissing.example. IN MX 10 mx.example.net.", NULL},
    {"mxnohost.example", AG_R_MX_MISSING, "give --mx HOST", NULL, NULL},
    {"dmarcmissing.example", AG_R_DMARC_MISSING, "start with p=none",
     "_dmarc.dmarcmissing.example. IN TXT \"v=DMARC1; p=none; "
     "rua=mailto:dmarc-reports@dmarcmissing.example\"",
     NULL},
    {"bare.example", AG_R_DMARC_FAIL, "receivers will fail DMARC", NULL, NULL},
    {"down.example", AG_R_DNS_TEMPERROR, "DNS trouble", NULL, NULL},
};

/* ag_test_fix_case - check one case */
static void ag_test_fix_case(const ag_check_ctx_t *ctx, const ag_fix_case_t *c)
{
	ag_check_report_t *r = ag_check_domain(ctx, c->domain);
	const ag_check_line_t *line = ag_test_find(r, c->reason);
	const ag_check_fix_t *fix = line->fix;
	char want[1024];

	assert_non_null(fix);
	if (strstr(fix->text, c->text) == NULL)
		fail_msg("%s: fix '%s' lacks '%s'", c->domain, fix->text,
		         c->text);
	assert_string_equal(fix->table, c->table != NULL ? c->table : "");
	assert_int_equal(fix->nrecords, c->record != NULL);
	if (c->record != NULL && strcmp(c->record, AG_TEST_KEY_RECORD) == 0) {
		ag_test_key_record(c->domain, want, sizeof(want));
		assert_string_equal(fix->records[0], want);
	} else if (c->record != NULL) {
		assert_string_equal(fix->records[0], c->record);
	}
	ag_check_report_free(r);
}

/* Every reason's text and records. */
static void test_fix_per_reason(void **state)
{
	ag_check_world_t *world = *state;

	for (size_t i = 0; i < sizeof(ag_fix_cases) / sizeof(ag_fix_cases[0]);
	     i++)
		ag_test_fix_case(&world->ctx, &ag_fix_cases[i]);
}

/* The caller's MX host, rua and selectors go into the records. */
static void test_fix_options(void **state)
{
	ag_check_world_t *world = *state;
	char *sels[] = {"k1", "k2"};
	ag_strlist_t selectors = {sels, 2};
	ag_check_ctx_t ctx = world->ctx;
	ag_check_report_t *r;

	ctx.mx = "in.example.net";
	ctx.rua = "mailto:agg@reports.example";
	ctx.selectors = &selectors;
	r = ag_check_domain(&ctx, "mxnohost.example");
	assert_string_equal(
	    ag_test_find(r, AG_R_MX_MISSING)->fix->records[0],
	    "bounce.mxnohost.example. IN MX 10 in.example.net.");
	ag_check_report_free(r);
	r = ag_check_domain(&ctx, "dmarcmissing.example");
	assert_string_equal(
	    ag_test_find(r, AG_R_DMARC_MISSING)->fix->records[0],
	    "_dmarc.dmarcmissing.example. IN TXT \"v=DMARC1; p=none; "
	    "rua=mailto:agg@reports.example\"");
	ag_check_report_free(r);
	r = ag_check_domain(&ctx, "new.example");
	assert_string_equal(ag_test_find(r, AG_R_FROM_UNVERIFIED)->fix->table,
	                    "new.example send-domain=bounce.new.example "
	                    "selectors=k1,k2");
	ag_check_report_free(r);
}

/* Reasons about a message, not a domain, still get a text. */
static void test_fix_message_reasons(void **state)
{
	static const struct {
		ag_reason_t reason;
		const char *text;
	} cases[] = {
	    {AG_R_FROM_INVALID, "property of each message"},
	    {AG_R_FROM_MISSING, "property of each message"},
	    {AG_R_REPLYTO_MISSING, "property of each message"},
	    {AG_R_DKIM_SIGNATURE_INVALID, "check the signer"},
	    {AG_R_DKIM_SIGNATURE_UNALIGNED, "d=example.com"},
	    {AG_R_MAILFROM_NOT_SEND_DOMAIN, "within send-domain=example.com"},
	};
	ag_check_world_t *world = *state;
	ag_check_report_t report = {.domain = "example.com",
	                            .mailfrom = "example.com"};
	ag_check_line_t line = {.name = "x", .mark = AG_MARK_FAIL};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_check_fix_t *fix;

		line.reason = cases[i].reason;
		fix = ag_check_fix_make(&world->ctx, &report, &line);
		assert_non_null(fix);
		if (strstr(fix->text, cases[i].text) == NULL)
			fail_msg("%s: '%s' lacks '%s'",
			         ag_reason_name(cases[i].reason), fix->text,
			         cases[i].text);
		assert_int_equal(fix->nrecords, 0);
		assert_null(ag_check_fix_free(fix));
	}
	assert_null(ag_check_fix_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fix_per_reason),
	    cmocka_unit_test(test_fix_options),
	    cmocka_unit_test(test_fix_message_reasons),
	};

	return cmocka_run_group_tests_name("checkfix", tests, setup, teardown);
}
