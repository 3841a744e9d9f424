/*
 * message.c - collecting a message's facts (see message.h).
 */
#include "message.h"

#include <stdlib.h>
#include <string.h>

/* ag_message_reset - forget everything */
void ag_message_reset(ag_message_t *message)
{
	free(message->from_value);
	memset(message, 0, sizeof(*message));
}

/* ag_message_set_envfrom - envelope sender and login */
void ag_message_set_envfrom(ag_message_t *message, const char *arg,
			    const char *login)
{
	message->envfrom_seen = 1;
	message->envfrom = ag_envfrom_parse(arg != NULL ? arg : "",
					    &message->mailfrom, NULL);
	message->login[0] = '\0';
	if (login != NULL) {
		strncpy(message->login, login, sizeof(message->login) - 1);
		message->login[sizeof(message->login) - 1] = '\0';
	}
}

/* ag_message_add_header - count and keep what matters */
int ag_message_add_header(ag_message_t *message, const char *tag_header,
			  const char *name, const char *value)
{
	size_t len = strlen(value);

	if (ag_header_hides_from(value, len))
		message->from_smuggled = 1;
	if (ag_header_name_is(name, "From")) {
		if (message->from_fields++ == 0) {
			message->from_value = malloc(len + 1);
			if (message->from_value == NULL)
				return -1;
			memcpy(message->from_value, value, len + 1);
			message->from_len = len;
		}
	} else if (ag_header_name_is(name, "Reply-To")) {
		message->reply_to_fields++;
	} else if (tag_header != NULL && ag_header_name_is(name, tag_header)) {
		message->tag_fields++;
	}
	return 0;
}

/* ag_message_from_structure - from.* reason of the From field(s), or 0 */
static ag_reasons_t ag_message_from_structure(ag_message_t *message,
					      const ag_from_options_t *options)
{
	if (message->from_fields == 0)
		return AG_REASON_BIT(AG_R_FROM_MISSING);
	if (message->from_fields > 1)
		return AG_REASON_BIT(AG_R_FROM_MULTIPLE);
	if (message->from_smuggled) {
		message->from_why = "a continuation line looks like a From field";
		return AG_REASON_BIT(AG_R_FROM_INVALID);
	}
	switch (ag_from_parse(message->from_value, message->from_len, options,
			      &message->from, &message->from_why)) {
	case AG_FROM_OK:
		return 0;
	case AG_FROM_MULTIPLE_MAILBOXES:
		return AG_REASON_BIT(AG_R_FROM_MULTIPLE_MAILBOXES);
	default:
		return AG_REASON_BIT(AG_R_FROM_INVALID);
	}
}

/* ag_message_facts - the facts for the policy */
void ag_message_facts(ag_message_t *message, const ag_from_options_t *options,
		      ag_message_facts_t *facts)
{
	memset(facts, 0, sizeof(*facts));
	facts->from_structure = ag_message_from_structure(message, options);
	if (facts->from_structure == 0) {
		facts->from_local = message->from.local;
		facts->from_domain = message->from.domain;
	}
	facts->envfrom = message->envfrom_seen ? message->envfrom
					       : AG_ENVFROM_INVALID;
	if (facts->envfrom == AG_ENVFROM_OK)
		facts->mailfrom_domain = message->mailfrom.domain;
	facts->login = message->login;
	facts->has_reply_to = message->reply_to_fields > 0;
}
