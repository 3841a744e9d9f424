#!/bin/sh
# dns_senddomain.sh - the send domain's SPF and MX and the From domain's
# DMARC record, published by Knot behind Unbound, through a real Postfix:
# SPF that allows OutboundAddresses passes; none is spf.missing, too many
# lookups or bad syntax spf.permerror, ~all without the address spf.fail;
# spf-include= must be reached; no MX, a null MX or an MX naming none of
# mx= is mx.missing; DMARC's aspf=s makes a sub-domain return-path
# unaligned; a DMARC record found at the organisational domain gives sp=;
# adkim=s leaves a sub-domain From unaligned with its parent's key; no
# record is dmarc.missing (tagged); the predicted receiver result is in the
# tag header and the log line; RequireDMARCPass refuses a predicted fail as
# dmarc.fail; OnSPF and OnMX choose the action.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
. "$IT_LIB/dkimkeys.sh"
dns_it_begin
tap_require_tool openssl

K=$IT_DIR/keys
mkdir -p "$K" && chmod 700 "$K"
dk_genkey "$K/s1.pem" 2048 || tap_bail "cannot make a key"

OUT4=192.0.2.25
OUT6=2001:db8::25
SPF_OK="v=spf1 ip4:$OUT4 ip6:$OUT6 -all"

# spf D RECORD / mx D HOST / dmarc D RECORD - one record each
spf() { dns_zone_add "$1. IN TXT \"$2\""; }
mx() { dns_zone_add "$1. IN MX 10 $2."; }
dmarc() { dns_zone_add "_dmarc.$1. IN TXT \"$2\""; }

# complete D [spf] [mx] [dmarc] - D's send domain bounce.D gets SPF and MX,
# D a DMARC p=reject record; the parts named are left out
complete() {
	_d=$1
	shift
	case " $* " in *" spf "*) ;; *) spf "bounce.$_d" "$SPF_OK" ;; esac
	case " $* " in *" mx "*) ;; *) mx "bounce.$_d" "mx.$_d" ;; esac
	case " $* " in *" dmarc "*) ;; *) dmarc "$_d" "v=DMARC1; p=reject" ;; esac
}

complete spfok.test
complete spfmissing.test spf
complete lookups.test spf
lookups="v=spf1"
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	dns_zone_add "a$i.lookups.test. IN A 198.51.100.$i"
	lookups="$lookups a:a$i.lookups.test"
done
spf bounce.lookups.test "$lookups ip4:$OUT4 ip6:$OUT6 -all"
complete syntax.test spf
spf bounce.syntax.test "v=spf1 ip4:$OUT4 ip6:$OUT6 moo:x -all"
complete softfail.test spf
spf bounce.softfail.test "v=spf1 ip4:$OUT4 ~all"
complete incl.test spf
spf bounce.incl.test "v=spf1 include:_spf.platform.test -all"
spf _spf.platform.test "$SPF_OK"
complete noincl.test spf
spf bounce.noincl.test "$SPF_OK"
complete mxmissing.test mx
complete nullmx.test mx
dns_zone_add "bounce.nullmx.test. IN MX 0 ."
complete mxright.test mx
mx bounce.mxright.test bounces.platform.test
complete mxwrong.test mx
mx bounce.mxwrong.test mail.elsewhere.test
complete strict.test dmarc
spf strict.test "$SPF_OK"
mx strict.test mx.strict.test
dmarc strict.test "v=DMARC1; p=reject; adkim=s; aspf=s"
complete nodmarc.test dmarc
dmarc nosig.test "v=DMARC1; p=reject"
dmarc orgd.test "v=DMARC1; p=reject; sp=quarantine"
dmarc orgk.test "v=DMARC1; p=reject"
dns_zone_add "$(dk_dkim_txt s1._domainkey.orgk.test. "$K/s1.pem")"
dmarc orgks.test "v=DMARC1; p=reject; adkim=s"
dns_zone_add "$(dk_dkim_txt s1._domainkey.orgks.test. "$K/s1.pem")"
dns_zone_load || tap_bail "cannot load the zone"

