/*
 * test_config.c - the configuration file reader: defaults, every option
 * type, comments, case-insensitive keys, lists, relative paths, every kind
 * of error with its file:line text, reading files, the shipped example.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#ifdef HAVE_CONFIG_H
#include "build-config.h"	/* autoconf's, for AG_DEFAULT_PSL_FILE */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conftext.h"
#include "domains.h"

#define NAME "/etc/ag/test.conf"
#define DOMAINS "Domains /etc/ag/domains\n"

/* parse - a buffer through ag_config_parse, diagnostics kept in *diag */
static ag_config_t *parse(const char *text, ag_diag_t *diag)
{
	ag_diag_init(diag);
	return ag_config_parse(NAME, text, strlen(text), diag);
}

/* option_index - the table row of a name */
static size_t option_index(const char *name)
{
	for (size_t i = 0; i < ag_config_option_count(); i++)
		if (strcmp(ag_config_option_name(i), name) == 0)
			return i;
	fail_msg("no option %s", name);
	return 0;
}

/* has_message - whether diag holds exactly this message */
static int has_message(const ag_diag_t *diag, const char *message)
{
	for (size_t i = 0; i < diag->count; i++)
		if (strcmp(diag->messages[i], message) == 0)
			return 1;
	return 0;
}

/* print_diag - show what came back when an assertion is about to fail */
static void print_diag(const ag_diag_t *diag)
{
	for (size_t i = 0; i < diag->count; i++)
		print_message("# diag: %s\n", diag->messages[i]);
}

static void test_defaults_match_the_documentation(void **state)
{
	ag_config_t *c = ag_config_defaults();

	assert_non_null(c);
	assert_string_equal(c->socket, "unix:/run/alignguard/alignguard.sock");
	assert_null(c->user_id);
	assert_null(c->pid_file);
	assert_string_equal(c->syslog_facility, "mail");
	assert_int_equal(c->log_format, AG_LOG_TEXT);
	assert_null(c->domains);
	assert_string_equal(c->public_suffix_list, AG_DEFAULT_PSL_FILE);
	assert_int_equal(c->mode, AG_MODE_ENFORCE);
	assert_int_equal(c->alignment, AG_ALIGN_RELAXED);
	assert_int_equal(c->on_unverified, AG_ACT_REJECT);
	assert_int_equal(c->on_misaligned, AG_ACT_REJECT);
	assert_int_equal(c->on_dkim_key, AG_ACT_REJECT);
	assert_int_equal(c->on_dkim_signature, AG_ACT_REJECT);
	assert_int_equal(c->on_spf, AG_ACT_REJECT);
	assert_int_equal(c->on_mx, AG_ACT_REJECT);
	assert_int_equal(c->on_dmarc, AG_ACT_TAG);
	assert_int_equal(c->on_dns_error, AG_ACT_TEMPFAIL);
	assert_int_equal(c->null_sender_check, 0);
	assert_int_equal(c->apply_to_authenticated, 0);
	assert_int_equal(c->allow_display_address, 0);
	assert_string_equal(c->tag_header, "X-AlignGuard");
	assert_int_equal(c->tag_pass, 1);
	assert_int_equal(c->nameservers.count, 0);
	assert_int_equal(c->dns_timeout_ms, 5000);
	assert_int_equal(c->dns_retries, 2);
	assert_int_equal(c->dns_cache_size, 100000);
	assert_int_equal(c->dns_grace_period_s, 72 * 3600);
	assert_int_equal(c->dns_refresh_min_s, 60);
	assert_int_equal(c->dns_retry_s, 60);
	assert_int_equal(c->min_key_bits, 1024);
	assert_int_equal(c->allow_testing_keys, 0);
	assert_int_equal(c->verify_signatures, 0);
	assert_int_equal(c->outbound_addresses.count, 0);
	assert_int_equal(c->require_dmarc_pass, 0);
	assert_null(ag_config_free(c));
	assert_null(ag_config_free(NULL));
}

