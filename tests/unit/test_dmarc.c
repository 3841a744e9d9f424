/*
 * test_dmarc.c - DMARC records: tag parsing, defaults, bad values and
 * duplicates, report URIs; discovery against an in-memory zone: the From
 * domain, the organisational-domain fall-back, several records, DNS
 * errors, and the p= rules of RFC 7489 6.6.3.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dmarc.h"
#include "dnsmem.h"

static ag_dmarc_record_t *parse(const char *text)
{
	char err[128];

	return ag_dmarc_parse(text, strlen(text), err, sizeof(err));
}

static void test_is_record(void **state)
{
	static const struct {
		const char *text;
		int yes;
	} cases[] = {
	    {"v=DMARC1; p=none", 1},
	    {"v=DMARC1", 1},
	    {" V = DMARC1 ;p=reject", 1},
	    {"v=DMARC1;", 1},
	    {"v=dmarc1; p=none", 0},
	    {"v=DMARC10; p=none", 0},
	    {"v=DMARC1 p=none", 0},
	    {"p=none; v=DMARC1", 0},
	    {"v=spf1 -all", 0},
	    {"", 0},
	    {"v", 0},
	    {"vv=DMARC1", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ag_dmarc_is_record(cases[i].text, strlen(cases[i].text)) !=
		    cases[i].yes)
			fail_msg("'%s'", cases[i].text);
}

static void test_full_record(void **state)
{
	ag_dmarc_record_t *r =
	    parse("v=DMARC1; p=quarantine; sp=reject; adkim=s; aspf=r; pct=25; "
	          "rua=mailto:agg@example.com!10m, mailto:agg@example.net; "
	          "ruf=mailto:fail@example.com; fo=1:d:s; rf=afrf:iodef; "
	          "ri=3600; future=yes;");

	assert_non_null(r);
	assert_int_equal(r->p, AG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(r->sp, AG_DMARC_POLICY_REJECT);
	assert_int_equal(r->adkim, AG_ALIGN_STRICT);
	assert_int_equal(r->aspf, AG_ALIGN_RELAXED);
	assert_int_equal(r->pct, 25);
	assert_int_equal(r->rua_count, 2);
	assert_string_equal(r->rua[0], "mailto:agg@example.com");
	assert_string_equal(r->rua[1], "mailto:agg@example.net");
	assert_int_equal(r->ruf_count, 1);
	assert_string_equal(r->ruf[0], "mailto:fail@example.com");
	assert_int_equal(r->fo, AG_DMARC_FO_1 | AG_DMARC_FO_D | AG_DMARC_FO_S);
	assert_string_equal(r->rf, "afrf:iodef");
	assert_int_equal(r->ri, 3600);
	assert_int_equal(r->warnings, 0);
	assert_string_equal(r->warning, "");
	assert_non_null(strstr(r->text, "future=yes"));
	ag_dmarc_record_free(r);
}

static void test_defaults_and_case(void **state)
{
	ag_dmarc_record_t *r = parse("v=DMARC1;\tP = REJECT ; ADKIM=S");

	assert_non_null(r);
	assert_int_equal(r->p, AG_DMARC_POLICY_REJECT);
	assert_int_equal(r->sp, AG_DMARC_POLICY_REJECT); /* from p */
	assert_false(r->sp_given);
	assert_int_equal(r->adkim, AG_ALIGN_STRICT);
	assert_int_equal(r->aspf, AG_ALIGN_RELAXED);
	assert_int_equal(r->pct, 100);
	assert_int_equal(r->fo, AG_DMARC_FO_0);
	assert_string_equal(r->rf, "afrf");
	assert_int_equal(r->ri, 86400);
	assert_int_equal(r->rua_count, 0);
	ag_dmarc_record_free(r);

	r = parse("v=DMARC1");
	assert_non_null(r);
	assert_int_equal(r->p, AG_DMARC_POLICY_INVALID);
	ag_dmarc_record_free(r);
	assert_null(ag_dmarc_record_free(NULL));
}

