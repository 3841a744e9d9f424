/*
 * address.c - strict parsing of the From field and the envelope sender
 * (see address.h).
 *
 * The value is first checked as a whole (octets, line breaks, UTF-8, line
 * lengths), so that the grammar below can take CR and LF as plain folding
 * white space. The grammar is RFC 5322's address-list cut down to what
 * cannot be read two ways: a list of mailboxes, each an addr-spec alone or
 * a phrase and an angle address. Every octet is looked at a bounded number
 * of times: once by the check, once by the grammar, and at most once more
 * when the first word turns out to be a local part or when a display name
 * or a comment is searched for hidden addresses (addrscan.c).
 */
#ifdef HAVE_CONFIG_H
#include "build-config.h"
#endif

#include "address.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "addrscan.h"
#include "domain.h"

#define AG_LINE_MAX    998 /* octets of a header line (RFC 5322 2.1.1) */
#define AG_ENVFROM_MAX 998 /* octets of an envelope sender argument */

typedef struct ag_from_parser {
	const char *p; /* next octet */
	const char *end;
	const ag_from_options_t *options;
	const char *why; /* set on failure */
} ag_from_parser_t;

/* ag_address_is_wsp - white space, folding included (value pre-checked) */
static int ag_address_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ag_address_atoms - length of a run of atext and dots at p */
static size_t ag_address_atoms(const char *p, const char *end)
{
	const char *q = p;

	while (q < end &&
	       (*q == '.' || ag_char_is((unsigned char)*q, AG_CH_ATEXT)))
		q++;
	return (size_t)(q - p);
}

/* ag_address_has_ew - whether text holds the start of an encoded-word */
static int ag_address_has_ew(const char *p, size_t n)
{
	return memmem(p, n, "=?", 2) != NULL;
}

/* ag_address_char_ok - one character of a value; its length or 0 */
static size_t ag_address_char_ok(const char *s, size_t i, size_t len,
                                 const char **why)
{
	unsigned char c = (unsigned char)s[i];
	uint32_t cp;
	size_t k;

	if (c == '\0') {
		*why = "NUL octet";
		return 0;
	}
	if (c < 0x80) {
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*why = "control character";
			return 0;
		}
		return 1;
	}
	k = ag_utf8_seq((const unsigned char *)s + i, len - i, &cp);
	if (k == 0) {
		*why = "invalid UTF-8";
		return 0;
	}
	if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029) {
		*why = "control character";
		return 0;
	}
	return k;
}

/* ag_address_text_check - octets, folding, UTF-8 and line lengths */
static int ag_address_text_check(const char *s, size_t len, int folding,
                                 const char **why)
{
	size_t i = 0, line = 0, k;

	while (i < len) {
		if (s[i] == '\r' || s[i] == '\n') {
			if (!folding) {
				*why = "line break";
				return -1;
			}
			if (s[i] == '\r' &&
			    (i + 1 >= len || s[i + 1] != '\n')) {
				*why = "bare CR";
				return -1;
			}
			if (s[i] == '\n' &&
			    (i + 1 >= len ||
			     (s[i + 1] != ' ' && s[i + 1] != '\t'))) {
				*why = "line break not followed by white space";
				return -1;
			}
			line = 0;
			i++;
			continue;
		}
		if ((k = ag_address_char_ok(s, i, len, why)) == 0)
			return -1;
		i += k;
		if ((line += k) > AG_LINE_MAX) {
			*why = "line over 998 octets";
			return -1;
		}
	}
	return 0;
}

/*
 * ag_address_quoted - a quoted-string at p ('"'); returns what follows it,
 * or NULL. With out, the content is unescaped and unfolded into it.
 */
static const char *ag_address_quoted(const char *p, const char *end, char *out,
                                     size_t outsize, size_t *outlen,
                                     const char **why)
{
	size_t o = 0;

	for (p++; p < end && *p != '"'; p++) {
		if (*p == '\\') {
			if (++p == end)
				break;
			if (*p == '\r' || *p == '\n') {
				*why = "quoted-pair of a line break";
				return NULL;
			}
		} else if (*p == '\r' || *p == '\n') {
			continue;
		}
		if (out != NULL) {
			if (o + 1 >= outsize) {
				*why = "local part too long";
				return NULL;
			}
			out[o++] = *p;
		}
	}
	if (p >= end) {
		*why = "unbalanced quote";
		return NULL;
	}
	if (out != NULL) {
		out[o] = '\0';
		*outlen = o;
	}
	return p + 1;
}