static void test_minimal_file_gets_defaults(void **state)
{
	ag_diag_t diag;
	ag_config_t *c = parse("Domains /etc/ag/domains", &diag);

	assert_non_null(c);
	assert_int_equal(diag.count, 0);
	assert_string_equal(c->path, NAME);
	assert_string_equal(c->domains, "/etc/ag/domains");
	assert_int_equal(c->dns_timeout_ms, 5000);
	assert_int_equal(c->tag_pass, 1);
	ag_config_free(c);
	ag_diag_clear(&diag);
}

static void test_every_field_is_filled(void **state)
{
	static const char text[] =
		"Socket inet:8894@127.0.0.1\n"
		"UserID alignguard:mail\n"
		"PidFile /run/alignguard/alignguard.pid\n"
		"SyslogFacility local3\n"
		"LogFormat json\n"
		"Domains /etc/ag/domains\n"
		"PublicSuffixList /var/lib/psl.dat\n"
		"Mode monitor\n"
		"Alignment strict\n"
		"OnUnverified tag\n"
		"OnMisaligned quarantine\n"
		"OnDKIMKey tempfail\n"
		"OnDKIMSignature accept\n"
		"OnSPF tag\n"
		"OnMX quarantine\n"
		"OnDMARC reject\n"
		"OnDNSError accept\n"
		"NullSender check\n"
		"ApplyTo authenticated\n"
		"AllowDisplayNameAddress yes\n"
		"TagHeader X-Test-Guard\n"
		"TagPass no\n"
		"Nameservers 127.0.0.1:5353, [::1]:53\n"
		"DNSTimeout 1500ms\n"
		"DNSRetries 0\n"
		"DNSCacheSize 42\n"
		"DNSGracePeriod 2d\n"
		"MinKeyBits 2048\n"
		"AllowTestingKeys on\n"
		"VerifySignatures true\n"
		"OutboundAddresses 192.0.2.1 2001:db8::25\n"
		"RequireDMARCPass 1\n";
	ag_diag_t diag;
	ag_config_t *c = parse(text, &diag);

	print_diag(&diag);
	assert_non_null(c);
	assert_string_equal(c->socket, "inet:8894@127.0.0.1");
	assert_string_equal(c->user_id, "alignguard:mail");
	assert_string_equal(c->pid_file, "/run/alignguard/alignguard.pid");
	assert_string_equal(c->syslog_facility, "local3");
	assert_int_equal(c->log_format, AG_LOG_JSON);
	assert_string_equal(c->public_suffix_list, "/var/lib/psl.dat");
	assert_int_equal(c->mode, AG_MODE_MONITOR);
	assert_int_equal(c->alignment, AG_ALIGN_STRICT);
	assert_int_equal(c->on_unverified, AG_ACT_TAG);
	assert_int_equal(c->on_misaligned, AG_ACT_QUARANTINE);
	assert_int_equal(c->on_dkim_key, AG_ACT_TEMPFAIL);
	assert_int_equal(c->on_dkim_signature, AG_ACT_ACCEPT);
	assert_int_equal(c->on_spf, AG_ACT_TAG);
	assert_int_equal(c->on_mx, AG_ACT_QUARANTINE);
	assert_int_equal(c->on_dmarc, AG_ACT_REJECT);
	assert_int_equal(c->on_dns_error, AG_ACT_ACCEPT);
	assert_int_equal(c->null_sender_check, 1);
	assert_int_equal(c->apply_to_authenticated, 1);
	assert_int_equal(c->allow_display_address, 1);
	assert_string_equal(c->tag_header, "X-Test-Guard");
	assert_int_equal(c->tag_pass, 0);
	assert_int_equal(c->nameservers.count, 2);
	assert_string_equal(c->nameservers.items[0], "127.0.0.1:5353");
	assert_string_equal(c->nameservers.items[1], "[::1]:53");
	assert_int_equal(c->dns_timeout_ms, 1500);
	assert_int_equal(c->dns_retries, 0);
	assert_int_equal(c->dns_cache_size, 42);
	assert_int_equal(c->dns_grace_period_s, 2 * 86400);
	assert_int_equal(c->min_key_bits, 2048);
	assert_int_equal(c->allow_testing_keys, 1);
	assert_int_equal(c->verify_signatures, 1);
	assert_int_equal(c->outbound_addresses.count, 2);
	assert_string_equal(c->outbound_addresses.items[1], "2001:db8::25");
	assert_int_equal(c->require_dmarc_pass, 1);
	ag_config_free(c);
	ag_diag_clear(&diag);
}

