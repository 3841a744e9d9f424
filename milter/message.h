/*
 * message.h - what one message shows of itself, collected event by event
 * (envelope sender, header fields) and turned into the facts the policy
 * reads (pure core: no libmilter here).
 *
 * Header fields are counted by name (From, Reply-To, the tag header), the
 * first From value is kept for parsing at end-of-headers, and every header
 * value is searched for a continuation line that smuggles a From field. At
 * the end: no From is from.missing, several are from.multiple, and the one
 * From value is parsed strictly (from.multiple-mailboxes, from.invalid).
 */
#ifndef AG_MESSAGE_H
#define AG_MESSAGE_H

#include <stddef.h>

#include "address.h"
#include "policy.h"

typedef struct ag_message {
	unsigned from_fields;
	char *from_value;		/* first From value, as received */
	size_t from_len;
	int from_smuggled;		/* a continuation line looked like From */
	unsigned reply_to_fields;
	unsigned tag_fields;		/* incoming tag headers, to remove */
	ag_envfrom_status_t envfrom;
	int envfrom_seen;
	ag_mailbox_t mailfrom;
	ag_mailbox_t from;
	const char *from_why;		/* why the From field was refused */
	char login[256];
} ag_message_t;

/* ag_message_reset - forget everything (start of a transaction, abort) */
void ag_message_reset(ag_message_t *message);

/* ag_message_set_envfrom - the MAIL FROM argument and the SASL login */
void ag_message_set_envfrom(ag_message_t *message, const char *arg,
			    const char *login);

/* ag_message_add_header - one header field; 0, or -1 when out of memory */
int ag_message_add_header(ag_message_t *message, const char *tag_header,
			  const char *name, const char *value);

/*
 * ag_message_facts - parse what was collected into facts; the facts point
 * into `message`, which must outlive them.
 */
void ag_message_facts(ag_message_t *message, const ag_from_options_t *options,
		      ag_message_facts_t *facts);

#endif
