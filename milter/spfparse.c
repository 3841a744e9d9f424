/*
 * spfparse.c - the SPF record grammar (RFC 7208 sections 4.5, 4.6, 5, 6,
 * 7.1, 12): record text to a list of directives plus redirect= and exp=.
 *
 * The whole record is checked before anything is evaluated, so a syntax
 * error anywhere is a permerror (section 4.6). Terms are separated by
 * spaces only; any octet outside printable ASCII is an error. A term whose
 * name (ALPHA *(ALPHA / DIGIT / "-" / "_" / ".")) is followed by "=" is a
 * modifier; a known modifier name never falls back to unknown-modifier.
 */
#include "spfint.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum ag_spf_arg {
	AG_SPF_ARG_NONE,     /* all */
	AG_SPF_ARG_SPEC,     /* ":" domain-spec required */
	AG_SPF_ARG_OPTIONAL, /* [":" domain-spec] */
	AG_SPF_ARG_DUAL,     /* [":" domain-spec] [dual-cidr-length] */
	AG_SPF_ARG_IP4,      /* ":" ip4-network [ip4-cidr-length] */
	AG_SPF_ARG_IP6       /* ":" ip6-network [ip6-cidr-length] */
} ag_spf_arg_t;

static const struct {
	const char *name;
	ag_spf_mech_t mech;
	ag_spf_arg_t arg;
} ag_spf_mechs[] = {
    {"all", AG_SPF_M_ALL, AG_SPF_ARG_NONE},
    {"include", AG_SPF_M_INCLUDE, AG_SPF_ARG_SPEC},
    {"a", AG_SPF_M_A, AG_SPF_ARG_DUAL},
    {"mx", AG_SPF_M_MX, AG_SPF_ARG_DUAL},
    {"ptr", AG_SPF_M_PTR, AG_SPF_ARG_OPTIONAL},
    {"ip4", AG_SPF_M_IP4, AG_SPF_ARG_IP4},
    {"ip6", AG_SPF_M_IP6, AG_SPF_ARG_IP6},
    {"exists", AG_SPF_M_EXISTS, AG_SPF_ARG_SPEC},
};

typedef struct ag_spf_parser {
	ag_spf_record_t *rec;
	const char *term; /* the term being read, for messages */
	size_t term_len;
	char *err;
	size_t errsize;
} ag_spf_parser_t;

/* ag_spf_record_is_spf - "v=spf1" then a space or the end */
int ag_spf_record_is_spf(const char *text, size_t len)
{
	return len >= 6 && strncasecmp(text, "v=spf1", 6) == 0 &&
	       (len == 6 || text[6] == ' ');
}

/* ag_spf_parse_fail - write "what in 'term'" into the error buffer */
static int ag_spf_parse_fail(ag_spf_parser_t *p, const char *what)
{
	int n = p->term_len > 64 ? 64 : (int)p->term_len;

	snprintf(p->err, p->errsize, "%s in '%.*s%s'", what, n, p->term,
	         p->term_len > 64 ? "..." : "");
	return -1;
}

/* ag_spf_parse_spec - check a domain-spec and store it in *spec */
static int ag_spf_parse_spec(ag_spf_parser_t *p, const char *s, size_t n,
                             const char **spec, size_t *spec_len)
{
	const char *why;

	if (ag_spf_domain_spec_valid(s, n, &why) < 0)
		return ag_spf_parse_fail(p, why);
	*spec = s;
	*spec_len = n;
	return 0;
}

/* ag_spf_parse_cidr - "0" or a number without leading zero, at most max */
static int ag_spf_parse_cidr(const char *s, size_t n, unsigned max,
                             unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 3 || (s[0] == '0' && n > 1))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* ag_spf_digits_before - start of the run of digits ending at s[end] */
static size_t ag_spf_digits_before(const char *s, size_t end)
{
	while (end > 0 && isdigit((unsigned char)s[end - 1]))
		end--;
	return end;
}

/* ag_spf_parse_dual - strip "[/cidr4][//cidr6]" from the end of s; returns
 * the length before it, or -1 on a bad length */
