/*
 * test_address.c - the From field and envelope sender parsers: one test
 * per table row (accepted fields with their local part and normalised
 * domain, refused ones with the reason given), generated limits (line,
 * label, local part lengths, deep nesting) and the header-name helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"

typedef struct from_case {
	const char *name;
	const char *value;
	size_t len; /* 0: strlen(value) */
	int allow_foreign;
	ag_from_status_t status;
	const char *local; /* expected unless INVALID */
	const char *domain;
	const char *why; /* INVALID: part of the explanation */
} from_case_t;

/* clang-format off */
#define OK(n, v, l, d) {n, v, 0, 0, AG_FROM_OK, l, d, NULL}
#define OK_FOREIGN(n, v, l, d) {n, v, 0, 1, AG_FROM_OK, l, d, NULL}
#define MULTI(n, v, l, d) {n, v, 0, 0, AG_FROM_MULTIPLE_MAILBOXES, l, d, NULL}
#define BAD(n, v, w) {n, v, 0, 0, AG_FROM_INVALID, NULL, NULL, w}
#define BAD_FOREIGN(n, v, w) {n, v, 0, 1, AG_FROM_INVALID, NULL, NULL, w}
#define BAD_LEN(n, v, w) {n, v, sizeof(v) - 1, 0, AG_FROM_INVALID, NULL, NULL, w}

