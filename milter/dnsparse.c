/*
 * dnsparse.c - bounds-checked DNS message reader and reply parser (see
 * dnsparse.h). Pure: no sockets, no globals, no printing.
 */
#include "dnsparse.h"
#include "dnswire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define AG_DNS_RR_MIN    11 /* root owner, type, class, ttl, rdlength */
#define AG_DNS_CHAIN_MAX 16 /* CNAMEs followed inside one answer */
#define AG_DNS_FLAG_QR   0x8000
#define AG_DNS_FLAG_TC   0x0200

enum {
	AG_DNS_RCODE_NOERROR = 0,
	AG_DNS_RCODE_FORMERR = 1,
	AG_DNS_RCODE_SERVFAIL = 2,
	AG_DNS_RCODE_NXDOMAIN = 3,
	AG_DNS_RCODE_NOTIMP = 4,
	AG_DNS_RCODE_REFUSED = 5
};

static const char ag_dnsp_malformed[] = "malformed reply";
static const char ag_dnsp_nomem[] = "out of memory";

/* One resource record of the answer or authority section, by offsets. */
typedef struct ag_dnsp_rr {
	size_t owner;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	size_t rdata;
	size_t rdlen;
} ag_dnsp_rr_t;

/* A reply being parsed. */
typedef struct ag_dnsp {
	const uint8_t *msg;
	size_t len;
	uint16_t flags;
	uint16_t ancount;
	uint16_t nscount;
	ag_dnsp_rr_t *rrs; /* ancount answers, then nscount authority */
} ag_dnsp_t;

/* ag_dnsr_init - read msg[0..len) from the start */
void ag_dnsr_init(ag_dnsr_t *reader, const uint8_t *msg, size_t len)
{
	reader->msg = msg;
	reader->len = len;
	reader->pos = 0;
}

/* ag_dnsr_skip - step over count octets */
int ag_dnsr_skip(ag_dnsr_t *reader, size_t count)
{
	if (count > reader->len - reader->pos)
		return -1;
	reader->pos += count;
	return 0;
}

/* ag_dnsr_u16 - one big-endian 16-bit integer */
int ag_dnsr_u16(ag_dnsr_t *reader, uint16_t *value)
{
	const uint8_t *p = reader->msg + reader->pos;

	if (ag_dnsr_skip(reader, 2) < 0)
		return -1;
	*value = (uint16_t)(p[0] << 8 | p[1]);
	return 0;
}

/* ag_dnsr_u32 - one big-endian 32-bit integer */
int ag_dnsr_u32(ag_dnsr_t *reader, uint32_t *value)
{
	const uint8_t *p = reader->msg + reader->pos;

	if (ag_dnsr_skip(reader, 4) < 0)
		return -1;
	*value = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	         (uint32_t)p[2] << 8 | p[3];
	return 0;
}

/* ag_dnsr_name - one domain name in presentation form */
int ag_dnsr_name(ag_dnsr_t *reader, char *out, size_t outsize)
{
	size_t pos = reader->pos, lowest = reader->pos, end = 0, used = 0;
	size_t wire = 1;

	if (outsize == 0)
		return -1;
	out[0] = '\0';
	for (;;) {
		if (pos >= reader->len)
			return -1;
		uint8_t c = reader->msg[pos];
		if (c == 0)
			break;
		if ((c & 0xc0) == 0xc0) {
			if (pos + 1 >= reader->len)
				return -1;
			size_t ptr =
			    (size_t)(c & 0x3f) << 8 | reader->msg[pos + 1];
			if (ptr >= lowest)
				return -1;
			if (end == 0)
				end = pos + 2;
			lowest = pos = ptr;
			continue;
		}
		if ((c & 0xc0) != 0 || c > reader->len - pos - 1)
			return -1;
		wire += (size_t)c + 1;
		if (wire > AG_DNS_WIRE_NAME_MAX ||
		    ag_dns_label_text(reader->msg + pos + 1, c, out, outsize,
		                      &used) < 0)
			return -1;
		pos += (size_t)c + 1;
	}
	reader->pos = end != 0 ? end : pos + 1;
	return 0;
}

