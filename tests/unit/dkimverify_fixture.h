/*
 * dkimverify_fixture.h - what the unit tests of DKIM verification share:
 * the test keys (tests/unit/data/dkim) and an in-memory zone publishing
 * their records, a verifier over that zone, libopendkim signers (one with
 * a clock in 2001), test messages signed under a list of signature specs
 * and run through the verifier, and counters replacing libopendkim's own
 * resolver entry points, which must stay at zero.
 */
#ifndef AG_DKIMVERIFY_FIXTURE_H
#define AG_DKIMVERIFY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dkim.h>

#include "dkimverify.h"
#include "dnsmem.h"

#define COUNT(a)   (sizeof(a) / sizeof((a)[0]))
#define MAX_FIELDS 24
#define MAX_SPECS  3

/* Queries made through libopendkim's own resolver (the test binary
 * replaces res_nquery and __res_ninit by counters that refuse). */
extern unsigned long stray_queries;

typedef enum test_key {
	KEY_RSA2048,
	KEY_RSA1024,
	KEY_ED25519,
	KEY_COUNT
} test_key_t;

typedef struct fixture {
	char *pem[KEY_COUNT]; /* private keys as PEM text */
	char *pub[KEY_COUNT]; /* base64 p= values */
	ag_dnsmem_t *zone;
	ag_dkimverify_t *verifier;
	ag_psl_t *psl;
	DKIM_LIB *signer;
	DKIM_LIB *old_signer; /* signs with a clock in 2001 */
	char *ed25519_sig;    /* the Ed25519 signature of the base message */
	DKIM *ed25519_handle; /* its signing handle, kept until exit */
} fixture_t;

extern fixture_t fx;

typedef struct field {
	const char *name;
	char *value;
} field_t;

typedef struct message {
	field_t fields[MAX_FIELDS];
	size_t count;
	const char *body;
} message_t;

/* The body of the base message, CRLF line ends. */
extern const char body_text[];

typedef struct sigspec {
	const char *domain; /* NULL: no signature */
	const char *selector;
	test_key_t key;
	int simple;      /* simple/simple, else relaxed/relaxed */
	int expired;     /* signed in 2001, an hour of life */
	const char *raw; /* a hand-written field value instead */
} sigspec_t;

/* clang-format off */
#define RSA(d, s) {d, s, KEY_RSA2048, 0, 0, NULL}
#define SIG_SIMPLE {"example.com", "s1", KEY_RSA2048, 1, 0, NULL}
#define SIG_EXPIRED {"example.com", "s1", KEY_RSA2048, 0, 1, NULL}
#define SIG_ED25519 {"example.com", "ed", KEY_ED25519, 0, 0, NULL}
#define SIG_WEAK {"example.com", "weak", KEY_RSA1024, 0, 0, NULL}
#define SIG_WRONG {"example.com", "wrong", KEY_RSA1024, 0, 0, NULL}
#define SIG_RAW(v) {NULL, NULL, KEY_RSA2048, 0, 0, v}
#define NOSIG {NULL, NULL, KEY_RSA2048, 0, 0, NULL}
/* clang-format on */

/* group_setup - keys, zone, verifier, signers into fx */
int group_setup(void **state);

/* group_teardown - release what group_setup made */
int group_teardown(void **state);

/* message_add - append a field (the value is copied) */
void message_add(message_t *msg, const char *name, const char *value);

/* message_clear - release the field values */
void message_clear(message_t *msg);

/* wire_field - "Name: value" with CRLF line ends, as on the wire */
char *wire_field(const field_t *field);

/* feed - a message in wire form to a libopendkim handle */
void feed(DKIM *dkim, const message_t *msg);

/* verify - run a message through the verifier; without_body: skip
 * eoh() and the body */
void verify(const message_t *msg, const ag_dkimverify_policy_t *policy,
            ag_check_fact_t *fact, int without_body);

/* build - the base message From <from_domain> (NULL or empty:
 * example.com), under the signatures of specs (top to bottom) */
void build(message_t *out, const char *from_domain, const sigspec_t *specs,
           size_t nspecs);

/* base_policy - From example.com, relaxed alignment, MinKeyBits 1024,
 * testing keys refused */
ag_dkimverify_policy_t base_policy(void);

/* run - verify msg under policy, counting queries afresh, then clear msg */
void run(message_t *msg, const ag_dkimverify_policy_t *policy, int without_body,
         ag_check_fact_t *fact);

#endif
