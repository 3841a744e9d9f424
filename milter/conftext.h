/*
 * conftext.h - text helpers shared by the configuration file reader
 * (config.c) and the verified-domain table reader (domains.c), so that both
 * files follow the same rules:
 *
 * - lines: a '#' at the start of a line or after white space starts a
 *   comment; white space around what is left is dropped; NUL octets are
 *   flagged so the reader can refuse the line;
 * - named values ("yes"/"no", actions, modes, alignments) compared without
 *   regard to case, with a "a, b or c" list for error messages;
 * - "did you mean" suggestions for unknown names (edit distance up to 2);
 * - relative paths taken relative to the directory of the file naming them;
 * - reading a whole file, with a "file: cannot open: why" diagnostic;
 * - decimal numbers, and explanations for validators.
 *
 * Pure apart from ag_conftext_read_file(); no globals.
 */
#ifndef AG_CONFTEXT_H
#define AG_CONFTEXT_H

#include <stddef.h>

#include "diag.h"

/* A named value: tables end with a NULL name. */
typedef struct ag_conftext_choice {
	const char *name;
	int value;
} ag_conftext_choice_t;

extern const ag_conftext_choice_t ag_conftext_booleans[];   /* yes/no ... */
extern const ag_conftext_choice_t ag_conftext_actions[];    /* ag_action_t */
extern const ag_conftext_choice_t ag_conftext_modes[];      /* ag_mode_t */
extern const ag_conftext_choice_t ag_conftext_alignments[]; /* ag_alignment_t */

/* ag_conftext_choice_parse - value of a name (case-insensitive); 0 or -1 */
int ag_conftext_choice_parse(const ag_conftext_choice_t *choices,
			     const char *name, int *value);

/* ag_conftext_choice_name - the first name of a value; "" if none */
const char *ag_conftext_choice_name(const ag_conftext_choice_t *choices,
				    int value);

/* ag_conftext_choice_list - "a, b or c"; snprintf-like return */
size_t ag_conftext_choice_list(const ag_conftext_choice_t *choices,
			       char *buf, size_t size);

/*
 * ag_conftext_suggest - among the names found at `names`, `names + stride`,
 * ... (a table of structs whose first member is the name, ending with a
 * NULL name), the one closest to `word` within an edit distance of 2,
 * case-insensitive; NULL if none.
 */
const char *ag_conftext_suggest(const char *word, const void *names,
				size_t stride);

/* A line of text, its comment and outer white space removed. */
typedef struct ag_conftext_line {
	const char *text;
	size_t len;		/* 0 for a blank or comment line */
	unsigned number;	/* 1-based; start with a zeroed struct */
	int has_nul;		/* the line held a NUL octet */
} ag_conftext_line_t;

/* ag_conftext_line_next - the next line of text[0..size) from *pos; 0 at
 * the end */
int ag_conftext_line_next(const char *text, size_t size, size_t *pos,
			  ag_conftext_line_t *line);

/* ag_conftext_fold - ASCII lower case of one character (no locale) */
char ag_conftext_fold(char c);

/* ag_conftext_lower - ASCII letters of s to lower case, in place */
void ag_conftext_lower(char *s);

/* ag_conftext_space - the white space that separates and is trimmed */
int ag_conftext_space(char c);

/*
 * ag_conftext_echo - `len` octets of a value made safe and short for a
 * message (non-printable octets as '?', long values cut with "...").
 */
const char *ag_conftext_echo(const char *value, size_t len, char *buf,
			     size_t size);

/*
 * ag_conftext_path_resolve - `len` octets of `path` as seen from the
 * directory holding the file `base`: absolute paths, and any path when base
 * has no '/', are kept as they are. Writes into out; -1 if too long.
 */
int ag_conftext_path_resolve(const char *base, const char *path, size_t len,
			     char *out, size_t size);

/*
 * ag_conftext_ldh - whether len octets are dot-separated labels of 1 to 63
 * letters, digits and '-' (and '_' if `underscore`), no label starting or
 * ending with '-', 253 octets at most (host names, DKIM selectors).
 */
int ag_conftext_ldh(const char *s, size_t len, int underscore);

/* ag_conftext_number - `len` decimal digits to a number; -1 if anything
 * else, empty or too big */
int ag_conftext_number(const char *s, size_t len, unsigned long long *out);

/* ag_conftext_why - format an explanation into why[size]; returns -1 */
int ag_conftext_why(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * ag_conftext_read_file - the whole contents of a file, NUL-terminated,
 * length in *len (malloc'd). NULL after adding "path: cannot open: why".
 */
char *ag_conftext_read_file(const char *path, size_t *len, ag_diag_t *diag);

#endif