/* ag_dns_answer_fail - a TEMPFAIL answer with a static error text */
ag_dns_answer_t *ag_dns_answer_fail(const char *error)
{
	ag_dns_answer_t *answer = ag_dns_answer_new(AG_DNS_TEMPFAIL);

	if (answer != NULL)
		answer->error = error;
	return answer;
}

/* ag_dnsp_ttl - a TTL as RFC 2181 reads it */
static uint32_t ag_dnsp_ttl(uint32_t ttl)
{
	return (ttl & 0x80000000u) ? 0 : ttl;
}

/* ag_dnsp_min - the smaller of two TTLs */
static uint32_t ag_dnsp_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ag_dnsp_rcode_error - error text for a failing rcode, NULL if none */
static const char *ag_dnsp_rcode_error(unsigned rcode)
{
	switch (rcode) {
	case AG_DNS_RCODE_NOERROR:
	case AG_DNS_RCODE_NXDOMAIN:
		return NULL;
	case AG_DNS_RCODE_FORMERR:
		return "formerr";
	case AG_DNS_RCODE_SERVFAIL:
		return "servfail";
	case AG_DNS_RCODE_NOTIMP:
		return "notimp";
	case AG_DNS_RCODE_REFUSED:
		return "refused";
	}
	return "bad rcode";
}

/* ag_dnsp_header - check the header; error text or NULL */
static const char *ag_dnsp_header(ag_dnsp_t *p, ag_dnsr_t *r, int *rcode)
{
	uint16_t id, qdcount, arcount;

	if (ag_dnsr_u16(r, &id) < 0 || ag_dnsr_u16(r, &p->flags) < 0 ||
	    ag_dnsr_u16(r, &qdcount) < 0 || ag_dnsr_u16(r, &p->ancount) < 0 ||
	    ag_dnsr_u16(r, &p->nscount) < 0 || ag_dnsr_u16(r, &arcount) < 0)
		return "short reply";
	*rcode = p->flags & 0x000f;
	if ((p->flags & AG_DNS_FLAG_QR) == 0 || (p->flags & 0x7800) != 0)
		return "not a reply";
	if (p->flags & AG_DNS_FLAG_TC)
		return "truncated";
	if (ag_dnsp_rcode_error((unsigned)*rcode) != NULL)
		return ag_dnsp_rcode_error((unsigned)*rcode);
	if (qdcount != 1)
		return "question mismatch";
	return NULL;
}

/* ag_dnsp_question - check the question echoes (qname, qtype, IN) */
static const char *ag_dnsp_question(ag_dnsr_t *r, const char *qname, int qtype)
{
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	uint16_t type, rclass;

	if (ag_dnsr_name(r, name, sizeof(name)) < 0 ||
	    ag_dnsr_u16(r, &type) < 0 || ag_dnsr_u16(r, &rclass) < 0)
		return ag_dnsp_malformed;
	if (strcasecmp(name, qname) != 0 || type != qtype ||
	    rclass != AG_DNS_CLASS_IN)
		return "question mismatch";
	return NULL;
}

/* ag_dnsp_read_rr - locate one resource record */
static int ag_dnsp_read_rr(ag_dnsr_t *r, ag_dnsp_rr_t *rr)
{
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	uint16_t rdlen;

	rr->owner = r->pos;
	if (ag_dnsr_name(r, name, sizeof(name)) < 0 ||
	    ag_dnsr_u16(r, &rr->type) < 0 || ag_dnsr_u16(r, &rr->rclass) < 0 ||
	    ag_dnsr_u32(r, &rr->ttl) < 0 || ag_dnsr_u16(r, &rdlen) < 0)
		return -1;
	rr->ttl = ag_dnsp_ttl(rr->ttl);
	rr->rdata = r->pos;
	rr->rdlen = rdlen;
	return ag_dnsr_skip(r, rdlen);
}

