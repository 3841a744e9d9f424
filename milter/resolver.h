/*
 * resolver.h - the production resolver: c-ares behind the dns.h interface.
 *
 * ag_resolver_create() returns an ag_resolver_t (dns.h) whose query() may
 * be called from any number of threads at once. Each call blocks until its
 * answer or its own deadline, whichever comes first; a caller whose
 * deadline passes gets TEMPFAIL "timeout" while the query goes on and
 * fills the cache for the next asker.
 *
 * Behind it: one c-ares channel driven by one event thread (dnsloop.h),
 * replies parsed by our own bounds-checked parser (dnsparse.h), a bounded
 * LRU cache of positive and negative answers (dnscache.h) and in-flight
 * de-duplication: every concurrent asker of one (name, type) waits on the
 * same outgoing query. Names are matched without regard to ASCII case.
 *
 * Answers and their lifetimes:
 * - OK is cached for the smallest TTL of its records and of the CNAMEs
 *   that led to them; NXDOMAIN and NODATA for the negative TTL of RFC 2308
 *   (dnsparse.h gives the caps and the default).
 * - TEMPFAIL is cached for tempfail_ttl seconds, by default 0: not at
 *   all. Its error text is one of: "timeout" (no reply in time, or the
 *   caller's deadline), "servfail", "refused", "formerr", "notimp",
 *   "bad rcode", "truncated" (TC set even over TCP), "malformed reply",
 *   "short reply", "not a reply", "question mismatch", "referral" (the
 *   server is not recursive), "cname loop", "cname chain too long",
 *   "connection refused", "unsupported type", "out of memory",
 *   "resolver error", "shutdown".
 * - A CNAME chain is followed inside each reply; when it ends at a name
 *   with neither data nor an SOA, that name is asked in turn, at most
 *   AG_RESOLVER_REQUERIES times; a name asked twice is a "cname loop".
 * - A name that cannot exist in DNS (empty label, label over 63 octets,
 *   name over 255 octets) is NXDOMAIN with error "invalid name", TTL 0;
 *   a type outside dns.h is TEMPFAIL "unsupported type". Neither is sent.
 *
 * TTLs count on the clock given in the options (milliseconds, monotonic;
 * default CLOCK_MONOTONIC); waiting for answers always uses the real
 * CLOCK_MONOTONIC.
 *
 * ag_resolver_destroy() (dns.h) ends the queries still in flight, joins the
 * event thread and frees everything; no query() may be running then.
 */
#ifndef AG_RESOLVER_H
#define AG_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define AG_RESOLVER_TIMEOUT_MS 5000
#define AG_RESOLVER_RETRIES    2
#define AG_RESOLVER_CACHE_SIZE 10000
#define AG_RESOLVER_EDNS_SIZE  1232
#define AG_RESOLVER_REQUERIES  8

/* A monotonic clock in milliseconds. */
typedef uint64_t (*ag_resolver_clock_t)(void *arg);

typedef struct ag_resolver_options {
	const char *nameservers;   /* "host", "host:port", "[v6]:port",
	                            * comma/space separated; NULL or "":
	                            * /etc/resolv.conf */
	unsigned timeout_ms;       /* wait when a query passes 0; 1..600000 */
	unsigned retries;          /* tries after the first, per server;
	                            * 0..5 */
	size_t cache_size;         /* entries; 0: no cache */
	unsigned edns_size;        /* EDNS0 UDP size, 512..4096; 0: none
	                            * (512-octet UDP, TCP beyond) */
	unsigned tempfail_ttl;     /* seconds a TEMPFAIL is cached */
	ag_resolver_clock_t clock; /* NULL: CLOCK_MONOTONIC */
	void *clock_arg;
} ag_resolver_options_t;

typedef struct ag_resolver_stats {
	uint64_t queries_sent; /* queries handed to c-ares */
	uint64_t cache_hits;
	uint64_t cache_misses;
	uint64_t inflight_joins;   /* askers that joined a query */
	uint64_t timeouts;         /* queries c-ares gave up on */
	uint64_t deadline_expired; /* askers whose wait ran out first */
	uint64_t servfail;
	uint64_t refused;
	uint64_t nxdomain;
	uint64_t other_failures; /* every other TEMPFAIL */
	uint64_t cache_entries;
} ag_resolver_stats_t;

/* ag_resolver_options_init - the defaults above, system nameservers */
void ag_resolver_options_init(ag_resolver_options_t *opts);

/* ag_resolver_create - a resolver; NULL with the reason in err */
ag_resolver_t *ag_resolver_create(const ag_resolver_options_t *opts, char *err,
                                  size_t errsize);

/* ag_resolver_stats - a snapshot of the counters; 0, or -1 when resolver
 * is not one of ours */
int ag_resolver_stats(ag_resolver_t *resolver, ag_resolver_stats_t *stats);

#endif
