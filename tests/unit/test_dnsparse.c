/*
 * test_dnsparse.c - the DNS reply parser and the name/query writer
 * (dnsparse.c, dnswire.c) on hand-built messages: every record type's
 * decoding, header and question checks, malformed records, negative
 * answers and their TTLs, CNAME chains and loops, name escapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dnsparse.h"
#include "dnswire.h"

typedef struct t_msg {
	uint8_t b[4096];
	ag_dnsw_t w;
} t_msg_t;

/* t_name - append a name in wire form */
static void t_name(t_msg_t *m, const char *name)
{
	assert_int_equal(ag_dnsw_name(&m->w, name), 0);
}

/* t_start - header (flags with rcode) and the question (name, type) */
static void t_start(t_msg_t *m, unsigned flags, unsigned an, unsigned ns,
                    const char *name, int type)
{
	ag_dnsw_init(&m->w, m->b, sizeof(m->b));
	ag_dnsw_u16(&m->w, 0x1234);
	ag_dnsw_u16(&m->w, flags);
	ag_dnsw_u16(&m->w, 1);
	ag_dnsw_u16(&m->w, an);
	ag_dnsw_u16(&m->w, ns);
	ag_dnsw_u16(&m->w, 0);
	t_name(m, name);
	ag_dnsw_u16(&m->w, (unsigned)type);
	ag_dnsw_u16(&m->w, 1);
}

/* t_rr - append a record header; rdata follows */
static void t_rr(t_msg_t *m, const char *owner, int type, uint32_t ttl,
                 size_t rdlen)
{
	t_name(m, owner);
	ag_dnsw_u16(&m->w, (unsigned)type);
	ag_dnsw_u16(&m->w, 1);
	ag_dnsw_u32(&m->w, ttl);
	ag_dnsw_u16(&m->w, (unsigned)rdlen);
}

/* t_a - append an A record */
static void t_a(t_msg_t *m, const char *owner, uint32_t ttl, uint8_t last)
{
	uint8_t addr[4] = {192, 0, 2, last};

	t_rr(m, owner, AG_DNS_A, ttl, 4);
	ag_dnsw_bytes(&m->w, addr, 4);
}

/* t_cname - append a CNAME record */
static void t_cname(t_msg_t *m, const char *owner, const char *target,
                    uint32_t ttl)
{
	uint8_t w[256];
	int n = ag_dns_name_wire(target, w, sizeof(w));

	t_rr(m, owner, AG_DNS_CNAME, ttl, (size_t)n);
	ag_dnsw_bytes(&m->w, w, (size_t)n);
}

/* t_soa - append an SOA record */
static void t_soa(t_msg_t *m, const char *owner, uint32_t ttl, uint32_t min)
{
	t_rr(m, owner, AG_DNS_SOA, ttl, 3 + 3 + 20);
	ag_dnsw_bytes(&m->w, "\x01m\x00\x01h\x00", 6);
	for (int i = 0; i < 4; i++)
		ag_dnsw_u32(&m->w, 1000 + (uint32_t)i);
	ag_dnsw_u32(&m->w, min);
}

/* t_parse - parse and return the reply (static storage) */
static ag_dns_reply_t *t_parse(const t_msg_t *m, const char *qname, int qtype)
{
	static ag_dns_reply_t reply;

	ag_dns_answer_free(reply.answer);
	memset(&reply, 0, sizeof(reply));
	assert_int_equal(
	    ag_dns_parse_reply(m->b, m->w.len, qname, qtype, &reply), 0);
	return &reply;
}

/* t_expect - parse; the answer must have this status and error */
static ag_dns_answer_t *t_expect(const t_msg_t *m, const char *qname, int qtype,
                                 ag_dns_status_t status, const char *error)
{
	ag_dns_answer_t *a = t_parse(m, qname, qtype)->answer;

	assert_non_null(a);
	assert_int_equal(a->status, status);
	if (error == NULL)
		assert_null(a->error);
	else
		assert_string_equal(a->error, error);
	return a;
}

