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
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fakezone.h"

#define AG_FAKEDNS_MAX_CLIENTS 32

typedef struct ag_fakedns_delayed {
	struct ag_fakedns_delayed *next;
	uint64_t due_ms;
	int client; /* TCP client slot, -1 for UDP */
	unsigned generation;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	size_t len;
	uint8_t msg[];
} ag_fakedns_delayed_t;

typedef struct ag_fakedns_client {
	int fd;
	unsigned generation;
	size_t used;
	uint8_t buf[AG_FAKEZONE_MAX_MSG + 2];
} ag_fakedns_client_t;

typedef struct ag_fakedns_server {
	ag_fakezone_t *zone;
	const char *countfile;
	int udp, listener, sigfd;
	ag_fakedns_client_t clients[AG_FAKEDNS_MAX_CLIENTS];
	ag_fakedns_delayed_t *delayed;
} ag_fakedns_server_t;

/* ag_fakedns_now_ms - monotonic milliseconds */
static uint64_t ag_fakedns_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ag_fakedns_write_counts - rewrite the count file, atomically */
static void ag_fakedns_write_counts(ag_fakedns_server_t *s)
{
	char tmp[4096];
	FILE *fp;

	if (s->countfile == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->countfile);
	if ((fp = fopen(tmp, "w")) == NULL)
		ag_fakezone_die("%s: %s", tmp, strerror(errno));
	ag_fakezone_counts(s->zone, fp);
	if (fclose(fp) != 0 || rename(tmp, s->countfile) < 0)
		ag_fakezone_die("%s: %s", s->countfile, strerror(errno));
}

