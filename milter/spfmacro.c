/*
 * spfmacro.c - SPF macros (RFC 7208 section 7) and domain-specs.
 *
 * One scanner reads a macro-string token by token; syntax checking and
 * expansion both use it, so they cannot disagree. A macro's value is split
 * on its delimiters (default "."), reversed with "r", cut to its N
 * right-most parts, joined with "." and, for an upper-case letter,
 * URL-escaped. The letters c, r and t are allowed in explanations only.
 */
#include "spfint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum ag_spf_tok_kind {
	AG_SPF_TOK_LITERAL, /* one octet copied as is */
	AG_SPF_TOK_ESCAPE,  /* %% %_ %- */
	AG_SPF_TOK_MACRO    /* %{...} */
} ag_spf_tok_kind_t;

typedef struct ag_spf_tok {
	ag_spf_tok_kind_t kind;
	size_t len;      /* octets of input consumed */
	const char *out; /* LITERAL, ESCAPE: what it stands for */
	size_t out_len;
	char letter;   /* MACRO: lower-case letter */
	int upper;     /* MACRO: URL-escape the value */
	unsigned keep; /* MACRO: right-most parts kept, 0 = all */
	int reverse;
	char delims[8]; /* MACRO: NUL-terminated, "" = "." */
} ag_spf_tok_t;

#define AG_SPF_UNRESERVED "-._~"

/* ag_spf_buf_add - append octets */
void ag_spf_buf_add(ag_spf_buf_t *buf, const char *s, size_t n)
{
	if (buf->failed)
		return;
	if (buf->len + n + 1 > buf->cap) {
		size_t cap = buf->cap ? buf->cap : 128;
		char *grown;
		if (buf->len + n + 1 > AG_SPF_EXPAND_MAX) {
			buf->failed = 1;
			return;
		}
		while (cap < buf->len + n + 1)
			cap *= 2;
		if ((grown = realloc(buf->data, cap)) == NULL) {
			buf->failed = 1;
			return;
		}
		buf->data = grown;
		buf->cap = cap;
	}
	if (n > 0)
		memcpy(buf->data + buf->len, s, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
}

/* ag_spf_buf_free - release a buffer */
void ag_spf_buf_free(ag_spf_buf_t *buf)
{
	free(buf->data);
	memset(buf, 0, sizeof(*buf));
}

/* ag_spf_macro_letter - whether a letter may appear under flags */
static int ag_spf_macro_letter(char c, int flags)
{
	if (strchr("slodiphv", c) != NULL)
		return 1;
	return (flags & AG_SPF_MACRO_EXPLAIN) && strchr("crt", c) != NULL;
}

/* ag_spf_macro_brace - scan "{letter digits [r] delimiters}" at s */
static int ag_spf_macro_brace(const char *s, size_t len, int flags,
                              ag_spf_tok_t *t, const char **why)
{
	size_t i = 1, nd = 0;
	int digits = 0;
	char c = len > i ? s[i] : '\0';

	if (c == '\0' ||
	    !ag_spf_macro_letter((char)tolower((unsigned char)c), flags))
		return *why = "unknown or misplaced macro letter", -1;
	t->letter = (char)tolower((unsigned char)c);
	t->upper = isupper((unsigned char)c) != 0;
	for (i++; i < len && isdigit((unsigned char)s[i]); i++, digits = 1)
		if (t->keep < 1000)
			t->keep = t->keep * 10 + (unsigned)(s[i] - '0');
	if (digits && t->keep == 0)
		return *why = "macro transformer 0", -1;
	if (i < len && (s[i] == 'r' || s[i] == 'R'))
		t->reverse = 1, i++;
	for (; i < len && s[i] != '\0' && strchr(".-+,/_=", s[i]) != NULL; i++)
		if (nd < sizeof(t->delims) - 1 && !memchr(t->delims, s[i], nd))
			t->delims[nd++] = s[i];
	if (i >= len || s[i] != '}')
		return *why = "unterminated or malformed macro", -1;
	t->len = i + 1;
	return 0;
}

/* ag_spf_macro_next - read one token at s */
static int ag_spf_macro_next(const char *s, size_t len, int flags,
                             ag_spf_tok_t *t, const char **why)
{
	unsigned char c = (unsigned char)s[0];

	memset(t, 0, sizeof(*t));
	if (c != '%') {
		int ok = (c >= 0x21 && c <= 0x7e) ||
		         (c == ' ' && (flags & AG_SPF_MACRO_EXPLAIN));
		if (!ok)
			return *why = "invalid character", -1;
		*t = (ag_spf_tok_t){.kind = AG_SPF_TOK_LITERAL,
		                    .len = 1,
		                    .out = s,
		                    .out_len = 1};
		return 0;
	}
	t->len = 2;
	t->kind = AG_SPF_TOK_ESCAPE;
	switch (len > 1 ? s[1] : '\0') {
	case '%':
		t->out = "%", t->out_len = 1;
		return 0;
	case '_':
		t->out = " ", t->out_len = 1;
		return 0;
	case '-':
		t->out = "%20", t->out_len = 3;
		return 0;
	case '{':
		t->kind = AG_SPF_TOK_MACRO;
		return ag_spf_macro_brace(s + 1, len - 1, flags, t, why) < 0
		           ? -1
		           : (t->len++, 0);
	default:
		return *why = "'%' not followed by '{', '%', '_' or '-'", -1;
	}
}

/* ag_spf_macro_scan - check a macro-string; *tail receives the offset just
 * past its last macro or escape (0 if none) */
static int ag_spf_macro_scan(const char *s, size_t len, int flags, size_t *tail,
                             const char **why)
{
	ag_spf_tok_t t;

	*tail = 0;
	for (size_t i = 0; i < len; i += t.len) {
		if (ag_spf_macro_next(s + i, len - i, flags, &t, why) < 0)
			return -1;
		if (t.kind != AG_SPF_TOK_LITERAL)
			*tail = i + t.len;
	}
	return 0;
}

/* ag_spf_macro_valid - macro-string syntax */
int ag_spf_macro_valid(const char *s, size_t len, int flags, const char **why)
{
	size_t tail;

	return ag_spf_macro_scan(s, len, flags, &tail, why);
}

/* ag_spf_toplabel_valid - RFC 7208 toplabel: LDH, not all digits unless it
 * has a dash, no dash first or last */
static int ag_spf_toplabel_valid(const char *s, size_t len)
{
	int alpha = 0, dash = 0;

	if (len == 0 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '-')
			dash = 1;
		else if (isalpha(c))
			alpha = 1;
		else if (!isdigit(c))
			return 0;
	}
	return alpha || dash;
}

