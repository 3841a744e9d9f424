#!/bin/sh
# dns_state.sh - the per-domain DNS state against real DNS servers: a domain
# that passed keeps passing while its DNS is down (resolver stopped, then
# the authoritative server stopped), a never-seen domain meets the outage
# (or its own name servers' silence) with 451 4.4.3, a key deleted while the daemon runs turns the domain to
# fail (logged as a state change, mail refused after the refresh) and back
# to pass when it is restored, and the end of DNSGracePeriod turns a held
# pass into dns.temperror.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
. "$IT_LIB/dkimkeys.sh"
dns_it_begin
tap_require_tool openssl

K=$IT_DIR/keys
mkdir -p "$K" && chmod 700 "$K"
dk_genkey "$K/s1.pem" 2048 || tap_bail "cannot make a key"
KEYLINE=$(dk_dkim_txt s1._domainkey.stable.test. "$K/s1.pem")
dns_zone_add "$KEYLINE" '_dmarc.stable.test. IN TXT "v=DMARC1; p=quarantine"' \
	"$(dk_dkim_txt s1._domainkey.fresh.test. "$K/s1.pem")" \
	'_dmarc.fresh.test. IN TXT "v=DMARC1; p=quarantine"'
dns_zone_load || tap_bail "cannot load the zone"

ag_table_write <<EOT
stable.test   selectors=s1
fresh.test    selectors=s1
gone.dead.test selectors=s1
EOT
dns_config_write "Mode enforce"
it_milter_start

# send D - a message From and MAIL FROM the domain D
send() {
	it_send --from "bounces@$1" --h-From: "News <news@$1>"
}

# stats - the daemon's resolver counters (SIGUSR1), one line
stats() {
	_m=$(ag_log_mark)
	kill -USR1 "$AG_PID"
	ag_log_wait "$_m" 'event=stats dns_queries=' 10
}

# failures STATS - DNS failures counted in a stats line
failures() {
	printf '%s\n' "$1" | tr ' ' '\n' |
		awk -F= '$1 ~ /^dns_(timeouts|servfail|refused|other_failures)$/ { s += $2 }
		END { print s + 0 }'
}

send stable.test
it_expect_reply "DNS up: stable.test passes" '^250 '
it_expect_log "DNS up: the first message waited for its checks" 'verdict=pass .*from_domain=stable\.test'

# Outage 1: the resolver is down (nothing listens on its port).
before=$(failures "$(stats)")
dns_unbound_stop || tap_bail "cannot stop unbound"
sleep 3 # several refreshes (DNSRefreshMin 1s) meet the outage
after=$(failures "$(stats)")
tap_like "resolver down: the refreshes fail ($before -> $after DNS failures)" \
	"$((after - before))" '^[1-9]'
send stable.test
it_expect_reply "resolver down: stable.test, known good, still passes (grace)" '^250 '
it_expect_log "resolver down: logged as a pass without waiting for DNS" \
	'verdict=pass .*from_domain=stable\.test .*dns_ms=0 '
tap_unlike "resolver down: no state change is logged for stable.test" \
	"$(ag_log_since 0 | grep 'event=state-change domain=stable\.test' | grep -v 'from=pending')" '.'

start=$(date +%s)
send fresh.test
end=$(date +%s)
it_expect_reply "resolver down: never-seen fresh.test is deferred, 451 4.4.3" \
	'^451 4\.4\.3 .*dns\.temperror'
it_expect_log "resolver down: logged verdict=tempfail dns.temperror" \
	'verdict=tempfail .*reasons=dns\.temperror from_domain=fresh\.test'
tap_like "resolver down: the answer came within DNSTimeout (3 s; took $((end - start)) s)" \
	"$((end - start))" '^[0-4]$'
it_expect_no_delivery "resolver down: the deferred message is not delivered"

dns_unbound_start || tap_bail "cannot restart unbound"

