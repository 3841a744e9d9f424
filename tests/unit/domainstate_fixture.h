/*
 * domainstate_fixture.h - what the unit tests of the per-domain state
 * service share: a fake check kind (a gate to hold evaluations, a settable
 * answer, a call counter) behind a fake resolver, a fake clock, an event
 * recorder, and polling helpers that wait for the service's counters.
 */
#ifndef AG_DOMAINSTATE_FIXTURE_H
#define AG_DOMAINSTATE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

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

/* The fake kind: one check "fake:<sel>" on "<sel>.<domain>" per selector. */
extern const ag_dstate_kind_t fake_kind;

/* fake_clock - the test's clock (arg: the fake) */
int64_t fake_clock(void *arg);

/* fake_event - record one event (arg: the fake) */
void fake_event(void *arg, const ag_dstate_event_t *event);

/* set_answer - what the next evaluations return */
void set_answer(fake_t *f, ag_check_state_t state, ag_reason_t reason,
                uint32_t ttl, const char *detail);

/* set_gate - hold (1) or release (0) evaluations */
void set_gate(fake_t *f, int closed);

/* calls - evaluations started so far */
size_t calls(fake_t *f);

/* stats - the service's counters */
ag_dstate_stats_t stats(fake_t *f);

/* ms_since - milliseconds from a CLOCK_MONOTONIC time to now */
long ms_since(struct timespec t0);

/* wait_evaluations - poll until n evaluations have finished */
void wait_evaluations(fake_t *f, unsigned long n);

/* wait_idle - poll until no evaluation is queued or running */
void wait_idle(fake_t *f);

/* wait_checks - poll until the service holds n checks */
void wait_checks(fake_t *f, size_t n);

/* wait_calls - poll until n evaluations have started */
void wait_calls(fake_t *f, size_t n);

/* start - (re)create the service with f->options */
void start(fake_t *f);

/* set_selectors - the entry's selectors: s0 .. s<n-1> */
void set_selectors(fake_t *f, size_t n);

/* setup - a fake with one selector, PASS answers and a started service */
int setup(void **state);

/* teardown - stop the service, release the fake */
int teardown(void **state);

/* collect - one check's fact, waiting up to wait_ms (0: not at all) */
ag_check_fact_t collect(fake_t *f, unsigned wait_ms);

/* advance - move the fake clock */
void advance(fake_t *f, int64_t seconds);

/* expect_event - the i-th event went from -> to with this reason */
void expect_event(fake_t *f, size_t i, ag_check_state_t from,
                  ag_check_state_t to, ag_reason_t reason);

/* nevents - events recorded so far */
size_t nevents(fake_t *f);

#endif
