/*
 * predict.c - the receiver's DMARC result, predicted (see predict.h).
 */
#include "predict.h"

#include <stdio.h>
#include <string.h>

/* ag_predict_find - the first fact of a kind, or NULL */
static const ag_check_fact_t *ag_predict_find(const ag_dns_facts_t *dns,
					      ag_check_kind_t kind)
{
	for (size_t i = 0; dns != NULL && i < dns->count; i++)
		if (dns->checks[i].kind == kind)
			return &dns->checks[i];
	return NULL;
}

/* ag_predict_mode - strict or relaxed */
static ag_alignment_t ag_predict_mode(int strict)
{
	return strict ? AG_ALIGN_STRICT : AG_ALIGN_RELAXED;
}

/* ag_predict_spf_aligned - SPF passes for an aligned return-path */
static int ag_predict_spf_aligned(const ag_predict_input_t *input, int strict)
{
	const ag_check_fact_t *spf = ag_predict_find(input->dns, AG_CHECK_SPF);
	const char *send_domain = input->entry->send_domain;

	if (spf == NULL || spf->state != AG_CHECK_PASS ||
	    input->mailfrom_domain == NULL || send_domain == NULL)
		return 0;
	/* the SPF check was made for the send domain itself */
	if (strcmp(input->mailfrom_domain, send_domain) != 0)
		return 0;
	return ag_domains_aligned(input->psl, input->from_domain,
				  input->mailfrom_domain, ag_predict_mode(strict));
}

/* ag_predict_dkim_aligned - a good key or signature with an aligned d= */
static int ag_predict_dkim_aligned(const ag_predict_input_t *input, int strict)
{
	const ag_dns_facts_t *dns = input->dns;

	for (size_t i = 0; i < dns->count; i++) {
		const ag_check_fact_t *fact = &dns->checks[i];

		if (fact->state != AG_CHECK_PASS)
			continue;
		if (fact->kind == AG_CHECK_DKIM_SIGNATURE)
			return 1;
		if (fact->kind == AG_CHECK_DKIM_KEY &&
		    ag_domains_aligned(input->psl, input->from_domain,
				       input->entry->domain,
				       ag_predict_mode(strict)))
			return 1;
	}
	return 0;
}

/* ag_predict_dmarc - the predicted receiver result */
ag_dmarc_prediction_t ag_predict_dmarc(const ag_predict_input_t *input)
{
	const ag_check_fact_t *dmarc = ag_predict_find(input->dns, AG_CHECK_DMARC);
	ag_dmarc_prediction_t prediction;
	const ag_dmarc_fact_t *record;

	memset(&prediction, 0, sizeof(prediction));
	if (dmarc == NULL || input->entry == NULL || input->from_domain == NULL ||
	    (dmarc->state != AG_CHECK_PASS && dmarc->state != AG_CHECK_FAIL))
		return prediction;
	record = &dmarc->dmarc;
	if (dmarc->state == AG_CHECK_FAIL || !record->found) {
		prediction.outcome = AG_DMARC_NONE;
		return prediction;
	}
	prediction.aspf_strict = record->aspf_strict;
	prediction.adkim_strict = record->adkim_strict;
	if (ag_predict_spf_aligned(input, record->aspf_strict) ||
	    ag_predict_dkim_aligned(input, record->adkim_strict)) {
		prediction.outcome = AG_DMARC_PASS;
		return prediction;
	}
	prediction.outcome = AG_DMARC_FAIL;
	snprintf(prediction.policy, sizeof(prediction.policy), "%s",
		 record->at_org_domain || strcmp(input->from_domain,
						 input->entry->domain) != 0 ?
			 record->subdomain_policy : record->policy);
	return prediction;
}

/* ag_predict_format - the prediction as the tag header and log say it */
const char *ag_predict_format(const ag_dmarc_prediction_t *prediction,
			      char *buf, size_t size)
{
	switch (prediction->outcome) {
	case AG_DMARC_PASS:
		snprintf(buf, size, "pass");
		break;
	case AG_DMARC_FAIL:
		snprintf(buf, size, "fail policy=%s",
			 prediction->policy[0] ? prediction->policy : "none");
		break;
	case AG_DMARC_NONE:
		snprintf(buf, size, "none");
		break;
	default:
		snprintf(buf, size, "%s", "");
		break;
	}
	return buf;
}
