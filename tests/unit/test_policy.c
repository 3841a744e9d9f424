/*
 * test_policy.c - the verdict function, case by case: each row is the facts
 * of one message and the verdict expected under a fixed table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy.h"

#define BIT(r) AG_REASON_BIT(AG_R_##r)

static const char ag_test_table[] =
	"example.com send-domain=bounce.example.com accounts=shop,api\n"
	"shop.example.org subdomains=yes addresses=info,news* reply-to=required\n"
	"strict.example.net alignment=strict\n"
	"tagged.example.net action=tag\n"
	"monitored.example.net mode=monitor\n"
	"enforced.example.net mode=enforce\n"
	"example.co.uk\n"
	"dkim.example.com selectors=s1,s2\n"
	"anydkim.example.com selectors=s1,s2 dkim=any\n";

typedef struct ag_world {
	ag_config_t *config;
	ag_domains_t *domains;
	ag_psl_t *psl;
	char path[64];
} ag_world_t;

static int setup(void **state)
{
	ag_world_t *world = calloc(1, sizeof(*world));
	char err[256];
	ag_diag_t diag;
	FILE *fp;
	int fd;

	strcpy(world->path, "/tmp/ag-policy-XXXXXX");
	fd = mkstemp(world->path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(ag_test_table, fp);
	fclose(fp);
	ag_diag_init(&diag);
	world->domains = ag_domains_load(world->path, &diag);
	for (size_t i = 0; i < diag.count; i++)
		fprintf(stderr, "%s\n", diag.messages[i]);
	ag_diag_clear(&diag);
	assert_non_null(world->domains);
	world->config = ag_config_defaults();
	assert_non_null(world->config);
	world->psl = ag_psl_load(NULL, err, sizeof(err));
	assert_non_null(world->psl);
	*state = world;
	return 0;
}

static int teardown(void **state)
{
	ag_world_t *world = *state;

	unlink(world->path);
	ag_domains_free(world->domains);
	ag_config_free(world->config);
	ag_psl_free(world->psl);
	free(world);
	return 0;
}

typedef struct ag_case {
	const char *name;
	ag_reasons_t structure;
	const char *local, *domain;
	ag_envfrom_status_t envfrom;
	const char *mailfrom;
	const char *login;
	int reply_to;
	ag_reasons_t want_reasons;
	ag_action_t want_action;
	ag_action_t want_intended;
} ag_case_t;

#define OK AG_ENVFROM_OK
#define NUL AG_ENVFROM_NULL
#define BAD AG_ENVFROM_INVALID
#define ACCEPT AG_ACT_ACCEPT
#define TAG AG_ACT_TAG
#define REJECT AG_ACT_REJECT
#define TEMPFAIL AG_ACT_TEMPFAIL

static const ag_case_t ag_cases[] = {
	{"verified, aligned, send domain, allowed login", 0, "a", "example.com",
	 OK, "bounce.example.com", "shop", 0, 0, ACCEPT, ACCEPT},
	{"send domain sub-domain counts", 0, "a", "example.com", OK,
	 "x.bounce.example.com", "api", 0, 0, ACCEPT, ACCEPT},
	{"missing From", BIT(FROM_MISSING), NULL, NULL, OK, "example.com",
	 "shop", 0, BIT(FROM_MISSING), REJECT, REJECT},
	{"two From fields", BIT(FROM_MULTIPLE), NULL, NULL, OK, "example.com",
	 "shop", 0, BIT(FROM_MULTIPLE), REJECT, REJECT},
	{"invalid From", BIT(FROM_INVALID), NULL, NULL, OK, "example.com",
	 "shop", 0, BIT(FROM_INVALID), REJECT, REJECT},
	{"unverified domain", 0, "a", "evil.example", OK, "evil.example", NULL,
	 0, BIT(FROM_UNVERIFIED), REJECT, REJECT},
	{"wrong login", 0, "a", "example.com", OK, "bounce.example.com",
	 "intruder", 0, BIT(FROM_NOT_AUTHORIZED), REJECT, REJECT},
	{"no login where accounts= is set", 0, "a", "example.com", OK,
	 "bounce.example.com", NULL, 0, BIT(FROM_NOT_AUTHORIZED), REJECT, REJECT},
	{"aligned but not the send domain", 0, "a", "example.com", OK,
	 "mail.example.com", "shop", 0, BIT(MAILFROM_NOT_SEND_DOMAIN), REJECT,
	 REJECT},
	{"misaligned return-path", 0, "a", "example.com", OK, "other.example",
	 "shop", 0, BIT(MAILFROM_UNALIGNED) | BIT(MAILFROM_NOT_SEND_DOMAIN),
	 REJECT, REJECT},
	{"null sender accepted by default", 0, "a", "example.com", NUL, NULL,
	 "shop", 0, 0, ACCEPT, ACCEPT},
	{"unparseable envelope sender", 0, "a", "example.com", BAD, NULL,
	 "shop", 0, BIT(MAILFROM_UNALIGNED), REJECT, REJECT},
	{"address allowed by pattern", 0, "newsletter", "shop.example.org", OK,
	 "bounce.shop.example.org", NULL, 1, 0, ACCEPT, ACCEPT},
	{"address not listed", 0, "ceo", "shop.example.org", OK,
	 "shop.example.org", NULL, 1, BIT(FROM_UNVERIFIED), REJECT, REJECT},
	{"sub-domain verified by subdomains=yes", 0, "info",
	 "eu.shop.example.org", OK, "shop.example.org", NULL, 1, 0, ACCEPT,
	 ACCEPT},
	{"reply-to required and missing", 0, "info", "shop.example.org", OK,
	 "shop.example.org", NULL, 0, BIT(REPLYTO_MISSING), REJECT, REJECT},
	{"strict alignment refuses a sub-domain", 0, "a", "strict.example.net",
	 OK, "bounce.strict.example.net", NULL, 0, BIT(MAILFROM_UNALIGNED),
	 REJECT, REJECT},
	{"strict alignment accepts the same name", 0, "a", "strict.example.net",
	 OK, "strict.example.net", NULL, 0, 0, ACCEPT, ACCEPT},
	{"action=tag overrides reject", 0, "a", "tagged.example.net", OK,
	 "elsewhere.example", NULL, 0, BIT(MAILFROM_UNALIGNED), TAG, TAG},
	{"mode=monitor tags what it would reject", 0, "a",
	 "monitored.example.net", OK, "elsewhere.example", NULL, 0,
	 BIT(MAILFROM_UNALIGNED), TAG, REJECT},
	{"relaxed alignment under a public suffix", 0, "a", "example.co.uk",
	 OK, "bounce.example.co.uk", NULL, 0, 0, ACCEPT, ACCEPT},
	{"two registrable domains under co.uk are not aligned", 0, "a",
	 "example.co.uk", OK, "other.co.uk", NULL, 0, BIT(MAILFROM_UNALIGNED),
	 REJECT, REJECT},
};

static void run_case(ag_world_t *world, const ag_case_t *c,
		     const ag_dns_facts_t *dns, ag_verdict_t *verdict)
{
	ag_message_facts_t message = {
		.from_structure = c->structure,
		.from_local = c->local,
		.from_domain = c->domain,
		.envfrom = c->envfrom,
		.mailfrom_domain = c->mailfrom,
		.login = c->login,
		.has_reply_to = c->reply_to,
	};
	ag_policy_input_t input = {world->config, world->domains, world->psl,
				   &message, dns};

	*verdict = ag_policy_decide(&input);
}

static void test_cases(void **state)
{
	ag_world_t *world = *state;

	for (size_t i = 0; i < sizeof(ag_cases) / sizeof(ag_cases[0]); i++) {
		const ag_case_t *c = &ag_cases[i];
		ag_verdict_t v;
		char got[256], want[256];

		run_case(world, c, NULL, &v);
		ag_reasons_format(v.reasons, ',', got, sizeof(got));
		ag_reasons_format(c->want_reasons, ',', want, sizeof(want));
		if (v.reasons != c->want_reasons || v.action != c->want_action ||
		    v.intended != c->want_intended)
			fail_msg("%s: got %s/%s [%s], want %s/%s [%s]", c->name,
				 ag_action_name(v.action), ag_action_name(v.intended),
				 got, ag_action_name(c->want_action),
				 ag_action_name(c->want_intended), want);
		assert_true(v.checked);
	}
}

static void test_global_monitor_mode_never_refuses(void **state)
{
	ag_world_t *world = *state;
	ag_verdict_t v;

	world->config->mode = AG_MODE_MONITOR;
	run_case(world, &ag_cases[5], NULL, &v);
	world->config->mode = AG_MODE_ENFORCE;
	assert_int_equal(v.action, AG_ACT_TAG);
	assert_int_equal(v.intended, AG_ACT_REJECT);
	assert_int_equal(v.mode, AG_MODE_MONITOR);
}

static void test_domain_mode_enforce_beats_global_monitor(void **state)
{
	ag_world_t *world = *state;
	ag_case_t c = {"", 0, "a", "enforced.example.net", OK, "x.example",
		       NULL, 0, 0, 0, 0};
	ag_verdict_t v;

	world->config->mode = AG_MODE_MONITOR;
	run_case(world, &c, NULL, &v);
	world->config->mode = AG_MODE_ENFORCE;
	assert_int_equal(v.action, AG_ACT_REJECT);
	assert_int_equal(v.mode, AG_MODE_ENFORCE);
}

static void test_configured_actions_apply(void **state)
{
	ag_world_t *world = *state;
	ag_verdict_t v;

	world->config->on_misaligned = AG_ACT_QUARANTINE;
	run_case(world, &ag_cases[9], NULL, &v);
	world->config->on_misaligned = AG_ACT_REJECT;
	assert_int_equal(v.action, AG_ACT_QUARANTINE);

	world->config->on_unverified = AG_ACT_TEMPFAIL;
	run_case(world, &ag_cases[5], NULL, &v);
	world->config->on_unverified = AG_ACT_REJECT;
	assert_int_equal(v.action, AG_ACT_TEMPFAIL);
}

static void test_null_sender_check(void **state)
{
	ag_world_t *world = *state;
	ag_verdict_t v;

	world->config->null_sender_check = 1;
	run_case(world, &ag_cases[10], NULL, &v);
	world->config->null_sender_check = 0;
	assert_int_equal(v.reasons, BIT(MAILFROM_UNALIGNED));
}

static void test_apply_to_authenticated_exempts_others(void **state)
{
	ag_world_t *world = *state;
	ag_verdict_t v;

	world->config->apply_to_authenticated = 1;
	run_case(world, &ag_cases[5], NULL, &v);
	assert_false(v.checked);
	assert_int_equal(v.action, AG_ACT_ACCEPT);
	assert_int_equal(v.reasons, 0);
	run_case(world, &ag_cases[6], NULL, &v);
	world->config->apply_to_authenticated = 0;
	assert_true(v.checked);
	assert_int_equal(v.reasons, BIT(FROM_NOT_AUTHORIZED));
}

static ag_dns_facts_t dkim_facts(ag_check_state_t s1, ag_reason_t r1,
				 ag_check_state_t s2, ag_reason_t r2, int any)
{
	ag_dns_facts_t dns;

	memset(&dns, 0, sizeof(dns));
	dns.count = 2;
	dns.dkim_any = any;
	dns.checks[0] = (ag_check_fact_t){.kind = AG_CHECK_DKIM_KEY,
					  .state = s1, .reason = r1};
	dns.checks[1] = (ag_check_fact_t){.kind = AG_CHECK_DKIM_KEY,
					  .state = s2, .reason = r2};
	return dns;
}

static void test_dns_facts(void **state)
{
	ag_world_t *world = *state;
	ag_case_t c = {"", 0, "a", "dkim.example.com", OK,
		       "bounce.dkim.example.com", NULL, 0, 0, 0, 0};
	ag_message_facts_t message = {.from_local = "a",
				      .from_domain = "dkim.example.com",
				      .envfrom = OK,
				      .mailfrom_domain = "b.dkim.example.com"};
	ag_policy_input_t input = {world->config, world->domains, world->psl,
				   &message, NULL};
	ag_dns_facts_t dns;
	ag_verdict_t v;

	assert_true(ag_policy_decide(&input).needs_dns);
	dns = dkim_facts(AG_CHECK_PASS, 0, AG_CHECK_PASS, 0, 0);
	run_case(world, &c, &dns, &v);
	assert_int_equal(v.reasons, 0);

	dns = dkim_facts(AG_CHECK_PASS, 0, AG_CHECK_FAIL, AG_R_DKIM_KEY_REVOKED, 0);
	run_case(world, &c, &dns, &v);
	assert_int_equal(v.reasons, BIT(DKIM_KEY_REVOKED));
	assert_int_equal(v.action, AG_ACT_REJECT);

	dns = dkim_facts(AG_CHECK_TEMPERROR, 0, AG_CHECK_PASS, 0, 0);
	run_case(world, &c, &dns, &v);
	assert_int_equal(v.reasons, BIT(DNS_TEMPERROR));
	assert_int_equal(v.action, AG_ACT_TEMPFAIL);

	dns = dkim_facts(AG_CHECK_PENDING, 0, AG_CHECK_PASS, 0, 0);
	run_case(world, &c, &dns, &v);
	assert_int_equal(v.reasons, BIT(DNS_TEMPERROR));

	c.domain = message.from_domain = "anydkim.example.com";
	c.mailfrom = "anydkim.example.com";
	dns = dkim_facts(AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING, AG_CHECK_PASS, 0, 1);
	run_case(world, &c, &dns, &v);
	assert_int_equal(v.reasons, 0);
	dns = dkim_facts(AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING, AG_CHECK_FAIL,
			 AG_R_DKIM_KEY_WEAK, 1);
	run_case(world, &c, &dns, &v);
	assert_int_equal(v.reasons, BIT(DKIM_KEY_MISSING) | BIT(DKIM_KEY_WEAK));
}

static void test_local_failure_is_not_turned_into_tempfail(void **state)
{
	ag_world_t *world = *state;
	ag_case_t c = {"", 0, "a", "dkim.example.com", OK, "elsewhere.example",
		       NULL, 0, 0, 0, 0};
	ag_message_facts_t message = {.from_local = "a",
				      .from_domain = "dkim.example.com",
				      .envfrom = OK,
				      .mailfrom_domain = "elsewhere.example"};
	ag_policy_input_t input = {world->config, world->domains, world->psl,
				   &message, NULL};
	ag_dns_facts_t dns = dkim_facts(AG_CHECK_TEMPERROR, 0,
					AG_CHECK_TEMPERROR, 0, 0);
	ag_verdict_t v;

	assert_false(ag_policy_decide(&input).needs_dns);
	world->config->on_misaligned = AG_ACT_TAG;
	run_case(world, &c, &dns, &v);
	world->config->on_misaligned = AG_ACT_REJECT;
	assert_int_equal(v.reasons, BIT(MAILFROM_UNALIGNED));
	assert_int_equal(v.action, AG_ACT_TAG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_global_monitor_mode_never_refuses),
		cmocka_unit_test(test_domain_mode_enforce_beats_global_monitor),
		cmocka_unit_test(test_configured_actions_apply),
		cmocka_unit_test(test_null_sender_check),
		cmocka_unit_test(test_apply_to_authenticated_exempts_others),
		cmocka_unit_test(test_dns_facts),
		cmocka_unit_test(test_local_failure_is_not_turned_into_tempfail),
	};
	return cmocka_run_group_tests_name("policy", tests, setup, teardown);
}
