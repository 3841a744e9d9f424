/*
 * resolver.c - the c-ares resolver back-end of dns.h (see resolver.h).
 *
 * Callers run ag_resolver_cares_query() on their own threads: under one mutex
 * they look in the cache, then join the pending query for their key or
 * start one, and sleep on its condition variable until it is done or their
 * deadline passes. The pending query lives on after a caller gives up; the
 * event thread (dnsloop.c) ends it by parsing the reply, asking a CNAME
 * target next when the chain calls for it, and finally storing the answer
 * in the cache and waking every waiter. A pending query is freed by
 * whoever drops the last reference: the event thread or the last waiter.
 */
#include "resolver.h"
#include "dnscache.h"
#include "dnsloop.h"
#include "dnsparse.h"
#include "dnswire.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define AG_RESOLVER_BUCKETS 256

typedef struct ag_resolver_cares ag_resolver_cares_t;

/* One outgoing query and everyone waiting for it. */
typedef struct ag_resolver_pending {
	ag_dnsloop_job_t job;
	struct ag_resolver_pending *chain; /* in-flight bucket */
	ag_resolver_cares_t *owner;
	pthread_cond_t cond;
	unsigned refs; /* waiters, plus one while in flight */
	int done;
	int type;
	uint32_t hash;
	unsigned hops; /* CNAME targets asked so far */
	uint32_t chain_ttl;
	ag_dns_answer_t *answer;
	char *asked[AG_RESOLVER_REQUERIES + 1]; /* [0] is the key */
} ag_resolver_pending_t;

struct ag_resolver_cares {
	ag_resolver_t base;
	pthread_mutex_t lock; /* guards all below but loop */
	pthread_condattr_t condattr;
	ag_dnsloop_t *loop;
	ag_dnscache_t *cache;
	ag_resolver_pending_t *inflight[AG_RESOLVER_BUCKETS];
	ag_resolver_stats_t stats;
	unsigned timeout_ms;
	unsigned tempfail_ttl;
	ag_resolver_clock_t clock;
	void *clock_arg;
};

static ag_dns_answer_t *ag_resolver_cares_query(ag_resolver_t *base,
                                                const char *name, int type,
                                                unsigned timeout_ms);
static void ag_resolver_cares_destroy(ag_resolver_t *base);

static const ag_resolver_ops_t ag_resolver_cares_ops = {
    .query = ag_resolver_cares_query,
    .destroy = ag_resolver_cares_destroy,
};

/* ag_resolver_options_init - defaults, system nameservers */
void ag_resolver_options_init(ag_resolver_options_t *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->timeout_ms = AG_RESOLVER_TIMEOUT_MS;
	opts->retries = AG_RESOLVER_RETRIES;
	opts->cache_size = AG_RESOLVER_CACHE_SIZE;
	opts->edns_size = AG_RESOLVER_EDNS_SIZE;
}

/* ag_resolver_monotonic - CLOCK_MONOTONIC in milliseconds */
static uint64_t ag_resolver_monotonic(void *arg)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ag_resolver_now - the TTL clock */
static uint64_t ag_resolver_now(const ag_resolver_cares_t *r)
{
	return r->clock(r->clock_arg);
}

/* ag_resolver_deadline - CLOCK_MONOTONIC time ms from now */
static void ag_resolver_deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* ag_resolver_pending_release - drop one reference (lock held) */
static void ag_resolver_pending_release(ag_resolver_pending_t *p)
{
	if (--p->refs > 0)
		return;
	ag_dns_answer_free(p->answer);
	for (unsigned i = 0; i <= p->hops; i++)
		free(p->asked[i]);
	pthread_cond_destroy(&p->cond);
	free(p);
}

/* ag_resolver_bucket - the in-flight bucket of a hash */
static ag_resolver_pending_t **ag_resolver_bucket(ag_resolver_cares_t *r,
                                                  uint32_t hash)
{
	return &r->inflight[hash % AG_RESOLVER_BUCKETS];
}

