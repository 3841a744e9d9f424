/*
 * test_checkout.c - alignguard-check's output: JSON string escaping (RFC
 * 8259, invalid UTF-8), a report as JSON and as a zone-file fragment
 * (control characters from DNS made harmless), and the Nagios state,
 * status line and long output for tallies of passing, failing (tag vs
 * reject, domain action=, monitor mode) and DNS-troubled domains.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkfix.h"
#include "checkout.h"

static ag_domain_entry_t ag_test_entry = {
    .domain = "example.com", .line = 3, .send_domain = "bounce.example.com"};
static ag_domain_entry_t ag_test_tag_entry = {.domain = "tagged.example",
                                              .line = 4,
                                              .has_action = 1,
                                              .action = AG_ACT_TAG};

/* Escaping: quotes, backslashes, controls, UTF-8 kept, bad octets. */
static void test_json_string(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", "\"\""},
	    {"plain text", "\"plain text\""},
	    {"say \"hi\"", "\"say \\\"hi\\\"\""},
	    {"back\\slash", "\"back\\\\slash\""},
	    {"line\nfeed\r\ttab", "\"line\\nfeed\\r\\ttab\""},
	    {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
	    {"caf\xc3\xa9", "\"caf\xc3\xa9\""},
	    {"\xe2\x82\xac 5", "\"\xe2\x82\xac 5\""},
	    {"bad \xff octet", "\"bad \\ufffd octet\""},
	    {"cut \xe2\x82", "\"cut \\ufffd\\ufffd\""},
	    {"overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\""},
	    {"</script>", "\"</script>\""},
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = ag_check_json_string(cases[i].in, buf, sizeof(buf));

		assert_string_equal(buf, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
	}
	/* a short buffer: cut, NUL-terminated, the full length returned */
	assert_int_equal(ag_check_json_string("abcdef", buf, 4), 8);
	assert_string_equal(buf, "\"ab");
}

/* ag_test_report - a report: one pass line, one failure with a fix */
static ag_check_report_t *ag_test_report(void)
{
	ag_check_report_t *r = calloc(1, sizeof(*r));
	ag_check_fix_t *fix = calloc(1, sizeof(*fix));

	assert_non_null(r);
	assert_non_null(fix);
	strcpy(r->domain, "example.com");
	strcpy(r->mailfrom, "bounce.example.com");
	r->entry = &ag_test_entry;
	r->status = AG_STATUS_FAIL;
	r->verdict.checked = 1;
	r->verdict.action = r->verdict.intended = AG_ACT_REJECT;
	r->verdict.reasons = AG_REASON_BIT(AG_R_DKIM_KEY_MISSING);
	strcpy(r->dmarc, "pass");
	r->count = 2;
	strcpy(r->lines[0].name, "table");
	r->lines[0].kind = AG_CHECK_LOCAL;
	r->lines[0].reason = AG_R_COUNT;
	strcpy(r->lines[0].found, "line 3");
	strcpy(r->lines[1].name, "dkim:s1");
	strcpy(r->lines[1].target, "s1._domainkey.example.com");
	r->lines[1].kind = AG_CHECK_DKIM_KEY;
	r->lines[1].mark = AG_MARK_FAIL;
	r->lines[1].reason = AG_R_DKIM_KEY_MISSING;
	strcpy(r->lines[1].found, "no such\r\nname");
	strcpy(fix->text, "publish \"it\"");
	fix->records[0] =
	    strdup("s1._domainkey.example.com. IN TXT \"v=DKIM1\"");
	fix->nrecords = 1;
	r->lines[1].fix = fix;
	return r;
}

/* ag_test_capture - what a print function wrote */
static char *ag_test_capture(void (*print)(FILE *, const ag_check_report_t *),
                             const ag_check_report_t *report)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	assert_non_null(fp);
	print(fp, report);
	assert_int_equal(fclose(fp), 0);
	return text;
}

static void test_json_report(void **state)
{
	ag_check_report_t *r = ag_test_report();
	char *text = ag_test_capture(ag_check_print_json, r);

	(void)state;
	assert_string_equal(
	    text,
	    "{\"domain\":\"example.com\",\"status\":\"fail\","
	    "\"mailfrom\":\"bounce.example.com\",\"entry\":{\"domain\":"
	    "\"example.com\",\"line\":3,\"send_domain\":\"bounce.example.com\"}"
	    ","
	    "\"verdict\":{\"checked\":true,\"action\":\"reject\",\"intended\":"
	    "\"reject\",\"mode\":\"enforce\",\"reasons\":[\"dkim.key-missing\"]"
	    "},"
	    "\"dmarc\":\"pass\",\"checks\":[{\"name\":\"table\",\"target\":"
	    "null,"
	    "\"state\":\"pass\",\"reason\":null,\"found\":\"line "
	    "3\",\"fix\":null},"
	    "{\"name\":\"dkim:s1\",\"target\":\"s1._domainkey.example.com\","
	    "\"state\":\"fail\",\"reason\":\"dkim.key-missing\",\"found\":"
	    "\"no such\\r\\nname\",\"fix\":{\"text\":\"publish \\\"it\\\"\","
	    "\"table\":null,\"records\":[\"s1._domainkey.example.com. IN TXT "
	    "\\\"v=DKIM1\\\"\"]}}]}\n");
	free(text);
	ag_check_report_free(r);
}

