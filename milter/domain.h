/*
 * domain.h - domain names: normalisation and alignment (pure core).
 *
 * ag_domain_normalise() turns a domain as written in a header or an
 * envelope into the one form every comparison uses: lower case, A-labels
 * (U-labels converted with libidn2, IDNA2008), no trailing dot. It refuses
 * empty labels, labels over 63 octets, names over 253 octets, characters
 * outside LDH for A-labels, "xn--" labels that do not decode to a valid
 * U-label (fake IDN), non-NFC U-labels and invalid UTF-8.
 *
 * Alignment (RFC 7489 §3.1): relaxed means the same organisational domain
 * per the Public Suffix List (libpsl), strict means identical names.
 */
#ifndef AG_DOMAIN_H
#define AG_DOMAIN_H

#include <stddef.h>

typedef enum ag_alignment {
	AG_ALIGN_RELAXED,
	AG_ALIGN_STRICT
} ag_alignment_t;

/*
 * ag_domain_normalise - normalise `len` octets of `in` into out (size
 * outsize, at least AG_DOMAIN_MAX + 1). Returns 0, or -1 with *why set to a
 * static explanation.
 */
int ag_domain_normalise(const char *in, size_t len, char *out, size_t outsize,
			const char **why);

/* ag_domain_is_within - whether `name` equals `parent` or is below it
 * (both normalised): "a.b.example.com" is within "example.com". */
int ag_domain_is_within(const char *name, const char *parent);

typedef struct ag_psl ag_psl_t;

/*
 * ag_psl_load - load a Public Suffix List file (.dat text or .dafsa as
 * libpsl reads them). NULL path: the built-in default file. On failure
 * returns NULL and writes a reason into err.
 */
ag_psl_t *ag_psl_load(const char *path, char *err, size_t errsize);

/* ag_psl_free - release; accepts NULL, returns NULL */
ag_psl_t *ag_psl_free(ag_psl_t *psl);

/*
 * ag_org_domain - the organisational domain of a normalised name: a pointer
 * into `domain` (its registrable domain), or `domain` itself when the name
 * is a public suffix or has no registrable part.
 */
const char *ag_org_domain(const ag_psl_t *psl, const char *domain);

/* ag_domains_aligned - whether two normalised names are aligned */
int ag_domains_aligned(const ag_psl_t *psl, const char *a, const char *b,
		       ag_alignment_t mode);

/* ag_alignment_name / ag_alignment_parse - "relaxed" / "strict" */
const char *ag_alignment_name(ag_alignment_t mode);
int ag_alignment_parse(const char *name, ag_alignment_t *mode);

#endif