static const from_case_t from_cases[] = {
	/* accepted */
	OK("bare addr-spec", "user@example.com", "user", "example.com"),
	OK("display name and angle", "Jane Doe <jane.doe@example.com>",
	   "jane.doe", "example.com"),
	OK("quoted display name with comma", "\"Doe, Jane\" <jane@example.com>",
	   "jane", "example.com"),
	OK("quoted display name with escaped quotes",
	   "\"Jane \\\"JD\\\" Doe\" <jd@example.com>", "jd", "example.com"),
	OK("CRLF folding", "Jane Doe\r\n <jane@example.com>", "jane",
	   "example.com"),
	OK("bare LF folding", "Jane Doe\n\t<jane@example.com>", "jane",
	   "example.com"),
	OK("folding inside quoted display name",
	   "\"Jane\r\n Doe\" <jane@example.com>", "jane", "example.com"),
	OK("blank continuation line", "Jane\r\n \r\n <jane@example.com>",
	   "jane", "example.com"),
	OK("nested comments", "jane@example.com (Jane (the (real) boss) Doe)",
	   "jane", "example.com"),
	OK("comment before address", "(sender) jane@example.com", "jane",
	   "example.com"),
	OK("comment inside display name", "Jane (work) Doe <jane@example.com>",
	   "jane", "example.com"),
	OK("comment after angle address", "Jane <jane@example.com> (work)",
	   "jane", "example.com"),
	OK("upper-case domain, local part kept", "JANE@EXAMPLE.COM", "JANE",
	   "example.com"),
	OK("trailing dot on domain", "jane@example.com.", "jane",
	   "example.com"),
	OK("trailing dot in angle address", "Jane <jane@Example.Com.>", "jane",
	   "example.com"),
	OK("IDN U-label domain", "info@b\xc3\xbc" "cher.example", "info",
	   "xn--bcher-kva.example"),
	OK("IDN U-label with ASCII capitals", "Info <info@B\xc3\xbc" "cher.Example>",
	   "info", "xn--bcher-kva.example"),
	OK("A-label in capitals", "info@XN--BCHER-KVA.example", "info",
	   "xn--bcher-kva.example"),
	OK("IDN top-level domain", "info@example.\xd1\x80\xd1\x84", "info",
	   "example.xn--p1ai"),
	OK("quoted local part", "\"john doe\"@example.com", "john doe",
	   "example.com"),
	OK("quoted local part with quoted-pair", "\"john\\\"doe\"@example.com",
	   "john\"doe", "example.com"),
	OK("quoted local part in angle address", "John <\"j.d\"@example.com>",
	   "j.d", "example.com"),
	OK("folded quoted local part", "\"john\r\n doe\"@example.com",
	   "john doe", "example.com"),
	OK("obsolete phrase with a dot", "John Q. Public <jqp@example.com>",
	   "jqp", "example.com"),
	OK("UTF-8 display name", "J\xc3\xbcrgen M\xc3\xbcller <j@example.de>",
	   "j", "example.de"),
	OK("UTF-8 local part", "j\xc3\xbcrgen@example.de", "j\xc3\xbcrgen",
	   "example.de"),
	OK("encoded-word display name", "=?UTF-8?Q?J=C3=BCrgen?= <j@example.de>",
	   "j", "example.de"),
	OK("display name is the same address",
	   "\"jane@example.com\" <jane@example.com>", "jane", "example.com"),
	OK("display name has another address of the same domain",
	   "\"support@example.com\" <noreply@example.com>", "noreply",
	   "example.com"),
	OK("display name address in other case and trailing dot",
	   "\"Write to jane@EXAMPLE.com.\" <jane@example.com>", "jane",
	   "example.com"),
	OK("encoded-word display name holding the same domain",
	   "=?utf-8?q?Jane_=28jane=40example.com=29?= <jane@example.com>",
	   "jane", "example.com"),
	OK("white space inside angle brackets", "Jane < jane@example.com >",
	   "jane", "example.com"),
	OK("angle address without display name", "<jane@example.com>", "jane",
	   "example.com"),
	OK("subaddress and co.uk", "Shop <orders+eu@shop.example.co.uk>",
	   "orders+eu", "shop.example.co.uk"),
	OK("every atext character in local part",
	   "a!#$%&'*+/=^_`{|}~-b@example.com", "a!#$%&'*+/=^_`{|}~-b",
	   "example.com"),
	OK("single-label domain", "root@localhost", "root", "localhost"),
	OK("surrounding white space", " \t jane@example.com  ", "jane",
	   "example.com"),
	OK("hyphen and digits in domain", "a@3-shop.example", "a",
	   "3-shop.example"),
	OK("ISO-2022-JP encoded display name",
	   "=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>", "yamada",
	   "example.jp"),
	OK("ISO-2022-JP display name with the same address",
	   "=?ISO-2022-JP?B?GyRCOzNFRBsoQiA8eWFtYWRhQGV4YW1wbGUuanA+?= "
	   "<yamada@example.jp>", "yamada", "example.jp"),
	OK("Shift_JIS display name with 0x40 trail octet",
	   "=?shift_jis?B?jlKTY4FAkb6YWQ==?= <taro@example.jp>", "taro",
	   "example.jp"),
	OK("Big5 display name with 0x40 trail octets",
	   "=?big5?B?pECkQA==?= <a@example.tw>", "a", "example.tw"),
	OK("malformed encoded-word is plain text",
	   "=?utf-8?x?abc?= <a@example.com>", "a", "example.com"),
	OK_FOREIGN("foreign address in display name, allowed",
		   "\"jane@customer.example via Service\" <noreply@example.com>",
		   "noreply", "example.com"),
	MULTI("two bare addresses", "a@example.com, c@example.org", "a",
	      "example.com"),
	MULTI("two mailboxes with display names",
	      "\"A, B\" <a@example.com>,\r\n C <c@example.com>", "a",
	      "example.com"),

	/* refused */
	BAD("group", "Team: a@example.com, b@example.com;", "group syntax"),
	BAD("group with one member", "Team: a@example.com;", "group syntax"),
	BAD("empty group", "undisclosed-recipients:;", "group syntax"),
	BAD("group after a mailbox", "a@example.com, G: b@example.com;",
	    "group syntax"),
	BAD("semicolon after address", "a@example.com;", "group syntax"),
	BAD("route-addr", "<@a.example,@b.example:user@example.com>",
	    "route address"),
	BAD("route-addr with display name", "Jane <@a.example:jane@example.com>",
	    "route address"),
	BAD("route-addr starting with comma", "<,@a.example:x@example.com>",
	    "route address"),
	BAD("encoded-word as the address", "=?utf-8?q?jane=40evil.example?=",
	    "encoded-word as the address"),
	BAD("encoded-word as local part", "=?utf-8?q?x?=@example.com",
	    "encoded-word in address"),
	BAD("encoded-word in angle local part",
	    "Jane <=?utf-8?q?jane?=@example.com>", "encoded-word in address"),
	BAD("encoded-word in quoted local part",
	    "\"=?utf-8?q?y?=\"@example.com", "encoded-word in address"),
	BAD("encoded-word in domain", "a@=?utf-8?q?x?=.example",
	    "encoded-word in address"),
	BAD("B encoded display name with another domain",
	    "=?UTF-8?B?Ym9zc0BiYW5rLmV4YW1wbGU=?= <x@example.com>",
	    "encoded-word in display name hides"),
	BAD("Q encoded display name with another domain",
	    "=?utf-8?q?security=40bank.example?= <x@example.com>",
	    "encoded-word in display name hides"),
	BAD("address split over adjacent encoded-words",
	    "=?utf-8?q?security?=\r\n =?utf-8?q?=40bank.example?= <x@example.com>",
	    "encoded-word in display name hides"),
	BAD_FOREIGN("encoded foreign address, even when allowed",
		    "=?UTF-8?B?Ym9zc0BiYW5rLmV4YW1wbGU=?= <x@example.com>",
		    "encoded-word in display name hides"),
	BAD("encoded-word inside quoted display name",
	    "\"=?utf-8?q?x=40evil.example?=\" <a@example.com>",
	    "encoded-word in display name hides"),
	BAD("ISO-2022-JP display name hiding an address",
	    "=?iso-2022-jp?B?GyRCOzNFRBsoQkBldmlsLmV4YW1wbGU=?= <a@example.jp>",
	    "encoded-word in display name hides"),
	BAD("UTF-7 encoded-word", "=?utf-7?q?+AEA-evil.example?= <a@example.com>",
	    "UTF-7"),
	BAD("UTF-16 encoded-word",
	    "=?utf-16?b?//54AEAAZQB2AGkAbAAuAGUAeABhAG0AcABsAGUA?= <a@example.com>",
	    "UTF-16"),
	BAD("quoted display name with another domain",
	    "\"security@bank.example\" <x@example.com>",
	    "display name holds an address of another domain"),
	BAD("display name with a whole angle address",
	    "\"Bank <security@bank.example>\" <x@example.com>",
	    "display name holds"),
	BAD("display address split over quoted strings",
	    "\"security@\"\"bank.example\" <x@example.com>", "display name holds"),
	BAD("display name with a homoglyph domain",
	    "\"a@ex\xd0\xb0mple.com\" <a@example.com>", "display name holds"),
	BAD("unquoted address as display name",
	    "security@bank.example <x@example.com>",
	    "unquoted '@' in display name"),
	BAD("unquoted address inside display name",
	    "Bank security@bank.example <x@example.com>",
	    "unquoted '@' in display name"),
	BAD("address in comment", "Jane (jane@evil.example) <jane@example.com>",
	    "address in comment"),
	BAD("same address in comment", "jane@example.com (jane@example.com)",
	    "address in comment"),
	BAD("encoded address in comment",
	    "jane@example.com (=?utf-8?q?x=40evil.example?=)",
	    "address in comment"),
	BAD("address in nested comment", "jane@example.com (a (b@evil.example))",
	    "address in comment"),
	BAD("address in comment after angle address",
	    "Jane <jane@example.com> (x@evil.example)", "address in comment"),
	BAD("quoted local part with '@'", "\"a@evil.example\"@example.com",
	    "quoted local part holds"),
	BAD("quoted local part with angle brackets", "\"<a>\"@example.com",
	    "quoted local part holds"),
	BAD("quoted local part with escaped '@'", "\"a\\@b\"@example.com",
	    "quoted local part holds"),
	BAD("unbalanced quote", "\"Jane <jane@example.com>", "unbalanced quote"),
	BAD("unbalanced comment", "jane@example.com (Jane", "unbalanced comment"),
	BAD("stray closing parenthesis", "jane@example.com )",
	    "unbalanced comment"),
	BAD("unclosed angle bracket", "Jane <jane@example.com",
	    "unbalanced angle bracket"),
	BAD("stray closing angle bracket", "jane@example.com>",
	    "unbalanced angle bracket"),
	BAD("two angle addresses", "Jane <jane@example.com> <evil@evil.example>",
	    "two angle addresses"),
	BAD("nested angle brackets", "<<jane@example.com>>",
	    "nested angle brackets"),
	BAD("empty angle address", "Jane <>", "empty angle address"),
	BAD("bare CR", "Jane\r<jane@example.com>", "bare CR"),
	BAD("CR at the end", "jane@example.com\r", "bare CR"),
	BAD_LEN("NUL octet", "jane@example.com\0<x@evil.example>", "NUL"),
	BAD_LEN("NUL in display name", "Ja\0ne <jane@example.com>", "NUL"),
	BAD("invalid UTF-8", "J\xc3\x28 <jane@example.com>", "invalid UTF-8"),
	BAD("Latin-1 octets", "J\xfcrgen <j@example.de>", "invalid UTF-8"),
	BAD("overlong UTF-8", "\xc0\xaf@example.com", "invalid UTF-8"),
	BAD("UTF-8 surrogate", "\xed\xa0\x80@example.com", "invalid UTF-8"),
	BAD("truncated UTF-8", "jane@example.com \xe2\x82", "invalid UTF-8"),
	BAD("control character", "Jane\x01 <jane@example.com>",
	    "control character"),
	BAD("DEL", "jane\x7f@example.com", "control character"),
	BAD("C1 control NEL", "Jane\xc2\x85 <jane@example.com>",
	    "control character"),
	BAD("line separator U+2028", "Jane\xe2\x80\xa8 <jane@example.com>",
	    "control character"),
	BAD("line break without white space", "Jane\r\n<jane@example.com>",
	    "line break not followed by white space"),
	BAD("trailing CRLF", "jane@example.com\r\n",
	    "line break not followed by white space"),
	BAD("fake A-label", "a@xn--zzzz.example", "fake A-label"),
	BAD("A-label of a disallowed character", "a@xn--ls8h.example",
	    "fake A-label"),
	BAD("A-label of a non-NFC string", "a@xn--uber-vwc.example",
	    "fake A-label"),
	BAD("A-label of nothing", "a@xn--a.example", "fake A-label"),
	BAD("non-NFC U-label", "a@u\xcc\x88" "ber.example", "not in NFC"),
	BAD("upper-case U-label", "a@B\xc3\x9c" "CHER.example",
	    "not valid under IDNA2008"),
	BAD("full-width dot", "a@example\xef\xbc\x8e" "com",
	    "not valid under IDNA2008"),
	BAD("deviation character", "a@fa\xc3\x9f.example", "deviation"),
	BAD("label over 63 octets",
	    "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
	    "label over 63 octets"),
	BAD("domain literal", "a@[192.0.2.1]", "domain literal"),
	BAD("IPv6 domain literal", "Jane <a@[IPv6:2001:db8::1]>",
	    "domain literal"),
	BAD("IPv4 address as domain", "a@192.0.2.1", "numeric top-level label"),
	BAD("underscore in domain", "a@ex_ample.com", "not allowed in a domain"),
	BAD("empty label", "a@example..com", "empty label"),
	BAD("two trailing dots", "a@example.com..", "empty label"),
	BAD("leading hyphen in label", "a@-example.com", "'-'"),
	BAD("empty local part", "@example.com", "empty local part"),
	BAD("empty local part in angle address", "<@example.com>",
	    "route address"),
	BAD("empty quoted local part", "\"\"@example.com", "empty local part"),
	BAD("empty domain", "jane@", "empty domain"),
	BAD("empty domain in angle address", "<jane@>", "empty domain"),
	BAD("no '@'", "jane", "no address"),
	BAD("display name only", "Jane Doe", "no address"),
	BAD("no '@' in angle address", "Jane <jane>", "no '@'"),
	BAD("empty value", "", "empty mailbox"),
	BAD("white space only", " \t ", "empty mailbox"),
	BAD("trailing comma", "a@example.com,", "empty mailbox"),
	BAD("empty list member", "a@example.com,,b@example.com", "empty mailbox"),
	BAD("white space before '@'", "jane @example.com",
	    "white space inside address"),
	BAD("white space after '@'", "jane@ example.com",
	    "white space inside address"),
	BAD("comment inside address", "<jane(x)@example.com>",
	    "white space inside address"),
	BAD("trailing dot in local part", "jane.@example.com", "misplaced dot"),
	BAD("leading dot in local part", ".jane@example.com", "misplaced dot"),
	BAD("double dot in local part", "ja..ne@example.com", "misplaced dot"),
	BAD("quoted-pair outside quotes", "Jane\\ Doe <a@example.com>",
	    "quoted-pair outside quotes"),
	BAD("quoted-pair of a line break", "\"Jane\\\r\n Doe\" <a@example.com>",
	    "quoted-pair of a line break"),
	BAD("text after address", "a@example.com junk", "text after address"),
	BAD("two '@'", "a@b@example.com", "text after address"),
	BAD("mixed quoted and plain local part", "\"a\"b@example.com",
	    "unquoted '@' in display name"),
	BAD("list with one bad member", "a@example.com, b@[192.0.2.1]",
	    "domain literal"),
	BAD("list with a foreign display name",
	    "a@example.com, \"x@evil.example\" <b@example.org>",
	    "display name holds"),
};

