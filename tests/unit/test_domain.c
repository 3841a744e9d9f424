/*
 * test_domain.c - domain normalisation, the Public Suffix List (Debian's
 * publicsuffix package) and relaxed/strict alignment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "address.h"
#include "domain.h"

#define PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"

typedef struct norm_case {
	const char *in;
	const char *out; /* NULL: refused */
	const char *why; /* when refused: part of the explanation */
} norm_case_t;

/* clang-format off */
static const norm_case_t norm_cases[] = {
	{"example.com", "example.com", NULL},
	{"EXAMPLE.Com", "example.com", NULL},
	{"example.com.", "example.com", NULL},
	{"localhost", "localhost", NULL},
	{"b\xc3\xbc" "cher.example", "xn--bcher-kva.example", NULL},
	{"B\xc3\xbc" "cher.EXAMPLE", "xn--bcher-kva.example", NULL},
	{"xn--bcher-kva.example", "xn--bcher-kva.example", NULL},
	{"XN--BCHER-KVA.example", "xn--bcher-kva.example", NULL},
	{"example.\xd1\x80\xd1\x84", "example.xn--p1ai", NULL},
	{"\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
	 "xn--r8jz45g.xn--zckzah", NULL},
	{"xn--fa-hia.example", "xn--fa-hia.example", NULL},
	{"r3---sn-abc.example", "r3---sn-abc.example", NULL},
	{"", NULL, "empty domain"},
	{".", NULL, "empty domain"},
	{".example.com", NULL, "empty label"},
	{"example..com", NULL, "empty label"},
	{"example.com..", NULL, "empty label"},
	{"exa mple.com", NULL, "not allowed"},
	{"exa_mple.com", NULL, "not allowed"},
	{"-example.com", NULL, "'-'"},
	{"example-.com", NULL, "'-'"},
	{"\xc3\xbc-.example", NULL, "'-'"},
	{"192.0.2.1", NULL, "numeric top-level label"},
	{"xn--zzzz.example", NULL, "fake A-label"},
	{"xn--abc.example", NULL, "fake A-label"},
	{"xn--.example", NULL, "'-'"},
	{"xn--ls8h.example", NULL, "fake A-label"},
	{"xn--uber-vwc.example", NULL, "fake A-label"},
	{"xn--ab-m1t.example", NULL, "fake A-label"},
	{"u\xcc\x88" "ber.example", NULL, "not in NFC"},
	{"B\xc3\x9c" "CHER.example", NULL, "not valid under IDNA2008"},
	{"\xf0\x9f\x92\xa9.example", NULL, "not valid under IDNA2008"},
	{"example\xe3\x80\x82" "com", NULL, "not valid under IDNA2008"},
	{"fa\xc3\x9f.example", NULL, "deviation"},
	{"a\xe2\x80\x8d" "b.example", NULL, "deviation"},
	{"J\xfcrgen.example", NULL, "invalid UTF-8"},
	{"\xc0\xae.example", NULL, "invalid UTF-8"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
	 NULL, "label over 63 octets"},
};

typedef struct align_case {
	const char *a;
	const char *b;
	int relaxed;
	int strict;
} align_case_t;

static const align_case_t align_cases[] = {
	{"example.com", "example.com", 1, 1},
	{"example.com", "bounce.example.com", 1, 0},
	{"a.example.com", "b.example.com", 1, 0},
	{"example.com", "example.org", 0, 0},
	{"example.com", "notexample.com", 0, 0},
	{"example.co.uk", "mail.example.co.uk", 1, 0},
	{"example.co.uk", "other.co.uk", 0, 0},
	{"co.uk", "example.co.uk", 0, 0},
	{"co.uk", "co.uk", 1, 1},
	{"a.blogspot.com", "b.blogspot.com", 0, 0},
	{"x.a.blogspot.com", "a.blogspot.com", 1, 0},
	{"alice.github.io", "bob.github.io", 0, 0},
	{"www.alice.github.io", "alice.github.io", 1, 0},
	{"example.xn--p1ai", "mail.example.xn--p1ai", 1, 0},
	{"example.xn--p1ai", "other.xn--p1ai", 0, 0},
	{"shop.city.kawasaki.jp", "city.kawasaki.jp", 1, 0},
	{"a.b.kawasaki.jp", "c.b.kawasaki.jp", 0, 0},
	{"EXAMPLE.com", "example.COM", 1, 1},
	{"", "", 0, 0},
};

