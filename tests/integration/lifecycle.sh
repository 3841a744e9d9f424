#!/bin/sh
# lifecycle.sh - the daemon's life around Postfix: `-t` names file:line, a
# bad configuration refuses to start, SIGHUP reloads (a bad reload keeps the
# running rules and says why), SIGTERM stops cleanly, and a milter that is
# down makes Postfix temp-fail (milter_default_action = tempfail).
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
dns_it_begin example

ag_table_write <<'EOT'
verified.example
EOT
it_dns_publish_table || tap_bail "cannot publish the zone example."
it_config "Mode enforce"

# -t on good and bad files.
out=$(ag_check_config "$AG_CONF"); rc=$?
tap_is "alignguard -t accepts a good configuration (exit 0)" "$rc" 0
cat >"$AG_MDIR/bad.conf" <<EOC
# a configuration with two mistakes
Socket $AG_SOCKET
Domains $AG_TABLE
Frobnicate yes
Mode sometimes
EOC
out=$(ag_check_config "$AG_MDIR/bad.conf"); rc=$?
tap_is "alignguard -t rejects a bad configuration (exit 1)" "$rc" 1
tap_like "alignguard -t names the unknown key as file:line" "$out" 'bad\.conf:4:.*Frobnicate'
printf 'verified.example\nbroken.example colour=blue\n' >"$AG_MDIR/bad-table"
sed "s|^Domains .*|Domains $AG_MDIR/bad-table|" "$AG_CONF" >"$AG_MDIR/bad-table.conf"
out=$(ag_check_config "$AG_MDIR/bad-table.conf"); rc=$?
tap_is "alignguard -t rejects a bad domain table (exit 1)" "$rc" 1
tap_like "alignguard -t names the table's bad line as file:line" "$out" 'bad-table:2:.*colour'

# A bad configuration at start: the daemon refuses to run.
out=$(timeout 20 "$AG_BIN" -f -c "$AG_MDIR/bad.conf" 2>&1); rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && it_port_free "$AG_PORT"; then
	tap_ok "the daemon refuses to start with a bad configuration (exit $rc)"
else
	tap_fail "the daemon refuses to start with a bad configuration" "exit $rc" "$out"
fi
tap_like "the refusal names file:line" "$out" 'bad\.conf:4:'

# Start for real; a good message and an unverified one.
it_milter_start
tap_check "the daemon writes its pid file" test "$(cat "$AG_PIDFILE" 2>/dev/null)" = "$AG_PID"
it_send --from b@verified.example --h-From: x@verified.example
it_expect_reply "before reload: verified.example passes" '^250 '
it_send --from b@newly.example --h-From: x@newly.example
it_expect_reply "before reload: newly.example is unverified" '^550 5\.7\.1 .*from\.unverified'

# A good reload adds a domain.
printf 'verified.example\nnewly.example\n' >"$AG_TABLE"
it_dns_publish_table || tap_bail "cannot publish the zone example."
line=$(ag_milter_reload)
tap_like "SIGHUP reloads and logs it" "$line" 'event=reload .*domains=2'
it_send --from b@newly.example --h-From: x@newly.example
it_expect_reply "after reload: newly.example passes" '^250 '

# A bad reload keeps the running rules and says why.
printf 'verified.example\nnewly.example colour=blue\n' >"$AG_TABLE"
mark=$(ag_log_mark)
line=$(ag_milter_reload)
tap_like "a bad reload is refused and logged" "$line" 'event=reload-failed'
why=$(ag_log_since "$mark")
tap_like "the refused reload names the table's file:line" "$why" 'domains:2:.*colour'
it_send --from b@newly.example --h-From: x@newly.example
it_expect_reply "after a bad reload the old rules still pass newly.example" '^250 '
it_send --from b@unlisted.example --h-From: x@unlisted.example
it_expect_reply "after a bad reload the old rules still reject others" '^550 5\.7\.1 .*from\.unverified'
printf 'verified.example\nnewly.example\n' >"$AG_TABLE"
printf 'Mode sometimes\n' >>"$AG_CONF"
line=$(ag_milter_reload)
tap_like "a bad configuration at reload is refused too" "$line" 'event=reload-failed'
tap_check "the daemon survives refused reloads" ag_milter_alive
it_config "Mode enforce"

# SIGTERM: clean exit, pid file removed.
mark=$(ag_log_mark)
ag_milter_stop
tap_is "SIGTERM: the daemon exits with status 0" "$AG_EXIT" 0
tap_check "SIGTERM: the pid file is removed" test ! -e "$AG_PIDFILE"
tap_like "SIGTERM: the exit is logged" "$(ag_log_since "$mark")" 'event=exit'

# Milter down: Postfix temp-fails (milter_default_action = tempfail).
it_send --from b@verified.example --h-From: x@verified.example
it_expect_reply "milter down: Postfix answers 451 4.7.1" '^451 4\.7\.1 '
it_expect_no_delivery "milter down: nothing is delivered unchecked"

# Back up: mail flows again.
it_milter_start
it_send --from b@verified.example --h-From: x@verified.example
it_expect_reply "milter back: verified mail passes again" '^250 '

# A unix socket for the postfix group, the daemon running as nobody.
ag_milter_stop
AG_SOCKET=unix:$AG_MDIR/alignguard.sock
it_config "Mode enforce" "UserID nobody:postfix"
it_milter_start
tap_is "unix socket: mode 660, owned by the UserID group postfix" \
	"$(stat -c '%a %U:%G' "$AG_MDIR/alignguard.sock")" "660 nobody:postfix"
tap_is "UserID: the daemon dropped root" "$(ps -o user= -p "$AG_PID" | tr -d ' ')" nobody
pf_conf "smtpd_milters = unix:$AG_MDIR/alignguard.sock"
pf_reload
it_send --from b@verified.example --h-From: x@verified.example
it_expect_reply "unix socket: Postfix reaches the milter, verified mail passes" '^250 '
it_expect_header "unix socket: the message is tagged pass" '^pass( |$)'
it_send --from b@unlisted.example --h-From: x@unlisted.example
it_expect_reply "unix socket: unverified mail is rejected" '^550 5\.7\.1 .*from\.unverified'

tap_done