/* ag_resolver_unlink - take a query out of the in-flight table */
static void ag_resolver_unlink(ag_resolver_cares_t *r, ag_resolver_pending_t *p)
{
	ag_resolver_pending_t **link = ag_resolver_bucket(r, p->hash);

	while (*link != NULL && *link != p)
		link = &(*link)->chain;
	if (*link == p)
		*link = p->chain;
}

/* ag_resolver_count - count how a query ended (lock held) */
static void ag_resolver_count(ag_resolver_stats_t *stats,
                              ag_dnsloop_kind_t kind,
                              const ag_dns_answer_t *answer)
{
	if (kind == AG_DNSLOOP_TIMEOUT)
		stats->timeouts++;
	else if (kind == AG_DNSLOOP_SERVFAIL)
		stats->servfail++;
	else if (kind == AG_DNSLOOP_REFUSED)
		stats->refused++;
	else if (answer != NULL && answer->status == AG_DNS_NXDOMAIN)
		stats->nxdomain++;
	else if (answer == NULL || answer->status == AG_DNS_TEMPFAIL)
		stats->other_failures++;
}

/* ag_resolver_finish - cache the answer, wake the waiters (event thread) */
static void ag_resolver_finish(ag_resolver_pending_t *p,
                               ag_dns_answer_t *answer, ag_dnsloop_kind_t kind)
{
	ag_resolver_cares_t *r = p->owner;

	pthread_mutex_lock(&r->lock);
	ag_resolver_count(&r->stats, kind, answer);
	if (answer != NULL)
		(void)ag_dnscache_put(r->cache, p->asked[0], p->type, answer,
		                      answer->status == AG_DNS_TEMPFAIL
		                          ? r->tempfail_ttl
		                          : answer->ttl,
		                      ag_resolver_now(r));
	ag_resolver_unlink(r, p);
	p->answer = answer;
	p->done = 1;
	pthread_cond_broadcast(&p->cond);
	ag_resolver_pending_release(p);
	pthread_mutex_unlock(&r->lock);
}

/* ag_resolver_requery - ask the end of a CNAME chain; error text or NULL */
static const char *ag_resolver_requery(ag_resolver_pending_t *p,
                                       const char *next)
{
	ag_resolver_cares_t *r = p->owner;

	for (unsigned i = 0; i <= p->hops; i++)
		if (strcasecmp(p->asked[i], next) == 0)
			return "cname loop";
	if (p->hops >= AG_RESOLVER_REQUERIES)
		return "cname chain too long";
	if ((p->asked[p->hops + 1] = strdup(next)) == NULL)
		return "out of memory";
	p->job.name = p->asked[++p->hops];
	pthread_mutex_lock(&r->lock);
	r->stats.queries_sent++;
	pthread_mutex_unlock(&r->lock);
	ag_dnsloop_submit(r->loop, &p->job);
	return NULL;
}

/* ag_resolver_read - parse a reply; 1 when a CNAME target was asked
 * instead, else 0 with *answer set (NULL: out of memory) */
static int ag_resolver_read(ag_resolver_pending_t *p,
                            const ag_dnsloop_result_t *result,
                            ag_dnsloop_kind_t *kind, ag_dns_answer_t **answer)
{
	ag_dns_reply_t reply;
	const char *error;

	*answer = NULL;
	if (ag_dns_parse_reply(result->reply, result->len, p->job.name, p->type,
	                       &reply) < 0)
		return 0;
	if (reply.rcode == 2)
		*kind = AG_DNSLOOP_SERVFAIL;
	else if (reply.rcode == 5)
		*kind = AG_DNSLOOP_REFUSED;
	if (reply.chain_ttl < p->chain_ttl)
		p->chain_ttl = reply.chain_ttl;
	if ((*answer = reply.answer) != NULL) {
		if ((*answer)->ttl > p->chain_ttl)
			(*answer)->ttl = p->chain_ttl;
		return 0;
	}
	if ((error = ag_resolver_requery(p, reply.next)) == NULL)
		return 1;
	*answer = ag_dns_answer_fail(error);
	return 0;
}