/* One accepted value: "Key value" and the value as formatted back. */
static const struct value_case {
	const char *key, *value, *formatted;
} value_cases[] = {
	{"Socket", "unix:/run/ag.sock", "unix:/run/ag.sock"},
	{"Socket", "local:/run/ag.sock", "local:/run/ag.sock"},
	{"Socket", "inet:8894", "inet:8894"},
	{"Socket", "inet:8894@localhost", "inet:8894@localhost"},
	{"Socket", "inet6:8894@::1", "inet6:8894@::1"},
	{"Socket", "INET:25@192.0.2.1", "INET:25@192.0.2.1"},
	{"UserID", "123:456", "123:456"},
	{"UserID", "mail-guard", "mail-guard"},
	{"PidFile", "/run/ag.pid", "/run/ag.pid"},
	{"PidFile", "run/ag.pid", "/etc/ag/run/ag.pid"},
	{"SyslogFacility", "DAEMON", "DAEMON"},
	{"LogFormat", "TEXT", "text"},
	{"PublicSuffixList", "psl.dat", "/etc/ag/psl.dat"},
	{"Mode", "Monitor", "monitor"},
	{"Alignment", "relaxed", "relaxed"},
	{"OnDNSError", "REJECT", "reject"},
	{"OnDMARC", "quarantine", "quarantine"},
	{"NullSender", "Check", "check"},
	{"ApplyTo", "all", "all"},
	{"TagPass", "off", "no"},
	{"TagPass", "TRUE", "yes"},
	{"AllowTestingKeys", "0", "no"},
	{"TagHeader", "X-Sending-Check", "X-Sending-Check"},
	{"TagHeader", "X-Tag#1", "X-Tag#1"},
	{"Nameservers", "192.0.2.53", "192.0.2.53"},
	{"Nameservers", "1.1.1.1,8.8.8.8", "1.1.1.1, 8.8.8.8"},
	{"Nameservers", "1.1.1.1 , 8.8.8.8:53\t::1",
	 "1.1.1.1, 8.8.8.8:53, ::1"},
	{"Nameservers", "[2001:db8::53]", "[2001:db8::53]"},
	{"DNSTimeout", "2", "2s"},
	{"DNSTimeout", "250ms", "250ms"},
	{"DNSTimeout", "1m", "1m"},
	{"DNSTimeout", "10ms", "10ms"},
	{"DNSRetries", "10", "10"},
	{"DNSCacheSize", "100000000", "100000000"},
	{"DNSGracePeriod", "0", "0s"},
	{"DNSGracePeriod", "90m", "90m"},
	{"DNSGracePeriod", "72H", "3d"},
	{"DNSGracePeriod", "2000ms", "2s"},
	{"DNSGracePeriod", "30d", "30d"},
	{"DNSRefreshMin", "5m", "5m"},
	{"DNSRetryInterval", "1d", "1d"},
	{"MinKeyBits", "512", "512"},
	{"MinKeyBits", "016384", "16384"},
	{"OutboundAddresses", "192.0.2.1,2001:db8::1",
	 "192.0.2.1, 2001:db8::1"},
	{"RequireDMARCPass", "yes", "yes"},
};

