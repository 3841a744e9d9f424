/*
 * dnsmem.c - an in-memory zone behind the resolver interface (see dnsmem.h).
 *
 * Nodes live in a chained hash table keyed by the lower-cased name. A node
 * holds its records, its forced statuses, its query counters, and how many
 * names with records sit below it (so an empty non-terminal exists).
 */
#include "dnsmem.h"
#include "hash.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AG_DNSMEM_CNAME_HOPS   16
#define AG_DNSMEM_NEGATIVE_TTL 300

typedef struct ag_dnsmem_rr {
	int type;
	uint32_t ttl;
	uint16_t preference;
	size_t len;
	char *data;
} ag_dnsmem_rr_t;

/* A forced status, or a query counter: a type and a number. */
typedef struct ag_dnsmem_slot {
	int type;
	unsigned long value;
} ag_dnsmem_slot_t;

typedef struct ag_dnsmem_vec {
	void *items;
	size_t count;
	size_t capacity;
} ag_dnsmem_vec_t;

typedef struct ag_dnsmem_node {
	struct ag_dnsmem_node *next;
	char *name;
	ag_dnsmem_vec_t rrs;    /* ag_dnsmem_rr_t */
	ag_dnsmem_vec_t forced; /* ag_dnsmem_slot_t: status */
	ag_dnsmem_vec_t counts; /* ag_dnsmem_slot_t: queries */
	unsigned long below;    /* names with records below this one */
} ag_dnsmem_node_t;

struct ag_dnsmem {
	ag_resolver_t base;
	pthread_mutex_t lock;
	ag_dnsmem_node_t **buckets;
	size_t nbuckets;
	size_t nnodes;
	uint32_t negative_ttl;
	unsigned delay_ms;
};

static ag_dns_answer_t *ag_dnsmem_query(ag_resolver_t *resolver,
                                        const char *name, int type,
                                        unsigned timeout_ms);
static void ag_dnsmem_destroy_op(ag_resolver_t *resolver);

static const ag_resolver_ops_t ag_dnsmem_ops = {
    .query = ag_dnsmem_query,
    .destroy = ag_dnsmem_destroy_op,
};

/* ag_dnsmem_hash - hash of a lower-cased name */
static size_t ag_dnsmem_hash(const char *name)
{
	return (size_t)ag_hash_bytes(name, strlen(name));
}

