/*
 * fakedns.c - a small scripted DNS server for tests, with fault injection.
 *
 * Usage: fakedns [-a ADDRESS] [-p PORT] [-c COUNTFILE] ZONEFILE
 *   -a ADDRESS    IPv4 or IPv6 address to serve on (default 127.0.0.1)
 *   -p PORT       UDP and TCP port (default 0: a free port is picked)
 *   -c COUNTFILE  rewritten after every query, before it is answered: one
 *                 line "name TYPE udp tcp" per (name, type) asked, giving
 *                 how many queries came over each transport
 * When it listens it prints "port N" and a newline on stdout. SIGUSR1
 * prints the counts on stderr; SIGTERM, SIGINT and SIGHUP end it (exit 0).
 *
 * ZONEFILE holds one item a line; '#' starts a comment. Names are written
 * raw ("_dmarc.example.com", one trailing dot allowed), case-insensitive.
 *   name TYPE ttl data    a record:
 *       A 192.0.2.1 | AAAA 2001:db8::1 | MX 10 mx.example.com |
 *       TXT "v=spf1 -all" "more" (each quoted or bare word is one
 *       character-string; longer than 255 octets is split) |
 *       PTR, CNAME, NS target | SOA mname rname serial refresh retry expire
 *       minimum
 *   name FAULT [arg]      how queries for name (any type) go wrong:
 *       timeout       never answer
 *       servfail, refused, formerr   answer with that rcode
 *       truncate      TC set over UDP, full answer over TCP
 *       truncate-all  TC set over UDP and TCP
 *       garbage       right ID and question, then random octets
 *       wrong-id      the right answer with another ID
 *       delay MS      the right answer MS milliseconds late
 *       cname-loop    name CNAME loop.name, loop.name CNAME name
 *       nochase       answer only name's own records, no SOA
 *
 * Answers carry AA. A CNAME is followed inside the zone (8 steps at most)
 * unless the name is nochase. A name without records of the asked type
 * gets NODATA when it owns records or has descendants, else NXDOMAIN; both
 * carry the SOA of the closest enclosing zone, if the file has one. A chain
 * that leaves the zone ends with NOERROR and only its CNAMEs. UDP answers
 * larger than 512 octets (or than the EDNS size of the query) are sent as
 * header and question with TC set.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "dnsparse.h"
#include "dnswire.h"

#define FD_MAX_CLIENTS 32
#define FD_MAX_MSG 65535
#define FD_CHASE_MAX 8

enum {
	FD_TIMEOUT = 1 << 0, FD_SERVFAIL = 1 << 1, FD_REFUSED = 1 << 2,
	FD_FORMERR = 1 << 3, FD_TRUNCATE = 1 << 4, FD_TRUNCATE_ALL = 1 << 5,
	FD_GARBAGE = 1 << 6, FD_WRONG_ID = 1 << 7, FD_DELAY = 1 << 8,
	FD_CNAME_LOOP = 1 << 9, FD_NOCHASE = 1 << 10
};

static const struct {
	const char *word;
	unsigned flag;
} fd_faults[] = {
	{"timeout", FD_TIMEOUT}, {"servfail", FD_SERVFAIL},
	{"refused", FD_REFUSED}, {"formerr", FD_FORMERR},
	{"truncate", FD_TRUNCATE}, {"truncate-all", FD_TRUNCATE_ALL},
	{"garbage", FD_GARBAGE}, {"wrong-id", FD_WRONG_ID},
	{"delay", FD_DELAY}, {"cname-loop", FD_CNAME_LOOP},
	{"nochase", FD_NOCHASE},
};

static const struct {
	const char *word;
	uint16_t type;
} fd_types[] = {
	{"A", AG_DNS_A}, {"NS", AG_DNS_NS}, {"CNAME", AG_DNS_CNAME},
	{"SOA", AG_DNS_SOA}, {"PTR", AG_DNS_PTR}, {"MX", AG_DNS_MX},
	{"TXT", AG_DNS_TXT}, {"AAAA", AG_DNS_AAAA},
};

typedef struct fd_rr {
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	uint16_t type;
	uint32_t ttl;
	size_t rdlen;
	uint8_t *rdata;
} fd_rr_t;

typedef struct fd_name {
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	unsigned faults;
	unsigned delay_ms;
	unsigned long udp[256], tcp[256];	/* by type, low octet */
	int asked;
} fd_name_t;

