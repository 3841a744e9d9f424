/*
 * domainsint.h - the verified-domain table's store as its reader
 * (domfile.c) fills it. Other modules use domains.h only.
 *
 * The reader asks for the next entry, fills it (strings and lists from the
 * table's arena), then enters it under its normalised name, or learns that
 * the name is there already.
 */
#ifndef AG_DOMAINSINT_H
#define AG_DOMAINSINT_H

#include <stddef.h>

#include "domains.h"

/* ag_domains_create - an empty table; NULL if out of memory */
ag_domains_t *ag_domains_create(void);

/* ag_domains_alloc - `size` octets aligned to `align` (a power of two)
 * from the table's arena, freed with the table; NULL if out of memory */
void *ag_domains_alloc(ag_domains_t *table, size_t size, size_t align);

/* ag_domains_dup - a NUL-terminated copy of len octets in the arena */
char *ag_domains_dup(ag_domains_t *table, const char *s, size_t len);

/* ag_domains_next - a zeroed entry after the last one; it joins the table
 * only through ag_domains_enter(). NULL if out of memory. */
ag_domain_entry_t *ag_domains_next(ag_domains_t *table);

/*
 * ag_domains_enter - add the entry from ag_domains_next() under `name`
 * (normalised; copied): 0, or 1 with *first set to the entry that already
 * holds the name, or -1 if out of memory.
 */
int ag_domains_enter(ag_domains_t *table, const char *name,
		     const ag_domain_entry_t **first);

/* ag_domains_listed - whether items[0..count) holds s (exactly) */
int ag_domains_listed(char *const *items, size_t count, const char *s);

#endif
