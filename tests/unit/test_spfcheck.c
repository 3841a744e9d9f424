/*
 * test_spfcheck.c - the send domain's SPF check over the in-memory zone:
 * planning, every reason, several OutboundAddresses, spf-include=, the
 * TTL, and the check through the domain-state service.
 */
#include "kindtest.h"

#include <stdio.h>
#include <string.h>

#include "spfcheck.h"

#define SEND      KINDTEST_SEND
#define MAX_ITEMS 64
#define MAX_RR    6

/* A record of a scenario: TXT unless type says otherwise. */
typedef struct rr {
	const char *name;
	const char *text;
	uint32_t ttl; /* 0: 3600 */
	int tempfail; /* the name answers TEMPFAIL instead */
} rr_t;

typedef struct scenario {
	const char *what;
	rr_t rrs[MAX_RR];
	const char *addresses; /* OutboundAddresses, space-separated */
	const char *includes;  /* spf-include=, space-separated */
	ag_check_state_t state;
	ag_reason_t reason;
	const char *detail; /* expected at the start of the detail */
	const char *also;   /* expected anywhere in it; may be NULL */
} scenario_t;

typedef struct fixture {
	kindtest_t t; /* first */
	ag_config_t config;
	char *addr_items[MAX_ITEMS];
	char *inc_items[MAX_ITEMS];
	char addr_text[4096];
	char inc_text[1024];
} fixture_t;

static int setup(void **state)
{
	return kindtest_setup(state, sizeof(fixture_t));
}

/* set_lists - the OutboundAddresses and spf-include= of the fixture */
static void set_lists(fixture_t *f, const char *addresses, const char *includes)
{
	kindtest_list(&f->config.outbound_addresses, f->addr_items, MAX_ITEMS,
	              f->addr_text, sizeof(f->addr_text), addresses);
	kindtest_list(&f->t.entry.spf_includes, f->inc_items, MAX_ITEMS,
	              f->inc_text, sizeof(f->inc_text), includes);
}

/* load - a scenario's records into the zone */
static void load(fixture_t *f, const rr_t *rrs)
{
	for (size_t i = 0; i < MAX_RR && rrs[i].name != NULL; i++) {
		if (rrs[i].tempfail) {
			assert_int_equal(ag_dnsmem_set_status(
			                     f->t.mem, rrs[i].name,
			                     AG_DNSMEM_ANY, AG_DNS_TEMPFAIL),
			                 0);
			continue;
		}
		assert_int_equal(
		    ag_dnsmem_add(f->t.mem, rrs[i].name, AG_DNS_TXT,
		                  rrs[i].ttl ? rrs[i].ttl : 3600, rrs[i].text,
		                  strlen(rrs[i].text), 0),
		    0);
	}
}

/* subject - what the check is planned from */
static ag_dstate_subject_t subject(fixture_t *f)
{
	ag_dstate_subject_t s = {&f->t.entry, NULL, &f->config, NULL};
	return s;
}

/* evaluate - plan the one check and evaluate it as the service would */
static void evaluate(fixture_t *f, ag_check_result_t *result)
{
	ag_dstate_subject_t s = subject(f);
	char name[300];

	snprintf(name, sizeof(name), "spf:%s", f->t.entry.send_domain);
	kindtest_evaluate(&f->t, &ag_spfcheck_kind, &s, name,
	                  f->t.entry.send_domain, result);
}

/* expect - a result's state, reason and the start of its detail */
static void expect(const ag_check_result_t *r, ag_check_state_t state,
                   ag_reason_t reason, const char *detail)
{
	if (strncmp(r->detail, detail, strlen(detail)) != 0)
		fail_msg("detail \"%s\", expected \"%s...\"", r->detail,
		         detail);
	assert_string_equal(ag_check_state_name(r->state),
	                    ag_check_state_name(state));
	if (state == AG_CHECK_PASS)
		assert_int_equal(r->reason, AG_R_COUNT);
	else
		assert_string_equal(ag_reason_name(r->reason),
		                    ag_reason_name(reason));
	assert_int_equal(r->dmarc.found, 0);
}

/* clang-format off */
#define R(n, t)     {n, t, 0, 0}
#define TEMPFAIL(n) {n, NULL, 0, 1}
#define NONE        {NULL, NULL, 0, 0}
#define AMAZON      R("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all")
/* clang-format on */

