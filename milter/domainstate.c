/*
 * domainstate.c - the per-domain DNS state service (see domainstate.h).
 *
 * Checks live in a hash table keyed by (kind, target, parameters). A check
 * is in exactly one of three places: the refresh heap (dstateheap.c,
 * ordered by the time its next refresh is due), the work queue, or a
 * worker's hands; the in_flight flag marks the last two, which is what
 * de-duplicates refreshes.
 * One mutex guards everything; conditions wake the workers (work), the
 * scheduler (tick) and the messages waiting for a first answer (done).
 * The state a message sees is computed from the last answer, the last
 * definitive answer and when DNS trouble began (ag_dstate_view), and each
 * change of it is reported once as an event (ag_dstate_publish).
 */
#include "domainstate.h"
#include "hash.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dstateheap.h"

#define AG_DSTATE_MAX_KINDS   8
#define AG_DSTATE_MAX_WORKERS 64
#define AG_DSTATE_TICK_MS     1000
#define AG_DSTATE_IDLE_WORKER (-1L)

typedef struct ag_dstate_check ag_dstate_check_t;

/* A first-in, first-out queue of checks to evaluate. */
typedef struct ag_dstate_queue {
	ag_dstate_check_t *head, *tail;
} ag_dstate_queue_t;

struct ag_dstate_check {
	ag_dstate_check_t *hnext;  /* hash chain */
	ag_dstate_check_t *qnext;  /* work queue */
	int background;            /* queued or run as a refresh/retry */
	ag_dstateheap_node_t node; /* node.due: the next refresh */
	const ag_dstate_kind_t *kind;
	unsigned char *key; /* kind, target, NUL, params */
	size_t key_len;
	const char *target;          /* inside key */
	const unsigned char *params; /* inside key */
	size_t params_len;
	char name[AG_CHECK_NAME_MAX];
	char *domain;
	int64_t last_used;     /* last message asking */
	int64_t trouble_since; /* first TEMPERROR after a definitive */
	unsigned outcome;      /* options it was last evaluated under */
	unsigned users;        /* messages holding it */
	int in_flight, evaluated, known, in_trouble;
	ag_check_result_t last;       /* the last answer */
	ag_check_result_t good;       /* the last PASS or FAIL answer */
	ag_check_state_t shown_state; /* as last reported by an event */
	ag_reason_t shown_reason;
};

typedef struct ag_dstate_worker {
	ag_dstate_t *state;
	long generation; /* evaluating under; or IDLE */
	pthread_t thread;
} ag_dstate_worker_t;

struct ag_dstate {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a check was queued, or stopping */
	pthread_cond_t done; /* an evaluation ended */
	pthread_cond_t tick; /* the scheduler should look */
	ag_resolver_t *resolver;
	ag_dstate_options_t options;
	unsigned generation; /* bumped by every reconfigure */
	unsigned outcome;    /* bumped when answers may differ */
	ag_dstate_hooks_t hooks;
	const ag_dstate_kind_t *kinds[AG_DSTATE_MAX_KINDS];
	size_t nkinds;
	ag_dstate_check_t **buckets;
	size_t nbuckets;
	ag_dstateheap_t *heap; /* checks by refresh time */
	ag_dstate_queue_t first;      /* never evaluated: messages wait */
	ag_dstate_queue_t background; /* refreshes and retries */
	unsigned background_running;  /* workers on background work */
	ag_dstate_worker_t *workers;
	unsigned nworkers;
	pthread_t scheduler;
	int scheduler_started;
	int stopping;
	ag_dstate_stats_t stats;
};

/* ag_dstate_monotonic - CLOCK_MONOTONIC now */
static struct timespec ag_dstate_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