/* ag_address_quoted_local - a quoted local part into mb->local */
static const char *ag_address_quoted_local(const char *p, const char *end,
                                           ag_mailbox_t *mb, const char **why)
{
	size_t n;

	p = ag_address_quoted(p, end, mb->local, sizeof(mb->local), &n, why);
	if (p == NULL)
		return NULL;
	if (n == 0) {
		*why = "empty local part";
		return NULL;
	}
	if (strpbrk(mb->local, "@<>") != NULL) {
		*why = "quoted local part holds '@', '<' or '>'";
		return NULL;
	}
	if (ag_address_has_ew(mb->local, n)) {
		*why = "encoded-word in address";
		return NULL;
	}
	return p;
}

/* ag_address_dot_local - a dot-atom local part into mb->local */
static const char *ag_address_dot_local(const char *p, const char *end,
                                        ag_mailbox_t *mb, const char **why)
{
	size_t n = ag_address_atoms(p, end);

	if (n == 0) {
		*why = "empty local part";
		return NULL;
	}
	if (p[0] == '.' || p[n - 1] == '.' || memmem(p, n, "..", 2) != NULL) {
		*why = "misplaced dot in local part";
		return NULL;
	}
	if (ag_address_has_ew(p, n)) {
		*why = "encoded-word in address";
		return NULL;
	}
	if (n > AG_LOCAL_MAX) {
		*why = "local part too long";
		return NULL;
	}
	memcpy(mb->local, p, n);
	mb->local[n] = '\0';
	return p + n;
}

/* ag_address_after_local - why the octet after a local part is not '@' */
static const char *ag_address_after_local(const char *p, const char *end)
{
	if (p == end || *p == '>')
		return "no '@' in address";
	if (ag_address_is_wsp((unsigned char)*p) || *p == '(')
		return "white space inside address";
	if (*p == '"')
		return "local part mixes quoted and unquoted text";
	return "unexpected character in address";
}

/* ag_address_domain - the domain after '@' into mb->domain */
static const char *ag_address_domain(const char *p, const char *end,
                                     ag_mailbox_t *mb, const char **why)
{
	size_t n;

	if (p < end && *p == '[') {
		*why = "domain literal";
		return NULL;
	}
	n = ag_address_atoms(p, end);
	if (n == 0) {
		*why = p < end && (ag_address_is_wsp((unsigned char)*p) ||
		                   *p == '(')
		           ? "white space inside address"
		           : "empty domain";
		return NULL;
	}
	if (ag_address_has_ew(p, n)) {
		*why = "encoded-word in address";
		return NULL;
	}
	if (ag_domain_normalise(p, n, mb->domain, sizeof(mb->domain), why))
		return NULL;
	return p + n;
}

/* ag_address_addr_spec - local-part "@" domain, nothing in between */
static const char *ag_address_addr_spec(const char *p, const char *end,
                                        ag_mailbox_t *mb, const char **why)
{
	if (p < end && *p == '"')
		p = ag_address_quoted_local(p, end, mb, why);
	else
		p = ag_address_dot_local(p, end, mb, why);
	if (p == NULL)
		return NULL;
	if (p == end || *p != '@') {
		*why = ag_address_after_local(p, end);
		return NULL;
	}
	return ag_address_domain(p + 1, end, mb, why);
}

/* ag_from_comment - a (nested) comment at P->p, searched for addresses */
static int ag_from_comment(ag_from_parser_t *P)
{
	const char *start = P->p, *p = P->p;
	ag_addrscan_t scan;
	size_t depth = 0;

	for (; p < P->end; p++) {
		if (*p == '\\') {
			if (p + 1 < P->end && (p[1] == '\r' || p[1] == '\n')) {
				P->why = "quoted-pair of a line break";
				return -1;
			}
			p++;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && --depth == 0) {
			break;
		}
	}
	if (p >= P->end) {
		P->why = "unbalanced comment";
		return -1;
	}
	P->p = p + 1;
	ag_addrscan_init(&scan, NULL, 0);
	P->why = ag_addrscan_text(&scan, start + 1, (size_t)(p - start - 1));
	return P->why != NULL ? -1 : 0;
}