typedef struct org_case {
	const char *domain;
	const char *org;
} org_case_t;

static const org_case_t org_cases[] = {
	{"example.com", "example.com"},
	{"a.b.example.com", "example.com"},
	{"mail.example.co.uk", "example.co.uk"},
	{"co.uk", "co.uk"},
	{"com", "com"},
	{"x.a.blogspot.com", "a.blogspot.com"},
	{"blogspot.com", "blogspot.com"},
	{"foo.example.xn--p1ai", "example.xn--p1ai"},
	{"localhost", "localhost"},
	{"foo.bar.unlisted-tld", "bar.unlisted-tld"},
};

/* clang-format on */

/* group_setup - the system's Public Suffix List */
static int group_setup(void **state)
{
	char err[256];
	ag_psl_t *psl = ag_psl_load(PSL_FILE, err, sizeof(err));

	if (psl == NULL) {
		print_error("%s\n", err);
		return -1;
	}
	*state = psl;
	return 0;
}

/* group_teardown - release the list */
static int group_teardown(void **state)
{
	*state = ag_psl_free(*state);
	return 0;
}

/* test_normalise - every row of norm_cases */
static void test_normalise(void **state)
{
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]);
	     i++) {
		const norm_case_t *c = &norm_cases[i];
		char out[AG_DOMAIN_MAX + 1];
		const char *why = NULL;
		int rc = ag_domain_normalise(c->in, strlen(c->in), out,
		                             sizeof(out), &why);
		if ((rc == 0) != (c->out != NULL))
			print_message("\"%s\": rc %d why %s\n", c->in, rc,
			              why != NULL ? why : "-");
		if (c->out != NULL) {
			assert_int_equal(rc, 0);
			assert_string_equal(out, c->out);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(out, "");
			assert_non_null(why);
			if (strstr(why, c->why) == NULL)
				print_message(
				    "\"%s\": why \"%s\" want \"%s\"\n", c->in,
				    why, c->why);
			assert_non_null(strstr(why, c->why));
		}
	}
}

/* test_normalise_limits - lengths, buffer size and NULL arguments */
static void test_normalise_limits(void **state)
{
	char name[300], out[AG_DOMAIN_MAX + 1], small[8];
	size_t o = 0;

	for (int i = 0; i < 4; i++, o += 62) {
		if (i > 0)
			name[o++] = '.';
		memset(name + o, 'c', 62);
	}
	strcpy(name + o, ".a");
	assert_int_equal(
	    ag_domain_normalise(name, strlen(name), out, sizeof(out), NULL), 0);
	assert_int_equal(strlen(out), 253);
	strcpy(name + o, ".ab");
	assert_int_equal(
	    ag_domain_normalise(name, strlen(name), out, sizeof(out), NULL),
	    -1);
	assert_int_equal(
	    ag_domain_normalise("example.com", 11, small, sizeof(small), NULL),
	    -1);
	assert_int_equal(ag_domain_normalise(NULL, 0, out, sizeof(out), NULL),
	                 -1);
	/* only len octets count */
	assert_int_equal(
	    ag_domain_normalise("example.comXYZ", 11, out, sizeof(out), NULL),
	    0);
	assert_string_equal(out, "example.com");
}

/* test_is_within - sub-domains, not suffixes of a label */
static void test_is_within(void **state)
{
	assert_true(ag_domain_is_within("example.com", "example.com"));
	assert_true(ag_domain_is_within("a.b.example.com", "example.com"));
	assert_false(ag_domain_is_within("badexample.com", "example.com"));
	assert_false(ag_domain_is_within("example.com", "a.example.com"));
	assert_false(ag_domain_is_within("example.com", ""));
	assert_false(ag_domain_is_within(NULL, "example.com"));
}

/* test_org_domain - the registrable domain per the list */
static void test_org_domain(void **state)
{
	for (size_t i = 0; i < sizeof(org_cases) / sizeof(org_cases[0]); i++)
		assert_string_equal(ag_org_domain(*state, org_cases[i].domain),
		                    org_cases[i].org);
	assert_string_equal(ag_org_domain(NULL, "a.example.com"),
	                    "a.example.com");
}

