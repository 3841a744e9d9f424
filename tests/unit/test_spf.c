/*
 * test_spf.c - SPF evaluation against an in-memory zone: qualifiers, CIDR
 * matching, the lookup, void-lookup and MX limits, ptr and %{p},
 * include and redirect, explanations, identities, record selection, DNS
 * errors, the query timeout, the watched include, lazy evaluation, and
 * what the outcome reports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "dnsmem.h"
#include "spf.h"

static ag_dnsmem_t *zone;

static int setup(void **state)
{
	zone = ag_dnsmem_create();
	assert_non_null(zone);
	return 0;
}

static int teardown(void **state)
{
	zone = ag_dnsmem_destroy(zone);
	return 0;
}

/* add - one record in text form ("A" and "AAAA" by the address) */
static void add(const char *name, int type, const char *text)
{
	if (type == AG_DNS_A && strchr(text, ':') != NULL)
		type = AG_DNS_AAAA;
	assert_int_equal(ag_dnsmem_add_text(zone, name, type, text), 0);
}

/* mx - one MX record */
static void mx(const char *name, unsigned preference, const char *host)
{
	assert_int_equal(ag_dnsmem_add(zone, name, AG_DNS_MX, 60, host,
	                               strlen(host), (uint16_t)preference),
	                 0);
}

/* request - the usual request for ip and sender */
static ag_spf_request_t request(const char *ip, const char *sender)
{
	return (ag_spf_request_t){.ip = ip,
	                          .sender = sender,
	                          .helo = "helo.example",
	                          .receiver = "mx.receiver.example",
	                          .now = 1700000000};
}

/* run - evaluate req into out (kept for the caller); want: the result
 * expected, or -1 for any */
static void run(const ag_spf_request_t *req, ag_spf_outcome_t *out, int want)
{
	ag_spf_result_t got = ag_spf_check(ag_dnsmem_resolver(zone), req, out);

	assert_int_equal(got, out->result);
	if (want >= 0 && got != (ag_spf_result_t)want)
		fail_msg("%s from %s: got %s (%s), want %s",
		         req->sender ? req->sender : "(null sender)", req->ip,
		         ag_spf_result_name(got), out->problem,
		         ag_spf_result_name(want));
}

/* expect - evaluate the usual request and compare */
static void expect(const char *ip, const char *sender, ag_spf_result_t want)
{
	ag_spf_request_t req = request(ip, sender);
	ag_spf_outcome_t out;

	run(&req, &out, (int)want);
	ag_spf_outcome_clear(&out);
}

static void test_qualifiers_and_cidr(void **state)
{
	static const struct {
		const char *record, *ip;
		ag_spf_result_t want;
	} cases[] = {
	    {"v=spf1 +all", "192.0.2.1", AG_SPF_PASS},
	    {"v=spf1 -all", "192.0.2.1", AG_SPF_FAIL},
	    {"v=spf1 ~all", "192.0.2.1", AG_SPF_SOFTFAIL},
	    {"v=spf1 ?all", "192.0.2.1", AG_SPF_NEUTRAL},
	    {"v=spf1", "192.0.2.1", AG_SPF_NEUTRAL},
	    {"v=spf1 ip4:192.0.2.128/25 -all", "192.0.2.200", AG_SPF_PASS},
	    {"v=spf1 ip4:192.0.2.128/25 -all", "192.0.2.127", AG_SPF_FAIL},
	    {"v=spf1 ip4:0.0.0.0/0 -all", "2001:db8::1", AG_SPF_FAIL},
	    {"v=spf1 ip6:2001:db8::/33 -all", "2001:db8:7fff::1", AG_SPF_PASS},
	    {"v=spf1 ip6:2001:db8::/33 -all", "2001:db8:8000::1", AG_SPF_FAIL},
	    {"v=spf1 ip6:::/0 -all", "192.0.2.1", AG_SPF_FAIL},
	    {"v=spf1 ~ip4:192.0.2.1 -all", "::ffff:192.0.2.1", AG_SPF_SOFTFAIL},
	    {"v=spf1 a:h.example/24 -all", "192.0.2.77", AG_SPF_PASS},
	    {"v=spf1 a:h.example/24 -all", "192.0.3.1", AG_SPF_FAIL},
	    {"v=spf1 a:h.example//64 -all", "2001:db8:1:2::77", AG_SPF_PASS},
	    {"v=spf1 a:h.example//64 -all", "2001:db8:1:3::1", AG_SPF_FAIL},
	    {"v=spf1 a:h.example -all", "192.0.2.10", AG_SPF_FAIL},
	    {"v=spf1 mx:m.example/30 -all", "192.0.2.13", AG_SPF_PASS},
	    {"v=spf1 mx:m.example/30 -all", "192.0.2.16", AG_SPF_FAIL},
	    {"v=spf1 exists:h.example -all", "2001:db8::1", AG_SPF_PASS},
	};
	char name[64], sender[80];

	add("h.example", AG_DNS_A, "192.0.2.9");
	add("h.example", AG_DNS_A, "2001:db8:1:2::9");
	mx("m.example", 10, "h2.example");
	add("h2.example", AG_DNS_A, "192.0.2.12");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "d%zu.example", i);
		snprintf(sender, sizeof(sender), "user@%s", name);
		add(name, AG_DNS_TXT, cases[i].record);
		expect(cases[i].ip, sender, cases[i].want);
	}
}

