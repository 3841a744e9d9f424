/*
 * mxcheck.c - the send domain's MX records as a check of the domain-state
 * service (see mxcheck.h).
 *
 * Parameters: one item per mx= host; a list that does not fit is the
 * single item "!" (no host name starts so).
 */
#include "mxcheck.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dstatekind.h"

#define AG_MXCHECK_OVERFLOW "!"

/* ag_mxcheck_plan - one check when the entry has a send domain */
static size_t ag_mxcheck_plan(const ag_dstate_subject_t *subject,
                              ag_dstate_req_t *reqs, size_t max)
{
	const ag_domain_entry_t *entry = subject->entry;
	ag_dstate_req_t *req = &reqs[0];

	if (max == 0 || entry->send_domain == NULL)
		return 0;
	snprintf(req->name, sizeof(req->name), "mx:%s", entry->send_domain);
	snprintf(req->target, sizeof(req->target), "%s", entry->send_domain);
	req->params = NULL;
	req->params_len = 0;
	for (size_t i = 0; i < entry->mx_hosts.count; i++)
		if (ag_dstatekind_param_add(req, entry->mx_hosts.items[i]) <
		    0) {
			req->params_len = 0;
			if (ag_dstatekind_param_add(req, AG_MXCHECK_OVERFLOW) <
			    0)
				req->params = NULL; /* cannot happen */
			break;
		}
	return 1;
}

/* ag_mxcheck_same - two host names equal, case and one final dot aside */
static int ag_mxcheck_same(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

/* ag_mxcheck_wanted - whether host is one of the mx= hosts */
static int ag_mxcheck_wanted(const void *params, size_t len, const char *host)
{
	const char *item;
	size_t pos = 0;

	while ((item = ag_dstatekind_param_next(params, len, &pos)) != NULL)
		if (ag_mxcheck_same(item, host))
			return 1;
	return 0;
}

/* ag_mxcheck_is_null - the root name of a null MX (RFC 7505) */
static int ag_mxcheck_is_null(const ag_dns_rr_t *rr)
{
	return rr->len == 0 || strcmp(rr->data, ".") == 0;
}

/* ag_mxcheck_required - the mx= hosts as a list, for details */
static void ag_mxcheck_required(const void *params, size_t len, char *buf,
                                size_t size)
{
	const char *item;
	size_t pos = 0;

	buf[0] = '\0';
	while ((item = ag_dstatekind_param_next(params, len, &pos)) != NULL)
		ag_dstatekind_join(buf, size, item);
}

/* ag_mxcheck_answer - judge the MX records found */
static void ag_mxcheck_answer(const ag_dns_answer_t *answer, const char *domain,
                              const void *params, size_t len,
                              ag_check_result_t *result)
{
	char found[AG_CHECK_DETAIL_MAX] = "", want[AG_CHECK_DETAIL_MAX];
	size_t hosts = 0, nulls = 0;
	int match = 0;

	for (size_t i = 0; i < answer->count; i++) {
		const ag_dns_rr_t *rr = &answer->rrs[i];
		char item[300];
		if (rr->type != AG_DNS_MX)
			continue;
		if (ag_mxcheck_is_null(rr)) {
			nulls++;
			continue;
		}
		hosts++;
		match |= ag_mxcheck_wanted(params, len, rr->data);
		snprintf(item, sizeof(item), "%u %s", rr->preference, rr->data);
		ag_dstatekind_join(found, sizeof(found), item);
	}
	ag_mxcheck_required(params, len, want, sizeof(want));
	if (hosts == 0)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_MX_MISSING,
		                  nulls > 0 ? "null MX (RFC 7505): %s accepts "
		                              "no mail"
		                            : "%s has no MX record",
		                  domain);
	else if (want[0] != '\0' && !match)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_MX_MISSING,
		                  "MX %.120s; none is mx=%.100s", found, want);
	else
		ag_dstatekind_set(result, AG_CHECK_PASS, AG_R_COUNT, "MX %s",
		                  found);
}

/* ag_mxcheck_evaluate - the check, with the service's options */
static void ag_mxcheck_evaluate(const ag_dstate_env_t *env, const char *target,
                                const void *params, size_t params_len,
                                ag_check_result_t *result)
{
	ag_dns_answer_t *answer;
	size_t pos = 0;
	const char *first = ag_dstatekind_param_next(params, params_len, &pos);

	if (first != NULL && strcmp(first, AG_MXCHECK_OVERFLOW) == 0) {
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_MX_MISSING,
		                  "mx= too long to check (over %d octets)",
		                  AG_DSTATE_PARAMS_MAX);
		return;
	}
	answer = ag_resolver_query(env->resolver, target, AG_DNS_MX,
	                           env->options->dns_timeout_ms);
	if (answer == NULL) {
		ag_dstatekind_set(result, AG_CHECK_TEMPERROR,
		                  AG_R_DNS_TEMPERROR, "out of memory");
		return;
	}
	result->ttl = answer->ttl;
	if (answer->status == AG_DNS_TEMPFAIL)
		ag_dstatekind_set(result, AG_CHECK_TEMPERROR,
		                  AG_R_DNS_TEMPERROR, "DNS: %s",
		                  answer->error != NULL ? answer->error
		                                        : "temporary failure");
	else if (answer->status == AG_DNS_NXDOMAIN)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_MX_MISSING,
		                  "%s: no such name", target);
	else if (answer->status == AG_DNS_NODATA)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_MX_MISSING,
		                  "%s has no MX record", target);
	else
		ag_mxcheck_answer(answer, target, params, params_len, result);
	ag_dns_answer_free(answer);
}

const ag_dstate_kind_t ag_mxcheck_kind = {
    .kind = AG_CHECK_MX,
    .plan = ag_mxcheck_plan,
    .evaluate = ag_mxcheck_evaluate,
};
