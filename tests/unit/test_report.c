/*
 * test_report.c - reply texts, tag header values and log lines: contract
 * spelling, and nothing from the message reaching them unsanitised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "report.h"

static ag_report_subject_t subject_for(const ag_verdict_t *verdict)
{
	ag_report_subject_t s = {
		.verdict = verdict,
		.from_domain = "example.com",
		.mailfrom_domain = "other.example",
		.queue_id = "4XyZ12abc",
		.client = "127.0.0.1",
		.login = "shop",
		.dns_ms = 3,
		.total_ms = 7,
	};
	return s;
}

static void test_reject_reply_names_codes_and_domains(void **state)
{
	ag_verdict_t v = {.checked = 1, .action = AG_ACT_REJECT,
			  .intended = AG_ACT_REJECT,
			  .reasons = AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED)};
	ag_report_subject_t s = subject_for(&v);
	ag_smtp_reply_t reply;

	ag_report_reply(&s, &reply);
	assert_string_equal(reply.code, "550");
	assert_string_equal(reply.xcode, "5.7.1");
	assert_non_null(strstr(reply.text, "mailfrom.unaligned"));
	assert_non_null(strstr(reply.text, "from-domain=example.com"));
	assert_non_null(strstr(reply.text, "mailfrom-domain=other.example"));
}

static void test_tempfail_replies(void **state)
{
	ag_verdict_t v = {.checked = 1, .action = AG_ACT_TEMPFAIL,
			  .reasons = AG_REASON_BIT(AG_R_DNS_TEMPERROR)};
	ag_report_subject_t s = subject_for(&v);
	ag_smtp_reply_t reply;

	ag_report_reply(&s, &reply);
	assert_string_equal(reply.code, "451");
	assert_string_equal(reply.xcode, "4.4.3");
	v.reasons |= AG_REASON_BIT(AG_R_FROM_UNVERIFIED);
	ag_report_reply(&s, &reply);
	assert_string_equal(reply.xcode, "4.7.1");
}

static void test_tag_values(void **state)
{
	ag_verdict_t v = {.checked = 1};
	ag_report_subject_t s = subject_for(&v);
	char buf[512];

	ag_report_tag(&s, buf, sizeof(buf));
	assert_string_equal(buf, "pass");
	v.reasons = AG_REASON_BIT(AG_R_FROM_UNVERIFIED) |
		    AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED);
	v.action = v.intended = AG_ACT_TAG;
	ag_report_tag(&s, buf, sizeof(buf));
	assert_string_equal(buf, "fail reasons=from.unverified,mailfrom.unaligned "
				 "from-domain=example.com mailfrom-domain=other.example");
	v.intended = AG_ACT_REJECT;
	v.mode = AG_MODE_MONITOR;
	ag_report_tag(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, " mode=monitor would=reject"));
}

static void test_hostile_values_are_sanitised(void **state)
{
	ag_verdict_t v = {.checked = 1, .action = AG_ACT_TAG,
			  .reasons = AG_REASON_BIT(AG_R_FROM_INVALID)};
	ag_report_subject_t s = subject_for(&v);
	char buf[1024];

	s.from_domain = "evil.example\r\nX-Injected: yes";
	s.login = "a\"b\\c%d\x01";
	ag_report_tag(&s, buf, sizeof(buf));
	assert_null(strchr(buf, '\r'));
	assert_null(strchr(buf, '\n'));
	ag_report_log_line(&s, AG_LOG_JSON, buf, sizeof(buf));
	assert_null(strstr(buf, "a\"b"));
	assert_non_null(strstr(buf, "\"login\":\"a?b?c?d?\""));
	assert_null(strchr(buf, '\n'));
}

static void test_log_line_text_and_json(void **state)
{
	ag_verdict_t v = {.checked = 1, .action = AG_ACT_REJECT,
			  .intended = AG_ACT_REJECT,
			  .reasons = AG_REASON_BIT(AG_R_FROM_UNVERIFIED)};
	ag_report_subject_t s = subject_for(&v);
	char buf[1024];

	ag_report_log_line(&s, AG_LOG_TEXT, buf, sizeof(buf));
	assert_string_equal(buf,
		"queue_id=4XyZ12abc verdict=reject action=reject intended=reject "
		"mode=enforce reasons=from.unverified from_domain=example.com "
		"mailfrom_domain=other.example client=127.0.0.1 login=shop "
		"dmarc=- dns_ms=3 total_ms=7");
	ag_report_log_line(&s, AG_LOG_JSON, buf, sizeof(buf));
	assert_true(buf[0] == '{' && buf[strlen(buf) - 1] == '}');
	assert_non_null(strstr(buf, "\"verdict\":\"reject\""));
	assert_non_null(strstr(buf, "\"total_ms\":7"));
	v.checked = 0;
	v.reasons = 0;
	ag_report_log_line(&s, AG_LOG_TEXT, buf, sizeof(buf));
	assert_non_null(strstr(buf, "verdict=skip"));
}

static void test_small_buffers_truncate_safely(void **state)
{
	ag_verdict_t v = {.checked = 1, .action = AG_ACT_TAG,
			  .reasons = AG_REASON_BIT(AG_R_FROM_UNVERIFIED)};
	ag_report_subject_t s = subject_for(&v);
	char buf[16];
	size_t need = ag_report_tag(&s, buf, sizeof(buf));

	assert_true(need > sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reject_reply_names_codes_and_domains),
		cmocka_unit_test(test_tempfail_replies),
		cmocka_unit_test(test_tag_values),
		cmocka_unit_test(test_hostile_values_are_sanitised),
		cmocka_unit_test(test_log_line_text_and_json),
		cmocka_unit_test(test_small_buffers_truncate_safely),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
