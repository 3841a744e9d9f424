/*
 * snapshot.h - everything a message is judged by, loaded together and
 * swapped atomically: the configuration, the verified-domain table and the
 * Public Suffix List, and the public halves of the operators' DKIM private
 * keys (keys= in the table), read once at load time.
 *
 * A snapshot is immutable once published and reference-counted: each
 * message holds the snapshot it started with until it ends, so a reload
 * (SIGHUP) never changes the rules under a message in flight and the old
 * snapshot is freed when its last message is done. A reload that fails
 * leaves the published snapshot in place; the diagnostics say why.
 */
#ifndef AG_SNAPSHOT_H
#define AG_SNAPSHOT_H

#include <pthread.h>

#include "config.h"
#include "diag.h"
#include "domain.h"
#include "domains.h"
#include "dkimcheck.h"

typedef struct ag_snapshot {
	int refs;			/* atomic */
	unsigned generation;
	ag_config_t *config;
	ag_domains_t *domains;
	ag_psl_t *psl;
	ag_dkim_keys_t *dkim_keys;
} ag_snapshot_t;

/*
 * ag_snapshot_load - read the configuration at `path` and what it names.
 * Returns a snapshot holding one reference, or NULL after adding every
 * problem found to diag.
 */
ag_snapshot_t *ag_snapshot_load(const char *path, ag_diag_t *diag);

/* ag_snapshot_ref - one more reference; returns its argument */
ag_snapshot_t *ag_snapshot_ref(ag_snapshot_t *snapshot);

/* ag_snapshot_unref - drop a reference; frees on the last; returns NULL */
ag_snapshot_t *ag_snapshot_unref(ag_snapshot_t *snapshot);

/* The published snapshot: one per daemon, guarded by a mutex. */
typedef struct ag_snapshot_slot {
	pthread_mutex_t lock;
	ag_snapshot_t *current;
	unsigned generations;
} ag_snapshot_slot_t;

#define AG_SNAPSHOT_SLOT_INIT {PTHREAD_MUTEX_INITIALIZER, NULL, 0}

/* ag_snapshot_publish - make `snapshot` current (takes its reference) */
void ag_snapshot_publish(ag_snapshot_slot_t *slot, ag_snapshot_t *snapshot);

/* ag_snapshot_acquire - a reference to the current snapshot, or NULL */
ag_snapshot_t *ag_snapshot_acquire(ag_snapshot_slot_t *slot);

#endif