static void test_every_type_accepts_its_values(void **state)
{
	for (size_t i = 0; i < sizeof(value_cases) / sizeof(value_cases[0]);
	     i++) {
		const struct value_case *vc = &value_cases[i];
		char text[512], out[512];
		ag_diag_t diag;
		ag_config_t *c;

		snprintf(text, sizeof(text), DOMAINS "%s %s\n", vc->key,
			 vc->value);
		c = parse(text, &diag);
		if (c == NULL) {
			print_diag(&diag);
			fail_msg("%s %s refused", vc->key, vc->value);
		}
		ag_config_option_format(c, option_index(vc->key), out,
					sizeof(out));
		assert_string_equal(out, vc->formatted);
		ag_config_free(c);
		ag_diag_clear(&diag);
	}
}

/* One refused input and the diagnostic it must give. */
static const struct error_case {
	const char *text, *message;
} error_cases[] = {
	{DOMAINS "Sockett unix:/x", NAME ":2: unknown key 'Sockett' "
	 "(did you mean 'Socket'?)"},
	{DOMAINS "dnstimout 5", NAME ":2: unknown key 'dnstimout' "
	 "(did you mean 'DNSTimeout'?)"},
	{DOMAINS "Colour blue", NAME ":2: unknown key 'Colour'"},
	{DOMAINS "Mode=monitor", NAME ":2: 'Mode=monitor': expected "
	 "\"Key value\", not \"Key=value\""},
	{DOMAINS "Mode", NAME ":2: Mode: missing value"},
	{DOMAINS "Mode   # comment", NAME ":2: Mode: missing value"},
	{DOMAINS "Mode monitor\nmode enforce", NAME ":3: Mode given twice "
	 "(first on line 2)"},
	{"Domains /a\nDOMAINS /b", NAME ":2: Domains given twice "
	 "(first on line 1)"},
	{DOMAINS "Mode enforcing", NAME ":2: Mode: bad value 'enforcing': "
	 "expected enforce or monitor"},
	{DOMAINS "OnSPF drop", NAME ":2: OnSPF: bad value 'drop': expected "
	 "accept, tag, quarantine, tempfail or reject"},
	{DOMAINS "TagPass maybe", NAME ":2: TagPass: bad value 'maybe': "
	 "expected yes, no, true, false, on, off, 1 or 0"},
	{DOMAINS "LogFormat xml", NAME ":2: LogFormat: bad value 'xml': "
	 "expected text or json"},
	{DOMAINS "DNSRetries 11", NAME ":2: DNSRetries: bad value '11': 11 "
	 "is out of range (0 to 10)"},
	{DOMAINS "DNSRetries -1", NAME ":2: DNSRetries: bad value '-1': "
	 "expected a whole number"},
	{DOMAINS "MinKeyBits 99999999999999999999999", NAME ":2: MinKeyBits: "
	 "bad value '99999999999999999999999': expected a whole number"},
	{DOMAINS "MinKeyBits 384", NAME ":2: MinKeyBits: bad value '384': "
	 "384 is out of range (512 to 16384)"},
	{DOMAINS "DNSCacheSize 0", NAME ":2: DNSCacheSize: bad value '0': "
	 "0 is out of range (1 to 100000000)"},
	{DOMAINS "DNSTimeout 5ms", NAME ":2: DNSTimeout: bad value '5ms': "
	 "5ms is out of range (10ms to 1m)"},
	{DOMAINS "DNSTimeout 2h", NAME ":2: DNSTimeout: bad value '2h': "
	 "2h is out of range (10ms to 1m)"},
	{DOMAINS "DNSTimeout 5 s", NAME ":2: DNSTimeout: bad value '5 s': "
	 "expected a duration: a number with an optional unit ms, s, m, h "
	 "or d (\"30s\", \"72h\")"},
	{DOMAINS "DNSGracePeriod 1500ms", NAME ":2: DNSGracePeriod: bad "
	 "value '1500ms': expected a whole number of seconds"},
	{DOMAINS "DNSGracePeriod 31d", NAME ":2: DNSGracePeriod: bad value "
	 "'31d': 31d is out of range (0s to 30d)"},
	{DOMAINS "DNSRetryInterval 0", NAME ":2: DNSRetryInterval: bad value "
	 "'0': 0s is out of range (1s to 1d)"},
	{DOMAINS "Socket /run/ag.sock", NAME ":2: Socket: bad value "
	 "'/run/ag.sock': expected unix:/path, local:/path, inet:port@host "
	 "or inet6:port@host (add \"unix:\")"},
	{DOMAINS "Socket tcp:25", NAME ":2: Socket: bad value 'tcp:25': "
	 "expected unix:/path, local:/path, inet:port@host or "
	 "inet6:port@host"},
	{DOMAINS "Socket unix:run/ag.sock", NAME ":2: Socket: bad value "
	 "'unix:run/ag.sock': the socket path must be absolute"},
	{DOMAINS "Socket inet:99999@127.0.0.1", NAME ":2: Socket: bad value "
	 "'inet:99999@127.0.0.1': expected a port number from 1 to 65535 "
	 "before '@'"},
	{DOMAINS "Socket inet:0", NAME ":2: Socket: bad value 'inet:0': "
	 "expected a port number from 1 to 65535 before '@'"},
	{DOMAINS "Socket inet:25@bad_host", NAME ":2: Socket: bad value "
	 "'inet:25@bad_host': expected an IPv4 address or a host name "
	 "after '@'"},
	{DOMAINS "Socket inet6:25@192.0.2.1", NAME ":2: Socket: bad value "
	 "'inet6:25@192.0.2.1': expected an IPv6 address or a host name "
	 "after '@'"},
	{DOMAINS "Socket inet:25@::1", NAME ":2: Socket: bad value "
	 "'inet:25@::1': expected an IPv4 address or a host name after '@'"},
	{DOMAINS "UserID a:b:c", NAME ":2: UserID: bad value 'a:b:c': "
	 "expected user or user:group"},
	{DOMAINS "UserID mail:", NAME ":2: UserID: bad value 'mail:': "
	 "expected user or user:group"},
	{DOMAINS "SyslogFacility mial", NAME ":2: SyslogFacility: bad value "
	 "'mial': expected mail, daemon, user, auth, authpriv, local0, "
	 "local1, local2, local3, local4, local5, local6 or local7"},
	{DOMAINS "TagHeader From", NAME ":2: TagHeader: bad value 'From': "
	 "From is a standard header field"},
	{DOMAINS "TagHeader X Guard", NAME ":2: TagHeader: bad value "
	 "'X Guard': expected a header field name (printable, no ':')"},
	{DOMAINS "TagHeader X-Guard:", NAME ":2: TagHeader: bad value "
	 "'X-Guard:': expected a header field name (printable, no ':')"},
	{DOMAINS "Nameservers dns.google", NAME ":2: Nameservers: bad value "
	 "'dns.google': expected an IP address, ipv4:port or [ipv6]:port "
	 "(names are not resolved)"},
	{DOMAINS "Nameservers 1.1.1.1, 8.8.8.8:0", NAME ":2: Nameservers: "
	 "bad value '1.1.1.1, 8.8.8.8:0': expected an IP address, ipv4:port "
	 "or [ipv6]:port (names are not resolved)"},
	{DOMAINS "Nameservers [::1", NAME ":2: Nameservers: bad value "
	 "'[::1': expected an IP address, ipv4:port or [ipv6]:port (names "
	 "are not resolved)"},
	{DOMAINS "Nameservers [192.0.2.1]:53", NAME ":2: Nameservers: bad "
	 "value '[192.0.2.1]:53': expected an IP address, ipv4:port or "
	 "[ipv6]:port (names are not resolved)"},
	{DOMAINS "Nameservers , ,", NAME ":2: Nameservers: bad value ', ,': "
	 "empty list"},
	{DOMAINS "OutboundAddresses 192.0.2.0/24", NAME ":2: "
	 "OutboundAddresses: bad value '192.0.2.0/24': '192.0.2.0/24' is not "
	 "an IPv4 or IPv6 address"},
	{DOMAINS "OutboundAddresses 192.0.2.300", NAME ":2: "
	 "OutboundAddresses: bad value '192.0.2.300': '192.0.2.300' is not "
	 "an IPv4 or IPv6 address"},
	{"Mode monitor\n", NAME ": Domains is required (the path of the "
	 "verified-domain table)"},
	{"", NAME ": Domains is required (the path of the verified-domain "
	 "table)"},
	{DOMAINS "Mode\x01 x", NAME ":2: unknown key 'Mode?' (did you mean "
	 "'Mode'?)"},
};

