/*
 * test_spfmacro.c - SPF macros: the RFC 7208 section 7.4 examples, the
 * escapes, URL-escaping, explanation-only letters, syntax errors,
 * domain-spec checks and the expansion of target names (truncation to 253
 * octets, trailing dot, invalid labels).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "spfint.h"

static ag_spf_ip_t ip4, ip6;

/* ptr_name - a fixed validated name for %{p} */
static void ptr_name(void *arg, const char *domain, char *out, size_t size)
{
	snprintf(out, size, "%s", (const char *)arg);
}

/* ctx_for - the RFC 7208 7.4 context with the given address */
static ag_spf_macro_ctx_t ctx_for(const ag_spf_ip_t *ip)
{
	return (ag_spf_macro_ctx_t){
	    .sender = "strong-bad@email.example.com",
	    .local = "strong-bad",
	    .sender_domain = "email.example.com",
	    .domain = "email.example.com",
	    .helo = "mx.example.org",
	    .receiver = "mx.receiver.example",
	    .ip = ip,
	    .now = 1700000000,
	    .ptr_name = ptr_name,
	    .arg = "mx.example.org",
	};
}

/* expand - expand s, or return NULL on error (static buffer) */
static const char *expand(const ag_spf_ip_t *ip, const char *s, int flags)
{
	static char result[1024];
	ag_spf_macro_ctx_t ctx = ctx_for(ip);
	ag_spf_buf_t buf = {0};
	int rc = ag_spf_macro_expand(&ctx, s, strlen(s), flags, &buf);

	snprintf(result, sizeof(result), "%s", rc == 0 ? buf.data : "");
	ag_spf_buf_free(&buf);
	return rc == 0 ? result : NULL;
}

static int setup(void **state)
{
	assert_int_equal(ag_spf_ip_parse("192.0.2.3", &ip4), 0);
	assert_int_equal(ag_spf_ip_parse("2001:db8::cb01", &ip6), 0);
	return 0;
}

