/*
 * checkpool.h - alignguard-check's run over many domains: worker threads
 * check domains concurrently (ag_check_domain() through the shared
 * domain-state service and resolver, which de-duplicate and cache), while
 * the calling thread hands each report to an emit callback in the order
 * the domains were given. Workers run at most `window` domains ahead of
 * the one being emitted, so memory stays bounded however many domains
 * there are.
 *
 * The calling thread calls the progress callback (if any) about five
 * times a second, whether reports come in or not.
 *
 * Diagnostics: ag_check_pool_run() returns -1 when threads cannot be
 * started or a report cannot be allocated (out of memory); the domains
 * emitted so far stay emitted.
 */
#ifndef AG_CHECKPOOL_H
#define AG_CHECKPOOL_H

#include <stddef.h>

#include "checkrun.h"

typedef struct ag_check_pool_opts {
	unsigned jobs; /* worker threads, >= 1 */
	size_t window; /* reports held at most; 0: 4 * jobs */
	/* emit - one report, in order; the pool frees it afterwards */
	void (*emit)(void *arg, const ag_check_report_t *report);
	/* progress - done of total so far (may be NULL) */
	void (*progress)(void *arg, size_t done, size_t total);
	void *arg;
} ag_check_pool_opts_t;

/* ag_check_pool_run - check every domain; 0, or -1 (see above) */
int ag_check_pool_run(const ag_check_ctx_t *ctx, const char *const *domains,
                      size_t count, const ag_check_pool_opts_t *opts)
    __attribute__((warn_unused_result));

#endif
