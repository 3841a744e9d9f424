/*
 * test_dnsmem.c - the in-memory zone: answers, statuses, CNAMEs, counters,
 * forced failures, latency and concurrent use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "dnsmem.h"

typedef struct fixture {
	ag_dnsmem_t *mem;
	ag_resolver_t *resolver;
} fixture_t;

static int setup(void **state)
{
	static fixture_t f;

	f.mem = ag_dnsmem_create();
	assert_non_null(f.mem);
	f.resolver = ag_dnsmem_resolver(f.mem);
	assert_int_equal(
	    ag_dnsmem_add_text(f.mem, "Example.COM.", AG_DNS_A, "192.0.2.1"),
	    0);
	assert_int_equal(ag_dnsmem_add(f.mem, "example.com", AG_DNS_A, 60,
	                               "\xc0\x00\x02\x02", 4, 0),
	                 0);
	assert_int_equal(ag_dnsmem_add_text(f.mem, "example.com", AG_DNS_AAAA,
	                                    "2001:db8::1"),
	                 0);
	assert_int_equal(
	    ag_dnsmem_add_text(f.mem, "example.com", AG_DNS_TXT, "v=spf1 -all"),
	    0);
	assert_int_equal(ag_dnsmem_add(f.mem, "example.com", AG_DNS_MX, 300,
	                               "mx.Example.com.", 15, 10),
	                 0);
	assert_int_equal(ag_dnsmem_add_text(f.mem, "a.b.deep.example.org",
	                                    AG_DNS_A, "192.0.2.9"),
	                 0);
	assert_int_equal(ag_dnsmem_add_text(f.mem, "www.example.com",
	                                    AG_DNS_CNAME, "example.com."),
	                 0);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;

	assert_null(ag_resolver_destroy(f->resolver));
	return 0;
}

/* query - one lookup through the resolver interface */
static ag_dns_answer_t *query(fixture_t *f, const char *name, int type)
{
	ag_dns_answer_t *answer =
	    ag_resolver_query(f->resolver, name, type, 1000);
	assert_non_null(answer);
	return answer;
}

static void test_records_and_ttl(void **state)
{
	fixture_t *f = *state;
	ag_dns_answer_t *a = query(f, "EXAMPLE.com", AG_DNS_A);

	assert_int_equal(a->status, AG_DNS_OK);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->ttl, 60);
	assert_int_equal(a->rrs[0].len, 4);
	assert_memory_equal(a->rrs[0].data, "\xc0\x00\x02\x01", 4);
	assert_memory_equal(a->rrs[1].data, "\xc0\x00\x02\x02", 4);
	ag_dns_answer_free(a);

	a = query(f, "example.com.", AG_DNS_MX);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rrs[0].data, "mx.Example.com");
	assert_int_equal(a->rrs[0].preference, 10);
	ag_dns_answer_free(a);

	a = query(f, "example.com", AG_DNS_TXT);
	assert_string_equal(a->rrs[0].data, "v=spf1 -all");
	assert_int_equal(a->rrs[0].len, 11);
	ag_dns_answer_free(a);
}

static void test_nxdomain_nodata(void **state)
{
	fixture_t *f = *state;
	static const struct {
		const char *name;
		int type;
		ag_dns_status_t status;
	} cases[] = {
	    {"nowhere.example.com", AG_DNS_A, AG_DNS_NXDOMAIN},
	    {"example.com", AG_DNS_PTR, AG_DNS_NODATA},
	    {"deep.example.org", AG_DNS_A, AG_DNS_NODATA}, /* ENT */
	    {"b.deep.example.org", AG_DNS_TXT, AG_DNS_NODATA},
	    {"x.a.b.deep.example.org", AG_DNS_A, AG_DNS_NXDOMAIN},
	    {"eep.example.org", AG_DNS_A, AG_DNS_NXDOMAIN},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_dns_answer_t *a = query(f, cases[i].name, cases[i].type);
		assert_int_equal(a->status, cases[i].status);
		assert_int_equal(a->count, 0);
		assert_int_equal(a->ttl, 300);
		ag_dns_answer_free(a);
	}
	ag_dnsmem_set_negative_ttl(f->mem, 5);
	ag_dns_answer_t *a = query(f, "nowhere.example.com", AG_DNS_A);
	assert_int_equal(a->ttl, 5);
	ag_dns_answer_free(a);
	ag_dnsmem_set_negative_ttl(f->mem, 300);
}

