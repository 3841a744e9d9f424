/*
 * dkimcheck.h - one check of one DKIM selector, and the operator's keys.
 *
 * ag_dkimcheck_run() asks a resolver for the TXT record at
 * <selector>._domainkey.<domain> (the resolver follows CNAMEs) and judges
 * what it finds: no such name or no TXT record is dkim.key-missing, more
 * than one TXT record is dkim.key-invalid (receivers could pick either),
 * one record is parsed and judged by dkimkey.c (invalid, revoked, weak,
 * testing), and when the operator gave the selector's private key, a
 * published key that is not its public half is dkim.key-mismatch. DNS
 * trouble is TEMPERROR. The answer's TTL comes back with the result.
 *
 * Private keys (keys=sel:/path in the verified-domain table; PEM, PKCS#1
 * "BEGIN RSA PRIVATE KEY" or PKCS#8 "BEGIN PRIVATE KEY", RSA or Ed25519)
 * are read once, when the table is loaded and before the daemon drops
 * privileges, into an ag_dkim_keys_t that keeps only their public halves;
 * checks only ever see those. A reload loads a new set alongside the new
 * table.
 *
 * ag_dkimcheck_kind plugs the DKIM key check into the domain-state service
 * (domainstate.h): one check per selector of the entry, named "dkim:<sel>",
 * its parameters the expected public key (DER SubjectPublicKeyInfo) when
 * keys= names one.
 *
 * Diagnostics: a key file that cannot be read, parsed or used is reported
 * through the diagnostics list as "table:line: ..." naming the file and
 * OpenSSL's reason.
 */
#ifndef AG_DKIMCHECK_H
#define AG_DKIMCHECK_H

#include <stddef.h>

#include "diag.h"
#include "dkimkey.h"
#include "dns.h"
#include "domains.h"
#include "domainstate.h"

typedef struct ag_dkim_pubkey {
	char *domain;
	char *selector;
	char *path; /* the private key file it came from */
	ag_dkim_keytype_t type;
	unsigned bits;
	unsigned char *spki; /* DER SubjectPublicKeyInfo */
	size_t spki_len;
} ag_dkim_pubkey_t;

/* ag_dkim_keys_create - an empty set; NULL when out of memory */
ag_dkim_keys_t *ag_dkim_keys_create(void);

/* ag_dkim_keys_free - release; accepts NULL, returns NULL */
ag_dkim_keys_t *ag_dkim_keys_free(ag_dkim_keys_t *keys);

/*
 * ag_dkim_keys_load_entry - read every keys= file of one table entry
 * (table_path names the table in diagnostics). Returns 0, or -1 after
 * adding each problem to diag.
 */
int ag_dkim_keys_load_entry(ag_dkim_keys_t *keys,
                            const ag_domain_entry_t *entry,
                            const char *table_path, ag_diag_t *diag)
    __attribute__((warn_unused_result));

/* ag_dkim_keys_find - the loaded key of (domain, selector), or NULL */
const ag_dkim_pubkey_t *ag_dkim_keys_find(const ag_dkim_keys_t *keys,
                                          const char *domain,
                                          const char *selector);

/* ag_dkim_keys_count - how many keys the set holds */
size_t ag_dkim_keys_count(const ag_dkim_keys_t *keys);

/*
 * ag_dkim_private_public - read a PEM private key file and return its
 * public half as DER SubjectPublicKeyInfo (release with free()).
 * Returns 0, or -1 with the reason in err.
 */
int ag_dkim_private_public(const char *path, ag_dkim_keytype_t *type,
                           unsigned *bits, unsigned char **spki,
                           size_t *spki_len, char *err, size_t err_size)
    __attribute__((warn_unused_result));

typedef struct ag_dkimcheck_options {
	unsigned timeout_ms;      /* DNSTimeout */
	ag_dkimkey_options_t key; /* MinKeyBits, AllowTestingKeys */
} ag_dkimcheck_options_t;

/*
 * ag_dkimcheck_run - check the key at `name` (<sel>._domainkey.<domain>);
 * expected/expected_len: the public half of the operator's private key,
 * or NULL/0. Always fills result.
 */
void ag_dkimcheck_run(ag_resolver_t *resolver, const char *name,
                      const ag_dkimcheck_options_t *options,
                      const unsigned char *expected, size_t expected_len,
                      ag_check_result_t *result);

/* The DKIM key check as a kind of the domain-state service. */
extern const ag_dstate_kind_t ag_dkimcheck_kind;

#endif
