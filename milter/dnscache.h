/*
 * dnscache.h - a bounded cache of resolver answers, keyed by (name, type).
 *
 * Names are compared without regard to ASCII case. Each entry keeps a copy
 * of an answer until its TTL runs out on the caller's clock (milliseconds,
 * passed to every call: the cache reads no clock itself). When the cache is
 * full the least recently used entry makes room. The cache does no locking:
 * its owner serialises calls. Positive and negative answers are stored
 * alike; which answers go in (and for how long) is the owner's choice.
 *
 * Diagnostics: calls that allocate return -1 when out of memory and leave
 * the cache as it was.
 */
#ifndef AG_DNSCACHE_H
#define AG_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

typedef struct ag_dnscache ag_dnscache_t;

/* ag_dnscache_create - a cache of at most capacity entries (0: stores
 * nothing); NULL when out of memory */
ag_dnscache_t *ag_dnscache_create(size_t capacity);

/* ag_dnscache_destroy - accepts NULL, returns NULL */
ag_dnscache_t *ag_dnscache_destroy(ag_dnscache_t *cache);

/* ag_dnscache_get - 1 and a copy in *copy (TTLs lowered to what remains),
 * 0 when absent or expired, -1 when out of memory */
int ag_dnscache_get(ag_dnscache_t *cache, const char *name, int type,
                    uint64_t now_ms, ag_dns_answer_t **copy)
    __attribute__((warn_unused_result));

/* ag_dnscache_put - store a copy of answer for ttl seconds, replacing any
 * entry of the same key (ttl 0 just drops it); 0 or -1 */
int ag_dnscache_put(ag_dnscache_t *cache, const char *name, int type,
                    const ag_dns_answer_t *answer, uint32_t ttl,
                    uint64_t now_ms);

/* ag_dnscache_count - entries held, expired ones included */
size_t ag_dnscache_count(const ag_dnscache_t *cache);

/* ag_dnscache_hash - hash of a key, ASCII case folded */
uint32_t ag_dnscache_hash(const char *name, int type);

#endif
