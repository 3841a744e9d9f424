/*
 * spfeval.c - check_host() (RFC 7208 sections 4 to 6): record lookup and
 * selection, the mechanisms in order, redirect=, and the limits of section
 * 4.6.4. See spf.h for the choices made where the RFC leaves room.
 *
 * A mechanism evaluates to AG_SPF_MATCH, AG_SPF_NOMATCH, or an error
 * result (temperror, permerror) that ends the whole evaluation.
 */
#include "spfint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Outcomes of one mechanism besides the error results of ag_spf_result_t. */
#define AG_SPF_MATCH   (-1)
#define AG_SPF_NOMATCH (-2)

static int ag_spf_eval_term(ag_spf_eval_t *ev, const ag_spf_term_t *t);
static uint64_t ag_spf_eval_clock(void *arg);

/* ag_spf_eval_init - prepare an evaluation */
void ag_spf_eval_init(ag_spf_eval_t *ev, ag_resolver_t *resolver,
                      const ag_spf_request_t *req, const ag_spf_ip_t *ip)
{
	memset(ev, 0, sizeof(*ev));
	ev->resolver = resolver;
	ev->timeout_ms = req->timeout_ms ? req->timeout_ms : AG_SPF_TIMEOUT_MS;
	ev->ip = *ip;
	ev->max_lookups =
	    req->max_lookups ? req->max_lookups : AG_SPF_MAX_LOOKUPS;
	if (ev->max_lookups > 100)
		ev->max_lookups = 100;
	ev->max_void = req->max_void ? req->max_void : AG_SPF_MAX_VOID;
	ev->watch = req->watch_include;
	ev->clock_ms = req->clock_ms ? req->clock_ms : ag_spf_eval_clock;
	ev->clock_arg = req->clock_arg;
	ev->deadline = ev->clock_ms(ev->clock_arg) +
	               (req->limit_ms ? req->limit_ms : AG_SPF_LIMIT_MS);
	ev->macro.ip = &ev->ip;
	ev->macro.ptr_name = ag_spf_eval_ptr_name;
	ev->macro.arg = ev;
}

