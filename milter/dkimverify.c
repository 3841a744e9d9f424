/*
 * dkimverify.c - DKIM signature verification with libopendkim (see
 * dkimverify.h).
 *
 * libopendkim calls ag_dkimverify_lookup() for each signature's key, with
 * our message handle as the DKIM handle's user context. The hook never
 * answers "try again" or "error": libopendkim 2.11 then stops checking the
 * remaining signatures at end of header and asks for the same key again
 * at end of message. It answers "not found" instead and keeps a note of
 * what really happened (a temporary failure, several records...), which
 * the judging reads before libopendkim's own view of the signature.
 */
#include "dkimverify.h"

#include <dkim.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "address.h"

#define AG_DKV_ITEM_MAX  64   /* octets of d= or s= shown in a detail */
#define AG_DKV_TEXT_MAX  192  /* one signature's line in a detail */
#define AG_DKV_QNAME_MAX 1024 /* <s>._domainkey.<d> before any check */

typedef enum ag_dkv_state {
	AG_DKV_HEADERS, /* before eoh */
	AG_DKV_BODY,    /* the body is wanted */
	AG_DKV_NOBODY,  /* the verdict needs no body */
	AG_DKV_DONE     /* end() ran */
} ag_dkv_state_t;

/* What a key lookup found when libopendkim was told "not found". */
typedef enum ag_dkv_keynote {
	AG_DKV_KEY_MISSING,  /* NXDOMAIN, NODATA */
	AG_DKV_KEY_TEMPFAIL, /* try again later */
	AG_DKV_KEY_UNUSABLE  /* several records, too long, a NUL */
} ag_dkv_keynote_t;

typedef struct ag_dkv_note {
	DKIM_SIGINFO *sig;
	ag_dkv_keynote_t kind;
	const char *why; /* static text */
} ag_dkv_note_t;

/* One signature's outcome. */
typedef enum ag_dkv_outcome {
	AG_DKV_VALID,
	AG_DKV_INVALID,
	AG_DKV_TEMP,
	AG_DKV_SKIPPED
} ag_dkv_outcome_t;

struct ag_dkimverify {
	DKIM_LIB *lib;
	ag_resolver_t *resolver;
	unsigned timeout_ms;
};

struct ag_dkimverify_msg {
	ag_dkimverify_t *verifier;
	DKIM *dkim;
	ag_dkv_state_t state;
	int out_of_memory;
	unsigned sig_fields;  /* DKIM-Signature fields seen */
	uint64_t deadline_ms; /* of the key lookups; 0: none made yet */
	size_t nnotes;
	ag_dkv_note_t notes[AG_DKIMVERIFY_MAX_SIGS];
	char id[64]; /* libopendkim keeps a pointer to it */
};

/* ag_dkimverify_printf - snprintf that accepts a NULL or empty buffer */
static void ag_dkimverify_printf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void ag_dkimverify_printf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* ag_dkimverify_sig_is - whether a signature has this d= and s= */
static int ag_dkimverify_sig_is(DKIM_SIGINFO *sig, const char *domain,
                                const char *selector)
{
	const char *d = (const char *)dkim_sig_getdomain(sig);
	const char *s = (const char *)dkim_sig_getselector(sig);

	return d != NULL && s != NULL && strcasecmp(d, domain) == 0 &&
	       strcasecmp(s, selector) == 0;
}

/* ag_dkimverify_note_index - where the note of a signature is, nnotes
 * when it has none */
static size_t ag_dkimverify_note_index(const ag_dkimverify_msg_t *msg,
                                       DKIM_SIGINFO *sig)
{
	size_t i = 0;

	while (i < msg->nnotes && msg->notes[i].sig != sig)
		i++;
	return i;
}

/* ag_dkimverify_note_for - an earlier note for the same d= and s= */
static const ag_dkv_note_t *
ag_dkimverify_note_for(const ag_dkimverify_msg_t *msg, const char *domain,
                       const char *selector)
{
	for (size_t i = 0; i < msg->nnotes; i++)
		if (ag_dkimverify_sig_is(msg->notes[i].sig, domain, selector))
			return &msg->notes[i];
	return NULL;
}

