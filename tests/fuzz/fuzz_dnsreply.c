/*
 * fuzz_dnsreply.c - the DNS reply parser on arbitrary octets. The question
 * is read from the input itself, so that inputs reach the sections behind
 * it; every record handed out must be NUL-terminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dnsparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char qname[AG_DNS_NAME_TEXT_MAX + 1] = "example.com";
	uint16_t qtype = AG_DNS_A;
	ag_dns_reply_t reply;
	ag_dnsr_t r;

	ag_dnsr_init(&r, data, size);
	if (ag_dnsr_skip(&r, 12) == 0 &&
	    ag_dnsr_name(&r, qname, sizeof(qname)) == 0)
		(void)!ag_dnsr_u16(&r, &qtype);
	if (ag_dns_parse_reply(data, size, qname, qtype, &reply) < 0)
		return 0;
	for (size_t i = 0; reply.answer != NULL && i < reply.answer->count; i++)
		if (reply.answer->rrs[i].data[reply.answer->rrs[i].len] != '\0')
			abort();
	ag_dns_answer_free(reply.answer);
	return 0;
}
