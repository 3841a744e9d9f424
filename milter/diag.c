/*
 * diag.c - diagnostics list (see diag.h).
 */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ag_diag_init - empty list */
void ag_diag_init(ag_diag_t *diag)
{
	memset(diag, 0, sizeof(*diag));
}

/* ag_diag_add - append one formatted diagnostic */
void ag_diag_add(ag_diag_t *diag, const char *file, unsigned line,
		 const char *fmt, ...)
{
	char text[1024];
	char *message;
	va_list ap;
	int len;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line > 0)
		len = snprintf(NULL, 0, "%s:%u: %s", file, line, text);
	else
		len = snprintf(NULL, 0, "%s: %s", file, text);
	if (len < 0 || (message = malloc((size_t)len + 1)) == NULL)
		return;
	if (line > 0)
		snprintf(message, (size_t)len + 1, "%s:%u: %s", file, line, text);
	else
		snprintf(message, (size_t)len + 1, "%s: %s", file, text);
	if (diag->count == diag->capacity) {
		size_t capacity = diag->capacity ? diag->capacity * 2 : 8;
		char **grown = realloc(diag->messages, capacity * sizeof(*grown));
		if (grown == NULL) {
			free(message);
			return;
		}
		diag->messages = grown;
		diag->capacity = capacity;
	}
	diag->messages[diag->count++] = message;
}

/* ag_diag_clear - free every message */
void ag_diag_clear(ag_diag_t *diag)
{
	for (size_t i = 0; i < diag->count; i++)
		free(diag->messages[i]);
	free(diag->messages);
	ag_diag_init(diag);
}
