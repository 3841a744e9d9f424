/*
 * dmarc.c - DMARC record parsing and policy discovery (see dmarc.h).
 *
 * Tags are read from a table (name, value parser); a parser answers 0, -1
 * for a bad value (the tag keeps its default and a warning is noted) or -2
 * when out of memory.
 */
#include "dmarc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AG_DMARC_BAD   (-1)
#define AG_DMARC_NOMEM (-2)

typedef int (*ag_dmarc_tag_fn)(ag_dmarc_record_t *rec, const char *v, size_t n);

static int ag_dmarc_tag_p(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_sp(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_adkim(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_aspf(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_pct(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_rua(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_ruf(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_fo(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_rf(ag_dmarc_record_t *rec, const char *v, size_t n);
static int ag_dmarc_tag_ri(ag_dmarc_record_t *rec, const char *v, size_t n);

static const struct {
	const char *name;
	ag_dmarc_tag_fn parse;
} ag_dmarc_tags[] = {
    {"p", ag_dmarc_tag_p},         {"sp", ag_dmarc_tag_sp},
    {"adkim", ag_dmarc_tag_adkim}, {"aspf", ag_dmarc_tag_aspf},
    {"pct", ag_dmarc_tag_pct},     {"rua", ag_dmarc_tag_rua},
    {"ruf", ag_dmarc_tag_ruf},     {"fo", ag_dmarc_tag_fo},
    {"rf", ag_dmarc_tag_rf},       {"ri", ag_dmarc_tag_ri},
};

#define AG_DMARC_NTAGS (sizeof(ag_dmarc_tags) / sizeof(ag_dmarc_tags[0]))

static const char *const ag_dmarc_policies[] = {
    [AG_DMARC_POLICY_INVALID] = "invalid",
    [AG_DMARC_POLICY_NONE] = "none",
    [AG_DMARC_POLICY_QUARANTINE] = "quarantine",
    [AG_DMARC_POLICY_REJECT] = "reject",
};

/* ag_dmarc_policy_name - the name of a policy */
const char *ag_dmarc_policy_name(ag_dmarc_policy_t policy)
{
	if ((unsigned)policy > AG_DMARC_POLICY_REJECT)
		return "invalid";
	return ag_dmarc_policies[policy];
}

/* ag_dmarc_status_name - the name of a discovery status */
const char *ag_dmarc_status_name(ag_dmarc_status_t status)
{
	switch (status) {
	case AG_DMARC_FOUND:
		return "found";
	case AG_DMARC_MISSING:
		return "missing";
	case AG_DMARC_TEMPERROR:
		return "temperror";
	}
	return "unknown";
}

/* ag_dmarc_is_space - white space around tags and values */
static int ag_dmarc_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ag_dmarc_in - whether c is one of set (never NUL) */
static int ag_dmarc_in(char c, const char *set)
{
	return c != '\0' && strchr(set, c) != NULL;
}

/* ag_dmarc_trim - drop white space at both ends of (*s, *n) */
static void ag_dmarc_trim(const char **s, size_t *n)
{
	while (*n > 0 && ag_dmarc_is_space(**s))
		(*s)++, (*n)--;
	while (*n > 0 && ag_dmarc_is_space((*s)[*n - 1]))
		(*n)--;
}

/* ag_dmarc_split - the next item of a list separated by sep: (*item,
 * *item_len), trimmed; advances (*s, *n); 0 at the end */
static int ag_dmarc_split(const char **s, size_t *n, char sep,
                          const char **item, size_t *item_len)
{
	const char *end;

	if (*s == NULL)
		return 0;
	end = memchr(*s, sep, *n);
	*item = *s;
	*item_len = end != NULL ? (size_t)(end - *s) : *n;
	ag_dmarc_trim(item, item_len);
	if (end == NULL) {
		*s = NULL;
	} else {
		*n -= (size_t)(end + 1 - *s);
		*s = end + 1;
	}
	return 1;
}

/* ag_dmarc_keyword - index of v among NULL-terminated words, or -1 */
static int ag_dmarc_keyword(const char *v, size_t n, const char *const *words)
{
	for (int i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) == n && strncasecmp(v, words[i], n) == 0)
			return i;
	return -1;
}

/* ag_dmarc_policy - none / quarantine / reject */
static ag_dmarc_policy_t ag_dmarc_policy(const char *v, size_t n)
{
	static const char *const words[] = {"none", "quarantine", "reject",
	                                    NULL};
	int i = ag_dmarc_keyword(v, n, words);

	return i < 0 ? AG_DMARC_POLICY_INVALID : (ag_dmarc_policy_t)(i + 1);
}

/* ag_dmarc_tag_p - p= */
static int ag_dmarc_tag_p(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	rec->p = ag_dmarc_policy(v, n);
	return rec->p == AG_DMARC_POLICY_INVALID ? AG_DMARC_BAD : 0;
}

/* ag_dmarc_tag_sp - sp= */
static int ag_dmarc_tag_sp(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	rec->sp_given = 1;
	rec->sp = ag_dmarc_policy(v, n);
	return rec->sp == AG_DMARC_POLICY_INVALID ? AG_DMARC_BAD : 0;
}

/* ag_dmarc_alignment - r or s */
static int ag_dmarc_alignment(const char *v, size_t n, ag_alignment_t *out)
{
	static const char *const words[] = {"r", "s", NULL};
	int i = ag_dmarc_keyword(v, n, words);

	if (i < 0)
		return AG_DMARC_BAD;
	*out = i == 0 ? AG_ALIGN_RELAXED : AG_ALIGN_STRICT;
	return 0;
}

/* ag_dmarc_tag_adkim - adkim= */
static int ag_dmarc_tag_adkim(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	return ag_dmarc_alignment(v, n, &rec->adkim);
}

/* ag_dmarc_tag_aspf - aspf= */
static int ag_dmarc_tag_aspf(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	return ag_dmarc_alignment(v, n, &rec->aspf);
}

/* ag_dmarc_number - a decimal number of at most max_digits, at most max */
static int ag_dmarc_number(const char *v, size_t n, size_t max_digits,
                           uint64_t max, uint64_t *out)
{
	uint64_t value = 0;

	if (n == 0 || n > max_digits)
		return AG_DMARC_BAD;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return AG_DMARC_BAD;
		value = value * 10 + (uint64_t)(v[i] - '0');
	}
	if (value > max)
		return AG_DMARC_BAD;
	*out = value;
	return 0;
}

/* ag_dmarc_tag_pct - pct=, 1*3DIGIT, 0..100 */
static int ag_dmarc_tag_pct(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	uint64_t pct;

	if (ag_dmarc_number(v, n, 3, 100, &pct) < 0)
		return AG_DMARC_BAD;
	rec->pct = (unsigned)pct;
	return 0;
}

/* ag_dmarc_tag_ri - ri=, seconds as a 32-bit number */
static int ag_dmarc_tag_ri(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	uint64_t ri;

	if (ag_dmarc_number(v, n, 10, UINT32_MAX, &ri) < 0)
		return AG_DMARC_BAD;
	rec->ri = (uint32_t)ri;
	return 0;
}

/* ag_dmarc_tag_fo - fo=, a ":" list of 0 1 d s */
static int ag_dmarc_tag_fo(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	static const char *const words[] = {"0", "1", "d", "s", NULL};
	const char *item;
	size_t len;
	unsigned fo = 0;

	while (ag_dmarc_split(&v, &n, ':', &item, &len)) {
		int i = ag_dmarc_keyword(item, len, words);
		if (i < 0)
			return AG_DMARC_BAD;
		fo |= 1u << i;
	}
	rec->fo = fo;
	return 0;
}

/* ag_dmarc_tag_rf - rf=, a ":" list of keywords (kept as written) */
static int ag_dmarc_tag_rf(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	const char *s = v, *item;
	size_t left = n, len;
	char *copy;

	while (ag_dmarc_split(&s, &left, ':', &item, &len)) {
		if (len == 0 || !isalpha((unsigned char)item[0]))
			return AG_DMARC_BAD;
		for (size_t i = 0; i < len; i++)
			if (!isalnum((unsigned char)item[i]) && item[i] != '-')
				return AG_DMARC_BAD;
	}
	if ((copy = strndup(v, n)) == NULL)
		return AG_DMARC_NOMEM;
	free(rec->rf);
	rec->rf = copy;
	return 0;
}

/* ag_dmarc_uri_len - the length of a valid dmarc-uri without its
 * "!size" suffix, or 0 when it is not valid */
static size_t ag_dmarc_uri_len(const char *s, size_t n)
{
	const char *bang = memchr(s, '!', n);
	size_t len = bang != NULL ? (size_t)(bang - s) : n, i = 1;

	if (bang != NULL) {
		size_t k = len + 1, digits = 0;
		while (k < n && isdigit((unsigned char)s[k]))
			k++, digits++;
		if (digits == 0 ||
		    (k < n && (k + 1 != n || !ag_dmarc_in(s[k], "kmgtKMGT"))))
			return 0;
	}
	if (len == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	while (i < len &&
	       (isalnum((unsigned char)s[i]) || ag_dmarc_in(s[i], "+-.")))
		i++;
	if (i + 1 >= len || s[i] != ':')
		return 0;
	for (; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return len;
}

/* ag_dmarc_uris - a "," list of report URIs: the valid ones kept */
static int ag_dmarc_uris(const char *v, size_t n, char ***list, size_t *count)
{
	const char *item;
	size_t len;
	int rc = 0;

	while (ag_dmarc_split(&v, &n, ',', &item, &len)) {
		size_t uri = ag_dmarc_uri_len(item, len);
		char **grown;
		if (uri == 0) {
			rc = AG_DMARC_BAD;
			continue;
		}
		if ((grown = realloc(*list, (*count + 1) * sizeof(*grown))) ==
		    NULL)
			return AG_DMARC_NOMEM;
		*list = grown;
		if ((grown[*count] = strndup(item, uri)) == NULL)
			return AG_DMARC_NOMEM;
		(*count)++;
	}
	return rc;
}

/* ag_dmarc_tag_rua - rua= */
static int ag_dmarc_tag_rua(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	return ag_dmarc_uris(v, n, &rec->rua, &rec->rua_count);
}

/* ag_dmarc_tag_ruf - ruf= */
static int ag_dmarc_tag_ruf(ag_dmarc_record_t *rec, const char *v, size_t n)
{
	return ag_dmarc_uris(v, n, &rec->ruf, &rec->ruf_count);
}

/* ag_dmarc_warn - note a tag ignored for a problem (the first is kept) */
static void ag_dmarc_warn(ag_dmarc_record_t *rec, const char *fmt, ...)
{
	va_list ap;

	if (rec->warnings++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(rec->warning, sizeof(rec->warning), fmt, ap);
	va_end(ap);
}

/* ag_dmarc_is_record - v=DMARC1 first */
int ag_dmarc_is_record(const char *text, size_t len)
{
	const char *tag, *v;
	size_t n;

	if (!ag_dmarc_split(&text, &len, ';', &tag, &n) || n == 0 ||
	    (v = memchr(tag, '=', n)) == NULL)
		return 0;
	size_t name = (size_t)(v - tag), vn = n - name - 1;
	ag_dmarc_trim(&tag, &name);
	v++;
	ag_dmarc_trim(&v, &vn);
	return name == 1 && (tag[0] == 'v' || tag[0] == 'V') && vn == 6 &&
	       memcmp(v, "DMARC1", 6) == 0;
}

/* ag_dmarc_tag - one "name=value" after v=; 0 or AG_DMARC_NOMEM */
static int ag_dmarc_tag(ag_dmarc_record_t *rec, const char *tag, size_t n,
                        unsigned *seen)
{
	const char *eq = memchr(tag, '=', n), *v;
	size_t name, vn;
	int rc;

	if (eq == NULL) {
		ag_dmarc_warn(rec, "'%.*s' is no tag=value",
		              (int)(n > 40 ? 40 : n), tag);
		return 0;
	}
	name = (size_t)(eq - tag);
	v = eq + 1;
	vn = n - name - 1;
	ag_dmarc_trim(&tag, &name);
	ag_dmarc_trim(&v, &vn);
	for (size_t i = 0; i < AG_DMARC_NTAGS; i++) {
		if (strlen(ag_dmarc_tags[i].name) != name ||
		    strncasecmp(tag, ag_dmarc_tags[i].name, name) != 0)
			continue;
		if (*seen & (1u << i)) {
			ag_dmarc_warn(rec, "%s= given twice",
			              ag_dmarc_tags[i].name);
			return 0;
		}
		*seen |= 1u << i;
		if ((rc = ag_dmarc_tags[i].parse(rec, v, vn)) == AG_DMARC_BAD)
			ag_dmarc_warn(rec, "bad %s= value '%.*s'",
			              ag_dmarc_tags[i].name,
			              (int)(vn > 40 ? 40 : vn), v);
		return rc == AG_DMARC_NOMEM ? rc : 0;
	}
	return 0; /* unknown tags are ignored */
}

/* ag_dmarc_new - a record with the defaults of RFC 7489 6.3 */
static ag_dmarc_record_t *ag_dmarc_new(const char *text, size_t len)
{
	ag_dmarc_record_t *rec = calloc(1, sizeof(*rec));

	if (rec == NULL)
		return NULL;
	rec->adkim = rec->aspf = AG_ALIGN_RELAXED;
	rec->pct = 100;
	rec->fo = AG_DMARC_FO_0;
	rec->ri = 86400;
	rec->text = strndup(text, len);
	return rec->text != NULL ? rec : ag_dmarc_record_free(rec);
}

/* ag_dmarc_parse - parse one record */
ag_dmarc_record_t *ag_dmarc_parse(const char *text, size_t len, char *err,
                                  size_t errsize)
{
	ag_dmarc_record_t *rec;
	const char *tag;
	size_t n;
	unsigned seen = 0;

	if (!ag_dmarc_is_record(text, len)) {
		snprintf(err, errsize, "not a DMARC record (v=DMARC1 first)");
		return NULL;
	}
	if ((rec = ag_dmarc_new(text, len)) == NULL)
		goto nomem;
	ag_dmarc_split(&text, &len, ';', &tag, &n); /* v=DMARC1 */
	while (ag_dmarc_split(&text, &len, ';', &tag, &n))
		if (n > 0 && ag_dmarc_tag(rec, tag, n, &seen) == AG_DMARC_NOMEM)
			goto nomem;
	if (!rec->sp_given)
		rec->sp = rec->p;
	if (rec->rf == NULL && (rec->rf = strdup("afrf")) == NULL)
		goto nomem;
	return rec;
nomem:
	snprintf(err, errsize, "out of memory");
	return ag_dmarc_record_free(rec);
}

/* ag_dmarc_strings_free - free a list of strings */
static void ag_dmarc_strings_free(char **list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(list[i]);
	free(list);
}

/* ag_dmarc_record_free - release a record */
ag_dmarc_record_t *ag_dmarc_record_free(ag_dmarc_record_t *record)
{
	if (record == NULL)
		return NULL;
	ag_dmarc_strings_free(record->rua, record->rua_count);
	ag_dmarc_strings_free(record->ruf, record->ruf_count);
	free(record->rf);
	free(record->text);
	free(record);
	return NULL;
}

/* ag_dmarc_discovery_clear - free what a discovery holds */
void ag_dmarc_discovery_clear(ag_dmarc_discovery_t *out)
{
	ag_dmarc_record_free(out->record);
	memset(out, 0, sizeof(*out));
}

/* ag_dmarc_detail - say what was found or why not */
static ag_dmarc_status_t ag_dmarc_detail(ag_dmarc_discovery_t *out,
                                         ag_dmarc_status_t status,
                                         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
	return out->status = status;
}

/*
 * ag_dmarc_at - look up _dmarc.<domain>: *count gets the number of DMARC
 * records there, and out->record the record when there is exactly one.
 * Returns TEMPERROR, or MISSING meaning "go on".
 */
static ag_dmarc_status_t ag_dmarc_at(ag_resolver_t *resolver,
                                     const char *domain, unsigned timeout_ms,
                                     ag_dmarc_discovery_t *out, size_t *count)
{
	char name[300], err[64];
	ag_dns_answer_t *a;
	const ag_dns_rr_t *one = NULL;

	*count = 0;
	snprintf(out->domain, sizeof(out->domain), "%s", domain);
	if (snprintf(name, sizeof(name), "_dmarc.%s", domain) > 253)
		return AG_DMARC_MISSING; /* no such name can exist */
	if ((a = ag_resolver_query(resolver, name, AG_DNS_TXT, timeout_ms)) ==
	    NULL)
		return ag_dmarc_detail(out, AG_DMARC_TEMPERROR,
		                       "out of memory");
	out->ttl = a->ttl;
	if (a->status == AG_DNS_TEMPFAIL) {
		ag_dmarc_detail(out, AG_DMARC_TEMPERROR,
		                "DNS error looking up %s: %s", name,
		                a->error ? a->error : "tempfail");
		ag_dns_answer_free(a);
		return AG_DMARC_TEMPERROR;
	}
	for (size_t i = 0; a->status == AG_DNS_OK && i < a->count; i++)
		if (ag_dmarc_is_record(a->rrs[i].data, a->rrs[i].len))
			one = &a->rrs[i], (*count)++;
	if (*count == 1 &&
	    (out->record = ag_dmarc_parse(one->data, one->len, err,
	                                  sizeof(err))) == NULL) {
		ag_dns_answer_free(a);
		return ag_dmarc_detail(out, AG_DMARC_TEMPERROR, "%s", err);
	}
	ag_dns_answer_free(a);
	return AG_DMARC_MISSING;
}

/* ag_dmarc_judge - RFC 7489 6.6.3 step 6 on the one record found */
static ag_dmarc_status_t ag_dmarc_judge(ag_dmarc_discovery_t *out)
{
	ag_dmarc_record_t *rec = out->record;
	int as_none = rec->p == AG_DMARC_POLICY_INVALID ||
	              rec->sp == AG_DMARC_POLICY_INVALID;

	if (as_none && rec->rua_count == 0) {
		out->record = ag_dmarc_record_free(rec);
		return ag_dmarc_detail(out, AG_DMARC_MISSING,
		                       "_dmarc.%s has no valid p=/sp= and no "
		                       "rua=: no policy",
		                       out->domain);
	}
	if (as_none)
		rec->p = rec->sp = AG_DMARC_POLICY_NONE;
	out->policy = out->at_org ? rec->sp : rec->p;
	return ag_dmarc_detail(out, AG_DMARC_FOUND, "%s=%s at _dmarc.%s%s",
	                       out->at_org ? "sp" : "p",
	                       ag_dmarc_policy_name(out->policy), out->domain,
	                       as_none ? " (no valid p=/sp=; rua= given)" : "");
}

/* ag_dmarc_discover - policy discovery */
ag_dmarc_status_t ag_dmarc_discover(ag_resolver_t *resolver,
                                    const char *from_domain,
                                    const char *org_domain, unsigned timeout_ms,
                                    ag_dmarc_discovery_t *out)
{
	size_t count;

	memset(out, 0, sizeof(*out));
	if (ag_dmarc_at(resolver, from_domain, timeout_ms, out, &count) ==
	    AG_DMARC_TEMPERROR)
		return AG_DMARC_TEMPERROR;
	if (count == 0 && org_domain != NULL &&
	    strcasecmp(org_domain, from_domain) != 0) {
		out->at_org = 1;
		if (ag_dmarc_at(resolver, org_domain, timeout_ms, out,
		                &count) == AG_DMARC_TEMPERROR)
			return AG_DMARC_TEMPERROR;
	}
	if (count == 0)
		return ag_dmarc_detail(
		    out, AG_DMARC_MISSING, "no DMARC record at _dmarc.%s%s%s",
		    from_domain, out->at_org ? " or _dmarc." : "",
		    out->at_org ? org_domain : "");
	if (count > 1)
		return ag_dmarc_detail(out, AG_DMARC_MISSING,
		                       "%zu DMARC records at _dmarc.%s: no "
		                       "policy",
		                       count, out->domain);
	return ag_dmarc_judge(out);
}