/* ag_dnsmem_key - lower-cased copy without one trailing dot */
static char *ag_dnsmem_key(const char *name)
{
	size_t len = strlen(name);
	char *key;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if ((key = malloc(len + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++)
		key[i] = (char)tolower((unsigned char)name[i]);
	key[len] = '\0';
	return key;
}

/* ag_dnsmem_vec_push - room for one more item; NULL when out of memory */
static void *ag_dnsmem_vec_push(ag_dnsmem_vec_t *vec, size_t size)
{
	if (vec->count == vec->capacity) {
		size_t cap = vec->capacity ? vec->capacity * 2 : 4;
		void *grown = realloc(vec->items, cap * size);
		if (grown == NULL)
			return NULL;
		vec->items = grown;
		vec->capacity = cap;
	}
	return (char *)vec->items + size * vec->count++;
}

/* ag_dnsmem_slot - the slot of a type in a vector, created on demand */
static ag_dnsmem_slot_t *ag_dnsmem_slot(ag_dnsmem_vec_t *vec, int type,
                                        int create)
{
	ag_dnsmem_slot_t *slots = vec->items, *slot;

	for (size_t i = 0; i < vec->count; i++)
		if (slots[i].type == type)
			return &slots[i];
	if (!create || (slot = ag_dnsmem_vec_push(vec, sizeof(*slot))) == NULL)
		return NULL;
	slot->type = type;
	slot->value = 0;
	return slot;
}

/* ag_dnsmem_find - the node of a key, or NULL */
static ag_dnsmem_node_t *ag_dnsmem_find(const ag_dnsmem_t *mem, const char *key)
{
	ag_dnsmem_node_t *node =
	    mem->buckets[ag_dnsmem_hash(key) % mem->nbuckets];

	while (node != NULL && strcmp(node->name, key) != 0)
		node = node->next;
	return node;
}

/* ag_dnsmem_rehash - double the table when it gets crowded */
static void ag_dnsmem_rehash(ag_dnsmem_t *mem)
{
	size_t n = mem->nbuckets * 2;
	ag_dnsmem_node_t **buckets = calloc(n, sizeof(*buckets));

	if (buckets == NULL)
		return; /* stay crowded: still correct */
	for (size_t i = 0; i < mem->nbuckets; i++) {
		ag_dnsmem_node_t *node = mem->buckets[i], *next;
		for (; node != NULL; node = next) {
			size_t b = ag_dnsmem_hash(node->name) % n;
			next = node->next;
			node->next = buckets[b];
			buckets[b] = node;
		}
	}
	free(mem->buckets);
	mem->buckets = buckets;
	mem->nbuckets = n;
}

/* ag_dnsmem_node - the node of a key, created on demand */
static ag_dnsmem_node_t *ag_dnsmem_node(ag_dnsmem_t *mem, const char *key)
{
	ag_dnsmem_node_t *node = ag_dnsmem_find(mem, key);
	size_t b;

	if (node != NULL)
		return node;
	if ((node = calloc(1, sizeof(*node))) == NULL)
		return NULL;
	if ((node->name = strdup(key)) == NULL) {
		free(node);
		return NULL;
	}
	if (mem->nnodes >= mem->nbuckets * 2)
		ag_dnsmem_rehash(mem);
	b = ag_dnsmem_hash(key) % mem->nbuckets;
	node->next = mem->buckets[b];
	mem->buckets[b] = node;
	mem->nnodes++;
	return node;
}

/* ag_dnsmem_mark_ancestors - count a name with records in every parent */
static int ag_dnsmem_mark_ancestors(ag_dnsmem_t *mem, const char *key)
{
	for (const char *dot = strchr(key, '.'); dot != NULL;
	     dot = strchr(dot + 1, '.')) {
		ag_dnsmem_node_t *parent = ag_dnsmem_node(mem, dot + 1);
		if (parent == NULL)
			return -1;
		parent->below++;
	}
	return 0;
}

/* ag_dnsmem_create - empty zone */
ag_dnsmem_t *ag_dnsmem_create(void)
{
	ag_dnsmem_t *mem = calloc(1, sizeof(*mem));

	if (mem == NULL)
		return NULL;
	mem->nbuckets = 64;
	if ((mem->buckets = calloc(mem->nbuckets, sizeof(*mem->buckets))) ==
	    NULL) {
		free(mem);
		return NULL;
	}
	mem->base.ops = &ag_dnsmem_ops;
	mem->negative_ttl = AG_DNSMEM_NEGATIVE_TTL;
	pthread_mutex_init(&mem->lock, NULL);
	return mem;
}

/* ag_dnsmem_node_free - release one node */
static void ag_dnsmem_node_free(ag_dnsmem_node_t *node)
{
	ag_dnsmem_rr_t *rrs = node->rrs.items;

	for (size_t i = 0; i < node->rrs.count; i++)
		free(rrs[i].data);
	free(node->rrs.items);
	free(node->forced.items);
	free(node->counts.items);
	free(node->name);
	free(node);
}

/* ag_dnsmem_destroy - release the zone */
ag_dnsmem_t *ag_dnsmem_destroy(ag_dnsmem_t *mem)
{
	if (mem == NULL)
		return NULL;
	for (size_t i = 0; i < mem->nbuckets; i++) {
		ag_dnsmem_node_t *node = mem->buckets[i], *next;
		for (; node != NULL; node = next) {
			next = node->next;
			ag_dnsmem_node_free(node);
		}
	}
	free(mem->buckets);
	pthread_mutex_destroy(&mem->lock);
	free(mem);
	return NULL;
}

/* ag_dnsmem_destroy_op - the resolver interface's destroy */
static void ag_dnsmem_destroy_op(ag_resolver_t *resolver)
{
	ag_dnsmem_destroy((ag_dnsmem_t *)resolver);
}

/* ag_dnsmem_resolver - the zone as a resolver */
ag_resolver_t *ag_dnsmem_resolver(ag_dnsmem_t *mem)
{
	return &mem->base;
}

/* ag_dnsmem_is_name_type - whether a type's data is a domain name */
static int ag_dnsmem_is_name_type(int type)
{
	return type == AG_DNS_MX || type == AG_DNS_PTR ||
	       type == AG_DNS_CNAME || type == AG_DNS_NS;
}

/* ag_dnsmem_store - append a record to a node (lock held) */
static int ag_dnsmem_store(ag_dnsmem_t *mem, const char *key, int type,
                           uint32_t ttl, const void *data, size_t len,
                           uint16_t preference)
{
	ag_dnsmem_node_t *node = ag_dnsmem_node(mem, key);
	ag_dnsmem_rr_t *rr;
	char *copy;

	if (node == NULL || (copy = malloc(len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	if ((rr = ag_dnsmem_vec_push(&node->rrs, sizeof(*rr))) == NULL) {
		free(copy);
		return -1;
	}
	*rr = (ag_dnsmem_rr_t){type, ttl, preference, len, copy};
	if (node->rrs.count == 1)
		return ag_dnsmem_mark_ancestors(mem, key);
	return 0;
}

/* ag_dnsmem_add - add one record */
int ag_dnsmem_add(ag_dnsmem_t *mem, const char *name, int type, uint32_t ttl,
                  const void *data, size_t len, uint16_t preference)
{
	char *key;
	int rc;

	if ((type == AG_DNS_A && len != 4) ||
	    (type == AG_DNS_AAAA && len != 16) || type <= 0 || type > 65535 ||
	    (data == NULL && len > 0))
		return -1;
	if (ag_dnsmem_is_name_type(type) && len > 0 &&
	    ((const char *)data)[len - 1] == '.')
		len--;
	if ((key = ag_dnsmem_key(name)) == NULL)
		return -1;
	pthread_mutex_lock(&mem->lock);
	rc = ag_dnsmem_store(mem, key, type, ttl, data, len, preference);
	pthread_mutex_unlock(&mem->lock);
	free(key);
	return rc;
}

/* ag_dnsmem_add_text - add one record given as text */
int ag_dnsmem_add_text(ag_dnsmem_t *mem, const char *name, int type,
                       const char *text)
{
	unsigned char addr[16];

	if (type == AG_DNS_A || type == AG_DNS_AAAA) {
		int family = type == AG_DNS_A ? AF_INET : AF_INET6;
		if (inet_pton(family, text, addr) != 1)
			return -1;
		return ag_dnsmem_add(mem, name, type, 3600, addr,
		                     type == AG_DNS_A ? 4 : 16, 0);
	}
	return ag_dnsmem_add(mem, name, type, 3600, text, strlen(text), 0);
}

/* ag_dnsmem_set_status - force the answer for (name, type) */
int ag_dnsmem_set_status(ag_dnsmem_t *mem, const char *name, int type,
                         ag_dns_status_t status)
{
	ag_dnsmem_node_t *node;
	ag_dnsmem_slot_t *slot;
	char *key = ag_dnsmem_key(name);
	int rc = -1;

	if (key == NULL)
		return -1;
	pthread_mutex_lock(&mem->lock);
	if ((node = ag_dnsmem_node(mem, key)) != NULL &&
	    (slot = ag_dnsmem_slot(&node->forced, type, 1)) != NULL) {
		slot->value = (unsigned long)status;
		rc = 0;
	}
	pthread_mutex_unlock(&mem->lock);
	free(key);
	return rc;
}

/* ag_dnsmem_set_negative_ttl - TTL of negative answers */
void ag_dnsmem_set_negative_ttl(ag_dnsmem_t *mem, uint32_t ttl)
{
	pthread_mutex_lock(&mem->lock);
	mem->negative_ttl = ttl;
	pthread_mutex_unlock(&mem->lock);
}

/* ag_dnsmem_set_delay - simulated latency of every query */
void ag_dnsmem_set_delay(ag_dnsmem_t *mem, unsigned delay_ms)
{
	pthread_mutex_lock(&mem->lock);
	mem->delay_ms = delay_ms;
	pthread_mutex_unlock(&mem->lock);
}

/* ag_dnsmem_forced - the forced status of (node, type), or AG_DNS_OK */
static ag_dns_status_t ag_dnsmem_forced(ag_dnsmem_node_t *node, int type)
{
	ag_dnsmem_slot_t *slot = ag_dnsmem_slot(&node->forced, type, 0);

	if (slot == NULL || slot->value == AG_DNS_OK)
		slot = ag_dnsmem_slot(&node->forced, AG_DNSMEM_ANY, 0);
	return slot == NULL ? AG_DNS_OK : (ag_dns_status_t)slot->value;
}

/* ag_dnsmem_negative - an answer without records */
static ag_dns_answer_t *ag_dnsmem_negative(const ag_dnsmem_t *mem,
                                           ag_dns_status_t status,
                                           const char *error)
{
	ag_dns_answer_t *answer = ag_dns_answer_new(status);

	if (answer == NULL)
		return NULL;
	if (status == AG_DNS_TEMPFAIL)
		answer->error = error;
	else
		answer->ttl = mem->negative_ttl;
	return answer;
}

/* ag_dnsmem_collect - the records of one type at a node: 1 (*out set),
 * 0 when there are none, -1 when out of memory */
static int ag_dnsmem_collect(const ag_dnsmem_node_t *node, int type,
                             ag_dns_answer_t **out)
{
	const ag_dnsmem_rr_t *rrs = node->rrs.items;
	ag_dns_answer_t *answer = NULL;

	for (size_t i = 0; i < node->rrs.count; i++) {
		if (rrs[i].type != type)
			continue;
		if (answer == NULL &&
		    (answer = ag_dns_answer_new(AG_DNS_OK)) == NULL)
			return -1;
		if (ag_dns_answer_add(answer, (uint16_t)type, rrs[i].ttl,
		                      rrs[i].preference, rrs[i].data,
		                      rrs[i].len) < 0) {
			ag_dns_answer_free(answer);
			return -1;
		}
		if (answer->count == 1 || rrs[i].ttl < answer->ttl)
			answer->ttl = rrs[i].ttl;
	}
	*out = answer;
	return answer != NULL;
}

/* ag_dnsmem_cname - the CNAME target at a node, or NULL */
static const char *ag_dnsmem_cname(const ag_dnsmem_node_t *node)
{
	const ag_dnsmem_rr_t *rrs = node->rrs.items;

	for (size_t i = 0; i < node->rrs.count; i++)
		if (rrs[i].type == AG_DNS_CNAME)
			return rrs[i].data;
	return NULL;
}

/* ag_dnsmem_resolve - answer (key, type), following CNAMEs (lock held) */
static ag_dns_answer_t *ag_dnsmem_resolve(ag_dnsmem_t *mem, const char *key,
                                          int type)
{
	char *owned = NULL;
	ag_dns_answer_t *answer = NULL;

	for (int hops = 0;; hops++) {
		ag_dnsmem_node_t *node = ag_dnsmem_find(mem, key);
		ag_dns_status_t forced =
		    node ? ag_dnsmem_forced(node, type) : AG_DNS_OK;
		const char *target;

		if (forced != AG_DNS_OK) {
			answer = ag_dnsmem_negative(mem, forced, "timeout");
			break;
		}
		if (node == NULL ||
		    (node->rrs.count == 0 && node->below == 0)) {
			answer = ag_dnsmem_negative(mem, AG_DNS_NXDOMAIN, NULL);
			break;
		}
		if (ag_dnsmem_collect(node, type, &answer) != 0)
			break;
		target = type == AG_DNS_CNAME ? NULL : ag_dnsmem_cname(node);
		if (target == NULL) {
			answer = ag_dnsmem_negative(mem, AG_DNS_NODATA, NULL);
			break;
		}
		if (hops >= AG_DNSMEM_CNAME_HOPS) {
			answer = ag_dnsmem_negative(mem, AG_DNS_TEMPFAIL,
			                            "CNAME loop");
			break;
		}
		free(owned);
		if ((key = owned = ag_dnsmem_key(target)) == NULL)
			break;
	}
	free(owned);
	return answer;
}

/* ag_dnsmem_count - count one query (lock held) */
static void ag_dnsmem_count(ag_dnsmem_t *mem, const char *key, int type)
{
	ag_dnsmem_node_t *node = ag_dnsmem_node(mem, key);
	ag_dnsmem_slot_t *slot;

	if (node != NULL && (slot = ag_dnsmem_slot(&node->counts, type, 1)))
		slot->value++;
}

/* ag_dnsmem_sleep - wait a number of milliseconds */
static void ag_dnsmem_sleep(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ag_dnsmem_query - the resolver interface's query */
static ag_dns_answer_t *ag_dnsmem_query(ag_resolver_t *resolver,
                                        const char *name, int type,
                                        unsigned timeout_ms)
{
	ag_dnsmem_t *mem = (ag_dnsmem_t *)resolver;
	ag_dns_answer_t *answer;
	char *key = ag_dnsmem_key(name);
	unsigned delay;

	if (key == NULL)
		return NULL;
	pthread_mutex_lock(&mem->lock);
	ag_dnsmem_count(mem, key, type);
	delay = mem->delay_ms;
	pthread_mutex_unlock(&mem->lock);
	if (delay > 0)
		ag_dnsmem_sleep(delay < timeout_ms ? delay : timeout_ms);
	pthread_mutex_lock(&mem->lock);
	if (delay > 0 && delay > timeout_ms)
		answer = ag_dnsmem_negative(mem, AG_DNS_TEMPFAIL, "timeout");
	else
		answer = ag_dnsmem_resolve(mem, key, type);
	pthread_mutex_unlock(&mem->lock);
	free(key);
	return answer;
}

/* ag_dnsmem_node_queries - one node's count for a type or any type */
static unsigned long ag_dnsmem_node_queries(const ag_dnsmem_node_t *node,
                                            int type)
{
	const ag_dnsmem_slot_t *slots = node->counts.items;
	unsigned long n = 0;

	for (size_t i = 0; i < node->counts.count; i++)
		if (type == AG_DNSMEM_ANY || slots[i].type == type)
			n += slots[i].value;
	return n;
}

/* ag_dnsmem_queries - how many queries were made */
unsigned long ag_dnsmem_queries(ag_dnsmem_t *mem, const char *name, int type)
{
	unsigned long n = 0;
	char *key = NULL;

	if (name != NULL && (key = ag_dnsmem_key(name)) == NULL)
		return 0;
	pthread_mutex_lock(&mem->lock);
	if (key != NULL) {
		ag_dnsmem_node_t *node = ag_dnsmem_find(mem, key);
		n = node ? ag_dnsmem_node_queries(node, type) : 0;
	} else {
		for (size_t i = 0; i < mem->nbuckets; i++)
			for (ag_dnsmem_node_t *node = mem->buckets[i];
			     node != NULL; node = node->next)
				n += ag_dnsmem_node_queries(node, type);
	}
	pthread_mutex_unlock(&mem->lock);
	free(key);
	return n;
}

/* ag_dnsmem_reset_counts - zero every counter */
void ag_dnsmem_reset_counts(ag_dnsmem_t *mem)
{
	pthread_mutex_lock(&mem->lock);
	for (size_t i = 0; i < mem->nbuckets; i++)
		for (ag_dnsmem_node_t *node = mem->buckets[i]; node != NULL;
		     node = node->next)
			node->counts.count = 0;
	pthread_mutex_unlock(&mem->lock);
}
