/*
 * fuzz_message.c - one message through header collection, the verdict
 * and the report texts. Input: a flags octet (configuration switches,
 * DNS facts or none), then NUL-separated fields: the MAIL FROM argument,
 * the SASL login, then header name and value pairs. The tag header value
 * and both log lines must hold no CR, LF or NUL.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ag_fuzz_table[] =
    "example.com send-domain=bounce.example.com selectors=s1,s2\n"
    "shop.example.org send-domain=mail.shop.example.org accounts=shop,api "
    "subdomains=yes\n"
    "billing.example dkim=any addresses=invoices,billing-*,*-noreply "
    "action=tag\n"
    "noreply.billing.example reply-to=required\n"
    "new.example mode=monitor alignment=strict send-domain=new.example\n"
    "b\xc3\xbc"
    "cher.example selectors=mail\n";

/* ag_fuzz_dns - DNS facts: DKIM passes, SPF as flagged, DMARC p=reject */
static const ag_dns_facts_t *ag_fuzz_dns(unsigned flags)
{
	static ag_dns_facts_t dns = {
	    .count = 3,
	    .checks = {{.kind = AG_CHECK_DKIM_KEY,
	                .name = "dkim:s1",
	                .state = AG_CHECK_PASS},
	               {.kind = AG_CHECK_SPF, .name = "spf:bounce.example.com"},
	               {.kind = AG_CHECK_DMARC,
	                .name = "dmarc:example.com",
	                .state = AG_CHECK_PASS,
	                .dmarc = {1, "reject", "reject", 0, 0, 100, 1}}}};

	dns.checks[1].state = flags & 0x40 ? AG_CHECK_FAIL : AG_CHECK_PASS;
	dns.checks[1].reason = AG_R_SPF_FAIL;
	dns.checks[2].dmarc.aspf_strict = (flags & 0x80) != 0;
	return flags & 0x20 ? &dns : NULL;
}

/* ag_fuzz_clean - report text of n octets: no CR, LF or NUL inside */
static void ag_fuzz_clean(const char *buf, size_t n, size_t size)
{
	if (n >= size || strlen(buf) != n || strpbrk(buf, "\r\n") != NULL)
		abort();
}

/* ag_fuzz_report - the verdict's tag value, log lines and reply */
static void ag_fuzz_report(const ag_message_facts_t *facts,
                           const ag_verdict_t *verdict)
{
	char dmarc[64], buf[1536];
	ag_smtp_reply_t reply;
	const char *predicted =
	    ag_predict_format(&verdict->dmarc, dmarc, sizeof(dmarc));
	ag_report_subject_t s = {
	    .verdict = verdict,
	    .from_domain = facts->from_domain,
	    .mailfrom_domain = facts->envfrom == AG_ENVFROM_NULL
	                           ? "<>"
	                           : facts->mailfrom_domain,
	    .queue_id = "4XyZ1b2c3d",
	    .client = "mail.example [192.0.2.1]",
	    .login = facts->login,
	    .dmarc = predicted[0] != '\0' ? predicted : NULL,
	    .dns_ms = 12,
	    .total_ms = 15};

	ag_fuzz_clean(buf, ag_report_tag(&s, buf, sizeof(buf)), sizeof(buf));
	ag_fuzz_clean(buf,
	              ag_report_log_line(&s, AG_LOG_TEXT, buf, sizeof(buf)),
	              sizeof(buf));
	ag_fuzz_clean(buf,
	              ag_report_log_line(&s, AG_LOG_JSON, buf, sizeof(buf)),
	              sizeof(buf));
	if (verdict->action < AG_ACT_TEMPFAIL)
		return;
	ag_report_reply(&s, &reply);
	ag_fuzz_clean(reply.text, strlen(reply.text), sizeof(reply.text));
}

/* ag_fuzz_field - the field at *p, *p moved past it; "" past the end */
static const char *ag_fuzz_field(const char **p, const char *end)
{
	const char *field = *p;

	if (field > end)
		return "";
	*p = field + strlen(field) + 1;
	return field;
}

/* ag_fuzz_collect - envelope sender, login and header fields */
static void ag_fuzz_collect(ag_message_t *m, const char *text, size_t len,
                            const char *tag)
{
	const char *p = text, *end = text + len, *from, *name;

	from = ag_fuzz_field(&p, end);
	ag_message_set_envfrom(m, from, ag_fuzz_field(&p, end));
	while (p < end) {
		name = ag_fuzz_field(&p, end);
		if (ag_message_add_header(m, tag, name, ag_fuzz_field(&p, end)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ag_config_t *config;
	static ag_domains_t *domains;
	static ag_psl_t *psl;
	unsigned flags = size > 0 ? data[0] : 0;
	char *text = malloc(size + 1), err[256];
	ag_from_options_t options = {(flags & 0x08) != 0};
	ag_message_t m = {0};
	ag_message_facts_t facts;
	ag_policy_input_t in = {.message = &facts, .dns = ag_fuzz_dns(flags)}, bare;
	ag_verdict_t verdict;
	ag_diag_t diag;

	if (config == NULL) {
		ag_diag_init(&diag);
		config = ag_config_defaults();
		domains = ag_domains_parse("domains", ag_fuzz_table,
		                           sizeof(ag_fuzz_table) - 1, &diag);
		psl = ag_psl_load(NULL, err, sizeof(err));
		if (config == NULL || domains == NULL || psl == NULL)
			abort();
		ag_diag_clear(&diag);
	}
	config->mode = flags & 0x01 ? AG_MODE_MONITOR : AG_MODE_ENFORCE;
	config->null_sender_check = (flags & 0x02) != 0;
	config->apply_to_authenticated = (flags & 0x04) != 0;
	config->alignment = flags & 0x10 ? AG_ALIGN_STRICT : AG_ALIGN_RELAXED;
	memcpy(text, data, size);
	text[size] = '\0';
	ag_fuzz_collect(&m, size > 0 ? text + 1 : text, size > 0 ? size - 1 : 0,
	                config->tag_header);
	ag_message_facts(&m, &options, &facts);
	in.config = config;
	in.domains = domains;
	in.psl = psl;
	verdict = ag_policy_decide(&in);
	bare = in;
	bare.dns = NULL;
	/* a verdict waiting for DNS has no failure yet */
	if (ag_policy_decide(&bare).needs_dns && ag_policy_decide(&bare).reasons)
		abort();
	ag_fuzz_report(&facts, &verdict);
	ag_message_reset(&m);
	free(text);
	return 0;
}
