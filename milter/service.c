/*
 * service.c - the daemon's services (see service.h).
 */
#include "service.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

struct ag_service {
	ag_milter_world_t world;
};

/* ag_service_create - services for the first rules */
ag_service_t *ag_service_create(const ag_snapshot_t *rules, char *err,
				size_t errsize)
{
	ag_service_t *service = calloc(1, sizeof(*service));

	if (service == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	return service;
}

/* ag_service_world - the callbacks' world */
ag_milter_world_t *ag_service_world(ag_service_t *service,
				    ag_snapshot_slot_t *rules)
{
	service->world.rules = rules;
	return &service->world;
}

/* ag_service_reload - nothing to re-read yet beyond the rules */
void ag_service_reload(ag_service_t *service, const ag_snapshot_t *rules)
{
	(void)service;
	(void)rules;
}

/* ag_service_log_stats - the counters */
void ag_service_log_stats(ag_service_t *service)
{
	char line[2048];

	ag_milter_stats_format(line, sizeof(line));
	ag_log(LOG_INFO, "event=stats %s", line);
}

/* ag_service_destroy - release */
ag_service_t *ag_service_destroy(ag_service_t *service)
{
	free(service);
	return NULL;
}
