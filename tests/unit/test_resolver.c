/*
 * test_resolver.c - the c-ares resolver against the scripted server
 * tests/lib/fakedns on a free loopback port: record types, long TXT over
 * TCP, negative answers and their TTLs, every fault, the cache (hits, TTL
 * expiry on an injected clock, negative entries, eviction), in-flight
 * de-duplication, CNAME chains and loops, shutdown with queries in flight.
 * Query counts come from fakedns's count file and the resolver's stats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
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

#define T_START_MS 1000000

typedef struct t_env {
	char dir[64];
	char zone[96];
	char counts[96];
	char servers[64];
	pid_t pid;
	_Atomic uint64_t now_ms; /* the injected clock */
	char dkim[1024];         /* a 4096-bit DKIM key record */
} t_env_t;

static t_env_t *t_env;

/* t_clock - the injected TTL clock */
static uint64_t t_clock(void *arg)
{
	return atomic_load(&((t_env_t *)arg)->now_ms);
}

/* t_ms - real monotonic milliseconds */
static uint64_t t_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* t_dkim_key - a DKIM record with a 4096-bit key's worth of base64 */
static void t_dkim_key(char *out, size_t size)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = (size_t)snprintf(out, size, "v=DKIM1; k=rsa; p=MIICIjAN");
	uint32_t x = 12345;

	while (n < 760 && n + 1 < size) {
		x = x * 1103515245u + 12345u;
		out[n++] = b64[(x >> 16) % 64];
	}
	out[n] = '\0';
}

/* t_write_zone - the zone every test reads */
static void t_write_zone(t_env_t *env)
{
	FILE *fp = fopen(env->zone, "w");

	assert_non_null(fp);
	fprintf(
	    fp,
	    "example.com SOA 3600 ns1.example.com hostmaster.example.com 1 "
	    "7200 900 1209600 600\n"
	    "example.com A 300 192.0.2.1\n"
	    "example.com AAAA 300 2001:db8::1\n"
	    "example.com MX 300 10 mx.example.com\n"
	    "example.com MX 200 20 mx2.example.com\n"
	    "example.com TXT 300 \"v=spf1 \" \"ip4:192.0.2.0/24 \" \"-all\"\n"
	    "example.com NS 300 ns1.example.com\n"
	    "www.example.com CNAME 120 example.com\n"
	    "1.2.0.192.in-addr.arpa PTR 300 mail.example.com\n"
	    "nullmx.example.com MX 300 0 .\n"
	    "s4096._domainkey.example.com TXT 300 \"%s\"\n"
	    "neg.test SOA 60 ns.neg.test host.neg.test 1 2 3 4 600\n"
	    "empty.neg.test A 300 192.0.2.2\n"
	    "servfail.example.com servfail\n"
	    "refused.example.com refused\n"
	    "formerr.example.com formerr\n"
	    "timeout.example.com timeout\n"
	    "garbage.example.com garbage\n"
	    "wrongid.example.com wrong-id\n"
	    "tcpalso.example.com truncate-all\n"
	    "tcpalso.example.com A 300 192.0.2.3\n"
	    "tc.example.com truncate\n"
	    "tc.example.com A 300 192.0.2.4\n"
	    "slow.example.com delay 300\n"
	    "slow.example.com A 300 192.0.2.5\n"
	    "late.example.com delay 400\n"
	    "late.example.com A 300 192.0.2.6\n"
	    "loop.example.com cname-loop\n"
	    "ext.example.com nochase\n"
	    "ext.example.com CNAME 50 target.other\n"
	    "target.other A 100 198.51.100.7\n"
	    "la.example.com nochase\nla.example.com CNAME 60 lb.other\n"
	    "lb.other nochase\nlb.other CNAME 60 la.example.com\n",
	    env->dkim);
	for (int i = 0; i < 10; i++)
		fprintf(fp, "c%d.other nochase\nc%d.other CNAME 60 c%d.other\n",
		        i, i, i + 1);
	fprintf(fp, "c10.other A 60 198.51.100.10\n");
	for (int i = 0; i < 5; i++)
		fprintf(fp, "e%d.example.com A 300 192.0.2.%d\n", i, 10 + i);
	fclose(fp);
}

