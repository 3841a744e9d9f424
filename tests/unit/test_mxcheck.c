/*
 * test_mxcheck.c - the send domain's MX check over the in-memory zone:
 * planning, no name, no MX, null MX, mx= match and mismatch, DNS trouble,
 * the TTL, and the check through the domain-state service.
 */
#include "kindtest.h"

#include <stdio.h>
#include <string.h>

#include "mxcheck.h"

#define SEND      KINDTEST_SEND
#define MAX_RR    4
#define MAX_HOSTS 8

/* A record of a scenario: MX unless type says otherwise. */
typedef struct rr {
	const char *name;
	int type; /* 0: MX */
	unsigned pref;
	const char *data;
	uint32_t ttl; /* 0: 3600 */
	int tempfail; /* the name answers TEMPFAIL instead */
} rr_t;

typedef struct scenario {
	const char *what;
	rr_t rrs[MAX_RR];
	const char *hosts; /* mx=, space-separated; NULL: none */
	ag_check_state_t state;
	const char *detail; /* expected, whole */
} scenario_t;

typedef struct fixture {
	kindtest_t t; /* first */
	char *host_items[MAX_HOSTS];
	char host_text[512];
} fixture_t;

static int setup(void **state)
{
	return kindtest_setup(state, sizeof(fixture_t));
}

/* set_hosts - the entry's mx= hosts, space-separated */
static void set_hosts(fixture_t *f, const char *hosts)
{
	kindtest_list(&f->t.entry.mx_hosts, f->host_items, MAX_HOSTS,
	              f->host_text, sizeof(f->host_text), hosts);
}

/* load - a scenario's records into the zone */
static void load(fixture_t *f, const rr_t *rrs)
{
	for (size_t i = 0; i < MAX_RR && rrs[i].name != NULL; i++) {
		const rr_t *rr = &rrs[i];
		if (rr->tempfail)
			assert_int_equal(
			    ag_dnsmem_set_status(f->t.mem, rr->name, AG_DNS_MX,
			                         AG_DNS_TEMPFAIL),
			    0);
		else
			assert_int_equal(
			    ag_dnsmem_add(f->t.mem, rr->name,
			                  rr->type ? rr->type : AG_DNS_MX,
			                  rr->ttl ? rr->ttl : 3600, rr->data,
			                  strlen(rr->data), (uint16_t)rr->pref),
			    0);
	}
}

/* evaluate - plan the one check and evaluate it as the service would */
static void evaluate(fixture_t *f, ag_check_result_t *result)
{
	ag_dstate_subject_t subject = {&f->t.entry, NULL, NULL, NULL};
	char name[300];

	snprintf(name, sizeof(name), "mx:%s", f->t.entry.send_domain);
	kindtest_evaluate(&f->t, &ag_mxcheck_kind, &subject, name,
	                  f->t.entry.send_domain, result);
}

/* clang-format off */
#define MX(p, host) {SEND, 0, p, host, 0, 0}
#define NONE        {NULL, 0, 0, NULL, 0, 0}
/* clang-format on */
#define PASS      AG_CHECK_PASS
#define FAIL      AG_CHECK_FAIL
#define TEMPERROR AG_CHECK_TEMPERROR

static const scenario_t scenarios[] = {
    {"one MX", {MX(10, "mx.example.com")}, NULL, PASS, "MX 10 mx.example.com"},
    {"two MX",
     {MX(10, "mx1.example.com"), MX(20, "mx2.example.com")},
     NULL,
     PASS,
     "MX 10 mx1.example.com, 20 mx2.example.com"},
    {"no such name",
     {{"other.example.com", 0, 10, "mx.example.com", 0, 0}},
     NULL,
     FAIL,
     SEND ": no such name"},
    {"the name has no MX",
     {{SEND, AG_DNS_TXT, 0, "v=spf1 -all", 0, 0}},
     NULL,
     FAIL,
     SEND " has no MX record"},
    {"an empty non-terminal",
     {{"x." SEND, 0, 10, "mx.example.com", 0, 0}},
     NULL,
     FAIL,
     SEND " has no MX record"},
    {"null MX",
     {MX(0, ".")},
     NULL,
     FAIL,
     "null MX (RFC 7505): " SEND " accepts no mail"},
    {"null MX with mx= given",
     {MX(0, ".")},
     "mx.example.com",
     FAIL,
     "null MX (RFC 7505): " SEND " accepts no mail"},
    {"a null MX beside a real one",
     {MX(0, "."), MX(10, "mx.example.com")},
     NULL,
     PASS,
     "MX 10 mx.example.com"},
    {"mx= matches one of two",
     {MX(10, "mx1.example.com"), MX(20, "inbound.relay.example")},
     "inbound.relay.example",
     PASS,
     "MX 10 mx1.example.com, 20 inbound.relay.example"},
    {"mx= matches in another case, with a dot",
     {MX(10, "Inbound.Relay.Example.")},
     "inbound.relay.example",
     PASS,
     "MX 10 Inbound.Relay.Example"},
    {"mx= lists two, the second is there",
     {MX(10, "b.relay.example")},
     "a.relay.example b.relay.example",
     PASS,
     "MX 10 b.relay.example"},
    {"mx= mismatch",
     {MX(10, "mx1.example.com"), MX(20, "mx2.example.com")},
     "inbound.relay.example other.relay.example",
     FAIL,
     "MX 10 mx1.example.com, 20 mx2.example.com; none is "
     "mx=inbound.relay.example, other.relay.example"},
    {"mx= is no suffix match",
     {MX(10, "xinbound.relay.example")},
     "inbound.relay.example",
     FAIL,
     "MX 10 xinbound.relay.example; none is mx=inbound.relay.example"},
    {"DNS trouble",
     {{SEND, 0, 0, NULL, 0, 1}},
     NULL,
     TEMPERROR,
     "DNS: timeout"},
};

