/*
 * test_dstatekind.c - what the kinds of the domain-state service share
 * (results, parameter lists, the TTL watch, list details), and every kind
 * on one service: DKIM, SPF, MX and DMARC.
 */
#include "kindtest.h"

#include <stdio.h>
#include <string.h>

#include "dkimcheck.h"
#include "dmarccheck.h"
#include "dstatekind.h"
#include "mxcheck.h"
#include "spfcheck.h"

static int setup(void **state)
{
	return kindtest_setup(state, sizeof(kindtest_t));
}

/* Items go in with their NUL and come back in order. */
static void test_params_round_trip(void **state)
{
	static ag_dstate_req_t req;
	char other[4] = "old";
	const char *item;
	size_t pos = 0;

	(void)state;
	req.params = other; /* a stale pointer is not appended to */
	req.params_len = 4;
	assert_int_equal(ag_dstatekind_param_add(&req, "one"), 0);
	assert_int_equal(ag_dstatekind_param_add(&req, ""), 0);
	assert_int_equal(ag_dstatekind_param_add(&req, "three"), 0);
	assert_ptr_equal(req.params, req.buf);
	assert_int_equal(req.params_len, 11);
	assert_memory_equal(req.params, "one\0\0three", 11);
	item = ag_dstatekind_param_next(req.params, req.params_len, &pos);
	assert_string_equal(item, "one");
	item = ag_dstatekind_param_next(req.params, req.params_len, &pos);
	assert_string_equal(item, "");
	item = ag_dstatekind_param_next(req.params, req.params_len, &pos);
	assert_string_equal(item, "three");
	assert_null(ag_dstatekind_param_next(req.params, req.params_len, &pos));
	pos = 0;
	assert_null(ag_dstatekind_param_next(NULL, 0, &pos));
	/* an item without its NUL is not read past the end */
	pos = 0;
	assert_null(ag_dstatekind_param_next("abc", 3, &pos));
}

/* A full buffer refuses the item and keeps what it had. */
static void test_params_full(void **state)
{
	static ag_dstate_req_t req;
	char item[200];
	size_t n = 0;

	(void)state;
	memset(item, 'x', sizeof(item) - 1);
	item[sizeof(item) - 1] = '\0';
	req.params = NULL;
	req.params_len = 0;
	while (ag_dstatekind_param_add(&req, item) == 0)
		n++;
	assert_int_equal(n, AG_DSTATE_PARAMS_MAX / sizeof(item));
	assert_int_equal(req.params_len, n * sizeof(item));
	item[AG_DSTATE_PARAMS_MAX - req.params_len - 1] = '\0';
	assert_int_equal(ag_dstatekind_param_add(&req, item), 0);
	assert_int_equal(req.params_len, AG_DSTATE_PARAMS_MAX);
	assert_int_equal(ag_dstatekind_param_add(&req, ""), -1);
}

/* Lists in details: commas between, a cut marked. */
static void test_join(void **state)
{
	char buf[16] = "";

	(void)state;
	ag_dstatekind_join(buf, sizeof(buf), "a");
	ag_dstatekind_join(buf, sizeof(buf), "bb");
	assert_string_equal(buf, "a, bb");
	ag_dstatekind_join(buf, sizeof(buf), "0123456789");
	assert_string_equal(buf, "a, bb, 01234...");
	ag_dstatekind_join(buf, sizeof(buf), "more");
	assert_string_equal(buf, "a, bb, 01234...");
}

/* The watch passes queries on and keeps the smallest TTL. */
static void test_ttl_watch(void **state)
{
	kindtest_t *t = *state;
	ag_dstatekind_ttl_t watch;
	ag_dns_answer_t *a;
	ag_check_result_t r;

	assert_int_equal(
	    ag_dnsmem_add(t->mem, "a.example", AG_DNS_TXT, 500, "x", 1, 0), 0);
	assert_int_equal(
	    ag_dnsmem_add(t->mem, "b.example", AG_DNS_TXT, 200, "y", 1, 0), 0);
	assert_int_equal(ag_dnsmem_set_status(t->mem, "c.example", AG_DNS_TXT,
	                                      AG_DNS_TEMPFAIL),
	                 0);
	ag_dstatekind_ttl_init(&watch, ag_dnsmem_resolver(t->mem));
	a = ag_resolver_query(&watch.base, "a.example", AG_DNS_TXT, 1000);
	assert_non_null(a);
	assert_string_equal(a->rrs[0].data, "x");
	ag_dns_answer_free(a);
	assert_int_equal(watch.ttl, 500);
	ag_dns_answer_free(
	    ag_resolver_query(&watch.base, "b.example", AG_DNS_TXT, 1000));
	ag_dns_answer_free(
	    ag_resolver_query(&watch.base, "c.example", AG_DNS_TXT, 1000));
	ag_dns_answer_free(
	    ag_resolver_query(&watch.base, "a.example", AG_DNS_TXT, 1000));
	assert_int_equal(watch.ttl, 200);
	assert_int_equal(watch.seen, 3);
	assert_int_equal(ag_dnsmem_queries(t->mem, NULL, 0), 4);
	ag_dstatekind_set(&r, AG_CHECK_FAIL, AG_R_MX_MISSING, "%s=%d", "n", 4);
	assert_int_equal(r.state, AG_CHECK_FAIL);
	assert_int_equal(r.reason, AG_R_MX_MISSING);
	assert_string_equal(r.detail, "n=4");
}

