/*
 * policy.c - facts to verdict (see policy.h). Pure: reads its input only.
 */
#include "policy.h"

#include <stddef.h>

#define AG_FROM_STRUCTURE_REASONS                                          \
	(AG_REASON_BIT(AG_R_FROM_MISSING) | AG_REASON_BIT(AG_R_FROM_MULTIPLE) | \
	 AG_REASON_BIT(AG_R_FROM_MULTIPLE_MAILBOXES) |                     \
	 AG_REASON_BIT(AG_R_FROM_INVALID))

/* ag_policy_configured_action - the global action for one reason */
static ag_action_t ag_policy_configured_action(const ag_config_t *config,
					       ag_reason_t reason)
{
	switch (reason) {
	case AG_R_MAILFROM_UNALIGNED:
	case AG_R_MAILFROM_NOT_SEND_DOMAIN:
		return config->on_misaligned;
	case AG_R_DKIM_KEY_MISSING:
	case AG_R_DKIM_KEY_INVALID:
	case AG_R_DKIM_KEY_REVOKED:
	case AG_R_DKIM_KEY_WEAK:
	case AG_R_DKIM_KEY_TESTING:
	case AG_R_DKIM_KEY_MISMATCH:
		return config->on_dkim_key;
	case AG_R_DKIM_SIGNATURE_INVALID:
	case AG_R_DKIM_SIGNATURE_UNALIGNED:
		return config->on_dkim_signature;
	case AG_R_SPF_FAIL:
	case AG_R_SPF_MISSING:
	case AG_R_SPF_PERMERROR:
		return config->on_spf;
	case AG_R_MX_MISSING:
		return config->on_mx;
	case AG_R_DMARC_MISSING:
	case AG_R_DMARC_FAIL:
		return config->on_dmarc;
	case AG_R_DNS_TEMPERROR:
		return config->on_dns_error;
	default:
		return config->on_unverified;
	}
}

/* ag_policy_reason_action - configured action, with the domain's action= */
ag_action_t ag_policy_reason_action(const ag_config_t *config,
				    const ag_domain_entry_t *entry,
				    ag_reason_t reason)
{
	if (entry != NULL && entry->has_action && reason != AG_R_DNS_TEMPERROR)
		return entry->action;
	return ag_policy_configured_action(config, reason);
}

/* ag_policy_exempt - ApplyTo authenticated and no login */
static int ag_policy_exempt(const ag_config_t *config,
			    const ag_message_facts_t *message)
{
	return config->apply_to_authenticated &&
	       (message->login == NULL || message->login[0] == '\0');
}

/* ag_policy_sender_reasons - From domain verified and allowed? */
static ag_reasons_t ag_policy_sender_reasons(const ag_domain_entry_t *entry,
					     const ag_message_facts_t *message)
{
	ag_reasons_t reasons = 0;

	if (entry == NULL ||
	    !ag_domain_entry_allows_address(entry, message->from_local))
		return AG_REASON_BIT(AG_R_FROM_UNVERIFIED);
	if (!ag_domain_entry_allows_account(entry, message->login))
		reasons |= AG_REASON_BIT(AG_R_FROM_NOT_AUTHORIZED);
	if (entry->reply_to_required && !message->has_reply_to)
		reasons |= AG_REASON_BIT(AG_R_REPLYTO_MISSING);
	return reasons;
}

/* ag_policy_mailfrom_reasons - return-path aligned and the send domain? */
static ag_reasons_t ag_policy_mailfrom_reasons(const ag_policy_input_t *input,
					       const ag_domain_entry_t *entry)
{
	const ag_message_facts_t *message = input->message;
	ag_alignment_t mode = input->config->alignment;
	ag_reasons_t reasons = 0;

	if (message->envfrom == AG_ENVFROM_NULL)
		return input->config->null_sender_check ?
			       AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED) : 0;
	if (message->envfrom != AG_ENVFROM_OK || message->mailfrom_domain == NULL)
		return AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED);
	if (entry->has_alignment)
		mode = entry->alignment;
	if (!ag_domains_aligned(input->psl, message->from_domain,
				message->mailfrom_domain, mode))
		reasons |= AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED);
	if (entry->send_domain != NULL &&
	    !ag_domain_is_within(message->mailfrom_domain, entry->send_domain))
		reasons |= AG_REASON_BIT(AG_R_MAILFROM_NOT_SEND_DOMAIN);
	return reasons;
}

