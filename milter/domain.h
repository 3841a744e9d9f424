/*
 * domain.h - domain names: normalisation and alignment (pure core).
 *
 * ag_domain_normalise() turns a domain as written in a header or an
 * envelope into the one form every comparison uses: lower case, A-labels
 * (U-labels converted with libidn2, IDNA2008 without TR46 mapping), no
 * trailing dot. It refuses empty labels, labels over 63 octets, names over
 * 253 octets, characters outside LDH (letters, digits, '-') in ASCII
 * labels, labels starting or ending with '-', an all-numeric last label
 * (an IP address in disguise), "xn--" labels that do not decode to a valid
 * U-label and back to themselves (fake IDN), U-labels that are not NFC or
 * not IDNA2008-valid (upper case, symbols, compatibility forms such as
 * full-width dots), U-labels holding a deviation character (U+00DF sharp s,
 * U+03C2 final sigma, ZWJ, ZWNJ: IDNA2003 and IDNA2008 map them to
 * different names) and invalid UTF-8. ASCII names need no allocation;
 * libidn2 is called only for labels that are or may be IDN.
 *
 * Alignment (RFC 7489 §3.1): relaxed means the same organisational domain
 * per the Public Suffix List (libpsl, private suffixes such as blogspot.com
 * included), strict means identical names. Without a list (NULL), relaxed
 * alignment falls back to identical names.
 *
 * Diagnostics: every failure comes back as a short static English string
 * (`why`) or, for ag_psl_load(), a message naming the file.
 */
#ifndef AG_DOMAIN_H
#define AG_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

typedef enum ag_alignment { AG_ALIGN_RELAXED, AG_ALIGN_STRICT } ag_alignment_t;

/*
 * ag_domain_normalise - normalise `len` octets of `in` into out (size
 * outsize, at least AG_DOMAIN_MAX + 1 of address.h to hold any result). One
 * trailing dot is dropped. Returns 0, or -1 with *why (if not NULL) set to
 * a static explanation and out holding "".
 */
int ag_domain_normalise(const char *in, size_t len, char *out, size_t outsize,
                        const char **why);

/* ag_domain_is_within - whether `name` equals `parent` or is below it
 * (both normalised): "a.b.example.com" is within "example.com". */
int ag_domain_is_within(const char *name, const char *parent);

/*
 * ag_utf8_seq - length (1-4) of the well-formed UTF-8 sequence at p, at most
 * `avail` octets, storing its code point in *cp; 0 if it is ill-formed
 * (truncated, overlong, a surrogate, above U+10FFFF, a stray continuation).
 */
size_t ag_utf8_seq(const unsigned char *p, size_t avail, uint32_t *cp);

typedef struct ag_psl ag_psl_t;

/*
 * ag_psl_load - load a Public Suffix List file (.dat text or .dafsa as
 * libpsl reads them). NULL path: the built-in default file. On failure
 * returns NULL and writes a reason naming the file into err.
 */
ag_psl_t *ag_psl_load(const char *path, char *err, size_t errsize);

/* ag_psl_free - release; accepts NULL, returns NULL */
ag_psl_t *ag_psl_free(ag_psl_t *psl);

/*
 * ag_org_domain - the organisational domain of a normalised name: a pointer
 * into `domain` (its registrable domain), or `domain` itself when the name
 * is a public suffix, has no registrable part, or psl is NULL.
 */
const char *ag_org_domain(const ag_psl_t *psl, const char *domain);

/* ag_domains_aligned - whether two normalised names are aligned; an empty
 * or NULL name is never aligned */
int ag_domains_aligned(const ag_psl_t *psl, const char *a, const char *b,
                       ag_alignment_t mode);

/* ag_alignment_name / ag_alignment_parse - "relaxed" / "strict" (parse is
 * case-insensitive; returns 0, or -1 for an unknown name) */
const char *ag_alignment_name(ag_alignment_t mode);
int ag_alignment_parse(const char *name, ag_alignment_t *mode);

#endif
