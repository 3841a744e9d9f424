/*
 * spfcheck.h - the send domain's SPF record as a check of the domain-state
 * service (domainstate.h).
 *
 * An entry with a send-domain= gets one check, named "spf:<send-domain>",
 * when the configuration lists OutboundAddresses or the entry says
 * spf-include=; otherwise there is nothing to hold the record against and
 * no check is planned. The check runs RFC 7208 check_host() (spf.h) for
 * the send domain with the sender postmaster@<send-domain>:
 *  - once for each OutboundAddress (IPv4 or IPv6): every one must pass;
 *    fail, softfail or neutral is spf.fail, its detail naming the address
 *    and the result with the directive that gave it;
 *  - once for each spf-include=X, from a documentation address (192.0.2.1,
 *    RFC 5737) that no record lists: the evaluation must reach include:X
 *    (or redirect=X), directly or through other includes and redirects,
 *    before any directive decides. That is, the relay's addresses, whatever
 *    they are, are handed to X's record; a record that never gets there is
 *    spf.fail "no include:X ...".
 * No SPF record is spf.missing, a permerror (syntax, too many lookups) is
 * spf.permerror, and DNS trouble is TEMPERROR. A definitive failure wins
 * over DNS trouble met with another address; the detail names the first.
 * The TTL is the smallest of every answer the evaluations read.
 *
 * The addresses and the includes are the check's parameters: a
 * configuration or table change makes a new check. A list too long for the
 * parameters (AG_DSTATE_PARAMS_MAX octets) makes a check that fails as
 * spf.permerror saying so, never one that checks part of the list.
 */
#ifndef AG_SPFCHECK_H
#define AG_SPFCHECK_H

#include "domainstate.h"

/* The documentation address the spf-include= evaluation runs from. */
#define AG_SPFCHECK_PROBE "192.0.2.1"

/* The send domain's SPF as a kind of the domain-state service. */
extern const ag_dstate_kind_t ag_spfcheck_kind;

#endif