typedef struct fd_delayed {
	struct fd_delayed *next;
	uint64_t due_ms;
	int client;			/* TCP client slot, -1 for UDP */
	unsigned generation;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	size_t len;
	uint8_t msg[];
} fd_delayed_t;

typedef struct fd_client {
	int fd;
	unsigned generation;
	size_t used;
	uint8_t buf[FD_MAX_MSG + 2];
} fd_client_t;

typedef struct fd_server {
	fd_rr_t *rrs;
	size_t nrrs;
	fd_name_t *names;
	size_t nnames;
	const char *countfile;
	int udp, listener, sigfd;
	fd_client_t clients[FD_MAX_CLIENTS];
	fd_delayed_t *delayed;
} fd_server_t;

/* fd_die - print a message and exit 2 */
static void fd_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fakedns: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* fd_now_ms - monotonic milliseconds */
static uint64_t fd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* fd_put_name - append a presentation name in wire form */
static void fd_put_name(ag_dnsw_t *out, const char *name)
{
	if (ag_dnsw_name(out, name) < 0)
		fd_die("cannot encode %s", name);
}

/* fd_name_of - the per-name entry, created when create is set */
static fd_name_t *fd_name_of(fd_server_t *s, const char *name, int create)
{
	for (size_t i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i].name, name) == 0)
			return &s->names[i];
	if (!create)
		return NULL;
	s->names = realloc(s->names, (s->nnames + 1) * sizeof(*s->names));
	if (s->names == NULL)
		fd_die("out of memory");
	memset(&s->names[s->nnames], 0, sizeof(*s->names));
	snprintf(s->names[s->nnames].name, sizeof(s->names->name), "%s", name);
	return &s->names[s->nnames++];
}

/* fd_words - split a zone line into words; quoted strings stay whole */
static size_t fd_words(char *line, char **words, size_t max)
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

/* fd_rdata_strings - TXT rdata from words, split into 255-octet strings */
static void fd_rdata_strings(ag_dnsw_t *out, char **words, size_t n)
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

/* fd_norm - a raw zone name in presentation form */
static void fd_norm(const char *raw, char *out, int line)
{
	if (ag_dns_name_normalize(raw, out, AG_DNS_NAME_TEXT_MAX + 1) < 0)
		fd_die("line %d: bad name %s", line, raw);
}

/* fd_rdata - encode the data words of one record */
static void fd_rdata(ag_dnsw_t *out, uint16_t type, char **w, size_t n,
		     int line)
{
	char name[AG_DNS_NAME_TEXT_MAX + 1], name2[AG_DNS_NAME_TEXT_MAX + 1];
	uint8_t addr[16];
	size_t need = type == AG_DNS_MX ? 2 : type == AG_DNS_SOA ? 7 : 1;

	if (n < need || (type != AG_DNS_TXT && n != need))
		fd_die("line %d: wrong number of data fields", line);
	switch (type) {
	case AG_DNS_A:
	case AG_DNS_AAAA:
		if (inet_pton(type == AG_DNS_A ? AF_INET : AF_INET6, w[0],
			      addr) != 1)
			fd_die("line %d: bad address %s", line, w[0]);
		ag_dnsw_bytes(out, addr, type == AG_DNS_A ? 4 : 16);
		break;
	case AG_DNS_TXT:
		fd_rdata_strings(out, w, n);
		break;
	case AG_DNS_MX:
		ag_dnsw_u16(out, (unsigned)atoi(w[0]));
		if (strcmp(w[1], ".") == 0)
			name[0] = '\0';
		else
			fd_norm(w[1], name, line);
		fd_put_name(out, name);
		break;
	case AG_DNS_SOA:
		fd_norm(w[0], name, line);
		fd_norm(w[1], name2, line);
		fd_put_name(out, name);
		fd_put_name(out, name2);
		for (int i = 2; i < 7; i++)
			ag_dnsw_u32(out, (uint32_t)strtoul(w[i], NULL, 10));
		break;
	default:
		fd_norm(w[0], name, line);
		fd_put_name(out, name);
	}
}