static void test_every_error_names_file_and_line(void **state)
{
	for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]);
	     i++) {
		ag_diag_t diag;
		ag_config_t *c = parse(error_cases[i].text, &diag);

		if (!has_message(&diag, error_cases[i].message)) {
			print_diag(&diag);
			fail_msg("case %zu: no \"%s\"", i,
				 error_cases[i].message);
		}
		assert_null(c);
		ag_diag_clear(&diag);
	}
}

static void test_nul_octet_is_refused(void **state)
{
	static const char text[] = DOMAINS "Mode mon\0itor\n";
	ag_diag_t diag;
	ag_config_t *c;

	ag_diag_init(&diag);
	c = ag_config_parse(NAME, text, sizeof(text) - 1, &diag);
	assert_null(c);
	assert_true(has_message(&diag, NAME ":2: NUL octet in line"));
	ag_diag_clear(&diag);
}

static void test_all_problems_are_reported(void **state)
{
	static const char text[] =
		"Mode loud\n"
		"Sokcet unix:/x\n"
		"DNSRetries 99\n"
		"Mode monitor\n"
		"TagPass\n";
	ag_diag_t diag;
	ag_config_t *c = parse(text, &diag);

	assert_null(c);
	if (diag.count != 6)
		print_diag(&diag);
	assert_int_equal(diag.count, 6);
	assert_true(has_message(&diag, NAME ":4: Mode given twice (first on "
				"line 1)"));
	assert_true(has_message(&diag, NAME ": Domains is required (the "
				"path of the verified-domain table)"));
	ag_diag_clear(&diag);
}

