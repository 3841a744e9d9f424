/*
 * test_domainstate.c - the per-domain state service with a fake check kind
 * (a gate to hold evaluations, a settable answer, a call counter), a fake
 * clock and an event recorder; then the DKIM kind over the in-memory
 * resolver.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dkimcheck.h"
#include "dnsmem.h"
#include "domainstate.h"

#define MAX_EVENTS   64
#define WAIT_LONG_MS 10000 /* generous: valgrind is slow */

typedef struct recorded {
	char check[AG_CHECK_NAME_MAX];
	char domain[64];
	ag_check_state_t from, to;
	ag_reason_t reason;
	char detail[AG_CHECK_DETAIL_MAX];
} recorded_t;

/* The fake resolver carries the fake kind's controls. */
typedef struct fake {
	ag_resolver_t base;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int gate_closed;
	size_t calls;
	unsigned seen_min_bits;
	unsigned delay_ms;
	ag_check_result_t answer;
	_Atomic int64_t now;
	recorded_t events[MAX_EVENTS];
	size_t nevents;
	ag_dstate_t *state;
	ag_dstate_options_t options;
	char *selectors[40];
	char names[40][8];
	ag_domain_entry_t entry;
} fake_t;

/* fake_query - never used: the fake kind does no DNS */
static ag_dns_answer_t *fake_query(ag_resolver_t *r, const char *name, int type,
                                   unsigned timeout_ms)
{
	return ag_dns_answer_new(AG_DNS_TEMPFAIL);
}

static void fake_destroy(ag_resolver_t *r)
{
}

static const ag_resolver_ops_t fake_ops = {fake_query, fake_destroy};

/* fake_plan - one check per selector: "fake:<sel>" on "<sel>.<domain>" */
static size_t fake_plan(const ag_dstate_subject_t *subject,
                        ag_dstate_req_t *reqs, size_t max)
{
	const ag_domain_entry_t *e = subject->entry;
	size_t n = 0;

	for (; n < e->selectors.count && n < max; n++) {
		snprintf(reqs[n].name, sizeof(reqs[n].name), "fake:%s",
		         e->selectors.items[n]);
		snprintf(reqs[n].target, sizeof(reqs[n].target), "%s.%s",
		         e->selectors.items[n], e->domain);
		reqs[n].params = "p";
		reqs[n].params_len = 1;
	}
	return n;
}

/* fake_evaluate - count, wait at the gate, answer what the test set */
static void fake_evaluate(const ag_dstate_env_t *env, const char *target,
                          const void *params, size_t params_len,
                          ag_check_result_t *result)
{
	fake_t *f = (fake_t *)env->resolver;
	unsigned delay;

	assert_int_equal(params_len, 1);
	pthread_mutex_lock(&f->lock);
	f->calls++;
	f->seen_min_bits = env->options->min_key_bits;
	while (f->gate_closed)
		pthread_cond_wait(&f->cond, &f->lock);
	*result = f->answer;
	delay = f->delay_ms;
	pthread_mutex_unlock(&f->lock);
	if (delay > 0)
		usleep(delay * 1000);
}

static const ag_dstate_kind_t fake_kind = {AG_CHECK_MX, fake_plan,
                                           fake_evaluate};

/* fake_clock - the test's clock */
static int64_t fake_clock(void *arg)
{
	return atomic_load(&((fake_t *)arg)->now);
}

/* fake_event - record one event */
static void fake_event(void *arg, const ag_dstate_event_t *event)
{
	fake_t *f = arg;
	recorded_t *r;

	pthread_mutex_lock(&f->lock);
	assert_true(f->nevents < MAX_EVENTS);
	r = &f->events[f->nevents++];
	snprintf(r->check, sizeof(r->check), "%s", event->check);
	snprintf(r->domain, sizeof(r->domain), "%s", event->domain);
	r->from = event->from;
	r->to = event->to;
	r->reason = event->reason;
	snprintf(r->detail, sizeof(r->detail), "%s", event->detail);
	pthread_mutex_unlock(&f->lock);
}

/* set_answer - what the next evaluations return */
static void set_answer(fake_t *f, ag_check_state_t state, ag_reason_t reason,
                       uint32_t ttl, const char *detail)
{
	pthread_mutex_lock(&f->lock);
	f->answer.state = state;
	f->answer.reason = reason;
	f->answer.ttl = ttl;
	snprintf(f->answer.detail, sizeof(f->answer.detail), "%s", detail);
	pthread_mutex_unlock(&f->lock);
}

