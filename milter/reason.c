/*
 * reason.c - names of reason codes and actions (see reason.h).
 */
#include "reason.h"
#include "facts.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const ag_reason_names[AG_R_COUNT] = {
	[AG_R_FROM_MISSING] = "from.missing",
	[AG_R_FROM_MULTIPLE] = "from.multiple",
	[AG_R_FROM_MULTIPLE_MAILBOXES] = "from.multiple-mailboxes",
	[AG_R_FROM_INVALID] = "from.invalid",
	[AG_R_FROM_UNVERIFIED] = "from.unverified",
	[AG_R_FROM_NOT_AUTHORIZED] = "from.not-authorized",
	[AG_R_REPLYTO_MISSING] = "replyto.missing",
	[AG_R_MAILFROM_UNALIGNED] = "mailfrom.unaligned",
	[AG_R_MAILFROM_NOT_SEND_DOMAIN] = "mailfrom.not-send-domain",
	[AG_R_DKIM_KEY_MISSING] = "dkim.key-missing",
	[AG_R_DKIM_KEY_INVALID] = "dkim.key-invalid",
	[AG_R_DKIM_KEY_REVOKED] = "dkim.key-revoked",
	[AG_R_DKIM_KEY_WEAK] = "dkim.key-weak",
	[AG_R_DKIM_KEY_TESTING] = "dkim.key-testing",
	[AG_R_DKIM_KEY_MISMATCH] = "dkim.key-mismatch",
	[AG_R_DKIM_SIGNATURE_INVALID] = "dkim.signature-invalid",
	[AG_R_DKIM_SIGNATURE_UNALIGNED] = "dkim.signature-unaligned",
	[AG_R_SPF_FAIL] = "spf.fail",
	[AG_R_SPF_MISSING] = "spf.missing",
	[AG_R_SPF_PERMERROR] = "spf.permerror",
	[AG_R_MX_MISSING] = "mx.missing",
	[AG_R_DMARC_MISSING] = "dmarc.missing",
	[AG_R_DMARC_FAIL] = "dmarc.fail",
	[AG_R_DNS_TEMPERROR] = "dns.temperror",
};

static const char *const ag_action_names[] = {
	[AG_ACT_ACCEPT] = "accept",
	[AG_ACT_TAG] = "tag",
	[AG_ACT_QUARANTINE] = "quarantine",
	[AG_ACT_TEMPFAIL] = "tempfail",
	[AG_ACT_REJECT] = "reject",
};

/* ag_reason_name - contract spelling of a reason code */
const char *ag_reason_name(ag_reason_t reason)
{
	if ((unsigned)reason >= AG_R_COUNT)
		return "unknown";
	return ag_reason_names[reason];
}

/* ag_reason_parse - reason code from its name */
int ag_reason_parse(const char *name, ag_reason_t *reason)
{
	for (int i = 0; i < AG_R_COUNT; i++) {
		if (strcasecmp(name, ag_reason_names[i]) == 0) {
			*reason = (ag_reason_t)i;
			return 0;
		}
	}
	return -1;
}

/* ag_reasons_format - names of a set, separated by sep */
size_t ag_reasons_format(ag_reasons_t set, char sep, char *buf, size_t size)
{
	size_t need = 0;

	if (size > 0)
		buf[0] = '\0';
	for (int i = 0; i < AG_R_COUNT; i++) {
		if ((set & AG_REASON_BIT(i)) == 0)
			continue;
		const char *name = ag_reason_names[i];
		size_t len = strlen(name) + (need > 0);
		if (need + len < size) {
			if (need > 0)
				buf[need] = sep;
			memcpy(buf + need + (need > 0), name, strlen(name) + 1);
		}
		need += len;
	}
	return need;
}

/* ag_reasons_first - lowest-numbered reason of a non-empty set */
ag_reason_t ag_reasons_first(ag_reasons_t set)
{
	for (int i = 0; i < AG_R_COUNT; i++)
		if (set & AG_REASON_BIT(i))
			return (ag_reason_t)i;
	return AG_R_COUNT;
}

/* ag_action_name - the name of an action */
const char *ag_action_name(ag_action_t action)
{
	if ((unsigned)action > AG_ACT_REJECT)
		return "unknown";
	return ag_action_names[action];
}

/* ag_action_parse - action from its name */
int ag_action_parse(const char *name, ag_action_t *action)
{
	for (int i = 0; i <= AG_ACT_REJECT; i++) {
		if (strcasecmp(name, ag_action_names[i]) == 0) {
			*action = (ag_action_t)i;
			return 0;
		}
	}
	return -1;
}

/* ag_check_state_name - name of a DNS check state */
const char *ag_check_state_name(ag_check_state_t state)
{
	switch (state) {
	case AG_CHECK_PENDING:
		return "pending";
	case AG_CHECK_PASS:
		return "pass";
	case AG_CHECK_FAIL:
		return "fail";
	case AG_CHECK_TEMPERROR:
		return "temperror";
	}
	return "unknown";
}
