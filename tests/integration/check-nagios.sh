#!/bin/sh
# check-nagios.sh - `alignguard-check --nagios` against real DNS: the
# monitoring-plugins status line and exit codes (0 OK, 1 WARNING for
# failures whose actions are tag or accept, 2 CRITICAL for quarantine,
# tempfail or reject, 3 UNKNOWN for DNS trouble and configuration
# errors), the performance data, and the long output.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/util.sh"
. "${top_srcdir:-.}/tests/integration/check_lib.sh"

ck_begin_matrix

PERF='\| domains=[0-9]+;; failing=[0-9]+;; dns_errors=[0-9]+;;$'

# nagios DESC WANT_RC WANT_LINE DOMAIN...: one run and its first line
nagios() {
	_desc=$1 _rc=$2 _line=$3
	shift 3
	ck_run --nagios "$@"
	tap_is "$_desc: exit $_rc" "$CK_RC" "$_rc"
	tap_is "$_desc: status line" "$(printf '%s\n' "$CK_OUT" | head -n 1)" \
		"$_line"
}

nagios "passing domains" 0 \
	"ALIGNGUARD OK - 2 domains pass | domains=2;; failing=0;; dns_errors=0;;" \
	pass.test anysel.test
nagios "action=tag domain" 1 \
	"ALIGNGUARD WARNING - 1 of 2 domains failing: tagged.test | domains=2;; failing=1;; dns_errors=0;;" \
	pass.test tagged.test
nagios "OnDMARC tag (dmarc.missing)" 1 \
	"ALIGNGUARD WARNING - 1 of 1 domains failing: dmarcmissing.test | domains=1;; failing=1;; dns_errors=0;;" \
	dmarcmissing.test
nagios "OnDKIMKey reject (dkim.key-missing)" 2 \
	"ALIGNGUARD CRITICAL - 1 of 1 domains failing: missing.test | domains=1;; failing=1;; dns_errors=0;;" \
	missing.test
nagios "mode=monitor still alerts by its actions" 2 \
	"ALIGNGUARD CRITICAL - 1 of 1 domains failing: monitored.test | domains=1;; failing=1;; dns_errors=0;;" \
	monitored.test
nagios "DNS trouble only" 3 \
	"ALIGNGUARD UNKNOWN - 0 of 2 domains failing, 1 without verdict (DNS trouble): gone.dead.test | domains=2;; failing=0;; dns_errors=1;;" \
	pass.test gone.dead.test
nagios "tag failure and DNS trouble: the failure wins" 1 \
	"ALIGNGUARD WARNING - 1 of 2 domains failing, 1 without verdict (DNS trouble): tagged.test, gone.dead.test | domains=2;; failing=1;; dns_errors=1;;" \
	tagged.test gone.dead.test
nagios "unverified domain (OnUnverified reject)" 2 \
	"ALIGNGUARD CRITICAL - 1 of 1 domains failing: unknown.test | domains=1;; failing=1;; dns_errors=0;;" \
	unknown.test

ck_run --nagios
tap_is "the whole table: CRITICAL" "$CK_RC" 2
tap_like "the whole table: performance data" "$(printf '%s\n' "$CK_OUT" | head -n 1)" \
	'^ALIGNGUARD CRITICAL - 14 of 18 domains failing, 1 without verdict \(DNS trouble\): missing\.test, invalid\.test, revoked\.test, weak\.test, testing\.test, \.\.\. \| domains=18;; failing=14;; dns_errors=1;;$'
tap_like "long output: one line per failing domain" "$CK_OUT" \
	'^spffail\.test: fail reject \(spf\.fail\)$'
tap_is "long output: 15 lines after the status" \
	"$(printf '%s\n' "$CK_OUT" | tail -n +2 | wc -l | tr -d ' ')" 15
tap_is "nothing on stderr" "$CK_ERR" ""

ck_write_config "MinKeyBits 2048" "OutboundAddresses $CK_OUTBOUND" \
	"OnDKIMKey tag"
nagios "OnDKIMKey tag makes dkim.key-missing a warning" 1 \
	"ALIGNGUARD WARNING - 1 of 1 domains failing: missing.test | domains=1;; failing=1;; dns_errors=0;;" \
	missing.test
ck_write_config "MinKeyBits 2048" "OutboundAddresses $CK_OUTBOUND" \
	"OnDKIMKey quarantine"
nagios "OnDKIMKey quarantine is critical" 2 \
	"ALIGNGUARD CRITICAL - 1 of 1 domains failing: missing.test | domains=1;; failing=1;; dns_errors=0;;" \
	missing.test

echo "NoSuchOption yes" >>"$CK_CONF"
ck_run --nagios pass.test
tap_is "configuration error: exit 3" "$CK_RC" 3
tap_like "configuration error: UNKNOWN naming the file and line" "$CK_OUT" \
	"^ALIGNGUARD UNKNOWN - configuration: $CK_CONF:[0-9]+: "
ck_run --nagios --jobs many pass.test
tap_is "usage error: exit 3" "$CK_RC" 3
tap_like "usage error: UNKNOWN" "$CK_OUT" '^ALIGNGUARD UNKNOWN - --jobs'

tap_done
