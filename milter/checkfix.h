/*
 * checkfix.h - what to do about a failed check: one text per reason code
 * and, where DNS can fix it, the exact records to publish as zone-file
 * lines (checkrecords.h).
 *
 * The fixes know reasons, not kinds: a DKIM reason's line targets
 * <selector>._domainkey.<domain>; SPF and MX reasons concern the send
 * domain (send-domain=, else the return-path domain judged); DMARC
 * reasons the From domain. Records come from what alignguard already
 * knows: the public half of the operator's private key (keys=), the
 * OutboundAddresses and spf-include= (merged into the SPF record
 * published now, looked up through the run's resolver), mx= (or the
 * host the caller names), and a first DMARC record with p=none. When the
 * exact record cannot be known (no keys=, no MX host), the text says
 * what to publish and how to let alignguard-check write it.
 *
 * from.unverified comes with the table line to add, mailfrom.unaligned
 * with the send domain to use.
 *
 * Diagnostics: none; a record that cannot be written (a key file that
 * went away) is explained in the text instead.
 */
#ifndef AG_CHECKFIX_H
#define AG_CHECKFIX_H

#include "checkrun.h"

/*
 * ag_check_fix_make - the fix of a failed (or warned) line of a report;
 * NULL when out of memory.
 */
ag_check_fix_t *ag_check_fix_make(const ag_check_ctx_t *ctx,
                                  const ag_check_report_t *report,
                                  const ag_check_line_t *line);

/* ag_check_fix_free - accepts NULL, returns NULL */
ag_check_fix_t *ag_check_fix_free(ag_check_fix_t *fix);

#endif
