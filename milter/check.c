/*
 * check.c - alignguard-check: pre-flight and monitoring of sending domains
 * with the daemon's own configuration, table, checks and policy.
 *
 *   alignguard-check [-c FILE] [options] [DOMAIN...]
 *   alignguard-check [-c FILE] --records DOMAIN [--send-domain D]
 *                    [--selector S --key FILE]... [--mx HOST] [--rua URI]
 *
 * Without domains every domain of the table is checked. Output: the human
 * report (a zone-file fragment), --json (one object per domain) or
 * --nagios (a monitoring-plugins status line); see checkout.h. Exit status:
 * 0 every domain passes, 1 some fail, 2 usage or configuration error, 3
 * DNS trouble kept some domain from a verdict (and none failed); with
 * --nagios the plugin's 0/1/2/3 (OK/WARNING/CRITICAL/UNKNOWN).
 *
 * Diagnostics go to standard error as "alignguard-check: ..."; problems in
 * the configuration or table as "file:line: message", all of them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkkinds.h"
#include "checkout.h"
#include "checkpool.h"
#include "checkpublish.h"
#include "checkrun.h"
#include "dnsconfig.h"
#include "resolver.h"
#include "snapshot.h"

#define AG_CHECK_PROG       "alignguard-check"
#define AG_CHECK_EXIT_OK    0
#define AG_CHECK_EXIT_FAIL  1
#define AG_CHECK_EXIT_USAGE 2
#define AG_CHECK_EXIT_DNS   3
#define AG_CHECK_KEYS_MAX   32
#define AG_CHECK_JOBS_MAX   64 /* the domain-state service's worker cap */
#define AG_CHECK_JOBS       8
#define AG_CHECK_FOREVER_S  (30u * 86400u)

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

typedef enum ag_check_format {
	AG_FORMAT_HUMAN,
	AG_FORMAT_JSON,
	AG_FORMAT_NAGIOS
} ag_check_format_t;

typedef struct ag_check_args {
	const char *config;
	ag_check_format_t format;
	int quiet;
	unsigned jobs;
	const char *records;
	const char *send_domain;
	const char *mx;
	const char *rua;
	const char *nameservers;
	ag_check_key_opt_t keys[AG_CHECK_KEYS_MAX];
	char *selector_items[AG_CHECK_KEYS_MAX];
	ag_strlist_t selectors;
	size_t nkeys;
	char **domains;
	size_t ndomains;
	char *owned[3]; /* normalised option values */
} ag_check_args_t;

/* What the emit and progress callbacks share. */
typedef struct ag_check_run {
	const ag_check_args_t *args;
	const ag_config_t *config;
	ag_check_tally_t tally;
	struct timespec started;
	int progress_shown;
} ag_check_run_t;

/* ag_check_usage - the synopsis, to stderr or stdout */
static void ag_check_usage(FILE *out)
{
	fprintf(out,
	        "usage: " AG_CHECK_PROG " [-c FILE] [-j N] [--json|--nagios] "
	        "[-q] [-n SERVERS]\n"
	        "         [--send-domain D] [--mx HOST] [--rua URI] "
	        "[DOMAIN...]\n"
	        "       " AG_CHECK_PROG " [-c FILE] --records DOMAIN "
	        "[--send-domain D]\n"
	        "         [--selector S --key FILE]... [--mx HOST] "
	        "[--rua URI]\n");
}

/* ag_check_fail_usage - a usage error, in the chosen format */
static int ag_check_fail_usage(const ag_check_args_t *args, const char *what,
                               const char *arg)
{
	if (args->format == AG_FORMAT_NAGIOS) {
		printf("ALIGNGUARD UNKNOWN - %s%s%s\n", what, arg ? ": " : "",
		       arg ? arg : "");
		return AG_CHECK_EXIT_DNS;
	}
	fprintf(stderr, AG_CHECK_PROG ": %s%s%s\n", what, arg ? ": " : "",
	        arg ? arg : "");
	ag_check_usage(stderr);
	return AG_CHECK_EXIT_USAGE;
}