/* ag_fakedns_send - send a reply now over its transport */
static void ag_fakedns_send(ag_fakedns_server_t *s, int client,
                            const uint8_t *msg, size_t len,
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

/* ag_fakedns_handle - count, answer (now or later) one query */
static void ag_fakedns_handle(ag_fakedns_server_t *s, const uint8_t *msg,
                              size_t len, int client,
                              const struct sockaddr_storage *peer,
                              socklen_t peerlen)
{
	static uint8_t buf[AG_FAKEZONE_MAX_MSG];
	ag_fakedns_delayed_t *d;
	unsigned delay_ms;
	ag_dnsw_t out;
	size_t n;

	ag_dnsw_init(&out, buf, sizeof(buf));
	n = ag_fakezone_reply(s->zone, msg, len, client >= 0, &out, &delay_ms);
	ag_fakedns_write_counts(s);
	if (n == 0)
		return;
	if (delay_ms == 0) {
		ag_fakedns_send(s, client, out.buf, out.len,
		                (const struct sockaddr *)peer, peerlen);
		return;
	}
	if ((d = calloc(1, sizeof(*d) + out.len)) == NULL)
		ag_fakezone_die("out of memory");
	d->due_ms = ag_fakedns_now_ms() + delay_ms;
	d->client = client;
	d->generation = client >= 0 ? s->clients[client].generation : 0;
	d->peer = *peer;
	d->peerlen = peerlen;
	d->len = out.len;
	memcpy(d->msg, out.buf, out.len);
	d->next = s->delayed;
	s->delayed = d;
}

/* ag_fakedns_flush_delayed - send the delayed replies that are due; ms to the
 * next one, or -1 */
static int ag_fakedns_flush_delayed(ag_fakedns_server_t *s)
{
	uint64_t now = ag_fakedns_now_ms(), next = UINT64_MAX;

	for (ag_fakedns_delayed_t **link = &s->delayed, *d;
	     (d = *link) != NULL;) {
		if (d->due_ms > now) {
			if (d->due_ms < next)
				next = d->due_ms;
			link = &d->next;
			continue;
		}
		if (d->client < 0 ||
		    (s->clients[d->client].fd >= 0 &&
		     s->clients[d->client].generation == d->generation))
			ag_fakedns_send(s, d->client, d->msg, d->len,
			                (const struct sockaddr *)&d->peer,
			                d->peerlen);
		*link = d->next;
		free(d);
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

/* ag_fakedns_udp - one UDP datagram */
static void ag_fakedns_udp(ag_fakedns_server_t *s)
{
	static uint8_t buf[AG_FAKEZONE_MAX_MSG];
	struct sockaddr_storage peer;
	socklen_t peerlen = sizeof(peer);
	ssize_t n = recvfrom(s->udp, buf, sizeof(buf), 0,
	                     (struct sockaddr *)&peer, &peerlen);

	if (n > 0)
		ag_fakedns_handle(s, buf, (size_t)n, -1, &peer, peerlen);
}

/* ag_fakedns_accept - a new TCP client */
static void ag_fakedns_accept(ag_fakedns_server_t *s)
{
	static unsigned generation;
	int fd = accept(s->listener, NULL, NULL);

	if (fd < 0)
		return;
	for (int i = 0; i < AG_FAKEDNS_MAX_CLIENTS; i++)
		if (s->clients[i].fd < 0) {
			s->clients[i].fd = fd;
			s->clients[i].used = 0;
			s->clients[i].generation = ++generation;
			return;
		}
	close(fd);
}

/* ag_fakedns_tcp - read from a TCP client, answer each whole query */
static void ag_fakedns_tcp(ag_fakedns_server_t *s, int i)
{
	ag_fakedns_client_t *c = &s->clients[i];
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
		ag_fakedns_handle(s, c->buf + 2, len, i, &none, 0);
		memmove(c->buf, c->buf + 2 + len, c->used - 2 - len);
		c->used -= 2 + len;
	}
}

/* ag_fakedns_signal - act on a signal; 1 to stop */
static int ag_fakedns_signal(ag_fakedns_server_t *s)
{
	struct signalfd_siginfo si;

	if (read(s->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	if (si.ssi_signo == SIGUSR1) {
		ag_fakezone_counts(s->zone, stderr);
		return 0;
	}
	return 1;
}

/* ag_fakedns_serve - the event loop */
static void ag_fakedns_serve(ag_fakedns_server_t *s)
{
	for (;;) {
		struct pollfd p[3 + AG_FAKEDNS_MAX_CLIENTS];
		int timeout = ag_fakedns_flush_delayed(s);
		p[0] = (struct pollfd){.fd = s->sigfd, .events = POLLIN};
		p[1] = (struct pollfd){.fd = s->udp, .events = POLLIN};
		p[2] = (struct pollfd){.fd = s->listener, .events = POLLIN};
		for (int i = 0; i < AG_FAKEDNS_MAX_CLIENTS; i++)
			p[3 + i] = (struct pollfd){.fd = s->clients[i].fd,
			                           .events = POLLIN};
		if (poll(p, 3 + AG_FAKEDNS_MAX_CLIENTS, timeout) < 0 &&
		    errno != EINTR)
			ag_fakezone_die("poll: %s", strerror(errno));
		if ((p[0].revents & POLLIN) && ag_fakedns_signal(s))
			return;
		if (p[1].revents & POLLIN)
			ag_fakedns_udp(s);
		if (p[2].revents & POLLIN)
			ag_fakedns_accept(s);
		for (int i = 0; i < AG_FAKEDNS_MAX_CLIENTS; i++)
			if (p[3 + i].fd >= 0 && p[3 + i].revents != 0)
				ag_fakedns_tcp(s, i);
	}
}

/* ag_fakedns_bind - UDP and TCP sockets on one address and port; the port */
static int ag_fakedns_bind(ag_fakedns_server_t *s, const char *address,
                           int port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(*v4);
	int one = 1, family = strchr(address, ':') != NULL ? AF_INET6 : AF_INET;

	ss.ss_family = (sa_family_t)family;
	if (inet_pton(family, address,
	              family == AF_INET ? (void *)&v4->sin_addr
	                                : (void *)&v6->sin6_addr) != 1)
		ag_fakezone_die("bad address %s", address);
	if (family == AF_INET6)
		len = sizeof(*v6);
	for (int attempt = 0; attempt < 50; attempt++) {
		s->udp = socket(family, SOCK_DGRAM, 0);
		s->listener = socket(family, SOCK_STREAM, 0);
		setsockopt(s->listener, SOL_SOCKET, SO_REUSEADDR, &one,
		           sizeof(one));
		v4->sin_port = htons((uint16_t)port); /* same offset in v6 */
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
	ag_fakezone_die("cannot listen on %s port %d: %s", address, port,
	                strerror(errno));
	return -1;
}

int main(int argc, char **argv)
{
	static ag_fakedns_server_t s;
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
			ag_fakezone_die("usage: fakedns [-a address] [-p port] "
			                "[-c countfile] zonefile");
	}
	if (optind != argc - 1)
		ag_fakezone_die("usage: fakedns [-a address] [-p port] [-c "
		                "countfile] zonefile");
	s.zone = ag_fakezone_load(argv[optind]);
	srand((unsigned)getpid());
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((s.sigfd = signalfd(-1, &mask, 0)) < 0)
		ag_fakezone_die("signalfd: %s", strerror(errno));
	for (int i = 0; i < AG_FAKEDNS_MAX_CLIENTS; i++)
		s.clients[i].fd = -1;
	printf("port %d\n", ag_fakedns_bind(&s, address, port));
	fflush(stdout);
	ag_fakedns_serve(&s);
	return 0;
}
