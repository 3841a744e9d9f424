/*
 * test_checkrun.c - one domain judged as the daemon would, over the
 * in-memory zone: a passing domain, an unverified one, return-path
 * alignment and send domain, dkim=any, the predicted DMARC result with
 * and without RequireDMARCPass, aspf=s, DNS trouble and checks that do not
 * answer in time, monitor mode; and many domains through the pool, emitted
 * in the order given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpool.h"
#include "checkrun.h"
#include "checkworld.h"

static const char ag_test_config[] = "OutboundAddresses 192.0.2.10\n";

static const char ag_test_table[] =
    "example.com send-domain=bounce.example.com selectors=s1\n"
    "other.example.com send-domain=bounce.elsewhere.org selectors=s1\n"
    "any.example.com send-domain=bounce.any.example.com selectors=s1,s2 "
    "dkim=any\n"
    "bare.example.net\n"
    "strict.example.org send-domain=bounce.strict.example.org selectors=s1\n"
    "monitor.example.com send-domain=bounce.monitor.example.com "
    "selectors=s1 mode=monitor\n"
    "parent.example subdomains=yes\n";

/* setup - the world every test reads */
static int setup(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();

	ag_check_world_complete(world, "example.com");
	ag_check_world_complete(world, "other.example.com");
	ag_check_world_complete(world, "any.example.com");
	ag_check_world_dkim(world, "s1", "strict.example.org",
	                    ag_test_rsa2048_p);
	ag_check_world_txt(world, "_dmarc.strict.example.org",
	                   "v=DMARC1; p=reject; aspf=s");
	ag_check_world_txt(world, "_dmarc.bare.example.net",
	                   "v=DMARC1; p=quarantine");
	ag_check_world_load(world, ag_test_config, ag_test_table);
	*state = world;
	return 0;
}

/* teardown - remove the world */
static int teardown(void **state)
{
	ag_check_world_end(*state);
	return 0;
}

/* ag_test_mark - the mark of a line that must be there */
static ag_check_mark_t ag_test_mark(const ag_check_report_t *report,
                                    const char *name)
{
	const ag_check_line_t *line = ag_check_world_line(report, name);

	if (line == NULL)
		fail_msg("no line %s", name);
	return line->mark;
}

/* A complete domain passes every check, in the kinds' order. */
static void test_pass(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r = ag_check_domain(&world->ctx, "example.com");
	static const char *const names[] = {"table",
	                                    "align",
	                                    "send-domain",
	                                    "dkim:s1",
	                                    "spf:bounce.example.com",
	                                    "mx:bounce.example.com",
	                                    "dmarc:example.com",
	                                    "dmarc-result"};

	assert_non_null(r);
	assert_int_equal(r->status, AG_STATUS_PASS);
	assert_int_equal(r->verdict.reasons, 0);
	assert_string_equal(r->mailfrom, "bounce.example.com");
	assert_string_equal(r->dmarc, "pass");
	assert_int_equal(r->count, sizeof(names) / sizeof(names[0]));
	for (size_t i = 0; i < r->count; i++) {
		assert_string_equal(r->lines[i].name, names[i]);
		assert_int_equal(r->lines[i].mark, AG_MARK_PASS);
		assert_int_equal(r->lines[i].reason, AG_R_COUNT);
		assert_null(r->lines[i].fix);
	}
	assert_string_equal(r->lines[3].target, "s1._domainkey.example.com");
	assert_string_equal(r->lines[0].found, "line 1");
	ag_check_report_free(r);
}

/* A domain not in the table: one failed line, OnUnverified's action. */
static void test_unverified(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r = ag_check_domain(&world->ctx, "nope.example.com");

	assert_int_equal(r->status, AG_STATUS_FAIL);
	assert_null(r->entry);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->lines[0].mark, AG_MARK_FAIL);
	assert_int_equal(r->lines[0].reason, AG_R_FROM_UNVERIFIED);
	assert_non_null(r->lines[0].fix);
	assert_int_equal(r->verdict.reasons,
	                 AG_REASON_BIT(AG_R_FROM_UNVERIFIED));
	assert_int_equal(r->verdict.action, AG_ACT_REJECT);
	ag_check_report_free(r);
}