/* ag_check_domain_arg - a normalised copy of a domain argument */
static char *ag_check_domain_arg(const char *arg, const char **why)
{
	char out[AG_DOMAIN_MAX + 1];

	if (ag_domain_normalise(arg, strlen(arg), out, sizeof(out), why) != 0)
		return NULL;
	return strdup(out);
}

/* ag_check_jobs_arg - --jobs N, 1..AG_CHECK_JOBS_MAX */
static int ag_check_jobs_arg(const char *arg, unsigned *jobs)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || n < 1 || n > AG_CHECK_JOBS_MAX)
		return -1;
	*jobs = (unsigned)n;
	return 0;
}

/* ag_check_key_arg - --selector S (a new pair) or --key FILE (its key) */
static int ag_check_key_arg(ag_check_args_t *args, int selector,
                            const char *arg)
{
	if (selector) {
		if (args->nkeys >= AG_CHECK_KEYS_MAX || *arg == '\0')
			return -1;
		args->keys[args->nkeys].selector = arg;
		args->selector_items[args->nkeys] = (char *)arg;
		args->nkeys++;
		args->selectors.items = args->selector_items;
		args->selectors.count = args->nkeys;
		return 0;
	}
	if (args->nkeys == 0 || args->keys[args->nkeys - 1].path != NULL)
		return -1;
	args->keys[args->nkeys - 1].path = arg;
	return 0;
}

enum {
	AG_OPT_JSON = 256,
	AG_OPT_NAGIOS,
	AG_OPT_RECORDS,
	AG_OPT_SEND_DOMAIN,
	AG_OPT_SELECTOR,
	AG_OPT_KEY,
	AG_OPT_MX,
	AG_OPT_RUA
};

static const struct option ag_check_options[] = {
    {"config", required_argument, NULL, 'c'},
    {"jobs", required_argument, NULL, 'j'},
    {"nameservers", required_argument, NULL, 'n'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"json", no_argument, NULL, AG_OPT_JSON},
    {"nagios", no_argument, NULL, AG_OPT_NAGIOS},
    {"records", required_argument, NULL, AG_OPT_RECORDS},
    {"send-domain", required_argument, NULL, AG_OPT_SEND_DOMAIN},
    {"selector", required_argument, NULL, AG_OPT_SELECTOR},
    {"key", required_argument, NULL, AG_OPT_KEY},
    {"mx", required_argument, NULL, AG_OPT_MX},
    {"rua", required_argument, NULL, AG_OPT_RUA},
    {NULL, 0, NULL, 0},
};

/* ag_check_option - apply one option; -1 with *bad set when wrong */
static int ag_check_option(ag_check_args_t *args, int opt, const char **bad)
{
	*bad = optarg;
	switch (opt) {
	case 'c':
		args->config = optarg;
		return 0;
	case 'j':
		*bad = "--jobs wants a number from 1 to 64";
		return ag_check_jobs_arg(optarg, &args->jobs);
	case 'n':
		args->nameservers = optarg;
		return 0;
	case 'q':
		args->quiet = 1;
		return 0;
	case AG_OPT_JSON:
		args->format = AG_FORMAT_JSON;
		return 0;
	case AG_OPT_NAGIOS:
		args->format = AG_FORMAT_NAGIOS;
		return 0;
	case AG_OPT_RECORDS:
		args->records = optarg;
		return 0;
	case AG_OPT_SEND_DOMAIN:
		args->send_domain = optarg;
		return 0;
	case AG_OPT_SELECTOR:
	case AG_OPT_KEY:
		*bad = "--key must follow its --selector (one key each)";
		return ag_check_key_arg(args, opt == AG_OPT_SELECTOR, optarg);
	case AG_OPT_MX:
		args->mx = optarg;
		return 0;
	case AG_OPT_RUA:
		args->rua = optarg;
		return 0;
	default:
		*bad = NULL;
		return -1;
	}
}

