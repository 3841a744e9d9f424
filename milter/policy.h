/*
 * policy.h - the decision: facts about one message in, verdict out.
 *
 * ag_policy_decide() is one pure function (no I/O, no clock, no globals)
 * that reads, top to bottom: whether the message is subject to checks
 * (ApplyTo), the From field's structure, the table entry of the From
 * domain (verified? address allowed? login allowed? Reply-To present?),
 * the return-path's alignment with the From domain and its send domain,
 * and finally the DNS facts of the domain. Each failed check adds its
 * reason code; the action of the verdict is the strongest action among
 * the failed checks (per-reason actions from the configuration, overridden
 * by the domain's action=); Mode monitor (global or the domain's mode=)
 * turns every action stronger than tag into tag, remembering what enforce
 * mode would have done.
 *
 * A message that fails a check needing no DNS is decided on those checks
 * alone: DNS trouble never turns such a verdict into a temporary failure.
 * A verdict reached without DNS facts says whether they could still change
 * it (needs_dns), so the daemon can start the DNS checks and decide again
 * with them, or keep the verdict as final.
 *
 * With DNS facts the verdict also carries the predicted receiver DMARC
 * result (predict.h). A published aspf=s makes the return-path alignment
 * check strict for the domain, as receivers will apply it; with
 * RequireDMARCPass a predicted failure is a failed check (dmarc.fail).
 */
#ifndef AG_POLICY_H
#define AG_POLICY_H

#include "address.h"
#include "config.h"
#include "domain.h"
#include "domains.h"
#include "facts.h"
#include "predict.h"
#include "reason.h"

typedef struct ag_message_facts {
	/* From field: structural failures found while collecting headers
	 * (from.missing, from.multiple, from.multiple-mailboxes,
	 * from.invalid); when none, from_local/from_domain are set. */
	ag_reasons_t from_structure;
	const char *from_local;
	const char *from_domain;	/* normalised */
	ag_envfrom_status_t envfrom;
	const char *mailfrom_domain;	/* normalised, when AG_ENVFROM_OK */
	const char *login;		/* SASL login; NULL or "" if none */
	int has_reply_to;
} ag_message_facts_t;

typedef struct ag_policy_input {
	const ag_config_t *config;
	const ag_domains_t *domains;
	const ag_psl_t *psl;
	const ag_message_facts_t *message;
	const ag_dns_facts_t *dns;	/* NULL: no DNS facts (yet) */
} ag_policy_input_t;

typedef struct ag_verdict {
	int checked;			/* 0: ApplyTo exempts the message */
	ag_action_t action;		/* what to do with the message */
	ag_action_t intended;		/* what enforce mode would do */
	ag_mode_t mode;			/* the mode that applied */
	ag_reasons_t reasons;		/* failed checks */
	const ag_domain_entry_t *entry;	/* the From domain's entry, or NULL */
	ag_dmarc_prediction_t dmarc;	/* with DNS facts */
	int needs_dns;			/* reached without DNS facts, and
					 * they could change it: the message
					 * is checked, passes every check that
					 * needs no DNS, and its From domain
					 * is verified */
} ag_verdict_t;

/* ag_policy_decide - the verdict for one message */
ag_verdict_t ag_policy_decide(const ag_policy_input_t *input);

/* ag_policy_reason_action - the configured action for one failed check */
ag_action_t ag_policy_reason_action(const ag_config_t *config,
				    const ag_domain_entry_t *entry,
				    ag_reason_t reason);

#endif
