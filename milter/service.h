/*
 * service.h - the daemon's long-lived services, wired together: the DNS
 * resolver and the per-domain state behind the milter's DNS facts, and the
 * counters. Created once at start-up (as root, before privileges are
 * dropped, so private keys can be read), told about every reload, and
 * destroyed at exit.
 */
#ifndef AG_SERVICE_H
#define AG_SERVICE_H

#include <stddef.h>

#include "milter.h"
#include "snapshot.h"

typedef struct ag_service ag_service_t;

/* ag_service_create - services for the first rules; NULL + err on failure */
ag_service_t *ag_service_create(const ag_snapshot_t *rules, char *err,
				size_t errsize);

/* ag_service_world - what the milter callbacks are handed */
ag_milter_world_t *ag_service_world(ag_service_t *service,
				    ag_snapshot_slot_t *rules);

/* ag_service_reload - new rules are about to be published */
void ag_service_reload(ag_service_t *service, const ag_snapshot_t *rules);

/* ag_service_log_stats - log the counters (SIGUSR1) */
void ag_service_log_stats(ag_service_t *service);

/* ag_service_destroy - accepts NULL, returns NULL */
ag_service_t *ag_service_destroy(ag_service_t *service);

#endif
