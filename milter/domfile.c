/*
 * domfile.c - reading the verified-domain table (see domains.h for
 * the format and the diagnostics, domainsint.h for the store it fills).
 *
 * Lines and comments as in the configuration file (conftext.c); the first
 * word of a line is the domain, the others attributes, each converted by
 * its row of ag_domfile_attrs[]. A line is checked as a whole at its
 * end (keys= against selectors=), then its domain is entered in the table
 * unless the table holds it already. A file is read in blocks and fed line
 * by line, so that it is never held whole in memory.
 */
#include "domainsint.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "conftext.h"

#define AG_DOMFILE_BLOCK (1024 * 1024)
#define AG_DOMFILE_WHY_MAX 256
#define AG_DOMFILE_ECHO_MAX 80
#define AG_DOMFILE_LOCAL_MAX 64

typedef enum ag_domfile_kind {
	AG_ATTR_CHOICE,		/* int (and its has_ flag), .choices */
	AG_ATTR_DOMAIN,		/* char *, normalised */
	AG_ATTR_DOMAINS,	/* ag_strlist_t of normalised names */
	AG_ATTR_NAMES,		/* ag_strlist_t of DNS names, '_' too */
	AG_ATTR_SELECTORS,	/* ag_strlist_t of DKIM selectors */
	AG_ATTR_ACCOUNTS,	/* ag_strlist_t of SASL logins */
	AG_ATTR_ADDRESSES,	/* ag_strlist_t of local-part patterns */
	AG_ATTR_KEYS		/* keys, key_count */
} ag_domfile_kind_t;

typedef struct ag_domfile_attr {
	const char *name;
	ag_domfile_kind_t kind;
	size_t offset;			/* into ag_domain_entry_t */
	const ag_conftext_choice_t *choices;
	int has_flag;			/* and set the int at has_offset */
	size_t has_offset;
} ag_domfile_attr_t;

static const ag_conftext_choice_t ag_domfile_dkim[] = {
	{"all", 0}, {"any", 1}, {NULL, 0}
};
static const ag_conftext_choice_t ag_domfile_reply_to[] = {
	{"required", 1}, {"optional", 0}, {NULL, 0}
};

#define AG_EOFF(field) offsetof(ag_domain_entry_t, field)
#define AG_ATTR(n, k, f) {n, k, AG_EOFF(f), NULL, 0, 0}
#define AG_ATTR_ONE_OF(n, f, c) {n, AG_ATTR_CHOICE, AG_EOFF(f), c, 0, 0}
#define AG_ATTR_OVERRIDE(n, f, c) \
	{n, AG_ATTR_CHOICE, AG_EOFF(f), c, 1, AG_EOFF(has_##f)}

static const ag_domfile_attr_t ag_domfile_attrs[] = {
	AG_ATTR("send-domain", AG_ATTR_DOMAIN, send_domain),
	AG_ATTR("selectors", AG_ATTR_SELECTORS, selectors),
	AG_ATTR_ONE_OF("dkim", dkim_any, ag_domfile_dkim),
	AG_ATTR("keys", AG_ATTR_KEYS, keys),
	AG_ATTR("accounts", AG_ATTR_ACCOUNTS, accounts),
	AG_ATTR("addresses", AG_ATTR_ADDRESSES, addresses),
	AG_ATTR_ONE_OF("subdomains", subdomains, ag_conftext_booleans),
	AG_ATTR_ONE_OF("reply-to", reply_to_required, ag_domfile_reply_to),
	AG_ATTR_OVERRIDE("alignment", alignment, ag_conftext_alignments),
	AG_ATTR_OVERRIDE("action", action, ag_conftext_actions),
	AG_ATTR_OVERRIDE("mode", mode, ag_conftext_modes),
	AG_ATTR("spf-include", AG_ATTR_NAMES, spf_includes),
	AG_ATTR("mx", AG_ATTR_DOMAINS, mx_hosts),
	{NULL, AG_ATTR_CHOICE, 0, NULL, 0, 0}
};

typedef struct ag_domfile {
	ag_domains_t *table;
	const char *name;
	ag_diag_t *diag;
	ag_conftext_line_t lines;	/* where reading is */
	unsigned line;
	unsigned long errors;
	char *buf;			/* the current line, cut into words */
	size_t bufsize;
} ag_domfile_t;

/* ---- values ---- */

/* ag_domfile_local_ok - a local part or '*' pattern: dot-atom text */
static int ag_domfile_local_ok(const char *s, size_t len)
{
	static const char specials[] = "!#$%&'*+-/=?^_`{|}~.";

	if (len == 0 || len > AG_DOMFILE_LOCAL_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(c >= 0x80 || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c != '\0' && strchr(specials, c) != NULL)))
			return 0;
	}
	return 1;
}

