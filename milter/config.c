/*
 * config.c - the configuration file reader (see config.h).
 *
 * ag_config_options[] is the whole schema: one row per option with its
 * name, type, default (as text, read by the same code as the file), the
 * field of ag_config_t it fills, a range for numbers and a validator for
 * strings and list items. Reading a file is: split into lines, split each
 * line into key and value, find the row, check the key was not given
 * before, convert and validate the value. Every problem becomes one
 * diagnostic and reading goes on, so that one run shows all of them.
 *
 * Lines, comments, named values, suggestions and paths follow the rules
 * of conftext.c, which the verified-domain table reader shares.
 */
#ifdef HAVE_CONFIG_H
#include "build-config.h"	/* autoconf's: -I. comes before -Imilter */
#endif
#include "config.h"
#include "confcheck.h"
#include "conftext.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifndef AG_DEFAULT_PSL_FILE
#define AG_DEFAULT_PSL_FILE "/usr/share/publicsuffix/public_suffix_list.dat"
#endif

#define AG_CONFIG_WHY_MAX 256
#define AG_CONFIG_ECHO_MAX 80

_Static_assert(sizeof(ag_mode_t) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(ag_action_t) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(ag_alignment_t) == sizeof(int), "enum stored as int");
_Static_assert(sizeof(ag_log_format_t) == sizeof(int), "enum stored as int");

typedef enum ag_config_type {
	AG_OPT_STRING,		/* char *, checked by .check */
	AG_OPT_PATH,		/* char *, relative to the file's dir */
	AG_OPT_CHOICE,		/* int, one of .choices (booleans too) */
	AG_OPT_UNSIGNED,	/* unsigned, .min to .max */
	AG_OPT_DURATION,	/* unsigned, units of .unit_ms; range in ms */
	AG_OPT_LIST		/* ag_strlist_t, items checked by .check */
} ag_config_type_t;

typedef struct ag_config_option {
	const char *name;
	ag_config_type_t type;
	const char *def;		/* NULL: no default */
	size_t offset;			/* into ag_config_t */
	const ag_conftext_choice_t *choices;
	unsigned long long min, max;
	unsigned unit_ms;
	ag_confcheck_t check;
	const char *required;		/* what it is, when required */
} ag_config_option_t;

static const ag_conftext_choice_t ag_config_log_formats[] = {
	{"text", AG_LOG_TEXT}, {"json", AG_LOG_JSON}, {NULL, 0}
};
static const ag_conftext_choice_t ag_config_null_senders[] = {
	{"accept", 0}, {"check", 1}, {NULL, 0}
};
static const ag_conftext_choice_t ag_config_apply_to[] = {
	{"all", 0}, {"authenticated", 1}, {NULL, 0}
};
#define AG_OFF(field) offsetof(ag_config_t, field)
#define AG_STRING(n, f, d, c) \
	{n, AG_OPT_STRING, d, AG_OFF(f), NULL, 0, 0, 0, c, NULL}
#define AG_PATH(n, f, d, r) \
	{n, AG_OPT_PATH, d, AG_OFF(f), NULL, 0, 0, 0, NULL, r}
#define AG_CHOICE(n, f, d, t) \
	{n, AG_OPT_CHOICE, d, AG_OFF(f), t, 0, 0, 0, NULL, NULL}
#define AG_BOOL(n, f, d) AG_CHOICE(n, f, d, ag_conftext_booleans)
#define AG_ACTION(n, f, d) AG_CHOICE(n, f, d, ag_conftext_actions)
#define AG_UNSIGNED(n, f, d, lo, hi) \
	{n, AG_OPT_UNSIGNED, d, AG_OFF(f), NULL, lo, hi, 0, NULL, NULL}
#define AG_DURATION(n, f, d, lo, hi, unit) \
	{n, AG_OPT_DURATION, d, AG_OFF(f), NULL, lo, hi, unit, NULL, NULL}
#define AG_LIST(n, f, c) \
	{n, AG_OPT_LIST, NULL, AG_OFF(f), NULL, 0, 0, 0, c, NULL}

#define AG_SECOND 1000ULL
#define AG_DAY (86400ULL * AG_SECOND)