ag_table_write <<EOT
spfok.test       send-domain=bounce.spfok.test
spfmissing.test  send-domain=bounce.spfmissing.test
lookups.test     send-domain=bounce.lookups.test
syntax.test      send-domain=bounce.syntax.test
softfail.test    send-domain=bounce.softfail.test
incl.test        send-domain=bounce.incl.test spf-include=_spf.platform.test
noincl.test      send-domain=bounce.noincl.test spf-include=_spf.platform.test
mxmissing.test   send-domain=bounce.mxmissing.test
nullmx.test      send-domain=bounce.nullmx.test
mxright.test     send-domain=bounce.mxright.test mx=bounces.platform.test,other.platform.test
mxwrong.test     send-domain=bounce.mxwrong.test mx=bounces.platform.test
strict.test      send-domain=strict.test
nodmarc.test     send-domain=bounce.nodmarc.test
nosig.test
orgd.test        subdomains=yes
shop.orgd.test
orgk.test        subdomains=yes selectors=s1
orgks.test       subdomains=yes selectors=s1
EOT
dns_config_write "Mode enforce" "OutboundAddresses $OUT4, $OUT6"
it_milter_start

# send FROM-DOMAIN MAILFROM-DOMAIN
send() {
	it_send --from "bounces@$2" --h-From: "News <news@$1>"
}

# re TEXT - TEXT with its dots escaped for a regex
re() {
	printf '%s' "$1" | sed 's/\./\\./g'
}

# refused D REASON DETAIL DESC - bounce.D refused for REASON; the check's
# state change says DETAIL
refused() {
	send "$1" "bounce.$1"
	it_expect_reply "$4: 550 5.7.1 $2" "^550 5\\.7\\.1 .*$(re "$2")"
	it_expect_log "$4: logged verdict=reject reasons=$2" \
		"verdict=reject .*reasons=$(re "$2") from_domain=$(re "$1") "
	tap_like "$4: the state change says why" \
		"$(ag_log_since 0 | grep "event=state-change domain=$1 " | grep "reason=$2")" "$3"
}

send spfok.test bounce.spfok.test
it_expect_reply "SPF allows both OutboundAddresses: accepted" '^250 '
it_expect_header "SPF pass, aligned: tagged pass dmarc=pass" '^pass dmarc=pass$'
it_expect_log "SPF pass: the log line predicts dmarc=pass" \
	'verdict=pass .*from_domain=spfok\.test mailfrom_domain=bounce\.spfok\.test .*dmarc=pass '

refused spfmissing.test spf.missing 'to=fail' "no SPF record"
refused lookups.test spf.permerror 'lookup' "11 DNS-querying terms"
refused syntax.test spf.permerror 'moo' "an unknown mechanism after a matching one"
refused softfail.test spf.fail "$(re "$OUT6")" "~all, the IPv6 address not listed"

send incl.test bounce.incl.test
it_expect_reply "spf-include= reached through include:: accepted" '^250 '
it_expect_header "spf-include= reached: tagged pass" '^pass dmarc=pass$'
refused noincl.test spf.fail '_spf\.platform\.test' "spf-include= never reached"

refused mxmissing.test mx.missing 'to=fail' "send domain without MX"
refused nullmx.test mx.missing 'to=fail' "null MX (RFC 7505)"
send mxright.test bounce.mxright.test
it_expect_reply "MX names one of mx=: accepted" '^250 '
it_expect_header "MX names one of mx=: tagged pass" '^pass dmarc=pass$'
refused mxwrong.test mx.missing 'mail\.elsewhere\.test' "MX names none of mx="

send strict.test strict.test
it_expect_reply "aspf=s, return-path the From domain itself: accepted" '^250 '
it_expect_header "aspf=s, identical return-path: dmarc=pass" '^pass dmarc=pass$'
send strict.test bounce.strict.test
it_expect_reply "aspf=s makes a sub-domain return-path unaligned: 550 mailfrom.unaligned" \
	'^550 5\.7\.1 .*mailfrom\.unaligned'