/* ag_dstate_deadline - the CLOCK_MONOTONIC time ms milliseconds from now */
struct timespec ag_dstate_deadline(unsigned ms)
{
	struct timespec ts = ag_dstate_monotonic();

	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* ag_dstate_now - the service's clock, in seconds */
static int64_t ag_dstate_now(const ag_dstate_t *state)
{
	if (state->hooks.clock != NULL)
		return state->hooks.clock(state->hooks.clock_arg);
	return (int64_t)ag_dstate_monotonic().tv_sec;
}

/* ag_dstate_hash - hash of a check's key */
static size_t ag_dstate_hash(const unsigned char *key, size_t len)
{
	return (size_t)ag_hash_bytes(key, len);
}

/* ag_dstate_find - the check with this key, or NULL */
static ag_dstate_check_t *ag_dstate_find(const ag_dstate_t *state,
                                         const unsigned char *key, size_t len)
{
	ag_dstate_check_t *c =
	    state->buckets[ag_dstate_hash(key, len) & (state->nbuckets - 1)];

	while (c != NULL &&
	       (c->key_len != len || memcmp(c->key, key, len) != 0))
		c = c->hnext;
	return c;
}

/* ag_dstate_rehash - double the buckets; -1 when out of memory */
static int ag_dstate_rehash(ag_dstate_t *state)
{
	size_t n = state->nbuckets * 2;
	ag_dstate_check_t **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < state->nbuckets; i++) {
		ag_dstate_check_t *c = state->buckets[i], *next;
		for (; c != NULL; c = next) {
			size_t slot =
			    ag_dstate_hash(c->key, c->key_len) & (n - 1);
			next = c->hnext;
			c->hnext = b[slot];
			b[slot] = c;
		}
	}
	free(state->buckets);
	state->buckets = b;
	state->nbuckets = n;
	return 0;
}

/* ag_dstate_reserve - room for one more check in table and heap */
static int ag_dstate_reserve(ag_dstate_t *state)
{
	size_t want = state->stats.checks + 1;

	if (want > state->nbuckets && ag_dstate_rehash(state) < 0)
		return -1;
	return ag_dstateheap_reserve(state->heap, want);
}

/* ag_dstate_queue_push - append c to a queue */
static void ag_dstate_queue_push(ag_dstate_queue_t *q, ag_dstate_check_t *c)
{
	c->qnext = NULL;
	if (q->tail != NULL)
		q->tail->qnext = c;
	else
		q->head = c;
	q->tail = c;
}

/* ag_dstate_queue_push_front - put c first in a queue */
static void ag_dstate_queue_push_front(ag_dstate_queue_t *q,
                                       ag_dstate_check_t *c)
{
	c->qnext = q->head;
	q->head = c;
	if (q->tail == NULL)
		q->tail = c;
}

/* ag_dstate_queue_pop - the first check of a queue, or NULL */
static ag_dstate_check_t *ag_dstate_queue_pop(ag_dstate_queue_t *q)
{
	ag_dstate_check_t *c = q->head;

	if (c != NULL && (q->head = c->qnext) == NULL)
		q->tail = NULL;
	return c;
}

/*
 * ag_dstate_start - queue an evaluation of c (not already in flight). A
 * check never evaluated goes first: a message may be waiting for it; the
 * newest such check first of all, since the messages behind older ones
 * may have given up waiting already (after DNSTimeout) while the newest
 * one's message still waits.
 * Refreshes and retries queue behind, and take at most half the workers,
 * so that many domains with dead DNS (each evaluation blocking a worker
 * for DNSTimeout) never delay the first message of a healthy one.
 */
static void ag_dstate_start(ag_dstate_t *state, ag_dstate_check_t *c)
{
	if (ag_dstateheap_contains(&c->node))
		ag_dstateheap_remove(state->heap, &c->node);
	c->in_flight = 1;
	c->background = c->evaluated;
	if (c->background)
		ag_dstate_queue_push(&state->background, c);
	else
		ag_dstate_queue_push_front(&state->first, c);
	state->stats.in_flight++;
	pthread_cond_signal(&state->work);
}

/* ag_dstate_background_limit - workers that background work may use */
static unsigned ag_dstate_background_limit(const ag_dstate_t *state)
{
	return state->nworkers > 1 ? state->nworkers / 2 : 1;
}

/* ag_dstate_next - the next check a worker may evaluate, or NULL */
static ag_dstate_check_t *ag_dstate_next(ag_dstate_t *state)
{
	ag_dstate_check_t *c = ag_dstate_queue_pop(&state->first);

	if (c == NULL &&
	    state->background_running < ag_dstate_background_limit(state) &&
	    (c = ag_dstate_queue_pop(&state->background)) != NULL)
		state->background_running++;
	return c;
}

