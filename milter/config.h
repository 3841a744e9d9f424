/*
 * config.h - the daemon's configuration file (DESIGN §4).
 *
 * "Key value" lines, '#' comments (a '#' starts a comment at the start of a
 * line or after white space), keys case-insensitive, values running to the
 * end of the line (trailing white space dropped). Every option is one row
 * of a declarative table in config.c (name, type, default, range,
 * validator); the same table gives the defaults and formats the effective
 * values for `alignguard -t`. Relative paths are taken relative to the
 * directory of the configuration file.
 *
 * ag_config_load() reports every problem it finds, each as "file:line:
 * message" in the diagnostics list (unknown key with the closest known one,
 * missing value, bad value with what is accepted, key given twice, number
 * out of range; a missing Domains or an unreadable file as "file: message"),
 * and returns NULL if there was any.
 *
 * Lists (Nameservers, OutboundAddresses) are separated by commas and/or
 * white space. Durations take an optional unit suffix: ms, s (default), m,
 * h, d ("72h"). Booleans: yes/no, true/false, on/off, 1/0.
 *
 * The text helpers this reader shares with the verified-domain table's
 * (lines and comments, named values, suggestions, paths) are in conftext.h.
 */
#ifndef AG_CONFIG_H
#define AG_CONFIG_H

#include <stddef.h>

#include "diag.h"
#include "domain.h"
#include "reason.h"

#ifndef AG_SYSCONFDIR
#define AG_SYSCONFDIR "/etc"
#endif
#define AG_DEFAULT_CONFIG_FILE AG_SYSCONFDIR "/alignguard/alignguard.conf"

typedef enum ag_mode {
	AG_MODE_ENFORCE,
	AG_MODE_MONITOR
} ag_mode_t;

typedef enum ag_log_format {
	AG_LOG_TEXT,
	AG_LOG_JSON
} ag_log_format_t;

typedef struct ag_strlist {
	char **items;
	size_t count;
} ag_strlist_t;

typedef struct ag_config {
	char *path;			/* the file it was read from */

	/* daemon */
	char *socket;			/* Socket: libmilter form; default unix:/run/alignguard/alignguard.sock */
	char *user_id;			/* UserID: user[:group]; NULL = stay as started */
	char *pid_file;			/* PidFile; NULL = none */
	char *syslog_facility;		/* SyslogFacility; default "mail" */
	ag_log_format_t log_format;	/* LogFormat text|json */

	/* policy */
	char *domains;			/* Domains: verified-domain table path (required) */
	char *public_suffix_list;	/* PublicSuffixList; default AG_DEFAULT_PSL_FILE */
	ag_mode_t mode;			/* Mode enforce|monitor */
	ag_alignment_t alignment;	/* Alignment relaxed|strict */
	ag_action_t on_unverified;	/* OnUnverified: from.* and replyto.missing; default reject */
	ag_action_t on_misaligned;	/* OnMisaligned: mailfrom.*; default reject */
	ag_action_t on_dkim_key;	/* OnDKIMKey: dkim.key-*; default reject */
	ag_action_t on_dkim_signature;	/* OnDKIMSignature: dkim.signature-*; default reject */
	ag_action_t on_spf;		/* OnSPF: spf.*; default reject */
	ag_action_t on_mx;		/* OnMX: mx.missing; default reject */
	ag_action_t on_dmarc;		/* OnDMARC: dmarc.*; default tag */
	ag_action_t on_dns_error;	/* OnDNSError: dns.temperror; default tempfail */
	int null_sender_check;		/* NullSender accept(0)|check(1); default accept */
	int apply_to_authenticated;	/* ApplyTo all(0)|authenticated(1); default all */
	int allow_display_address;	/* AllowDisplayNameAddress yes|no; default no */
	char *tag_header;		/* TagHeader; default X-AlignGuard */
	int tag_pass;			/* TagPass yes|no; default yes */

	/* DNS */
	ag_strlist_t nameservers;	/* Nameservers host[:port] list; empty = system resolver */
	unsigned dns_timeout_ms;	/* DNSTimeout; default 5s */
	unsigned dns_retries;		/* DNSRetries; default 2 */
	unsigned dns_cache_size;	/* DNSCacheSize (entries); default 100000 */
	unsigned dns_grace_period_s;	/* DNSGracePeriod; default 72h */
	unsigned dns_refresh_min_s;	/* DNSRefreshMin: soonest refresh; 60s */
	unsigned dns_retry_s;		/* DNSRetryInterval: retry during DNS
					 * trouble; default 60s */

	/* DKIM */
	unsigned min_key_bits;		/* MinKeyBits; default 1024 */
	int allow_testing_keys;		/* AllowTestingKeys yes|no; default no */
	int verify_signatures;		/* VerifySignatures yes|no; default no */

	/* send domain */
	ag_strlist_t outbound_addresses; /* OutboundAddresses: IPv4/IPv6 list */
	int require_dmarc_pass;		/* RequireDMARCPass yes|no; default no */
} ag_config_t;

/*
 * ag_config_load - read and validate a configuration file. Returns the new
 * configuration, or NULL after adding every problem found to `diag`.
 */
ag_config_t *ag_config_load(const char *path, ag_diag_t *diag);

/* ag_config_defaults - a configuration with every default (Domains NULL) */
ag_config_t *ag_config_defaults(void);

/* ag_config_free - release; accepts NULL, returns NULL */
ag_config_t *ag_config_free(ag_config_t *config);

/*
 * ag_config_parse - the same as ag_config_load() on `len` octets of `text`
 * (need not be NUL-terminated); `name` is used in diagnostics and to
 * resolve relative paths.
 */
ag_config_t *ag_config_parse(const char *name, const char *text, size_t len,
			     ag_diag_t *diag);

/* ag_mode_name / ag_mode_parse - "enforce" / "monitor" */
const char *ag_mode_name(ag_mode_t mode);
int ag_mode_parse(const char *name, ag_mode_t *mode);

/* ag_config_option_count - number of options in the table */
size_t ag_config_option_count(void);

/* ag_config_option_name - the i-th option's name ("DNSTimeout") */
const char *ag_config_option_name(size_t i);

/* ag_config_option_default - the i-th option's default as written in a
 * file; "" when it has none */
const char *ag_config_option_default(size_t i);

/*
 * ag_config_option_format - the i-th option's value in `config`, as it
 * would be written in a file ("" when unset); snprintf-like return.
 */
size_t ag_config_option_format(const ag_config_t *config, size_t i,
			       char *buf, size_t size);

#endif
