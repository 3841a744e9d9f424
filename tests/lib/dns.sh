# dns.sh - real DNS on loopback for the integration tests (POSIX sh):
# Knot DNS, authoritative for the zone "test." (RFC 6761) and any other
# zones named at start, on 127.0.0.1:$DNS_AUTH_PORT; behind it Unbound, a
# recursive resolver on 127.0.0.1:$DNS_PORT that reaches Knot through one
# stub zone per zone and chases CNAMEs across them. A stub zone "dead.test."
# points at a port nobody answers on, for names whose DNS is down. And
# fakedns (tests/lib/fakedns), the scripted server for faults.
#
# Unbound keeps nothing long: its cache TTLs are capped at $DNS_CACHE_TTL
# seconds (default 1), negative answers at 1 second, and every zone load
# flushes what it holds of the zone, so a test's edit is what the next
# query sees. It answers UDP with at most $DNS_UDP_SIZE octets (default
# 512) and advertises that size to Knot, so a larger answer takes TCP on
# both legs. Its counters are read with dns_stat.
#
# Interface (after tap.sh and util.sh, and it_tmpdir or it_begin):
#   dns_prereq               skip the script unless the servers can run
#   dns_start [ZONE...]      start Knot (test. and each ZONE) and Unbound;
#                            sets DNS_NS (127.0.0.1:port, for Nameservers),
#                            DNS_PORT, DNS_AUTH_PORT, DNS_DEAD_PORT, DNS_DIR
#   dns_stop                 stop both (also done at exit)
#   dns_unbound_stop / dns_unbound_start   the resolver alone (an outage
#                            seen by its clients; same port on restart)
#   dns_knot_stop / dns_knot_start   the authoritative server alone (the
#                            domains' own DNS is down: Unbound times out and
#                            answers SERVFAIL)
#   dns_zone_reset [ZONE]    start a zone's text over: SOA, NS (and for
#                            test. the name server's A record)
#   dns_zone_add LINE...     append zone-file lines to test. (owners
#                            absolute, or relative to test.)
#   dns_zone_add_to ZONE LINE...   the same for another zone
#   dns_zone_add_file FILE [ZONE]  append a file's lines
#   dns_zone_del REGEX [ZONE]      drop the records whose owner (first
#                            word) matches the extended regex, a record
#                            spread over lines in parentheses included
#   dns_zone_load [ZONE]     publish the text with the next serial, reload
#                            Knot, wait until it serves it, flush Unbound's
#                            cache of the zone; 1 on failure
#   dns_flush                flush everything Unbound holds
#   dns_ctl ARGS...          unbound-control of our instance
#   dns_stat NAME            one of Unbound's counters (stats_noreset),
#                            e.g. num.query.tcp, num.query.tcpout
#   dns_query NAME TYPE [SERVER]   dig +short through Unbound (or
#                            SERVER, 127.0.0.1:port)
#   dns_auth_query NAME TYPE       the same, asking Knot directly
#   fakedns_start ZONEFILE [COUNTFILE]   run fakedns on a free port; sets
#                            FAKEDNS_PORT, FAKEDNS_NS, FAKEDNS_PID
#   fakedns_stop             stop it (also done at exit)
#   dns_it_begin [ZONE...]   with harness.sh: it_begin, then dns_start
#                            (bails out when the servers do not start)
#   dns_config_write [LINE...]  with milter.sh: the daemon's configuration
#                            asking $DNS_NS (DNS_CONF_NS to ask another
#                            server) with short waits and refreshes:
#                            DNSTimeout 3s, DNSRetries 1, DNSRefreshMin 1s,
#                            DNSRetryInterval 1s; then each LINE (a LINE
#                            with one of these keys replaces its default)
#   fakedns_count NAME TYPE  queries fakedns got for (NAME, TYPE), UDP and
#                            TCP added (0 when none), from the count file
#                            FAKEDNS_COUNTS given to fakedns_start
# Zone owners: a relative owner is relative to the zone; the zone's TTL is
# $DNS_TTL (default 1). Every wait is bounded; a failing function says why
# on stderr.

