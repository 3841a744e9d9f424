/*
 * addrscan.c - addresses hidden in display names and comments (see
 * addrscan.h).
 *
 * Three small machines in a row: the walker reads header text as a mail
 * reader renders it, the encoded-word decoder turns B and Q text into
 * octets and passes them through a character-set filter (which only tells
 * ASCII from everything else), and the detector watches the resulting
 * stream for "local@domain". Nothing is allocated unless a candidate
 * domain with 8-bit octets has to be normalised.
 */
#ifdef HAVE_CONFIG_H
#include "build-config.h"
#endif

#include "addrscan.h"

#include <string.h>
#include <strings.h>

#include "domain.h"

#define AG_SCAN_NONASCII    0x80 /* stands for any non-ASCII character */
#define AG_SCAN_CHARSET_MAX 40   /* octets of a charset name we classify */

enum {
	AG_SCAN_IDLE,  /* not in a candidate */
	AG_SCAN_LOCAL, /* in what could be a local part */
	AG_SCAN_DOMAIN /* after local part and '@' */
};

typedef enum ag_scan_charset {
	AG_CS_SINGLE,  /* ASCII octets are ASCII: UTF-8, ISO-8859... */
	AG_CS_SJIS,    /* Shift_JIS: lead 81-9F, E0-FC, ASCII trail */
	AG_CS_DBCS,    /* Big5, GBK, UHC...: lead 81-FE, ASCII trail */
	AG_CS_ISO2022, /* escape sequences switch ASCII on and off */
	AG_CS_UTF7,    /* refused */
	AG_CS_WIDE     /* UTF-16, UTF-32: refused */
} ag_scan_charset_t;

typedef struct ag_scan_filter {
	ag_scan_charset_t cs;
	int trail;                /* DBCS: the next octet ends a character */
	int ascii;                /* ISO-2022: G0 holds ASCII */
	int shifted;              /* ISO-2022: SO in effect */
	int esc;                  /* ISO-2022: inside an escape sequence */
	unsigned char esc1, esc2; /* its intermediate octets */
} ag_scan_filter_t;

typedef struct ag_scan_ew {
	const char *charset;
	size_t charset_len;
	char encoding; /* 'b' or 'q' */
	const char *text;
	size_t text_len;
} ag_scan_ew_t;

/* ag_addrscan_init - start a scan */
void ag_addrscan_init(ag_addrscan_t *scan, const char *domain,
                      int allow_foreign)
{
	memset(scan, 0, sizeof(*scan));
	scan->domain = domain;
	scan->allow_foreign = allow_foreign;
	scan->state = AG_SCAN_IDLE;
}

/* clang-format off */
const unsigned char ag_char_class[256] = {
	['0' ... '9'] = AG_CH_ATEXT | AG_CH_DOMAIN,
	['A' ... 'Z'] = AG_CH_ATEXT | AG_CH_DOMAIN,
	['a' ... 'z'] = AG_CH_ATEXT | AG_CH_DOMAIN,
	[0x80 ... 0xff] = AG_CH_ATEXT | AG_CH_DOMAIN,
	['-'] = AG_CH_ATEXT | AG_CH_DOMAIN,
	['.'] = AG_CH_DOMAIN,
	['!'] = AG_CH_ATEXT, ['#'] = AG_CH_ATEXT, ['$'] = AG_CH_ATEXT,
	['%'] = AG_CH_ATEXT, ['&'] = AG_CH_ATEXT, ['\''] = AG_CH_ATEXT,
	['*'] = AG_CH_ATEXT, ['+'] = AG_CH_ATEXT, ['/'] = AG_CH_ATEXT,
	['='] = AG_CH_ATEXT, ['?'] = AG_CH_ATEXT, ['^'] = AG_CH_ATEXT,
	['_'] = AG_CH_ATEXT, ['`'] = AG_CH_ATEXT, ['{'] = AG_CH_ATEXT,
	['|'] = AG_CH_ATEXT, ['}'] = AG_CH_ATEXT, ['~'] = AG_CH_ATEXT,
};
/* clang-format on */

/* ag_addrscan_is_local - could be part of a local part */
static int ag_addrscan_is_local(unsigned char c)
{
	return c == '.' || ag_char_is(c, AG_CH_ATEXT);
}

