/*
 * dkimkey.c - DKIM key records: parsing and judging (see dkimkey.h).
 *
 * The record is read in one pass into a table of known tags (value slices
 * of the input), then each tag is checked on its own and p= is decoded:
 * base64 first, then the key itself with OpenSSL (RSA: a DER
 * SubjectPublicKeyInfo; Ed25519: the raw 32 octets of RFC 8463). Both key
 * types are kept as DER SubjectPublicKeyInfo, the form the private-key
 * loader produces too, so that comparing keys is comparing octets.
 */
#include "dkimkey.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ag_dkimkey_tag {
	AG_TAG_V,
	AG_TAG_H,
	AG_TAG_K,
	AG_TAG_N,
	AG_TAG_P,
	AG_TAG_S,
	AG_TAG_T,
	AG_TAG_KNOWN
};

#define AG_DKIMKEY_MAX_TAGS 64 /* more tags than this is not a key record */
#define AG_ED25519_RAW_LEN  32

typedef struct ag_dkimkey_slice {
	const char *ptr;
	size_t len;
} ag_dkimkey_slice_t;

typedef struct ag_dkimkey_tags {
	int present[AG_TAG_KNOWN];
	ag_dkimkey_slice_t value[AG_TAG_KNOWN];
	ag_dkimkey_slice_t names[AG_DKIMKEY_MAX_TAGS];
	size_t count;
} ag_dkimkey_tags_t;

static const char ag_dkimkey_tag_names[AG_TAG_KNOWN] = "vhknpst";