#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

/* test_scenario - one row of the table (the test's initial state) */
static void test_scenario(void **state)
{
	fixture_t *f = *state;
	const scenario_t *s = f->t.scenario;
	ag_check_result_t r;

	load(f, s->rrs);
	set_hosts(f, s->hosts);
	evaluate(f, &r);
	assert_string_equal(r.detail, s->detail);
	assert_string_equal(ag_check_state_name(r.state),
	                    ag_check_state_name(s->state));
	if (s->state == AG_CHECK_FAIL)
		assert_string_equal(ag_reason_name(r.reason), "mx.missing");
	else if (s->state == AG_CHECK_PASS)
		assert_int_equal(r.reason, AG_R_COUNT);
	assert_int_equal(ag_dnsmem_queries(f->t.mem, SEND, AG_DNS_MX), 1);
	assert_int_equal(ag_dnsmem_queries(f->t.mem, NULL, 0), 1);
}

static void test_plan(void **state)
{
	fixture_t *f = *state;
	ag_dstate_subject_t subject = {&f->t.entry, NULL, NULL, NULL};
	ag_dstate_req_t reqs[2];

	assert_int_equal(ag_mxcheck_kind.kind, AG_CHECK_MX);
	assert_int_equal(ag_mxcheck_kind.plan(&subject, reqs, 0), 0);
	assert_int_equal(ag_mxcheck_kind.plan(&subject, reqs, 2), 1);
	assert_int_equal(reqs[0].params_len, 0);
	set_hosts(f, "a.relay.example b.relay.example");
	assert_int_equal(ag_mxcheck_kind.plan(&subject, reqs, 2), 1);
	assert_int_equal(reqs[0].params_len, 32);
	assert_memory_equal(reqs[0].params, "a.relay.example\0b.relay.example",
	                    32);
	f->t.entry.send_domain = NULL;
	assert_int_equal(ag_mxcheck_kind.plan(&subject, reqs, 2), 0);
}

static void test_ttl(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	load(f, (rr_t[]){{SEND, 0, 10, "mx.example.com", 120, 0}, NONE});
	evaluate(f, &r);
	assert_int_equal(r.state, AG_CHECK_PASS);
	assert_int_equal(r.ttl, 120);
	f->t.entry.send_domain = "gone.example.com";
	ag_dnsmem_set_negative_ttl(f->t.mem, 42);
	evaluate(f, &r);
	assert_int_equal(r.state, AG_CHECK_FAIL);
	assert_int_equal(r.ttl, 42);
}

static void test_list_too_long(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;
	char host[250];
	char *items[MAX_HOSTS];

	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	for (size_t i = 0; i < MAX_HOSTS; i++)
		items[i] = host;
	f->t.entry.mx_hosts.items = items;
	f->t.entry.mx_hosts.count = MAX_HOSTS;
	load(f, (rr_t[]){MX(10, "mx.example.com"), NONE});
	evaluate(f, &r);
	assert_int_equal(r.state, AG_CHECK_FAIL);
	assert_int_equal(r.reason, AG_R_MX_MISSING);
	assert_string_equal(r.detail, "mx= too long to check (over 1024 "
	                              "octets)");
	assert_int_equal(ag_dnsmem_queries(f->t.mem, NULL, 0), 0);
}

/* The check through the service: mx= is part of the identity. */
static void test_through_the_service(void **state)
{
	fixture_t *f = *state;
	ag_dstate_subject_t subject = {&f->t.entry, NULL, NULL, NULL};
	ag_dstate_t *ds = kindtest_service(&f->t, &ag_mxcheck_kind);
	ag_dns_facts_t facts;

	load(f, (rr_t[]){MX(10, "mx.example.com"), NONE});
	assert_int_equal(kindtest_collect(ds, &subject, &facts), 1);
	assert_int_equal(facts.checks[0].kind, AG_CHECK_MX);
	assert_string_equal(facts.checks[0].name, "mx:" SEND);
	assert_int_equal(facts.checks[0].state, AG_CHECK_PASS);
	assert_int_equal(facts.checks[0].dmarc.found, 0);
	set_hosts(f, "inbound.relay.example");
	assert_int_equal(kindtest_collect(ds, &subject, &facts), 1);
	assert_int_equal(facts.checks[0].state, AG_CHECK_FAIL);
	assert_int_equal(facts.checks[0].reason, AG_R_MX_MISSING);
	assert_int_equal(ag_dnsmem_queries(f->t.mem, NULL, 0), 2);
	f->t.entry.send_domain = NULL;
	assert_int_equal(kindtest_collect(ds, &subject, &facts), 0);
	ag_dstate_destroy(ds);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, kindtest_teardown)

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    T(test_plan),
	    T(test_ttl),
	    T(test_list_too_long),
	    T(test_through_the_service),
	};

	return kindtest_run("mxcheck", scenarios, NSCENARIOS,
	                    sizeof(scenarios[0]), test_scenario, setup,
	                    kindtest_teardown, fixed,
	                    sizeof(fixed) / sizeof(fixed[0]));
}
