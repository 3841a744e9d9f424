#!/bin/sh
# demo.sh - see alignguard work in front of a real Postfix, on this machine.
#
# Run as root on Debian 12 from anywhere in the source tree:
#     tests/demo.sh [--no-deps] [--no-build]
# It installs the dependencies (tests/lib/install-deps.sh), builds alignguard
# (autoreconf -fi; ./configure; make), starts a private Postfix on 127.0.0.1
# with the milter in front and an smtp-sink behind, sends the messages of
# tests/demo/messages against the table tests/demo/domains, prints one line
# per message (SMTP result, verdict, predicted DMARC result, reasons) and
# removes everything it started. Nothing listens beyond loopback; the
# system Postfix is untouched.
#
# DNS: tests/lib/dns.sh runs Knot DNS (authoritative for the zone
# "example.") behind Unbound on loopback; the demo publishes there what each
# customer of the table publishes (DMARC, and MX and SPF for its send
# domain), the DKIM key records tests/demo/dkim lists (each key made at run
# time, RSA 2048, with tests/lib/dkimkeys.sh), and the records of
# tests/demo/zone if that file exists. After the messages it runs
# alignguard-check on the demo's configuration, to show what an operator
# reads about the broken domains and the records that fix them.
set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
DEPS=yes
BUILD=yes
for arg in "$@"; do
	case $arg in
	--no-deps) DEPS=no ;;
	--no-build) DEPS=no; BUILD=no ;;
	-h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
. "$IT_LIB/dkimkeys.sh"

# dkim_publish - make the key of each line of tests/demo/dkim (where the
# table's keys= expects it) and add its record, if any, to the zone text
dkim_publish() {
	mkdir -p "$AG_MDIR/keys" || return 1
	grep -v '^#' "$TOP/tests/demo/dkim" | grep . |
		while read -r _dom _sel _what; do
			_key=$AG_MDIR/keys/$_dom.$_sel.pem
			_owner=$_sel._domainkey.$_dom.
			dk_genkey "$_key" 2048 || exit 1
			case $_what in
			key) _rec=$(dk_dkim_txt "$_owner" "$_key") || exit 1
				_say="the key (RSA 2048)" ;;
			revoked) _rec=$(dk_txt "$_owner" "v=DKIM1; k=rsa; p=")
				_say="a revoked key (empty p=)" ;;
			none) _rec= _say="nothing" ;;
			*) echo "tests/demo/dkim: '$_what' is not key, revoked or none" >&2
				exit 1 ;;
			esac
			[ -z "$_rec" ] || dns_zone_add_to example "$_rec"
			printf '    %-31s %s\n' "${_owner%.}" "$_say"
		done >"$IT_DIR/dkim.list"
}

cp "$TOP/tests/demo/domains" "$AG_TABLE"
it_dns_publish_table example || die "cannot publish the zone example."
dkim_publish || die "cannot make or publish the DKIM keys"
if [ -f "$TOP/tests/demo/zone" ]; then
	dns_zone_add_file "$TOP/tests/demo/zone" example ||
		die "cannot read tests/demo/zone"
fi
dns_zone_load example || die "cannot publish the DKIM keys and tests/demo/zone"
# Postfix relays from 127.0.0.1: the address receivers check SPF against.
it_config "Mode enforce" "OnUnverified reject" "OnMisaligned reject" \
	"OutboundAddresses 127.0.0.1"
ag_milter_start || die "alignguard does not start: $(tail -n 5 "$AG_LOG")"
echo "Postfix smtpd 127.0.0.1:$PF_PORT -> milter 127.0.0.1:$AG_PORT -> relay to smtp-sink 127.0.0.1:$SINK_PORT"
echo "DNS: Unbound $DNS_NS -> Knot DNS 127.0.0.1:$DNS_AUTH_PORT (zone example.)"
echo "verified-domain table:"
grep -v '^#' "$AG_TABLE" | grep . | sed 's/^/    /'
echo "DKIM selectors (keys made just now) and what each domain publishes:"
cat "$IT_DIR/dkim.list"

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
	printf '%-30s %-8s %-10s %-20s %-6s %s\n' "$_title" "$_login" \
		"$(printf '%s' "$_reply" | cut -d' ' -f1-2)" "${_verdict:--}" \
		"$(field "$_line" dmarc)" "$(field "$_line" reasons)"
	printf '%s\n' "$_reply" >>"$IT_DIR/replies"
}

step "Sending the demo messages (tests/demo/messages)"
printf '%-30s %-8s %-10s %-20s %-6s %s\n' MESSAGE LOGIN SMTP VERDICT DMARC REASONS
printf '%-30s %-8s %-10s %-20s %-6s %s\n' ------- ----- ---- ------- ----- -------
grep -v '^#' "$TOP/tests/demo/messages" | grep . |
	while IFS='|' read -r title env from login; do
		send_one "$title" "$env" "$from" "$login"
	done

step "What the sender and the receiver see"
echo "A rejection, as the SMTP client reads it:"
grep -m 1 '^550 ' "$IT_DIR/replies" | sed 's/^/    /'
sleep 1
echo "A rejection for a DKIM key that is not in DNS:"
grep -m 1 '^550 .*dkim\.key-missing' "$IT_DIR/replies" | sed 's/^/    /'
echo "The tag of a delivered message in monitor mode (header as received):"
cat "$SINK_DIR"/* 2>/dev/null | grep -m 1 '^X-AlignGuard: fail' | sed 's/^/    /'
echo "The tag of a delivered passing message:"
cat "$SINK_DIR"/* 2>/dev/null | grep -m 1 '^X-AlignGuard: pass' | sed 's/^/    /'
echo "The milter's log line for the first message:"
grep -m 1 'verdict=' "$AG_LOG" | sed 's/^/    /'
echo "The milter's alert when a domain's DKIM key check fails:"
grep -m 1 'event=state-change.*reason=dkim\.key-missing' "$AG_LOG" | sed 's/^/    /'

step "What alignguard-check tells the operator"
echo "\$ alignguard-check -c alignguard.conf    (every domain of the table)"
"$top_builddir/alignguard-check" -c "$AG_CONF"
echo "(exit status $?: 0 all pass, 1 a domain fails, 2 trouble)"

step "Cleaning up (Postfix, smtp-sink, alignguard, $IT_DIR)"
exit 0