DNS_TTL=${DNS_TTL:-1}
DNS_CACHE_TTL=${DNS_CACHE_TTL:-1}
DNS_UDP_SIZE=${DNS_UDP_SIZE:-512}
DNS_ZONES=
DNS_KNOT_PID=
DNS_UNBOUND_PID=
FAKEDNS_PID=
FAKEDNS_BIN=${FAKEDNS_BIN:-${top_builddir:-.}/tests/lib/fakedns}

# dns_prereq - skip the script unless Knot, Unbound and dig are here
dns_prereq() {
	tap_require_tool knotd knotc unbound unbound-control dig ss
}

# dns_zone_name - a zone name without its trailing dot ("test")
dns_zone_name() {
	printf '%s\n' "${1:-test}" | sed 's/\.$//'
}

# dns_knot_conf - Knot's configuration, one zone entry per zone
dns_knot_conf() {
	{
		cat <<EOC
server:
    rundir: "$DNS_DIR"
    listen: 127.0.0.1@$DNS_AUTH_PORT
    pidfile: "$DNS_DIR/knot.pid"
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$DNS_DIR/knotdb"
log:
  - target: "$DNS_DIR/knot.log"
    any: info
template:
  - id: default
    storage: "$DNS_DIR/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
EOC
		for _dns_z in $DNS_ZONES; do
			printf '  - domain: %s.\n' "$_dns_z"
		done
	} >"$DNS_DIR/knot.conf"
}

# dns_unbound_conf - Unbound's configuration, one stub zone per zone
dns_unbound_conf() {
	{
		cat <<EOC
server:
    interface: 127.0.0.1
    port: $DNS_PORT
    do-ip6: no
    username: ""
    chroot: ""
    directory: "$DNS_DIR"
    pidfile: "$DNS_DIR/unbound.pid"
    logfile: "$DNS_DIR/unbound.log"
    use-syslog: no
    verbosity: 1
    do-daemonize: no
    do-not-query-localhost: no
    module-config: "iterator"
    access-control: 127.0.0.0/8 allow
    num-threads: 1
    outgoing-range: 1024
    num-queries-per-thread: 1024
    cache-min-ttl: 0
    cache-max-ttl: $DNS_CACHE_TTL
    cache-max-negative-ttl: 1
    infra-host-ttl: 2
    infra-keep-probing: yes
    prefetch: no
    serve-expired: no
    qname-minimisation: no
    max-udp-size: $DNS_UDP_SIZE
    edns-buffer-size: $DNS_UDP_SIZE
    extended-statistics: yes
    statistics-cumulative: yes
    statistics-interval: 0
EOC
		# reserved names (test., example., ...) may have default local
		# contents in Unbound: ours come from Knot
		for _dns_z in $DNS_ZONES; do
			printf '    local-zone: "%s." nodefault\n' "$_dns_z"
		done
		cat <<EOC
stub-zone:
    name: "dead.test."
    stub-addr: 127.0.0.1@$DNS_DEAD_PORT
EOC
		for _dns_z in $DNS_ZONES; do
			printf 'stub-zone:\n    name: "%s."\n    stub-addr: 127.0.0.1@%s\n' \
				"$_dns_z" "$DNS_AUTH_PORT"
		done
		cat <<EOC
remote-control:
    control-enable: yes
    control-interface: "$DNS_DIR/unbound.ctl"
    control-use-cert: no
EOC
	} >"$DNS_DIR/unbound.conf"
}

# dns_ctl - unbound-control for our instance
dns_ctl() {
	timeout 10 unbound-control -c "$DNS_DIR/unbound.conf" "$@"
}

# dns_query - the short answer of a query through Unbound (or SERVER)
dns_query() {
	_dns_srv=${3:-127.0.0.1:$DNS_PORT}
	dig +time=2 +tries=1 +short -p "${_dns_srv##*:}" "@${_dns_srv%:*}" "$1" "$2" 2>/dev/null
}

