/*
 * test_domains.c - the verified-domain table: every attribute, every kind
 * of error with its file:line text, duplicate domains, lookups of exact
 * names and sub-domains, address patterns, accounts, files.
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

#include "domains.h"

#define NAME "/etc/ag/domains"

/* parse - a buffer through ag_domains_parse, diagnostics kept in *diag */
static ag_domains_t *parse(const char *text, ag_diag_t *diag)
{
	ag_diag_init(diag);
	return ag_domains_parse(NAME, text, strlen(text), diag);
}

/* print_diag - show what came back when an assertion is about to fail */
static void print_diag(const ag_diag_t *diag)
{
	for (size_t i = 0; i < diag->count; i++)
		print_message("# diag: %s\n", diag->messages[i]);
}

/* has_prefix - whether diag holds a message starting with `want` */
static int has_prefix(const ag_diag_t *diag, const char *want)
{
	for (size_t i = 0; i < diag->count; i++)
		if (strncmp(diag->messages[i], want, strlen(want)) == 0)
			return 1;
	return 0;
}

/* must_parse - parse text that has to be valid */
static ag_domains_t *must_parse(const char *text)
{
	ag_diag_t diag;
	ag_domains_t *table = parse(text, &diag);

	print_diag(&diag);
	assert_non_null(table);
	assert_int_equal(diag.count, 0);
	ag_diag_clear(&diag);
	return table;
}

static void test_design_example(void **state)
{
	static const char text[] =
		"example.com send-domain=bounce.example.com selectors=s1,s2\n"
		"shop.example.org send-domain=mail.shop.example.org "
		"selectors=a1,a2,a3 accounts=shop,api subdomains=yes\n"
		"news.example.net selectors=s1 "
		"keys=s1:/etc/alignguard/keys/news.s1.private action=tag\n";
	ag_domains_t *t = must_parse(text);
	const ag_domain_entry_t *e;

	assert_int_equal(ag_domains_count(t), 3);
	e = ag_domains_entry(t, 0);
	assert_string_equal(e->domain, "example.com");
	assert_int_equal(e->line, 1);
	assert_string_equal(e->send_domain, "bounce.example.com");
	assert_int_equal(e->selectors.count, 2);
	assert_string_equal(e->selectors.items[1], "s2");
	assert_int_equal(e->subdomains, 0);
	assert_int_equal(e->has_action, 0);
	e = ag_domains_entry(t, 1);
	assert_string_equal(e->domain, "shop.example.org");
	assert_int_equal(e->accounts.count, 2);
	assert_string_equal(e->accounts.items[0], "shop");
	assert_int_equal(e->subdomains, 1);
	e = ag_domains_entry(t, 2);
	assert_int_equal(e->line, 3);
	assert_int_equal(e->key_count, 1);
	assert_string_equal(e->keys[0].selector, "s1");
	assert_string_equal(e->keys[0].path,
			    "/etc/alignguard/keys/news.s1.private");
	assert_int_equal(e->has_action, 1);
	assert_int_equal(e->action, AG_ACT_TAG);
	assert_null(ag_domains_entry(t, 3));
	assert_null(ag_domains_free(t));
	assert_null(ag_domains_free(NULL));
}

