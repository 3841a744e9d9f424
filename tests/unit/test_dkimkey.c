/*
 * test_dkimkey.c - DKIM key records: every tag, white space, each reason
 * code, RSA keys of 512 to 4096 bits and an Ed25519 key (fixed vectors
 * made with openssl genrsa / genpkey).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <stdio.h>
#include <string.h>

#include "dkimkey.h"

/* RSA512 as a bare PKCS#1 RSAPublicKey, not a SubjectPublicKeyInfo */
#define RSA512_PKCS1                                                           \
	"MEgCQQCyfviPHQupIypPq1yTXKlb3mGIOiyjXIwO0Sz/gZTS/FB051+965voP/yO"     \
	"EHF9fL0v9PZwDWC0jc4rI/Y26gifAgMBAAE="
/* SubjectPublicKeyInfo of each test key, base64 */
#define RSA512                                                                 \
	"MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALJ++I8dC6kjKk+rXJNcqVveYYg6LKNc"     \
	"jA7RLP+BlNL8UHTnX73rm+g//I4QcX18vS/09nANYLSNzisj9jbqCJ8CAwEAAQ=="
#define RSA1024                                                                \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDb7WKOIlh8+wMnj9a9dydtIrE+"     \
	"yXhqkGyAGG9UMIgKK/UkxRyJhnBSb9mY4h4J104xJJei9lnzrMnsUPARdAuLMeAV"     \
	"M6QZHLma7pVw+Zed+q6vT4txRb2cZ6oBHS901HC9mlO0C38QE0E5M7/90VIMKVLx"     \
	"s4zohcPAXsacbL14PwIDAQAB"
#define RSA2048                                                                \
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4dsUo39sKWWo2wHIF9ui"     \
	"OSqOScKaETi6Wu1HXYXUA4r5mNFAhPLM24lzWgRRNxi861mzdZ7fMt9GlpRzGKYY"     \
	"yxE2N+nIRoQ1Y1QCrLSD6k6DjqV25gFKYuEHYwzc4KPPRfbeFUfeGggi9iKz7NJ8"     \
	"W//fUB91ryZRlkBdEXLgo/jyMcijp4jnqI27J0zTjdM1XPPECruZU2X1/ytDopwM"     \
	"Wgg5Iur3gawkcLCFoXOcTkdpSrtmRCd5lLusHwz3z+6W7OAUpu7YjYI4GrfyRspG"     \
	"QGhJCB9R5vU7dji7vLudLDOHkLRzFSSmEaWBEmk9b6HCx4SjW5ZSwXGt/BEWIbDQ"     \
	"YQIDAQAB"
#define RSA4096                                                                \
	"MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA2YO4SGfiTnz3kWrbWQsQ"     \
	"RYWbiNXsKUScH8DN9QBCauTDlhg3iw97bjW3627j6QPTeeBBcUvNWhGdkvqXcYOk"     \
	"WqSYgjXqqwUgUlRQG+jAII931VslCHppCfQI7iIR7M9YgMyN2bmpulyeoE1Z9yqn"     \
	"W6hWYKo1UVcCJJBSGd4ldCndT7mWApLdaFhC0GWoAdi2ym/rVZMQm0AZ8qQCR1Pl"     \
	"t93UOonAbvo+U7voBKAJgJ0bz+6+2VdrCA/bjHT1eg1AbKc/DTa56QhNFOl7cQK4"     \
	"o0EIBdnypSnr6MWgbS7wbhTTL5ApleekrCSCfurC603LNwciFBpSc2SQrCUG/fo1"     \
	"8X/Pc2dR5LCpc6potLGm9y9R1JMcYYVUxM7ZUdPA8kNGz/SSH1Z+73f2DDdUkF+M"     \
	"uPbcAO6wptrFvXRgav/Xv2az9vun7OKKrPS1BsPhdyZ3RlF8n3rUb2XDTsU0iK4T"     \
	"qztn5FuZbTN1mO2qy2lbu3MLwmswgEghG0WJi6FHt5UUMDcf9FsDVygLApwAfpvt"     \
	"XPge/pM6rfIsxBhnEPeQGn7gEdTwTrLmd1ertjezYRG8csHfYu6CWC0jP3d4t9d8"     \
	"YXH+fuBpJG/BsGcQSgx76bedQUeQ79i+gg/uK5pIKL+anF5OIDPKy408lo5YaHqc"     \
	"Z3UjWOiXqlcES0oTR0c8Rs8CAwEAAQ=="
