/*
 * test_spfparse.c - the SPF record grammar: record selection, every
 * mechanism with its arguments and CIDR lengths, modifiers, and the syntax
 * errors that must make a record a permerror.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "spfint.h"

/* parse - parse a NUL-terminated record */
static ag_spf_record_t *parse(const char *text, char *err, size_t size)
{
	return ag_spf_record_parse(text, strlen(text), err, size);
}

static void test_is_spf(void **state)
{
	static const struct {
		const char *text;
		int yes;
	} cases[] = {
	    {"v=spf1", 1},       {"v=spf1 -all", 1}, {"V=SpF1 ~all", 1},
	    {"v=spf10", 0},      {"v=spf1-all", 0},  {"v=spf2.0/pra", 0},
	    {" v=spf1", 0},      {"spf1", 0},        {"", 0},
	    {"v=spf1\t-all", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(
		    ag_spf_record_is_spf(cases[i].text, strlen(cases[i].text)),
		    cases[i].yes);
}

static void test_mechanisms(void **state)
{
	char err[160] = "";
	ag_spf_record_t *r = parse(
	    "v=spf1 +all -include:_spf.example.net ~a a:mail.example.com/24 "
	    "?mx//64 mx:mx.example.com/28//96 ptr ptr:example.org "
	    "ip4:192.0.2.0/24 ip6:2001:DB8::/32 exists:%{i}.rbl.example "
	    "IP4:198.51.100.7 A/0 foo=bar exp=why.%{d} redirect=_spf.%{d2}",
	    err, sizeof(err));
	static const struct {
		ag_spf_mech_t mech;
		ag_spf_result_t q;
		const char *spec;
		unsigned cidr4, cidr6;
	} want[] = {
	    {AG_SPF_M_ALL, AG_SPF_PASS, NULL, 32, 128},
	    {AG_SPF_M_INCLUDE, AG_SPF_FAIL, "_spf.example.net", 32, 128},
	    {AG_SPF_M_A, AG_SPF_SOFTFAIL, NULL, 32, 128},
	    {AG_SPF_M_A, AG_SPF_PASS, "mail.example.com", 24, 128},
	    {AG_SPF_M_MX, AG_SPF_NEUTRAL, NULL, 32, 64},
	    {AG_SPF_M_MX, AG_SPF_PASS, "mx.example.com", 28, 96},
	    {AG_SPF_M_PTR, AG_SPF_PASS, NULL, 32, 128},
	    {AG_SPF_M_PTR, AG_SPF_PASS, "example.org", 32, 128},
	    {AG_SPF_M_IP4, AG_SPF_PASS, NULL, 24, 128},
	    {AG_SPF_M_IP6, AG_SPF_PASS, NULL, 32, 32},
	    {AG_SPF_M_EXISTS, AG_SPF_PASS, "%{i}.rbl.example", 32, 128},
	    {AG_SPF_M_IP4, AG_SPF_PASS, NULL, 32, 128},
	    {AG_SPF_M_A, AG_SPF_PASS, NULL, 0, 128},
	};

	assert_non_null(r);
	assert_int_equal(r->count, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < r->count; i++) {
		const ag_spf_term_t *t = &r->terms[i];
		assert_int_equal(t->mech, want[i].mech);
		assert_int_equal(t->qualifier, want[i].q);
		assert_int_equal(t->cidr4, want[i].cidr4);
		assert_int_equal(t->cidr6, want[i].cidr6);
		if (want[i].spec == NULL) {
			assert_null(t->spec);
			continue;
		}
		assert_int_equal(t->spec_len, strlen(want[i].spec));
		assert_memory_equal(t->spec, want[i].spec, t->spec_len);
	}
	assert_memory_equal(r->terms[8].net, "\xc0\x00\x02\x00", 4);
	assert_memory_equal(r->terms[9].net, "\x20\x01\x0d\xb8\0\0", 6);
	assert_int_equal(r->terms[1].text_len,
	                 strlen("-include:_spf.example.net"));
	assert_memory_equal(r->terms[1].text, "-include:_spf.example.net",
	                    r->terms[1].text_len);
	assert_int_equal(r->exp_len, 8);
	assert_memory_equal(r->exp, "why.%{d}", 8);
	assert_int_equal(r->redirect_len, 10);
	assert_memory_equal(r->redirect, "_spf.%{d2}", 10);
	ag_spf_record_free(r);
}

static void test_empty_and_spacing(void **state)
{
	char err[160];
	ag_spf_record_t *r = parse("v=spf1", err, sizeof(err));

	assert_non_null(r);
	assert_int_equal(r->count, 0);
	assert_null(r->redirect);
	ag_spf_record_free(r);
	r = parse("v=spf1   a   -all   ", err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(r->count, 2);
	ag_spf_record_free(r);
	assert_null(ag_spf_record_free(NULL));
}

static void test_syntax_errors(void **state)
{
	static const char *const bad[] = {
	    "v=spf10 -all",
	    "v=spf1 -all moo",
	    "v=spf1 -all.",
	    "v=spf1 -all:foo",
	    "v=spf1 -all/8",
	    "v=spf1 allx",
	    "v=spf1 include",
	    "v=spf1 include:",
	    "v=spf1 include:a.example/24",
	    "v=spf1 exists",
	    "v=spf1 exists:a.example/24",
	    "v=spf1 a:",
	    "v=spf1 a/33",
	    "v=spf1 a//129",
	    "v=spf1 a/24/64",
	    "v=spf1 a/032",
	    "v=spf1 a:foo-bar",
	    "v=spf1 a:abc.123",
	    "v=spf1 a:example.com:8080",
	    "v=spf1 a.b",
	    "v=spf1 mx:",
	    "v=spf1 ptr/0",
	    "v=spf1 ptr:",
	    "v=spf1 ip4",
	    "v=spf1 ip4:",
	    "v=spf1 ip4:1.2.3",
	    "v=spf1 ip4:1.2.3.4:8080",
	    "v=spf1 ip4:1.2.3.4//32",
	    "v=spf1 ip4:1.2.3.4/33",
	    "v=spf1 ip4:01.2.3.4",
	    "v=spf1 ip4:1.2.3.4/",
	    "v=spf1 ip6",
	    "v=spf1 ip6::CAFE::BABE",
	    "v=spf1 ip6:::1/129",
	    "v=spf1 ip6:::1//33",
	    "v=spf1 ip6:1.2.3.4",
	    "v=spf1 redirect:example.com",
	    "v=spf1 redirect=",
	    "v=spf1 redirect=-all",
	    "v=spf1 redirect=a.example redirect=b.example",
	    "v=spf1 exp=",
	    "v=spf1 exp=a.example EXP=b.example",
	    "v=spf1 =all",
	    "v=spf1 1up=foo",
	    "v=spf1 foo=%abc",
	    "v=spf1 foo=%{z}",
	    "v=spf1 a:%{x}.example.com",
	    "v=spf1 -exists:%(ir).sbl.example.com",
	    "v=spf1 moo.cow/far_out=man:dog/cat",
	    "v=spf1 a:ctrl.example.com\rptr",
	    "v=spf1 ip4:192.0.2.5\n",
	    "v=spf1 a:example.net \x96"
	    "all",
	    "v=spf1 -all\t",
	    "v=spf1 +-all",
	};
	char err[160];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ag_spf_record_t *r = parse(bad[i], err, sizeof(err));
		if (r != NULL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(strlen(err) > 0);
	}
}

static void test_error_messages(void **state)
{
	static const struct {
		const char *record, *err;
	} cases[] = {
	    {"v=spf1 ip4:1.2.3.4 moo", "unknown mechanism in 'moo'"},
	    {"v=spf1 ip4:1.2.3.4/33", "invalid CIDR length in "
	                              "'ip4:1.2.3.4/33'"},
	    {"v=spf1 a:museum", "domain-spec does not end in a valid top "
	                        "label in 'a:museum'"},
	    {"v=spf1 -all exp=a.example exp=b.example",
	     "modifier given twice in 'exp=b.example'"},
	    {"v=spf1 a:x.example\x01", "invalid character 0x01 at offset "
	                               "18"},
	    {"spf1 -all", "not an SPF record"},
	};
	char err[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_null(parse(cases[i].record, err, sizeof(err)));
		assert_string_equal(err, cases[i].err);
	}
}

static void test_nul_inside_record(void **state)
{
	static const char text[] = "v=spf1 a:foo.example.com\0 -all";
	char err[160];

	assert_null(
	    ag_spf_record_parse(text, sizeof(text) - 1, err, sizeof(err)));
	assert_string_equal(err, "invalid character 0x00 at offset 24");
}

static void test_unknown_modifiers_ignored(void **state)
{
	char err[160];
	ag_spf_record_t *r = parse("v=spf1 moo.cow-far_out=man:dog/cat "
	                           "default=pass x=%{c}%% -all",
	                           err, sizeof(err));

	assert_non_null(r);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->terms[0].mech, AG_SPF_M_ALL);
	ag_spf_record_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_is_spf),
	    cmocka_unit_test(test_mechanisms),
	    cmocka_unit_test(test_empty_and_spacing),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_error_messages),
	    cmocka_unit_test(test_nul_inside_record),
	    cmocka_unit_test(test_unknown_modifiers_ignored),
	};
	return cmocka_run_group_tests_name("spfparse", tests, NULL, NULL);
}
