/*
 * fakezone.c - the scripted zone of tests/lib/fakedns (see fakezone.h; the
 * file syntax and the faults are described in fakedns.c).
 */
#include "fakezone.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "dnsparse.h"

#define AG_FAKEZONE_CHASE_MAX 8

enum {
	AG_FAKEZONE_TIMEOUT = 1 << 0,
	AG_FAKEZONE_SERVFAIL = 1 << 1,
	AG_FAKEZONE_REFUSED = 1 << 2,
	AG_FAKEZONE_FORMERR = 1 << 3,
	AG_FAKEZONE_TRUNCATE = 1 << 4,
	AG_FAKEZONE_TRUNCATE_ALL = 1 << 5,
	AG_FAKEZONE_GARBAGE = 1 << 6,
	AG_FAKEZONE_WRONG_ID = 1 << 7,
	AG_FAKEZONE_DELAY = 1 << 8,
	AG_FAKEZONE_CNAME_LOOP = 1 << 9,
	AG_FAKEZONE_NOCHASE = 1 << 10
};

static const struct {
	const char *word;
	unsigned flag;
} ag_fakezone_faults[] = {
    {"timeout", AG_FAKEZONE_TIMEOUT},
    {"servfail", AG_FAKEZONE_SERVFAIL},
    {"refused", AG_FAKEZONE_REFUSED},
    {"formerr", AG_FAKEZONE_FORMERR},
    {"truncate", AG_FAKEZONE_TRUNCATE},
    {"truncate-all", AG_FAKEZONE_TRUNCATE_ALL},
    {"garbage", AG_FAKEZONE_GARBAGE},
    {"wrong-id", AG_FAKEZONE_WRONG_ID},
    {"delay", AG_FAKEZONE_DELAY},
    {"cname-loop", AG_FAKEZONE_CNAME_LOOP},
    {"nochase", AG_FAKEZONE_NOCHASE},
};

static const struct {
	const char *word;
	uint16_t type;
} ag_fakezone_types[] = {
    {"A", AG_DNS_A},     {"NS", AG_DNS_NS},     {"CNAME", AG_DNS_CNAME},
    {"SOA", AG_DNS_SOA}, {"PTR", AG_DNS_PTR},   {"MX", AG_DNS_MX},
    {"TXT", AG_DNS_TXT}, {"AAAA", AG_DNS_AAAA},
};

typedef struct ag_fakezone_rr {
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	uint16_t type;
	uint32_t ttl;
	size_t rdlen;
	uint8_t *rdata;
} ag_fakezone_rr_t;

typedef struct ag_fakezone_name {
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	unsigned faults;
	unsigned delay_ms;
	unsigned long udp[256], tcp[256]; /* by type, low octet */
	int asked;
} ag_fakezone_name_t;

struct ag_fakezone {
	ag_fakezone_rr_t *rrs;
	size_t nrrs;
	ag_fakezone_name_t *names;
	size_t nnames;
};

/* ag_fakezone_die - print a message and exit 2 */
void ag_fakezone_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fakedns: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* ag_fakezone_put_name - append a presentation name in wire form */
static void ag_fakezone_put_name(ag_dnsw_t *out, const char *name)
{
	if (ag_dnsw_name(out, name) < 0)
		ag_fakezone_die("cannot encode %s", name);
}

/* ag_fakezone_name_of - the per-name entry, created when create is set */
static ag_fakezone_name_t *ag_fakezone_name_of(ag_fakezone_t *s,
                                               const char *name, int create)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i].name, name) == 0)
			return &s->names[i];
	if (!create)
		return NULL;
	s->names = realloc(s->names, (s->nnames + 1) * sizeof(*s->names));
	if (s->names == NULL)
		ag_fakezone_die("out of memory");
	memset(&s->names[s->nnames], 0, sizeof(*s->names));
	snprintf(s->names[s->nnames].name, sizeof(s->names->name), "%s", name);
	return &s->names[s->nnames++];
}

/* ag_fakezone_words - split a zone line into words; quoted strings stay whole
 */
