/*
 * dnsloop.h - one c-ares channel driven by one event thread.
 *
 * Any thread hands a job (a name and a type) to ag_dnsloop_submit(); the
 * event thread builds the query (random ID, RD, EDNS0 when configured),
 * sends it with ares_send(), and calls the job's done() with the raw reply
 * or with the reason there is none. Every c-ares call happens on the event
 * thread, which sleeps in poll() on c-ares's sockets (as its socket-state
 * callback reports them), on c-ares's next timeout and on an eventfd that
 * submitters write to. done() also runs on the event thread; it may submit
 * again (to follow a CNAME) but must not block.
 *
 * c-ares is left to its defaults for the rest but one: a truncated UDP
 * reply is retried over TCP and never handed on; replies whose ID or
 * question do not match a query are dropped (the query then times out); a
 * timeout moves on to the next server and try. The exception: every reply
 * is handed on whatever its rcode (ARES_FLAG_NOCHECKRESP), because c-ares
 * 1.18, after trying every server, reports a SERVFAIL or REFUSED as
 * ECONNREFUSED and the rcode is lost; so a SERVFAIL or REFUSED is final,
 * not retried at another server.
 *
 * Diagnostics: ag_dnsloop_create() writes why it failed into err (a bad
 * nameserver entry is named); a job always ends in exactly one done() call,
 * with kind AG_DNSLOOP_ERROR and error "shutdown" when the loop is destroyed
 * first.
 */
#ifndef AG_DNSLOOP_H
#define AG_DNSLOOP_H

#include <stddef.h>
#include <stdint.h>

typedef enum ag_dnsloop_kind {
	AG_DNSLOOP_REPLY,    /* a reply came: reply, len */
	AG_DNSLOOP_TIMEOUT,  /* every try timed out */
	AG_DNSLOOP_SERVFAIL, /* every server said SERVFAIL */
	AG_DNSLOOP_REFUSED,  /* every server said REFUSED */
	AG_DNSLOOP_ERROR     /* anything else: see error */
} ag_dnsloop_kind_t;

typedef struct ag_dnsloop_result {
	ag_dnsloop_kind_t kind;
	const char *error;    /* static text, NULL for a reply */
	const uint8_t *reply; /* valid during done() only */
	size_t len;
} ag_dnsloop_result_t;

typedef struct ag_dnsloop_job ag_dnsloop_job_t;
struct ag_dnsloop_job {
	const char *name; /* presentation form; kept until done() */
	int type;
	void (*done)(ag_dnsloop_job_t *job, const ag_dnsloop_result_t *result);
	void *arg;
	ag_dnsloop_job_t *next; /* the loop's own link */
};

typedef struct ag_dnsloop ag_dnsloop_t;

/* ag_dnsloop_create - a channel for nameservers ("host", "host:port",
 * "[v6]:port", separated by commas or spaces; NULL or "": the system's
 * resolv.conf) and its event thread. timeout_ms is spread over the
 * retries + 1 tries; edns_size 0 sends plain DNS. NULL on error. */
ag_dnsloop_t *ag_dnsloop_create(const char *nameservers, unsigned timeout_ms,
                                unsigned retries, unsigned edns_size, char *err,
                                size_t errsize);

/* ag_dnsloop_submit - queue a job; from any thread; never fails */
void ag_dnsloop_submit(ag_dnsloop_t *loop, ag_dnsloop_job_t *job);

/* ag_dnsloop_destroy - end every job ("shutdown"), join the thread, free;
 * accepts NULL, returns NULL */
ag_dnsloop_t *ag_dnsloop_destroy(ag_dnsloop_t *loop);

#endif