# Outage 2: the authoritative server is down; Unbound times out, SERVFAIL.
dns_knot_stop || tap_bail "cannot stop knot"
dns_flush
before=$(dns_stat num.queries)
sleep 4
after=$(dns_stat num.queries)
# Unbound can only fail them (Knot down, its cache empty); whether the
# daemon gives up first or gets SERVFAIL depends on Unbound's timers
tap_like "authoritative down: the refreshes keep asking ($before -> $after queries at Unbound)" \
	"$((after - before))" '^([2-9]|[1-9][0-9]+)$'
send stable.test
it_expect_reply "authoritative down: stable.test still passes (grace)" '^250 '
it_expect_header "authoritative down: tagged pass" '^pass'
dns_knot_start || tap_bail "cannot restart knot"
dns_flush

# The key is deleted while the daemon runs.
mark=$(ag_log_mark)
dns_zone_del '^s1\._domainkey\.stable\.test\.$'
dns_zone_load || tap_bail "cannot load the zone"
tap_is "the key is gone from DNS" "$(dns_query s1._domainkey.stable.test TXT)" ""
line=$(ag_log_wait "$mark" 'event=state-change domain=stable\.test check=dkim:s1' 15)
tap_like "key deleted: state-change to=fail reason=dkim.key-missing logged" \
	"$line" 'event=state-change domain=stable\.test check=dkim:s1 from=pass to=fail reason=dkim\.key-missing'
send stable.test
it_expect_reply "key deleted: mail is refused after the refresh, 550 dkim.key-missing" \
	'^550 5\.7\.1 .*dkim\.key-missing'
it_expect_log "key deleted: logged verdict=reject for that reason alone" \
	'verdict=reject .*reasons=dkim\.key-missing from_domain=stable\.test '
it_expect_no_delivery "key deleted: the refused message is not delivered"

# The key comes back.
mark=$(ag_log_mark)
dns_zone_add "$KEYLINE"
dns_zone_load || tap_bail "cannot load the zone"
line=$(ag_log_wait "$mark" 'event=state-change domain=stable\.test check=dkim:s1' 15)
tap_like "key restored: state-change from=fail to=pass logged" \
	"$line" 'check=dkim:s1 from=fail to=pass reason=-'
send stable.test
it_expect_reply "key restored: stable.test accepted again" '^250 '
it_expect_header "key restored: tagged pass" '^pass dmarc=pass$'

# The grace period ends: a held pass becomes dns.temperror.
dns_config_write "Mode enforce" "DNSGracePeriod 3s"
tap_like "reload with DNSGracePeriod 3s" "$(ag_milter_reload)" 'event=reload '
mark=$(ag_log_mark)
dns_unbound_stop || tap_bail "cannot stop unbound"
send stable.test
it_expect_reply "grace period running: stable.test accepted" '^250 '
it_expect_log "grace period running: logged as a pass" 'verdict=pass .*from_domain=stable\.test '
line=$(ag_log_wait "$mark" 'event=state-change domain=stable\.test check=dkim:s1' 15)
tap_like "grace period over: state-change to=temperror logged" \
	"$line" 'check=dkim:s1 from=pass to=temperror reason=dns\.temperror'
send stable.test
it_expect_reply "grace period over: 451 4.4.3 dns.temperror" '^451 4\.4\.3 .*dns\.temperror'
mark=$(ag_log_mark)
dns_unbound_start || tap_bail "cannot restart unbound"
line=$(ag_log_wait "$mark" 'event=state-change domain=stable\.test check=dkim:s1' 15)
tap_like "DNS back: state-change from=temperror to=pass logged" \
	"$line" 'from=temperror to=pass'
send stable.test
it_expect_reply "DNS back: stable.test accepted" '^250 '
it_expect_header "DNS back: tagged pass" '^pass dmarc=pass$'

# A never-seen domain whose own name servers do not answer (Unbound's stub
# zone dead.test. points at a closed port): deferred within DNSTimeout.
# Last, as its checks then retry every second for the rest of the run.
start=$(date +%s)
send gone.dead.test
end=$(date +%s)
it_expect_reply "its name servers down: never-seen gone.dead.test is deferred, 451 4.4.3" \
	'^451 4\.4\.3 .*dns\.temperror'
tap_like "its name servers down: the answer came within DNSTimeout (3 s; took $((end - start)) s)" \
	"$((end - start))" '^[0-4]$'

tap_done