/* ag_dnsp_read_sections - locate the answer and authority records;
 * error text, NULL, or ag_dnsp_nomem */
static const char *ag_dnsp_read_sections(ag_dnsp_t *p, ag_dnsr_t *r)
{
	size_t count = (size_t)p->ancount + p->nscount;

	if (count > (r->len - r->pos) / AG_DNS_RR_MIN)
		return ag_dnsp_malformed;
	if (count == 0)
		return NULL;
	if ((p->rrs = calloc(count, sizeof(*p->rrs))) == NULL)
		return ag_dnsp_nomem;
	for (size_t i = 0; i < count; i++)
		if (ag_dnsp_read_rr(r, &p->rrs[i]) < 0)
			return ag_dnsp_malformed;
	return NULL;
}

/* ag_dnsp_owned_by - whether a record's owner is name */
static int ag_dnsp_owned_by(const ag_dnsp_t *p, const ag_dnsp_rr_t *rr,
                            const char *name)
{
	char owner[AG_DNS_NAME_TEXT_MAX + 1];
	ag_dnsr_t r = {p->msg, p->len, rr->owner};

	return ag_dnsr_name(&r, owner, sizeof(owner)) == 0 &&
	       rr->rclass == AG_DNS_CLASS_IN && strcasecmp(owner, name) == 0;
}

/* ag_dnsp_rdata_name - the domain name filling an rdata from offset skip */
static int ag_dnsp_rdata_name(const ag_dnsp_t *p, const ag_dnsp_rr_t *rr,
                              size_t skip, char *out, size_t outsize)
{
	ag_dnsr_t r = {p->msg, p->len, rr->rdata + skip};

	if (skip > rr->rdlen || ag_dnsr_name(&r, out, outsize) < 0)
		return -1;
	return r.pos == rr->rdata + rr->rdlen ? 0 : -1;
}

/* ag_dnsp_follow - walk the CNAME chain from qname inside the answer */
static const char *ag_dnsp_follow(const ag_dnsp_t *p, int qtype,
                                  ag_dns_reply_t *reply)
{
	size_t cnames = 0, hops = 0;

	if (qtype == AG_DNS_CNAME)
		return NULL;
	for (size_t i = 0; i < p->ancount; i++)
		cnames += p->rrs[i].type == AG_DNS_CNAME;
	for (size_t i = 0; i < p->ancount; i++) {
		const ag_dnsp_rr_t *rr = &p->rrs[i];
		if (rr->type != AG_DNS_CNAME ||
		    !ag_dnsp_owned_by(p, rr, reply->next))
			continue;
		if (++hops > cnames)
			return "cname loop";
		if (hops > AG_DNS_CHAIN_MAX)
			return "cname chain too long";
		if (ag_dnsp_rdata_name(p, rr, 0, reply->next,
		                       sizeof(reply->next)) < 0)
			return ag_dnsp_malformed;
		reply->chain_ttl = ag_dnsp_min(reply->chain_ttl, rr->ttl);
		i = (size_t)-1; /* the new name may own any record */
	}
	return NULL;
}

/* ag_dnsp_txt - the character-strings of one TXT record, joined */
static int ag_dnsp_txt(const ag_dnsp_t *p, const ag_dnsp_rr_t *rr,
                       ag_dns_answer_t *answer)
{
	const uint8_t *data = p->msg + rr->rdata;
	char *text = malloc(rr->rdlen + 1);
	size_t used = 0;
	int rc;

	if (text == NULL)
		return -2;
	for (size_t i = 0; i < rr->rdlen; i += (size_t)data[i] + 1) {
		if (data[i] > rr->rdlen - i - 1) {
			free(text);
			return -1;
		}
		memcpy(text + used, data + i + 1, data[i]);
		used += data[i];
	}
	rc = ag_dns_answer_add(answer, rr->type, rr->ttl, 0, text, used);
	free(text);
	return rc < 0 ? -2 : 0;
}

