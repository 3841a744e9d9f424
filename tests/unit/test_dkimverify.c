/*
 * test_dkimverify.c - DKIM signatures on a message: each test message is
 * signed here with libopendkim's signer (keys in tests/unit/data/dkim),
 * the public keys are published in an in-memory zone, and the verdict,
 * its detail and the queries made are checked. libopendkim's own
 * resolver entry points (res_ninit, res_nquery) are replaced in this
 * binary by counters that must stay at zero.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dkim.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkimverify.h"
#include "dnsmem.h"

#define COUNT(a)   (sizeof(a) / sizeof((a)[0]))
#define MAX_FIELDS 24
#define MAX_SPECS  3

/* ---- libopendkim's own resolver, counted --------------------------- */

static unsigned long stray_queries;

int res_nquery(void *state, const char *name, int class, int type,
               unsigned char *answer, int anslen);
int __res_ninit(void *state);

/* res_nquery - libopendkim's default lookup path: count and refuse */
int res_nquery(void *state, const char *name, int class, int type,
               unsigned char *answer, int anslen)
{
	__atomic_add_fetch(&stray_queries, 1, __ATOMIC_SEQ_CST);
	return -1;
}

/* __res_ninit - libopendkim's default resolver set-up: count and refuse */
int __res_ninit(void *state)
{
	__atomic_add_fetch(&stray_queries, 1, __ATOMIC_SEQ_CST);
	return -1;
}

/* ---- keys, zone, signing ------------------------------------------- */

typedef enum test_key {
	KEY_RSA2048,
	KEY_RSA1024,
	KEY_ED25519,
	KEY_COUNT
} test_key_t;

static const char *const key_files[KEY_COUNT] = {"rsa2048.pem", "rsa1024.pem",
                                                 "ed25519.pem"};

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

static fixture_t fx;

/* load_key - a private key of the data directory as PEM text, and its
 * p= value: SPKI for RSA, the raw 32 octets for Ed25519 (RFC 8463) */
static void load_key(const char *file, char **pem, char **pub)
{
	char path[512];
	BIO *in, *out = BIO_new(BIO_s_mem());
	EVP_PKEY *key;
	unsigned char raw[64], *der = NULL;
	size_t rawlen = sizeof(raw);
	char *text;
	int len;

	snprintf(path, sizeof(path), "%s/%s", AG_DKIM_TEST_DATA, file);
	assert_non_null(in = BIO_new_file(path, "r"));
	assert_non_null(key = PEM_read_bio_PrivateKey(in, NULL, NULL, NULL));
	assert_int_equal(
	    PEM_write_bio_PrivateKey(out, key, NULL, NULL, 0, NULL, NULL), 1);
	len = (int)BIO_get_mem_data(out, &text);
	assert_non_null(*pem = strndup(text, (size_t)len));
	if (EVP_PKEY_get_id(key) == EVP_PKEY_ED25519) {
		assert_int_equal(EVP_PKEY_get_raw_public_key(key, raw, &rawlen),
		                 1);
		der = raw;
	} else {
		rawlen = (size_t)i2d_PUBKEY(key, &der);
	}
	assert_non_null(*pub = calloc(1, rawlen * 2 + 4));
	EVP_EncodeBlock((unsigned char *)*pub, der, (int)rawlen);
	if (der != raw)
		OPENSSL_free(der);
	EVP_PKEY_free(key);
	BIO_free(in);
	BIO_free(out);
}

/* The key records the cases use: name, text, key whose p= ends it. */
static const struct record {
	const char *name;
	const char *text;
	test_key_t key; /* KEY_COUNT: the text is all */
} records[] = {
    {"s1._domainkey.example.com", "v=DKIM1; k=rsa; p=", KEY_RSA2048},
    {"ed._domainkey.example.com", "v=DKIM1; k=ed25519; p=", KEY_ED25519},
    {"x._domainkey.other.example", "v=DKIM1; p=", KEY_RSA2048},
    {"s1._domainkey.mail.example.com", "p=", KEY_RSA2048},
    {"test._domainkey.example.com", "v=DKIM1; t=y; p=", KEY_RSA2048},
    {"weak._domainkey.example.com", "v=DKIM1; p=", KEY_RSA1024},
    {"wrong._domainkey.example.com", "v=DKIM1; p=", KEY_RSA2048},
    {"multi._domainkey.example.com", "v=DKIM1; p=", KEY_RSA2048},
    {"multi._domainkey.example.com", "v=spf1 -all", KEY_COUNT},
    {"revoked._domainkey.example.com", "v=DKIM1; k=rsa; p=", KEY_COUNT},
    {"temp._domainkey.example.com", "v=DKIM1; p=", KEY_RSA2048},
};

