/*
 * dkimverify_fixture.c - what the unit tests of DKIM verification share
 * (see dkimverify_fixture.h).
 */
#include "dkimverify_fixture.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- libopendkim's own resolver, counted --------------------------- */

unsigned long stray_queries;

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

static const char *const key_files[KEY_COUNT] = {"rsa2048.pem", "rsa1024.pem",
                                                 "ed25519.pem"};

fixture_t fx;

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
int group_setup(void **state)
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
int group_teardown(void **state)
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

const char body_text[] =
    "Hello Bob,\r\n\r\nThe figures for the quarter are attached.\r\n"
    "  Indented line,   with  spaces.\r\n\r\n\r\n";
/* message_add - append a field (the value is copied) */
void message_add(message_t *msg, const char *name, const char *value)
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
void message_clear(message_t *msg)
{
	for (size_t i = 0; i < msg->count; i++)
		free(msg->fields[i].value);
	msg->count = 0;
}

/* wire_field - "Name: value" with CRLF line ends, as on the wire */
char *wire_field(const field_t *field)
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

/* feed - a message in wire form to a libopendkim handle */
void feed(DKIM *dkim, const message_t *msg)
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
void verify(const message_t *msg, const ag_dkimverify_policy_t *policy,
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

/* build - the base message From <from_domain>, under the signatures of
 * specs (top to bottom) */
void build(message_t *out, const char *from_domain, const sigspec_t *specs,
           size_t nspecs)
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

/* base_policy - From example.com, relaxed, MinKeyBits 1024, no t=y */
ag_dkimverify_policy_t base_policy(void)
{
	ag_dkimverify_policy_t policy = {
	    .from_domain = "example.com",
	    .psl = fx.psl,
	    .alignment = AG_ALIGN_RELAXED,
	    .keys = {.min_key_bits = 1024, .allow_testing = 0},
	};
	return policy;
}

/* run - verify msg under policy, counting queries afresh */
void run(message_t *msg, const ag_dkimverify_policy_t *policy, int without_body,
         ag_check_fact_t *fact)
{
	ag_dnsmem_reset_counts(fx.zone);
	verify(msg, policy, fact, without_body);
	message_clear(msg);
}
