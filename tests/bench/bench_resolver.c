/*
 * bench_resolver.c - queries per second of the c-ares resolver: cold
 * (one thread asking fakedns on loopback, one name after the other) and
 * warm (every answer in the cache: 1, 2, 4 ... threads asking at once for
 * a fixed time). Starts tests/lib/fakedns itself on a free loopback port
 * with a zone of N names in a temporary directory.
 *
 * Usage: bench_resolver [max-threads [seconds [names]]]
 *        (defaults 8, 2 and 1000)
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "resolver.h"

typedef struct ag_bench {
	ag_resolver_t *resolver;
	unsigned names;
	double seconds;
	atomic_int stop;
	unsigned long failures;
} ag_bench_t;

typedef struct ag_bench_worker {
	ag_bench_t *bench;
	unsigned first;
	unsigned long done;
	unsigned long failures;
	pthread_t thread;
} ag_bench_worker_t;

/* ag_bench_now - monotonic seconds */
static double ag_bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ag_bench_zone - a zone of n A records; 0 or -1 */
static int ag_bench_zone(const char *path, unsigned n)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fprintf(fp,
	        "bench.test SOA 3600 ns.bench.test h.bench.test 1 2 3 4 300\n");
	for (unsigned i = 0; i < n; i++)
		fprintf(fp, "n%u.bench.test A 3600 192.0.2.%u\n", i,
		        i % 250 + 1);
	return fclose(fp);
}

/* ag_bench_spawn - start fakedns on the zone; its pid, the port in *port */
static pid_t ag_bench_spawn(const char *zone, int *port)
{
	pid_t parent = getpid(), pid;
	int fds[2];
	char line[64] = "";
	FILE *fp;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		/* the server ends with us, even if we are killed */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execl(AG_FAKEDNS, "fakedns", zone, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	if (fp == NULL || fgets(line, sizeof(line), fp) == NULL ||
	    sscanf(line, "port %d", port) != 1)
		pid = -pid;
	if (fp != NULL)
		fclose(fp);
	return pid;
}

/* ag_bench_ask - one query for name i; 0 if it came back OK */
static int ag_bench_ask(ag_resolver_t *r, unsigned i)
{
	char name[64];
	ag_dns_answer_t *a;
	int ok;

	snprintf(name, sizeof(name), "n%u.bench.test", i);
	a = ag_resolver_query(r, name, AG_DNS_A, 2000);
	ok = a != NULL && a->status == AG_DNS_OK && a->count == 1;
	ag_dns_answer_free(a);
	return ok ? 0 : -1;
}

/* ag_bench_worker_run - ask cached names until told to stop */
static void *ag_bench_worker_run(void *arg)
{
	ag_bench_worker_t *w = arg;
	unsigned i = w->first;

	while (!atomic_load_explicit(&w->bench->stop, memory_order_relaxed)) {
		if (ag_bench_ask(w->bench->resolver, i) < 0)
			w->failures++;
		i = (i + 1) % w->bench->names;
		w->done++;
	}
	return NULL;
}

/* ag_bench_warm - warm-cache queries per second with n threads */
static double ag_bench_warm(ag_bench_t *b, unsigned n)
{
	ag_bench_worker_t *w = calloc(n, sizeof(*w));
	unsigned long total = 0;
	double start = ag_bench_now(), took;

	atomic_store(&b->stop, 0);
	for (unsigned t = 0; t < n; t++) {
		w[t] = (ag_bench_worker_t){b, t * b->names / n, 0, 0, 0};
		pthread_create(&w[t].thread, NULL, ag_bench_worker_run, &w[t]);
	}
	usleep((useconds_t)(b->seconds * 1e6));
	atomic_store(&b->stop, 1);
	for (unsigned t = 0; t < n; t++) {
		pthread_join(w[t].thread, NULL);
		total += w[t].done;
		b->failures += w[t].failures;
	}
	took = ag_bench_now() - start;
	free(w);
	return (double)total / took;
}

/* ag_bench_run - cold pass, then warm passes; 0 or 1 */
static int ag_bench_run(ag_bench_t *b, const char *servers, unsigned threads)
{
	ag_resolver_options_t opts;
	ag_resolver_stats_t st;
	char err[256];
	double start;

	ag_resolver_options_init(&opts);
	opts.nameservers = servers;
	opts.cache_size = b->names * 2;
	if ((b->resolver = ag_resolver_create(&opts, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "bench_resolver: %s\n", err);
		return 1;
	}
	start = ag_bench_now();
	for (unsigned i = 0; i < b->names; i++)
		if (ag_bench_ask(b->resolver, i) < 0)
			b->failures++;
	printf("cold: %u names, one thread: %.0f queries/s\n", b->names,
	       b->names / (ag_bench_now() - start));
	for (unsigned n = 1; n <= threads; n *= 2)
		printf("warm: %u thread%s: %.0f queries/s\n", n,
		       n > 1 ? "s" : "", ag_bench_warm(b, n));
	ag_resolver_stats(b->resolver, &st);
	printf("sent %llu queries, %llu cache hits, %lu failures\n",
	       (unsigned long long)st.queries_sent,
	       (unsigned long long)st.cache_hits, b->failures);
	ag_resolver_destroy(b->resolver);
	return b->failures > 0 || st.queries_sent != b->names;
}

int main(int argc, char **argv)
{
	ag_bench_t bench = {.names = 1000, .seconds = 2};
	unsigned threads = argc > 1 ? (unsigned)atoi(argv[1]) : 8;
	char dir[] = "/tmp/agbench.XXXXXX", zone[64], servers[64];
	int port = 0, rc = 1;
	pid_t pid;

	if (argc > 2)
		bench.seconds = atof(argv[2]);
	if (argc > 3)
		bench.names = (unsigned)atoi(argv[3]);
	if (threads < 1 || bench.names < 1 || mkdtemp(dir) == NULL)
		return 2;
	snprintf(zone, sizeof(zone), "%s/zone", dir);
	if (ag_bench_zone(zone, bench.names) == 0 &&
	    (pid = ag_bench_spawn(zone, &port)) != -1) {
		if (pid > 0) {
			snprintf(servers, sizeof(servers), "127.0.0.1:%d",
			         port);
			rc = ag_bench_run(&bench, servers, threads);
		}
		kill(pid > 0 ? pid : -pid, SIGTERM);
		waitpid(pid > 0 ? pid : -pid, NULL, 0);
	}
	unlink(zone);
	rmdir(dir);
	return rc;
}
