/*
 * domainstate.h - the per-domain DNS state service (DESIGN §2 "Domain
 * state").
 *
 * DNS facts are kept per check, not fetched per message. A check is one
 * question about a domain's DNS, such as "is the DKIM key of selector s1
 * of example.com published and good"; it is identified by its kind, its
 * target (the name it looks up, "s1._domainkey.example.com") and its
 * parameters (the octets a kind needs besides, e.g. the public half of the
 * operator's private key). Each check has a state: pending (never
 * answered), pass, fail (with a reason code) or temperror.
 *
 * How a check lives:
 *  - The first message that needs it creates it and waits for its first
 *    answer, but never past the deadline the caller gives (DNSTimeout);
 *    when the deadline passes first the message sees PENDING.
 *  - Later messages read the state and never wait. A worker thread
 *    refreshes the check in the background at refresh_percent of the
 *    answer's TTL (clamped to [refresh_min_s, refresh_max_s]); a message
 *    that finds a check already due starts its refresh too. However many
 *    messages ask, one evaluation per check runs at a time.
 *  - A temporary DNS failure does not flip a known state: the last pass
 *    (or fail) holds for grace_period_s (DNSGracePeriod) counted from the
 *    first failure, then the check reports TEMPERROR (reason
 *    dns.temperror). A check with no known state that meets DNS trouble is
 *    TEMPERROR at once. During trouble the check is retried every retry_s.
 *  - Every change of the reported state (or of the reason of a failure)
 *    is an event, handed to the event hook exactly once, so that the
 *    daemon can log "event=state-change domain=... check=dkim:s1
 *    from=pass to=fail reason=dkim.key-missing" and count it.
 *  - A check nobody asked for during idle_s is dropped at its next refresh
 *    time, which bounds memory by the set of checks in use.
 *
 * Kinds: the service knows no DNS itself. Each kind of check is a row of
 * function pointers (ag_dstate_kind_t) registered before the first
 * message: plan() lists the checks a subject (a verified-domain entry and
 * what was loaded with the table) needs, evaluate() answers one check from
 * a worker thread. DKIM key checks are in dkimcheck.c
 * (ag_dkimcheck_kind), the send domain's SPF and MX in spfcheck.c and
 * mxcheck.c, the From domain's DMARC record in dmarccheck.c. Another kind
 * is added by writing its plan and evaluate functions, adding what it
 * needs to the subject and the options (an option that evaluations read
 * also goes into the list of ag_dstate_options_differ(), so that a reload
 * changing it re-evaluates), and registering it: the state machine stays
 * as it is. What a kind plans from the subject's configuration belongs in
 * the check's parameters, so that a reload changing it makes a new check.
 *
 * Threads: prefetch and collect are called from any number of message
 * threads; evaluations run on `workers` threads; one scheduler thread
 * starts due refreshes and drops idle checks. Event hooks run with the
 * service's lock held: they must be quick and must not call the service.
 * ag_dstate_destroy() stops and joins every thread; no prefetch or collect
 * may be running then.
 *
 * Diagnostics: out of memory while creating a check makes that check's
 * fact TEMPERROR with the detail "out of memory"; nothing here prints.
 */
#ifndef AG_DOMAINSTATE_H
#define AG_DOMAINSTATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "dns.h"
#include "domains.h"
#include "facts.h"
#include "reason.h"

typedef struct ag_dkim_keys ag_dkim_keys_t; /* see dkimcheck.h */

/*
 * The answer of one evaluation of one check. Besides the state, a kind may
 * hand the policy what it found, in the member named after it (dmarc: the
 * DMARC kind's record); the service keeps that data with the answer and
 * copies it into every fact made from it (ag_check_fact_t has the same
 * members), including the facts of a pass held during DNS trouble. The
 * result starts zeroed, so a kind without such data leaves it alone.
 */