send nodmarc.test bounce.nodmarc.test
it_expect_reply "no DMARC record: accepted (OnDMARC tag)" '^250 '
it_expect_header "no DMARC record: tagged dmarc.missing, dmarc=none" \
	'^fail reasons=dmarc\.missing from-domain=nodmarc\.test mailfrom-domain=bounce\.nodmarc\.test dmarc=none$'
it_expect_log "no DMARC record: logged verdict=tag" 'verdict=tag .*reasons=dmarc\.missing .*dmarc=none '

send nosig.test nosig.test
it_expect_reply "neither SPF nor DKIM to align: accepted" '^250 '
it_expect_header "predicted DMARC fail in the tag header" '^pass dmarc=fail policy=reject$'
it_expect_log "predicted DMARC fail in the log line" \
	'verdict=pass .*from_domain=nosig\.test .*dmarc=fail policy=reject '

send news.orgd.test news.orgd.test
it_expect_reply "sub-domain From under subdomains=yes: accepted" '^250 '
it_expect_header "sub-domain From: the record's sp= applies" '^pass dmarc=fail policy=quarantine$'
send orgd.test orgd.test
it_expect_header "the organisational domain itself: its p= applies" '^pass dmarc=fail policy=reject$'
send shop.orgd.test shop.orgd.test
it_expect_header "record found at the organisational domain only: sp= applies" \
	'^pass dmarc=fail policy=quarantine$'
tap_like "the DMARC check names the organisational record" \
	"$(ag_log_since 0 | grep 'event=state-change domain=shop\.orgd\.test check=dmarc')" \
	'to=pass .*_dmarc\.orgd\.test'
send news.orgk.test news.orgk.test
it_expect_header "sub-domain From, parent's DKIM key aligned relaxed: dmarc=pass" '^pass dmarc=pass$'
send orgks.test orgks.test
it_expect_header "adkim=s, d= the From domain itself: dmarc=pass" '^pass dmarc=pass$'
send news.orgks.test news.orgks.test
it_expect_header "adkim=s, sub-domain From: the parent's key is unaligned, dmarc=fail" \
	'^pass dmarc=fail policy=reject$'

# RequireDMARCPass: a predicted fail becomes dmarc.fail.
dns_config_write "Mode enforce" "OutboundAddresses $OUT4, $OUT6" "RequireDMARCPass yes"
tap_like "reload with RequireDMARCPass yes" "$(ag_milter_reload)" 'event=reload '
send nosig.test nosig.test
it_expect_reply "RequireDMARCPass: accepted (OnDMARC tag)" '^250 '
it_expect_header "RequireDMARCPass: tagged dmarc.fail" \
	'^fail reasons=dmarc\.fail from-domain=nosig\.test .*dmarc=fail policy=reject$'
send spfok.test bounce.spfok.test
it_expect_header "RequireDMARCPass: a predicted pass is still a pass" '^pass dmarc=pass$'
dns_config_write "Mode enforce" "OutboundAddresses $OUT4, $OUT6" "RequireDMARCPass yes" \
	"OnDMARC reject"
tap_like "reload with OnDMARC reject" "$(ag_milter_reload)" 'event=reload '
send nosig.test nosig.test
it_expect_reply "RequireDMARCPass, OnDMARC reject: 550 dmarc.fail" '^550 5\.7\.1 .*dmarc\.fail'
it_expect_log "RequireDMARCPass, OnDMARC reject: logged" \
	'verdict=reject .*reasons=dmarc\.fail .*dmarc=fail policy=reject '

# Other actions for the send domain's checks.
dns_config_write "Mode enforce" "OutboundAddresses $OUT4, $OUT6" "OnSPF tag" "OnMX tempfail"
tap_like "reload with OnSPF tag, OnMX tempfail" "$(ag_milter_reload)" 'event=reload '
send spfmissing.test bounce.spfmissing.test
it_expect_reply "OnSPF tag: accepted" '^250 '
it_expect_header "OnSPF tag: tagged spf.missing" \
	'^fail reasons=spf\.missing from-domain=spfmissing\.test mailfrom-domain=bounce\.spfmissing\.test'
send mxmissing.test bounce.mxmissing.test
it_expect_reply "OnMX tempfail: 451 4.7.1 mx.missing" '^451 4\.7\.1 .*mx\.missing'

tap_done
