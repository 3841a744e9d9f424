/*
 * checkrun.c - one domain judged as the daemon would (see checkrun.h).
 *
 * The verdict is the policy's, on the facts the domain-state service
 * collected; the lines only explain it. Alignment is worked out here again
 * for the words of the "align" line, but its pass or fail is read from the
 * verdict.
 */
#include "checkrun.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkfix.h"
#include "checkkinds.h"

#define AG_CHECK_LOGIN "alignguard-check"

/* ag_check_mark_name - the word for a mark */
const char *ag_check_mark_name(ag_check_mark_t mark)
{
	static const char *const names[] = {"pass", "fail", "warn",
	                                    "temperror"};

	return (unsigned)mark < 4 ? names[mark] : "unknown";
}

/* ag_check_status_name - the word for a domain's status */
const char *ag_check_status_name(ag_check_status_t status)
{
	static const char *const names[] = {"pass", "fail", "temperror"};

	return (unsigned)status < 3 ? names[status] : "unknown";
}

/* ag_check_add_line - the next line of a report, empty */
static ag_check_line_t *ag_check_add_line(ag_check_report_t *report,
                                          const char *name, int kind)
{
	ag_check_line_t *line;

	if (report->count >= AG_CHECK_LINES_MAX)
		return NULL;
	line = &report->lines[report->count++];
	snprintf(line->name, sizeof(line->name), "%s", name);
	line->kind = kind;
	line->mark = AG_MARK_PASS;
	line->reason = AG_R_COUNT;
	return line;
}

/* ag_check_found - set what a line found, printf-style */
static void ag_check_found(ag_check_line_t *line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ag_check_found(ag_check_line_t *line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line->found, sizeof(line->found), fmt, ap);
	va_end(ap);
}

/* ag_check_target - set what a line looked at */
static void ag_check_target(ag_check_line_t *line, const char *target)
{
	size_t n = strlen(target);

	if (n >= sizeof(line->target))
		n = sizeof(line->target) - 1;
	memmove(line->target, target, n);
	line->target[n] = '\0';
}

/* ag_check_counts - whether a reason is among the verdict's */
static int ag_check_counts(const ag_check_report_t *report, ag_reason_t r)
{
	return (report->verdict.reasons & AG_REASON_BIT(r)) != 0;
}

/* ag_check_fail - mark a line failed with a reason */
static void ag_check_fail(ag_check_line_t *line, ag_reason_t reason)
{
	line->mark = AG_MARK_FAIL;
	line->reason = reason;
}

/* ag_check_local_part - a local part the entry allows */
static void ag_check_local_part(const ag_domain_entry_t *entry, char *buf,
                                size_t size)
{
	size_t n = 0;

	if (entry == NULL || entry->addresses.count == 0) {
		snprintf(buf, size, "postmaster");
		return;
	}
	for (const char *p = entry->addresses.items[0]; *p && n + 1 < size; p++)
		buf[n++] = *p == '*' ? 'a' : *p;
	buf[n] = '\0';
}

/* ag_check_decide - the policy's verdict for a typical message */
static void ag_check_decide(const ag_check_ctx_t *ctx,
                            ag_check_report_t *report,
                            const ag_dns_facts_t *dns)
{
	const ag_domain_entry_t *entry = report->entry;
	char local[AG_LOCAL_MAX + 1];
	ag_message_facts_t message = {
	    .from_local = local,
	    .from_domain = report->domain,
	    .envfrom = AG_ENVFROM_OK,
	    .mailfrom_domain = report->mailfrom,
	    .login = entry != NULL && entry->accounts.count > 0
	                 ? entry->accounts.items[0]
	                 : AG_CHECK_LOGIN,
	    .has_reply_to = 1,
	};
	ag_policy_input_t input = {
	    .config = ctx->rules->config,
	    .domains = ctx->rules->domains,
	    .psl = ctx->rules->psl,
	    .message = &message,
	    .dns = dns,
	};

	ag_check_local_part(entry, local, sizeof(local));
	report->verdict = ag_policy_decide(&input);
}

/* ag_check_table_line - the domain's entry in the table */
static void ag_check_table_line(const ag_check_ctx_t *ctx,
                                ag_check_report_t *report)
{
	const char *path = ctx->rules->config->domains;
	const ag_domain_entry_t *entry = report->entry;
	ag_check_line_t *line =
	    ag_check_add_line(report, "table", AG_CHECK_LOCAL);

	if (line == NULL)
		return;
	ag_check_target(line, path);
	if (entry == NULL) {
		ag_check_fail(line, AG_R_FROM_UNVERIFIED);
		ag_check_found(line, "%s is not in %s", report->domain, path);
	} else if (strcmp(entry->domain, report->domain) != 0) {
		ag_check_found(line, "line %u: %s with subdomains=yes",
		               entry->line, entry->domain);
	} else {
		ag_check_found(line, "line %u", entry->line);
	}
}

