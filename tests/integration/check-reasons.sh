#!/bin/sh
# check-reasons.sh - alignguard-check against real DNS (Knot behind
# Unbound): every reason code it can report, on a domain built to fail
# with that reason only, with its fix text and the exact record to
# publish; the exit status for passing, failing and DNS-troubled runs.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/util.sh"
. "${top_srcdir:-.}/tests/integration/check_lib.sh"

ck_begin_matrix

# expect DOMAIN CHECK REASON FIXTEXT [RECORD]: the domain fails with the
# one reason, on the named check, with the fix text and record
expect() {
	_sec=$(ck_section "$1")
	tap_like "$1: fails with $3 only" "$_sec" "^; $1: FAIL - [a-z]+: $3(;|\$)"
	tap_like "$1: the $2 line says $3" "$_sec" \
		"^;   FAIL +$2 +$3  "
	tap_like "$1: the fix for $3" "$_sec" "^; +fix: .*$4"
	if [ -n "${5:-}" ]; then
		if printf '%s\n' "$_sec" | grep -qxF -- "$5"; then
			tap_ok "$1: the record to publish"
		else
			tap_fail "$1: the record to publish" "want: $5" "$_sec"
		fi
	fi
}

# key_record DOMAIN KEYFILE: the DKIM record line alignguard-check writes
key_record() {
	_p="v=DKIM1; k=rsa; p=$(dk_pubkey "$2")"
	printf 's1._domainkey.%s. IN TXT ( "%s" "%s" )\n' "$1" \
		"$(printf '%s' "$_p" | cut -c1-255)" "$(printf '%s' "$_p" | cut -c256-)"
}

ck_run
tap_is "a run over the table with failures exits 1" "$CK_RC" 1
tap_like "the summary counts the domains" "$CK_OUT" \
	'^; summary: 18 domains: 3 pass, 14 fail, 1 without verdict'

pass=$(ck_section pass.test)
tap_like "pass.test passes" "$pass" '^; pass\.test: PASS; DMARC pass$'
tap_unlike "pass.test has no failing line" "$pass" '^;   (FAIL|WARN|TEMPERROR)'
for c in table align send-domain dkim:s1 spf:bounce.pass.test \
	mx:bounce.pass.test dmarc:pass.test dmarc-result; do
	tap_like "pass.test: $c passes" "$pass" "^;   pass +$c "
done

expect missing.test dkim:s1 dkim.key-missing "publish the selector's public key" \
	"$(key_record missing.test "$CK_KEYS/missing.pem")"
expect invalid.test dkim:s1 dkim.key-invalid "one valid key record"
expect revoked.test dkim:s1 dkim.key-revoked "revokes the key" \
	"$(key_record revoked.test "$CK_KEYS/revoked.pem")"
expect weak.test dkim:s1 dkim.key-weak "fewer than MinKeyBits 2048 bits"
expect testing.test dkim:s1 dkim.key-testing "without t=y" \
	"$(key_record testing.test "$CK_KEYS/testing.pem")"
expect mismatch.test dkim:s1 dkim.key-mismatch "not the public half" \
	"$(key_record mismatch.test "$CK_KEYS/mismatch.pem")"
expect spffail.test spf:bounce.spffail.test spf.fail "add the missing terms" \
	'bounce.spffail.test. IN TXT "v=spf1 ip4:198.51.100.7 ip4:192.0.2.10 -all"'
expect spfmissing.test spf:bounce.spfmissing.test spf.missing \
	"publish an SPF record" \
	'bounce.spfmissing.test. IN TXT "v=spf1 ip4:192.0.2.10 -all"'
expect spfperm.test spf:bounce.spfperm.test spf.permerror \
	"replace the SPF record" \
	'bounce.spfperm.test. IN TXT "v=spf1 ip4:192.0.2.10 -all"'
expect mxmissing.test mx:bounce.mxmissing.test mx.missing \
	"publish an MX record" 'bounce.mxmissing.test. IN MX 10 mx.test.'
expect dmarcmissing.test dmarc:dmarcmissing.test dmarc.missing \
	"start with p=none" \
	'_dmarc.dmarcmissing.test. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@dmarcmissing.test"'
