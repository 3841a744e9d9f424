#!/bin/sh
# dns_count.sh - one DNS query per name however many messages ask: 200
# first messages for a never-seen domain at once (milterload, 200 milter
# connections straight to the daemon), then 20 at once through Postfix for
# another domain, with fakedns as the name server counting what it is
# asked. Its answers come 1 s late, so the messages wait together for the
# same queries (milterload's latency is in the diagnostics). Then first
# messages for ten domains at once: each should wait about one round trip.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
. "$IT_LIB/dkimkeys.sh"
it_begin
tap_require_tool openssl

LOAD=${top_builddir:-.}/tests/bench/milterload
[ -x "$LOAD" ] || tap_bail "no milterload at $LOAD (run make)"
K=$IT_DIR/keys
mkdir -p "$K" && chmod 700 "$K"
dk_genkey "$K/s1.pem" 2048 && dk_genkey "$K/s2.pem" ed25519 ||
	tap_bail "cannot make the keys"

# names D - the five names a first message for D makes the daemon ask
names() {
	echo "s1._domainkey.$1 TXT"
	echo "s2._domainkey.$1 TXT"
	echo "bounce.$1 TXT"
	echo "bounce.$1 MX"
	echo "_dmarc.$1 TXT"
}

# publish D - D's records in the fakedns zone, each answered 1 s late
ZONE=$IT_DIR/fake.zone
publish() {
	{
		echo "s1._domainkey.$1 TXT 3600 \"$(dk_record "$K/s1.pem")\""
		echo "s2._domainkey.$1 TXT 3600 \"$(dk_record "$K/s2.pem")\""
		echo "bounce.$1 TXT 3600 \"v=spf1 ip4:192.0.2.25 -all\""
		echo "bounce.$1 MX 3600 10 mx.$1"
		echo "_dmarc.$1 TXT 3600 \"v=DMARC1; p=reject\""
		names "$1" | while read -r name type; do
			echo "$name delay 1000"
		done
	} >>"$ZONE"
}
: >"$ZONE"
publish load.test
publish burst.test
fakedns_start "$ZONE" "$IT_DIR/counts" || tap_bail "cannot start fakedns"

ag_table_write <<EOT
load.test   send-domain=bounce.load.test selectors=s1,s2
burst.test  send-domain=bounce.burst.test selectors=s1,s2
EOT
DNS_CONF_NS=$FAKEDNS_NS dns_config_write "Mode enforce" "DNSTimeout 5s" \
	"DNSRefreshMin 60s" "DNSRetryInterval 60s" "OutboundAddresses 192.0.2.25"
it_milter_start

# exactly_once D DESC - each of D's names was asked once, and nothing else
exactly_once() {
	_got=
	names "$1" | {
		while read -r name type; do
			printf '%s %s %s\n' "$name" "$type" "$(fakedns_count "$name" "$type")"
		done
	} >"$IT_DIR/once"
	tap_diag "$(cat "$IT_DIR/once")"
	tap_is "$2: each of the five names was asked exactly once" \
		"$(awk '{ print $3 }' "$IT_DIR/once" | sort -u | tr '\n' ' ')" "1 "
	tap_is "$2: no other name of $1 was asked" \
		"$(grep -c "$1" "$IT_DIR/counts" 2>/dev/null)" 5
}

out=$(timeout 60 "$LOAD" -s "inet:$AG_PORT@127.0.0.1" -c 200 -n 1 \
	-f news@load.test -m bounces@bounce.load.test 2>&1)
tap_diag "milterload: $out"
tap_like "200 concurrent first messages for load.test are all accepted" \
	"$out" '^messages=200 .* accepted=200 rejected=0 tempfailed=0'
exactly_once load.test "200 messages"

stats_mark=$(ag_log_mark)
kill -USR1 "$AG_PID"
line=$(ag_log_wait "$stats_mark" 'event=stats checks=' 10)
tap_diag "$(ag_log_since "$stats_mark" | grep 'event=stats dns_queries')" "$line"
tap_like "the domain state evaluated each of the five checks once" \
	"$line" 'checks=5 evaluations=5 '

# 20 at once through Postfix (smtpd, cleanup and the milter all busy)
i=0
pids=
while [ $i -lt 20 ]; do
	pf_send --from bounces@bounce.burst.test --h-From: "News <news@burst.test>" \
		--header "X-Test-Id: burst$i" >"$IT_DIR/burst.$i" &
	pids="$pids $!"
	i=$((i + 1))
done
for pid in $pids; do
	wait "$pid"
done
accepted=$(cat "$IT_DIR"/burst.* | grep -c '^<- *250 .*queued as')
tap_is "20 concurrent first messages through Postfix are all accepted" "$accepted" 20
exactly_once burst.test "20 messages through Postfix"

# First messages for ten never-seen domains at once, every answer 0.5 s
# late: each message should wait about one round trip, well within
# DNSTimeout (3 s), however many other domains are being checked.
: >"$ZONE"
table=
for i in 0 1 2 3 4 5 6 7 8 9; do
	publish "d$i.test"
	table="${table}d$i.test send-domain=bounce.d$i.test selectors=s1,s2
"
done
sed -i 's/ delay 1000$/ delay 500/' "$ZONE"
fakedns_start "$ZONE" "$IT_DIR/counts" || tap_bail "cannot start fakedns"
printf '%s' "$table" | ag_table_write
DNS_CONF_NS=$FAKEDNS_NS dns_config_write "Mode enforce" "DNSTimeout 3s" \
	"DNSRefreshMin 60s" "DNSRetryInterval 60s" "OutboundAddresses 192.0.2.25"
ag_milter_restart || tap_bail "alignguard does not restart"
mark=$(ag_log_mark)
pids=
for i in 0 1 2 3 4 5 6 7 8 9; do
	timeout 60 "$LOAD" -s "inet:$AG_PORT@127.0.0.1" -c 1 -n 1 -f "news@d$i.test" \
		-m "bounces@bounce.d$i.test" >"$IT_DIR/load.$i" 2>&1 &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done
tap_diag "$(ag_log_since "$mark" | grep -o 'verdict=[a-z]* .*from_domain=[^ ]*\|dns_ms=[0-9]*' |
	paste - - | sed 's/ action=.* mailfrom_domain=/ mailfrom=/')"
tap_is "ten never-seen domains at once, answers 0.5 s late: all accepted" \
	"$(cat "$IT_DIR"/load.* | grep -c 'accepted=1 ')" 10
slowest=$(ag_log_since "$mark" | sed -n 's/.*dns_ms=\([0-9]*\) .*/\1/p' | sort -n | tail -n 1)
tap_like "ten never-seen domains at once: the slowest waited about one round trip ($slowest ms)" \
	"${slowest:-9999}" '^([0-9]{1,3}|1[0-4][0-9]{2})$'

tap_done
