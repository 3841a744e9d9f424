/*
 * test_dnscache.c - the answer cache: copies in and out, keys folded for
 * case, TTL expiry and ageing on the caller's clock, replacement, LRU
 * eviction at the bound, a cache of size 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dnscache.h"

#define T_NOW 5000000u

/* t_answer - an OK answer with one TXT record of the given text */
static ag_dns_answer_t *t_answer(const char *text, uint32_t ttl)
{
	ag_dns_answer_t *a = ag_dns_answer_new(AG_DNS_OK);

	assert_non_null(a);
	assert_int_equal(
	    ag_dns_answer_add(a, AG_DNS_TXT, ttl, 0, text, strlen(text)), 0);
	a->ttl = ttl;
	return a;
}

/* t_put - store a TXT answer for ttl seconds */
static void t_put(ag_dnscache_t *c, const char *name, const char *text,
                  uint32_t ttl, uint64_t now)
{
	ag_dns_answer_t *a = t_answer(text, ttl);

	assert_int_equal(ag_dnscache_put(c, name, AG_DNS_TXT, a, ttl, now), 0);
	ag_dns_answer_free(a);
}

/* t_get - the text cached for name, or NULL */
static const char *t_get(ag_dnscache_t *c, const char *name, uint64_t now)
{
	static char text[256];
	ag_dns_answer_t *a;
	int rc = ag_dnscache_get(c, name, AG_DNS_TXT, now, &a);

	assert_true(rc == 0 || rc == 1);
	if (rc == 0) {
		assert_null(a);
		return NULL;
	}
	snprintf(text, sizeof(text), "%s", a->rrs[0].data);
	ag_dns_answer_free(a);
	return text;
}

static void test_copies_in_and_out(void **state)
{
	ag_dnscache_t *c = ag_dnscache_create(10);
	ag_dns_answer_t *a = t_answer("v=DKIM1; p=abc", 300), *out;

	assert_int_equal(ag_dnscache_put(c, "s1._domainkey.example.com",
	                                 AG_DNS_TXT, a, 300, T_NOW),
	                 0);
	a->rrs[0].data[0] = 'X'; /* the cache holds its own copy */
	ag_dns_answer_free(a);
	assert_int_equal(ag_dnscache_get(c, "S1._DomainKey.Example.COM",
	                                 AG_DNS_TXT, T_NOW, &out),
	                 1);
	assert_string_equal(out->rrs[0].data, "v=DKIM1; p=abc");
	out->rrs[0].data[0] = 'Y';
	ag_dns_answer_free(out);
	assert_string_equal(t_get(c, "s1._domainkey.example.com", T_NOW),
	                    "v=DKIM1; p=abc");
	assert_int_equal(ag_dnscache_get(c, "s1._domainkey.example.com",
	                                 AG_DNS_A, T_NOW, &out),
	                 0);
	assert_null(t_get(c, "s2._domainkey.example.com", T_NOW));
	assert_int_equal(ag_dnscache_count(c), 1);
	assert_null(ag_dnscache_destroy(c));
	assert_null(ag_dnscache_destroy(NULL));
}

static void test_expiry_and_ageing(void **state)
{
	ag_dnscache_t *c = ag_dnscache_create(10);
	ag_dns_answer_t *a = t_answer("long", 3600), *out;

	assert_int_equal(ag_dns_answer_add(a, AG_DNS_TXT, 100, 0, "short", 5),
	                 0);
	a->ttl = 100;
	assert_int_equal(
	    ag_dnscache_put(c, "x.test", AG_DNS_TXT, a, 100, T_NOW), 0);
	ag_dns_answer_free(a);
	assert_int_equal(
	    ag_dnscache_get(c, "x.test", AG_DNS_TXT, T_NOW + 40 * 1000, &out),
	    1);
	assert_int_equal(out->ttl, 60);
	assert_int_equal(out->rrs[0].ttl, 60);
	assert_int_equal(out->rrs[1].ttl, 60);
	ag_dns_answer_free(out);
	assert_int_equal(ag_dnscache_get(c, "x.test", AG_DNS_TXT,
	                                 T_NOW + 99 * 1000 + 1, &out),
	                 1);
	assert_int_equal(out->ttl, 1); /* rounded up, never 0 while live */
	ag_dns_answer_free(out);
	assert_null(t_get(c, "x.test", T_NOW + 100 * 1000));
	assert_int_equal(ag_dnscache_count(c), 0); /* expired: dropped */
	ag_dnscache_destroy(c);
}

