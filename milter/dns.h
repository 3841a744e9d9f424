/*
 * dns.h - the resolver interface every DNS user codes against.
 *
 * A resolver is a struct of function pointers (Postfix's DICT habit): the
 * c-ares back-end (resolver.c) in production, an in-memory zone (dnsmem.c)
 * in unit and conformance tests. Queries are synchronous for the caller: the
 * domain-state workers and the CLI call them from their own threads; the
 * c-ares back-end multiplexes every caller onto one channel, one event
 * thread, one cache.
 *
 * An answer tells "not found" (NXDOMAIN, NODATA) from "try again"
 * (TEMPFAIL: timeout, SERVFAIL, REFUSED, truncated or garbage answer, CNAME
 * loop), and carries the TTL to cache it for (positive: the smallest RR TTL;
 * negative: per RFC 2308 from the SOA).
 */
#ifndef AG_DNS_H
#define AG_DNS_H

#include <stddef.h>
#include <stdint.h>

enum ag_dns_type {
	AG_DNS_A = 1,
	AG_DNS_NS = 2,
	AG_DNS_CNAME = 5,
	AG_DNS_SOA = 6,
	AG_DNS_PTR = 12,
	AG_DNS_MX = 15,
	AG_DNS_TXT = 16,
	AG_DNS_AAAA = 28
};

typedef enum ag_dns_status {
	AG_DNS_OK,		/* one or more records */
	AG_DNS_NXDOMAIN,	/* the name does not exist */
	AG_DNS_NODATA,		/* the name exists, no record of this type */
	AG_DNS_TEMPFAIL		/* no usable answer: try again later */
} ag_dns_status_t;

typedef struct ag_dns_rr {
	uint16_t type;
	uint16_t preference;	/* MX only */
	uint32_t ttl;
	size_t len;		/* octets in data, without the added NUL */
	char *data;		/* A: 4 octets, AAAA: 16 octets; TXT: the
				 * character-strings of one record joined;
				 * MX/PTR/CNAME/NS: target name, no trailing
				 * dot. Always NUL-terminated. */
} ag_dns_rr_t;

typedef struct ag_dns_answer {
	ag_dns_status_t status;
	uint32_t ttl;		/* seconds this answer may be cached */
	const char *error;	/* static text when TEMPFAIL ("timeout", ...) */
	size_t count;
	ag_dns_rr_t *rrs;
} ag_dns_answer_t;

typedef struct ag_resolver ag_resolver_t;

typedef struct ag_resolver_ops {
	/* query - look up (name, type); never NULL except out of memory */
	ag_dns_answer_t *(*query)(ag_resolver_t *resolver, const char *name,
				  int type, unsigned timeout_ms);
	/* destroy - release the resolver */
	void (*destroy)(ag_resolver_t *resolver);
} ag_resolver_ops_t;

/* Every back-end's handle starts with this. */
struct ag_resolver {
	const ag_resolver_ops_t *ops;
};

/* ag_resolver_query - dispatch to the back-end; NULL means out of memory */
static inline ag_dns_answer_t *ag_resolver_query(ag_resolver_t *resolver,
						 const char *name, int type,
						 unsigned timeout_ms)
{
	return resolver->ops->query(resolver, name, type, timeout_ms);
}

/* ag_resolver_destroy - accepts NULL, returns NULL */
static inline ag_resolver_t *ag_resolver_destroy(ag_resolver_t *resolver)
{
	if (resolver != NULL)
		resolver->ops->destroy(resolver);
	return NULL;
}

/* ag_dns_answer_new - an empty answer with the given status (dnsanswer.c) */
ag_dns_answer_t *ag_dns_answer_new(ag_dns_status_t status);

/* ag_dns_answer_add - append a copy of one record; 0 or -1 (no memory) */
int ag_dns_answer_add(ag_dns_answer_t *answer, uint16_t type, uint32_t ttl,
		      uint16_t preference, const void *data, size_t len);

/* ag_dns_answer_copy - deep copy; NULL when out of memory */
ag_dns_answer_t *ag_dns_answer_copy(const ag_dns_answer_t *answer);

/* ag_dns_answer_free - accepts NULL, returns NULL */
ag_dns_answer_t *ag_dns_answer_free(ag_dns_answer_t *answer);

/* ag_dns_status_name - "ok", "nxdomain", "nodata", "tempfail" */
const char *ag_dns_status_name(ag_dns_status_t status);

#endif