/*
 * ag_dkimverify_note - keep what the lookup for `sig` found and tell
 * libopendkim "not found". There is room for every signature checked;
 * should there not be, "try again" leaves the signature unverified,
 * which is judged a temporary failure.
 */
static DKIM_CBSTAT ag_dkimverify_note(ag_dkimverify_msg_t *msg,
                                      DKIM_SIGINFO *sig, ag_dkv_keynote_t kind,
                                      const char *why)
{
	size_t i = ag_dkimverify_note_index(msg, sig);
	ag_dkv_note_t *note;

	if (i == AG_DKIMVERIFY_MAX_SIGS)
		return DKIM_CBSTAT_TRYAGAIN;
	if (i == msg->nnotes)
		msg->nnotes++;
	note = &msg->notes[i];
	note->sig = sig;
	note->kind = kind;
	note->why = why;
	return DKIM_CBSTAT_NOTFOUND;
}

/* ag_dkimverify_txt - the only TXT record of an answer; NULL with *why
 * set when there is none or more than one */
static const ag_dns_rr_t *ag_dkimverify_txt(const ag_dns_answer_t *answer,
                                            ag_dkv_keynote_t *kind,
                                            const char **why)
{
	const ag_dns_rr_t *txt = NULL;

	for (size_t i = 0; i < answer->count; i++) {
		if (answer->rrs[i].type != AG_DNS_TXT)
			continue;
		if (txt != NULL) {
			*kind = AG_DKV_KEY_UNUSABLE;
			*why = "several TXT records";
			return NULL;
		}
		txt = &answer->rrs[i];
	}
	if (txt == NULL) {
		*kind = AG_DKV_KEY_MISSING;
		*why = "no TXT record";
	}
	return txt;
}

/* ag_dkimverify_key - hand libopendkim the key record of an answer, or
 * note why there is none */
static DKIM_CBSTAT ag_dkimverify_key(ag_dkimverify_msg_t *msg,
                                     DKIM_SIGINFO *sig,
                                     const ag_dns_answer_t *answer, u_char *buf,
                                     size_t buflen)
{
	ag_dkv_keynote_t kind = AG_DKV_KEY_TEMPFAIL;
	const char *why = "out of memory";
	const ag_dns_rr_t *txt = NULL;

	if (answer == NULL)
		return ag_dkimverify_note(msg, sig, kind, why);
	switch (answer->status) {
	case AG_DNS_OK:
		txt = ag_dkimverify_txt(answer, &kind, &why);
		break;
	case AG_DNS_NXDOMAIN:
		kind = AG_DKV_KEY_MISSING;
		why = "nxdomain";
		break;
	case AG_DNS_NODATA:
		kind = AG_DKV_KEY_MISSING;
		why = "no TXT record";
		break;
	default:
		why = answer->error != NULL ? answer->error : "tempfail";
		break;
	}
	if (txt == NULL)
		return ag_dkimverify_note(msg, sig, kind, why);
	if (txt->len >= buflen)
		return ag_dkimverify_note(msg, sig, AG_DKV_KEY_UNUSABLE,
		                          "record too long");
	if (memchr(txt->data, '\0', txt->len) != NULL)
		return ag_dkimverify_note(msg, sig, AG_DKV_KEY_UNUSABLE,
		                          "NUL in record");
	memcpy(buf, txt->data, txt->len);
	buf[txt->len] = '\0';
	return DKIM_CBSTAT_CONTINUE;
}

/* ag_dkimverify_now_ms - the monotonic clock in milliseconds */
static uint64_t ag_dkimverify_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

/* ag_dkimverify_time_left - milliseconds left to the message's key
 * lookups, which share one budget from the first of them on */
static unsigned ag_dkimverify_time_left(ag_dkimverify_msg_t *msg)
{
	uint64_t now = ag_dkimverify_now_ms();

	if (msg->deadline_ms == 0)
		msg->deadline_ms = now + msg->verifier->timeout_ms;
	return now < msg->deadline_ms ? (unsigned)(msg->deadline_ms - now) : 0;
}

/* ag_dkimverify_lookup - libopendkim's key-lookup hook: TXT
 * <s>._domainkey.<d> through our resolver */
