/*
 * addrscan.h - looking for e-mail addresses hidden in the free text of a
 * From field: its display name and its comments (private to address.c).
 *
 * A reader shows the display name, not the address; an address written in
 * the display name is what the reader believes. ag_addrscan_text() walks a
 * span of already validated header text the way a mail reader renders it:
 * quotes dropped, quoted-pairs unescaped, RFC 2047 encoded-words (B and Q)
 * decoded, the white space between adjacent encoded-words removed, and
 * looks for "local@domain" in the result. Encoded-words are decoded only as
 * far as finding ASCII goes: multi-octet character sets whose trailing
 * octets may be ASCII (Shift_JIS, Big5, GBK...) and ISO-2022 escapes are
 * followed so that a kanji is not read as '@'; UTF-7 and UTF-16/32 cannot
 * be checked and are refused.
 *
 * Verdicts (the first problem found, a static string in `why`):
 * - in a comment, any address is refused;
 * - in a display name, an address is fine when its domain is the real one;
 *   another domain is refused unless allow_foreign is set, and always when
 *   any part of it came out of an encoded-word (a hidden address).
 */
#ifndef AG_ADDRSCAN_H
#define AG_ADDRSCAN_H

#include <stddef.h>

#include "address.h"

#define AG_CH_ATEXT  1 /* RFC 5322 atext, 8-bit included (RFC 6532) */
#define AG_CH_DOMAIN 2 /* letter, digit, '-', '.', 8-bit */

/* ag_char_class - AG_CH_* bits of every octet */
extern const unsigned char ag_char_class[256];

/* ag_char_is - whether octet c has class bit `bit` */
static inline int ag_char_is(unsigned char c, int bit)
{
	return (ag_char_class[c] & bit) != 0;
}

typedef struct ag_addrscan {
	const char *domain; /* the real domain; NULL: comment mode */
	int allow_foreign;  /* plain foreign addresses are fine */
	int state;          /* of the address detector */
	int encoded;        /* current candidate came from an encoded-word */
	size_t dlen;        /* octets of dom[] in use */
	int overlong;       /* candidate domain did not fit */
	char dom[AG_DOMAIN_MAX + 1];
	const char *why; /* first problem, or NULL */
} ag_addrscan_t;

/* ag_addrscan_init - start a scan; domain NULL means a comment */
void ag_addrscan_init(ag_addrscan_t *scan, const char *domain,
                      int allow_foreign);

/*
 * ag_addrscan_text - scan text[0..len), which the caller has validated: a
 * display name (with any comments in it skipped) or a comment's contents
 * (nested parentheses separate words). Returns the first problem found, or
 * NULL.
 */
const char *ag_addrscan_text(ag_addrscan_t *scan, const char *text, size_t len);

#endif