static size_t ag_fakezone_words(char *line, char **words, size_t max)
{
	size_t n = 0;

	for (char *p = line; *p != '\0' && n < max;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (*p == '"') {
			words[n++] = p;
			char *end = strchr(p + 1, '"');
			p = end != NULL ? end + 1 : p + strlen(p);
		} else {
			words[n++] = p;
			p += strcspn(p, " \t\r\n");
		}
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

/* ag_fakezone_rdata_strings - TXT rdata from words, split into 255-octet
 * strings */
static void ag_fakezone_rdata_strings(ag_dnsw_t *out, char **words, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		size_t len = strlen(w);
		if (w[0] == '"') {
			w++;
			len -= len >= 2 && w[len - 2] == '"' ? 2 : 1;
		}
		do {
			size_t part = len > 255 ? 255 : len;
			uint8_t l = (uint8_t)part;
			ag_dnsw_bytes(out, &l, 1);
			ag_dnsw_bytes(out, w, part);
			w += part;
			len -= part;
		} while (len > 0);
	}
}

/* ag_fakezone_norm - a raw zone name in presentation form */
static void ag_fakezone_norm(const char *raw, char *out, int line)
{
	if (ag_dns_name_normalize(raw, out, AG_DNS_NAME_TEXT_MAX + 1) < 0)
		ag_fakezone_die("line %d: bad name %s", line, raw);
}

/* ag_fakezone_rdata - encode the data words of one record */
static void ag_fakezone_rdata(ag_dnsw_t *out, uint16_t type, char **w, size_t n,
                              int line)
{
	char name[AG_DNS_NAME_TEXT_MAX + 1], name2[AG_DNS_NAME_TEXT_MAX + 1];
	uint8_t addr[16];
	size_t need = type == AG_DNS_MX ? 2 : type == AG_DNS_SOA ? 7 : 1;

	if (n < need || (type != AG_DNS_TXT && n != need))
		ag_fakezone_die("line %d: wrong number of data fields", line);
	switch (type) {
	case AG_DNS_A:
	case AG_DNS_AAAA:
		if (inet_pton(type == AG_DNS_A ? AF_INET : AF_INET6, w[0],
		              addr) != 1)
			ag_fakezone_die("line %d: bad address %s", line, w[0]);
		ag_dnsw_bytes(out, addr, type == AG_DNS_A ? 4 : 16);
		break;
	case AG_DNS_TXT:
		ag_fakezone_rdata_strings(out, w, n);
		break;
	case AG_DNS_MX:
		ag_dnsw_u16(out, (unsigned)atoi(w[0]));
		if (strcmp(w[1], ".") == 0)
			name[0] = '\0';
		else
			ag_fakezone_norm(w[1], name, line);
		ag_fakezone_put_name(out, name);
		break;
	case AG_DNS_SOA:
		ag_fakezone_norm(w[0], name, line);
		ag_fakezone_norm(w[1], name2, line);
		ag_fakezone_put_name(out, name);
		ag_fakezone_put_name(out, name2);
		for (int i = 2; i < 7; i++)
			ag_dnsw_u32(out, (uint32_t)strtoul(w[i], NULL, 10));
		break;
	default:
		ag_fakezone_norm(w[0], name, line);
		ag_fakezone_put_name(out, name);
	}
}

/* ag_fakezone_fault - apply a fault directive; 0, or -1 if words[1] is none */
static int ag_fakezone_fault(ag_fakezone_t *s, char **words, size_t n, int line)
{
	char name[AG_DNS_NAME_TEXT_MAX + 1];

	for (size_t i = 0;
	     i < sizeof(ag_fakezone_faults) / sizeof(ag_fakezone_faults[0]);
	     i++) {
		if (strcmp(words[1], ag_fakezone_faults[i].word) != 0)
			continue;
		ag_fakezone_norm(words[0], name, line);
		ag_fakezone_name_t *e = ag_fakezone_name_of(s, name, 1);
		e->faults |= ag_fakezone_faults[i].flag;
		if (ag_fakezone_faults[i].flag == AG_FAKEZONE_DELAY) {
			if (n != 3)
				ag_fakezone_die(
				    "line %d: delay needs milliseconds", line);
			e->delay_ms = (unsigned)atoi(words[2]);
		}
		return 0;
	}
	return -1;
}

/* ag_fakezone_record - add one record line */
static void ag_fakezone_record(ag_fakezone_t *s, char **words, size_t n,
                               int line)
{
	static uint8_t buf[AG_FAKEZONE_MAX_MSG];
	ag_dnsw_t out;
	ag_fakezone_rr_t *rr;
	size_t t = 0;

	while (t < sizeof(ag_fakezone_types) / sizeof(ag_fakezone_types[0]) &&
	       strcasecmp(words[1], ag_fakezone_types[t].word) != 0)
		t++;
	if (t == sizeof(ag_fakezone_types) / sizeof(ag_fakezone_types[0]) ||
	    n < 4)
		ag_fakezone_die(
		    "line %d: expected name TYPE ttl data, or a fault", line);
	s->rrs = realloc(s->rrs, (s->nrrs + 1) * sizeof(*s->rrs));
	if (s->rrs == NULL)
		ag_fakezone_die("out of memory");
	rr = &s->rrs[s->nrrs++];
	ag_fakezone_norm(words[0], rr->name, line);
	rr->type = ag_fakezone_types[t].type;
	rr->ttl = (uint32_t)strtoul(words[2], NULL, 10);
	ag_dnsw_init(&out, buf, sizeof(buf));
	ag_fakezone_rdata(&out, rr->type, words + 3, n - 3, line);
	if (out.overflow || (rr->rdata = malloc(out.len + 1)) == NULL)
		ag_fakezone_die("line %d: record too large", line);
	memcpy(rr->rdata, out.buf, out.len);
	rr->rdlen = out.len;
}

/* ag_fakezone_load - read the zone file */
ag_fakezone_t *ag_fakezone_load(const char *path)
{
	ag_fakezone_t *s = calloc(1, sizeof(*s));
	char line[16384], *words[64];
	FILE *fp = fopen(path, "r");
	int lineno = 0;

	if (s == NULL)
		ag_fakezone_die("out of memory");
	if (fp == NULL)
		ag_fakezone_die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = ag_fakezone_words(line, words, 64);
		lineno++;
		if (n == 0)
			continue;
		if (n < 2)
			ag_fakezone_die("%s:%d: expected at least two fields",
			                path, lineno);
		if (ag_fakezone_fault(s, words, n, lineno) < 0)
			ag_fakezone_record(s, words, n, lineno);
	}
	fclose(fp);
	return s;
}

