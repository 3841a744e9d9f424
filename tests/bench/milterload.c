/*
 * milterload.c - a milter-protocol load driver: it speaks to a milter as
 * Postfix does (protocol version 6, option negotiation, macros, no-reply
 * steps honoured) over several concurrent connections, several
 * transactions per connection, and prints throughput and latency.
 *
 *   milterload -s inet:PORT@127.0.0.1|unix:PATH [-c connections]
 *              [-n messages-per-connection] [-f from-address]
 *              [-m mail-from] [-l login]
 *
 * Macros go with MAIL FROM and again with end-of-message ({mail_addr},
 * {auth_authen}, i), as Postfix sends them to a milter that asks for them.
 *
 * Output, one line: messages=N seconds=S rate=R p50_us=X p99_us=Y
 * accepted=A rejected=B tempfailed=C (rate in messages per second, latency
 * of one transaction from MAIL FROM to the end-of-message reply).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmilter/mfdef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct load_options {
	const char *socket;
	int connections;
	int messages;
	const char *from;
	const char *mail_from;
	const char *login;
} load_options_t;

typedef struct load_worker {
	const load_options_t *options;
	int index;
	long *latencies_us;
	int done;
	int accepted, rejected, tempfailed, errors;
} load_worker_t;

typedef struct load_conn {
	int fd;
	uint32_t steps;
	char buf[65536];
} load_conn_t;

/* load_now_us - monotonic microseconds */
static long load_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

/* load_connect - open the milter socket */
static int load_connect(const char *spec)
{
	int fd = -1;

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", spec + 5);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
			close(fd);
			return -1;
		}
	} else if (strncmp(spec, "inet:", 5) == 0) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		const char *at = strchr(spec, '@');
		int one = 1;
		sin.sin_port = htons((uint16_t)atoi(spec + 5));
		if (inet_pton(AF_INET, at ? at + 1 : "127.0.0.1", &sin.sin_addr) != 1)
			return -1;
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
			close(fd);
			return -1;
		}
		if (fd >= 0)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
}

/* load_send - one packet (length, command, data) in one write */
static int load_send(load_conn_t *c, char cmd, const void *data, size_t len)
{
	unsigned char head[5];
	uint32_t n = htonl((uint32_t)len + 1);
	struct iovec iov[2] = {{head, 5}, {(void *)data, len}};

	memcpy(head, &n, 4);
	head[4] = (unsigned char)cmd;
	return writev(c->fd, iov, len > 0 ? 2 : 1) == (ssize_t)(len + 5) ? 0 : -1;
}

/* load_read_full - exactly len octets */
static int load_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

/* load_recv - one packet; returns the command or -1 */
static int load_recv(load_conn_t *c, size_t *len)
{
	uint32_t n;
	unsigned char cmd;

	if (load_read_full(c->fd, &n, 4) != 0)
		return -1;
	n = ntohl(n);
	if (n == 0 || n - 1 > sizeof(c->buf))
		return -1;
	if (load_read_full(c->fd, &cmd, 1) != 0 ||
	    load_read_full(c->fd, c->buf, n - 1) != 0)
		return -1;
	*len = n - 1;
	return cmd;
}

/* load_final - read replies until a final one (skipping modifications) */
static int load_final(load_conn_t *c)
{
	size_t len;

	for (;;) {
		int cmd = load_recv(c, &len);
		switch (cmd) {
		case SMFIR_ADDHEADER:
		case SMFIR_INSHEADER:
		case SMFIR_CHGHEADER:
		case SMFIR_QUARANTINE:
		case SMFIR_PROGRESS:
			continue;
		case SMFIR_REPLYCODE:
			/* "4xx ..." is a temporary failure, "5xx ..." a rejection */
			return len > 0 && c->buf[0] == '4' ? SMFIR_TEMPFAIL
							   : SMFIR_REJECT;
		default:
			return cmd;
		}
	}
}

/* load_negotiate - offer everything, remember the steps agreed */
static int load_negotiate(load_conn_t *c)
{
	uint32_t offer[3] = {htonl(6), htonl(0x1ff), htonl(0x1fffff)};
	size_t len;

	if (load_send(c, SMFIC_OPTNEG, offer, sizeof(offer)) != 0 ||
	    load_recv(c, &len) != SMFIC_OPTNEG || len < 12)
		return -1;
	memcpy(&c->steps, c->buf + 8, 4);
	c->steps = ntohl(c->steps);
	return 0;
}

