/*
 * dstatekind.h - what the kinds of checks of the domain-state service
 * (domainstate.h) share: filling a result, parameter lists, and a resolver
 * that remembers the TTLs of what it answered.
 *
 * Parameter lists: a kind that plans a check from a list (OutboundAddresses,
 * mx=) sets the request's params to NULL and params_len to 0 (requests are
 * not cleared for it), then writes the items into the request's own
 * buffer, each item a string with its NUL, and reads them back in
 * evaluate() one by one. When the items do not fit,
 * ag_dstatekind_param_add() says so and the kind must plan a check that
 * fails with a clear detail: a list cut short would check less than the
 * operator asked for.
 *
 * TTL watch: an evaluation that calls a module making many queries (SPF's
 * check_host(), DMARC discovery) wraps its resolver in an
 * ag_dstatekind_ttl_t, which passes every query through and keeps the
 * smallest TTL among the answers that were not TEMPFAIL: the time until
 * any record the answer rests on may change.
 *
 * Diagnostics: nothing here prints; a full parameter buffer is -1.
 */
#ifndef AG_DSTATEKIND_H
#define AG_DSTATEKIND_H

#include <stddef.h>
#include <stdint.h>

#include "dns.h"
#include "domainstate.h"

/* ag_dstatekind_set - fill a result's state, reason and detail */
void ag_dstatekind_set(ag_check_result_t *result, ag_check_state_t state,
                       ag_reason_t reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ag_dstatekind_param_add - append one item to req's own parameters (and
 * point req->params there); 0, or -1 when it does not fit (req unchanged) */
int ag_dstatekind_param_add(ag_dstate_req_t *req, const char *item)
    __attribute__((warn_unused_result));

/* ag_dstatekind_param_next - the parameter item at *pos, advancing past
 * it; NULL after the last (or at an item missing its NUL) */
const char *ag_dstatekind_param_next(const void *params, size_t len,
                                     size_t *pos);

/* A resolver passing queries to another, keeping the smallest TTL. */
typedef struct ag_dstatekind_ttl {
	ag_resolver_t base; /* hand &ttl->base to the module */
	ag_resolver_t *inner;
	uint32_t ttl;  /* the smallest TTL seen so far */
	unsigned seen; /* answers counted in ttl */
} ag_dstatekind_ttl_t;

/* ag_dstatekind_ttl_init - wrap inner; nothing to release afterwards */
void ag_dstatekind_ttl_init(ag_dstatekind_ttl_t *watch, ag_resolver_t *inner);

/* ag_dstatekind_join - append ", item" (no comma first) to buf, marking a
 * cut with "..."; for lists in details */
void ag_dstatekind_join(char *buf, size_t size, const char *item);

#endif