static void test_cname_followed(void **state)
{
	fixture_t *f = *state;
	ag_dns_answer_t *a = query(f, "WWW.example.com", AG_DNS_AAAA);

	assert_int_equal(a->status, AG_DNS_OK);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->rrs[0].type, AG_DNS_AAAA);
	ag_dns_answer_free(a);

	a = query(f, "www.example.com", AG_DNS_CNAME);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rrs[0].data, "example.com");
	ag_dns_answer_free(a);

	a = query(f, "www.example.com", AG_DNS_PTR);
	assert_int_equal(a->status, AG_DNS_NODATA);
	ag_dns_answer_free(a);

	assert_int_equal(ag_dnsmem_add_text(f->mem, "dangling.example.com",
	                                    AG_DNS_CNAME, "gone.example.com"),
	                 0);
	a = query(f, "dangling.example.com", AG_DNS_A);
	assert_int_equal(a->status, AG_DNS_NXDOMAIN);
	ag_dns_answer_free(a);
}

static void test_cname_loop_is_tempfail(void **state)
{
	fixture_t *f = *state;

	assert_int_equal(ag_dnsmem_add_text(f->mem, "loop1.example.net",
	                                    AG_DNS_CNAME, "LOOP2.example.net."),
	                 0);
	assert_int_equal(ag_dnsmem_add_text(f->mem, "loop2.example.net",
	                                    AG_DNS_CNAME, "loop1.example.net"),
	                 0);
	assert_int_equal(ag_dnsmem_add_text(f->mem, "self.example.net",
	                                    AG_DNS_CNAME, "SELF.example.net."),
	                 0);
	const char *names[] = {"loop1.example.net", "self.example.net"};
	for (size_t i = 0; i < 2; i++) {
		ag_dns_answer_t *a = query(f, names[i], AG_DNS_A);
		assert_int_equal(a->status, AG_DNS_TEMPFAIL);
		assert_string_equal(a->error, "CNAME loop");
		ag_dns_answer_free(a);
	}
}

static void test_forced_status(void **state)
{
	fixture_t *f = *state;
	ag_dns_answer_t *a;

	assert_int_equal(ag_dnsmem_set_status(f->mem, "example.com", AG_DNS_TXT,
	                                      AG_DNS_TEMPFAIL),
	                 0);
	a = query(f, "example.com", AG_DNS_TXT);
	assert_int_equal(a->status, AG_DNS_TEMPFAIL);
	assert_string_equal(a->error, "timeout");
	assert_int_equal(a->count, 0);
	ag_dns_answer_free(a);
	a = query(f, "example.com", AG_DNS_A); /* other types unaffected */
	assert_int_equal(a->status, AG_DNS_OK);
	ag_dns_answer_free(a);

	assert_int_equal(
	    ag_dnsmem_set_status(f->mem, "example.com", AG_DNS_TXT, AG_DNS_OK),
	    0);
	a = query(f, "example.com", AG_DNS_TXT);
	assert_int_equal(a->status, AG_DNS_OK);
	ag_dns_answer_free(a);

	assert_int_equal(ag_dnsmem_set_status(f->mem, "timeout.example.com",
	                                      AG_DNSMEM_ANY, AG_DNS_TEMPFAIL),
	                 0);
	assert_int_equal(ag_dnsmem_set_status(f->mem, "timeout.example.com",
	                                      AG_DNS_MX, AG_DNS_NXDOMAIN),
	                 0);
	a = query(f, "timeout.example.com", AG_DNS_A);
	assert_int_equal(a->status, AG_DNS_TEMPFAIL);
	ag_dns_answer_free(a);
	a = query(f, "timeout.example.com", AG_DNS_MX);
	assert_int_equal(a->status, AG_DNS_NXDOMAIN);
	ag_dns_answer_free(a);
}

static void test_query_counters(void **state)
{
	fixture_t *f = *state;

	ag_dnsmem_reset_counts(f->mem);
	assert_int_equal(ag_dnsmem_queries(f->mem, NULL, AG_DNSMEM_ANY), 0);
	ag_dns_answer_free(query(f, "example.com", AG_DNS_A));
	ag_dns_answer_free(query(f, "EXAMPLE.com.", AG_DNS_A));
	ag_dns_answer_free(query(f, "example.com", AG_DNS_MX));
	ag_dns_answer_free(query(f, "www.example.com", AG_DNS_A));
	ag_dns_answer_free(query(f, "unknown.example", AG_DNS_TXT));

	assert_int_equal(ag_dnsmem_queries(f->mem, "example.com", AG_DNS_A), 2);
	assert_int_equal(
	    ag_dnsmem_queries(f->mem, "Example.Com", AG_DNSMEM_ANY), 3);
	assert_int_equal(ag_dnsmem_queries(f->mem, "www.example.com", AG_DNS_A),
	                 1);
	assert_int_equal(
	    ag_dnsmem_queries(f->mem, "unknown.example", AG_DNS_TXT), 1);
	assert_int_equal(
	    ag_dnsmem_queries(f->mem, "never.example", AG_DNSMEM_ANY), 0);
	assert_int_equal(ag_dnsmem_queries(f->mem, NULL, AG_DNS_A), 3);
	assert_int_equal(ag_dnsmem_queries(f->mem, NULL, AG_DNSMEM_ANY), 5);
	/* a name that was only queried still does not exist */
	ag_dns_answer_t *a = query(f, "unknown.example", AG_DNS_TXT);
	assert_int_equal(a->status, AG_DNS_NXDOMAIN);
	ag_dns_answer_free(a);
}

