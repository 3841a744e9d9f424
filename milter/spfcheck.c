/*
 * spfcheck.c - the send domain's SPF record as a check of the domain-state
 * service (see spfcheck.h).
 *
 * Parameters: one item per OutboundAddress ("a<address>"), then one per
 * spf-include= ("i<domain>"); a list that does not fit is the single item
 * "!". Evaluation walks the items, one check_host() each, and stops at the
 * first definitive failure.
 */
#include "spfcheck.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dstatekind.h"
#include "spf.h"

#define AG_SPFCHECK_ADDRESS  'a'
#define AG_SPFCHECK_INCLUDE  'i'
#define AG_SPFCHECK_OVERFLOW "!"
#define AG_SPFCHECK_NAME_MAX 253

/* One evaluation of the check. */
typedef struct ag_spfcheck_run {
	ag_dstatekind_ttl_t watch; /* the resolver, keeping TTLs */
	const char *domain;        /* the send domain */
	char sender[AG_SPFCHECK_NAME_MAX + 16];
	unsigned timeout_ms;
	int failed;  /* result holds a definitive failure */
	int trouble; /* DNS trouble met */
	char trouble_detail[AG_CHECK_DETAIL_MAX];
	char passed[AG_CHECK_DETAIL_MAX]; /* what passed, for the detail */
} ag_spfcheck_run_t;

/* ag_spfcheck_item - add one typed item to the request's parameters */
static int ag_spfcheck_item(ag_dstate_req_t *req, char type, const char *text)
{
	char item[AG_SPFCHECK_NAME_MAX + 2];

	if (snprintf(item, sizeof(item), "%c%s", type, text) >=
	    (int)sizeof(item))
		return -1;
	return ag_dstatekind_param_add(req, item);
}

/* ag_spfcheck_params - encode addresses and includes; -1 if too long */
static int ag_spfcheck_params(ag_dstate_req_t *req, const ag_strlist_t *addrs,
                              const ag_strlist_t *includes)
{
	for (size_t i = 0; addrs != NULL && i < addrs->count; i++)
		if (ag_spfcheck_item(req, AG_SPFCHECK_ADDRESS,
		                     addrs->items[i]) < 0)
			return -1;
	for (size_t i = 0; i < includes->count; i++)
		if (ag_spfcheck_item(req, AG_SPFCHECK_INCLUDE,
		                     includes->items[i]) < 0)
			return -1;
	return 0;
}

/* ag_spfcheck_plan - one check when there is something to check */
static size_t ag_spfcheck_plan(const ag_dstate_subject_t *subject,
                               ag_dstate_req_t *reqs, size_t max)
{
	const ag_domain_entry_t *entry = subject->entry;
	const ag_strlist_t *addrs = subject->config != NULL
	                                ? &subject->config->outbound_addresses
	                                : NULL;
	ag_dstate_req_t *req = &reqs[0];

	if (max == 0 || entry->send_domain == NULL ||
	    ((addrs == NULL || addrs->count == 0) &&
	     entry->spf_includes.count == 0))
		return 0;
	snprintf(req->name, sizeof(req->name), "spf:%s", entry->send_domain);
	snprintf(req->target, sizeof(req->target), "%s", entry->send_domain);
	req->params = NULL;
	req->params_len = 0;
	if (ag_spfcheck_params(req, addrs, &entry->spf_includes) < 0) {
		req->params_len = 0;
		if (ag_dstatekind_param_add(req, AG_SPFCHECK_OVERFLOW) < 0)
			req->params = NULL; /* cannot happen: the buffer is
			                     * larger than one item */
	}
	return 1;
}

/* ag_spfcheck_request - check_host() of the send domain from ip */
static void ag_spfcheck_request(const ag_spfcheck_run_t *run, const char *ip,
                                const char *watch, ag_spf_request_t *req)
{
	memset(req, 0, sizeof(*req));
	req->ip = ip;
	req->sender = run->sender;
	req->helo = run->domain;
	req->domain = run->domain;
	req->now = (long long)time(NULL);
	req->timeout_ms = run->timeout_ms;
	req->watch_include = watch;
}

/*
 * ag_spfcheck_judge - what a result says whatever the item: none,
 * permerror and temperror. Returns 1 when it said it, 0 to go on.
 */
static int ag_spfcheck_judge(ag_spfcheck_run_t *run, const char *ip,
                             const ag_spf_outcome_t *out,
                             ag_check_result_t *result)
{
	switch (out->result) {
	case AG_SPF_NONE:
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_SPF_MISSING,
		                  "no SPF record at %s%s%.200s", run->domain,
		                  out->problem[0] ? ": " : "", out->problem);
		run->failed = 1;
		return 1;
	case AG_SPF_PERMERROR:
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_SPF_PERMERROR,
		                  "permerror for %s: %.200s", ip, out->problem);
		run->failed = 1;
		return 1;
	case AG_SPF_TEMPERROR:
		if (!run->trouble)
			snprintf(run->trouble_detail,
			         sizeof(run->trouble_detail),
			         "temperror for %s: %.200s", ip, out->problem);
		run->trouble = 1;
		return 1;
	default:
		return 0;
	}
}