static void test_every_attribute(void **state)
{
	static const char text[] =
		"Example.COM. send-domain=Bounce.Example.com "
		"selectors=S1,s2.sub,k_3 dkim=any "
		"keys=s1:keys/s1.pem,k_3:/abs/k3.pem accounts=Shop,api "
		"addresses=info,news*,*-noreply subdomains=on "
		"reply-to=required alignment=strict action=quarantine "
		"mode=monitor spf-include=_spf.example.net,spf.esp.example "
		"mx=mx1.example.com,MX2.example.com\n"
		"plain.example dkim=all reply-to=optional subdomains=no\n";
	ag_domains_t *t = must_parse(text);
	const ag_domain_entry_t *e = ag_domains_entry(t, 0);

	assert_string_equal(e->domain, "example.com");
	assert_string_equal(e->send_domain, "bounce.example.com");
	assert_int_equal(e->selectors.count, 3);
	assert_string_equal(e->selectors.items[0], "s1");
	assert_string_equal(e->selectors.items[1], "s2.sub");
	assert_int_equal(e->dkim_any, 1);
	assert_int_equal(e->key_count, 2);
	assert_string_equal(e->keys[0].path, "/etc/ag/keys/s1.pem");
	assert_string_equal(e->keys[1].selector, "k_3");
	assert_string_equal(e->keys[1].path, "/abs/k3.pem");
	assert_string_equal(e->accounts.items[0], "Shop");
	assert_int_equal(e->addresses.count, 3);
	assert_int_equal(e->subdomains, 1);
	assert_int_equal(e->reply_to_required, 1);
	assert_int_equal(e->has_alignment, 1);
	assert_int_equal(e->alignment, AG_ALIGN_STRICT);
	assert_int_equal(e->has_action, 1);
	assert_int_equal(e->action, AG_ACT_QUARANTINE);
	assert_int_equal(e->has_mode, 1);
	assert_int_equal(e->mode, AG_MODE_MONITOR);
	assert_int_equal(e->spf_includes.count, 2);
	assert_string_equal(e->spf_includes.items[0], "_spf.example.net");
	assert_int_equal(e->mx_hosts.count, 2);
	assert_string_equal(e->mx_hosts.items[1], "mx2.example.com");
	e = ag_domains_entry(t, 1);
	assert_null(e->send_domain);
	assert_int_equal(e->selectors.count, 0);
	assert_int_equal(e->dkim_any, 0);
	assert_int_equal(e->reply_to_required, 0);
	assert_int_equal(e->subdomains, 0);
	assert_int_equal(e->has_alignment + e->has_action + e->has_mode, 0);
	assert_int_equal(e->accounts.count + e->addresses.count, 0);
	ag_domains_free(t);
}

