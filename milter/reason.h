/*
 * reason.h - the stable reason codes and the actions they lead to.
 *
 * Every failed check is named by one reason code (DESIGN §4). The codes are
 * part of the contract: they appear in logs, reply texts, the tag header and
 * metrics, so their spelling never changes. A set of reasons is a bit mask.
 *
 * Actions are ordered weakest to strongest; the verdict for a message is the
 * strongest action among its failed checks.
 */
#ifndef AG_REASON_H
#define AG_REASON_H

#include <stddef.h>
#include <stdint.h>

typedef enum ag_reason {
	AG_R_FROM_MISSING,
	AG_R_FROM_MULTIPLE,
	AG_R_FROM_MULTIPLE_MAILBOXES,
	AG_R_FROM_INVALID,
	AG_R_FROM_UNVERIFIED,
	AG_R_FROM_NOT_AUTHORIZED,
	AG_R_REPLYTO_MISSING,
	AG_R_MAILFROM_UNALIGNED,
	AG_R_MAILFROM_NOT_SEND_DOMAIN,
	AG_R_DKIM_KEY_MISSING,
	AG_R_DKIM_KEY_INVALID,
	AG_R_DKIM_KEY_REVOKED,
	AG_R_DKIM_KEY_WEAK,
	AG_R_DKIM_KEY_TESTING,
	AG_R_DKIM_KEY_MISMATCH,
	AG_R_DKIM_SIGNATURE_INVALID,
	AG_R_DKIM_SIGNATURE_UNALIGNED,
	AG_R_SPF_FAIL,
	AG_R_SPF_MISSING,
	AG_R_SPF_PERMERROR,
	AG_R_MX_MISSING,
	AG_R_DMARC_MISSING,
	AG_R_DMARC_FAIL,
	AG_R_DNS_TEMPERROR,
	AG_R_COUNT
} ag_reason_t;

/* A set of reasons: bit (1u << reason). */
typedef uint32_t ag_reasons_t;

#define AG_REASON_BIT(r) ((ag_reasons_t)1u << (r))

typedef enum ag_action {
	AG_ACT_ACCEPT,
	AG_ACT_TAG,
	AG_ACT_QUARANTINE,
	AG_ACT_TEMPFAIL,
	AG_ACT_REJECT
} ag_action_t;

/* ag_reason_name - contract spelling of a reason code ("from.invalid") */
const char *ag_reason_name(ag_reason_t reason);

/* ag_reason_parse - reason code from its name; 0 on success, -1 if unknown */
int ag_reason_parse(const char *name, ag_reason_t *reason);

/*
 * ag_reasons_format - write the names of the set, in code order, separated
 * by `sep`, NUL-terminated; returns the length it needed (snprintf-like).
 */
size_t ag_reasons_format(ag_reasons_t set, char sep, char *buf, size_t size);

/* ag_reasons_first - lowest-numbered reason in a non-empty set */
ag_reason_t ag_reasons_first(ag_reasons_t set);

/* ag_action_name - "accept", "tag", "quarantine", "tempfail", "reject" */
const char *ag_action_name(ag_action_t action);

/* ag_action_parse - action from its (case-insensitive) name; 0 or -1 */
int ag_action_parse(const char *name, ag_action_t *action);

#endif