static void test_bad_values_keep_defaults(void **state)
{
	static const struct {
		const char *record, *warning;
	} cases[] = {
	    {"v=DMARC1; p=none; pct=101", "bad pct= value '101'"},
	    {"v=DMARC1; p=none; pct=1000", "bad pct= value '1000'"},
	    {"v=DMARC1; p=none; pct=", "bad pct= value ''"},
	    {"v=DMARC1; p=none; pct=5%", "bad pct= value '5%'"},
	    {"v=DMARC1; p=none; adkim=x", "bad adkim= value 'x'"},
	    {"v=DMARC1; p=none; aspf=relaxed", "bad aspf= value 'relaxed'"},
	    {"v=DMARC1; p=none; fo=1:2", "bad fo= value '1:2'"},
	    {"v=DMARC1; p=none; ri=-1", "bad ri= value '-1'"},
	    {"v=DMARC1; p=none; ri=4294967296", "bad ri= value '4294967296'"},
	    {"v=DMARC1; p=none; rf=", "bad rf= value ''"},
	    {"v=DMARC1; p=none; rf=afrf:", "bad rf= value 'afrf:'"},
	    {"v=DMARC1; p=none; p=reject", "p= given twice"},
	    {"v=DMARC1; p=none; rua", "'rua' is no tag=value"},
	    {"v=DMARC1; p=none; v=DMARC1", NULL}, /* unknown: ignored */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_dmarc_record_t *r = parse(cases[i].record);
		assert_non_null(r);
		assert_int_equal(r->p, AG_DMARC_POLICY_NONE);
		assert_int_equal(r->pct, 100);
		assert_int_equal(r->adkim, AG_ALIGN_RELAXED);
		assert_int_equal(r->aspf, AG_ALIGN_RELAXED);
		assert_int_equal(r->fo, AG_DMARC_FO_0);
		assert_int_equal(r->ri, 86400);
		assert_string_equal(r->rf, "afrf");
		assert_string_equal(r->warning,
		                    cases[i].warning ? cases[i].warning : "");
		ag_dmarc_record_free(r);
	}
}

static void test_policies(void **state)
{
	static const struct {
		const char *record;
		ag_dmarc_policy_t p, sp;
	} cases[] = {
	    {"v=DMARC1; p=reject; sp=none", AG_DMARC_POLICY_REJECT,
	     AG_DMARC_POLICY_NONE},
	    {"v=DMARC1; p=Quarantine", AG_DMARC_POLICY_QUARANTINE,
	     AG_DMARC_POLICY_QUARANTINE},
	    {"v=DMARC1; p=deny", AG_DMARC_POLICY_INVALID,
	     AG_DMARC_POLICY_INVALID},
	    {"v=DMARC1; p=reject; sp=deny", AG_DMARC_POLICY_REJECT,
	     AG_DMARC_POLICY_INVALID},
	    {"v=DMARC1; rua=mailto:a@example.com; p=reject",
	     AG_DMARC_POLICY_REJECT, AG_DMARC_POLICY_REJECT},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_dmarc_record_t *r = parse(cases[i].record);
		assert_non_null(r);
		assert_int_equal(r->p, cases[i].p);
		assert_int_equal(r->sp, cases[i].sp);
		ag_dmarc_record_free(r);
	}
	assert_string_equal(ag_dmarc_policy_name(AG_DMARC_POLICY_NONE), "none");
	assert_string_equal(ag_dmarc_policy_name(AG_DMARC_POLICY_REJECT),
	                    "reject");
	assert_string_equal(ag_dmarc_policy_name(99), "invalid");
}

static void test_report_uris(void **state)
{
	static const struct {
		const char *rua;
		size_t valid;
		const char *first;
	} cases[] = {
	    {"mailto:a@example.com", 1, "mailto:a@example.com"},
	    {"mailto:a@example.com!10", 1, "mailto:a@example.com"},
	    {"mailto:a@example.com!5G,https://r.example/x", 2,
	     "mailto:a@example.com"},
	    {" mailto:a@example.com , ", 1, "mailto:a@example.com"},
	    {"a@example.com", 0, NULL},
	    {"mailto:", 0, NULL},
	    {"mailto:a@example.com!", 0, NULL},
	    {"mailto:a@example.com!10x", 0, NULL},
	    {"mailto:a@example.com!m", 0, NULL},
	    {"1mailto:a@example.com", 0, NULL},
	    {"mailto:a b@example.com", 0, NULL},
	    {"bogus, mailto:b@example.com", 1, "mailto:b@example.com"},
	};
	char record[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(record, sizeof(record), "v=DMARC1; p=none; rua=%s",
		         cases[i].rua);
		ag_dmarc_record_t *r = parse(record);
		assert_non_null(r);
		if (r->rua_count != cases[i].valid)
			fail_msg("'%s': %zu valid", cases[i].rua, r->rua_count);
		if (cases[i].first != NULL)
			assert_string_equal(r->rua[0], cases[i].first);
		ag_dmarc_record_free(r);
	}
}

static void test_not_dmarc(void **state)
{
	static const char nul[] = "v=DMARC1; p=reject\0; p=none";
	char err[128];

	assert_null(ag_dmarc_parse("v=spf1 -all", 11, err, sizeof(err)));
	assert_string_equal(err, "not a DMARC record (v=DMARC1 first)");
	assert_null(parse("p=reject; v=DMARC1"));
	ag_dmarc_record_t *r =
	    ag_dmarc_parse(nul, sizeof(nul) - 1, err, sizeof(err));
	assert_non_null(r); /* the NUL is inside a value: p= is bad */
	assert_int_equal(r->p, AG_DMARC_POLICY_INVALID);
	ag_dmarc_record_free(r);
}