/* limit_record - "v=spf1 a:h1.example ... a:hN.example ip4:... -all" */
static void limit_record(const char *name, int n)
{
	char record[1024] = "v=spf1";

	for (int i = 1; i <= n; i++) {
		char host[32];
		snprintf(host, sizeof(host), "h%d.example", i);
		add(host, AG_DNS_A, "198.51.100.1");
		snprintf(record + strlen(record),
		         sizeof(record) - strlen(record), " a:%s", host);
	}
	strcat(record, " ip4:192.0.2.1 -all");
	add(name, AG_DNS_TXT, record);
}

static void test_dns_lookup_limit(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "x@ten.example");
	ag_spf_outcome_t out;

	limit_record("ten.example", 10);
	limit_record("eleven.example", 11);
	run(&req, &out, AG_SPF_PASS);
	assert_int_equal(out.lookups, 10);
	ag_spf_outcome_clear(&out);

	req.sender = "x@eleven.example";
	run(&req, &out, AG_SPF_PERMERROR);
	assert_string_equal(out.problem, "more than 10 DNS lookups");
	assert_string_equal(out.mechanism, "a:h11.example");
	ag_spf_outcome_clear(&out);

	req.sender = "x@ten.example";
	req.max_lookups = 3;
	run(&req, &out, AG_SPF_PERMERROR);
	assert_int_equal(out.lookups, 4);
	ag_spf_outcome_clear(&out);
}

static void test_include_loop(void **state)
{
	add("loop1.example", AG_DNS_TXT, "v=spf1 include:loop2.example -all");
	add("loop2.example", AG_DNS_TXT, "v=spf1 include:loop1.example -all");
	add("self.example", AG_DNS_TXT, "v=spf1 redirect=self.example");
	expect("192.0.2.1", "a@loop1.example", AG_SPF_PERMERROR);
	expect("192.0.2.1", "a@self.example", AG_SPF_PERMERROR);
}

static void test_void_lookups(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "x@two.example");
	ag_spf_outcome_t out;

	add("nodata.example", AG_DNS_TXT, "not an address");
	add("two.example", AG_DNS_TXT,
	    "v=spf1 a:nx.example a:nodata.example -all");
	add("three.example", AG_DNS_TXT,
	    "v=spf1 a:nx.example mx:nodata.example exists:nx2.example -all");
	run(&req, &out, AG_SPF_FAIL);
	assert_int_equal(out.void_lookups, 2);
	ag_spf_outcome_clear(&out);

	req.sender = "x@three.example";
	run(&req, &out, AG_SPF_PERMERROR);
	assert_string_equal(out.problem,
	                    "more than 2 void lookups (last: nx2.example)");
	ag_spf_outcome_clear(&out);

	req.max_void = 3;
	run(&req, &out, AG_SPF_FAIL);
	ag_spf_outcome_clear(&out);
}