/* ag_dstate_check_free - release one check */
static void ag_dstate_check_free(ag_dstate_check_t *c)
{
	free(c->key);
	free(c->domain);
	free(c);
}

/* ag_dstate_check_key - the identity octets of a request */
static unsigned char *ag_dstate_check_key(const ag_dstate_kind_t *kind,
                                          const ag_dstate_req_t *req,
                                          size_t *len)
{
	size_t tlen = strlen(req->target);
	unsigned char *key;

	*len = 1 + tlen + 1 + req->params_len;
	if ((key = malloc(*len)) == NULL)
		return NULL;
	key[0] = (unsigned char)kind->kind;
	memcpy(key + 1, req->target, tlen + 1);
	if (req->params_len > 0)
		memcpy(key + 2 + tlen, req->params, req->params_len);
	return key;
}

/* ag_dstate_check_new - a pending check for a request, in the table */
static ag_dstate_check_t *ag_dstate_check_new(ag_dstate_t *state,
                                              const ag_dstate_kind_t *kind,
                                              const char *domain,
                                              const ag_dstate_req_t *req,
                                              unsigned char *key, size_t len)
{
	ag_dstate_check_t *c;
	size_t slot;

	if (ag_dstate_reserve(state) < 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->domain = strdup(domain)) == NULL) {
		free(c);
		return NULL;
	}
	c->kind = kind;
	c->key = key;
	c->key_len = len;
	c->target = (const char *)key + 1;
	c->params = key + 2 + strlen(c->target);
	c->params_len = req->params_len;
	ag_dstateheap_node_init(&c->node);
	c->shown_state = AG_CHECK_PENDING;
	c->shown_reason = AG_R_COUNT;
	snprintf(c->name, sizeof(c->name), "%s", req->name);
	slot = ag_dstate_hash(key, len) & (state->nbuckets - 1);
	c->hnext = state->buckets[slot];
	state->buckets[slot] = c;
	state->stats.checks++;
	return c;
}

/* ag_dstate_evict - drop an idle check (in no heap, queue or hands) */
static void ag_dstate_evict(ag_dstate_t *state, ag_dstate_check_t *c)
{
	ag_dstate_check_t **p =
	    &state->buckets[ag_dstate_hash(c->key, c->key_len) &
	                    (state->nbuckets - 1)];

	while (*p != c)
		p = &(*p)->hnext;
	*p = c->hnext;
	state->stats.checks--;
	state->stats.evictions++;
	ag_dstate_check_free(c);
}

/* ag_dstate_view - the state a message sees now */
static void ag_dstate_view(const ag_dstate_t *state, const ag_dstate_check_t *c,
                           int64_t now, ag_check_result_t *view)
{
	if (!c->evaluated) {
		memset(view, 0, sizeof(*view));
		view->state = AG_CHECK_PENDING;
		view->reason = AG_R_DNS_TEMPERROR;
		snprintf(view->detail, sizeof(view->detail), "no answer yet");
	} else if (c->last.state != AG_CHECK_TEMPERROR) {
		*view = c->last;
	} else if (c->known &&
	           now < c->trouble_since + state->options.grace_period_s) {
		*view = c->good;
		snprintf(view->detail, sizeof(view->detail),
		         "%.120s (held during DNS trouble: %.100s)",
		         c->good.detail, c->last.detail);
	} else {
		*view = c->last;
		view->reason = AG_R_DNS_TEMPERROR;
	}
}

/* ag_dstate_publish - report a change of the visible state, once */
static void ag_dstate_publish(ag_dstate_t *state, ag_dstate_check_t *c,
                              int64_t now)
{
	ag_check_result_t view;
	ag_dstate_event_t event;

	ag_dstate_view(state, c, now, &view);
	if (view.state == c->shown_state &&
	    (view.state != AG_CHECK_FAIL || view.reason == c->shown_reason))
		return;
	event.check = c->name;
	event.domain = c->domain;
	event.target = c->target;
	event.from = c->shown_state;
	event.to = view.state;
	event.reason = view.state == AG_CHECK_PASS ? AG_R_COUNT : view.reason;
	event.detail = view.detail;
	c->shown_state = view.state;
	c->shown_reason = view.reason;
	state->stats.events++;
	if (state->hooks.event != NULL)
		state->hooks.event(state->hooks.event_arg, &event);
}