/* t_spawn - start fakedns and read its port */
static void t_spawn(t_env_t *env)
{
	pid_t parent = getpid();
	int fds[2];
	char line[64] = "";
	FILE *fp;
	int port = 0;

	assert_int_equal(pipe(fds), 0);
	env->pid = fork();
	assert_true(env->pid >= 0);
	if (env->pid == 0) {
		/* the server ends with us, even if we are killed */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(127);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execl(AG_FAKEDNS, "fakedns", "-c", env->counts, env->zone,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	fp = fdopen(fds[0], "r");
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	assert_int_equal(sscanf(line, "port %d", &port), 1);
	snprintf(env->servers, sizeof(env->servers), "127.0.0.1:%d", port);
}

static int t_setup(void **state)
{
	t_env = calloc(1, sizeof(*t_env));
	snprintf(t_env->dir, sizeof(t_env->dir), "/tmp/agresolver.XXXXXX");
	if (t_env == NULL || mkdtemp(t_env->dir) == NULL)
		return -1;
	snprintf(t_env->zone, sizeof(t_env->zone), "%s/zone", t_env->dir);
	snprintf(t_env->counts, sizeof(t_env->counts), "%s/counts", t_env->dir);
	atomic_store(&t_env->now_ms, T_START_MS);
	t_dkim_key(t_env->dkim, sizeof(t_env->dkim));
	t_write_zone(t_env);
	t_spawn(t_env);
	*state = t_env;
	return 0;
}

static int t_teardown(void **state)
{
	kill(t_env->pid, SIGTERM);
	waitpid(t_env->pid, NULL, 0);
	unlink(t_env->zone);
	unlink(t_env->counts);
	rmdir(t_env->dir);
	free(t_env);
	return 0;
}

/* t_resolver - a fresh resolver on fakedns with the injected clock */
static ag_resolver_t *t_resolver(unsigned timeout_ms, size_t cache_size,
                                 unsigned edns_size, unsigned tempfail_ttl)
{
	ag_resolver_options_t opts;
	char err[256] = "";
	ag_resolver_t *r;

	ag_resolver_options_init(&opts);
	opts.nameservers = t_env->servers;
	opts.timeout_ms = timeout_ms;
	opts.retries = 1;
	opts.cache_size = cache_size;
	opts.edns_size = edns_size;
	opts.tempfail_ttl = tempfail_ttl;
	opts.clock = t_clock;
	opts.clock_arg = t_env;
	r = ag_resolver_create(&opts, err, sizeof(err));
	if (r == NULL)
		fail_msg("create: %s", err);
	return r;
}

/* t_count - queries fakedns saw for (name, type) over udp and tcp */
static unsigned long t_count(const char *name, const char *type,
                             unsigned long *tcp)
{
	char n[512], t[16];
	unsigned long u, c, total = 0;
	FILE *fp = fopen(t_env->counts, "r");

	if (tcp != NULL)
		*tcp = 0;
	if (fp == NULL)
		return 0;
	while (fscanf(fp, "%511s %15s %lu %lu", n, t, &u, &c) == 4)
		if (strcmp(n, name) == 0 && strcmp(t, type) == 0) {
			total = u + c;
			if (tcp != NULL)
				*tcp = c;
		}
	fclose(fp);
	return total;
}

/* t_stats - the resolver's counters */
static ag_resolver_stats_t t_stats(ag_resolver_t *r)
{
	ag_resolver_stats_t stats;

	assert_int_equal(ag_resolver_stats(r, &stats), 0);
	return stats;
}

/* t_expect_counts - queries sent and cache hits so far */
static void t_expect_counts(ag_resolver_t *r, uint64_t sent, uint64_t hits)
{
	ag_resolver_stats_t st = t_stats(r);

	assert_int_equal(st.queries_sent, sent);
	assert_int_equal(st.cache_hits, hits);
}

/* t_ask - one query that must come back with the given status */
static ag_dns_answer_t *t_ask(ag_resolver_t *r, const char *name, int type,
                              ag_dns_status_t status)
{
	ag_dns_answer_t *a = ag_resolver_query(r, name, type, 0);

	assert_non_null(a);
	if (a->status != status)
		fail_msg("%s type %d: %s (%s), expected %s", name, type,
		         ag_dns_status_name(a->status),
		         a->error ? a->error : "-", ag_dns_status_name(status));
	return a;
}

static void test_each_record_type(void **state)
{
	static const struct {
		const char *name;
		int type;
		size_t count;
		uint16_t pref;
		const char *text; /* first record; NULL for addresses */
		uint32_t ttl;
	} cases[] = {
	    {"example.com", AG_DNS_MX, 2, 10, "mx.example.com", 200},
	    {"example.com", AG_DNS_TXT, 1, 0, "v=spf1 ip4:192.0.2.0/24 -all",
	     300},
	    {"1.2.0.192.in-addr.arpa", AG_DNS_PTR, 1, 0, "mail.example.com",
	     300},
	    {"www.example.com", AG_DNS_CNAME, 1, 0, "example.com", 120},
	    {"example.com", AG_DNS_NS, 1, 0, "ns1.example.com", 300},
	    {"example.com", AG_DNS_SOA, 1, 0,
	     "ns1.example.com hostmaster.example.com 1 7200 900 1209600 600",
	     3600},
	    {"nullmx.example.com", AG_DNS_MX, 1, 0, "", 300},
	};
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_dns_answer_t *a =
		    t_ask(r, cases[i].name, cases[i].type, AG_DNS_OK);
		assert_int_equal(a->count, cases[i].count);
		assert_int_equal(a->rrs[0].type, cases[i].type);
		assert_int_equal(a->ttl, cases[i].ttl);
		assert_int_equal(a->rrs[0].preference, cases[i].pref);
		assert_string_equal(a->rrs[0].data, cases[i].text);
		assert_int_equal(a->rrs[0].len, strlen(cases[i].text));
		ag_dns_answer_free(a);
	}
	ag_dns_answer_t *a = t_ask(r, "example.com", AG_DNS_A, AG_DNS_OK);
	uint8_t v4[4], v6[16];
	inet_pton(AF_INET, "192.0.2.1", v4);
	assert_int_equal(a->rrs[0].len, 4);
	assert_memory_equal(a->rrs[0].data, v4, 4);
	ag_dns_answer_free(a);
	a = t_ask(r, "example.com", AG_DNS_AAAA, AG_DNS_OK);
	inet_pton(AF_INET6, "2001:db8::1", v6);
	assert_int_equal(a->rrs[0].len, 16);
	assert_memory_equal(a->rrs[0].data, v6, 16);
	ag_dns_answer_free(a);
	ag_resolver_destroy(r);
}

static void test_long_txt_needs_tcp_without_edns(void **state)
{
	unsigned long tcp;
	ag_resolver_t *r = t_resolver(1000, 100, 0, 0);
	ag_dns_answer_t *a =
	    t_ask(r, "s4096._domainkey.example.com", AG_DNS_TXT, AG_DNS_OK);

	assert_true(strlen(t_env->dkim) > 512);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rrs[0].data, t_env->dkim);
	assert_int_equal(t_count("s4096._domainkey.example.com", "TXT", &tcp),
	                 2);
	assert_int_equal(tcp, 1);
	ag_dns_answer_free(a);
	ag_resolver_destroy(r);

	r = t_resolver(1000, 100, 1232, 0); /* EDNS: it fits in UDP */
	a = t_ask(r, "s4096._domainkey.example.com", AG_DNS_TXT, AG_DNS_OK);
	assert_string_equal(a->rrs[0].data, t_env->dkim);
	assert_int_equal(t_count("s4096._domainkey.example.com", "TXT", &tcp),
	                 3);
	assert_int_equal(tcp, 1);
	ag_dns_answer_free(a);
	ag_resolver_destroy(r);
}