/* One refused table and the start of the diagnostic it must give. */
static const struct error_case {
	const char *text, *message;
} error_cases[] = {
	{"example.com selector=s1", NAME ":1: unknown attribute 'selector' "
	 "(did you mean 'selectors'?)"},
	{"example.com Send_Domain=b.example.com", NAME ":1: unknown attribute "
	 "'Send_Domain' (did you mean 'send-domain'?)"},
	{"example.com colour=blue", NAME ":1: unknown attribute 'colour'"},
	{"example.com s1", NAME ":1: 's1': expected attribute=value"},
	{"example.com selectors=s1, s2", NAME ":1: 's2': expected "
	 "attribute=value (no spaces in lists: a,b)"},
	{"example.com other.example", NAME ":1: 'other.example': expected "
	 "attribute=value"},
	{"a.example\nexample.com selectors=", NAME ":2: selectors: missing "
	 "value"},
	{"example.com subdomains=maybe", NAME ":1: subdomains: bad value "
	 "'maybe': expected yes, no, true, false, on, off, 1 or 0"},
	{"example.com action=drop", NAME ":1: action: bad value 'drop': "
	 "expected accept, tag, quarantine, tempfail or reject"},
	{"example.com mode=warn", NAME ":1: mode: bad value 'warn': expected "
	 "enforce or monitor"},
	{"example.com alignment=loose", NAME ":1: alignment: bad value "
	 "'loose': expected relaxed or strict"},
	{"example.com dkim=some", NAME ":1: dkim: bad value 'some': expected "
	 "all or any"},
	{"example.com reply-to=yes", NAME ":1: reply-to: bad value 'yes': "
	 "expected required or optional"},
	{"example.com mode=monitor MODE=enforce", NAME ":1: mode given "
	 "twice"},
	{"example.com selectors=s1,,s2", NAME ":1: selectors: bad value "
	 "'s1,,s2': empty item in list"},
	{"example.com selectors=s1,", NAME ":1: selectors: bad value 's1,': "
	 "empty item in list"},
	{"example.com selectors=s1,S1", NAME ":1: selectors: bad value "
	 "'s1,S1': 's1' listed twice"},
	{"example.com selectors=s@1", NAME ":1: selectors: bad value 's@1': "
	 "'s@1' is not a DKIM selector"},
	{"example.com selectors=-s1", NAME ":1: selectors: bad value '-s1': "
	 "'-s1' is not a DKIM selector"},
	{"example.com selectors=s1 keys=s2:/k", NAME ":1: keys: selector "
	 "'s2' is not listed in selectors="},
	{"example.com keys=s1:/k", NAME ":1: keys: selector 's1' is not "
	 "listed in selectors="},
	{"example.com selectors=s1 keys=/k/s1.pem", NAME ":1: keys: bad value "
	 "'/k/s1.pem': '/k/s1.pem': expected selector:/path/to/private.key"},
	{"example.com selectors=s1 keys=s1:", NAME ":1: keys: bad value "
	 "'s1:': 's1:': expected selector:/path/to/private.key"},
	{"example.com selectors=s1 keys=s1:/a,S1:/b", NAME ":1: keys: bad "
	 "value 's1:/a,S1:/b': selector 's1' has two keys"},
	{"example.com addresses=info@example.com", NAME ":1: addresses: bad "
	 "value 'info@example.com': 'info@example.com' is an address: list "
	 "local parts, without @domain"},
	{"example.com addresses=a\"b", NAME ":1: addresses: bad value "
	 "'a\"b': 'a\"b' is not a local part or a '*' pattern of one"},
	{"example.com accounts=a\x01", NAME ":1: accounts: bad value 'a?': "
	 "'a?' holds a control character"},
	{"example.com send-domain=bad..example", NAME ":1: send-domain: bad "
	 "value 'bad..example': 'bad..example' is not a domain name: "},
	{"example.com mx=mx1.example.com,-mx.example.com", NAME ":1: mx: bad "
	 "value 'mx1.example.com,-mx.example.com': '-mx.example.com' is not "
	 "a domain name: "},
	{"example.com spf-include=a_b!.example", NAME ":1: spf-include: bad "
	 "value 'a_b!.example': 'a_b!.example' is not a domain name"},
	{"exa!mple.com", NAME ":1: malformed domain 'exa!mple.com': "},
	{"-example.com selectors=s1", NAME ":1: malformed domain "
	 "'-example.com': "},
	{"selectors=s1", NAME ":1: 'selectors=s1': expected a domain name "
	 "before the attributes"},
	{"example.com\n# comment\nEXAMPLE.com.", NAME ":3: duplicate domain "
	 "example.com (first on line 1)"},
	{"example.com\nexample.com subdomains=yes", NAME ":2: duplicate "
	 "domain example.com (first on line 1)"},
};

static void test_every_error_names_file_and_line(void **state)
{
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		ag_diag_t diag;
		ag_domains_t *t = parse(error_cases[i].text, &diag);

		if (!has_prefix(&diag, error_cases[i].message)) {
			print_diag(&diag);
			fail_msg("case %zu: no \"%s\"", i,
				 error_cases[i].message);
		}
		assert_null(t);
		ag_diag_clear(&diag);
	}
}

static void test_all_problems_are_reported(void **state)
{
	static const char text[] =
		"a.example selectors=s1 selectors=s2 bogus=1\n"
		"b.example mode=x\n"
		"a.example\n"
		"c.example \0 selectors=s1\n";
	ag_diag_t diag;
	ag_domains_t *t;

	ag_diag_init(&diag);
	t = ag_domains_parse(NAME, text, sizeof(text) - 1, &diag);
	assert_null(t);
	if (diag.count != 5)
		print_diag(&diag);
	assert_int_equal(diag.count, 5);
	assert_string_equal(diag.messages[4], NAME ":4: NUL octet in line");
	ag_diag_clear(&diag);
}

static void test_too_many_problems_are_counted(void **state)
{
	size_t lines = AG_DOMAINS_DIAG_MAX + 500;
	char *text = malloc(lines * 16 + 1), *p = text;
	ag_diag_t diag;

	for (size_t i = 0; i < lines; i++)
		p += sprintf(p, "d%zu.example x\n", i);
	ag_diag_init(&diag);
	assert_null(ag_domains_parse(NAME, text, (size_t)(p - text), &diag));
	assert_int_equal(diag.count, AG_DOMAINS_DIAG_MAX + 1);
	assert_string_equal(diag.messages[AG_DOMAINS_DIAG_MAX],
			    NAME ": 500 more problems not shown");
	ag_diag_clear(&diag);
	free(text);
}