/* ag_dstate_interval - seconds until the refresh of an answer */
static int64_t ag_dstate_interval(const ag_dstate_options_t *o,
                                  const ag_check_result_t *result)
{
	uint64_t s;

	if (result->state == AG_CHECK_TEMPERROR)
		return o->retry_s;
	s = (uint64_t)result->ttl * o->refresh_percent / 100;
	if (s < o->refresh_min_s)
		s = o->refresh_min_s;
	if (s > o->refresh_max_s)
		s = o->refresh_max_s;
	return (int64_t)s;
}

/* ag_dstate_apply - take an evaluation's answer, schedule the next one */
static void ag_dstate_apply(ag_dstate_t *state, ag_dstate_check_t *c,
                            const ag_check_result_t *result, int64_t now)
{
	c->in_flight = 0;
	c->evaluated = 1;
	c->last = *result;
	if (result->state == AG_CHECK_TEMPERROR) {
		c->last.reason = AG_R_DNS_TEMPERROR;
		if (!c->in_trouble)
			c->trouble_since = now;
		c->in_trouble = 1;
	} else {
		if (result->state == AG_CHECK_PASS)
			c->last.reason = AG_R_COUNT;
		c->good = c->last;
		c->known = 1;
		c->in_trouble = 0;
	}
	c->node.due = now + ag_dstate_interval(&state->options, result);
	if (c->outcome != state->outcome)
		c->node.due = now; /* answered under options since replaced */
	ag_dstateheap_push(state->heap, &c->node);
	state->stats.in_flight--;
	state->stats.evaluations++;
	ag_dstate_publish(state, c, now);
	pthread_cond_broadcast(&state->done);
}

/* ag_dstate_evaluate - run one queued check without the lock */
static void ag_dstate_evaluate(ag_dstate_worker_t *w, ag_dstate_check_t *c)
{
	ag_dstate_t *state = w->state;
	ag_dstate_options_t options = state->options;
	ag_dstate_env_t env = {state->resolver, &options};
	ag_check_result_t result;

	c->outcome = state->outcome;
	w->generation = (long)state->generation;
	pthread_mutex_unlock(&state->lock);
	memset(&result, 0, sizeof(result));
	result.state = AG_CHECK_TEMPERROR;
	result.reason = AG_R_DNS_TEMPERROR;
	c->kind->evaluate(&env, c->target, c->params, c->params_len, &result);
	if (result.state == AG_CHECK_PENDING) /* a kind's bug: not a pass */
		result.state = AG_CHECK_TEMPERROR;
	pthread_mutex_lock(&state->lock);
	w->generation = AG_DSTATE_IDLE_WORKER;
	ag_dstate_apply(state, c, &result, ag_dstate_now(state));
}

/* ag_dstate_worker_main - take queued checks until stopped */
static void *ag_dstate_worker_main(void *arg)
{
	ag_dstate_worker_t *w = arg;
	ag_dstate_t *state = w->state;

	pthread_mutex_lock(&state->lock);
	for (;;) {
		ag_dstate_check_t *c = NULL;
		int background;

		while (!state->stopping && (c = ag_dstate_next(state)) == NULL)
			pthread_cond_wait(&state->work, &state->lock);
		if (state->stopping) {
			if (c != NULL && c->background)
				state->background_running--;
			break;
		}
		background = c->background;
		ag_dstate_evaluate(w, c);
		if (background) {
			/* a background slot is free: another worker may go */
			state->background_running--;
			pthread_cond_signal(&state->work);
		}
	}
	pthread_mutex_unlock(&state->lock);
	return NULL;
}

/* ag_dstate_check_of - the check a refresh-queue node is embedded in */
static ag_dstate_check_t *ag_dstate_check_of(ag_dstateheap_node_t *node)
{
	return (ag_dstate_check_t *)((char *)node -
	                             offsetof(ag_dstate_check_t, node));
}

