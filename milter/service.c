/*
 * service.c - the daemon's services (see service.h): the c-ares resolver,
 * the per-domain DNS state with its kinds of checks registered, and the
 * log lines of state changes.
 */
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkkinds.h"
#include "dkimverify.h"
#include "dnsconfig.h"
#include "domainstate.h"
#include "log.h"
#include "resolver.h"

struct ag_service {
	ag_milter_world_t world;
	ag_resolver_t *resolver;
	ag_dstate_t *state;
	ag_dkimverify_t *verifier;
	char nameservers[1024];		/* what the resolver was made with */
	unsigned timeout_ms;
	unsigned retries;
	unsigned cache_size;
};

/* ag_service_new_resolver - a c-ares resolver for a configuration */
static ag_resolver_t *ag_service_new_resolver(ag_service_t *service,
					      const ag_config_t *config,
					      char *err, size_t errsize)
{
	ag_dnsconfig_servers(config, service->nameservers,
			     sizeof(service->nameservers));
	service->timeout_ms = config->dns_timeout_ms;
	service->retries = config->dns_retries;
	service->cache_size = config->dns_cache_size;
	return ag_dnsconfig_resolver(config, NULL, err, errsize);
}

/* ag_service_clean - a DNS-derived text made safe for a quoted log value */
static void ag_service_clean(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; in != NULL && *in != '\0' && n + 1 < size; in++) {
		unsigned char c = (unsigned char)*in;
		out[n++] = (c >= ' ' && c < 0x7f && c != '"' && c != '\\') ?
				   (char)c : '?';
	}
	out[n] = '\0';
}

/* ag_service_event - log one state change of a DNS check */
static void ag_service_event(void *arg, const ag_dstate_event_t *event)
{
	char detail[AG_CHECK_DETAIL_MAX];

	(void)arg;
	ag_service_clean(event->detail, detail, sizeof(detail));
	ag_log(event->to == AG_CHECK_PASS ? LOG_INFO : LOG_WARNING,
	       "event=state-change domain=%s check=%s from=%s to=%s reason=%s "
	       "detail=\"%s\"",
	       event->domain, event->check, ag_check_state_name(event->from),
	       ag_check_state_name(event->to),
	       event->reason < AG_R_COUNT ? ag_reason_name(event->reason) : "-",
	       detail);
}

/* ag_service_subject - what the checks of an entry are planned from */
static ag_dstate_subject_t ag_service_subject(const ag_snapshot_t *rules,
					      const ag_domain_entry_t *entry)
{
	ag_dstate_subject_t subject = {
		.entry = entry,
		.dkim_keys = rules->dkim_keys,
		.config = rules->config,
		.psl = rules->psl,
	};
	return subject;
}

/* ag_service_prefetch - start an entry's checks (end of headers) */
static void ag_service_prefetch(void *arg, const ag_snapshot_t *rules,
				const ag_domain_entry_t *entry)
{
	ag_dstate_subject_t subject = ag_service_subject(rules, entry);

	if (entry != NULL)
		ag_dstate_prefetch(arg, &subject);
}

/* ag_service_collect - the entry's facts, waiting until deadline_ms */
static void ag_service_collect(void *arg, const ag_snapshot_t *rules,
			       const ag_domain_entry_t *entry, long deadline_ms,
			       ag_dns_facts_t *facts)
{
	ag_dstate_subject_t subject = ag_service_subject(rules, entry);
	long left = deadline_ms - ag_milter_now_ms();
	struct timespec deadline = ag_dstate_deadline(left > 0 ? (unsigned)left : 0);

	memset(facts, 0, sizeof(*facts));
	if (entry != NULL)
		ag_dstate_collect(arg, &subject, &deadline, facts);
}