typedef struct envfrom_case {
	const char *name;
	const char *arg;
	ag_envfrom_status_t status;
	const char *local;
	const char *domain;
	const char *why;
} envfrom_case_t;

static const envfrom_case_t envfrom_cases[] = {
	{"envelope in brackets", "<bounce@example.com>", AG_ENVFROM_OK,
	 "bounce", "example.com", NULL},
	{"envelope without brackets", "bounce@example.com", AG_ENVFROM_OK,
	 "bounce", "example.com", NULL},
	{"null sender", "<>", AG_ENVFROM_NULL, "", "", NULL},
	{"quoted local part", "<\"john doe\"@example.com>", AG_ENVFROM_OK,
	 "john doe", "example.com", NULL},
	{"upper case kept in local part, not in domain",
	 "<Bounce+1@Mail.Example.COM>", AG_ENVFROM_OK, "Bounce+1",
	 "mail.example.com", NULL},
	{"SRS address", "<SRS0=HHH=TT=example.org=user@fwd.example>",
	 AG_ENVFROM_OK, "SRS0=HHH=TT=example.org=user", "fwd.example", NULL},
	{"IDN domain", "<info@b\xc3\xbc" "cher.example>", AG_ENVFROM_OK, "info",
	 "xn--bcher-kva.example", NULL},
	{"trailing dot", "<bounce@example.com.>", AG_ENVFROM_OK, "bounce",
	 "example.com", NULL},
	{"source route", "<@a.example,@b.example:user@example.com>",
	 AG_ENVFROM_INVALID, NULL, NULL, "source route"},
	{"short source route", "<@a.example:user@example.com>",
	 AG_ENVFROM_INVALID, NULL, NULL, "source route"},
	{"address literal", "<user@[192.0.2.1]>", AG_ENVFROM_INVALID, NULL,
	 NULL, "domain literal"},
	{"quoted local part with '@'", "<\"a@b\"@example.com>",
	 AG_ENVFROM_INVALID, NULL, NULL, "quoted local part holds"},
	{"unbalanced bracket", "<user@example.com", AG_ENVFROM_INVALID, NULL,
	 NULL, "unbalanced angle bracket"},
	{"closing bracket only", "user@example.com>", AG_ENVFROM_INVALID, NULL,
	 NULL, "unbalanced angle bracket"},
	{"lone bracket", "<", AG_ENVFROM_INVALID, NULL, NULL,
	 "unbalanced angle bracket"},
	{"no domain", "<postmaster>", AG_ENVFROM_INVALID, NULL, NULL, "no '@'"},
	{"empty domain", "<user@>", AG_ENVFROM_INVALID, NULL, NULL,
	 "empty domain"},
	{"empty string", "", AG_ENVFROM_INVALID, NULL, NULL, "empty"},
	{"space inside", "<user @example.com>", AG_ENVFROM_INVALID, NULL, NULL,
	 "white space inside address"},
	{"fake A-label", "<a@xn--zzzz.example>", AG_ENVFROM_INVALID, NULL, NULL,
	 "fake A-label"},
	{"overlong label",
	 "<a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example>",
	 AG_ENVFROM_INVALID, NULL, NULL, "label over 63 octets"},
	{"line break", "<a@example.com>\r\n", AG_ENVFROM_INVALID, NULL, NULL,
	 "line break"},
	{"control character", "<a\x01@example.com>", AG_ENVFROM_INVALID, NULL,
	 NULL, "control character"},
	{"invalid UTF-8", "<a\xff@example.com>", AG_ENVFROM_INVALID, NULL, NULL,
	 "invalid UTF-8"},
	{"text after address", "<a@example.com x>", AG_ENVFROM_INVALID, NULL,
	 NULL, "text after address"},
	{"two addresses", "<a@example.com,b@example.com>", AG_ENVFROM_INVALID,
	 NULL, NULL, "text after address"},
	{"comment", "<a@example.com(x)>", AG_ENVFROM_INVALID, NULL, NULL,
	 "text after address"},
};

