/*
 * facts.h - what the DNS side knows about a domain, in the form the policy
 * reads it (DESIGN §2 "Domain state").
 *
 * Each DNS check of a domain (one per DKIM selector, and the send domain's
 * SPF and MX, the From domain's DMARC record) has a state. The domain-state
 * service (domainstate.c) keeps them fresh and hands a message a snapshot
 * of the checks that concern it; the policy (policy.c) turns failures into
 * reasons and actions. The grace logic is applied before the policy sees
 * a state: a temporary failure of a known-good check is reported as PASS
 * until the grace period ends.
 */
#ifndef AG_FACTS_H
#define AG_FACTS_H

#include <stddef.h>

#include "reason.h"

typedef enum ag_check_state {
	AG_CHECK_PENDING,	/* never checked, and the wait ran out */
	AG_CHECK_PASS,
	AG_CHECK_FAIL,		/* see reason */
	AG_CHECK_TEMPERROR	/* DNS trouble and no known-good state */
} ag_check_state_t;

typedef enum ag_check_kind {
	AG_CHECK_DKIM_KEY,	/* one DKIM selector's published key */
	AG_CHECK_DKIM_SIGNATURE, /* signatures on the message itself */
	AG_CHECK_SPF,		/* send domain's SPF for OutboundAddresses */
	AG_CHECK_MX,		/* send domain's MX */
	AG_CHECK_DMARC		/* From domain's DMARC record */
} ag_check_kind_t;

#define AG_CHECK_NAME_MAX 128
#define AG_CHECK_DETAIL_MAX 256
#define AG_MAX_CHECKS 32

/* What a DMARC check found (AG_CHECK_DMARC facts only). */
typedef struct ag_dmarc_fact {
	int found;			/* a usable record was published */
	char policy[12];		/* p=: "none", "quarantine", "reject" */
	char subdomain_policy[12];	/* sp=, or p= when absent */
	int adkim_strict;		/* adkim=s */
	int aspf_strict;		/* aspf=s */
	unsigned pct;			/* pct=, 0..100 */
	int at_org_domain;		/* found at the organisational domain */
} ag_dmarc_fact_t;

typedef struct ag_check_fact {
	ag_check_kind_t kind;
	char name[AG_CHECK_NAME_MAX];	/* "dkim:s1", "spf:bounce.example.com" */
	ag_check_state_t state;
	ag_reason_t reason;		/* when FAIL */
	char detail[AG_CHECK_DETAIL_MAX]; /* what DNS said, for logs and the CLI */
	ag_dmarc_fact_t dmarc;		/* AG_CHECK_DMARC only */
} ag_check_fact_t;

typedef struct ag_dns_facts {
	size_t count;
	ag_check_fact_t checks[AG_MAX_CHECKS];
	int dkim_any;			/* one passing DKIM selector suffices */
} ag_dns_facts_t;

/* Name of a state: "pending", "pass", "fail", "temperror". */
const char *ag_check_state_name(ag_check_state_t state);

#endif
