/*
 * dkimcheck.c - one check of one DKIM selector, and the operator's keys
 * (see dkimcheck.h).
 *
 * The key set is a binary tree (tsearch) of public halves keyed by
 * (domain, selector); it is built once and then only read, which the
 * message threads may do at the same time. The check itself is a plain
 * function over a resolver; the domain-state kind at the end only adapts
 * it to the service's request and options.
 */
#include "dkimcheck.h"
#include "dstatekind.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AG_DKIMCHECK_NAME_MAX 253 /* octets of a domain name */

struct ag_dkim_keys {
	void *root;               /* tsearch tree of ag_dkim_pubkey_t */
	ag_dkim_pubkey_t **items; /* the same keys, to free them */
	size_t count;
};

/* ag_dkimcheck_compare - order keys by domain, then selector */
static int ag_dkimcheck_compare(const void *a, const void *b)
{
	const ag_dkim_pubkey_t *x = a, *y = b;
	int rc = strcmp(x->domain, y->domain);

	return rc != 0 ? rc : strcmp(x->selector, y->selector);
}

/* ag_dkim_keys_create - an empty set */
ag_dkim_keys_t *ag_dkim_keys_create(void)
{
	return calloc(1, sizeof(ag_dkim_keys_t));
}

/* ag_dkimcheck_pubkey_free - release one key */
static void ag_dkimcheck_pubkey_free(ag_dkim_pubkey_t *key)
{
	if (key == NULL)
		return;
	free(key->domain);
	free(key->selector);
	free(key->path);
	free(key->spki);
	free(key);
}

/* ag_dkim_keys_free - release a set */
ag_dkim_keys_t *ag_dkim_keys_free(ag_dkim_keys_t *keys)
{
	if (keys == NULL)
		return NULL;
	for (size_t i = 0; i < keys->count; i++) {
		tdelete(keys->items[i], &keys->root, ag_dkimcheck_compare);
		ag_dkimcheck_pubkey_free(keys->items[i]);
	}
	free(keys->items);
	free(keys);
	return NULL;
}

/* ag_dkimcheck_no_passphrase - note that one was asked for, give none */
static int ag_dkimcheck_no_passphrase(char *buf, int size, int rwflag,
                                      void *arg)
{
	*(int *)arg = 1;
	return 0;
}

/* ag_dkimcheck_openssl_error - OpenSSL's last reason, then clear it */
static const char *ag_dkimcheck_openssl_error(void)
{
	const char *why = ERR_reason_error_string(ERR_peek_last_error());

	ERR_clear_error();
	return why != NULL ? why : "unknown error";
}