static void test_comments_and_blank_lines(void **state)
{
	static const char text[] =
		"# verified domains\r\n"
		"\r\n"
		"  example.com   selectors=s1  # customer 17\r\n"
		"\t# nothing here\n"
		"hash.example addresses=a#b,c\n"
		"last.example";
	ag_domains_t *t = must_parse(text);
	const ag_domain_entry_t *e;

	assert_int_equal(ag_domains_count(t), 3);
	e = ag_domains_entry(t, 0);
	assert_int_equal(e->line, 3);
	assert_int_equal(e->selectors.count, 1);
	assert_string_equal(e->selectors.items[0], "s1");
	e = ag_domains_entry(t, 1);
	assert_string_equal(e->addresses.items[0], "a#b");
	assert_int_equal(ag_domains_entry(t, 2)->line, 6);
	ag_domains_free(t);
	t = must_parse("");
	assert_int_equal(ag_domains_count(t), 0);
	assert_null(ag_domains_lookup(t, "example.com"));
	ag_domains_free(t);
}

static void test_lookup_exact_and_subdomains(void **state)
{
	static const char text[] =
		"example.com subdomains=yes\n"
		"only.example.com\n"
		"deep.only.example.com subdomains=yes\n"
		"exact.example.org\n"
		"wild.example.org subdomains=yes mode=monitor\n";
	static const struct {
		const char *name, *want;
	} cases[] = {
		{"example.com", "example.com"},
		{"a.example.com", "example.com"},
		{"a.b.c.example.com", "example.com"},
		{"only.example.com", "only.example.com"},
		{"x.only.example.com", "example.com"},
		{"deep.only.example.com", "deep.only.example.com"},
		{"x.deep.only.example.com", "deep.only.example.com"},
		{"exact.example.org", "exact.example.org"},
		{"sub.exact.example.org", NULL},
		{"example.org", NULL},
		{"wild.example.org", "wild.example.org"},
		{"a.b.wild.example.org", "wild.example.org"},
		{"notexample.com", NULL},
		{"com", NULL},
		{"", NULL},
		{".", NULL},
		{"example.com.evil.net", NULL},
	};
	ag_domains_t *t = must_parse(text);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const ag_domain_entry_t *e =
			ag_domains_lookup(t, cases[i].name);
		if (cases[i].want == NULL) {
			if (e != NULL)
				fail_msg("%s found as %s", cases[i].name,
					 e->domain);
		} else {
			if (e == NULL)
				fail_msg("%s not found", cases[i].name);
			assert_string_equal(e->domain, cases[i].want);
		}
	}
	assert_null(ag_domains_lookup(NULL, "example.com"));
	assert_null(ag_domains_lookup(t, NULL));
	ag_domains_free(t);
}

static void test_many_domains_are_all_found(void **state)
{
	size_t n = 20000;
	char *text = malloc(n * 40), *p = text;
	ag_domains_t *t;
	char name[64];

	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "d%zu.example-%zu.com selectors=s%zu\n", i,
			     i % 97, i % 5);
	t = must_parse(text);
	assert_int_equal(ag_domains_count(t), n);
	for (size_t i = 0; i < n; i++) {
		const ag_domain_entry_t *e;
		snprintf(name, sizeof(name), "d%zu.example-%zu.com", i, i % 97);
		e = ag_domains_lookup(t, name);
		assert_non_null(e);
		assert_int_equal(e->line, i + 1);
		snprintf(name, sizeof(name), "x.d%zu.example-%zu.com", i,
			 i % 97);
		assert_null(ag_domains_lookup(t, name));
	}
	ag_domains_free(t);
	free(text);
}