/* ag_check_normalise_args - normalise every domain given */
static int ag_check_normalise_args(ag_check_args_t *args, char **argv, int argc,
                                   const char **bad, const char **why)
{
	static const char *opt_names[] = {"--records", "--send-domain", "--mx"};
	const char **opts[] = {&args->records, &args->send_domain, &args->mx};
	char *norm;

	for (size_t i = 0; i < 3; i++) {
		if (*opts[i] == NULL)
			continue;
		*bad = opt_names[i];
		if ((norm = ag_check_domain_arg(*opts[i], why)) == NULL)
			return -1;
		*opts[i] = args->owned[i] = norm;
	}
	args->domains = calloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; args->domains != NULL && i < argc; i++) {
		*bad = argv[i];
		if ((args->domains[i] = ag_check_domain_arg(argv[i], why)) ==
		    NULL)
			return -1;
		args->ndomains++;
	}
	return args->domains != NULL ? 0 : -1;
}

/* ag_check_parse - the command line; an exit status when done, else -1 */
static int ag_check_parse(ag_check_args_t *args, int argc, char **argv)
{
	const char *bad = NULL, *why = "out of memory";
	int opt;

	args->config = AG_DEFAULT_CONFIG_FILE;
	args->jobs = AG_CHECK_JOBS;
	/* a usage error is reported in the format asked for, wherever */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--nagios") == 0)
			args->format = AG_FORMAT_NAGIOS;
	while ((opt = getopt_long(argc, argv, "c:j:n:qhV", ag_check_options,
	                          NULL)) != -1) {
		if (opt == 'h' || opt == 'V') {
			if (opt == 'h')
				ag_check_usage(stdout);
			else
				printf(AG_CHECK_PROG " " PACKAGE_VERSION "\n");
			return AG_CHECK_EXIT_OK;
		}
		if (ag_check_option(args, opt, &bad) != 0)
			return ag_check_fail_usage(
			    args, bad ? bad : "bad option", NULL);
	}
	if (args->records != NULL && optind < argc)
		return ag_check_fail_usage(args, "--records takes one domain",
		                           argv[optind]);
	if (ag_check_normalise_args(args, argv + optind, argc - optind, &bad,
	                            &why) != 0)
		return ag_check_fail_usage(args, why, bad);
	return -1;
}

/* ag_check_load - the rules, or every problem on stderr */
static ag_snapshot_t *ag_check_load(const ag_check_args_t *args)
{
	ag_snapshot_t *rules;
	ag_diag_t diag;

	ag_diag_init(&diag);
	rules = ag_snapshot_load(args->config, &diag);
	if (rules == NULL && args->format == AG_FORMAT_NAGIOS)
		printf("ALIGNGUARD UNKNOWN - configuration: %s\n",
		       diag.count > 0 ? diag.messages[0] : args->config);
	for (size_t i = 0; rules == NULL && i < diag.count; i++)
		fprintf(stderr, AG_CHECK_PROG ": %s\n", diag.messages[i]);
	ag_diag_clear(&diag);
	return rules;
}

/* ag_check_records - --records DOMAIN */
static int ag_check_records(const ag_check_args_t *args,
                            const ag_snapshot_t *rules)
{
	ag_check_publish_t in = {
	    .domain = args->records,
	    .send_domain = args->send_domain,
	    .keys = args->keys,
	    .nkeys = args->nkeys,
	    .mx = args->mx,
	    .rua = args->rua,
	    .config = rules->config,
	    .entry = ag_domains_lookup(rules->domains, args->records),
	};
	char err[512];

	if (ag_check_publish(stdout, &in, err, sizeof(err)) != 0) {
		fprintf(stderr, AG_CHECK_PROG ": %s\n", err);
		return AG_CHECK_EXIT_USAGE;
	}
	return AG_CHECK_EXIT_OK;
}