static DKIM_CBSTAT ag_dkimverify_lookup(DKIM *dkim, DKIM_SIGINFO *sig,
                                        u_char *buf, size_t buflen)
{
	ag_dkimverify_msg_t *msg = dkim_get_user_context(dkim);
	const char *domain = (const char *)dkim_sig_getdomain(sig);
	const char *selector = (const char *)dkim_sig_getselector(sig);
	const ag_dkv_note_t *earlier;
	char name[AG_DKV_QNAME_MAX];
	ag_dns_answer_t *answer;
	DKIM_CBSTAT status;
	unsigned left;
	int n;

	if (msg == NULL || domain == NULL || selector == NULL || buflen == 0)
		return DKIM_CBSTAT_ERROR;
	earlier = ag_dkimverify_note_for(msg, domain, selector);
	if (earlier != NULL)
		return ag_dkimverify_note(msg, sig, earlier->kind,
		                          earlier->why);
	n = snprintf(name, sizeof(name), "%s._domainkey.%s", selector, domain);
	if (n < 0 || (size_t)n > AG_DOMAIN_MAX)
		return ag_dkimverify_note(msg, sig, AG_DKV_KEY_UNUSABLE,
		                          "key name too long");
	left = ag_dkimverify_time_left(msg);
	if (left == 0)
		return ag_dkimverify_note(msg, sig, AG_DKV_KEY_TEMPFAIL,
		                          "no time left");
	answer =
	    ag_resolver_query(msg->verifier->resolver, name, AG_DNS_TXT, left);
	status = ag_dkimverify_key(msg, sig, answer, buf, buflen);
	ag_dns_answer_free(answer);
	return status;
}

/* ag_dkimverify_prescreen - libopendkim's prescreen hook: ignore the
 * signatures after the first AG_DKIMVERIFY_MAX_SIGS */
static DKIM_CBSTAT ag_dkimverify_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs,
                                           int nsigs)
{
	for (int i = AG_DKIMVERIFY_MAX_SIGS; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* ag_dkimverify_dns_init - libopendkim's own resolver: nothing to set up */
static int ag_dkimverify_dns_init(void **srv)
{
	*srv = NULL;
	return 0;
}

/* ag_dkimverify_dns_close - libopendkim's own resolver: nothing to close */
static void ag_dkimverify_dns_close(void *srv)
{
}

/* ag_dkimverify_dns_start - libopendkim's own resolver: refuse every
 * query (keys come through the lookup hook only) */
static int ag_dkimverify_dns_start(void *srv, int type, unsigned char *query,
                                   unsigned char *buf, size_t buflen, void **qh)
{
	return -1;
}

/* ag_dkimverify_setup - hooks and options of the library handle */
static int ag_dkimverify_setup(DKIM_LIB *lib)
{
	u_int flags = DKIM_LIBFLAGS_FIXCRLF | DKIM_LIBFLAGS_BADSIGHANDLES;

	dkim_dns_set_init(lib, ag_dkimverify_dns_init);
	dkim_dns_set_close(lib, ag_dkimverify_dns_close);
	dkim_dns_set_query_start(lib, ag_dkimverify_dns_start);
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	                 sizeof(flags)) != DKIM_STAT_OK)
		return -1;
	if (dkim_set_key_lookup(lib, ag_dkimverify_lookup) != DKIM_STAT_OK)
		return -1;
	if (dkim_set_prescreen(lib, ag_dkimverify_prescreen) != DKIM_STAT_OK)
		return -1;
	return 0;
}