/* load_zone - the records every kind reads */
static void load_zone(ag_dnsmem_t *mem)
{
	static const char *txt[][2] = {
	    {"s0._domainkey.example.com",
	     "v=DKIM1; k=ed25519; "
	     "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="},
	    {KINDTEST_SEND, "v=spf1 ip4:192.0.2.10 -all"},
	    {"_dmarc.example.com", "v=DMARC1; p=quarantine"},
	};

	for (size_t i = 0; i < 3; i++)
		assert_int_equal(
		    ag_dnsmem_add_text(mem, txt[i][0], AG_DNS_TXT, txt[i][1]),
		    0);
	assert_int_equal(ag_dnsmem_add(mem, KINDTEST_SEND, AG_DNS_MX, 300,
	                               "mx.example.com", 14, 10),
	                 0);
}

/* collect_kinds - the facts of a service holding these kinds */
static size_t collect_kinds(kindtest_t *t, const ag_dstate_kind_t *const *kinds,
                            ag_dns_facts_t *facts)
{
	static char *addrs[] = {"192.0.2.10"};
	ag_config_t config;
	ag_dstate_subject_t subject = {&t->entry, NULL, &config, NULL};
	ag_dstate_t *ds = kindtest_service(t, kinds[0]);
	size_t n;

	memset(&config, 0, sizeof(config));
	config.outbound_addresses.items = addrs;
	config.outbound_addresses.count = 1;
	for (size_t i = 1; i < 4; i++)
		assert_int_equal(ag_dstate_register(ds, kinds[i]), 0);
	n = kindtest_collect(ds, &subject, facts);
	ag_dstate_destroy(ds);
	return n;
}

/* expect_fact - kind, name and state of the i-th fact */
static void expect_fact(const ag_dns_facts_t *facts, size_t i,
                        ag_check_kind_t kind, const char *name)
{
	assert_true(i < facts->count);
	assert_int_equal(facts->checks[i].kind, kind);
	assert_string_equal(facts->checks[i].name, name);
	if (facts->checks[i].state != AG_CHECK_PASS)
		fail_msg("%s: %s", name, facts->checks[i].detail);
}

/* Every kind on one service: facts come in the order kinds were added. */
static void test_all_kinds(void **state)
{
	static const ag_dstate_kind_t *const in_order[] = {
	    &ag_dkimcheck_kind, &ag_spfcheck_kind, &ag_mxcheck_kind,
	    &ag_dmarccheck_kind};
	static const ag_dstate_kind_t *const reversed[] = {
	    &ag_dmarccheck_kind, &ag_mxcheck_kind, &ag_spfcheck_kind,
	    &ag_dkimcheck_kind};
	static char *selectors[] = {"s0"};
	kindtest_t *t = *state;
	ag_dns_facts_t facts;

	load_zone(t->mem);
	t->entry.selectors.items = selectors;
	t->entry.selectors.count = 1;
	assert_int_equal(collect_kinds(t, in_order, &facts), 4);
	expect_fact(&facts, 0, AG_CHECK_DKIM_KEY, "dkim:s0");
	expect_fact(&facts, 1, AG_CHECK_SPF, "spf:" KINDTEST_SEND);
	expect_fact(&facts, 2, AG_CHECK_MX, "mx:" KINDTEST_SEND);
	expect_fact(&facts, 3, AG_CHECK_DMARC, "dmarc:example.com");
	assert_string_equal(facts.checks[3].dmarc.policy, "quarantine");
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(facts.checks[i].dmarc.found, 0);
	assert_int_equal(collect_kinds(t, reversed, &facts), 4);
	expect_fact(&facts, 0, AG_CHECK_DMARC, "dmarc:example.com");
	expect_fact(&facts, 1, AG_CHECK_MX, "mx:" KINDTEST_SEND);
	expect_fact(&facts, 2, AG_CHECK_SPF, "spf:" KINDTEST_SEND);
	expect_fact(&facts, 3, AG_CHECK_DKIM_KEY, "dkim:s0");
	/* without a send domain: DKIM and DMARC only */
	t->entry.send_domain = NULL;
	assert_int_equal(collect_kinds(t, in_order, &facts), 2);
	expect_fact(&facts, 0, AG_CHECK_DKIM_KEY, "dkim:s0");
	expect_fact(&facts, 1, AG_CHECK_DMARC, "dmarc:example.com");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, kindtest_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params_round_trip),
	    cmocka_unit_test(test_params_full),
	    cmocka_unit_test(test_join),
	    T(test_ttl_watch),
	    T(test_all_kinds),
	};

	return cmocka_run_group_tests_name("dstatekind", tests, NULL, NULL);
}