typedef struct hides_case {
	const char *name;
	const char *value;
	int hides;
} hides_case_t;

static const hides_case_t hides_cases[] = {
	{"hides: CRLF continuation", "a@example.com\r\n From: b@evil.example", 1},
	{"hides: LF and tab", "Subject\n\tFROM : x", 1},
	{"hides: blanks before colon", "x\r\n from \t: y", 1},
	{"hides: second continuation", "x\r\n y\r\n  From:z", 1},
	{"hides: bare CR break", "x\r From: y", 1},
	{"clean: From: on first line", "From: not a continuation", 0},
	{"clean: continuation with other text", "x\r\n Fromage: y", 0},
	{"clean: From without colon", "x\r\n From y", 0},
	{"clean: line break without white space", "x\r\nFrom: y", 0},
	{"clean: ends after From", "x\r\n From", 0},
	{"clean: no break at all", "a From: b", 0},
};

typedef struct name_case {
	const char *name;
	const char *want;
	int equal;
} name_case_t;

static const name_case_t name_cases[] = {
	{"From", "From", 1},   {"from", "From", 1},   {"FROM", "From", 1},
	{"From ", "From", 1},  {"From\t \t", "From", 1},
	{"Fromx", "From", 0},  {"Fro", "From", 0},    {" From", "From", 0},
	{"From x", "From", 0}, {"Reply-To", "reply-to", 1},
	{"", "From", 0},
};

