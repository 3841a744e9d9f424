/*
 * spfaddr.c - client addresses for SPF (spfint.h): parsing (an IPv4-mapped
 * IPv6 address is IPv4, RFC 7208 section 5), CIDR comparison and the
 * textual forms the macros and the ptr mechanism need.
 */
#include "spfint.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const uint8_t ag_spf_v4mapped[12] = {0, 0, 0, 0, 0,    0,
                                            0, 0, 0, 0, 0xff, 0xff};

/* ag_spf_ip_parse - text to address */
int ag_spf_ip_parse(const char *text, ag_spf_ip_t *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (text == NULL)
		return -1;
	if (inet_pton(AF_INET, text, ip->addr) == 1)
		return 0;
	if (inet_pton(AF_INET6, text, ip->addr) != 1)
		return -1;
	ip->v6 = 1;
	if (memcmp(ip->addr, ag_spf_v4mapped, sizeof(ag_spf_v4mapped)) == 0) {
		memmove(ip->addr, ip->addr + 12, 4);
		memset(ip->addr + 4, 0, 12);
		ip->v6 = 0;
	}
	return 0;
}

/* ag_spf_ip_match - prefix comparison */
int ag_spf_ip_match(const ag_spf_ip_t *ip, const uint8_t *net, int v6,
                    unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;

	if (ip->v6 != v6 || prefix > (v6 ? 128u : 32u))
		return 0;
	if (memcmp(ip->addr, net, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (ip->addr[whole] & mask) == (net[whole] & mask);
}

/* ag_spf_ip_nibbles - the 32 nibbles, dot-separated, in a given order */
static void ag_spf_ip_nibbles(const ag_spf_ip_t *ip, int reverse, char *out,
                              size_t size)
{
	static const char hex[] = "0123456789abcdef";
	char buf[64];

	for (int i = 0; i < 32; i++) {
		int n = reverse ? 31 - i : i;
		uint8_t octet = ip->addr[n / 2];
		buf[2 * i] = hex[n % 2 ? octet & 0xf : octet >> 4];
		buf[2 * i + 1] = '.';
	}
	buf[63] = '\0';
	snprintf(out, size, "%s", buf);
}

/* ag_spf_ip_dotted - %{i} */
void ag_spf_ip_dotted(const ag_spf_ip_t *ip, char *out, size_t size)
{
	if (ip->v6)
		ag_spf_ip_nibbles(ip, 0, out, size);
	else
		ag_spf_ip_text(ip, out, size);
}

/* ag_spf_ip_text - %{c} */
void ag_spf_ip_text(const ag_spf_ip_t *ip, char *out, size_t size)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(ip->v6 ? AF_INET6 : AF_INET, ip->addr, buf,
	              sizeof(buf)) == NULL)
		buf[0] = '\0';
	snprintf(out, size, "%s", buf);
}

/* ag_spf_ip_reverse - PTR query name */
void ag_spf_ip_reverse(const ag_spf_ip_t *ip, char *out, size_t size)
{
	char buf[80];

	if (ip->v6) {
		ag_spf_ip_nibbles(ip, 1, buf, sizeof(buf));
		snprintf(out, size, "%s.ip6.arpa", buf);
	} else {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", ip->addr[3],
		         ip->addr[2], ip->addr[1], ip->addr[0]);
	}
}
