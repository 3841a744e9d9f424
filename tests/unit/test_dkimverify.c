/*
 * test_dkimverify.c - DKIM signatures on a message, one test case per row
 * of a table: each test message is signed here with libopendkim's signer,
 * perhaps changed afterwards, and run through the verifier over an
 * in-memory zone (see dkimverify_fixture.h); the verdict, its detail and
 * the queries made are checked. The signature cap, the lookup budget,
 * misuse and threads are in test_dkimverify_limits.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkimverify_fixture.h"

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
	ag_dkimverify_policy_t policy = base_policy();

	if (c->from_domain != NULL)
		policy.from_domain = c->from_domain;
	policy.alignment = c->alignment;
	if (c->min_key_bits != 0)
		policy.keys.min_key_bits = c->min_key_bits;
	policy.keys.allow_testing = c->allow_testing;
	return policy;
}

/* test_case - one row of the table */
static void test_case(void **state)
{
	const vcase_t *c = *state;
	ag_dkimverify_policy_t policy = policy_of(c);
	ag_check_fact_t fact;
	message_t msg;

	build(&msg, c->from_domain, c->sigs, MAX_SPECS);
	apply_tamper(&msg, c->tamper);
	run(&msg, &policy, c->tamper == SKIP_BODY, &fact);
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

int main(void)
{
	struct CMUnitTest tests[COUNT(cases)];

	for (size_t i = 0; i < COUNT(cases); i++)
		tests[i] = (struct CMUnitTest){cases[i].name, test_case, NULL,
		                               NULL, (void *)&cases[i]};
	return cmocka_run_group_tests_name("dkimverify", tests, group_setup,
	                                   group_teardown);
}