/* ag_spf_domain_spec_valid - domain-spec syntax */
int ag_spf_domain_spec_valid(const char *s, size_t len, const char **why)
{
	size_t tail;
	const char *dot;

	if (len == 0)
		return *why = "empty domain-spec", -1;
	if (ag_spf_macro_scan(s, len, 0, &tail, why) < 0)
		return -1;
	if (tail == len)
		return 0;
	if (s[len - 1] == '.')
		len--;
	for (dot = s + len; dot > s + tail && dot[-1] != '.'; dot--)
		;
	if (dot == s + tail ||
	    !ag_spf_toplabel_valid(dot, (size_t)(s + len - dot)))
		return *why = "domain-spec does not end in a valid top label",
		       -1;
	return 0;
}

/* ag_spf_url_escape - append with every octet but unreserved ones %XX */
static void ag_spf_url_escape(ag_spf_buf_t *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char hex[4];
		if (isalnum(c) || (c != '\0' && strchr(AG_SPF_UNRESERVED, c))) {
			ag_spf_buf_add(out, s + i, 1);
			continue;
		}
		snprintf(hex, sizeof(hex), "%%%02X", c);
		ag_spf_buf_add(out, hex, 3);
	}
}

/* The letters whose value is a string of the context. */
static const struct {
	char letter;
	size_t offset;
} ag_spf_macro_fields[] = {
    {'s', offsetof(ag_spf_macro_ctx_t, sender)},
    {'l', offsetof(ag_spf_macro_ctx_t, local)},
    {'o', offsetof(ag_spf_macro_ctx_t, sender_domain)},
    {'d', offsetof(ag_spf_macro_ctx_t, domain)},
    {'h', offsetof(ag_spf_macro_ctx_t, helo)},
    {'r', offsetof(ag_spf_macro_ctx_t, receiver)},
};

/* ag_spf_macro_computed - the value of i c t v p into tmp */
static void ag_spf_macro_computed(const ag_spf_macro_ctx_t *ctx, char letter,
                                  char *tmp, size_t size)
{
	switch (letter) {
	case 'i':
		ag_spf_ip_dotted(ctx->ip, tmp, size);
		break;
	case 'c':
		ag_spf_ip_text(ctx->ip, tmp, size);
		break;
	case 't':
		snprintf(tmp, size, "%lld", ctx->now);
		break;
	case 'v':
		snprintf(tmp, size, "%s", ctx->ip->v6 ? "ip6" : "in-addr");
		break;
	default: /* p */
		snprintf(tmp, size, "unknown");
		if (ctx->ptr_name != NULL)
			ctx->ptr_name(ctx->arg, ctx->domain, tmp, size);
		break;
	}
}

