/*
 * test_reason.c - reason code and action names round-trip; set formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "reason.h"

static void test_every_reason_round_trips(void **state)
{
	for (int i = 0; i < AG_R_COUNT; i++) {
		ag_reason_t back;
		assert_int_equal(ag_reason_parse(ag_reason_name(i), &back), 0);
		assert_int_equal(back, i);
	}
	ag_reason_t unused;
	assert_int_equal(ag_reason_parse("from.bogus", &unused), -1);
}

static void test_reasons_format_in_code_order(void **state)
{
	char buf[128];
	ag_reasons_t set = AG_REASON_BIT(AG_R_MAILFROM_UNALIGNED) |
			   AG_REASON_BIT(AG_R_FROM_UNVERIFIED);
	size_t need = ag_reasons_format(set, ',', buf, sizeof(buf));
	assert_string_equal(buf, "from.unverified,mailfrom.unaligned");
	assert_int_equal(need, strlen(buf));
	assert_int_equal(ag_reasons_first(set), AG_R_FROM_UNVERIFIED);
}

static void test_reasons_format_truncates_safely(void **state)
{
	char buf[8];
	ag_reasons_t set = AG_REASON_BIT(AG_R_FROM_MISSING) |
			   AG_REASON_BIT(AG_R_DNS_TEMPERROR);
	size_t need = ag_reasons_format(set, ' ', buf, sizeof(buf));
	assert_int_equal(need, strlen("from.missing dns.temperror"));
	assert_true(strlen(buf) < sizeof(buf));
}

static void test_actions_are_ordered_and_named(void **state)
{
	static const char *names[] = {"accept", "tag", "quarantine",
				      "tempfail", "reject"};
	for (int i = 0; i <= AG_ACT_REJECT; i++) {
		ag_action_t back;
		assert_string_equal(ag_action_name(i), names[i]);
		assert_int_equal(ag_action_parse(names[i], &back), 0);
		assert_int_equal(back, i);
	}
	ag_action_t back;
	assert_int_equal(ag_action_parse("REJECT", &back), 0);
	assert_int_equal(back, AG_ACT_REJECT);
	assert_int_equal(ag_action_parse("discard", &back), -1);
	assert_true(AG_ACT_TAG < AG_ACT_QUARANTINE);
	assert_true(AG_ACT_TEMPFAIL < AG_ACT_REJECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_reason_round_trips),
		cmocka_unit_test(test_reasons_format_in_code_order),
		cmocka_unit_test(test_reasons_format_truncates_safely),
		cmocka_unit_test(test_actions_are_ordered_and_named),
	};
	return cmocka_run_group_tests_name("reason", tests, NULL, NULL);
}