/* ag_dkimverify_create - the process's verifier */
ag_dkimverify_t *ag_dkimverify_create(ag_resolver_t *resolver,
                                      unsigned timeout_ms, char *err,
                                      size_t errsize)
{
	ag_dkimverify_t *verifier;

	if (resolver == NULL) {
		ag_dkimverify_printf(err, errsize,
		                     "DKIM verifier: no resolver");
		return NULL;
	}
	verifier = calloc(1, sizeof(*verifier));
	if (verifier == NULL) {
		ag_dkimverify_printf(err, errsize,
		                     "DKIM verifier: out of memory");
		return NULL;
	}
	verifier->resolver = resolver;
	verifier->timeout_ms = timeout_ms;
	verifier->lib = dkim_init(NULL, NULL);
	if (verifier->lib == NULL) {
		ag_dkimverify_printf(err, errsize,
		                     "DKIM verifier: dkim_init() failed");
		return ag_dkimverify_destroy(verifier);
	}
	if (ag_dkimverify_setup(verifier->lib) < 0) {
		ag_dkimverify_printf(err, errsize,
		                     "DKIM verifier: libopendkim "
		                     "refused its hooks or options");
		return ag_dkimverify_destroy(verifier);
	}
	return verifier;
}

/* ag_dkimverify_destroy - release the verifier */
ag_dkimverify_t *ag_dkimverify_destroy(ag_dkimverify_t *verifier)
{
	if (verifier == NULL)
		return NULL;
	if (verifier->lib != NULL)
		dkim_close(verifier->lib);
	free(verifier);
	return NULL;
}

/* ag_dkimverify_begin - start a message */
ag_dkimverify_msg_t *ag_dkimverify_begin(ag_dkimverify_t *verifier,
                                         const char *id)
{
	ag_dkimverify_msg_t *msg;
	DKIM_STAT status;

	if (verifier == NULL)
		return NULL;
	msg = calloc(1, sizeof(*msg));
	if (msg == NULL)
		return NULL;
	msg->verifier = verifier;
	snprintf(msg->id, sizeof(msg->id), "%s",
	         id != NULL && *id != '\0' ? id : "-");
	msg->dkim =
	    dkim_verify(verifier->lib, (u_char *)msg->id, NULL, &status);
	if (msg->dkim == NULL ||
	    dkim_set_user_context(msg->dkim, msg) != DKIM_STAT_OK)
		return ag_dkimverify_free(msg);
	msg->state = AG_DKV_HEADERS;
	return msg;
}

/* ag_dkimverify_bare_lf - whether value[i] is a LF without a CR before */
static int ag_dkimverify_bare_lf(const char *value, size_t i)
{
	return value[i] == '\n' && (i == 0 || value[i - 1] != '\r');
}

/*
 * ag_dkimverify_field - "name: value" with every line end made CRLF (the
 * simple header canonicalisation hashes line ends as they are, and
 * libopendkim mends bare LFs in the body only); *len gets its length.
 * NULL when out of memory.
 */
static char *ag_dkimverify_field(const char *name, const char *value,
                                 size_t *len)
{
	size_t nlen = strlen(name);
	size_t vlen = strlen(value);
	size_t space = value[0] != '\0' && value[0] != ' ' && value[0] != '\t';
	size_t bare = 0;
	char *field;
	char *p;

	for (size_t i = 0; i < vlen; i++)
		bare += ag_dkimverify_bare_lf(value, i);
	*len = nlen + 1 + space + vlen + bare;
	field = malloc(*len + 1);
	if (field == NULL)
		return NULL;
	memcpy(field, name, nlen);
	p = field + nlen;
	*p++ = ':';
	if (space)
		*p++ = ' ';
	for (size_t i = 0; i < vlen; i++) {
		if (ag_dkimverify_bare_lf(value, i))
			*p++ = '\r';
		*p++ = value[i];
	}
	*p = '\0';
	return field;
}

/* ag_dkimverify_header - one header field as libmilter hands it */
int ag_dkimverify_header(ag_dkimverify_msg_t *msg, const char *name,
                         const char *value)
{
	DKIM_STAT status;
	size_t len;
	char *field;

	if (msg == NULL || name == NULL || value == NULL ||
	    msg->state != AG_DKV_HEADERS)
		return -1;
	field = ag_dkimverify_field(name, value, &len);
	if (field == NULL) {
		msg->out_of_memory = 1;
		return -1;
	}
	if (strcasecmp(name, DKIM_SIGNHEADER) == 0)
		msg->sig_fields++;
	status = dkim_header(msg->dkim, (u_char *)field, len);
	free(field);
	if (status == DKIM_STAT_NORESOURCE) {
		msg->out_of_memory = 1;
		return -1;
	}
	return 0;
}

