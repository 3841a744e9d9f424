/*
 * diag.h - a list of diagnostics ("file:line: message") gathered while
 * reading a configuration or a table, so that `alignguard -t` can report all
 * of them at once and a reload can log why it was refused.
 */
#ifndef AG_DIAG_H
#define AG_DIAG_H

#include <stddef.h>

typedef struct ag_diag {
	char **messages;
	size_t count;
	size_t capacity;
} ag_diag_t;

/* ag_diag_init - empty list */
void ag_diag_init(ag_diag_t *diag);

/* ag_diag_add - append "file:line: message"; line 0 omits the line number */
void ag_diag_add(ag_diag_t *diag, const char *file, unsigned line,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ag_diag_clear - free every message, leaving an empty list */
void ag_diag_clear(ag_diag_t *diag);

#endif