/* ag_check_resolver - the c-ares resolver for the configuration */
static ag_resolver_t *ag_check_resolver(const ag_check_args_t *args,
                                        const ag_config_t *config)
{
	char err[512];
	ag_resolver_t *resolver =
	    ag_dnsconfig_resolver(config, args->nameservers, err, sizeof(err));

	if (resolver == NULL)
		fprintf(stderr, AG_CHECK_PROG ": resolver: %s\n", err);
	return resolver;
}

/* ag_check_state - the domain-state service, for one run: no refreshes */
static ag_dstate_t *ag_check_state(const ag_check_args_t *args,
                                   const ag_config_t *config,
                                   ag_resolver_t *resolver)
{
	ag_dstate_options_t options;
	ag_dstate_t *state;

	ag_dstate_options_from_config(&options, config);
	options.workers = args->jobs;
	options.refresh_min_s = options.refresh_max_s = AG_CHECK_FOREVER_S;
	options.retry_s = options.idle_s = AG_CHECK_FOREVER_S;
	state = ag_dstate_create(resolver, &options, NULL);
	if (state != NULL && ag_check_kinds_register(state) != 0)
		state = ag_dstate_destroy(state);
	if (state == NULL)
		fprintf(stderr, AG_CHECK_PROG ": cannot start the checks\n");
	return state;
}

/* ag_check_elapsed - seconds since the run started */
static double ag_check_elapsed(const ag_check_run_t *run)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - run->started.tv_sec) +
	       (double)(now.tv_nsec - run->started.tv_nsec) / 1e9;
}

/* ag_check_progress - the progress line, on a terminal, after a second */
static void ag_check_progress(void *arg, size_t done, size_t total)
{
	ag_check_run_t *run = arg;
	double secs = ag_check_elapsed(run);

	if (secs < 1.0)
		return;
	fprintf(stderr,
	        "\r" AG_CHECK_PROG ": %zu/%zu domains, %zu failing, "
	        "%.0f/s ",
	        done, total, run->tally.failing, (double)done / secs);
	run->progress_shown = 1;
}

/* ag_check_emit - print and count one report */
static void ag_check_emit(void *arg, const ag_check_report_t *report)
{
	ag_check_run_t *run = arg;

	if (run->progress_shown) {
		fputs("\r\033[K", stderr);
		run->progress_shown = 0;
	}
	ag_check_tally_add(&run->tally, run->config, report);
	if (run->args->format == AG_FORMAT_HUMAN)
		ag_check_print_human(stdout, report);
	else if (run->args->format == AG_FORMAT_JSON)
		ag_check_print_json(stdout, report);
}

/* ag_check_summary - counts and speed at the end */
static void ag_check_summary(const ag_check_run_t *run)
{
	const ag_check_tally_t *t = &run->tally;
	double secs = ag_check_elapsed(run);
	int human = run->args->format == AG_FORMAT_HUMAN;

	if (run->args->quiet || run->args->format == AG_FORMAT_NAGIOS)
		return;
	fprintf(human ? stdout : stderr,
	        "%ssummary: %zu domains: %zu pass, %zu fail, %zu without "
	        "verdict (DNS trouble); %.1f s, %.0f domains/s\n",
	        human ? "; " : AG_CHECK_PROG ": ", t->domains, t->pass,
	        t->failing, t->temperror, secs,
	        secs > 0 ? (double)t->domains / secs : 0.0);
}

/* ag_check_exit_status - the exit status of a finished run */
static int ag_check_exit_status(const ag_check_run_t *run)
{
	if (run->args->format == AG_FORMAT_NAGIOS) {
		ag_check_print_nagios(stdout, &run->tally);
		return (int)ag_check_nagios_state(&run->tally);
	}
	if (run->tally.failing > 0)
		return AG_CHECK_EXIT_FAIL;
	return run->tally.temperror > 0 ? AG_CHECK_EXIT_DNS : AG_CHECK_EXIT_OK;
}

