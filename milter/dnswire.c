/*
 * dnswire.c - domain names between raw, presentation and wire form; query
 * building (see dnswire.h). Pure: no sockets, no globals, no printing.
 */
#include "dnswire.h"

#include <stdio.h>
#include <string.h>

#define AG_DNS_TYPE_OPT 41

/* ag_dns_label_text - append one label in presentation form */
int ag_dns_label_text(const uint8_t *label, size_t len, char *out,
                      size_t outsize, size_t *used)
{
	if (*used > 0) {
		if (*used + 1 >= outsize)
			return -1;
		out[(*used)++] = '.';
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = label[i];
		char esc[5];
		size_t need;
		if (c == '.' || c == '\\')
			need = (size_t)snprintf(esc, sizeof(esc), "\\%c", c);
		else if (c < 0x21 || c > 0x7e)
			need = (size_t)snprintf(esc, sizeof(esc), "\\%03u", c);
		else
			need = (size_t)snprintf(esc, sizeof(esc), "%c", c);
		if (*used + need >= outsize)
			return -1;
		memcpy(out + *used, esc, need);
		*used += need;
	}
	if (*used >= outsize)
		return -1;
	out[*used] = '\0';
	return 0;
}

/* ag_dns_name_normalize - raw name to lower-case presentation form */
int ag_dns_name_normalize(const char *raw, char *out, size_t outsize)
{
	size_t len = strlen(raw), used = 0, wire = 1;

	if (len > 0 && raw[len - 1] == '.')
		len--;
	if (len == 0 || outsize == 0)
		return -1;
	for (size_t start = 0; start <= len;) {
		const char *dot = memchr(raw + start, '.', len - start);
		size_t n =
		    dot != NULL ? (size_t)(dot - raw) - start : len - start;
		uint8_t label[AG_DNS_LABEL_MAX];
		if (n == 0 || n > AG_DNS_LABEL_MAX)
			return -1;
		wire += n + 1;
		if (wire > AG_DNS_WIRE_NAME_MAX)
			return -1;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = (uint8_t)raw[start + i];
			label[i] = (c >= 'A' && c <= 'Z') ? c + 32 : c;
		}
		if (ag_dns_label_text(label, n, out, outsize, &used) < 0)
			return -1;
		start += n + 1;
	}
	return 0;
}

/* ag_dns_escape_octet - the octet an escape at text stands for; advances
 * *text past it; -1 if malformed */
static int ag_dns_escape_octet(const char **text)
{
	const char *p = *text;
	int value = 0;

	if (p[0] == '\0')
		return -1;
	if (p[0] < '0' || p[0] > '9') {
		*text = p + 1;
		return (uint8_t)p[0];
	}
	for (int i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		value = value * 10 + (p[i] - '0');
	}
	*text = p + 3;
	return value > 255 ? -1 : value;
}

/* ag_dns_name_wire - presentation name to wire form */
int ag_dns_name_wire(const char *text, uint8_t *out, size_t outsize)
{
	size_t start = 0, pos = 1;
	size_t limit =
	    outsize < AG_DNS_WIRE_NAME_MAX ? outsize : AG_DNS_WIRE_NAME_MAX;

	if (limit == 0)
		return -1;
	while (*text != '\0') {
		int c = (uint8_t)*text++;
		if (c == '.') {
			if (pos - start == 1)
				return -1;
			out[start] = (uint8_t)(pos - start - 1);
			start = pos++;
			if (*text == '\0')
				break;
			continue;
		}
		if (c == '\\' && (c = ag_dns_escape_octet(&text)) < 0)
			return -1;
		if (pos - start > AG_DNS_LABEL_MAX || pos + 1 >= limit)
			return -1;
		out[pos++] = (uint8_t)c;
	}
	if (pos - start > 1)
		out[start] = (uint8_t)(pos - start - 1);
	else
		pos = start;
	out[pos++] = 0;
	return (int)pos;
}

/* ag_dnsw_init - write into buf from the start */
void ag_dnsw_init(ag_dnsw_t *writer, uint8_t *buf, size_t size)
{
	writer->buf = buf;
	writer->size = size;
	writer->len = 0;
	writer->overflow = 0;
}

/* ag_dnsw_bytes - append octets */
void ag_dnsw_bytes(ag_dnsw_t *writer, const void *data, size_t len)
{
	if (len > writer->size - writer->len) {
		writer->overflow = 1;
		return;
	}
	if (len > 0)
		memcpy(writer->buf + writer->len, data, len);
	writer->len += len;
}

/* ag_dnsw_u16 - append a big-endian 16-bit integer */
void ag_dnsw_u16(ag_dnsw_t *writer, unsigned value)
{
	uint8_t b[2] = {(uint8_t)(value >> 8), (uint8_t)value};

	ag_dnsw_bytes(writer, b, 2);
}

/* ag_dnsw_u32 - append a big-endian 32-bit integer */
void ag_dnsw_u32(ag_dnsw_t *writer, uint32_t value)
{
	ag_dnsw_u16(writer, value >> 16);
	ag_dnsw_u16(writer, value & 0xffff);
}

/* ag_dnsw_set16 - overwrite a 16-bit integer already written */
void ag_dnsw_set16(ag_dnsw_t *writer, size_t at, unsigned value)
{
	if (at + 2 > writer->len) {
		writer->overflow = 1;
		return;
	}
	writer->buf[at] = (uint8_t)(value >> 8);
	writer->buf[at + 1] = (uint8_t)value;
}

/* ag_dnsw_name - append a name in wire form */
int ag_dnsw_name(ag_dnsw_t *writer, const char *name)
{
	uint8_t wire[AG_DNS_WIRE_NAME_MAX];
	int n = ag_dns_name_wire(name, wire, sizeof(wire));

	if (n < 0)
		return -1;
	ag_dnsw_bytes(writer, wire, (size_t)n);
	return 0;
}

/* ag_dns_query_build - a recursive query, EDNS0 when asked */
int ag_dns_query_build(const char *name, int type, uint16_t id,
                       unsigned edns_size, uint8_t *out, size_t outsize)
{
	ag_dnsw_t w;

	ag_dnsw_init(&w, out, outsize);
	ag_dnsw_u16(&w, id);
	ag_dnsw_u16(&w, 0x0100); /* RD */
	ag_dnsw_u16(&w, 1);
	ag_dnsw_u32(&w, 0);
	ag_dnsw_u16(&w, edns_size > 0);
	if (name[0] == '\0' || ag_dnsw_name(&w, name) < 0)
		return -1;
	ag_dnsw_u16(&w, (unsigned)type);
	ag_dnsw_u16(&w, 1); /* IN */
	if (edns_size > 0) {
		ag_dnsw_bytes(&w, "", 1); /* the root */
		ag_dnsw_u16(&w, AG_DNS_TYPE_OPT);
		ag_dnsw_u16(&w, edns_size);
		ag_dnsw_u32(&w, 0);
		ag_dnsw_u16(&w, 0);
	}
	return w.overflow ? -1 : (int)w.len;
}