static void test_mx_hosts_are_not_void_lookups(void **state)
{
	ag_spf_request_t req = request("2001:db8::99", "x@v4mx.example");
	ag_spf_outcome_t out;

	add("v4mx.example", AG_DNS_TXT, "v=spf1 mx -all");
	for (int i = 0; i < 5; i++) {
		char host[32];
		snprintf(host, sizeof(host), "mx%d.v4mx.example", i);
		mx("v4mx.example", (unsigned)i, host);
		add(host, AG_DNS_A, "192.0.2.25");
	}
	run(&req, &out, AG_SPF_FAIL);
	assert_int_equal(out.void_lookups, 0);
	ag_spf_outcome_clear(&out);
	/* a null MX is skipped, not looked up */
	add("nullmx.example", AG_DNS_TXT, "v=spf1 mx ?all");
	mx("nullmx.example", 0, ".");
	expect("192.0.2.1", "x@nullmx.example", AG_SPF_NEUTRAL);
	assert_int_equal(ag_dnsmem_queries(zone, "", AG_DNSMEM_ANY), 0);
}

static void test_mx_limit(void **state)
{
	add("ten.example", AG_DNS_TXT, "v=spf1 mx -all");
	add("eleven.example", AG_DNS_TXT, "v=spf1 mx -all");
	for (int i = 0; i < 11; i++) {
		if (i < 10)
			mx("ten.example", (unsigned)i, "mail.example");
		mx("eleven.example", (unsigned)i, "mail.example");
	}
	add("mail.example", AG_DNS_A, "198.51.100.1");
	expect("192.0.2.1", "a@ten.example", AG_SPF_FAIL);
	expect("192.0.2.1", "a@eleven.example", AG_SPF_PERMERROR);
}

static void test_ptr(void **state)
{
	add("10.2.0.192.in-addr.arpa", AG_DNS_PTR, "mail.example.org");
	add("10.2.0.192.in-addr.arpa", AG_DNS_PTR, "liar.example.net");
	add("mail.example.org", AG_DNS_A, "192.0.2.10");
	add("liar.example.net", AG_DNS_A, "198.51.100.1");
	add("example.org", AG_DNS_TXT, "v=spf1 ptr -all");
	add("p1.example", AG_DNS_TXT, "v=spf1 ptr:example.org -all");
	add("p2.example", AG_DNS_TXT, "v=spf1 ptr:example.net -all");
	add("p3.example", AG_DNS_TXT, "v=spf1 ptr:ample.org -all");
	expect("192.0.2.10", "a@example.org", AG_SPF_PASS);
	expect("192.0.2.10", "a@p1.example", AG_SPF_PASS);
	expect("192.0.2.10", "a@p2.example", AG_SPF_FAIL); /* no valid */
	expect("192.0.2.10", "a@p3.example", AG_SPF_FAIL); /* label */
	expect("192.0.2.11", "a@p1.example", AG_SPF_FAIL); /* no PTR */
	/* a name that cannot be validated is skipped, and leaves no trace */
	ag_spf_request_t req = request("192.0.2.10", "a@p4.example");
	ag_spf_outcome_t out;
	assert_int_equal(ag_dnsmem_set_status(zone, "liar.example.net",
	                                      AG_DNSMEM_ANY, AG_DNS_TEMPFAIL),
	                 0);
	add("p4.example", AG_DNS_TXT,
	    "v=spf1 ptr:example.net include:nx.example");
	run(&req, &out, AG_SPF_PERMERROR);
	assert_string_equal(out.problem, "nx.example has no SPF record");
	ag_spf_outcome_clear(&out);
	assert_int_equal(ag_dnsmem_set_status(zone, "10.2.0.192.in-addr.arpa",
	                                      AG_DNS_PTR, AG_DNS_TEMPFAIL),
	                 0);
	expect("192.0.2.10", "a@p1.example", AG_SPF_FAIL);
}

static void test_p_macro_prefers_domain(void **state)
{
	ag_spf_request_t req = request("192.0.2.10", "a@example.org");
	ag_spf_outcome_t out;

	add("10.2.0.192.in-addr.arpa", AG_DNS_PTR, "other.example.net");
	add("10.2.0.192.in-addr.arpa", AG_DNS_PTR, "mx.example.org");
	add("other.example.net", AG_DNS_A, "192.0.2.10");
	add("mx.example.org", AG_DNS_A, "192.0.2.10");
	add("example.org", AG_DNS_TXT, "v=spf1 -all exp=why.example.org");
	add("why.example.org", AG_DNS_TXT, "%{p} is %{P}");
	run(&req, &out, AG_SPF_FAIL);
	assert_string_equal(out.explanation,
	                    "mx.example.org is mx.example.org");
	ag_spf_outcome_clear(&out);
	req.ip = "192.0.2.11";
	run(&req, &out, -1);
	assert_string_equal(out.explanation, "unknown is unknown");
	ag_spf_outcome_clear(&out);
}

