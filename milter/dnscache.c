/*
 * dnscache.c - bounded LRU cache of resolver answers (see dnscache.h).
 *
 * A chained hash table finds entries; a doubly linked list keeps them in
 * order of use, most recent first, so the tail is evicted when full.
 */
#include "dnscache.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AG_DNSCACHE_MAX_CAPACITY (1u << 24)

typedef struct ag_dnscache_entry {
	struct ag_dnscache_entry *chain; /* next in the bucket */
	struct ag_dnscache_entry *newer;
	struct ag_dnscache_entry *older;
	ag_dns_answer_t *answer;
	uint64_t expires_ms;
	uint32_t hash;
	int type;
	char name[];
} ag_dnscache_entry_t;

struct ag_dnscache {
	size_t capacity;
	size_t count;
	size_t mask; /* buckets - 1, a power of two less one */
	ag_dnscache_entry_t **buckets;
	ag_dnscache_entry_t *newest;
	ag_dnscache_entry_t *oldest;
};

/* ag_dnscache_hash - FNV-1a over the folded name, then the type */
uint32_t ag_dnscache_hash(const char *name, int type)
{
	uint64_t h = AG_HASH_INIT;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = ag_hash_step(h, (*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	h = ag_hash_step(h, (unsigned char)(type & 0xff));
	h = ag_hash_step(h, (unsigned char)((type >> 8) & 0xff));
	return (uint32_t)(h ^ (h >> 32));
}

/* ag_dnscache_create - an empty cache */
ag_dnscache_t *ag_dnscache_create(size_t capacity)
{
	ag_dnscache_t *cache = calloc(1, sizeof(*cache));
	size_t buckets = 16;

	if (cache == NULL)
		return NULL;
	if (capacity > AG_DNSCACHE_MAX_CAPACITY)
		capacity = AG_DNSCACHE_MAX_CAPACITY;
	while (buckets < capacity)
		buckets <<= 1;
	cache->capacity = capacity;
	cache->mask = buckets - 1;
	if ((cache->buckets = calloc(buckets, sizeof(*cache->buckets))) ==
	    NULL) {
		free(cache);
		return NULL;
	}
	return cache;
}

/* ag_dnscache_unlink - take an entry out of the use order */
static void ag_dnscache_unlink(ag_dnscache_t *cache, ag_dnscache_entry_t *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		cache->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		cache->oldest = e->newer;
	e->newer = e->older = NULL;
}

/* ag_dnscache_push - make an entry the most recently used */
static void ag_dnscache_push(ag_dnscache_t *cache, ag_dnscache_entry_t *e)
{
	e->older = cache->newest;
	e->newer = NULL;
	if (cache->newest != NULL)
		cache->newest->newer = e;
	cache->newest = e;
	if (cache->oldest == NULL)
		cache->oldest = e;
}

/* ag_dnscache_slot - the link that points at the entry for a key, or at
 * the NULL ending its bucket */
static ag_dnscache_entry_t **ag_dnscache_slot(ag_dnscache_t *cache,
                                              const char *name, int type,
                                              uint32_t hash)
{
	ag_dnscache_entry_t **link = &cache->buckets[hash & cache->mask];

	while (*link != NULL &&
	       ((*link)->hash != hash || (*link)->type != type ||
	        strcasecmp((*link)->name, name) != 0))
		link = &(*link)->chain;
	return link;
}

/* ag_dnscache_remove - drop the entry *link points at */
static void ag_dnscache_remove(ag_dnscache_t *cache, ag_dnscache_entry_t **link)
{
	ag_dnscache_entry_t *e = *link;

	*link = e->chain;
	ag_dnscache_unlink(cache, e);
	ag_dns_answer_free(e->answer);
	free(e);
	cache->count--;
}

/* ag_dnscache_evict - drop the least recently used entry */
static void ag_dnscache_evict(ag_dnscache_t *cache)
{
	ag_dnscache_entry_t *e = cache->oldest;

	ag_dnscache_remove(cache,
	                   ag_dnscache_slot(cache, e->name, e->type, e->hash));
}

/* ag_dnscache_destroy - release every entry */
ag_dnscache_t *ag_dnscache_destroy(ag_dnscache_t *cache)
{
	if (cache == NULL)
		return NULL;
	while (cache->oldest != NULL)
		ag_dnscache_evict(cache);
	free(cache->buckets);
	free(cache);
	return NULL;
}

/* ag_dnscache_age - lower the TTLs of a copy to the seconds left */
static void ag_dnscache_age(ag_dns_answer_t *copy, uint64_t left_ms)
{
	uint32_t left = (uint32_t)((left_ms + 999) / 1000);

	if (copy->ttl > left)
		copy->ttl = left;
	for (size_t i = 0; i < copy->count; i++)
		if (copy->rrs[i].ttl > left)
			copy->rrs[i].ttl = left;
}

/* ag_dnscache_get - a copy of a live entry */
int ag_dnscache_get(ag_dnscache_t *cache, const char *name, int type,
                    uint64_t now_ms, ag_dns_answer_t **copy)
{
	ag_dnscache_entry_t **link;

	*copy = NULL;
	link =
	    ag_dnscache_slot(cache, name, type, ag_dnscache_hash(name, type));
	if (*link == NULL)
		return 0;
	if ((*link)->expires_ms <= now_ms) {
		ag_dnscache_remove(cache, link);
		return 0;
	}
	if ((*copy = ag_dns_answer_copy((*link)->answer)) == NULL)
		return -1;
	ag_dnscache_age(*copy, (*link)->expires_ms - now_ms);
	ag_dnscache_unlink(cache, *link);
	ag_dnscache_push(cache, *link);
	return 1;
}

/* ag_dnscache_put - store a copy of answer */
int ag_dnscache_put(ag_dnscache_t *cache, const char *name, int type,
                    const ag_dns_answer_t *answer, uint32_t ttl,
                    uint64_t now_ms)
{
	uint32_t hash = ag_dnscache_hash(name, type);
	ag_dnscache_entry_t **link = ag_dnscache_slot(cache, name, type, hash);
	ag_dnscache_entry_t *e = NULL;
	size_t len = strlen(name);

	if (ttl > 0 && cache->capacity > 0) {
		if ((e = calloc(1, sizeof(*e) + len + 1)) == NULL)
			return -1;
		if ((e->answer = ag_dns_answer_copy(answer)) == NULL) {
			free(e);
			return -1;
		}
	}
	if (*link != NULL)
		ag_dnscache_remove(cache, link);
	if (e == NULL)
		return 0;
	if (cache->count >= cache->capacity)
		ag_dnscache_evict(cache);
	memcpy(e->name, name, len + 1);
	e->hash = hash;
	e->type = type;
	e->expires_ms = now_ms + (uint64_t)ttl * 1000;
	link = &cache->buckets[hash & cache->mask];
	e->chain = *link;
	*link = e;
	ag_dnscache_push(cache, e);
	cache->count++;
	return 0;
}

/* ag_dnscache_count - entries held */
size_t ag_dnscache_count(const ag_dnscache_t *cache)
{
	return cache->count;
}