/* ag_check_alignment_mode - the mode the return-path is judged by */
static ag_alignment_t ag_check_alignment_mode(const ag_check_ctx_t *ctx,
                                              const ag_check_report_t *report,
                                              const char **why)
{
	const ag_domain_entry_t *entry = report->entry;

	*why = "Alignment";
	if (report->verdict.dmarc.aspf_strict) {
		*why = "the DMARC record's aspf=s";
		return AG_ALIGN_STRICT;
	}
	if (entry->has_alignment) {
		*why = "the table's alignment=";
		return entry->alignment;
	}
	return ctx->rules->config->alignment;
}

/* ag_check_align_line - the return-path domain aligned with the domain */
static void ag_check_align_line(const ag_check_ctx_t *ctx,
                                ag_check_report_t *report)
{
	ag_check_line_t *line =
	    ag_check_add_line(report, "align", AG_CHECK_LOCAL);
	const char *why;
	ag_alignment_t mode = ag_check_alignment_mode(ctx, report, &why);
	int aligned = ag_domains_aligned(ctx->rules->psl, report->domain,
	                                 report->mailfrom, mode);

	if (line == NULL)
		return;
	ag_check_target(line, report->mailfrom);
	ag_check_found(line, "%s is %saligned with %s (%s, by %s)",
	               report->mailfrom, aligned ? "" : "not ", report->domain,
	               ag_alignment_name(mode), why);
	if (ag_check_counts(report, AG_R_MAILFROM_UNALIGNED))
		ag_check_fail(line, AG_R_MAILFROM_UNALIGNED);
}

/* ag_check_send_domain_line - the return-path within send-domain= */
static void ag_check_send_domain_line(ag_check_report_t *report)
{
	const char *send_domain = report->entry->send_domain;
	ag_check_line_t *line;

	if (send_domain == NULL ||
	    (line = ag_check_add_line(report, "send-domain", AG_CHECK_LOCAL)) ==
	        NULL)
		return;
	ag_check_target(line, report->mailfrom);
	if (ag_check_counts(report, AG_R_MAILFROM_NOT_SEND_DOMAIN)) {
		ag_check_fail(line, AG_R_MAILFROM_NOT_SEND_DOMAIN);
		ag_check_found(line, "%s is not within send-domain=%s",
		               report->mailfrom, send_domain);
	} else {
		ag_check_found(line, "%s is within send-domain=%s",
		               report->mailfrom, send_domain);
	}
}

/*
 * ag_check_dns_judged - whether the policy got to the DNS facts: it does
 * only when every check that needs no DNS passed (a known DMARC result
 * shows it did even when aspf=s then failed the alignment)
 */
static int ag_check_dns_judged(const ag_check_report_t *report)
{
	/* the codes before dkim.* are the checks that need no DNS */
	const ag_reasons_t local = AG_REASON_BIT(AG_R_DKIM_KEY_MISSING) - 1;

	return (report->verdict.reasons & local) == 0 ||
	       report->verdict.dmarc.outcome != AG_DMARC_UNKNOWN;
}

/* ag_check_fact_mark - how one DNS fact shows */
static void ag_check_fact_mark(const ag_check_report_t *report,
                               const ag_check_fact_t *fact,
                               ag_check_line_t *line)
{
	switch (fact->state) {
	case AG_CHECK_PASS:
		return;
	case AG_CHECK_FAIL:
		ag_check_fail(line, fact->reason);
		/* the policy saw this failure and let it go (dkim=any) */
		if (ag_check_dns_judged(report) &&
		    !ag_check_counts(report, fact->reason))
			line->mark = AG_MARK_WARN;
		return;
	case AG_CHECK_PENDING:
	case AG_CHECK_TEMPERROR:
		line->mark = AG_MARK_TEMPERROR;
		line->reason = AG_R_DNS_TEMPERROR;
		return;
	}
}

/* ag_check_fact_lines - one line per DNS check */
static void ag_check_fact_lines(const ag_check_ctx_t *ctx,
                                ag_check_report_t *report,
                                const ag_dns_facts_t *dns,
                                const ag_dstate_req_t *reqs, size_t nreqs)
{
	for (size_t i = 0; i < dns->count; i++) {
		const ag_check_fact_t *fact = &dns->checks[i];
		ag_check_line_t *line =
		    ag_check_add_line(report, fact->name, (int)fact->kind);

		if (line == NULL)
			return;
		if (i < nreqs && strcmp(reqs[i].name, fact->name) == 0)
			ag_check_target(line, reqs[i].target);
		if (fact->state == AG_CHECK_PENDING)
			ag_check_found(line, "no answer within %u ms",
			               ctx->wait_ms);
		else
			memcpy(line->found, fact->detail, sizeof(line->found));
		ag_check_fact_mark(report, fact, line);
	}
}

