#!/bin/sh
# dns_verify.sh - VerifySignatures yes against real DNS: messages signed now
# (rsa-sha256 with 2048 and 4096-bit keys, ed25519-sha256) whose keys Knot
# publishes are verified by the daemon, the keys fetched through Unbound
# (the 4096-bit one over TCP); a body changed after signing, a signature by
# a key other than the published one, a selector without a key and no
# signature at all are dkim.signature-invalid; a valid signature of another
# organisation is dkim.signature-unaligned; OnDKIMSignature decides.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
. "$IT_LIB/dkimkeys.sh"
dns_it_begin
tap_require_tool openssl

K=$IT_DIR/keys
mkdir -p "$K" && chmod 700 "$K"
for spec in r2048:2048 r4096:4096 ed:ed25519 other:2048 third:2048; do
	dk_genkey "$K/${spec%%:*}.pem" "${spec#*:}" || tap_bail "cannot make key $spec"
done
dns_zone_add "$(dk_dkim_txt r2048._domainkey.signed.test. "$K/r2048.pem")" \
	"$(dk_dkim_txt r4096._domainkey.signed.test. "$K/r4096.pem")" \
	"$(dk_dkim_txt ed._domainkey.signed.test. "$K/ed.pem")" \
	"$(dk_dkim_txt s1._domainkey.third.test. "$K/third.pem")" \
	'_dmarc.signed.test. IN TXT "v=DMARC1; p=reject"'
dns_zone_load || tap_bail "cannot load the zone"

ag_table_write <<EOT
signed.test
EOT
dns_config_write "Mode enforce" "VerifySignatures yes"
it_milter_start

# message BODY - an unsigned message From signed.test, CRLF lines
message() {
	printf 'From: News <news@signed.test>\r\nTo: rcpt@dest.ag-it.test\r\n'
	printf 'Subject: signed %s\r\nDate: %s\r\nMessage-ID: <%s@signed.test>\r\n' \
		"$IT_TOKEN" "$(date -R)" "$IT_TOKEN"
	printf 'X-Test-Id: %s\r\n\r\n%s\r\n' "$IT_TOKEN" "$1"
}

# send FILE - send a prepared message (IT_TOKEN set before making it)
send() {
	_tok=$IT_TOKEN
	it_send --from bounces@signed.test --data "@$1"
	IT_TOKEN=$_tok
}

# signed KEY DOMAIN SELECTOR [BODY-AFTER] - sign a fresh message; with
# BODY-AFTER, replace its body after signing
signed() {
	IT_TOKEN=$(it_token)
	message "Hello from $IT_TOKEN." | dk_sign "$K/$1.pem" "$2" "$3" >"$IT_DIR/msg" ||
		tap_bail "cannot sign"
	if [ -n "${4:-}" ]; then
		sed -i "s/^Hello from .*\$/$4\\r/" "$IT_DIR/msg"
	fi
	send "$IT_DIR/msg"
}

signed r2048 signed.test r2048
it_expect_reply "rsa-sha256, 2048-bit key: accepted" '^250 '
it_expect_header "rsa-sha256, 2048-bit key: tagged pass" '^pass dmarc=pass$'
tap_like "the signature arrived as signed" \
	"$(it_headers_of "$(it_delivered_file)" DKIM-Signature)" 'd=signed\.test; s=r2048;'

tcp=$(dns_stat num.query.tcp)
signed r4096 signed.test r4096
it_expect_reply "rsa-sha256, 4096-bit key: accepted" '^250 '
it_expect_header "rsa-sha256, 4096-bit key: tagged pass" '^pass dmarc=pass$'
tap_like "the 4096-bit key was fetched from Unbound over TCP" \
	"$(($(dns_stat num.query.tcp) - tcp))" '^[1-9]'

signed ed signed.test ed
it_expect_reply "ed25519-sha256 (RFC 8463): accepted" '^250 '
it_expect_header "ed25519-sha256: tagged pass" '^pass dmarc=pass$'

signed r2048 signed.test r2048 "Changed after signing."
it_expect_reply "body changed after signing: 550 dkim.signature-invalid" \
	'^550 5\.7\.1 .*dkim\.signature-invalid'
it_expect_log "body changed: logged" 'verdict=reject .*reasons=dkim\.signature-invalid'

signed other signed.test r2048
it_expect_reply "signed by a key other than the published one: 550 dkim.signature-invalid" \
	'^550 5\.7\.1 .*dkim\.signature-invalid'

signed r2048 signed.test nokey
it_expect_reply "a selector without a key: 550 dkim.signature-invalid" \
	'^550 5\.7\.1 .*dkim\.signature-invalid'

IT_TOKEN=$(it_token)
message "Hello from $IT_TOKEN." >"$IT_DIR/msg"
send "$IT_DIR/msg"
it_expect_reply "no signature: 550 dkim.signature-invalid" \
	'^550 5\.7\.1 .*dkim\.signature-invalid'

signed third third.test s1
it_expect_reply "a valid signature of another organisation: 550 dkim.signature-unaligned" \
	'^550 5\.7\.1 .*dkim\.signature-unaligned'

dns_config_write "Mode enforce" "VerifySignatures yes" "OnDKIMSignature tag"
tap_like "reload with OnDKIMSignature tag" "$(ag_milter_reload)" 'event=reload '
signed third third.test s1
it_expect_reply "OnDKIMSignature tag: accepted" '^250 '
it_expect_header "OnDKIMSignature tag: tagged dkim.signature-unaligned" \
	'^fail reasons=dkim\.signature-unaligned from-domain=signed\.test'

tap_done