static void test_addresses_and_smallest_ttl(void **state)
{
	t_msg_t m;

	t_start(&m, 0x8180, 3, 0, "example.com", AG_DNS_A);
	t_a(&m, "example.com", 300, 1);
	t_a(&m, "EXAMPLE.com", 200, 2);
	t_a(&m, "other.com", 10, 3); /* not ours: ignored */
	ag_dns_answer_t *a =
	    t_expect(&m, "example.com", AG_DNS_A, AG_DNS_OK, NULL);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->ttl, 200);
	assert_memory_equal(a->rrs[1].data, "\xc0\x00\x02\x02", 4);
	t_start(&m, 0x8180, 1, 0, "example.com", AG_DNS_AAAA);
	t_rr(&m, "example.com", AG_DNS_AAAA, 0x80000001u, 16); /* top bit */
	ag_dnsw_bytes(&m.w, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	a = t_expect(&m, "example.com", AG_DNS_AAAA, AG_DNS_OK, NULL);
	assert_int_equal(a->rrs[0].len, 16);
	assert_int_equal(a->ttl, 0);
	t_start(&m, 0x8180, 1, 0, "example.com", AG_DNS_A);
	t_a(&m, "example.com", 999999, 1);
	assert_int_equal(
	    t_expect(&m, "example.com", AG_DNS_A, AG_DNS_OK, NULL)->ttl,
	    AG_DNS_TTL_MAX);
}

static void test_header_failures(void **state)
{
	static const struct {
		unsigned flags;
		const char *error;
		int rcode;
	} cases[] = {
	    {0x8380, "truncated", 0},   {0x0180, "not a reply", 0},
	    {0x8980, "not a reply", 0}, {0x8181, "formerr", 1},
	    {0x8182, "servfail", 2},    {0x8184, "notimp", 4},
	    {0x8185, "refused", 5},     {0x8189, "bad rcode", 9},
	    {0x8382, "truncated", 2},
	};
	t_msg_t m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_start(&m, cases[i].flags, 1, 0, "example.com", AG_DNS_A);
		t_a(&m, "example.com", 300, 1);
		t_expect(&m, "example.com", AG_DNS_A, AG_DNS_TEMPFAIL,
		         cases[i].error);
		assert_int_equal(t_parse(&m, "example.com", AG_DNS_A)->rcode,
		                 cases[i].rcode);
	}
	m.w.len = 11;
	t_expect(&m, "example.com", AG_DNS_A, AG_DNS_TEMPFAIL, "short reply");
	assert_int_equal(t_parse(&m, "example.com", AG_DNS_A)->rcode, -1);
}

static void test_question_must_match(void **state)
{
	t_msg_t m;

	t_start(&m, 0x8180, 0, 0, "example.com", AG_DNS_A);
	t_expect(&m, "example.org", AG_DNS_A, AG_DNS_TEMPFAIL,
	         "question mismatch");
	t_expect(&m, "example.com", AG_DNS_MX, AG_DNS_TEMPFAIL,
	         "question mismatch");
	t_expect(&m, "ExAmPlE.CoM", AG_DNS_A, AG_DNS_NODATA, NULL);
	m.b[m.w.len - 1] = 3; /* class CH */
	t_expect(&m, "example.com", AG_DNS_A, AG_DNS_TEMPFAIL,
	         "question mismatch");
	m.b[5] = 0; /* no question */
	t_expect(&m, "example.com", AG_DNS_A, AG_DNS_TEMPFAIL,
	         "question mismatch");
}

