/*
 * confcheck.h - validators of configuration values (pure: no lookups).
 *
 * Each takes a value as written in the configuration file and returns 0,
 * or -1 with a short English explanation of what is accepted in why[size]
 * (used in "file:line: Key: bad value 'x': <why>"). Host names are checked
 * for syntax only; nothing is resolved.
 */
#ifndef AG_CONFCHECK_H
#define AG_CONFCHECK_H

#include <stddef.h>

/* A validator, as the option table of config.c holds them. */
typedef int (*ag_confcheck_t)(const char *value, char *why, size_t size);

/* ag_confcheck_socket - libmilter form: unix:/path, local:/path,
 * inet:port[@host], inet6:port[@host] */
int ag_confcheck_socket(const char *value, char *why, size_t size);

/* ag_confcheck_user - "user" or "user:group" (names or numbers) */
int ag_confcheck_user(const char *value, char *why, size_t size);

/* ag_confcheck_facility - a syslog facility name (mail, daemon, local0..) */
int ag_confcheck_facility(const char *value, char *why, size_t size);

/* ag_confcheck_header - a header field name that is not a standard one */
int ag_confcheck_header(const char *value, char *why, size_t size);

/* ag_confcheck_nameserver - "ip", "ipv4:port", "[ipv6]" or "[ipv6]:port" */
int ag_confcheck_nameserver(const char *value, char *why, size_t size);

/* ag_confcheck_address - an IPv4 or IPv6 address */
int ag_confcheck_address(const char *value, char *why, size_t size);

#endif