static void test_include_results(void **state)
{
	static const struct {
		const char *target; /* NULL: no record */
		ag_spf_result_t want;
	} cases[] = {
	    {"v=spf1 +all", AG_SPF_PASS},
	    {"v=spf1 -all", AG_SPF_FAIL},
	    {"v=spf1 ~all", AG_SPF_FAIL},
	    {"v=spf1 ?all", AG_SPF_FAIL},
	    {"v=spf1 a:%{x}.example", AG_SPF_PERMERROR},
	    {"v=spf1 include:nx.example", AG_SPF_PERMERROR},
	    {NULL, AG_SPF_PERMERROR},
	};
	char name[64], outer[160], sender[80];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(name, sizeof(name), "t%zu.example", i);
		snprintf(outer, sizeof(outer), "v=spf1 include:%s -all", name);
		snprintf(sender, sizeof(sender), "u@o%zu.example", i);
		add(sender + 2, AG_DNS_TXT, outer);
		if (cases[i].target != NULL)
			add(name, AG_DNS_TXT, cases[i].target);
		expect("192.0.2.1", sender, cases[i].want);
	}
	add("tmp.example", AG_DNS_TXT, "v=spf1 include:slow.example -all");
	assert_int_equal(ag_dnsmem_set_status(zone, "slow.example",
	                                      AG_DNSMEM_ANY, AG_DNS_TEMPFAIL),
	                 0);
	expect("192.0.2.1", "u@tmp.example", AG_SPF_TEMPERROR);
}

static void test_redirect(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "u@r.example");
	ag_spf_outcome_t out;

	add("r.example", AG_DNS_TXT,
	    "v=spf1 exp=no.example redirect=_spf.example");
	add("_spf.example", AG_DNS_TXT, "v=spf1 a -all");
	add("_spf.example", AG_DNS_A, "192.0.2.1"); /* a means _spf */
	add("r.example", AG_DNS_A, "192.0.2.2");
	add("all.example", AG_DNS_TXT, "v=spf1 ?all redirect=nx.example");
	add("gone.example", AG_DNS_TXT, "v=spf1 redirect=nx.example");
	run(&req, &out, AG_SPF_PASS);
	assert_string_equal(out.mechanism, "a");
	assert_string_equal(out.mechanism_domain, "_spf.example");
	assert_string_equal(out.record,
	                    "v=spf1 exp=no.example redirect=_spf.example");
	assert_int_equal(out.lookups, 2);
	ag_spf_outcome_clear(&out);
	expect("192.0.2.2", "u@r.example", AG_SPF_FAIL);
	expect("192.0.2.2", "u@all.example", AG_SPF_NEUTRAL);
	expect("192.0.2.2", "u@gone.example", AG_SPF_PERMERROR);
}

static void test_explanations(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "a\r\nb@d.example");
	ag_spf_outcome_t out;

	add("d.example", AG_DNS_TXT,
	    "v=spf1 ~ip4:192.0.2.2 -all "
	    "exp=why.%{d}");
	add("why.d.example", AG_DNS_TXT,
	    "%{i} is not one of %{d}'s servers (%{c}, %{r}, %{t}, %{l})");
	run(&req, &out, AG_SPF_FAIL);
	assert_string_equal(out.explanation,
	                    "192.0.2.1 is not one of d.example's servers "
	                    "(192.0.2.1, mx.receiver.example, 1700000000, "
	                    "a??b)");
	ag_spf_outcome_clear(&out);

	req.ip = "192.0.2.2"; /* softfail: no explanation */
	run(&req, &out, AG_SPF_SOFTFAIL);
	assert_null(out.explanation);
	ag_spf_outcome_clear(&out);

	add("e.example", AG_DNS_TXT, "v=spf1 -all");
	req.ip = "192.0.2.1";
	req.sender = "u@e.example";
	run(&req, &out, -1);
	assert_string_equal(out.explanation, AG_SPF_DEFAULT_EXPLANATION);
	ag_spf_outcome_clear(&out);
	req.default_explanation = "See https://%{d}/spf?ip=%{C}";
	run(&req, &out, -1);
	assert_string_equal(out.explanation,
	                    "See https://e.example/spf?ip=192.0.2.1");
	ag_spf_outcome_clear(&out);
	req.default_explanation = "100% bad"; /* not a macro-string */
	run(&req, &out, -1);
	assert_string_equal(out.explanation, "100% bad");
	ag_spf_outcome_clear(&out);
}