/* load_step - send a command, read its reply unless none is due */
static int load_step(load_conn_t *c, char cmd, const void *data, size_t len,
		     uint32_t skip_flag, uint32_t noreply_flag)
{
	if (c->steps & skip_flag)
		return SMFIR_CONTINUE;
	if (load_send(c, cmd, data, len) != 0)
		return -1;
	if (noreply_flag && (c->steps & noreply_flag))
		return SMFIR_CONTINUE;
	return load_final(c);
}

/* load_pairs - build "a\0b\0..." from NUL-separated strings */
static size_t load_pairs(char *out, size_t size, const char *const *items)
{
	size_t len = 0;

	for (; *items != NULL; items++) {
		size_t n = strlen(*items) + 1;
		if (len + n > size)
			break;
		memcpy(out + len, *items, n);
		len += n;
	}
	return len;
}

/* load_transaction - one message; returns the final reply */
static int load_transaction(load_conn_t *c, const load_options_t *o, int seq)
{
	char data[2048], qid[32], mail[512], from[512], msgid[128];
	const char *macros_mail[] = {"M{auth_authen}", o->login ? o->login : "",
				     "i", qid, NULL};
	const char *headers[][2] = {
		{"From", from}, {"To", " <rcpt@example.net>"},
		{"Subject", " load test"}, {"Message-ID", msgid},
		{"Date", " Thu, 26 Nov 2026 12:00:00 +0000"},
	};
	size_t len;
	int r;

	snprintf(qid, sizeof(qid), "Q%08X", seq);
	snprintf(mail, sizeof(mail), "<%s>", o->mail_from);
	snprintf(from, sizeof(from), " Sender <%s>", o->from);
	snprintf(msgid, sizeof(msgid), " <%d.%s>", seq, qid);
	len = load_pairs(data, sizeof(data), macros_mail);
	if (!(c->steps & SMFIP_NOMAIL) && load_send(c, SMFIC_MACRO, data, len) != 0)
		return -1;
	r = load_step(c, SMFIC_MAIL, mail, strlen(mail) + 1, SMFIP_NOMAIL,
		      SMFIP_NR_MAIL);
	if (r != SMFIR_CONTINUE)
		return r;
	r = load_step(c, SMFIC_RCPT, "<rcpt@example.net>", 19, SMFIP_NORCPT,
		      SMFIP_NR_RCPT);
	if (r != SMFIR_CONTINUE)
		return r;
	r = load_step(c, SMFIC_DATA, NULL, 0, SMFIP_NODATA, SMFIP_NR_DATA);
	if (r != SMFIR_CONTINUE)
		return r;
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		const char *pair[] = {headers[i][0], headers[i][1], NULL};
		len = load_pairs(data, sizeof(data), pair);
		r = load_step(c, SMFIC_HEADER, data, len, SMFIP_NOHDRS, SMFIP_NR_HDR);
		if (r != SMFIR_CONTINUE)
			return r;
	}
	r = load_step(c, SMFIC_EOH, NULL, 0, SMFIP_NOEOH, SMFIP_NR_EOH);
	if (r != SMFIR_CONTINUE)
		return r;
	r = load_step(c, SMFIC_BODY, "Hello.\r\n", 8, SMFIP_NOBODY, SMFIP_NR_BODY);
	if (r != SMFIR_CONTINUE && r != SMFIR_SKIP)
		return r;
	{
		const char *macros_eom[] = {"Ei", qid, "{mail_addr}", o->mail_from,
					    "{auth_authen}", o->login ? o->login : "",
					    NULL};
		len = load_pairs(data, sizeof(data), macros_eom);
		if (load_send(c, SMFIC_MACRO, data, len) != 0 ||
		    load_send(c, SMFIC_BODYEOB, NULL, 0) != 0)
			return -1;
	}
	(void)len;
	return load_final(c);
}

