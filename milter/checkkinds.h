/*
 * checkkinds.h - every kind of DNS check alignguard runs, in one list.
 *
 * The domain-state service (domainstate.h) knows no DNS itself: each kind
 * of check (DKIM keys, and the send domain's SPF and MX, the DMARC record)
 * is a row of plan/evaluate functions. This list is the one place that
 * names them, so that the daemon and alignguard-check run the same checks
 * in the same order; adding a kind means adding its row here.
 *
 * Interface: ag_check_kinds_register() registers every kind with a
 * service; ag_check_kinds_plan() lists, for display, the checks the kinds
 * plan for a subject, in the order ag_dstate_collect() returns their
 * facts.
 *
 * Diagnostics: registration fails (-1) only when the service refuses a
 * kind (its table is full or the kind is there already).
 */
#ifndef AG_CHECKKINDS_H
#define AG_CHECKKINDS_H

#include <stddef.h>

#include "domainstate.h"

/* The kinds, NULL-terminated, in registration order. */
extern const ag_dstate_kind_t *const ag_check_kinds[];

/* ag_check_kinds_register - register every kind; 0 or -1 */
int ag_check_kinds_register(ag_dstate_t *state)
    __attribute__((warn_unused_result));

/*
 * ag_check_kinds_plan - the checks every kind plans for a subject, in
 * kind and plan order (at most max, as the service caps them); kinds[i]
 * receives the kind of reqs[i] when kinds is not NULL. Returns the count.
 */
size_t ag_check_kinds_plan(const ag_dstate_subject_t *subject,
                           ag_dstate_req_t *reqs,
                           const ag_dstate_kind_t **kinds, size_t max);

#endif
