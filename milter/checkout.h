/*
 * checkout.h - alignguard-check's output formats for domain reports
 * (checkrun.h): the human report, one JSON object per domain, and the
 * Nagios/Icinga status line, plus the tally behind the summary and the
 * exit status.
 *
 * Human: the report is itself a zone-file fragment. Every line is a
 * comment (";") except the records to publish, so
 * `alignguard-check ... | grep -v '^;'` lists exactly what is missing:
 *   ; example.com: FAIL - reject: dkim.key-missing
 *   ;   pass       table         line 3
 *   ;   FAIL       dkim:s1       dkim.key-missing  s1._domainkey...: ...
 *   ;              fix: publish the selector's public key ...
 *   s1._domainkey.example.com. IN TXT ( "v=DKIM1; k=rsa; p=..." "..." )
 * Texts that came from DNS have control characters replaced by '?'.
 *
 * JSON: one object per line and domain (field names in
 * tests/schema/check.schema.json): domain, status, mailfrom, entry,
 * verdict {checked, action, intended, mode, reasons}, dmarc, checks
 * [{name, target, state, reason, found, fix {text, table, records}}].
 * Strings are escaped per RFC 8259; octets that are not UTF-8 become
 * U+FFFD.
 *
 * Nagios (monitoring-plugins conventions): one status line "ALIGNGUARD
 * OK|WARNING|CRITICAL|UNKNOWN - summary | domains=N;; failing=N;;
 * dns_errors=N;;", then one line per failing domain (long output). A
 * failing domain is CRITICAL when one of its reasons is configured to
 * quarantine, tempfail or reject (ag_policy_reason_action, so domain
 * action= and the On* options decide; monitor mode does not soften the
 * alert), WARNING when all are tag or accept; a domain with DNS trouble
 * only is UNKNOWN. The worst state wins: CRITICAL, WARNING, UNKNOWN, OK.
 */
#ifndef AG_CHECKOUT_H
#define AG_CHECKOUT_H

#include <stddef.h>
#include <stdio.h>

#include "checkrun.h"

typedef enum ag_nagios_state {
	AG_NAGIOS_OK = 0,
	AG_NAGIOS_WARNING = 1,
	AG_NAGIOS_CRITICAL = 2,
	AG_NAGIOS_UNKNOWN = 3
} ag_nagios_state_t;

#define AG_CHECK_TALLY_LINES 50

/* Counts over the reports of one run. */
typedef struct ag_check_tally {
	size_t domains;
	size_t pass;
	size_t failing;    /* status fail */
	size_t temperror;  /* status temperror: no verdict */
	size_t dns_errors; /* domains with dns.temperror among the reasons */
	size_t critical;   /* failing with a quarantine/tempfail/reject */
	size_t nlines;     /* Nagios long output kept */
	char *lines[AG_CHECK_TALLY_LINES];
} ag_check_tally_t;

/* ag_check_print_human - a report as a zone-file fragment */
void ag_check_print_human(FILE *out, const ag_check_report_t *report);

/* ag_check_print_json - a report as one JSON object and a newline */
void ag_check_print_json(FILE *out, const ag_check_report_t *report);

/*
 * ag_check_json_string - text as a JSON string literal (quotes included)
 * into buf; returns the length needed (snprintf-like).
 */
size_t ag_check_json_string(const char *text, char *buf, size_t size);

/* ag_check_tally_add - count one report (config: the run's) */
void ag_check_tally_add(ag_check_tally_t *tally, const ag_config_t *config,
                        const ag_check_report_t *report);

/* ag_check_tally_clear - release what a tally keeps */
void ag_check_tally_clear(ag_check_tally_t *tally);

/* ag_check_nagios_state - the state of a tally */
ag_nagios_state_t ag_check_nagios_state(const ag_check_tally_t *tally);

/* ag_check_nagios_status - the status line (no newline); snprintf-like */
size_t ag_check_nagios_status(const ag_check_tally_t *tally, char *buf,
                              size_t size);

/* ag_check_print_nagios - status line and long output */
void ag_check_print_nagios(FILE *out, const ag_check_tally_t *tally);

/* ag_check_sanitise - control characters and DEL become '?' (in place) */
void ag_check_sanitise(char *text);

#endif