# dns_auth_query - the short answer of a query asked of Knot directly
dns_auth_query() {
	dns_query "$1" "$2" "127.0.0.1:$DNS_AUTH_PORT"
}

# dns_answers - true when Unbound answers for the name server's name
dns_answers() {
	dig +time=1 +tries=1 -p "$DNS_PORT" @127.0.0.1 ns.test A 2>/dev/null |
		grep -q 'status: NOERROR'
}

# dns_knot_serves - true when Knot answers for test.
dns_knot_serves() {
	dig +time=1 +tries=1 -p "$DNS_AUTH_PORT" @127.0.0.1 test. SOA 2>/dev/null |
		grep -q 'status: NOERROR'
}

# dns_up PID CMD... - wait (15 s at most) until CMD succeeds, while PID runs
dns_up() {
	_dns_pid=$1
	shift
	_dns_tries=150
	while [ $_dns_tries -gt 0 ] && kill -0 "$_dns_pid" 2>/dev/null; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_dns_tries=$((_dns_tries - 1))
	done
	return 1
}

# dns_knot_start - run Knot in the background, wait until it answers
dns_knot_start() {
	knotd -c "$DNS_DIR/knot.conf" >>"$DNS_DIR/knot.log" 2>&1 &
	DNS_KNOT_PID=$!
	dns_up "$DNS_KNOT_PID" dns_knot_serves || {
		echo "knot does not answer on 127.0.0.1:$DNS_AUTH_PORT:" >&2
		tail -n 5 "$DNS_DIR/knot.log" >&2
		return 1
	}
}

# dns_knot_stop - stop Knot and wait until its port is free
dns_knot_stop() {
	dns_pid_stop "$DNS_KNOT_PID"
	DNS_KNOT_PID=
	it_wait_noport "$DNS_AUTH_PORT" 10
}

# dns_unbound_start - run Unbound in the background, wait until it answers
dns_unbound_start() {
	unbound -d -c "$DNS_DIR/unbound.conf" >>"$DNS_DIR/unbound.log" 2>&1 &
	DNS_UNBOUND_PID=$!
	dns_up "$DNS_UNBOUND_PID" dns_answers || {
		echo "unbound does not answer on 127.0.0.1:$DNS_PORT:" >&2
		tail -n 5 "$DNS_DIR/unbound.log" "$DNS_DIR/knot.log" >&2
		return 1
	}
}

# dns_pid_stop - TERM a server we started, wait (bounded), KILL if needed
dns_pid_stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	it_wait 10 sh -c "! kill -0 $1" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# dns_unbound_stop - stop Unbound and wait until its port is free
dns_unbound_stop() {
	dns_pid_stop "$DNS_UNBOUND_PID"
	DNS_UNBOUND_PID=
	it_wait_noport "$DNS_PORT" 10
}

# dns_stop - stop both servers
dns_stop() {
	dns_unbound_stop
	dns_knot_stop
}

# dns_start_once - choose ports, write the files, start both servers
dns_start_once() {
	DNS_AUTH_PORT=$(it_free_port) && DNS_PORT=$(it_free_port) &&
		DNS_DEAD_PORT=$(it_free_port) || return 1
	DNS_NS=127.0.0.1:$DNS_PORT
	dns_knot_conf
	dns_unbound_conf
	dns_knot_start && dns_unbound_start
}

# dns_start - Knot behind Unbound on free loopback ports; a port taken by
# someone else between choosing and binding it means another try
dns_start() {
	DNS_DIR=$IT_DIR/dns
	DNS_ZONES=test
	for _dns_z in "$@"; do
		DNS_ZONES="$DNS_ZONES $(dns_zone_name "$_dns_z")"
	done
	mkdir -p "$DNS_DIR/knotdb" "$DNS_DIR/zones" "$DNS_DIR/src" || return 1
	echo 1 >"$DNS_DIR/serial"
	for _dns_z in $DNS_ZONES; do
		dns_zone_reset "$_dns_z"
		dns_zone_write "$_dns_z"
	done
	it_on_exit dns_stop
	for _dns_try in 1 2 3; do
		dns_start_once && return 0
		dns_stop
		echo "dns: try $_dns_try failed, again with other ports" >&2
	done
	return 1
}

