#!/bin/sh
# check-records.sh - `alignguard-check --records` round trip against real
# DNS: new domains fail every DNS check; their --records output, loaded
# into the authoritative server as it is, makes them pass. Keys of 2048
# and 4096 bits (two and three character-strings) and Ed25519, records
# from the table entry and from options, a strict-alignment domain.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/util.sh"
. "${top_srcdir:-.}/tests/integration/check_lib.sh"

ck_begin
K=$IT_DIR/keys
mkdir -p "$K"
dk_genkey "$K/a1.pem" 2048 && dk_genkey "$K/a2.pem" 4096 &&
	dk_genkey "$K/b1.pem" ed25519 && dk_genkey "$K/c1.pem" 2048 &&
	dk_genkey "$K/d1.pem" 2048 || tap_bail "openssl cannot make keys"
ck_write_config "OutboundAddresses $CK_OUTBOUND, 2001:db8::25"
ck_write_table <<EOT
new-a.test  send-domain=bounce.new-a.test selectors=a1,a2 keys=a1:$K/a1.pem,a2:$K/a2.pem mx=mx.test
new-b.test  send-domain=mail.new-b.test selectors=b1 keys=b1:$K/b1.pem
new-c.test  selectors=c1 keys=c1:$K/c1.pem alignment=strict
new-d.test  send-domain=mail.new-d.test selectors=d1
EOT
dns_zone_reset test
dns_zone_add "mx.test. IN A 127.0.0.1"
dns_zone_load test || tap_bail "cannot publish the empty zone"

ck_run new-a.test new-b.test new-c.test new-d.test
tap_is "before: the new domains fail" "$CK_RC" 1
for r in dkim.key-missing spf.missing mx.missing dmarc.missing; do
	tap_like "before: new-a.test fails $r" "$(ck_section new-a.test)" \
		"^;   FAIL .* $r "
done

# records DOMAIN ARGS...: --records output into a file, its status
records() {
	_d=$1
	shift
	"$CK_BIN" -c "$CK_CONF" --records "$_d" "$@" >"$IT_DIR/$_d.zone" \
		2>"$IT_DIR/$_d.err"
}

records new-a.test
tap_is "--records new-a.test exits 0" "$?" 0
A=$(cat "$IT_DIR/new-a.test.zone")
tap_like "the 2048-bit key is two character-strings" "$A" \
	'^a1\._domainkey\.new-a\.test\. IN TXT \( "v=DKIM1; k=rsa; p=[^"]{237}" "[^"]+" \)$'
tap_like "the 4096-bit key is three character-strings" "$A" \
	'^a2\._domainkey\.new-a\.test\. IN TXT \( "[^"]{255}" "[^"]{255}" "[^"]+" \)$'
tap_like "the MX from mx=" "$A" '^bounce\.new-a\.test\. IN MX 10 mx\.test\.$'
tap_like "the SPF record from OutboundAddresses" "$A" \
	'^bounce\.new-a\.test\. IN TXT "v=spf1 ip4:192\.0\.2\.10 ip6:2001:db8::25 -all"$'
tap_like "a DMARC record with p=none and rua" "$A" \
	'^_dmarc\.new-a\.test\. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@new-a\.test"$'
ck_has "the public key is the key file's" "$A" \
	"p=$(dk_pubkey "$K/a1.pem" | cut -c1-60)"

records new-b.test --mx mx.test --rua mailto:agg@reports.test
tap_is "--records new-b.test with --mx and --rua exits 0" "$?" 0
B=$(cat "$IT_DIR/new-b.test.zone")
tap_like "Ed25519: k=ed25519 and the raw key" "$B" \
	'^b1\._domainkey\.new-b\.test\. IN TXT "v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}="$'
tap_like "--mx names the host" "$B" '^mail\.new-b\.test\. IN MX 10 mx\.test\.$'
tap_like "--rua is the report address" "$B" 'rua=mailto:agg@reports\.test"$'

records new-c.test
C=$(cat "$IT_DIR/new-c.test.zone")
tap_like "strict alignment: SPF at the domain itself" "$C" \
	'^new-c\.test\. IN TXT "v=spf1 ip4:192\.0\.2\.10 ip6:2001:db8::25 -all"$'
tap_unlike "strict alignment: no MX for the domain itself" "$C" ' IN MX '

records new-d.test --selector d1 --key "$K/d1.pem" --mx mx.test
tap_is "--selector/--key for a domain without keys= exits 0" "$?" 0
D=$(cat "$IT_DIR/new-d.test.zone")
ck_has "the key given on the command line" "$D" \
	"d1._domainkey.new-d.test. IN TXT ( \"v=DKIM1; k=rsa; p=$(dk_pubkey "$K/d1.pem" | cut -c1-60)"

for d in new-a.test new-b.test new-c.test new-d.test; do
	dns_zone_add_file "$IT_DIR/$d.zone"
done
if dns_zone_load test; then
	tap_ok "Knot loads the records as printed"
else
	tap_fail "Knot loads the records as printed" "$(tail -n 5 "$DNS_DIR/knot.log")"
fi

ck_run new-a.test new-b.test new-c.test new-d.test
tap_is "after: every new domain passes (exit 0)" "$CK_RC" 0
for d in new-a.test new-b.test new-c.test new-d.test; do
	tap_like "after: $d passes" "$CK_OUT" "^; $d: PASS; DMARC pass\$"
done
tap_like "after: the 4096-bit key matches its private key" \
	"$(ck_section new-a.test)" '^;   pass +dkim:a2 .*rsa 4096 bits, matches the private key'

records new-a.test --selector a1 --key "$IT_DIR/nonexistent.pem"
tap_is "an unreadable key file exits 2" "$?" 2
tap_is "and prints no records" "$(cat "$IT_DIR/new-a.test.zone")" ""
tap_like "it names the file" "$(cat "$IT_DIR/new-a.test.err")" 'nonexistent\.pem'
records new-a.test --key "$K/a1.pem"
tap_is "--key without --selector is a usage error" "$?" 2
records new-a.test other.test
tap_is "--records takes one domain" "$?" 2

tap_done
