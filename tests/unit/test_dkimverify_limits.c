/*
 * test_dkimverify_limits.c - DKIM verification at its limits and out of
 * its ordinary use (see dkimverify_fixture.h): at most
 * AG_DKIMVERIFY_MAX_SIGS signatures checked, one lookup budget shared by a
 * message, calls out of order and NULL arguments, message threads sharing
 * the verifier, and the counters that stand in for libopendkim's own
 * resolver.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkimverify_fixture.h"

/* The signature of the base message that passes under base_policy(). */
static const sigspec_t pass_sigs[MAX_SPECS] = {RSA("example.com", "s1")};

/* test_signature_cap - nine signatures: eight by unknown keys make eight
 * lookups, the ninth, aligned and good, is not checked */
static void test_signature_cap(void **state)
{
	static const char *const selectors[AG_DKIMVERIFY_MAX_SIGS + 1] = {
	    "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "s1"};
	ag_dkimverify_policy_t policy = base_policy();
	sigspec_t specs[COUNT(selectors)];
	ag_check_fact_t fact;
	message_t msg;

	for (size_t i = 0; i < COUNT(selectors); i++)
		specs[i] = (sigspec_t)RSA("example.com", selectors[i]);
	build(&msg, NULL, specs, COUNT(specs));
	run(&msg, &policy, 0, &fact);
	assert_int_equal(fact.state, AG_CHECK_FAIL);
	assert_int_equal(fact.reason, AG_R_DKIM_SIGNATURE_INVALID);
	assert_non_null(strstr(fact.detail,
	                       "; d=example.com s=g2 key not found "
	                       "(nxdomain); d=example.com s=g3"));
	assert_int_equal(ag_dnsmem_queries(fx.zone, NULL, AG_DNSMEM_ANY),
	                 AG_DKIMVERIFY_MAX_SIGS);
	assert_int_equal(
	    ag_dnsmem_queries(fx.zone, "g8._domainkey.example.com", AG_DNS_TXT),
	    1);
	assert_int_equal(
	    ag_dnsmem_queries(fx.zone, "s1._domainkey.example.com", AG_DNS_TXT),
	    0);
}

/* test_lookup_budget - the key lookups of a message share one budget:
 * 300 ms for the first, the rest of 400 for the second, none for the
 * third */
static void test_lookup_budget(void **state)
{
	sigspec_t specs[] = {RSA("example.com", "gone"),
	                     RSA("other.example", "x"),
	                     RSA("example.com", "s1")};
	ag_dkimverify_policy_t policy = base_policy();
	ag_dkimverify_t *saved = fx.verifier;
	ag_check_fact_t fact;
	message_t msg;
	char err[128];

	fx.verifier = ag_dkimverify_create(ag_dnsmem_resolver(fx.zone), 400,
	                                   err, sizeof(err));
	assert_non_null(fx.verifier);
	ag_dnsmem_set_delay(fx.zone, 300);
	build(&msg, NULL, specs, COUNT(specs));
	run(&msg, &policy, 0, &fact);
	ag_dnsmem_set_delay(fx.zone, 0);
	ag_dkimverify_destroy(fx.verifier);
	fx.verifier = saved;
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	assert_non_null(strstr(fact.detail,
	                       "d=example.com s=gone key not found (nxdomain); "
	                       "d=other.example s=x key lookup failed ("));
	assert_non_null(strstr(fact.detail, "; d=example.com s=s1 key lookup "
	                                    "failed (no time left)"));
	assert_int_equal(
	    ag_dnsmem_queries(fx.zone, "s1._domainkey.example.com", AG_DNS_TXT),
	    0);
}

/* test_api_misuse - calls out of order, NULL arguments */
static void test_api_misuse(void **state)
{
	ag_dkimverify_policy_t policy = base_policy();
	ag_check_fact_t fact;
	ag_dkimverify_msg_t *msg;
	char err[128] = "";

	assert_null(ag_dkimverify_create(NULL, 10, err, sizeof(err)));
	assert_string_equal(err, "DKIM verifier: no resolver");
	assert_null(ag_dkimverify_create(NULL, 10, NULL, 0));
	assert_null(ag_dkimverify_begin(NULL, "x"));
	assert_null(ag_dkimverify_free(NULL));
	assert_null(ag_dkimverify_destroy(NULL));
	assert_int_equal(ag_dkimverify_header(NULL, "a", "b"), -1);
	assert_int_equal(ag_dkimverify_eoh(NULL), -1);
	assert_int_equal(ag_dkimverify_body(NULL, "x", 1), -1);

	msg = ag_dkimverify_begin(fx.verifier, NULL);
	assert_non_null(msg);
	assert_int_equal(ag_dkimverify_body(msg, "x", 1), -1);
	assert_int_equal(ag_dkimverify_header(msg, "From", NULL), -1);
	assert_int_equal(ag_dkimverify_header(msg, "From", "a@example.com"), 0);
	assert_int_equal(ag_dkimverify_header(msg, "Subject", ""), 0);
	assert_int_equal(ag_dkimverify_eoh(msg), 0);
	assert_int_equal(ag_dkimverify_eoh(msg), -1);
	assert_int_equal(ag_dkimverify_header(msg, "To", "b@example.net"), -1);
	assert_int_equal(ag_dkimverify_body(msg, "ignored\r\n", 9), 0);
	ag_dkimverify_end(msg, &policy, &fact);
	assert_int_equal(fact.state, AG_CHECK_FAIL);
	assert_string_equal(fact.detail, "no signature");
	ag_dkimverify_end(msg, &policy, &fact);
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	assert_string_equal(fact.detail, "verification not run");
	assert_int_equal(ag_dkimverify_body(msg, "x", 1), -1);
	assert_null(ag_dkimverify_free(msg));

	msg = ag_dkimverify_begin(fx.verifier, "no-policy");
	assert_non_null(msg);
	ag_dkimverify_end(msg, NULL, &fact);
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	ag_dkimverify_free(msg);
}

typedef struct worker {
	const message_t *msg;
	const ag_dkimverify_policy_t *policy;
	int passes;
} worker_t;

/* worker_run - verify one message ten times */
static void *worker_run(void *arg)
{
	worker_t *w = arg;
	ag_check_fact_t fact;

	for (int i = 0; i < 10; i++) {
		verify(w->msg, w->policy, &fact, 0);
		w->passes += fact.state == AG_CHECK_PASS;
	}
	return NULL;
}

/* test_threads - four message threads share the verifier */
static void test_threads(void **state)
{
	const sigspec_t sigs[] = {RSA("other.example", "x"), SIG_ED25519};
	ag_dkimverify_policy_t policy = base_policy();
	pthread_t threads[4];
	worker_t workers[4];
	message_t msg;

	build(&msg, NULL, sigs, COUNT(sigs));
	for (int i = 0; i < 4; i++) {
		workers[i] = (worker_t){&msg, &policy, 0};
		assert_int_equal(
		    pthread_create(&threads[i], NULL, worker_run, &workers[i]),
		    0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(workers[i].passes, 10);
	}
	message_clear(&msg);
	assert_int_equal(stray_queries, 0);
}

/* test_stray_counter_works - the counters do see libopendkim's own
 * resolver when nothing replaces it */
static void test_stray_counter_works(void **state)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned long before = stray_queries;
	DKIM_STAT status;
	DKIM *dkim;
	message_t msg;

	assert_non_null(lib);
	build(&msg, NULL, pass_sigs, MAX_SPECS);
	dkim = dkim_verify(lib, (const u_char *)"stray", NULL, &status);
	assert_non_null(dkim);
	feed(dkim, &msg);
	assert_int_not_equal(dkim_eom(dkim, NULL), DKIM_STAT_OK);
	dkim_free(dkim);
	dkim_close(lib);
	message_clear(&msg);
	assert_true(stray_queries > before);
	__atomic_store_n(&stray_queries, 0, __ATOMIC_SEQ_CST);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signature_cap),
	    cmocka_unit_test(test_lookup_budget),
	    cmocka_unit_test(test_api_misuse),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_stray_counter_works),
	};

	return cmocka_run_group_tests_name("dkimverify_limits", tests,
	                                   group_setup, group_teardown);
}