static void test_identities(void **state)
{
	static const struct {
		const char *sender, *helo, *domain;
		ag_spf_result_t want;
	} cases[] = {
	    {"", "helo.example", NULL, AG_SPF_FAIL}, /* postmaster@helo */
	    {NULL, "helo.example", NULL, AG_SPF_FAIL},
	    {NULL, NULL, NULL, AG_SPF_NONE},
	    {"helo.example", NULL, NULL, AG_SPF_FAIL}, /* no '@' */
	    {"@helo.example", NULL, NULL, AG_SPF_FAIL},
	    {"x@nowhere.example", NULL, "helo.example", AG_SPF_FAIL},
	    {"x@helo.example.", NULL, NULL, AG_SPF_FAIL},
	    {"x@localhost", NULL, NULL, AG_SPF_NONE},
	    {"x@[192.0.2.1]", NULL, NULL, AG_SPF_NONE},
	    {"x@a..example", NULL, NULL, AG_SPF_NONE},
	    {"x@nowhere.example", NULL, NULL, AG_SPF_NONE},
	    {"x@helo.example", "helo.example", "bad..name", AG_SPF_NONE},
	};

	add("helo.example", AG_DNS_TXT, "v=spf1 -all exp=exp.helo.example");
	add("exp.helo.example", AG_DNS_TXT, "%{l}@%{o} via %{h}");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_spf_request_t req = {.ip = "192.0.2.1",
		                        .sender = cases[i].sender,
		                        .helo = cases[i].helo,
		                        .domain = cases[i].domain};
		ag_spf_outcome_t out;
		run(&req, &out, (int)cases[i].want);
		if (out.result == AG_SPF_NONE)
			assert_true(strlen(out.problem) > 0);
		ag_spf_outcome_clear(&out);
	}
}

static void test_null_sender_explanation(void **state)
{
	ag_spf_request_t req = {
	    .ip = "192.0.2.1", .sender = "", .helo = "helo.example"};
	ag_spf_outcome_t out;

	add("helo.example", AG_DNS_TXT, "v=spf1 -all exp=exp.helo.example");
	add("exp.helo.example", AG_DNS_TXT, "%{s} via %{h}");
	run(&req, &out, -1);
	assert_string_equal(out.explanation,
	                    "postmaster@helo.example via helo.example");
	ag_spf_outcome_clear(&out);
}

static void test_bad_client_address(void **state)
{
	static const char *const bad[] = {NULL, "", "192.0.2", "example.com",
	                                  "192.0.2.1 "};
	add("d.example", AG_DNS_TXT, "v=spf1 +all");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ag_spf_request_t req = request(bad[i], "u@d.example");
		ag_spf_outcome_t out;
		run(&req, &out, AG_SPF_PERMERROR);
		assert_non_null(strstr(out.problem, "invalid client address"));
		ag_spf_outcome_clear(&out);
	}
	assert_int_equal(ag_dnsmem_queries(zone, NULL, AG_DNSMEM_ANY), 0);
}

static void test_record_selection(void **state)
{
	add("two.example", AG_DNS_TXT, "v=spf1 -all");
	add("two.example", AG_DNS_TXT, "V=SPF1 +all");
	add("other.example", AG_DNS_TXT, "google-site-verification=abc");
	add("other.example", AG_DNS_TXT, "v=spf10 +all");
	add("other.example", AG_DNS_TXT, "v=spf1 -all");
	add("ten.example", AG_DNS_TXT, "v=spf10 +all");
	add("alias.example", AG_DNS_CNAME, "other.example");
	add("slow.example", AG_DNS_A, "192.0.2.1");
	assert_int_equal(ag_dnsmem_set_status(zone, "slow.example", AG_DNS_TXT,
	                                      AG_DNS_TEMPFAIL),
	                 0);
	expect("192.0.2.1", "u@two.example", AG_SPF_PERMERROR);
	expect("192.0.2.1", "u@other.example", AG_SPF_FAIL);
	expect("192.0.2.1", "u@ten.example", AG_SPF_NONE);
	expect("192.0.2.1", "u@alias.example", AG_SPF_FAIL);
	expect("192.0.2.1", "u@slow.example", AG_SPF_TEMPERROR);
	expect("192.0.2.1", "u@nx.example", AG_SPF_NONE);
}