/* ag_resolver_on_done - the event thread ends one query */
static void ag_resolver_on_done(ag_dnsloop_job_t *job,
                                const ag_dnsloop_result_t *result)
{
	ag_resolver_pending_t *p = job->arg;
	ag_dnsloop_kind_t kind = result->kind;
	ag_dns_answer_t *answer;

	if (kind != AG_DNSLOOP_REPLY)
		answer = ag_dns_answer_fail(result->error);
	else if (ag_resolver_read(p, result, &kind, &answer) == 1)
		return;
	ag_resolver_finish(p, answer, kind);
}

/* ag_resolver_pending_new - a query for key, one reference for the asker
 * and one for the event thread */
static ag_resolver_pending_t *ag_resolver_pending_new(ag_resolver_cares_t *r,
                                                      const char *key, int type,
                                                      uint32_t hash)
{
	ag_resolver_pending_t *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	if ((p->asked[0] = strdup(key)) == NULL ||
	    pthread_cond_init(&p->cond, &r->condattr) != 0) {
		free(p->asked[0]);
		free(p);
		return NULL;
	}
	p->owner = r;
	p->refs = 2;
	p->type = type;
	p->hash = hash;
	p->chain_ttl = UINT32_MAX;
	p->job.name = p->asked[0];
	p->job.type = type;
	p->job.done = ag_resolver_on_done;
	p->job.arg = p;
	return p;
}

/* ag_resolver_join - the pending query for a key, started if need be
 * (lock held); NULL when out of memory */
static ag_resolver_pending_t *ag_resolver_join(ag_resolver_cares_t *r,
                                               const char *key, int type)
{
	uint32_t hash = ag_dnscache_hash(key, type);
	ag_resolver_pending_t **bucket = ag_resolver_bucket(r, hash), *p;

	for (p = *bucket; p != NULL; p = p->chain)
		if (p->hash == hash && p->type == type &&
		    strcmp(p->asked[0], key) == 0) {
			p->refs++;
			r->stats.inflight_joins++;
			return p;
		}
	if ((p = ag_resolver_pending_new(r, key, type, hash)) == NULL)
		return NULL;
	p->chain = *bucket;
	*bucket = p;
	r->stats.queries_sent++;
	ag_dnsloop_submit(r->loop, &p->job);
	return p;
}

/* ag_resolver_wait - sleep until the query is done or the deadline
 * (lock held); the caller's copy of the answer */
static ag_dns_answer_t *ag_resolver_wait(ag_resolver_cares_t *r,
                                         ag_resolver_pending_t *p,
                                         const struct timespec *deadline)
{
	ag_dns_answer_t *answer;
	int rc = 0;

	while (!p->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->cond, &r->lock, deadline);
	if (p->done) {
		answer =
		    p->answer != NULL ? ag_dns_answer_copy(p->answer) : NULL;
	} else {
		answer = ag_dns_answer_fail("timeout");
		r->stats.deadline_expired++;
	}
	ag_resolver_pending_release(p);
	return answer;
}

/* ag_resolver_cached - 1 and a copy on a hit, 0 on a miss, -1 out of
 * memory (lock held) */
static int ag_resolver_cached(ag_resolver_cares_t *r, const char *key, int type,
                              ag_dns_answer_t **answer)
{
	int rc =
	    ag_dnscache_get(r->cache, key, type, ag_resolver_now(r), answer);

	if (rc == 1)
		r->stats.cache_hits++;
	else if (rc == 0)
		r->stats.cache_misses++;
	return rc;
}

/* ag_resolver_type_ok - whether the parser knows the type */
static int ag_resolver_type_ok(int type)
{
	static const int known[] = {AG_DNS_A,   AG_DNS_NS,  AG_DNS_CNAME,
	                            AG_DNS_SOA, AG_DNS_PTR, AG_DNS_MX,
	                            AG_DNS_TXT, AG_DNS_AAAA};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (type == known[i])
			return 1;
	return 0;
}

/* ag_resolver_invalid - the answer for a name DNS cannot hold */
static ag_dns_answer_t *ag_resolver_invalid(void)
{
	ag_dns_answer_t *answer = ag_dns_answer_new(AG_DNS_NXDOMAIN);

	if (answer != NULL)
		answer->error = "invalid name";
	return answer;
}

