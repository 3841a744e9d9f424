/*
 * dnsloop.c - the c-ares channel and its event thread (see dnsloop.h).
 */
#include "dnsloop.h"
#include "dnswire.h"

#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#define AG_DNSLOOP_MIN_TRY_MS  50
#define AG_DNSLOOP_MAX_RETRIES 5

struct ag_dnsloop {
	ares_channel channel;
	unsigned edns_size;
	int wakefd;
	pthread_t thread;
	pthread_mutex_t lock; /* guards queue, tail, stopping */
	ag_dnsloop_job_t *queue;
	ag_dnsloop_job_t **tail;
	int stopping;
	struct pollfd *socks;   /* what c-ares wants watched */
	struct pollfd *pollset; /* the eventfd, then a copy of socks */
	size_t nsocks;
	size_t capacity;
};

static pthread_once_t ag_dnsloop_once = PTHREAD_ONCE_INIT;

/* ag_dnsloop_library - initialise c-ares once per process */
static void ag_dnsloop_library(void)
{
	(void)ares_library_init(ARES_LIB_INIT_ALL);
}

/* ag_dnsloop_port - a port number in 1..65535, or -1 */
static int ag_dnsloop_port(const char *text)
{
	char *end;
	unsigned long port;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	port = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || port == 0 || port > 65535)
		return -1;
	return (int)port;
}

/* ag_dnsloop_server - one nameserver entry; 0 or -1 */
static int ag_dnsloop_server(const char *spec, struct ares_addr_port_node *node)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port = NULL, *colon = strchr(spec, ':');
	size_t len = strlen(spec);

	node->family = AF_INET;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return -1;
		len = (size_t)(close - spec) - 1;
		spec++;
		port = close[1] == ':' ? close + 2 : NULL;
		node->family = AF_INET6;
	} else if (colon != NULL && strchr(colon + 1, ':') != NULL) {
		node->family = AF_INET6;
	} else if (colon != NULL) {
		len = (size_t)(colon - spec);
		port = colon + 1;
	}
	if (len >= sizeof(host))
		return -1;
	memcpy(host, spec, len);
	host[len] = '\0';
	if (inet_pton(node->family, host,
	              node->family == AF_INET ? (void *)&node->addr.addr4
	                                      : (void *)&node->addr.addr6) != 1)
		return -1;
	node->udp_port = node->tcp_port =
	    port != NULL ? ag_dnsloop_port(port) : 0;
	return node->udp_port < 0 ? -1 : 0;
}

/* ag_dnsloop_servers - point the channel at the listed nameservers */
static int ag_dnsloop_servers(ares_channel channel, const char *list, char *err,
                              size_t errsize)
{
	struct ares_addr_port_node nodes[32];
	char copy[1024], *save = NULL;
	size_t n = 0;

	if (snprintf(copy, sizeof(copy), "%s", list) >= (int)sizeof(copy)) {
		snprintf(err, errsize, "nameserver list too long");
		return -1;
	}
	for (char *s = strtok_r(copy, ", \t", &save); s != NULL;
	     s = strtok_r(NULL, ", \t", &save)) {
		if (n == sizeof(nodes) / sizeof(nodes[0])) {
			snprintf(err, errsize, "more than %zu nameservers", n);
			return -1;
		}
		memset(&nodes[n], 0, sizeof(nodes[n]));
		if (ag_dnsloop_server(s, &nodes[n]) < 0) {
			snprintf(err, errsize,
			         "nameserver \"%s\": not an IP "
			         "address with an optional port",
			         s);
			return -1;
		}
		if (n > 0)
			nodes[n - 1].next = &nodes[n];
		n++;
	}
	if (n > 0 && ares_set_servers_ports(channel, nodes) != ARES_SUCCESS) {
		snprintf(err, errsize, "cannot set nameservers");
		return -1;
	}
	return 0;
}