/* A sub-domain verified by its parent's subdomains=yes. */
static void test_subdomain(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r =
	    ag_check_domain(&world->ctx, "news.parent.example");

	assert_non_null(r->entry);
	assert_string_equal(r->entry->domain, "parent.example");
	assert_non_null(strstr(r->lines[0].found, "subdomains=yes"));
	assert_int_equal(ag_test_mark(r, "table"), AG_MARK_PASS);
	ag_check_report_free(r);
}

/* A send domain under another organisation: mailfrom.unaligned only. */
static void test_unaligned(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r =
	    ag_check_domain(&world->ctx, "other.example.com");
	const ag_check_line_t *align = ag_check_world_line(r, "align");

	assert_int_equal(r->status, AG_STATUS_FAIL);
	assert_int_equal(r->verdict.reasons,
	                 AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED));
	assert_int_equal(align->mark, AG_MARK_FAIL);
	assert_int_equal(align->reason, AG_R_MAILFROM_UNALIGNED);
	assert_non_null(strstr(align->found, "not aligned"));
	/* DNS facts were not judged: their failures show as failures */
	assert_int_equal(ag_test_mark(r, "spf:bounce.elsewhere.org"),
	                 AG_MARK_FAIL);
	assert_null(ag_check_world_line(r, "dmarc-result"));
	ag_check_report_free(r);
}

/* A return-path outside send-domain=, still aligned. */
static void test_not_send_domain(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_ctx_t ctx = world->ctx;
	ag_check_report_t *r;

	ctx.mailfrom = "mail.example.com";
	r = ag_check_domain(&ctx, "example.com");
	assert_int_equal(r->verdict.reasons,
	                 AG_REASON_BIT(AG_R_MAILFROM_NOT_SEND_DOMAIN));
	assert_int_equal(ag_test_mark(r, "align"), AG_MARK_PASS);
	assert_int_equal(ag_test_mark(r, "send-domain"), AG_MARK_FAIL);
	assert_string_equal(r->mailfrom, "mail.example.com");
	ag_check_report_free(r);
}

/* dkim=any: a missing second selector is a warning, the domain passes. */
static void test_dkim_any(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r = ag_check_domain(&world->ctx, "any.example.com");
	const ag_check_line_t *s2 = ag_check_world_line(r, "dkim:s2");

	assert_int_equal(r->status, AG_STATUS_PASS);
	assert_int_equal(s2->mark, AG_MARK_WARN);
	assert_int_equal(s2->reason, AG_R_DKIM_KEY_MISSING);
	assert_non_null(s2->fix);
	assert_int_equal(ag_test_mark(r, "dkim:s1"), AG_MARK_PASS);
	ag_check_report_free(r);
}

/* No key, no send domain: DMARC will fail; a warning unless required. */
static void test_dmarc_prediction(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r = ag_check_domain(&world->ctx, "bare.example.net");
	const ag_check_line_t *line = ag_check_world_line(r, "dmarc-result");

	assert_int_equal(r->status, AG_STATUS_PASS);
	assert_string_equal(r->dmarc, "fail policy=quarantine");
	assert_int_equal(line->mark, AG_MARK_WARN);
	assert_int_equal(line->reason, AG_R_DMARC_FAIL);
	ag_check_report_free(r);
}

