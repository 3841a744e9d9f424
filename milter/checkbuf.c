/*
 * checkbuf.c - bounded text buffer (see checkbuf.h).
 */
#include "checkbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ag_check_buf_init - an empty text */
void ag_check_buf_init(ag_check_buf_t *buf, char *data, size_t size)
{
	buf->data = data;
	buf->size = size;
	buf->len = 0;
	buf->truncated = 0;
	data[0] = '\0';
}

/* ag_check_buf_add - append printf-formatted text */
void ag_check_buf_add(ag_check_buf_t *buf, const char *fmt, ...)
{
	size_t room = buf->size - buf->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf->data + buf->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf->truncated = 1;
		buf->data[buf->len] = '\0';
	} else if ((size_t)n >= room) {
		buf->truncated = 1;
		buf->len = buf->size - 1;
	} else {
		buf->len += (size_t)n;
	}
}

/* ag_check_buf_addn - append n octets */
void ag_check_buf_addn(ag_check_buf_t *buf, const char *text, size_t n)
{
	size_t room = buf->size - 1 - buf->len;

	if (n > room) {
		n = room;
		buf->truncated = 1;
	}
	memcpy(buf->data + buf->len, text, n);
	buf->len += n;
	buf->data[buf->len] = '\0';
}