static void test_malformed_records(void **state)
{
	static const struct {
		int type;
		unsigned ancount;
		const char *rr; /* after the question */
		size_t len;
	} cases[] = {
	    {AG_DNS_A, 1,
	     "\xc0\x0c\x00\x01\x00\x01\0\0\0\x3c\x00\x05\1\2\3\4\5", 17},
	    {AG_DNS_A, 1, "\xc0\x0c\x00\x01\x00\x01\0\0\0\x3c\x00\x04\1\2", 14},
	    {AG_DNS_A, 1, "\xc0\x1d\x00\x01\x00\x01\0\0\0\x3c\x00\x04\1\2\3\4",
	     16},
	    {AG_DNS_A, 1, "\xc0\x40\x00\x01\x00\x01\0\0\0\x3c\x00\x04\1\2\3\4",
	     16},
	    {AG_DNS_A, 1, "\x41x\x00\x00\x01\x00\x01\0\0\0\x3c\x00\x04\1\2\3\4",
	     17},
	    {AG_DNS_A, 2, "\xc0\x0c\x00\x01\x00\x01\0\0\0\x3c\x00\x04\1\2\3\4",
	     16},
	    {AG_DNS_TXT, 1,
	     "\xc0\x0c\x00\x10\x00\x01\0\0\0\x3c\x00\x03\x05"
	     "ab",
	     15},
	    {AG_DNS_MX, 1,
	     "\xc0\x0c\x00\x0f\x00\x01\0\0\0\x3c\x00\x06\0\1\xc0\x0c\0\0", 18},
	    {AG_DNS_MX, 1, "\xc0\x0c\x00\x0f\x00\x01\0\0\0\x3c\x00\x01\0", 13},
	    {AG_DNS_CNAME, 1,
	     "\xc0\x0c\x00\x05\x00\x01\0\0\0\x3c\x00\x02\xc0\x29", 14},
	};
	t_msg_t m;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t_start(&m, 0x8180, cases[i].ancount, 0, "example.com",
		        cases[i].type);
		ag_dnsw_bytes(&m.w, cases[i].rr, cases[i].len);
		ag_dns_answer_t *a =
		    t_parse(&m, "example.com", cases[i].type)->answer;
		assert_non_null(a);
		if (a->status != AG_DNS_TEMPFAIL ||
		    strcmp(a->error, "malformed reply") != 0)
			fail_msg("case %zu: %s", i,
			         ag_dns_status_name(a->status));
	}
}

static void test_txt_names_mx_soa(void **state)
{
	t_msg_t m;

	t_start(&m, 0x8180, 2, 0, "example.com", AG_DNS_TXT);
	t_rr(&m, "example.com", AG_DNS_TXT, 60, 9);
	ag_dnsw_bytes(&m.w,
	              "\x01"
	              "a\x00\x05"
	              "b\0c\\.",
	              9);
	t_rr(&m, "example.com", AG_DNS_TXT, 60, 0);
	ag_dns_answer_t *a =
	    t_expect(&m, "example.com", AG_DNS_TXT, AG_DNS_OK, NULL);
	assert_int_equal(a->rrs[0].len, 6);
	assert_memory_equal(a->rrs[0].data, "ab\0c\\.", 7);
	assert_int_equal(a->rrs[1].len, 0);
	assert_string_equal(a->rrs[1].data, "");

	t_start(&m, 0x8180, 1, 0, "example.com", AG_DNS_MX);
	t_rr(&m, "example.com", AG_DNS_MX, 60, 13);
	ag_dnsw_bytes(&m.w,
	              "\x00\x0a\x06"
	              "a.b c\xff"
	              "\x01"
	              "X\xc0\x0c",
	              13);
	a = t_expect(&m, "example.com", AG_DNS_MX, AG_DNS_OK, NULL);
	assert_int_equal(a->rrs[0].preference, 10);
	assert_string_equal(a->rrs[0].data, "a\\.b\\032c\\255.X.example.com");

	t_start(&m, 0x8180, 1, 0, "example.com", AG_DNS_SOA);
	t_soa(&m, "example.com", 3600, 600);
	a = t_expect(&m, "example.com", AG_DNS_SOA, AG_DNS_OK, NULL);
	assert_string_equal(a->rrs[0].data, "m h 1000 1001 1002 1003 600");
}