static void test_truncated_udp_retried_over_tcp(void **state)
{
	unsigned long tcp;
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);
	ag_dns_answer_t *a = t_ask(r, "tc.example.com", AG_DNS_A, AG_DNS_OK);

	assert_int_equal(a->count, 1);
	assert_int_equal(t_count("tc.example.com", "A", &tcp), 2);
	assert_int_equal(tcp, 1);
	ag_dns_answer_free(a);
	ag_resolver_destroy(r);
}

static void test_negative_answers_and_ttls(void **state)
{
	static const struct {
		const char *name;
		int type;
		ag_dns_status_t status;
		uint32_t ttl;
	} cases[] = {
	    {"nx.example.com", AG_DNS_A, AG_DNS_NXDOMAIN, 600}, /* SOA min */
	    {"example.com", AG_DNS_PTR, AG_DNS_NODATA, 600},
	    {"www.example.com", AG_DNS_PTR, AG_DNS_NODATA, 120}, /* CNAME */
	    {"nx.neg.test", AG_DNS_TXT, AG_DNS_NXDOMAIN, 60},    /* SOA TTL */
	    {"empty.neg.test", AG_DNS_MX, AG_DNS_NODATA, 60},
	    {"nowhere.invalid", AG_DNS_A, AG_DNS_NXDOMAIN, 300}, /* no SOA */
	};
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_dns_answer_t *a =
		    t_ask(r, cases[i].name, cases[i].type, cases[i].status);
		assert_int_equal(a->count, 0);
		assert_int_equal(a->ttl, cases[i].ttl);
		ag_dns_answer_free(a);
	}
	assert_int_equal(t_stats(r).nxdomain, 3);
	ag_resolver_destroy(r);
}

