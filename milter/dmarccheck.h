/*
 * dmarccheck.h - the From domain's DMARC record as a check of the
 * domain-state service (domainstate.h).
 *
 * Every entry gets one check, named "dmarc:<domain>", its target
 * "_dmarc.<domain>": RFC 7489 section 6.6.3 discovery (dmarc.h) at the
 * entry's domain, then at its organisational domain (the Public Suffix
 * List of the subject; without one, the domain alone). No usable record
 * (none at either name, several at the name that has any, no valid p=
 * and no rua=) is dmarc.missing; DNS trouble is TEMPERROR. A record found
 * passes, and the fact carries what it says (ag_dmarc_fact_t: p=, sp= or
 * p= when absent, adkim=s, aspf=s, pct=, found at the organisational
 * domain) for the policy to predict the receivers' verdict. The TTL is the
 * smallest of the answers read.
 *
 * The organisational domain is the check's parameter, so that another
 * Public Suffix List making it another name makes a new check.
 */
#ifndef AG_DMARCCHECK_H
#define AG_DMARCCHECK_H

#include "domainstate.h"

/* The From domain's DMARC record as a kind of the domain-state service. */
extern const ag_dstate_kind_t ag_dmarccheck_kind;

#endif