/* ------------------------------------------------------------------ */

static ag_dnsmem_t *zone;

static int setup(void **state)
{
	zone = ag_dnsmem_create();
	return zone == NULL;
}

static int teardown(void **state)
{
	zone = ag_dnsmem_destroy(zone);
	return 0;
}

/* txt - add a TXT record */
static void txt(const char *name, const char *text)
{
	assert_int_equal(
	    ag_dnsmem_add(zone, name, AG_DNS_TXT, 600, text, strlen(text), 0),
	    0);
}

/* discover - run discovery; the outcome stays for the caller */
static ag_dmarc_status_t discover(const char *from, const char *org,
                                  ag_dmarc_discovery_t *out)
{
	ag_dmarc_status_t st =
	    ag_dmarc_discover(ag_dnsmem_resolver(zone), from, org, 1000, out);

	assert_int_equal(st, out->status);
	return st;
}

static void test_found_at_from_domain(void **state)
{
	ag_dmarc_discovery_t out;

	txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=none");
	txt("_dmarc.example.com", "some other text");
	assert_int_equal(discover("example.com", "example.com", &out),
	                 AG_DMARC_FOUND);
	assert_int_equal(out.policy, AG_DMARC_POLICY_REJECT);
	assert_false(out.at_org);
	assert_string_equal(out.domain, "example.com");
	assert_int_equal(out.ttl, 600);
	assert_string_equal(out.detail, "p=reject at _dmarc.example.com");
	assert_int_equal(out.record->sp, AG_DMARC_POLICY_NONE);
	ag_dmarc_discovery_clear(&out);
	assert_null(out.record);
	assert_int_equal(ag_dnsmem_queries(zone, NULL, AG_DNSMEM_ANY), 1);
}

static void test_org_domain_fallback(void **state)
{
	ag_dmarc_discovery_t out;

	txt("_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine");
	txt("_dmarc.news.example.com", "not dmarc");
	assert_int_equal(discover("mail.example.com", "example.com", &out),
	                 AG_DMARC_FOUND);
	assert_true(out.at_org);
	assert_int_equal(out.policy, AG_DMARC_POLICY_QUARANTINE);
	assert_string_equal(out.domain, "example.com");
	ag_dmarc_discovery_clear(&out);
	assert_int_equal(
	    ag_dnsmem_queries(zone, "_dmarc.mail.example.com", AG_DNS_TXT), 1);
	assert_int_equal(
	    ag_dnsmem_queries(zone, "_dmarc.example.com", AG_DNS_TXT), 1);

	assert_int_equal(discover("news.example.com", "example.com", &out),
	                 AG_DMARC_FOUND);
	assert_true(out.at_org);
	ag_dmarc_discovery_clear(&out);

	ag_dnsmem_reset_counts(zone);
	assert_int_equal(discover("mail.example.org", NULL, &out),
	                 AG_DMARC_MISSING);
	assert_string_equal(out.detail,
	                    "no DMARC record at _dmarc.mail.example.org");
	assert_int_equal(ag_dnsmem_queries(zone, NULL, AG_DNSMEM_ANY), 1);
	ag_dmarc_discovery_clear(&out);

	assert_int_equal(discover("a.example.net", "example.net", &out),
	                 AG_DMARC_MISSING);
	assert_string_equal(out.detail,
	                    "no DMARC record at _dmarc.a.example.net"
	                    " or _dmarc.example.net");
	ag_dmarc_discovery_clear(&out);
}

static void test_several_records(void **state)
{
	ag_dmarc_discovery_t out;

	txt("_dmarc.two.example", "v=DMARC1; p=reject");
	txt("_dmarc.two.example", "v=DMARC1; p=none");
	txt("_dmarc.example", "v=DMARC1; p=reject");
	assert_int_equal(discover("two.example", "example", &out),
	                 AG_DMARC_MISSING);
	assert_null(out.record);
	assert_string_equal(out.detail,
	                    "2 DMARC records at _dmarc.two.example: no policy");
	assert_int_equal(
	    ag_dnsmem_queries(zone, "_dmarc.example", AG_DNSMEM_ANY), 0);
	ag_dmarc_discovery_clear(&out);

	txt("_dmarc.org.example", "v=DMARC1; p=reject");
	txt("_dmarc.org.example", "v=DMARC1; p=reject");
	assert_int_equal(discover("sub.org.example", "org.example", &out),
	                 AG_DMARC_MISSING);
	ag_dmarc_discovery_clear(&out);
}