/* ag_service_create - services for the first rules */
ag_service_t *ag_service_create(const ag_snapshot_t *rules, char *err,
				size_t errsize)
{
	ag_service_t *service = calloc(1, sizeof(*service));
	ag_dstate_hooks_t hooks = {.event = ag_service_event};
	ag_dstate_options_t options;

	if (service == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	service->resolver = ag_service_new_resolver(service, rules->config,
						    err, errsize);
	if (service->resolver == NULL)
		return ag_service_destroy(service);
	ag_dstate_options_from_config(&options, rules->config);
	service->state = ag_dstate_create(service->resolver, &options, &hooks);
	if (service->state == NULL ||
	    ag_check_kinds_register(service->state) != 0) {
		snprintf(err, errsize, "cannot start the DNS state service");
		return ag_service_destroy(service);
	}
	service->verifier = ag_dkimverify_create(service->resolver,
						 rules->config->dns_timeout_ms,
						 err, errsize);
	if (service->verifier == NULL)
		return ag_service_destroy(service);
	service->world.dkimverify = service->verifier;
	service->world.dns.state = service->state;
	service->world.dns.prefetch = ag_service_prefetch;
	service->world.dns.collect = ag_service_collect;
	return service;
}

/* ag_service_world - the callbacks' world */
ag_milter_world_t *ag_service_world(ag_service_t *service,
				    ag_snapshot_slot_t *rules)
{
	service->world.rules = rules;
	return &service->world;
}

/* ag_service_resolver_changed - whether the DNS settings differ */
static int ag_service_resolver_changed(ag_service_t *service,
				       const ag_config_t *config)
{
	char joined[sizeof(service->nameservers)];

	ag_dnsconfig_servers(config, joined, sizeof(joined));
	return strcmp(joined, service->nameservers) != 0 ||
	       config->dns_timeout_ms != service->timeout_ms ||
	       config->dns_retries != service->retries ||
	       config->dns_cache_size != service->cache_size;
}

/*
 * ag_service_reload - new check options take effect with the new rules;
 * the resolver (Nameservers, DNSTimeout, DNSRetries, DNSCacheSize) is made
 * once at start, as messages in flight use it: changing it needs a restart.
 */
void ag_service_reload(ag_service_t *service, const ag_snapshot_t *rules)
{
	ag_dstate_options_t options;

	if (ag_service_resolver_changed(service, rules->config))
		ag_log(LOG_WARNING, "reload: Nameservers, DNSTimeout, DNSRetries "
		       "and DNSCacheSize take effect at the next restart");
	ag_dstate_options_from_config(&options, rules->config);
	ag_dstate_reconfigure(service->state, service->resolver, &options);
}

/* ag_service_log_stats - the counters */
void ag_service_log_stats(ag_service_t *service)
{
	ag_resolver_stats_t dns;
	ag_dstate_stats_t state;
	char line[2048];

	ag_milter_stats_format(line, sizeof(line));
	ag_log(LOG_INFO, "event=stats %s", line);
	if (ag_resolver_stats(service->resolver, &dns) == 0)
		ag_log(LOG_INFO, "event=stats dns_queries=%llu dns_cache_hits=%llu "
		       "dns_joins=%llu dns_timeouts=%llu dns_deadline_expired=%llu "
		       "dns_servfail=%llu dns_refused=%llu dns_nxdomain=%llu "
		       "dns_other_failures=%llu",
		       (unsigned long long)dns.queries_sent,
		       (unsigned long long)dns.cache_hits,
		       (unsigned long long)dns.inflight_joins,
		       (unsigned long long)dns.timeouts,
		       (unsigned long long)dns.deadline_expired,
		       (unsigned long long)dns.servfail,
		       (unsigned long long)dns.refused,
		       (unsigned long long)dns.nxdomain,
		       (unsigned long long)dns.other_failures);
	ag_dstate_stats(service->state, &state);
	ag_log(LOG_INFO, "event=stats checks=%zu evaluations=%lu state_changes=%lu "
	       "evictions=%lu", state.checks, state.evaluations, state.events,
	       state.evictions);
}

/* ag_service_destroy - release, the state service before its resolver */
ag_service_t *ag_service_destroy(ag_service_t *service)
{
	if (service == NULL)
		return NULL;
	ag_dstate_destroy(service->state);
	ag_dkimverify_destroy(service->verifier);
	ag_resolver_destroy(service->resolver);
	free(service);
	return NULL;
}
