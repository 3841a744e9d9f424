/*
 * test_dmarccheck.c - the From domain's DMARC check over the in-memory
 * zone and a small Public Suffix List: planning, a record at the domain
 * and at the organisational domain, missing, several records, unusable
 * records, DNS trouble, the TTL, and the DMARC data reaching the facts
 * collected from the domain-state service.
 */
#include "kindtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dmarccheck.h"

#define MAX_RR 4

/* A TXT record of a scenario. */
typedef struct rr {
	const char *name;
	const char *text; /* NULL: the name answers TEMPFAIL */
	uint32_t ttl;     /* 0: 3600 */
} rr_t;

typedef struct scenario {
	const char *what;
	const char *domain; /* the entry's */
	rr_t rrs[MAX_RR];
	ag_check_state_t state;
	ag_reason_t reason;
	const char *detail;   /* expected, whole */
	ag_dmarc_fact_t fact; /* expected */
} scenario_t;

typedef struct fixture {
	kindtest_t t; /* first */
	ag_psl_t *psl;
} fixture_t;

/* load_psl - a Public Suffix List of three rules, from a temporary file */
static ag_psl_t *load_psl(void)
{
	char path[] = "/tmp/test_dmarccheck_psl_XXXXXX", err[256];
	const char *rules = "com\nuk\nco.uk\n";
	int fd = mkstemp(path);
	ag_psl_t *psl = NULL;

	if (fd < 0)
		return NULL;
	if (write(fd, rules, strlen(rules)) == (ssize_t)strlen(rules))
		psl = ag_psl_load(path, err, sizeof(err));
	close(fd);
	unlink(path);
	return psl;
}

