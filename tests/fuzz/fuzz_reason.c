#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include "reason.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	ag_reason_t r;
	ag_reason_parse(s, &r);
	free(s);
	return 0;
}
