/*
 * spf.h - SPF evaluation, RFC 7208 check_host(), over the resolver
 * interface (dns.h). Pure core: no sockets, no globals, no printing.
 *
 * ag_spf_check() evaluates the SPF record of a domain for a client
 * address, sender and HELO name and says what the RFC says: none, neutral,
 * pass, fail, softfail, temperror or permerror. It implements every
 * mechanism (all include a mx ptr ip4 ip6 exists) with dual CIDR lengths,
 * the redirect= and exp= modifiers (unknown modifiers are checked for
 * syntax, then ignored), macros with transformers, delimiters and
 * URL-escaping, the limits of section 4.6.4 (10 terms that query the DNS,
 * 2 void lookups, 10 MX names, 10 PTR names), record selection (exactly
 * one TXT record starting "v=spf1", case-insensitive) and the checks of
 * <domain> in section 4.3. An IPv4-mapped IPv6 client is an IPv4 client.
 *
 * Choices where the RFC leaves room, documented once here:
 * - A domain-spec that expands to a name the DNS cannot hold (empty label,
 *   label over 63 octets) makes its a/mx/ptr/exists mechanism not match;
 *   as include: or redirect= target it is a permerror (check_host() of a
 *   malformed name is "none").
 * - Void lookups counted: the first lookup of a, mx, exists (NODATA or
 *   NXDOMAIN). Not counted: the address lookups of MX and PTR names, the
 *   PTR lookup itself (the client's reverse zone is not the domain owner's)
 *   and the exp= lookup.
 * - A PTR lookup that fails makes ptr not match; %{p} becomes "unknown".
 * - Time: each query gets req->timeout_ms, cut to what is left of the
 *   whole evaluation's req->limit_ms (20 s by default, section 4.6.4);
 *   past that limit every query fails and the result is temperror.
 * - Explanations are computed for a fail of the <domain>'s own record (or
 *   of the record a redirect= led to), never from an include:d record; any
 *   problem with exp= (DNS error, not exactly one TXT record, bad syntax,
 *   non-ASCII) gives the default explanation. Octets outside printable
 *   ASCII in an expanded explanation are replaced by '?'.
 * - Watched include (the spf-include= attribute): with req->watch_include
 *   set, out->include_reached says whether evaluation got to an include:
 *   or redirect= whose target is that domain (case-insensitive, a trailing
 *   dot ignored), and out->include_pass whether that evaluation gave pass.
 *   Evaluation is lazy, as the RFC requires: terms after the one that
 *   decides are not reached.
 *
 * Diagnostics: out->problem says in words why the result is none,
 * temperror or permerror ("e.example: syntax error: unknown mechanism
 * 'moo'", "more than 10 DNS lookups", ...). An invalid client address is a
 * permerror with its own problem text, never a pass.
 */
#ifndef AG_SPF_H
#define AG_SPF_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

typedef enum ag_spf_result {
	AG_SPF_NONE,
	AG_SPF_NEUTRAL,
	AG_SPF_PASS,
	AG_SPF_FAIL,
	AG_SPF_SOFTFAIL,
	AG_SPF_TEMPERROR,
	AG_SPF_PERMERROR
} ag_spf_result_t;

#define AG_SPF_TIMEOUT_MS          5000  /* default per DNS query */
#define AG_SPF_MAX_LOOKUPS         10    /* RFC 7208 4.6.4 */
#define AG_SPF_MAX_VOID            2     /* RFC 7208 4.6.4, recommended */
#define AG_SPF_LIMIT_MS            20000 /* RFC 7208 4.6.4: at least 20 s */
#define AG_SPF_DEFAULT_EXPLANATION "SPF fail - not authorized"

typedef struct ag_spf_request {
	const char *ip;       /* client address, IPv4 or IPv6 text */
	const char *sender;   /* MAIL FROM; NULL or "" (null sender): the
	                       * check uses postmaster@<helo> */
	const char *helo;     /* HELO/EHLO name; NULL: "unknown" */
	const char *domain;   /* <domain>; NULL: the domain of the sender */
	const char *receiver; /* %{r}; NULL: "unknown" */
	long long now;        /* %{t}, seconds since the epoch */
	unsigned timeout_ms;  /* per DNS query; 0: AG_SPF_TIMEOUT_MS */
	unsigned max_lookups; /* 0: AG_SPF_MAX_LOOKUPS (at most 100) */
	unsigned max_void;    /* 0: AG_SPF_MAX_VOID */
	unsigned limit_ms;    /* the whole evaluation, RFC 7208 4.6.4 (past
	                       * it: temperror); 0: AG_SPF_LIMIT_MS */
	/* monotonic clock in milliseconds; NULL: CLOCK_MONOTONIC */
	uint64_t (*clock_ms)(void *arg);
	void *clock_arg;
	const char *watch_include;       /* see above; NULL: none */
	const char *default_explanation; /* NULL: AG_SPF_DEFAULT_EXPLANATION */
} ag_spf_request_t;

#define AG_SPF_PROBLEM_MAX 256

typedef struct ag_spf_outcome {
	ag_spf_result_t result;
	char *explanation;      /* fail only: expanded exp= text or default */
	char *mechanism;        /* the directive that decided, as written, e.g.
	                         * "-all" or "include:_spf.example.net";
	                         * NULL for the implicit neutral */
	char *mechanism_domain; /* the domain whose record holds it */
	char *record;           /* the SPF record of <domain>, NULL if none */
	char problem[AG_SPF_PROBLEM_MAX]; /* none/temperror/permerror: why */
	unsigned lookups;                 /* DNS-querying terms evaluated */
	unsigned void_lookups;
	int include_reached; /* watch_include: its include: was evaluated */
	int include_pass;    /* ... and gave pass */
} ag_spf_outcome_t;

/*
 * ag_spf_check - run check_host(); fills *out (release it with
 * ag_spf_outcome_clear()) and returns out->result. Out of memory is a
 * temperror.
 */
ag_spf_result_t ag_spf_check(ag_resolver_t *resolver,
                             const ag_spf_request_t *req,
                             ag_spf_outcome_t *out);

/* ag_spf_outcome_clear - free what an outcome holds; it stays reusable */
void ag_spf_outcome_clear(ag_spf_outcome_t *out);

/* ag_spf_result_name - "none", "neutral", "pass", "fail", "softfail",
 * "temperror", "permerror" */
const char *ag_spf_result_name(ag_spf_result_t result);

/* ag_spf_result_parse - result from its name (case-insensitive); 0 or -1 */
int ag_spf_result_parse(const char *name, ag_spf_result_t *result);

#endif