/* ag_dkimcheck_err - write an error text, return -1 */
static int ag_dkimcheck_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int ag_dkimcheck_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (size > 0) {
		va_start(ap, fmt);
		vsnprintf(err, size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ag_dkimcheck_read_private - the private key in a PEM file, or NULL */
static EVP_PKEY *ag_dkimcheck_read_private(const char *path, char *err,
                                           size_t size)
{
	FILE *fp = fopen(path, "r");
	EVP_PKEY *pkey;
	int asked = 0;

	if (fp == NULL) {
		ag_dkimcheck_err(err, size, "cannot open %s: %s", path,
		                 strerror(errno));
		return NULL;
	}
	pkey =
	    PEM_read_PrivateKey(fp, NULL, ag_dkimcheck_no_passphrase, &asked);
	fclose(fp);
	if (pkey == NULL && asked)
		ag_dkimcheck_err(err, size,
		                 "%s is protected by a passphrase: "
		                 "keep it unencrypted, readable by root only",
		                 path);
	else if (pkey == NULL)
		ag_dkimcheck_err(err, size,
		                 "%s is not a PEM private key "
		                 "(OpenSSL: %s)",
		                 path, ag_dkimcheck_openssl_error());
	ERR_clear_error();
	return pkey;
}

/* ag_dkim_private_public - public half of a private key file */
int ag_dkim_private_public(const char *path, ag_dkim_keytype_t *type,
                           unsigned *bits, unsigned char **spki,
                           size_t *spki_len, char *err, size_t err_size)
{
	EVP_PKEY *pkey = ag_dkimcheck_read_private(path, err, err_size);
	unsigned char *der = NULL;
	int len = -1, id;

	if (pkey == NULL)
		return -1;
	id = EVP_PKEY_base_id(pkey);
	if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519)
		ag_dkimcheck_err(err, err_size, "%s: not an RSA or Ed25519 key",
		                 path);
	else if ((len = i2d_PUBKEY(pkey, &der)) <= 0 ||
	         (*spki = malloc((size_t)len)) == NULL)
		len = ag_dkimcheck_err(
		    err, err_size, "%s: cannot encode its public key", path);
	if (len > 0) {
		memcpy(*spki, der, (size_t)len);
		*spki_len = (size_t)len;
		*type =
		    id == EVP_PKEY_RSA ? AG_DKIM_KEY_RSA : AG_DKIM_KEY_ED25519;
		*bits =
		    id == EVP_PKEY_RSA ? (unsigned)EVP_PKEY_bits(pkey) : 256;
	}
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return len > 0 ? 0 : -1;
}

/* ag_dkimcheck_add - put a loaded key into the set; -1 on duplicates */
static int ag_dkimcheck_add(ag_dkim_keys_t *keys, ag_dkim_pubkey_t *key)
{
	ag_dkim_pubkey_t **items;
	void *node;

	items = realloc(keys->items, (keys->count + 1) * sizeof(*items));
	if (items == NULL)
		return -1;
	keys->items = items;
	if ((node = tsearch(key, &keys->root, ag_dkimcheck_compare)) == NULL ||
	    *(ag_dkim_pubkey_t **)node != key)
		return -1;
	keys->items[keys->count++] = key;
	return 0;
}

/* ag_dkimcheck_load_one - load one keys= item of an entry */
static int ag_dkimcheck_load_one(ag_dkim_keys_t *keys, const char *domain,
                                 const ag_key_ref_t *ref, char *err,
                                 size_t size)
{
	ag_dkim_pubkey_t *key = calloc(1, sizeof(*key));

	if (key == NULL || (key->domain = strdup(domain)) == NULL ||
	    (key->selector = strdup(ref->selector)) == NULL ||
	    (key->path = strdup(ref->path)) == NULL) {
		ag_dkimcheck_pubkey_free(key);
		return ag_dkimcheck_err(err, size, "out of memory");
	}
	if (ag_dkim_private_public(ref->path, &key->type, &key->bits,
	                           &key->spki, &key->spki_len, err, size) < 0) {
		ag_dkimcheck_pubkey_free(key);
		return -1;
	}
	if (ag_dkimcheck_add(keys, key) < 0) {
		ag_dkimcheck_pubkey_free(key);
		return ag_dkimcheck_err(err, size,
		                        "key of selector %s given twice or "
		                        "out of memory",
		                        ref->selector);
	}
	return 0;
}

/* ag_dkim_keys_load_entry - read every keys= file of one entry */
int ag_dkim_keys_load_entry(ag_dkim_keys_t *keys,
                            const ag_domain_entry_t *entry,
                            const char *table_path, ag_diag_t *diag)
{
	int rc = 0;

	for (size_t i = 0; i < entry->key_count; i++) {
		char err[512];
		if (ag_dkimcheck_load_one(keys, entry->domain, &entry->keys[i],
		                          err, sizeof(err)) < 0) {
			ag_diag_add(diag, table_path, entry->line, "%s", err);
			rc = -1;
		}
	}
	return rc;
}

/* ag_dkim_keys_find - the loaded key of (domain, selector) */
const ag_dkim_pubkey_t *ag_dkim_keys_find(const ag_dkim_keys_t *keys,
                                          const char *domain,
                                          const char *selector)
{
	ag_dkim_pubkey_t want = {0};
	void *node;

	want.domain = (char *)domain;
	want.selector = (char *)selector;
	node = tfind(&want, &keys->root, ag_dkimcheck_compare);
	return node != NULL ? *(ag_dkim_pubkey_t **)node : NULL;
}

/* ag_dkim_keys_count - how many keys */
size_t ag_dkim_keys_count(const ag_dkim_keys_t *keys)
{
	return keys->count;
}

/* ag_dkimcheck_judge - judge the one key record found */
static void ag_dkimcheck_judge(const ag_dns_rr_t *rr,
                               const ag_dkimcheck_options_t *options,
                               const unsigned char *expected,
                               size_t expected_len, ag_check_result_t *result)
{
	ag_dkim_key_t key;
	ag_reason_t reason;
	char detail[AG_DKIMKEY_DETAIL_MAX];

	if (ag_dkimkey_parse(rr->data, rr->len, &key, &reason, detail,
	                     sizeof(detail)) < 0) {
		ag_dstatekind_set(result, AG_CHECK_FAIL, reason, "%s", detail);
		return;
	}
	if (!key.revoked && expected != NULL &&
	    (key.spki_len != expected_len ||
	     memcmp(key.spki, expected, expected_len) != 0))
		ag_dstatekind_set(
		    result, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISMATCH,
		    "published %s key is not the public half of "
		    "the private key",
		    ag_dkimkey_describe(&key, detail, sizeof(detail)));
	else if (ag_dkimkey_judge(&key, &options->key, &reason, detail,
	                          sizeof(detail)) < 0)
		ag_dstatekind_set(result, AG_CHECK_FAIL, reason, "%s", detail);
	else
		ag_dstatekind_set(
		    result, AG_CHECK_PASS, AG_R_COUNT, "%s%s", detail,
		    expected != NULL ? ", matches the private key" : "");
	ag_dkimkey_clear(&key);
}

/* ag_dkimcheck_answer - judge a positive answer */
static void ag_dkimcheck_answer(const ag_dns_answer_t *answer,
                                const ag_dkimcheck_options_t *options,
                                const unsigned char *expected,
                                size_t expected_len, ag_check_result_t *result)
{
	const ag_dns_rr_t *txt = NULL;
	size_t count = 0;

	for (size_t i = 0; i < answer->count; i++)
		if (answer->rrs[i].type == AG_DNS_TXT) {
			txt = &answer->rrs[i];
			count++;
		}
	if (count == 0)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING,
		                 "no TXT record");
	else if (count > 1)
		ag_dstatekind_set(
		    result, AG_CHECK_FAIL, AG_R_DKIM_KEY_INVALID,
		    "%zu TXT records at the selector, one expected", count);
	else
		ag_dkimcheck_judge(txt, options, expected, expected_len,
		                   result);
}

