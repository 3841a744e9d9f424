/*
 * checkbuf.h - a bounded text buffer for alignguard-check's output: text
 * is appended, printf-style, into storage the caller owns; what does not
 * fit is cut off and remembered, so a caller checks once at the end
 * instead of after every append.
 *
 * Interface: ag_check_buf_init() over caller storage, ag_check_buf_add()
 * (printf), ag_check_buf_addn() (octets). The text is always
 * NUL-terminated. Diagnostics: `truncated` is set when anything was cut.
 */
#ifndef AG_CHECKBUF_H
#define AG_CHECKBUF_H

#include <stddef.h>

typedef struct ag_check_buf {
	char *data;
	size_t size; /* of data, the NUL included */
	size_t len;
	int truncated;
} ag_check_buf_t;

/* ag_check_buf_init - an empty text in data[size] (size > 0) */
void ag_check_buf_init(ag_check_buf_t *buf, char *data, size_t size);

/* ag_check_buf_add - append printf-formatted text */
void ag_check_buf_add(ag_check_buf_t *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ag_check_buf_addn - append n octets */
void ag_check_buf_addn(ag_check_buf_t *buf, const char *text, size_t n);

#endif