/* publish_zone - the records, one over 1024 octets, a name in TEMPFAIL */
static void publish_zone(void)
{
	char txt[2048];

	for (size_t i = 0; i < COUNT(records); i++) {
		const struct record *r = &records[i];
		snprintf(txt, sizeof(txt), "%s%s", r->text,
		         r->key == KEY_COUNT ? "" : fx.pub[r->key]);
		assert_int_equal(
		    ag_dnsmem_add_text(fx.zone, r->name, AG_DNS_TXT, txt), 0);
	}
	snprintf(txt, sizeof(txt), "v=DKIM1; n=%0900d; p=%s", 0,
	         fx.pub[KEY_RSA2048]);
	assert_int_equal(ag_dnsmem_add_text(fx.zone,
	                                    "long._domainkey.example.com",
	                                    AG_DNS_TXT, txt),
	                 0);
	assert_int_equal(ag_dnsmem_set_status(fx.zone,
	                                      "temp._domainkey.example.com",
	                                      AG_DNS_TXT, AG_DNS_TEMPFAIL),
	                 0);
}

/* signer_create - a library handle for signing; a non-zero clock is
 * fixed (seconds since the epoch) and signatures then live an hour */
static DKIM_LIB *signer_create(uint64_t clock)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	uint64_t ttl = 3600;

	assert_non_null(lib);
	if (clock != 0 &&
	    (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME, &clock,
	                  sizeof(clock)) != DKIM_STAT_OK ||
	     dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL, &ttl,
	                  sizeof(ttl)) != DKIM_STAT_OK))
		fail_msg("libopendkim refused the signer's clock");
	return lib;
}

/* group_setup - keys, zone, verifier, signers */
static int group_setup(void **state)
{
	char err[256] = "";

	for (int i = 0; i < KEY_COUNT; i++)
		load_key(key_files[i], &fx.pem[i], &fx.pub[i]);
	fx.zone = ag_dnsmem_create();
	assert_non_null(fx.zone);
	publish_zone();
	fx.verifier = ag_dkimverify_create(ag_dnsmem_resolver(fx.zone), 2000,
	                                   err, sizeof(err));
	assert_non_null(fx.verifier);
	fx.psl = ag_psl_load(AG_DKIM_TEST_DATA "/psl.dat", err, sizeof(err));
	assert_non_null(fx.psl);
	fx.signer = signer_create(0);
	fx.old_signer = signer_create(1000000000);
	return 0;
}

/* group_teardown - release what group_setup made */
static int group_teardown(void **state)
{
	dkim_close(fx.signer);
	dkim_close(fx.old_signer);
	fx.psl = ag_psl_free(fx.psl);
	fx.verifier = ag_dkimverify_destroy(fx.verifier);
	fx.zone = ag_dnsmem_destroy(fx.zone);
	free(fx.ed25519_sig);
	for (int i = 0; i < KEY_COUNT; i++) {
		free(fx.pem[i]);
		free(fx.pub[i]);
	}
	return 0;
}

/* ---- messages ------------------------------------------------------- */

typedef struct field {
	const char *name;
	char *value;
} field_t;

typedef struct message {
	field_t fields[MAX_FIELDS];
	size_t count;
	const char *body;
} message_t;

static const char body_text[] =
    "Hello Bob,\r\n\r\nThe figures for the quarter are attached.\r\n"
    "  Indented line,   with  spaces.\r\n\r\n\r\n";
/* message_add - append a field (the value is copied) */
static void message_add(message_t *msg, const char *name, const char *value)
{
	assert_true(msg->count < MAX_FIELDS);
	msg->fields[msg->count].name = name;
	msg->fields[msg->count].value = strdup(value);
	assert_non_null(msg->fields[msg->count].value);
	msg->count++;
}

/* message_base - the message every case starts from; values as libmilter
 * hands them (no leading space, LF in folded values) */
static void message_base(message_t *msg, const char *from)
{
	memset(msg, 0, sizeof(*msg));
	message_add(msg, "From", from);
	message_add(msg, "To", "Bob <bob@example.net>");
	message_add(msg, "Subject",
	            "Quarterly   figures,\n\twith a folded line");
	message_add(msg, "Date", "Mon, 01 Jul 2024 09:30:00 +0000");
	message_add(msg, "Message-ID", "<q3.figures@example.com>");
	message_add(msg, "MIME-Version", "1.0");
	msg->body = body_text;
}

/* message_clear - release the field values */
static void message_clear(message_t *msg)
{
	for (size_t i = 0; i < msg->count; i++)
		free(msg->fields[i].value);
	msg->count = 0;
}

