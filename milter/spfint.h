/*
 * spfint.h - what the SPF modules share among themselves (not for other
 * modules: they use spf.h).
 *
 *   spfaddr.c   client addresses: parsing, CIDR matching, reverse names
 *   spfmacro.c  a growing string; macro-string syntax and expansion
 *               (RFC 7208 section 7); domain-spec checks and expansion
 *   spfparse.c  the record grammar (section 4.6, 5, 6): text -> terms
 *   spfeval.c   check_host() itself: mechanisms, limits, redirect=
 *   spf.c       the entry point: request, explanation, outcome
 */
#ifndef AG_SPFINT_H
#define AG_SPFINT_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "spf.h"

#define AG_SPF_DOMAIN_MAX 253   /* octets of a name we query */
#define AG_SPF_EXPAND_MAX 65536 /* octets of one macro expansion */
#define AG_SPF_MAX_NAMES  10    /* MX and PTR names looked at */

/* --- spfaddr.c ---------------------------------------------------------- */

typedef struct ag_spf_ip {
	int v6; /* 0: IPv4 in addr[0..3] */
	uint8_t addr[16];
} ag_spf_ip_t;

/* ag_spf_ip_parse - text to address (IPv4-mapped IPv6 becomes IPv4); 0/-1 */
int ag_spf_ip_parse(const char *text, ag_spf_ip_t *ip);

/* ag_spf_ip_match - whether ip is in net/prefix of the same family
 * (net: 4 or 16 octets as v6 says) */
int ag_spf_ip_match(const ag_spf_ip_t *ip, const uint8_t *net, int v6,
                    unsigned prefix);

/* ag_spf_ip_dotted - the %{i} form: "192.0.2.3" or 32 dotted nibbles */
void ag_spf_ip_dotted(const ag_spf_ip_t *ip, char *out, size_t size);

/* ag_spf_ip_text - the %{c} form: "192.0.2.3" or "2001:db8::cb01" */
void ag_spf_ip_text(const ag_spf_ip_t *ip, char *out, size_t size);

/* ag_spf_ip_reverse - the PTR query name: "3.2.0.192.in-addr.arpa" */
void ag_spf_ip_reverse(const ag_spf_ip_t *ip, char *out, size_t size);

/* --- spfmacro.c --------------------------------------------------------- */

typedef struct ag_spf_buf {
	char *data; /* NUL-terminated when not failed */
	size_t len;
	size_t cap;
	int failed; /* out of memory or over AG_SPF_EXPAND_MAX */
} ag_spf_buf_t;

/* ag_spf_buf_add - append n octets; sets failed instead of growing past
 * the limit */
void ag_spf_buf_add(ag_spf_buf_t *buf, const char *s, size_t n);

/* ag_spf_buf_free - release; the buffer is empty and usable again */
void ag_spf_buf_free(ag_spf_buf_t *buf);

#define AG_SPF_MACRO_EXPLAIN 1 /* explain-string: c r t and spaces too */

/* ag_spf_macro_valid - macro-string syntax; 0 or -1 with *why */
int ag_spf_macro_valid(const char *s, size_t len, int flags, const char **why);

/* ag_spf_domain_spec_valid - domain-spec syntax (macro-string ending in a
 * macro or in "." toplabel ["."]); 0 or -1 with *why */
int ag_spf_domain_spec_valid(const char *s, size_t len, const char **why);

typedef struct ag_spf_macro_ctx {
	const char *sender;        /* %{s} */
	const char *local;         /* %{l} */
	const char *sender_domain; /* %{o} */
	const char *domain;        /* %{d} */
	const char *helo;          /* %{h} */
	const char *receiver;      /* %{r} */
	const ag_spf_ip_t *ip;     /* %{i} %{c} %{v} */
	long long now;             /* %{t} */
	/* %{p}: writes the validated name of the client into out */
	void (*ptr_name)(void *arg, const char *domain, char *out, size_t size);
	void *arg;
} ag_spf_macro_ctx_t;

/* ag_spf_macro_expand - expand a (valid) macro-string, appending to out;
 * 0, or -1 on a syntax error or when out failed */
int ag_spf_macro_expand(const ag_spf_macro_ctx_t *ctx, const char *s,
                        size_t len, int flags, ag_spf_buf_t *out);

/*
 * ag_spf_domain_expand - expand a domain-spec into the name to query:
 * left labels dropped to fit 253 octets, one trailing dot removed. 0, or
 * -1 when the result is no valid DNS name (empty label, label over 63).
 */
