/*
 * checkpublish.h - `alignguard-check --records`: every record a new
 * sending domain publishes, as a zone-file fragment (checkrecords.h),
 * each record under a comment saying what it is for:
 *  - one DKIM key record per selector, from the public half of its private
 *    key file (--selector S --key FILE, else keys= of the domain's table
 *    entry); a selector without a key file gets a comment saying what to
 *    publish instead;
 *  - the send domain's MX (--mx, else mx= of the entry) and SPF record
 *    (spf-include= of the entry and the configured OutboundAddresses);
 *    the send domain is --send-domain, else send-domain= of the entry,
 *    else bounce.<domain> (the domain itself under strict alignment, in
 *    which case no MX is written: the domain's own MX takes the bounces);
 *  - a DMARC record with p=none and rua= (--rua, else
 *    mailto:dmarc-reports@<domain>).
 *
 * Diagnostics: -1 with the reason in err when a key file cannot be read
 * or a record cannot be written; nothing is printed then.
 */
#ifndef AG_CHECKPUBLISH_H
#define AG_CHECKPUBLISH_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "domains.h"

typedef struct ag_check_key_opt {
	const char *selector;
	const char *path; /* NULL: none given */
} ag_check_key_opt_t;

typedef struct ag_check_publish {
	const char *domain;             /* normalised */
	const char *send_domain;        /* NULL: the entry's, or the default */
	const ag_check_key_opt_t *keys; /* NULL/0: the entry's */
	size_t nkeys;
	const char *mx;  /* NULL: the entry's mx= */
	const char *rua; /* NULL: mailto:dmarc-reports@<domain> */
	const ag_config_t *config;
	const ag_domain_entry_t *entry; /* NULL: not in the table */
} ag_check_publish_t;

/* ag_check_publish - write the records; 0, or -1 with err */
int ag_check_publish(FILE *out, const ag_check_publish_t *in, char *err,
                     size_t errsize) __attribute__((warn_unused_result));

#endif