static void test_each_fault_is_tempfail_in_time(void **state)
{
	static const struct {
		const char *name;
		const char *error;
	} cases[] = {
	    {"servfail.example.com", "servfail"},
	    {"refused.example.com", "refused"},
	    {"formerr.example.com", "formerr"},
	    {"garbage.example.com", "malformed reply"},
	    {"tcpalso.example.com", "truncated"},
	    {"timeout.example.com", "timeout"},
	    {"wrongid.example.com", "timeout"},
	    {"loop.example.com", "cname loop"},
	};
	ag_resolver_t *r = t_resolver(600, 100, 1232, 0);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t start = t_ms();
		ag_dns_answer_t *a =
		    t_ask(r, cases[i].name, AG_DNS_A, AG_DNS_TEMPFAIL);
		uint64_t took = t_ms() - start;
		assert_string_equal(a->error, cases[i].error);
		assert_int_equal(a->count, 0);
		if (took > 600 + 300)
			fail_msg("%s took %llu ms", cases[i].name,
			         (unsigned long long)took);
		ag_dns_answer_free(a);
	}
	ag_resolver_stats_t st = t_stats(r);
	assert_int_equal(st.servfail, 1);
	assert_int_equal(st.refused, 1);
	assert_true(st.timeouts + st.deadline_expired >= 2);
	assert_true(st.other_failures >= 4);
	assert_int_equal(st.cache_entries, 0); /* TEMPFAIL is not cached */
	ag_resolver_destroy(r);
}

static void test_caller_deadline_ends_wait_not_query(void **state)
{
	ag_resolver_t *r = t_resolver(2000, 100, 1232, 0);
	uint64_t start = t_ms();
	ag_dns_answer_t *a =
	    ag_resolver_query(r, "late.example.com", AG_DNS_A, 100);

	assert_int_equal(a->status, AG_DNS_TEMPFAIL);
	assert_string_equal(a->error, "timeout");
	assert_true(t_ms() - start < 350);
	ag_dns_answer_free(a);
	usleep(600 * 1000); /* the reply comes at 400 ms and is cached */
	a = t_ask(r, "late.example.com", AG_DNS_A, AG_DNS_OK);
	t_expect_counts(r, 1, 1);
	assert_int_equal(t_stats(r).deadline_expired, 1);
	assert_int_equal(t_count("late.example.com", "A", NULL), 1);
	ag_dns_answer_free(a);
	ag_resolver_destroy(r);
}

static void test_cache_hit_sends_nothing(void **state)
{
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);
	unsigned long before = t_count("e0.example.com", "A", NULL);

	ag_dns_answer_free(t_ask(r, "e0.example.com", AG_DNS_A, AG_DNS_OK));
	atomic_fetch_add(&t_env->now_ms, 100 * 1000);
	ag_dns_answer_t *a = t_ask(r, "E0.Example.COM.", AG_DNS_A, AG_DNS_OK);
	assert_int_equal(a->ttl, 200);
	assert_int_equal(a->rrs[0].ttl, 200);
	assert_int_equal(t_count("e0.example.com", "A", NULL), before + 1);
	t_expect_counts(r, 1, 1);
	assert_int_equal(t_stats(r).cache_entries, 1);
	ag_dns_answer_free(a);
	ag_resolver_destroy(r);
}