/* ag_policy_local_reasons - every check that needs no DNS */
static ag_reasons_t ag_policy_local_reasons(const ag_policy_input_t *input,
					    const ag_domain_entry_t **entry)
{
	const ag_message_facts_t *message = input->message;
	ag_reasons_t reasons;

	*entry = NULL;
	if (message->from_structure & AG_FROM_STRUCTURE_REASONS)
		return message->from_structure & AG_FROM_STRUCTURE_REASONS;
	*entry = ag_domains_lookup(input->domains, message->from_domain);
	reasons = ag_policy_sender_reasons(*entry, message);
	if (*entry != NULL && (reasons & AG_REASON_BIT(AG_R_FROM_UNVERIFIED)))
		return reasons;
	if (*entry != NULL)
		reasons |= ag_policy_mailfrom_reasons(input, *entry);
	return reasons;
}

/* ag_policy_dns_reasons - reasons from the DNS facts of the domain */
static ag_reasons_t ag_policy_dns_reasons(const ag_dns_facts_t *dns)
{
	ag_reasons_t dkim_failures = 0, others = 0;
	int dkim_pass = 0;

	for (size_t i = 0; i < dns->count; i++) {
		const ag_check_fact_t *fact = &dns->checks[i];
		ag_reasons_t *into = fact->kind == AG_CHECK_DKIM_KEY ?
					     &dkim_failures : &others;

		switch (fact->state) {
		case AG_CHECK_PASS:
			dkim_pass |= fact->kind == AG_CHECK_DKIM_KEY;
			break;
		case AG_CHECK_FAIL:
			*into |= AG_REASON_BIT(fact->reason);
			break;
		case AG_CHECK_PENDING:
		case AG_CHECK_TEMPERROR:
			*into |= AG_REASON_BIT(AG_R_DNS_TEMPERROR);
			break;
		}
	}
	if (dns->dkim_any && dkim_pass)
		dkim_failures = 0;
	return dkim_failures | others;
}

/* ag_policy_strongest - the strongest action among the reasons */
static ag_action_t ag_policy_strongest(const ag_config_t *config,
				       const ag_domain_entry_t *entry,
				       ag_reasons_t reasons)
{
	ag_action_t strongest = AG_ACT_ACCEPT;

	for (int r = 0; r < AG_R_COUNT; r++) {
		if ((reasons & AG_REASON_BIT(r)) == 0)
			continue;
		ag_action_t action = ag_policy_reason_action(config, entry, r);
		if (action > strongest)
			strongest = action;
	}
	return strongest;
}

/* ag_policy_dmarc_reasons - what the predicted DMARC result adds */
static ag_reasons_t ag_policy_dmarc_reasons(const ag_policy_input_t *input,
					    ag_verdict_t *verdict)
{
	const ag_message_facts_t *message = input->message;
	ag_predict_input_t predict = {
		.psl = input->psl,
		.entry = verdict->entry,
		.from_domain = message->from_domain,
		.mailfrom_domain = message->envfrom == AG_ENVFROM_OK ?
					   message->mailfrom_domain : NULL,
		.dns = input->dns,
	};
	ag_reasons_t reasons = 0;

	verdict->dmarc = ag_predict_dmarc(&predict);
	if (verdict->dmarc.aspf_strict && predict.mailfrom_domain != NULL &&
	    !ag_domains_aligned(input->psl, message->from_domain,
				predict.mailfrom_domain, AG_ALIGN_STRICT))
		reasons |= AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED);
	if (input->config->require_dmarc_pass &&
	    verdict->dmarc.outcome == AG_DMARC_FAIL)
		reasons |= AG_REASON_BIT(AG_R_DMARC_FAIL);
	return reasons;
}

/* ag_policy_decide - the verdict for one message */
ag_verdict_t ag_policy_decide(const ag_policy_input_t *input)
{
	const ag_config_t *config = input->config;
	ag_verdict_t verdict = {.action = AG_ACT_ACCEPT,
				.intended = AG_ACT_ACCEPT,
				.mode = config->mode};

	if (ag_policy_exempt(config, input->message))
		return verdict;
	verdict.checked = 1;
	verdict.reasons = ag_policy_local_reasons(input, &verdict.entry);
	if (verdict.reasons == 0 && verdict.entry != NULL) {
		if (input->dns == NULL)
			verdict.needs_dns = 1;
		else
			verdict.reasons = ag_policy_dns_reasons(input->dns) |
					  ag_policy_dmarc_reasons(input, &verdict);
	}
	if (verdict.entry != NULL && verdict.entry->has_mode)
		verdict.mode = verdict.entry->mode;
	verdict.intended = ag_policy_strongest(config, verdict.entry,
					       verdict.reasons);
	verdict.action = verdict.intended;
	if (verdict.mode == AG_MODE_MONITOR && verdict.action > AG_ACT_TAG)
		verdict.action = AG_ACT_TAG;
	return verdict;
}
