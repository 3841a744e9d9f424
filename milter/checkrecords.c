/*
 * checkrecords.c - records to publish, as zone-file lines (see
 * checkrecords.h).
 */
#include "checkrecords.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "checkbuf.h"
#include "dkimcheck.h"

#define AG_CHECK_ED25519_RAW 32
#define AG_CHECK_SPF_TERMS   64

/* ag_check_buf_result - 0 when everything fit, else -1 */
static int ag_check_buf_result(const ag_check_buf_t *b)
{
	return b->truncated ? -1 : 0;
}

/* ag_check_zone_string - one quoted character-string, escaped */
static void ag_check_zone_string(ag_check_buf_t *b, const char *text,
                                 size_t len)
{
	ag_check_buf_addn(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '"' || c == '\\')
			ag_check_buf_add(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			ag_check_buf_add(b, "\\%03u", c);
		else
			ag_check_buf_addn(b, (const char *)&text[i], 1);
	}
	ag_check_buf_addn(b, "\"", 1);
}

/* ag_check_zone_txt - a TXT record, split into character-strings */
int ag_check_zone_txt(const char *owner, const char *text, size_t len,
                      char *buf, size_t size)
{
	int several = len > AG_CHECK_TXT_STRING_MAX;
	ag_check_buf_t b;

	ag_check_buf_init(&b, buf, size);
	ag_check_buf_add(&b, "%s. IN TXT %s", owner, several ? "( " : "");
	for (size_t at = 0; at < len || at == 0;
	     at += AG_CHECK_TXT_STRING_MAX) {
		size_t n = len - at;

		if (n > AG_CHECK_TXT_STRING_MAX)
			n = AG_CHECK_TXT_STRING_MAX;
		if (at > 0)
			ag_check_buf_addn(&b, " ", 1);
		ag_check_zone_string(&b, text + at, n);
		if (len == 0)
			break;
	}
	if (several)
		ag_check_buf_add(&b, " )");
	return ag_check_buf_result(&b);
}

/* ag_check_zone_mx - an MX record */
int ag_check_zone_mx(const char *owner, unsigned preference, const char *host,
                     char *buf, size_t size)
{
	int n =
	    snprintf(buf, size, "%s. IN MX %u %s.", owner, preference, host);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ag_check_base64 - base64 of len octets into b */
static void ag_check_base64(ag_check_buf_t *b, const unsigned char *data,
                            size_t len)
{
	size_t need = 4 * ((len + 2) / 3) + 1;
	unsigned char *out = malloc(need);

	if (out == NULL || len > 65536) {
		b->truncated = 1;
		free(out);
		return;
	}
	EVP_EncodeBlock(out, data, (int)len);
	ag_check_buf_add(b, "%s", (const char *)out);
	free(out);
}

/* ag_check_ed25519_raw - the 32 raw octets of an Ed25519 SPKI */
static int ag_check_ed25519_raw(const unsigned char *spki, size_t spki_len,
                                unsigned char *raw)
{
	const unsigned char *p = spki;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)spki_len);
	size_t raw_len = AG_CHECK_ED25519_RAW;
	int rc = -1;

	if (pkey != NULL &&
	    EVP_PKEY_get_raw_public_key(pkey, raw, &raw_len) == 1 &&
	    raw_len == AG_CHECK_ED25519_RAW)
		rc = 0;
	EVP_PKEY_free(pkey);
	return rc;
}

/* ag_check_dkim_text - "v=DKIM1; k=...; p=..." for a public key */
int ag_check_dkim_text(ag_dkim_keytype_t type, const unsigned char *spki,
                       size_t spki_len, char *buf, size_t size)
{
	unsigned char raw[AG_CHECK_ED25519_RAW];
	ag_check_buf_t b;

	ag_check_buf_init(&b, buf, size);
	ag_check_buf_add(&b, "v=DKIM1; k=%s; p=", ag_dkim_keytype_name(type));
	if (type == AG_DKIM_KEY_ED25519) {
		if (ag_check_ed25519_raw(spki, spki_len, raw) != 0)
			return -1;
		ag_check_base64(&b, raw, sizeof(raw));
	} else {
		ag_check_base64(&b, spki, spki_len);
	}
	return ag_check_buf_result(&b);
}