static const ag_config_option_t ag_config_options[] = {
	AG_STRING("Socket", socket, "unix:/run/alignguard/alignguard.sock",
		  ag_confcheck_socket),
	AG_STRING("UserID", user_id, NULL, ag_confcheck_user),
	AG_PATH("PidFile", pid_file, NULL, NULL),
	AG_STRING("SyslogFacility", syslog_facility, "mail",
		  ag_confcheck_facility),
	AG_CHOICE("LogFormat", log_format, "text", ag_config_log_formats),
	AG_PATH("Domains", domains, NULL,
		"the path of the verified-domain table"),
	AG_PATH("PublicSuffixList", public_suffix_list, AG_DEFAULT_PSL_FILE,
		NULL),
	AG_CHOICE("Mode", mode, "enforce", ag_conftext_modes),
	AG_CHOICE("Alignment", alignment, "relaxed", ag_conftext_alignments),
	AG_ACTION("OnUnverified", on_unverified, "reject"),
	AG_ACTION("OnMisaligned", on_misaligned, "reject"),
	AG_ACTION("OnDKIMKey", on_dkim_key, "reject"),
	AG_ACTION("OnDKIMSignature", on_dkim_signature, "reject"),
	AG_ACTION("OnSPF", on_spf, "reject"),
	AG_ACTION("OnMX", on_mx, "reject"),
	AG_ACTION("OnDMARC", on_dmarc, "tag"),
	AG_ACTION("OnDNSError", on_dns_error, "tempfail"),
	AG_CHOICE("NullSender", null_sender_check, "accept",
		  ag_config_null_senders),
	AG_CHOICE("ApplyTo", apply_to_authenticated, "all", ag_config_apply_to),
	AG_BOOL("AllowDisplayNameAddress", allow_display_address, "no"),
	AG_STRING("TagHeader", tag_header, "X-AlignGuard",
		  ag_confcheck_header),
	AG_BOOL("TagPass", tag_pass, "yes"),
	AG_LIST("Nameservers", nameservers, ag_confcheck_nameserver),
	AG_DURATION("DNSTimeout", dns_timeout_ms, "5s", 10, 60 * AG_SECOND, 1),
	AG_UNSIGNED("DNSRetries", dns_retries, "2", 0, 10),
	AG_UNSIGNED("DNSCacheSize", dns_cache_size, "100000", 1, 100000000),
	AG_DURATION("DNSGracePeriod", dns_grace_period_s, "72h", 0,
		    30 * AG_DAY, 1000),
	AG_DURATION("DNSRefreshMin", dns_refresh_min_s, "60s", AG_SECOND,
		    AG_DAY, 1000),
	AG_DURATION("DNSRetryInterval", dns_retry_s, "60s", AG_SECOND,
		    AG_DAY, 1000),
	AG_UNSIGNED("MinKeyBits", min_key_bits, "1024", 512, 16384),
	AG_BOOL("AllowTestingKeys", allow_testing_keys, "no"),
	AG_BOOL("VerifySignatures", verify_signatures, "no"),
	AG_LIST("OutboundAddresses", outbound_addresses,
		ag_confcheck_address),
	AG_BOOL("RequireDMARCPass", require_dmarc_pass, "no"),
	{NULL, AG_OPT_STRING, NULL, 0, NULL, 0, 0, 0, NULL, NULL}
};

#define AG_CONFIG_NOPTIONS \
	(sizeof(ag_config_options) / sizeof(ag_config_options[0]) - 1)

typedef struct ag_config_parser {
	const char *name;
	ag_diag_t *diag;
	ag_config_t *config;
	unsigned seen[AG_CONFIG_NOPTIONS];
	unsigned errors;
} ag_config_parser_t;

/* ag_config_field - the field an option fills */
static void *ag_config_field(const ag_config_t *config,
			     const ag_config_option_t *opt)
{
	return (char *)config + opt->offset;
}

/* Duration units, largest first; a number without one is in seconds. */
static const struct ag_config_unit {
	const char *suffix;
	unsigned long long ms;
} ag_config_units[] = {{"d", AG_DAY}, {"h", 3600 * AG_SECOND},
		       {"m", 60 * AG_SECOND}, {"s", AG_SECOND}, {"ms", 1}};

#define AG_CONFIG_NUNITS (sizeof(ag_config_units) / sizeof(ag_config_units[0]))

/* ag_config_duration_text - a duration in the largest exact unit */
static void ag_config_duration_text(unsigned long long ms, char *buf,
				    size_t size)
{
	const struct ag_config_unit *unit = ag_config_units;

	while (ms != 0 && ms % unit->ms != 0)
		unit++;		/* ends at "ms" at the latest */
	snprintf(buf, size, "%llu%s", ms / unit->ms,
		 ms == 0 ? "s" : unit->suffix);
}