static void test_human_report(void **state)
{
	ag_check_report_t *r = ag_test_report();
	char *text;

	(void)state;
	strcpy(r->lines[1].fix->table, "example.com selectors=s1");
	text = ag_test_capture(ag_check_print_human, r);
	assert_string_equal(
	    text, "; example.com: FAIL - reject: dkim.key-missing; DMARC pass\n"
	          ";   pass       table         line 3\n"
	          ";   FAIL       dkim:s1       dkim.key-missing  "
	          "s1._domainkey.example.com: no such??name\n"
	          ";              fix: publish \"it\"\n"
	          ";              table: example.com selectors=s1\n"
	          "s1._domainkey.example.com. IN TXT \"v=DKIM1\"\n");
	free(text);
	r->verdict.action = AG_ACT_TAG;
	r->verdict.mode = AG_MODE_MONITOR;
	text = ag_test_capture(ag_check_print_human, r);
	assert_non_null(strstr(text, "FAIL - tag (monitor; enforce: reject): "
	                             "dkim.key-missing"));
	free(text);
	ag_check_report_free(r);
}

/* ag_test_tally - count a synthetic report */
static void ag_test_tally(ag_check_tally_t *tally, const ag_config_t *config,
                          const char *domain, const ag_domain_entry_t *entry,
                          ag_reasons_t reasons)
{
	ag_check_report_t r = {.entry = entry};

	snprintf(r.domain, sizeof(r.domain), "%s", domain);
	r.verdict.checked = 1;
	r.verdict.reasons = reasons;
	r.verdict.action = r.verdict.intended = AG_ACT_REJECT;
	r.status = reasons == 0 ? AG_STATUS_PASS
	           : reasons == AG_REASON_BIT(AG_R_DNS_TEMPERROR)
	               ? AG_STATUS_TEMPERROR
	               : AG_STATUS_FAIL;
	ag_check_tally_add(tally, config, &r);
}

#define MISSING AG_REASON_BIT(AG_R_DKIM_KEY_MISSING)
#define DMARC   AG_REASON_BIT(AG_R_DMARC_MISSING)
#define DNS     AG_REASON_BIT(AG_R_DNS_TEMPERROR)

typedef struct ag_nagios_case {
	const char *domains[8];
	ag_reasons_t reasons[8];
	int tagged; /* the first domain has action=tag */
	ag_nagios_state_t state;
	const char *line;
} ag_nagios_case_t;

static const ag_nagios_case_t ag_nagios_cases[] = {
    {{NULL},
     {0},
     0,
     AG_NAGIOS_UNKNOWN,
     "ALIGNGUARD UNKNOWN - no domains to check | domains=0;; failing=0;; "
     "dns_errors=0;;"},
    {{"a.example", "b.example", NULL},
     {0, 0},
     0,
     AG_NAGIOS_OK,
     "ALIGNGUARD OK - 2 domains pass | domains=2;; failing=0;; "
     "dns_errors=0;;"},
    {{"a.example", NULL},
     {0},
     0,
     AG_NAGIOS_OK,
     "ALIGNGUARD OK - 1 domain pass | domains=1;; failing=0;; "
     "dns_errors=0;;"},
    {{"a.example", "b.example", NULL},
     {0, DMARC},
     0,
     AG_NAGIOS_WARNING,
     "ALIGNGUARD WARNING - 1 of 2 domains failing: b.example | domains=2;; "
     "failing=1;; dns_errors=0;;"},
    {{"t.example", NULL},
     {MISSING},
     1,
     AG_NAGIOS_WARNING,
     "ALIGNGUARD WARNING - 1 of 1 domains failing: t.example | domains=1;; "
     "failing=1;; dns_errors=0;;"},
    {{"a.example", "b.example", NULL},
     {DMARC, MISSING},
     0,
     AG_NAGIOS_CRITICAL,
     "ALIGNGUARD CRITICAL - 2 of 2 domains failing: a.example, b.example | "
     "domains=2;; failing=2;; dns_errors=0;;"},
    {{"c.example", NULL},
     {DNS},
     0,
     AG_NAGIOS_UNKNOWN,
     "ALIGNGUARD UNKNOWN - 0 of 1 domains failing, 1 without verdict (DNS "
     "trouble): c.example | domains=1;; failing=0;; dns_errors=1;;"},
    {{"c.example", "d.example", NULL},
     {DNS, MISSING | DNS},
     0,
     AG_NAGIOS_CRITICAL,
     "ALIGNGUARD CRITICAL - 1 of 2 domains failing, 1 without verdict (DNS "
     "trouble): c.example, d.example | domains=2;; failing=1;; "
     "dns_errors=2;;"},
    {{"a.example", "b.example", "c.example", "d.example", "e.example",
      "f.example", "g.example", NULL},
     {DMARC, DMARC, DMARC, DMARC, DMARC, DMARC, 0},
     0,
     AG_NAGIOS_WARNING,
     "ALIGNGUARD WARNING - 6 of 7 domains failing: a.example, b.example, "
     "c.example, d.example, e.example, ... | domains=7;; failing=6;; "
     "dns_errors=0;;"},
};