/* ag_check_dmarc_line - the predicted receiver DMARC result */
static void ag_check_dmarc_line(ag_check_report_t *report)
{
	const ag_dmarc_prediction_t *p = &report->verdict.dmarc;
	ag_check_line_t *line;

	if (p->outcome == AG_DMARC_UNKNOWN ||
	    (line = ag_check_add_line(report, "dmarc-result",
	                              AG_CHECK_LOCAL)) == NULL)
		return;
	ag_check_target(line, report->domain);
	ag_check_found(line, "receivers: %s%s", report->dmarc,
	               p->outcome == AG_DMARC_NONE ? " (no DMARC record)" : "");
	if (p->outcome != AG_DMARC_FAIL)
		return;
	ag_check_fail(line, AG_R_DMARC_FAIL);
	if (!ag_check_counts(report, AG_R_DMARC_FAIL))
		line->mark = AG_MARK_WARN;
}

/* ag_check_status - the domain's status from its verdict */
static ag_check_status_t ag_check_status(const ag_verdict_t *verdict)
{
	if (verdict->reasons == 0)
		return AG_STATUS_PASS;
	if (verdict->reasons == AG_REASON_BIT(AG_R_DNS_TEMPERROR))
		return AG_STATUS_TEMPERROR;
	return AG_STATUS_FAIL;
}

/* ag_check_collect - the entry's DNS facts and what each looked at */
static void ag_check_collect(const ag_check_ctx_t *ctx,
                             ag_check_report_t *report)
{
	ag_dstate_subject_t subject = {
	    .entry = report->entry,
	    .dkim_keys = ctx->rules->dkim_keys,
	    .config = ctx->rules->config,
	    .psl = ctx->rules->psl,
	};
	struct timespec deadline = ag_dstate_deadline(ctx->wait_ms);
	ag_dstate_req_t *reqs = calloc(AG_MAX_CHECKS, sizeof(*reqs));
	ag_dns_facts_t *dns = calloc(1, sizeof(*dns));
	size_t nreqs = 0;

	if (reqs != NULL && dns != NULL) {
		nreqs =
		    ag_check_kinds_plan(&subject, reqs, NULL, AG_MAX_CHECKS);
		ag_dstate_collect(ctx->state, &subject, &deadline, dns);
	}
	ag_check_decide(ctx, report, dns);
	ag_predict_format(&report->verdict.dmarc, report->dmarc,
	                  sizeof(report->dmarc));
	ag_check_align_line(ctx, report);
	ag_check_send_domain_line(report);
	if (dns != NULL)
		ag_check_fact_lines(ctx, report, dns, reqs, nreqs);
	ag_check_dmarc_line(report);
	free(reqs);
	free(dns);
}

/* ag_check_mailfrom - the return-path domain to judge */
static void ag_check_mailfrom(const ag_check_ctx_t *ctx,
                              ag_check_report_t *report)
{
	const char *mailfrom = ctx->mailfrom;

	if (mailfrom == NULL && report->entry != NULL)
		mailfrom = report->entry->send_domain;
	if (mailfrom == NULL)
		mailfrom = report->domain;
	snprintf(report->mailfrom, sizeof(report->mailfrom), "%s", mailfrom);
}

/* ag_check_domain - one domain's report */
ag_check_report_t *ag_check_domain(const ag_check_ctx_t *ctx,
                                   const char *domain)
{
	ag_check_report_t *report = calloc(1, sizeof(*report));

	if (report == NULL)
		return NULL;
	if (strlen(domain) >= sizeof(report->domain)) {
		free(report);
		return NULL;
	}
	memcpy(report->domain, domain, strlen(domain) + 1);
	report->entry = ag_domains_lookup(ctx->rules->domains, domain);
	ag_check_mailfrom(ctx, report);
	ag_check_table_line(ctx, report);
	if (report->entry != NULL)
		ag_check_collect(ctx, report);
	else
		ag_check_decide(ctx, report, NULL);
	report->status = ag_check_status(&report->verdict);
	for (size_t i = 0; i < report->count; i++)
		if (report->lines[i].mark != AG_MARK_PASS)
			report->lines[i].fix =
			    ag_check_fix_make(ctx, report, &report->lines[i]);
	return report;
}

/* ag_check_report_free - release a report and its fixes */
ag_check_report_t *ag_check_report_free(ag_check_report_t *report)
{
	if (report == NULL)
		return NULL;
	for (size_t i = 0; i < report->count; i++)
		ag_check_fix_free(report->lines[i].fix);
	free(report);
	return NULL;
}
