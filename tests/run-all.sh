#!/bin/sh
# run-all.sh - the whole alignguard test suite, as the README's Quick start
# and CI run it (as root on Debian 12):
#   1. install the build and test dependencies (skip with AG_SKIP_DEPS=1),
#   2. build with -Werror and run `make check` (unit tests, SPF conformance,
#      fuzz-corpus replay),
#   3. `make check-integration`: a private Postfix and real DNS servers on
#      127.0.0.1 with the milter in front,
#   4. the unit tests again under valgrind,
#   5. a copy of the tree built with ASan+UBSan, `make check` there.
# It ends with one line: "N passed, N failed, N skipped" (test points of
# every stage added up) and exits non-zero when anything failed.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
jobs=$(nproc 2>/dev/null || echo 2)
logdir="$top/tests/logs"
rm -rf "$logdir"
mkdir -p "$logdir"
passed=0 failed=0 skipped=0

# count_stage NAME LOG - add a `make check` summary to the totals
count_stage() {
	p=$(sed -n 's/^# PASS: *\([0-9]*\)/\1/p' "$2" | tail -n 1)
	f=$(sed -n 's/^# FAIL: *\([0-9]*\)/\1/p' "$2" | tail -n 1)
	e=$(sed -n 's/^# ERROR: *\([0-9]*\)/\1/p' "$2" | tail -n 1)
	x=$(sed -n 's/^# XPASS: *\([0-9]*\)/\1/p' "$2" | tail -n 1)
	s=$(sed -n 's/^# SKIP: *\([0-9]*\)/\1/p' "$2" | tail -n 1)
	p=${p:-0} f=${f:-0} e=${e:-0} x=${x:-0} s=${s:-0}
	passed=$((passed + p))
	failed=$((failed + f + e + x))
	skipped=$((skipped + s))
	echo "== $1: $p passed, $((f + e + x)) failed, $s skipped"
}

# stage NAME DIR COMMAND... - run one stage, count it, a crash counts as a failure
stage() {
	name=$1 dir=$2
	shift 2
	log="$logdir/$name.log"
	echo "== $name: $*"
	(cd "$dir" && "$@") >"$log" 2>&1
	status=$?
	grep -E '^(PASS|FAIL|ERROR|XPASS|SKIP):' "$log" | grep -v '^PASS' || true
	if grep -q '^# TOTAL:' "$log"; then
		count_stage "$name" "$log"
		if [ $status -ne 0 ] && ! grep -qE '^# (FAIL|ERROR): *[1-9]' "$log"; then
			failed=$((failed + 1))
			echo "== $name: exited $status"; tail -n 30 "$log"
		fi
	elif [ $status -ne 0 ]; then
		failed=$((failed + 1))
		echo "== $name: FAILED (exit $status), last lines of $log:"
		tail -n 40 "$log"
	fi
	return $status
}

if [ "${AG_SKIP_DEPS:-0}" != 1 ]; then
	stage deps "$top" sh tests/lib/install-deps.sh || {
		echo "$passed passed, $failed failed, $skipped skipped"; exit 1; }
fi

build_ok=1
stage build "$top" sh -c "autoreconf -fi && ./configure --enable-werror && make -j$jobs" || build_ok=0
if [ $build_ok = 1 ]; then
	stage unit "$top" make -j"$jobs" check
	stage integration "$top" make check-integration
	stage valgrind "$top" make -j"$jobs" check-valgrind
fi

# The sanitizer build works on a copy so that it cannot disturb the tree.
asan="$top/_build/asan"
rm -rf "$asan"
mkdir -p "$asan"
(cd "$top" && git ls-files -co --exclude-standard | tar -cf - -T -) | tar -xf - -C "$asan"
if stage asan-build "$asan" sh -c "autoreconf -fi && ./configure --enable-sanitizers && make -j$jobs"; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		stage asan "$asan" make -j"$jobs" check
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