/* ag_dnsp_soa - an SOA record's fields; 0 or -1 */
static int ag_dnsp_soa(const ag_dnsp_t *p, const ag_dnsp_rr_t *rr, char *text,
                       size_t size, uint32_t *minimum)
{
	ag_dnsr_t r = {p->msg, p->len, rr->rdata};
	char mname[AG_DNS_NAME_TEXT_MAX + 1], rname[AG_DNS_NAME_TEXT_MAX + 1];
	uint32_t v[5];

	if (ag_dnsr_name(&r, mname, sizeof(mname)) < 0 ||
	    ag_dnsr_name(&r, rname, sizeof(rname)) < 0)
		return -1;
	for (int i = 0; i < 5; i++)
		if (ag_dnsr_u32(&r, &v[i]) < 0)
			return -1;
	if (r.pos != rr->rdata + rr->rdlen)
		return -1;
	*minimum = v[4];
	if (text != NULL)
		snprintf(text, size, "%s %s %u %u %u %u %u", mname, rname, v[0],
		         v[1], v[2], v[3], v[4]);
	return 0;
}

/* ag_dnsp_add - decode one record of the wanted type into the answer;
 * 0, -1 malformed, -2 out of memory */
static int ag_dnsp_add(const ag_dnsp_t *p, const ag_dnsp_rr_t *rr,
                       ag_dns_answer_t *answer)
{
	char text[2 * AG_DNS_NAME_TEXT_MAX + 64];
	uint16_t pref = 0;
	uint32_t minimum;
	ag_dnsr_t r = {p->msg, p->len, rr->rdata};

	switch (rr->type) {
	case AG_DNS_A:
	case AG_DNS_AAAA:
		if (rr->rdlen != (rr->type == AG_DNS_A ? 4u : 16u))
			return -1;
		return ag_dns_answer_add(answer, rr->type, rr->ttl, 0,
		                         p->msg + rr->rdata, rr->rdlen) < 0
		           ? -2
		           : 0;
	case AG_DNS_TXT:
		return ag_dnsp_txt(p, rr, answer);
	case AG_DNS_SOA:
		if (ag_dnsp_soa(p, rr, text, sizeof(text), &minimum) < 0)
			return -1;
		break;
	case AG_DNS_MX:
		if (ag_dnsr_u16(&r, &pref) < 0)
			return -1;
		/* fall through */
	case AG_DNS_NS:
	case AG_DNS_CNAME:
	case AG_DNS_PTR:
		if (ag_dnsp_rdata_name(p, rr, r.pos - rr->rdata, text,
		                       sizeof(text)) < 0)
			return -1;
		break;
	default:
		return -1;
	}
	return ag_dns_answer_add(answer, rr->type, rr->ttl, pref, text,
	                         strlen(text)) < 0
	           ? -2
	           : 0;
}

/* ag_dnsp_collect - the records of qtype owned by name */
static const char *ag_dnsp_collect(const ag_dnsp_t *p, const char *name,
                                   int qtype, ag_dns_answer_t *answer)
{
	for (size_t i = 0; i < p->ancount; i++) {
		const ag_dnsp_rr_t *rr = &p->rrs[i];
		if (rr->type != qtype || !ag_dnsp_owned_by(p, rr, name))
			continue;
		int rc = ag_dnsp_add(p, rr, answer);
		if (rc == -2)
			return ag_dnsp_nomem;
		if (rc < 0)
			return ag_dnsp_malformed;
		answer->ttl = answer->count == 1
		                  ? rr->ttl
		                  : ag_dnsp_min(answer->ttl, rr->ttl);
	}
	return NULL;
}

/* ag_dnsp_authority - negative TTL from the authority section's SOA; also
 * tells whether an SOA and NS records are there */
