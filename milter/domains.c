/*
 * domains.c - the verified-domain table's store and its lookups (see
 * domains.h; the reader is domfile.c, which fills the store through
 * domainsint.h).
 *
 * The entries sit in one array in file order; every string, list and key
 * reference in an arena of blocks that double from 4 KiB to 1 MiB, freed
 * block by block. The index
 * is open addressing with linear probing over FNV-1a 64-bit hashes of the
 * normalised names, kept at most half full (it doubles while the table is
 * read). A slot holds the name, the entry number and 32 more bits of the
 * hash, so that a probe compares at most one string and reads no entry. Names are hashed from their end:
 * one pass over a name gives the hashes of all its parent domains. Once
 * loaded the table is only read: threads may share it.
 */
#include "domainsint.h"
#include "hash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "conftext.h"

#define AG_DOMAINS_BLOCK (1024 * 1024)	/* arena blocks grow up to this */
#define AG_DOMAINS_BLOCK_MIN 4096
#define AG_DOMAINS_LABELS_MAX (AG_DOMAIN_MAX / 2 + 1)

typedef struct ag_domains_block {
	struct ag_domains_block *next;
	size_t used, size;
	max_align_t data[];
} ag_domains_block_t;

typedef struct ag_domains_slot {
	const char *name;	/* the entry's domain, read without the entry */
	uint32_t index;		/* entry number + 1; 0 = empty */
	uint32_t tag;		/* high half of the hash */
} ag_domains_slot_t;

struct ag_domains {
	ag_domain_entry_t *entries;
	size_t count;
	size_t capacity;
	ag_domains_slot_t *slots;
	size_t mask;		/* number of slots - 1 */
	ag_domains_block_t *blocks;
};

/* ---- storage ---- */

/* ag_domains_block_size - the next block: twice the last one, 1 MiB at
 * most, or just `size` for a large request (kept out of the way) */
static size_t ag_domains_block_size(const ag_domains_block_t *last,
				    size_t size)
{
	size_t want = last == NULL ? AG_DOMAINS_BLOCK_MIN : 2 * last->size;

	if (want > AG_DOMAINS_BLOCK)
		want = AG_DOMAINS_BLOCK;
	return size > want / 4 ? size : want;
}

/* ag_domains_alloc - octets from the arena */
void *ag_domains_alloc(ag_domains_t *table, size_t size, size_t align)
{
	ag_domains_block_t *block = table->blocks;
	size_t at = block != NULL ? (block->used + align - 1) & ~(align - 1)
				  : 0;

	if (block == NULL || at + size > block->size) {
		size_t want = ag_domains_block_size(block, size);
		ag_domains_block_t *fresh = malloc(sizeof(*fresh) + want);
		if (fresh == NULL)
			return NULL;
		fresh->size = want;
		if (want == size && block != NULL) {
			fresh->next = block->next; /* keep filling head */
			block->next = fresh;
		} else {
			fresh->next = block;
			table->blocks = fresh;
		}
		block = fresh;
		at = 0;
	}
	block->used = at + size;
	return (char *)block->data + at;
}

/* ag_domains_dup - a NUL-terminated copy in the arena */
char *ag_domains_dup(ag_domains_t *table, const char *s, size_t len)
{
	char *copy = ag_domains_alloc(table, len + 1, 1);

	if (copy != NULL) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

/* ag_domains_hash - FNV-1a of a name read from its end, so that one pass
 * over a name also gives the hash of each of its parent domains */
static uint64_t ag_domains_hash(const char *s, size_t len)
{
	uint64_t hash = AG_HASH_INIT;

	while (len > 0)
		hash = ag_hash_step(hash, (unsigned char)s[--len]);
	return hash;
}

/* ag_domains_slot - the slot holding a name, or the empty one ending its
 * probe sequence */
static ag_domains_slot_t *ag_domains_slot(const ag_domains_t *table,
					  const char *name, size_t len,
					  uint64_t hash)
{
	uint32_t tag = (uint32_t)(hash >> 32);

	for (size_t i = hash & table->mask;; i = (i + 1) & table->mask) {
		ag_domains_slot_t *slot = &table->slots[i];
		if (slot->index == 0 ||
		    (slot->tag == tag && strncmp(slot->name, name, len) == 0 &&
		     slot->name[len] == '\0'))
			return slot;
	}
}

/* ag_domains_rehash - a new index of `slots` slots holding every entry */
static int ag_domains_rehash(ag_domains_t *table, size_t slots)
{
	ag_domains_slot_t *old = table->slots;

	if ((table->slots = calloc(slots, sizeof(*table->slots))) == NULL) {
		table->slots = old;
		return -1;
	}
	table->mask = slots - 1;
	for (size_t i = 0; i < table->count; i++) {
		const char *name = table->entries[i].domain;
		size_t len = strlen(name);
		uint64_t hash = ag_domains_hash(name, len);
		ag_domains_slot_t *slot = ag_domains_slot(table, name, len,
							  hash);
		slot->name = name;
		slot->index = (uint32_t)(i + 1);
		slot->tag = (uint32_t)(hash >> 32);
	}
	free(old);
	return 0;
}

/* ag_domains_reserve - room for one more entry, the index at most half
 * full after it; -1 if out of memory */
static int ag_domains_reserve(ag_domains_t *table)
{
	if (table->count == table->capacity) {
		size_t capacity = table->capacity ? table->capacity * 2 : 16;
		ag_domain_entry_t *grown;
		if (capacity > UINT32_MAX / 4)
			return -1;
		grown = realloc(table->entries, capacity * sizeof(*grown));
		if (grown == NULL)
			return -1;
		table->entries = grown;
		table->capacity = capacity;
	}
	if (table->slots == NULL || 2 * (table->count + 1) > table->mask + 1)
		return ag_domains_rehash(table, table->slots == NULL ? 32 :
					 2 * (table->mask + 1));
	return 0;
}

/* ag_domains_free - release the entries, the index and the arena */
ag_domains_t *ag_domains_free(ag_domains_t *table)
{
	if (table == NULL)
		return NULL;
	while (table->blocks != NULL) {
		ag_domains_block_t *next = table->blocks->next;
		free(table->blocks);
		table->blocks = next;
	}
	free(table->entries);
	free(table->slots);
	free(table);
	return NULL;
}

/* ag_domains_listed - whether items[0..count) holds s */
int ag_domains_listed(char *const *items, size_t count, const char *s)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(items[i], s) == 0)
			return 1;
	return 0;
}

