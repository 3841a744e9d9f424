/*
 * checkfix.c - fix texts and records per reason code (see checkfix.h).
 *
 * One row per reason: a function that writes the text and adds the
 * records. The rows share the helpers that find what a record is made
 * from (the DKIM key, the SPF terms, the MX hosts).
 */
#include "checkfix.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checkbuf.h"
#include "checkrecords.h"
#include "dkimcheck.h"

#define AG_CHECK_DKIM_LABEL "._domainkey."
#define AG_CHECK_GOOD_BITS  2048

/* What a fix row reads. */
typedef struct ag_check_fixer {
	const ag_check_ctx_t *ctx;
	const ag_check_report_t *report;
	const ag_check_line_t *line;
	ag_check_fix_t *fix;
} ag_check_fixer_t;

typedef void (*ag_check_fix_fn)(ag_check_fixer_t *f);

/* ag_check_fix_free - release a fix */
ag_check_fix_t *ag_check_fix_free(ag_check_fix_t *fix)
{
	if (fix == NULL)
		return NULL;
	for (size_t i = 0; i < fix->nrecords; i++)
		free(fix->records[i]);
	free(fix);
	return NULL;
}

/* ag_check_fix_text - set the text */
static void ag_check_fix_text(ag_check_fixer_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ag_check_fix_text(ag_check_fixer_t *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->fix->text, sizeof(f->fix->text), fmt, ap);
	va_end(ap);
}