static void test_address_patterns(void **state)
{
	static const struct {
		const char *patterns, *local;
		int want;
	} cases[] = {
		{NULL, "anyone", 1},
		{"info", "info", 1},
		{"info", "INFO", 1},
		{"INFO", "info", 1},
		{"info", "info2", 0},
		{"info", "inf", 0},
		{"info,sales", "sales", 1},
		{"news*", "news", 1},
		{"news*", "newsletter", 1},
		{"news*", "thenews", 0},
		{"*-noreply", "billing-noreply", 1},
		{"*-noreply", "billing-noreply2", 0},
		{"a*b*c", "aXXbYYc", 1},
		{"a*b*c", "abcbc", 1},
		{"a*b*c", "acb", 0},
		{"*", "x", 1},
		{"**", "", 1},
		{"first.last", "First.Last", 1},
		{"a?b", "axb", 0},
		{"a?b", "a?b", 1},
		{"a[1]", "a[1]", 0},
		{"user+*", "user+tag", 1},
		{"user+*", "user", 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		ag_diag_t diag;
		ag_domains_t *t;
		const ag_domain_entry_t *e;

		if (cases[i].patterns != NULL)
			snprintf(text, sizeof(text),
				 "example.com addresses=%s\n",
				 cases[i].patterns);
		else
			snprintf(text, sizeof(text), "example.com\n");
		t = parse(text, &diag);
		if (t == NULL && strchr(cases[i].patterns, '[') != NULL) {
			ag_diag_clear(&diag);	/* '[' is no local part */
			continue;
		}
		assert_non_null(t);
		e = ag_domains_lookup(t, "example.com");
		if (ag_domain_entry_allows_address(e, cases[i].local) !=
		    cases[i].want)
			fail_msg("case %zu: %s against %s", i, cases[i].local,
				 cases[i].patterns);
		assert_int_equal(ag_domain_entry_allows_address(e, NULL), 0);
		ag_domains_free(t);
		ag_diag_clear(&diag);
	}
	assert_int_equal(ag_domain_entry_allows_address(NULL, "x"), 0);
}

static void test_accounts(void **state)
{
	ag_domains_t *t = must_parse("a.example accounts=shop,API-1\n"
				     "b.example\n");
	const ag_domain_entry_t *a = ag_domains_lookup(t, "a.example");
	const ag_domain_entry_t *b = ag_domains_lookup(t, "b.example");

	assert_int_equal(ag_domain_entry_allows_account(a, "shop"), 1);
	assert_int_equal(ag_domain_entry_allows_account(a, "API-1"), 1);
	assert_int_equal(ag_domain_entry_allows_account(a, "Shop"), 0);
	assert_int_equal(ag_domain_entry_allows_account(a, "api-1"), 0);
	assert_int_equal(ag_domain_entry_allows_account(a, "shop2"), 0);
	assert_int_equal(ag_domain_entry_allows_account(a, ""), 0);
	assert_int_equal(ag_domain_entry_allows_account(a, NULL), 0);
	assert_int_equal(ag_domain_entry_allows_account(b, "anyone"), 1);
	assert_int_equal(ag_domain_entry_allows_account(b, NULL), 1);
	assert_int_equal(ag_domain_entry_allows_account(NULL, "shop"), 0);
	ag_domains_free(t);
}

static void test_load_reads_files(void **state)
{
	char path[64];
	ag_diag_t diag;
	ag_domains_t *t;
	int fd;
	static const char text[] = "example.com selectors=s1 keys=s1:s1.pem\n";

	snprintf(path, sizeof(path), "/tmp/test_domains.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ag_diag_init(&diag);
	t = ag_domains_load(path, &diag);
	assert_non_null(t);
	assert_string_equal(ag_domains_entry(t, 0)->keys[0].path,
			    "/tmp/s1.pem");
	ag_domains_free(t);
	unlink(path);
	assert_null(ag_domains_load("/nonexistent/domains", &diag));
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.messages[0], "/nonexistent/domains: cannot "
			    "open: No such file or directory");
	ag_diag_clear(&diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_every_attribute),
		cmocka_unit_test(test_every_error_names_file_and_line),
		cmocka_unit_test(test_all_problems_are_reported),
		cmocka_unit_test(test_too_many_problems_are_counted),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_lookup_exact_and_subdomains),
		cmocka_unit_test(test_many_domains_are_all_found),
		cmocka_unit_test(test_address_patterns),
		cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_load_reads_files),
	};
	return cmocka_run_group_tests_name("domains", tests, NULL, NULL);
}
