/*
 * dnsparse.h - a bounds-checked reader for DNS messages and the parser that
 * turns one raw reply into a resolver answer (dns.h).
 *
 * The reader (ag_dnsr_*) fetches integers and domain names from a message;
 * every fetch checks the bounds and returns 0 or -1, and a name is refused
 * when its labels are malformed, it is longer than 255 octets on the wire,
 * or its compression pointers do not move strictly backwards.
 *
 * ag_dns_parse_reply() reads one reply to the question (qname, qtype):
 * it checks the header and the question, follows the CNAME chain inside the
 * answer section from qname, and collects the records of qtype owned by the
 * end of the chain. The outcome is either an answer (OK, NXDOMAIN, NODATA
 * or TEMPFAIL with a static error text) or, when the chain ends at another
 * name without data and without an SOA, that name to ask next.
 *
 * A reply with TC set is never taken as complete: it is a TEMPFAIL
 * ("truncated"). SERVFAIL, REFUSED, FORMERR, NOTIMP, other rcodes, a
 * question that does not match, any malformed record and a referral (no
 * answer, NS records but no SOA in the authority section: the server does
 * not recurse) are TEMPFAILs too.
 * TTLs: positive answers carry the smallest TTL of their records and of the
 * CNAMEs on the way, at most AG_DNS_TTL_MAX; negative answers the smaller of
 * the SOA's TTL and its MINIMUM field (RFC 2308), AG_DNS_NEG_TTL_DEFAULT
 * without an SOA, at most AG_DNS_NEG_TTL_MAX. A TTL with the top bit set
 * counts as 0 (RFC 2181 section 8).
 *
 * Names are given in presentation form without the trailing dot: labels
 * joined by '.', with '.', '\' and octets outside 0x21-0x7e escaped as \. \\
 * and \DDD. Names compare without regard to ASCII case.
 */
#ifndef AG_DNSPARSE_H
#define AG_DNSPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"

#define AG_DNS_NAME_TEXT_MAX   1024   /* escaped text of a 255-octet name */
#define AG_DNS_TTL_MAX         86400u /* cap on positive TTLs */
#define AG_DNS_NEG_TTL_MAX     10800u /* cap on negative TTLs */
#define AG_DNS_NEG_TTL_DEFAULT 300u   /* negative TTL without an SOA */

enum { AG_DNS_CLASS_IN = 1 };

/* A read position in one message. */
typedef struct ag_dnsr {
	const uint8_t *msg;
	size_t len;
	size_t pos;
} ag_dnsr_t;

/* ag_dnsr_init - read msg[0..len) from the start */
void ag_dnsr_init(ag_dnsr_t *reader, const uint8_t *msg, size_t len);

/* ag_dnsr_u16 - one big-endian 16-bit integer; 0 or -1 */
int ag_dnsr_u16(ag_dnsr_t *reader, uint16_t *value)
    __attribute__((warn_unused_result));

/* ag_dnsr_u32 - one big-endian 32-bit integer; 0 or -1 */
int ag_dnsr_u32(ag_dnsr_t *reader, uint32_t *value)
    __attribute__((warn_unused_result));

/* ag_dnsr_skip - step over count octets; 0 or -1 */
int ag_dnsr_skip(ag_dnsr_t *reader, size_t count)
    __attribute__((warn_unused_result));

/* ag_dnsr_name - one domain name in presentation form into out; 0 or -1 */
int ag_dnsr_name(ag_dnsr_t *reader, char *out, size_t outsize)
    __attribute__((warn_unused_result));

/* The outcome of parsing one reply. */
typedef struct ag_dns_reply {
	ag_dns_answer_t *answer; /* NULL: ask next (or out of memory) */
	char next[AG_DNS_NAME_TEXT_MAX + 1]; /* CNAME target to ask */
	uint32_t chain_ttl;                  /* smallest CNAME TTL followed */
	int rcode; /* header rcode, -1 if unreadable */
} ag_dns_reply_t;

/* ag_dns_parse_reply - parse msg as the reply to (qname, qtype); 0 or -1
 * (out of memory) */
int ag_dns_parse_reply(const uint8_t *msg, size_t len, const char *qname,
                       int qtype, ag_dns_reply_t *reply)
    __attribute__((warn_unused_result));

/* ag_dns_answer_fail - a new TEMPFAIL answer with a static error text */
ag_dns_answer_t *ag_dns_answer_fail(const char *error);

#endif