/* wire_field - "Name: value" with CRLF line ends, as on the wire */
static char *wire_field(const field_t *field)
{
	size_t len = strlen(field->name) + 2 * strlen(field->value) + 3;
	char *out = malloc(len);
	char *p;

	assert_non_null(out);
	p = out + sprintf(out, "%s: ", field->name);
	for (const char *v = field->value; *v != '\0'; v++) {
		if (*v == '\n' && (v == field->value || v[-1] != '\r'))
			*p++ = '\r';
		*p++ = *v;
	}
	*p = '\0';
	return out;
}

typedef struct sigspec {
	const char *domain; /* NULL: no signature */
	const char *selector;
	test_key_t key;
	int simple;      /* simple/simple, else relaxed/relaxed */
	int expired;     /* signed in 2001, an hour of life */
	const char *raw; /* a hand-written field value instead */
} sigspec_t;

/* feed - a message in wire form to a libopendkim handle */
static void feed(DKIM *dkim, const message_t *msg)
{
	for (size_t i = 0; i < msg->count; i++) {
		char *wire = wire_field(&msg->fields[i]);
		assert_int_equal(
		    dkim_header(dkim, (u_char *)wire, strlen(wire)),
		    DKIM_STAT_OK);
		free(wire);
	}
	assert_int_equal(dkim_eoh(dkim), DKIM_STAT_OK);
	assert_int_equal(
	    dkim_body(dkim, (u_char *)msg->body, strlen(msg->body)),
	    DKIM_STAT_OK);
}

/*
 * sign - a DKIM-Signature value for msg made under spec. libopendkim
 * 2.11's dkim_free() does not release the key of an Ed25519 signing
 * handle, so the one Ed25519 signature (always of the base message From
 * example.com) is made once and its handle kept, reachable, until exit.
 */
static char *sign(const message_t *msg, const sigspec_t *spec)
{
	dkim_canon_t canon =
	    spec->simple ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
	dkim_alg_t alg = spec->key == KEY_ED25519 ? DKIM_SIGN_ED25519SHA256
	                                          : DKIM_SIGN_RSASHA256;
	DKIM_STAT status;
	DKIM *dkim;
	u_char *hdr = NULL;
	size_t len = 0;
	char *out;

	if (spec->key == KEY_ED25519 && fx.ed25519_sig != NULL)
		return strdup(fx.ed25519_sig);
	dkim = dkim_sign(
	    spec->expired ? fx.old_signer : fx.signer, (const u_char *)"test",
	    NULL, (dkim_sigkey_t)fx.pem[spec->key],
	    (const u_char *)spec->selector, (const u_char *)spec->domain, canon,
	    canon, alg, -1, &status);
	assert_non_null(dkim);
	feed(dkim, msg);
	assert_int_equal(dkim_eom(dkim, NULL), DKIM_STAT_OK);
	assert_int_equal(
	    dkim_getsighdr_d(dkim, strlen(DKIM_SIGNHEADER ": "), &hdr, &len),
	    DKIM_STAT_OK);
	out = strdup((const char *)hdr);
	assert_non_null(out);
	if (spec->key != KEY_ED25519) {
		dkim_free(dkim);
		return out;
	}
	assert_string_equal(msg->fields[0].value, "Alice <alice@example.com>");
	fx.ed25519_handle = dkim;
	fx.ed25519_sig = strdup(out);
	return out;
}

/* verify - run a message through the verifier; without_body: skip
 * eoh() and the body */
static void verify(const message_t *msg, const ag_dkimverify_policy_t *policy,
                   ag_check_fact_t *fact, int without_body)
{
	ag_dkimverify_msg_t *vmsg = ag_dkimverify_begin(fx.verifier, "Q1");
	size_t len = strlen(msg->body);

	assert_non_null(vmsg);
	for (size_t i = 0; i < msg->count; i++)
		assert_int_equal(ag_dkimverify_header(vmsg, msg->fields[i].name,
		                                      msg->fields[i].value),
		                 0);
	if (!without_body && ag_dkimverify_eoh(vmsg) == 1)
		for (size_t off = 0; off < len; off += 7)
			assert_int_equal(
			    ag_dkimverify_body(vmsg, msg->body + off,
			                       len - off < 7 ? len - off : 7),
			    0);
	ag_dkimverify_end(vmsg, policy, fact);
	ag_dkimverify_free(vmsg);
}

/* ---- the table ------------------------------------------------------ */

/* What happens to a message between signing and verifying. */
enum tamper {
	UNTOUCHED,
	TAMPER_BODY,
	TAMPER_SUBJECT,
	ADD_FIELD,  /* an unsigned field */
	NO_FROM,    /* From renamed Reply-To */
	LEAD_SPACE, /* values as kept under SMFIP_HDR_LEADSPC */
	CRLF,       /* values with CRLF, body with bare LF */
	SKIP_BODY   /* end() without eoh() and the body */
};

