/*
 * dstateopts.c - the domain-state service's options: defaults, the
 * daemon's settings, and which changes make answers differ (see
 * domainstate.h).
 */
#include "domainstate.h"

/* ag_dstate_options_init - every default */
void ag_dstate_options_init(ag_dstate_options_t *options)
{
	options->dns_timeout_ms = 5000;
	options->grace_period_s = 72 * 3600;
	options->min_key_bits = 1024;
	options->allow_testing_keys = 0;
	options->refresh_percent = 80;
	options->refresh_min_s = 60;
	options->refresh_max_s = 3600;
	options->retry_s = 60;
	options->idle_s = 48 * 3600;
	options->workers = 32;
}

/* ag_dstate_options_from_config - defaults, then the daemon's settings */
void ag_dstate_options_from_config(ag_dstate_options_t *options,
                                   const ag_config_t *config)
{
	ag_dstate_options_init(options);
	options->dns_timeout_ms = config->dns_timeout_ms;
	options->grace_period_s = config->dns_grace_period_s;
	options->min_key_bits = config->min_key_bits;
	options->allow_testing_keys = config->allow_testing_keys;
	if (config->dns_refresh_min_s > 0)
		options->refresh_min_s = config->dns_refresh_min_s;
	if (config->dns_retry_s > 0)
		options->retry_s = config->dns_retry_s;
	if (options->refresh_max_s < options->refresh_min_s)
		options->refresh_max_s = options->refresh_min_s;
}

/*
 * ag_dstate_options_differ - whether checks may answer otherwise under b
 * than under a: any option an evaluation reads (the scheduling ones and
 * the worker count aside).
 */
int ag_dstate_options_differ(const ag_dstate_options_t *a,
                                    const ag_dstate_options_t *b)
{
	return a->dns_timeout_ms != b->dns_timeout_ms ||
	       a->min_key_bits != b->min_key_bits ||
	       a->allow_testing_keys != b->allow_testing_keys;
}
