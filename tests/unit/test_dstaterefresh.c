/*
 * test_dstaterefresh.c - the per-domain state service with a fake check
 * kind and a fake clock (see domainstate_fixture.h), after the first
 * evaluation: refreshes before the TTL runs out, the grace period through
 * DNS trouble, one event per transition, idle checks dropped,
 * reconfiguring, the options, and a kind's data kept while held.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "domainstate_fixture.h"

static void test_refresh_before_ttl(void **state)
{
	fake_t *f = *state;

	set_answer(f, AG_CHECK_PASS, AG_R_COUNT, 100, "good");
	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	advance(f, 79);
	ag_dstate_poke(f->state);
	usleep(50000);
	assert_int_equal(calls(f), 1);
	advance(f, 1); /* 80 s: 80% of 100 */
	ag_dstate_poke(f->state);
	wait_calls(f, 2); /* the scheduler, no message asked */
	wait_evaluations(f, 2);
	/* a long TTL is refreshed after refresh_max_s, a short one min_s */
	set_answer(f, AG_CHECK_PASS, AG_R_COUNT, 86400, "good");
	advance(f, 80);
	ag_dstate_poke(f->state);
	wait_evaluations(f, 3);
	advance(f, 3599);
	ag_dstate_poke(f->state);
	usleep(50000);
	assert_int_equal(calls(f), 3);
	set_answer(f, AG_CHECK_PASS, AG_R_COUNT, 1, "good");
	advance(f, 1);
	ag_dstate_poke(f->state);
	wait_evaluations(f, 4);
	advance(f, 9);
	ag_dstate_poke(f->state);
	usleep(50000);
	assert_int_equal(calls(f), 4);
	advance(f, 1);
	ag_dstate_poke(f->state);
	wait_evaluations(f, 5);
	assert_int_equal(nevents(f), 1);
}

static void test_grace_holds_pass_then_expires(void **state)
{
	fake_t *f = *state;
	ag_check_fact_t fact;

	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	set_answer(f, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR, 0, "timeout");
	advance(f, 240);
	collect(f, 0);          /* starts the refresh */
	wait_evaluations(f, 2); /* trouble begins at 1240 */
	fact = collect(f, 0);
	assert_int_equal(fact.state, AG_CHECK_PASS);
	assert_non_null(
	    strstr(fact.detail, "good (held during DNS trouble: timeout)"));
	advance(f, 60); /* retried every retry_s */
	ag_dstate_poke(f->state);
	wait_evaluations(f, 3);
	advance(f, 3600 - 60 - 1);
	assert_int_equal(collect(f, 0).state, AG_CHECK_PASS);
	assert_int_equal(nevents(f), 1);
	advance(f, 1); /* the grace period is over */
	fact = collect(f, 0);
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	assert_int_equal(fact.reason, AG_R_DNS_TEMPERROR);
	assert_string_equal(fact.detail, "timeout");
	for (int i = 0; i < 5; i++)
		assert_int_equal(collect(f, 0).state, AG_CHECK_TEMPERROR);
	assert_int_equal(nevents(f), 2);
	expect_event(f, 1, AG_CHECK_PASS, AG_CHECK_TEMPERROR,
	             AG_R_DNS_TEMPERROR);
	/* DNS comes back */
	wait_idle(f);
	set_answer(f, AG_CHECK_PASS, AG_R_COUNT, 300, "good again");
	advance(f, 60);
	collect(f, 0);
	wait_idle(f);
	fact = collect(f, 0);
	assert_int_equal(fact.state, AG_CHECK_PASS);
	assert_string_equal(fact.detail, "good again");
	assert_int_equal(nevents(f), 3);
	expect_event(f, 2, AG_CHECK_TEMPERROR, AG_CHECK_PASS, AG_R_COUNT);
}

static void test_grace_expiry_seen_by_scheduler(void **state)
{
	fake_t *f = *state;

	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	set_answer(f, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR, 0, "SERVFAIL");
	for (int i = 1; i <= 62; i++) { /* 240 s, then 61 retries */
		advance(f, i == 1 ? 240 : 60);
		ag_dstate_poke(f->state);
		wait_evaluations(f, (unsigned long)i + 1);
	}
	/* no message asked: the retry after the grace period reported it */
	assert_int_equal(nevents(f), 2);
	expect_event(f, 1, AG_CHECK_PASS, AG_CHECK_TEMPERROR,
	             AG_R_DNS_TEMPERROR);
}

