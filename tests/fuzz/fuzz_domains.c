/*
 * fuzz_domains.c - the verified-domain table reader on arbitrary text, and
 * lookups of every entry it accepts (exact and as a sub-domain).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "domains.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ag_diag_t diag;
	ag_domains_t *table;
	char sub[300];

	ag_diag_init(&diag);
	table = ag_domains_parse("/etc/alignguard/domains", (const char *)data,
				 size, &diag);
	if (table == NULL && diag.count == 0)
		__builtin_trap();	/* refused without saying why */
	for (size_t i = 0; i < ag_domains_count(table); i++) {
		const ag_domain_entry_t *e = ag_domains_entry(table, i);
		snprintf(sub, sizeof(sub), "x.%s", e->domain);
		if (ag_domains_lookup(table, e->domain) != e)
			__builtin_trap();
		ag_domains_lookup(table, sub);
		ag_domain_entry_allows_address(e, "news-letter");
		ag_domain_entry_allows_account(e, "shop");
	}
	ag_domains_free(table);
	ag_diag_clear(&diag);
	return 0;
}