expect unaligned.test align mailfrom.unaligned \
	"return-path in bounce.unaligned.test"
tap_like "unaligned.test: the table line to use" "$(ck_section unaligned.test)" \
	'^;  +table: unaligned\.test send-domain=bounce\.unaligned\.test selectors=s1$'

sec=$(ck_section gone.dead.test)
tap_like "gone.dead.test: no verdict, dns.temperror" "$sec" \
	'^; gone\.dead\.test: TEMPERROR - tempfail: dns\.temperror$'
tap_like "gone.dead.test: its DKIM check met DNS trouble" "$sec" \
	'^;   TEMPERROR +dkim:s1 +dns\.temperror '
tap_like "gone.dead.test: the fix says to look at DNS" "$sec" \
	'^; +fix: nothing to publish yet: DNS trouble'

sec=$(ck_section anysel.test)
tap_like "anysel.test (dkim=any) passes" "$sec" '^; anysel\.test: PASS'
tap_like "anysel.test: the missing second selector is a warning" "$sec" \
	'^;   WARN +dkim:s2 +dkim\.key-missing '

sec=$(ck_section nokeys.test)
tap_like "nokeys.test: predicted DMARC failure is a warning" "$sec" \
	'^;   WARN +dmarc-result +dmarc\.fail +receivers: fail policy=quarantine'

# The report is a zone-file fragment: every line is a comment or a record.
tap_is "every line is a comment or a record" \
	"$(printf '%s\n' "$CK_OUT" | grep -v '^;' |
		grep -Ev '^[a-z0-9._-]+\. IN (TXT|MX) ')" ""

# Reasons that need options or configuration.
ck_run --send-domain mail.pass.test pass.test
tap_like "pass.test with another return-path: mailfrom.not-send-domain" "$CK_OUT" \
	'^;   FAIL +send-domain +mailfrom\.not-send-domain .*not within send-domain=bounce\.pass\.test'
tap_like "the fix names the send domain" "$CK_OUT" \
	'fix: send with a return-path within send-domain=bounce\.pass\.test'

ck_run unknown.test
tap_is "an unverified domain exits 1" "$CK_RC" 1
tap_like "unknown.test: from.unverified" "$CK_OUT" \
	"^;   FAIL +table +from\.unverified +unknown\.test is not in $CK_TABLE"
tap_like "unknown.test: the table line to add" "$CK_OUT" \
	'^;  +table: unknown\.test send-domain=bounce\.unknown\.test selectors=s1$'

ck_write_config "MinKeyBits 2048" "OutboundAddresses $CK_OUTBOUND" \
	"RequireDMARCPass yes"
ck_run nokeys.test
tap_like "RequireDMARCPass: a predicted failure is dmarc.fail" "$CK_OUT" \
	'^; nokeys\.test: FAIL - tag: dmarc\.fail; DMARC fail policy=quarantine'
tap_like "dmarc.fail: the fix says what must pass" "$CK_OUT" \
	'fix: receivers will fail DMARC for nokeys\.test'
ck_write_config "MinKeyBits 2048" "OutboundAddresses $CK_OUTBOUND"

ck_run pass.test anysel.test
tap_is "passing domains exit 0" "$CK_RC" 0
ck_run pass.test gone.dead.test
tap_is "DNS trouble without failures exits 3" "$CK_RC" 3
ck_run missing.test gone.dead.test
tap_is "a failure and DNS trouble exit 1" "$CK_RC" 1

ck_run -q pass.test
tap_unlike "-q: no summary" "$CK_OUT" 'summary'
ck_run --jobs 0 pass.test
tap_is "--jobs 0 is a usage error" "$CK_RC" 2
ck_run 'bad..name'
tap_is "a malformed domain is a usage error" "$CK_RC" 2
tap_like "it says why" "$CK_ERR" 'bad\.\.name'
CK_CONF_SAVED=$CK_CONF
CK_CONF=$IT_DIR/missing.conf
ck_run pass.test
tap_is "an unreadable configuration exits 2" "$CK_RC" 2
tap_like "it names the file" "$CK_ERR" 'missing\.conf'
CK_CONF=$CK_CONF_SAVED

tap_done
