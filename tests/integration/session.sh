#!/bin/sh
# session.sh - several messages over one SMTP connection (per-message state
# is reset), and reloads under traffic (no message lost or misjudged).
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
dns_it_begin example

ag_table_write <<'EOT'
verified.example   send-domain=bounce.verified.example
noreply.example    reply-to=required
shop.example       accounts=shop
EOT
it_dns_publish_table || tap_bail "cannot publish the zone example."
it_config "Mode enforce"
it_milter_start

SESSION=$top_srcdir/tests/integration/smtp-session.py
GOOD_ENV=b@bounce.verified.example
GOOD_FROM=news@verified.example

# session_run - run a session script, results in $IT_DIR/session.out
session_run() {
	timeout 300 python3 "$SESSION" "$PF_PORT" "$1" >"$IT_DIR/session.out" 2>"$IT_DIR/session.err"
}

# result_of - "CODE TEXT" of the message with a token
result_of() {
	awk -F '\t' -v t="$1" '$1 == t { print $2 " " $3 }' "$IT_DIR/session.out"
}

# expect_result - one test point per message of a session
expect_result() {
	_got=$(result_of "$2")
	if printf '%s\n' "$_got" | grep -Eq -- "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1" "reply '$_got' does not match /$3/" \
			"$(cat "$IT_DIR/session.err")" "$(tail -n 8 "$AG_LOG")"
	fi
}

# One connection, one login, messages whose state must not leak.
T='	'
cat >"$IT_DIR/session1" <<EOS
auth${T}shop${T}secret-shop
send${T}$GOOD_ENV${T}$GOOD_FROM||$GOOD_FROM${T}s1-twofrom
send${T}$GOOD_ENV${T}$GOOD_FROM${T}s1-good
send${T}x@noreply.example${T}a@noreply.example${T}s1-replyto${T}Reply-To: help@noreply.example
send${T}x@noreply.example${T}a@noreply.example${T}s1-noreplyto
rset${T}x@unaligned.example
send${T}$GOOD_ENV${T}$GOOD_FROM${T}s1-after-rset
send${T}x@unlisted.example${T}x@unlisted.example${T}s1-unverified
send${T}b@shop.example${T}orders@shop.example${T}s1-shop
send${T}$GOOD_ENV${T}-${T}s1-nofrom
send${T}$GOOD_ENV${T}$GOOD_FROM${T}s1-last
EOS
session_run "$IT_DIR/session1"
tap_diag "$(cat "$IT_DIR/session.out")"
expect_result "session msg 1: two From fields are rejected" s1-twofrom '^550 5\.7\.1 .*from\.multiple( |,|\))'
expect_result "session msg 2: the next message starts afresh and passes" s1-good '^250 '
expect_result "session msg 3: Reply-To present passes" s1-replyto '^250 '
expect_result "session msg 4: the previous Reply-To does not count" s1-noreplyto '^550 5\.7\.1 .*replyto\.missing'
expect_result "session msg 5: a RSET transaction leaves nothing behind" s1-after-rset '^250 '
expect_result "session msg 6: unverified From is rejected" s1-unverified '^550 5\.7\.1 .*from\.unverified'
expect_result "session msg 7: the login persists over the connection" s1-shop '^250 '
expect_result "session msg 8: no From field is from.missing" s1-nofrom '^550 5\.7\.1 .*from\.missing'
expect_result "session msg 9: the last message passes" s1-last '^250 '
f=$(sink_wait s1-last 15) || f=/dev/null
tap_like "session msg 9 is delivered tagged pass" \
	"$(it_headers_of "$f" X-AlignGuard | tr '\n' '|')" '^pass( [^|]*)?\|$'

# Reloads under traffic: two senders, 60 messages, six SIGHUPs meanwhile.
# Sender a keeps its connection for five messages, sender b reconnects for
# every message.
for who in a b; do
	i=0
	while [ $i -lt 15 ]; do
		printf 'send\t%s\t%s\tr-good-%s%d\n' "$GOOD_ENV" "$GOOD_FROM" $who $i
		printf 'send\tx@unlisted.example\tx@unlisted.example\tr-bad-%s%d\n' $who $i
		if [ $who = b ] || [ $((i % 5)) -eq 4 ]; then
			printf 'reconnect\n'
		fi
		i=$((i + 1))
	done >"$IT_DIR/traffic-$who"
done
mark=$(ag_log_mark)
timeout 300 python3 "$SESSION" "$PF_PORT" "$IT_DIR/traffic-a" >"$IT_DIR/traffic-a.out" 2>&1 &
sender_a=$!
timeout 300 python3 "$SESSION" "$PF_PORT" "$IT_DIR/traffic-b" >"$IT_DIR/traffic-b.out" 2>&1 &
sender_b=$!
n=0
while [ $n -lt 6 ]; do
	sleep 0.3
	# rewrite the table (same rules, new bytes) so every reload does work
	printf '# generation %d\n' $n >>"$AG_TABLE"
	kill -HUP "$AG_PID"
	n=$((n + 1))
done
wait $sender_a
wait $sender_b
cat "$IT_DIR/traffic-a.out" "$IT_DIR/traffic-b.out" >"$IT_DIR/traffic.out"
good=$(grep -c '^r-good-[ab][0-9]*	250	' "$IT_DIR/traffic.out")
bad=$(grep -c '^r-bad-[ab][0-9]*	550	5\.7\.1 .*from\.unverified' "$IT_DIR/traffic.out")
tap_is "reload under traffic: all 30 good messages accepted" "$good" 30
tap_is "reload under traffic: all 30 bad messages rejected as from.unverified" "$bad" 30
lines=$(ag_log_since "$mark" | grep -c 'verdict=')
tap_is "reload under traffic: one log line per message (60)" "$lines" 60
reloads=$(ag_log_since "$mark" | grep -c 'event=reload ')
if [ "$reloads" -ge 1 ] && [ "$reloads" -le 6 ]; then
	tap_ok "reload under traffic: reloads were logged ($reloads of 6 signals)"
else
	tap_fail "reload under traffic: reloads were logged" "$reloads reload lines" \
		"$(ag_log_since "$mark" | grep event=)"
fi
tap_check "reload under traffic: the daemon still runs" ag_milter_alive

tap_done