/* ag_dstate_run_due - refresh or drop every check that is due */
static void ag_dstate_run_due(ag_dstate_t *state, int64_t now)
{
	ag_dstateheap_node_t *first;

	while ((first = ag_dstateheap_first(state->heap)) != NULL &&
	       first->due <= now) {
		ag_dstate_check_t *c = ag_dstate_check_of(first);
		if (c->users == 0 &&
		    now - c->last_used >= (int64_t)state->options.idle_s) {
			ag_dstateheap_remove(state->heap, first);
			ag_dstate_evict(state, c);
		} else {
			ag_dstate_start(state, c);
		}
	}
}

/* ag_dstate_scheduler_main - start due refreshes, drop idle checks */
static void *ag_dstate_scheduler_main(void *arg)
{
	ag_dstate_t *state = arg;

	pthread_mutex_lock(&state->lock);
	while (!state->stopping) {
		struct timespec wake = ag_dstate_deadline(AG_DSTATE_TICK_MS);
		ag_dstate_run_due(state, ag_dstate_now(state));
		pthread_cond_timedwait(&state->tick, &state->lock, &wake);
	}
	pthread_mutex_unlock(&state->lock);
	return NULL;
}

/* ag_dstate_init_sync - the mutex and monotonic conditions */
static int ag_dstate_init_sync(ag_dstate_t *state)
{
	pthread_condattr_t attr;
	int rc = 0;

	if (pthread_condattr_init(&attr) != 0)
		return -1;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	rc |= pthread_mutex_init(&state->lock, NULL);
	rc |= pthread_cond_init(&state->work, &attr);
	rc |= pthread_cond_init(&state->done, &attr);
	rc |= pthread_cond_init(&state->tick, &attr);
	pthread_condattr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}

/* ag_dstate_start_threads - workers and scheduler; -1 if one failed */
static int ag_dstate_start_threads(ag_dstate_t *state)
{
	for (unsigned i = 0; i < state->options.workers; i++) {
		ag_dstate_worker_t *w = &state->workers[i];
		w->state = state;
		w->generation = AG_DSTATE_IDLE_WORKER;
		if (pthread_create(&w->thread, NULL, ag_dstate_worker_main,
		                   w) != 0)
			return -1;
		state->nworkers++;
	}
	if (pthread_create(&state->scheduler, NULL, ag_dstate_scheduler_main,
	                   state) != 0)
		return -1;
	state->scheduler_started = 1;
	return 0;
}

/* ag_dstate_create - start the service */
ag_dstate_t *ag_dstate_create(ag_resolver_t *resolver,
                              const ag_dstate_options_t *options,
                              const ag_dstate_hooks_t *hooks)
{
	ag_dstate_t *state = calloc(1, sizeof(*state));

	if (state == NULL)
		return NULL;
	if (ag_dstate_init_sync(state) < 0) {
		free(state);
		return NULL;
	}
	state->resolver = resolver;
	state->options = *options;
	if (state->options.workers == 0)
		state->options.workers = 1;
	if (state->options.workers > AG_DSTATE_MAX_WORKERS)
		state->options.workers = AG_DSTATE_MAX_WORKERS;
	if (hooks != NULL)
		state->hooks = *hooks;
	state->nbuckets = 64;
	state->buckets = calloc(state->nbuckets, sizeof(*state->buckets));
	state->heap = ag_dstateheap_create(state->nbuckets);
	state->workers =
	    calloc(state->options.workers, sizeof(*state->workers));
	if (state->buckets == NULL || state->heap == NULL ||
	    state->workers == NULL || ag_dstate_start_threads(state) < 0)
		return ag_dstate_destroy(state);
	return state;
}