/* ag_fakezone_faults_of - the faults set for a name */
static unsigned ag_fakezone_faults_of(ag_fakezone_t *s, const char *name)
{
	ag_fakezone_name_t *e = ag_fakezone_name_of(s, name, 0);

	return e != NULL ? e->faults : 0;
}

/* ag_fakezone_exists - whether a name owns records or has descendants */
static int ag_fakezone_exists(const ag_fakezone_t *s, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < s->nrrs; i++) {
		const char *o = s->rrs[i].name;
		size_t olen = strlen(o);
		if (strcmp(o, name) == 0 ||
		    (olen > len && o[olen - len - 1] == '.' &&
		     strcmp(o + olen - len, name) == 0))
			return 1;
	}
	return 0;
}

/* ag_fakezone_soa - the SOA of the closest zone enclosing name, or NULL */
static const ag_fakezone_rr_t *ag_fakezone_soa(const ag_fakezone_t *s,
                                               const char *name)
{
	for (const char *p = name; p != NULL;) {
		for (size_t i = 0; i < s->nrrs; i++)
			if (s->rrs[i].type == AG_DNS_SOA &&
			    strcmp(s->rrs[i].name, p) == 0)
				return &s->rrs[i];
		p = strchr(p, '.');
		p = p != NULL ? p + 1 : NULL;
	}
	return NULL;
}

/* ag_fakezone_put_rr - append one record */
static void ag_fakezone_put_rr(ag_dnsw_t *out, const char *owner, uint16_t type,
                               uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	ag_fakezone_put_name(out, owner);
	ag_dnsw_u16(out, type);
	ag_dnsw_u16(out, 1);
	ag_dnsw_u32(out, ttl);
	ag_dnsw_u16(out, (unsigned)rdlen);
	ag_dnsw_bytes(out, rdata, rdlen);
}

/* ag_fakezone_put_cname - append a CNAME record built on the fly */
static void ag_fakezone_put_cname(ag_dnsw_t *out, const char *owner,
                                  const char *target)
{
	uint8_t wire[AG_DNS_WIRE_NAME_MAX];
	int n = ag_dns_name_wire(target, wire, sizeof(wire));

	ag_fakezone_put_rr(out, owner, AG_DNS_CNAME, 300, wire,
	                   n > 0 ? (size_t)n : 0);
}

/* ag_fakezone_add_owned - append name's records of type; how many */
static unsigned ag_fakezone_add_owned(const ag_fakezone_t *s, ag_dnsw_t *out,
                                      const char *name, uint16_t type,
                                      const ag_fakezone_rr_t **cname)
{
	unsigned count = 0;

	*cname = NULL;
	for (size_t i = 0; i < s->nrrs; i++) {
		const ag_fakezone_rr_t *rr = &s->rrs[i];
		if (strcmp(rr->name, name) != 0)
			continue;
		if (rr->type == AG_DNS_CNAME && *cname == NULL)
			*cname = rr;
		if (rr->type != type)
			continue;
		ag_fakezone_put_rr(out, rr->name, rr->type, rr->ttl, rr->rdata,
		                   rr->rdlen);
		count++;
	}
	return count;
}