static void test_ttl_expiry_on_injected_clock(void **state)
{
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);
	unsigned long before = t_count("e1.example.com", "A", NULL);

	ag_dns_answer_free(t_ask(r, "e1.example.com", AG_DNS_A, AG_DNS_OK));
	atomic_fetch_add(&t_env->now_ms, 299 * 1000 + 999);
	ag_dns_answer_t *a = t_ask(r, "e1.example.com", AG_DNS_A, AG_DNS_OK);
	assert_int_equal(a->ttl, 1);
	ag_dns_answer_free(a);
	assert_int_equal(t_count("e1.example.com", "A", NULL), before + 1);
	atomic_fetch_add(&t_env->now_ms, 1); /* 300 s: expired */
	ag_dns_answer_free(t_ask(r, "e1.example.com", AG_DNS_A, AG_DNS_OK));
	assert_int_equal(t_count("e1.example.com", "A", NULL), before + 2);
	t_expect_counts(r, 2, 1);
	ag_resolver_destroy(r);
}

static void test_negative_answers_are_cached(void **state)
{
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);

	ag_dns_answer_free(
	    t_ask(r, "nocache.neg.test", AG_DNS_A, AG_DNS_NXDOMAIN));
	ag_dns_answer_free(
	    t_ask(r, "empty.neg.test", AG_DNS_TXT, AG_DNS_NODATA));
	atomic_fetch_add(&t_env->now_ms, 59 * 1000);
	ag_dns_answer_t *a =
	    t_ask(r, "nocache.neg.test", AG_DNS_A, AG_DNS_NXDOMAIN);
	assert_int_equal(a->ttl, 1);
	ag_dns_answer_free(a);
	ag_dns_answer_free(
	    t_ask(r, "empty.neg.test", AG_DNS_TXT, AG_DNS_NODATA));
	assert_int_equal(t_count("nocache.neg.test", "A", NULL), 1);
	t_expect_counts(r, 2, 2);
	atomic_fetch_add(&t_env->now_ms, 1000);
	ag_dns_answer_free(
	    t_ask(r, "nocache.neg.test", AG_DNS_A, AG_DNS_NXDOMAIN));
	assert_int_equal(t_count("nocache.neg.test", "A", NULL), 2);
	ag_resolver_destroy(r);
}

static void test_tempfail_cached_only_when_asked(void **state)
{
	ag_resolver_t *r = t_resolver(600, 100, 1232, 0);
	unsigned long before = t_count("servfail.example.com", "TXT", NULL);

	ag_dns_answer_free(
	    t_ask(r, "servfail.example.com", AG_DNS_TXT, AG_DNS_TEMPFAIL));
	ag_dns_answer_free(
	    t_ask(r, "servfail.example.com", AG_DNS_TXT, AG_DNS_TEMPFAIL));
	assert_int_equal(t_stats(r).queries_sent, 2);
	ag_resolver_destroy(r);

	r = t_resolver(600, 100, 1232, 5);
	ag_dns_answer_free(
	    t_ask(r, "servfail.example.com", AG_DNS_TXT, AG_DNS_TEMPFAIL));
	ag_dns_answer_t *a =
	    t_ask(r, "servfail.example.com", AG_DNS_TXT, AG_DNS_TEMPFAIL);
	assert_string_equal(a->error, "servfail");
	ag_dns_answer_free(a);
	assert_int_equal(t_stats(r).queries_sent, 1);
	atomic_fetch_add(&t_env->now_ms, 5000);
	ag_dns_answer_free(
	    t_ask(r, "servfail.example.com", AG_DNS_TXT, AG_DNS_TEMPFAIL));
	assert_int_equal(t_stats(r).queries_sent, 2);
	assert_true(t_count("servfail.example.com", "TXT", NULL) >= before + 4);
	ag_resolver_destroy(r);
}

#define T_ASKERS 200

typedef struct t_asker {
	ag_resolver_t *r;
	pthread_barrier_t *start;
	ag_dns_status_t status;
} t_asker_t;

/* t_asker_run - one of many concurrent askers */
static void *t_asker_run(void *arg)
{
	t_asker_t *asker = arg;

	pthread_barrier_wait(asker->start);
	ag_dns_answer_t *a =
	    ag_resolver_query(asker->r, "slow.example.com", AG_DNS_A, 5000);
	asker->status =
	    a != NULL && a->count == 1 ? a->status : AG_DNS_TEMPFAIL;
	ag_dns_answer_free(a);
	return NULL;
}