typedef struct vcase {
	const char *name;
	sigspec_t sigs[MAX_SPECS]; /* top to bottom */
	ag_alignment_t alignment;
	enum tamper tamper;
	ag_check_state_t state;
	ag_reason_t reason; /* when not PASS */
	const char *detail;
	unsigned long queries;   /* TXT lookups expected */
	const char *from_domain; /* NULL: example.com */
	unsigned min_key_bits;   /* 0: 1024 */
	int allow_testing;
} vcase_t;

/* clang-format off */
#define RSA(d, s) {d, s, KEY_RSA2048, 0, 0, NULL}
#define SIG_SIMPLE {"example.com", "s1", KEY_RSA2048, 1, 0, NULL}
#define SIG_EXPIRED {"example.com", "s1", KEY_RSA2048, 0, 1, NULL}
#define SIG_ED25519 {"example.com", "ed", KEY_ED25519, 0, 0, NULL}
#define SIG_WEAK {"example.com", "weak", KEY_RSA1024, 0, 0, NULL}
#define SIG_WRONG {"example.com", "wrong", KEY_RSA1024, 0, 0, NULL}
#define SIG_RAW(v) {NULL, NULL, KEY_RSA2048, 0, 0, v}
#define NOSIG {NULL, NULL, KEY_RSA2048, 0, 0, NULL}
#define RELAXED AG_ALIGN_RELAXED
#define STRICT AG_ALIGN_STRICT
#define PASS AG_CHECK_PASS, AG_R_DKIM_SIGNATURE_INVALID
#define INVALID AG_CHECK_FAIL, AG_R_DKIM_SIGNATURE_INVALID
#define UNALIGNED AG_CHECK_FAIL, AG_R_DKIM_SIGNATURE_UNALIGNED
#define TEMPERROR AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR
#define STD NULL, 0, 0		/* From example.com, MinKeyBits 1024, no t=y */
#define NO_B "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1; " \
	"h=from:to; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

