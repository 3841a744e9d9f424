# util.sh - shared helpers of the integration harness (POSIX sh).
#
# Interface:
#   it_tmpdir                 create the run directory $IT_DIR (/tmp/ag-it.XXXXXX)
#   it_on_exit CMD            run CMD at exit (last registered runs first)
#   it_free_port              print a free TCP port on 127.0.0.1
#   it_wait_port PORT SECS    wait until 127.0.0.1:PORT accepts connections
#   it_wait_noport PORT SECS  wait until nothing listens on PORT
#   it_wait SECS CMD...       retry CMD every 0.1 s until it succeeds or SECS pass
#   it_token                  print a short unique token for marking messages
# Every wait is bounded; on timeout the functions return 1.

PATH=$PATH:/usr/sbin:/sbin
export PATH

IT_EXIT_CMDS=

# it_on_exit - register a command to run when the script exits
it_on_exit() {
	IT_EXIT_CMDS="$1
$IT_EXIT_CMDS"
}

# it_run_exit - run the registered exit commands (the EXIT trap)
it_run_exit() {
	_it_cmds=$IT_EXIT_CMDS
	IT_EXIT_CMDS=
	printf '%s\n' "$_it_cmds" | while IFS= read -r _it_cmd; do
		[ -n "$_it_cmd" ] && eval "$_it_cmd" >/dev/null 2>&1
	done
	return 0
}

# it_tmpdir - create the run directory and arrange for it to be removed
it_tmpdir() {
	IT_DIR=$(mktemp -d /tmp/ag-it.XXXXXX) || return 1
	chmod 755 "$IT_DIR"
	export IT_DIR
	trap 'it_run_exit' EXIT
	trap 'exit 130' INT TERM HUP PIPE
	if [ -n "${AG_IT_KEEP:-}" ]; then
		it_on_exit "echo '# kept $IT_DIR' >&2"
	else
		it_on_exit "rm -rf '$IT_DIR'"
	fi
}

# it_port_busy - true when something listens on 127.0.0.1:PORT or *:PORT
it_port_busy() {
	ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# it_free_port - a random free port in 20000-59999 not handed out before
it_free_port() {
	_it_i=0
	while [ $_it_i -lt 200 ]; do
		_it_p=$(( $(od -An -N2 -tu2 /dev/urandom) % 40000 + 20000 ))
		case " ${IT_PORTS_USED:-} " in
		*" $_it_p "*) ;;
		*)
			if ! it_port_busy "$_it_p"; then
				IT_PORTS_USED="${IT_PORTS_USED:-} $_it_p"
				echo "$_it_p"
				return 0
			fi
			;;
		esac
		_it_i=$((_it_i + 1))
	done
	return 1
}

# it_wait - retry a command every 0.1 s for at most SECS seconds
it_wait() {
	_it_tries=$(($1 * 10))
	shift
	while [ "$_it_tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		_it_tries=$((_it_tries - 1))
	done
	return 1
}

# it_wait_port - wait until a TCP port on 127.0.0.1 listens
it_wait_port() {
	it_wait "$2" it_port_busy "$1"
}

# it_port_free - true when nothing listens on PORT
it_port_free() {
	! it_port_busy "$1"
}

# it_wait_noport - wait until a TCP port is released
it_wait_noport() {
	it_wait "$2" it_port_free "$1"
}

# it_token - a short unique token
it_token() {
	printf 't%s%s\n' "$$" "$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
}