/* ag_dkimkey_fail - write a detail text, return -1 */
static int ag_dkimkey_fail(char *detail, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ag_dkimkey_fail(char *detail, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size > 0) {
		va_start(ap, fmt);
		vsnprintf(detail, size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ag_dkimkey_is_ws - folding white space inside a record */
static int ag_dkimkey_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ag_dkimkey_is_valchar - VALCHAR of RFC 6376 §3.2: printable, not ';' */
static int ag_dkimkey_is_valchar(char c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

/* ag_dkimkey_is_alpha - ASCII letter */
static int ag_dkimkey_is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ag_dkimkey_skip_ws - advance over white space */
static size_t ag_dkimkey_skip_ws(const char *s, size_t len, size_t pos)
{
	while (pos < len && ag_dkimkey_is_ws(s[pos]))
		pos++;
	return pos;
}

/* ag_dkimkey_trim - drop white space at both ends of a slice */
static ag_dkimkey_slice_t ag_dkimkey_trim(ag_dkimkey_slice_t in)
{
	while (in.len > 0 && ag_dkimkey_is_ws(in.ptr[0])) {
		in.ptr++;
		in.len--;
	}
	while (in.len > 0 && ag_dkimkey_is_ws(in.ptr[in.len - 1]))
		in.len--;
	return in;
}

/* ag_dkimkey_equals - slice equals a C string, case-sensitively */
static int ag_dkimkey_equals(ag_dkimkey_slice_t s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

/* ag_dkimkey_tag_name - read a tag name at pos; its length or 0 */
static size_t ag_dkimkey_tag_name(const char *s, size_t len, size_t pos)
{
	size_t start = pos;

	if (pos >= len || !ag_dkimkey_is_alpha(s[pos]))
		return 0;
	while (pos < len && (ag_dkimkey_is_alpha(s[pos]) ||
	                     (s[pos] >= '0' && s[pos] <= '9') || s[pos] == '_'))
		pos++;
	return pos - start;
}

/* ag_dkimkey_remember - record one tag; -1 on a duplicate or too many */
static int ag_dkimkey_remember(ag_dkimkey_tags_t *tags, ag_dkimkey_slice_t name,
                               ag_dkimkey_slice_t value, char *detail,
                               size_t size)
{
	const char *known;

	for (size_t i = 0; i < tags->count; i++)
		if (tags->names[i].len == name.len &&
		    memcmp(tags->names[i].ptr, name.ptr, name.len) == 0)
			return ag_dkimkey_fail(
			    detail, size, "tag %.*s= given twice",
			    (int)(name.len > 16 ? 16 : name.len), name.ptr);
	if (tags->count == AG_DKIMKEY_MAX_TAGS)
		return ag_dkimkey_fail(detail, size, "more than %d tags",
		                       AG_DKIMKEY_MAX_TAGS);
	tags->names[tags->count++] = name;
	if (name.len == 1 && (known = memchr(ag_dkimkey_tag_names, name.ptr[0],
	                                     AG_TAG_KNOWN)) != NULL) {
		tags->present[known - ag_dkimkey_tag_names] = 1;
		tags->value[known - ag_dkimkey_tag_names] = value;
	}
	return 0;
}

/* ag_dkimkey_tag_spec - read one tag-spec at *pos, up to ';' or the end */
static int ag_dkimkey_tag_spec(const char *s, size_t len, size_t *pos,
                               ag_dkimkey_tags_t *tags, char *detail,
                               size_t size)
{
	ag_dkimkey_slice_t name, value;
	size_t p = ag_dkimkey_skip_ws(s, len, *pos);

	name.ptr = s + p;
	if ((name.len = ag_dkimkey_tag_name(s, len, p)) == 0)
		return ag_dkimkey_fail(detail, size,
		                       "bad tag name at offset %zu", p);
	p = ag_dkimkey_skip_ws(s, len, p + name.len);
	if (p >= len || s[p] != '=')
		return ag_dkimkey_fail(detail, size, "tag %.*s has no '='",
		                       (int)(name.len > 16 ? 16 : name.len),
		                       name.ptr);
	value.ptr = s + ++p;
	while (p < len && s[p] != ';') {
		if (!ag_dkimkey_is_valchar(s[p]) && !ag_dkimkey_is_ws(s[p]))
			return ag_dkimkey_fail(
			    detail, size, "bad character 0x%02x in %.*s=",
			    (unsigned char)s[p],
			    (int)(name.len > 16 ? 16 : name.len), name.ptr);
		p++;
	}
	value.len = (size_t)(s + p - value.ptr);
	*pos = p;
	return ag_dkimkey_remember(tags, name, ag_dkimkey_trim(value), detail,
	                           size);
}

/* ag_dkimkey_split - read the whole tag-list into tags */
static int ag_dkimkey_split(const char *s, size_t len, ag_dkimkey_tags_t *tags,
                            char *detail, size_t size)
{
	size_t pos = 0;

	memset(tags, 0, sizeof(*tags));
	if (ag_dkimkey_skip_ws(s, len, 0) >= len)
		return ag_dkimkey_fail(detail, size, "empty record");
	for (;;) {
		if (ag_dkimkey_tag_spec(s, len, &pos, tags, detail, size) < 0)
			return -1;
		if (pos >= len)
			return 0;
		pos++; /* the ';' */
		if (ag_dkimkey_skip_ws(s, len, pos) >= len)
			return 0; /* a trailing ';' is allowed */
	}
}

/*
 * ag_dkimkey_list_has - whether a colon-separated list (FWS allowed around
 * the colons) holds `want`; -1 when an element is empty or holds white space.
 */
static int ag_dkimkey_list_has(ag_dkimkey_slice_t list, const char *want)
{
	const char *end = list.ptr + list.len;
	const char *p = list.ptr;
	int found = 0;

	for (;;) {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		ag_dkimkey_slice_t item = {p,
		                           (size_t)((colon ? colon : end) - p)};

		item = ag_dkimkey_trim(item);
		if (item.len == 0)
			return -1;
		for (size_t i = 0; i < item.len; i++)
			if (ag_dkimkey_is_ws(item.ptr[i]))
				return -1;
		if (ag_dkimkey_equals(item, want))
			found = 1;
		if (colon == NULL)
			return found;
		p = colon + 1;
	}
}

/* ag_dkimkey_list_needs - a list tag must name one of two values */
static int ag_dkimkey_list_needs(ag_dkimkey_slice_t list, const char *tag,
                                 const char *want1, const char *want2,
                                 char *detail, size_t size)
{
	int has1 = ag_dkimkey_list_has(list, want1);
	int has2 = want2 != NULL ? ag_dkimkey_list_has(list, want2) : 0;

	if (has1 < 0)
		return ag_dkimkey_fail(detail, size, "%s= is not a valid list",
		                       tag);
	if (!has1 && !has2)
		return ag_dkimkey_fail(detail, size, "%s= does not include %s",
		                       tag, want1);
	return 0;
}

/* ag_dkimkey_b64_value - value of one base64 character, or -1 */
static int ag_dkimkey_b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* ag_dkimkey_b64_pads - count and check '=' padding; -1 if misplaced */
static int ag_dkimkey_b64_pads(const char *in, size_t n)
{
	int pads = 0;

	while (n > 0 && in[n - 1] == '=' && pads < 2) {
		pads++;
		n--;
	}
	if (memchr(in, '=', n) != NULL)
		return -1;
	return pads;
}

/*
 * ag_dkimkey_b64_decode - decode base64 with white space removed (in,
 * n octets, n a multiple of 4) into a new buffer; -1 when malformed.
 */
static int ag_dkimkey_b64_decode(const char *in, size_t n, unsigned char **out,
                                 size_t *out_len)
{
	int pads = ag_dkimkey_b64_pads(in, n);
	unsigned char *buf;
	size_t o = 0;

	if (n % 4 != 0 || pads < 0 || (buf = malloc(n / 4 * 3 + 1)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		unsigned long group = 0;
		for (size_t j = 0; j < 4; j++) {
			int v = in[i + j] == '='
			            ? 0
			            : ag_dkimkey_b64_value(in[i + j]);
			if (v < 0) {
				free(buf);
				return -1;
			}
			group = group << 6 | (unsigned long)v;
		}
		buf[o++] = (unsigned char)(group >> 16);
		buf[o++] = (unsigned char)(group >> 8);
		buf[o++] = (unsigned char)group;
	}
	*out = buf;
	*out_len = o - (size_t)pads;
	return 0;
}

/* ag_dkimkey_p_value - p= without its white space, into a new string */
static char *ag_dkimkey_p_value(ag_dkimkey_slice_t p, size_t *n)
{
	char *packed = malloc(p.len + 1);

	if (packed == NULL)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < p.len; i++)
		if (!ag_dkimkey_is_ws(p.ptr[i]))
			packed[(*n)++] = p.ptr[i];
	packed[*n] = '\0';
	return packed;
}

/* ag_dkimkey_pkey - an OpenSSL key from the decoded p= octets */
static EVP_PKEY *ag_dkimkey_pkey(ag_dkim_keytype_t type,
                                 const unsigned char *raw, size_t len,
                                 char *detail, size_t size)
{
	const unsigned char *p = raw;
	EVP_PKEY *pkey;

	if (type == AG_DKIM_KEY_ED25519) {
		if (len != AG_ED25519_RAW_LEN) {
			ag_dkimkey_fail(
			    detail, size,
			    "p= holds %zu octets, an ed25519 key has 32", len);
			return NULL;
		}
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw,
		                                   len);
		if (pkey == NULL)
			ag_dkimkey_fail(detail, size,
			                "p= is not an ed25519 key");
		return pkey;
	}
	pkey = d2i_PUBKEY(NULL, &p, (long)len);
	if (pkey == NULL || p != raw + len ||
	    EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pkey);
		ag_dkimkey_fail(detail, size,
		                "p= is not an RSA SubjectPublicKeyInfo");
		return NULL;
	}
	return pkey;
}

/* ag_dkimkey_decode - decode p= into key->spki and key->bits */
static int ag_dkimkey_decode(ag_dkimkey_slice_t p, ag_dkim_key_t *key,
                             char *detail, size_t size)
{
	unsigned char *raw = NULL, *der = NULL;
	size_t n, raw_len;
	char *packed = ag_dkimkey_p_value(p, &n);
	EVP_PKEY *pkey = NULL;
	int len = -1;

	if (packed == NULL)
		return ag_dkimkey_fail(detail, size, "out of memory");
	if (n == 0) {
		free(packed);
		key->revoked = 1;
		return 0;
	}
	if (ag_dkimkey_b64_decode(packed, n, &raw, &raw_len) < 0)
		ag_dkimkey_fail(detail, size, "p= is not valid base64");
	else if ((pkey = ag_dkimkey_pkey(key->type, raw, raw_len, detail,
	                                 size)) != NULL &&
	         (len = i2d_PUBKEY(pkey, &der)) <= 0)
		ag_dkimkey_fail(detail, size, "cannot encode the key");
	if (len > 0) {
		key->spki = der;
		key->spki_len = (size_t)len;
		key->bits = key->type == AG_DKIM_KEY_ED25519
		                ? 8 * AG_ED25519_RAW_LEN
		                : (unsigned)EVP_PKEY_bits(pkey);
	}
	EVP_PKEY_free(pkey);
	ERR_clear_error(); /* leave no OpenSSL error behind in this thread */
	free(raw);
	free(packed);
	return len > 0 ? 0 : -1;
}

/* ag_dkimkey_check_v - v= must come first and read DKIM1 */
static int ag_dkimkey_check_v(const ag_dkimkey_tags_t *tags, char *detail,
                              size_t size)
{
	if (!tags->present[AG_TAG_V])
		return 0;
	if (!ag_dkimkey_equals(tags->names[0], "v"))
		return ag_dkimkey_fail(detail, size, "v= is not the first tag");
	if (!ag_dkimkey_equals(tags->value[AG_TAG_V], "DKIM1"))
		return ag_dkimkey_fail(detail, size, "v= is not DKIM1");
	return 0;
}

/* ag_dkimkey_check_k - k= names the key type; rsa when absent */
static int ag_dkimkey_check_k(const ag_dkimkey_tags_t *tags, ag_dkim_key_t *key,
                              char *detail, size_t size)
{
	ag_dkimkey_slice_t k = tags->value[AG_TAG_K];

	key->type = AG_DKIM_KEY_RSA;
	if (!tags->present[AG_TAG_K] || ag_dkimkey_equals(k, "rsa"))
		return 0;
	if (ag_dkimkey_equals(k, "ed25519")) {
		key->type = AG_DKIM_KEY_ED25519;
		return 0;
	}
	return ag_dkimkey_fail(detail, size, "k=%.*s is not a known key type",
	                       (int)(k.len > 16 ? 16 : k.len), k.ptr);
}

/* ag_dkimkey_check_t - t= flags; unknown flags are ignored */
static int ag_dkimkey_check_t(const ag_dkimkey_tags_t *tags, ag_dkim_key_t *key,
                              char *detail, size_t size)
{
	int y, s;

	if (!tags->present[AG_TAG_T])
		return 0;
	y = ag_dkimkey_list_has(tags->value[AG_TAG_T], "y");
	s = ag_dkimkey_list_has(tags->value[AG_TAG_T], "s");
	if (y < 0)
		return ag_dkimkey_fail(detail, size, "t= is not a valid list");
	key->flags =
	    (y ? AG_DKIM_FLAG_TESTING : 0) | (s ? AG_DKIM_FLAG_STRICT : 0);
	return 0;
}

/* ag_dkimkey_check_tags - every tag but p= */
static int ag_dkimkey_check_tags(const ag_dkimkey_tags_t *tags,
                                 ag_dkim_key_t *key, char *detail, size_t size)
{
	if (ag_dkimkey_check_v(tags, detail, size) < 0 ||
	    ag_dkimkey_check_k(tags, key, detail, size) < 0 ||
	    ag_dkimkey_check_t(tags, key, detail, size) < 0)
		return -1;
	if (tags->present[AG_TAG_H] &&
	    ag_dkimkey_list_needs(tags->value[AG_TAG_H], "h", "sha256", NULL,
	                          detail, size) < 0)
		return -1;
	if (tags->present[AG_TAG_S] &&
	    ag_dkimkey_list_needs(tags->value[AG_TAG_S], "s", "email", "*",
	                          detail, size) < 0)
		return -1;
	if (!tags->present[AG_TAG_P])
		return ag_dkimkey_fail(detail, size, "no p= tag");
	return 0;
}

/* ag_dkimkey_parse - parse one key record */
int ag_dkimkey_parse(const char *txt, size_t len, ag_dkim_key_t *key,
                     ag_reason_t *reason, char *detail, size_t detail_size)
{
	ag_dkimkey_tags_t tags;

	memset(key, 0, sizeof(*key));
	*reason = AG_R_DKIM_KEY_INVALID;
	if (detail_size > 0)
		detail[0] = '\0';
	if (ag_dkimkey_split(txt, len, &tags, detail, detail_size) < 0 ||
	    ag_dkimkey_check_tags(&tags, key, detail, detail_size) < 0 ||
	    ag_dkimkey_decode(tags.value[AG_TAG_P], key, detail, detail_size) <
	        0) {
		ag_dkimkey_clear(key);
		return -1;
	}
	return 0;
}

/* ag_dkimkey_judge - apply MinKeyBits and AllowTestingKeys */
int ag_dkimkey_judge(const ag_dkim_key_t *key,
                     const ag_dkimkey_options_t *options, ag_reason_t *reason,
                     char *detail, size_t detail_size)
{
	if (key->revoked) {
		*reason = AG_R_DKIM_KEY_REVOKED;
		return ag_dkimkey_fail(detail, detail_size, "p= is empty");
	}
	if (key->type == AG_DKIM_KEY_RSA && key->bits < options->min_key_bits) {
		*reason = AG_R_DKIM_KEY_WEAK;
		return ag_dkimkey_fail(detail, detail_size,
		                       "rsa %u bits, below %u", key->bits,
		                       options->min_key_bits);
	}
	if ((key->flags & AG_DKIM_FLAG_TESTING) && !options->allow_testing) {
		*reason = AG_R_DKIM_KEY_TESTING;
		return ag_dkimkey_fail(detail, detail_size,
		                       "t=y (testing mode)");
	}
	ag_dkimkey_describe(key, detail, detail_size);
	return 0;
}

/* ag_dkimkey_describe - short description of a key */
char *ag_dkimkey_describe(const ag_dkim_key_t *key, char *detail,
                          size_t detail_size)
{
	if (detail_size == 0)
		return detail;
	if (key->revoked)
		snprintf(detail, detail_size, "p= is empty");
	else if (key->type == AG_DKIM_KEY_ED25519)
		snprintf(detail, detail_size, "ed25519");
	else
		snprintf(detail, detail_size, "rsa %u bits", key->bits);
	return detail;
}

/* ag_dkimkey_clear - release a parsed key */
void ag_dkimkey_clear(ag_dkim_key_t *key)
{
	if (key == NULL)
		return;
	OPENSSL_free(key->spki);
	key->spki = NULL;
	key->spki_len = 0;
}

/* ag_dkim_keytype_name - name of a key type as k= spells it */
const char *ag_dkim_keytype_name(ag_dkim_keytype_t type)
{
	return type == AG_DKIM_KEY_ED25519 ? "ed25519" : "rsa";
}