/* ag_fakezone_answer - fill the answer and authority sections; the rcode */
static int ag_fakezone_answer(ag_fakezone_t *s, ag_dnsw_t *out,
                              const char *qname, uint16_t qtype,
                              unsigned *ancount, unsigned *nscount)
{
	char cur[AG_DNS_NAME_TEXT_MAX + 1], loop[AG_DNS_NAME_TEXT_MAX + 8];
	const ag_fakezone_rr_t *cname, *soa;
	unsigned faults = ag_fakezone_faults_of(s, qname), found = 0;

	if (faults & AG_FAKEZONE_CNAME_LOOP) {
		snprintf(loop, sizeof(loop), "loop.%s", qname);
		ag_fakezone_put_cname(out, qname, loop);
		ag_fakezone_put_cname(out, loop, qname);
		*ancount = 2;
		return 0;
	}
	snprintf(cur, sizeof(cur), "%s", qname);
	for (int hop = 0; hop <= AG_FAKEZONE_CHASE_MAX && !found; hop++) {
		if ((found = ag_fakezone_add_owned(s, out, cur, qtype,
		                                   &cname)) > 0 ||
		    cname == NULL || qtype == AG_DNS_CNAME)
			break;
		ag_dnsr_t r = {cname->rdata, cname->rdlen, 0};
		ag_fakezone_put_rr(out, cur, AG_DNS_CNAME, cname->ttl,
		                   cname->rdata, cname->rdlen);
		(*ancount)++;
		if (ag_dnsr_name(&r, cur, sizeof(cur)) < 0 ||
		    (faults & AG_FAKEZONE_NOCHASE))
			return 0;
	}
	*ancount += found;
	if (found > 0)
		return 0;
	if ((soa = ag_fakezone_soa(s, cur)) == NULL)
		return strcmp(cur, qname) != 0 || ag_fakezone_exists(s, cur)
		           ? 0
		           : 3;
	ag_fakezone_put_rr(out, soa->name, AG_DNS_SOA, soa->ttl, soa->rdata,
	                   soa->rdlen);
	(*nscount)++;
	return ag_fakezone_exists(s, cur) ? 0 : 3;
}

/* A parsed query. */
typedef struct ag_fakezone_query {
	uint16_t id;
	uint16_t flags;
	uint16_t type;
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	size_t qend;   /* end of the question */
	unsigned edns; /* UDP size offered, 0 without OPT */
} ag_fakezone_query_t;