/* fd_fault - apply a fault directive; 0, or -1 if words[1] is none */
static int fd_fault(fd_server_t *s, char **words, size_t n, int line)
{
	char name[AG_DNS_NAME_TEXT_MAX + 1];

	for (size_t i = 0; i < sizeof(fd_faults) / sizeof(fd_faults[0]); i++) {
		if (strcmp(words[1], fd_faults[i].word) != 0)
			continue;
		fd_norm(words[0], name, line);
		fd_name_t *e = fd_name_of(s, name, 1);
		e->faults |= fd_faults[i].flag;
		if (fd_faults[i].flag == FD_DELAY) {
			if (n != 3)
				fd_die("line %d: delay needs milliseconds", line);
			e->delay_ms = (unsigned)atoi(words[2]);
		}
		return 0;
	}
	return -1;
}

/* fd_record - add one record line */
static void fd_record(fd_server_t *s, char **words, size_t n, int line)
{
	static uint8_t buf[FD_MAX_MSG];
	ag_dnsw_t out;
	fd_rr_t *rr;
	size_t t = 0;

	while (t < sizeof(fd_types) / sizeof(fd_types[0]) &&
	       strcasecmp(words[1], fd_types[t].word) != 0)
		t++;
	if (t == sizeof(fd_types) / sizeof(fd_types[0]) || n < 4)
		fd_die("line %d: expected name TYPE ttl data, or a fault", line);
	s->rrs = realloc(s->rrs, (s->nrrs + 1) * sizeof(*s->rrs));
	if (s->rrs == NULL)
		fd_die("out of memory");
	rr = &s->rrs[s->nrrs++];
	fd_norm(words[0], rr->name, line);
	rr->type = fd_types[t].type;
	rr->ttl = (uint32_t)strtoul(words[2], NULL, 10);
	ag_dnsw_init(&out, buf, sizeof(buf));
	fd_rdata(&out, rr->type, words + 3, n - 3, line);
	if (out.overflow || (rr->rdata = malloc(out.len + 1)) == NULL)
		fd_die("line %d: record too large", line);
	memcpy(rr->rdata, out.buf, out.len);
	rr->rdlen = out.len;
}

/* fd_load - read the zone file */
static void fd_load(fd_server_t *s, const char *path)
{
	char line[16384], *words[64];
	FILE *fp = fopen(path, "r");
	int lineno = 0;

	if (fp == NULL)
		fd_die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t n = fd_words(line, words, 64);
		lineno++;
		if (n == 0)
			continue;
		if (n < 2)
			fd_die("%s:%d: expected at least two fields", path, lineno);
		if (fd_fault(s, words, n, lineno) < 0)
			fd_record(s, words, n, lineno);
	}
	fclose(fp);
}

/* fd_faults_of - the faults set for a name */
static unsigned fd_faults_of(fd_server_t *s, const char *name)
{
	fd_name_t *e = fd_name_of(s, name, 0);

	return e != NULL ? e->faults : 0;
}

/* fd_exists - whether a name owns records or has descendants */
static int fd_exists(const fd_server_t *s, const char *name)
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

/* fd_soa - the SOA of the closest zone enclosing name, or NULL */
static const fd_rr_t *fd_soa(const fd_server_t *s, const char *name)
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