/* ag_dkimverify_eoh - end of the header */
int ag_dkimverify_eoh(ag_dkimverify_msg_t *msg)
{
	DKIM_STAT status;

	if (msg == NULL || msg->state != AG_DKV_HEADERS)
		return -1;
	status = dkim_eoh(msg->dkim);
	if (status == DKIM_STAT_NORESOURCE)
		msg->out_of_memory = 1;
	if (status == DKIM_STAT_NOSIG || status == DKIM_STAT_SYNTAX)
		msg->state = AG_DKV_NOBODY;
	else
		msg->state = AG_DKV_BODY;
	return msg->state == AG_DKV_BODY;
}

/* ag_dkimverify_body - one body chunk */
int ag_dkimverify_body(ag_dkimverify_msg_t *msg, const void *chunk, size_t len)
{
	if (msg == NULL || (chunk == NULL && len > 0) ||
	    (msg->state != AG_DKV_BODY && msg->state != AG_DKV_NOBODY))
		return -1;
	if (msg->state == AG_DKV_NOBODY || len == 0)
		return 0;
	if (dkim_body(msg->dkim, (u_char *)chunk, len) ==
	    DKIM_STAT_NORESOURCE) {
		msg->out_of_memory = 1;
		return -1;
	}
	return 0;
}

/* ag_dkimverify_note_outcome - a signature whose key lookup was noted */
static ag_dkv_outcome_t ag_dkimverify_note_outcome(const ag_dkv_note_t *note,
                                                   char *why, size_t size)
{
	switch (note->kind) {
	case AG_DKV_KEY_MISSING:
		ag_dkimverify_printf(why, size, "key not found (%s)",
		                     note->why);
		return AG_DKV_INVALID;
	case AG_DKV_KEY_UNUSABLE:
		ag_dkimverify_printf(why, size, "key unusable (%s)", note->why);
		return AG_DKV_INVALID;
	default:
		ag_dkimverify_printf(why, size, "key lookup failed (%s)",
		                     note->why);
		return AG_DKV_TEMP;
	}
}

/* ag_dkimverify_key_outcome - whether a verified signature's key meets
 * the operator's options */
static ag_dkv_outcome_t
ag_dkimverify_key_outcome(DKIM_SIGINFO *sig, const ag_dkimkey_options_t *keys,
                          char *why, size_t size)
{
	dkim_alg_t alg;
	unsigned int bits = 0;

	if ((dkim_sig_getflags(sig) & DKIM_SIGFLAG_TESTKEY) != 0 &&
	    !keys->allow_testing) {
		ag_dkimverify_printf(why, size, "key in testing mode (t=y)");
		return AG_DKV_INVALID;
	}
	if (dkim_sig_getsignalg(sig, &alg) == DKIM_STAT_OK &&
	    alg != DKIM_SIGN_ED25519SHA256 &&
	    dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK &&
	    bits < keys->min_key_bits) {
		ag_dkimverify_printf(why, size, "key too weak (%u bits)", bits);
		return AG_DKV_INVALID;
	}
	ag_dkimverify_printf(why, size, "pass");
	return AG_DKV_VALID;
}