/* clang-format on */

/* check_result - a refusal for the wanted reason, or the wanted mailbox */
static void check_result(int refused, const char *why, const char *want_why,
                         const ag_mailbox_t *mb, const char *local,
                         const char *domain)
{
	if (refused) {
		assert_non_null(why);
		if (strstr(why, want_why) == NULL)
			print_message("why \"%s\", want \"%s\"\n", why,
			              want_why);
		assert_non_null(strstr(why, want_why));
		assert_string_equal(mb->local, "");
		assert_string_equal(mb->domain, "");
	} else {
		assert_string_equal(mb->local, local);
		assert_string_equal(mb->domain, domain);
	}
}

/* test_from_case - one row of from_cases */
static void test_from_case(void **state)
{
	const from_case_t *c = *state;
	ag_from_options_t options = {c->allow_foreign};
	ag_mailbox_t mb;
	const char *why = NULL;
	size_t len = c->len != 0 ? c->len : strlen(c->value);
	ag_from_status_t status =
	    ag_from_parse(c->value, len, &options, &mb, &why);

	if (status != c->status)
		print_message("status %d, want %d (why: %s)\n", status,
		              c->status, why != NULL ? why : "-");
	assert_int_equal(status, c->status);
	check_result(status == AG_FROM_INVALID, why, c->why, &mb, c->local,
	             c->domain);
}

