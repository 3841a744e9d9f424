#!/bin/sh
# dns_dkim.sh - every dkim.key-* reason and the passing key types end to
# end: keys made now, published by Knot, resolved by Unbound, checked by the
# daemon behind a real Postfix. RSA 1024/2048/4096 and Ed25519 pass (the
# 4096-bit record, over 512 octets in several strings, goes over TCP on
# both legs); a selector CNAME'd into another zone as Amazon SES Easy DKIM
# publishes it passes; a missing, invalid (bad base64, h=sha1 only,
# k=unknown), revoked, weak, testing or mismatching key is refused; and
# AllowTestingKeys, MinKeyBits and OnDKIMKey change the outcome at a
# reload.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
. "$IT_LIB/dkimkeys.sh"
dns_it_begin amazonses.test
tap_require_tool openssl opendkim-genkey

K=$IT_DIR/keys
mkdir -p "$K" && chmod 700 "$K"
for spec in k1024:1024 k4096:4096 ed:ed25519 weak:512 testing:1024 \
	published:2048 other:2048 ses:2048 cname:1024; do
	dk_genkey "$K/${spec%%:*}.pem" "${spec#*:}" || tap_bail "cannot make key $spec"
done
dk_opendkim_genkey "$K" s1 k2048.test 2048 || tap_bail "opendkim-genkey failed"

# Every domain also publishes DMARC, so a good key is a plain pass.
for d in k1024 k2048 k4096 ed ses missing badb64 sha1 ktype revoked weak \
	testing mismatch twice sesgone; do
	dns_zone_add "_dmarc.$d.test. IN TXT \"v=DMARC1; p=none\""
done
dns_zone_add "$(dk_dkim_txt s1._domainkey.k1024.test. "$K/k1024.pem")"
dns_zone_add_file "$K/s1.zone"
dns_zone_add "$(dk_dkim_txt s1._domainkey.k4096.test. "$K/k4096.pem")"
dns_zone_add "$(dk_dkim_txt s1._domainkey.ed.test. "$K/ed.pem")"
dns_zone_add 's1._domainkey.badb64.test. IN TXT "v=DKIM1; k=rsa; p=!!not*base64!!"'
dns_zone_add "$(dk_dkim_txt s1._domainkey.sha1.test. "$K/k1024.pem" "h=sha1; ")"
dns_zone_add "$(dk_dkim_txt s1._domainkey.ktype.test. "$K/k1024.pem" | sed 's/k=rsa/k=dsa/')"
dns_zone_add 's1._domainkey.revoked.test. IN TXT "v=DKIM1; k=rsa; p="'
dns_zone_add "$(dk_dkim_txt s1._domainkey.weak.test. "$K/weak.pem")"
dns_zone_add "$(dk_dkim_txt s1._domainkey.testing.test. "$K/testing.pem" "t=y; ")"
dns_zone_add "$(dk_dkim_txt s1._domainkey.mismatch.test. "$K/published.pem")"
# Two key records at one selector; a key whose p= is cut by spaces, as
# copied from a provider's console; an IDN domain, published as A-label.
dns_zone_add "$(dk_dkim_txt s1._domainkey.twice.test. "$K/k1024.pem")" \
	"$(dk_dkim_txt s1._domainkey.twice.test. "$K/cname.pem")" \
	"$(dk_txt s1._domainkey.spaced.test. "v=DKIM1; k=rsa; p=$(dk_pubkey "$K/k1024.pem" |
		fold -w 60 | tr '\n' ' ')")" \
	"$(dk_dkim_txt s1._domainkey.xn--bcher-kva.test. "$K/k1024.pem")" \
	'_dmarc.spaced.test. IN TXT "v=DMARC1; p=none"' \
	'_dmarc.xn--bcher-kva.test. IN TXT "v=DMARC1; p=none"'
# Amazon SES Easy DKIM: three tokens, each a CNAME into SES's own zone.
for tok in tok1 tok2 tok3; do
	dns_zone_add "$tok._domainkey.ses.test. IN CNAME $tok.dkim.amazonses.test."
	dns_zone_add_to amazonses.test "$(dk_txt "$tok.dkim.amazonses.test." \
		"p=$(dk_pubkey "$K/ses.pem")")"
done
# A token whose target SES no longer publishes.
dns_zone_add "gone._domainkey.sesgone.test. IN CNAME gone.dkim.amazonses.test."
dns_zone_load || tap_bail "cannot load the zone test."
dns_zone_load amazonses.test || tap_bail "cannot load the zone amazonses.test."

ag_table_write <<EOT
k1024.test     selectors=s1
k2048.test     selectors=s1 keys=s1:$K/s1.private
k4096.test     selectors=s1
ed.test        selectors=s1 keys=s1:$K/ed.pem
ses.test       selectors=tok1,tok2,tok3
missing.test   selectors=s1
badb64.test    selectors=s1
sha1.test      selectors=s1
ktype.test     selectors=s1
revoked.test   selectors=s1
weak.test      selectors=s1
testing.test   selectors=s1
mismatch.test  selectors=s1 keys=s1:$K/other.pem
twice.test     selectors=s1
spaced.test    selectors=s1
bücher.test    selectors=s1
sesgone.test   selectors=gone
EOT
dns_config_write "Mode enforce"
it_milter_start