/* load_worker_run - one connection's worth of messages */
static void *load_worker_run(void *arg)
{
	load_worker_t *w = arg;
	const load_options_t *o = w->options;
	load_conn_t *c = calloc(1, sizeof(*c));
	char connect_data[256];
	size_t len;

	if (c == NULL || (c->fd = load_connect(o->socket)) < 0 ||
	    load_negotiate(c) != 0) {
		w->errors++;
		goto out;
	}
	len = (size_t)snprintf(connect_data, sizeof(connect_data),
			       "client.example%c4%c%c127.0.0.1", 0, 0x30, 0x39) + 1;
	if (load_step(c, SMFIC_CONNECT, connect_data, len, SMFIP_NOCONNECT,
		      SMFIP_NR_CONN) < 0) {
		w->errors++;
		goto out;
	}
	for (int i = 0; i < o->messages; i++) {
		long start = load_now_us();
		int r = load_transaction(c, o, w->index * o->messages + i);
		w->latencies_us[w->done++] = load_now_us() - start;
		if (r == SMFIR_ACCEPT || r == SMFIR_CONTINUE)
			w->accepted++;
		else if (r == SMFIR_REJECT)
			w->rejected++;
		else if (r == SMFIR_TEMPFAIL)
			w->tempfailed++;
		else {
			w->errors++;
			break;
		}
		if (r != SMFIR_ACCEPT && r != SMFIR_CONTINUE &&
		    load_send(c, SMFIC_ABORT, NULL, 0) != 0)
			break;
	}
	load_send(c, SMFIC_QUIT, NULL, 0);
out:
	if (c != NULL && c->fd >= 0)
		close(c->fd);
	free(c);
	return NULL;
}

/* load_compare - for qsort of latencies */
static int load_compare(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	load_options_t o = {NULL, 8, 1000, "user@example.com",
			    "bounce@bounce.example.com", NULL};
	load_worker_t *workers;
	pthread_t *threads;
	long *all, start, elapsed;
	int opt, total = 0, acc = 0, rej = 0, tmp = 0, err = 0;

	while ((opt = getopt(argc, argv, "s:c:n:f:m:l:")) != -1) {
		switch (opt) {
		case 's': o.socket = optarg; break;
		case 'c': o.connections = atoi(optarg); break;
		case 'n': o.messages = atoi(optarg); break;
		case 'f': o.from = optarg; break;
		case 'm': o.mail_from = optarg; break;
		case 'l': o.login = optarg; break;
		default:
			fprintf(stderr, "usage: milterload -s socket [-c conns] [-n msgs] "
					"[-f from] [-m mailfrom] [-l login]\n");
			return 2;
		}
	}
	if (o.socket == NULL || o.connections < 1 || o.messages < 1)
		return 2;
	workers = calloc((size_t)o.connections, sizeof(*workers));
	threads = calloc((size_t)o.connections, sizeof(*threads));
	all = calloc((size_t)o.connections * (size_t)o.messages, sizeof(*all));
	start = load_now_us();
	for (int i = 0; i < o.connections; i++) {
		workers[i] = (load_worker_t){&o, i,
			calloc((size_t)o.messages, sizeof(long)), 0, 0, 0, 0, 0};
		pthread_create(&threads[i], NULL, load_worker_run, &workers[i]);
	}
	for (int i = 0; i < o.connections; i++) {
		pthread_join(threads[i], NULL);
		memcpy(all + total, workers[i].latencies_us,
		       (size_t)workers[i].done * sizeof(long));
		total += workers[i].done;
		acc += workers[i].accepted;
		rej += workers[i].rejected;
		tmp += workers[i].tempfailed;
		err += workers[i].errors;
		free(workers[i].latencies_us);
	}
	elapsed = load_now_us() - start;
	qsort(all, (size_t)total, sizeof(long), load_compare);
	printf("messages=%d seconds=%.3f rate=%.0f p50_us=%ld p99_us=%ld "
	       "accepted=%d rejected=%d tempfailed=%d errors=%d\n",
	       total, elapsed / 1e6, total / (elapsed / 1e6),
	       total ? all[total / 2] : 0, total ? all[(total * 99) / 100] : 0,
	       acc, rej, tmp, err);
	free(all);
	free(workers);
	free(threads);
	return err ? 1 : 0;
}
