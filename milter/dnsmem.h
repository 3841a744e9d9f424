/*
 * dnsmem.h - a resolver back-end (dns.h) answering from an in-memory zone.
 *
 * Unit and conformance tests load the records a scenario needs and hand
 * the handle to the code under test as an ag_resolver_t. Names are
 * case-insensitive and written without a trailing dot (one is stripped);
 * the answer statuses follow the DNS: a name with records of other types
 * only, or with records below it (an empty non-terminal), answers NODATA;
 * any other unknown name NXDOMAIN. A CNAME at the queried name is followed
 * (the answer holds the records of the final name; a chain longer than 16
 * or a loop answers TEMPFAIL "CNAME loop"). ag_dnsmem_set_status() forces
 * an answer for one name, e.g. TEMPFAIL "timeout" or NXDOMAIN.
 *
 * Every query is counted per (name, type), as asked (before any CNAME is
 * followed), so tests can check how many lookups the code made. A handle
 * may be shared by threads: one mutex guards it.
 *
 * Diagnostics: ag_dnsmem_add() and ag_dnsmem_set_status() return -1 on a
 * bad argument (an A record not 4 octets long, an AAAA not 16) or when out
 * of memory; queries never fail except when out of memory (NULL).
 */
#ifndef AG_DNSMEM_H
#define AG_DNSMEM_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

typedef struct ag_dnsmem ag_dnsmem_t;

/* Type wildcard for ag_dnsmem_set_status() and ag_dnsmem_queries(). */
#define AG_DNSMEM_ANY 0

/* ag_dnsmem_create - an empty zone; NULL when out of memory */
ag_dnsmem_t *ag_dnsmem_create(void);

/* ag_dnsmem_destroy - accepts NULL, returns NULL */
ag_dnsmem_t *ag_dnsmem_destroy(ag_dnsmem_t *mem);

/* ag_dnsmem_resolver - the handle as a resolver (not a separate object:
 * ag_resolver_destroy() on it destroys the zone) */
ag_resolver_t *ag_dnsmem_resolver(ag_dnsmem_t *mem);

/*
 * ag_dnsmem_add - add one record. data/len: A 4 octets, AAAA 16 octets,
 * TXT the character-strings of one record joined, MX/PTR/CNAME/NS the
 * target name (a trailing dot is stripped). preference: MX only.
 */
int ag_dnsmem_add(ag_dnsmem_t *mem, const char *name, int type, uint32_t ttl,
                  const void *data, size_t len, uint16_t preference);

/* ag_dnsmem_add_text - convenience: A/AAAA in text form ("192.0.2.1",
 * "2001:db8::1"), any other type as a NUL-terminated string */
int ag_dnsmem_add_text(ag_dnsmem_t *mem, const char *name, int type,
                       const char *text);

/*
 * ag_dnsmem_set_status - force the answer for (name, type) to carry no
 * records and the given status (AG_DNS_OK removes the override). type
 * AG_DNSMEM_ANY applies to every type not overridden one by one.
 */
int ag_dnsmem_set_status(ag_dnsmem_t *mem, const char *name, int type,
                         ag_dns_status_t status);

/* ag_dnsmem_set_negative_ttl - TTL of NXDOMAIN/NODATA answers (default 300) */
void ag_dnsmem_set_negative_ttl(ag_dnsmem_t *mem, uint32_t ttl);

/*
 * ag_dnsmem_set_delay - make every query take delay_ms; a query whose
 * timeout is shorter waits its timeout, then answers TEMPFAIL "timeout".
 */
void ag_dnsmem_set_delay(ag_dnsmem_t *mem, unsigned delay_ms);

/*
 * ag_dnsmem_queries - queries made so far for name (NULL: any name) and
 * type (AG_DNSMEM_ANY: any type). ag_dnsmem_queries(m, NULL, 0) is the total.
 */
unsigned long ag_dnsmem_queries(ag_dnsmem_t *mem, const char *name, int type);

/* ag_dnsmem_reset_counts - set every query counter back to zero */
void ag_dnsmem_reset_counts(ag_dnsmem_t *mem);

#endif