static uint32_t ag_dnsp_authority(const ag_dnsp_t *p, int *have_soa,
                                  int *have_ns)
{
	uint32_t ttl = AG_DNS_NEG_TTL_DEFAULT;

	*have_soa = *have_ns = 0;
	for (size_t i = p->ancount; i < (size_t)p->ancount + p->nscount; i++) {
		const ag_dnsp_rr_t *rr = &p->rrs[i];
		uint32_t minimum;
		*have_ns |= rr->type == AG_DNS_NS;
		if (*have_soa || rr->type != AG_DNS_SOA ||
		    ag_dnsp_soa(p, rr, NULL, 0, &minimum) < 0)
			continue;
		*have_soa = 1;
		ttl = ag_dnsp_min(ag_dnsp_min(rr->ttl, ag_dnsp_ttl(minimum)),
		                  AG_DNS_NEG_TTL_MAX);
	}
	return ttl;
}

/* ag_dnsp_conclude - OK, negative, a referral, or the next name to ask */
static ag_dns_answer_t *ag_dnsp_conclude(const ag_dnsp_t *p, int rcode,
                                         const char *qname,
                                         ag_dns_answer_t *answer,
                                         ag_dns_reply_t *reply)
{
	int soa, ns;
	uint32_t neg;

	if (answer->count > 0) {
		answer->ttl = ag_dnsp_min(
		    ag_dnsp_min(answer->ttl, reply->chain_ttl), AG_DNS_TTL_MAX);
		return answer;
	}
	neg = ag_dnsp_authority(p, &soa, &ns);
	if (rcode == AG_DNS_RCODE_NOERROR && !soa &&
	    strcasecmp(reply->next, qname) != 0) {
		ag_dns_answer_free(answer);
		return NULL; /* the chain goes on elsewhere */
	}
	if (rcode == AG_DNS_RCODE_NOERROR && !soa && ns && p->ancount == 0) {
		answer->status = AG_DNS_TEMPFAIL;
		answer->error = "referral"; /* not a recursive server */
		return answer;
	}
	answer->status =
	    rcode == AG_DNS_RCODE_NXDOMAIN ? AG_DNS_NXDOMAIN : AG_DNS_NODATA;
	answer->ttl = ag_dnsp_min(neg, reply->chain_ttl);
	return answer;
}

/* ag_dnsp_parse - the answer for a reply, or NULL to ask reply->next;
 * *error set for a TEMPFAIL */
static ag_dns_answer_t *ag_dnsp_parse(ag_dnsp_t *p, const char *qname,
                                      int qtype, ag_dns_reply_t *reply,
                                      const char **error)
{
	ag_dnsr_t r;
	ag_dns_answer_t *answer;

	ag_dnsr_init(&r, p->msg, p->len);
	if ((*error = ag_dnsp_header(p, &r, &reply->rcode)) != NULL ||
	    (*error = ag_dnsp_question(&r, qname, qtype)) != NULL ||
	    (*error = ag_dnsp_read_sections(p, &r)) != NULL ||
	    (*error = ag_dnsp_follow(p, qtype, reply)) != NULL)
		return NULL;
	if ((answer = ag_dns_answer_new(AG_DNS_OK)) == NULL) {
		*error = ag_dnsp_nomem;
		return NULL;
	}
	if ((*error = ag_dnsp_collect(p, reply->next, qtype, answer)) != NULL)
		return ag_dns_answer_free(answer);
	return ag_dnsp_conclude(p, reply->rcode, qname, answer, reply);
}

/* ag_dns_parse_reply - parse msg as the reply to (qname, qtype) */
int ag_dns_parse_reply(const uint8_t *msg, size_t len, const char *qname,
                       int qtype, ag_dns_reply_t *reply)
{
	ag_dnsp_t p = {.msg = msg, .len = len};
	const char *error = NULL;

	reply->rcode = -1;
	reply->chain_ttl = AG_DNS_TTL_MAX;
	snprintf(reply->next, sizeof(reply->next), "%s", qname);
	reply->answer = ag_dnsp_parse(&p, qname, qtype, reply, &error);
	free(p.rrs);
	if (error == ag_dnsp_nomem)
		return -1;
	if (error != NULL) {
		reply->answer = ag_dns_answer_fail(error);
		return reply->answer == NULL ? -1 : 0;
	}
	return 0;
}