/* Status lines and states of tallies. */
static void test_nagios_status(void **state)
{
	ag_config_t *config = ag_config_defaults();
	char line[1024];

	(void)state;
	for (size_t i = 0;
	     i < sizeof(ag_nagios_cases) / sizeof(ag_nagios_cases[0]); i++) {
		const ag_nagios_case_t *c = &ag_nagios_cases[i];
		ag_check_tally_t tally = {0};

		for (size_t k = 0; c->domains[k] != NULL; k++)
			ag_test_tally(&tally, config, c->domains[k],
			              k == 0 && c->tagged ? &ag_test_tag_entry
			                                  : &ag_test_entry,
			              c->reasons[k]);
		assert_int_equal(ag_check_nagios_state(&tally), c->state);
		ag_check_nagios_status(&tally, line, sizeof(line));
		assert_string_equal(line, c->line);
		ag_check_tally_clear(&tally);
	}
	ag_config_free(config);
}

/* Monitor mode does not soften the alert; OnDKIMKey tag does. */
static void test_nagios_actions(void **state)
{
	ag_config_t *config = ag_config_defaults();
	ag_check_tally_t tally = {0};

	(void)state;
	config->mode = AG_MODE_MONITOR;
	ag_test_tally(&tally, config, "a.example", &ag_test_entry, MISSING);
	assert_int_equal(ag_check_nagios_state(&tally), AG_NAGIOS_CRITICAL);
	ag_check_tally_clear(&tally);
	config->on_dkim_key = AG_ACT_TAG;
	ag_test_tally(&tally, config, "a.example", &ag_test_entry, MISSING);
	assert_int_equal(ag_check_nagios_state(&tally), AG_NAGIOS_WARNING);
	ag_check_tally_clear(&tally);
	config->on_dkim_key = AG_ACT_QUARANTINE;
	ag_test_tally(&tally, config, "a.example", NULL, MISSING);
	assert_int_equal(ag_check_nagios_state(&tally), AG_NAGIOS_CRITICAL);
	ag_check_tally_clear(&tally);
	ag_config_free(config);
}

/* The status line, then one line per failing domain. */
static void test_nagios_long_output(void **state)
{
	ag_config_t *config = ag_config_defaults();
	ag_check_tally_t tally = {0};
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	ag_test_tally(&tally, config, "a.example", &ag_test_entry, 0);
	ag_test_tally(&tally, config, "b.example", &ag_test_entry,
	              MISSING | DMARC);
	ag_test_tally(&tally, config, "c.example", &ag_test_entry, DNS);
	ag_check_print_nagios(fp, &tally);
	fclose(fp);
	assert_string_equal(
	    text, "ALIGNGUARD CRITICAL - 1 of 3 domains failing, 1 without "
	          "verdict (DNS trouble): b.example, c.example | domains=3;; "
	          "failing=1;; dns_errors=1;;\n"
	          "b.example: fail reject (dkim.key-missing,dmarc.missing)\n"
	          "c.example: temperror reject (dns.temperror)\n");
	free(text);
	ag_check_tally_clear(&tally);
	ag_config_free(config);
}

/* Only the first lines are kept; the rest are counted. */
static void test_nagios_many(void **state)
{
	ag_config_t *config = ag_config_defaults();
	ag_check_tally_t tally = {0};
	char *text = NULL, name[32];
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	(void)state;
	for (int i = 0; i < AG_CHECK_TALLY_LINES + 7; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		ag_test_tally(&tally, config, name, &ag_test_entry, MISSING);
	}
	assert_int_equal(tally.nlines, AG_CHECK_TALLY_LINES);
	ag_check_print_nagios(fp, &tally);
	fclose(fp);
	assert_non_null(strstr(text, "\n... and 7 more\n"));
	free(text);
	ag_check_tally_clear(&tally);
	ag_config_free(config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_string),
	    cmocka_unit_test(test_json_report),
	    cmocka_unit_test(test_human_report),
	    cmocka_unit_test(test_nagios_status),
	    cmocka_unit_test(test_nagios_actions),
	    cmocka_unit_test(test_nagios_long_output),
	    cmocka_unit_test(test_nagios_many),
	};

	return cmocka_run_group_tests_name("checkout", tests, NULL, NULL);
}
