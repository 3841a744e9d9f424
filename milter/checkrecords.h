/*
 * checkrecords.h - the DNS records a sending domain publishes, written as
 * zone-file lines (RFC 1035 section 5.1 master-file syntax): the DKIM key
 * of each selector, the send domain's MX and SPF records and a first
 * DMARC record. alignguard-check prints them as fixes for failed checks
 * and, with --records, as the complete set for a new domain.
 *
 * Every owner name is absolute (a trailing dot), so a line may go into any
 * zone file; no TTL is written (the zone's $TTL applies). TXT data is
 * split into character-strings of at most 255 octets, which receivers join
 * again (RFC 7208 3.3, RFC 6376 3.6.2.2); a record of more than one string
 * is written "owner. IN TXT ( "..." "..." )" on one line. '"' and '\' are
 * escaped, octets outside printable ASCII written as \DDD.
 *
 * Values:
 *  - DKIM: "v=DKIM1; k=rsa; p=<base64 SubjectPublicKeyInfo>" or, for
 *    Ed25519, "v=DKIM1; k=ed25519; p=<base64 of the 32 raw octets>"
 *    (RFC 8463), from the public half of a PEM private key file.
 *  - SPF: "v=spf1 include:<each spf-include> ip4:/ip6:<each
 *    OutboundAddress> -all"; given the record published now, the missing
 *    terms are inserted before its "all" (or redirect=) instead, so other
 *    senders it authorises stay authorised.
 *  - DMARC: "v=DMARC1; p=none; rua=<uri>" (mailto: added to a bare
 *    address).
 *
 * Diagnostics: functions return 0, or -1 when the result does not fit the
 * buffer (AG_CHECK_RECORD_MAX holds any record of a 16384-bit RSA key) or,
 * for key files, with OpenSSL's reason in err.
 */
#ifndef AG_CHECKRECORDS_H
#define AG_CHECKRECORDS_H

#include <stddef.h>

#include "config.h"
#include "dkimkey.h"

#define AG_CHECK_RECORD_MAX     4096
#define AG_CHECK_TXT_STRING_MAX 255

/* ag_check_zone_txt - "owner. IN TXT ..." for len octets of text */
int ag_check_zone_txt(const char *owner, const char *text, size_t len,
                      char *buf, size_t size)
    __attribute__((warn_unused_result));

/* ag_check_zone_mx - "owner. IN MX pref host." */
int ag_check_zone_mx(const char *owner, unsigned preference, const char *host,
                     char *buf, size_t size)
    __attribute__((warn_unused_result));

/* ag_check_dkim_text - the key record's text for a public key */
int ag_check_dkim_text(ag_dkim_keytype_t type, const unsigned char *spki,
                       size_t spki_len, char *buf, size_t size)
    __attribute__((warn_unused_result));

/*
 * ag_check_dkim_key_text - the key record's text for the public half of a
 * PEM private key file; *bits (if not NULL) gets its size.
 */
int ag_check_dkim_key_text(const char *path, char *buf, size_t size,
                           unsigned *bits, char *err, size_t errsize)
    __attribute__((warn_unused_result));

/*
 * ag_check_spf_text - the SPF record authorising the includes and the
 * addresses; `existing` (NULL: none) is the record published now, to
 * which only the missing terms are added.
 */
int ag_check_spf_text(const ag_strlist_t *includes,
                      const ag_strlist_t *addresses, const char *existing,
                      char *buf, size_t size)
    __attribute__((warn_unused_result));

/* ag_check_dmarc_text - "v=DMARC1; p=none; rua=..." */
int ag_check_dmarc_text(const char *rua, char *buf, size_t size)
    __attribute__((warn_unused_result));

/*
 * ag_check_default_send_domain - a send domain for a domain: bounce.<domain>,
 * or the domain itself when alignment is strict
 */
int ag_check_default_send_domain(const char *domain, ag_alignment_t mode,
                                 char *buf, size_t size)
    __attribute__((warn_unused_result));

/* ag_check_default_rua - "mailto:dmarc-reports@<domain>" */
int ag_check_default_rua(const char *domain, char *buf, size_t size)
    __attribute__((warn_unused_result));

#endif
