/*
 * fuzz_from.c - ag_from_parse() and ag_header_hides_from() on any octets;
 * an accepted mailbox must hold a local part and a domain that is already
 * in normal form.
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
	static const ag_from_options_t options[2] = {{0}, {1}};
	char again[AG_DOMAIN_MAX + 1];
	ag_mailbox_t mb;

	ag_header_hides_from((const char *)data, size);
	for (int i = 0; i < 2; i++) {
		if (ag_from_parse((const char *)data, size, &options[i], &mb,
		                  NULL) == AG_FROM_INVALID)
			continue;
		if (mb.local[0] == '\0' ||
		    ag_domain_normalise(mb.domain, strlen(mb.domain), again,
		                        sizeof(again), NULL) != 0 ||
		    strcmp(again, mb.domain) != 0)
			abort();
	}
	return 0;
}
