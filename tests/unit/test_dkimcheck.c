/*
 * test_dkimcheck.c - one DKIM selector checked through the in-memory
 * resolver: missing, several records, DNS trouble, CNAME delegation, and
 * the operator's private keys (PKCS#1, PKCS#8, Ed25519) matching or not
 * the published key. The keys are fixed vectors made with opendkim-genkey
 * and openssl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkimcheck.h"
#include "dnsmem.h"

/* made by opendkim-genkey -b 1024 (PKCS#8) */
static const char pem_pkcs8_rsa[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAJOK7RBDETJfAGsU\n"
    "vzfYCV1sxGIb7FIBLE+C9gUYLoGXAPqCtXnDlHi3N8F+7ra4rx70YODU+LMjKawF\n"
    "XjNu3gWAAlbhScr+7TP6yWD/qELmOvm/EyvR8GRryp7wuTH6vLNVuX5uoOcZrKcj\n"
    "thgKnp6dNM6k42LYPdnFqaNZPvm7AgMBAAECgYALoVHajE7Yt6Bi0HnaPw9N6/r2\n"
    "+NiCBlGl2t7lu+g+ktai6JbBiGc1tMuSVx0eDiTPvde9IUyRYl4wjyPDziN2EONg\n"
    "Yhegd5uTf0V+QgiN4cWwAtfwjD0CItrUzeqtY5pmVicY/Y8oII2mo0PNL6s/xw6B\n"
    "p8WyyzOBeFFwDTZI4QJBAMJwcAEHWVVvlkihgdmdfCcwW7QGMBwQF19SIQqQT/+H\n"
    "xKj6QRdu8ZtoYJIjcUlRxK8v/0RFfMU8akTvyJTGiAkCQQDCQXYEPF7egxyDn9FL\n"
    "9fewsSHVIzbFW/idOMf+9nhqawyUGMcrYaVtVHh5d6vV/hYsWDmb6pTb4scGepq1\n"
    "4nyjAkEAszUUVi5izNa7CZgp6Ns4mZn9e1AUuVivYgB9SZI22UpWHHQC2Ek9z8GE\n"
    "+ExIVo5RnDG9sTvmQpdrTrw9/7l3mQJADtXK+oXVxO6EZfT1mfR95wuQBuP6kdX1\n"
    "RaSJeYo/Jflo64J86244oQHbdYNTJzORY++U7rhah/RouLDyUcOrOwJAZORBx9G7\n"
    "Av09aMLZyW2DtHR3pJSl4u4GvgFTmQ+pLUj/vvJYGj/AWXMUJbqXUys1E9P6k7TS\n"
    "dPhCkxna2/yllQ==\n"
    "-----END PRIVATE KEY-----\n";

/* openssl genrsa -traditional 1024 (PKCS#1) */
static const char pem_pkcs1_rsa[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIICXQIBAAKBgQDdHAbseRgOgmRld5IuIbG/3EHlR9JqW4cVk49P1sU5T49xuBV4\n"
    "vZLEycnq2M+9rpWdX+Km5OAJ0yzsBIH41BMArWrZ9kax3oThT7JV2fV8d4RI/3CT\n"
    "s8QK+h9utwyAan8Ovkb6PhhAKqw0DNuTlNvf8ErgkAXJ0YWgZTafsXu0sQIDAQAB\n"
    "AoGBANJ2NAzwsrpU2RVP/D+W6OdT0xFYDOwZ1Pnvq9D2AGKt3T8EVsPHxqUz4dN9\n"
    "rjfBrz3OICJ15t7TOIYrQD/GNZKBaVUhrMVw/mDIbYuCOJToDGrr19YRsuPC/bao\n"
    "qjiMITiwMLG0Rm9wF0ZnI30g3bbAWK4xtvOpwo85eaX+mXUxAkEA9FS4+GgkeUJ8\n"
    "fupera/O+swhM8nJtb7ln+NjrxXxMN2SYyXNvpDLXDCMhHfsE+4zq6ZPm6Qd3yxr\n"
    "TzGXtU9A5QJBAOerY/t4ETtFFjpy6P7G5Nlh0+d/NDm6BhHRExO+4+9CImgqc/ZM\n"
    "CdBbBNTOjKJuvlheO5wuiFGMPhGx23Y2A90CQDSIftjSM31rAS+cnszDb0JXX5Au\n"
    "A9Oy/tY44vcDRb+W9GGjADDIGyFwQtY8nqLOZYezk4xIZi/U8iGt7QuLxc0CQQDk\n"
    "wp7lz7fkOOIsMQ/VlPyhkzI146vkXMZljXgzBUn6Fen3xgPf71G5hkcNBDBmrMgU\n"
    "ZmiiXmiJbdxUiLXW0puZAkAlwa2xAg5nmU4V+EDJOoMWteIoAySTQFREAD9jI8yW\n"
    "2grR8EdvBzz2HZZDcsSis8n6rwVWUh5ALx8L2HXyI5Ws\n"
    "-----END RSA PRIVATE KEY-----\n";

/* openssl genpkey -algorithm ed25519 (PKCS#8) */
static const char pem_ed25519[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIXG598auxLwz2T6fdevT8f1bLAvz6V9f/nr8sNxOb++\n"
    "-----END PRIVATE KEY-----\n";

/* the same Ed25519 key encrypted with a passphrase */
static const char pem_encrypted[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhCcFDH3LH1sgICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEOOTTMT/U8rTBqE7pKNvpksEQPGo\n"
    "luPWXZq4xCEV0ggFXjDwLJ2OZsO56Nbab9OKNa10Popiq1z3yEv5i3xadg3OQxeM\n"
    "w4g9wuGMB6rR4XacaNc=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

/* an EC P-256 key: not usable for DKIM */
static const char pem_ec[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgzcjBCjO3xMCE3RyU\n"
    "ASZW5VetgGdzc8FT1Q/TiaQoxVihRANCAARjBDFTeIExpT/FIscla49Dvh/7Eq3K\n"
    "To9xVlbz40tPtlxyGKm1A4iCPd0sDGy3wnG5hRswoVQzIdqJjc8h2Hx+\n"
    "-----END PRIVATE KEY-----\n";

/* public halves: SubjectPublicKeyInfo (RSA) or raw key (Ed25519), base64 */
#define PUB_PKCS8_RSA                                                          \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCTiu0QQxEyXwBrFL832AldbMRi"     \
	"G+xSASxPgvYFGC6BlwD6grV5w5R4tzfBfu62uK8e9GDg1PizIymsBV4zbt4FgAJW"     \
	"4UnK/u0z+slg/6hC5jr5vxMr0fBka8qe8Lkx+ryzVbl+bqDnGaynI7YYCp6enTTO"     \
	"pONi2D3ZxamjWT75uwIDAQAB"
#define PUB_PKCS1_RSA                                                          \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDdHAbseRgOgmRld5IuIbG/3EHl"     \
	"R9JqW4cVk49P1sU5T49xuBV4vZLEycnq2M+9rpWdX+Km5OAJ0yzsBIH41BMArWrZ"     \
	"9kax3oThT7JV2fV8d4RI/3CTs8QK+h9utwyAan8Ovkb6PhhAKqw0DNuTlNvf8Erg"     \
	"kAXJ0YWgZTafsXu0sQIDAQAB"
#define PUB_ED25519       "64L5DmAcIJZNsnvaQIJhuLfN9TV/tEKc2g7//zy+yyM="
#define PUB_OTHER_ED25519 "ka42R5OuCgtHm/3fyhFcCKUDsOpjner6HQEAak7QxXA="

#define SEL "s1._domainkey.example.com"

typedef struct fixture {
	ag_dnsmem_t *mem;
	char dir[64];
	ag_dkim_keys_t *keys;
} fixture_t;

/* write_file - a file in the fixture's directory; returns its path */
static char *write_file(fixture_t *f, const char *name, const char *text)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static int setup(void **state)
{
	fixture_t *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->mem = ag_dnsmem_create()) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_dkimcheck.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	write_file(f, "pkcs8.private", pem_pkcs8_rsa);
	write_file(f, "pkcs1.private", pem_pkcs1_rsa);
	write_file(f, "ed25519.private", pem_ed25519);
	write_file(f, "encrypted.private", pem_encrypted);
	write_file(f, "ec.private", pem_ec);
	write_file(f, "garbage.private", "not a key\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_t *f = *state;
	static const char *files[] = {"pkcs8.private",   "pkcs1.private",
	                              "ed25519.private", "encrypted.private",
	                              "ec.private",      "garbage.private"};
	char path[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	rmdir(f->dir);
	ag_dnsmem_destroy(f->mem);
	ag_dkim_keys_free(f->keys);
	free(f);
	return 0;
}

static const ag_dkimcheck_options_t default_options = {1000, {1024, 0}};

/* run - check SEL, expecting the public half of key file `private` */
static void run(fixture_t *f, const char *private, ag_check_result_t *result)
{
	unsigned char *spki = NULL;
	size_t len = 0;
	ag_dkim_keytype_t type;
	unsigned bits;
	char err[256];
	char path[128];

	if (private != NULL) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, private);
		assert_int_equal(ag_dkim_private_public(path, &type, &bits,
		                                        &spki, &len, err,
		                                        sizeof(err)),
		                 0);
	}
	ag_dkimcheck_run(ag_dnsmem_resolver(f->mem), SEL, &default_options,
	                 spki, len, result);
	print_message("# %s: %s\n", ag_check_state_name(result->state),
	              result->detail);
	free(spki);
}

/* publish - one TXT record at SEL with a TTL */
static void publish(fixture_t *f, const char *record, uint32_t ttl)
{
	assert_int_equal(ag_dnsmem_add(f->mem, SEL, AG_DNS_TXT, ttl, record,
	                               strlen(record), 0),
	                 0);
}

/* expect - state, reason and a piece of the detail */
static void expect(const ag_check_result_t *r, ag_check_state_t state,
                   ag_reason_t reason, const char *detail)
{
	assert_int_equal(r->state, state);
	if (state != AG_CHECK_PASS)
		assert_string_equal(ag_reason_name(r->reason),
		                    ag_reason_name(reason));
	assert_non_null(strstr(r->detail, detail));
}

static void test_nxdomain_is_missing(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	ag_dnsmem_set_negative_ttl(f->mem, 120);
	run(f, NULL, &r);
	expect(&r, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING, "no such name");
	assert_int_equal(r.ttl, 120);
	assert_int_equal(ag_dnsmem_queries(f->mem, SEL, AG_DNS_TXT), 1);
}

static void test_nodata_is_missing(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	assert_int_equal(ag_dnsmem_add_text(f->mem, SEL, AG_DNS_A, "192.0.2.1"),
	                 0);
	run(f, NULL, &r);
	expect(&r, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING, "no TXT record");
}

static void test_tempfail_is_temperror(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	publish(f, "v=DKIM1; p=" PUB_PKCS1_RSA, 300);
	assert_int_equal(
	    ag_dnsmem_set_status(f->mem, SEL, AG_DNS_TXT, AG_DNS_TEMPFAIL), 0);
	run(f, NULL, &r);
	expect(&r, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR, "DNS: ");
}

static void test_timeout_is_temperror(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;
	ag_dkimcheck_options_t options = default_options;

	publish(f, "v=DKIM1; p=" PUB_PKCS1_RSA, 300);
	ag_dnsmem_set_delay(f->mem, 200);
	options.timeout_ms = 20;
	ag_dkimcheck_run(ag_dnsmem_resolver(f->mem), SEL, &options, NULL, 0,
	                 &r);
	expect(&r, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR, "timeout");
}

static void test_good_key_and_ttl(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;

	publish(f, "v=DKIM1; h=sha256; k=rsa; p=" PUB_PKCS8_RSA, 3600);
	run(f, NULL, &r);
	expect(&r, AG_CHECK_PASS, AG_R_COUNT, "rsa 1024 bits");
	assert_int_equal(r.ttl, 3600);
}

static void test_several_records_invalid(void **state)
{
	static const char *records[][2] = {
	    {"v=DKIM1; p=" PUB_PKCS1_RSA, "v=DKIM1; p=" PUB_PKCS8_RSA},
	    {"v=DKIM1; p=" PUB_PKCS1_RSA, "garbage"},
	    {"garbage", "v=DKIM1; p=" PUB_PKCS1_RSA},
	};
	fixture_t *f = *state;

	for (size_t i = 0; i < 3; i++) {
		ag_dnsmem_t *mem = ag_dnsmem_create();
		ag_check_result_t r;
		assert_non_null(mem);
		for (size_t j = 0; j < 2; j++)
			assert_int_equal(ag_dnsmem_add(mem, SEL, AG_DNS_TXT, 60,
			                               records[i][j],
			                               strlen(records[i][j]),
			                               0),
			                 0);
		ag_dkimcheck_run(ag_dnsmem_resolver(mem), SEL, &default_options,
		                 NULL, 0, &r);
		expect(&r, AG_CHECK_FAIL, AG_R_DKIM_KEY_INVALID,
		       "2 TXT records");
		ag_dnsmem_destroy(mem);
	}
	(void)f;
}

static void test_cname_delegation(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;
	static const char *target = "s1.dkim.esp.example.net";
	static const char *record = "v=DKIM1; k=ed25519; p=" PUB_ED25519;

	assert_int_equal(ag_dnsmem_add_text(f->mem, SEL, AG_DNS_CNAME, target),
	                 0);
	assert_int_equal(ag_dnsmem_add(f->mem, target, AG_DNS_TXT, 600, record,
	                               strlen(record), 0),
	                 0);
	run(f, "ed25519.private", &r);
	expect(&r, AG_CHECK_PASS, AG_R_COUNT,
	       "ed25519, matches the private key");
}

/* A table of published record x private key file -> outcome. */
typedef struct key_case {
	const char *name;
	const char *record;
	const char *private;
	ag_check_state_t state;
	ag_reason_t reason;
	const char *detail;
} key_case_t;

static const key_case_t key_cases[] = {
    {"PKCS#8 matches", "v=DKIM1; h=sha256; k=rsa; p=" PUB_PKCS8_RSA,
     "pkcs8.private", AG_CHECK_PASS, AG_R_COUNT, "matches the private key"},
    {"PKCS#1 matches", "v=DKIM1; p=" PUB_PKCS1_RSA, "pkcs1.private",
     AG_CHECK_PASS, AG_R_COUNT, "rsa 1024 bits, matches"},
    {"Ed25519 matches", "v=DKIM1; k=ed25519; p=" PUB_ED25519, "ed25519.private",
     AG_CHECK_PASS, AG_R_COUNT, "ed25519, matches"},
    {"PKCS#8 mismatch", "v=DKIM1; p=" PUB_PKCS1_RSA, "pkcs8.private",
     AG_CHECK_FAIL, AG_R_DKIM_KEY_MISMATCH, "not the public half"},
    {"PKCS#1 mismatch", "v=DKIM1; p=" PUB_PKCS8_RSA, "pkcs1.private",
     AG_CHECK_FAIL, AG_R_DKIM_KEY_MISMATCH, "published rsa 1024 bits key"},
    {"Ed25519 mismatch", "v=DKIM1; k=ed25519; p=" PUB_OTHER_ED25519,
     "ed25519.private", AG_CHECK_FAIL, AG_R_DKIM_KEY_MISMATCH,
     "published ed25519 key"},
    {"RSA private, Ed25519 published", "v=DKIM1; k=ed25519; p=" PUB_ED25519,
     "pkcs1.private", AG_CHECK_FAIL, AG_R_DKIM_KEY_MISMATCH, "ed25519"},
    {"Ed25519 private, RSA published", "v=DKIM1; p=" PUB_PKCS1_RSA,
     "ed25519.private", AG_CHECK_FAIL, AG_R_DKIM_KEY_MISMATCH, "rsa"},
    {"revoked beats mismatch", "v=DKIM1; p=", "pkcs1.private", AG_CHECK_FAIL,
     AG_R_DKIM_KEY_REVOKED, "p= is empty"},
    {"invalid beats mismatch", "v=DKIM1; k=dsa; p=" PUB_PKCS1_RSA,
     "pkcs1.private", AG_CHECK_FAIL, AG_R_DKIM_KEY_INVALID, "k=dsa"},
    {"testing key", "v=DKIM1; t=y; p=" PUB_PKCS1_RSA, "pkcs1.private",
     AG_CHECK_FAIL, AG_R_DKIM_KEY_TESTING, "t=y"},
    {"no private key given", "v=DKIM1; p=" PUB_PKCS1_RSA, NULL, AG_CHECK_PASS,
     AG_R_COUNT, "rsa 1024 bits"},
};

static void test_key_case(void **state)
{
	const key_case_t *c = *state;
	fixture_t *f;
	ag_check_result_t r;

	assert_int_equal(setup((void **)&f), 0);
	print_message("# %s\n", c->name);
	publish(f, c->record, 300);
	run(f, c->private, &r);
	expect(&r, c->state, c->reason, c->detail);
	teardown((void **)&f);
}

static void test_weak_key(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;
	ag_dkimcheck_options_t options = default_options;

	publish(f, "v=DKIM1; p=" PUB_PKCS1_RSA, 300);
	options.key.min_key_bits = 2048;
	ag_dkimcheck_run(ag_dnsmem_resolver(f->mem), SEL, &options, NULL, 0,
	                 &r);
	expect(&r, AG_CHECK_FAIL, AG_R_DKIM_KEY_WEAK,
	       "rsa 1024 bits, below 2048");
}

static void test_name_too_long(void **state)
{
	fixture_t *f = *state;
	ag_check_result_t r;
	char name[300];

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ag_dkimcheck_run(ag_dnsmem_resolver(f->mem), name, &default_options,
	                 NULL, 0, &r);
	expect(&r, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING, "too long");
	assert_int_equal(ag_dnsmem_queries(f->mem, NULL, 0), 0);
}

/* entry - a table entry with selectors s1, s2 and keys as given */
static void entry_init(ag_domain_entry_t *e, char **selectors,
                       ag_key_ref_t *refs, size_t nrefs)
{
	memset(e, 0, sizeof(*e));
	e->domain = "example.com";
	e->line = 7;
	e->selectors.items = selectors;
	e->selectors.count = 2;
	e->keys = refs;
	e->key_count = nrefs;
}

static void test_keys_load_and_find(void **state)
{
	fixture_t *f = *state;
	char *selectors[] = {"s1", "s2"};
	char p1[128], p2[128];
	ag_key_ref_t refs[2] = {{"s1", p1}, {"s2", p2}};
	ag_domain_entry_t e;
	ag_diag_t diag;
	const ag_dkim_pubkey_t *key;

	snprintf(p1, sizeof(p1), "%s/pkcs1.private", f->dir);
	snprintf(p2, sizeof(p2), "%s/ed25519.private", f->dir);
	entry_init(&e, selectors, refs, 2);
	ag_diag_init(&diag);
	assert_non_null(f->keys = ag_dkim_keys_create());
	assert_int_equal(ag_dkim_keys_load_entry(f->keys, &e, "domains", &diag),
	                 0);
	assert_int_equal(diag.count, 0);
	assert_int_equal(ag_dkim_keys_count(f->keys), 2);
	assert_non_null(key = ag_dkim_keys_find(f->keys, "example.com", "s1"));
	assert_int_equal(key->type, AG_DKIM_KEY_RSA);
	assert_int_equal(key->bits, 1024);
	assert_string_equal(key->path, p1);
	assert_non_null(key = ag_dkim_keys_find(f->keys, "example.com", "s2"));
	assert_int_equal(key->type, AG_DKIM_KEY_ED25519);
	assert_null(ag_dkim_keys_find(f->keys, "example.com", "s3"));
	assert_null(ag_dkim_keys_find(f->keys, "example.org", "s1"));
	/* the same entry again: every key is a duplicate */
	assert_int_equal(ag_dkim_keys_load_entry(f->keys, &e, "domains", &diag),
	                 -1);
	assert_int_equal(diag.count, 2);
	assert_non_null(strstr(diag.messages[0], "given twice"));
	ag_diag_clear(&diag);
}

/* A table of unusable key files -> the diagnostic. */
static void test_keys_bad_files(void **state)
{
	static const char *files[][2] = {
	    {"missing.private", "cannot open"},
	    {"garbage.private", "is not a PEM private key"},
	    {"encrypted.private", "is protected by a passphrase"},
	    {"ec.private", "not an RSA or Ed25519 key"},
	};
	fixture_t *f = *state;
	char *selectors[] = {"s1", "s2"};

	assert_non_null(f->keys = ag_dkim_keys_create());
	for (size_t i = 0; i < 4; i++) {
		char path[128];
		ag_key_ref_t ref = {"s1", path};
		ag_domain_entry_t e;
		ag_diag_t diag;

		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i][0]);
		entry_init(&e, selectors, &ref, 1);
		ag_diag_init(&diag);
		assert_int_equal(
		    ag_dkim_keys_load_entry(f->keys, &e, "/etc/domains", &diag),
		    -1);
		assert_int_equal(diag.count, 1);
		print_message("# %s\n", diag.messages[0]);
		assert_non_null(strstr(diag.messages[0], "/etc/domains:7: "));
		assert_non_null(strstr(diag.messages[0], files[i][0]));
		assert_non_null(strstr(diag.messages[0], files[i][1]));
		ag_diag_clear(&diag);
	}
	assert_int_equal(ag_dkim_keys_count(f->keys), 0);
}

static void test_kind_plans_selectors(void **state)
{
	fixture_t *f = *state;
	char *selectors[] = {"s1", "s2"};
	char p1[128];
	ag_key_ref_t ref = {"s2", p1};
	ag_domain_entry_t e;
	ag_diag_t diag;
	ag_dstate_subject_t subject = {.entry = &e};
	ag_dstate_req_t reqs[4];

	snprintf(p1, sizeof(p1), "%s/pkcs8.private", f->dir);
	entry_init(&e, selectors, &ref, 1);
	ag_diag_init(&diag);
	assert_non_null(f->keys = ag_dkim_keys_create());
	assert_int_equal(ag_dkim_keys_load_entry(f->keys, &e, "t", &diag), 0);
	assert_int_equal(ag_dkimcheck_kind.kind, AG_CHECK_DKIM_KEY);
	assert_int_equal(ag_dkimcheck_kind.plan(&subject, reqs, 4), 2);
	assert_string_equal(reqs[0].name, "dkim:s1");
	assert_string_equal(reqs[0].target, "s1._domainkey.example.com");
	assert_null(reqs[0].params);
	assert_int_equal(reqs[1].params_len, 0);
	subject.dkim_keys = f->keys;
	assert_int_equal(ag_dkimcheck_kind.plan(&subject, reqs, 1), 1);
	assert_int_equal(ag_dkimcheck_kind.plan(&subject, reqs, 4), 2);
	assert_null(reqs[0].params);
	assert_string_equal(reqs[1].target, "s2._domainkey.example.com");
	assert_int_equal(reqs[1].params_len, 162);
	assert_ptr_equal(reqs[1].params,
	                 ag_dkim_keys_find(f->keys, "example.com", "s2")->spki);
}

static void test_kind_evaluates_with_options(void **state)
{
	fixture_t *f = *state;
	ag_dstate_options_t options;
	ag_dstate_env_t env;
	ag_check_result_t r;

	ag_dstate_options_init(&options);
	env.resolver = ag_dnsmem_resolver(f->mem);
	env.options = &options;
	publish(f, "v=DKIM1; t=y; p=" PUB_PKCS1_RSA, 300);
	ag_dkimcheck_kind.evaluate(&env, SEL, NULL, 0, &r);
	expect(&r, AG_CHECK_FAIL, AG_R_DKIM_KEY_TESTING, "t=y");
	options.allow_testing_keys = 1;
	ag_dkimcheck_kind.evaluate(&env, SEL, NULL, 0, &r);
	expect(&r, AG_CHECK_PASS, AG_R_COUNT, "rsa 1024 bits");
	options.min_key_bits = 2048;
	ag_dkimcheck_kind.evaluate(&env, SEL, NULL, 0, &r);
	expect(&r, AG_CHECK_FAIL, AG_R_DKIM_KEY_WEAK, "below 2048");
}

#define COUNT(a)        (sizeof(a) / sizeof((a)[0]))
#define FIXTURE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	static const struct CMUnitTest fixed[] = {
	    FIXTURE_TEST(test_nxdomain_is_missing),
	    FIXTURE_TEST(test_nodata_is_missing),
	    FIXTURE_TEST(test_tempfail_is_temperror),
	    FIXTURE_TEST(test_timeout_is_temperror),
	    FIXTURE_TEST(test_good_key_and_ttl),
	    FIXTURE_TEST(test_several_records_invalid),
	    FIXTURE_TEST(test_cname_delegation),
	    FIXTURE_TEST(test_weak_key),
	    FIXTURE_TEST(test_name_too_long),
	    FIXTURE_TEST(test_keys_load_and_find),
	    FIXTURE_TEST(test_keys_bad_files),
	    FIXTURE_TEST(test_kind_plans_selectors),
	    FIXTURE_TEST(test_kind_evaluates_with_options),
	};
	struct CMUnitTest tests[COUNT(fixed) + COUNT(key_cases)];
	size_t n = 0;

	for (size_t i = 0; i < COUNT(fixed); i++)
		tests[n++] = fixed[i];
	for (size_t i = 0; i < COUNT(key_cases); i++)
		tests[n++] =
		    (struct CMUnitTest){key_cases[i].name, test_key_case, NULL,
		                        NULL, (void *)&key_cases[i]};
	return cmocka_run_group_tests_name("dkimcheck", tests, NULL, NULL);
}