/* ag_fakezone_parse_query - read a query's header, question and OPT; 0 or -1 */
static int ag_fakezone_parse_query(const uint8_t *msg, size_t len,
                                   ag_fakezone_query_t *q)
{
	ag_dnsr_t r;
	uint16_t qd, an, ns, ar, qclass, type, size;

	ag_dnsr_init(&r, msg, len);
	if (ag_dnsr_u16(&r, &q->id) < 0 || ag_dnsr_u16(&r, &q->flags) < 0 ||
	    ag_dnsr_u16(&r, &qd) < 0 || ag_dnsr_u16(&r, &an) < 0 ||
	    ag_dnsr_u16(&r, &ns) < 0 || ag_dnsr_u16(&r, &ar) < 0 || qd != 1 ||
	    ag_dnsr_name(&r, q->name, sizeof(q->name)) < 0 ||
	    ag_dnsr_u16(&r, &q->type) < 0 || ag_dnsr_u16(&r, &qclass) < 0)
		return -1;
	for (char *p = q->name; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	q->qend = r.pos;
	q->edns = 0;
	if (an == 0 && ns == 0 && ar == 1 && r.pos < len && msg[r.pos] == 0) {
		r.pos++;
		if (ag_dnsr_u16(&r, &type) == 0 && type == 41 &&
		    ag_dnsr_u16(&r, &size) == 0)
			q->edns = size < 512 ? 512 : size;
	}
	return 0;
}

/* ag_fakezone_header - write the reply header and echo the question */
static void ag_fakezone_header(ag_dnsw_t *out, const uint8_t *query,
                               const ag_fakezone_query_t *q, unsigned flags,
                               unsigned rcode)
{
	ag_dnsw_init(out, out->buf, out->size);
	ag_dnsw_u16(out, q->id);
	ag_dnsw_u16(out, 0x8400 | (q->flags & 0x0100) | 0x0080 | flags | rcode);
	ag_dnsw_u16(out, 1);
	ag_dnsw_u16(out, 0);
	ag_dnsw_u16(out, 0);
	ag_dnsw_u16(out, 0);
	ag_dnsw_bytes(out, query + 12, q->qend - 12);
}

/* ag_fakezone_garbage - the right header and question, then random octets */
static void ag_fakezone_garbage(ag_dnsw_t *out)
{
	int n = 5 + rand() % 6;

	ag_dnsw_set16(out, 6, 2); /* two answers that cannot fit */
	for (int i = 0; i < n; i++) {
		uint8_t b = (uint8_t)rand();
		ag_dnsw_bytes(out, &b, 1);
	}
}

/* ag_fakezone_respond - the reply to one query; 0 when there is none to send */
static size_t ag_fakezone_respond(ag_fakezone_t *s, const uint8_t *query,
                                  const ag_fakezone_query_t *q, int tcp,
                                  ag_dnsw_t *out)
{
	unsigned faults = ag_fakezone_faults_of(s, q->name), an = 0, ns = 0;
	unsigned limit = tcp           ? AG_FAKEZONE_MAX_MSG
	                 : q->edns > 0 ? q->edns
	                               : 512;
	int rcode;

	if (faults & AG_FAKEZONE_TIMEOUT)
		return 0;
	rcode = faults & AG_FAKEZONE_SERVFAIL  ? 2
	        : faults & AG_FAKEZONE_REFUSED ? 5
	        : faults & AG_FAKEZONE_FORMERR ? 1
	                                       : -1;
	ag_fakezone_header(out, query, q, 0, rcode > 0 ? (unsigned)rcode : 0);
	if (faults & AG_FAKEZONE_GARBAGE) {
		ag_fakezone_garbage(out);
		return out->len;
	}
	if (rcode < 0) {
		rcode = ag_fakezone_answer(s, out, q->name, q->type, &an, &ns);
		ag_dnsw_set16(
		    out, 2, (out->buf[2] << 8 | out->buf[3]) | (unsigned)rcode);
		ag_dnsw_set16(out, 6, an);
		ag_dnsw_set16(out, 8, ns);
	}
	if (q->edns > 0) {
		static const uint8_t opt[11] = {0, 0, 41, 0x04, 0xd0};
		ag_dnsw_bytes(out, opt, sizeof(opt));
		ag_dnsw_set16(out, 10, 1);
	}
	if (out->overflow || out->len > limit ||
	    (faults & AG_FAKEZONE_TRUNCATE_ALL) ||
	    (!tcp && (faults & AG_FAKEZONE_TRUNCATE))) {
		ag_fakezone_header(out, query, q, 0x0200, 0);
	}
	if (faults & AG_FAKEZONE_WRONG_ID)
		ag_dnsw_set16(out, 0, q->id ^ 0x5a5a);
	return out->len;
}

/* ag_fakezone_counts - print the per-name counts */
void ag_fakezone_counts(const ag_fakezone_t *s, FILE *fp)
{
	for (size_t i = 0; i < s->nnames; i++) {
		const ag_fakezone_name_t *e = &s->names[i];
		for (size_t t = 0; t < 256 && e->asked; t++) {
			if (e->udp[t] == 0 && e->tcp[t] == 0)
				continue;
			const char *type = NULL;
			for (size_t k = 0; k < sizeof(ag_fakezone_types) /
			                           sizeof(ag_fakezone_types[0]);
			     k++)
				if (ag_fakezone_types[k].type == t)
					type = ag_fakezone_types[k].word;
			if (type != NULL)
				fprintf(fp, "%s %s %lu %lu\n", e->name, type,
				        e->udp[t], e->tcp[t]);
			else
				fprintf(fp, "%s TYPE%zu %lu %lu\n", e->name, t,
				        e->udp[t], e->tcp[t]);
		}
	}
	fflush(fp);
}

/* ag_fakezone_reply - count a query and write its reply */
size_t ag_fakezone_reply(ag_fakezone_t *s, const uint8_t *query, size_t len,
                         int tcp, ag_dnsw_t *out, unsigned *delay_ms)
{
	ag_fakezone_query_t q;
	ag_fakezone_name_t *e;

	*delay_ms = 0;
	if (ag_fakezone_parse_query(query, len, &q) < 0)
		return 0;
	e = ag_fakezone_name_of(s, q.name, 1);
	e->asked = 1;
	(tcp ? e->tcp : e->udp)[q.type & 0xff]++;
	if (e->faults & AG_FAKEZONE_DELAY)
		*delay_ms = e->delay_ms;
	return ag_fakezone_respond(s, query, &q, tcp, out);
}
