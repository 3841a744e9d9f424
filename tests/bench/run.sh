#!/bin/sh
# run.sh - throughput and latency of alignguard against the protocol floor
# (nullmilter: a libmilter milter that does nothing), measured in one run
# with the same load driver, the same messages and alternating rounds, so
# that the ratio means something on a noisy machine.
#
#   tests/bench/run.sh [rounds] [connections] [messages-per-connection]
#
# Needs a built tree (make; the bench programs are built with it).
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

ag_port=$(pick_port); null_port=$(pick_port); same_port=$(pick_port)
[ "$null_port" = "$ag_port" ] && null_port=$((ag_port + 1))
[ "$same_port" = "$ag_port" ] || [ "$same_port" = "$null_port" ] && same_port=$((null_port + 7))
i=0
while [ $i -lt 1000 ]; do
	echo "customer$i.example.com send-domain=bounce.customer$i.example.com"
	i=$((i+1))
done > "$work/domains"
echo "example.com send-domain=bounce.example.com" >> "$work/domains"
cat > "$work/alignguard.conf" <<CONF
Socket   inet:$ag_port@127.0.0.1
Domains  $work/domains
Mode     enforce
CONF
"$top/alignguard" -f -c "$work/alignguard.conf" 2>"$work/alignguard.log" &
pids="$pids $!"
"$top/tests/bench/nullmilter" "inet:$null_port@127.0.0.1" &
pids="$pids $!"
"$top/tests/bench/nullmilter" -e "inet:$same_port@127.0.0.1" &
pids="$pids $!"
wait_port "$ag_port"; wait_port "$null_port"; wait_port "$same_port"

load() { "$top/tests/bench/milterload" -s "inet:$1@127.0.0.1" -c "$conns" -n "$msgs"; }
rate() { echo "$1" | sed -n 's/.*rate=\([0-9]*\).*/\1/p'; }
ag_sum=0 null_sum=0 same_sum=0 r=1
while [ $r -le "$rounds" ]; do
	n=$(load "$null_port"); s=$(load "$same_port"); a=$(load "$ag_port")
	echo "round $r floor (skips all):    $n"
	echo "round $r floor (same events):  $s"
	echo "round $r alignguard:           $a"
	null_sum=$((null_sum + $(rate "$n"))); same_sum=$((same_sum + $(rate "$s")))
	ag_sum=$((ag_sum + $(rate "$a")))
	r=$((r+1))
done
awk -v a="$ag_sum" -v n="$null_sum" -v s="$same_sum" 'BEGIN {
	printf "throughput ratio alignguard/floor(skips all) = %.2f\n", a / n
	printf "throughput ratio alignguard/floor(same events) = %.2f\n", a / s }'
