/*
 * spf.c - the SPF entry point (see spf.h): turns a request into the
 * identities check_host() needs (RFC 7208 sections 2.4 and 4.3), runs it
 * (spfeval.c), computes the explanation of a fail (section 6.2) and fills
 * the outcome.
 */
#include "spfint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const ag_spf_result_names[] = {
    [AG_SPF_NONE] = "none",           [AG_SPF_NEUTRAL] = "neutral",
    [AG_SPF_PASS] = "pass",           [AG_SPF_FAIL] = "fail",
    [AG_SPF_SOFTFAIL] = "softfail",   [AG_SPF_TEMPERROR] = "temperror",
    [AG_SPF_PERMERROR] = "permerror",
};

#define AG_SPF_NRESULTS                                                        \
	(sizeof(ag_spf_result_names) / sizeof(ag_spf_result_names[0]))

/* The identities of one check: <sender> split, and <domain>. */
typedef struct ag_spf_identity {
	char *sender; /* local@domain, "postmaster" if no local */
	char *local;
	char *sender_domain;
	char domain[AG_SPF_DOMAIN_MAX + 1];
} ag_spf_identity_t;

/* ag_spf_result_name - the name of a result */
const char *ag_spf_result_name(ag_spf_result_t result)
{
	if ((unsigned)result >= AG_SPF_NRESULTS)
		return "unknown";
	return ag_spf_result_names[result];
}

/* ag_spf_result_parse - a result from its name */
int ag_spf_result_parse(const char *name, ag_spf_result_t *result)
{
	for (size_t i = 0; i < AG_SPF_NRESULTS; i++) {
		if (strcasecmp(name, ag_spf_result_names[i]) == 0) {
			*result = (ag_spf_result_t)i;
			return 0;
		}
	}
	return -1;
}

/* ag_spf_outcome_clear - free an outcome's strings */
void ag_spf_outcome_clear(ag_spf_outcome_t *out)
{
	free(out->explanation);
	free(out->mechanism);
	free(out->mechanism_domain);
	free(out->record);
	memset(out, 0, sizeof(*out));
}

/* ag_spf_identity_free - release what an identity holds */
static void ag_spf_identity_free(ag_spf_identity_t *id)
{
	free(id->sender);
	free(id->local);
	free(id->sender_domain);
}

/* ag_spf_identity_split - <sender> (or the HELO name for a null sender)
 * into local part and domain; -1 when out of memory */
static int ag_spf_identity_split(const ag_spf_request_t *req,
                                 ag_spf_identity_t *id)
{
	const char *s = req->sender, *at;
	size_t local;

	if (s == NULL || s[0] == '\0')
		s = req->helo != NULL ? req->helo : "";
	at = strrchr(s, '@');
	local = at != NULL ? (size_t)(at - s) : 0;
	id->local = local > 0 ? strndup(s, local) : strdup("postmaster");
	id->sender_domain = strdup(at != NULL ? at + 1 : s);
	if (id->local == NULL || id->sender_domain == NULL)
		return -1;
	id->sender = malloc(strlen(id->local) + strlen(id->sender_domain) + 2);
	if (id->sender == NULL)
		return -1;
	sprintf(id->sender, "%s@%s", id->local, id->sender_domain);
	return 0;
}

/* ag_spf_identity_domain - <domain> checked per RFC 7208 4.3: a
 * multi-label name with labels of 1 to 63 octets, no domain literal; 0, or
 * -1 with a problem (the result is then none) */
static int ag_spf_identity_domain(const char *domain, ag_spf_identity_t *id,
                                  char *problem, size_t size)
{
	size_t n = strlen(domain);

	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || domain[0] == '[' || !ag_spf_name_valid(domain, n) ||
	    memchr(domain, '.', n) == NULL) {
		snprintf(problem, size, "'%.*s' is no valid multi-label domain",
		         n > 64 ? 64 : (int)n, domain);
		return -1;
	}
	memcpy(id->domain, domain, n);
	id->domain[n] = '\0';
	return 0;
}

/* ag_spf_explain_text - expand an explain-string; NULL if it is invalid
 * or out of memory */
static char *ag_spf_explain_text(ag_spf_eval_t *ev, const char *text,
                                 size_t len)
{
	ag_spf_buf_t buf = {0};
	const char *why;

	if (ag_spf_macro_valid(text, len, AG_SPF_MACRO_EXPLAIN, &why) < 0 ||
	    ag_spf_macro_expand(&ev->macro, text, len, AG_SPF_MACRO_EXPLAIN,
	                        &buf) < 0) {
		ag_spf_buf_free(&buf);
		return NULL;
	}
	for (size_t i = 0; i < buf.len; i++)
		if (!isprint((unsigned char)buf.data[i]))
			buf.data[i] = '?';
	return buf.data;
}