/* ag_from_cfws - skip white space and comments: -1, or whether any */
static int ag_from_cfws(ag_from_parser_t *P)
{
	const char *start = P->p;

	while (P->p < P->end) {
		if (ag_address_is_wsp((unsigned char)*P->p))
			P->p++;
		else if (*P->p != '(')
			break;
		else if (ag_from_comment(P) != 0)
			return -1;
	}
	return P->p != start;
}

/* ag_from_display - search a display name for addresses */
static int ag_from_display(ag_from_parser_t *P, const char *phrase,
                           const char *phrase_end, const ag_mailbox_t *mb)
{
	ag_addrscan_t scan;

	ag_addrscan_init(&scan, mb->domain,
	                 P->options->allow_foreign_display_address);
	P->why = ag_addrscan_text(&scan, phrase, (size_t)(phrase_end - phrase));
	return P->why != NULL ? -1 : 0;
}

/* ag_from_angle - "<" addr-spec ">" after a phrase, which is then checked */
static int ag_from_angle(ag_from_parser_t *P, ag_mailbox_t *mb,
                         const char *phrase, const char *phrase_end)
{
	const char *p;

	P->p++;
	if (ag_from_cfws(P) < 0)
		return -1;
	if (P->p < P->end && strchr("@,<>", *P->p) != NULL) {
		P->why = *P->p == '<'   ? "nested angle brackets"
		         : *P->p == '>' ? "empty angle address"
		                        : "route address";
		return -1;
	}
	if ((p = ag_address_addr_spec(P->p, P->end, mb, &P->why)) == NULL)
		return -1;
	P->p = p;
	if (ag_from_cfws(P) < 0)
		return -1;
	if (P->p == P->end || *P->p != '>') {
		P->why = P->p == P->end ? "unbalanced angle bracket"
		                        : "unexpected character in address";
		return -1;
	}
	P->p++;
	return ag_from_display(P, phrase, phrase_end, mb);
}

/* ag_from_no_address - why a phrase is not followed by an address */
static const char *ag_from_no_address(char c, int words, const char *phrase,
                                      const char *phrase_end)
{
	switch (c) {
	case ':':
	case ';':
		return "group syntax";
	case '\0':
	case ',':
		if (words == 0)
			return "empty mailbox";
		if (ag_address_has_ew(phrase, (size_t)(phrase_end - phrase)))
			return "encoded-word as the address";
		return "no address";
	case '>':
		return "unbalanced angle bracket";
	case ')':
		return "unbalanced comment";
	case '[':
	case ']':
		return "domain literal";
	case '\\':
		return "quoted-pair outside quotes";
	default:
		return "unexpected character";
	}
}

/* ag_from_word - one atom run or quoted-string of a phrase, or 0 */
static int ag_from_word(ag_from_parser_t *P)
{
	unsigned char c = (unsigned char)*P->p;

	if (c == '.' || ag_char_is(c, AG_CH_ATEXT)) {
		P->p += ag_address_atoms(P->p, P->end);
		return 1;
	}
	if (c != '"')
		return 0;
	P->p = ag_address_quoted(P->p, P->end, NULL, 0, NULL, &P->why);
	return P->p != NULL ? 1 : -1;
}

/* ag_from_mailbox - one mailbox of the list */
static int ag_from_mailbox(ag_from_parser_t *P, ag_mailbox_t *mb, int *angle)
{
	const char *phrase, *phrase_end, *first = NULL;
	int words = 0, r;
	char c;

	if (ag_from_cfws(P) < 0)
		return -1;
	phrase = phrase_end = P->p;
	while (P->p < P->end && (r = ag_from_word(P)) != 0) {
		if (r < 0)
			return -1;
		if (words++ == 0)
			first = phrase_end;
		phrase_end = P->p;
		if (ag_from_cfws(P) < 0)
			return -1;
	}
	c = P->p < P->end ? *P->p : '\0';
	*angle = c == '<';
	if (c == '<')
		return ag_from_angle(P, mb, phrase, phrase_end);
	if (c != '@' || words == 0) {
		P->why = c == '@'
		             ? "empty local part"
		             : ag_from_no_address(c, words, phrase, phrase_end);
		return -1;
	}
	if (words > 1) {
		P->why = "unquoted '@' in display name";
		return -1;
	}
	P->p = ag_address_addr_spec(first, P->end, mb, &P->why);
	return P->p != NULL ? 0 : -1;
}

