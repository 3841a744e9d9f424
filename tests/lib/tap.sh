# tap.sh - tiny TAP producer for the integration scripts (POSIX sh).
#
# Interface: tap_ok DESC, tap_fail DESC [DIAG...], tap_check DESC CMD...,
# tap_is DESC GOT WANT, tap_like DESC TEXT PATTERN [DIAG...] (grep -E),
# tap_unlike,
# tap_skip DESC REASON, tap_diag TEXT, tap_done (prints the plan at the end),
# tap_bail REASON, tap_require_root, tap_require_tool TOOL...
#
# The plan is printed last, so a script that dies half way has no plan and
# the TAP driver reports it as an error. Missing tools or privileges skip the
# whole script for a developer, but fail it under CI (CI=true), where every
# dependency must be present.

TAP_N=0
TAP_FAILED=0

# tap_diag - print diagnostics, one "# " line per input line
tap_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# tap_ok - record a passing test point
tap_ok() {
	TAP_N=$((TAP_N + 1))
	printf 'ok %d - %s\n' "$TAP_N" "$1"
}

# tap_fail - record a failing test point, with optional diagnostics
tap_fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	printf 'not ok %d - %s\n' "$TAP_N" "$1"
	shift
	[ $# -gt 0 ] && tap_diag "$@"
	return 0
}

# tap_check - a test point that passes when the command succeeds
tap_check() {
	_tap_desc=$1
	shift
	if _tap_out=$("$@" 2>&1); then
		tap_ok "$_tap_desc"
	else
		tap_fail "$_tap_desc" "command failed: $*" "$_tap_out"
	fi
}

# tap_is - a test point comparing two strings
tap_is() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "got:  '$2'" "want: '$3'"
	fi
}

# tap_like - a test point passing when TEXT matches the extended regex;
# further arguments are extra diagnostics for a failure
tap_like() {
	_tap_desc=$1 _tap_text=$2 _tap_re=$3
	shift 3
	if printf '%s\n' "$_tap_text" | grep -Eq -- "$_tap_re"; then
		tap_ok "$_tap_desc"
	else
		tap_fail "$_tap_desc" "no match for /$_tap_re/ in: '$_tap_text'" "$@"
	fi
}

# tap_unlike - a test point passing when TEXT does not match the regex
tap_unlike() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		tap_fail "$1" "unexpected match for /$3/ in:" "$2"
	else
		tap_ok "$1"
	fi
}

# tap_skip - a skipped test point
tap_skip() {
	TAP_N=$((TAP_N + 1))
	printf 'ok %d - %s # SKIP %s\n' "$TAP_N" "$1" "$2"
}

# tap_done - print the plan and a summary. The "not ok" lines are the
# failures; the exit status stays 0 so the TAP driver does not count them
# a second time as an error.
tap_done() {
	printf '1..%d\n' "$TAP_N"
	[ "$TAP_FAILED" -eq 0 ] || tap_diag "$TAP_FAILED of $TAP_N test points failed"
	return 0
}

# tap_bail - stop the whole run: the harness itself is broken
tap_bail() {
	printf 'Bail out! %s\n' "$*"
	exit 1
}

# tap_skip_all - skip the script (developer runs only; CI fails instead)
tap_skip_all() {
	if [ "${CI:-}" = true ]; then
		tap_bail "required under CI: $*"
	fi
	printf '1..0 # SKIP %s\n' "$*"
	exit 0
}

# tap_require_root - the real-parts tests run Postfix, so they need root
tap_require_root() {
	[ "$(id -u)" = 0 ] || tap_skip_all "must run as root (real Postfix instance)"
}

# tap_require_tool - every named program must be on PATH (or /usr/sbin)
tap_require_tool() {
	for _tap_tool in "$@"; do
		command -v "$_tap_tool" >/dev/null 2>&1 ||
			tap_skip_all "missing tool: $_tap_tool (tests/lib/install-deps.sh installs it)"
	done
}