/* ag_dstate_destroy - stop and join every thread, free */
ag_dstate_t *ag_dstate_destroy(ag_dstate_t *state)
{
	if (state == NULL)
		return NULL;
	pthread_mutex_lock(&state->lock);
	state->stopping = 1;
	pthread_cond_broadcast(&state->work);
	pthread_cond_broadcast(&state->tick);
	pthread_mutex_unlock(&state->lock);
	for (unsigned i = 0; i < state->nworkers; i++)
		pthread_join(state->workers[i].thread, NULL);
	if (state->scheduler_started)
		pthread_join(state->scheduler, NULL);
	for (size_t i = 0; state->buckets != NULL && i < state->nbuckets; i++) {
		ag_dstate_check_t *c = state->buckets[i], *next;
		for (; c != NULL; c = next) {
			next = c->hnext;
			ag_dstate_check_free(c);
		}
	}
	free(state->buckets);
	ag_dstateheap_destroy(state->heap);
	free(state->workers);
	pthread_cond_destroy(&state->work);
	pthread_cond_destroy(&state->done);
	pthread_cond_destroy(&state->tick);
	pthread_mutex_destroy(&state->lock);
	free(state);
	return NULL;
}

/* ag_dstate_register - add a kind */
int ag_dstate_register(ag_dstate_t *state, const ag_dstate_kind_t *kind)
{
	int rc = 0;

	pthread_mutex_lock(&state->lock);
	for (size_t i = 0; i < state->nkinds; i++)
		if (state->kinds[i]->kind == kind->kind)
			rc = -1;
	if (rc == 0 && state->nkinds < AG_DSTATE_MAX_KINDS)
		state->kinds[state->nkinds++] = kind;
	else
		rc = -1;
	pthread_mutex_unlock(&state->lock);
	return rc;
}

/* A planned check of one message: which kind, and the request. */
typedef struct ag_dstate_plan {
	size_t count;
	const ag_dstate_kind_t *kinds[AG_MAX_CHECKS];
	ag_dstate_req_t reqs[AG_MAX_CHECKS];
	ag_dstate_check_t *checks[AG_MAX_CHECKS];
} ag_dstate_plan_t;

/* ag_dstate_plan - every registered kind's checks for a subject */
static void ag_dstate_plan(const ag_dstate_t *state,
                           const ag_dstate_subject_t *subject,
                           ag_dstate_plan_t *plan)
{
	plan->count = 0;
	for (size_t k = 0; k < state->nkinds; k++) {
		size_t room = AG_MAX_CHECKS - plan->count;
		size_t n = state->kinds[k]->plan(
		    subject, plan->reqs + plan->count, room);
		if (n > room)
			n = room;
		for (size_t i = 0; i < n; i++)
			plan->kinds[plan->count + i] = state->kinds[k];
		plan->count += n;
	}
}

/* ag_dstate_touch - find or make a check, start it if new or due */
static ag_dstate_check_t *
ag_dstate_touch(ag_dstate_t *state, const ag_dstate_kind_t *kind,
                const char *domain, const ag_dstate_req_t *req, int64_t now)
{
	size_t len;
	unsigned char *key = ag_dstate_check_key(kind, req, &len);
	ag_dstate_check_t *c;

	if (key == NULL)
		return NULL;
	if ((c = ag_dstate_find(state, key, len)) != NULL) {
		free(key);
	} else if ((c = ag_dstate_check_new(state, kind, domain, req, key,
	                                    len)) == NULL) {
		free(key);
		return NULL;
	}
	c->last_used = now;
	if (!c->in_flight && (!c->evaluated || c->node.due <= now))
		ag_dstate_start(state, c);
	return c;
}

/* ag_dstate_touch_all - touch every planned check; hold them if asked */
static void ag_dstate_touch_all(ag_dstate_t *state,
                                const ag_dstate_subject_t *subject,
                                ag_dstate_plan_t *plan, int hold)
{
	int64_t now = ag_dstate_now(state);

	for (size_t i = 0; i < plan->count; i++) {
		ag_dstate_check_t *c = ag_dstate_touch(state, plan->kinds[i],
		                                       subject->entry->domain,
		                                       &plan->reqs[i], now);
		plan->checks[i] = c;
		if (c != NULL && hold)
			c->users++;
	}
}

/* ag_dstate_prefetch - start a subject's new and due checks */
void ag_dstate_prefetch(ag_dstate_t *state, const ag_dstate_subject_t *subject)
{
	ag_dstate_plan_t plan;

	pthread_mutex_lock(&state->lock);
	ag_dstate_plan(state, subject, &plan);
	ag_dstate_touch_all(state, subject, &plan, 0);
	pthread_mutex_unlock(&state->lock);
}