/* ag_dkimcheck_run - check the key published at name */
void ag_dkimcheck_run(ag_resolver_t *resolver, const char *name,
                      const ag_dkimcheck_options_t *options,
                      const unsigned char *expected, size_t expected_len,
                      ag_check_result_t *result)
{
	ag_dns_answer_t *answer;

	memset(result, 0, sizeof(*result));
	if (strlen(name) > AG_DKIMCHECK_NAME_MAX) {
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING,
		                 "selector name too long for DNS");
		return;
	}
	answer =
	    ag_resolver_query(resolver, name, AG_DNS_TXT, options->timeout_ms);
	if (answer == NULL) {
		ag_dstatekind_set(result, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR,
		                 "out of memory");
		return;
	}
	result->ttl = answer->ttl;
	if (answer->status == AG_DNS_TEMPFAIL)
		ag_dstatekind_set(result, AG_CHECK_TEMPERROR, AG_R_DNS_TEMPERROR,
		                 "DNS: %s",
		                 answer->error != NULL ? answer->error
		                                       : "temporary failure");
	else if (answer->status == AG_DNS_NXDOMAIN)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING,
		                 "no such name");
	else if (answer->status == AG_DNS_NODATA)
		ag_dstatekind_set(result, AG_CHECK_FAIL, AG_R_DKIM_KEY_MISSING,
		                 "no TXT record");
	else
		ag_dkimcheck_answer(answer, options, expected, expected_len,
		                    result);
	ag_dns_answer_free(answer);
}

/* ag_dkimcheck_plan - one check per selector of the entry */
static size_t ag_dkimcheck_plan(const ag_dstate_subject_t *subject,
                                ag_dstate_req_t *reqs, size_t max)
{
	const ag_domain_entry_t *entry = subject->entry;
	size_t n = 0;

	for (size_t i = 0; i < entry->selectors.count && n < max; i++) {
		const char *sel = entry->selectors.items[i];
		const ag_dkim_pubkey_t *key =
		    subject->dkim_keys == NULL
		        ? NULL
		        : ag_dkim_keys_find(subject->dkim_keys, entry->domain,
		                            sel);
		ag_dstate_req_t *req = &reqs[n++];

		snprintf(req->name, sizeof(req->name), "dkim:%s", sel);
		snprintf(req->target, sizeof(req->target), "%s._domainkey.%s",
		         sel, entry->domain);
		req->params = key != NULL ? key->spki : NULL;
		req->params_len = key != NULL ? key->spki_len : 0;
	}
	return n;
}

/* ag_dkimcheck_evaluate - the check, with the service's options */
static void ag_dkimcheck_evaluate(const ag_dstate_env_t *env,
                                  const char *target, const void *params,
                                  size_t params_len, ag_check_result_t *result)
{
	ag_dkimcheck_options_t options;

	options.timeout_ms = env->options->dns_timeout_ms;
	options.key.min_key_bits = env->options->min_key_bits;
	options.key.allow_testing = env->options->allow_testing_keys;
	ag_dkimcheck_run(env->resolver, target, &options,
	                 params_len > 0 ? params : NULL, params_len, result);
}

const ag_dstate_kind_t ag_dkimcheck_kind = {
    .kind = AG_CHECK_DKIM_KEY,
    .plan = ag_dkimcheck_plan,
    .evaluate = ag_dkimcheck_evaluate,
};
