/*
 * test_dstateheap.c - the refresh queue of the domain-state service: nodes
 * come out in the order they are due, whichever were taken out from the
 * middle, and the queue grows as asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "dstateheap.h"

/* A node of the tests. */
typedef struct item {
	ag_dstateheap_node_t node;
} item_t;

/* pop - remove the first node and return when it was due */
static int64_t pop(ag_dstateheap_t *heap)
{
	ag_dstateheap_node_t *first = ag_dstateheap_first(heap);

	assert_non_null(first);
	ag_dstateheap_remove(heap, first);
	assert_false(ag_dstateheap_contains(first));
	return first->due;
}

/* push - add an item due at key, making room */
static void push(ag_dstateheap_t *heap, item_t *item, int64_t key)
{
	ag_dstateheap_node_init(&item->node);
	assert_false(ag_dstateheap_contains(&item->node));
	item->node.due = key;
	assert_int_equal(
	    ag_dstateheap_reserve(heap, ag_dstateheap_len(heap) + 1), 0);
	ag_dstateheap_push(heap, &item->node);
	assert_true(ag_dstateheap_contains(&item->node));
}

/* drain - pop everything, checking the order; returns how many */
static size_t drain(ag_dstateheap_t *heap)
{
	int64_t last = INT64_MIN;
	size_t n = 0;

	while (ag_dstateheap_len(heap) > 0) {
		int64_t key = pop(heap);
		assert_true(key >= last);
		last = key;
		n++;
	}
	assert_null(ag_dstateheap_first(heap));
	return n;
}

/* Random keys, every third node removed from wherever it is. */
static void test_order_after_removals(void **state)
{
	enum { N = 500 };
	item_t *items = calloc(N, sizeof(*items));
	ag_dstateheap_t *heap = ag_dstateheap_create(4);
	unsigned seed = 12345;
	size_t left = 0;

	assert_non_null(items);
	assert_non_null(heap);
	for (size_t i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		push(heap, &items[i], (int64_t)(seed % 1000));
	}
	assert_int_equal(ag_dstateheap_len(heap), N);
	for (size_t i = 0; i < N; i += 3)
		ag_dstateheap_remove(heap, &items[i].node);
	for (size_t i = 0; i < N; i++)
		left += ag_dstateheap_contains(&items[i].node);
	assert_int_equal(left, N - (N + 2) / 3);
	assert_int_equal(ag_dstateheap_len(heap), left);
	assert_int_equal(drain(heap), left);
	ag_dstateheap_destroy(heap);
	free(items);
}

/* The first, the last and a middle node leave; one node alone. */
static void test_remove_anywhere(void **state)
{
	static const int64_t keys[] = {50, 10, 40, 30, 20, 60, 70};
	item_t items[7];
	ag_dstateheap_t *heap = ag_dstateheap_create(0);

	assert_non_null(heap);
	for (size_t i = 0; i < 7; i++)
		push(heap, &items[i], keys[i]);
	assert_int_equal(ag_dstateheap_first(heap)->due, 10);
	ag_dstateheap_remove(heap, &items[1].node); /* 10, the first */
	assert_int_equal(ag_dstateheap_first(heap)->due, 20);
	ag_dstateheap_remove(heap, &items[6].node); /* 70, a leaf */
	ag_dstateheap_remove(heap, &items[3].node); /* 30, in the middle */
	assert_int_equal(pop(heap), 20);
	assert_int_equal(pop(heap), 40);
	assert_int_equal(pop(heap), 50);
	assert_int_equal(pop(heap), 60);
	assert_int_equal(ag_dstateheap_len(heap), 0);
	push(heap, &items[0], 5);
	ag_dstateheap_remove(heap, &items[0].node);
	assert_int_equal(ag_dstateheap_len(heap), 0);
	ag_dstateheap_destroy(heap);
}

/* Equal keys, and every node made due at once. */
static void test_due_all(void **state)
{
	item_t items[20];
	ag_dstateheap_t *heap = ag_dstateheap_create(2);

	assert_non_null(heap);
	for (size_t i = 0; i < 20; i++)
		push(heap, &items[i], (int64_t)(100 - i));
	ag_dstateheap_due_all(heap, 7);
	for (size_t i = 0; i < 20; i++)
		assert_int_equal(items[i].node.due, 7);
	ag_dstateheap_remove(heap, &items[5].node);
	push(heap, &items[5], 3);
	assert_int_equal(pop(heap), 3);
	assert_int_equal(drain(heap), 19);
	ag_dstateheap_destroy(heap);
}

/* Room is made ahead; destroy takes NULL. */
static void test_reserve(void **state)
{
	ag_dstateheap_t *heap = ag_dstateheap_create(1);

	assert_non_null(heap);
	assert_int_equal(ag_dstateheap_reserve(heap, 0), 0);
	assert_int_equal(ag_dstateheap_reserve(heap, 1), 0);
	assert_int_equal(ag_dstateheap_reserve(heap, 1000), 0);
	assert_int_equal(ag_dstateheap_len(heap), 0);
	assert_null(ag_dstateheap_destroy(heap));
	assert_null(ag_dstateheap_destroy(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_after_removals),
	    cmocka_unit_test(test_remove_anywhere),
	    cmocka_unit_test(test_due_all),
	    cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests_name("dstateheap", tests, NULL, NULL);
}