/* ag_domains_create - an empty table */
ag_domains_t *ag_domains_create(void)
{
	ag_domains_t *table = calloc(1, sizeof(*table));

	if (table != NULL && ag_domains_reserve(table) != 0)
		return ag_domains_free(table);
	return table;
}

/* ag_domains_next - the zeroed entry after the last one */
ag_domain_entry_t *ag_domains_next(ag_domains_t *table)
{
	ag_domain_entry_t *e;

	if (ag_domains_reserve(table) != 0)
		return NULL;
	e = &table->entries[table->count];
	memset(e, 0, sizeof(*e));
	return e;
}

/* ag_domains_enter - make the entry from ag_domains_next part of the
 * table under `name` */
int ag_domains_enter(ag_domains_t *table, const char *name,
		     const ag_domain_entry_t **first)
{
	ag_domain_entry_t *e = &table->entries[table->count];
	size_t len = strlen(name);
	uint64_t hash = ag_domains_hash(name, len);
	ag_domains_slot_t *slot = ag_domains_slot(table, name, len, hash);

	if (slot->index != 0) {
		*first = &table->entries[slot->index - 1];
		return 1;
	}
	if ((e->domain = ag_domains_dup(table, name, len)) == NULL)
		return -1;
	slot->name = e->domain;
	slot->index = (uint32_t)(table->count + 1);
	slot->tag = (uint32_t)(hash >> 32);
	table->count++;
	return 0;
}

/* ---- lookups ---- */

/* ag_domains_count - number of entries */
size_t ag_domains_count(const ag_domains_t *table)
{
	return table != NULL ? table->count : 0;
}

/* ag_domains_entry - the i-th entry in file order */
const ag_domain_entry_t *ag_domains_entry(const ag_domains_t *table,
					  size_t i)
{
	return table != NULL && i < table->count ? &table->entries[i] : NULL;
}

/* ag_domains_lookup - exact name, else nearest parent with subdomains=yes:
 * one pass from the end hashes the name and every parent, then the index
 * is probed from the longest name to the shortest */
const ag_domain_entry_t *ag_domains_lookup(const ag_domains_t *table,
					   const char *domain)
{
	size_t start[AG_DOMAINS_LABELS_MAX], len, n = 0;
	uint64_t hash[AG_DOMAINS_LABELS_MAX], h = AG_HASH_INIT;

	if (table == NULL || domain == NULL ||
	    (len = strlen(domain)) > AG_DOMAIN_MAX)
		return NULL;
	for (size_t i = len; i > 0; i--) {
		h = ag_hash_step(h, (unsigned char)domain[i - 1]);
		if (i == 1 || domain[i - 2] == '.') {
			start[n] = i - 1;
			hash[n++] = h;
		}
	}
	while (n-- > 0) {
		const ag_domains_slot_t *slot =
			ag_domains_slot(table, domain + start[n],
					len - start[n], hash[n]);
		const ag_domain_entry_t *e;
		if (slot->index == 0)
			continue;
		e = &table->entries[slot->index - 1];
		if (start[n] == 0 || e->subdomains)
			return e;
	}
	return NULL;
}

/* ag_domains_glob - `s` matches `pattern`, '*' being any run, ASCII case
 * ignored (linear backtracking to the last '*') */
static int ag_domains_glob(const char *pattern, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s != '\0') {
		if (*pattern == '*') {
			star = pattern++;
			resume = s;
		} else if (*pattern != '\0' &&
			   ag_conftext_fold(*pattern) == ag_conftext_fold(*s)) {
			pattern++;
			s++;
		} else if (star != NULL) {
			pattern = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/* ag_domain_entry_allows_address - local part allowed by addresses= */
int ag_domain_entry_allows_address(const ag_domain_entry_t *entry,
				   const char *local)
{
	if (entry == NULL || local == NULL)
		return 0;
	if (entry->addresses.count == 0)
		return 1;
	for (size_t i = 0; i < entry->addresses.count; i++)
		if (ag_domains_glob(entry->addresses.items[i], local))
			return 1;
	return 0;
}

/* ag_domain_entry_allows_account - SASL login allowed by accounts= */
int ag_domain_entry_allows_account(const ag_domain_entry_t *entry,
				   const char *login)
{
	if (entry == NULL)
		return 0;
	if (entry->accounts.count == 0)
		return 1;
	return login != NULL && ag_domains_listed(entry->accounts.items,
						  entry->accounts.count, login);
}