# dns_src - the file holding a zone's text
dns_src() {
	printf '%s/src/%s\n' "$DNS_DIR" "$(dns_zone_name "$1")"
}

# dns_zone_reset - a zone holding its apex records only
dns_zone_reset() {
	_dns_z=$(dns_zone_name "$1")
	{
		printf '$ORIGIN %s.\n$TTL %s\n' "$_dns_z" "$DNS_TTL"
		printf '@ IN SOA ns.test. hostmaster.test. SERIAL 1 1 60 %s\n' "$DNS_TTL"
		printf '@ IN NS ns.test.\n'
		if [ "$_dns_z" = test ]; then
			printf 'ns IN A 127.0.0.1\n'
			printf 'dead IN NS ns.dead.test.\nns.dead IN A 127.0.0.1\n'
		fi
	} >"$(dns_src "$_dns_z")"
}

# dns_zone_add_to - append lines to a zone's text
dns_zone_add_to() {
	_dns_f=$(dns_src "$1")
	shift
	for _dns_line in "$@"; do
		printf '%s\n' "$_dns_line" >>"$_dns_f"
	done
}

# dns_zone_add - append lines to the zone test.
dns_zone_add() {
	dns_zone_add_to test "$@"
}

# dns_zone_add_file - append a file's lines to a zone's text
dns_zone_add_file() {
	cat "$1" >>"$(dns_src "${2:-test}")"
}

# dns_zone_del - drop the records whose owner matches REGEX (with the
# continuation lines of a record in parentheses)
dns_zone_del() {
	_dns_f=$(dns_src "${2:-test}")
	awk -v re="$1" '
	skip { if (index($0, ")")) skip = 0; next }
	/^[$ \t]/ || / SOA / || $1 !~ re { print; next }
	{ line = $0; gsub(/"([^"\\]|\\.)*"/, "", line); sub(/;.*/, "", line) }
	index(line, "(") && !index(line, ")") { skip = 1 }
	' "$_dns_f" >"$_dns_f.new" && mv "$_dns_f.new" "$_dns_f"
}

# dns_next_serial - the next zone serial (one counter for every zone)
dns_next_serial() {
	_dns_s=$(($(cat "$DNS_DIR/serial") + 1))
	echo "$_dns_s" >"$DNS_DIR/serial"
	echo "$_dns_s"
}

# dns_zone_write - the zone file Knot reads, with the next serial
dns_zone_write() {
	_dns_z=$(dns_zone_name "$1")
	DNS_SERIAL=$(dns_next_serial)
	sed "s/ SERIAL / $DNS_SERIAL /" "$(dns_src "$_dns_z")" \
		>"$DNS_DIR/zones/$_dns_z.zone"
}

# dns_serial_seen - Knot serves a zone with the given serial
dns_serial_seen() {
	dns_auth_query "$1." SOA | grep -q " $2 "
}

# dns_zone_load - publish a zone's text
dns_zone_load() {
	_dns_z=$(dns_zone_name "$1")
	dns_zone_write "$_dns_z"
	if ! _dns_out=$(knotc -c "$DNS_DIR/knot.conf" zone-reload "$_dns_z." 2>&1); then
		echo "knotc zone-reload $_dns_z.: $_dns_out" >&2
		return 1
	fi
	it_wait 10 dns_serial_seen "$_dns_z" "$DNS_SERIAL" || {
		echo "knot does not serve $_dns_z. serial $DNS_SERIAL:" >&2
		tail -n 5 "$DNS_DIR/knot.log" >&2
		return 1
	}
	dns_ctl flush_zone "$_dns_z." >/dev/null 2>&1 &&
		dns_ctl flush_negative >/dev/null 2>&1 &&
		dns_ctl flush_requestlist >/dev/null 2>&1
}

