/*
 * checkpublish.c - the complete set of records of a new domain (see
 * checkpublish.h). The fragment is written to memory first, so that an
 * error leaves the output untouched.
 */
#include "checkpublish.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "checkrecords.h"

/* What the writers share. */
typedef struct ag_check_pub {
	const ag_check_publish_t *in;
	FILE *out;
	char send[AG_DOMAIN_MAX + 8];
	char *err;
	size_t errsize;
} ag_check_pub_t;

/* ag_check_pub_error - say why, return -1 */
static int ag_check_pub_error(ag_check_pub_t *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int ag_check_pub_error(ag_check_pub_t *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/* ag_check_pub_txt - one TXT record line */
static int ag_check_pub_txt(ag_check_pub_t *p, const char *owner,
                            const char *text)
{
	char record[AG_CHECK_RECORD_MAX];

	if (ag_check_zone_txt(owner, text, strlen(text), record,
	                      sizeof(record)) != 0)
		return ag_check_pub_error(p, "%s: the record is too long",
		                          owner);
	fprintf(p->out, "%s\n", record);
	return 0;
}

/* ag_check_pub_key - the key record of one selector */
static int ag_check_pub_key(ag_check_pub_t *p, const char *selector,
                            const char *path)
{
	char owner[AG_DOMAIN_MAX + 320], text[AG_CHECK_RECORD_MAX];
	unsigned bits = 0;

	snprintf(owner, sizeof(owner), "%s._domainkey.%s", selector,
	         p->in->domain);
	if (path == NULL) {
		fprintf(
		    p->out,
		    "; DKIM selector %s: no key file given (--key, or keys= "
		    "in the table); publish\n;   %s. IN TXT \"v=DKIM1; "
		    "k=rsa; p=<the signing key's public half, base64>\"\n",
		    selector, owner);
		return 0;
	}
	if (ag_check_dkim_key_text(path, text, sizeof(text), &bits, p->err,
	                           p->errsize) != 0)
		return -1;
	fprintf(p->out, "; DKIM selector %s: %u-bit key from %s\n", selector,
	        bits, path);
	return ag_check_pub_txt(p, owner, text);
}

/* ag_check_pub_entry_key - the key file keys= names for a selector */
static const char *ag_check_pub_entry_key(const ag_domain_entry_t *entry,
                                          const char *selector)
{
	for (size_t i = 0; i < entry->key_count; i++)
		if (strcmp(entry->keys[i].selector, selector) == 0)
			return entry->keys[i].path;
	return NULL;
}

/* ag_check_pub_dkim - every selector's key record */
static int ag_check_pub_dkim(ag_check_pub_t *p)
{
	const ag_check_publish_t *in = p->in;
	const ag_domain_entry_t *entry = in->entry;
	int rc = 0;

	for (size_t i = 0; i < in->nkeys && rc == 0; i++)
		rc =
		    ag_check_pub_key(p, in->keys[i].selector, in->keys[i].path);
	if (in->nkeys > 0)
		return rc;
	for (size_t i = 0;
	     entry != NULL && i < entry->selectors.count && rc == 0; i++) {
		const char *sel = entry->selectors.items[i];

		rc = ag_check_pub_key(p, sel,
		                      ag_check_pub_entry_key(entry, sel));
	}
	if (entry == NULL || entry->selectors.count == 0)
		fprintf(p->out, "; DKIM: no selector given (--selector S --key "
		                "FILE)\n");
	return rc;
}

/* ag_check_pub_mx - the send domain's MX records */
static int ag_check_pub_mx(ag_check_pub_t *p)
{
	const ag_check_publish_t *in = p->in;
	const ag_strlist_t *hosts =
	    in->entry != NULL ? &in->entry->mx_hosts : NULL;
	char record[AG_CHECK_RECORD_MAX];
	size_t n = in->mx != NULL ? 1 : hosts != NULL ? hosts->count : 0;

	if (strcmp(p->send, in->domain) == 0) {
		fprintf(p->out,
		        "; send domain %s: the domain's own MX takes "
		        "the bounces\n",
		        p->send);
		return 0;
	}
	fprintf(p->out, "; send domain %s: MX for the bounces\n", p->send);
	if (n == 0)
		fprintf(p->out,
		        ";   %s. IN MX 10 <the host that receives the "
		        "bounces> (give --mx HOST)\n",
		        p->send);
	for (size_t i = 0; i < n; i++) {
		const char *host = in->mx != NULL ? in->mx : hosts->items[i];

		if (ag_check_zone_mx(p->send, 10 * (unsigned)(i + 1), host,
		                     record, sizeof(record)) != 0)
			return ag_check_pub_error(p, "%s: MX too long",
			                          p->send);
		fprintf(p->out, "%s\n", record);
	}
	return 0;
}

/* ag_check_pub_spf - the send domain's SPF record */
static int ag_check_pub_spf(ag_check_pub_t *p)
{
	const ag_strlist_t *includes =
	    p->in->entry != NULL ? &p->in->entry->spf_includes : NULL;
	const ag_strlist_t *addresses = &p->in->config->outbound_addresses;
	char text[AG_CHECK_RECORD_MAX];

	if ((includes == NULL || includes->count == 0) &&
	    addresses->count == 0) {
		fprintf(p->out,
		        "; send domain %s: SPF: set OutboundAddresses "
		        "(or spf-include= in the table) to get its "
		        "record\n",
		        p->send);
		return 0;
	}
	fprintf(p->out, "; send domain %s: SPF for the outbound addresses\n",
	        p->send);
	if (ag_check_spf_text(includes, addresses, NULL, text, sizeof(text)) !=
	    0)
		return ag_check_pub_error(p, "%s: SPF record too long",
		                          p->send);
	return ag_check_pub_txt(p, p->send, text);
}

/* ag_check_pub_dmarc - a first DMARC record */
static int ag_check_pub_dmarc(ag_check_pub_t *p)
{
	char rua[AG_DOMAIN_MAX + 32], owner[AG_DOMAIN_MAX + 8];
	char text[AG_CHECK_RECORD_MAX];

	if (p->in->rua != NULL)
		snprintf(rua, sizeof(rua), "%s", p->in->rua);
	else if (ag_check_default_rua(p->in->domain, rua, sizeof(rua)) != 0)
		return ag_check_pub_error(p, "%s: name too long",
		                          p->in->domain);
	if (ag_check_dmarc_text(rua, text, sizeof(text)) != 0)
		return ag_check_pub_error(p, "rua %s is too long", rua);
	snprintf(owner, sizeof(owner), "_dmarc.%s", p->in->domain);
	fprintf(p->out, "; DMARC: start with p=none, read the aggregate "
	                "reports, then tighten p=\n");
	return ag_check_pub_txt(p, owner, text);
}

/* ag_check_pub_send_domain - the send domain the records are for */
static int ag_check_pub_send_domain(ag_check_pub_t *p)
{
	const ag_check_publish_t *in = p->in;
	ag_alignment_t mode = in->config->alignment;

	if (in->send_domain != NULL) {
		snprintf(p->send, sizeof(p->send), "%s", in->send_domain);
		return 0;
	}
	if (in->entry != NULL && in->entry->send_domain != NULL) {
		snprintf(p->send, sizeof(p->send), "%s",
		         in->entry->send_domain);
		return 0;
	}
	if (in->entry != NULL && in->entry->has_alignment)
		mode = in->entry->alignment;
	if (ag_check_default_send_domain(in->domain, mode, p->send,
	                                 sizeof(p->send)) != 0)
		return ag_check_pub_error(p, "%s: name too long", in->domain);
	return 0;
}

/* ag_check_publish - every record, or nothing and err */
int ag_check_publish(FILE *out, const ag_check_publish_t *in, char *err,
                     size_t errsize)
{
	ag_check_pub_t p = {.in = in, .err = err, .errsize = errsize};
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((p.out = open_memstream(&text, &len)) == NULL)
		return ag_check_pub_error(&p, "out of memory");
	rc = ag_check_pub_send_domain(&p);
	if (rc == 0)
		fprintf(p.out, "; records for %s, send domain %s\n", in->domain,
		        p.send);
	if (rc == 0)
		rc = ag_check_pub_dkim(&p);
	if (rc == 0)
		rc = ag_check_pub_mx(&p);
	if (rc == 0)
		rc = ag_check_pub_spf(&p);
	if (rc == 0)
		rc = ag_check_pub_dmarc(&p);
	if (fclose(p.out) != 0 && rc == 0)
		rc = ag_check_pub_error(&p, "out of memory");
	if (rc == 0)
		fputs(text, out);
	free(text);
	return rc;
}
