/*
 * bench_core.c - per-message CPU of the pure core: collecting a message's
 * header fields, parsing From and the envelope sender, the table lookup,
 * alignment and the verdict, on one core, for a table of many domains.
 *
 *   bench_core [domains] [messages]
 *
 * Prints: messages=N seconds=S rate=R (messages per second, one thread).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "message.h"
#include "policy.h"

/* bench_seconds - monotonic seconds */
static double bench_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* bench_table - write a table of n domains, return its path */
static void bench_table(char *path, int n)
{
	FILE *fp;
	int fd;

	strcpy(path, "/tmp/ag-bench-core-XXXXXX");
	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		perror("bench table");
		exit(1);
	}
	for (int i = 0; i < n; i++)
		fprintf(fp, "customer%d.example.com send-domain=bounce.customer%d.example.com "
			    "accounts=acct%d\n", i, i, i);
	fclose(fp);
}

int main(int argc, char **argv)
{
	int domains = argc > 1 ? atoi(argv[1]) : 100000;
	int messages = argc > 2 ? atoi(argv[2]) : 1000000;
	ag_config_t *config = ag_config_defaults();
	ag_from_options_t options = {0};
	char path[64], err[256], from[128], mailfrom[128], login[32];
	ag_diag_t diag;
	ag_domains_t *table;
	ag_psl_t *psl;
	ag_message_t message;
	unsigned long passed = 0;
	double start, elapsed;

	bench_table(path, domains);
	ag_diag_init(&diag);
	table = ag_domains_load(path, &diag);
	psl = ag_psl_load(NULL, err, sizeof(err));
	unlink(path);
	if (table == NULL || psl == NULL || config == NULL) {
		fprintf(stderr, "bench_core: cannot load the table or the PSL\n");
		return 1;
	}
	memset(&message, 0, sizeof(message));
	start = bench_seconds();
	for (int i = 0; i < messages; i++) {
		int d = i % domains;
		ag_message_facts_t facts;
		ag_policy_input_t input = {config, table, psl, &facts, NULL};

		snprintf(from, sizeof(from), " \"Customer %d\" <news@customer%d.example.com>", d, d);
		snprintf(mailfrom, sizeof(mailfrom), "<b+%d@bounce.customer%d.example.com>", i, d);
		snprintf(login, sizeof(login), "acct%d", d);
		ag_message_reset(&message);
		ag_message_set_envfrom(&message, mailfrom, login);
		ag_message_add_header(&message, "X-AlignGuard", "From", from);
		ag_message_add_header(&message, "X-AlignGuard", "To", " <rcpt@example.net>");
		ag_message_add_header(&message, "X-AlignGuard", "Subject", " Your weekly news");
		ag_message_add_header(&message, "X-AlignGuard", "Date", " Thu, 26 Nov 2026 12:00:00 +0000");
		ag_message_add_header(&message, "X-AlignGuard", "Message-ID", " <1234.5678@customer.example.com>");
		ag_message_facts(&message, &options, &facts);
		passed += ag_policy_decide(&input).reasons == 0;
	}
	elapsed = bench_seconds() - start;
	printf("messages=%d seconds=%.3f rate=%.0f passed=%lu domains=%d\n",
	       messages, elapsed, messages / elapsed, passed, domains);
	ag_message_reset(&message);
	ag_domains_free(table);
	ag_psl_free(psl);
	ag_config_free(config);
	ag_diag_clear(&diag);
	return passed == (unsigned long)messages ? 0 : 1;
}