static void test_negative_ttls_and_referrals(void **state)
{
	t_msg_t m;

	t_start(&m, 0x8183, 0, 1, "nx.example.com", AG_DNS_A);
	t_soa(&m, "example.com", 3600, 600);
	assert_int_equal(
	    t_expect(&m, "nx.example.com", AG_DNS_A, AG_DNS_NXDOMAIN, NULL)
	        ->ttl,
	    600);
	t_start(&m, 0x8180, 0, 1, "example.com", AG_DNS_MX);
	t_soa(&m, "example.com", 60, 600);
	assert_int_equal(
	    t_expect(&m, "example.com", AG_DNS_MX, AG_DNS_NODATA, NULL)->ttl,
	    60);
	t_start(&m, 0x8180, 0, 1, "example.com", AG_DNS_MX);
	t_soa(&m, "example.com", 86400, 86400);
	assert_int_equal(
	    t_expect(&m, "example.com", AG_DNS_MX, AG_DNS_NODATA, NULL)->ttl,
	    AG_DNS_NEG_TTL_MAX);
	t_start(&m, 0x8183, 0, 0, "nx.example.com", AG_DNS_A);
	assert_int_equal(
	    t_expect(&m, "nx.example.com", AG_DNS_A, AG_DNS_NXDOMAIN, NULL)
	        ->ttl,
	    AG_DNS_NEG_TTL_DEFAULT);
	t_start(&m, 0x8100, 0, 1, "example.com", AG_DNS_A);
	t_rr(&m, "com", AG_DNS_NS, 172800, 4);
	ag_dnsw_bytes(&m.w, "\x01x\xc0\x14", 4);
	t_expect(&m, "example.com", AG_DNS_A, AG_DNS_TEMPFAIL, "referral");
}

static void test_cname_chains(void **state)
{
	t_msg_t m;

	t_start(&m, 0x8180, 3, 0, "www.example.com", AG_DNS_A);
	t_a(&m, "b.example.net", 300, 9); /* order does not matter */
	t_cname(&m, "a.example.org", "b.example.net", 100);
	t_cname(&m, "www.example.com", "a.example.org", 200);
	ag_dns_answer_t *a =
	    t_expect(&m, "www.example.com", AG_DNS_A, AG_DNS_OK, NULL);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->ttl, 100);
	a = t_expect(&m, "www.example.com", AG_DNS_CNAME, AG_DNS_TEMPFAIL,
	             "question mismatch");
	t_start(&m, 0x8180, 3, 0, "www.example.com", AG_DNS_CNAME);
	t_cname(&m, "www.example.com", "a.example.org", 200);
	t_cname(&m, "a.example.org", "b.example.net", 100);
	t_a(&m, "b.example.net", 300, 9);
	a = t_expect(&m, "www.example.com", AG_DNS_CNAME, AG_DNS_OK, NULL);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rrs[0].data, "a.example.org");

	t_start(&m, 0x8180, 2, 0, "x.test", AG_DNS_TXT);
	t_cname(&m, "x.test", "y.test", 100);
	t_cname(&m, "y.test", "x.test", 100);
	t_expect(&m, "x.test", AG_DNS_TXT, AG_DNS_TEMPFAIL, "cname loop");

	t_start(&m, 0x8180, 1, 0, "x.test", AG_DNS_TXT);
	t_cname(&m, "x.test", "far.away", 70);
	ag_dns_reply_t *r = t_parse(&m, "x.test", AG_DNS_TXT);
	assert_null(r->answer);
	assert_string_equal(r->next, "far.away");
	assert_int_equal(r->chain_ttl, 70);

	t_start(&m, 0x8183, 1, 1, "x.test", AG_DNS_TXT);
	t_cname(&m, "x.test", "far.away", 70);
	t_soa(&m, "away", 3600, 600);
	assert_int_equal(
	    t_expect(&m, "x.test", AG_DNS_TXT, AG_DNS_NXDOMAIN, NULL)->ttl, 70);
}