/* ag_resolver_cares_query - look up (name, type) for the caller */
static ag_dns_answer_t *ag_resolver_cares_query(ag_resolver_t *base,
                                                const char *name, int type,
                                                unsigned timeout_ms)
{
	ag_resolver_cares_t *r = (ag_resolver_cares_t *)base;
	char key[AG_DNS_NAME_TEXT_MAX + 1];
	struct timespec deadline;
	ag_dns_answer_t *answer = NULL;
	ag_resolver_pending_t *p;

	if (!ag_resolver_type_ok(type))
		return ag_dns_answer_fail("unsupported type");
	if (name == NULL || ag_dns_name_normalize(name, key, sizeof(key)) < 0)
		return ag_resolver_invalid();
	ag_resolver_deadline(&deadline,
	                     timeout_ms > 0 ? timeout_ms : r->timeout_ms);
	pthread_mutex_lock(&r->lock);
	if (ag_resolver_cached(r, key, type, &answer) == 0 &&
	    (p = ag_resolver_join(r, key, type)) != NULL)
		answer = ag_resolver_wait(r, p, &deadline);
	pthread_mutex_unlock(&r->lock);
	return answer;
}

/* ag_resolver_stats - a snapshot of the counters */
int ag_resolver_stats(ag_resolver_t *resolver, ag_resolver_stats_t *stats)
{
	ag_resolver_cares_t *r = (ag_resolver_cares_t *)resolver;

	memset(stats, 0, sizeof(*stats));
	if (resolver == NULL || resolver->ops != &ag_resolver_cares_ops)
		return -1;
	pthread_mutex_lock(&r->lock);
	*stats = r->stats;
	stats->cache_entries = ag_dnscache_count(r->cache);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

/* ag_resolver_check - options out of range; 0 or -1 with err */
static int ag_resolver_check(const ag_resolver_options_t *opts, char *err,
                             size_t errsize)
{
	const char *what = NULL;

	if (opts->timeout_ms < 1 || opts->timeout_ms > 600000)
		what = "timeout: 1 to 600000 ms";
	else if (opts->retries > 5)
		what = "retries: 0 to 5";
	else if (opts->edns_size != 0 &&
	         (opts->edns_size < 512 || opts->edns_size > 4096))
		what = "EDNS size: 0 (off) or 512 to 4096";
	else if (opts->tempfail_ttl > 3600)
		what = "TEMPFAIL TTL: 0 to 3600 s";
	if (what != NULL)
		snprintf(err, errsize, "%s", what);
	return what != NULL ? -1 : 0;
}

/* ag_resolver_create - a resolver with its event thread */
ag_resolver_t *ag_resolver_create(const ag_resolver_options_t *opts, char *err,
                                  size_t errsize)
{
	ag_resolver_cares_t *r;

	if (ag_resolver_check(opts, err, errsize) < 0)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	r->base.ops = &ag_resolver_cares_ops;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&r->condattr);
	pthread_condattr_setclock(&r->condattr, CLOCK_MONOTONIC);
	r->timeout_ms = opts->timeout_ms;
	r->tempfail_ttl = opts->tempfail_ttl;
	r->clock = opts->clock != NULL ? opts->clock : ag_resolver_monotonic;
	r->clock_arg = opts->clock_arg;
	if ((r->cache = ag_dnscache_create(opts->cache_size)) == NULL)
		snprintf(err, errsize, "out of memory");
	else
		r->loop = ag_dnsloop_create(opts->nameservers, opts->timeout_ms,
		                            opts->retries, opts->edns_size, err,
		                            errsize);
	if (r->loop == NULL) {
		ag_resolver_cares_destroy(&r->base);
		return NULL;
	}
	return &r->base;
}

/* ag_resolver_cares_destroy - end queries in flight, join the thread, free */
static void ag_resolver_cares_destroy(ag_resolver_t *base)
{
	ag_resolver_cares_t *r = (ag_resolver_cares_t *)base;

	r->loop = ag_dnsloop_destroy(r->loop);
	r->cache = ag_dnscache_destroy(r->cache);
	pthread_condattr_destroy(&r->condattr);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
