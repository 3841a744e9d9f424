/*
 * fuzz_envfrom.c - ag_envfrom_parse() on any octets (cut at the first NUL,
 * as libmilter hands a C string); an accepted sender must hold a local
 * part and a domain already in normal form.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char again[AG_DOMAIN_MAX + 1];
	char *arg = strndup((const char *)data, size);
	ag_mailbox_t mb;

	if (arg == NULL)
		return 0;
	if (ag_envfrom_parse(arg, &mb, NULL) == AG_ENVFROM_OK &&
	    (mb.local[0] == '\0' ||
	     ag_domain_normalise(mb.domain, strlen(mb.domain), again,
	                         sizeof(again), NULL) != 0 ||
	     strcmp(again, mb.domain) != 0))
		abort();
	free(arg);
	return 0;
}
