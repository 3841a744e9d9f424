/*
 * kindtest.h - what the unit tests of the domain-state kinds (SPF, MX,
 * DMARC) share: a fixture holding an in-memory zone, the service's
 * options and a table entry; planning and evaluating one check as the
 * service would; lists written as space-separated text; and a group with
 * one test case per row of a scenario table.
 */
#ifndef AG_KINDTEST_H
#define AG_KINDTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dnsmem.h"
#include "domainstate.h"

#define KINDTEST_WAIT_MS 10000 /* generous: valgrind is slow */
#define KINDTEST_SEND    "bounce.example.com"

/* The start of every kind test's fixture. */
typedef struct kindtest {
	ag_dnsmem_t *mem;
	ag_dstate_options_t options; /* the defaults */
	ag_domain_entry_t entry;     /* example.com, KINDTEST_SEND */
	const void *scenario;        /* the test's initial state, or NULL */
} kindtest_t;

/* kindtest_setup - a zeroed fixture of size octets (starting with a
 * kindtest_t) into *state; -1 when out of memory */
int kindtest_setup(void **state, size_t size);

/* kindtest_teardown - release the fixture */
int kindtest_teardown(void **state);

/* kindtest_list - copy a space-separated list (NULL: empty) into text and
 * cut it into list, using items (room for max) */
void kindtest_list(ag_strlist_t *list, char **items, size_t max, char *text,
                   size_t size, const char *src);

/* kindtest_evaluate - plan exactly one check of kind, with this name and
 * target, and evaluate it over the fixture's zone */
void kindtest_evaluate(kindtest_t *t, const ag_dstate_kind_t *kind,
                       const ag_dstate_subject_t *subject, const char *name,
                       const char *target, ag_check_result_t *result);

/* kindtest_service - a service over the fixture's zone holding kind */
ag_dstate_t *kindtest_service(kindtest_t *t, const ag_dstate_kind_t *kind);

/* kindtest_collect - the facts of subject, waiting for them (facts are
 * scribbled over first, so that nothing stale passes) */
size_t kindtest_collect(ag_dstate_t *ds, const ag_dstate_subject_t *subject,
                        ag_dns_facts_t *facts);

/*
 * kindtest_run - run a group: one test case per scenario (count rows of
 * size octets, each starting with its name as a const char *), run by
 * test with the row as initial state, then the fixed cases.
 */
int kindtest_run(const char *group, const void *scenarios, size_t count,
                 size_t size, CMUnitTestFunction test, CMFixtureFunction setup,
                 CMFixtureFunction teardown, const struct CMUnitTest *fixed,
                 size_t nfixed);

#endif
