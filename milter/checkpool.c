/*
 * checkpool.c - concurrent checks, ordered output (see checkpool.h).
 *
 * One mutex guards the next index to take, the slots of finished reports
 * and the index to emit next; `ready` wakes the emitting thread when a
 * report is done, `room` wakes workers when the window moves on.
 */
#include "checkpool.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define AG_CHECK_POOL_TICK_MS 200

typedef struct ag_check_pool {
	const ag_check_ctx_t *ctx;
	const char *const *domains;
	size_t count;
	size_t window;
	ag_check_report_t **slots;
	unsigned char *done; /* slot i finished (report or failure) */
	size_t next;         /* next domain to take */
	size_t emitted;      /* next domain to emit */
	int failed;
	struct timespec shown; /* when progress was last reported */
	pthread_mutex_t lock;
	pthread_cond_t ready;
	pthread_cond_t room;
} ag_check_pool_t;

/* ag_check_pool_take - the next domain to check, or count when none */
static size_t ag_check_pool_take(ag_check_pool_t *pool)
{
	size_t i;

	pthread_mutex_lock(&pool->lock);
	while (pool->next < pool->count &&
	       pool->next >= pool->emitted + pool->window)
		pthread_cond_wait(&pool->room, &pool->lock);
	i = pool->next < pool->count ? pool->next++ : pool->count;
	pthread_mutex_unlock(&pool->lock);
	return i;
}

/* ag_check_pool_worker - check domains until none is left */
static void *ag_check_pool_worker(void *arg)
{
	ag_check_pool_t *pool = arg;
	size_t i;

	while ((i = ag_check_pool_take(pool)) < pool->count) {
		ag_check_report_t *report =
		    ag_check_domain(pool->ctx, pool->domains[i]);

		pthread_mutex_lock(&pool->lock);
		pool->slots[i] = report;
		pool->done[i] = 1;
		pthread_cond_broadcast(&pool->ready);
		pthread_mutex_unlock(&pool->lock);
	}
	return NULL;
}

/* ag_check_pool_tick - the absolute time one tick from now */
static struct timespec ag_check_pool_tick(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += AG_CHECK_POOL_TICK_MS * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* ag_check_pool_progress - report progress at most once a tick */
static void ag_check_pool_progress(ag_check_pool_t *pool, size_t done,
                                   const ag_check_pool_opts_t *opts)
{
	struct timespec now;
	long ms;

	if (opts->progress == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - pool->shown.tv_sec) * 1000L +
	     (now.tv_nsec - pool->shown.tv_nsec) / 1000000L;
	if (ms < AG_CHECK_POOL_TICK_MS)
		return;
	pool->shown = now;
	opts->progress(opts->arg, done, pool->count);
}

/* ag_check_pool_wait - the report of domain i, once done */
static ag_check_report_t *ag_check_pool_wait(ag_check_pool_t *pool, size_t i,
                                             const ag_check_pool_opts_t *opts)
{
	ag_check_report_t *report;

	pthread_mutex_lock(&pool->lock);
	while (!pool->done[i]) {
		struct timespec tick = ag_check_pool_tick();

		if (pthread_cond_timedwait(&pool->ready, &pool->lock, &tick) !=
		    0) {
			pthread_mutex_unlock(&pool->lock);
			ag_check_pool_progress(pool, i, opts);
			pthread_mutex_lock(&pool->lock);
		}
	}
	report = pool->slots[i];
	pool->slots[i] = NULL;
	pool->emitted = i + 1;
	pthread_cond_broadcast(&pool->room);
	pthread_mutex_unlock(&pool->lock);
	return report;
}

/* ag_check_pool_emit_all - emit every report in order */
static void ag_check_pool_emit_all(ag_check_pool_t *pool,
                                   const ag_check_pool_opts_t *opts)
{
	for (size_t i = 0; i < pool->count; i++) {
		ag_check_report_t *report = ag_check_pool_wait(pool, i, opts);

		if (report == NULL)
			pool->failed = 1;
		else
			opts->emit(opts->arg, report);
		ag_check_report_free(report);
		ag_check_pool_progress(pool, i + 1, opts);
	}
}

/* ag_check_pool_init - the shared state; -1 when out of memory */
static int ag_check_pool_init(ag_check_pool_t *pool, size_t count,
                              const ag_check_pool_opts_t *opts)
{
	pool->count = count;
	pool->window = opts->window > 0 ? opts->window : 4 * (size_t)opts->jobs;
	pool->slots = calloc(count + 1, sizeof(*pool->slots));
	pool->done = calloc(count + 1, 1);
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->ready, NULL);
	pthread_cond_init(&pool->room, NULL);
	clock_gettime(CLOCK_MONOTONIC, &pool->shown);
	return pool->slots != NULL && pool->done != NULL ? 0 : -1;
}

/* ag_check_pool_fini - release the shared state */
static void ag_check_pool_fini(ag_check_pool_t *pool)
{
	for (size_t i = 0; pool->slots != NULL && i < pool->count; i++)
		ag_check_report_free(pool->slots[i]);
	free(pool->slots);
	free(pool->done);
	pthread_cond_destroy(&pool->room);
	pthread_cond_destroy(&pool->ready);
	pthread_mutex_destroy(&pool->lock);
}

/* ag_check_pool_stop - let no worker take another domain */
static void ag_check_pool_stop(ag_check_pool_t *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->count = pool->next;
	pthread_cond_broadcast(&pool->room);
	pthread_mutex_unlock(&pool->lock);
}

/* ag_check_pool_run - check every domain, emit in order */
int ag_check_pool_run(const ag_check_ctx_t *ctx, const char *const *domains,
                      size_t count, const ag_check_pool_opts_t *opts)
{
	ag_check_pool_t pool = {.ctx = ctx, .domains = domains};
	unsigned jobs = opts->jobs > 0 ? opts->jobs : 1;
	pthread_t *threads = calloc(jobs, sizeof(*threads));
	unsigned started = 0;

	if (ag_check_pool_init(&pool, count, opts) != 0 || threads == NULL)
		pool.failed = 1;
	while (!pool.failed && started < jobs) {
		if (pthread_create(&threads[started], NULL,
		                   ag_check_pool_worker, &pool) != 0)
			pool.failed = 1;
		else
			started++;
	}
	if (pool.failed)
		ag_check_pool_stop(&pool);
	else
		ag_check_pool_emit_all(&pool, opts);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	ag_check_pool_fini(&pool);
	free(threads);
	return pool.failed ? -1 : 0;
}