static void test_comments_blank_lines_and_case(void **state)
{
	static const char text[] =
		"# alignguard configuration\r\n"
		"\n"
		"   \t\n"
		"  # indented comment\n"
		"dOmAiNs /etc/ag/domains   # the table\n"
		"MODE\tmonitor\r\n"
		"tagheader X-Guard#2 # a comment after white space\n"
		"Nameservers 192.0.2.1, 192.0.2.2 #comment\n";
	ag_diag_t diag;
	ag_config_t *c;

	c = parse(text, &diag);
	assert_non_null(c);
	assert_string_equal(c->domains, "/etc/ag/domains");
	assert_int_equal(c->mode, AG_MODE_MONITOR);
	assert_string_equal(c->tag_header, "X-Guard#2");
	assert_int_equal(c->nameservers.count, 2);
	ag_config_free(c);
	ag_diag_clear(&diag);
	/* "192.0.2.1,#x" keeps its '#': it does not follow white space */
	c = parse(DOMAINS "Nameservers 192.0.2.1,#x", &diag);
	assert_null(c);
	assert_int_equal(diag.count, 1);
	ag_diag_clear(&diag);
}

static void test_relative_paths_follow_the_file(void **state)
{
	static const struct {
		const char *name, *value, *want;
	} cases[] = {
		{"/etc/alignguard/alignguard.conf", "domains",
		 "/etc/alignguard/domains"},
		{"/etc/alignguard/alignguard.conf", "tables/domains.txt",
		 "/etc/alignguard/tables/domains.txt"},
		{"/etc/alignguard/alignguard.conf", "/srv/domains",
		 "/srv/domains"},
		{"conf/alignguard.conf", "domains", "conf/domains"},
		{"alignguard.conf", "domains", "domains"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		ag_diag_t diag;
		ag_config_t *c;

		snprintf(text, sizeof(text), "Domains %s\n", cases[i].value);
		ag_diag_init(&diag);
		c = ag_config_parse(cases[i].name, text, strlen(text), &diag);
		assert_non_null(c);
		assert_string_equal(c->domains, cases[i].want);
		ag_config_free(c);
		ag_diag_clear(&diag);
	}
}

static void test_formatted_values_read_back(void **state)
{
	ag_config_t *c = ag_config_defaults();
	char text[8192] = DOMAINS, value[512];
	size_t len = strlen(text);
	ag_diag_t diag;
	ag_config_t *back;

	for (size_t i = 0; i < ag_config_option_count(); i++) {
		ag_config_option_format(c, i, value, sizeof(value));
		if (value[0] != '\0' && strcmp(ag_config_option_name(i),
					       "Domains") != 0)
			len += (size_t)snprintf(
				text + len, sizeof(text) - len, "%s %s\n",
				ag_config_option_name(i), value);
	}
	back = parse(text, &diag);
	print_diag(&diag);
	assert_non_null(back);
	for (size_t i = 0; i < ag_config_option_count(); i++) {
		char again[512];
		ag_config_option_format(c, i, value, sizeof(value));
		ag_config_option_format(back, i, again, sizeof(again));
		if (strcmp(ag_config_option_name(i), "Domains") != 0)
			assert_string_equal(value, again);
	}
	assert_string_equal(ag_config_option_default(option_index("OnDMARC")),
			    "tag");
	assert_string_equal(ag_config_option_default(option_index("Domains")),
			    "");
	assert_null(ag_config_option_name(ag_config_option_count()));
	ag_config_free(back);
	ag_config_free(c);
	ag_diag_clear(&diag);
}

static void test_choice_tables_agree_with_their_modules(void **state)
{
	for (int a = AG_ACT_ACCEPT; a <= AG_ACT_REJECT; a++) {
		int back;
		assert_int_equal(ag_conftext_choice_parse(ag_conftext_actions,
							  ag_action_name(a),
							  &back), 0);
		assert_int_equal(back, a);
	}
	for (int m = AG_MODE_ENFORCE; m <= AG_MODE_MONITOR; m++) {
		ag_mode_t mode;
		assert_string_equal(ag_conftext_choice_name(ag_conftext_modes,
							    m),
				    ag_mode_name(m));
		assert_int_equal(ag_mode_parse(ag_mode_name(m), &mode), 0);
		assert_int_equal(mode, m);
	}
	for (int a = AG_ALIGN_RELAXED; a <= AG_ALIGN_STRICT; a++)
		assert_string_equal(
			ag_conftext_choice_name(ag_conftext_alignments, a),
			ag_alignment_name(a));
	ag_mode_t mode;
	assert_int_equal(ag_mode_parse("ENFORCE", &mode), 0);
	assert_int_equal(mode, AG_MODE_ENFORCE);
	assert_int_equal(ag_mode_parse("enforced", &mode), -1);
}

static void test_suggestions(void **state)
{
	static const struct {
		const char *name;
	} names[] = {{"Socket"}, {"DNSTimeout"}, {"TagPass"}, {NULL}};
	static const struct {
		const char *word, *want;
	} cases[] = {
		{"socket", "Socket"}, {"Sokcet", "Socket"},
		{"DNSTimout", "DNSTimeout"}, {"dnstime", NULL},
		{"TagPas", "TagPass"}, {"Tag", NULL}, {"", NULL},
		{"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = ag_conftext_suggest(cases[i].word, names,
						      sizeof(names[0]));
		if (cases[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
	}
}

/* write_temp - a temporary file holding text; its name in path */
static void write_temp(char *path, size_t size, const char *text)
{
	int fd;

	snprintf(path, size, "/tmp/test_config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_load_reads_files(void **state)
{
	char path[64], want[128];
	ag_diag_t diag;
	ag_config_t *c;

	write_temp(path, sizeof(path), "Domains domains.txt\nMode monitor\n");
	ag_diag_init(&diag);
	c = ag_config_load(path, &diag);
	assert_non_null(c);
	assert_string_equal(c->path, path);
	assert_string_equal(c->domains, "/tmp/domains.txt");
	assert_int_equal(c->mode, AG_MODE_MONITOR);
	ag_config_free(c);
	unlink(path);

	write_temp(path, sizeof(path), "Domains /d\nMode x\n");
	assert_null(ag_config_load(path, &diag));
	snprintf(want, sizeof(want), "%s:2: Mode: bad value 'x': expected "
		 "enforce or monitor", path);
	assert_true(has_message(&diag, want));
	unlink(path);
	ag_diag_clear(&diag);

	assert_null(ag_config_load("/nonexistent/alignguard.conf", &diag));
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.messages[0], "/nonexistent/alignguard.conf: "
			    "cannot open: No such file or directory");
	ag_diag_clear(&diag);
	assert_null(ag_config_load("/tmp", &diag));
	assert_string_equal(diag.messages[0], "/tmp: cannot read: Is a "
			    "directory");
	ag_diag_clear(&diag);
}

static void test_shipped_examples_load(void **state)
{
	const char *top = getenv("top_srcdir");
	char conf[4096], domains[4096];
	ag_diag_t diag;
	ag_config_t *c;
	ag_domains_t *table;

	if (top == NULL)
		top = ".";
	snprintf(conf, sizeof(conf), "%s/conf/alignguard.conf", top);
	snprintf(domains, sizeof(domains), "%s/conf/domains.example", top);
	ag_diag_init(&diag);
	c = ag_config_load(conf, &diag);
	table = ag_domains_load(domains, &diag);
	print_diag(&diag);
	assert_int_equal(diag.count, 0);
	assert_non_null(c);
	assert_non_null(table);
	assert_string_equal(c->domains, "/etc/alignguard/domains");
	assert_true(ag_domains_count(table) >= 3);
	assert_non_null(ag_domains_lookup(table, "example.com"));
	ag_domains_free(table);
	ag_config_free(c);
	ag_diag_clear(&diag);
}

static void test_example_shows_every_option(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096], *text, *p;
	size_t len;
	ag_diag_t diag;
	ag_config_t *c;

	snprintf(path, sizeof(path), "%s/conf/alignguard.conf",
		 top != NULL ? top : ".");
	ag_diag_init(&diag);
	text = ag_conftext_read_file(path, &len, &diag);
	assert_non_null(text);
	/* "#Key value" lines show defaults: uncomment them all */
	for (p = text; (p = strstr(p, "\n#")) != NULL; p++)
		if (p[2] >= 'A' && p[2] <= 'Z')
			memmove(p + 1, p + 2, strlen(p + 2) + 1);
	len = strlen(text);
	c = ag_config_parse(path, text, len, &diag);
	print_diag(&diag);
	assert_non_null(c);
	for (size_t i = 0; i < ag_config_option_count(); i++) {
		char key[64];
		snprintf(key, sizeof(key), "\n%s ", ag_config_option_name(i));
		if (strstr(text, key) == NULL && strstr(text, key + 1) != text)
			fail_msg("%s is not in %s", ag_config_option_name(i),
				 path);
	}
	ag_config_free(c);
	ag_diag_clear(&diag);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_match_the_documentation),
		cmocka_unit_test(test_minimal_file_gets_defaults),
		cmocka_unit_test(test_every_field_is_filled),
		cmocka_unit_test(test_every_type_accepts_its_values),
		cmocka_unit_test(test_every_error_names_file_and_line),
		cmocka_unit_test(test_nul_octet_is_refused),
		cmocka_unit_test(test_all_problems_are_reported),
		cmocka_unit_test(test_comments_blank_lines_and_case),
		cmocka_unit_test(test_relative_paths_follow_the_file),
		cmocka_unit_test(test_formatted_values_read_back),
		cmocka_unit_test(test_choice_tables_agree_with_their_modules),
		cmocka_unit_test(test_suggestions),
		cmocka_unit_test(test_load_reads_files),
		cmocka_unit_test(test_shipped_examples_load),
		cmocka_unit_test(test_example_shows_every_option),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
