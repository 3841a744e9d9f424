/*
 * fakezone.h - the scripted zone behind tests/lib/fakedns: records and
 * fault directives read from a zone file (its syntax and the faults are
 * described in fakedns.c), per-name query counts, and the reply to one
 * query. Test tooling: a bad zone file ends the process with file:line.
 */
#ifndef AG_FAKEZONE_H
#define AG_FAKEZONE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dnswire.h"

#define AG_FAKEZONE_MAX_MSG 65535

typedef struct ag_fakezone ag_fakezone_t;

/* ag_fakezone_load - read a zone file; exits 2 on error */
ag_fakezone_t *ag_fakezone_load(const char *path);

/* ag_fakezone_reply - count a query and write its reply into out (room for
 * AG_FAKEZONE_MAX_MSG octets); the reply's length, 0 for none (unreadable
 * query, or the timeout fault); *delay_ms: how long to hold it back */
size_t ag_fakezone_reply(ag_fakezone_t *zone, const uint8_t *query, size_t len,
                         int tcp, ag_dnsw_t *out, unsigned *delay_ms);

/* ag_fakezone_counts - print a "name TYPE udp tcp" line per name and type
 * asked */
void ag_fakezone_counts(const ag_fakezone_t *zone, FILE *fp);

/* ag_fakezone_die - print "fakedns: " and the message, exit 2 */
void ag_fakezone_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
