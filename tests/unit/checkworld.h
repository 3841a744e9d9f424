/*
 * checkworld.h - a small world for the alignguard-check unit tests:
 * a configuration and a verified-domain table written to a temporary
 * directory (with key files) and loaded as a snapshot, an in-memory zone
 * (dnsmem) behind the domain-state service with every kind registered,
 * and the check context over them. Fixed key vectors made with openssl.
 */
#ifndef AG_CHECKWORLD_H
#define AG_CHECKWORLD_H

#include "checkrun.h"
#include "dnsmem.h"

typedef struct ag_check_world {
	char dir[64];
	ag_snapshot_t *rules;
	ag_dnsmem_t *mem;
	ag_dstate_t *state;
	ag_check_ctx_t ctx;
} ag_check_world_t;

extern const char ag_test_rsa2048_pem[];
extern const char ag_test_rsa1024_pem[];
extern const char ag_test_ed25519_pem[];
extern const char ag_test_rsa2048_p[]; /* their p= values */
extern const char ag_test_rsa1024_p[];
extern const char ag_test_ed25519_p[];

/* ag_check_world_begin - a temporary directory and an empty zone */
ag_check_world_t *ag_check_world_begin(void);

/* ag_check_world_file - write a file into the directory; its path */
const char *ag_check_world_file(ag_check_world_t *world, const char *name,
                                const char *text);

/*
 * ag_check_world_load - write the configuration (config lines, the
 * Domains line added) and the table, load them, start the service
 */
void ag_check_world_load(ag_check_world_t *world, const char *config,
                         const char *table);

/* ag_check_world_txt / _mx - add records to the zone */
void ag_check_world_txt(ag_check_world_t *world, const char *name,
                        const char *text);
void ag_check_world_mx(ag_check_world_t *world, const char *name,
                       const char *host);

/* ag_check_world_dkim - publish "v=DKIM1; k=rsa; p=<p>" at sel._domainkey.d */
void ag_check_world_dkim(ag_check_world_t *world, const char *selector,
                         const char *domain, const char *p);

/* ag_check_world_complete - DKIM s1 (rsa2048), MX, SPF for 192.0.2.10
 * at bounce.<domain>, DMARC p=reject: a domain that passes */
void ag_check_world_complete(ag_check_world_t *world, const char *domain);

/* ag_check_world_end - stop and remove everything; accepts NULL */
void ag_check_world_end(ag_check_world_t *world);

/* ag_check_world_line - the line named `name` of a report, or NULL */
const ag_check_line_t *ag_check_world_line(const ag_check_report_t *report,
                                           const char *name);

#endif