/* ag_config_duration - "90", "500ms", "5m", "72h", "30d" to milliseconds */
static int ag_config_duration(const char *s, unsigned long long *ms)
{
	size_t digits = strspn(s, "0123456789");
	const char *suffix = s[digits] != '\0' ? s + digits : "s";
	unsigned long long n;

	if (ag_conftext_number(s, digits, &n) != 0)
		return -1;
	for (size_t i = 0; i < AG_CONFIG_NUNITS; i++)
		if (strcasecmp(suffix, ag_config_units[i].suffix) == 0) {
			if (n > ULLONG_MAX / ag_config_units[i].ms)
				return -1;
			*ms = n * ag_config_units[i].ms;
			return 0;
		}
	return -1;
}

/* ag_config_in_range - whether n fits the option's range; else why */
static int ag_config_in_range(const ag_config_option_t *opt,
			      unsigned long long n, char *why, size_t size)
{
	char lo[32], hi[32], got[32];

	if (n >= opt->min && n <= opt->max)
		return 0;
	if (opt->type == AG_OPT_DURATION) {
		ag_config_duration_text(opt->min, lo, sizeof(lo));
		ag_config_duration_text(opt->max, hi, sizeof(hi));
		ag_config_duration_text(n, got, sizeof(got));
	} else {
		snprintf(lo, sizeof(lo), "%llu", opt->min);
		snprintf(hi, sizeof(hi), "%llu", opt->max);
		snprintf(got, sizeof(got), "%llu", n);
	}
	return ag_conftext_why(why, size, "%s is out of range (%s to %s)", got,
			       lo, hi);
}

/* ag_config_set_number - unsigned and duration values */
static int ag_config_set_number(const ag_config_option_t *opt, void *field,
				const char *value, char *why, size_t size)
{
	unsigned long long n;

	if (opt->type == AG_OPT_UNSIGNED) {
		if (ag_conftext_number(value, strlen(value), &n) != 0)
			return ag_conftext_why(why, size,
					       "expected a whole number");
	} else if (ag_config_duration(value, &n) != 0) {
		return ag_conftext_why(why, size, "expected a duration: a "
				       "number with an optional unit ms, s, "
				       "m, h or d (\"30s\", \"72h\")");
	}
	if (ag_config_in_range(opt, n, why, size) != 0)
		return -1;
	if (opt->type == AG_OPT_DURATION) {
		if (n % opt->unit_ms != 0)
			return ag_conftext_why(why, size, "expected a whole "
					       "number of seconds");
		n /= opt->unit_ms;
	}
	*(unsigned *)field = (unsigned)n;
	return 0;
}