/* ag_from_after - why a mailbox is followed by something else than ',' */
static const char *ag_from_after(char c, int angle)
{
	if (c == '<')
		return angle ? "two angle addresses"
		             : "unquoted '@' in display name";
	if (c == ';' || c == ':')
		return "group syntax";
	if (c == '>')
		return "unbalanced angle bracket";
	if (c == ')')
		return "unbalanced comment";
	return "text after address";
}

/* ag_from_parse - exactly one mailbox, strictly */
ag_from_status_t ag_from_parse(const char *value, size_t len,
                               const ag_from_options_t *options,
                               ag_mailbox_t *out, const char **why)
{
	static const ag_from_options_t defaults;
	ag_from_parser_t P = {value, value + len,
	                      options != NULL ? options : &defaults, NULL};
	ag_mailbox_t first, extra;
	const char *ignored;
	int count = 0, angle;

	if (why == NULL)
		why = &ignored;
	if (out == NULL)
		out = &first;
	memset(out, 0, sizeof(*out));
	if (value == NULL) {
		*why = "no From value";
		return AG_FROM_INVALID;
	}
	if (ag_address_text_check(value, len, 1, &P.why) != 0)
		goto invalid;
	for (;;) {
		if (ag_from_mailbox(&P, count == 0 ? out : &extra, &angle) !=
		        0 ||
		    ag_from_cfws(&P) < 0)
			goto invalid;
		count++;
		if (P.p == P.end)
			break;
		if (*P.p != ',') {
			P.why = ag_from_after(*P.p, angle);
			goto invalid;
		}
		P.p++;
	}
	*why = NULL;
	return count == 1 ? AG_FROM_OK : AG_FROM_MULTIPLE_MAILBOXES;
invalid:
	memset(out, 0, sizeof(*out));
	*why = P.why;
	return AG_FROM_INVALID;
}

/* ag_envfrom_parse - the MAIL FROM reverse-path */
ag_envfrom_status_t ag_envfrom_parse(const char *arg, ag_mailbox_t *out,
                                     const char **why)
{
	const char *ignored, *p, *end;
	size_t len;

	if (why == NULL)
		why = &ignored;
	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (arg == NULL || (len = strnlen(arg, AG_ENVFROM_MAX + 1)) == 0) {
		*why = "empty envelope sender";
		return AG_ENVFROM_INVALID;
	}
	if (len > AG_ENVFROM_MAX) {
		*why = "envelope sender too long";
		return AG_ENVFROM_INVALID;
	}
	if (ag_address_text_check(arg, len, 0, why) != 0)
		return AG_ENVFROM_INVALID;
	p = arg;
	end = arg + len;
	if ((*p == '<') != (end[-1] == '>')) {
		*why = "unbalanced angle bracket";
		return AG_ENVFROM_INVALID;
	}
	if (*p == '<')
		p++, end--;
	if (p == end)
		return AG_ENVFROM_NULL;
	if (*p == '@' || *p == ',') {
		*why = "source route";
		return AG_ENVFROM_INVALID;
	}
	p = ag_address_addr_spec(p, end, out, why);
	if (p == NULL || p != end) {
		if (p != NULL)
			*why = "text after address";
		memset(out, 0, sizeof(*out));
		return AG_ENVFROM_INVALID;
	}
	return AG_ENVFROM_OK;
}

/* ag_header_name_is - header name comparison, trailing blanks ignored */
int ag_header_name_is(const char *name, const char *want)
{
	size_t n;

	if (name == NULL || want == NULL)
		return 0;
	n = strlen(want);
	if (strncasecmp(name, want, n) != 0)
		return 0;
	for (name += n; *name == ' ' || *name == '\t'; name++)
		;
	return *name == '\0';
}

/* ag_header_blanks - index of the first non-blank at or after i */
static size_t ag_header_blanks(const char *v, size_t i, size_t len)
{
	while (i < len && (v[i] == ' ' || v[i] == '\t'))
		i++;
	return i;
}

/* ag_header_hides_from - a continuation line that starts like "From:" */
int ag_header_hides_from(const char *value, size_t len)
{
	for (size_t i = 0; value != NULL && i < len; i++) {
		size_t j = i + 1;
		if (value[i] != '\n' && value[i] != '\r')
			continue;
		if (j >= len || (value[j] != ' ' && value[j] != '\t'))
			continue;
		j = ag_header_blanks(value, j, len);
		if (len - j < 4 || strncasecmp(value + j, "from", 4) != 0)
			continue;
		j = ag_header_blanks(value, j + 4, len);
		if (j < len && value[j] == ':')
			return 1;
	}
	return 0;
}