static long ag_spf_parse_dual(ag_spf_parser_t *p, const char *s, size_t n,
                              ag_spf_term_t *t)
{
	size_t j = ag_spf_digits_before(s, n), k;

	if (j == n || j == 0 || s[j - 1] != '/')
		return (long)n;
	if (j >= 2 && s[j - 2] == '/') {
		if (ag_spf_parse_cidr(s + j, n - j, 128, &t->cidr6) < 0)
			return ag_spf_parse_fail(p, "invalid IPv6 CIDR length");
		n = j - 2;
		k = ag_spf_digits_before(s, n);
		if (k == n || k == 0 || s[k - 1] != '/' ||
		    (k >= 2 && s[k - 2] == '/'))
			return (long)n;
		j = k;
	}
	if (ag_spf_parse_cidr(s + j, n - j, 32, &t->cidr4) < 0)
		return ag_spf_parse_fail(p, "invalid IPv4 CIDR length");
	return (long)j - 1;
}

/* ag_spf_parse_ip - ":" network ["/" length] for ip4 and ip6 */
static int ag_spf_parse_ip(ag_spf_parser_t *p, const char *s, size_t n,
                           ag_spf_term_t *t, int v6)
{
	const char *slash;
	char net[64];
	size_t len;

	if (n == 0 || s[0] != ':')
		return ag_spf_parse_fail(p, "missing network");
	s++, n--;
	slash = memchr(s, '/', n);
	len = slash != NULL ? (size_t)(slash - s) : n;
	if (len >= sizeof(net))
		return ag_spf_parse_fail(p, "invalid network");
	memcpy(net, s, len);
	net[len] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, net, t->net) != 1)
		return ag_spf_parse_fail(p, v6 ? "invalid IPv6 network"
		                               : "invalid IPv4 network");
	if (slash != NULL &&
	    ag_spf_parse_cidr(slash + 1, n - len - 1, v6 ? 128 : 32,
	                      v6 ? &t->cidr6 : &t->cidr4) < 0)
		return ag_spf_parse_fail(p, "invalid CIDR length");
	return 0;
}

/* ag_spf_parse_arg - what follows a mechanism name */
static int ag_spf_parse_arg(ag_spf_parser_t *p, ag_spf_arg_t arg, const char *s,
                            size_t n, ag_spf_term_t *t)
{
	long end;

	switch (arg) {
	case AG_SPF_ARG_NONE:
		return n == 0 ? 0 : ag_spf_parse_fail(p, "unexpected argument");
	case AG_SPF_ARG_IP4:
	case AG_SPF_ARG_IP6:
		return ag_spf_parse_ip(p, s, n, t, arg == AG_SPF_ARG_IP6);
	case AG_SPF_ARG_DUAL:
		if ((end = ag_spf_parse_dual(p, s, n, t)) < 0)
			return -1;
		n = (size_t)end;
		break;
	default:
		break;
	}
	if (n == 0 && arg != AG_SPF_ARG_SPEC)
		return 0;
	if (n == 0 || s[0] != ':')
		return ag_spf_parse_fail(p, n == 0 ? "missing domain-spec"
		                                   : "syntax error");
	return ag_spf_parse_spec(p, s + 1, n - 1, &t->spec, &t->spec_len);
}

/* ag_spf_parse_directive - [qualifier] mechanism */
static int ag_spf_parse_directive(ag_spf_parser_t *p, const char *s, size_t n)
{
	static const char qualifiers[] = "+-~?";
	static const ag_spf_result_t results[] = {
	    AG_SPF_PASS, AG_SPF_FAIL, AG_SPF_SOFTFAIL, AG_SPF_NEUTRAL};
	ag_spf_term_t t = {.qualifier = AG_SPF_PASS,
	                   .text = s,
	                   .text_len = n,
	                   .cidr4 = 32,
	                   .cidr6 = 128};
	const char *q = strchr(qualifiers, s[0]);
	size_t name = 0;

	if (q != NULL && *q != '\0')
		t.qualifier = results[q - qualifiers], s++, n--;
	while (name < n && isalnum((unsigned char)s[name]))
		name++;
	for (size_t i = 0; i < sizeof(ag_spf_mechs) / sizeof(ag_spf_mechs[0]);
	     i++) {
		if (strlen(ag_spf_mechs[i].name) != name ||
		    strncasecmp(s, ag_spf_mechs[i].name, name) != 0)
			continue;
		t.mech = ag_spf_mechs[i].mech;
		if (ag_spf_parse_arg(p, ag_spf_mechs[i].arg, s + name, n - name,
		                     &t) < 0)
			return -1;
		ag_spf_term_t *grown = realloc(
		    p->rec->terms, (p->rec->count + 1) * sizeof(*grown));
		if (grown == NULL)
			return ag_spf_parse_fail(p, "out of memory");
		p->rec->terms = grown;
		grown[p->rec->count++] = t;
		return 0;
	}
	return ag_spf_parse_fail(p, "unknown mechanism");
}