static void test_bad_arguments(void **state)
{
	fixture_t *f = *state;

	assert_int_equal(
	    ag_dnsmem_add(f->mem, "x.example", AG_DNS_A, 1, "abc", 3, 0), -1);
	assert_int_equal(
	    ag_dnsmem_add(f->mem, "x.example", AG_DNS_AAAA, 1, "abcd", 4, 0),
	    -1);
	assert_int_equal(
	    ag_dnsmem_add_text(f->mem, "x.example", AG_DNS_A, "192.0.2"), -1);
	assert_int_equal(ag_dnsmem_add(f->mem, "x.example", 0, 1, "", 0, 0),
	                 -1);
	ag_dns_answer_t *a = query(f, "x.example", AG_DNS_A);
	assert_int_equal(a->status, AG_DNS_NXDOMAIN);
	ag_dns_answer_free(a);
}

static void test_null_mx_and_empty_txt(void **state)
{
	fixture_t *f = *state;

	assert_int_equal(
	    ag_dnsmem_add(f->mem, "null.example", AG_DNS_MX, 1, ".", 1, 0), 0);
	assert_int_equal(
	    ag_dnsmem_add(f->mem, "null.example", AG_DNS_TXT, 1, NULL, 0, 0),
	    0);
	ag_dns_answer_t *a = query(f, "null.example", AG_DNS_MX);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rrs[0].data, "");
	ag_dns_answer_free(a);
	a = query(f, "null.example", AG_DNS_TXT);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->rrs[0].len, 0);
	ag_dns_answer_free(a);
}

static void test_delay_and_timeout(void **state)
{
	fixture_t *f = *state;

	ag_dnsmem_set_delay(f->mem, 20);
	ag_dns_answer_t *a =
	    ag_resolver_query(f->resolver, "example.com", AG_DNS_A, 5);
	assert_int_equal(a->status, AG_DNS_TEMPFAIL);
	assert_string_equal(a->error, "timeout");
	ag_dns_answer_free(a);
	a = ag_resolver_query(f->resolver, "example.com", AG_DNS_A, 1000);
	assert_int_equal(a->status, AG_DNS_OK);
	ag_dns_answer_free(a);
	ag_dnsmem_set_delay(f->mem, 0);
}

static void *worker(void *arg)
{
	fixture_t *f = arg;

	for (int i = 0; i < 500; i++) {
		ag_dns_answer_t *a = ag_resolver_query(
		    f->resolver, i % 2 ? "example.com" : "www.example.com",
		    AG_DNS_A, 1000);
		if (a == NULL || a->status != AG_DNS_OK || a->count != 2)
			return (void *)1;
		ag_dns_answer_free(a);
		if (i % 50 == 0) {
			char name[64];
			snprintf(name, sizeof(name), "t%d.example", i);
			ag_dnsmem_add_text(f->mem, name, AG_DNS_TXT, "x");
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	fixture_t *f = *state;
	pthread_t threads[4];

	ag_dnsmem_reset_counts(f->mem);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, worker, f),
		                 0);
	for (int i = 0; i < 4; i++) {
		void *rc;
		pthread_join(threads[i], &rc);
		assert_null(rc);
	}
	assert_int_equal(ag_dnsmem_queries(f->mem, NULL, AG_DNS_A), 2000);
	assert_int_equal(ag_dnsmem_queries(f->mem, "www.example.com", AG_DNS_A),
	                 1000);
}

static void test_many_names_rehash(void **state)
{
	fixture_t *f = *state;
	char name[64];

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "h%d.many.example", i);
		assert_int_equal(
		    ag_dnsmem_add_text(f->mem, name, AG_DNS_A, "192.0.2.7"), 0);
	}
	for (int i = 0; i < 1000; i += 97) {
		snprintf(name, sizeof(name), "H%d.MANY.example", i);
		ag_dns_answer_t *a = query(f, name, AG_DNS_A);
		assert_int_equal(a->status, AG_DNS_OK);
		ag_dns_answer_free(a);
	}
	ag_dns_answer_t *a = query(f, "many.example", AG_DNS_A);
	assert_int_equal(a->status, AG_DNS_NODATA);
	ag_dns_answer_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_records_and_ttl, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_nxdomain_nodata, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_cname_followed, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_cname_loop_is_tempfail, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_forced_status, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_query_counters, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_null_mx_and_empty_txt, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_delay_and_timeout, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_names_rehash, setup,
	                                    teardown),
	};
	return cmocka_run_group_tests_name("dnsmem", tests, NULL, NULL);
}