/* ag_addrscan_found - judge one address seen in the text */
static void ag_addrscan_found(ag_addrscan_t *scan)
{
	char norm[AG_DOMAIN_MAX + 1];

	if (scan->domain == NULL) {
		scan->why = "address in comment";
		return;
	}
	if (!scan->overlong &&
	    ag_domain_normalise(scan->dom, scan->dlen, norm, sizeof(norm),
	                        NULL) == 0 &&
	    strcmp(norm, scan->domain) == 0)
		return;
	if (scan->encoded)
		scan->why = "encoded-word in display name hides an address "
		            "of another domain";
	else if (!scan->allow_foreign)
		scan->why = "display name holds an address of another domain";
}

/* ag_addrscan_finish - end of a candidate domain */
static void ag_addrscan_finish(ag_addrscan_t *scan)
{
	if (scan->state != AG_SCAN_DOMAIN)
		return;
	scan->state = AG_SCAN_IDLE;
	while (scan->dlen > 0 && scan->dom[scan->dlen - 1] == '.')
		scan->dlen--;
	if (scan->dlen > 0 && scan->why == NULL)
		ag_addrscan_found(scan);
}

/* ag_addrscan_feed - one rendered octet into the detector */
static void ag_addrscan_feed(ag_addrscan_t *scan, unsigned char c, int enc)
{
	if (scan->state == AG_SCAN_DOMAIN) {
		if (ag_char_is(c, AG_CH_DOMAIN)) {
			if (scan->dlen < AG_DOMAIN_MAX)
				scan->dom[scan->dlen++] = (char)c;
			else
				scan->overlong = 1;
			scan->encoded |= enc;
			return;
		}
		ag_addrscan_finish(scan);
	}
	if (scan->state == AG_SCAN_LOCAL && c == '@') {
		scan->state = AG_SCAN_DOMAIN;
		scan->dlen = 0;
		scan->overlong = 0;
		scan->encoded |= enc;
	} else if (ag_addrscan_is_local(c)) {
		scan->encoded =
		    scan->state == AG_SCAN_LOCAL ? (scan->encoded | enc) : enc;
		scan->state = AG_SCAN_LOCAL;
	} else {
		scan->state = AG_SCAN_IDLE;
	}
}

/* ag_addrscan_prefix - whether name starts with one of a list */
static int ag_addrscan_prefix(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strncmp(name, *list, strlen(*list)) == 0)
			return 1;
	return 0;
}

/* ag_addrscan_charset - class of a charset name (RFC 2231 language cut) */
static ag_scan_charset_t ag_addrscan_charset(const char *cs, size_t len)
{
	static const char *const sjis[] = {"shift_jis", "shift-jis",   "sjis",
	                                   "cp932",     "windows-31j", "ms932",
	                                   "ms_kanji",  "csshiftjis",  NULL};
	static const char *const dbcs[] = {
	    "big5",        "cp950",       "windows-950", "gb",     "cp936",
	    "ms936",       "windows-936", "euc-cn",      "euc-kr", "cp949",
	    "windows-949", "ks_c_5601",   "uhc",         "johab",  NULL};
	static const char *const wide[] = {
	    "utf-16", "utf16", "utf-32",  "utf32",     "ucs-2",         "ucs2",
	    "ucs-4",  "ucs4",  "unicode", "csunicode", "iso-10646-ucs", NULL};
	char name[AG_SCAN_CHARSET_MAX + 1];
	const char *n = name;
	size_t i;

	for (i = 0; i < len && i < AG_SCAN_CHARSET_MAX && cs[i] != '*'; i++)
		name[i] =
		    (char)(cs[i] >= 'A' && cs[i] <= 'Z' ? cs[i] + 32 : cs[i]);
	name[i] = '\0';
	if (strncmp(n, "x-", 2) == 0)
		n += 2;
	if (strstr(n, "utf-7") != NULL || strstr(n, "utf7") != NULL)
		return AG_CS_UTF7;
	if (ag_addrscan_prefix(n, wide))
		return AG_CS_WIDE;
	if (strncmp(n, "iso-2022", 8) == 0 || strncmp(n, "csiso2022", 9) == 0)
		return AG_CS_ISO2022;
	if (ag_addrscan_prefix(n, sjis))
		return AG_CS_SJIS;
	if (ag_addrscan_prefix(n, dbcs))
		return AG_CS_DBCS;
	return AG_CS_SINGLE;
}

