#!/bin/sh
# dns_faults.sh - DNS that goes wrong, with fakedns as the daemon's name
# server: for a domain never seen before, a timeout, SERVFAIL, REFUSED, a
# reply with the wrong ID, garbage, truncation even over TCP, a CNAME loop
# and an answer later than DNSTimeout each end in 451 4.4.3 dns.temperror
# within DNSTimeout, the state change naming the fault; a truncated UDP
# answer complete over TCP and an answer late but within DNSTimeout pass;
# twenty domains whose name servers never answer do not hold up the first
# message of a healthy one; with OnDNSError tag the trouble lets mail
# through, tagged.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
. "$IT_LIB/dkimkeys.sh"
it_begin
tap_require_tool openssl

K=$IT_DIR/keys
mkdir -p "$K" && chmod 700 "$K"
dk_genkey "$K/s1.pem" 2048 || tap_bail "cannot make a key"
REC=$(dk_record "$K/s1.pem")

# fault D FAULT... - a domain whose key record meets the fault
ZONE=$IT_DIR/fake.zone
: >"$ZONE"
fault() {
	_d=$1
	shift
	{
		printf 's1._domainkey.%s TXT 1 "%s"\n' "$_d" "$REC"
		[ $# -gt 0 ] && printf 's1._domainkey.%s %s\n' "$_d" "$*"
		printf '_dmarc.%s TXT 1 "v=DMARC1; p=none"\n' "$_d"
	} >>"$ZONE"
	TABLE="${TABLE:-}$_d selectors=s1
"
}
fault ok.test
fault trunc.test truncate
fault slow.test delay 1500
fault timeout.test timeout
fault servfail.test servfail
fault refused.test refused
fault wrongid.test wrong-id
fault garbage.test garbage
fault truncall.test truncate-all
fault loop.test cname-loop
fault late.test delay 6000
# Twenty domains whose name servers never answer, each with five checks,
# and a healthy domain next to them.
for i in $(seq 1 20); do
	for name in s1._domainkey s2._domainkey bounce _dmarc; do
		echo "$name.dead$i.test timeout"
	done >>"$ZONE"
	TABLE="${TABLE}dead$i.test send-domain=bounce.dead$i.test selectors=s1,s2
"
done
{
	printf 's1._domainkey.healthy.test TXT 1 "%s"\n' "$REC"
	printf 's2._domainkey.healthy.test TXT 1 "%s"\n' "$REC"
	printf 'bounce.healthy.test TXT 1 "v=spf1 ip4:192.0.2.25 -all"\n'
	printf 'bounce.healthy.test MX 1 10 mx.healthy.test\n'
	printf '_dmarc.healthy.test TXT 1 "v=DMARC1; p=none"\n'
} >>"$ZONE"
TABLE="${TABLE}healthy.test send-domain=bounce.healthy.test selectors=s1,s2
"
fakedns_start "$ZONE" "$IT_DIR/counts" || tap_bail "cannot start fakedns"
tap_diag "fakedns on $FAKEDNS_NS"

printf '%s' "$TABLE" | ag_table_write
DNS_CONF_NS=$FAKEDNS_NS dns_config_write "Mode enforce" "DNSTimeout 3s" "DNSRetries 1" \
	"OutboundAddresses 192.0.2.25"
it_milter_start

# send D - a message From and MAIL FROM the domain D; ELAPSED in seconds
send() {
	_t0=$(date +%s.%N)
	it_send --from "bounces@$1" --h-From: "News <news@$1>"
	ELAPSED=$(echo "$(date +%s.%N) - $_t0" | bc)
}

# event D - the first state change of D's key check
event() {
	ag_log_wait 0 "event=state-change domain=$1 check=dkim:s1" 5
}

# passes D DESC
passes() {
	send "$1"
	it_expect_reply "$2: accepted" '^250 '
	it_expect_header "$2: tagged pass" '^pass'
}

# tempfails D DETAIL DESC - 451 4.4.3 within DNSTimeout, the event says why
tempfails() {
	send "$1"
	it_expect_reply "$3: 451 4.4.3 dns.temperror" '^451 4\.4\.3 .*dns\.temperror'
	it_expect_log "$3: logged verdict=tempfail reasons=dns.temperror" \
		"verdict=tempfail .*reasons=dns\\.temperror from_domain=$1 "
	tap_like "$3: answered within DNSTimeout 3 s (took $ELAPSED s)" \
		"$(echo "$ELAPSED < 4.5" | bc)" '^1$'
	tap_like "$3: the state change names the fault" \
		"$(event "$1")" "from=pending to=temperror reason=dns\\.temperror detail=\".*$2"
}

passes ok.test "fakedns as the name server, no fault"
passes trunc.test "TC over UDP, the answer over TCP"
tap_like "trunc.test: the key record was asked over UDP, then TCP" \
	"$(grep -i '^s1\._domainkey\.trunc\.test\.\? TXT' "$IT_DIR/counts")" ' [1-9][0-9]* [1-9][0-9]*$'
passes slow.test "an answer 1.5 s late, within DNSTimeout"
tempfails timeout.test 'timeout' "no answer"
tempfails servfail.test 'servfail' "SERVFAIL"
tempfails refused.test 'refused' "REFUSED"
tempfails wrongid.test 'timeout' "answers with the wrong ID only"
tempfails garbage.test '(malformed|short|not a reply|question)' "garbage after the question"
tempfails truncall.test 'truncated' "TC set over TCP too"
tempfails loop.test 'cname loop' "CNAME loop"
tempfails late.test 'timeout' "an answer 6 s late"

# The faults did not reach the domains that passed.
passes ok.test "afterwards, the domain without faults"

# The dead domains' first messages at once (milterload, one connection
# each): their checks then retry every second (DNSRetryInterval 1s), each
# waiting DNSTimeout. A never-seen healthy domain must not queue behind
# them: its first message waits about one round trip, not DNSTimeout.
LOAD=${top_builddir:-.}/tests/bench/milterload
[ -x "$LOAD" ] || tap_bail "no milterload at $LOAD (run make)"
pids=
for i in $(seq 1 20); do
	timeout 60 "$LOAD" -s "inet:$AG_PORT@127.0.0.1" -c 1 -n 1 -f "news@dead$i.test" \
		-m "bounces@bounce.dead$i.test" >"$IT_DIR/dead.$i" 2>&1 &
	pids="$pids $!"
done
for pid in $pids; do
	wait "$pid"
done
tap_is "twenty dead domains: every first message deferred (451)" \
	"$(cat "$IT_DIR"/dead.* | grep -c 'accepted=0 rejected=0 tempfailed=1 ')" 20
tap_is "twenty dead domains: each deferred with dns.temperror" \
	"$(ag_log_since 0 | grep -c 'verdict=tempfail .*reasons=dns\.temperror from_domain=dead')" 20
sleep 2
it_send --from bounces@bounce.healthy.test --h-From: "News <news@healthy.test>"
it_expect_reply "beside twenty dead domains, a healthy never-seen domain is accepted" '^250 '
it_expect_log "beside twenty dead domains, its first message waits about one round trip" \
	'verdict=pass .*from_domain=healthy\.test .*dns_ms=([0-9]{1,3}|1[0-4][0-9]{2}) '

# OnDNSError tag: DNS trouble lets the message through, tagged.
DNS_CONF_NS=$FAKEDNS_NS dns_config_write "Mode enforce" "DNSTimeout 3s" \
	"DNSRetries 1" "OnDNSError tag"
tap_like "reload with OnDNSError tag" "$(ag_milter_reload)" 'event=reload '
send servfail.test
it_expect_reply "OnDNSError tag: SERVFAIL lets the message through" '^250 '
it_expect_header "OnDNSError tag: tagged dns.temperror" \
	'^fail reasons=dns\.temperror from-domain=servfail\.test'

tap_done
