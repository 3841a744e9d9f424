/*
 * address.h - strict parsing of the From header field and the envelope
 * sender (pure core: no I/O, no globals).
 *
 * ag_from_parse() accepts exactly one RFC 5322 mailbox (optional display
 * name, comments, angle address, folding with CRLF or bare LF) and refuses
 * anything two reasonable parsers could read differently (DESIGN §4,
 * issue "the guard itself" §5): groups, route-addrs, encoded-words in or as
 * the address, a display name that holds an address of another domain,
 * quoted local parts holding '@' or '<>', unbalanced quotes/comments/
 * brackets, bare CR, NUL, invalid UTF-8, bad or fake IDN labels, over-long
 * labels or lines. The domain comes back normalised (lower case, A-labels,
 * no trailing dot) by ag_domain_normalise().
 *
 * ag_envfrom_parse() reads the MAIL FROM argument as the MTA hands it to the
 * milter ("<local@domain>", "<>", with or without the brackets).
 *
 * The helpers for header names tell whether a header is a From field
 * ("From", "from ", "FROM\t" alike) and whether a header's continuation
 * line looks like a From field of its own (a smuggling attempt).
 */
#ifndef AG_ADDRESS_H
#define AG_ADDRESS_H

#include <stddef.h>

#define AG_LOCAL_MAX  256 /* octets of a local part we keep */
#define AG_DOMAIN_MAX 255 /* octets of a domain, A-label form */

typedef struct ag_mailbox {
	char local[AG_LOCAL_MAX + 1];   /* as written, quotes removed */
	char domain[AG_DOMAIN_MAX + 1]; /* normalised */
} ag_mailbox_t;

typedef enum ag_from_status {
	AG_FROM_OK,
	AG_FROM_MULTIPLE_MAILBOXES, /* a valid list of several mailboxes */
	AG_FROM_INVALID             /* anything else; see `why` */
} ag_from_status_t;

typedef struct ag_from_options {
	/* allow a display name that contains an address of another domain */
	int allow_foreign_display_address;
} ag_from_options_t;

/*
 * ag_from_parse - parse the value of one From field (the text after the
 * colon, folding included, as libmilter hands it over). On AG_FROM_OK
 * `out` holds the mailbox; on AG_FROM_MULTIPLE_MAILBOXES it holds the
 * first one (for logs); on AG_FROM_INVALID it is empty and *why (if not
 * NULL) points to a static short English explanation for logs ("group
 * syntax", "encoded-word in address", ...). Never reads past value[len];
 * value need not be NUL-terminated and may contain NUL (which is invalid).
 *
 * Refused: NUL, bare CR, a line break not followed by white space (folding
 * is CRLF or bare LF followed by SP/HTAB), control characters, invalid
 * UTF-8, lines over 998 octets; groups (even empty or with one member);
 * route-addrs; domain literals; empty list members; two angle addresses;
 * unbalanced quotes, comments or angle brackets; white space or comments
 * inside the addr-spec; "=?" in the local part or domain; quoted local
 * parts holding '@', '<' or '>'; an address inside a comment; a display
 * name holding an address of another domain (unless the option allows it;
 * never when that address comes out of an encoded-word); a domain that
 * ag_domain_normalise() refuses. A trailing dot on the domain is accepted
 * and dropped. The work is linear in len and allocates nothing for ASCII
 * domains.
 */
ag_from_status_t ag_from_parse(const char *value, size_t len,
                               const ag_from_options_t *options,
                               ag_mailbox_t *out, const char **why);

typedef enum ag_envfrom_status {
	AG_ENVFROM_OK,
	AG_ENVFROM_NULL,   /* <> */
	AG_ENVFROM_INVALID /* source route, unparseable, bad domain */
} ag_envfrom_status_t;

/*
 * ag_envfrom_parse - parse the envelope sender argument (argv[0] of the
 * milter's envfrom callback; ESMTP parameters are separate arguments and
 * ignored): "<local@domain>" or "local@domain", "<>" for the null sender.
 * Quoted local parts are allowed (not holding '@', '<' or '>'); source
 * routes, address literals, white space, control characters, invalid
 * UTF-8, an empty string and a bad domain are invalid. On AG_ENVFROM_OK
 * out->domain is normalised; otherwise `out` is empty.
 */
ag_envfrom_status_t ag_envfrom_parse(const char *arg, ag_mailbox_t *out,
                                     const char **why);

/*
 * ag_header_name_is - whether a header field name equals `want`
 * case-insensitively, ignoring white space before the colon ("From " is
 * "From").
 */
int ag_header_name_is(const char *name, const char *want);

/*
 * ag_header_hides_from - whether a header value contains a continuation
 * line that itself looks like a From field ("\r\n From: x@y" or
 * "\n\tFROM :"), which some parsers would take as a second From. A bare
 * CR counts as a line break here, since some software breaks lines there.
 */
int ag_header_hides_from(const char *value, size_t len);

#endif