/* set_gate - hold (1) or release (0) evaluations */
static void set_gate(fake_t *f, int closed)
{
	pthread_mutex_lock(&f->lock);
	f->gate_closed = closed;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* locked - read a counter of the fake under its lock */
static size_t locked(fake_t *f, const size_t *counter)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = *counter;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* calls - evaluations started so far */
static size_t calls(fake_t *f)
{
	return locked(f, &f->calls);
}

/* stats - the service's counters */
static ag_dstate_stats_t stats(fake_t *f)
{
	ag_dstate_stats_t s;

	ag_dstate_stats(f->state, &s);
	return s;
}

/* ms_since - milliseconds from a CLOCK_MONOTONIC time to now */
static long ms_since(struct timespec t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1000 +
	       (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

/* WAIT_FOR - poll a condition for up to WAIT_LONG_MS */
#define WAIT_FOR(cond)                                                         \
	do {                                                                   \
		struct timespec t0_;                                           \
		clock_gettime(CLOCK_MONOTONIC, &t0_);                          \
		while (!(cond) && ms_since(t0_) < WAIT_LONG_MS)                \
			usleep(1000);                                          \
	} while (0)

/* wait_evaluations - poll until n evaluations have finished */
static void wait_evaluations(fake_t *f, unsigned long n)
{
	WAIT_FOR(stats(f).evaluations >= n);
	assert_int_equal(stats(f).evaluations, n);
}

/* wait_idle - poll until no evaluation is queued or running */
static void wait_idle(fake_t *f)
{
	WAIT_FOR(stats(f).in_flight == 0);
	assert_int_equal(stats(f).in_flight, 0);
}

/* wait_checks - poll until the service holds n checks */
static void wait_checks(fake_t *f, size_t n)
{
	WAIT_FOR(stats(f).checks == n);
	assert_int_equal(stats(f).checks, n);
}

/* wait_calls - poll until n evaluations have started */
static void wait_calls(fake_t *f, size_t n)
{
	WAIT_FOR(calls(f) >= n);
	assert_int_equal(calls(f), n);
}

/* start - (re)create the service with f->options */
static void start(fake_t *f)
{
	ag_dstate_hooks_t hooks = {fake_event, f, fake_clock, f};

	f->state = ag_dstate_destroy(f->state);
	assert_non_null(f->state =
	                    ag_dstate_create(&f->base, &f->options, &hooks));
	assert_int_equal(ag_dstate_register(f->state, &fake_kind), 0);
}

/* set_selectors - the entry's selectors: s0 .. s<n-1> */
static void set_selectors(fake_t *f, size_t n)
{
	f->entry.selectors.count = n;
}

static int setup(void **state)
{
	fake_t *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->base.ops = &fake_ops;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	atomic_store(&f->now, 1000);
	for (size_t i = 0; i < 40; i++) {
		snprintf(f->names[i], sizeof(f->names[i]), "s%zu", i);
		f->selectors[i] = f->names[i];
	}
	f->entry.domain = "example.com";
	f->entry.selectors.items = f->selectors;
	f->entry.selectors.count = 1;
	ag_dstate_options_init(&f->options);
	f->options.grace_period_s = 3600;
	f->options.refresh_min_s = 10;
	f->options.idle_s = 100000;
	set_answer(f, AG_CHECK_PASS, AG_R_COUNT, 300, "good");
	*state = f;
	start(f);
	return 0;
}

static int teardown(void **state)
{
	fake_t *f = *state;

	set_gate(f, 0);
	ag_dstate_destroy(f->state);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* collect - one check's fact, waiting up to wait_ms (0: not at all) */
static ag_check_fact_t collect(fake_t *f, unsigned wait_ms)
{
	ag_dstate_subject_t subject = {&f->entry, NULL, NULL, NULL};
	ag_dns_facts_t facts;
	struct timespec deadline = ag_dstate_deadline(wait_ms);

	memset(&facts, 0xff, sizeof(facts));
	assert_int_equal(ag_dstate_collect(f->state, &subject,
	                                   wait_ms ? &deadline : NULL, &facts),
	                 f->entry.selectors.count);
	assert_int_equal(facts.count, f->entry.selectors.count);
	return facts.checks[0];
}

/* advance - move the fake clock */
static void advance(fake_t *f, int64_t seconds)
{
	atomic_fetch_add(&f->now, seconds);
}

/* expect_event - the i-th event went from -> to with this reason */
static void expect_event(fake_t *f, size_t i, ag_check_state_t from,
                         ag_check_state_t to, ag_reason_t reason)
{
	pthread_mutex_lock(&f->lock);
	assert_true(i < f->nevents);
	assert_string_equal(f->events[i].check, "fake:s0");
	assert_string_equal(f->events[i].domain, "example.com");
	assert_string_equal(ag_check_state_name(f->events[i].from),
	                    ag_check_state_name(from));
	assert_string_equal(ag_check_state_name(f->events[i].to),
	                    ag_check_state_name(to));
	assert_string_equal(ag_reason_name(f->events[i].reason),
	                    ag_reason_name(reason));
	pthread_mutex_unlock(&f->lock);
}

/* nevents - events recorded so far */
static size_t nevents(fake_t *f)
{
	return locked(f, &f->nevents);
}

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
	    T(test_first_message_waits),
	    T(test_first_wait_is_bounded),
	    T(test_later_messages_never_wait),
	    T(test_refresh_before_ttl),
	    T(test_200_threads_one_evaluation),
	    T(test_grace_holds_pass_then_expires),
	    T(test_grace_expiry_seen_by_scheduler),
	    T(test_unknown_check_in_trouble_is_temperror),
	    T(test_known_fail_holds_too),
	    T(test_events_once_per_transition),
	    T(test_idle_checks_are_dropped),
	    T(test_facts_are_capped),
	    T(test_prefetch_starts_without_waiting),
	    T(test_register_rules),
	    T(test_reconfigure),
	    T(test_options),
	    T(test_dkim_kind),
	    T(test_kind_data_reaches_facts),
	};

	return cmocka_run_group_tests_name("domainstate", tests, NULL, NULL);
}
