/*
 * test_domainstate.c - the per-domain state service with a fake check
 * kind (see domainstate_fixture.h): the first message waits, within
 * bounds, later ones never do; one evaluation however many ask; facts
 * capped; prefetching; registering kinds; then the DKIM kind over the
 * in-memory resolver. Refreshes, the grace period, events, eviction and
 * options are in test_dstaterefresh.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dkimcheck.h"
#include "dnsmem.h"
#include "domainstate_fixture.h"

static void test_first_message_waits(void **state)
{
	fake_t *f = *state;
	struct timespec t0;
	ag_check_fact_t fact;

	f->delay_ms = 50;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fact = collect(f, 5000);
	assert_true(ms_since(t0) >= 40);
	assert_int_equal(fact.state, AG_CHECK_PASS);
	assert_int_equal(fact.kind, AG_CHECK_MX);
	assert_string_equal(fact.name, "fake:s0");
	assert_string_equal(fact.detail, "good");
	assert_int_equal(calls(f), 1);
	assert_int_equal(nevents(f), 1);
	expect_event(f, 0, AG_CHECK_PENDING, AG_CHECK_PASS, AG_R_COUNT);
}

static void test_first_wait_is_bounded(void **state)
{
	fake_t *f = *state;
	struct timespec t0;
	ag_check_fact_t fact;
	long ms;

	set_gate(f, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fact = collect(f, 100);
	ms = ms_since(t0);
	assert_true(ms >= 90 && ms < 5000);
	assert_int_equal(fact.state, AG_CHECK_PENDING);
	assert_int_equal(fact.reason, AG_R_DNS_TEMPERROR);
	fact = collect(f, 0);
	assert_int_equal(fact.state, AG_CHECK_PENDING);
	assert_int_equal(nevents(f), 0);
	set_gate(f, 0);
	wait_evaluations(f, 1);
	assert_int_equal(collect(f, 0).state, AG_CHECK_PASS);
	assert_int_equal(calls(f), 1);
}

static void test_later_messages_never_wait(void **state)
{
	fake_t *f = *state;
	struct timespec t0;
	ag_check_fact_t fact;

	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	set_gate(f, 1);
	advance(f, 240); /* 80% of the TTL: due */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fact = collect(f, 5000);
	assert_true(ms_since(t0) < 1000);
	assert_int_equal(fact.state, AG_CHECK_PASS);
	wait_calls(f, 2); /* the refresh runs, held at the gate */
	for (int i = 0; i < 10; i++)
		assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	assert_true(ms_since(t0) < 2000);
	assert_int_equal(stats(f).in_flight, 1);
	set_gate(f, 0);
	wait_evaluations(f, 2);
	assert_int_equal(calls(f), 2);
}

typedef struct racer {
	fake_t *f;
	pthread_barrier_t *barrier;
	ag_check_fact_t fact;
} racer_t;

/* racer_main - wait for the others, then ask */
static void *racer_main(void *arg)
{
	racer_t *r = arg;

	pthread_barrier_wait(r->barrier);
	r->fact = collect(r->f, WAIT_LONG_MS);
	return NULL;
}

static void test_200_threads_one_evaluation(void **state)
{
	enum { N = 200 };
	fake_t *f = *state;
	pthread_t threads[N];
	racer_t racers[N];
	pthread_barrier_t barrier;

	f->delay_ms = 100;
	pthread_barrier_init(&barrier, NULL, N);
	for (int i = 0; i < N; i++) {
		racers[i].f = f;
		racers[i].barrier = &barrier;
		assert_int_equal(
		    pthread_create(&threads[i], NULL, racer_main, &racers[i]),
		    0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(racers[i].fact.state, AG_CHECK_PASS);
	}
	pthread_barrier_destroy(&barrier);
	assert_int_equal(calls(f), 1);
	assert_int_equal(stats(f).evaluations, 1);
	assert_int_equal(stats(f).checks, 1);
	assert_int_equal(nevents(f), 1);
}

static void test_facts_are_capped(void **state)
{
	fake_t *f = *state;
	ag_dstate_subject_t subject = {&f->entry, NULL, NULL, NULL};
	ag_dns_facts_t facts;
	struct timespec deadline = ag_dstate_deadline(WAIT_LONG_MS);

	set_selectors(f, 40);
	f->entry.dkim_any = 1;
	assert_int_equal(
	    ag_dstate_collect(f->state, &subject, &deadline, &facts),
	    AG_MAX_CHECKS);
	assert_int_equal(facts.count, AG_MAX_CHECKS);
	assert_int_equal(facts.dkim_any, 1);
	for (size_t i = 0; i < AG_MAX_CHECKS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "fake:s%zu", i);
		assert_string_equal(facts.checks[i].name, name);
		assert_int_equal(facts.checks[i].state, AG_CHECK_PASS);
	}
	assert_int_equal(calls(f), AG_MAX_CHECKS);
}

