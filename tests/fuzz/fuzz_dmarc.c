/* fuzz_dmarc.c - DMARC: parse a record and read every field. */
#include "dmarc.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	size_t total = 0;
	ag_dmarc_record_t *r =
	    ag_dmarc_parse((const char *)data, size, err, sizeof(err));

	if (r == NULL)
		return 0;
	for (size_t i = 0; i < r->rua_count; i++)
		total += strlen(r->rua[i]);
	for (size_t i = 0; i < r->ruf_count; i++)
		total += strlen(r->ruf[i]);
	total += strlen(r->rf) + strlen(r->text) + strlen(r->warning);
	if (r->pct > 100 || total == 0 || ag_dmarc_policy_name(r->sp) == NULL)
		__builtin_trap();
	ag_dmarc_record_free(r);
	return 0;
}