static void test_dns_errors_are_temperror(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "u@a.example");
	ag_spf_outcome_t out;

	assert_int_equal(ag_dnsmem_set_status(zone, "t.example", AG_DNSMEM_ANY,
	                                      AG_DNS_TEMPFAIL),
	                 0);
	add("a.example", AG_DNS_TXT, "v=spf1 a:t.example -all");
	add("mx.example", AG_DNS_TXT, "v=spf1 mx -all");
	mx("mx.example", 10, "t.example");
	add("e.example", AG_DNS_TXT, "v=spf1 exists:t.example -all");
	run(&req, &out, AG_SPF_TEMPERROR);
	assert_string_equal(out.problem,
	                    "DNS error looking up t.example A: timeout");
	assert_string_equal(out.mechanism, "a:t.example");
	ag_spf_outcome_clear(&out);
	expect("192.0.2.1", "u@mx.example", AG_SPF_TEMPERROR);
	expect("192.0.2.1", "u@e.example", AG_SPF_TEMPERROR);
}

static void test_query_timeout_is_passed(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "u@d.example");
	ag_spf_outcome_t out;

	add("d.example", AG_DNS_TXT, "v=spf1 +all");
	ag_dnsmem_set_delay(zone, 30);
	req.timeout_ms = 5;
	run(&req, &out, AG_SPF_TEMPERROR);
	ag_spf_outcome_clear(&out);
	req.timeout_ms = 2000;
	run(&req, &out, AG_SPF_PASS);
	ag_spf_outcome_clear(&out);
}

/* fake_clock - a clock that moves on by *arg ms each time it is read */
static uint64_t fake_clock(void *arg)
{
	static uint64_t now = 1000;

	return now += *(unsigned *)arg;
}

static void test_time_limit(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "u@d.example");
	ag_spf_outcome_t out;
	unsigned step = 1000;

	add("d.example", AG_DNS_TXT,
	    "v=spf1 a:a.example a:b.example "
	    "a:c.example a:d.example -all");
	add("a.example", AG_DNS_A, "198.51.100.1");
	add("b.example", AG_DNS_A, "198.51.100.1");
	add("c.example", AG_DNS_A, "198.51.100.1");
	add("d.example", AG_DNS_A, "198.51.100.1");
	req.clock_ms = fake_clock;
	req.clock_arg = &step;
	req.limit_ms = 3500;
	run(&req, &out, AG_SPF_TEMPERROR);
	assert_string_equal(out.mechanism, "a:c.example");
	assert_non_null(strstr(out.problem, "time limit"));
	assert_int_equal(ag_dnsmem_queries(zone, NULL, AG_DNSMEM_ANY), 3);
	ag_spf_outcome_clear(&out);
	req.limit_ms = 10000;
	run(&req, &out, AG_SPF_FAIL);
	ag_spf_outcome_clear(&out);

	/* what is left of the limit bounds each query's timeout */
	step = 0;
	ag_dnsmem_set_delay(zone, 30);
	req.timeout_ms = 5000;
	req.limit_ms = 5;
	run(&req, &out, AG_SPF_TEMPERROR);
	assert_string_equal(out.problem,
	                    "DNS error looking up d.example TXT: timeout");
	ag_spf_outcome_clear(&out);
}

static void test_lazy_evaluation(void **state)
{
	add("d.example", AG_DNS_TXT,
	    "v=spf1 ip4:192.0.2.1 a:x.example "
	    "mx:y.example -all exp=exp.d.example");
	add("exp.d.example", AG_DNS_TXT, "no");
	expect("192.0.2.1", "u@d.example", AG_SPF_PASS);
	assert_int_equal(ag_dnsmem_queries(zone, NULL, AG_DNSMEM_ANY), 1);
	ag_dnsmem_reset_counts(zone);
	expect("192.0.2.9", "u@d.example", AG_SPF_FAIL);
	assert_int_equal(ag_dnsmem_queries(zone, NULL, AG_DNSMEM_ANY), 4);
	assert_int_equal(ag_dnsmem_queries(zone, "exp.d.example", AG_DNS_TXT),
	                 1);
}

