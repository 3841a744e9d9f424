/*
 * dstateheap.c - the refresh queue of the domain-state service (see
 * dstateheap.h).
 *
 * The usual array heap: the children of slot i are 2i+1 and 2i+2. Every
 * move of a node updates the slot it remembers.
 */
#include "dstateheap.h"

#include <stdlib.h>

struct ag_dstateheap {
	ag_dstateheap_node_t **items;
	size_t len, cap;
};

/* ag_dstateheap_create - an empty heap with room for cap nodes */
ag_dstateheap_t *ag_dstateheap_create(size_t cap)
{
	ag_dstateheap_t *heap = calloc(1, sizeof(*heap));

	if (heap == NULL)
		return NULL;
	heap->cap = cap > 0 ? cap : 1;
	if ((heap->items = calloc(heap->cap, sizeof(*heap->items))) == NULL) {
		free(heap);
		return NULL;
	}
	return heap;
}

/* ag_dstateheap_destroy - release the heap, not its nodes */
ag_dstateheap_t *ag_dstateheap_destroy(ag_dstateheap_t *heap)
{
	if (heap != NULL) {
		free(heap->items);
		free(heap);
	}
	return NULL;
}

/* ag_dstateheap_reserve - room for count nodes in all */
int ag_dstateheap_reserve(ag_dstateheap_t *heap, size_t count)
{
	size_t cap = heap->cap;
	ag_dstateheap_node_t **items;

	if (count <= cap)
		return 0;
	while (cap < count)
		cap *= 2;
	if ((items = realloc(heap->items, cap * sizeof(*items))) == NULL)
		return -1;
	heap->items = items;
	heap->cap = cap;
	return 0;
}

/* ag_dstateheap_node_init - mark a node as in no heap */
void ag_dstateheap_node_init(ag_dstateheap_node_t *node)
{
	node->index = AG_DSTATEHEAP_NONE;
}

/* ag_dstateheap_contains - whether a node is in a heap */
int ag_dstateheap_contains(const ag_dstateheap_node_t *node)
{
	return node->index != AG_DSTATEHEAP_NONE;
}

/* ag_dstateheap_set - put a node at slot i */
static void ag_dstateheap_set(ag_dstateheap_t *heap, size_t i,
                              ag_dstateheap_node_t *node)
{
	heap->items[i] = node;
	node->index = i;
}

/* ag_dstateheap_up - move slot i towards the root while due sooner */
static void ag_dstateheap_up(ag_dstateheap_t *heap, size_t i)
{
	ag_dstateheap_node_t *node = heap->items[i];

	while (i > 0 && heap->items[(i - 1) / 2]->due > node->due) {
		ag_dstateheap_set(heap, i, heap->items[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	ag_dstateheap_set(heap, i, node);
}

/* ag_dstateheap_down - move slot i towards the leaves while due later */
static void ag_dstateheap_down(ag_dstateheap_t *heap, size_t i)
{
	ag_dstateheap_node_t *node = heap->items[i];

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= heap->len)
			break;
		if (child + 1 < heap->len &&
		    heap->items[child + 1]->due < heap->items[child]->due)
			child++;
		if (heap->items[child]->due >= node->due)
			break;
		ag_dstateheap_set(heap, i, heap->items[child]);
		i = child;
	}
	ag_dstateheap_set(heap, i, node);
}

/* ag_dstateheap_push - add a node at node->due */
void ag_dstateheap_push(ag_dstateheap_t *heap, ag_dstateheap_node_t *node)
{
	ag_dstateheap_set(heap, heap->len++, node);
	ag_dstateheap_up(heap, node->index);
}

/* ag_dstateheap_remove - take a node out */
void ag_dstateheap_remove(ag_dstateheap_t *heap, ag_dstateheap_node_t *node)
{
	size_t i = node->index;
	ag_dstateheap_node_t *last = heap->items[--heap->len];

	node->index = AG_DSTATEHEAP_NONE;
	if (last == node)
		return;
	ag_dstateheap_set(heap, i, last);
	ag_dstateheap_up(heap, i);
	ag_dstateheap_down(heap, last->index);
}

/* ag_dstateheap_first - the node due soonest */
ag_dstateheap_node_t *ag_dstateheap_first(const ag_dstateheap_t *heap)
{
	return heap->len > 0 ? heap->items[0] : NULL;
}

/* ag_dstateheap_len - how many nodes */
size_t ag_dstateheap_len(const ag_dstateheap_t *heap)
{
	return heap->len;
}

/* ag_dstateheap_due_all - every node due at once */
void ag_dstateheap_due_all(ag_dstateheap_t *heap, int64_t due)
{
	for (size_t i = 0; i < heap->len; i++)
		heap->items[i]->due = due; /* all equal: still a heap */
}