/* ag_check_fix_more - append to the text */
static void ag_check_fix_more(ag_check_fixer_t *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ag_check_fix_more(ag_check_fixer_t *f, const char *fmt, ...)
{
	size_t len = strlen(f->fix->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->fix->text + len, sizeof(f->fix->text) - len, fmt, ap);
	va_end(ap);
}

/* ag_check_fix_record - add one zone-file line (a copy) */
static void ag_check_fix_record(ag_check_fixer_t *f, const char *record)
{
	ag_check_fix_t *fix = f->fix;
	char *copy;

	if (fix->nrecords < AG_CHECK_FIX_RECORDS &&
	    (copy = strdup(record)) != NULL)
		fix->records[fix->nrecords++] = copy;
}

/* ag_check_fix_send_domain - the domain SPF and MX records go to */
static const char *ag_check_fix_send_domain(const ag_check_fixer_t *f)
{
	const ag_domain_entry_t *entry = f->report->entry;

	if (entry != NULL && entry->send_domain != NULL)
		return entry->send_domain;
	return f->report->mailfrom;
}

/* ag_check_fix_suggested_send - a send domain aligned with the domain */
static void ag_check_fix_suggested_send(const ag_check_fixer_t *f, char *buf,
                                        size_t size)
{
	const ag_check_report_t *report = f->report;
	const ag_domain_entry_t *entry = report->entry;
	ag_alignment_t mode = f->ctx->rules->config->alignment;

	if (entry != NULL && entry->has_alignment)
		mode = entry->alignment;
	if (report->verdict.dmarc.aspf_strict)
		mode = AG_ALIGN_STRICT;
	if (ag_check_default_send_domain(report->domain, mode, buf, size) != 0)
		snprintf(buf, size, "%s", report->domain);
}

/* ag_check_fix_table_line - a table line verifying the domain */
static void ag_check_fix_table_line(ag_check_fixer_t *f, const char *send)
{
	const ag_strlist_t *sels = f->ctx->selectors;
	ag_check_buf_t b;

	ag_check_buf_init(&b, f->fix->table, sizeof(f->fix->table));
	ag_check_buf_add(&b, "%s send-domain=%s selectors=", f->report->domain,
	                 send);
	if (sels == NULL || sels->count == 0)
		ag_check_buf_add(&b, "s1");
	for (size_t i = 0; sels != NULL && i < sels->count; i++)
		ag_check_buf_add(&b, "%s%s", i ? "," : "", sels->items[i]);
}

/* ag_check_fix_unverified - from.unverified: the table line to add */
static void ag_check_fix_unverified(ag_check_fixer_t *f)
{
	char send[AG_DOMAIN_MAX + 8];

	if (f->ctx->mailfrom != NULL)
		snprintf(send, sizeof(send), "%s", f->ctx->mailfrom);
	else
		ag_check_fix_suggested_send(f, send, sizeof(send));
	ag_check_fix_table_line(f, send);
	ag_check_fix_text(f,
	                  "add the domain to %s and reload alignguard; "
	                  "`alignguard-check --records %s` lists the records "
	                  "it must publish",
	                  f->ctx->rules->config->domains, f->report->domain);
}

/* ag_check_fix_unaligned - mailfrom.unaligned: an aligned send domain */
static void ag_check_fix_unaligned(ag_check_fixer_t *f)
{
	const ag_check_report_t *report = f->report;
	char send[AG_DOMAIN_MAX + 8];

	ag_check_fix_suggested_send(f, send, sizeof(send));
	ag_check_fix_text(
	    f,
	    "the return-path domain %s is not aligned with %s: "
	    "send with a return-path in %s (send-domain=%s in "
	    "the table, and the send domain's MX and SPF records)",
	    report->mailfrom, report->domain, send, send);
	if (report->verdict.dmarc.aspf_strict)
		ag_check_fix_more(f, "; the DMARC record's aspf=s asks for the "
		                     "very same domain");
	if (report->entry != NULL && report->entry->send_domain != NULL &&
	    strcmp(report->entry->send_domain, report->mailfrom) == 0)
		ag_check_fix_table_line(f, send);
}

/* ag_check_fix_not_send_domain - mailfrom.not-send-domain */
static void ag_check_fix_not_send_domain(ag_check_fixer_t *f)
{
	const char *send = ag_check_fix_send_domain(f);

	ag_check_fix_text(f,
	                  "send with a return-path within send-domain=%s "
	                  "(bounces@%s), or change send-domain= in the table",
	                  send, send);
}

/* ag_check_fix_selector - the selector of a DKIM line's target */
static int ag_check_fix_selector(const ag_check_fixer_t *f, char *buf,
                                 size_t size)
{
	const char *target = f->line->target;
	const char *at = strstr(target, AG_CHECK_DKIM_LABEL);

	if (at == NULL || (size_t)(at - target) >= size)
		return -1;
	memcpy(buf, target, (size_t)(at - target));
	buf[at - target] = '\0';
	return 0;
}

/* ag_check_fix_dkim_key - the loaded public half for this selector */
static const ag_dkim_pubkey_t *ag_check_fix_dkim_key(const ag_check_fixer_t *f)
{
	char selector[AG_DSTATE_TARGET_MAX];
	const ag_dkim_keys_t *keys = f->ctx->rules->dkim_keys;

	if (keys == NULL || f->report->entry == NULL ||
	    ag_check_fix_selector(f, selector, sizeof(selector)) != 0)
		return NULL;
	return ag_dkim_keys_find(keys, f->report->entry->domain, selector);
}

/* ag_check_fix_dkim_record - the key record of the operator's key */
static int ag_check_fix_dkim_record(ag_check_fixer_t *f,
                                    const ag_dkim_pubkey_t *key)
{
	char text[AG_CHECK_RECORD_MAX], record[AG_CHECK_RECORD_MAX];

	if (ag_check_dkim_text(key->type, key->spki, key->spki_len, text,
	                       sizeof(text)) != 0 ||
	    ag_check_zone_txt(f->line->target, text, strlen(text), record,
	                      sizeof(record)) != 0)
		return -1;
	ag_check_fix_record(f, record);
	return 0;
}

/* ag_check_fix_dkim_publish - the record, or how to get it */
static void ag_check_fix_dkim_publish(ag_check_fixer_t *f)
{
	const ag_dkim_pubkey_t *key = ag_check_fix_dkim_key(f);
	char selector[AG_DSTATE_TARGET_MAX] = "";

	if (key != NULL && key->type == AG_DKIM_KEY_RSA &&
	    key->bits < f->ctx->rules->config->min_key_bits) {
		ag_check_fix_more(f,
		                  "; the key in %s has only %u bits: make a "
		                  "new one (see dkim.key-weak)",
		                  key->path, key->bits);
		return;
	}
	if (key != NULL && ag_check_fix_dkim_record(f, key) == 0) {
		ag_check_fix_more(f, " (the public half of %s)", key->path);
		return;
	}
	if (ag_check_fix_selector(f, selector, sizeof(selector)) != 0)
		snprintf(selector, sizeof(selector), "SELECTOR");
	ag_check_fix_more(f,
	                  ": %s. IN TXT \"v=DKIM1; k=rsa; p=<the signing key's "
	                  "public half, base64>\"; with keys=%s:/path/to/key "
	                  "in the table, alignguard-check writes the exact "
	                  "record",
	                  f->line->target, selector);
}

/* ag_check_fix_dkim - every dkim.key-* reason */
static void ag_check_fix_dkim(ag_check_fixer_t *f)
{
	static const char *const texts[] = {
	    [AG_R_DKIM_KEY_MISSING] = "publish the selector's public key",
	    [AG_R_DKIM_KEY_INVALID] = "replace the record at the selector "
	                              "with one valid key record",
	    [AG_R_DKIM_KEY_REVOKED] = "the record revokes the key (empty "
	                              "p=): publish the key in use, or take "
	                              "the selector out of selectors=",
	    [AG_R_DKIM_KEY_TESTING] = "the record says t=y (testing): "
	                              "publish it without t=y",
	    [AG_R_DKIM_KEY_MISMATCH] = "the published key is not the public "
	                               "half of the signing key: publish the "
	                               "right one",
	};
	ag_reason_t r = f->line->reason;

	ag_check_fix_text(f, "%s", texts[r] != NULL ? texts[r] : "fix the key");
	ag_check_fix_dkim_publish(f);
}

/* ag_check_fix_dkim_weak - dkim.key-weak: a stronger key */
static void ag_check_fix_dkim_weak(ag_check_fixer_t *f)
{
	unsigned min = f->ctx->rules->config->min_key_bits;
	unsigned bits = min > AG_CHECK_GOOD_BITS ? min : AG_CHECK_GOOD_BITS;
	const ag_dkim_pubkey_t *key = ag_check_fix_dkim_key(f);

	if (key != NULL && (key->type != AG_DKIM_KEY_RSA || key->bits >= min)) {
		ag_check_fix_text(f,
		                  "the published key is weaker than "
		                  "MinKeyBits %u: publish the signing key",
		                  min);
		ag_check_fix_dkim_publish(f);
		return;
	}
	ag_check_fix_text(
	    f,
	    "the key has fewer than MinKeyBits %u bits: make a new "
	    "one (openssl genpkey -algorithm RSA -pkeyopt "
	    "rsa_keygen_bits:%u -out key.private), sign with it, "
	    "name it in keys= and publish the record "
	    "alignguard-check then writes",
	    min, bits);
}

/* ag_check_fix_signature - dkim.signature-*: the signer, not DNS */
static void ag_check_fix_signature(ag_check_fixer_t *f)
{
	ag_check_fix_text(f,
	                  "check the signer: it must sign with d=%s and a "
	                  "key published under one of the selectors",
	                  f->report->domain);
}

/* ag_check_fix_current_spf - the SPF record published now, if one */
static int ag_check_fix_current_spf(const ag_check_fixer_t *f,
                                    const char *owner, char *buf, size_t size)
{
	ag_dns_answer_t *answer;
	int found = 0;

	if (f->ctx->resolver == NULL)
		return 0;
	answer = ag_resolver_query(f->ctx->resolver, owner, AG_DNS_TXT,
	                           f->ctx->rules->config->dns_timeout_ms);
	for (size_t i = 0;
	     answer != NULL && answer->status == AG_DNS_OK && i < answer->count;
	     i++) {
		const ag_dns_rr_t *rr = &answer->rrs[i];

		if (rr->type == AG_DNS_TXT && rr->len >= 6 &&
		    strncasecmp(rr->data, "v=spf1", 6) == 0 &&
		    (rr->len == 6 || rr->data[6] == ' ')) {
			snprintf(buf, size, "%s", rr->data);
			found++;
		}
	}
	ag_dns_answer_free(answer);
	return found;
}

/* ag_check_fix_spf - spf.*: the record with the terms it lacks */
static void ag_check_fix_spf(ag_check_fixer_t *f)
{
	const char *owner = ag_check_fix_send_domain(f);
	const ag_strlist_t *includes =
	    f->report->entry != NULL ? &f->report->entry->spf_includes : NULL;
	const ag_strlist_t *addresses =
	    &f->ctx->rules->config->outbound_addresses;
	char now[AG_CHECK_RECORD_MAX], text[AG_CHECK_RECORD_MAX];
	char record[AG_CHECK_RECORD_MAX];
	int current = ag_check_fix_current_spf(f, owner, now, sizeof(now));
	int merge = current == 1 && f->line->reason == AG_R_SPF_FAIL;

	if ((includes == NULL || includes->count == 0) &&
	    addresses->count == 0) {
		ag_check_fix_text(f,
		                  "publish an SPF record for %s authorising "
		                  "the outbound addresses (set "
		                  "OutboundAddresses or spf-include= so that "
		                  "alignguard-check can write it)",
		                  owner);
		return;
	}
	if (ag_check_spf_text(includes, addresses, merge ? now : NULL, text,
	                      sizeof(text)) != 0 ||
	    ag_check_zone_txt(owner, text, strlen(text), record,
	                      sizeof(record)) != 0) {
		ag_check_fix_text(f,
		                  "the SPF record for %s is too long to "
		                  "write",
		                  owner);
		return;
	}
	ag_check_fix_record(f, record);
	if (merge)
		ag_check_fix_text(f,
		                  "add the missing terms to the SPF record "
		                  "of %s (this replaces the current one)",
		                  owner);
	else if (current > 0)
		ag_check_fix_text(f,
		                  "replace the SPF record%s of %s by this "
		                  "one (keep any other sender it must "
		                  "authorise)",
		                  current > 1 ? "s" : "", owner);
	else
		ag_check_fix_text(f, "publish an SPF record for %s", owner);
}

/* ag_check_fix_mx - mx.missing: where the bounces go */
static void ag_check_fix_mx(ag_check_fixer_t *f)
{
	const char *owner = ag_check_fix_send_domain(f);
	const ag_domain_entry_t *entry = f->report->entry;
	char record[AG_CHECK_RECORD_MAX];
	size_t n = 0;

	ag_check_fix_text(f,
	                  "publish an MX record for %s, so that bounces "
	                  "reach the platform",
	                  owner);
	if (f->ctx->mx != NULL) {
		if (ag_check_zone_mx(owner, 10, f->ctx->mx, record,
		                     sizeof(record)) == 0)
			ag_check_fix_record(f, record);
		return;
	}
	for (; entry != NULL && n < entry->mx_hosts.count; n++)
		if (ag_check_zone_mx(owner, 10 * (unsigned)(n + 1),
		                     entry->mx_hosts.items[n], record,
		                     sizeof(record)) == 0)
			ag_check_fix_record(f, record);
	if (n == 0)
		ag_check_fix_more(f, " (the host that receives them: give "
		                     "--mx HOST, or mx= in the table, for the "
		                     "exact record)");
}

/* ag_check_fix_dmarc_missing - a first DMARC record */
static void ag_check_fix_dmarc_missing(ag_check_fixer_t *f)
{
	const char *domain = f->report->domain;
	char rua[AG_DOMAIN_MAX + 32], owner[AG_DOMAIN_MAX + 8];
	char text[AG_CHECK_RECORD_MAX], record[AG_CHECK_RECORD_MAX];

	ag_check_fix_text(f, "publish a DMARC record; start with p=none, read "
	                     "the aggregate reports, then tighten p=");
	if (f->ctx->rua != NULL)
		snprintf(rua, sizeof(rua), "%s", f->ctx->rua);
	else if (ag_check_default_rua(domain, rua, sizeof(rua)) != 0)
		return;
	snprintf(owner, sizeof(owner), "_dmarc.%s", domain);
	if (ag_check_dmarc_text(rua, text, sizeof(text)) == 0 &&
	    ag_check_zone_txt(owner, text, strlen(text), record,
	                      sizeof(record)) == 0)
		ag_check_fix_record(f, record);
}

/* ag_check_fix_dmarc_fail - dmarc.fail: make an aligned check pass */
static void ag_check_fix_dmarc_fail(ag_check_fixer_t *f)
{
	const ag_dmarc_prediction_t *p = &f->report->verdict.dmarc;

	ag_check_fix_text(f,
	                  "receivers will fail DMARC for %s: make a DKIM key "
	                  "of the domain, or SPF for an aligned return-path, "
	                  "pass (fix the dkim and spf lines)",
	                  f->report->domain);
	if (p->adkim_strict || p->aspf_strict)
		ag_check_fix_more(f,
		                  "; the record asks for strict alignment "
		                  "(%s%s%s)",
		                  p->adkim_strict ? "adkim=s" : "",
		                  p->adkim_strict && p->aspf_strict ? " " : "",
		                  p->aspf_strict ? "aspf=s" : "");
}

/* ag_check_fix_dns - dns.temperror: nothing to publish */
static void ag_check_fix_dns(ag_check_fixer_t *f)
{
	ag_check_fix_text(f, "nothing to publish yet: DNS trouble kept the "
	                     "check from an answer; check the resolvers "
	                     "(Nameservers) and the domain's name servers, "
	                     "then run again");
}

/* ag_check_fix_message - reasons about a message, not a domain */
static void ag_check_fix_message(ag_check_fixer_t *f)
{
	ag_check_fix_text(f, "a property of each message, not of the domain");
}

static const ag_check_fix_fn ag_check_fixes[AG_R_COUNT] = {
    [AG_R_FROM_UNVERIFIED] = ag_check_fix_unverified,
    [AG_R_MAILFROM_UNALIGNED] = ag_check_fix_unaligned,
    [AG_R_MAILFROM_NOT_SEND_DOMAIN] = ag_check_fix_not_send_domain,
    [AG_R_DKIM_KEY_MISSING] = ag_check_fix_dkim,
    [AG_R_DKIM_KEY_INVALID] = ag_check_fix_dkim,
    [AG_R_DKIM_KEY_REVOKED] = ag_check_fix_dkim,
    [AG_R_DKIM_KEY_WEAK] = ag_check_fix_dkim_weak,
    [AG_R_DKIM_KEY_TESTING] = ag_check_fix_dkim,
    [AG_R_DKIM_KEY_MISMATCH] = ag_check_fix_dkim,
    [AG_R_DKIM_SIGNATURE_INVALID] = ag_check_fix_signature,
    [AG_R_DKIM_SIGNATURE_UNALIGNED] = ag_check_fix_signature,
    [AG_R_SPF_FAIL] = ag_check_fix_spf,
    [AG_R_SPF_MISSING] = ag_check_fix_spf,
    [AG_R_SPF_PERMERROR] = ag_check_fix_spf,
    [AG_R_MX_MISSING] = ag_check_fix_mx,
    [AG_R_DMARC_MISSING] = ag_check_fix_dmarc_missing,
    [AG_R_DMARC_FAIL] = ag_check_fix_dmarc_fail,
    [AG_R_DNS_TEMPERROR] = ag_check_fix_dns,
};

/* ag_check_fix_make - the fix of one line */
ag_check_fix_t *ag_check_fix_make(const ag_check_ctx_t *ctx,
                                  const ag_check_report_t *report,
                                  const ag_check_line_t *line)
{
	ag_check_fixer_t f = {ctx, report, line, calloc(1, sizeof(*f.fix))};
	ag_check_fix_fn fn = NULL;

	if (f.fix == NULL)
		return NULL;
	if ((unsigned)line->reason < AG_R_COUNT)
		fn = ag_check_fixes[line->reason];
	(fn != NULL ? fn : ag_check_fix_message)(&f);
	return f.fix;
}