#define ED25519 "ka42R5OuCgtHm/3fyhFcCKUDsOpjner6HQEAak7QxXA="
#define EC256                                                                  \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYwQxU3iBMaU/xSLHJWuPQ74f+xKt"     \
	"yk6PcVZW8+NLT7ZcchiptQOIgj3dLAxst8JxuYUbMKFUMyHaiY3PIdh8fg=="

#define ANY_TYPE (-1)

typedef struct parse_case {
	const char *name;
	const char *record;
	size_t len; /* 0: strlen(record) */
	int ok;     /* 0 parses, -1 refused as dkim.key-invalid */
	int type;   /* ag_dkim_keytype_t or ANY_TYPE */
	unsigned bits;
	unsigned flags;
	int revoked;
	const char *detail; /* substring of the detail text, or NULL */
} parse_case_t;

static const parse_case_t parse_cases[] = {
    {"bare p=", "p=" RSA1024, 0, 0, AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"every tag",
     "v=DKIM1; h=sha256; k=rsa; n=a note; s=email; t=s; "
     "p=" RSA2048,
     0, 0, AG_DKIM_KEY_RSA, 2048, AG_DKIM_FLAG_STRICT, 0, NULL},
    {"opendkim-genkey form", "v=DKIM1; h=sha256; k=rsa; p=" RSA1024, 0, 0,
     AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"trailing semicolon", "v=DKIM1; p=" RSA1024 ";", 0, 0, AG_DKIM_KEY_RSA,
     1024, 0, 0, NULL},
    {"trailing semicolon and space", "v=DKIM1; p=" RSA1024 " ; \t", 0, 0,
     AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"FWS around tags and values",
     " v = DKIM1 ;\r\n\tk = rsa ;\r\n p =\t" RSA1024 " ", 0, 0, AG_DKIM_KEY_RSA,
     1024, 0, 0, NULL},
    {"FWS inside base64",
     "v=DKIM1; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDb7WKOI "
     "lh8+wMnj9a9dydtIrE+yXhqkGyAGG9UMIgKK/UkxRyJhnBSb9mY4h4J104xJJei9\r\n\t"
     "lnzrMnsUPARdAuLMeAVM6QZHLma7pVw+Zed+q6vT4txRb2cZ6oBHS901HC9mlO0C"
     "38QE0E5M7/90VIMKVLxs4zohcPAXsacbL14PwIDAQ A B",
     0, 0, AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"RSA 512", "v=DKIM1; p=" RSA512, 0, 0, AG_DKIM_KEY_RSA, 512, 0, 0, NULL},
    {"RSA 4096", "v=DKIM1; k=rsa; p=" RSA4096, 0, 0, AG_DKIM_KEY_RSA, 4096, 0,
     0, NULL},
    {"ed25519", "v=DKIM1; k=ed25519; p=" ED25519, 0, 0, AG_DKIM_KEY_ED25519,
     256, 0, 0, NULL},
    {"revoked", "v=DKIM1; p=", 0, 0, AG_DKIM_KEY_RSA, 0, 0, 1, NULL},
    {"revoked with spaces", "v=DKIM1; k=rsa; p= ; n=gone", 0, 0,
     AG_DKIM_KEY_RSA, 0, 0, 1, NULL},
    {"revoked ed25519", "v=DKIM1; k=ed25519; p=", 0, 0, AG_DKIM_KEY_ED25519, 0,
     0, 1, NULL},
    {"t=y", "v=DKIM1; t=y; p=" RSA1024, 0, 0, AG_DKIM_KEY_RSA, 1024,
     AG_DKIM_FLAG_TESTING, 0, NULL},
    {"t=y:s", "v=DKIM1; t=y:s; p=" RSA1024, 0, 0, AG_DKIM_KEY_RSA, 1024,
     AG_DKIM_FLAG_TESTING | AG_DKIM_FLAG_STRICT, 0, NULL},
    {"t= FWS and unknown flag", "t = s : x : y ; p=" RSA1024, 0, 0,
     AG_DKIM_KEY_RSA, 1024, AG_DKIM_FLAG_TESTING | AG_DKIM_FLAG_STRICT, 0,
     NULL},
    {"h=sha1:sha256", "v=DKIM1; h=sha1:sha256; p=" RSA1024, 0, 0,
     AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"h= with FWS", "v=DKIM1; h=sha1 :\r\n sha256; p=" RSA1024, 0, 0,
     AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"h= unknown algorithm beside sha256", "h=sha512:sha256; p=" RSA1024, 0, 0,
     AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"s=*", "s=*; p=" RSA1024, 0, 0, AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"s=email:tlsrpt", "s=tlsrpt:email; p=" RSA1024, 0, 0, AG_DKIM_KEY_RSA,
     1024, 0, 0, NULL},
    {"unknown tags ignored", "v=DKIM1; x_1=anything; g=*; foo=; p=" RSA1024, 0,
     0, AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},
    {"n= with punctuation", "v=DKIM1; n=see=https://x.test/a?b; p=" RSA1024, 0,
     0, AG_DKIM_KEY_RSA, 1024, 0, 0, NULL},

    {"empty record", "", 0, -1, ANY_TYPE, 0, 0, 0, "empty record"},
    {"only white space", " \t ", 0, -1, ANY_TYPE, 0, 0, 0, "empty record"},
    {"empty tag-spec", "v=DKIM1;; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "bad tag name"},
    {"no p=", "v=DKIM1; k=rsa", 0, -1, ANY_TYPE, 0, 0, 0, "no p="},
    {"upper-case P= is another tag", "v=DKIM1; P=" RSA1024, 0, -1, ANY_TYPE, 0,
     0, 0, "no p="},
    {"tag without '='", "v=DKIM1; p", 0, -1, ANY_TYPE, 0, 0, 0, "no '='"},
    {"tag name starting with a digit", "1x=2; p=" RSA1024, 0, -1, ANY_TYPE, 0,
     0, 0, "bad tag name"},
    {"v= not first", "k=rsa; v=DKIM1; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "v= is not the first"},
    {"v=DKIM2", "v=DKIM2; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0, "not DKIM1"},
    {"v=dkim1 lower case", "v=dkim1; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "not DKIM1"},
    {"duplicate p=", "v=DKIM1; p=" RSA1024 "; p=" RSA1024, 0, -1, ANY_TYPE, 0,
     0, 0, "given twice"},
    {"duplicate unknown tag", "x=1; p=" RSA1024 "; x=2", 0, -1, ANY_TYPE, 0, 0,
     0, "x= given twice"},
    {"k=dsa", "v=DKIM1; k=dsa; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "k=dsa is not a known"},
    {"k=RSA upper case", "v=DKIM1; k=RSA; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "k=RSA"},
    {"k= empty", "v=DKIM1; k=; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "not a known"},
    {"h=sha1 only", "v=DKIM1; h=sha1; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "h= does not include sha256"},
    {"h= empty element", "h=sha256:; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "h= is not a valid list"},
    {"h= space inside element", "h=sha 256; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0,
     0, "h= is not a valid list"},
    {"s=tlsrpt only", "s=tlsrpt; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "s= does not include email"},
    {"t= empty", "t=; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0, 0,
     "t= is not a valid list"},
    {"bad base64 character", "v=DKIM1; p=MIGf!A0GCSqG", 0, -1, ANY_TYPE, 0, 0,
     0, "base64"},
    {"base64 length", "v=DKIM1; p=MIGfMA0GCSq", 0, -1, ANY_TYPE, 0, 0, 0,
     "base64"},
    {"base64 padding inside", "v=DKIM1; p=MI=fMA0G", 0, -1, ANY_TYPE, 0, 0, 0,
     "base64"},
    {"base64 three pads", "v=DKIM1; p=M===", 0, -1, ANY_TYPE, 0, 0, 0,
     "base64"},
    {"base64 of garbage", "v=DKIM1; p=aGVsbG8gd29ybGQ=", 0, -1, ANY_TYPE, 0, 0,
     0, "not an RSA SubjectPublicKeyInfo"},
    {"RSAPublicKey instead of SPKI", "v=DKIM1; p=" RSA512_PKCS1, 0, -1,
     ANY_TYPE, 0, 0, 0, "not an RSA SubjectPublicKeyInfo"},
    {"EC key under k=rsa", "v=DKIM1; p=" EC256, 0, -1, ANY_TYPE, 0, 0, 0,
     "not an RSA SubjectPublicKeyInfo"},
    {"ed25519 key under k=rsa", "v=DKIM1; p=" ED25519, 0, -1, ANY_TYPE, 0, 0, 0,
     "not an RSA"},
    {"RSA key under k=ed25519", "v=DKIM1; k=ed25519; p=" RSA1024, 0, -1,
     ANY_TYPE, 0, 0, 0, "an ed25519 key has 32"},
    {"trailing octets after the DER",
     "v=DKIM1; p=MFwwDQYJKoZIhvcNAQEBBQADS"
     "wAwSAJBALJ++I8dC6kjKk+rXJNcqVveYYg6LKNcjA7RLP+BlNL8UHTnX73rm+g//I4Q"
     "cX18vS/09nANYLSNzisj9jbqCJ8CAwEAAQAAAA==",
     0, -1, ANY_TYPE, 0, 0, 0, "not an RSA SubjectPublicKeyInfo"},
    {"non-ASCII octet", "v=DKIM1; n=caf\xc3\xa9; p=" RSA1024, 0, -1, ANY_TYPE,
     0, 0, 0, "bad character 0xc3"},
    {"NUL inside", "v=DKIM1;\0 p=" RSA1024, sizeof("v=DKIM1;\0 p=" RSA1024) - 1,
     -1, ANY_TYPE, 0, 0, 0, "bad tag name"},
    {"control character", "v=DKIM1; n=a\x01; p=" RSA1024, 0, -1, ANY_TYPE, 0, 0,
     0, "bad character 0x01"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* test_parse - one parse case */
static void test_parse(void **state)
{
	const parse_case_t *c = *state;
	size_t len = c->len ? c->len : strlen(c->record);
	ag_dkim_key_t key;
	ag_reason_t reason = AG_R_COUNT;
	char detail[AG_DKIMKEY_DETAIL_MAX] = "";
	int rc = ag_dkimkey_parse(c->record, len, &key, &reason, detail,
	                          sizeof(detail));

	print_message("# %s: %d %s\n", c->name, rc, detail);
	assert_int_equal(rc, c->ok);
	assert_int_equal(ERR_peek_error(), 0); /* no OpenSSL error left */
	if (c->detail != NULL)
		assert_non_null(strstr(detail, c->detail));
	if (rc < 0) {
		assert_int_equal(reason, AG_R_DKIM_KEY_INVALID);
		assert_null(key.spki);
		return;
	}
	assert_int_equal(key.type, c->type);
	assert_int_equal(key.bits, c->bits);
	assert_int_equal(key.flags, c->flags);
	assert_int_equal(key.revoked, c->revoked);
	if (c->revoked)
		assert_null(key.spki);
	else
		assert_true(key.spki != NULL && key.spki_len > 32);
	ag_dkimkey_clear(&key);
}

typedef struct judge_case {
	const char *name;
	const char *record;
	unsigned min_bits;
	int allow_testing;
	int ok;
	ag_reason_t reason; /* when refused */
	const char *detail;
} judge_case_t;

static const judge_case_t judge_cases[] = {
    {"RSA 512 below 1024", "p=" RSA512, 1024, 0, -1, AG_R_DKIM_KEY_WEAK,
     "rsa 512 bits, below 1024"},
    {"RSA 1024 at 1024", "p=" RSA1024, 1024, 0, 0, 0, "rsa 1024 bits"},
    {"RSA 1024 below 2048", "p=" RSA1024, 2048, 0, -1, AG_R_DKIM_KEY_WEAK,
     "rsa 1024 bits, below 2048"},
    {"RSA 2048 at 2048", "p=" RSA2048, 2048, 0, 0, 0, "rsa 2048 bits"},
    {"RSA 4096", "p=" RSA4096, 2048, 0, 0, 0, "rsa 4096 bits"},
    {"ed25519 has no bit floor", "k=ed25519; p=" ED25519, 4096, 0, 0, 0,
     "ed25519"},
    {"revoked", "p=", 1024, 0, -1, AG_R_DKIM_KEY_REVOKED, "p= is empty"},
    {"revoked beats testing", "t=y; p=", 1024, 0, -1, AG_R_DKIM_KEY_REVOKED,
     "p= is empty"},
    {"t=y refused", "t=y; p=" RSA1024, 1024, 0, -1, AG_R_DKIM_KEY_TESTING,
     "t=y"},
    {"t=y:s refused", "t=y:s; p=" RSA1024, 1024, 0, -1, AG_R_DKIM_KEY_TESTING,
     "t=y"},
    {"t=y allowed", "t=y; p=" RSA1024, 1024, 1, 0, 0, "rsa 1024 bits"},
    {"t=s is not testing", "t=s; p=" RSA1024, 1024, 0, 0, 0, "rsa 1024 bits"},
    {"weak beats allowed testing", "t=y; p=" RSA512, 1024, 1, -1,
     AG_R_DKIM_KEY_WEAK, "below 1024"},
};

/* test_judge - one case of revoked, weak, testing or good keys */
static void test_judge(void **state)
{
	const judge_case_t *c = *state;
	ag_dkimkey_options_t options = {c->min_bits, c->allow_testing};
	ag_dkim_key_t key;
	ag_reason_t reason = AG_R_COUNT;
	char detail[AG_DKIMKEY_DETAIL_MAX] = "";

	assert_int_equal(ag_dkimkey_parse(c->record, strlen(c->record), &key,
	                                  &reason, detail, sizeof(detail)),
	                 0);
	reason = AG_R_COUNT;
	assert_int_equal(
	    ag_dkimkey_judge(&key, &options, &reason, detail, sizeof(detail)),
	    c->ok);
	print_message("# %s -> %s\n", c->name, detail);
	assert_non_null(strstr(detail, c->detail));
	if (c->ok < 0)
		assert_int_equal(reason, c->reason);
	ag_dkimkey_clear(&key);
}

/* test_same_key_same_spki - the canonical form does not depend on FWS */
static void test_same_key_same_spki(void **state)
{
	static const char *a = "v=DKIM1; p=" RSA1024;
	static const char *b = "p = " RSA1024 " ; v2=x";
	ag_dkim_key_t ka, kb;
	ag_reason_t reason;
	char detail[AG_DKIMKEY_DETAIL_MAX];

	assert_int_equal(ag_dkimkey_parse(a, strlen(a), &ka, &reason, detail,
	                                  sizeof(detail)),
	                 0);
	assert_int_equal(ag_dkimkey_parse(b, strlen(b), &kb, &reason, detail,
	                                  sizeof(detail)),
	                 0);
	assert_int_equal(ka.spki_len, kb.spki_len);
	assert_memory_equal(ka.spki, kb.spki, ka.spki_len);
	ag_dkimkey_clear(&ka);
	ag_dkimkey_clear(&kb);
}

/* test_too_many_tags - a long list of tags is refused, not looped over */
static void test_too_many_tags(void **state)
{
	char record[2048] = "";
	ag_dkim_key_t key;
	ag_reason_t reason;
	char detail[AG_DKIMKEY_DETAIL_MAX];

	for (int i = 0; i < 70; i++) {
		char tag[16];
		snprintf(tag, sizeof(tag), "x%d=1;", i);
		strcat(record, tag);
	}
	strcat(record, "p=");
	assert_int_equal(ag_dkimkey_parse(record, strlen(record), &key, &reason,
	                                  detail, sizeof(detail)),
	                 -1);
	assert_int_equal(reason, AG_R_DKIM_KEY_INVALID);
	assert_non_null(strstr(detail, "more than 64 tags"));
}

/* test_names_and_small_detail - names, and a detail buffer of size 0/4 */
static void test_names_and_small_detail(void **state)
{
	ag_dkim_key_t key;
	ag_reason_t reason;
	char detail[4];

	assert_string_equal(ag_dkim_keytype_name(AG_DKIM_KEY_RSA), "rsa");
	assert_string_equal(ag_dkim_keytype_name(AG_DKIM_KEY_ED25519),
	                    "ed25519");
	assert_int_equal(
	    ag_dkimkey_parse("k=dsa; p=", 9, &key, &reason, NULL, 0), -1);
	assert_int_equal(ag_dkimkey_parse("k=dsa; p=", 9, &key, &reason, detail,
	                                  sizeof(detail)),
	                 -1);
	assert_string_equal(detail, "k=d");
	ag_dkimkey_clear(NULL);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    cmocka_unit_test(test_same_key_same_spki),
	    cmocka_unit_test(test_too_many_tags),
	    cmocka_unit_test(test_names_and_small_detail),
	};
	struct CMUnitTest
	    tests[COUNT(parse_cases) + COUNT(judge_cases) + COUNT(fixed)];
	size_t n = 0;

	for (size_t i = 0; i < COUNT(parse_cases); i++)
		tests[n++] =
		    (struct CMUnitTest){parse_cases[i].name, test_parse, NULL,
		                        NULL, (void *)&parse_cases[i]};
	for (size_t i = 0; i < COUNT(judge_cases); i++)
		tests[n++] =
		    (struct CMUnitTest){judge_cases[i].name, test_judge, NULL,
		                        NULL, (void *)&judge_cases[i]};
	for (size_t i = 0; i < COUNT(fixed); i++)
		tests[n++] = fixed[i];
	return cmocka_run_group_tests_name("dkimkey", tests, NULL, NULL);
}