/* ag_spf_parse_modifier - name "=" value */
static int ag_spf_parse_modifier(ag_spf_parser_t *p, const char *s, size_t name,
                                 const char *value, size_t n)
{
	const char **spec = NULL;
	size_t *spec_len = NULL;
	const char *why;

	if (name == 0 || !isalpha((unsigned char)s[0]))
		return ag_spf_parse_fail(p, "invalid modifier name");
	if (name == 8 && strncasecmp(s, "redirect", 8) == 0)
		spec = &p->rec->redirect, spec_len = &p->rec->redirect_len;
	else if (name == 3 && strncasecmp(s, "exp", 3) == 0)
		spec = &p->rec->exp, spec_len = &p->rec->exp_len;
	if (spec == NULL) {
		if (ag_spf_macro_valid(value, n, AG_SPF_MACRO_EXPLAIN, &why) <
		    0)
			return ag_spf_parse_fail(p, why);
		return 0; /* unknown modifiers are ignored */
	}
	if (*spec != NULL)
		return ag_spf_parse_fail(p, "modifier given twice");
	return ag_spf_parse_spec(p, value, n, spec, spec_len);
}

/* ag_spf_parse_term - one modifier or directive */
static int ag_spf_parse_term(ag_spf_parser_t *p, const char *s, size_t n)
{
	size_t name = 0;

	p->term = s;
	p->term_len = n;
	while (name < n && (isalnum((unsigned char)s[name]) ||
	                    strchr("-_.", s[name]) != NULL))
		name++;
	if (name < n && s[name] == '=')
		return ag_spf_parse_modifier(p, s, name, s + name + 1,
		                             n - name - 1);
	return ag_spf_parse_directive(p, s, n);
}

/* ag_spf_parse_chars - only printable ASCII and spaces */
static int ag_spf_parse_chars(const char *text, size_t len, char *err,
                              size_t errsize)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c > 0x7e) {
			snprintf(err, errsize,
			         "invalid character 0x%02x at offset %zu", c,
			         i);
			return -1;
		}
	}
	return 0;
}

/* ag_spf_record_parse - parse a record */
ag_spf_record_t *ag_spf_record_parse(const char *text, size_t len, char *err,
                                     size_t errsize)
{
	ag_spf_parser_t p = {.err = err, .errsize = errsize};
	ag_spf_record_t *rec;

	if (!ag_spf_record_is_spf(text, len)) {
		snprintf(err, errsize, "not an SPF record");
		return NULL;
	}
	if (ag_spf_parse_chars(text, len, err, errsize) < 0)
		return NULL;
	if ((rec = calloc(1, sizeof(*rec))) == NULL ||
	    (rec->text = malloc(len + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		free(rec);
		return NULL;
	}
	memcpy(rec->text, text, len);
	rec->text[len] = '\0';
	rec->len = len;
	p.rec = rec;
	for (size_t i = 6, end; i < len; i = end) {
		for (; i < len && rec->text[i] == ' '; i++)
			;
		for (end = i; end < len && rec->text[end] != ' '; end++)
			;
		if (end > i &&
		    ag_spf_parse_term(&p, rec->text + i, end - i) < 0)
			return ag_spf_record_free(rec);
	}
	return rec;
}

/* ag_spf_record_free - release a record */
ag_spf_record_t *ag_spf_record_free(ag_spf_record_t *record)
{
	if (record == NULL)
		return NULL;
	free(record->terms);
	free(record->text);
	free(record);
	return NULL;
}