static const vcase_t cases[] = {
	{"rsa relaxed/relaxed aligned", {RSA("example.com", "s1")}, RELAXED,
	 UNTOUCHED, PASS, "d=example.com s=s1 pass", 1, STD},
	{"rsa simple/simple aligned", {SIG_SIMPLE}, STRICT, UNTOUCHED, PASS,
	 "d=example.com s=s1 pass", 1, STD},
	{"ed25519 aligned", {SIG_ED25519}, STRICT, UNTOUCHED, PASS,
	 "d=example.com s=ed pass", 1, STD},
	{"d= in upper case is aligned", {RSA("EXAMPLE.Com", "s1")}, STRICT,
	 UNTOUCHED, PASS, "d=EXAMPLE.Com s=s1 pass", 1, STD},
	{"unsigned field added after signing", {RSA("example.com", "s1")},
	 RELAXED, ADD_FIELD, PASS, "d=example.com s=s1 pass", 1, STD},
	{"other organisational domain is unaligned", {RSA("other.example", "x")},
	 RELAXED, UNTOUCHED, UNALIGNED, "d=other.example s=x pass, unaligned",
	 1, STD},
	{"sub-domain d= relaxed passes", {RSA("mail.example.com", "s1")},
	 RELAXED, UNTOUCHED, PASS, "d=mail.example.com s=s1 pass", 1, STD},
	{"sub-domain d= strict is unaligned", {RSA("mail.example.com", "s1")},
	 STRICT, UNTOUCHED, UNALIGNED,
	 "d=mail.example.com s=s1 pass, unaligned", 1, STD},
	{"parent d= for a sub-domain From, relaxed", {RSA("example.com", "s1")},
	 RELAXED, UNTOUCHED, PASS, "d=example.com s=s1 pass", 1,
	 "news.example.com", 0, 0},
	{"parent d= for a sub-domain From, strict", {RSA("example.com", "s1")},
	 STRICT, UNTOUCHED, UNALIGNED, "d=example.com s=s1 pass, unaligned", 1,
	 "news.example.com", 0, 0},
	{"unknown From domain is never aligned", {RSA("example.com", "s1")},
	 RELAXED, UNTOUCHED, UNALIGNED, "d=example.com s=s1 pass, unaligned", 1,
	 "", 0, 0},
	{"tampered body", {RSA("example.com", "s1")}, RELAXED, TAMPER_BODY,
	 INVALID, "d=example.com s=s1 body hash mismatch", 1, STD},
	{"tampered signed field", {RSA("example.com", "s1")}, RELAXED,
	 TAMPER_SUBJECT, INVALID, "d=example.com s=s1 signature mismatch", 1,
	 STD},
	{"key of another signer", {SIG_WRONG}, RELAXED, UNTOUCHED, INVALID,
	 "d=example.com s=wrong signature mismatch", 1, STD},
	{"no signature", {NOSIG}, RELAXED, UNTOUCHED, INVALID, "no signature",
	 0, STD},
	{"key missing", {RSA("example.com", "gone")}, RELAXED, UNTOUCHED,
	 INVALID, "d=example.com s=gone key not found (nxdomain)", 1, STD},
	{"key revoked", {RSA("example.com", "revoked")}, RELAXED, UNTOUCHED,
	 INVALID, "d=example.com s=revoked key revoked", 1, STD},
	{"several TXT records at the key name", {RSA("example.com", "multi")},
	 RELAXED, UNTOUCHED, INVALID,
	 "d=example.com s=multi key unusable (several TXT records)", 1, STD},
	{"key record too long for libopendkim", {RSA("example.com", "long")},
	 RELAXED, UNTOUCHED, INVALID,
	 "d=example.com s=long key unusable (record too long)", 1, STD},
	{"DNS tempfail", {RSA("example.com", "temp")}, RELAXED, UNTOUCHED,
	 TEMPERROR, "d=example.com s=temp key lookup failed (timeout)", 1,
	 STD},
	{"tempfail, then a good aligned signature",
	 {RSA("example.com", "temp"), RSA("example.com", "s1")}, RELAXED,
	 UNTOUCHED, PASS, "d=example.com s=s1 pass", 2, STD},
	{"tempfail and a valid unaligned signature",
	 {RSA("other.example", "x"), RSA("example.com", "temp")}, RELAXED,
	 UNTOUCHED, TEMPERROR, "d=other.example s=x pass, unaligned; "
	 "d=example.com s=temp key lookup failed (timeout)", 2, STD},
	{"tempfail and a bad signature",
	 {RSA("example.com", "gone"), RSA("example.com", "temp")}, RELAXED,
	 UNTOUCHED, TEMPERROR, "d=example.com s=gone key not found (nxdomain); "
	 "d=example.com s=temp key lookup failed (timeout)", 2, STD},
	{"two signatures, the bad one first",
	 {SIG_WRONG, RSA("example.com", "s1")}, RELAXED, UNTOUCHED, PASS,
	 "d=example.com s=s1 pass", 2, STD},
	{"two signatures, the good one first",
	 {RSA("example.com", "s1"), RSA("example.com", "gone")}, RELAXED,
	 UNTOUCHED, PASS, "d=example.com s=s1 pass", 2, STD},
	{"unaligned valid then aligned valid",
	 {RSA("other.example", "x"), SIG_ED25519}, RELAXED, UNTOUCHED, PASS,
	 "d=example.com s=ed pass", 2, STD},
	{"unaligned valid and aligned invalid",
	 {RSA("example.com", "gone"), RSA("other.example", "x")}, RELAXED,
	 UNTOUCHED, UNALIGNED, "d=example.com s=gone key not found (nxdomain); "
	 "d=other.example s=x pass, unaligned", 2, STD},
	{"same failing key twice: one lookup",
	 {RSA("example.com", "temp"), RSA("example.com", "temp")}, RELAXED,
	 UNTOUCHED, TEMPERROR, "d=example.com s=temp key lookup failed "
	 "(timeout); d=example.com s=temp key lookup failed (timeout)", 1,
	 STD},
	{"same good key twice: one lookup",
	 {RSA("other.example", "x"), RSA("other.example", "x")}, RELAXED,
	 UNTOUCHED, UNALIGNED, "d=other.example s=x pass, unaligned; "
	 "d=other.example s=x pass, unaligned", 1, STD},
	{"testing key refused", {RSA("example.com", "test")}, RELAXED,
	 UNTOUCHED, INVALID, "d=example.com s=test key in testing mode (t=y)",
	 1, STD},
	{"testing key allowed", {RSA("example.com", "test")}, RELAXED,
	 UNTOUCHED, PASS, "d=example.com s=test pass", 1, NULL, 0, 1},
	{"1024-bit key under MinKeyBits 2048", {SIG_WEAK}, RELAXED, UNTOUCHED,
	 INVALID, "d=example.com s=weak key too weak (1024 bits)", 1, NULL,
	 2048, 0},
	{"1024-bit key under MinKeyBits 1024", {SIG_WEAK}, RELAXED, UNTOUCHED,
	 PASS, "d=example.com s=weak pass", 1, NULL, 1024, 0},
	{"ed25519 under MinKeyBits 2048", {SIG_ED25519}, RELAXED, UNTOUCHED,
	 PASS, "d=example.com s=ed pass", 1, NULL, 2048, 0},
	{"no From field", {RSA("example.com", "s1")}, RELAXED, NO_FROM,
	 INVALID, "d=example.com s=s1 signature mismatch", 1, STD},
	{"values with their leading space, simple", {SIG_SIMPLE}, STRICT,
	 LEAD_SPACE, PASS, "d=example.com s=s1 pass", 1, STD},
	{"CRLF in values, LF in the body, simple", {SIG_SIMPLE}, STRICT, CRLF,
	 PASS, "d=example.com s=s1 pass", 1, STD},
	{"end() without eoh() and body", {RSA("example.com", "s1")}, RELAXED,
	 SKIP_BODY, INVALID, "d=example.com s=s1 body hash mismatch", 1, STD},
	{"expired signature", {SIG_EXPIRED}, RELAXED, UNTOUCHED, INVALID,
	 "d=example.com s=s1 signature expired", 0, STD},
	{"signature field without b=", {SIG_RAW(NO_B)}, RELAXED, UNTOUCHED,
	 INVALID, "d=example.com s=s1 signature data missing", 0, STD},
	{"garbage signature field", {SIG_RAW("garbage\001\377")}, RELAXED,
	 UNTOUCHED, INVALID, "d=? s=? domain tag missing", 0, STD},
};
/* clang-format on */

