/*
 * log.c - logging to syslog or standard error (see log.h).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int ag_log_to_stderr = 1;

static const struct {
	const char *name;
	int facility;
} ag_log_facilities[] = {
	{"mail", LOG_MAIL},	{"daemon", LOG_DAEMON}, {"user", LOG_USER},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

/* ag_log_facility_parse - syslog facility from its name */
int ag_log_facility_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(ag_log_facilities) / sizeof(ag_log_facilities[0]); i++)
		if (strcasecmp(name, ag_log_facilities[i].name) == 0)
			return ag_log_facilities[i].facility;
	return -1;
}

/* ag_log_open - choose the destination */
int ag_log_open(const char *ident, int to_stderr, const char *facility)
{
	int code = LOG_MAIL;

	if (facility != NULL && (code = ag_log_facility_parse(facility)) < 0)
		return -1;
	ag_log_to_stderr = to_stderr;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, code);
	return 0;
}

/* ag_log_priority_name - short name for stderr lines */
static const char *ag_log_priority_name(int priority)
{
	switch (priority) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_DEBUG:
		return "debug";
	default:
		return "info";
	}
}

/* ag_log - one line */
void ag_log(int priority, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (ag_log_to_stderr) {
		struct timespec now;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ alignguard %s: %s\n", stamp,
			now.tv_nsec / 1000000, ag_log_priority_name(priority), line);
		fflush(stderr);
	} else {
		syslog(priority, "%s", line);
	}
}
