/*
 * report.h - the words alignguard says about a verdict: the SMTP reply
 * text, the tag header value and the per-message log line (DESIGN §4).
 *
 * Pure formatting into caller buffers. Everything that came from the
 * message or the client (domains, login, queue id) is sanitised on the way
 * out: control characters, white space, quotes, backslashes, '%' and
 * non-ASCII octets become '?', so no CR, LF or NUL can be smuggled into a
 * header, a reply or a log line, and JSON output needs no escaping.
 */
#ifndef AG_REPORT_H
#define AG_REPORT_H

#include <stddef.h>

#include "config.h"
#include "facts.h"
#include "policy.h"

typedef struct ag_report_subject {
	const ag_verdict_t *verdict;
	const char *from_domain;	/* NULL when unknown */
	const char *mailfrom_domain;	/* NULL when unknown, "" for <> */
	const char *queue_id;
	const char *client;
	const char *login;
	const char *dmarc;		/* predicted result text, or NULL */
	long dns_ms;
	long total_ms;
} ag_report_subject_t;

typedef struct ag_smtp_reply {
	char code[4];			/* "550" / "451" */
	char xcode[8];			/* "5.7.1" / "4.7.1" / "4.4.3" */
	char text[512];
} ag_smtp_reply_t;

/*
 * ag_report_reply - the reply for a reject or tempfail verdict: 550 5.7.1
 * for reject, 451 4.4.3 when the temporary failure is DNS trouble only,
 * 451 4.7.1 otherwise.
 */
void ag_report_reply(const ag_report_subject_t *subject, ag_smtp_reply_t *reply);

/*
 * ag_report_tag - the tag header's value: "pass" or "fail reasons=a,b
 * from-domain=d mailfrom-domain=d" (plus "mode=monitor would=<action>"
 * when monitor mode softened the action, and "dmarc=..." when known).
 */
size_t ag_report_tag(const ag_report_subject_t *subject, char *buf, size_t size);

/* ag_report_log_line - one line per message, key=value or JSON */
size_t ag_report_log_line(const ag_report_subject_t *subject,
			  ag_log_format_t format, char *buf, size_t size);

/*
 * ag_report_sanitise - copy printable ASCII other than quotes, backslashes
 * and '%'; anything else becomes '?'. Always NUL-terminates.
 */
void ag_report_sanitise(const char *in, char *out, size_t size);

#endif