/* ag_domfile_printable - no control characters */
static int ag_domfile_printable(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* ag_domfile_item_check - whether one list item is valid; else why */
static int ag_domfile_item_check(ag_domfile_kind_t kind, const char *s,
				 size_t len, char *why, size_t size)
{
	char echo[AG_DOMFILE_ECHO_MAX];
	const char *problem = NULL;

	if (kind == AG_ATTR_SELECTORS && !ag_conftext_ldh(s, len, 1))
		problem = "is not a DKIM selector";
	else if (kind == AG_ATTR_NAMES && !ag_conftext_ldh(s, len, 1))
		problem = "is not a domain name";
	else if (kind == AG_ATTR_ADDRESSES && memchr(s, '@', len) != NULL)
		problem = "is an address: list local parts, without @domain";
	else if (kind == AG_ATTR_ADDRESSES && !ag_domfile_local_ok(s, len))
		problem = "is not a local part or a '*' pattern of one";
	else if (kind == AG_ATTR_ACCOUNTS && !ag_domfile_printable(s, len))
		problem = "holds a control character";
	if (problem == NULL)
		return 0;
	ag_conftext_echo(s, len, echo, sizeof(echo));
	return ag_conftext_why(why, size, "'%s' %s", echo, problem);
}

/* ag_domfile_domain - normalise a name into the arena; NULL with why */
static char *ag_domfile_domain(ag_domains_t *table, const char *s,
			       size_t len, char *why, size_t size)
{
	char name[AG_DOMAIN_MAX + 1], echo[AG_DOMFILE_ECHO_MAX];
	const char *reason = "invalid";
	char *copy;

	if (ag_domain_normalise(s, len, name, sizeof(name), &reason) != 0) {
		ag_conftext_why(why, size, "'%s' is not a domain name: %s",
				ag_conftext_echo(s, len, echo, sizeof(echo)),
				reason);
		return NULL;
	}
	if ((copy = ag_domains_dup(table, name, strlen(name))) == NULL)
		ag_conftext_why(why, size, "out of memory");
	return copy;
}

/* ag_domfile_item - one list item, checked and copied; NULL with why */
static char *ag_domfile_item(ag_domains_t *table, ag_domfile_kind_t kind,
			     const char *s, size_t len, char *why, size_t size)
{
	char *copy;

	if (kind == AG_ATTR_DOMAINS)
		return ag_domfile_domain(table, s, len, why, size);
	if (ag_domfile_item_check(kind, s, len, why, size) != 0)
		return NULL;
	if ((copy = ag_domains_dup(table, s, len)) == NULL) {
		ag_conftext_why(why, size, "out of memory");
		return NULL;
	}
	if (kind == AG_ATTR_SELECTORS || kind == AG_ATTR_NAMES)
		ag_conftext_lower(copy);
	return copy;
}

/* ag_domfile_split - count a comma list's items; -1 if one is empty */
static long ag_domfile_split(const char *value, char *why, size_t size)
{
	long count = 1;

	for (const char *p = value; *p != '\0'; p++)
		if (*p == ',' && (p == value || p[1] == '\0' || p[1] == ','))
			return ag_conftext_why(why, size, "empty item in list");
		else if (*p == ',')
			count++;
	return count;
}

/* ag_domfile_set_list - a comma-separated list of one kind */
static int ag_domfile_set_list(ag_domains_t *table, ag_domfile_kind_t kind,
			       const char *value, ag_strlist_t *list,
			       char *why, size_t size)
{
	long count = ag_domfile_split(value, why, size);
	char **items;

	if (count < 0)
		return -1;
	items = ag_domains_alloc(table, (size_t)count * sizeof(*items),
				 sizeof(*items));
	if (items == NULL)
		return ag_conftext_why(why, size, "out of memory");
	list->items = items;
	list->count = 0;
	for (const char *p = value; list->count < (size_t)count; p++) {
		size_t len = strcspn(p, ",");
		char *item = ag_domfile_item(table, kind, p, len, why, size);
		if (item == NULL)
			return -1;
		if (kind == AG_ATTR_SELECTORS &&
		    ag_domains_listed(items, list->count, item))
			return ag_conftext_why(why, size, "'%s' listed twice",
					       item);
		items[list->count++] = item;
		p += len;
	}
	return 0;
}

/* ag_domfile_set_key - one "selector:path" item of keys= */
static int ag_domfile_set_key(ag_domfile_t *p, ag_domain_entry_t *e,
			      const char *s, size_t len, char *why,
			      size_t size)
{
	char path[4096], echo[AG_DOMFILE_ECHO_MAX];
	const char *colon = memchr(s, ':', len);
	ag_key_ref_t *key = &e->keys[e->key_count];
	size_t sel = colon != NULL ? (size_t)(colon - s) : 0;

	if (colon == NULL || sel + 1 == len)
		return ag_conftext_why(why, size, "'%s': expected "
				       "selector:/path/to/private.key",
				       ag_conftext_echo(s, len, echo,
							sizeof(echo)));
	if (!ag_domfile_printable(colon + 1, len - sel - 1) ||
	    ag_conftext_path_resolve(p->name, colon + 1, len - sel - 1, path,
				     sizeof(path)) != 0)
		return ag_conftext_why(why, size, "'%s': bad key path",
				       ag_conftext_echo(s, len, echo,
							sizeof(echo)));
	key->selector = ag_domfile_item(p->table, AG_ATTR_SELECTORS, s, sel,
					why, size);
	if (key->selector == NULL)
		return -1;
	for (size_t i = 0; i < e->key_count; i++)
		if (strcmp(e->keys[i].selector, key->selector) == 0)
			return ag_conftext_why(why, size, "selector '%s' has "
					       "two keys", key->selector);
	if ((key->path = ag_domains_dup(p->table, path, strlen(path))) == NULL)
		return ag_conftext_why(why, size, "out of memory");
	e->key_count++;
	return 0;
}

/* ag_domfile_set_keys - keys=sel:/path[,sel:/path] */
static int ag_domfile_set_keys(ag_domfile_t *p, ag_domain_entry_t *e,
			       const char *value, char *why, size_t size)
{
	long count = ag_domfile_split(value, why, size);

	if (count < 0)
		return -1;
	e->keys = ag_domains_alloc(p->table, (size_t)count * sizeof(*e->keys),
				   sizeof(char *));
	if (e->keys == NULL)
		return ag_conftext_why(why, size, "out of memory");
	for (const char *s = value; e->key_count < (size_t)count; s++) {
		size_t len = strcspn(s, ",");
		if (ag_domfile_set_key(p, e, s, len, why, size) != 0)
			return -1;
		s += len;
	}
	return 0;
}

/* ag_domfile_set - convert one attribute's value into the entry */
static int ag_domfile_set(ag_domfile_t *p, ag_domain_entry_t *e,
			  const ag_domfile_attr_t *attr, const char *value,
			  char *why, size_t size)
{
	char *field = (char *)e + attr->offset;
	char accepted[128];
	int n;

	switch (attr->kind) {
	case AG_ATTR_CHOICE:
		if (ag_conftext_choice_parse(attr->choices, value, &n) != 0) {
			ag_conftext_choice_list(attr->choices, accepted,
						sizeof(accepted));
			return ag_conftext_why(why, size, "expected %s",
					       accepted);
		}
		*(int *)field = n;
		if (attr->has_flag)
			*(int *)((char *)e + attr->has_offset) = 1;
		return 0;
	case AG_ATTR_DOMAIN:
		*(char **)field = ag_domfile_domain(p->table, value,
						    strlen(value), why, size);
		return *(char **)field != NULL ? 0 : -1;
	case AG_ATTR_KEYS:
		return ag_domfile_set_keys(p, e, value, why, size);
	default:
		return ag_domfile_set_list(p->table, attr->kind, value,
					   (ag_strlist_t *)field, why, size);
	}
}

/* ---- lines ---- */

/* ag_domfile_error - one diagnostic at the current line, counted */
static void ag_domfile_error(ag_domfile_t *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ag_domfile_error(ag_domfile_t *p, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	if (p->errors++ >= AG_DOMAINS_DIAG_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ag_diag_add(p->diag, p->name, p->line, "%s", text);
}

/* ag_domfile_word - the next white-space separated word, cut in place */
static char *ag_domfile_word(char **cursor)
{
	char *start = *cursor, *end;

	while (ag_conftext_space(*start))
		start++;
	if (*start == '\0')
		return NULL;
	for (end = start; *end != '\0' && !ag_conftext_space(*end); end++)
		;
	if (*end != '\0')
		*end++ = '\0';
	*cursor = end;
	return start;
}

/* ag_domfile_attr_find - the row of an attribute name; NULL if unknown */
static const ag_domfile_attr_t *ag_domfile_attr_find(const char *name)
{
	for (const ag_domfile_attr_t *a = ag_domfile_attrs; a->name; a++)
		if (strcasecmp(name, a->name) == 0)
			return a;
	return NULL;
}

/* ag_domfile_unknown - report a word that is not a known attribute */
static void ag_domfile_unknown(ag_domfile_t *p, const char *word,
			       int has_value, int after_comma)
{
	char echo[AG_DOMFILE_ECHO_MAX];
	const char *near = ag_conftext_suggest(word, &ag_domfile_attrs[0].name,
					       sizeof(ag_domfile_attrs[0]));

	ag_conftext_echo(word, strlen(word), echo, sizeof(echo));
	if (!has_value && after_comma)
		ag_domfile_error(p, "'%s': expected attribute=value (no "
				 "spaces in lists: a,b)", echo);
	else if (!has_value)
		ag_domfile_error(p, "'%s': expected attribute=value", echo);
	else if (near != NULL)
		ag_domfile_error(p, "unknown attribute '%s' (did you mean "
				 "'%s'?)", echo, near);
	else
		ag_domfile_error(p, "unknown attribute '%s'", echo);
}

/* ag_domfile_attribute - one name=value word of a line */
static void ag_domfile_attribute(ag_domfile_t *p, ag_domain_entry_t *e,
				 char *word, unsigned *seen, int after_comma)
{
	char why[AG_DOMFILE_WHY_MAX], echo[AG_DOMFILE_ECHO_MAX];
	char *eq = strchr(word, '=');
	const ag_domfile_attr_t *attr;
	unsigned bit;

	if (eq != NULL)
		*eq = '\0';
	if (eq == NULL || (attr = ag_domfile_attr_find(word)) == NULL) {
		ag_domfile_unknown(p, word, eq != NULL, after_comma);
		return;
	}
	bit = 1u << (attr - ag_domfile_attrs);
	if (*seen & bit) {
		ag_domfile_error(p, "%s given twice", attr->name);
		return;
	}
	*seen |= bit;
	if (eq[1] == '\0')
		ag_domfile_error(p, "%s: missing value", attr->name);
	else if (ag_domfile_set(p, e, attr, eq + 1, why, sizeof(why)) != 0)
		ag_domfile_error(p, "%s: bad value '%s': %s", attr->name,
				 ag_conftext_echo(eq + 1, strlen(eq + 1), echo,
						  sizeof(echo)), why);
}

/* ag_domfile_check_keys - every keys= selector is in selectors= */
static void ag_domfile_check_keys(ag_domfile_t *p,
				  const ag_domain_entry_t *e)
{
	for (size_t i = 0; i < e->key_count; i++)
		if (!ag_domains_listed(e->selectors.items, e->selectors.count,
				       e->keys[i].selector))
			ag_domfile_error(p, "keys: selector '%s' is not "
					 "listed in selectors=",
					 e->keys[i].selector);
}

/* ag_domfile_enter - index the line's entry unless its domain is
 * already there */
static void ag_domfile_enter(ag_domfile_t *p, const char *name)
{
	const ag_domain_entry_t *first = NULL;
	int rc = ag_domains_enter(p->table, name, &first);

	if (rc < 0)
		ag_domfile_error(p, "out of memory");
	else if (rc > 0)
		ag_domfile_error(p, "duplicate domain %s (first on line %u)",
				     name, first->line);
}

/* ag_domfile_name - the line's domain, normalised into name; 0 if it is
 * not one (reported) */
static int ag_domfile_name(ag_domfile_t *p, const char *word,
			   char *name, size_t size)
{
	char echo[AG_DOMFILE_ECHO_MAX];
	const char *why = "invalid";
	size_t len = strlen(word);

	if (ag_domain_normalise(word, len, name, size, &why) == 0)
		return 1;
	ag_conftext_echo(word, len, echo, sizeof(echo));
	if (strchr(word, '=') != NULL)
		ag_domfile_error(p, "'%s': expected a domain name before the "
				 "attributes", echo);
	else
		ag_domfile_error(p, "malformed domain '%s': %s", echo, why);
	return 0;
}

/* ag_domfile_line - one "domain attribute=value ..." line */
static void ag_domfile_line(ag_domfile_t *p, char *text)
{
	char name[AG_DOMAIN_MAX + 1];
	char *word = ag_domfile_word(&text);
	ag_domain_entry_t *e;
	unsigned seen = 0;
	int valid, after_comma = 0;

	if ((e = ag_domains_next(p->table)) == NULL) {
		ag_domfile_error(p, "out of memory");
		return;
	}
	valid = ag_domfile_name(p, word, name, sizeof(name));
	if (!valid && strchr(word, '=') != NULL)
		return;
	e->line = p->line;
	while ((word = ag_domfile_word(&text)) != NULL) {
		size_t len = strlen(word);
		int comma = word[len - 1] == ',';
		ag_domfile_attribute(p, e, word, &seen, after_comma);
		after_comma = comma;
	}
	ag_domfile_check_keys(p, e);
	if (valid)
		ag_domfile_enter(p, name);
}

/* ag_domfile_copy_line - the line into the parser's buffer */
static char *ag_domfile_copy_line(ag_domfile_t *p, const char *text,
				  size_t len)
{
	if (len + 1 > p->bufsize) {
		size_t size = (len + 1) * 2;
		char *grown = realloc(p->buf, size);
		if (grown == NULL)
			return NULL;
		p->buf = grown;
		p->bufsize = size;
	}
	memcpy(p->buf, text, len);
	p->buf[len] = '\0';
	return p->buf;
}

/* ag_domfile_feed - every line of text[0..len), numbered on from the
 * lines fed before */
static void ag_domfile_feed(ag_domfile_t *p, const char *text,
			    size_t len)
{
	size_t pos = 0;

	while (ag_conftext_line_next(text, len, &pos, &p->lines)) {
		char *copy;
		p->line = p->lines.number;
		if (p->lines.has_nul)
			ag_domfile_error(p, "NUL octet in line");
		if (p->lines.has_nul || p->lines.len == 0)
			continue;
		copy = ag_domfile_copy_line(p, p->lines.text, p->lines.len);
		if (copy == NULL)
			ag_domfile_error(p, "out of memory");
		else
			ag_domfile_line(p, copy);
	}
}

/* ag_domfile_finish - the table, or NULL if anything was wrong */
static ag_domains_t *ag_domfile_finish(ag_domfile_t *p)
{
	free(p->buf);
	if (p->errors > AG_DOMAINS_DIAG_MAX)
		ag_diag_add(p->diag, p->name, 0, "%lu more problems not shown",
			    p->errors - AG_DOMAINS_DIAG_MAX);
	if (p->errors > 0)
		return ag_domains_free(p->table);
	return p->table;
}

/* ag_domfile_begin - an empty table to read into; -1 if out of memory */
static int ag_domfile_begin(ag_domfile_t *p)
{
	if ((p->table = ag_domains_create()) != NULL)
		return 0;
	ag_diag_add(p->diag, p->name, 0, "out of memory");
	p->errors++;
	return -1;
}

/* ag_domains_parse - read a table from a buffer */
ag_domains_t *ag_domains_parse(const char *name, const char *text,
			       size_t len, ag_diag_t *diag)
{
	ag_domfile_t p = {.name = name, .diag = diag};

	if (ag_domfile_begin(&p) == 0)
		ag_domfile_feed(&p, text, len);
	return ag_domfile_finish(&p);
}

/* ag_domfile_read - feed a file's complete lines as they come, so that
 * the file is never held whole in memory; -1 on a read error */
static int ag_domfile_read(ag_domfile_t *p, FILE *fp)
{
	size_t size = 0, have = 0, got;
	char *buf = NULL, *last;
	int rc = 0;

	do {
		if (have == size) {
			char *grown = realloc(buf, size ? 2 * size :
						      AG_DOMFILE_BLOCK);
			if (grown == NULL) {
				errno = ENOMEM;
				rc = -1;
				break;
			}
			buf = grown;
			size = size ? 2 * size : AG_DOMFILE_BLOCK;
		}
		have += got = fread(buf + have, 1, size - have, fp);
		if (got == 0 && ferror(fp))
			rc = -1;
		for (last = buf + have; last > buf && last[-1] != '\n'; last--)
			;
		if (rc == 0 && last > buf) {
			size_t done = (size_t)(last - buf);
			ag_domfile_feed(p, buf, done);
			memmove(buf, buf + done, have - done);
			have -= done;
		}
	} while (got > 0 && rc == 0);
	if (rc == 0)
		ag_domfile_feed(p, buf, have);
	free(buf);
	return rc;
}

/* ag_domains_load - read a table file */
ag_domains_t *ag_domains_load(const char *path, ag_diag_t *diag)
{
	ag_domfile_t p = {.name = path, .diag = diag};
	FILE *fp = fopen(path, "rb");

	if (fp == NULL) {
		ag_diag_add(diag, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (ag_domfile_begin(&p) == 0 && ag_domfile_read(&p, fp) != 0) {
		ag_diag_add(diag, path, 0, "cannot read: %s", strerror(errno));
		p.errors++;
	}
	fclose(fp);
	return ag_domfile_finish(&p);
}