static void test_prefetch_starts_without_waiting(void **state)
{
	fake_t *f = *state;
	ag_dstate_subject_t subject = {&f->entry, NULL, NULL, NULL};
	struct timespec t0;

	set_gate(f, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ag_dstate_prefetch(f->state, &subject);
	ag_dstate_prefetch(f->state, &subject);
	assert_true(ms_since(t0) < 1000);
	wait_calls(f, 1);
	set_gate(f, 0);
	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	assert_int_equal(calls(f), 1);
}

static void test_register_rules(void **state)
{
	fake_t *f = *state;
	ag_dstate_kind_t kinds[8];

	assert_int_equal(ag_dstate_register(f->state, &fake_kind), -1);
	for (int i = 0; i < 8; i++) {
		kinds[i] = fake_kind;
		kinds[i].kind = (ag_check_kind_t)(100 + i);
	}
	for (int i = 0; i < 7; i++)
		assert_int_equal(ag_dstate_register(f->state, &kinds[i]), 0);
	assert_int_equal(ag_dstate_register(f->state, &kinds[7]), -1);
}

/* The DKIM kind end to end over the in-memory resolver. */
static void test_dkim_kind(void **state)
{
	static const char *good =
	    "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCB"
	    "iQKBgQDdHAbseRgOgmRld5IuIbG/3EHlR9JqW4cVk49P1sU5T49xuBV4vZLEyc"
	    "nq2M+9rpWdX+Km5OAJ0yzsBIH41BMArWrZ9kax3oThT7JV2fV8d4RI/3CTs8QK"
	    "+h9utwyAan8Ovkb6PhhAKqw0DNuTlNvf8ErgkAXJ0YWgZTafsXu0sQIDAQAB";
	fake_t *f = *state;
	ag_dnsmem_t *mem = ag_dnsmem_create();
	ag_dstate_hooks_t hooks = {fake_event, f, fake_clock, f};
	ag_dstate_t *ds;
	ag_dstate_subject_t subject = {&f->entry, NULL, NULL, NULL};
	ag_dns_facts_t facts;
	struct timespec deadline = ag_dstate_deadline(WAIT_LONG_MS);

	assert_non_null(mem);
	assert_int_equal(ag_dnsmem_add(mem, "s0._domainkey.example.com",
	                               AG_DNS_TXT, 600, good, strlen(good), 0),
	                 0);
	assert_non_null(ds = ag_dstate_create(ag_dnsmem_resolver(mem),
	                                      &f->options, &hooks));
	assert_int_equal(ag_dstate_register(ds, &ag_dkimcheck_kind), 0);
	set_selectors(f, 2);
	ag_dstate_prefetch(ds, &subject);
	assert_int_equal(ag_dstate_collect(ds, &subject, &deadline, &facts), 2);
	assert_int_equal(facts.checks[0].kind, AG_CHECK_DKIM_KEY);
	assert_string_equal(facts.checks[0].name, "dkim:s0");
	assert_int_equal(facts.checks[0].state, AG_CHECK_PASS);
	assert_string_equal(facts.checks[0].detail, "rsa 1024 bits");
	assert_string_equal(facts.checks[1].name, "dkim:s1");
	assert_int_equal(facts.checks[1].state, AG_CHECK_FAIL);
	assert_int_equal(facts.checks[1].reason, AG_R_DKIM_KEY_MISSING);
	assert_int_equal(facts.dkim_any, 0);
	assert_int_equal(ag_dnsmem_queries(mem, NULL, 0), 2);
	/* warm: no DNS at all */
	for (int i = 0; i < 20; i++)
		assert_int_equal(
		    ag_dstate_collect(ds, &subject, &deadline, &facts), 2);
	assert_int_equal(ag_dnsmem_queries(mem, NULL, 0), 2);
	ag_dstate_destroy(ds);
	ag_dnsmem_destroy(mem);
	assert_int_equal(nevents(f), 2);
	size_t s1 = strcmp(f->events[0].check, "dkim:s1") == 0 ? 0 : 1;
	assert_string_equal(f->events[s1].check, "dkim:s1");
	assert_string_equal(ag_reason_name(f->events[s1].reason),
	                    "dkim.key-missing");
	assert_string_equal(f->events[1 - s1].check, "dkim:s0");
	assert_int_equal(f->events[1 - s1].to, AG_CHECK_PASS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_first_message_waits),
	    T(test_first_wait_is_bounded),
	    T(test_later_messages_never_wait),
	    T(test_200_threads_one_evaluation),
	    T(test_facts_are_capped),
	    T(test_prefetch_starts_without_waiting),
	    T(test_register_rules),
	    T(test_dkim_kind),
	};

	return cmocka_run_group_tests_name("domainstate", tests, NULL, NULL);
}
