/*
 * kindtest.c - what the unit tests of the domain-state kinds share (see
 * kindtest.h).
 */
#include "kindtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* kindtest_setup - a zeroed fixture with a zone and the defaults */
int kindtest_setup(void **state, size_t size)
{
	kindtest_t *t = calloc(1, size);

	if (t == NULL || (t->mem = ag_dnsmem_create()) == NULL) {
		free(t);
		return -1;
	}
	t->scenario = *state;
	t->entry.domain = "example.com";
	t->entry.send_domain = KINDTEST_SEND;
	ag_dstate_options_init(&t->options);
	*state = t;
	return 0;
}

/* kindtest_teardown - release the fixture */
int kindtest_teardown(void **state)
{
	kindtest_t *t = *state;

	ag_dnsmem_destroy(t->mem);
	free(t);
	return 0;
}

/* kindtest_list - a space-separated list, cut in place */
void kindtest_list(ag_strlist_t *list, char **items, size_t max, char *text,
                   size_t size, const char *src)
{
	char *save = NULL;

	snprintf(text, size, "%s", src != NULL ? src : "");
	list->items = items;
	list->count = 0;
	for (char *tok = strtok_r(text, " ", &save);
	     tok != NULL && list->count < max; tok = strtok_r(NULL, " ", &save))
		items[list->count++] = tok;
}

/* kindtest_evaluate - plan one check and evaluate it */
void kindtest_evaluate(kindtest_t *t, const ag_dstate_kind_t *kind,
                       const ag_dstate_subject_t *subject, const char *name,
                       const char *target, ag_check_result_t *result)
{
	ag_dstate_env_t env = {ag_dnsmem_resolver(t->mem), &t->options};
	ag_dstate_req_t *reqs = calloc(2, sizeof(*reqs));

	assert_non_null(reqs);
	assert_int_equal(kind->plan(subject, reqs, 2), 1);
	assert_string_equal(reqs[0].name, name);
	assert_string_equal(reqs[0].target, target);
	memset(result, 0, sizeof(*result));
	kind->evaluate(&env, reqs[0].target, reqs[0].params, reqs[0].params_len,
	               result);
	free(reqs);
}

/* kindtest_service - a service over the fixture's zone holding kind */
ag_dstate_t *kindtest_service(kindtest_t *t, const ag_dstate_kind_t *kind)
{
	ag_dstate_t *ds =
	    ag_dstate_create(ag_dnsmem_resolver(t->mem), &t->options, NULL);

	assert_non_null(ds);
	assert_int_equal(ag_dstate_register(ds, kind), 0);
	return ds;
}

/* kindtest_collect - the facts of subject, waiting for them */
size_t kindtest_collect(ag_dstate_t *ds, const ag_dstate_subject_t *subject,
                        ag_dns_facts_t *facts)
{
	struct timespec deadline = ag_dstate_deadline(KINDTEST_WAIT_MS);

	memset(facts, 0xff, sizeof(*facts));
	return ag_dstate_collect(ds, subject, &deadline, facts);
}

/* kindtest_run - one test case per scenario, then the fixed ones */
int kindtest_run(const char *group, const void *scenarios, size_t count,
                 size_t size, CMUnitTestFunction test, CMFixtureFunction setup,
                 CMFixtureFunction teardown, const struct CMUnitTest *fixed,
                 size_t nfixed)
{
	struct CMUnitTest *tests = calloc(count + nfixed, sizeof(*tests));
	int failed;

	if (tests == NULL)
		return 1;
	for (size_t i = 0; i < count; i++) {
		const void *row = (const char *)scenarios + i * size;
		tests[i].name = *(const char *const *)row;
		tests[i].test_func = test;
		tests[i].setup_func = setup;
		tests[i].teardown_func = teardown;
		tests[i].initial_state = (void *)row;
	}
	memcpy(tests + count, fixed, nfixed * sizeof(*fixed));
	failed =
	    _cmocka_run_group_tests(group, tests, count + nfixed, NULL, NULL);
	free(tests);
	return failed;
}
