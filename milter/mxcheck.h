/*
 * mxcheck.h - the send domain's MX records as a check of the domain-state
 * service (domainstate.h).
 *
 * Bounces go to the return-path domain, so it must accept mail. An entry
 * with a send-domain= gets one check, named "mx:<send-domain>": the send
 * domain must have at least one MX record naming a host. No such name, no
 * MX record, or only a null MX ("0 .", RFC 7505: the domain accepts no
 * mail) is mx.missing. With mx=host[,host] in the entry, at least one MX
 * target must be one of those hosts (ASCII case ignored, a trailing dot
 * ignored), else mx.missing with a detail listing what was found. DNS
 * trouble is TEMPERROR. The TTL is the MX answer's.
 *
 * The mx= hosts are the check's parameters: a table change makes a new
 * check. A list too long for them (AG_DSTATE_PARAMS_MAX octets) makes a
 * check that fails saying so.
 */
#ifndef AG_MXCHECK_H
#define AG_MXCHECK_H

#include "domainstate.h"

/* The send domain's MX as a kind of the domain-state service. */
extern const ag_dstate_kind_t ag_mxcheck_kind;

#endif