/* ag_config_set_string - strings and paths (path relative to base) */
static int ag_config_set_string(const ag_config_option_t *opt, char **field,
				const char *value, const char *base,
				char *why, size_t size)
{
	char resolved[PATH_MAX];
	char *copy;

	if (opt->check != NULL && opt->check(value, why, size) != 0)
		return -1;
	if (opt->type == AG_OPT_PATH) {
		size_t len = strlen(value);
		if (ag_conftext_path_resolve(base, value, len, resolved,
					     sizeof(resolved)) != 0)
			return ag_conftext_why(why, size, "path too long");
		value = resolved;
	}
	if ((copy = strdup(value)) == NULL)
		return ag_conftext_why(why, size, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

/* ag_strlist_clear - free a list's items */
static void ag_strlist_clear(ag_strlist_t *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/* ag_config_set_list - items separated by commas and/or white space */
static int ag_config_set_list(const ag_config_option_t *opt,
			      ag_strlist_t *list, const char *value,
			      char *why, size_t size)
{
	static const char seps[] = ", \t\r\v\f";
	ag_strlist_t out = {NULL, 0};
	size_t n = 0, len;
	int rc = 0;

	for (const char *p = value; *(p += strspn(p, seps)) != '\0';
	     p += strcspn(p, seps))
		n++;
	if (n == 0)
		return ag_conftext_why(why, size, "empty list");
	if ((out.items = calloc(n, sizeof(*out.items))) == NULL)
		return ag_conftext_why(why, size, "out of memory");
	for (const char *p = value; rc == 0 && *(p += strspn(p, seps)) != '\0';
	     p += len) {
		len = strcspn(p, seps);
		if ((out.items[out.count] = strndup(p, len)) == NULL)
			rc = ag_conftext_why(why, size, "out of memory");
		else
			rc = opt->check(out.items[out.count++], why, size);
	}
	if (rc != 0) {
		ag_strlist_clear(&out);
		return -1;
	}
	ag_strlist_clear(list);
	*list = out;
	return 0;
}

/* ag_config_set - convert and store one value; -1 with why if bad */
static int ag_config_set(const ag_config_option_t *opt, ag_config_t *config,
			 const char *value, const char *base, char *why,
			 size_t size)
{
	void *field = ag_config_field(config, opt);
	char list[256];
	int n;

	switch (opt->type) {
	case AG_OPT_STRING:
	case AG_OPT_PATH:
		return ag_config_set_string(opt, field, value, base, why, size);
	case AG_OPT_CHOICE:
		if (ag_conftext_choice_parse(opt->choices, value, &n) == 0) {
			*(int *)field = n;
			return 0;
		}
		ag_conftext_choice_list(opt->choices, list, sizeof(list));
		return ag_conftext_why(why, size, "expected %s", list);
	case AG_OPT_UNSIGNED:
	case AG_OPT_DURATION:
		return ag_config_set_number(opt, field, value, why, size);
	case AG_OPT_LIST:
		return ag_config_set_list(opt, field, value, why, size);
	}
	return -1;
}

/* ag_config_create - an empty configuration with every default applied */
static ag_config_t *ag_config_create(void)
{
	ag_config_t *config = calloc(1, sizeof(*config));
	char why[AG_CONFIG_WHY_MAX];

	if (config == NULL)
		return NULL;
	for (size_t i = 0; i < AG_CONFIG_NOPTIONS; i++) {
		const ag_config_option_t *opt = &ag_config_options[i];
		if (opt->def != NULL &&
		    ag_config_set(opt, config, opt->def, NULL, why,
				  sizeof(why)) != 0)
			return ag_config_free(config);
	}
	return config;
}

/* ag_config_defaults - a configuration with every default */
ag_config_t *ag_config_defaults(void)
{
	return ag_config_create();
}

/* ag_config_free - release everything */
ag_config_t *ag_config_free(ag_config_t *config)
{
	if (config == NULL)
		return NULL;
	for (size_t i = 0; i < AG_CONFIG_NOPTIONS; i++) {
		const ag_config_option_t *opt = &ag_config_options[i];
		void *field = ag_config_field(config, opt);
		if (opt->type == AG_OPT_STRING || opt->type == AG_OPT_PATH)
			free(*(char **)field);
		else if (opt->type == AG_OPT_LIST)
			ag_strlist_clear(field);
	}
	free(config->path);
	free(config);
	return NULL;
}

/* ag_config_error - one diagnostic, counted */
static void ag_config_error(ag_config_parser_t *p, unsigned line,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ag_config_error(ag_config_parser_t *p, unsigned line,
			    const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ag_diag_add(p->diag, p->name, line, "%s", text);
	p->errors++;
}

/* ag_config_find - the row of a key (case-insensitive); NULL if unknown */
static const ag_config_option_t *ag_config_find(const char *key)
{
	for (size_t i = 0; i < AG_CONFIG_NOPTIONS; i++)
		if (strcasecmp(key, ag_config_options[i].name) == 0)
			return &ag_config_options[i];
	return NULL;
}

/* ag_config_unknown - report an unknown key, with a suggestion */
static void ag_config_unknown(ag_config_parser_t *p, unsigned line,
			      const char *key)
{
	char echo[AG_CONFIG_ECHO_MAX];
	const char *near = ag_conftext_suggest(key, &ag_config_options[0].name,
					       sizeof(ag_config_options[0]));

	ag_conftext_echo(key, strlen(key), echo, sizeof(echo));
	if (strchr(key, '=') != NULL)
		ag_config_error(p, line, "'%s': expected \"Key value\", "
				"not \"Key=value\"", echo);
	else if (near != NULL)
		ag_config_error(p, line, "unknown key '%s' (did you mean "
				"'%s'?)", echo, near);
	else
		ag_config_error(p, line, "unknown key '%s'", echo);
}

/* ag_config_line - one "Key value" line */
static void ag_config_line(ag_config_parser_t *p, unsigned line, char *text)
{
	char why[AG_CONFIG_WHY_MAX], echo[AG_CONFIG_ECHO_MAX];
	const ag_config_option_t *opt;
	char *value = text + strcspn(text, " \t\r\v\f");
	size_t index;

	if (*value != '\0') {
		*value++ = '\0';
		value += strspn(value, " \t\r\v\f");
	}
	if ((opt = ag_config_find(text)) == NULL) {
		ag_config_unknown(p, line, text);
		return;
	}
	index = (size_t)(opt - ag_config_options);
	if (p->seen[index] != 0) {
		ag_config_error(p, line, "%s given twice (first on line %u)",
				opt->name, p->seen[index]);
		return;
	}
	p->seen[index] = line;
	if (*value == '\0')
		ag_config_error(p, line, "%s: missing value", opt->name);
	else if (ag_config_set(opt, p->config, value, p->name, why,
			       sizeof(why)) != 0)
		ag_config_error(p, line, "%s: bad value '%s': %s", opt->name,
				ag_conftext_echo(value, strlen(value), echo,
						 sizeof(echo)), why);
}

/* ag_config_parse - read a configuration from a buffer */
ag_config_t *ag_config_parse(const char *name, const char *text, size_t len,
			     ag_diag_t *diag)
{
	ag_config_parser_t p = {.name = name, .diag = diag};
	ag_conftext_line_t line = {0};
	size_t pos = 0;

	if ((p.config = ag_config_create()) == NULL ||
	    (p.config->path = strdup(name)) == NULL) {
		ag_diag_add(diag, name, 0, "out of memory");
		return ag_config_free(p.config);
	}
	while (ag_conftext_line_next(text, len, &pos, &line)) {
		char *copy;
		if (line.has_nul)
			ag_config_error(&p, line.number, "NUL octet in line");
		if (line.has_nul || line.len == 0)
			continue;
		if ((copy = strndup(line.text, line.len)) == NULL) {
			ag_config_error(&p, line.number, "out of memory");
			continue;
		}
		ag_config_line(&p, line.number, copy);
		free(copy);
	}
	for (size_t i = 0; i < AG_CONFIG_NOPTIONS; i++)
		if (ag_config_options[i].required && p.seen[i] == 0)
			ag_config_error(&p, 0, "%s is required (%s)",
					ag_config_options[i].name,
					ag_config_options[i].required);
	if (p.errors > 0)
		return ag_config_free(p.config);
	return p.config;
}

/* ag_config_load - read and validate a configuration file */
ag_config_t *ag_config_load(const char *path, ag_diag_t *diag)
{
	ag_config_t *config;
	size_t len;
	char *text = ag_conftext_read_file(path, &len, diag);

	if (text == NULL)
		return NULL;
	config = ag_config_parse(path, text, len, diag);
	free(text);
	return config;
}

/* ag_mode_name - "enforce" / "monitor" */
const char *ag_mode_name(ag_mode_t mode)
{
	return mode == AG_MODE_MONITOR ? "monitor" : "enforce";
}

/* ag_mode_parse - mode from its name */
int ag_mode_parse(const char *name, ag_mode_t *mode)
{
	int value;

	if (ag_conftext_choice_parse(ag_conftext_modes, name, &value) != 0)
		return -1;
	*mode = (ag_mode_t)value;
	return 0;
}

/* ag_config_option_count - number of options */
size_t ag_config_option_count(void)
{
	return AG_CONFIG_NOPTIONS;
}

/* ag_config_option_name - name of the i-th option */
const char *ag_config_option_name(size_t i)
{
	return i < AG_CONFIG_NOPTIONS ? ag_config_options[i].name : NULL;
}

/* ag_config_option_default - default of the i-th option as text */
const char *ag_config_option_default(size_t i)
{
	if (i >= AG_CONFIG_NOPTIONS || ag_config_options[i].def == NULL)
		return "";
	return ag_config_options[i].def;
}

/* ag_config_list_format - items separated by ", " */
static size_t ag_config_list_format(const ag_strlist_t *list, char *buf,
				    size_t size)
{
	size_t need = 0;

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < list->count; i++) {
		int n = snprintf(buf + (need < size ? need : size),
				 need < size ? size - need : 0, "%s%s",
				 i > 0 ? ", " : "", list->items[i]);
		need += n > 0 ? (size_t)n : 0;
	}
	return need;
}

/* ag_config_option_format - the i-th option's value as text */
size_t ag_config_option_format(const ag_config_t *config, size_t i,
			       char *buf, size_t size)
{
	const ag_config_option_t *opt;
	const void *field;
	char text[32];
	const char *s = "";

	if (i >= AG_CONFIG_NOPTIONS || config == NULL)
		return (size_t)snprintf(buf, size, "%s", "");
	opt = &ag_config_options[i];
	field = ag_config_field(config, opt);
	switch (opt->type) {
	case AG_OPT_STRING:
	case AG_OPT_PATH:
		s = *(char *const *)field != NULL ? *(char *const *)field : "";
		break;
	case AG_OPT_CHOICE:
		s = ag_conftext_choice_name(opt->choices, *(const int *)field);
		break;
	case AG_OPT_UNSIGNED:
		snprintf(text, sizeof(text), "%u", *(const unsigned *)field);
		s = text;
		break;
	case AG_OPT_DURATION:
		ag_config_duration_text((unsigned long long)opt->unit_ms *
						*(const unsigned *)field,
					text, sizeof(text));
		s = text;
		break;
	case AG_OPT_LIST:
		return ag_config_list_format(field, buf, size);
	}
	return (size_t)snprintf(buf, size, "%s", s);
}