/* With RequireDMARCPass the predicted failure counts. */
static void test_dmarc_required(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();
	ag_check_report_t *r;

	(void)state;
	ag_check_world_txt(world, "_dmarc.bare.example.net",
	                   "v=DMARC1; p=reject");
	ag_check_world_load(world, "RequireDMARCPass yes\nOnDMARC quarantine\n",
	                    "bare.example.net\n");
	r = ag_check_domain(&world->ctx, "bare.example.net");
	assert_int_equal(r->status, AG_STATUS_FAIL);
	assert_int_equal(r->verdict.reasons, AG_REASON_BIT(AG_R_DMARC_FAIL));
	assert_int_equal(r->verdict.action, AG_ACT_QUARANTINE);
	assert_int_equal(ag_test_mark(r, "dmarc-result"), AG_MARK_FAIL);
	ag_check_report_free(r);
	ag_check_world_end(world);
}

/* aspf=s in the published record makes alignment strict. */
static void test_aspf_strict(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r =
	    ag_check_domain(&world->ctx, "strict.example.org");
	const ag_check_line_t *align = ag_check_world_line(r, "align");

	assert_true(r->verdict.reasons &
	            AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED));
	assert_int_equal(align->mark, AG_MARK_FAIL);
	assert_non_null(strstr(align->found, "aspf=s"));
	assert_non_null(strstr(align->found, "strict"));
	ag_check_report_free(r);
}

/* DNS trouble everywhere: no verdict, every DNS line a temperror. */
static void test_temperror(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();
	ag_check_report_t *r;
	size_t dns_lines = 0;

	(void)state;
	ag_dnsmem_set_status(world->mem, "s1._domainkey.down.example",
	                     AG_DNSMEM_ANY, AG_DNS_TEMPFAIL);
	ag_dnsmem_set_status(world->mem, "_dmarc.down.example", AG_DNSMEM_ANY,
	                     AG_DNS_TEMPFAIL);
	ag_check_world_load(world, "", "down.example selectors=s1\n");
	r = ag_check_domain(&world->ctx, "down.example");
	assert_int_equal(r->status, AG_STATUS_TEMPERROR);
	assert_int_equal(r->verdict.reasons, AG_REASON_BIT(AG_R_DNS_TEMPERROR));
	assert_int_equal(r->verdict.action, AG_ACT_TEMPFAIL);
	for (size_t i = 0; i < r->count; i++) {
		if (r->lines[i].kind == AG_CHECK_LOCAL)
			continue;
		dns_lines++;
		assert_int_equal(r->lines[i].mark, AG_MARK_TEMPERROR);
		assert_int_equal(r->lines[i].reason, AG_R_DNS_TEMPERROR);
	}
	assert_int_equal(dns_lines, 2);
	ag_check_report_free(r);
	ag_check_world_end(world);
}

/* A check that does not answer before the wait ends. */
static void test_no_answer_in_time(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();
	ag_check_report_t *r;
	const ag_check_line_t *line;

	(void)state;
	ag_check_world_load(world, "", "slow.example selectors=s1\n");
	ag_dnsmem_set_delay(world->mem, 400);
	world->ctx.wait_ms = 50;
	r = ag_check_domain(&world->ctx, "slow.example");
	line = ag_check_world_line(r, "dkim:s1");
	assert_int_equal(line->mark, AG_MARK_TEMPERROR);
	assert_string_equal(line->found, "no answer within 50 ms");
	assert_int_equal(r->status, AG_STATUS_TEMPERROR);
	ag_check_report_free(r);
	ag_check_world_end(world);
}

/* mode=monitor: tag, and what enforce would do. */
static void test_monitor(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_report_t *r =
	    ag_check_domain(&world->ctx, "monitor.example.com");

	assert_int_equal(r->status, AG_STATUS_FAIL);
	assert_int_equal(r->verdict.action, AG_ACT_TAG);
	assert_int_equal(r->verdict.intended, AG_ACT_REJECT);
	assert_int_equal(r->verdict.mode, AG_MODE_MONITOR);
	ag_check_report_free(r);
}

/* What the pool test's emit callback records. */
typedef struct ag_test_seen {
	size_t count;
	const char *order[64];
	size_t pass, fail;
} ag_test_seen_t;