/* fd_put_rr - append one record */
static void fd_put_rr(ag_dnsw_t *out, const char *owner, uint16_t type,
		      uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	fd_put_name(out, owner);
	ag_dnsw_u16(out, type);
	ag_dnsw_u16(out, 1);
	ag_dnsw_u32(out, ttl);
	ag_dnsw_u16(out, (unsigned)rdlen);
	ag_dnsw_bytes(out, rdata, rdlen);
}

/* fd_put_cname - append a CNAME record built on the fly */
static void fd_put_cname(ag_dnsw_t *out, const char *owner, const char *target)
{
	uint8_t wire[AG_DNS_WIRE_NAME_MAX];
	int n = ag_dns_name_wire(target, wire, sizeof(wire));

	fd_put_rr(out, owner, AG_DNS_CNAME, 300, wire, n > 0 ? (size_t)n : 0);
}

/* fd_add_owned - append name's records of type; how many */
static unsigned fd_add_owned(const fd_server_t *s, ag_dnsw_t *out,
			     const char *name, uint16_t type,
			     const fd_rr_t **cname)
{
	unsigned count = 0;

	*cname = NULL;
	for (size_t i = 0; i < s->nrrs; i++) {
		const fd_rr_t *rr = &s->rrs[i];
		if (strcmp(rr->name, name) != 0)
			continue;
		if (rr->type == AG_DNS_CNAME && *cname == NULL)
			*cname = rr;
		if (rr->type != type)
			continue;
		fd_put_rr(out, rr->name, rr->type, rr->ttl, rr->rdata, rr->rdlen);
		count++;
	}
	return count;
}

/* fd_answer - fill the answer and authority sections; the rcode */
static int fd_answer(fd_server_t *s, ag_dnsw_t *out, const char *qname,
		     uint16_t qtype, unsigned *ancount, unsigned *nscount)
{
	char cur[AG_DNS_NAME_TEXT_MAX + 1], loop[AG_DNS_NAME_TEXT_MAX + 8];
	const fd_rr_t *cname, *soa;
	unsigned faults = fd_faults_of(s, qname), found = 0;

	if (faults & FD_CNAME_LOOP) {
		snprintf(loop, sizeof(loop), "loop.%s", qname);
		fd_put_cname(out, qname, loop);
		fd_put_cname(out, loop, qname);
		*ancount = 2;
		return 0;
	}
	snprintf(cur, sizeof(cur), "%s", qname);
	for (int hop = 0; hop <= FD_CHASE_MAX && !found; hop++) {
		if ((found = fd_add_owned(s, out, cur, qtype, &cname)) > 0 ||
		    cname == NULL || qtype == AG_DNS_CNAME)
			break;
		ag_dnsr_t r = {cname->rdata, cname->rdlen, 0};
		fd_put_rr(out, cur, AG_DNS_CNAME, cname->ttl, cname->rdata,
			  cname->rdlen);
		(*ancount)++;
		if (ag_dnsr_name(&r, cur, sizeof(cur)) < 0 || (faults & FD_NOCHASE))
			return 0;
	}
	*ancount += found;
	if (found > 0)
		return 0;
	if ((soa = fd_soa(s, cur)) == NULL)
		return strcmp(cur, qname) != 0 || fd_exists(s, cur) ? 0 : 3;
	fd_put_rr(out, soa->name, AG_DNS_SOA, soa->ttl, soa->rdata, soa->rdlen);
	(*nscount)++;
	return fd_exists(s, cur) ? 0 : 3;
}

/* A parsed query. */
typedef struct fd_query {
	uint16_t id;
	uint16_t flags;
	uint16_t type;
	char name[AG_DNS_NAME_TEXT_MAX + 1];
	size_t qend;		/* end of the question */
	unsigned edns;		/* UDP size offered, 0 without OPT */
} fd_query_t;

/* fd_parse_query - read a query's header, question and OPT; 0 or -1 */
static int fd_parse_query(const uint8_t *msg, size_t len, fd_query_t *q)
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

/* fd_header - write the reply header and echo the question */
static void fd_header(ag_dnsw_t *out, const uint8_t *query, const fd_query_t *q,
		      unsigned flags, unsigned rcode)
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

