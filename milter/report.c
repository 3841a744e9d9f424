/*
 * report.c - reply texts, tag header values, log lines (see report.h).
 */
#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define AG_VALUE_MAX 300

typedef struct ag_out {
	char *buf;
	size_t size;
	size_t len;			/* what was needed, may exceed size */
} ag_out_t;

/* ag_out_printf - append formatted text, truncating safely */
static void ag_out_printf(ag_out_t *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ag_out_printf(ag_out_t *out, const char *fmt, ...)
{
	size_t room = out->len < out->size ? out->size - out->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? out->buf + out->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		out->len += (size_t)n;
}

/* ag_report_sanitise - printable ASCII only, no quotes or backslashes */
void ag_report_sanitise(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	for (; in != NULL && *in != '\0' && n + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;
		out[n++] = (c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '%') ?
				   (char)c : '?';
	}
	out[n] = '\0';
}

/* ag_report_value - sanitised value, "-" when absent or empty */
static const char *ag_report_value(const char *in, char *buf, size_t size)
{
	if (in == NULL || in[0] == '\0')
		return "-";
	ag_report_sanitise(in, buf, size);
	return buf;
}

/* ag_report_only_dns - whether every reason is dns.temperror */
static int ag_report_only_dns(ag_reasons_t reasons)
{
	return reasons == AG_REASON_BIT(AG_R_DNS_TEMPERROR);
}

/* ag_report_reply - the SMTP reply for reject and tempfail */
void ag_report_reply(const ag_report_subject_t *subject, ag_smtp_reply_t *reply)
{
	const ag_verdict_t *verdict = subject->verdict;
	char codes[512], from[AG_VALUE_MAX], mailfrom[AG_VALUE_MAX];
	const char *what;

	if (verdict->action == AG_ACT_REJECT) {
		strcpy(reply->code, "550");
		strcpy(reply->xcode, "5.7.1");
		what = "rejected";
	} else {
		strcpy(reply->code, "451");
		strcpy(reply->xcode, ag_report_only_dns(verdict->reasons) ?
					     "4.4.3" : "4.7.1");
		what = "deferred";
	}
	ag_reasons_format(verdict->reasons, ',', codes, sizeof(codes));
	snprintf(reply->text, sizeof(reply->text),
		 "Message %s by alignguard: %.300s (from-domain=%.64s mailfrom-domain=%.64s)",
		 what, codes,
		 ag_report_value(subject->from_domain, from, sizeof(from)),
		 ag_report_value(subject->mailfrom_domain, mailfrom,
				 sizeof(mailfrom)));
}

/* ag_report_tag - the tag header's value */
size_t ag_report_tag(const ag_report_subject_t *subject, char *buf, size_t size)
{
	const ag_verdict_t *verdict = subject->verdict;
	char codes[512], from[AG_VALUE_MAX], mailfrom[AG_VALUE_MAX];
	ag_out_t out = {buf, size, 0};

	if (size > 0)
		buf[0] = '\0';
	if (verdict->reasons == 0) {
		ag_out_printf(&out, "pass");
	} else {
		ag_reasons_format(verdict->reasons, ',', codes, sizeof(codes));
		ag_out_printf(&out, "fail reasons=%s from-domain=%s mailfrom-domain=%s",
			      codes,
			      ag_report_value(subject->from_domain, from, sizeof(from)),
			      ag_report_value(subject->mailfrom_domain, mailfrom,
					      sizeof(mailfrom)));
		if (verdict->intended != verdict->action)
			ag_out_printf(&out, " mode=%s would=%s",
				      ag_mode_name(verdict->mode),
				      ag_action_name(verdict->intended));
	}
	if (subject->dmarc != NULL)
		ag_out_printf(&out, " dmarc=%s", subject->dmarc);
	return out.len;
}

/* ag_report_verdict_name - verdict word for logs */
static const char *ag_report_verdict_name(const ag_verdict_t *verdict)
{
	if (!verdict->checked)
		return "skip";
	if (verdict->reasons == 0)
		return "pass";
	return ag_action_name(verdict->action);
}

/* ag_report_log_line - one line per message */
size_t ag_report_log_line(const ag_report_subject_t *subject,
			  ag_log_format_t format, char *buf, size_t size)
{
	const ag_verdict_t *verdict = subject->verdict;
	char codes[512], qid[64], from[AG_VALUE_MAX], mailfrom[AG_VALUE_MAX];
	char client[AG_VALUE_MAX], login[AG_VALUE_MAX];
	const char *fmt;
	ag_out_t out = {buf, size, 0};

	if (size > 0)
		buf[0] = '\0';
	if (verdict->reasons == 0)
		strcpy(codes, "-");
	else
		ag_reasons_format(verdict->reasons, ',', codes, sizeof(codes));
	if (format == AG_LOG_JSON)
		fmt = "{\"queue_id\":\"%s\",\"verdict\":\"%s\",\"action\":\"%s\","
		      "\"intended\":\"%s\",\"mode\":\"%s\",\"reasons\":\"%s\","
		      "\"from_domain\":\"%s\",\"mailfrom_domain\":\"%s\","
		      "\"client\":\"%s\",\"login\":\"%s\",\"dmarc\":\"%s\","
		      "\"dns_ms\":%ld,\"total_ms\":%ld}";
	else
		fmt = "queue_id=%s verdict=%s action=%s intended=%s mode=%s "
		      "reasons=%s from_domain=%s mailfrom_domain=%s client=%s "
		      "login=%s dmarc=%s dns_ms=%ld total_ms=%ld";
	ag_out_printf(&out, fmt,
		      ag_report_value(subject->queue_id, qid, sizeof(qid)),
		      ag_report_verdict_name(verdict),
		      ag_action_name(verdict->action),
		      ag_action_name(verdict->intended),
		      ag_mode_name(verdict->mode), codes,
		      ag_report_value(subject->from_domain, from, sizeof(from)),
		      ag_report_value(subject->mailfrom_domain, mailfrom,
				      sizeof(mailfrom)),
		      ag_report_value(subject->client, client, sizeof(client)),
		      ag_report_value(subject->login, login, sizeof(login)),
		      subject->dmarc != NULL ? subject->dmarc : "-",
		      subject->dns_ms, subject->total_ms);
	return out.len;
}
