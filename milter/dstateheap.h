/*
 * dstateheap.h - the refresh queue of the domain-state service
 * (domainstate.c): a binary min-heap of nodes ordered by the time each is
 * due.
 *
 * A node is embedded in the object it schedules and remembers its own
 * slot, so that any node, not only the first, leaves the heap in O(log n).
 * Room is made ahead with ag_dstateheap_reserve(), so that pushing never
 * fails (the service reserves before it commits to a new check). The heap
 * does no locking: its owner holds a lock around every call.
 *
 * Diagnostics: create and reserve fail (NULL, -1) only when out of
 * memory; nothing here prints.
 */
#ifndef AG_DSTATEHEAP_H
#define AG_DSTATEHEAP_H

#include <stddef.h>
#include <stdint.h>

/* Slot of a node that is in no heap. */
#define AG_DSTATEHEAP_NONE ((size_t)-1)

typedef struct ag_dstateheap_node {
	int64_t due;  /* the key: smallest first */
	size_t index; /* its slot, or AG_DSTATEHEAP_NONE */
} ag_dstateheap_node_t;

typedef struct ag_dstateheap ag_dstateheap_t;

/* ag_dstateheap_create - an empty heap with room for cap nodes; NULL when
 * out of memory */
ag_dstateheap_t *ag_dstateheap_create(size_t cap);

/* ag_dstateheap_destroy - release the heap (not its nodes); accepts NULL,
 * returns NULL */
ag_dstateheap_t *ag_dstateheap_destroy(ag_dstateheap_t *heap);

/* ag_dstateheap_reserve - room for count nodes in all; 0 or -1 */
int ag_dstateheap_reserve(ag_dstateheap_t *heap, size_t count)
    __attribute__((warn_unused_result));

/* ag_dstateheap_node_init - mark a node as in no heap */
void ag_dstateheap_node_init(ag_dstateheap_node_t *node);

/* ag_dstateheap_contains - whether a node is in a heap */
int ag_dstateheap_contains(const ag_dstateheap_node_t *node);

/* ag_dstateheap_push - add a node at node->due (room reserved, the node
 * in no heap) */
void ag_dstateheap_push(ag_dstateheap_t *heap, ag_dstateheap_node_t *node);

/* ag_dstateheap_remove - take a node out of the heap it is in */
void ag_dstateheap_remove(ag_dstateheap_t *heap, ag_dstateheap_node_t *node);

/* ag_dstateheap_first - the node due soonest, or NULL when empty */
ag_dstateheap_node_t *ag_dstateheap_first(const ag_dstateheap_t *heap);

/* ag_dstateheap_len - how many nodes the heap holds */
size_t ag_dstateheap_len(const ag_dstateheap_t *heap);

/* ag_dstateheap_due_all - make every node due at `due` (still a heap) */
void ag_dstateheap_due_all(ag_dstateheap_t *heap, int64_t due);

#endif