static void test_rfc7208_examples(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"%{s}", "strong-bad@email.example.com"},
	    {"%{o}", "email.example.com"},
	    {"%{d}", "email.example.com"},
	    {"%{d4}", "email.example.com"},
	    {"%{d3}", "email.example.com"},
	    {"%{d2}", "example.com"},
	    {"%{d1}", "com"},
	    {"%{dr}", "com.example.email"},
	    {"%{d2r}", "example.email"},
	    {"%{l}", "strong-bad"},
	    {"%{l-}", "strong.bad"},
	    {"%{lr}", "strong-bad"},
	    {"%{lr-}", "bad.strong"},
	    {"%{l1r-}", "strong"},
	    {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
	    {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
	    {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	     "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
	    {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	     "3.2.0.192.in-addr.strong.lp._spf.example.com"},
	    {"%{d2}.trusted-domains.example.net",
	     "example.com.trusted-domains.example.net"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = expand(&ip4, cases[i].in, 0);
		assert_non_null(got);
		assert_string_equal(got, cases[i].out);
	}
	assert_string_equal(expand(&ip6, "%{ir}.%{v}._spf.%{d2}", 0),
	                    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                    "8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

static void test_other_letters_and_escapes(void **state)
{
	static const struct {
		const ag_spf_ip_t *ip;
		const char *in, *out;
		int flags;
	} cases[] = {
	    {&ip4, "%{h}/%{p}/%{i}",
	     "mx.example.org/mx.example.org/"
	     "192.0.2.3",
	     0},
	    {&ip6, "%{c} %{r} %{t}",
	     "2001:db8::cb01 mx.receiver.example "
	     "1700000000",
	     AG_SPF_MACRO_EXPLAIN},
	    {&ip4, "%{c}", "192.0.2.3", AG_SPF_MACRO_EXPLAIN},
	    {&ip4, "%%%_%-", "% %20", 0},
	    {&ip4, "%{S}", "strong-bad%40email.example.com", 0},
	    {&ip4, "%{L2r-}", "bad.strong", 0},
	    {&ip4, "%{d9999999999999}", "email.example.com", 0},
	    {&ip4, "%{d2R}", "example.email", 0},
	    {&ip4, "%{d1.-}", "com", 0},
	    {&ip4, "%{sr@}", NULL, 0}, /* '@' is no delimiter */
	    {&ip4, "%{l+=}", "strong-bad", 0},
	    {&ip4, "", "", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got =
		    expand(cases[i].ip, cases[i].in, cases[i].flags);
		if (cases[i].out == NULL) {
			assert_null(got);
			continue;
		}
		assert_non_null(got);
		assert_string_equal(got, cases[i].out);
	}
}

static void test_url_escape_everything_reserved(void **state)
{
	ag_spf_macro_ctx_t ctx = ctx_for(&ip4);
	ag_spf_buf_t buf = {0};

	ctx.local = "~jack&jill=up-a_b3.c /x";
	assert_int_equal(ag_spf_macro_expand(&ctx, "%{L}", 4, 0, &buf), 0);
	assert_string_equal(buf.data, "~jack%26jill%3Dup-a_b3.c%20%2Fx");
	ag_spf_buf_free(&buf);
}

static void test_syntax(void **state)
{
	static const struct {
		const char *s;
		int flags;
		int ok;
	} cases[] = {
	    {"%{d}", 0, 1},
	    {"a.b-c_d", 0, 1},
	    {"%", 0, 0},
	    {"%x", 0, 0},
	    {"100%", 0, 0},
	    {"%{", 0, 0},
	    {"%{d", 0, 0},
	    {"%{}", 0, 0},
	    {"%{x}", 0, 0},
	    {"%{a}", 0, 0},
	    {"%{d0}", 0, 0},
	    {"%{d2rr}", 0, 0},
	    {"%{d@}", 0, 0},
	    {"%{c}", 0, 0},
	    {"%{r}", 0, 0},
	    {"%{t}", 0, 0},
	    {"%{c}", AG_SPF_MACRO_EXPLAIN, 1},
	    {"%{T}", AG_SPF_MACRO_EXPLAIN, 1},
	    {"a b", 0, 0},
	    {"a b", AG_SPF_MACRO_EXPLAIN, 1},
	    {"a\tb", AG_SPF_MACRO_EXPLAIN, 0},
	    {"caf\xc3\xa9", AG_SPF_MACRO_EXPLAIN, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;
		int rc = ag_spf_macro_valid(cases[i].s, strlen(cases[i].s),
		                            cases[i].flags, &why);
		if (rc != (cases[i].ok ? 0 : -1))
			fail_msg("'%s' (flags %d): got %d", cases[i].s,
			         cases[i].flags, rc);
		if (!cases[i].ok)
			assert_non_null(why);
	}
}

static void test_domain_spec(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
	    {"example.com", 1},
	    {"example.com.", 1},
	    {"%{d}", 1},
	    {"_spf.%{d2}", 1},
	    {"%{ir}.%{v}._spf.%{d}", 1},
	    {"foo%%", 1},
	    {"foo:bar/baz.example.com", 1},
	    {"foo.example.xn--zckzah", 1},
	    {"a.1-2", 1},
	    {"", 0},
	    {"museum", 0},
	    {"museum.", 0},
	    {"abc.123", 0},
	    {"111.222.33.44", 0},
	    {"example.-com", 0},
	    {"example.com-", 0},
	    {"example.com:8080", 0},
	    {"example.com/24", 0},
	    {"%{d}com", 0},
	    {"%{d}.", 0},
	    {"a..", 0},
	    {"%{x}.com", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;
		int rc = ag_spf_domain_spec_valid(cases[i].s,
		                                  strlen(cases[i].s), &why);
		if (rc != (cases[i].ok ? 0 : -1))
			fail_msg("'%s': got %d", cases[i].s, rc);
	}
}

static void test_domain_expand(void **state)
{
	ag_spf_macro_ctx_t ctx = ctx_for(&ip4);
	char out[AG_SPF_DOMAIN_MAX + 1], spec[600], want[300];
	const char *s;

	s = "%{d2}.d.spf.example.com.";
	assert_int_equal(ag_spf_domain_expand(&ctx, s, strlen(s), out), 0);
	assert_string_equal(out, "example.com.d.spf.example.com");

	/* 9 x 30 + 11 octets: the left-most labels go until 253 fit */
	strcpy(spec, "x.");
	for (int i = 0; i < 9; i++)
		strcat(spec, "%{d}.");
	strcat(spec, "example.com");
	ctx.domain = "somewhat.long.exp.example.com";
	assert_int_equal(ag_spf_domain_expand(&ctx, spec, strlen(spec), out),
	                 0);
	want[0] = '\0';
	for (int i = 0; i < 8; i++)
		strcat(want, "somewhat.long.exp.example.com.");
	strcat(want, "example.com");
	assert_string_equal(out, want);
	assert_true(strlen(out) <= AG_SPF_DOMAIN_MAX);

	s = "mail.example...com";
	assert_int_equal(ag_spf_domain_expand(&ctx, s, strlen(s), out), -1);
	ctx.helo = "%%%%%%%%%%%%%%%%%%%%%%"; /* 66 octets URL-escaped */
	s = "%{H}.bar";
	assert_int_equal(ag_spf_domain_expand(&ctx, s, strlen(s), out), -1);
	ctx.helo = "";
	s = "%{h}";
	assert_int_equal(ag_spf_domain_expand(&ctx, s, strlen(s), out), -1);
}

static void test_name_valid(void **state)
{
	char label63[80], label64[80];

	memset(label63, 'a', 63);
	strcpy(label63 + 63, ".com");
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".com");
	assert_true(ag_spf_name_valid(label63, strlen(label63)));
	assert_false(ag_spf_name_valid(label64, strlen(label64)));
	assert_true(ag_spf_name_valid("a.b.", 4));
	assert_false(ag_spf_name_valid("a..b", 4));
	assert_false(ag_spf_name_valid(".a", 2));
	assert_false(ag_spf_name_valid("", 0));
	assert_false(ag_spf_name_valid(".", 1));
}

static void test_addresses(void **state)
{
	ag_spf_ip_t ip;
	char buf[128];
	uint8_t net4[4] = {192, 0, 2, 0}, net6[16] = {0x20, 0x01, 0x0d, 0xb8};

	assert_int_equal(ag_spf_ip_parse("::ffff:192.0.2.3", &ip), 0);
	assert_false(ip.v6);
	assert_true(ag_spf_ip_match(&ip, net4, 0, 24));
	assert_false(ag_spf_ip_match(&ip, net4, 0, 32));
	assert_true(ag_spf_ip_match(&ip, net4, 0, 0));
	assert_false(ag_spf_ip_match(&ip, net6, 1, 0));
	assert_false(ag_spf_ip_match(&ip, net4, 0, 33));
	assert_true(ag_spf_ip_match(&ip6, net6, 1, 32));
	assert_true(ag_spf_ip_match(&ip6, net6, 1, 112));
	assert_false(ag_spf_ip_match(&ip6, net6, 1, 113));
	assert_int_equal(ag_spf_ip_parse("192.0.2.300", &ip), -1);
	assert_int_equal(ag_spf_ip_parse("example.com", &ip), -1);
	assert_int_equal(ag_spf_ip_parse(NULL, &ip), -1);
	ag_spf_ip_reverse(&ip4, buf, sizeof(buf));
	assert_string_equal(buf, "3.2.0.192.in-addr.arpa");
	ag_spf_ip_reverse(&ip6, buf, sizeof(buf));
	assert_string_equal(buf, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
	                         "0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc7208_examples),
	    cmocka_unit_test(test_other_letters_and_escapes),
	    cmocka_unit_test(test_url_escape_everything_reserved),
	    cmocka_unit_test(test_syntax),
	    cmocka_unit_test(test_domain_spec),
	    cmocka_unit_test(test_domain_expand),
	    cmocka_unit_test(test_name_valid),
	    cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests_name("spfmacro", tests, setup, NULL);
}
