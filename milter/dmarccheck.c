/*
 * dmarccheck.c - the From domain's DMARC record as a check of the
 * domain-state service (see dmarccheck.h).
 *
 * Parameters: the organisational domain with its NUL, or nothing when it
 * is the domain itself.
 */
#include "dmarccheck.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "dstatekind.h"

#define AG_DMARCCHECK_PREFIX "_dmarc."

/* ag_dmarccheck_plan - one check per entry */
static size_t ag_dmarccheck_plan(const ag_dstate_subject_t *subject,
                                 ag_dstate_req_t *reqs, size_t max)
{
	const char *domain = subject->entry->domain;
	const char *org = ag_org_domain(subject->psl, domain);
	ag_dstate_req_t *req = &reqs[0];

	if (max == 0)
		return 0;
	snprintf(req->name, sizeof(req->name), "dmarc:%s", domain);
	snprintf(req->target, sizeof(req->target), "%s%s", AG_DMARCCHECK_PREFIX,
	         domain);
	req->params = NULL;
	req->params_len = 0;
	if (org != NULL && strcasecmp(org, domain) != 0 &&
	    ag_dstatekind_param_add(req, org) < 0)
		req->params_len = 0; /* cannot happen: a name fits */
	return 1;
}

/* ag_dmarccheck_fact - what the record found says */
static void ag_dmarccheck_fact(const ag_dmarc_discovery_t *found,
                               ag_dmarc_fact_t *fact)
{
	const ag_dmarc_record_t *rec = found->record;

	memset(fact, 0, sizeof(*fact));
	fact->found = 1;
	snprintf(fact->policy, sizeof(fact->policy), "%s",
	         ag_dmarc_policy_name(rec->p));
	snprintf(fact->subdomain_policy, sizeof(fact->subdomain_policy), "%s",
	         ag_dmarc_policy_name(rec->sp));
	fact->adkim_strict = rec->adkim == AG_ALIGN_STRICT;
	fact->aspf_strict = rec->aspf == AG_ALIGN_STRICT;
	fact->pct = rec->pct;
	fact->at_org_domain = found->at_org;
}

/* ag_dmarccheck_evaluate - the check, with the service's options */
static void ag_dmarccheck_evaluate(const ag_dstate_env_t *env,
                                   const char *target, const void *params,
                                   size_t params_len, ag_check_result_t *result)
{
	size_t prefix = strlen(AG_DMARCCHECK_PREFIX), pos = 0;
	const char *org = ag_dstatekind_param_next(params, params_len, &pos);
	const char *domain = target;
	ag_dstatekind_ttl_t watch;
	ag_dmarc_discovery_t found;

	if (strncmp(target, AG_DMARCCHECK_PREFIX, prefix) == 0)
		domain += prefix;
	ag_dstatekind_ttl_init(&watch, env->resolver);
	switch (ag_dmarc_discover(&watch.base, domain, org,
	                          env->options->dns_timeout_ms, &found)) {
	case AG_DMARC_FOUND:
		ag_dstatekind_set(result, AG_CHECK_PASS, AG_R_COUNT,
		                  "%s%s%.100s", found.detail,
		                  found.record->warning[0] ? "; ignored: " : "",
		                  found.record->warning);
		ag_dmarccheck_fact(&found, &result->dmarc);
		break;
	case AG_DMARC_MISSING:
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_DMARC_MISSING,
		                  "%s", found.detail);
		break;
	default:
		ag_dstatekind_set(result, AG_CHECK_TEMPERROR,
		                  AG_R_DNS_TEMPERROR, "%s", found.detail);
		break;
	}
	result->ttl = watch.seen > 0 ? watch.ttl : found.ttl;
	ag_dmarc_discovery_clear(&found);
}

const ag_dstate_kind_t ag_dmarccheck_kind = {
    .kind = AG_CHECK_DMARC,
    .plan = ag_dmarccheck_plan,
    .evaluate = ag_dmarccheck_evaluate,
};