static void test_negative_answers_keep_status(void **state)
{
	ag_dnscache_t *c = ag_dnscache_create(10);
	ag_dns_answer_t *a = ag_dns_answer_new(AG_DNS_NXDOMAIN), *out;

	a->ttl = 600;
	assert_int_equal(
	    ag_dnscache_put(c, "nx.test", AG_DNS_MX, a, 600, T_NOW), 0);
	a->status = AG_DNS_TEMPFAIL;
	a->error = "servfail";
	assert_int_equal(ag_dnscache_put(c, "sf.test", AG_DNS_MX, a, 5, T_NOW),
	                 0);
	ag_dns_answer_free(a);
	assert_int_equal(ag_dnscache_get(c, "nx.test", AG_DNS_MX, T_NOW, &out),
	                 1);
	assert_int_equal(out->status, AG_DNS_NXDOMAIN);
	assert_int_equal(out->count, 0);
	ag_dns_answer_free(out);
	assert_int_equal(ag_dnscache_get(c, "sf.test", AG_DNS_MX, T_NOW, &out),
	                 1);
	assert_string_equal(out->error, "servfail");
	ag_dns_answer_free(out);
	ag_dnscache_destroy(c);
}

static void test_put_replaces_and_ttl_zero_drops(void **state)
{
	ag_dnscache_t *c = ag_dnscache_create(10);

	t_put(c, "r.test", "old", 300, T_NOW);
	t_put(c, "R.TEST", "new", 300, T_NOW);
	assert_int_equal(ag_dnscache_count(c), 1);
	assert_string_equal(t_get(c, "r.test", T_NOW), "new");
	t_put(c, "r.test", "gone", 0, T_NOW);
	assert_int_equal(ag_dnscache_count(c), 0);
	assert_null(t_get(c, "r.test", T_NOW));
	ag_dnscache_destroy(c);
}

static void test_lru_eviction_order(void **state)
{
	static const struct {
		char op; /* p: put, g: get */
		const char *name;
		int present; /* for g: expected hit */
	} steps[] = {
	    {'p', "a", 0}, {'p', "b", 0}, {'p', "c", 0},
	    {'g', "a", 1}, /* a is now the newest */
	    {'p', "d", 0}, /* evicts b, the oldest */
	    {'g', "b", 0}, {'g', "c", 1}, {'g', "a", 1},
	    {'g', "d", 1}, {'p', "e", 0}, /* evicts c */
	    {'g', "c", 0}, {'g', "e", 1},
	};
	ag_dnscache_t *c = ag_dnscache_create(3);

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].op == 'p') {
			t_put(c, steps[i].name, steps[i].name, 60, T_NOW);
			assert_true(ag_dnscache_count(c) <= 3);
		} else if ((t_get(c, steps[i].name, T_NOW) != NULL) !=
		           steps[i].present) {
			fail_msg("step %zu: %s %s", i, steps[i].name,
			         steps[i].present ? "missing" : "present");
		}
	}
	ag_dnscache_destroy(c);
}

static void test_many_entries_stay_bounded(void **state)
{
	ag_dnscache_t *c = ag_dnscache_create(1000);
	char name[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "n%d.test", i);
		t_put(c, name, name, 60, T_NOW);
	}
	assert_int_equal(ag_dnscache_count(c), 1000);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "n%d.test", i);
		if ((t_get(c, name, T_NOW) != NULL) != (i >= 4000))
			fail_msg("%s", name);
	}
	ag_dnscache_destroy(c);
}

static void test_size_zero_stores_nothing(void **state)
{
	ag_dnscache_t *c = ag_dnscache_create(0);

	t_put(c, "z.test", "z", 60, T_NOW);
	assert_int_equal(ag_dnscache_count(c), 0);
	assert_null(t_get(c, "z.test", T_NOW));
	ag_dnscache_destroy(c);
}

static void test_hash_folds_case_and_keeps_type(void **state)
{
	assert_int_equal(ag_dnscache_hash("Example.COM", AG_DNS_TXT),
	                 ag_dnscache_hash("example.com", AG_DNS_TXT));
	assert_int_not_equal(ag_dnscache_hash("example.com", AG_DNS_TXT),
	                     ag_dnscache_hash("example.com", AG_DNS_MX));
	assert_int_not_equal(ag_dnscache_hash("example.com", AG_DNS_A),
	                     ag_dnscache_hash("example.org", AG_DNS_A));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_copies_in_and_out),
	    cmocka_unit_test(test_expiry_and_ageing),
	    cmocka_unit_test(test_negative_answers_keep_status),
	    cmocka_unit_test(test_put_replaces_and_ttl_zero_drops),
	    cmocka_unit_test(test_lru_eviction_order),
	    cmocka_unit_test(test_many_entries_stay_bounded),
	    cmocka_unit_test(test_size_zero_stores_nothing),
	    cmocka_unit_test(test_hash_folds_case_and_keeps_type),
	};
	return cmocka_run_group_tests_name("dnscache", tests, NULL, NULL);
}
