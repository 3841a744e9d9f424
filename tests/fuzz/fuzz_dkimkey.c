/*
 * fuzz_dkimkey.c - DKIM key records: parse, then judge what parsed.
 */
#include <stddef.h>
#include <stdint.h>

#include "dkimkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const ag_dkimkey_options_t options = {1024, 0};
	ag_dkim_key_t key;
	ag_reason_t reason;
	char detail[AG_DKIMKEY_DETAIL_MAX];

	if (ag_dkimkey_parse((const char *)data, size, &key, &reason, detail,
	                     sizeof(detail)) < 0)
		return 0;
	if (ag_dkimkey_judge(&key, &options, &reason, detail, sizeof(detail)) ==
	        0 &&
	    key.spki == NULL)
		__builtin_trap(); /* a passing key always has its octets */
	ag_dkimkey_clear(&key);
	return 0;
}