static void test_watched_include(void **state)
{
	static const struct {
		const char *ip, *watch;
		ag_spf_result_t want;
		int reached, pass;
	} cases[] = {
	    {"198.51.100.5", "amazonses.example", AG_SPF_PASS, 1, 1},
	    {"198.51.100.5", "AmazonSES.example.", AG_SPF_PASS, 1, 1},
	    {"192.0.2.1", "amazonses.example", AG_SPF_PASS, 0, 0},
	    {"203.0.113.1", "amazonses.example", AG_SPF_FAIL, 1, 0},
	    {"198.51.100.5", "other.example", AG_SPF_PASS, 0, 0},
	    {"198.51.100.5", NULL, AG_SPF_PASS, 0, 0},
	};

	add("bounce.example", AG_DNS_TXT,
	    "v=spf1 ip4:192.0.2.1 include:amazonses.example -all");
	add("amazonses.example", AG_DNS_TXT, "v=spf1 ip4:198.51.100.0/24 -all");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ag_spf_request_t req = request(cases[i].ip, "b@bounce.example");
		ag_spf_outcome_t out;
		req.watch_include = cases[i].watch;
		run(&req, &out, cases[i].want);
		assert_int_equal(out.include_reached, cases[i].reached);
		assert_int_equal(out.include_pass, cases[i].pass);
		ag_spf_outcome_clear(&out);
	}
	add("r.example", AG_DNS_TXT, "v=spf1 redirect=amazonses.example");
	ag_spf_request_t req = request("198.51.100.9", "b@r.example");
	ag_spf_outcome_t out;
	req.watch_include = "amazonses.example";
	run(&req, &out, -1);
	assert_true(out.include_reached && out.include_pass);
	ag_spf_outcome_clear(&out);
}

static void test_outcome_fields(void **state)
{
	ag_spf_request_t req = request("192.0.2.1", "u@n.example");
	ag_spf_outcome_t out;

	add("n.example", AG_DNS_TXT, "v=spf1 ip4:198.51.100.1");
	add("i.example", AG_DNS_TXT, "v=spf1 -include:n.example ?all");
	run(&req, &out, AG_SPF_NEUTRAL);
	assert_null(out.mechanism);
	assert_null(out.explanation);
	assert_string_equal(out.record, "v=spf1 ip4:198.51.100.1");
	assert_string_equal(out.problem, "");
	ag_spf_outcome_clear(&out);
	assert_null(out.record);

	req.sender = "u@i.example";
	run(&req, &out, AG_SPF_NEUTRAL);
	assert_string_equal(out.mechanism, "?all");
	assert_string_equal(out.mechanism_domain, "i.example");
	ag_spf_outcome_clear(&out);
}

static void test_result_names(void **state)
{
	static const char *const names[] = {"none",     "neutral",  "pass",
	                                    "fail",     "softfail", "temperror",
	                                    "permerror"};

	for (int i = 0; i < 7; i++) {
		ag_spf_result_t r;
		assert_string_equal(ag_spf_result_name(i), names[i]);
		assert_int_equal(ag_spf_result_parse(names[i], &r), 0);
		assert_int_equal(r, i);
	}
	ag_spf_result_t r;
	assert_int_equal(ag_spf_result_parse("SoftFail", &r), 0);
	assert_int_equal(r, AG_SPF_SOFTFAIL);
	assert_int_equal(ag_spf_result_parse("unknown", &r), -1);
	assert_string_equal(ag_spf_result_name(42), "unknown");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_qualifiers_and_cidr),
	    T(test_dns_lookup_limit),
	    T(test_include_loop),
	    T(test_void_lookups),
	    T(test_mx_hosts_are_not_void_lookups),
	    T(test_mx_limit),
	    T(test_ptr),
	    T(test_p_macro_prefers_domain),
	    T(test_include_results),
	    T(test_redirect),
	    T(test_explanations),
	    T(test_identities),
	    T(test_null_sender_explanation),
	    T(test_bad_client_address),
	    T(test_record_selection),
	    T(test_dns_errors_are_temperror),
	    T(test_query_timeout_is_passed),
	    T(test_time_limit),
	    T(test_lazy_evaluation),
	    T(test_watched_include),
	    T(test_outcome_fields),
	    T(test_result_names),
	};
	return cmocka_run_group_tests_name("spf", tests, NULL, NULL);
}
