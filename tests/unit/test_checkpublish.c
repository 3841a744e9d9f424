/*
 * test_checkpublish.c - `alignguard-check --records`: the zone-file
 * fragment of a new domain from its table entry (keys=, send-domain=,
 * mx=, spf-include=), from explicit selectors and keys, without an entry
 * (strict and relaxed alignment), and nothing at all when a key file
 * cannot be read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpublish.h"
#include "checkworld.h"

static const char ag_test_table[] =
    "shop.example send-domain=mail.shop.example selectors=s1,s2 "
    "keys=s1:k1024.pem mx=mx1.example.net,mx2.example.net "
    "spf-include=spf.relay.example\n"
    "plain.example\n";

/* setup - the keys, a table, OutboundAddresses */
static int setup(void **state)
{
	ag_check_world_t *world = ag_check_world_begin();

	ag_check_world_file(world, "k1024.pem", ag_test_rsa1024_pem);
	ag_check_world_file(world, "ed.pem", ag_test_ed25519_pem);
	ag_check_world_load(world,
	                    "OutboundAddresses 192.0.2.10 2001:db8::25\n",
	                    ag_test_table);
	*state = world;
	return 0;
}

/* teardown - remove the world */
static int teardown(void **state)
{
	ag_check_world_end(*state);
	return 0;
}

/* ag_test_publish - the fragment for `in`, or NULL with err */
static char *ag_test_publish(const ag_check_world_t *world,
                             ag_check_publish_t *in, char *err, size_t size)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int rc;

	assert_non_null(fp);
	in->config = world->rules->config;
	if (in->entry == NULL)
		in->entry =
		    ag_domains_lookup(world->rules->domains, in->domain);
	rc = ag_check_publish(fp, in, err, size);
	assert_int_equal(fclose(fp), 0);
	if (rc != 0) {
		assert_string_equal(text, "");
		free(text);
		return NULL;
	}
	return text;
}

/* Everything from the table entry. */
static void test_from_entry(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_publish_t in = {.domain = "shop.example"};
	char err[256], want[4096];
	char *text = ag_test_publish(world, &in, err, sizeof(err));

	snprintf(
	    want, sizeof(want),
	    "; records for shop.example, send domain mail.shop.example\n"
	    "; DKIM selector s1: 1024-bit key from %s/k1024.pem\n"
	    "s1._domainkey.shop.example. IN TXT \"v=DKIM1; k=rsa; p=%s\"\n"
	    "; DKIM selector s2: no key file given (--key, or keys= in the "
	    "table); publish\n"
	    ";   s2._domainkey.shop.example. IN TXT \"v=DKIM1; k=rsa; "
	    "p=<the signing key's public half, base64>\"\n"
	    "; send domain mail.shop.example: MX for the bounces\n"
	    "mail.shop.example. IN MX 10 mx1.example.net.\n"
	    "mail.shop.example. IN MX 20 mx2.example.net.\n"
	    "; send domain mail.shop.example: SPF for the outbound "
	    "addresses\n"
	    "mail.shop.example. IN TXT \"v=spf1 include:spf.relay.example "
	    "ip4:192.0.2.10 ip6:2001:db8::25 -all\"\n"
	    "; DMARC: start with p=none, read the aggregate reports, then "
	    "tighten p=\n"
	    "_dmarc.shop.example. IN TXT \"v=DMARC1; p=none; "
	    "rua=mailto:dmarc-reports@shop.example\"\n",
	    world->dir, ag_test_rsa1024_p);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
}

/* Options override the entry: keys, send domain, MX host, rua. */
static void test_options(void **state)
{
	ag_check_world_t *world = *state;
	char path[128], err[256], want[256];
	ag_check_key_opt_t keys[] = {{"ed", path}};
	ag_check_publish_t in = {.domain = "shop.example",
	                         .send_domain = "b.shop.example",
	                         .keys = keys,
	                         .nkeys = 1,
	                         .mx = "in.example.net",
	                         .rua = "agg@reports.example"};
	char *text;

	snprintf(path, sizeof(path), "%s/ed.pem", world->dir);
	text = ag_test_publish(world, &in, err, sizeof(err));
	assert_non_null(text);
	snprintf(want, sizeof(want),
	         "ed._domainkey.shop.example. IN TXT \"v=DKIM1; k=ed25519; "
	         "p=%s\"\n",
	         ag_test_ed25519_p);
	assert_non_null(strstr(text, want));
	assert_null(strstr(text, "s1._domainkey"));
	assert_non_null(strstr(text, "\nb.shop.example. IN MX 10 "
	                             "in.example.net.\n"));
	assert_null(strstr(text, "mx2.example.net"));
	assert_non_null(strstr(text, "rua=mailto:agg@reports.example\""));
	free(text);
}

/* No entry: bounce.<domain>, or the domain itself when strict. */
static void test_no_entry(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_publish_t in = {.domain = "new.example"};
	char err[256], *text;

	text = ag_test_publish(world, &in, err, sizeof(err));
	assert_non_null(strstr(text, "send domain bounce.new.example\n"));
	assert_non_null(strstr(text, "; DKIM: no selector given"));
	assert_non_null(strstr(text, ";   bounce.new.example. IN MX 10 <the "
	                             "host"));
	assert_non_null(strstr(text,
	                       "\nbounce.new.example. IN TXT \"v=spf1 "
	                       "ip4:192.0.2.10 ip6:2001:db8::25 -all\"\n"));
	free(text);
	world->rules->config->alignment = AG_ALIGN_STRICT;
	in.entry = NULL;
	text = ag_test_publish(world, &in, err, sizeof(err));
	world->rules->config->alignment = AG_ALIGN_RELAXED;
	assert_non_null(strstr(text, "send domain new.example\n"));
	assert_non_null(strstr(text, "the domain's own MX takes the bounces"));
	assert_null(strstr(text, " IN MX "));
	assert_non_null(strstr(text, "\nnew.example. IN TXT \"v=spf1 "));
	free(text);
}

/* Nothing to authorise: a comment instead of an SPF record. */
static void test_no_addresses(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_publish_t in = {.domain = "plain.example"};
	ag_strlist_t saved = world->rules->config->outbound_addresses;
	char err[256], *text;

	world->rules->config->outbound_addresses.count = 0;
	text = ag_test_publish(world, &in, err, sizeof(err));
	world->rules->config->outbound_addresses = saved;
	assert_non_null(strstr(text, "SPF: set OutboundAddresses"));
	assert_null(strstr(text, "v=spf1"));
	free(text);
}

/* A key that cannot be read: an error, and no output at all. */
static void test_bad_key(void **state)
{
	ag_check_world_t *world = *state;
	ag_check_key_opt_t keys[] = {{"s1", "/nonexistent/s1.pem"}};
	ag_check_publish_t in = {
	    .domain = "shop.example", .keys = keys, .nkeys = 1};
	char err[256];

	assert_null(ag_test_publish(world, &in, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/s1.pem"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_from_entry),
	    cmocka_unit_test(test_options),
	    cmocka_unit_test(test_no_entry),
	    cmocka_unit_test(test_no_addresses),
	    cmocka_unit_test(test_bad_key),
	};

	return cmocka_run_group_tests_name("checkpublish", tests, setup,
	                                   teardown);
}
