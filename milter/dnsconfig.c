/*
 * dnsconfig.c - the configured resolver (see dnsconfig.h).
 */
#include "dnsconfig.h"

#include <stdio.h>

#include "resolver.h"

/* ag_dnsconfig_servers - Nameservers joined with commas */
void ag_dnsconfig_servers(const ag_config_t *config, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < config->nameservers.count && len < size; i++) {
		int n = snprintf(buf + len, size - len, "%s%s", i ? "," : "",
				 config->nameservers.items[i]);
		len += n > 0 ? (size_t)n : 0;
	}
}

/* ag_dnsconfig_resolver - a resolver for the configuration */
ag_resolver_t *ag_dnsconfig_resolver(const ag_config_t *config,
				     const char *servers, char *err,
				     size_t errsize)
{
	ag_resolver_options_t options;
	char joined[2048];

	ag_dnsconfig_servers(config, joined, sizeof(joined));
	ag_resolver_options_init(&options);
	options.nameservers = servers != NULL ? servers : joined;
	options.timeout_ms = config->dns_timeout_ms;
	options.retries = config->dns_retries;
	options.cache_size = config->dns_cache_size;
	return ag_resolver_create(&options, err, errsize);
}