/* test_envfrom_case - one row of envfrom_cases */
static void test_envfrom_case(void **state)
{
	const envfrom_case_t *c = *state;
	ag_mailbox_t mb;
	const char *why = NULL;
	ag_envfrom_status_t status = ag_envfrom_parse(c->arg, &mb, &why);

	assert_int_equal(status, c->status);
	check_result(status == AG_ENVFROM_INVALID, why, c->why, &mb, c->local,
	             c->domain);
}

/* test_hides_case - one row of hides_cases */
static void test_hides_case(void **state)
{
	const hides_case_t *c = *state;

	assert_int_equal(ag_header_hides_from(c->value, strlen(c->value)),
	                 c->hides);
}

/* test_header_names - every row of name_cases */
static void test_header_names(void **state)
{
	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]);
	     i++) {
		const name_case_t *c = &name_cases[i];
		if (ag_header_name_is(c->name, c->want) != c->equal)
			print_message("\"%s\" vs \"%s\"\n", c->name, c->want);
		assert_int_equal(ag_header_name_is(c->name, c->want), c->equal);
	}
	assert_int_equal(ag_header_name_is(NULL, "From"), 0);
}

/* repeat - a malloc'ed string of n copies of c between prefix and suffix */
static char *repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *buf = malloc(p + n + s + 1);

	assert_non_null(buf);
	memcpy(buf, prefix, p);
	memset(buf + p, c, n);
	memcpy(buf + p + n, suffix, s + 1);
	return buf;
}

