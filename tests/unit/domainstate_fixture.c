/*
 * domainstate_fixture.c - what the unit tests of the per-domain state
 * service share (see domainstate_fixture.h).
 */
#include "domainstate_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* fake_query - never used: the fake kind does no DNS */
static ag_dns_answer_t *fake_query(ag_resolver_t *r, const char *name, int type,
                                   unsigned timeout_ms)
{
	return ag_dns_answer_new(AG_DNS_TEMPFAIL);
}

/* fake_destroy - nothing to release */
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

const ag_dstate_kind_t fake_kind = {AG_CHECK_MX, fake_plan, fake_evaluate};

/* fake_clock - the test's clock */
int64_t fake_clock(void *arg)
{
	return atomic_load(&((fake_t *)arg)->now);
}

/* fake_event - record one event */
void fake_event(void *arg, const ag_dstate_event_t *event)
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
void set_answer(fake_t *f, ag_check_state_t state, ag_reason_t reason,
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
void set_gate(fake_t *f, int closed)
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
size_t calls(fake_t *f)
{
	return locked(f, &f->calls);
}

/* stats - the service's counters */
ag_dstate_stats_t stats(fake_t *f)
{
	ag_dstate_stats_t s;

	ag_dstate_stats(f->state, &s);
	return s;
}

/* ms_since - milliseconds from a CLOCK_MONOTONIC time to now */
long ms_since(struct timespec t0)
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
void wait_evaluations(fake_t *f, unsigned long n)
{
	WAIT_FOR(stats(f).evaluations >= n);
	assert_int_equal(stats(f).evaluations, n);
}

/* wait_idle - poll until no evaluation is queued or running */
void wait_idle(fake_t *f)
{
	WAIT_FOR(stats(f).in_flight == 0);
	assert_int_equal(stats(f).in_flight, 0);
}

/* wait_checks - poll until the service holds n checks */
void wait_checks(fake_t *f, size_t n)
{
	WAIT_FOR(stats(f).checks == n);
	assert_int_equal(stats(f).checks, n);
}

/* wait_calls - poll until n evaluations have started */
void wait_calls(fake_t *f, size_t n)
{
	WAIT_FOR(calls(f) >= n);
	assert_int_equal(calls(f), n);
}

/* start - (re)create the service with f->options */
void start(fake_t *f)
{
	ag_dstate_hooks_t hooks = {fake_event, f, fake_clock, f};

	f->state = ag_dstate_destroy(f->state);
	assert_non_null(f->state =
	                    ag_dstate_create(&f->base, &f->options, &hooks));
	assert_int_equal(ag_dstate_register(f->state, &fake_kind), 0);
}

/* set_selectors - the entry's selectors: s0 .. s<n-1> */
void set_selectors(fake_t *f, size_t n)
{
	f->entry.selectors.count = n;
}

/* setup - a fake with one selector, PASS answers and a started service */
int setup(void **state)
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

/* teardown - stop the service, release the fake */
int teardown(void **state)
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
ag_check_fact_t collect(fake_t *f, unsigned wait_ms)
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
void advance(fake_t *f, int64_t seconds)
{
	atomic_fetch_add(&f->now, seconds);
}

/* expect_event - the i-th event went from -> to with this reason */
void expect_event(fake_t *f, size_t i, ag_check_state_t from,
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
size_t nevents(fake_t *f)
{
	return locked(f, &f->nevents);
}