/* ag_spfcheck_refused - an address the record does not authorise */
static void ag_spfcheck_refused(ag_spfcheck_run_t *run, const char *ip,
                                const ag_spf_outcome_t *out,
                                ag_check_result_t *result)
{
	if (out->mechanism != NULL)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_SPF_FAIL,
		                  "%s not authorised: %s by %.80s at %.100s",
		                  ip, ag_spf_result_name(out->result),
		                  out->mechanism, out->mechanism_domain);
	else
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_SPF_FAIL,
		                  "%s not authorised: %s (no directive "
		                  "matched)",
		                  ip, ag_spf_result_name(out->result));
	run->failed = 1;
}

/* ag_spfcheck_address - one OutboundAddress must pass */
static void ag_spfcheck_address(ag_spfcheck_run_t *run, const char *ip,
                                ag_check_result_t *result)
{
	ag_spf_request_t req;
	ag_spf_outcome_t out;

	ag_spfcheck_request(run, ip, NULL, &req);
	ag_spf_check(&run->watch.base, &req, &out);
	if (!ag_spfcheck_judge(run, ip, &out, result)) {
		if (out.result == AG_SPF_PASS)
			ag_dstatekind_join(run->passed, sizeof(run->passed),
			                   ip);
		else
			ag_spfcheck_refused(run, ip, &out, result);
	}
	ag_spf_outcome_clear(&out);
}

/* ag_spfcheck_unreached - the record never hands the relay to X */
static void ag_spfcheck_unreached(ag_spfcheck_run_t *run, const char *include,
                                  const ag_spf_outcome_t *out,
                                  ag_check_result_t *result)
{
	ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_SPF_FAIL,
	                  "no include:%s in the SPF record of %s "
	                  "(evaluation stops at %.60s)",
	                  include, run->domain,
	                  out->mechanism != NULL ? out->mechanism
	                                         : "the end of the record");
	run->failed = 1;
}

/* ag_spfcheck_include - the record must hand the relay to include:X */
static void ag_spfcheck_include(ag_spfcheck_run_t *run, const char *include,
                                ag_check_result_t *result)
{
	ag_spf_request_t req;
	ag_spf_outcome_t out;
	char what[AG_SPFCHECK_NAME_MAX + 16];

	ag_spfcheck_request(run, AG_SPFCHECK_PROBE, include, &req);
	ag_spf_check(&run->watch.base, &req, &out);
	if (!ag_spfcheck_judge(run, AG_SPFCHECK_PROBE, &out, result)) {
		if (out.include_reached) {
			snprintf(what, sizeof(what), "include:%s", include);
			ag_dstatekind_join(run->passed, sizeof(run->passed),
			                   what);
		} else {
			ag_spfcheck_unreached(run, include, &out, result);
		}
	}
	ag_spf_outcome_clear(&out);
}

/* ag_spfcheck_walk - evaluate every item until a definitive failure */
static void ag_spfcheck_walk(ag_spfcheck_run_t *run, const void *params,
                             size_t params_len, ag_check_result_t *result)
{
	const char *item;
	size_t pos = 0;

	while (!run->failed && (item = ag_dstatekind_param_next(
	                            params, params_len, &pos)) != NULL) {
		if (item[0] == AG_SPFCHECK_ADDRESS)
			ag_spfcheck_address(run, item + 1, result);
		else if (item[0] == AG_SPFCHECK_INCLUDE)
			ag_spfcheck_include(run, item + 1, result);
		else {
			ag_dstatekind_set(
			    result, AG_CHECK_FAIL, AG_R_SPF_PERMERROR,
			    "OutboundAddresses and spf-include= too long to "
			    "check (over %d octets)",
			    AG_DSTATE_PARAMS_MAX);
			run->failed = 1;
		}
	}
}

/* ag_spfcheck_evaluate - the check, with the service's options */
static void ag_spfcheck_evaluate(const ag_dstate_env_t *env, const char *target,
                                 const void *params, size_t params_len,
                                 ag_check_result_t *result)
{
	ag_spfcheck_run_t run;

	memset(&run, 0, sizeof(run));
	ag_dstatekind_ttl_init(&run.watch, env->resolver);
	run.domain = target;
	run.timeout_ms = env->options->dns_timeout_ms;
	snprintf(run.sender, sizeof(run.sender), "postmaster@%s", target);
	ag_spfcheck_walk(&run, params, params_len, result);
	result->ttl = run.watch.ttl;
	if (run.failed)
		return;
	if (run.trouble)
		ag_dstatekind_set(result, AG_CHECK_TEMPERROR,
		                  AG_R_DNS_TEMPERROR, "%s", run.trouble_detail);
	else if (run.passed[0] == '\0')
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_SPF_PERMERROR,
		                  "nothing to check the SPF record against");
	else
		ag_dstatekind_set(result, AG_CHECK_PASS, AG_R_COUNT, "pass: %s",
		                  run.passed);
}

const ag_dstate_kind_t ag_spfcheck_kind = {
    .kind = AG_CHECK_SPF,
    .plan = ag_spfcheck_plan,
    .evaluate = ag_spfcheck_evaluate,
};