typedef struct ag_check_result {
	ag_check_state_t state; /* PASS, FAIL or TEMPERROR */
	ag_reason_t reason;     /* FAIL: why; otherwise AG_R_COUNT */
	uint32_t ttl;           /* seconds the answer holds (DNS TTL) */
	char detail[AG_CHECK_DETAIL_MAX]; /* "rsa 2048 bits", "timeout" */
	ag_dmarc_fact_t dmarc;            /* AG_CHECK_DMARC: the record */
} ag_check_result_t;

typedef struct ag_dstate_options {
	unsigned dns_timeout_ms;  /* DNSTimeout: one query's limit */
	unsigned grace_period_s;  /* DNSGracePeriod; default 72h */
	unsigned min_key_bits;    /* MinKeyBits; default 1024 */
	int allow_testing_keys;   /* AllowTestingKeys; default no */
	unsigned refresh_percent; /* refresh at this % of TTL; default 80 */
	unsigned refresh_min_s;   /* never sooner; default 60 */
	unsigned refresh_max_s;   /* never later; default 3600 */
	unsigned retry_s;         /* while in DNS trouble; default 60 */
	unsigned idle_s;          /* drop checks unused this long; 48h */
	unsigned workers;         /* evaluating threads; default 32: they
	                           * mostly wait on DNS, and each first
	                           * message waits for its own checks */
} ag_dstate_options_t;

/*
 * What the checks of one message are planned from: the table entry and
 * what was loaded with the same table and configuration. Every member but
 * entry may be NULL; a kind then plans as if the setting were empty
 * (no OutboundAddresses, no Public Suffix List).
 */
typedef struct ag_dstate_subject {
	const ag_domain_entry_t *entry;  /* the verified From domain */
	const ag_dkim_keys_t *dkim_keys; /* keys= loaded; may be NULL */
	const ag_config_t *config;       /* OutboundAddresses; may be NULL */
	const ag_psl_t *psl; /* organisational domains; may be NULL */
} ag_dstate_subject_t;

#define AG_DSTATE_TARGET_MAX 512
#define AG_DSTATE_PARAMS_MAX 1024

/*
 * One check as a kind plans it. The parameters are part of the check's
 * identity and are copied when the check is made; they may point to data
 * that outlives the call (a loaded key) or into the request's own buffer
 * (a list a kind encodes from the subject).
 */
typedef struct ag_dstate_req {
	char name[AG_CHECK_NAME_MAX];      /* fact/event name: "dkim:s1" */
	char target[AG_DSTATE_TARGET_MAX]; /* "s1._domainkey.example.com" */
	const void *params;                /* copied when the check is made */
	size_t params_len;
	unsigned char buf[AG_DSTATE_PARAMS_MAX]; /* room for params */
} ag_dstate_req_t;

/* What an evaluation may use; valid for the evaluation only. */
typedef struct ag_dstate_env {
	ag_resolver_t *resolver;
	const ag_dstate_options_t *options;
} ag_dstate_env_t;

typedef struct ag_dstate_kind {
	ag_check_kind_t kind;
	/* plan - the checks a subject needs: fill at most max requests,
	 * return how many */
	size_t (*plan)(const ag_dstate_subject_t *subject,
	               ag_dstate_req_t *reqs, size_t max);
	/* evaluate - answer one check (worker thread; may block on DNS);
	 * must set result->state, reason, ttl and detail */
	void (*evaluate)(const ag_dstate_env_t *env, const char *target,
	                 const void *params, size_t params_len,
	                 ag_check_result_t *result);
} ag_dstate_kind_t;

/* A change of a check's reported state. */
typedef struct ag_dstate_event {
	const char *check;  /* "dkim:s1" */
	const char *domain; /* "example.com" */
	const char *target; /* "s1._domainkey.example.com" */
	ag_check_state_t from;
	ag_check_state_t to;
	ag_reason_t reason; /* FAIL: its code; TEMPERROR:
	                     * dns.temperror; else AG_R_COUNT */
	const char *detail;
} ag_dstate_event_t;

