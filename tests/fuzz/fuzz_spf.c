/* fuzz_spf.c - SPF: parse a record, expand its domain-specs and the input
 * as an explanation against fixed identities, then evaluate it. */
#include "dnsmem.h"
#include "spfint.h"
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	ag_spf_ip_t ip = {.v6 = 1, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
	ag_spf_macro_ctx_t ctx = {.sender = "a-b@x.example",
	                          .local = "a-b",
	                          .sender_domain = "x.example",
	                          .ip = &ip,
	                          .domain = "x.example",
	                          .helo = "h.example"};
	ag_spf_request_t req = {.ip = "192.0.2.1", .sender = "a@x.example"};
	ag_spf_outcome_t out;
	ag_spf_buf_t buf = {0};
	char err[160], name[AG_SPF_DOMAIN_MAX + 1];
	ag_spf_record_t *rec = ag_spf_record_parse(s, size, err, sizeof(err));
	ag_dnsmem_t *zone = ag_dnsmem_create();

	for (size_t i = 0; rec != NULL && i < rec->count; i++)
		if (rec->terms[i].spec != NULL)
			ag_spf_domain_expand(&ctx, rec->terms[i].spec,
			                     rec->terms[i].spec_len, name);
	ag_spf_macro_expand(&ctx, s, size, AG_SPF_MACRO_EXPLAIN, &buf);
	ag_dnsmem_add(zone, "x.example", AG_DNS_TXT, 1, data, size, 0);
	ag_dnsmem_add(zone, "x.example", AG_DNS_A, 1, "\xc0\x00\x02\x01", 4, 0);
	ag_spf_check(ag_dnsmem_resolver(zone), &req, &out);
	ag_spf_outcome_clear(&out);
	ag_dnsmem_destroy(zone);
	ag_spf_buf_free(&buf);
	ag_spf_record_free(rec);
	return 0;
}