/* build - the base message From <from_domain>, under the signatures of
 * specs (top to bottom) */
static void build(message_t *out, const char *from_domain,
                  const sigspec_t *specs, size_t nspecs)
{
	char from[300];
	message_t base;

	snprintf(from, sizeof(from), "Alice <alice@%s>",
	         from_domain != NULL && *from_domain != '\0' ? from_domain
	                                                     : "example.com");
	message_base(&base, from);
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nspecs; i++) {
		char *value = specs[i].raw != NULL      ? strdup(specs[i].raw)
		              : specs[i].domain != NULL ? sign(&base, &specs[i])
		                                        : NULL;
		if (value != NULL)
			message_add(out, DKIM_SIGNHEADER, value);
		free(value);
	}
	for (size_t i = 0; i < base.count; i++)
		message_add(out, base.fields[i].name, base.fields[i].value);
	out->body = base.body;
	message_clear(&base);
}

/* field_named - the first field of that name */
static field_t *field_named(message_t *msg, const char *name)
{
	for (size_t i = 0; i < msg->count; i++)
		if (strcmp(msg->fields[i].name, name) == 0)
			return &msg->fields[i];
	fail_msg("no field %s", name);
	return NULL;
}

/* set_value - replace a field's value */
static void set_value(field_t *field, char *value)
{
	assert_non_null(value);
	free(field->value);
	field->value = value;
}

/* with_leading_space - a value as kept under SMFIP_HDR_LEADSPC */
static char *with_leading_space(const field_t *field)
{
	char *value = malloc(strlen(field->value) + 2);

	assert_non_null(value);
	sprintf(value, " %s", field->value);
	return value;
}

/* with_crlf - a value with CRLF line ends */
static char *with_crlf(const field_t *field)
{
	char *wire = wire_field(field);
	char *value = strdup(wire + strlen(field->name) + 2);

	free(wire);
	return value;
}

/* rewrite - every field value rewritten */
static void rewrite(message_t *msg, char *(*fn)(const field_t *))
{
	for (size_t i = 0; i < msg->count; i++)
		set_value(&msg->fields[i], fn(&msg->fields[i]));
}

/* apply_tamper - change the message after signing */
static void apply_tamper(message_t *msg, enum tamper tamper)
{
	static const char lf_body[] =
	    "Hello Bob,\n\nThe figures for the quarter are attached.\n"
	    "  Indented line,   with  spaces.\n\n\n";

	if (tamper == TAMPER_BODY)
		msg->body = strchr(body_text, '\n') + 1; /* first line gone */
	if (tamper == TAMPER_SUBJECT)
		set_value(field_named(msg, "Subject"),
		          strdup("Quarterly figures, revised"));
	if (tamper == ADD_FIELD)
		message_add(msg, "X-Mailer", "figures 1.0");
	if (tamper == NO_FROM)
		field_named(msg, "From")->name = "Reply-To";
	if (tamper == LEAD_SPACE)
		rewrite(msg, with_leading_space);
	if (tamper == CRLF) {
		rewrite(msg, with_crlf);
		assert_non_null(
		    strstr(field_named(msg, "Subject")->value, "\r\n\t"));
		msg->body = lf_body;
	}
}

/* policy_of - a case's policy */
static ag_dkimverify_policy_t policy_of(const vcase_t *c)
{
	ag_dkimverify_policy_t policy = {
	    .from_domain =
	        c->from_domain != NULL ? c->from_domain : "example.com",
	    .psl = fx.psl,
	    .alignment = c->alignment,
	    .keys = {.min_key_bits =
	                 c->min_key_bits != 0 ? c->min_key_bits : 1024,
	             .allow_testing = c->allow_testing},
	};
	return policy;
}

/* run - verify msg under a case's policy, counting queries afresh */
static void run(message_t *msg, const vcase_t *c, ag_check_fact_t *fact)
{
	ag_dkimverify_policy_t policy = policy_of(c);

	ag_dnsmem_reset_counts(fx.zone);
	verify(msg, &policy, fact, c->tamper == SKIP_BODY);
	message_clear(msg);
}