/* ag_dkimverify_outcome - judge one signature, saying why */
static ag_dkv_outcome_t ag_dkimverify_outcome(const ag_dkimverify_msg_t *msg,
                                              DKIM_SIGINFO *sig,
                                              const ag_dkimkey_options_t *keys,
                                              char *why, size_t size)
{
	unsigned int flags = dkim_sig_getflags(sig);
	int error = dkim_sig_geterror(sig);
	size_t i = ag_dkimverify_note_index(msg, sig);
	const ag_dkv_note_t *note = i < msg->nnotes ? &msg->notes[i] : NULL;
	const char *text;

	if ((flags & DKIM_SIGFLAG_IGNORE) != 0) {
		ag_dkimverify_printf(why, size,
		                     "not checked (over %d signatures)",
		                     AG_DKIMVERIFY_MAX_SIGS);
		return AG_DKV_SKIPPED;
	}
	if (note != NULL)
		return ag_dkimverify_note_outcome(note, why, size);
	if (error != DKIM_SIGERROR_OK && error != DKIM_SIGERROR_UNKNOWN &&
	    error != DKIM_SIGERROR_BADSIG && error != DKIM_SIGERROR_KEYFAIL) {
		text = dkim_sig_geterrorstr(error);
		if (text != NULL)
			ag_dkimverify_printf(why, size, "%s", text);
		else
			ag_dkimverify_printf(why, size, "error %d", error);
		return AG_DKV_INVALID;
	}
	if (error == DKIM_SIGERROR_KEYFAIL ||
	    (flags & DKIM_SIGFLAG_PROCESSED) == 0) {
		text = error == DKIM_SIGERROR_KEYFAIL ? "key lookup failed"
		                                      : "not verified";
		ag_dkimverify_printf(why, size, "%s", text);
		return AG_DKV_TEMP;
	}
	if ((flags & DKIM_SIGFLAG_PASSED) == 0) {
		ag_dkimverify_printf(why, size, "signature mismatch");
		return AG_DKV_INVALID;
	}
	if (dkim_sig_getbh(sig) != DKIM_SIGBH_MATCH) {
		ag_dkimverify_printf(why, size, "body hash mismatch");
		return AG_DKV_INVALID;
	}
	return ag_dkimverify_key_outcome(sig, keys, why, size);
}

/* ag_dkimverify_clean - copy a value for a detail: printable ASCII only,
 * at most AG_DKV_ITEM_MAX octets */
static void ag_dkimverify_clean(const unsigned char *in, char *out)
{
	size_t n = 0;

	if (in == NULL || *in == '\0')
		in = (const unsigned char *)"?";
	for (; *in != '\0' && n < AG_DKV_ITEM_MAX; in++)
		out[n++] = *in > 0x20 && *in < 0x7f ? (char)*in : '?';
	out[n] = '\0';
}

/* ag_dkimverify_judge - one signature's outcome and its line
 * "d=<d> s=<s> <why>" */
static ag_dkv_outcome_t ag_dkimverify_judge(const ag_dkimverify_msg_t *msg,
                                            DKIM_SIGINFO *sig,
                                            const ag_dkimkey_options_t *keys,
                                            char *text, size_t size)
{
	char domain[AG_DKV_ITEM_MAX + 1];
	char selector[AG_DKV_ITEM_MAX + 1];
	char why[AG_DKV_TEXT_MAX];
	ag_dkv_outcome_t outcome;

	outcome = ag_dkimverify_outcome(msg, sig, keys, why, sizeof(why));
	ag_dkimverify_clean(dkim_sig_getdomain(sig), domain);
	ag_dkimverify_clean(dkim_sig_getselector(sig), selector);
	ag_dkimverify_printf(text, size, "d=%s s=%s %s", domain, selector, why);
	return outcome;
}

/* ag_dkimverify_aligned - whether a signature's d= is aligned with the
 * From domain */
static int ag_dkimverify_aligned(DKIM_SIGINFO *sig,
                                 const ag_dkimverify_policy_t *policy)
{
	const char *raw = (const char *)dkim_sig_getdomain(sig);
	char domain[AG_DOMAIN_MAX + 1];

	if (raw == NULL || policy->from_domain == NULL ||
	    ag_domain_normalise(raw, strlen(raw), domain, sizeof(domain),
	                        NULL) < 0)
		return 0;
	return ag_domains_aligned(policy->psl, domain, policy->from_domain,
	                          policy->alignment);
}

/* ag_dkimverify_append - add a line to a detail, "; " between lines,
 * "..." at the end when it is cut */
static void ag_dkimverify_append(char *detail, size_t size, const char *text)
{
	size_t len = strlen(detail);
	int n = snprintf(detail + len, size - len, "%s%s", len > 0 ? "; " : "",
	                 text);

	if (n >= 0 && (size_t)n >= size - len && size > 4)
		memcpy(detail + size - 4, "...", 4);
}

/* ag_dkimverify_set - state and reason of the fact */
static void ag_dkimverify_set(ag_check_fact_t *fact, ag_check_state_t state,
                              ag_reason_t reason)
{
	fact->state = state;
	fact->reason = reason;
}