# send D - a message From and MAIL FROM the domain D
send() {
	it_send --from "bounces@$1" --h-From: "News <news@$1>"
}

# pass D DESC - the message is accepted and tagged pass
pass() {
	send "$1"
	it_expect_reply "$2: accepted" '^250 '
	it_expect_header "$2: tagged pass, DMARC predicted pass" '^pass dmarc=pass$'
}

# refused D REASON DESC - the message is refused for REASON
refused() {
	send "$1"
	it_expect_reply "$3: 550 5.7.1 $2" "^550 5\\.7\\.1 .*$(echo "$2" | sed 's/\./\\./g').*from-domain=$1"
	it_expect_log "$3: logged verdict=reject reasons=$2" \
		"verdict=reject .*reasons=$(echo "$2" | sed 's/\./\\./g') from_domain=$1 "
	it_expect_no_delivery "$3: not delivered"
}

pass k1024.test "RSA 1024 key"
pass k2048.test "RSA 2048 key made by opendkim-genkey, matching keys="
tcp_in=$(dns_stat num.query.tcp)
tcp_out=$(dns_stat num.query.tcpout)
pass k4096.test "RSA 4096 key"
strings=$(dig +tcp +short -p "$DNS_AUTH_PORT" @127.0.0.1 s1._domainkey.k4096.test TXT |
	grep -o '"[^"]*"' | wc -l)
size=$(dk_record "$K/k4096.pem" | wc -c)
tap_like "the 4096-bit record is $size octets in $strings strings" \
	"$strings $size" '^([3-9]|[1-9][0-9]+) ([6-9][0-9][0-9]|[1-9][0-9]{3})$'
tcp_in2=$(dns_stat num.query.tcp)
tcp_out2=$(dns_stat num.query.tcpout)
tap_like "the daemon asked Unbound again over TCP (num.query.tcp $tcp_in -> $tcp_in2)" \
	"$((tcp_in2 - tcp_in))" '^[1-9]'
tap_like "Unbound asked Knot over TCP (num.query.tcpout $tcp_out -> $tcp_out2)" \
	"$((tcp_out2 - tcp_out))" '^[1-9]'
pass ed.test "Ed25519 key (k=ed25519), matching keys="

tap_is "Knot answers an SES selector with its CNAME alone" \
	"$(dns_auth_query tok1._domainkey.ses.test TXT)" "tok1.dkim.amazonses.test."
pass ses.test "SES Easy DKIM selectors, CNAMEs chased by Unbound into another zone"

pass spaced.test "p= cut by spaces"
pass xn--bcher-kva.test "IDN domain listed as bücher.test, key at the A-label"

refused missing.test dkim.key-missing "no key record"
tap_like "the log names the missing record" \
	"$(ag_log_since 0 | grep 'event=state-change domain=missing.test check=dkim:s1')" \
	'to=fail reason=dkim\.key-missing'
refused badb64.test dkim.key-invalid "p= not base64"
refused sha1.test dkim.key-invalid "h=sha1 only"
refused ktype.test dkim.key-invalid "k=dsa, an unknown key type"
refused revoked.test dkim.key-revoked "empty p=, a revoked key"
refused weak.test dkim.key-weak "RSA 512 with MinKeyBits 1024"
refused testing.test dkim.key-testing "t=y with AllowTestingKeys no"
refused mismatch.test dkim.key-mismatch "published key is not the keys= private key's"
refused twice.test dkim.key-invalid "two key records at one selector"
refused sesgone.test dkim.key-missing "an SES token CNAME'd to a name no longer published"

# AllowTestingKeys yes at a reload: the testing key's check is made again.
mark=$(ag_log_mark)
dns_config_write "Mode enforce" "AllowTestingKeys yes"
tap_like "reload with AllowTestingKeys yes" "$(ag_milter_reload)" 'event=reload '
tap_like "the testing key's check turns to pass" \
	"$(ag_log_wait "$mark" 'domain=testing\.test check=dkim:s1 from=fail to=pass' 10)" \
	'to=pass'
pass testing.test "t=y with AllowTestingKeys yes"

# MinKeyBits 2048: the 1024-bit key becomes weak, the 512-bit one stays so.
mark=$(ag_log_mark)
dns_config_write "Mode enforce" "AllowTestingKeys yes" "MinKeyBits 2048"
tap_like "reload with MinKeyBits 2048" "$(ag_milter_reload)" 'event=reload '
tap_like "the 1024-bit key's check turns to fail, dkim.key-weak" \
	"$(ag_log_wait "$mark" 'domain=k1024\.test check=dkim:s1 from=pass to=fail' 10)" \
	'reason=dkim\.key-weak'
refused k1024.test dkim.key-weak "RSA 1024 with MinKeyBits 2048"
pass k2048.test "RSA 2048 with MinKeyBits 2048"

# OnDKIMKey chooses the action.
dns_config_write "Mode enforce" "OnDKIMKey tempfail"
tap_like "reload with OnDKIMKey tempfail" "$(ag_milter_reload)" 'event=reload '
send revoked.test
it_expect_reply "OnDKIMKey tempfail: 451 4.7.1 dkim.key-revoked" '^451 4\.7\.1 .*dkim\.key-revoked'

tap_done