/* test_case - one row of the table */
static void test_case(void **state)
{
	const vcase_t *c = *state;
	ag_check_fact_t fact;
	message_t msg;

	build(&msg, c->from_domain, c->sigs, MAX_SPECS);
	apply_tamper(&msg, c->tamper);
	run(&msg, c, &fact);
	assert_int_equal(fact.kind, AG_CHECK_DKIM_SIGNATURE);
	assert_string_equal(fact.name, AG_DKIMVERIFY_FACT_NAME);
	assert_string_equal(fact.detail, c->detail);
	assert_string_equal(ag_check_state_name(fact.state),
	                    ag_check_state_name(c->state));
	if (c->state != AG_CHECK_PASS)
		assert_string_equal(ag_reason_name(fact.reason),
		                    ag_reason_name(c->reason));
	assert_int_equal(ag_dnsmem_queries(fx.zone, NULL, AG_DNSMEM_ANY),
	                 c->queries);
	assert_int_equal(ag_dnsmem_queries(fx.zone, NULL, AG_DNS_TXT),
	                 c->queries);
	assert_int_equal(stray_queries, 0);
}

/* ---- fixed tests ---------------------------------------------------- */

static const vcase_t *const pass_case = &cases[0];

/* case_named - a row of the table */
static const vcase_t *case_named(const char *name)
{
	for (size_t i = 0; i < COUNT(cases); i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	fail_msg("no case %s", name);
	return NULL;
}

/* test_signature_cap - nine signatures: eight by unknown keys make eight
 * lookups, the ninth, aligned and good, is not checked */
static void test_signature_cap(void **state)
{
	static const char *const selectors[AG_DKIMVERIFY_MAX_SIGS + 1] = {
	    "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "s1"};
	sigspec_t specs[COUNT(selectors)];
	ag_check_fact_t fact;
	message_t msg;

	for (size_t i = 0; i < COUNT(selectors); i++)
		specs[i] = (sigspec_t)RSA("example.com", selectors[i]);
	build(&msg, NULL, specs, COUNT(specs));
	run(&msg, pass_case, &fact);
	assert_int_equal(fact.state, AG_CHECK_FAIL);
	assert_int_equal(fact.reason, AG_R_DKIM_SIGNATURE_INVALID);
	assert_non_null(strstr(fact.detail,
	                       "; d=example.com s=g2 key not found "
	                       "(nxdomain); d=example.com s=g3"));
	assert_int_equal(ag_dnsmem_queries(fx.zone, NULL, AG_DNSMEM_ANY),
	                 AG_DKIMVERIFY_MAX_SIGS);
	assert_int_equal(
	    ag_dnsmem_queries(fx.zone, "g8._domainkey.example.com", AG_DNS_TXT),
	    1);
	assert_int_equal(
	    ag_dnsmem_queries(fx.zone, "s1._domainkey.example.com", AG_DNS_TXT),
	    0);
}

/* test_lookup_budget - the key lookups of a message share one budget:
 * 300 ms for the first, the rest of 400 for the second, none for the
 * third */
static void test_lookup_budget(void **state)
{
	sigspec_t specs[] = {RSA("example.com", "gone"),
	                     RSA("other.example", "x"),
	                     RSA("example.com", "s1")};
	ag_dkimverify_t *saved = fx.verifier;
	ag_check_fact_t fact;
	message_t msg;
	char err[128];

	fx.verifier = ag_dkimverify_create(ag_dnsmem_resolver(fx.zone), 400,
	                                   err, sizeof(err));
	assert_non_null(fx.verifier);
	ag_dnsmem_set_delay(fx.zone, 300);
	build(&msg, NULL, specs, COUNT(specs));
	run(&msg, pass_case, &fact);
	ag_dnsmem_set_delay(fx.zone, 0);
	ag_dkimverify_destroy(fx.verifier);
	fx.verifier = saved;
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	assert_non_null(strstr(fact.detail,
	                       "d=example.com s=gone key not found (nxdomain); "
	                       "d=other.example s=x key lookup failed ("));
	assert_non_null(strstr(fact.detail, "; d=example.com s=s1 key lookup "
	                                    "failed (no time left)"));
	assert_int_equal(
	    ag_dnsmem_queries(fx.zone, "s1._domainkey.example.com", AG_DNS_TXT),
	    0);
}

/* test_api_misuse - calls out of order, NULL arguments */
static void test_api_misuse(void **state)
{
	ag_dkimverify_policy_t policy = policy_of(pass_case);
	ag_check_fact_t fact;
	ag_dkimverify_msg_t *msg;
	char err[128] = "";

	assert_null(ag_dkimverify_create(NULL, 10, err, sizeof(err)));
	assert_string_equal(err, "DKIM verifier: no resolver");
	assert_null(ag_dkimverify_create(NULL, 10, NULL, 0));
	assert_null(ag_dkimverify_begin(NULL, "x"));
	assert_null(ag_dkimverify_free(NULL));
	assert_null(ag_dkimverify_destroy(NULL));
	assert_int_equal(ag_dkimverify_header(NULL, "a", "b"), -1);
	assert_int_equal(ag_dkimverify_eoh(NULL), -1);
	assert_int_equal(ag_dkimverify_body(NULL, "x", 1), -1);

	msg = ag_dkimverify_begin(fx.verifier, NULL);
	assert_non_null(msg);
	assert_int_equal(ag_dkimverify_body(msg, "x", 1), -1);
	assert_int_equal(ag_dkimverify_header(msg, "From", NULL), -1);
	assert_int_equal(ag_dkimverify_header(msg, "From", "a@example.com"), 0);
	assert_int_equal(ag_dkimverify_header(msg, "Subject", ""), 0);
	assert_int_equal(ag_dkimverify_eoh(msg), 0);
	assert_int_equal(ag_dkimverify_eoh(msg), -1);
	assert_int_equal(ag_dkimverify_header(msg, "To", "b@example.net"), -1);
	assert_int_equal(ag_dkimverify_body(msg, "ignored\r\n", 9), 0);
	ag_dkimverify_end(msg, &policy, &fact);
	assert_int_equal(fact.state, AG_CHECK_FAIL);
	assert_string_equal(fact.detail, "no signature");
	ag_dkimverify_end(msg, &policy, &fact);
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	assert_string_equal(fact.detail, "verification not run");
	assert_int_equal(ag_dkimverify_body(msg, "x", 1), -1);
	assert_null(ag_dkimverify_free(msg));

	msg = ag_dkimverify_begin(fx.verifier, "no-policy");
	assert_non_null(msg);
	ag_dkimverify_end(msg, NULL, &fact);
	assert_int_equal(fact.state, AG_CHECK_TEMPERROR);
	ag_dkimverify_free(msg);
}

typedef struct worker {
	const message_t *msg;
	const ag_dkimverify_policy_t *policy;
	int passes;
} worker_t;

/* worker_run - verify one message ten times */
static void *worker_run(void *arg)
{
	worker_t *w = arg;
	ag_check_fact_t fact;

	for (int i = 0; i < 10; i++) {
		verify(w->msg, w->policy, &fact, 0);
		w->passes += fact.state == AG_CHECK_PASS;
	}
	return NULL;
}

/* test_threads - four message threads share the verifier */
static void test_threads(void **state)
{
	const vcase_t *c = case_named("unaligned valid then aligned valid");
	ag_dkimverify_policy_t policy = policy_of(c);
	pthread_t threads[4];
	worker_t workers[4];
	message_t msg;

	build(&msg, NULL, c->sigs, MAX_SPECS);
	for (int i = 0; i < 4; i++) {
		workers[i] = (worker_t){&msg, &policy, 0};
		assert_int_equal(
		    pthread_create(&threads[i], NULL, worker_run, &workers[i]),
		    0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(workers[i].passes, 10);
	}
	message_clear(&msg);
	assert_int_equal(stray_queries, 0);
}

/* test_stray_counter_works - the counters do see libopendkim's own
 * resolver when nothing replaces it */
static void test_stray_counter_works(void **state)
{
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	unsigned long before = stray_queries;
	DKIM_STAT status;
	DKIM *dkim;
	message_t msg;

	assert_non_null(lib);
	build(&msg, NULL, pass_case->sigs, MAX_SPECS);
	dkim = dkim_verify(lib, (const u_char *)"stray", NULL, &status);
	assert_non_null(dkim);
	feed(dkim, &msg);
	assert_int_not_equal(dkim_eom(dkim, NULL), DKIM_STAT_OK);
	dkim_free(dkim);
	dkim_close(lib);
	message_clear(&msg);
	assert_true(stray_queries > before);
	__atomic_store_n(&stray_queries, 0, __ATOMIC_SEQ_CST);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_signature_cap),
	    cmocka_unit_test(test_lookup_budget),
	    cmocka_unit_test(test_api_misuse),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_stray_counter_works),
	};
	struct CMUnitTest tests[COUNT(cases) + COUNT(fixed)];
	size_t n = 0;

	for (size_t i = 0; i < COUNT(cases); i++)
		tests[n++] = (struct CMUnitTest){cases[i].name, test_case, NULL,
		                                 NULL, (void *)&cases[i]};
	for (size_t i = 0; i < COUNT(fixed); i++)
		tests[n++] = fixed[i];
	return cmocka_run_group_tests_name("dkimverify", tests, group_setup,
	                                   group_teardown);
}
