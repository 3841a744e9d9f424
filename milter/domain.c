/*
 * domain.c - domain normalisation, the Public Suffix List and alignment
 * (see domain.h).
 *
 * A name is cut into labels at '.', each label is checked and written out
 * in its A-label form. Pure ASCII labels are checked and lowered here;
 * only "xn--" labels and labels with 8-bit octets go through libidn2,
 * which is asked for IDNA2008 without the TR46 mapping so that what is
 * accepted is exactly what DNS will be asked for.
 */
#ifdef HAVE_CONFIG_H
#include "build-config.h"
#endif

#include "domain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <libpsl.h>

#ifndef AG_DEFAULT_PSL_FILE
#define AG_DEFAULT_PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"
#endif

#define AG_LABEL_MAX  63  /* octets of a label (RFC 1035) */
#define AG_NAME_MAX   253 /* octets of a name without trailing dot */
#define AG_ULABEL_MAX 255 /* octets of a U-label as written */

struct ag_psl {
	psl_ctx_t *ctx;
};

/* ag_utf8_seq - length and code point of the UTF-8 sequence at p */
size_t ag_utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp)
{
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n;
	uint32_t c;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* ag_domain_is_ldh - letter, digit or hyphen */
static int ag_domain_is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* ag_domain_lower - ASCII lower case of one octet */
static char ag_domain_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ag_domain_idn_lookup - IDNA2008 A-label of one U-label, into out[64] */
static int ag_domain_idn_lookup(const char *ulabel, char *out, const char **why)
{
	char *alabel = NULL;
	int rc = idn2_lookup_u8((const uint8_t *)ulabel, (uint8_t **)&alabel,
	                        IDN2_NO_TR46);

	if (rc != IDN2_OK) {
		*why = rc == IDN2_NOT_NFC ? "U-label not in NFC"
		                          : "label not valid under IDNA2008";
		return -1;
	}
	if (strlen(alabel) > AG_LABEL_MAX) {
		idn2_free(alabel);
		*why = "label over 63 octets";
		return -1;
	}
	strcpy(out, alabel);
	idn2_free(alabel);
	return 0;
}

/* ag_domain_hyphens_ok - no '-' at either end of a label */
static int ag_domain_hyphens_ok(const char *label, size_t len, const char **why)
{
	if (label[0] == '-' || label[len - 1] == '-') {
		*why = "label starts or ends with '-'";
		return 0;
	}
	return 1;
}

/* ag_domain_alabel - check that an "xn--" label decodes and round-trips */
static int ag_domain_alabel(const char *label, const char **why)
{
	char again[AG_LABEL_MAX + 1];
	char *ulabel = NULL;
	int ascii = 1;

	if (idn2_to_unicode_8z8z(label, &ulabel, 0) != IDN2_OK) {
		*why = "fake A-label (xn-- does not decode)";
		return -1;
	}
	for (const char *u = ulabel; *u != '\0'; u++)
		if ((unsigned char)*u >= 0x80)
			ascii = 0;
	if (ascii || !ag_domain_hyphens_ok(ulabel, strlen(ulabel), why) ||
	    ag_domain_idn_lookup(ulabel, again, why) != 0 ||
	    strcmp(again, label) != 0) {
		idn2_free(ulabel);
		*why = "fake A-label (xn-- is not a valid IDNA2008 label)";
		return -1;
	}
	idn2_free(ulabel);
	return 0;
}

/* ag_domain_ascii_label - check and lower an ASCII label into out */
static int ag_domain_ascii_label(const char *p, size_t n, char *out,
                                 const char **why)
{
	if (n > AG_LABEL_MAX) {
		*why = "label over 63 octets";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!ag_domain_is_ldh((unsigned char)p[i])) {
			*why = "character not allowed in a domain";
			return -1;
		}
		out[i] = ag_domain_lower(p[i]);
	}
	out[n] = '\0';
	if (!ag_domain_hyphens_ok(out, n, why))
		return -1;
	if (n >= 4 && memcmp(out, "xn--", 4) == 0)
		return ag_domain_alabel(out, why);
	return 0;
}

/* ag_domain_deviation - IDNA2003/2008 deviation characters */
static int ag_domain_deviation(uint32_t cp)
{
	return cp == 0xdf || cp == 0x3c2 || cp == 0x200c || cp == 0x200d;
}

/* ag_domain_unicode_label - check a label with 8-bit octets, A-label out */
static int ag_domain_unicode_label(const char *p, size_t n, char *out,
                                   const char **why)
{
	char buf[AG_ULABEL_MAX + 1];
	size_t i = 0;

	if (n > AG_ULABEL_MAX) {
		*why = "label over 63 octets";
		return -1;
	}
	while (i < n) {
		uint32_t cp;
		size_t k =
		    ag_utf8_seq((const unsigned char *)p + i, n - i, &cp);
		if (k == 0) {
			*why = "invalid UTF-8 in domain";
			return -1;
		}
		if (ag_domain_deviation(cp)) {
			*why = "IDNA deviation character in domain";
			return -1;
		}
		if (cp < 0x80 && !ag_domain_is_ldh((unsigned char)cp)) {
			*why = "character not allowed in a domain";
			return -1;
		}
		for (size_t j = 0; j < k; j++, i++)
			buf[i] = ag_domain_lower(p[i]);
	}
	buf[n] = '\0';
	if (!ag_domain_hyphens_ok(buf, n, why))
		return -1;
	return ag_domain_idn_lookup(buf, out, why);
}