static void test_concurrent_askers_share_one_query(void **state)
{
	static pthread_t threads[T_ASKERS];
	static t_asker_t askers[T_ASKERS];
	pthread_barrier_t start;
	ag_resolver_t *r = t_resolver(3000, 100, 1232, 0);

	pthread_barrier_init(&start, NULL, T_ASKERS);
	for (int i = 0; i < T_ASKERS; i++) {
		askers[i] = (t_asker_t){r, &start, AG_DNS_NXDOMAIN};
		assert_int_equal(
		    pthread_create(&threads[i], NULL, t_asker_run, &askers[i]),
		    0);
	}
	for (int i = 0; i < T_ASKERS; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(askers[i].status, AG_DNS_OK);
	}
	pthread_barrier_destroy(&start);
	assert_int_equal(t_count("slow.example.com", "A", NULL), 1);
	ag_resolver_stats_t st = t_stats(r);
	assert_int_equal(st.queries_sent, 1);
	assert_int_equal(st.inflight_joins + st.cache_hits, T_ASKERS - 1);
	assert_true(st.inflight_joins > 0);
	ag_resolver_destroy(r);
}

static void test_cache_is_bounded_lru(void **state)
{
	ag_resolver_t *r = t_resolver(1000, 3, 1232, 0);
	char name[32];
	unsigned long before[5];

	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "e%d.example.com", i);
		before[i] = t_count(name, "MX", NULL);
	}
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "e%d.example.com", i);
		ag_dns_answer_free(t_ask(r, name, AG_DNS_MX, AG_DNS_NODATA));
	}
	ag_dns_answer_free(
	    t_ask(r, "e0.example.com", AG_DNS_MX, AG_DNS_NODATA));
	ag_dns_answer_free(
	    t_ask(r, "e3.example.com", AG_DNS_MX, AG_DNS_NODATA));
	assert_int_equal(t_stats(r).cache_entries, 3);
	/* e1 was the least recently used: gone; e0 stayed */
	ag_dns_answer_free(
	    t_ask(r, "e0.example.com", AG_DNS_MX, AG_DNS_NODATA));
	ag_dns_answer_free(
	    t_ask(r, "e1.example.com", AG_DNS_MX, AG_DNS_NODATA));
	assert_int_equal(t_count("e0.example.com", "MX", NULL), before[0] + 1);
	assert_int_equal(t_count("e1.example.com", "MX", NULL), before[1] + 2);
	assert_int_equal(t_stats(r).cache_entries, 3);
	ag_resolver_destroy(r);
}

static void test_cname_chain_followed_and_requeried(void **state)
{
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);
	ag_dns_answer_t *a = t_ask(r, "www.example.com", AG_DNS_MX, AG_DNS_OK);

	assert_int_equal(a->count, 2);
	assert_int_equal(a->ttl, 120); /* the CNAME's TTL is smaller */
	ag_dns_answer_free(a);
	a = t_ask(r, "ext.example.com", AG_DNS_A, AG_DNS_OK);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->rrs[0].type, AG_DNS_A);
	assert_int_equal(a->ttl, 50);
	ag_dns_answer_free(a);
	assert_int_equal(t_count("target.other", "A", NULL), 1);
	assert_int_equal(t_stats(r).queries_sent, 3);
	ag_resolver_destroy(r);
}

static void test_cname_loops_and_long_chains(void **state)
{
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);
	ag_dns_answer_t *a =
	    t_ask(r, "la.example.com", AG_DNS_A, AG_DNS_TEMPFAIL);

	assert_string_equal(a->error, "cname loop");
	ag_dns_answer_free(a);
	a = t_ask(r, "c2.other", AG_DNS_A, AG_DNS_OK); /* 8 re-queries */
	ag_dns_answer_free(a);
	a = t_ask(r, "c0.other", AG_DNS_A, AG_DNS_TEMPFAIL); /* 10 */
	assert_string_equal(a->error, "cname chain too long");
	ag_dns_answer_free(a);
	assert_int_equal(t_count("c9.other", "A", NULL), 1);
	ag_resolver_destroy(r);
}

