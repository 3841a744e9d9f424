/*
 * domains.h - the verified-domain table (DESIGN §4).
 *
 * One domain a line, then key=value attributes; '#' comments and blank
 * lines ignored. The table is loaded into an immutable snapshot with O(1)
 * lookups (a hash table sized for millions of entries); a reload builds a
 * new one and the caller swaps it in. Lookup: the exact name first, then
 * each parent domain whose entry says subdomains=yes.
 *
 * Attributes: send-domain=, selectors=a,b, dkim=all|any (which selectors
 * must pass; default all), keys=sel:/path[,sel:/path], accounts=a,b,
 * addresses=local[,pattern*], subdomains=yes|no, reply-to=required|optional,
 * alignment=relaxed|strict, action=<action>, mode=enforce|monitor,
 * spf-include=domain[,domain], mx=host[,host]. Attribute names are
 * case-insensitive; list items are separated by commas (no spaces, since
 * white space separates attributes). Domain names (the line's own,
 * send-domain, spf-include, mx) are normalised by ag_domain_normalise();
 * selectors are lower-cased; relative key paths are taken relative to the
 * table's directory. addresses= patterns match local parts without regard
 * to ASCII case, '*' standing for any run of characters; accounts= match
 * SASL logins exactly.
 *
 * Diagnostics, each "file:line: message": unknown attribute (with the
 * closest known name), missing or bad value (saying what is accepted), an
 * attribute given twice, a malformed domain, a duplicate domain (naming the
 * line of the first), a keys= selector missing from selectors=. After
 * AG_DOMAINS_DIAG_MAX of them the rest are only counted.
 *
 * Memory: entries in one array, every string in a few large blocks; the
 * index is open addressing over 32-bit entry numbers.
 */
#ifndef AG_DOMAINS_H
#define AG_DOMAINS_H

#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "domain.h"
#include "reason.h"

typedef struct ag_key_ref {
	char *selector;
	char *path;		/* private key file (PEM PKCS#1 or PKCS#8) */
} ag_key_ref_t;

typedef struct ag_domain_entry {
	char *domain;			/* normalised */
	unsigned line;			/* where it was defined */
	char *send_domain;		/* NULL = any aligned return-path */
	ag_strlist_t selectors;		/* DKIM selectors; may be empty */
	int dkim_any;			/* dkim=any: one passing selector suffices */
	ag_key_ref_t *keys;
	size_t key_count;
	ag_strlist_t accounts;		/* empty = any login */
	ag_strlist_t addresses;		/* local parts / '*' patterns; empty = any */
	int subdomains;
	int reply_to_required;
	int has_alignment;
	ag_alignment_t alignment;
	int has_action;
	ag_action_t action;
	int has_mode;
	ag_mode_t mode;
	ag_strlist_t spf_includes;	/* spf-include= */
	ag_strlist_t mx_hosts;		/* mx= */
} ag_domain_entry_t;

typedef struct ag_domains ag_domains_t;

#define AG_DOMAINS_DIAG_MAX 1000

/* ag_domains_load - read a table; NULL after adding all problems to diag */
ag_domains_t *ag_domains_load(const char *path, ag_diag_t *diag);

/*
 * ag_domains_parse - the same as ag_domains_load() on `len` octets of
 * `text` (need not be NUL-terminated); `name` is used in diagnostics and
 * to resolve relative key paths.
 */
ag_domains_t *ag_domains_parse(const char *name, const char *text,
			       size_t len, ag_diag_t *diag);

/* ag_domains_free - release; accepts NULL, returns NULL */
ag_domains_t *ag_domains_free(ag_domains_t *table);

/* ag_domains_count - number of entries */
size_t ag_domains_count(const ag_domains_t *table);

/* ag_domains_entry - the i-th entry in file order (0 <= i < count) */
const ag_domain_entry_t *ag_domains_entry(const ag_domains_t *table, size_t i);

/*
 * ag_domains_lookup - the entry verifying a normalised domain: exact match,
 * else the nearest parent with subdomains=yes; NULL when unverified.
 */
const ag_domain_entry_t *ag_domains_lookup(const ag_domains_t *table,
					   const char *domain);

/* ag_domain_entry_allows_address - local part allowed by addresses= */
int ag_domain_entry_allows_address(const ag_domain_entry_t *entry,
				   const char *local);

/* ag_domain_entry_allows_account - SASL login allowed by accounts= */
int ag_domain_entry_allows_account(const ag_domain_entry_t *entry,
				   const char *login);

#endif
