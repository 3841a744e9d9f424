#!/bin/sh
# run.sh - alignguard under load, measured in one run against the protocol
# floor (nullmilter) with the same driver (milterload) and messages:
#   1. warm state: throughput and p50/p99 of alignguard with every DNS check
#      on (DKIM key, SPF, MX, DMARC) and of the two floors (a milter that
#      skips every event it can, and one that asks for the same events as
#      alignguard and does nothing), alternating rounds, ratios at the end;
#   2. first message for a never-seen domain whose DNS answers after 50 ms:
#      its latency against a warm message's;
#   3. 200 concurrent first messages for one never-seen domain: how many
#      queries reach the DNS server per name.
# DNS is tests/lib/fakedns on loopback.
#
#   tests/bench/run.sh [rounds] [connections] [messages-per-connection]
#
# Needs a built tree (make builds the bench programs and fakedns).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-3} conns=${2:-8} msgs=${3:-2000}
work=$(mktemp -d /tmp/ag-bench.XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

port_free() { ! ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$1\$"; }
pick_port() { p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 20000 )); while ! port_free $p; do p=$((p+1)); done; echo $p; }
wait_port() { i=0; while port_free "$1"; do i=$((i+1)); [ $i -gt 100 ] && return 1; sleep 0.1; done; }

# The zone: every domain has a DKIM key, a send domain with MX and SPF, and
# a DMARC record; slow*.example.com answer 50 ms late.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
pub=$(openssl pkey -in "$work/key.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
zone_domain() {
	echo "s1._domainkey.$1 TXT 3600 \"v=DKIM1; k=rsa; p=$pub\""
	echo "bounce.$1 MX 3600 10 mx.$1"
	echo "bounce.$1 TXT 3600 \"v=spf1 ip4:192.0.2.10 -all\""
	echo "_dmarc.$1 TXT 3600 \"v=DMARC1; p=reject\""
	echo "$1 send-domain=bounce.$1 selectors=s1" >> "$work/domains"
}
: > "$work/domains"
{
	echo "example.com SOA 3600 ns.example.com host.example.com 1 3600 600 86400 300"
	i=0
	while [ $i -lt 1000 ]; do zone_domain "customer$i.example.com"; i=$((i+1)); done
	zone_domain example.com
	zone_domain slow.example.com
	echo "slow.example.com delay 50"
	echo "s1._domainkey.slow.example.com delay 50"
	echo "bounce.slow.example.com delay 50"
	echo "_dmarc.slow.example.com delay 50"
	zone_domain crowd.example.com
} > "$work/zone"
"$top/tests/lib/fakedns" -c "$work/counts" "$work/zone" > "$work/fakedns.out" &
pids="$pids $!"
i=0; while ! grep -q '^port ' "$work/fakedns.out" 2>/dev/null; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.05; done
dns_port=$(sed -n 's/^port //p' "$work/fakedns.out")

ag_port=$(pick_port); null_port=$((ag_port + 1)); same_port=$((ag_port + 2))
cat > "$work/alignguard.conf" <<CONF
Socket            inet:$ag_port@127.0.0.1
Domains           $work/domains
Mode              enforce
Nameservers       127.0.0.1:$dns_port
OutboundAddresses 192.0.2.10
DNSTimeout        2s
CONF
"$top/alignguard" -f -c "$work/alignguard.conf" 2>"$work/alignguard.log" &
pids="$pids $!"
"$top/tests/bench/nullmilter" "inet:$null_port@127.0.0.1" &
pids="$pids $!"
"$top/tests/bench/nullmilter" -e "inet:$same_port@127.0.0.1" &
pids="$pids $!"
wait_port "$ag_port"; wait_port "$null_port"; wait_port "$same_port"

load() {
	port=$1; shift
	"$top/tests/bench/milterload" -s "inet:$port@127.0.0.1" "$@"
}
field() { echo "$2" | sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

echo "== warm state ($conns connections x $msgs messages, $rounds rounds)"
load "$ag_port" -c 1 -n 1 > /dev/null	# the first message warms the state
ag_sum=0 null_sum=0 same_sum=0 r=1
while [ $r -le "$rounds" ]; do
	n=$(load "$null_port" -c "$conns" -n "$msgs")
	s=$(load "$same_port" -c "$conns" -n "$msgs")
	a=$(load "$ag_port" -c "$conns" -n "$msgs")
	echo "round $r floor (skips all):   $n"
	echo "round $r floor (same events): $s"
	echo "round $r alignguard:          $a"
	null_sum=$((null_sum + $(field rate "$n"))); same_sum=$((same_sum + $(field rate "$s")))
	ag_sum=$((ag_sum + $(field rate "$a")))
	r=$((r+1))
done
awk -v a="$ag_sum" -v n="$null_sum" -v s="$same_sum" 'BEGIN {
	printf "throughput ratio alignguard/floor(skips all)   = %.2f\n", a / n
	printf "throughput ratio alignguard/floor(same events) = %.2f\n", a / s }'

echo "== first message of a never-seen domain, DNS answering after 50 ms"
warm=$(load "$ag_port" -c 1 -n 1)
cold=$(load "$ag_port" -c 1 -n 1 -f user@slow.example.com -m b@bounce.slow.example.com)
echo "warm: $warm"
echo "cold: $cold"
echo "added latency of the first message: $(( ($(field p50_us "$cold") - $(field p50_us "$warm")) / 1000 )) ms"

echo "== 200 concurrent first messages for one never-seen domain"
crowd=$(load "$ag_port" -c 200 -n 1 -f user@crowd.example.com -m b@bounce.crowd.example.com)
echo "$crowd"
grep -i 'crowd' "$work/counts" | sed 's/^/queries (name type udp tcp): /'
grep -E 'verdict=' "$work/alignguard.log" | grep -c 'crowd.example.com' | sed 's/^/crowd messages logged: /'
