/*
 * log.h - the daemon's diagnostics: syslog (facility from SyslogFacility,
 * default mail) or, in the foreground, standard error with a timestamp.
 * Thread-safe; one call is one line.
 */
#ifndef AG_LOG_H
#define AG_LOG_H

#include <syslog.h>

/* ag_log_open - start logging; to_stderr for -f, else syslog(facility) */
int ag_log_open(const char *ident, int to_stderr, const char *facility);

/* ag_log_facility_parse - syslog facility from its name; -1 if unknown */
int ag_log_facility_parse(const char *name);

/* ag_log - one line at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO) */
void ag_log(int priority, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
