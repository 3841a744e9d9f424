/*
 * bench_from.c - parses per second of ag_from_parse() and
 * ag_envfrom_parse() on one core, over a mix of From fields and envelope
 * senders like those of an outbound relay (mostly plain, some folded,
 * quoted, commented, encoded or IDN; a few hostile).
 *
 * Usage: bench_from [iterations]   (default 200000 rounds of the mix)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"

static const char *const bench_from_values[] = {
    "newsletter@example.com",
    "Example Shop <orders@shop.example.com>",
    "\"Doe, Jane\" <jane.doe@example.org>",
    "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>",
    "Support Team\r\n <support@help.example.net>",
    "alerts@monitoring.example.io (Monitoring)",
    "Bücherwurm <info@bücher.example>",
    "\"Billing (EU)\" <billing+invoices@example.co.uk>",
    "=?iso-8859-1?q?Andr=E9?= <andre@example.fr>",
    "Team: a@example.com, b@example.com;",
    "no-reply@notifications.example.com",
    "\"paypal.com\" <service@example.com>",
};

static const char *const bench_envfrom_values[] = {
    "<bounce@bounce.example.com>",
    "<SRS0=HHH=TT=example.org=user@forwarder.example>",
    "<list-bounces+user=example.org@lists.example.net>",
    "<>",
    "<msprvs1=abc123=bounces-42@mail.example.com>",
};

/* bench_now - seconds of CPU time used by this process (a busy machine
 * slows the wall clock, not this) */
static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t nf = sizeof(bench_from_values) / sizeof(bench_from_values[0]);
	size_t ne =
	    sizeof(bench_envfrom_values) / sizeof(bench_envfrom_values[0]);
	size_t lens[sizeof(bench_from_values) / sizeof(bench_from_values[0])];
	long rounds = argc > 1 ? atol(argv[1]) : 200000;
	unsigned long ok = 0, parses = 0;
	ag_mailbox_t mb;
	double start, secs;

	if (rounds <= 0) {
		fprintf(stderr, "usage: bench_from [iterations]\n");
		return 2;
	}
	for (size_t i = 0; i < nf; i++)
		lens[i] = strlen(bench_from_values[i]);
	start = bench_now();
	for (long r = 0; r < rounds; r++) {
		for (size_t i = 0; i < nf; i++, parses++)
			ok += ag_from_parse(bench_from_values[i], lens[i], NULL,
			                    &mb, NULL) == AG_FROM_OK;
		for (size_t i = 0; i < ne; i++, parses++)
			ok += ag_envfrom_parse(bench_envfrom_values[i], &mb,
			                       NULL) == AG_ENVFROM_OK;
	}
	secs = bench_now() - start;
	printf("%lu parses (%lu accepted) in %.3f s of CPU: %.0f parses/s, "
	       "%.0f ns/parse\n",
	       parses, ok, secs, (double)parses / secs,
	       secs * 1e9 / (double)parses);
	return 0;
}