/* ag_dkimverify_judge_all - the verdict over a message's signatures */
static void ag_dkimverify_judge_all(const ag_dkimverify_msg_t *msg,
                                    const ag_dkimverify_policy_t *policy,
                                    DKIM_SIGINFO **sigs, int nsigs,
                                    ag_check_fact_t *fact)
{
	char text[AG_DKV_TEXT_MAX];
	int temp = 0;
	int valid = 0;

	for (int i = 0; i < nsigs; i++) {
		ag_dkv_outcome_t outcome = ag_dkimverify_judge(
		    msg, sigs[i], &policy->keys, text, sizeof(text));

		if (outcome == AG_DKV_VALID &&
		    ag_dkimverify_aligned(sigs[i], policy)) {
			fact->state = AG_CHECK_PASS;
			snprintf(fact->detail, sizeof(fact->detail), "%s",
			         text);
			return;
		}
		if (outcome == AG_DKV_VALID)
			strncat(text, ", unaligned",
			        sizeof(text) - strlen(text) - 1);
		valid |= outcome == AG_DKV_VALID;
		temp |= outcome == AG_DKV_TEMP;
		ag_dkimverify_append(fact->detail, sizeof(fact->detail), text);
	}
	if (temp)
		ag_dkimverify_set(fact, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR);
	else if (valid)
		ag_dkimverify_set(fact, AG_CHECK_FAIL,
		                  AG_R_DKIM_SIGNATURE_UNALIGNED);
}

/* ag_dkimverify_nosig - the detail of a message without a signature
 * libopendkim could read */
static void ag_dkimverify_nosig(const ag_dkimverify_msg_t *msg,
                                ag_check_fact_t *fact)
{
	const char *error = dkim_geterror(msg->dkim);

	if (msg->sig_fields == 0)
		snprintf(fact->detail, sizeof(fact->detail), "no signature");
	else
		snprintf(fact->detail, sizeof(fact->detail),
		         "no usable signature (%s)",
		         error != NULL && *error != '\0' ? error
		                                         : "unreadable");
}

/* ag_dkimverify_end - finish and judge the signatures */
void ag_dkimverify_end(ag_dkimverify_msg_t *msg,
                       const ag_dkimverify_policy_t *policy,
                       ag_check_fact_t *fact)
{
	DKIM_SIGINFO **sigs = NULL;
	int nsigs = 0;

	memset(fact, 0, sizeof(*fact));
	fact->kind = AG_CHECK_DKIM_SIGNATURE;
	snprintf(fact->name, sizeof(fact->name), "%s", AG_DKIMVERIFY_FACT_NAME);
	ag_dkimverify_set(fact, AG_CHECK_FAIL, AG_R_DKIM_SIGNATURE_INVALID);
	if (msg == NULL || policy == NULL || msg->state == AG_DKV_DONE) {
		ag_dkimverify_set(fact, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR);
		snprintf(fact->detail, sizeof(fact->detail),
		         "verification not run");
		return;
	}
	if (msg->state == AG_DKV_HEADERS)
		(void)ag_dkimverify_eoh(msg);
	if (dkim_eom(msg->dkim, NULL) == DKIM_STAT_NORESOURCE)
		msg->out_of_memory = 1;
	msg->state = AG_DKV_DONE;
	if (msg->out_of_memory) {
		ag_dkimverify_set(fact, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR);
		snprintf(fact->detail, sizeof(fact->detail), "out of memory");
		return;
	}
	if (dkim_getsiglist(msg->dkim, &sigs, &nsigs) != DKIM_STAT_OK ||
	    nsigs <= 0 || sigs == NULL) {
		ag_dkimverify_nosig(msg, fact);
		return;
	}
	ag_dkimverify_judge_all(msg, policy, sigs, nsigs, fact);
}

/* ag_dkimverify_free - release a message */
ag_dkimverify_msg_t *ag_dkimverify_free(ag_dkimverify_msg_t *msg)
{
	if (msg == NULL)
		return NULL;
	if (msg->dkim != NULL)
		dkim_free(msg->dkim);
	free(msg);
	return NULL;
}
