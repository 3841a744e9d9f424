/*
 * conftext.c - text helpers shared by the configuration and table readers
 * (see conftext.h).
 */
#include "conftext.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "domain.h"
#include "reason.h"

#define AG_CONFTEXT_NAME_MAX 64	/* longer names get no suggestion */

const ag_conftext_choice_t ag_conftext_booleans[] = {
	{"yes", 1}, {"no", 0}, {"true", 1}, {"false", 0},
	{"on", 1}, {"off", 0}, {"1", 1}, {"0", 0}, {NULL, 0}
};
const ag_conftext_choice_t ag_conftext_actions[] = {
	{"accept", AG_ACT_ACCEPT}, {"tag", AG_ACT_TAG},
	{"quarantine", AG_ACT_QUARANTINE}, {"tempfail", AG_ACT_TEMPFAIL},
	{"reject", AG_ACT_REJECT}, {NULL, 0}
};
const ag_conftext_choice_t ag_conftext_modes[] = {
	{"enforce", AG_MODE_ENFORCE}, {"monitor", AG_MODE_MONITOR}, {NULL, 0}
};
const ag_conftext_choice_t ag_conftext_alignments[] = {
	{"relaxed", AG_ALIGN_RELAXED}, {"strict", AG_ALIGN_STRICT}, {NULL, 0}
};

/* ag_conftext_choice_parse - value of a name */
int ag_conftext_choice_parse(const ag_conftext_choice_t *choices,
			     const char *name, int *value)
{
	for (; choices->name != NULL; choices++)
		if (strcasecmp(name, choices->name) == 0) {
			*value = choices->value;
			return 0;
		}
	return -1;
}

/* ag_conftext_choice_name - the first name of a value */
const char *ag_conftext_choice_name(const ag_conftext_choice_t *choices,
				    int value)
{
	for (; choices->name != NULL; choices++)
		if (choices->value == value)
			return choices->name;
	return "";
}

/* ag_conftext_choice_list - "a, b or c" */
size_t ag_conftext_choice_list(const ag_conftext_choice_t *choices,
			       char *buf, size_t size)
{
	size_t need = 0;

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; choices[i].name != NULL; i++) {
		const char *sep = i == 0 ? "" :
				  choices[i + 1].name == NULL ? " or " : ", ";
		int n = snprintf(buf + (need < size ? need : size),
				 need < size ? size - need : 0, "%s%s", sep,
				 choices[i].name);
		need += n > 0 ? (size_t)n : 0;
	}
	return need;
}

/* ag_conftext_fold - ASCII lower case of one character */
char ag_conftext_fold(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ag_conftext_distance - case-insensitive edit distance of short names */
static size_t ag_conftext_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[AG_CONFTEXT_NAME_MAX + 1];

	if (la > AG_CONFTEXT_NAME_MAX || lb > AG_CONFTEXT_NAME_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (ag_conftext_fold(a[i - 1]) !=
					      ag_conftext_fold(b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* ag_conftext_suggest - closest name within edit distance 2 */
const char *ag_conftext_suggest(const char *word, const void *names,
				size_t stride)
{
	const char *best = NULL;
	size_t best_distance = 3;

	size_t len = strlen(word);

	for (const char *p = names; *(const char *const *)p != NULL;
	     p += stride) {
		const char *name = *(const char *const *)p;
		size_t other = strlen(name), d;
		if (len > other + 2 || other > len + 2)
			continue;	/* the distance is at least 3 */
		d = ag_conftext_distance(word, name);
		if (d < best_distance) {
			best = name;
			best_distance = d;
		}
	}
	return best;
}

/* ag_conftext_lower - ASCII lower case in place */
void ag_conftext_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = ag_conftext_fold(*s);
}

/* ag_conftext_space - the white space that separates and is trimmed */
int ag_conftext_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* ag_conftext_line_next - the next line, comment and outer space removed */
int ag_conftext_line_next(const char *text, size_t size, size_t *pos,
			  ag_conftext_line_t *line)
{
	const char *start = text + *pos;
	const char *nl;
	size_t len;

	if (*pos >= size)
		return 0;
	nl = memchr(start, '\n', size - *pos);
	len = nl != NULL ? (size_t)(nl - start) : size - *pos;
	*pos += len + (nl != NULL);
	line->number++;
	line->has_nul = memchr(start, '\0', len) != NULL;
	for (size_t i = 0; i < len; i++)
		if (start[i] == '#' &&
		    (i == 0 || ag_conftext_space(start[i - 1]))) {
			len = i;
			break;
		}
	while (len > 0 && ag_conftext_space(start[0]))
		start++, len--;
	while (len > 0 && ag_conftext_space(start[len - 1]))
		len--;
	line->text = start;
	line->len = len;
	return 1;
}

/* ag_conftext_echo - a value made safe and short for a message */
const char *ag_conftext_echo(const char *value, size_t len, char *buf,
			     size_t size)
{
	size_t n = 0, i = 0;

	for (; i < len && n + 4 < size; i++)
		buf[n++] = (value[i] >= 0x20 && value[i] < 0x7f) ? value[i]
								 : '?';
	if (i < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

/* ag_conftext_path_resolve - a path relative to the directory of base */
int ag_conftext_path_resolve(const char *base, const char *path, size_t len,
			     char *out, size_t size)
{
	const char *slash = base != NULL ? strrchr(base, '/') : NULL;
	size_t dir = slash != NULL && (len == 0 || path[0] != '/') ?
			     (size_t)(slash - base) + 1 : 0;

	if (dir + len + 1 > size)
		return -1;
	if (dir > 0)
		memcpy(out, base, dir);
	memcpy(out + dir, path, len);
	out[dir + len] = '\0';
	return 0;
}

/* ag_conftext_ldh - dot-separated LDH labels */
int ag_conftext_ldh(const char *s, size_t len, int underscore)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : '.';
		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || (c == '_' && underscore) ||
			   (c == '-' && label > 0)) {
			label++;
		} else {
			return 0;
		}
	}
	return 1;
}

/* ag_conftext_number - decimal digits to a number */
int ag_conftext_number(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long n = 0;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || n > (ULLONG_MAX - 9) / 10)
			return -1;
		n = n * 10 + (unsigned)(s[i] - '0');
	}
	*out = n;
	return 0;
}

/* ag_conftext_why - format an explanation for a refused value */
int ag_conftext_why(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* ag_conftext_read_file - a whole file in memory */
char *ag_conftext_read_file(const char *path, size_t *len, ag_diag_t *diag)
{
	FILE *fp = fopen(path, "rb");
	size_t size = 0, capacity = 65536;
	char *text = NULL;

	if (fp == NULL) {
		ag_diag_add(diag, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		char *grown = realloc(text, capacity + 1);
		if (grown == NULL) {
			ag_diag_add(diag, path, 0, "cannot read: %s",
				    strerror(ENOMEM));
			break;
		}
		text = grown;
		size += fread(text + size, 1, capacity - size, fp);
		if (size < capacity && ferror(fp)) {
			ag_diag_add(diag, path, 0, "cannot read: %s",
				    strerror(errno));
			break;
		}
		if (size < capacity) {
			fclose(fp);
			text[size] = '\0';
			*len = size;
			return text;
		}
		capacity *= 2;
	}
	fclose(fp);
	free(text);
	return NULL;
}