static int setup(void **state)
{
	fixture_t *f;

	if (kindtest_setup(state, sizeof(fixture_t)) < 0)
		return -1;
	f = *state;
	if ((f->psl = load_psl()) == NULL) {
		kindtest_teardown(state);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;

	ag_psl_free(f->psl);
	return kindtest_teardown(state);
}

/* load - a scenario's records into the zone */
static void load(fixture_t *f, const rr_t *rrs)
{
	for (size_t i = 0; i < MAX_RR && rrs[i].name != NULL; i++) {
		const rr_t *rr = &rrs[i];
		if (rr->text == NULL)
			assert_int_equal(
			    ag_dnsmem_set_status(f->t.mem, rr->name, AG_DNS_TXT,
			                         AG_DNS_TEMPFAIL),
			    0);
		else
			assert_int_equal(
			    ag_dnsmem_add(f->t.mem, rr->name, AG_DNS_TXT,
			                  rr->ttl ? rr->ttl : 3600, rr->text,
			                  strlen(rr->text), 0),
			    0);
	}
}

/* evaluate - plan the one check and evaluate it as the service would */
static void evaluate(fixture_t *f, const ag_psl_t *psl,
                     ag_check_result_t *result)
{
	ag_dstate_subject_t subject = {&f->t.entry, NULL, NULL, psl};
	char name[300], target[300];

	snprintf(name, sizeof(name), "dmarc:%s", f->t.entry.domain);
	snprintf(target, sizeof(target), "_dmarc.%s", f->t.entry.domain);
	kindtest_evaluate(&f->t, &ag_dmarccheck_kind, &subject, name, target,
	                  result);
}

/* expect_fact - every field of a DMARC fact */
static void expect_fact(const ag_dmarc_fact_t *got, const ag_dmarc_fact_t *want)
{
	assert_int_equal(got->found, want->found);
	assert_string_equal(got->policy, want->policy);
	assert_string_equal(got->subdomain_policy, want->subdomain_policy);
	assert_int_equal(got->adkim_strict, want->adkim_strict);
	assert_int_equal(got->aspf_strict, want->aspf_strict);
	assert_int_equal(got->pct, want->pct);
	assert_int_equal(got->at_org_domain, want->at_org_domain);
}

/* clang-format off */
#define NONE      {NULL, NULL, 0}
#define NO_RECORD {0, "", "", 0, 0, 0, 0}
/* clang-format on */
#define FAIL AG_CHECK_FAIL, AG_R_DMARC_MISSING

static const scenario_t scenarios[] = {
    {"record at the domain",
     "example.com",
     {{"_dmarc.example.com",
       "v=DMARC1; p=reject; sp=quarantine; adkim=s; pct=50; "
       "rua=mailto:d@example.com",
       0}},
     AG_CHECK_PASS,
     AG_R_COUNT,
     "p=reject at _dmarc.example.com",
     {1, "reject", "quarantine", 1, 0, 50, 0}},
    {"record at the domain, defaults",
     "example.com",
     {{"_dmarc.example.com", "v=DMARC1; p=none", 0}},
     AG_CHECK_PASS,
     AG_R_COUNT,
     "p=none at _dmarc.example.com",
     {1, "none", "none", 0, 0, 100, 0}},
    {"record at the organisational domain",
     "mail.shop.example.co.uk",
     {{"_dmarc.example.co.uk", "v=DMARC1; p=quarantine; sp=reject; aspf=s", 0}},
     AG_CHECK_PASS,
     AG_R_COUNT,
     "sp=reject at _dmarc.example.co.uk",
     {1, "quarantine", "reject", 0, 1, 100, 1}},
    {"the domain's own record wins over the organisation's",
     "news.example.com",
     {{"_dmarc.news.example.com", "v=DMARC1; p=none", 0},
      {"_dmarc.example.com", "v=DMARC1; p=reject", 0}},
     AG_CHECK_PASS,
     AG_R_COUNT,
     "p=none at _dmarc.news.example.com",
     {1, "none", "none", 0, 0, 100, 0}},
    {"no record anywhere",
     "news.example.com",
     {{"example.com", "v=spf1 -all", 0}},
     FAIL,
     "no DMARC record at _dmarc.news.example.com or _dmarc.example.com",
     NO_RECORD},
    {"TXT records, none DMARC",
     "example.com",
     {{"_dmarc.example.com", "v=spf1 -all", 0},
      {"_dmarc.example.com", "v=DMARC2; p=reject", 0}},
     FAIL,
     "no DMARC record at _dmarc.example.com",
     NO_RECORD},
    {"two records",
     "example.com",
     {{"_dmarc.example.com", "v=DMARC1; p=reject", 0},
      {"_dmarc.example.com", "v=DMARC1; p=none", 0}},
     FAIL,
     "2 DMARC records at _dmarc.example.com: no policy",
     NO_RECORD},
    {"two records at the domain: no fall-back to the organisation",
     "news.example.com",
     {{"_dmarc.news.example.com", "v=DMARC1; p=reject", 0},
      {"_dmarc.news.example.com", "v=DMARC1; p=none", 0},
      {"_dmarc.example.com", "v=DMARC1; p=reject", 0}},
     FAIL,
     "2 DMARC records at _dmarc.news.example.com: no policy",
     NO_RECORD},
    {"no valid p= and no rua=",
     "example.com",
     {{"_dmarc.example.com", "v=DMARC1; p=block", 0}},
     FAIL,
     "_dmarc.example.com has no valid p=/sp= and no rua=: no policy",
     NO_RECORD},
    {"no valid p= but rua=: none",
     "example.com",
     {{"_dmarc.example.com", "v=DMARC1; rua=mailto:d@example.com", 0}},
     AG_CHECK_PASS,
     AG_R_COUNT,
     "p=none at _dmarc.example.com (no valid p=/sp=; rua= given)",
     {1, "none", "none", 0, 0, 100, 0}},
    {"DNS trouble at the domain",
     "example.com",
     {{"_dmarc.example.com", NULL, 0}},
     AG_CHECK_TEMPERROR,
     AG_R_DNS_TEMPERROR,
     "DNS error looking up _dmarc.example.com: timeout",
     NO_RECORD},
    {"DNS trouble at the organisational domain",
     "news.example.com",
     {{"_dmarc.example.com", NULL, 0}},
     AG_CHECK_TEMPERROR,
     AG_R_DNS_TEMPERROR,
     "DNS error looking up _dmarc.example.com: timeout",
     NO_RECORD},
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* test_scenario - one row of the table (the test's initial state) */
static void test_scenario(void **state)
{
	fixture_t *f = *state;
	const scenario_t *s = f->t.scenario;
	ag_check_result_t r;

	f->t.entry.domain = (char *)s->domain;
	load(f, s->rrs);
	evaluate(f, f->psl, &r);
	assert_string_equal(r.detail, s->detail);
	assert_string_equal(ag_check_state_name(r.state),
	                    ag_check_state_name(s->state));
	assert_string_equal(
	    s->state == AG_CHECK_PASS ? "-" : ag_reason_name(r.reason),
	    s->state == AG_CHECK_PASS ? "-" : ag_reason_name(s->reason));
	if (s->state == AG_CHECK_PASS)
		assert_int_equal(r.reason, AG_R_COUNT);
	expect_fact(&r.dmarc, &s->fact);
}

static void test_plan(void **state)
{
	fixture_t *f = *state;
	ag_dstate_subject_t subject = {&f->t.entry, NULL, NULL, f->psl};
	ag_dstate_subject_t bare = {&f->t.entry, NULL, NULL, NULL};
	ag_dstate_req_t reqs[2];

	assert_int_equal(ag_dmarccheck_kind.kind, AG_CHECK_DMARC);
	assert_int_equal(ag_dmarccheck_kind.plan(&subject, reqs, 0), 0);
	/* the organisational domain itself: no parameter */
	assert_int_equal(ag_dmarccheck_kind.plan(&subject, reqs, 2), 1);
	assert_string_equal(reqs[0].name, "dmarc:example.com");
	assert_string_equal(reqs[0].target, "_dmarc.example.com");
	assert_int_equal(reqs[0].params_len, 0);
	/* below it: the organisational domain is the parameter */
	f->t.entry.domain = "a.b.example.co.uk";
	assert_int_equal(ag_dmarccheck_kind.plan(&subject, reqs, 2), 1);
	assert_string_equal(reqs[0].target, "_dmarc.a.b.example.co.uk");
	assert_int_equal(reqs[0].params_len, 14);
	assert_memory_equal(reqs[0].params, "example.co.uk", 14);
	/* without a list, the domain alone */
	assert_int_equal(ag_dmarccheck_kind.plan(&bare, reqs, 2), 1);
	assert_int_equal(reqs[0].params_len, 0);
	/* send-domain= plays no part */
	f->t.entry.send_domain = "bounce.example.co.uk";
	assert_int_equal(ag_dmarccheck_kind.plan(&bare, reqs, 2), 1);
	assert_string_equal(reqs[0].target, "_dmarc.a.b.example.co.uk");
}

static void test_without_a_list(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	f->t.entry.domain = "news.example.com";
	load(f,
	     (rr_t[]){{"_dmarc.example.com", "v=DMARC1; p=reject", 0}, NONE});
	evaluate(f, NULL, &r);
	assert_int_equal(r.state, AG_CHECK_FAIL);
	assert_string_equal(r.detail,
	                    "no DMARC record at _dmarc.news.example.com");
	assert_int_equal(ag_dnsmem_queries(f->t.mem, NULL, 0), 1);
}

static void test_ttl_is_the_smallest(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	f->t.entry.domain = "news.example.com";
	ag_dnsmem_set_negative_ttl(f->t.mem, 90);
	load(f, (rr_t[]){{"_dmarc.example.com", "v=DMARC1; p=reject", 7200},
	                 NONE});
	evaluate(f, f->psl, &r);
	assert_int_equal(r.state, AG_CHECK_PASS);
	assert_int_equal(r.ttl, 90);
	f->t.entry.domain = "example.com";
	evaluate(f, f->psl, &r);
	assert_int_equal(r.state, AG_CHECK_PASS);
	assert_int_equal(r.ttl, 7200);
}

/* The DMARC data reaches the facts a message collects. */
static void test_facts_carry_the_record(void **state)
{
	fixture_t *f = *state;
	ag_dstate_subject_t subject = {&f->t.entry, NULL, NULL, f->psl};
	ag_dstate_t *ds = kindtest_service(&f->t, &ag_dmarccheck_kind);
	ag_dns_facts_t facts;
	const ag_dmarc_fact_t want = {1, "reject", "none", 1, 1, 20, 1};

	f->t.entry.domain = "mail.example.co.uk";
	load(f, (rr_t[]){{"_dmarc.example.co.uk",
	                  "v=DMARC1; p=reject; sp=none; adkim=s; aspf=s; "
	                  "pct=20",
	                  0},
	                 NONE});
	assert_int_equal(kindtest_collect(ds, &subject, &facts), 1);
	assert_int_equal(facts.checks[0].kind, AG_CHECK_DMARC);
	assert_string_equal(facts.checks[0].name, "dmarc:mail.example.co.uk");
	assert_int_equal(facts.checks[0].state, AG_CHECK_PASS);
	assert_string_equal(facts.checks[0].detail,
	                    "sp=none at _dmarc.example.co.uk");
	expect_fact(&facts.checks[0].dmarc, &want);
	/* warm: the same data, no DNS */
	ag_dnsmem_reset_counts(f->t.mem);
	assert_int_equal(kindtest_collect(ds, &subject, &facts), 1);
	expect_fact(&facts.checks[0].dmarc, &want);
	assert_int_equal(ag_dnsmem_queries(f->t.mem, NULL, 0), 0);
	/* a missing record: no data */
	f->t.entry.domain = "other.example.com";
	assert_int_equal(kindtest_collect(ds, &subject, &facts), 1);
	assert_int_equal(facts.checks[0].state, AG_CHECK_FAIL);
	assert_int_equal(facts.checks[0].reason, AG_R_DMARC_MISSING);
	assert_int_equal(facts.checks[0].dmarc.found, 0);
	assert_string_equal(facts.checks[0].dmarc.policy, "");
	ag_dstate_destroy(ds);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    T(test_plan),
	    T(test_without_a_list),
	    T(test_ttl_is_the_smallest),
	    T(test_facts_carry_the_record),
	};

	return kindtest_run("dmarccheck", scenarios, NSCENARIOS,
	                    sizeof(scenarios[0]), test_scenario, setup,
	                    teardown, fixed, sizeof(fixed) / sizeof(fixed[0]));
}
