/*
 * snapshot.c - loading, sharing and swapping the rules (see snapshot.h).
 */
#include "snapshot.h"

#include <stdlib.h>

/* ag_snapshot_free - release every part */
static void ag_snapshot_free(ag_snapshot_t *snapshot)
{
	ag_config_free(snapshot->config);
	ag_domains_free(snapshot->domains);
	ag_psl_free(snapshot->psl);
	ag_dkim_keys_free(snapshot->dkim_keys);
	free(snapshot);
}

/* ag_snapshot_load_keys - the public halves of every keys= file */
static void ag_snapshot_load_keys(ag_snapshot_t *snapshot, ag_diag_t *diag)
{
	const ag_domains_t *table = snapshot->domains;
	const char *path = snapshot->config->domains;

	if ((snapshot->dkim_keys = ag_dkim_keys_create()) == NULL) {
		ag_diag_add(diag, path, 0, "out of memory loading keys");
		return;
	}
	for (size_t i = 0; i < ag_domains_count(table); i++) {
		const ag_domain_entry_t *entry = ag_domains_entry(table, i);
		if (entry->key_count > 0 &&
		    ag_dkim_keys_load_entry(snapshot->dkim_keys, entry, path,
					    diag) != 0)
			continue;
	}
}

/* ag_snapshot_load - configuration, table and suffix list together */
ag_snapshot_t *ag_snapshot_load(const char *path, ag_diag_t *diag)
{
	ag_snapshot_t *snapshot = calloc(1, sizeof(*snapshot));
	size_t problems = diag->count;
	char err[512];

	if (snapshot == NULL) {
		ag_diag_add(diag, path, 0, "out of memory");
		return NULL;
	}
	snapshot->refs = 1;
	snapshot->config = ag_config_load(path, diag);
	if (snapshot->config != NULL) {
		const ag_config_t *config = snapshot->config;

		snapshot->domains = ag_domains_load(config->domains, diag);
		if (snapshot->domains != NULL)
			ag_snapshot_load_keys(snapshot, diag);
		snapshot->psl = ag_psl_load(config->public_suffix_list, err,
					    sizeof(err));
		if (snapshot->psl == NULL)
			ag_diag_add(diag, config->path, 0,
				    "PublicSuffixList: %s", err);
	}
	if (diag->count > problems || snapshot->domains == NULL ||
	    snapshot->psl == NULL) {
		if (diag->count == problems)
			ag_diag_add(diag, path, 0, "cannot be loaded");
		ag_snapshot_free(snapshot);
		return NULL;
	}
	return snapshot;
}

/* ag_snapshot_ref - one more reference */
ag_snapshot_t *ag_snapshot_ref(ag_snapshot_t *snapshot)
{
	__atomic_add_fetch(&snapshot->refs, 1, __ATOMIC_RELAXED);
	return snapshot;
}

/* ag_snapshot_unref - drop a reference */
ag_snapshot_t *ag_snapshot_unref(ag_snapshot_t *snapshot)
{
	if (snapshot != NULL &&
	    __atomic_sub_fetch(&snapshot->refs, 1, __ATOMIC_ACQ_REL) == 0)
		ag_snapshot_free(snapshot);
	return NULL;
}

/* ag_snapshot_publish - make a snapshot current */
void ag_snapshot_publish(ag_snapshot_slot_t *slot, ag_snapshot_t *snapshot)
{
	ag_snapshot_t *old;

	pthread_mutex_lock(&slot->lock);
	old = slot->current;
	snapshot->generation = ++slot->generations;
	slot->current = snapshot;
	pthread_mutex_unlock(&slot->lock);
	ag_snapshot_unref(old);
}

/* ag_snapshot_acquire - a reference to the current snapshot */
ag_snapshot_t *ag_snapshot_acquire(ag_snapshot_slot_t *slot)
{
	ag_snapshot_t *snapshot;

	pthread_mutex_lock(&slot->lock);
	snapshot = slot->current ? ag_snapshot_ref(slot->current) : NULL;
	pthread_mutex_unlock(&slot->lock);
	return snapshot;
}
