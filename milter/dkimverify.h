/*
 * dkimverify.h - verification of the DKIM-Signature fields a message
 * already carries (VerifySignatures yes), with libopendkim.
 *
 * One verifier per process wraps libopendkim's library handle. Message
 * threads share it without a lock: libopendkim keeps all per-message state
 * in the message's own handle, and the verifier is never changed after
 * ag_dkimverify_create(). Public keys come from our resolver (dns.h)
 * only: a key-lookup hook asks for TXT <s>._domainkey.<d>, and the hooks of
 * libopendkim's own resolver are replaced by stubs that refuse every query.
 * (dkim_init() itself calls res_init() once, which reads resolv.conf and
 * sends nothing.)
 *
 * A message goes through begin, one ag_dkimverify_header() per header
 * field in the order received, ag_dkimverify_eoh(), the body in chunks,
 * ag_dkimverify_end() and ag_dkimverify_free(). At most
 * AG_DKIMVERIFY_MAX_SIGS signatures are checked; later ones are reported
 * as not checked, so a message cannot make us send many queries. Two
 * signatures with the same d= and s= share one lookup.
 *
 * The verdict (ag_dkimverify_end) needs ONE valid signature whose d= is
 * aligned with the From domain (relaxed or strict, per domain.h):
 *   pass       a valid aligned signature ("d=example.com s=s1 pass");
 *   temperror  none, and a key lookup failed temporarily (reason
 *              dns.temperror);
 *   fail       dkim.signature-unaligned: valid signatures, none aligned;
 *              dkim.signature-invalid: no valid signature at all,
 *              no signature included.
 * A signature is valid when its header hash and body hash match, its key
 * was found and is usable, the key is not in testing mode (t=y) unless
 * AllowTestingKeys, and an RSA key has at least MinKeyBits bits. A key
 * name answering with several TXT records, or a record longer than
 * libopendkim takes (1024 octets), is a permanent key failure: the
 * signature is invalid.
 *
 * Diagnostics: the fact's detail lists each signature checked as
 * "d=<d> s=<s> <outcome>" ("pass", "body hash mismatch", "signature
 * mismatch", "key not found (nxdomain)", "key lookup failed (timeout)",
 * "key lookup failed (no time left)", ", unaligned" after a valid one...),
 * separated by "; ", with any octet outside printable ASCII replaced by
 * '?'. Functions returning int give 0, or -1 when called out of order or
 * out of memory; a message that ran out of memory ends as temperror.
 */
#ifndef AG_DKIMVERIFY_H
#define AG_DKIMVERIFY_H

#include <stddef.h>

#include "dkimkey.h"
#include "dns.h"
#include "domain.h"
#include "facts.h"

/* Signatures checked per message; later ones are ignored. */
#define AG_DKIMVERIFY_MAX_SIGS 8

/* The name of the fact ag_dkimverify_end() writes. */
#define AG_DKIMVERIFY_FACT_NAME "dkim-signature"

typedef struct ag_dkimverify ag_dkimverify_t;
typedef struct ag_dkimverify_msg ag_dkimverify_msg_t;

/* What a message's signatures are judged against. */
typedef struct ag_dkimverify_policy {
	const char *from_domain; /* normalised From domain; NULL or ""
	                          * when unknown: nothing is aligned */
	const ag_psl_t *psl;     /* for relaxed alignment */
	ag_alignment_t alignment;
	ag_dkimkey_options_t keys; /* MinKeyBits, AllowTestingKeys */
} ag_dkimverify_policy_t;

/*
 * ag_dkimverify_create - the process's verifier: keys are looked up
 * through `resolver` (which must outlive the verifier). All key lookups of
 * one message share a budget of timeout_ms, counted from the first of
 * them: a message waits no longer for its keys however many signatures it
 * carries, and a lookup with no time left is a temporary failure ("no
 * time left"). NULL on failure, with the reason in err.
 */
ag_dkimverify_t *ag_dkimverify_create(ag_resolver_t *resolver,
                                      unsigned timeout_ms, char *err,
                                      size_t errsize);

/* ag_dkimverify_destroy - after every message handle is freed; accepts
 * NULL, returns NULL */
ag_dkimverify_t *ag_dkimverify_destroy(ag_dkimverify_t *verifier);

/*
 * ag_dkimverify_begin - start a message; id names it in libopendkim's own
 * diagnostics (the queue id; copied, truncated to 63 octets). NULL when
 * out of memory or refused by libopendkim.
 */
ag_dkimverify_msg_t *ag_dkimverify_begin(ag_dkimverify_t *verifier,
                                         const char *id);

/*
 * ag_dkimverify_header - one header field, name and value as libmilter
 * hands them, folding kept as received (CRLF or LF line ends). libmilter
 * strips the white space after the colon; one SP is put back. A value
 * that starts with SP or HTAB (SMFIP_HDR_LEADSPC) is used as it is.
 */
int ag_dkimverify_header(ag_dkimverify_msg_t *msg, const char *name,
                         const char *value);

/*
 * ag_dkimverify_eoh - end of the header: returns 1 when the body is
 * needed, 0 when the verdict is already known (no signature, or headers
 * libopendkim cannot use), -1 when called out of order.
 */
int ag_dkimverify_eoh(ag_dkimverify_msg_t *msg);

/* ag_dkimverify_body - one body chunk (CRLF or LF line ends); a chunk
 * after eoh() returned 0 is accepted and ignored */
int ag_dkimverify_body(ag_dkimverify_msg_t *msg, const void *chunk, size_t len);

/*
 * ag_dkimverify_end - finish and judge the signatures (calls eoh() first
 * when the caller did not), filling `fact` (kind AG_CHECK_DKIM_SIGNATURE,
 * name AG_DKIMVERIFY_FACT_NAME). Call it once per message.
 */
void ag_dkimverify_end(ag_dkimverify_msg_t *msg,
                       const ag_dkimverify_policy_t *policy,
                       ag_check_fact_t *fact);

/* ag_dkimverify_free - release a message; accepts NULL, returns NULL */
ag_dkimverify_msg_t *ag_dkimverify_free(ag_dkimverify_msg_t *msg);

#endif
