/*
 * milter.h - the libmilter callbacks: they collect facts from the MTA's
 * events, ask the policy, apply the verdict and log one line per message
 * (DESIGN §2). Nothing is decided here that policy.c does not say.
 *
 * The daemon hands the callbacks their world once, before smfi_main():
 * the published rules (a snapshot slot, swapped on reload) and the DNS
 * side (domain state), if any.
 */
#ifndef AG_MILTER_H
#define AG_MILTER_H

#include <libmilter/mfapi.h>

#include "facts.h"
#include "policy.h"
#include "snapshot.h"

/*
 * The DNS side as the callbacks see it: prefetch starts the checks of an
 * entry without waiting (end-of-headers); collect fills the facts, waiting
 * at most until deadline_ms (CLOCK_MONOTONIC milliseconds) for checks that
 * were never run. NULL functions: no DNS checks.
 */
typedef struct ag_milter_dns {
	void *state;
	void (*prefetch)(void *state, const ag_snapshot_t *rules,
			 const ag_domain_entry_t *entry);
	void (*collect)(void *state, const ag_snapshot_t *rules,
			const ag_domain_entry_t *entry, long deadline_ms,
			ag_dns_facts_t *facts);
} ag_milter_dns_t;

typedef struct ag_dkimverify ag_dkimverify_t;

typedef struct ag_milter_world {
	ag_snapshot_slot_t *rules;
	ag_milter_dns_t dns;
	ag_dkimverify_t *dkimverify;	/* for VerifySignatures; may be NULL */
} ag_milter_world_t;

/* ag_milter_init - hand the callbacks their world; before smfi_register */
void ag_milter_init(ag_milter_world_t *world);

/* ag_milter_description - the filter description for smfi_register */
struct smfiDesc *ag_milter_description(void);

/* ag_milter_active - connections currently open (for a clean shutdown) */
int ag_milter_active(void);

/*
 * ag_milter_stats_format - counters since start: messages by verdict and
 * failed checks by reason, as key=value pairs
 */
size_t ag_milter_stats_format(char *buf, size_t size);

/* ag_milter_now_ms - CLOCK_MONOTONIC in milliseconds */
long ag_milter_now_ms(void);

#endif