/* fd_garbage - the right header and question, then random octets */
static void fd_garbage(ag_dnsw_t *out)
{
	int n = 5 + rand() % 6;

	ag_dnsw_set16(out, 6, 2);	/* two answers that cannot fit */
	for (int i = 0; i < n; i++) {
		uint8_t b = (uint8_t)rand();
		ag_dnsw_bytes(out, &b, 1);
	}
}

/* fd_respond - the reply to one query; 0 when there is none to send */
static size_t fd_respond(fd_server_t *s, const uint8_t *query, const fd_query_t *q,
			 int tcp, ag_dnsw_t *out)
{
	unsigned faults = fd_faults_of(s, q->name), an = 0, ns = 0;
	unsigned limit = tcp ? FD_MAX_MSG : q->edns > 0 ? q->edns : 512;
	int rcode;

	if (faults & FD_TIMEOUT)
		return 0;
	rcode = faults & FD_SERVFAIL ? 2 : faults & FD_REFUSED ? 5
		: faults & FD_FORMERR ? 1 : -1;
	fd_header(out, query, q, 0, rcode > 0 ? (unsigned)rcode : 0);
	if (faults & FD_GARBAGE) {
		fd_garbage(out);
		return out->len;
	}
	if (rcode < 0) {
		rcode = fd_answer(s, out, q->name, q->type, &an, &ns);
		ag_dnsw_set16(out, 2, (out->buf[2] << 8 | out->buf[3]) | (unsigned)rcode);
		ag_dnsw_set16(out, 6, an);
		ag_dnsw_set16(out, 8, ns);
	}
	if (q->edns > 0) {
		static const uint8_t opt[11] = {0, 0, 41, 0x04, 0xd0};
		ag_dnsw_bytes(out, opt, sizeof(opt));
		ag_dnsw_set16(out, 10, 1);
	}
	if (out->overflow || out->len > limit || (faults & FD_TRUNCATE_ALL) ||
	    (!tcp && (faults & FD_TRUNCATE))) {
		fd_header(out, query, q, 0x0200, 0);
	}
	if (faults & FD_WRONG_ID)
		ag_dnsw_set16(out, 0, q->id ^ 0x5a5a);
	return out->len;
}