/* ag_spf_macro_value - append the raw value of a macro letter */
static void ag_spf_macro_value(const ag_spf_macro_ctx_t *ctx, char letter,
                               ag_spf_buf_t *out)
{
	char tmp[AG_SPF_DOMAIN_MAX + 1];
	const char *v = NULL;
	size_t i,
	    n = sizeof(ag_spf_macro_fields) / sizeof(ag_spf_macro_fields[0]);

	for (i = 0; i < n && ag_spf_macro_fields[i].letter != letter; i++)
		;
	if (i < n) {
		v = *(const char *const *)((const char *)ctx +
		                           ag_spf_macro_fields[i].offset);
	} else {
		ag_spf_macro_computed(ctx, letter, tmp, sizeof(tmp));
		v = tmp;
	}
	if (v == NULL)
		v = "unknown";
	ag_spf_buf_add(out, v, strlen(v));
}

/* ag_spf_macro_transform - split, reverse, cut and join a value */
static int ag_spf_macro_transform(const ag_spf_tok_t *t, char *value,
                                  ag_spf_buf_t *joined)
{
	const char *delims = t->delims[0] != '\0' ? t->delims : ".";
	size_t n = 1, first = 0;
	char **parts;

	for (char *p = value; *p != '\0'; p++)
		n += strchr(delims, *p) != NULL;
	if ((parts = malloc(n * sizeof(*parts))) == NULL)
		return -1;
	n = 0;
	parts[n++] = value;
	for (char *p = value; *p != '\0'; p++)
		if (strchr(delims, *p) != NULL)
			*p = '\0', parts[n++] = p + 1;
	for (size_t i = 0; t->reverse && i < n / 2; i++) {
		char *swap = parts[i];
		parts[i] = parts[n - 1 - i];
		parts[n - 1 - i] = swap;
	}
	if (t->keep > 0 && t->keep < n)
		first = n - t->keep;
	for (size_t i = first; i < n; i++) {
		if (i > first)
			ag_spf_buf_add(joined, ".", 1);
		ag_spf_buf_add(joined, parts[i], strlen(parts[i]));
	}
	free(parts);
	return joined->failed ? -1 : 0;
}

/* ag_spf_macro_apply - expand one %{...} into out */
static int ag_spf_macro_apply(const ag_spf_macro_ctx_t *ctx,
                              const ag_spf_tok_t *t, ag_spf_buf_t *out)
{
	ag_spf_buf_t value = {0}, joined = {0};
	int rc = -1;

	ag_spf_macro_value(ctx, t->letter, &value);
	if (!value.failed &&
	    (rc = ag_spf_macro_transform(t, value.data, &joined)) == 0) {
		if (t->upper)
			ag_spf_url_escape(out, joined.data, joined.len);
		else
			ag_spf_buf_add(out, joined.data, joined.len);
	}
	ag_spf_buf_free(&value);
	ag_spf_buf_free(&joined);
	return rc;
}

/* ag_spf_macro_expand - expand a macro-string */
int ag_spf_macro_expand(const ag_spf_macro_ctx_t *ctx, const char *s,
                        size_t len, int flags, ag_spf_buf_t *out)
{
	const char *why;
	ag_spf_tok_t t;

	ag_spf_buf_add(out, "", 0); /* an empty expansion is "" */
	for (size_t i = 0; i < len; i += t.len) {
		if (ag_spf_macro_next(s + i, len - i, flags, &t, &why) < 0)
			return -1;
		if (t.kind == AG_SPF_TOK_MACRO) {
			if (ag_spf_macro_apply(ctx, &t, out) < 0)
				return -1;
		} else {
			ag_spf_buf_add(out, t.out, t.out_len);
		}
	}
	return out->failed ? -1 : 0;
}

/* ag_spf_name_valid - whether a name can be queried */
int ag_spf_name_valid(const char *name, size_t len)
{
	size_t label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > AG_SPF_DOMAIN_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] != '.') {
			if (++label > 63)
				return 0;
			continue;
		}
		if (label == 0)
			return 0;
		label = 0;
	}
	return label > 0;
}

/* ag_spf_domain_expand - expand, truncate and check a target name */
int ag_spf_domain_expand(const ag_spf_macro_ctx_t *ctx, const char *spec,
                         size_t len, char out[AG_SPF_DOMAIN_MAX + 1])
{
	ag_spf_buf_t buf = {0};
	const char *name;
	size_t n;
	int rc = -1;

	if (ag_spf_macro_expand(ctx, spec, len, 0, &buf) < 0)
		goto done;
	name = buf.data;
	n = buf.len;
	if (n > 0 && name[n - 1] == '.')
		n--;
	while (n > AG_SPF_DOMAIN_MAX) {
		const char *dot = memchr(name, '.', n);
		if (dot == NULL)
			goto done;
		n -= (size_t)(dot + 1 - name);
		name = dot + 1;
	}
	if (ag_spf_name_valid(name, n) && memchr(name, '\0', n) == NULL) {
		memcpy(out, name, n);
		out[n] = '\0';
		rc = 0;
	}
done:
	ag_spf_buf_free(&buf);
	return rc;
}