static void test_dns_errors(void **state)
{
	ag_dmarc_discovery_t out;

	txt("_dmarc.example.com", "v=DMARC1; p=reject");
	assert_int_equal(ag_dnsmem_set_status(zone, "_dmarc.mail.example.com",
	                                      AG_DNS_TXT, AG_DNS_TEMPFAIL),
	                 0);
	assert_int_equal(discover("mail.example.com", "example.com", &out),
	                 AG_DMARC_TEMPERROR);
	assert_string_equal(out.detail, "DNS error looking up "
	                                "_dmarc.mail.example.com: timeout");
	assert_null(out.record);
	ag_dmarc_discovery_clear(&out);
	assert_int_equal(
	    ag_dnsmem_queries(zone, "_dmarc.example.com", AG_DNSMEM_ANY), 0);

	assert_int_equal(ag_dnsmem_set_status(zone, "_dmarc.example.net",
	                                      AG_DNSMEM_ANY, AG_DNS_TEMPFAIL),
	                 0);
	assert_int_equal(discover("www.example.net", "example.net", &out),
	                 AG_DMARC_TEMPERROR);
	ag_dmarc_discovery_clear(&out);
}

static void test_invalid_p_and_rua(void **state)
{
	static const struct {
		const char *record;
		ag_dmarc_status_t want;
		ag_dmarc_policy_t policy;
	} cases[] = {
	    {"v=DMARC1; p=bogus; rua=mailto:r@example.com", AG_DMARC_FOUND,
	     AG_DMARC_POLICY_NONE},
	    {"v=DMARC1; rua=mailto:r@example.com", AG_DMARC_FOUND,
	     AG_DMARC_POLICY_NONE},
	    {"v=DMARC1; p=reject; sp=bogus; rua=mailto:r@example.com",
	     AG_DMARC_FOUND, AG_DMARC_POLICY_NONE},
	    {"v=DMARC1; p=bogus", AG_DMARC_MISSING, AG_DMARC_POLICY_INVALID},
	    {"v=DMARC1; p=bogus; rua=bogus", AG_DMARC_MISSING,
	     AG_DMARC_POLICY_INVALID},
	    {"v=DMARC1; p=reject; sp=bogus", AG_DMARC_MISSING,
	     AG_DMARC_POLICY_INVALID},
	    {"v=DMARC1", AG_DMARC_MISSING, AG_DMARC_POLICY_INVALID},
	};
	char name[80], from[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_dmarc_discovery_t out;
		snprintf(from, sizeof(from), "d%zu.example", i);
		snprintf(name, sizeof(name), "_dmarc.%s", from);
		txt(name, cases[i].record);
		assert_int_equal(discover(from, NULL, &out), cases[i].want);
		assert_int_equal(out.policy, cases[i].policy);
		if (cases[i].want == AG_DMARC_FOUND)
			assert_non_null(
			    strstr(out.detail, "p=none at _dmarc."));
		else
			assert_null(out.record);
		ag_dmarc_discovery_clear(&out);
	}
}

static void test_cname_and_long_names(void **state)
{
	ag_dmarc_discovery_t out;
	char longname[300];

	assert_int_equal(ag_dnsmem_add_text(zone, "_dmarc.alias.example",
	                                    AG_DNS_CNAME, "policy.example"),
	                 0);
	txt("policy.example", "v=DMARC1; p=quarantine");
	assert_int_equal(discover("alias.example", NULL, &out), AG_DMARC_FOUND);
	assert_int_equal(out.policy, AG_DMARC_POLICY_QUARANTINE);
	ag_dmarc_discovery_clear(&out);

	memset(longname, 'a', 250);
	strcpy(longname + 250, ".example");
	txt("_dmarc.example", "v=DMARC1; p=reject");
	assert_int_equal(discover(longname, "example", &out), AG_DMARC_FOUND);
	assert_true(out.at_org);
	ag_dmarc_discovery_clear(&out);
	assert_string_equal(ag_dmarc_status_name(AG_DMARC_FOUND), "found");
	assert_string_equal(ag_dmarc_status_name(AG_DMARC_MISSING), "missing");
	assert_string_equal(ag_dmarc_status_name(AG_DMARC_TEMPERROR),
	                    "temperror");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_is_record),
	    cmocka_unit_test(test_full_record),
	    cmocka_unit_test(test_defaults_and_case),
	    cmocka_unit_test(test_bad_values_keep_defaults),
	    cmocka_unit_test(test_policies),
	    cmocka_unit_test(test_report_uris),
	    cmocka_unit_test(test_not_dmarc),
	    T(test_found_at_from_domain),
	    T(test_org_domain_fallback),
	    T(test_several_records),
	    T(test_dns_errors),
	    T(test_invalid_p_and_rua),
	    T(test_cname_and_long_names),
	};
	return cmocka_run_group_tests_name("dmarc", tests, NULL, NULL);
}