/* parse_status - status of a From value, with the mailbox */
static ag_from_status_t parse_status(const char *value, ag_mailbox_t *mb)
{
	return ag_from_parse(value, strlen(value), NULL, mb, NULL);
}

/* test_line_length_limit - 998 octets per line, folding resets it */
static void test_line_length_limit(void **state)
{
	ag_mailbox_t mb;
	/* "\"" + n + "\" <a@example.com>" is n + 18 octets */
	char *fits = repeat("\"", 'x', 998 - 18, "\" <a@example.com>");
	char *over = repeat("\"", 'x', 999 - 18, "\" <a@example.com>");

	assert_int_equal(strlen(fits), 998);
	assert_int_equal(parse_status(fits, &mb), AG_FROM_OK);
	assert_int_equal(parse_status(over, &mb), AG_FROM_INVALID);
	free(fits);
	free(over);
}

/* test_many_folded_lines - a long value of short folded lines is fine */
static void test_many_folded_lines(void **state)
{
	size_t n = 20000, o = 0;
	char *value = malloc(n * 6 + 32);
	ag_mailbox_t mb;

	assert_non_null(value);
	for (size_t i = 0; i < n; i++, o += 6)
		memcpy(value + o, "Na\r\n a", 6);
	strcpy(value + o, " <a@example.com>");
	assert_int_equal(parse_status(value, &mb), AG_FROM_OK);
	assert_string_equal(mb.domain, "example.com");
	free(value);
}

/* test_local_part_limit - AG_LOCAL_MAX octets kept, one more refused */
static void test_local_part_limit(void **state)
{
	ag_mailbox_t mb;
	char *fits = repeat("", 'l', AG_LOCAL_MAX, "@example.com");
	char *over = repeat("", 'l', AG_LOCAL_MAX + 1, "@example.com");
	char *qover = repeat("\"", 'l', AG_LOCAL_MAX + 1, "\"@example.com");

	assert_int_equal(parse_status(fits, &mb), AG_FROM_OK);
	assert_int_equal(strlen(mb.local), AG_LOCAL_MAX);
	assert_int_equal(parse_status(over, &mb), AG_FROM_INVALID);
	assert_int_equal(parse_status(qover, &mb), AG_FROM_INVALID);
	free(fits);
	free(over);
	free(qover);
}