# dns_flush - empty Unbound's caches
dns_flush() {
	for _dns_z in $DNS_ZONES; do
		dns_ctl flush_zone "$_dns_z." >/dev/null 2>&1 || return 1
	done
	dns_ctl flush_negative >/dev/null 2>&1 &&
		dns_ctl flush_infra all >/dev/null 2>&1
}

# dns_stat - one counter of Unbound (0 when it does not report it)
dns_stat() {
	dns_ctl stats_noreset 2>/dev/null |
		awk -F= -v k="total.$1" -v k2="$1" '
		$1 == k || $1 == k2 { print $2; found = 1; exit }
		END { if (!found) print 0 }'
}

# dns_it_begin - the harness's world, then Knot and Unbound
dns_it_begin() {
	it_begin
	dns_prereq
	dns_start "$@" || tap_bail "cannot start Knot and Unbound (see above)"
	tap_diag "dns: knot 127.0.0.1:$DNS_AUTH_PORT, unbound $DNS_NS"
}

# dns_config_write - the daemon's configuration with our resolver; a LINE
# naming one of the DNS keys replaces its default here
dns_config_write() {
	_dns_lines=$(printf '%s\n' "$@" | awk '{ print tolower($1) }')
	_dns_defaults=
	for _dns_d in "Nameservers ${DNS_CONF_NS:-$DNS_NS}" "DNSTimeout 3s" \
		"DNSRetries 1" "DNSRefreshMin 1s" "DNSRetryInterval 1s"; do
		_dns_k=$(printf '%s' "${_dns_d%% *}" | tr 'A-Z' 'a-z')
		printf '%s\n' "$_dns_lines" | grep -qx "$_dns_k" ||
			_dns_defaults="$_dns_defaults$_dns_d
"
	done
	printf '%s' "$_dns_defaults" >"$IT_DIR/dns-defaults"
	# prepend them, last first, so they come in the order above
	while IFS= read -r _dns_d; do
		set -- "$_dns_d" "$@"
	done <<EOD
$(tac "$IT_DIR/dns-defaults")
EOD
	ag_config_write "$@"
}

# fakedns_port_of - the port fakedns printed when it started listening
fakedns_port_of() {
	sed -n 's/^port \([0-9][0-9]*\)$/\1/p' "$1" | grep .
}

# fakedns_start - run fakedns on a free port with a zone (and counts)
fakedns_start() {
	fakedns_stop
	[ -x "$FAKEDNS_BIN" ] || {
		echo "no fakedns at $FAKEDNS_BIN (run make)" >&2
		return 1
	}
	_dns_fo=$IT_DIR/fakedns.out.$$
	: >"$_dns_fo"
	if [ -n "${2:-}" ]; then
		"$FAKEDNS_BIN" -c "$2" "$1" >"$_dns_fo" 2>>"$IT_DIR/fakedns.log" &
	else
		"$FAKEDNS_BIN" "$1" >"$_dns_fo" 2>>"$IT_DIR/fakedns.log" &
	fi
	FAKEDNS_PID=$!
	FAKEDNS_COUNTS=${2:-}
	it_on_exit fakedns_stop
	it_wait 10 fakedns_port_of "$_dns_fo" || {
		echo "fakedns did not start: $(tail -n 3 "$IT_DIR/fakedns.log")" >&2
		return 1
	}
	FAKEDNS_PORT=$(fakedns_port_of "$_dns_fo")
	FAKEDNS_NS=127.0.0.1:$FAKEDNS_PORT
}

# fakedns_stop - stop the fakedns we started
fakedns_stop() {
	dns_pid_stop "$FAKEDNS_PID"
	FAKEDNS_PID=
}

# fakedns_count - how many queries (UDP + TCP) fakedns got for NAME TYPE
fakedns_count() {
	awk -v n="$(printf '%s' "$1" | tr 'A-Z' 'a-z' | sed 's/\.$//')" -v t="$2" '
	{ name = tolower($1); sub(/\.$/, "", name) }
	name == n && toupper($2) == toupper(t) { s += $3 + $4 }
	END { print s + 0 }' "$FAKEDNS_COUNTS" 2>/dev/null || echo 0
}
