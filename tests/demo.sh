#!/bin/sh
# demo.sh - see alignguard work in front of a real Postfix, on this machine.
#
# Run as root on Debian 12 from anywhere in the source tree:
#     tests/demo.sh [--no-deps] [--no-build]
# It installs the dependencies (tests/lib/install-deps.sh), builds alignguard
# (autoreconf -fi; ./configure; make), starts a private Postfix on 127.0.0.1
# with the milter in front and an smtp-sink behind, sends the messages of
# tests/demo/messages against the table tests/demo/domains, prints one line
# per message (SMTP result, verdict, reasons) and removes everything it
# started. Nothing listens beyond loopback; the system Postfix is untouched.
#
# DNS: tests/lib/dns.sh runs Knot DNS (authoritative for the zone
# "example.") behind Unbound on loopback; the demo publishes there what each
# customer of the table publishes (DMARC, and MX and SPF for its send
# domain), plus the records of tests/demo/zone if that file exists (DKIM
# keys for selectors=, for instance).
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
DEPS=yes
BUILD=yes
for arg in "$@"; do
	case $arg in
	--no-deps) DEPS=no ;;
	--no-build) DEPS=no; BUILD=no ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: tests/demo.sh [--no-deps] [--no-build]" >&2; exit 2 ;;
	esac
done

if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: run as root (it installs packages and runs a private Postfix)" >&2
	exit 2
fi

# step - announce a step of the demo
step() {
	printf '\n==> %s\n' "$*"
}

# die - stop the demo with a reason
die() {
	echo "demo.sh: $*" >&2
	exit 1
}

cd "$TOP" || die "cannot enter $TOP"
if [ $DEPS = yes ]; then
	step "Installing the dependencies (apt-get)"
	sh tests/lib/install-deps.sh || die "installing the dependencies failed"
fi
if [ $BUILD = yes ]; then
	step "Building alignguard"
	BUILD_LOG=$(mktemp /tmp/alignguard-demo-build.XXXXXX) || die "mktemp failed"
	{ autoreconf -fi && ./configure && make -j"$(nproc)"; } >"$BUILD_LOG" 2>&1 ||
		die "the build failed; see $BUILD_LOG"
	rm -f "$BUILD_LOG"
	echo "built $(./alignguard -V)"
fi

top_srcdir=$TOP
top_builddir=$TOP
. "$TOP/tests/lib/harness.sh"
[ -x "$AG_BIN" ] || die "no alignguard binary at $AG_BIN; run without --no-build"

step "Starting a private Postfix on 127.0.0.1 with alignguard in front"
it_world_up || die "cannot set up Postfix and the sink"
[ -f "$IT_LIB/dns.sh" ] || die "tests/lib/dns.sh is missing"
. "$IT_LIB/dns.sh"
dns_start example || die "cannot start Knot DNS and Unbound"
cp "$TOP/tests/demo/domains" "$AG_TABLE"
it_dns_publish_table example || die "cannot publish the zone example."
if [ -f "$TOP/tests/demo/zone" ]; then
	dns_zone_add_file "$TOP/tests/demo/zone" example &&
		dns_zone_load example || die "cannot publish tests/demo/zone"
fi
# Postfix relays from 127.0.0.1: the address receivers check SPF against.
it_config "Mode enforce" "OnUnverified reject" "OnMisaligned reject" \
	"OutboundAddresses 127.0.0.1"
ag_milter_start || die "alignguard does not start: $(tail -n 5 "$AG_LOG")"
echo "Postfix smtpd 127.0.0.1:$PF_PORT -> milter 127.0.0.1:$AG_PORT -> relay to smtp-sink 127.0.0.1:$SINK_PORT"
echo "DNS: Unbound $DNS_NS -> Knot DNS 127.0.0.1:$DNS_AUTH_PORT (zone example.)"
echo "verified-domain table:"
grep -v '^#' "$AG_TABLE" | grep . | sed 's/^/    /'

# field - the value of key=VALUE in a log line
field() {
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# trim - remove leading and trailing blanks
trim() {
	printf '%s' "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
}

# send_one - send one demo message; print its row of the table
send_one() {
	_title=$(trim "$1") _env=$(trim "$2") _from=$(trim "$3") _login=$(trim "$4")
	set -- --from "$_env" --h-From: "$_from" --header "Subject: demo: $_title"
	if [ "$_login" != - ]; then
		set -- "$@" --auth PLAIN --auth-user "$_login" --auth-password "secret-$_login"
	fi
	_mark=$(ag_log_mark)
	pf_send "$@" >"$IT_DIR/swaks.out"
	_reply=$(it_reply_of "$IT_DIR/swaks.out")
	_line=$(ag_log_wait "$_mark" 'verdict=' 10)
	_verdict=$(field "$_line" verdict)
	[ "$(field "$_line" mode)" = monitor ] && _verdict="$_verdict (would $(field "$_line" intended))"
	printf '%-30s %-8s %-10s %-20s %s\n' "$_title" "$_login" \
		"$(printf '%s' "$_reply" | cut -d' ' -f1-2)" "${_verdict:--}" "$(field "$_line" reasons)"
	printf '%s\n' "$_reply" >>"$IT_DIR/replies"
}

step "Sending the demo messages (tests/demo/messages)"
printf '%-30s %-8s %-10s %-20s %s\n' MESSAGE LOGIN SMTP VERDICT REASONS
printf '%-30s %-8s %-10s %-20s %s\n' ------- ----- ---- ------- -------
grep -v '^#' "$TOP/tests/demo/messages" | grep . |
	while IFS='|' read -r title env from login; do
		send_one "$title" "$env" "$from" "$login"
	done

step "What the sender and the receiver see"
echo "A rejection, as the SMTP client reads it:"
grep -m 1 '^550 ' "$IT_DIR/replies" | sed 's/^/    /'
sleep 1
echo "The tag of a delivered message in monitor mode (header as received):"
cat "$SINK_DIR"/* 2>/dev/null | grep -m 1 '^X-AlignGuard: fail' | sed 's/^/    /'
echo "The tag of a delivered passing message:"
cat "$SINK_DIR"/* 2>/dev/null | grep -m 1 '^X-AlignGuard: pass' | sed 's/^/    /'
echo "The milter's log line for the first message:"
grep -m 1 'verdict=' "$AG_LOG" | sed 's/^/    /'

step "Cleaning up (Postfix, smtp-sink, alignguard, $IT_DIR)"
exit 0
