/*
 * dstatekind.c - what the kinds of checks of the domain-state service
 * share (see dstatekind.h).
 */
#include "dstatekind.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ag_dstatekind_set - fill a result's state, reason and detail */
void ag_dstatekind_set(ag_check_result_t *result, ag_check_state_t state,
                       ag_reason_t reason, const char *fmt, ...)
{
	va_list ap;

	result->state = state;
	result->reason = reason;
	va_start(ap, fmt);
	vsnprintf(result->detail, sizeof(result->detail), fmt, ap);
	va_end(ap);
}

/* ag_dstatekind_param_add - append one item to req's own parameters */
int ag_dstatekind_param_add(ag_dstate_req_t *req, const char *item)
{
	size_t used = req->params == req->buf ? req->params_len : 0;
	size_t n = strlen(item) + 1;

	if (n > sizeof(req->buf) - used)
		return -1;
	memcpy(req->buf + used, item, n);
	req->params = req->buf;
	req->params_len = used + n;
	return 0;
}

/* ag_dstatekind_param_next - the parameter item at *pos */
const char *ag_dstatekind_param_next(const void *params, size_t len,
                                     size_t *pos)
{
	const char *item = (const char *)params + *pos;
	const char *nul;

	if (params == NULL || *pos >= len ||
	    (nul = memchr(item, '\0', len - *pos)) == NULL)
		return NULL;
	*pos += (size_t)(nul - item) + 1;
	return item;
}

/* ag_dstatekind_ttl_query - pass a query on, note its TTL */
static ag_dns_answer_t *ag_dstatekind_ttl_query(ag_resolver_t *resolver,
                                                const char *name, int type,
                                                unsigned timeout_ms)
{
	ag_dstatekind_ttl_t *watch = (ag_dstatekind_ttl_t *)resolver;
	ag_dns_answer_t *a =
	    ag_resolver_query(watch->inner, name, type, timeout_ms);

	if (a != NULL && a->status != AG_DNS_TEMPFAIL) {
		if (watch->seen == 0 || a->ttl < watch->ttl)
			watch->ttl = a->ttl;
		watch->seen++;
	}
	return a;
}

/* ag_dstatekind_ttl_destroy - nothing: the watch lives on the stack */
static void ag_dstatekind_ttl_destroy(ag_resolver_t *resolver)
{
	(void)resolver;
}

static const ag_resolver_ops_t ag_dstatekind_ttl_ops = {
    ag_dstatekind_ttl_query,
    ag_dstatekind_ttl_destroy,
};

/* ag_dstatekind_ttl_init - wrap inner */
void ag_dstatekind_ttl_init(ag_dstatekind_ttl_t *watch, ag_resolver_t *inner)
{
	watch->base.ops = &ag_dstatekind_ttl_ops;
	watch->inner = inner;
	watch->ttl = 0;
	watch->seen = 0;
}

/* ag_dstatekind_join - append ", item" to buf, marking a cut */
void ag_dstatekind_join(char *buf, size_t size, const char *item)
{
	size_t used = strlen(buf);
	int n;

	if (size < 4 || used >= size - 1)
		return;
	n = snprintf(buf + used, size - used, "%s%s", used > 0 ? ", " : "",
	             item);
	if (n >= 0 && (size_t)n >= size - used)
		memcpy(buf + size - 4, "...", 4);
}
