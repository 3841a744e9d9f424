/*
 * dkimkey.h - DKIM key records: parsing and judging (pure core).
 *
 * A DKIM key record is the TXT record published at
 * <selector>._domainkey.<domain> (RFC 6376 §3.6.1, Ed25519 keys per
 * RFC 8463). ag_dkimkey_parse() reads one record whose character-strings
 * are already joined and decodes its public key with OpenSSL;
 * ag_dkimkey_judge() applies the operator's options (MinKeyBits,
 * AllowTestingKeys) to a parsed key.
 *
 * Syntax accepted: a tag-list (RFC 6376 §3.2) of tags v, h, k, n, p, s, t
 * and any unknown tag (ignored). White space (SP, HTAB, CR, LF) may
 * surround tag names, '=' and values, and may appear inside values, as it
 * does in long base64 p= values. v=, when present, must be the first tag
 * and read DKIM1; a tag given twice, k= other than rsa or ed25519, h=
 * without sha256, s= without email or '*', an undecodable p= or a missing
 * p= make the record invalid. An empty p= means the key is revoked.
 *
 * Diagnostics: every refusal comes with a reason code (AG_R_DKIM_KEY_*)
 * and a short detail text naming the tag at fault ("k=dsa is not a known
 * key type"); the detail of a good key says what it is ("rsa 2048 bits").
 */
#ifndef AG_DKIMKEY_H
#define AG_DKIMKEY_H

#include <stddef.h>

#include "reason.h"

typedef enum ag_dkim_keytype {
	AG_DKIM_KEY_RSA,
	AG_DKIM_KEY_ED25519
} ag_dkim_keytype_t;

/* t= flags */
#define AG_DKIM_FLAG_TESTING 0x1 /* t=y */
#define AG_DKIM_FLAG_STRICT  0x2 /* t=s: no sub-domains in i= */

#define AG_DKIMKEY_DETAIL_MAX 160

typedef struct ag_dkim_key {
	ag_dkim_keytype_t type;
	unsigned bits;       /* RSA modulus bits; 256 for Ed25519 */
	unsigned flags;      /* AG_DKIM_FLAG_* */
	int revoked;         /* p= was empty */
	unsigned char *spki; /* the public key as DER SubjectPublicKeyInfo;
	                      * NULL when revoked */
	size_t spki_len;
} ag_dkim_key_t;

typedef struct ag_dkimkey_options {
	unsigned min_key_bits; /* MinKeyBits: weakest RSA modulus accepted */
	int allow_testing;     /* AllowTestingKeys: accept t=y */
} ag_dkimkey_options_t;

/*
 * ag_dkimkey_parse - parse `len` octets of a key record into `key`.
 * Returns 0 (a revoked key included: key->revoked set), or -1 with
 * *reason set to AG_R_DKIM_KEY_INVALID and the detail written to `detail`.
 * On success the caller releases the key with ag_dkimkey_clear().
 */
int ag_dkimkey_parse(const char *txt, size_t len, ag_dkim_key_t *key,
                     ag_reason_t *reason, char *detail, size_t detail_size)
    __attribute__((warn_unused_result));

/*
 * ag_dkimkey_judge - whether a parsed key is usable under the options:
 * 0 with a description ("rsa 2048 bits") in detail, or -1 with *reason
 * AG_R_DKIM_KEY_REVOKED, _WEAK or _TESTING and why in detail.
 */
int ag_dkimkey_judge(const ag_dkim_key_t *key,
                     const ag_dkimkey_options_t *options, ag_reason_t *reason,
                     char *detail, size_t detail_size)
    __attribute__((warn_unused_result));

/* ag_dkimkey_describe - "rsa 2048 bits" / "ed25519"; returns detail */
char *ag_dkimkey_describe(const ag_dkim_key_t *key, char *detail,
                          size_t detail_size);

/* ag_dkimkey_clear - release what a parsed key holds; accepts NULL */
void ag_dkimkey_clear(ag_dkim_key_t *key);

/* ag_dkim_keytype_name - "rsa" or "ed25519" */
const char *ag_dkim_keytype_name(ag_dkim_keytype_t type);

#endif