static void test_bad_input_is_refused_clearly(void **state)
{
	ag_resolver_options_t opts;
	char err[256], long_label[80], long_name[300];
	const char *bad[] = {"",         ".",      "a..b", ".example.com",
	                     long_label, long_name};
	ag_resolver_t *r = t_resolver(1000, 100, 1232, 0);
	ag_dns_answer_t *a;

	memset(long_label, 'x', 64);
	strcpy(long_label + 64, ".com");
	for (int i = 0; i < 50; i++)
		memcpy(long_name + 5 * i, "abcd.", 5);
	strcpy(long_name + 250, "abcde"); /* 255 characters */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a = ag_resolver_query(r, bad[i], AG_DNS_A, 0);
		assert_int_equal(a->status, AG_DNS_NXDOMAIN);
		assert_string_equal(a->error, "invalid name");
		ag_dns_answer_free(a);
	}
	long_name[253] = '\0'; /* 253: the longest */
	ag_dns_answer_free(t_ask(r, long_name, AG_DNS_A, AG_DNS_NXDOMAIN));
	a = ag_resolver_query(r, "example.com", 99, 0);
	assert_int_equal(a->status, AG_DNS_TEMPFAIL);
	assert_string_equal(a->error, "unsupported type");
	ag_dns_answer_free(a);
	assert_int_equal(t_stats(r).queries_sent, 1); /* the 253 one */
	ag_resolver_destroy(r);

	ag_resolver_options_init(&opts);
	opts.nameservers = "127.0.0.1:53, dns.example.com";
	assert_null(ag_resolver_create(&opts, err, sizeof(err)));
	assert_non_null(strstr(err, "dns.example.com"));
	opts.nameservers = "[::1]:99999";
	assert_null(ag_resolver_create(&opts, err, sizeof(err)));
	opts.nameservers = "[::1]:5353 ::1 192.0.2.1:53";
	opts.timeout_ms = 0;
	assert_null(ag_resolver_create(&opts, err, sizeof(err)));
	assert_non_null(strstr(err, "timeout"));
	opts.timeout_ms = 1000;
	r = ag_resolver_create(&opts, err, sizeof(err));
	assert_non_null(r);
	ag_resolver_destroy(r);
}

static void test_destroy_with_queries_in_flight(void **state)
{
	ag_resolver_t *r = t_resolver(5000, 100, 1232, 0);
	ag_resolver_stats_t st;
	ag_resolver_t other = {NULL};

	ag_dns_answer_t *a =
	    ag_resolver_query(r, "timeout.example.com", AG_DNS_TXT, 50);
	assert_string_equal(a->error, "timeout");
	ag_dns_answer_free(a);
	a = ag_resolver_query(r, "slow.example.com", AG_DNS_TXT, 10);
	ag_dns_answer_free(a);
	assert_int_equal(t_stats(r).deadline_expired, 2);
	ag_resolver_destroy(r); /* both still in flight */
	assert_int_equal(ag_resolver_stats(&other, &st), -1);
	assert_null(ag_resolver_destroy(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_record_type),
	    cmocka_unit_test(test_long_txt_needs_tcp_without_edns),
	    cmocka_unit_test(test_truncated_udp_retried_over_tcp),
	    cmocka_unit_test(test_negative_answers_and_ttls),
	    cmocka_unit_test(test_each_fault_is_tempfail_in_time),
	    cmocka_unit_test(test_caller_deadline_ends_wait_not_query),
	    cmocka_unit_test(test_cache_hit_sends_nothing),
	    cmocka_unit_test(test_ttl_expiry_on_injected_clock),
	    cmocka_unit_test(test_negative_answers_are_cached),
	    cmocka_unit_test(test_tempfail_cached_only_when_asked),
	    cmocka_unit_test(test_concurrent_askers_share_one_query),
	    cmocka_unit_test(test_cache_is_bounded_lru),
	    cmocka_unit_test(test_cname_chain_followed_and_requeried),
	    cmocka_unit_test(test_cname_loops_and_long_chains),
	    cmocka_unit_test(test_bad_input_is_refused_clearly),
	    cmocka_unit_test(test_destroy_with_queries_in_flight),
	};
	return cmocka_run_group_tests_name("resolver", tests, t_setup,
	                                   t_teardown);
}
