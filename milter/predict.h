/*
 * predict.h - what a receiver's DMARC evaluation (RFC 7489) will say of a
 * message, predicted from the facts alignguard already holds (pure core).
 *
 * DMARC passes when SPF passes for the return-path domain and that domain
 * is aligned with the From domain under the record's aspf, or when a DKIM
 * signature that verifies has a d= aligned with the From domain under
 * adkim. alignguard knows, per domain: whether the send domain's SPF
 * authorises every OutboundAddress (the SPF check), whether the DKIM keys
 * the platform signs with are published and good (one check per selector,
 * d= being the table entry's domain), optionally whether a signature on the
 * message verifies, and the published DMARC record. The prediction is
 * "pass", "fail" with the policy the receiver would apply (p=, or sp= for a
 * sub-domain of the domain where the record was found), or "none" when no
 * record is published.
 */
#ifndef AG_PREDICT_H
#define AG_PREDICT_H

#include "domain.h"
#include "domains.h"
#include "facts.h"

typedef enum ag_dmarc_outcome {
	AG_DMARC_UNKNOWN,	/* no DMARC fact (not checked, DNS trouble) */
	AG_DMARC_NONE,		/* no record published */
	AG_DMARC_PASS,
	AG_DMARC_FAIL
} ag_dmarc_outcome_t;

typedef struct ag_dmarc_prediction {
	ag_dmarc_outcome_t outcome;
	char policy[12];	/* with FAIL: what the receiver applies */
	int aspf_strict;	/* the record asks for strict SPF alignment */
	int adkim_strict;	/* ... and strict DKIM alignment */
} ag_dmarc_prediction_t;

typedef struct ag_predict_input {
	const ag_psl_t *psl;
	const ag_domain_entry_t *entry;	/* the From domain's entry */
	const char *from_domain;
	const char *mailfrom_domain;	/* NULL for <> or unparseable */
	const ag_dns_facts_t *dns;
} ag_predict_input_t;

/* ag_predict_dmarc - the predicted receiver result */
ag_dmarc_prediction_t ag_predict_dmarc(const ag_predict_input_t *input);

/*
 * ag_predict_format - "pass", "fail policy=reject", "none"; an empty
 * string for UNKNOWN. Returns buf.
 */
const char *ag_predict_format(const ag_dmarc_prediction_t *prediction,
			      char *buf, size_t size);

#endif