int ag_spf_domain_expand(const ag_spf_macro_ctx_t *ctx, const char *spec,
                         size_t len, char out[AG_SPF_DOMAIN_MAX + 1]);

/* ag_spf_name_valid - whether a name can be queried (labels 1..63 octets,
 * at most 253 in all, one trailing dot allowed) */
int ag_spf_name_valid(const char *name, size_t len);

/* --- spfparse.c --------------------------------------------------------- */

typedef enum ag_spf_mech {
	AG_SPF_M_ALL,
	AG_SPF_M_INCLUDE,
	AG_SPF_M_A,
	AG_SPF_M_MX,
	AG_SPF_M_PTR,
	AG_SPF_M_IP4,
	AG_SPF_M_IP6,
	AG_SPF_M_EXISTS
} ag_spf_mech_t;

typedef struct ag_spf_term {
	ag_spf_mech_t mech;
	ag_spf_result_t qualifier; /* pass fail softfail neutral */
	const char *text;          /* the directive as written */
	size_t text_len;
	const char *spec; /* domain-spec, NULL when absent */
	size_t spec_len;
	unsigned cidr4;  /* a mx ip4: 0..32 (default 32) */
	unsigned cidr6;  /* a mx ip6: 0..128 (default 128) */
	uint8_t net[16]; /* ip4 (4 octets) ip6 (16) */
} ag_spf_term_t;

typedef struct ag_spf_record {
	char *text; /* own copy, NUL-terminated */
	size_t len;
	ag_spf_term_t *terms; /* directives in order */
	size_t count;
	const char *redirect; /* redirect= domain-spec, or NULL */
	size_t redirect_len;
	const char *exp; /* exp= domain-spec, or NULL */
	size_t exp_len;
} ag_spf_record_t;

/* ag_spf_record_is_spf - whether TXT text is an SPF record: "v=spf1"
 * (any case) followed by a space or the end */
int ag_spf_record_is_spf(const char *text, size_t len);

/*
 * ag_spf_record_parse - parse a whole record (with its "v=spf1"). NULL on
 * a syntax error, the reason written into err ("unknown mechanism 'moo'"),
 * or when out of memory (err says so).
 */
ag_spf_record_t *ag_spf_record_parse(const char *text, size_t len, char *err,
                                     size_t errsize);

/* ag_spf_record_free - accepts NULL, returns NULL */
ag_spf_record_t *ag_spf_record_free(ag_spf_record_t *record);

/* --- spfeval.c ---------------------------------------------------------- */

typedef struct ag_spf_eval {
	ag_resolver_t *resolver;
	unsigned timeout_ms;
	uint64_t deadline; /* clock value the evaluation ends at */
	uint64_t (*clock_ms)(void *arg);
	void *clock_arg;
	ag_spf_ip_t ip;
	ag_spf_macro_ctx_t macro; /* domain changes as we recurse */
	unsigned lookups, max_lookups;
	unsigned voids, max_void;
	const char *watch; /* watched include target, or NULL */
	int watch_reached, watch_pass;
	char *top_record; /* text of the first record read */
	char problem[AG_SPF_PROBLEM_MAX];
} ag_spf_eval_t;

typedef struct ag_spf_decision {
	ag_spf_record_t *record;   /* the record that decided (owned) */
	const ag_spf_term_t *term; /* the term that decided, or NULL */
	char domain[AG_SPF_DOMAIN_MAX + 1]; /* where that record is */
} ag_spf_decision_t;

/* ag_spf_eval_init - prepare an evaluation (the caller fills macro) */
void ag_spf_eval_init(ag_spf_eval_t *ev, ag_resolver_t *resolver,
                      const ag_spf_request_t *req, const ag_spf_ip_t *ip);

/* ag_spf_eval_host - check_host() for one domain; dec receives the record
 * and term that decided (free dec->record) */
ag_spf_result_t ag_spf_eval_host(ag_spf_eval_t *ev, const char *domain,
                                 ag_spf_decision_t *dec);

/* ag_spf_eval_query - one DNS query within the time limit: a TEMPFAIL
 * answer once it is past; NULL when out of memory (noted) */
ag_dns_answer_t *ag_spf_eval_query(ag_spf_eval_t *ev, const char *name,
                                   int type);

/* ag_spf_eval_problem - note why (the first reason is kept) */
void ag_spf_eval_problem(ag_spf_eval_t *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ag_spf_eval_ptr_name - the %{p} callback (arg: the ag_spf_eval_t) */
void ag_spf_eval_ptr_name(void *arg, const char *domain, char *out,
                          size_t size);

#endif
