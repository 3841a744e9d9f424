/*
 * dnsanswer.c - building, copying and freeing resolver answers (dns.h).
 * Shared by every resolver back-end so they hand out one kind of object.
 */
#include "dns.h"

#include <stdlib.h>
#include <string.h>

/* ag_dns_answer_new - an empty answer */
ag_dns_answer_t *ag_dns_answer_new(ag_dns_status_t status)
{
	ag_dns_answer_t *answer = calloc(1, sizeof(*answer));

	if (answer != NULL)
		answer->status = status;
	return answer;
}

/* ag_dns_answer_add - append a copy of one record */
int ag_dns_answer_add(ag_dns_answer_t *answer, uint16_t type, uint32_t ttl,
		      uint16_t preference, const void *data, size_t len)
{
	ag_dns_rr_t *grown;
	char *copy;

	if ((copy = malloc(len + 1)) == NULL)
		return -1;
	if (len > 0)
		memcpy(copy, data, len);
	copy[len] = '\0';
	grown = realloc(answer->rrs, (answer->count + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	answer->rrs = grown;
	grown[answer->count].type = type;
	grown[answer->count].preference = preference;
	grown[answer->count].ttl = ttl;
	grown[answer->count].len = len;
	grown[answer->count].data = copy;
	answer->count++;
	return 0;
}

/* ag_dns_answer_copy - deep copy */
ag_dns_answer_t *ag_dns_answer_copy(const ag_dns_answer_t *answer)
{
	ag_dns_answer_t *copy = ag_dns_answer_new(answer->status);

	if (copy == NULL)
		return NULL;
	copy->ttl = answer->ttl;
	copy->error = answer->error;
	for (size_t i = 0; i < answer->count; i++) {
		const ag_dns_rr_t *rr = &answer->rrs[i];
		if (ag_dns_answer_add(copy, rr->type, rr->ttl, rr->preference,
				      rr->data, rr->len) < 0)
			return ag_dns_answer_free(copy);
	}
	return copy;
}

/* ag_dns_answer_free - release an answer */
ag_dns_answer_t *ag_dns_answer_free(ag_dns_answer_t *answer)
{
	if (answer == NULL)
		return NULL;
	for (size_t i = 0; i < answer->count; i++)
		free(answer->rrs[i].data);
	free(answer->rrs);
	free(answer);
	return NULL;
}

/* ag_dns_status_name - name of a status */
const char *ag_dns_status_name(ag_dns_status_t status)
{
	switch (status) {
	case AG_DNS_OK:
		return "ok";
	case AG_DNS_NXDOMAIN:
		return "nxdomain";
	case AG_DNS_NODATA:
		return "nodata";
	case AG_DNS_TEMPFAIL:
		return "tempfail";
	}
	return "unknown";
}