static const scenario_t scenarios[] = {
    {"one IPv4 and one IPv6 address pass",
     {R(SEND, "v=spf1 ip4:192.0.2.10 ip6:2001:db8::/32 -all")},
     "192.0.2.10 2001:db8::25",
     NULL,
     AG_CHECK_PASS,
     AG_R_COUNT,
     "pass: 192.0.2.10, 2001:db8::25",
     NULL},
    {"IPv6 address not listed",
     {R(SEND, "v=spf1 ip4:192.0.2.10 ip6:2001:db8:1::/48 -all")},
     "2001:db8:2::25",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "2001:db8:2::25 not authorised: fail by -all at " SEND,
     NULL},
    {"the second of three addresses fails",
     {R(SEND, "v=spf1 ip4:192.0.2.10 ip4:192.0.2.12 -all")},
     "192.0.2.10 192.0.2.11 192.0.2.12",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "192.0.2.11 not authorised: fail by -all",
     NULL},
    {"softfail is a failure",
     {R(SEND, "v=spf1 ip4:192.0.2.10 ~all")},
     "192.0.2.99",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "192.0.2.99 not authorised: softfail by ~all",
     NULL},
    {"neutral is a failure",
     {R(SEND, "v=spf1 ip4:192.0.2.10 ?all")},
     "192.0.2.99",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "192.0.2.99 not authorised: neutral by ?all",
     NULL},
    {"the end of the record is neutral",
     {R(SEND, "v=spf1 ip4:192.0.2.10")},
     "192.0.2.99",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "192.0.2.99 not authorised: neutral (no directive matched)",
     NULL},
    {"no such name",
     {R("other.example.com", "v=spf1 -all")},
     "192.0.2.10",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_MISSING,
     "no SPF record at " SEND,
     NULL},
    {"TXT records, none of them SPF",
     {R(SEND, "google-site-verification=abc"), R(SEND, "v=spf10 +all")},
     "192.0.2.10",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_MISSING,
     "no SPF record at " SEND,
     NULL},
    {"two SPF records",
     {R(SEND, "v=spf1 ip4:192.0.2.10 -all"), R(SEND, "v=spf1 -all")},
     "192.0.2.10",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_PERMERROR,
     "permerror for 192.0.2.10: ",
     NULL},
    {"syntax error",
     {R(SEND, "v=spf1 ip4:192.0.2.10 moo -all")},
     "192.0.2.10",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_PERMERROR,
     "permerror for 192.0.2.10: ",
     NULL},
    {"include of a domain without SPF",
     {R(SEND, "v=spf1 include:nospf.example.net -all")},
     "192.0.2.10",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_PERMERROR,
     "permerror for 192.0.2.10: ",
     "nospf.example.net"},
    {"DNS trouble at the send domain",
     {TEMPFAIL(SEND)},
     "192.0.2.10",
     NULL,
     AG_CHECK_TEMPERROR,
     AG_R_DNS_TEMPERROR,
     "temperror for 192.0.2.10: ",
     SEND},
    {"a definitive failure wins over DNS trouble",
     {R(SEND, "v=spf1 ip4:192.0.2.10 -ip4:203.0.113.0/24 "
              "include:broken.example.net -all"),
      TEMPFAIL("broken.example.net")},
     "192.0.2.10 198.51.100.7 203.0.113.5",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "203.0.113.5 not authorised: fail by -ip4:203.",
     NULL},
    {"DNS trouble for one address, the others pass",
     {R(SEND, "v=spf1 ip4:192.0.2.10 include:broken.example.net -all"),
      TEMPFAIL("broken.example.net")},
     "192.0.2.10 198.51.100.7",
     NULL,
     AG_CHECK_TEMPERROR,
     AG_R_DNS_TEMPERROR,
     "temperror for 198.51.100.7: ",
     NULL},
    {"addresses pass through redirect=",
     {R(SEND, "v=spf1 redirect=_spf.example.com"),
      R("_spf.example.com", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 "
                            "-all")},
     "192.0.2.10 2001:db8::1",
     NULL,
     AG_CHECK_PASS,
     AG_R_COUNT,
     "pass: 192.0.2.10, 2001:db8::1",
     NULL},
    {"redirect= to a domain that refuses",
     {R(SEND, "v=spf1 redirect=_spf.example.com"),
      R("_spf.example.com", "v=spf1 ip4:192.0.2.0/24 -all")},
     "198.51.100.7",
     NULL,
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "198.51.100.7 not authorised: fail by -all at _spf.example.com",
     NULL},
    {"required include present",
     {R(SEND, "v=spf1 include:amazonses.com -all"), AMAZON},
     NULL,
     "amazonses.com",
     AG_CHECK_PASS,
     AG_R_COUNT,
     "pass: include:amazonses.com",
     NULL},
    {"required include written in another case",
     {R(SEND, "v=spf1 include:AmazonSES.com. -all"), AMAZON},
     NULL,
     "amazonses.com",
     AG_CHECK_PASS,
     AG_R_COUNT,
     "pass: include:amazonses.com",
     NULL},
    {"required include absent",
     {R(SEND, "v=spf1 ip4:199.255.192.0/22 -all")},
     NULL,
     "amazonses.com",
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "no include:amazonses.com in the SPF record of " SEND
     " (evaluation stops at -all)",
     NULL},
    {"required include after all is never reached",
     {R(SEND, "v=spf1 ~all include:amazonses.com"), AMAZON},
     NULL,
     "amazonses.com",
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "no include:amazonses.com in the SPF record of " SEND
     " (evaluation stops at ~all)",
     NULL},
    {"required include through a nested include",
     {R(SEND, "v=spf1 include:_spf.example.com -all"),
      R("_spf.example.com", "v=spf1 ip4:192.0.2.10 include:amazonses.com "
                            "~all"),
      AMAZON},
     "192.0.2.10",
     "amazonses.com",
     AG_CHECK_PASS,
     AG_R_COUNT,
     "pass: 192.0.2.10, include:amazonses.com",
     NULL},
    {"required include through redirect=",
     {R(SEND, "v=spf1 redirect=amazonses.com"), AMAZON},
     NULL,
     "amazonses.com",
     AG_CHECK_PASS,
     AG_R_COUNT,
     "pass: include:amazonses.com",
     NULL},
    {"one of two required includes absent",
     {R(SEND, "v=spf1 include:amazonses.com -all"), AMAZON},
     NULL,
     "amazonses.com spf.relay.example",
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "no include:spf.relay.example in",
     NULL},
    {"addresses pass but the include is missing",
     {R(SEND, "v=spf1 ip4:192.0.2.10 -all")},
     "192.0.2.10",
     "amazonses.com",
     AG_CHECK_FAIL,
     AG_R_SPF_FAIL,
     "no include:amazonses.com in",
     NULL},
    {"the include's own record is in trouble",
     {R(SEND, "v=spf1 include:amazonses.com -all"), TEMPFAIL("amazonses.com")},
     NULL,
     "amazonses.com",
     AG_CHECK_TEMPERROR,
     AG_R_DNS_TEMPERROR,
     "temperror for " AG_SPFCHECK_PROBE ": ",
     NULL},
    {"include required, no SPF record",
     {R("other.example.com", "v=spf1 -all")},
     NULL,
     "amazonses.com",
     AG_CHECK_FAIL,
     AG_R_SPF_MISSING,
     "no SPF record at " SEND,
     NULL},
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* test_scenario - one row of the table (the test's initial state) */
static void test_scenario(void **state)
{
	fixture_t *f = *state;
	const scenario_t *s = f->t.scenario;
	ag_check_result_t r;

	load(f, s->rrs);
	set_lists(f, s->addresses, s->includes);
	evaluate(f, &r);
	expect(&r, s->state, s->reason, s->detail);
	if (s->also != NULL && strstr(r.detail, s->also) == NULL)
		fail_msg("detail \"%s\" lacks \"%s\"", r.detail, s->also);
}

static void test_plan(void **state)
{
	fixture_t *f = *state;
	ag_dstate_subject_t full = subject(f);
	ag_dstate_subject_t bare = {&f->t.entry, NULL, NULL, NULL};
	ag_dstate_req_t reqs[2], again;

	/* nothing to hold the record against: no check */
	assert_int_equal(ag_spfcheck_kind.plan(&full, reqs, 2), 0);
	assert_int_equal(ag_spfcheck_kind.plan(&bare, reqs, 2), 0);
	set_lists(f, "192.0.2.10 2001:db8::1", NULL);
	assert_int_equal(ag_spfcheck_kind.plan(&bare, reqs, 2), 0);
	assert_int_equal(ag_spfcheck_kind.plan(&full, reqs, 0), 0);
	assert_int_equal(ag_spfcheck_kind.kind, AG_CHECK_SPF);
	/* the addresses are the parameters */
	assert_int_equal(ag_spfcheck_kind.plan(&full, reqs, 2), 1);
	assert_int_equal(reqs[0].params_len, 25);
	assert_memory_equal(reqs[0].params, "a192.0.2.10\0a2001:db8::1", 25);
	/* an include alone is enough, and is a parameter too */
	set_lists(f, NULL, "amazonses.com");
	assert_int_equal(ag_spfcheck_kind.plan(&bare, reqs, 2), 1);
	assert_int_equal(reqs[0].params_len, 15);
	assert_memory_equal(reqs[0].params, "iamazonses.com", 15);
	/* planning again gives the same identity */
	again = reqs[0];
	assert_int_equal(ag_spfcheck_kind.plan(&bare, reqs, 2), 1);
	assert_int_equal(reqs[0].params_len, again.params_len);
	assert_memory_equal(reqs[0].params, again.buf, again.params_len);
	/* no send domain: no check */
	f->t.entry.send_domain = NULL;
	assert_int_equal(ag_spfcheck_kind.plan(&full, reqs, 2), 0);
}

static void test_list_too_long(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;
	char list[4096] = "";

	for (int i = 0; i < 40; i++) {
		char addr[64];
		snprintf(addr, sizeof(addr),
		         "2001:db8:1234:5678:9abc:def0:1:%x ", i);
		strcat(list, addr);
	}
	load(f, (rr_t[]){R(SEND, "v=spf1 +all"), NONE});
	set_lists(f, list, NULL);
	assert_int_equal(f->config.outbound_addresses.count, 40);
	evaluate(f, &r);
	expect(&r, AG_CHECK_FAIL, AG_R_SPF_PERMERROR,
	       "OutboundAddresses and spf-include= too long to check");
	assert_int_equal(ag_dnsmem_queries(f->t.mem, NULL, 0), 0);
}

static void test_ttl_is_the_smallest(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	load(f, (rr_t[]){{SEND, "v=spf1 include:_spf.example.com -all", 900, 0},
	                 {"_spf.example.com",
	                  "v=spf1 ip4:192.0.2.10 include:amazonses.com -all",
	                  120, 0},
	                 {"amazonses.com", "v=spf1 -all", 3600, 0},
	                 NONE});
	set_lists(f, "192.0.2.10", "amazonses.com");
	evaluate(f, &r);
	expect(&r, AG_CHECK_PASS, AG_R_COUNT,
	       "pass: 192.0.2.10, include:amazonses.com");
	assert_int_equal(r.ttl, 120);
	/* a negative answer counts with its own TTL */
	ag_dnsmem_set_negative_ttl(f->t.mem, 60);
	f->t.entry.send_domain = "missing.example.com";
	evaluate(f, &r);
	expect(&r, AG_CHECK_FAIL, AG_R_SPF_MISSING,
	       "no SPF record at missing.example.com");
	assert_int_equal(r.ttl, 60);
}

/* The check through the service: a configuration change is a new check. */
static void test_through_the_service(void **state)
{
	fixture_t *f = *state;
	ag_dstate_subject_t s = subject(f);
	ag_dstate_t *ds = kindtest_service(&f->t, &ag_spfcheck_kind);
	ag_dns_facts_t facts;
	ag_dstate_stats_t st;

	load(f, (rr_t[]){R(SEND, "v=spf1 ip4:192.0.2.10 -all"), NONE});
	set_lists(f, "192.0.2.10", NULL);
	assert_int_equal(kindtest_collect(ds, &s, &facts), 1);
	assert_int_equal(facts.checks[0].kind, AG_CHECK_SPF);
	assert_string_equal(facts.checks[0].name, "spf:" SEND);
	assert_int_equal(facts.checks[0].state, AG_CHECK_PASS);
	assert_string_equal(facts.checks[0].detail, "pass: 192.0.2.10");
	/* the same again: no DNS */
	ag_dnsmem_reset_counts(f->t.mem);
	assert_int_equal(kindtest_collect(ds, &s, &facts), 1);
	assert_int_equal(ag_dnsmem_queries(f->t.mem, NULL, 0), 0);
	/* another address: another check, and it fails */
	set_lists(f, "192.0.2.10 192.0.2.11", NULL);
	assert_int_equal(kindtest_collect(ds, &s, &facts), 1);
	assert_int_equal(facts.checks[0].state, AG_CHECK_FAIL);
	assert_int_equal(facts.checks[0].reason, AG_R_SPF_FAIL);
	assert_non_null(strstr(facts.checks[0].detail, "192.0.2.11"));
	ag_dstate_stats(ds, &st);
	assert_int_equal(st.checks, 2);
	assert_int_equal(st.evaluations, 2);
	ag_dstate_destroy(ds);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, kindtest_teardown)

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    T(test_plan),
	    T(test_list_too_long),
	    T(test_ttl_is_the_smallest),
	    T(test_through_the_service),
	};

	return kindtest_run("spfcheck", scenarios, NSCENARIOS,
	                    sizeof(scenarios[0]), test_scenario, setup,
	                    kindtest_teardown, fixed,
	                    sizeof(fixed) / sizeof(fixed[0]));
}