/* ag_check_table_domains - every domain of the table, in file order */
static const char **ag_check_table_domains(const ag_domains_t *table)
{
	size_t n = ag_domains_count(table);
	const char **list = calloc(n + 1, sizeof(*list));

	for (size_t i = 0; list != NULL && i < n; i++)
		list[i] = ag_domains_entry(table, i)->domain;
	return list;
}

/* ag_check_domains - check the domains and report */
static int ag_check_domains(const ag_check_args_t *args,
                            const ag_check_ctx_t *ctx)
{
	ag_check_run_t run = {.args = args, .config = ctx->rules->config};
	ag_check_pool_opts_t opts = {
	    .jobs = args->jobs, .emit = ag_check_emit, .arg = &run};
	const char **list = (const char **)args->domains;
	size_t count = args->ndomains;
	int rc;

	if (count == 0) {
		list = ag_check_table_domains(ctx->rules->domains);
		count = ag_domains_count(ctx->rules->domains);
	}
	if (!args->quiet && args->format != AG_FORMAT_NAGIOS &&
	    isatty(STDERR_FILENO))
		opts.progress = ag_check_progress;
	clock_gettime(CLOCK_MONOTONIC, &run.started);
	rc = list == NULL ? -1 : ag_check_pool_run(ctx, list, count, &opts);
	if (run.progress_shown)
		fputs("\r\033[K", stderr);
	if (list != (const char **)args->domains)
		free(list);
	if (rc != 0) {
		fprintf(stderr, AG_CHECK_PROG ": out of memory\n");
		ag_check_tally_clear(&run.tally);
		return AG_CHECK_EXIT_USAGE;
	}
	ag_check_summary(&run);
	rc = ag_check_exit_status(&run);
	ag_check_tally_clear(&run.tally);
	return rc;
}

/* ag_check_wait_ms - how long a domain's checks may take */
static unsigned ag_check_wait_ms(const ag_config_t *config)
{
	return 2 * (config->dns_retries + 1) * config->dns_timeout_ms + 20000;
}

/* ag_check_run - services up, domains checked, services down */
static int ag_check_run(const ag_check_args_t *args, const ag_snapshot_t *rules)
{
	ag_resolver_t *resolver = ag_check_resolver(args, rules->config);
	ag_dstate_t *state = resolver != NULL
	                         ? ag_check_state(args, rules->config, resolver)
	                         : NULL;
	ag_check_ctx_t ctx = {
	    .rules = rules,
	    .state = state,
	    .resolver = resolver,
	    .wait_ms = ag_check_wait_ms(rules->config),
	    .mailfrom = args->send_domain,
	    .rua = args->rua,
	    .selectors = &args->selectors,
	    .mx = args->mx,
	};
	int rc = AG_CHECK_EXIT_USAGE;

	if (state != NULL)
		rc = ag_check_domains(args, &ctx);
	ag_dstate_destroy(state);
	ag_resolver_destroy(resolver);
	return rc;
}

/* ag_check_args_free - release the normalised domains */
static void ag_check_args_free(ag_check_args_t *args)
{
	for (size_t i = 0; i < args->ndomains; i++)
		free(args->domains[i]);
	free(args->domains);
	for (size_t i = 0; i < 3; i++)
		free(args->owned[i]);
}

int main(int argc, char **argv)
{
	ag_check_args_t args = {0};
	ag_snapshot_t *rules;
	int rc = ag_check_parse(&args, argc, argv);

	if (rc < 0) {
		rules = ag_check_load(&args);
		if (rules == NULL)
			rc = args.format == AG_FORMAT_NAGIOS
			         ? AG_CHECK_EXIT_DNS
			         : AG_CHECK_EXIT_USAGE;
		else if (args.records != NULL)
			rc = ag_check_records(&args, rules);
		else
			rc = ag_check_run(&args, rules);
		ag_snapshot_unref(rules);
	}
	ag_check_args_free(&args);
	return rc;
}