static void test_unknown_check_in_trouble_is_temperror(void **state)
{
	fake_t *f = *state;
	ag_check_fact_t fact;

	set_answer(f, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR, 0, "timeout");
	fact = collect(f, 5000);
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	assert_int_equal(fact.reason, AG_R_DNS_TEMPERROR);
	assert_int_equal(nevents(f), 1);
	expect_event(f, 0, AG_CHECK_PENDING, AG_CHECK_TEMPERROR,
	             AG_R_DNS_TEMPERROR);
}

static void test_known_fail_holds_too(void **state)
{
	fake_t *f = *state;
	ag_check_fact_t fact;

	set_answer(f, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING, 300,
	           "no such name");
	assert_int_equal(collect(f, 5000).state, AG_CHECK_FAIL);
	set_answer(f, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR, 0, "timeout");
	advance(f, 240);
	collect(f, 0);
	wait_evaluations(f, 2);
	fact = collect(f, 0);
	assert_int_equal(fact.state, AG_CHECK_FAIL);
	assert_int_equal(fact.reason, AG_R_DKIM_KEY_MISSING);
	assert_int_equal(nevents(f), 1);
}

/* step - set an answer, make the check due, wait for its evaluation */
static void step(fake_t *f, ag_check_state_t st, ag_reason_t reason)
{
	unsigned long n = stats(f).evaluations;

	set_answer(f, st, reason, 300, ag_reason_name(reason));
	advance(f, 240);
	collect(f, 0);
	wait_evaluations(f, n + 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(collect(f, 0).state, st);
}

static void test_events_once_per_transition(void **state)
{
	fake_t *f = *state;

	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	step(f, AG_CHECK_PASS, AG_R_COUNT);
	step(f, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING);
	step(f, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING);
	step(f, AG_CHECK_FAIL, AG_R_DKIM_KEY_INVALID);
	step(f, AG_CHECK_PASS, AG_R_COUNT);
	step(f, AG_CHECK_PASS, AG_R_COUNT);
	assert_int_equal(nevents(f), 4);
	assert_int_equal(stats(f).events, 4);
	expect_event(f, 0, AG_CHECK_PENDING, AG_CHECK_PASS, AG_R_COUNT);
	expect_event(f, 1, AG_CHECK_PASS, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING);
	expect_event(f, 2, AG_CHECK_FAIL, AG_CHECK_FAIL, AG_R_DKIM_KEY_INVALID);
	expect_event(f, 3, AG_CHECK_FAIL, AG_CHECK_PASS, AG_R_COUNT);
	assert_string_equal(f->events[2].detail, "dkim.key-invalid");
}

static void test_idle_checks_are_dropped(void **state)
{
	fake_t *f = *state;

	f->options.idle_s = 1000;
	start(f);
	set_selectors(f, 2);
	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	assert_int_equal(stats(f).checks, 2);
	/* refreshed while in use ... */
	for (int i = 0; i < 4; i++) {
		advance(f, 240);
		ag_dstate_poke(f->state);
		wait_evaluations(f, 2 * (unsigned long)i + 4);
	}
	/* ... s1 is no longer asked for, s0 is */
	set_selectors(f, 1);
	advance(f, 240); /* 1200 s after s1 was last asked */
	collect(f, 0);
	ag_dstate_poke(f->state);
	wait_evaluations(f, 11);
	wait_checks(f, 1);
	assert_int_equal(stats(f).evictions, 1);
	/* s0 falls idle too */
	advance(f, 2000);
	ag_dstate_poke(f->state);
	wait_checks(f, 0);
	assert_int_equal(stats(f).evictions, 2);
	assert_int_equal(calls(f), 11);
	/* asked again: a new check, waited for */
	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	assert_int_equal(calls(f), 12);
	assert_int_equal(stats(f).checks, 1);
}

typedef struct reconf {
	fake_t *f;
	ag_dstate_options_t options;
	atomic_int returned;
} reconf_t;

/* reconf_main - swap the options from another thread */
static void *reconf_main(void *arg)
{
	reconf_t *r = arg;

	ag_dstate_reconfigure(r->f->state, &r->f->base, &r->options);
	atomic_store(&r->returned, 1);
	return NULL;
}

static void test_reconfigure(void **state)
{
	fake_t *f = *state;
	reconf_t r = {f, f->options, 0};
	pthread_t thread;

	assert_int_equal(collect(f, 5000).state, AG_CHECK_PASS);
	/* only scheduling options changed: nothing re-evaluated */
	r.options.grace_period_s = 100;
	r.options.refresh_max_s = 1800;
	ag_dstate_reconfigure(f->state, &f->base, &r.options);
	ag_dstate_poke(f->state);
	usleep(50000);
	assert_int_equal(calls(f), 1);
	/* an evaluation in progress keeps reconfigure waiting */
	set_gate(f, 1);
	advance(f, 240);
	collect(f, 0);
	wait_calls(f, 2);
	r.options.min_key_bits = 2048;
	assert_int_equal(pthread_create(&thread, NULL, reconf_main, &r), 0);
	usleep(100000);
	assert_int_equal(atomic_load(&r.returned), 0);
	set_gate(f, 0);
	pthread_join(thread, NULL);
	assert_int_equal(atomic_load(&r.returned), 1);
	/* answered under the old options: evaluated again under the new */
	ag_dstate_poke(f->state);
	wait_evaluations(f, 3);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->seen_min_bits, 2048);
	pthread_mutex_unlock(&f->lock);
}