/* ag_spf_eval_problem - note the first reason for an error */
void ag_spf_eval_problem(ag_spf_eval_t *ev, const char *fmt, ...)
{
	va_list ap;

	if (ev->problem[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(ev->problem, sizeof(ev->problem), fmt, ap);
	va_end(ap);
}

/* ag_spf_eval_clock - milliseconds of the monotonic clock */
static uint64_t ag_spf_eval_clock(void *arg)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ag_spf_eval_query - one DNS query within the time limit */
ag_dns_answer_t *ag_spf_eval_query(ag_spf_eval_t *ev, const char *name,
                                   int type)
{
	uint64_t now = ev->clock_ms(ev->clock_arg);
	ag_dns_answer_t *answer;
	unsigned timeout = ev->timeout_ms;

	if (now >= ev->deadline) {
		if ((answer = ag_dns_answer_new(AG_DNS_TEMPFAIL)) != NULL)
			answer->error = "SPF evaluation time limit";
	} else {
		if (ev->deadline - now < timeout)
			timeout = (unsigned)(ev->deadline - now);
		answer = ag_resolver_query(ev->resolver, name, type, timeout);
	}
	if (answer == NULL)
		ag_spf_eval_problem(ev, "out of memory");
	return answer;
}

/* ag_spf_eval_count - count a term that queries the DNS; permerror when
 * over the limit, else 0 */
static int ag_spf_eval_count(ag_spf_eval_t *ev)
{
	if (++ev->lookups <= ev->max_lookups)
		return 0;
	ag_spf_eval_problem(ev, "more than %u DNS lookups", ev->max_lookups);
	return AG_SPF_PERMERROR;
}

/* ag_spf_eval_void - count a void lookup; permerror when over the limit */
static int ag_spf_eval_void(ag_spf_eval_t *ev, const char *name)
{
	if (++ev->voids <= ev->max_void)
		return AG_SPF_NOMATCH;
	ag_spf_eval_problem(ev, "more than %u void lookups (last: %s)",
	                    ev->max_void, name);
	return AG_SPF_PERMERROR;
}

/* ag_spf_eval_type_name - the name of a type we query */
static const char *ag_spf_eval_type_name(int type)
{
	switch (type) {
	case AG_DNS_A:
		return "A";
	case AG_DNS_AAAA:
		return "AAAA";
	case AG_DNS_MX:
		return "MX";
	case AG_DNS_PTR:
		return "PTR";
	default:
		return "TXT";
	}
}

/* ag_spf_eval_status - map a failed answer: temperror, a void lookup
 * (counted when count_void), or 0 when the answer has records */
static int ag_spf_eval_status(ag_spf_eval_t *ev, const ag_dns_answer_t *a,
                              const char *name, int type, int count_void)
{
	if (a == NULL)
		return AG_SPF_TEMPERROR;
	if (a->status == AG_DNS_TEMPFAIL) {
		ag_spf_eval_problem(ev, "DNS error looking up %s %s: %s", name,
		                    ag_spf_eval_type_name(type),
		                    a->error ? a->error : "tempfail");
		return AG_SPF_TEMPERROR;
	}
	if (a->status != AG_DNS_OK || a->count == 0)
		return count_void ? ag_spf_eval_void(ev, name) : AG_SPF_NOMATCH;
	return 0;
}

/* ag_spf_eval_addr_type - A for an IPv4 client, AAAA for IPv6 */
static int ag_spf_eval_addr_type(const ag_spf_eval_t *ev)
{
	return ev->ip.v6 ? AG_DNS_AAAA : AG_DNS_A;
}

/* ag_spf_eval_hosts - whether an address of name is in the client's net */
static int ag_spf_eval_hosts(ag_spf_eval_t *ev, const char *name,
                             const ag_spf_term_t *t, int count_void)
{
	int type = ag_spf_eval_addr_type(ev);
	unsigned prefix = ev->ip.v6 ? t->cidr6 : t->cidr4;
	ag_dns_answer_t *a = ag_spf_eval_query(ev, name, type);
	int rc = ag_spf_eval_status(ev, a, name, type, count_void);

	for (size_t i = 0; rc == 0 && i < a->count; i++)
		if (a->rrs[i].len == (ev->ip.v6 ? 16u : 4u) &&
		    ag_spf_ip_match(&ev->ip, (const uint8_t *)a->rrs[i].data,
		                    ev->ip.v6, prefix))
			rc = AG_SPF_MATCH;
	ag_dns_answer_free(a);
	return rc == 0 ? AG_SPF_NOMATCH : rc;
}

/* ag_spf_eval_mx - the mx mechanism on a target */
static int ag_spf_eval_mx(ag_spf_eval_t *ev, const char *target,
                          const ag_spf_term_t *t)
{
	ag_dns_answer_t *a = ag_spf_eval_query(ev, target, AG_DNS_MX);
	int rc = ag_spf_eval_status(ev, a, target, AG_DNS_MX, 1);

	if (rc == 0 && a->count > AG_SPF_MAX_NAMES) {
		ag_spf_eval_problem(ev, "%s has more than %d MX records",
		                    target, AG_SPF_MAX_NAMES);
		rc = AG_SPF_PERMERROR;
	}
	for (size_t i = 0; rc == 0 && i < a->count; i++) {
		int one;
		if (a->rrs[i].data[0] == '\0')
			continue; /* null MX (RFC 7505) */
		one = ag_spf_eval_hosts(ev, a->rrs[i].data, t, 0);
		if (one != AG_SPF_NOMATCH)
			rc = one;
	}
	ag_dns_answer_free(a);
	return rc == 0 ? AG_SPF_NOMATCH : rc;
}

/* ag_spf_eval_len - length of a name without its trailing dot */
static size_t ag_spf_eval_len(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && name[n - 1] == '.' ? n - 1 : n;
}

/* ag_spf_eval_rank - how well a PTR name suits %{p} or ptr:domain: 3 the
 * domain itself, 2 below it, 1 elsewhere (only %{p} takes those) */
static int ag_spf_eval_rank(const char *name, const char *domain)
{
	size_t n = ag_spf_eval_len(name), d = ag_spf_eval_len(domain);

	if (n < d || strncasecmp(name + n - d, domain, d) != 0)
		return 1;
	if (n == d)
		return 3;
	return name[n - d - 1] == '.' ? 2 : 1;
}

/* ag_spf_eval_validated - the best-ranked validated name of the client
 * (RFC 7208 5.5), at least min_rank, copied into out unless NULL; its
 * rank, or 0 when none */
static int ag_spf_eval_validated(ag_spf_eval_t *ev, const char *domain,
                                 int min_rank, char *out, size_t size)
{
	char rev[80];
	ag_dns_answer_t *a;
	int best = 0, quiet = ev->problem[0] == '\0';

	ag_spf_ip_reverse(&ev->ip, rev, sizeof(rev));
	if ((a = ag_spf_eval_query(ev, rev, AG_DNS_PTR)) == NULL)
		return 0;
	for (size_t i = 0; a->status == AG_DNS_OK && i < a->count &&
	                   i < AG_SPF_MAX_NAMES && best < 3;
	     i++) {
		const char *name = a->rrs[i].data;
		int rank = ag_spf_eval_rank(name, domain);
		if (rank < min_rank || rank <= best ||
		    !ag_spf_name_valid(name, strlen(name)))
			continue;
		ag_spf_term_t exact = {.cidr4 = 32, .cidr6 = 128};
		if (ag_spf_eval_hosts(ev, name, &exact, 0) == AG_SPF_MATCH) {
			best = rank;
			if (out != NULL)
				snprintf(out, size, "%s", name);
		}
	}
	ag_dns_answer_free(a);
	if (quiet)
		ev->problem[0] = '\0'; /* errors here only skip a name */
	return best;
}

/* ag_spf_eval_ptr_name - %{p}: a validated name, preferably <domain> or
 * below it, else "unknown" (left in out by the caller) */
void ag_spf_eval_ptr_name(void *arg, const char *domain, char *out, size_t size)
{
	ag_spf_eval_validated(arg, domain, 1, out, size);
}

/* ag_spf_eval_target - the target-name of a term: its expanded
 * domain-spec, or <domain>; -1 when the expansion is no valid name */
static int ag_spf_eval_target(ag_spf_eval_t *ev, const char *spec, size_t len,
                              char out[AG_SPF_DOMAIN_MAX + 1])
{
	if (spec == NULL) {
		snprintf(out, AG_SPF_DOMAIN_MAX + 1, "%s", ev->macro.domain);
		return 0;
	}
	return ag_spf_domain_expand(&ev->macro, spec, len, out);
}

/* ag_spf_eval_is_watched - whether a target is the watched include */
static int ag_spf_eval_is_watched(const ag_spf_eval_t *ev, const char *target)
{
	size_t n;

	if (ev->watch == NULL)
		return 0;
	n = strlen(ev->watch);
	if (n > 0 && ev->watch[n - 1] == '.')
		n--;
	return strlen(target) == n && strncasecmp(target, ev->watch, n) == 0;
}

/* ag_spf_eval_recurse - check_host() of another domain, keeping ours */
static ag_spf_result_t ag_spf_eval_recurse(ag_spf_eval_t *ev,
                                           const char *target,
                                           ag_spf_decision_t *dec)
{
	const char *domain = ev->macro.domain;
	int watched = ag_spf_eval_is_watched(ev, target);
	ag_spf_result_t r;

	ev->watch_reached |= watched;
	r = ag_spf_eval_host(ev, target, dec);
	ev->watch_pass |= watched && r == AG_SPF_PASS;
	ev->macro.domain = domain;
	return r;
}

/* ag_spf_eval_include - the include mechanism (RFC 7208 5.2) */
static int ag_spf_eval_include(ag_spf_eval_t *ev, const char *target)
{
	ag_spf_decision_t dec = {0};
	ag_spf_result_t r = ag_spf_eval_recurse(ev, target, &dec);

	ag_spf_record_free(dec.record);
	switch (r) {
	case AG_SPF_PASS:
		return AG_SPF_MATCH;
	case AG_SPF_FAIL:
	case AG_SPF_SOFTFAIL:
	case AG_SPF_NEUTRAL:
		return AG_SPF_NOMATCH;
	case AG_SPF_NONE:
		ag_spf_eval_problem(ev, "include:%s has no SPF record", target);
		return AG_SPF_PERMERROR;
	default:
		return r;
	}
}

/* ag_spf_eval_exists - the exists mechanism (RFC 7208 5.7) */
static int ag_spf_eval_exists(ag_spf_eval_t *ev, const char *target)
{
	ag_dns_answer_t *a = ag_spf_eval_query(ev, target, AG_DNS_A);
	int rc = ag_spf_eval_status(ev, a, target, AG_DNS_A, 1);

	ag_dns_answer_free(a);
	return rc == 0 ? AG_SPF_MATCH : rc;
}

/* ag_spf_eval_term - one mechanism: MATCH, NOMATCH or an error result */
static int ag_spf_eval_term(ag_spf_eval_t *ev, const ag_spf_term_t *t)
{
	char target[AG_SPF_DOMAIN_MAX + 1];
	int rc;

	switch (t->mech) {
	case AG_SPF_M_ALL:
		return AG_SPF_MATCH;
	case AG_SPF_M_IP4:
	case AG_SPF_M_IP6:
		return ag_spf_ip_match(&ev->ip, t->net, t->mech == AG_SPF_M_IP6,
		                       t->mech == AG_SPF_M_IP6 ? t->cidr6
		                                               : t->cidr4)
		           ? AG_SPF_MATCH
		           : AG_SPF_NOMATCH;
	default:
		break;
	}
	if ((rc = ag_spf_eval_count(ev)) != 0)
		return rc;
	if (ag_spf_eval_target(ev, t->spec, t->spec_len, target) < 0) {
		if (t->mech != AG_SPF_M_INCLUDE)
			return AG_SPF_NOMATCH;
		ag_spf_eval_problem(ev, "include: target is no valid name");
		return AG_SPF_PERMERROR;
	}
	switch (t->mech) {
	case AG_SPF_M_INCLUDE:
		return ag_spf_eval_include(ev, target);
	case AG_SPF_M_A:
		return ag_spf_eval_hosts(ev, target, t, 1);
	case AG_SPF_M_MX:
		return ag_spf_eval_mx(ev, target, t);
	case AG_SPF_M_PTR:
		return ag_spf_eval_validated(ev, target, 2, NULL, 0)
		           ? AG_SPF_MATCH
		           : AG_SPF_NOMATCH;
	default:
		return ag_spf_eval_exists(ev, target);
	}
}

/* ag_spf_eval_fetch - the SPF record of a domain, or a result (none,
 * temperror, permerror) with dec->record left NULL */
static ag_spf_result_t ag_spf_eval_fetch(ag_spf_eval_t *ev, const char *domain,
                                         ag_spf_decision_t *dec)
{
	ag_dns_answer_t *a = ag_spf_eval_query(ev, domain, AG_DNS_TXT);
	const ag_dns_rr_t *found = NULL;
	char err[160];
	size_t n = 0;

	if (a == NULL || a->status == AG_DNS_TEMPFAIL) {
		ag_spf_eval_status(ev, a, domain, AG_DNS_TXT, 0);
		ag_dns_answer_free(a);
		return AG_SPF_TEMPERROR;
	}
	for (size_t i = 0; a->status == AG_DNS_OK && i < a->count; i++)
		if (ag_spf_record_is_spf(a->rrs[i].data, a->rrs[i].len))
			found = &a->rrs[i], n++;
	if (n != 1) {
		ag_spf_eval_problem(
		    ev, n ? "%s has %zu SPF records" : "%s has no SPF record",
		    domain, n);
		ag_dns_answer_free(a);
		return n ? AG_SPF_PERMERROR : AG_SPF_NONE;
	}
	dec->record =
	    ag_spf_record_parse(found->data, found->len, err, sizeof(err));
	if (dec->record == NULL)
		ag_spf_eval_problem(ev, "%s: %s", domain, err);
	else if (ev->top_record == NULL)
		ev->top_record = strdup(dec->record->text);
	ag_dns_answer_free(a);
	return dec->record ? AG_SPF_NEUTRAL : AG_SPF_PERMERROR;
}

/* ag_spf_eval_redirect - follow redirect= (RFC 7208 6.1); dec then
 * describes the record the redirect led to */
static ag_spf_result_t ag_spf_eval_redirect(ag_spf_eval_t *ev,
                                            ag_spf_decision_t *dec)
{
	char target[AG_SPF_DOMAIN_MAX + 1];
	ag_spf_record_t *rec = dec->record;
	ag_spf_result_t r;
	int rc;

	if ((rc = ag_spf_eval_count(ev)) != 0)
		return (ag_spf_result_t)rc;
	if (ag_spf_domain_expand(&ev->macro, rec->redirect, rec->redirect_len,
	                         target) < 0) {
		ag_spf_eval_problem(ev, "redirect= target is no valid name");
		return AG_SPF_PERMERROR;
	}
	dec->record = ag_spf_record_free(rec);
	dec->term = NULL;
	r = ag_spf_eval_recurse(ev, target, dec);
	if (r != AG_SPF_NONE)
		return r;
	ag_spf_eval_problem(ev, "redirect=%s has no SPF record", target);
	return AG_SPF_PERMERROR;
}

/* ag_spf_eval_host - check_host() */
ag_spf_result_t ag_spf_eval_host(ag_spf_eval_t *ev, const char *domain,
                                 ag_spf_decision_t *dec)
{
	ag_spf_result_t r;

	dec->term = NULL;
	snprintf(dec->domain, sizeof(dec->domain), "%s", domain);
	if ((r = ag_spf_eval_fetch(ev, domain, dec)) != AG_SPF_NEUTRAL)
		return r;
	ev->macro.domain = dec->domain;
	for (size_t i = 0; i < dec->record->count; i++) {
		const ag_spf_term_t *t = &dec->record->terms[i];
		int rc = ag_spf_eval_term(ev, t);
		if (rc == AG_SPF_NOMATCH)
			continue;
		dec->term = t;
		return rc == AG_SPF_MATCH ? t->qualifier : (ag_spf_result_t)rc;
	}
	if (dec->record->redirect != NULL)
		return ag_spf_eval_redirect(ev, dec);
	return AG_SPF_NEUTRAL;
}