typedef struct ag_dstate_hooks {
	/* event - a state change; called with the service's lock held */
	void (*event)(void *arg, const ag_dstate_event_t *event);
	void *event_arg;
	/* clock - seconds on any fixed origin; NULL: CLOCK_MONOTONIC */
	int64_t (*clock)(void *arg);
	void *clock_arg;
} ag_dstate_hooks_t;

typedef struct ag_dstate_stats {
	size_t checks;             /* checks held now */
	size_t in_flight;          /* evaluations queued or running */
	unsigned long evaluations; /* evaluations finished */
	unsigned long events;      /* state changes reported */
	unsigned long evictions;   /* idle checks dropped */
} ag_dstate_stats_t;

typedef struct ag_dstate ag_dstate_t;

/* ag_dstate_options_init - every default */
void ag_dstate_options_init(ag_dstate_options_t *options);

/* ag_dstate_options_from_config - defaults, then the daemon's settings */
void ag_dstate_options_from_config(ag_dstate_options_t *options,
                                   const ag_config_t *config);

/*
 * ag_dstate_options_differ - whether checks may answer otherwise under b
 * than under a (an option evaluations read changed)
 */
int ag_dstate_options_differ(const ag_dstate_options_t *a,
                             const ag_dstate_options_t *b);

/*
 * ag_dstate_create - start the service: workers and scheduler threads.
 * The resolver stays the caller's (it must outlive the service or be
 * swapped out with ag_dstate_reconfigure()). hooks may be NULL.
 * NULL when out of memory or when threads cannot be started.
 */
ag_dstate_t *ag_dstate_create(ag_resolver_t *resolver,
                              const ag_dstate_options_t *options,
                              const ag_dstate_hooks_t *hooks);

/* ag_dstate_destroy - stop and join every thread, free; accepts NULL */
ag_dstate_t *ag_dstate_destroy(ag_dstate_t *state);

/*
 * ag_dstate_register - add a kind (the row must outlive the service);
 * before the first prefetch or collect. 0, or -1 when the table is full
 * or the kind is already there.
 */
int ag_dstate_register(ag_dstate_t *state, const ag_dstate_kind_t *kind);

/*
 * ag_dstate_prefetch - start the never-seen and due checks of a subject
 * (at end of headers) without waiting.
 */
void ag_dstate_prefetch(ag_dstate_t *state, const ag_dstate_subject_t *subject);

/*
 * ag_dstate_collect - one fact per check the subject needs, in kind and
 * plan order (at most AG_MAX_CHECKS), waiting for never-seen checks until
 * the deadline (CLOCK_MONOTONIC; NULL: do not wait) and no longer. Sets
 * facts->dkim_any from the entry. Returns the number of facts.
 */
size_t ag_dstate_collect(ag_dstate_t *state, const ag_dstate_subject_t *subject,
                         const struct timespec *deadline,
                         ag_dns_facts_t *facts);

/* ag_dstate_deadline - the CLOCK_MONOTONIC time ms milliseconds from now */
struct timespec ag_dstate_deadline(unsigned ms);

/*
 * ag_dstate_reconfigure - use another resolver and options (on reload).
 * When an option that evaluations read changed (DNSTimeout, MinKeyBits,
 * AllowTestingKeys), every check is re-evaluated soon; known states hold
 * meanwhile. Returns once no evaluation uses the old resolver any more, so
 * the caller may free it. The worker count stays as created. Not to be
 * called from two threads at once.
 */
void ag_dstate_reconfigure(ag_dstate_t *state, ag_resolver_t *resolver,
                           const ag_dstate_options_t *options);

/* ag_dstate_poke - make the scheduler look at the clock now */
void ag_dstate_poke(ag_dstate_t *state);

/* ag_dstate_stats - counters, for metrics and tests */
void ag_dstate_stats(ag_dstate_t *state, ag_dstate_stats_t *stats);

#endif