/* ag_domain_label - one label in A-label form into out[64] */
static int ag_domain_label(const char *p, size_t n, char *out, const char **why)
{
	if (n == 0) {
		*why = "empty label in domain";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return ag_domain_unicode_label(p, n, out, why);
	return ag_domain_ascii_label(p, n, out, why);
}

/* ag_domain_numeric - whether a label is all digits */
static int ag_domain_numeric(const char *label)
{
	for (; *label != '\0'; label++)
		if (*label < '0' || *label > '9')
			return 0;
	return 1;
}

/* ag_domain_labels - normalise label after label; -1 on the first fault */
static int ag_domain_labels(const char *p, const char *end, char *out,
                            size_t outsize, const char **why)
{
	char label[AG_LABEL_MAX + 1];
	size_t o = 0, n;

	for (;;) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		if (dot == NULL)
			dot = end;
		if (ag_domain_label(p, (size_t)(dot - p), label, why) != 0)
			return -1;
		n = strlen(label);
		if (o + n + 1 > AG_NAME_MAX + 1 || o + n + 1 > outsize) {
			*why = "domain over 253 octets";
			return -1;
		}
		memcpy(out + o, label, n);
		o += n;
		out[o] = '\0';
		if (dot == end)
			break;
		out[o++] = '.';
		p = dot + 1;
	}
	if (ag_domain_numeric(label)) {
		*why = "numeric top-level label";
		return -1;
	}
	return 0;
}

/* ag_domain_normalise - the one comparable form of a domain */
int ag_domain_normalise(const char *in, size_t len, char *out, size_t outsize,
                        const char **why)
{
	const char *ignored;

	if (why == NULL)
		why = &ignored;
	if (out == NULL || outsize == 0) {
		*why = "no room for the domain";
		return -1;
	}
	out[0] = '\0';
	if (in != NULL && len > 1 && in[len - 1] == '.')
		len--;
	if (in == NULL || len == 0 || (len == 1 && in[0] == '.')) {
		*why = "empty domain";
		return -1;
	}
	if (len > 4 * AG_NAME_MAX) {
		*why = "domain over 253 octets";
		return -1;
	}
	if (ag_domain_labels(in, in + len, out, outsize, why) != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* ag_domain_is_within - equal, or a sub-domain of parent */
int ag_domain_is_within(const char *name, const char *parent)
{
	size_t n, p;

	if (name == NULL || parent == NULL || *parent == '\0')
		return 0;
	n = strlen(name);
	p = strlen(parent);
	if (n < p || strcasecmp(name + n - p, parent) != 0)
		return 0;
	return n == p || name[n - p - 1] == '.';
}

/* ag_psl_load - read a Public Suffix List */
ag_psl_t *ag_psl_load(const char *path, char *err, size_t errsize)
{
	ag_psl_t *psl;
	FILE *fp;

	if (path == NULL)
		path = AG_DEFAULT_PSL_FILE;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsize, "cannot open %s: %s", path,
		         strerror(errno));
		return NULL;
	}
	if ((psl = calloc(1, sizeof(*psl))) == NULL) {
		fclose(fp);
		snprintf(err, errsize, "out of memory loading %s", path);
		return NULL;
	}
	psl->ctx = psl_load_fp(fp);
	fclose(fp);
	if (psl->ctx == NULL || psl_suffix_count(psl->ctx) == 0) {
		snprintf(err, errsize, "%s is not a Public Suffix List (%s)",
		         path, psl->ctx == NULL ? "unreadable" : "no rules");
		return ag_psl_free(psl);
	}
	return psl;
}

/* ag_psl_free - release a list */
ag_psl_t *ag_psl_free(ag_psl_t *psl)
{
	if (psl != NULL) {
		psl_free(psl->ctx);
		free(psl);
	}
	return NULL;
}

/* ag_org_domain - the registrable part of a name */
const char *ag_org_domain(const ag_psl_t *psl, const char *domain)
{
	const char *org;

	if (psl == NULL || domain == NULL)
		return domain;
	org = psl_registrable_domain(psl->ctx, domain);
	return org != NULL ? org : domain;
}

/* ag_domains_aligned - relaxed or strict alignment of two names */
int ag_domains_aligned(const ag_psl_t *psl, const char *a, const char *b,
                       ag_alignment_t mode)
{
	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return 0;
	if (strcasecmp(a, b) == 0)
		return 1;
	if (mode == AG_ALIGN_STRICT || psl == NULL)
		return 0;
	return strcasecmp(ag_org_domain(psl, a), ag_org_domain(psl, b)) == 0;
}

/* ag_alignment_name - configuration spelling of a mode */
const char *ag_alignment_name(ag_alignment_t mode)
{
	return mode == AG_ALIGN_STRICT ? "strict" : "relaxed";
}

/* ag_alignment_parse - mode from its name */
int ag_alignment_parse(const char *name, ag_alignment_t *mode)
{
	if (name == NULL)
		return -1;
	if (strcasecmp(name, "relaxed") == 0)
		*mode = AG_ALIGN_RELAXED;
	else if (strcasecmp(name, "strict") == 0)
		*mode = AG_ALIGN_STRICT;
	else
		return -1;
	return 0;
}
