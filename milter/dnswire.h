/*
 * dnswire.h - domain names between text and wire form, and DNS queries.
 *
 * Three spellings of a name meet here:
 * - raw: what callers of the resolver pass, octets with '.' between labels
 *   and no escapes, one trailing dot allowed ("s1._domainkey.example.com");
 * - presentation: raw made unambiguous and lower-cased: '.' and '\' inside
 *   a label become \. and \\, octets outside 0x21-0x7e become \DDD; no
 *   trailing dot; the root name is "". The reply parser (dnsparse.h) writes
 *   names this way, and the resolver caches and compares them this way;
 * - wire: length-prefixed labels ending in a zero octet (RFC 1035 3.1).
 *
 * Diagnostics: every function returns -1 on a name that cannot be a DNS
 * name (empty label, label over 63 octets, name over 255 octets on the
 * wire, bad escape) or when the output does not fit.
 */
#ifndef AG_DNSWIRE_H
#define AG_DNSWIRE_H

#include <stddef.h>
#include <stdint.h>

#define AG_DNS_WIRE_NAME_MAX 255
#define AG_DNS_LABEL_MAX     63
#define AG_DNS_HEADER_SIZE   12
#define AG_DNS_QUERY_MAX     (AG_DNS_HEADER_SIZE + AG_DNS_WIRE_NAME_MAX + 4 + 11)

/* A write position in a message buffer; a write that does not fit sets
 * overflow and writes nothing, so a whole message is checked once. */
typedef struct ag_dnsw {
	uint8_t *buf;
	size_t size;
	size_t len;
	int overflow;
} ag_dnsw_t;

/* ag_dnsw_init - write into buf[0..size) from the start */
void ag_dnsw_init(ag_dnsw_t *writer, uint8_t *buf, size_t size);

/* ag_dnsw_bytes - append octets */
void ag_dnsw_bytes(ag_dnsw_t *writer, const void *data, size_t len);

/* ag_dnsw_u16 - append a big-endian 16-bit integer */
void ag_dnsw_u16(ag_dnsw_t *writer, unsigned value);

/* ag_dnsw_u32 - append a big-endian 32-bit integer */
void ag_dnsw_u32(ag_dnsw_t *writer, uint32_t value);

/* ag_dnsw_set16 - overwrite the 16-bit integer at offset at */
void ag_dnsw_set16(ag_dnsw_t *writer, size_t at, unsigned value);

/* ag_dnsw_name - append a presentation name in wire form; 0 or -1 (bad
 * name: nothing written) */
int ag_dnsw_name(ag_dnsw_t *writer, const char *name);

/* ag_dns_label_text - append a label in presentation form to out[*used..],
 * after a '.' unless it is the first; 0 or -1 */
int ag_dns_label_text(const uint8_t *label, size_t len, char *out,
                      size_t outsize, size_t *used);

/* ag_dns_name_normalize - a raw name in lower-case presentation form;
 * 0 or -1 (the root, empty and malformed names are refused) */
int ag_dns_name_normalize(const char *raw, char *out, size_t outsize)
    __attribute__((warn_unused_result));

/* ag_dns_name_wire - a presentation name in wire form; octets or -1 */
int ag_dns_name_wire(const char *text, uint8_t *out, size_t outsize)
    __attribute__((warn_unused_result));

/* ag_dns_query_build - a recursive query for (name, type, IN) with an EDNS0
 * OPT record when edns_size > 0; octets or -1 */
int ag_dns_query_build(const char *name, int type, uint16_t id,
                       unsigned edns_size, uint8_t *out, size_t outsize)
    __attribute__((warn_unused_result));

#endif
