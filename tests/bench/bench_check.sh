#!/bin/sh
# bench_check.sh - alignguard-check over many domains against the local
# DNS servers (Knot DNS behind Unbound, tests/lib/dns.sh): domains per
# second and peak memory (/usr/bin/time -v), with Unbound's cache empty
# (cold) and filled by the run before (warm), for several --jobs values.
#
#   tests/bench/bench_check.sh [domains] [jobs...]    (default 10000; 8 32 64)
#
# Every domain has a DKIM key, a send domain with MX and SPF, and a DMARC
# record; one in ten has no DKIM key published, so fixes are written too.
# Needs a built tree, knotd, unbound and /usr/bin/time.
set -u
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
count=${1:-10000}
[ $# -gt 0 ] && shift
jobs=${*:-8 32 64}
DNS_TTL=3600 DNS_CACHE_TTL=3600 DNS_UDP_SIZE=1232
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/util.sh"
. "$top_srcdir/tests/lib/dns.sh"
. "$top_srcdir/tests/lib/dkimkeys.sh"

bin=$top_builddir/alignguard-check
[ -x "$bin" ] || { echo "no $bin: run make" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed" >&2; exit 1; }
it_tmpdir || exit 1
dns_start || { echo "cannot start Knot and Unbound" >&2; exit 1; }

# the zone and the table
dk_genkey "$IT_DIR/key.pem" 2048 || exit 1
key=$(dk_dkim_txt KEY "$IT_DIR/key.pem" | sed 's/^KEY //')
awk -v n="$count" -v key="$key" -v zone="$IT_DIR/bench.zone" \
	-v table="$IT_DIR/domains" 'BEGIN {
	for (i = 0; i < n; i++) {
		d = "d" i ".test"
		if (i % 10 != 9)
			print "s1._domainkey." d ". " key >zone
		print "bounce." d ". IN MX 10 mx.test." >zone
		print "bounce." d ". IN TXT \"v=spf1 ip4:192.0.2.10 -all\"" >zone
		print "_dmarc." d ". IN TXT \"v=DMARC1; p=reject\"" >zone
		print d " send-domain=bounce." d " selectors=s1" >table
	}
}'
dns_zone_add "mx.test. IN A 127.0.0.1"
dns_zone_add_file "$IT_DIR/bench.zone"
dns_zone_load test || { echo "Knot does not load the zone" >&2; exit 1; }
printf 'Domains %s\nNameservers %s\nOutboundAddresses 192.0.2.10\n' \
	"$IT_DIR/domains" "$DNS_NS" >"$IT_DIR/alignguard.conf"

# run LABEL JOBS - one run; prints a row of the table
run() {
	/usr/bin/time -v "$bin" -c "$IT_DIR/alignguard.conf" --json -q -j "$2" \
		>"$IT_DIR/out.json" 2>"$IT_DIR/time.txt"
	rc=$?
	awk -v label="$1" -v jobs="$2" -v n="$count" -v rc="$rc" \
		-v lines="$(wc -l <"$IT_DIR/out.json")" '
	/Elapsed \(wall clock\)/ {
		k = split($NF, t, ":")
		secs = (k == 3 ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2])
	}
	/Maximum resident set size/ { rss = $NF }
	/User time/ { user = $NF }
	/System time/ { sys = $NF }
	END {
		printf "%-5s %4d %7d %8.2f %10.0f %8.2f %8.2f %9.1f   %d\n", label,
		    jobs, lines, secs, (secs > 0 ? n / secs : 0), user, sys,
		    rss / 1024, rc
	}' "$IT_DIR/time.txt"
}

echo "alignguard-check: $count domains, Knot behind Unbound on loopback"
printf '%-5s %4s %7s %8s %10s %8s %8s %9s   %s\n' cache jobs lines secs \
	domains/s user sys "MiB peak" exit
for j in $jobs; do
	dns_flush
	run cold "$j"
	run warm "$j"
done
failing=$(grep -c '"status":"fail"' "$IT_DIR/out.json")
echo "failing domains in the last run: $failing (expected $((count / 10)))"
echo "Unbound: $(dns_stat num.queries) queries, $(dns_stat num.cachehits) cache hits"