/* ag_dnsloop_sock_state - c-ares tells which sockets to watch for what */
static void ag_dnsloop_sock_state(void *data, ares_socket_t fd, int readable,
                                  int writable)
{
	ag_dnsloop_t *loop = data;
	short events =
	    (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	size_t i = 0;

	while (i < loop->nsocks && loop->socks[i].fd != fd)
		i++;
	if (events == 0) {
		if (i < loop->nsocks)
			loop->socks[i] = loop->socks[--loop->nsocks];
		return;
	}
	if (i == loop->nsocks) {
		if (loop->nsocks == loop->capacity) {
			size_t cap = loop->capacity * 2 + 4;
			struct pollfd *s =
			    realloc(loop->socks, cap * sizeof(*s));
			if (s != NULL)
				loop->socks = s;
			struct pollfd *p =
			    realloc(loop->pollset, (cap + 1) * sizeof(*p));
			if (p != NULL)
				loop->pollset = p;
			if (s == NULL || p == NULL)
				return; /* unwatched: its queries time out */
			loop->capacity = cap;
		}
		loop->nsocks++;
	}
	loop->socks[i].fd = fd;
	loop->socks[i].events = events;
}

/* ag_dnsloop_finish - end a job with a c-ares status */
static void ag_dnsloop_finish(ag_dnsloop_job_t *job, int status,
                              const unsigned char *reply, int len)
{
	ag_dnsloop_result_t result = {AG_DNSLOOP_ERROR, NULL, NULL, 0};

	switch (status) {
	case ARES_SUCCESS:
		result.kind = AG_DNSLOOP_REPLY;
		result.reply = reply;
		result.len = len > 0 ? (size_t)len : 0;
		break;
	case ARES_ETIMEOUT:
		result.kind = AG_DNSLOOP_TIMEOUT;
		result.error = "timeout";
		break;
	case ARES_ESERVFAIL:
		result.kind = AG_DNSLOOP_SERVFAIL;
		result.error = "servfail";
		break;
	case ARES_EREFUSED:
		result.kind = AG_DNSLOOP_REFUSED;
		result.error = "refused";
		break;
	case ARES_ECONNREFUSED:
		result.error = "connection refused";
		break;
	case ARES_EDESTRUCTION:
	case ARES_ECANCELLED:
		result.error = "shutdown";
		break;
	case ARES_ENOMEM:
		result.error = "out of memory";
		break;
	default:
		result.error =
		    status == ARES_ENOTIMP ? "notimp" : "resolver error";
		break;
	}
	job->done(job, &result);
}

/* ag_dnsloop_on_reply - c-ares ends a query */
static void ag_dnsloop_on_reply(void *arg, int status, int timeouts,
                                unsigned char *reply, int len)
{
	ag_dnsloop_finish(
	    arg,
	    reply == NULL && status == ARES_SUCCESS ? ARES_EBADRESP : status,
	    reply, len);
}

/* ag_dnsloop_send - build a job's query and hand it to c-ares */
static void ag_dnsloop_send(ag_dnsloop_t *loop, ag_dnsloop_job_t *job)
{
	uint8_t query[AG_DNS_QUERY_MAX];
	uint16_t id = 0;
	int len;

	if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
		id = (uint16_t)rand();
	len = ag_dns_query_build(job->name, job->type, id, loop->edns_size,
	                         query, sizeof(query));
	if (len < 0)
		ag_dnsloop_finish(job, ARES_EBADNAME, NULL, 0);
	else
		ares_send(loop->channel, query, len, ag_dnsloop_on_reply, job);
}

/* ag_dnsloop_submit - queue a job and wake the loop */
void ag_dnsloop_submit(ag_dnsloop_t *loop, ag_dnsloop_job_t *job)
{
	uint64_t one = 1;

	job->next = NULL;
	pthread_mutex_lock(&loop->lock);
	*loop->tail = job;
	loop->tail = &job->next;
	pthread_mutex_unlock(&loop->lock);
	if (write(loop->wakefd, &one, sizeof(one)) < 0) {
		/* the counter is full: the loop is awake already */
	}
}

/* ag_dnsloop_take - the queued jobs, and whether to stop */
static ag_dnsloop_job_t *ag_dnsloop_take(ag_dnsloop_t *loop, int *stopping)
{
	ag_dnsloop_job_t *jobs;
	uint64_t count;

	if (read(loop->wakefd, &count, sizeof(count)) < 0) {
		/* nothing to drain */
	}
	pthread_mutex_lock(&loop->lock);
	jobs = loop->queue;
	loop->queue = NULL;
	loop->tail = &loop->queue;
	*stopping = loop->stopping;
	pthread_mutex_unlock(&loop->lock);
	return jobs;
}

/* ag_dnsloop_wait - poll until a socket, the eventfd or a timeout */
static size_t ag_dnsloop_wait(ag_dnsloop_t *loop)
{
	struct timeval tv, *next = ares_timeout(loop->channel, NULL, &tv);
	int ms = -1;

	if (next != NULL)
		ms = (int)(next->tv_sec * 1000 + (next->tv_usec + 999) / 1000);
	loop->pollset[0].fd = loop->wakefd;
	loop->pollset[0].events = POLLIN;
	if (loop->nsocks > 0)
		memcpy(loop->pollset + 1, loop->socks,
		       loop->nsocks * sizeof(*loop->socks));
	for (size_t i = 0; i <= loop->nsocks; i++)
		loop->pollset[i].revents = 0;
	if (poll(loop->pollset, loop->nsocks + 1, ms) < 0) {
		/* not a signal (ENOMEM): back off instead of spinning */
		if (errno != EINTR)
			usleep(10 * 1000);
		return 0;
	}
	return loop->nsocks + 1;
}

/* ag_dnsloop_process - let c-ares read, write and time out */
static void ag_dnsloop_process(ag_dnsloop_t *loop, size_t count)
{
	for (size_t i = 1; i < count; i++) {
		short ev = loop->pollset[i].revents;
		ares_socket_t fd = loop->pollset[i].fd;
		if (ev == 0)
			continue;
		ares_process_fd(
		    loop->channel,
		    (ev & (POLLIN | POLLERR | POLLHUP)) ? fd : ARES_SOCKET_BAD,
		    (ev & POLLOUT) ? fd : ARES_SOCKET_BAD);
	}
	ares_process_fd(loop->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* ag_dnsloop_abort - end jobs that will never be sent */
static void ag_dnsloop_abort(ag_dnsloop_job_t *job)
{
	while (job != NULL) {
		ag_dnsloop_job_t *next = job->next;
		ag_dnsloop_finish(job, ARES_EDESTRUCTION, NULL, 0);
		job = next;
	}
}

/* ag_dnsloop_dispatch - send the queued jobs; when stopping, return them */
static ag_dnsloop_job_t *ag_dnsloop_dispatch(ag_dnsloop_t *loop, int *stopping)
{
	ag_dnsloop_job_t *job = ag_dnsloop_take(loop, stopping);

	if (*stopping)
		return job;
	while (job != NULL) {
		ag_dnsloop_job_t *next = job->next;
		ag_dnsloop_send(loop, job);
		job = next;
	}
	return NULL;
}

/* ag_dnsloop_run - the event thread */
static void *ag_dnsloop_run(void *arg)
{
	ag_dnsloop_t *loop = arg;
	ag_dnsloop_job_t *unsent = NULL;
	int stopping = 0;

	while (!stopping) {
		size_t count = ag_dnsloop_wait(loop);
		if (count > 0 && (loop->pollset[0].revents & POLLIN))
			unsent = ag_dnsloop_dispatch(loop, &stopping);
		if (!stopping)
			ag_dnsloop_process(loop, count);
	}
	ares_destroy(loop->channel);
	ag_dnsloop_abort(unsent);
	ag_dnsloop_abort(ag_dnsloop_take(loop, &stopping));
	return NULL;
}

/* ag_dnsloop_channel - a channel with our options and servers */
static int ag_dnsloop_channel(ag_dnsloop_t *loop, const char *nameservers,
                              unsigned timeout_ms, unsigned retries, char *err,
                              size_t errsize)
{
	struct ares_options o;
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	           ARES_OPT_SOCK_STATE_CB;
	int status;
	unsigned spread = (1u << (retries + 1)) - 1; /* tries double */

	memset(&o, 0, sizeof(o));
	o.flags =
	    ARES_FLAG_NOCHECKRESP | (loop->edns_size > 0 ? ARES_FLAG_EDNS : 0);
	o.timeout = (int)(timeout_ms / spread);
	if (o.timeout < AG_DNSLOOP_MIN_TRY_MS)
		o.timeout = AG_DNSLOOP_MIN_TRY_MS;
	o.tries = (int)retries + 1;
	o.sock_state_cb = ag_dnsloop_sock_state;
	o.sock_state_cb_data = loop;
	if (loop->edns_size > 0) {
		mask |= ARES_OPT_EDNSPSZ;
		o.ednspsz = (int)loop->edns_size;
	}
	if ((status = ares_init_options(&loop->channel, &o, mask)) !=
	    ARES_SUCCESS) {
		snprintf(err, errsize, "c-ares: %s", ares_strerror(status));
		return -1;
	}
	if (nameservers != NULL &&
	    ag_dnsloop_servers(loop->channel, nameservers, err, errsize) < 0) {
		ares_destroy(loop->channel);
		return -1;
	}
	return 0;
}

/* ag_dnsloop_free - release what create allocated */
static ag_dnsloop_t *ag_dnsloop_free(ag_dnsloop_t *loop)
{
	if (loop->wakefd >= 0)
		close(loop->wakefd);
	pthread_mutex_destroy(&loop->lock);
	free(loop->socks);
	free(loop->pollset);
	free(loop);
	return NULL;
}

/* ag_dnsloop_create - the channel and its event thread */
ag_dnsloop_t *ag_dnsloop_create(const char *nameservers, unsigned timeout_ms,
                                unsigned retries, unsigned edns_size, char *err,
                                size_t errsize)
{
	ag_dnsloop_t *loop;

	if (retries > AG_DNSLOOP_MAX_RETRIES) {
		snprintf(err, errsize, "retries: at most %d",
		         AG_DNSLOOP_MAX_RETRIES);
		return NULL;
	}
	pthread_once(&ag_dnsloop_once, ag_dnsloop_library);
	if ((loop = calloc(1, sizeof(*loop))) == NULL ||
	    (loop->pollset = calloc(1, sizeof(*loop->pollset))) == NULL) {
		free(loop);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&loop->lock, NULL);
	loop->tail = &loop->queue;
	loop->edns_size = edns_size;
	if ((loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errsize, "eventfd: %s", strerror(errno));
		return ag_dnsloop_free(loop);
	}
	if (ag_dnsloop_channel(loop, nameservers, timeout_ms, retries, err,
	                       errsize) < 0)
		return ag_dnsloop_free(loop);
	if ((errno = pthread_create(&loop->thread, NULL, ag_dnsloop_run,
	                            loop)) != 0) {
		snprintf(err, errsize, "cannot start the DNS thread: %s",
		         strerror(errno));
		ares_destroy(loop->channel);
		return ag_dnsloop_free(loop);
	}
	return loop;
}

/* ag_dnsloop_destroy - stop the thread, end every job, free */
ag_dnsloop_t *ag_dnsloop_destroy(ag_dnsloop_t *loop)
{
	uint64_t one = 1;

	if (loop == NULL)
		return NULL;
	pthread_mutex_lock(&loop->lock);
	loop->stopping = 1;
	pthread_mutex_unlock(&loop->lock);
	if (write(loop->wakefd, &one, sizeof(one)) < 0) {
		/* awake already */
	}
	pthread_join(loop->thread, NULL);
	return ag_dnsloop_free(loop);
}