static void ag_test_emit(void *arg, const ag_check_report_t *report)
{
	ag_test_seen_t *seen = arg;
	static const char *const names[] = {"example.com", "nope.example.com",
	                                    "any.example.com",
	                                    "other.example.com"};

	for (size_t i = 0; i < 4; i++)
		if (strcmp(report->domain, names[i]) == 0)
			seen->order[seen->count] = names[i];
	seen->count++;
	if (report->status == AG_STATUS_PASS)
		seen->pass++;
	else
		seen->fail++;
}

/* Many domains, few workers, a small window: emitted in order. */
static void test_pool_order(void **state)
{
	ag_check_world_t *world = *state;
	const char *domains[48];
	ag_test_seen_t seen = {0};
	ag_check_pool_opts_t opts = {
	    .jobs = 3, .window = 2, .emit = ag_test_emit, .arg = &seen};

	for (size_t i = 0; i < 48; i++)
		domains[i] = i % 4 == 0   ? "example.com"
		             : i % 4 == 1 ? "nope.example.com"
		             : i % 4 == 2 ? "any.example.com"
		                          : "other.example.com";
	assert_int_equal(ag_check_pool_run(&world->ctx, domains, 48, &opts), 0);
	assert_int_equal(seen.count, 48);
	for (size_t i = 0; i < 48; i++)
		assert_string_equal(seen.order[i], domains[i]);
	assert_int_equal(seen.pass, 24);
	assert_int_equal(seen.fail, 24);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(ag_check_pool_run(&world->ctx, domains, 0, &opts), 0);
	assert_int_equal(seen.count, 0);
}

/* ag_test_progress - count the calls, check their arguments */
static void ag_test_progress(void *arg, size_t done, size_t total)
{
	size_t *calls = arg;

	assert_true(done <= total);
	assert_int_equal(total, 20);
	calls[0]++;
	assert_true(done >= calls[1]);
	calls[1] = done;
}

/* ag_test_count_emit - count the reports */
static void ag_test_count_emit(void *arg, const ag_check_report_t *report)
{
	(void)arg;
	assert_int_equal(report->status, AG_STATUS_FAIL);
}

/* A slow run reports its progress a few times a second. */
static void test_pool_progress(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();
	char table[1024] = "", names[20][32];
	const char *domains[20];
	size_t calls[2] = {0, 0};
	ag_check_pool_opts_t opts = {.jobs = 2,
	                             .emit = ag_test_count_emit,
	                             .progress = ag_test_progress,
	                             .arg = calls};

	(void)state;
	for (int i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "d%d.example", i);
		domains[i] = names[i];
		snprintf(table + strlen(table), sizeof(table) - strlen(table),
		         "%s selectors=s1\n", names[i]);
	}
	ag_check_world_load(world, "", table);
	ag_dnsmem_set_delay(world->mem, 40);
	assert_int_equal(ag_check_pool_run(&world->ctx, domains, 20, &opts), 0);
	assert_true(calls[0] >= 2);
	ag_check_world_end(world);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pass),
	    cmocka_unit_test(test_unverified),
	    cmocka_unit_test(test_subdomain),
	    cmocka_unit_test(test_unaligned),
	    cmocka_unit_test(test_not_send_domain),
	    cmocka_unit_test(test_dkim_any),
	    cmocka_unit_test(test_dmarc_prediction),
	    cmocka_unit_test(test_dmarc_required),
	    cmocka_unit_test(test_aspf_strict),
	    cmocka_unit_test(test_temperror),
	    cmocka_unit_test(test_no_answer_in_time),
	    cmocka_unit_test(test_monitor),
	    cmocka_unit_test(test_pool_order),
	    cmocka_unit_test(test_pool_progress),
	};

	return cmocka_run_group_tests_name("checkrun", tests, setup, teardown);
}
