/*
 * checkout.c - human, JSON and Nagios output of domain reports (see
 * checkout.h).
 */
#include "checkout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkbuf.h"
#include "domain.h"

#define AG_CHECK_NAGIOS_NAMED    5 /* failing domains named in the summary */
#define AG_CHECK_NAME_COLUMN     12
#define AG_CHECK_NAME_COLUMN_MAX 40

/* ag_check_sanitise - make DNS-derived text safe for one output line */
void ag_check_sanitise(char *text)
{
	for (unsigned char *p = (unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

/* ag_check_json_escape - one JSON string literal into b */
static void ag_check_json_escape(ag_check_buf_t *b, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);

	ag_check_buf_addn(b, "\"", 1);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = ag_utf8_seq(p + i, len - i, &cp);

		if (n == 0) {
			ag_check_buf_add(b, "\\ufffd");
			i++;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\')
			ag_check_buf_add(b, "\\%c", p[i]);
		else if (p[i] == '\n')
			ag_check_buf_add(b, "\\n");
		else if (p[i] == '\t')
			ag_check_buf_add(b, "\\t");
		else if (p[i] == '\r')
			ag_check_buf_add(b, "\\r");
		else if (p[i] < 0x20 || p[i] == 0x7f)
			ag_check_buf_add(b, "\\u%04x", p[i]);
		else
			ag_check_buf_addn(b, (const char *)p + i, n);
		i += n;
	}
	ag_check_buf_addn(b, "\"", 1);
}

/* ag_check_json_alloc - a JSON string literal, allocated; NULL: no memory */
static char *ag_check_json_alloc(const char *text, size_t *len)
{
	size_t need = 6 * strlen(text) + 3;
	char *tmp = malloc(need);
	ag_check_buf_t b;

	if (tmp == NULL)
		return NULL;
	ag_check_buf_init(&b, tmp, need);
	ag_check_json_escape(&b, text);
	*len = b.len;
	return tmp;
}

/* ag_check_json_string - a JSON string literal into buf */
size_t ag_check_json_string(const char *text, char *buf, size_t size)
{
	size_t len = 0;
	char *tmp = ag_check_json_alloc(text, &len);

	if (size > 0)
		snprintf(buf, size, "%s", tmp != NULL ? tmp : "");
	free(tmp);
	return len;
}

/* ag_check_json_put - a JSON string, or null for NULL/"" when nullable */
static void ag_check_json_put(FILE *out, const char *text, int nullable)
{
	size_t len;
	char *tmp;

	if (text == NULL || (nullable && text[0] == '\0')) {
		fputs(nullable ? "null" : "\"\"", out);
		return;
	}
	tmp = ag_check_json_alloc(text, &len);
	fputs(tmp != NULL ? tmp : "\"\"", out);
	free(tmp);
}

/* ag_check_verdict_text - "reject", "tag (monitor; enforce: reject)" */
static void ag_check_verdict_text(const ag_verdict_t *v, char *buf, size_t size)
{
	if (v->action != v->intended)
		snprintf(buf, size, "%s (monitor; enforce: %s)",
		         ag_action_name(v->action),
		         ag_action_name(v->intended));
	else
		snprintf(buf, size, "%s", ag_action_name(v->action));
}

/* ag_check_human_head - the domain's first line */
static void ag_check_human_head(FILE *out, const ag_check_report_t *r)
{
	static const char *const words[] = {"PASS", "FAIL", "TEMPERROR"};
	char verdict[128], reasons[512];

	fprintf(out, "; %s: %s", r->domain, words[r->status]);
	if (r->status != AG_STATUS_PASS) {
		ag_check_verdict_text(&r->verdict, verdict, sizeof(verdict));
		ag_reasons_format(r->verdict.reasons, ' ', reasons,
		                  sizeof(reasons));
		fprintf(out, " - %s: %s", verdict, reasons);
	}
	if (r->dmarc[0] != '\0')
		fprintf(out, "; DMARC %s", r->dmarc);
	fputc('\n', out);
}

/* ag_check_human_fix - the fix under a line: text, table line, records */
static void ag_check_human_fix(FILE *out, const ag_check_fix_t *fix)
{
	char text[AG_CHECK_FIX_TEXT_MAX];

	snprintf(text, sizeof(text), "%s", fix->text);
	ag_check_sanitise(text);
	fprintf(out, ";              fix: %s\n", text);
	if (fix->table[0] != '\0')
		fprintf(out, ";              table: %s\n", fix->table);
	for (size_t i = 0; i < fix->nrecords; i++)
		fprintf(out, "%s\n", fix->records[i]);
}

/* ag_check_human_width - the width of the name column */
static int ag_check_human_width(const ag_check_report_t *report)
{
	size_t width = AG_CHECK_NAME_COLUMN;

	for (size_t i = 0; i < report->count; i++)
		if (strlen(report->lines[i].name) > width)
			width = strlen(report->lines[i].name);
	return width > AG_CHECK_NAME_COLUMN_MAX ? AG_CHECK_NAME_COLUMN_MAX
	                                        : (int)width;
}

/* ag_check_human_line - one check */
static void ag_check_human_line(FILE *out, const ag_check_line_t *line,
                                int width)
{
	static const char *const words[] = {"pass", "FAIL", "WARN",
	                                    "TEMPERROR"};
	char found[AG_CHECK_DETAIL_MAX + AG_DSTATE_TARGET_MAX + 4];

	if (line->kind != AG_CHECK_LOCAL && line->target[0] != '\0' &&
	    strstr(line->found, line->target) == NULL)
		snprintf(found, sizeof(found), "%s: %s", line->target,
		         line->found);
	else
		snprintf(found, sizeof(found), "%s", line->found);
	ag_check_sanitise(found);
	fprintf(out, ";   %-10s %-*s  %s%s%s\n", words[line->mark], width,
	        line->name,
	        line->reason < AG_R_COUNT ? ag_reason_name(line->reason) : "",
	        line->reason < AG_R_COUNT ? "  " : "", found);
	if (line->fix != NULL)
		ag_check_human_fix(out, line->fix);
}

/* ag_check_print_human - a report as a zone-file fragment */
void ag_check_print_human(FILE *out, const ag_check_report_t *report)
{
	int width = ag_check_human_width(report);

	ag_check_human_head(out, report);
	for (size_t i = 0; i < report->count; i++)
		ag_check_human_line(out, &report->lines[i], width);
}

/* ag_check_json_reasons - a JSON array of reason codes */
static void ag_check_json_reasons(FILE *out, ag_reasons_t reasons)
{
	int first = 1;

	fputc('[', out);
	for (int r = 0; r < AG_R_COUNT; r++)
		if (reasons & AG_REASON_BIT(r)) {
			fprintf(out, "%s\"%s\"", first ? "" : ",",
			        ag_reason_name(r));
			first = 0;
		}
	fputc(']', out);
}

/* ag_check_json_fix - a fix object, or null */
static void ag_check_json_fix(FILE *out, const ag_check_fix_t *fix)
{
	if (fix == NULL) {
		fputs("null", out);
		return;
	}
	fputs("{\"text\":", out);
	ag_check_json_put(out, fix->text, 0);
	fputs(",\"table\":", out);
	ag_check_json_put(out, fix->table, 1);
	fputs(",\"records\":[", out);
	for (size_t i = 0; i < fix->nrecords; i++) {
		if (i > 0)
			fputc(',', out);
		ag_check_json_put(out, fix->records[i], 0);
	}
	fputs("]}", out);
}

/* ag_check_json_line - one check object */
static void ag_check_json_line(FILE *out, const ag_check_line_t *line)
{
	fputs("{\"name\":", out);
	ag_check_json_put(out, line->name, 0);
	fputs(",\"target\":", out);
	ag_check_json_put(out, line->target, 1);
	fprintf(out, ",\"state\":\"%s\",\"reason\":",
	        ag_check_mark_name(line->mark));
	ag_check_json_put(
	    out,
	    line->reason < AG_R_COUNT ? ag_reason_name(line->reason) : NULL, 1);
	fputs(",\"found\":", out);
	ag_check_json_put(out, line->found, 0);
	fputs(",\"fix\":", out);
	ag_check_json_fix(out, line->fix);
	fputc('}', out);
}

/* ag_check_json_entry - the table entry, or null */
static void ag_check_json_entry(FILE *out, const ag_domain_entry_t *entry)
{
	if (entry == NULL) {
		fputs("null", out);
		return;
	}
	fputs("{\"domain\":", out);
	ag_check_json_put(out, entry->domain, 0);
	fprintf(out, ",\"line\":%u,\"send_domain\":", entry->line);
	ag_check_json_put(out, entry->send_domain, 1);
	fputc('}', out);
}

/* ag_check_json_verdict - the verdict object */
static void ag_check_json_verdict(FILE *out, const ag_verdict_t *v)
{
	fprintf(out,
	        "{\"checked\":%s,\"action\":\"%s\",\"intended\":\"%s\","
	        "\"mode\":\"%s\",\"reasons\":",
	        v->checked ? "true" : "false", ag_action_name(v->action),
	        ag_action_name(v->intended), ag_mode_name(v->mode));
	ag_check_json_reasons(out, v->reasons);
	fputc('}', out);
}

/* ag_check_print_json - a report as one JSON object */
void ag_check_print_json(FILE *out, const ag_check_report_t *report)
{
	fputs("{\"domain\":", out);
	ag_check_json_put(out, report->domain, 0);
	fprintf(out, ",\"status\":\"%s\",\"mailfrom\":",
	        ag_check_status_name(report->status));
	ag_check_json_put(out, report->mailfrom, 0);
	fputs(",\"entry\":", out);
	ag_check_json_entry(out, report->entry);
	fputs(",\"verdict\":", out);
	ag_check_json_verdict(out, &report->verdict);
	fputs(",\"dmarc\":", out);
	ag_check_json_put(out, report->dmarc, 1);
	fputs(",\"checks\":[", out);
	for (size_t i = 0; i < report->count; i++) {
		if (i > 0)
			fputc(',', out);
		ag_check_json_line(out, &report->lines[i]);
	}
	fputs("]}\n", out);
}

/* ag_check_tally_critical - whether a reason's action is not soft */
static int ag_check_tally_critical(const ag_config_t *config,
                                   const ag_check_report_t *report)
{
	for (int r = 0; r < AG_R_COUNT; r++)
		if ((report->verdict.reasons & AG_REASON_BIT(r)) &&
		    r != AG_R_DNS_TEMPERROR &&
		    ag_policy_reason_action(config, report->entry, r) >=
		        AG_ACT_QUARANTINE)
			return 1;
	return 0;
}

/* ag_check_tally_line - keep one long-output line */
static void ag_check_tally_line(ag_check_tally_t *tally,
                                const ag_check_report_t *report)
{
	char reasons[512], line[AG_DOMAIN_MAX + 600];

	if (tally->nlines >= AG_CHECK_TALLY_LINES)
		return;
	ag_reasons_format(report->verdict.reasons, ',', reasons,
	                  sizeof(reasons));
	snprintf(line, sizeof(line), "%s: %s %s (%s)", report->domain,
	         ag_check_status_name(report->status),
	         ag_action_name(report->verdict.intended), reasons);
	if ((tally->lines[tally->nlines] = strdup(line)) != NULL)
		tally->nlines++;
}

/* ag_check_tally_add - count one report */
void ag_check_tally_add(ag_check_tally_t *tally, const ag_config_t *config,
                        const ag_check_report_t *report)
{
	tally->domains++;
	if (report->verdict.reasons & AG_REASON_BIT(AG_R_DNS_TEMPERROR))
		tally->dns_errors++;
	switch (report->status) {
	case AG_STATUS_PASS:
		tally->pass++;
		return;
	case AG_STATUS_FAIL:
		tally->failing++;
		tally->critical += ag_check_tally_critical(config, report);
		break;
	case AG_STATUS_TEMPERROR:
		tally->temperror++;
		break;
	}
	ag_check_tally_line(tally, report);
}

/* ag_check_tally_clear - release the kept lines */
void ag_check_tally_clear(ag_check_tally_t *tally)
{
	for (size_t i = 0; i < tally->nlines; i++)
		free(tally->lines[i]);
	memset(tally, 0, sizeof(*tally));
}

/* ag_check_nagios_state - the worst state wins */
ag_nagios_state_t ag_check_nagios_state(const ag_check_tally_t *tally)
{
	if (tally->critical > 0)
		return AG_NAGIOS_CRITICAL;
	if (tally->failing > 0)
		return AG_NAGIOS_WARNING;
	if (tally->temperror > 0 || tally->domains == 0)
		return AG_NAGIOS_UNKNOWN;
	return AG_NAGIOS_OK;
}

/* ag_check_nagios_summary - the words between " - " and " | " */
static void ag_check_nagios_summary(ag_check_buf_t *b,
                                    const ag_check_tally_t *tally)
{
	size_t named = 0;

	if (tally->domains == 0) {
		ag_check_buf_add(b, "no domains to check");
		return;
	}
	if (tally->failing == 0 && tally->temperror == 0) {
		ag_check_buf_add(b, "%zu domain%s pass", tally->domains,
		                 tally->domains == 1 ? "" : "s");
		return;
	}
	ag_check_buf_add(b, "%zu of %zu domains failing", tally->failing,
	                 tally->domains);
	if (tally->temperror > 0)
		ag_check_buf_add(b, ", %zu without verdict (DNS trouble)",
		                 tally->temperror);
	for (size_t i = 0; i < tally->nlines && named < AG_CHECK_NAGIOS_NAMED;
	     i++, named++)
		ag_check_buf_add(b, "%s%.*s", named ? ", " : ": ",
		                 (int)strcspn(tally->lines[i], ":"),
		                 tally->lines[i]);
	if (tally->failing + tally->temperror > named)
		ag_check_buf_add(b, ", ...");
}

/* ag_check_nagios_status - the status line */
size_t ag_check_nagios_status(const ag_check_tally_t *tally, char *buf,
                              size_t size)
{
	static const char *const words[] = {"OK", "WARNING", "CRITICAL",
	                                    "UNKNOWN"};
	ag_check_buf_t b;

	ag_check_buf_init(&b, buf, size);
	ag_check_buf_add(&b, "ALIGNGUARD %s - ",
	                 words[ag_check_nagios_state(tally)]);
	ag_check_nagios_summary(&b, tally);
	ag_check_buf_add(&b, " | domains=%zu;; failing=%zu;; dns_errors=%zu;;",
	                 tally->domains, tally->failing, tally->dns_errors);
	return b.len;
}

/* ag_check_print_nagios - status line and long output */
void ag_check_print_nagios(FILE *out, const ag_check_tally_t *tally)
{
	char line[2048];

	ag_check_nagios_status(tally, line, sizeof(line));
	fprintf(out, "%s\n", line);
	for (size_t i = 0; i < tally->nlines; i++)
		fprintf(out, "%s\n", tally->lines[i]);
	if (tally->failing + tally->temperror > tally->nlines)
		fprintf(out, "... and %zu more\n",
		        tally->failing + tally->temperror - tally->nlines);
}
