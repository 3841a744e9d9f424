/*
 * fuzz_config.c - the configuration file reader on arbitrary text: every
 * input must give a configuration or diagnostics, and free cleanly.
 */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ag_diag_t diag;
	ag_config_t *config;

	ag_diag_init(&diag);
	config = ag_config_parse("/etc/alignguard/fuzz.conf",
				 (const char *)data, size, &diag);
	if (config == NULL && diag.count == 0)
		__builtin_trap();	/* refused without saying why */
	ag_config_free(config);
	ag_diag_clear(&diag);
	return 0;
}