/* ag_dstate_wait - wait for a first answer until the deadline */
static void ag_dstate_wait(ag_dstate_t *state, const ag_dstate_check_t *c,
                           const struct timespec *deadline)
{
	while (!c->evaluated && deadline != NULL &&
	       pthread_cond_timedwait(&state->done, &state->lock, deadline) ==
	           0)
		;
}

/* ag_dstate_fact - a check's fact as this message sees it */
static void ag_dstate_fact(ag_dstate_t *state, ag_dstate_check_t *c,
                           const ag_dstate_kind_t *kind,
                           const ag_dstate_req_t *req, int64_t now,
                           ag_check_fact_t *fact)
{
	ag_check_result_t view;

	if (c == NULL) {
		memset(&view, 0, sizeof(view));
		view.state = AG_CHECK_TEMPERROR;
		view.reason = AG_R_DNS_TEMPERROR;
		snprintf(view.detail, sizeof(view.detail), "out of memory");
	} else {
		ag_dstate_publish(state, c, now);
		ag_dstate_view(state, c, now, &view);
	}
	fact->kind = kind->kind;
	snprintf(fact->name, sizeof(fact->name), "%s", req->name);
	fact->state = view.state;
	fact->reason = view.reason;
	memcpy(fact->detail, view.detail, sizeof(fact->detail));
	fact->dmarc = view.dmarc;
}

/* ag_dstate_collect - one fact per check, waiting at most until deadline */
size_t ag_dstate_collect(ag_dstate_t *state, const ag_dstate_subject_t *subject,
                         const struct timespec *deadline, ag_dns_facts_t *facts)
{
	ag_dstate_plan_t plan;

	pthread_mutex_lock(&state->lock);
	ag_dstate_plan(state, subject, &plan);
	ag_dstate_touch_all(state, subject, &plan, 1);
	for (size_t i = 0; i < plan.count; i++) {
		ag_dstate_check_t *c = plan.checks[i];
		if (c != NULL)
			ag_dstate_wait(state, c, deadline);
		ag_dstate_fact(state, c, plan.kinds[i], &plan.reqs[i],
		               ag_dstate_now(state), &facts->checks[i]);
		if (c != NULL)
			c->users--;
	}
	pthread_mutex_unlock(&state->lock);
	facts->count = plan.count;
	facts->dkim_any = subject->entry->dkim_any;
	return plan.count;
}

/* ag_dstate_old_busy - whether a worker still uses the old resolver */
static int ag_dstate_old_busy(const ag_dstate_t *state)
{
	for (unsigned i = 0; i < state->nworkers; i++)
		if (state->workers[i].generation != AG_DSTATE_IDLE_WORKER &&
		    state->workers[i].generation != (long)state->generation)
			return 1;
	return 0;
}

/* ag_dstate_reconfigure - another resolver and options */
void ag_dstate_reconfigure(ag_dstate_t *state, ag_resolver_t *resolver,
                           const ag_dstate_options_t *options)
{
	unsigned workers;

	pthread_mutex_lock(&state->lock);
	state->generation++;
	state->resolver = resolver;
	if (ag_dstate_options_differ(&state->options, options)) {
		int64_t now = ag_dstate_now(state);
		state->outcome++;
		ag_dstateheap_due_all(state->heap, now);
		pthread_cond_broadcast(&state->tick);
	}
	workers = state->options.workers;
	state->options = *options;
	state->options.workers = workers; /* fixed at creation */
	while (ag_dstate_old_busy(state))
		pthread_cond_wait(&state->done, &state->lock);
	pthread_mutex_unlock(&state->lock);
}

/* ag_dstate_poke - make the scheduler look at the clock now */
void ag_dstate_poke(ag_dstate_t *state)
{
	pthread_mutex_lock(&state->lock);
	pthread_cond_broadcast(&state->tick);
	pthread_mutex_unlock(&state->lock);
}

/* ag_dstate_stats - counters */
void ag_dstate_stats(ag_dstate_t *state, ag_dstate_stats_t *stats)
{
	pthread_mutex_lock(&state->lock);
	*stats = state->stats;
	pthread_mutex_unlock(&state->lock);
}