/* test_alignment - relaxed and strict, both orders */
static void test_alignment(void **state)
{
	for (size_t i = 0; i < sizeof(align_cases) / sizeof(align_cases[0]);
	     i++) {
		const align_case_t *c = &align_cases[i];
		if (ag_domains_aligned(*state, c->a, c->b, AG_ALIGN_RELAXED) !=
		    c->relaxed)
			print_message("%s vs %s\n", c->a, c->b);
		assert_int_equal(
		    ag_domains_aligned(*state, c->a, c->b, AG_ALIGN_RELAXED),
		    c->relaxed);
		assert_int_equal(
		    ag_domains_aligned(*state, c->b, c->a, AG_ALIGN_RELAXED),
		    c->relaxed);
		assert_int_equal(
		    ag_domains_aligned(*state, c->a, c->b, AG_ALIGN_STRICT),
		    c->strict);
	}
	assert_false(
	    ag_domains_aligned(*state, NULL, "example.com", AG_ALIGN_RELAXED));
	/* without a list, relaxed is as strict as strict */
	assert_false(ag_domains_aligned(
	    NULL, "example.com", "bounce.example.com", AG_ALIGN_RELAXED));
	assert_true(ag_domains_aligned(NULL, "example.com", "example.com",
	                               AG_ALIGN_RELAXED));
}

/* test_alignment_names - round trip and refusal */
static void test_alignment_names(void **state)
{
	ag_alignment_t mode = AG_ALIGN_STRICT;

	assert_string_equal(ag_alignment_name(AG_ALIGN_RELAXED), "relaxed");
	assert_string_equal(ag_alignment_name(AG_ALIGN_STRICT), "strict");
	assert_int_equal(ag_alignment_parse("Relaxed", &mode), 0);
	assert_int_equal(mode, AG_ALIGN_RELAXED);
	assert_int_equal(ag_alignment_parse("strict", &mode), 0);
	assert_int_equal(mode, AG_ALIGN_STRICT);
	assert_int_equal(ag_alignment_parse("loose", &mode), -1);
	assert_int_equal(ag_alignment_parse(NULL, &mode), -1);
}

/* test_psl_load_failures - missing and empty files name themselves */
static void test_psl_load_failures(void **state)
{
	char err[256] = "";

	assert_null(ag_psl_load("/nonexistent/psl.dat", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/psl.dat"));
	assert_non_null(strstr(err, "No such file"));
	err[0] = '\0';
	assert_null(ag_psl_load("/dev/null", err, sizeof(err)));
	assert_non_null(strstr(err, "/dev/null"));
	assert_null(ag_psl_free(NULL));
}

/* test_psl_default_file - NULL path loads the built-in default */
static void test_psl_default_file(void **state)
{
	char err[256];
	ag_psl_t *psl = ag_psl_load(NULL, err, sizeof(err));

	assert_non_null(psl);
	assert_string_equal(ag_org_domain(psl, "a.b.example.co.uk"),
	                    "example.co.uk");
	assert_null(ag_psl_free(psl));
}

/* test_utf8_seq - well-formed sequences only */
static void test_utf8_seq(void **state)
{
	uint32_t cp = 0;

	assert_int_equal(ag_utf8_seq((const unsigned char *)"a", 1, &cp), 1);
	assert_int_equal(cp, 'a');
	assert_int_equal(ag_utf8_seq((const unsigned char *)"\xc3\xbc", 2, &cp),
	                 2);
	assert_int_equal(cp, 0xfc);
	assert_int_equal(
	    ag_utf8_seq((const unsigned char *)"\xf0\x9f\x92\xa9", 4, &cp), 4);
	assert_int_equal(cp, 0x1f4a9);
	assert_int_equal(ag_utf8_seq((const unsigned char *)"\xc3\xbc", 1, &cp),
	                 0);
	assert_int_equal(
	    ag_utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3, &cp), 0);
	assert_int_equal(
	    ag_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3, &cp), 0);
	assert_int_equal(
	    ag_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(ag_utf8_seq((const unsigned char *)"\x80", 1, &cp), 0);
	assert_int_equal(ag_utf8_seq((const unsigned char *)"", 0, &cp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_normalise_limits),
	    cmocka_unit_test(test_is_within),
	    cmocka_unit_test(test_org_domain),
	    cmocka_unit_test(test_alignment),
	    cmocka_unit_test(test_alignment_names),
	    cmocka_unit_test(test_psl_load_failures),
	    cmocka_unit_test(test_psl_default_file),
	    cmocka_unit_test(test_utf8_seq),
	};

	return cmocka_run_group_tests_name("domain", tests, group_setup,
	                                   group_teardown);
}