/* ag_check_dkim_key_text - the key record of a private key file */
int ag_check_dkim_key_text(const char *path, char *buf, size_t size,
                           unsigned *bits, char *err, size_t errsize)
{
	ag_dkim_keytype_t type;
	unsigned char *spki = NULL;
	size_t spki_len = 0;
	unsigned nbits = 0;
	int rc;

	if (ag_dkim_private_public(path, &type, &nbits, &spki, &spki_len, err,
	                           errsize) != 0)
		return -1;
	rc = ag_check_dkim_text(type, spki, spki_len, buf, size);
	if (rc != 0)
		snprintf(err, errsize, "%s: cannot write its key record", path);
	if (bits != NULL)
		*bits = nbits;
	free(spki);
	return rc;
}

/* ag_check_spf_is_end - the "all" mechanism or a redirect= modifier */
static int ag_check_spf_is_end(const char *term)
{
	if (strchr("+-~?", term[0]) != NULL && term[0] != '\0')
		term++;
	return strcasecmp(term, "all") == 0 ||
	       strncasecmp(term, "redirect=", 9) == 0;
}

/* ag_check_spf_has - whether a record's terms hold a wanted term */
static int ag_check_spf_has(char *const *terms, size_t n, const char *want)
{
	for (size_t i = 0; i < n; i++) {
		const char *t = terms[i];

		if (t[0] == '+')
			t++;
		if (strcasecmp(t, want) == 0)
			return 1;
	}
	return 0;
}

/* ag_check_spf_wanted - the terms the record needs */
static size_t ag_check_spf_wanted(const ag_strlist_t *includes,
                                  const ag_strlist_t *addresses,
                                  char (*out)[300], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; includes != NULL && i < includes->count && n < max;
	     i++)
		snprintf(out[n++], sizeof(out[0]), "include:%s",
		         includes->items[i]);
	for (size_t i = 0; addresses != NULL && i < addresses->count && n < max;
	     i++)
		snprintf(out[n++], sizeof(out[0]), "%s:%s",
		         strchr(addresses->items[i], ':') != NULL ? "ip6"
		                                                  : "ip4",
		         addresses->items[i]);
	return n;
}

/* ag_check_spf_split - the terms of a record (in place), v=spf1 first */
static size_t ag_check_spf_split(char *text, char **terms, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(text, " \t", &save); t != NULL && n < max;
	     t = strtok_r(NULL, " \t", &save))
		terms[n++] = t;
	return n;
}

/* ag_check_spf_text - the record the send domain should publish */
int ag_check_spf_text(const ag_strlist_t *includes,
                      const ag_strlist_t *addresses, const char *existing,
                      char *buf, size_t size)
{
	char wanted[AG_CHECK_SPF_TERMS][300], copy[AG_CHECK_RECORD_MAX];
	char *terms[AG_CHECK_SPF_TERMS];
	size_t nwanted, nterms = 0, end;
	ag_check_buf_t b;

	nwanted = ag_check_spf_wanted(includes, addresses, wanted,
	                              AG_CHECK_SPF_TERMS);
	if (existing != NULL && strncasecmp(existing, "v=spf1", 6) == 0 &&
	    (existing[6] == ' ' || existing[6] == '\0')) {
		snprintf(copy, sizeof(copy), "%s", existing);
		nterms = ag_check_spf_split(copy, terms, AG_CHECK_SPF_TERMS);
	}
	for (end = 1; end < nterms && !ag_check_spf_is_end(terms[end]); end++)
		;
	ag_check_buf_init(&b, buf, size);
	ag_check_buf_add(&b, "v=spf1");
	for (size_t i = 1; i < end; i++)
		ag_check_buf_add(&b, " %s", terms[i]);
	for (size_t i = 0; i < nwanted; i++)
		if (!ag_check_spf_has(terms, nterms, wanted[i]))
			ag_check_buf_add(&b, " %s", wanted[i]);
	for (size_t i = end; i < nterms; i++)
		ag_check_buf_add(&b, " %s", terms[i]);
	if (nterms == 0)
		ag_check_buf_add(&b, " -all");
	return ag_check_buf_result(&b);
}

/* ag_check_default_send_domain - bounce.<domain>, or itself if strict */
int ag_check_default_send_domain(const char *domain, ag_alignment_t mode,
                                 char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s",
	                 mode == AG_ALIGN_STRICT ? "" : "bounce.", domain);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ag_check_default_rua - the aggregate-report address of a domain */
int ag_check_default_rua(const char *domain, char *buf, size_t size)
{
	int n = snprintf(buf, size, "mailto:dmarc-reports@%s", domain);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ag_check_dmarc_text - a first DMARC record: monitor, send reports */
int ag_check_dmarc_text(const char *rua, char *buf, size_t size)
{
	const char *scheme = strchr(rua, ':') != NULL ? "" : "mailto:";
	int n = snprintf(buf, size, "v=DMARC1; p=none; rua=%s%s", scheme, rua);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}