static void test_wire_names_and_queries(void **state)
{
	static const struct {
		const char *raw;
		const char *norm; /* NULL: refused */
	} names[] = {
	    {"Example.COM.", "example.com"},
	    {"_dmarc.x.org", "_dmarc.x.org"},
	    {"a b\\c", "a\\032b\\\\c"},
	    {"", NULL},
	    {".", NULL},
	    {"a..b", NULL},
	    {"..", NULL},
	    {"a.b..", NULL},
	};
	char out[AG_DNS_NAME_TEXT_MAX + 1];
	uint8_t w[300];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int rc = ag_dns_name_normalize(names[i].raw, out, sizeof(out));
		assert_int_equal(rc, names[i].norm != NULL ? 0 : -1);
		if (names[i].norm != NULL)
			assert_string_equal(out, names[i].norm);
	}
	assert_int_equal(ag_dns_name_wire("a\\.b\\032.c", w, sizeof(w)), 8);
	assert_memory_equal(w,
	                    "\x04"
	                    "a.b \x01"
	                    "c\x00",
	                    8);
	assert_int_equal(ag_dns_name_wire("", w, sizeof(w)), 1);
	assert_int_equal(ag_dns_name_wire("a\\256", w, sizeof(w)), -1);
	assert_int_equal(ag_dns_name_wire("a\\", w, sizeof(w)), -1);
	assert_int_equal(ag_dns_name_wire("a.b", w, 4), -1);
	memset(out, 'a', 64);
	out[64] = '\0';
	assert_int_equal(ag_dns_name_wire(out, w, sizeof(w)), -1);
	assert_int_equal(ag_dns_name_normalize(out, (char *)w, sizeof(w)), -1);
	out[63] = '\0';
	assert_int_equal(ag_dns_name_wire(out, w, sizeof(w)), 65);

	int n = ag_dns_query_build("ex.com", AG_DNS_TXT, 0xbeef, 1232, w,
	                           sizeof(w));
	assert_int_equal(n, 12 + 8 + 4 + 11);
	assert_memory_equal(
	    w, "\xbe\xef\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01", 12);
	assert_memory_equal(w + 24, "\x00\x00\x29\x04\xd0", 5);
	assert_int_equal(
	    ag_dns_query_build("ex.com", AG_DNS_TXT, 1, 0, w, sizeof(w)),
	    12 + 8 + 4);
	assert_int_equal(ag_dns_query_build("", AG_DNS_A, 1, 0, w, sizeof(w)),
	                 -1);
}

static void test_reader_bounds(void **state)
{
	static const uint8_t msg[] = {0x00, 0x01, 0x02, 0xc0, 0x03};
	ag_dnsr_t r;
	uint16_t v16;
	uint32_t v32;
	char name[16];

	ag_dnsr_init(&r, msg, sizeof(msg));
	assert_int_equal(ag_dnsr_u16(&r, &v16), 0);
	assert_int_equal(v16, 1);
	assert_int_equal(ag_dnsr_u32(&r, &v32), -1);
	assert_int_equal(ag_dnsr_skip(&r, 4), -1);
	assert_int_equal(ag_dnsr_skip(&r, 1), 0);
	assert_int_equal(ag_dnsr_name(&r, name, sizeof(name)), -1); /* loop */
	ag_dnsr_init(&r, (const uint8_t *)"\x05hello\x00", 7);
	assert_int_equal(ag_dnsr_name(&r, name, 5), -1); /* too small */
	assert_int_equal(ag_dnsr_name(&r, name, 6), 0);
	assert_string_equal(name, "hello");
	assert_int_equal(r.pos, 7);
}

static int t_teardown(void **state)
{
	ag_dns_reply_t *r = t_parse(&(t_msg_t){.w.len = 0}, "x", AG_DNS_A);

	r->answer = ag_dns_answer_free(r->answer);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addresses_and_smallest_ttl),
	    cmocka_unit_test(test_header_failures),
	    cmocka_unit_test(test_question_must_match),
	    cmocka_unit_test(test_malformed_records),
	    cmocka_unit_test(test_txt_names_mx_soa),
	    cmocka_unit_test(test_negative_ttls_and_referrals),
	    cmocka_unit_test(test_cname_chains),
	    cmocka_unit_test(test_wire_names_and_queries),
	    cmocka_unit_test(test_reader_bounds),
	};
	return cmocka_run_group_tests_name("dnsparse", tests, NULL, t_teardown);
}