static void test_options(void **state)
{
	ag_dstate_options_t o;
	ag_config_t config;

	memset(&config, 0, sizeof(config));
	config.dns_timeout_ms = 1500;
	config.dns_grace_period_s = 600;
	config.min_key_bits = 2048;
	config.allow_testing_keys = 1;
	ag_dstate_options_from_config(&o, &config);
	assert_int_equal(o.dns_timeout_ms, 1500);
	assert_int_equal(o.grace_period_s, 600);
	assert_int_equal(o.min_key_bits, 2048);
	assert_int_equal(o.allow_testing_keys, 1);
	assert_int_equal(o.refresh_percent, 80);
	assert_int_equal(o.workers, 32);
	ag_dstate_options_init(&o);
	assert_int_equal(o.grace_period_s, 72 * 3600);
	assert_int_equal(o.min_key_bits, 1024);
	assert_null(ag_dstate_destroy(NULL));
}

/* A kind's data travels with its answer, also while it is held. */
static void test_kind_data_reaches_facts(void **state)
{
	fake_t *f = *state;
	ag_check_fact_t fact;

	pthread_mutex_lock(&f->lock);
	f->answer.dmarc.found = 1;
	snprintf(f->answer.dmarc.policy, sizeof(f->answer.dmarc.policy),
	         "reject");
	f->answer.dmarc.pct = 30;
	pthread_mutex_unlock(&f->lock);
	set_gate(f, 1);
	fact = collect(f, 0); /* pending: no data */
	assert_int_equal(fact.state, AG_CHECK_PENDING);
	assert_int_equal(fact.dmarc.found, 0);
	assert_string_equal(fact.dmarc.policy, "");
	set_gate(f, 0);
	fact = collect(f, 5000);
	assert_int_equal(fact.state, AG_CHECK_PASS);
	assert_int_equal(fact.dmarc.found, 1);
	assert_string_equal(fact.dmarc.policy, "reject");
	assert_int_equal(fact.dmarc.pct, 30);
	/* DNS trouble: the pass is held, with its data */
	set_answer(f, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR, 0, "timeout");
	pthread_mutex_lock(&f->lock);
	memset(&f->answer.dmarc, 0, sizeof(f->answer.dmarc));
	pthread_mutex_unlock(&f->lock);
	advance(f, 240);
	collect(f, 0);
	wait_evaluations(f, 2);
	fact = collect(f, 0);
	assert_int_equal(fact.state, AG_CHECK_PASS);
	assert_string_equal(fact.dmarc.policy, "reject");
	/* the grace period is over: no data */
	advance(f, 3600);
	fact = collect(f, 0);
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	assert_int_equal(fact.dmarc.found, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_refresh_before_ttl),
	    T(test_grace_holds_pass_then_expires),
	    T(test_grace_expiry_seen_by_scheduler),
	    T(test_unknown_check_in_trouble_is_temperror),
	    T(test_known_fail_holds_too),
	    T(test_events_once_per_transition),
	    T(test_idle_checks_are_dropped),
	    T(test_reconfigure),
	    T(test_options),
	    T(test_kind_data_reaches_facts),
	};

	return cmocka_run_group_tests_name("dstaterefresh", tests, NULL, NULL);
}