/* fd_write_counts - print the per-name counts */
static void fd_write_counts(const fd_server_t *s, FILE *fp)
{
	for (size_t i = 0; i < s->nnames; i++) {
		const fd_name_t *e = &s->names[i];
		for (size_t t = 0; t < 256 && e->asked; t++) {
			if (e->udp[t] == 0 && e->tcp[t] == 0)
				continue;
			const char *type = NULL;
			for (size_t k = 0; k < sizeof(fd_types) / sizeof(fd_types[0]); k++)
				if (fd_types[k].type == t)
					type = fd_types[k].word;
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

/* fd_count - count a query and rewrite the count file */
static void fd_count(fd_server_t *s, const fd_query_t *q, int tcp)
{
	fd_name_t *e = fd_name_of(s, q->name, 1);
	char tmp[4096];
	FILE *fp;

	e->asked = 1;
	(tcp ? e->tcp : e->udp)[q->type & 0xff]++;
	if (s->countfile == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->countfile);
	if ((fp = fopen(tmp, "w")) == NULL)
		fd_die("%s: %s", tmp, strerror(errno));
	fd_write_counts(s, fp);
	fclose(fp);
	if (rename(tmp, s->countfile) < 0)
		fd_die("%s: %s", s->countfile, strerror(errno));
}

/* fd_send - send a reply now over its transport */
static void fd_send(fd_server_t *s, int client, const uint8_t *msg, size_t len,
		    const struct sockaddr *peer, socklen_t peerlen)
{
	uint8_t prefix[2] = {(uint8_t)(len >> 8), (uint8_t)len};

	if (client < 0) {
		(void)!sendto(s->udp, msg, len, 0, peer, peerlen);
		return;
	}
	int fd = s->clients[client].fd;
	if (write(fd, prefix, 2) != 2 || write(fd, msg, len) != (ssize_t)len) {
		/* the client went away; poll will see it */
	}
}

/* fd_handle - count, answer (now or later) one query */
static void fd_handle(fd_server_t *s, const uint8_t *msg, size_t len, int client,
		      const struct sockaddr_storage *peer, socklen_t peerlen)
{
	static uint8_t buf[FD_MAX_MSG];
	ag_dnsw_t out;
	fd_query_t q;
	fd_name_t *e;

	if (len < 12 || fd_parse_query(msg, len, &q) < 0)
		return;
	ag_dnsw_init(&out, buf, sizeof(buf));
	fd_count(s, &q, client >= 0);
	if (fd_respond(s, msg, &q, client >= 0, &out) == 0)
		return;
	e = fd_name_of(s, q.name, 0);
	if (e == NULL || !(e->faults & FD_DELAY)) {
		fd_send(s, client, out.buf, out.len,
			(const struct sockaddr *)peer, peerlen);
		return;
	}
	fd_delayed_t *d = calloc(1, sizeof(*d) + out.len);
	if (d == NULL)
		fd_die("out of memory");
	d->due_ms = fd_now_ms() + e->delay_ms;
	d->client = client;
	d->generation = client >= 0 ? s->clients[client].generation : 0;
	d->peer = *peer;
	d->peerlen = peerlen;
	d->len = out.len;
	memcpy(d->msg, out.buf, out.len);
	d->next = s->delayed;
	s->delayed = d;
}

/* fd_flush_delayed - send the delayed replies that are due; ms to the
 * next one, or -1 */
static int fd_flush_delayed(fd_server_t *s)
{
	uint64_t now = fd_now_ms(), next = UINT64_MAX;

	for (fd_delayed_t **link = &s->delayed, *d; (d = *link) != NULL;) {
		if (d->due_ms > now) {
			if (d->due_ms < next)
				next = d->due_ms;
			link = &d->next;
			continue;
		}
		if (d->client < 0 ||
		    (s->clients[d->client].fd >= 0 &&
		     s->clients[d->client].generation == d->generation))
			fd_send(s, d->client, d->msg, d->len,
				(const struct sockaddr *)&d->peer, d->peerlen);
		*link = d->next;
		free(d);
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

/* fd_udp - one UDP datagram */
static void fd_udp(fd_server_t *s)
{
	static uint8_t buf[FD_MAX_MSG];
	struct sockaddr_storage peer;
	socklen_t peerlen = sizeof(peer);
	ssize_t n = recvfrom(s->udp, buf, sizeof(buf), 0,
			     (struct sockaddr *)&peer, &peerlen);

	if (n > 0)
		fd_handle(s, buf, (size_t)n, -1, &peer, peerlen);
}

/* fd_accept - a new TCP client */
static void fd_accept(fd_server_t *s)
{
	static unsigned generation;
	int fd = accept(s->listener, NULL, NULL);

	if (fd < 0)
		return;
	for (int i = 0; i < FD_MAX_CLIENTS; i++)
		if (s->clients[i].fd < 0) {
			s->clients[i].fd = fd;
			s->clients[i].used = 0;
			s->clients[i].generation = ++generation;
			return;
		}
	close(fd);
}

/* fd_tcp - read from a TCP client, answer each whole query */
static void fd_tcp(fd_server_t *s, int i)
{
	fd_client_t *c = &s->clients[i];
	ssize_t n = read(c->fd, c->buf + c->used, sizeof(c->buf) - c->used);
	struct sockaddr_storage none = {0};

	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->used += (size_t)n;
	while (c->used >= 2) {
		size_t len = (size_t)c->buf[0] << 8 | c->buf[1];
		if (c->used < len + 2)
			break;
		fd_handle(s, c->buf + 2, len, i, &none, 0);
		memmove(c->buf, c->buf + 2 + len, c->used - 2 - len);
		c->used -= 2 + len;
	}
}

/* fd_signal - act on a signal; 1 to stop */
static int fd_signal(fd_server_t *s)
{
	struct signalfd_siginfo si;

	if (read(s->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	if (si.ssi_signo == SIGUSR1) {
		fd_write_counts(s, stderr);
		return 0;
	}
	return 1;
}

/* fd_serve - the event loop */
static void fd_serve(fd_server_t *s)
{
	for (;;) {
		struct pollfd p[3 + FD_MAX_CLIENTS];
		int timeout = fd_flush_delayed(s);
		p[0] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
		p[1] = (struct pollfd){.fd = s->udp, .events = POLLIN};
		p[2] = (struct pollfd){.fd = s->listener, .events = POLLIN};
		for (int i = 0; i < FD_MAX_CLIENTS; i++)
			p[3 + i] = (struct pollfd){.fd = s->clients[i].fd,
						   .events = POLLIN};
		if (poll(p, 3 + FD_MAX_CLIENTS, timeout) < 0 && errno != EINTR)
			fd_die("poll: %s", strerror(errno));
		if ((p[0].revents & POLLIN) && fd_signal(s))
			return;
		if (p[1].revents & POLLIN)
			fd_udp(s);
		if (p[2].revents & POLLIN)
			fd_accept(s);
		for (int i = 0; i < FD_MAX_CLIENTS; i++)
			if (p[3 + i].fd >= 0 && p[3 + i].revents != 0)
				fd_tcp(s, i);
	}
}

/* fd_bind - UDP and TCP sockets on one address and port; the port */
static int fd_bind(fd_server_t *s, const char *address, int port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(*v4);
	int one = 1, family = strchr(address, ':') != NULL ? AF_INET6 : AF_INET;

	ss.ss_family = (sa_family_t)family;
	if (inet_pton(family, address, family == AF_INET ? (void *)&v4->sin_addr
			  : (void *)&v6->sin6_addr) != 1)
		fd_die("bad address %s", address);
	if (family == AF_INET6)
		len = sizeof(*v6);
	for (int attempt = 0; attempt < 50; attempt++) {
		s->udp = socket(family, SOCK_DGRAM, 0);
		s->listener = socket(family, SOCK_STREAM, 0);
		setsockopt(s->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		v4->sin_port = htons((uint16_t)port);	/* same offset in v6 */
		if (bind(s->udp, (struct sockaddr *)&ss, len) == 0 &&
		    getsockname(s->udp, (struct sockaddr *)&ss, &len) == 0 &&
		    bind(s->listener, (struct sockaddr *)&ss, len) == 0 &&
		    listen(s->listener, 64) == 0)
			return ntohs(v4->sin_port);
		close(s->udp);
		close(s->listener);
		if (port != 0)
			break;
		v4->sin_port = 0;
	}
	fd_die("cannot listen on %s port %d: %s", address, port, strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	static fd_server_t s;
	const char *address = "127.0.0.1";
	int port = 0, opt;
	sigset_t mask;

	while ((opt = getopt(argc, argv, "a:p:c:")) != -1) {
		if (opt == 'a')
			address = optarg;
		else if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 'c')
			s.countfile = optarg;
		else
			fd_die("usage: fakedns [-a address] [-p port] [-c countfile] zonefile");
	}
	if (optind != argc - 1)
		fd_die("usage: fakedns [-a address] [-p port] [-c countfile] zonefile");
	fd_load(&s, argv[optind]);
	srand((unsigned)getpid());
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((s.sigfd = signalfd(-1, &mask, 0)) < 0)
		fd_die("signalfd: %s", strerror(errno));
	for (int i = 0; i < FD_MAX_CLIENTS; i++)
		s.clients[i].fd = -1;
	printf("port %d\n", fd_bind(&s, address, port));
	fflush(stdout);
	fd_serve(&s);
	return 0;
}
