/*
 * dnsconfig.h - the c-ares resolver as the configuration describes it
 * (Nameservers, DNSTimeout, DNSRetries, DNSCacheSize), made the same way
 * for the daemon and for alignguard-check.
 */
#ifndef AG_DNSCONFIG_H
#define AG_DNSCONFIG_H

#include <stddef.h>

#include "config.h"
#include "dns.h"

/* ag_dnsconfig_servers - Nameservers as one comma-separated string */
void ag_dnsconfig_servers(const ag_config_t *config, char *buf, size_t size);

/*
 * ag_dnsconfig_resolver - a resolver for the configuration; `servers`, if
 * not NULL, replaces Nameservers. NULL with the reason in err.
 */
ag_resolver_t *ag_dnsconfig_resolver(const ag_config_t *config,
				     const char *servers, char *err,
				     size_t errsize);

#endif
