# milter.sh - run the alignguard daemon for the integration tests (POSIX sh).
#
# The daemon runs in the foreground (-f) in the background of the test, on
# inet:$AG_PORT@127.0.0.1, logging to $AG_LOG. Its configuration and table
# live in $AG_MDIR under the run directory.
#
# Interface:
#   ag_milter_setup           choose the port and the file names; set
#                             AG_SOCKET=unix:PATH afterwards for a unix socket
#   ag_config_write [LINE...] write the configuration: the harness's Socket,
#                             Domains, PidFile, then each "Key value" LINE
#   ag_table_write            write the domain table from standard input
#   ag_milter_start           start, wait until the port accepts; 1 if not
#   ag_milter_stop            SIGTERM, wait (bounded), SIGKILL if needed
#   ag_milter_restart         stop + start (after a config change)
#   ag_milter_reload          SIGHUP, wait for the reload's log line, print it
#   ag_milter_alive           the daemon process still runs
#   ag_check_config FILE      run `alignguard -t -c FILE`, print its output
#   ag_log_mark               print the log's current line count
#   ag_log_since MARK         print the log lines written after MARK
#   ag_log_wait MARK PATTERN SECS  wait for a line after MARK matching the
#                             extended regex, print it
#   ag_log_verdict MARK       the first message line (verdict=...) after MARK

AG_BIN=${AG_BIN:-${top_builddir:-.}/alignguard}

# ag_milter_setup - port and files of the daemon under test
ag_milter_setup() {
	AG_MDIR=$IT_DIR/milter
	mkdir -p "$AG_MDIR" || return 1
	chmod 755 "$AG_MDIR"
	AG_PORT=$(it_free_port) || return 1
	AG_CONF=$AG_MDIR/alignguard.conf
	AG_TABLE=$AG_MDIR/domains
	AG_LOG=$AG_MDIR/alignguard.log
	AG_PIDFILE=$AG_MDIR/alignguard.pid
	AG_SOCKET=inet:$AG_PORT@127.0.0.1
	: >"$AG_LOG"
	export AG_MDIR AG_PORT AG_CONF AG_TABLE AG_LOG AG_SOCKET
}

# ag_config_write - the harness's base settings, then the given lines
ag_config_write() {
	{
		echo "# written by the alignguard integration tests"
		echo "Socket $AG_SOCKET"
		echo "Domains $AG_TABLE"
		echo "PidFile $AG_PIDFILE"
		for _ag_line in "$@"; do
			printf '%s\n' "$_ag_line"
		done
	} >"$AG_CONF"
}

# ag_table_write - the verified-domain table, from standard input
ag_table_write() {
	cat >"$AG_TABLE"
}

# ag_milter_alive - whether the daemon we started still runs
ag_milter_alive() {
	[ -n "${AG_PID:-}" ] && kill -0 "$AG_PID" 2>/dev/null
}

# ag_milter_start - start the daemon and wait until it accepts connections
ag_milter_start() {
	# a concurrent `make` may be relinking the binary: give it a moment
	if ! it_wait 20 test -x "$AG_BIN"; then
		echo "alignguard binary not found: $AG_BIN (run make)" >&2
		return 1
	fi
	"$AG_BIN" -f -c "$AG_CONF" >>"$AG_LOG" 2>&1 &
	AG_PID=$!
	it_on_exit "ag_milter_stop"
	if ! it_wait 15 ag_milter_ready; then
		echo "alignguard did not start; its log:" >&2
		tail -n 20 "$AG_LOG" >&2
		ag_milter_stop
		return 1
	fi
}

# ag_milter_ready - the daemon runs and its socket accepts connections
ag_milter_ready() {
	ag_milter_alive || return 1
	case $AG_SOCKET in
	unix:*|local:*) test -S "${AG_SOCKET#*:}" ;;
	*) it_port_busy "$AG_PORT" ;;
	esac
}

# ag_milter_stop - stop the daemon (SIGTERM, then SIGKILL after 35 s)
ag_milter_stop() {
	ag_milter_alive || { AG_PID=; return 0; }
	kill -TERM "$AG_PID" 2>/dev/null
	if ! it_wait 35 sh -c "! kill -0 $AG_PID"; then
		echo "alignguard ignored SIGTERM; killing it" >&2
		kill -KILL "$AG_PID" 2>/dev/null
	fi
	wait "$AG_PID" 2>/dev/null
	AG_EXIT=$?
	AG_PID=
	case $AG_SOCKET in
	inet:*) it_wait_noport "$AG_PORT" 10 ;;
	esac
}

# ag_milter_restart - stop and start again with the current files
ag_milter_restart() {
	ag_milter_stop
	ag_milter_start
}

# ag_milter_reload - SIGHUP, wait for the daemon to log the outcome (event=
# reload or event=reload-failed) and print that line
ag_milter_reload() {
	_ag_mark=$(ag_log_mark)
	kill -HUP "$AG_PID" 2>/dev/null || return 1
	ag_log_wait "$_ag_mark" 'event=reload' 10
}

# ag_check_config - alignguard -t on a configuration file
ag_check_config() {
	"$AG_BIN" -t -c "$1" 2>&1
}

# ag_log_mark - current length of the log, in lines
ag_log_mark() {
	wc -l <"$AG_LOG" | tr -d ' '
}

# ag_log_since - the log lines after a mark
ag_log_since() {
	tail -n +"$(($1 + 1))" "$AG_LOG"
}

# ag_log_match - the first line after MARK matching PATTERN
ag_log_match() {
	ag_log_since "$1" | grep -E -m 1 -- "$2"
}

# ag_log_wait - wait (bounded) for a log line after MARK matching PATTERN
ag_log_wait() {
	it_wait "$3" ag_log_match "$1" "$2" || return 1
	ag_log_match "$1" "$2"
}

# ag_log_verdict - the per-message line after MARK (waits up to 10 s)
ag_log_verdict() {
	ag_log_wait "$1" 'verdict' 10
}
