/*
 * dmarc.h - DMARC policy records (RFC 7489): parsing (sections 6.3, 6.4)
 * and policy discovery (section 6.6.3) over the resolver interface (dns.h).
 * Pure core: no sockets, no globals, no printing.
 *
 * ag_dmarc_parse() reads one TXT record. A record is a DMARC record when
 * its first tag is v=DMARC1 (the value exactly, the tag name in any case);
 * anything else is not one and is refused. Tags are separated by ";",
 * white space around tags and "=" is allowed, tag names and keyword values
 * are case-insensitive, unknown tags are ignored. p= may stand anywhere
 * after v= (receivers accept it so). A known tag with a bad value, or
 * given twice, is ignored for its default (section 6.3: "syntax errors in
 * the remainder of the record SHOULD be discarded in favor of default
 * values"), noted in record->warning; p= and sp= are the exception, judged
 * by discovery.
 *
 * ag_dmarc_discover() looks up _dmarc.<from-domain>, and, when no DMARC
 * record is there, _dmarc.<org-domain> (given by the caller, from the
 * Public Suffix List). Per 6.6.3: several DMARC records at the name that
 * has any is no policy (no fall-back); a record without a valid p= (or
 * with an invalid sp=) counts as p=none when its rua= holds a valid URI,
 * else as no policy. DNS trouble (TEMPFAIL) is a temperror, never
 * "missing". The result: found (with the record and where), missing, or
 * temperror; out->detail says why in words.
 */
#ifndef AG_DMARC_H
#define AG_DMARC_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "domain.h"

typedef enum ag_dmarc_policy {
	AG_DMARC_POLICY_INVALID, /* absent or not a valid keyword */
	AG_DMARC_POLICY_NONE,
	AG_DMARC_POLICY_QUARANTINE,
	AG_DMARC_POLICY_REJECT
} ag_dmarc_policy_t;

/* fo= options, as bits */
#define AG_DMARC_FO_0 0x1
#define AG_DMARC_FO_1 0x2
#define AG_DMARC_FO_D 0x4
#define AG_DMARC_FO_S 0x8

#define AG_DMARC_WARNING_MAX 160

typedef struct ag_dmarc_record {
	ag_dmarc_policy_t p;  /* INVALID when absent or bad */
	ag_dmarc_policy_t sp; /* as given; p when absent */
	int sp_given;         /* sp= was present (valid or not) */
	ag_alignment_t adkim; /* default relaxed */
	ag_alignment_t aspf;  /* default relaxed */
	unsigned pct;         /* 0..100, default 100 */
	unsigned fo;          /* AG_DMARC_FO_* bits, default 0 */
	char *rf;             /* report formats, default "afrf" */
	uint32_t ri;          /* seconds, default 86400 */
	char **rua;           /* valid aggregate report URIs */
	size_t rua_count;
	char **ruf; /* valid failure report URIs */
	size_t ruf_count;
	char *text;                         /* the record as published */
	unsigned warnings;                  /* tags ignored for a problem */
	char warning[AG_DMARC_WARNING_MAX]; /* the first one, "" if none */
} ag_dmarc_record_t;

/* ag_dmarc_is_record - whether TXT text starts with the v=DMARC1 tag */
int ag_dmarc_is_record(const char *text, size_t len);

/*
 * ag_dmarc_parse - parse a DMARC record. NULL when it is not one (v=DMARC1
 * not first) or out of memory, with the reason written into err.
 */
ag_dmarc_record_t *ag_dmarc_parse(const char *text, size_t len, char *err,
                                  size_t errsize);

/* ag_dmarc_record_free - accepts NULL, returns NULL */
ag_dmarc_record_t *ag_dmarc_record_free(ag_dmarc_record_t *record);

/* ag_dmarc_policy_name - "none", "quarantine", "reject", "invalid" */
const char *ag_dmarc_policy_name(ag_dmarc_policy_t policy);

typedef enum ag_dmarc_status {
	AG_DMARC_FOUND,
	AG_DMARC_MISSING,
	AG_DMARC_TEMPERROR
} ag_dmarc_status_t;

#define AG_DMARC_DETAIL_MAX 256

typedef struct ag_dmarc_discovery {
	ag_dmarc_status_t status;
	ag_dmarc_record_t *record; /* FOUND: p and sp valid (or made
	                            * none per 6.6.3 step 6) */
	char domain[256];          /* FOUND: where (without "_dmarc.") */
	int at_org;                /* FOUND at the organisational domain */
	ag_dmarc_policy_t policy;  /* FOUND: the one for the From domain:
	                            * p, or sp when found at the org */
	uint32_t ttl;              /* of the answer that decided */
	char detail[AG_DMARC_DETAIL_MAX]; /* what was found, or why not */
} ag_dmarc_discovery_t;

/*
 * ag_dmarc_discover - find the policy of from_domain; org_domain may be
 * NULL or equal to it (no second lookup). Fills *out (release with
 * ag_dmarc_discovery_clear()) and returns out->status. Out of memory is a
 * temperror.
 */
ag_dmarc_status_t ag_dmarc_discover(ag_resolver_t *resolver,
                                    const char *from_domain,
                                    const char *org_domain, unsigned timeout_ms,
                                    ag_dmarc_discovery_t *out);

/* ag_dmarc_discovery_clear - free what a discovery holds */
void ag_dmarc_discovery_clear(ag_dmarc_discovery_t *out);

/* ag_dmarc_status_name - "found", "missing", "temperror" */
const char *ag_dmarc_status_name(ag_dmarc_status_t status);

#endif