/* test_label_and_name_limits - 63-octet labels, 253-octet names */
static void test_label_and_name_limits(void **state)
{
	ag_mailbox_t mb;
	char *label63 = repeat("a@", 'b', 63, ".example");
	char value[300];
	size_t o = 2;

	assert_int_equal(parse_status(label63, &mb), AG_FROM_OK);
	free(label63);
	strcpy(value, "x@");
	for (int i = 0; i < 4; i++, o += 62) {
		if (i > 0)
			value[o++] = '.';
		memset(value + o, 'c', 62);
	}
	strcpy(value + o, ".a"); /* 4 * 62 + 3 + 2 = 253 octets */
	assert_int_equal(parse_status(value, &mb), AG_FROM_OK);
	assert_int_equal(strlen(mb.domain), 253);
	strcpy(value + o, ".ab");
	assert_int_equal(parse_status(value, &mb), AG_FROM_INVALID);
}

/* nest - "a@example.com " then depth '(' and depth ')', folded */
static char *nest(size_t depth, size_t *len)
{
	char *value = malloc(4 * depth + 32);
	size_t o = strlen("a@example.com ");

	assert_non_null(value);
	memcpy(value, "a@example.com ", o);
	for (size_t i = 0; i < 2 * depth; i++) {
		value[o++] = i < depth ? '(' : ')';
		if (i % 400 == 399 && i + 1 < 2 * depth) {
			memcpy(value + o, "\r\n ", 3);
			o += 3;
		}
	}
	*len = o;
	return value;
}

/* test_deep_comments - nesting costs no stack; unbalanced is refused */
static void test_deep_comments(void **state)
{
	size_t len;
	char *value = nest(100000, &len);
	ag_mailbox_t mb;

	assert_int_equal(ag_from_parse(value, len, NULL, &mb, NULL),
	                 AG_FROM_OK);
	assert_int_equal(ag_from_parse(value, len - 1, NULL, &mb, NULL),
	                 AG_FROM_INVALID);
	free(value);
}

/* test_unterminated_value - only len octets are read, NULL args are safe */
static void test_unterminated_value(void **state)
{
	static const char value[] = "jane@example.comXXXX";
	ag_mailbox_t mb;
	const char *why = "unset";

	assert_int_equal(ag_from_parse(value, 16, NULL, &mb, &why), AG_FROM_OK);
	assert_null(why);
	assert_string_equal(mb.domain, "example.com");
	assert_int_equal(ag_from_parse(value, 16, NULL, NULL, NULL),
	                 AG_FROM_OK);
	assert_int_equal(ag_from_parse(NULL, 0, NULL, &mb, &why),
	                 AG_FROM_INVALID);
	assert_int_equal(ag_envfrom_parse(NULL, &mb, &why), AG_ENVFROM_INVALID);
	assert_int_equal(ag_header_hides_from(NULL, 5), 0);
}

#define N_FROM    (sizeof(from_cases) / sizeof(from_cases[0]))
#define N_ENVFROM (sizeof(envfrom_cases) / sizeof(envfrom_cases[0]))
#define N_HIDES   (sizeof(hides_cases) / sizeof(hides_cases[0]))
#define N_FIXED   7

int main(void)
{
	static struct CMUnitTest tests[N_FROM + N_ENVFROM + N_HIDES + N_FIXED] =
	    {
	        cmocka_unit_test(test_header_names),
	        cmocka_unit_test(test_line_length_limit),
	        cmocka_unit_test(test_many_folded_lines),
	        cmocka_unit_test(test_local_part_limit),
	        cmocka_unit_test(test_label_and_name_limits),
	        cmocka_unit_test(test_deep_comments),
	        cmocka_unit_test(test_unterminated_value),
	    };
	size_t n = N_FIXED;

	for (size_t i = 0; i < N_FROM; i++, n++)
		tests[n] =
		    (struct CMUnitTest){from_cases[i].name, test_from_case,
		                        NULL, NULL, (void *)&from_cases[i]};
	for (size_t i = 0; i < N_ENVFROM; i++, n++)
		tests[n] = (struct CMUnitTest){envfrom_cases[i].name,
		                               test_envfrom_case, NULL, NULL,
		                               (void *)&envfrom_cases[i]};
	for (size_t i = 0; i < N_HIDES; i++, n++)
		tests[n] =
		    (struct CMUnitTest){hides_cases[i].name, test_hides_case,
		                        NULL, NULL, (void *)&hides_cases[i]};
	return cmocka_run_group_tests_name("address", tests, NULL, NULL);
}
