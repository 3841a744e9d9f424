/*
 * checkrun.h - alignguard-check's judgement of one sending domain, made
 * with the daemon's own parts so that the two never disagree.
 *
 * ag_check_domain() looks the domain up in the verified-domain table,
 * collects its DNS facts from the domain-state service (domainstate.h,
 * with every kind of checkkinds.h registered: the very checks the daemon
 * runs), and asks the policy (policy.h) for the verdict of a message
 * "From: <allowed local part>@<domain>" with the return-path in the
 * entry's send domain (or the domain itself, or the one the caller names),
 * submitted by an allowed SASL login with a Reply-To. It then writes one
 * line per check:
 *  - "table": the domain's entry (from.unverified when there is none);
 *  - "align": the return-path domain's alignment with the domain, relaxed
 *    or strict per entry and configuration, strict when the published
 *    DMARC record says aspf=s (mailfrom.unaligned);
 *  - "send-domain": the return-path is within send-domain= (when set;
 *    mailfrom.not-send-domain);
 *  - one line per DNS check, named and described by its kind ("dkim:s1",
 *    its target, what DNS said);
 *  - "dmarc-result": the receivers' predicted DMARC result, when a DMARC
 *    check ran (dmarc.fail counts only with RequireDMARCPass).
 * A failed check that does not count for the verdict (a selector under
 * dkim=any while another passes; a predicted DMARC failure without
 * RequireDMARCPass) is marked "warn". Each failure gets its fix
 * (checkfix.h).
 *
 * The domain's status follows the verdict: pass (no failed check), fail,
 * or temperror (only DNS trouble, dns.temperror: no verdict was reached).
 *
 * Diagnostics: none printed; a check that got no answer before the wait
 * ended is a temperror line saying so.
 */
#ifndef AG_CHECKRUN_H
#define AG_CHECKRUN_H

#include <stddef.h>

#include "address.h"
#include "dns.h"
#include "domainstate.h"
#include "facts.h"
#include "policy.h"
#include "snapshot.h"

typedef enum ag_check_mark {
	AG_MARK_PASS,
	AG_MARK_FAIL,
	AG_MARK_WARN,     /* failed, but does not count for the verdict */
	AG_MARK_TEMPERROR /* DNS trouble, or no answer in time */
} ag_check_mark_t;

typedef enum ag_check_status {
	AG_STATUS_PASS,
	AG_STATUS_FAIL,
	AG_STATUS_TEMPERROR /* DNS trouble prevented a verdict */
} ag_check_status_t;

#define AG_CHECK_LOCAL        (-1) /* a line no DNS kind made */
#define AG_CHECK_FIX_TEXT_MAX 512
#define AG_CHECK_FIX_RECORDS  8
#define AG_CHECK_LINES_MAX    (AG_MAX_CHECKS + 4)

typedef struct ag_check_fix {
	char text[AG_CHECK_FIX_TEXT_MAX];  /* what to do, in words */
	char table[AG_CHECK_FIX_TEXT_MAX]; /* a table line to add, or "" */
	size_t nrecords;
	char *records[AG_CHECK_FIX_RECORDS]; /* zone-file lines */
} ag_check_fix_t;

typedef struct ag_check_line {
	char name[AG_CHECK_NAME_MAX];      /* "table", "dkim:s1" */
	char target[AG_DSTATE_TARGET_MAX]; /* what was looked at */
	int kind;                          /* ag_check_kind_t or LOCAL */
	ag_check_mark_t mark;
	ag_reason_t reason; /* AG_R_COUNT when it passed */
	char found[AG_CHECK_DETAIL_MAX];
	ag_check_fix_t *fix; /* failures and warnings; else NULL */
} ag_check_line_t;

typedef struct ag_check_report {
	char domain[AG_DOMAIN_MAX + 1];
	char mailfrom[AG_DOMAIN_MAX + 1]; /* the return-path domain assumed */
	const ag_domain_entry_t *entry;   /* NULL: not in the table */
	ag_verdict_t verdict;
	ag_check_status_t status;
	char dmarc[32]; /* predicted result ("pass", "fail policy=...") */
	size_t count;
	ag_check_line_t lines[AG_CHECK_LINES_MAX];
} ag_check_report_t;

/* What every domain of one run is checked with. */
typedef struct ag_check_ctx {
	const ag_snapshot_t *rules;
	ag_dstate_t *state;      /* every kind registered */
	ag_resolver_t *resolver; /* the state's, for the fixes */
	unsigned wait_ms;        /* wait for a check's first answer */
	const char *mailfrom;    /* return-path domain; NULL: the entry's */
	const char *rua;         /* DMARC rua= for fixes; NULL: default */
	const ag_strlist_t *selectors; /* for a table line; may be NULL */
	const char *mx; /* MX host for fixes; NULL: the entry's */
} ag_check_ctx_t;

/*
 * ag_check_domain - check one normalised domain into a new report; NULL
 * when out of memory. Release with ag_check_report_free().
 */
ag_check_report_t *ag_check_domain(const ag_check_ctx_t *ctx,
                                   const char *domain);

/* ag_check_report_free - accepts NULL, returns NULL */
ag_check_report_t *ag_check_report_free(ag_check_report_t *report);

/* ag_check_mark_name - "pass", "fail", "warn", "temperror" */
const char *ag_check_mark_name(ag_check_mark_t mark);

/* ag_check_status_name - "pass", "fail", "temperror" */
const char *ag_check_status_name(ag_check_status_t status);

#endif
