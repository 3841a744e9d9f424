/*
 * test_checkrecords.c - zone-file lines of the records alignguard-check
 * prints: TXT character-strings split at 255 octets and escaped, MX lines,
 * DKIM key records from PEM files (RSA 1024/2048, Ed25519), SPF records
 * fresh and merged into the one published, DMARC starting records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkrecords.h"
#include "checkworld.h"

/* ag_test_unquote - the character-strings of a TXT line, joined; count */
static size_t ag_test_unquote(const char *line, char *out, size_t size,
                              size_t *longest)
{
	const char *p = strstr(line, " IN TXT ");
	size_t n = 0, strings = 0, len = 0;

	assert_non_null(p);
	*longest = 0;
	for (p += 8; *p != '\0'; p++) {
		if (*p != '"')
			continue;
		strings++;
		for (len = 0, p++; *p != '"'; p++, len++) {
			assert_true(*p != '\0');
			if (*p == '\\')
				p++;
			assert_true(n + 1 < size);
			out[n++] = *p;
		}
		if (len > *longest)
			*longest = len;
	}
	out[n] = '\0';
	return strings;
}

/* TXT lines of every length around the 255-octet boundary. */
static void test_txt_split(void **state)
{
	static const size_t lengths[] = {0,   1,   254, 255, 256, 300,
	                                 509, 510, 511, 765, 766, 2000};
	char text[2100], line[AG_CHECK_RECORD_MAX], back[2100];

	(void)state;
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		size_t len = lengths[i], longest, want = (len + 254) / 255;

		for (size_t k = 0; k < len; k++)
			text[k] = (char)('a' + k % 26);
		text[len] = '\0';
		assert_int_equal(ag_check_zone_txt("x.example.com", text, len,
		                                   line, sizeof(line)),
		                 0);
		assert_int_equal(
		    ag_test_unquote(line, back, sizeof(back), &longest),
		    want ? want : 1);
		assert_string_equal(back, text);
		assert_true(longest <= 255);
		assert_int_equal(strchr(line, '(') != NULL, len > 255);
		assert_int_equal(strncmp(line, "x.example.com. IN TXT ", 22),
		                 0);
	}
}

/* Exact lines: one string, two strings, escapes. */
static void test_txt_exact(void **state)
{
	char text[300], line[AG_CHECK_RECORD_MAX], want[700];

	(void)state;
	assert_int_equal(ag_check_zone_txt("a.example", "v=spf1 -all", 11, line,
	                                   sizeof(line)),
	                 0);
	assert_string_equal(line, "a.example. IN TXT \"v=spf1 -all\"");
	assert_int_equal(ag_check_zone_txt("a.example", "say \"hi\"\\\n", 10,
	                                   line, sizeof(line)),
	                 0);
	assert_string_equal(line,
	                    "a.example. IN TXT \"say \\\"hi\\\"\\\\\\010\"");
	memset(text, 'x', 256);
	text[256] = '\0';
	assert_int_equal(
	    ag_check_zone_txt("a.example", text, 256, line, sizeof(line)), 0);
	snprintf(want, sizeof(want), "a.example. IN TXT ( \"%.255s\" \"x\" )",
	         text);
	assert_string_equal(line, want);
	/* escapes do not count against the 255 octets */
	memset(text, '"', 255);
	assert_int_equal(
	    ag_check_zone_txt("a.example", text, 255, line, sizeof(line)), 0);
	assert_null(strchr(line, '('));
}

/* A buffer too small is an error, never a cut record. */
static void test_too_small(void **state)
{
	char line[20];

	(void)state;
	assert_int_equal(ag_check_zone_txt("a.example", "v=spf1 -all", 11, line,
	                                   sizeof(line)),
	                 -1);
	assert_int_equal(ag_check_zone_mx("bounce.example.com", 10,
	                                  "mx.example.net", line, sizeof(line)),
	                 -1);
	assert_int_equal(ag_check_dmarc_text("mailto:reports@example.com", line,
	                                     sizeof(line)),
	                 -1);
}

static void test_mx(void **state)
{
	char line[200];

	(void)state;
	assert_int_equal(ag_check_zone_mx("bounce.example.com", 20,
	                                  "mx.example.net", line, sizeof(line)),
	                 0);
	assert_string_equal(line,
	                    "bounce.example.com. IN MX 20 mx.example.net.");
}

/* The key record of each test key is its published p= value. */
static void test_dkim_from_files(void **state)
{
	static const struct {
		const char *pem, *type, *p;
		unsigned bits;
	} keys[] = {
	    {ag_test_rsa1024_pem, "rsa", ag_test_rsa1024_p, 1024},
	    {ag_test_rsa2048_pem, "rsa", ag_test_rsa2048_p, 2048},
	    {ag_test_ed25519_pem, "ed25519", ag_test_ed25519_p, 256},
	};
	ag_check_world_t *world = ag_check_world_begin();
	char text[AG_CHECK_RECORD_MAX], want[AG_CHECK_RECORD_MAX], err[256];
	char line[AG_CHECK_RECORD_MAX], back[AG_CHECK_RECORD_MAX];
	size_t longest;
	unsigned bits;

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *path =
		    ag_check_world_file(world, "key.pem", keys[i].pem);

		assert_int_equal(ag_check_dkim_key_text(path, text,
		                                        sizeof(text), &bits,
		                                        err, sizeof(err)),
		                 0);
		snprintf(want, sizeof(want), "v=DKIM1; k=%s; p=%s",
		         keys[i].type, keys[i].p);
		assert_string_equal(text, want);
		assert_int_equal(bits, keys[i].bits);
		assert_int_equal(ag_check_zone_txt("s1._domainkey.example.com",
		                                   text, strlen(text), line,
		                                   sizeof(line)),
		                 0);
		ag_test_unquote(line, back, sizeof(back), &longest);
		assert_string_equal(back, want);
		assert_true(longest <= 255);
	}
	ag_check_world_end(world);
}