/* ag_spf_explain_exp - the text exp= points to, or NULL to use the
 * default (RFC 7208 6.2) */
static char *ag_spf_explain_exp(ag_spf_eval_t *ev, const ag_spf_decision_t *dec)
{
	const ag_spf_record_t *rec = dec->record;
	char name[AG_SPF_DOMAIN_MAX + 1];
	ag_dns_answer_t *a;
	char *text = NULL;

	if (rec == NULL || rec->exp == NULL)
		return NULL;
	ev->macro.domain = dec->domain;
	if (ag_spf_domain_expand(&ev->macro, rec->exp, rec->exp_len, name) < 0)
		return NULL;
	a = ag_spf_eval_query(ev, name, AG_DNS_TXT);
	if (a != NULL && a->status == AG_DNS_OK && a->count == 1)
		text = ag_spf_explain_text(ev, a->rrs[0].data, a->rrs[0].len);
	ag_dns_answer_free(a);
	return text;
}

/* ag_spf_explain - the explanation of a fail */
static char *ag_spf_explain(ag_spf_eval_t *ev, const ag_spf_decision_t *dec,
                            const char *fallback)
{
	char *text = ag_spf_explain_exp(ev, dec);

	if (text == NULL)
		text = ag_spf_explain_text(ev, fallback, strlen(fallback));
	return text != NULL ? text : strdup(fallback);
}

/* ag_spf_fill - the outcome of an evaluation */
static void ag_spf_fill(ag_spf_eval_t *ev, const ag_spf_request_t *req,
                        const ag_spf_decision_t *dec, ag_spf_outcome_t *out)
{
	out->record = ev->top_record;
	ev->top_record = NULL;
	if (dec->term != NULL) {
		out->mechanism = strndup(dec->term->text, dec->term->text_len);
		out->mechanism_domain = strdup(dec->domain);
	}
	if (out->result == AG_SPF_FAIL)
		out->explanation = ag_spf_explain(
		    ev, dec,
		    req->default_explanation ? req->default_explanation
		                             : AG_SPF_DEFAULT_EXPLANATION);
	if (out->result == AG_SPF_NONE || out->result >= AG_SPF_TEMPERROR)
		snprintf(out->problem, sizeof(out->problem), "%s", ev->problem);
	out->lookups = ev->lookups;
	out->void_lookups = ev->voids;
	out->include_reached = ev->watch_reached;
	out->include_pass = ev->watch_pass;
}

/* ag_spf_check - check_host() for a request */
ag_spf_result_t ag_spf_check(ag_resolver_t *resolver,
                             const ag_spf_request_t *req, ag_spf_outcome_t *out)
{
	ag_spf_identity_t id = {0};
	ag_spf_decision_t dec = {0};
	ag_spf_eval_t ev;
	ag_spf_ip_t ip;

	memset(out, 0, sizeof(*out));
	if (ag_spf_ip_parse(req->ip, &ip) < 0) {
		snprintf(out->problem, sizeof(out->problem),
		         "invalid client address '%.64s'",
		         req->ip ? req->ip : "(none)");
		return out->result = AG_SPF_PERMERROR;
	}
	if (ag_spf_identity_split(req, &id) < 0) {
		snprintf(out->problem, sizeof(out->problem), "out of memory");
		out->result = AG_SPF_TEMPERROR;
	} else if (ag_spf_identity_domain(
	               req->domain ? req->domain : id.sender_domain, &id,
	               out->problem, sizeof(out->problem)) < 0) {
		out->result = AG_SPF_NONE;
	} else {
		ag_spf_eval_init(&ev, resolver, req, &ip);
		ev.macro.sender = id.sender;
		ev.macro.local = id.local;
		ev.macro.sender_domain = id.sender_domain;
		ev.macro.helo = req->helo;
		ev.macro.receiver = req->receiver;
		ev.macro.now = req->now;
		out->result = ag_spf_eval_host(&ev, id.domain, &dec);
		ag_spf_fill(&ev, req, &dec, out);
		ag_spf_record_free(dec.record);
		free(ev.top_record);
	}
	ag_spf_identity_free(&id);
	return out->result;
}