/* ag_addrscan_escape - one octet of an ISO-2022 escape sequence */
static void ag_addrscan_escape(ag_scan_filter_t *f, unsigned char c)
{
	if (c >= 0x20 && c <= 0x2f) {
		if (f->esc1 == 0)
			f->esc1 = c;
		else if (f->esc2 == 0)
			f->esc2 = c;
		return;
	}
	if (f->esc1 == '$' && (f->esc2 == 0 || f->esc2 == '('))
		f->ascii = 0;
	else if (f->esc1 == '(')
		f->ascii = c == 'B' || c == 'J';
	f->esc = 0;
}

/* ag_addrscan_iso2022 - ISO-2022 octet: ASCII only while G0 is ASCII */
static void ag_addrscan_iso2022(ag_addrscan_t *scan, ag_scan_filter_t *f,
                                unsigned char c)
{
	if (f->esc) {
		ag_addrscan_escape(f, c);
	} else if (c == 0x1b) {
		f->esc = 1;
		f->esc1 = f->esc2 = 0;
	} else if (c == 0x0e || c == 0x0f) {
		f->shifted = c == 0x0e;
	} else {
		ag_addrscan_feed(
		    scan,
		    f->ascii && !f->shifted && c < 0x80 ? c : AG_SCAN_NONASCII,
		    1);
	}
}

/* ag_addrscan_decoded - one decoded octet through the charset filter */
static void ag_addrscan_decoded(ag_addrscan_t *scan, ag_scan_filter_t *f,
                                unsigned char c)
{
	int lead;

	switch (f->cs) {
	case AG_CS_ISO2022:
		ag_addrscan_iso2022(scan, f, c);
		return;
	case AG_CS_SJIS:
	case AG_CS_DBCS:
		if (f->trail) {
			f->trail = 0;
			if (c >= 0x40 && c != 0x7f && c != 0xff)
				return;
		}
		lead = f->cs == AG_CS_SJIS ? (c >= 0x81 && c <= 0x9f) ||
		                                 (c >= 0xe0 && c <= 0xfc)
		                           : c >= 0x81 && c <= 0xfe;
		f->trail = lead;
		ag_addrscan_feed(scan, lead ? AG_SCAN_NONASCII : c, 1);
		return;
	default:
		ag_addrscan_feed(scan, c, 1);
	}
}

/* ag_addrscan_hex - value of a hex digit, or -1 */
static int ag_addrscan_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* ag_addrscan_b64 - value of a base64 digit, or -1 */
static int ag_addrscan_b64(unsigned char c)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *d = c != '\0' ? memchr(digits, c, 64) : NULL;

	return d != NULL ? (int)(d - digits) : -1;
}

/* ag_addrscan_decode_b - base64 text; stray octets skipped, '=' ends */
static void ag_addrscan_decode_b(ag_addrscan_t *scan, ag_scan_filter_t *f,
                                 const unsigned char *t, size_t n)
{
	unsigned acc = 0, bits = 0;

	for (size_t i = 0; i < n && t[i] != '='; i++) {
		int v = ag_addrscan_b64(t[i]);
		if (v < 0)
			continue;
		acc = ((acc << 6) | (unsigned)v) & 0xffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			ag_addrscan_decoded(scan, f, (acc >> bits) & 0xff);
		}
	}
}

/* ag_addrscan_decode_q - Q text: '_' is space, =XX an octet */
static void ag_addrscan_decode_q(ag_addrscan_t *scan, ag_scan_filter_t *f,
                                 const unsigned char *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (t[i] == '_') {
			ag_addrscan_decoded(scan, f, ' ');
		} else if (t[i] == '=' && i + 2 < n &&
		           (hi = ag_addrscan_hex(t[i + 1])) >= 0 &&
		           (lo = ag_addrscan_hex(t[i + 2])) >= 0) {
			ag_addrscan_decoded(scan, f,
			                    (unsigned char)(hi << 4 | lo));
			i += 2;
		} else {
			ag_addrscan_decoded(scan, f, t[i]);
		}
	}
}

