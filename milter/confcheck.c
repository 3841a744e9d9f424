/*
 * confcheck.c - validators of configuration values (see confcheck.h).
 */
#include "confcheck.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "conftext.h"

#define AG_SUN_PATH_MAX 107	/* sizeof(sockaddr_un.sun_path) - 1 */

static const ag_conftext_choice_t ag_confcheck_facilities[] = {
	{"mail", 0}, {"daemon", 0}, {"user", 0}, {"auth", 0}, {"authpriv", 0},
	{"local0", 0}, {"local1", 0}, {"local2", 0}, {"local3", 0},
	{"local4", 0}, {"local5", 0}, {"local6", 0}, {"local7", 0}, {NULL, 0}
};

/* ag_confcheck_port - "1" to "65535" */
static int ag_confcheck_port(const char *s, size_t len)
{
	unsigned long long n;

	return ag_conftext_number(s, len, &n) == 0 && n >= 1 && n <= 65535 &&
	       len <= 5 ? 0 : -1;
}

/* ag_confcheck_ip - an IPv4 (family 4), IPv6 (6) or either (0) address */
static int ag_confcheck_ip(const char *s, size_t len, int family)
{
	unsigned char addr[16];
	char copy[64];

	if (len >= sizeof(copy))
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if (family != 6 && inet_pton(AF_INET, copy, addr) == 1)
		return 0;
	if (family != 4 && inet_pton(AF_INET6, copy, addr) == 1)
		return 0;
	return -1;
}

/* ag_confcheck_hostname - LDH labels, the last one not all digits */
static int ag_confcheck_hostname(const char *s, size_t len)
{
	const char *last = s + len;

	if (!ag_conftext_ldh(s, len, 0))
		return -1;
	while (last > s && last[-1] != '.')
		last--;
	return strspn(last, "0123456789") == (size_t)(s + len - last) ? -1 : 0;
}

/* ag_confcheck_inet - "port[@host]" of an inet or inet6 socket */
static int ag_confcheck_inet(const char *spec, int family, char *why,
			     size_t size)
{
	const char *at = strchr(spec, '@');
	const char *host = at != NULL ? at + 1 : NULL;
	size_t portlen = at != NULL ? (size_t)(at - spec) : strlen(spec);

	if (ag_confcheck_port(spec, portlen) != 0)
		return ag_conftext_why(why, size, "expected a port number "
				       "from 1 to 65535 before '@'");
	if (host != NULL && ag_confcheck_ip(host, strlen(host), family) != 0 &&
	    ag_confcheck_hostname(host, strlen(host)) != 0)
		return ag_conftext_why(why, size, "expected an IPv%d address "
				       "or a host name after '@'", family);
	return 0;
}

/* ag_confcheck_after - what follows a case-insensitive prefix, or NULL */
static const char *ag_confcheck_after(const char *value, const char *prefix)
{
	size_t len = strlen(prefix);

	return strncasecmp(value, prefix, len) == 0 ? value + len : NULL;
}

/* ag_confcheck_socket - libmilter's socket forms */
int ag_confcheck_socket(const char *value, char *why, size_t size)
{
	const char *rest;

	if ((rest = ag_confcheck_after(value, "unix:")) != NULL ||
	    (rest = ag_confcheck_after(value, "local:")) != NULL) {
		if (rest[0] != '/')
			return ag_conftext_why(why, size, "the socket path "
					       "must be absolute");
		if (strlen(rest) > AG_SUN_PATH_MAX)
			return ag_conftext_why(why, size, "socket path longer "
					       "than %d octets",
					       AG_SUN_PATH_MAX);
		return 0;
	}
	if ((rest = ag_confcheck_after(value, "inet:")) != NULL)
		return ag_confcheck_inet(rest, 4, why, size);
	if ((rest = ag_confcheck_after(value, "inet6:")) != NULL)
		return ag_confcheck_inet(rest, 6, why, size);
	return ag_conftext_why(why, size, "expected unix:/path, local:/path, "
			       "inet:port@host or inet6:port@host%s",
			     value[0] == '/' ? " (add \"unix:\")" : "");
}

/* ag_confcheck_user - "user" or "user:group" */
int ag_confcheck_user(const char *value, char *why, size_t size)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t user = strspn(value, ok);

	if (user > 0 && (value[user] == '\0' ||
			 (value[user] == ':' && value[user + 1] != '\0' &&
			  value[user + 1 + strspn(value + user + 1, ok)] ==
				  '\0')))
		return 0;
	return ag_conftext_why(why, size, "expected user or user:group");
}

/* ag_confcheck_facility - a syslog facility name */
int ag_confcheck_facility(const char *value, char *why,
			  size_t size)
{
	const ag_conftext_choice_t *names = ag_confcheck_facilities;
	char list[256];
	int unused;

	if (ag_conftext_choice_parse(names, value, &unused) == 0)
		return 0;
	ag_conftext_choice_list(names, list, sizeof(list));
	return ag_conftext_why(why, size, "expected %s", list);
}

/* ag_confcheck_header - a header field name we may add and remove */
int ag_confcheck_header(const char *value, char *why, size_t size)
{
	static const char *const reserved[] = {
		"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Subject",
		"Date", "Message-ID", "Received", "Return-Path",
		"DKIM-Signature", "Authentication-Results", NULL};
	size_t len = strlen(value);

	if (len > 64)
		return ag_conftext_why(why, size, "longer than 64 characters");
	for (size_t i = 0; i < len; i++)
		if (value[i] < 33 || value[i] > 126 || value[i] == ':')
			return ag_conftext_why(why, size, "expected a header "
					       "field name (printable, no "
					       "':')");
	for (size_t i = 0; reserved[i] != NULL; i++)
		if (strcasecmp(value, reserved[i]) == 0)
			return ag_conftext_why(why, size, "%s is a standard "
					       "header field", reserved[i]);
	return 0;
}

/* ag_confcheck_nameserver - "ip", "ipv4:port", "[ipv6]", "[ipv6]:port" */
int ag_confcheck_nameserver(const char *value, char *why, size_t size)
{
	const char *close = strchr(value, ']');
	const char *colon = strchr(value, ':');
	const char *port = NULL;
	size_t host = strlen(value);
	int family = 0, ok = 1;

	if (value[0] == '[') {
		ok = close != NULL && (close[1] == '\0' || close[1] == ':');
		value++;
		host = ok ? (size_t)(close - value) : 0;
		port = ok && close[1] == ':' ? close + 2 : NULL;
		family = 6;
	} else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
		host = (size_t)(colon - value);
		port = colon + 1;
		family = 4;
	}
	if (ok && ag_confcheck_ip(value, host, family) == 0 &&
	    (port == NULL || ag_confcheck_port(port, strlen(port)) == 0))
		return 0;
	return ag_conftext_why(why, size, "expected an IP address, ipv4:port "
			       "or [ipv6]:port (names are not resolved)");
}

/* ag_confcheck_address - an IPv4 or IPv6 address */
int ag_confcheck_address(const char *value, char *why, size_t size)
{
	if (ag_confcheck_ip(value, strlen(value), 0) == 0)
		return 0;
	return ag_conftext_why(why, size, "'%s' is not an IPv4 or IPv6 address",
			       value);
}