/* Unreadable and unusable key files say why. */
static void test_dkim_bad_files(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();
	char text[AG_CHECK_RECORD_MAX], err[256];
	const char *path;

	(void)state;
	assert_int_equal(ag_check_dkim_key_text("/nonexistent/key.pem", text,
	                                        sizeof(text), NULL, err,
	                                        sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "/nonexistent/key.pem"));
	path = ag_check_world_file(world, "junk.pem", "not a key\n");
	assert_int_equal(ag_check_dkim_key_text(path, text, sizeof(text), NULL,
	                                        err, sizeof(err)),
	                 -1);
	assert_true(err[0] != '\0');
	ag_check_world_end(world);
}

/* SPF records: fresh, and merged into the record published now. */
static void test_spf(void **state)
{
	static char *addrs[] = {"192.0.2.10", "2001:db8::25"};
	static char *incs[] = {"spf.relay.example"};
	static const ag_strlist_t addresses = {addrs, 2}, one = {addrs, 1};
	static const ag_strlist_t includes = {incs, 1}, none = {NULL, 0};
	static const struct {
		const ag_strlist_t *inc, *addr;
		const char *existing, *want;
	} cases[] = {
	    {&none, &addresses, NULL,
	     "v=spf1 ip4:192.0.2.10 ip6:2001:db8::25 -all"},
	    {&includes, &none, NULL, "v=spf1 include:spf.relay.example -all"},
	    {&includes, &one, NULL,
	     "v=spf1 include:spf.relay.example ip4:192.0.2.10 -all"},
	    {&none, &one, "v=spf1 mx ~all", "v=spf1 mx ip4:192.0.2.10 ~all"},
	    {&none, &one, "v=spf1 +ip4:192.0.2.10 -all",
	     "v=spf1 +ip4:192.0.2.10 -all"},
	    {&none, &one, "V=SPF1 IP4:192.0.2.10 -ALL",
	     "v=spf1 IP4:192.0.2.10 -ALL"},
	    {&none, &one, "v=spf1 a redirect=_spf.example.com",
	     "v=spf1 a ip4:192.0.2.10 redirect=_spf.example.com"},
	    {&none, &one, "v=spf1 a", "v=spf1 a ip4:192.0.2.10"},
	    {&none, &one, "v=spf1   a   -all", "v=spf1 a ip4:192.0.2.10 -all"},
	    {&none, &one, "hello world", "v=spf1 ip4:192.0.2.10 -all"},
	    {&none, &one, "v=spf10 a", "v=spf1 ip4:192.0.2.10 -all"},
	    {&includes, &addresses,
	     "v=spf1 include:SPF.relay.example ip6:2001:db8::25 ?all",
	     "v=spf1 include:SPF.relay.example ip6:2001:db8::25 "
	     "ip4:192.0.2.10 ?all"},
	};
	char text[AG_CHECK_RECORD_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(ag_check_spf_text(cases[i].inc, cases[i].addr,
		                                   cases[i].existing, text,
		                                   sizeof(text)),
		                 0);
		assert_string_equal(text, cases[i].want);
	}
}

static void test_dmarc_and_defaults(void **state)
{
	char text[300];

	(void)state;
	assert_int_equal(
	    ag_check_dmarc_text("mailto:agg@example.com", text, sizeof(text)),
	    0);
	assert_string_equal(text,
	                    "v=DMARC1; p=none; rua=mailto:agg@example.com");
	assert_int_equal(
	    ag_check_dmarc_text("agg@example.com", text, sizeof(text)), 0);
	assert_string_equal(text,
	                    "v=DMARC1; p=none; rua=mailto:agg@example.com");
	assert_int_equal(
	    ag_check_default_rua("example.com", text, sizeof(text)), 0);
	assert_string_equal(text, "mailto:dmarc-reports@example.com");
	assert_int_equal(ag_check_default_send_domain("example.com",
	                                              AG_ALIGN_RELAXED, text,
	                                              sizeof(text)),
	                 0);
	assert_string_equal(text, "bounce.example.com");
	assert_int_equal(ag_check_default_send_domain("example.com",
	                                              AG_ALIGN_STRICT, text,
	                                              sizeof(text)),
	                 0);
	assert_string_equal(text, "example.com");
	assert_int_equal(ag_check_default_send_domain(
	                     "example.com", AG_ALIGN_RELAXED, text, 10),
	                 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_txt_split),
	    cmocka_unit_test(test_txt_exact),
	    cmocka_unit_test(test_too_small),
	    cmocka_unit_test(test_mx),
	    cmocka_unit_test(test_dkim_from_files),
	    cmocka_unit_test(test_dkim_bad_files),
	    cmocka_unit_test(test_spf),
	    cmocka_unit_test(test_dmarc_and_defaults),
	};

	return cmocka_run_group_tests_name("checkrecords", tests, NULL, NULL);
}