/* ag_addrscan_ew_char - may appear in a charset or encoded text */
static int ag_addrscan_ew_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '?' && c != '"' && c != '(' &&
	       c != ')';
}

/* ag_addrscan_ew_parse - "=?charset?enc?text?=" at p: its length or 0 */
static size_t ag_addrscan_ew_parse(const char *p, const char *end,
                                   ag_scan_ew_t *ew)
{
	const char *q = p + 2;

	if (end - p < 8 || p[0] != '=' || p[1] != '?')
		return 0;
	ew->charset = q;
	while (q < end && ag_addrscan_ew_char((unsigned char)*q))
		q++;
	ew->charset_len = (size_t)(q - ew->charset);
	if (ew->charset_len == 0 || end - q < 5 || q[0] != '?' ||
	    strchr("BbQq", q[1]) == NULL || q[1] == '\0' || q[2] != '?')
		return 0;
	ew->encoding = (char)(q[1] | 0x20);
	ew->text = q += 3;
	while (q < end && ag_addrscan_ew_char((unsigned char)*q))
		q++;
	if (end - q < 2 || q[0] != '?' || q[1] != '=')
		return 0;
	ew->text_len = (size_t)(q - ew->text);
	return (size_t)(q + 2 - p);
}

/* ag_addrscan_ew_decode - feed an encoded-word's decoded octets */
static void ag_addrscan_ew_decode(ag_addrscan_t *scan, const ag_scan_ew_t *ew)
{
	ag_scan_filter_t f;

	memset(&f, 0, sizeof(f));
	f.cs = ag_addrscan_charset(ew->charset, ew->charset_len);
	f.ascii = 1;
	if (f.cs == AG_CS_UTF7) {
		scan->why = "UTF-7 encoded-word";
		return;
	}
	if (f.cs == AG_CS_WIDE) {
		scan->why = "encoded-word in UTF-16 or UTF-32";
		return;
	}
	if (ew->encoding == 'b')
		ag_addrscan_decode_b(scan, &f, (const unsigned char *)ew->text,
		                     ew->text_len);
	else
		ag_addrscan_decode_q(scan, &f, (const unsigned char *)ew->text,
		                     ew->text_len);
}

/* ag_addrscan_skip_comment - past one octet inside a skipped comment */
static const char *ag_addrscan_skip_comment(const char *p, const char *end,
                                            int *depth)
{
	if (*p == '\\' && p + 1 < end)
		return p + 2;
	if (*p == '(')
		(*depth)++;
	else if (*p == ')')
		(*depth)--;
	return p + 1;
}

/* ag_addrscan_text - render text and look for addresses in it */
const char *ag_addrscan_text(ag_addrscan_t *scan, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	int depth = 0, space = 0, after_ew = 0;
	ag_scan_ew_t ew;
	size_t n;

	while (p < end && scan->why == NULL) {
		unsigned char c = (unsigned char)*p;
		if (depth > 0) {
			p = ag_addrscan_skip_comment(p, end, &depth);
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = 1;
			p++;
		} else if (c == '"') {
			p++;
		} else if (c == '=' &&
		           (n = ag_addrscan_ew_parse(p, end, &ew))) {
			if (space && !after_ew)
				ag_addrscan_feed(scan, ' ', 0);
			ag_addrscan_ew_decode(scan, &ew);
			space = 0;
			after_ew = 1;
			p += n;
		} else {
			if (space)
				ag_addrscan_feed(scan, ' ', 0);
			space = after_ew = 0;
			if (c == '(' && scan->domain != NULL)
				depth = 1;
			else if (c == '(' || c == ')')
				ag_addrscan_feed(scan, ' ', 0);
			else if (c == '\\' && p + 1 < end)
				ag_addrscan_feed(scan, (unsigned char)*++p, 0);
			else
				ag_addrscan_feed(scan, c, 0);
			p++;
		}
	}
	if (scan->why == NULL)
		ag_addrscan_finish(scan);
	return scan->why;
}
