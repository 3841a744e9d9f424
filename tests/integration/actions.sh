#!/bin/sh
# actions.sh - every action (accept, tag, quarantine, tempfail, reject), the
# pass tag, removal of forged tag headers, monitor mode and the per-domain
# overrides mode=, action= and alignment=, through a real Postfix.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
dns_it_begin example

ag_table_write <<'EOT'
# domain              attributes
verified.example      send-domain=bounce.verified.example
relaxed.example
tagged.example        action=tag
quarantined.example   action=quarantine
monitored.example     mode=monitor
enforced.example      mode=enforce
strict.example        alignment=strict
EOT
it_dns_publish_table || tap_bail "cannot publish the zone example."
it_config "Mode enforce" "OnUnverified reject" "OnMisaligned reject"
it_milter_start

good="--from bounces@bounce.verified.example --h-From: News<news@verified.example>"

# A verified, aligned message passes and is tagged "pass".
it_send $good
it_expect_reply "aligned message from a verified domain is accepted" '^250 '
it_expect_header "passing message carries X-AlignGuard: pass" '^pass( |$)'
it_expect_log "passing message is logged as verdict=pass" 'verdict=pass .*reasons=- from_domain=verified\.example mailfrom_domain=bounce\.verified\.example'

# Forged tag headers, in any case, are removed; ours is the only one left.
it_send_raw bounces@bounce.verified.example 'From: news@verified.example
To: rcpt@dest.ag-it.test
Subject: forged tags
X-AlignGuard: pass forged-1
x-alignguard: pass forged-2
X-ALIGNGUARD :pass forged-3'
it_expect_reply "message with forged tag headers is accepted" '^250 '
tap_like "incoming X-AlignGuard headers are removed, one pass tag remains" \
	"$(it_tag_headers | tr '\n' '|')" '^pass( [^|]*)?\|$'

# Default action for an unverified From: reject.
unverified="--from ceo@unlisted.example --h-From: ceo@unlisted.example"
it_send $unverified
it_expect_reply "reject: 550 5.7.1 naming from.unverified" '^550 5\.7\.1 .*from\.unverified'
it_expect_log "reject is logged with its reason" 'verdict=reject .*reasons=from\.unverified .*from_domain=unlisted\.example'
it_expect_no_delivery "rejected message is not delivered"

it_reconfigure "Mode enforce" "OnUnverified tempfail"
it_send $unverified
it_expect_reply "tempfail: 451 4.7.1 naming from.unverified" '^451 4\.7\.1 .*from\.unverified'
it_expect_no_delivery "temp-failed message is not delivered"

it_reconfigure "Mode enforce" "OnUnverified quarantine"
it_send $unverified
it_expect_reply "quarantine: the message is accepted" '^250 '
it_expect_hold "quarantine: the message waits in the hold queue"
it_expect_log "quarantine is logged" 'verdict=quarantine .*reasons=from\.unverified'
tap_like "quarantine: Postfix logs the milter's hold" \
	"$(pf_log | grep "$IT_QID: milter-hold")" 'milter triggers HOLD action'
postsuper -c "$PF_CONF" -H "$IT_QID" >/dev/null 2>&1
postqueue -c "$PF_CONF" -f >/dev/null 2>&1
it_expect_header "quarantine: released with postsuper -H, delivered with its tag" \
	'^fail reasons=from\.unverified from-domain=unlisted\.example'

it_reconfigure "Mode enforce" "OnUnverified tag"
it_send $unverified
it_expect_reply "tag: the message is accepted" '^250 '
it_expect_header "tag: fail header names reason and domains" \
	'^fail reasons=from\.unverified from-domain=unlisted\.example mailfrom-domain=unlisted\.example'

it_reconfigure "Mode enforce" "OnUnverified accept"
it_send $unverified
it_expect_reply "accept: the message is accepted" '^250 '
it_expect_log "accept still logs the failed check" 'verdict=accept .*reasons=from\.unverified'

# TagPass no: passing messages carry no header.
it_reconfigure "TagPass no"
it_send $good
if [ -n "$(it_delivered_file)" ] && [ -z "$(it_tag_headers)" ]; then
	tap_ok "TagPass no: a passing message carries no X-AlignGuard header"
else
	tap_fail "TagPass no: a passing message carries no X-AlignGuard header" \
		"headers: $(it_tag_headers)" "$(it_context)"
fi

# Monitor mode never refuses: it tags what enforce mode would have done.
it_reconfigure "Mode monitor" "OnUnverified reject" "OnMisaligned reject"
it_send $unverified
it_expect_reply "monitor mode accepts what enforce mode rejects" '^250 '
it_expect_header "monitor mode tags with the action it would have taken" \
	'^fail reasons=from\.unverified .*mode=monitor would=reject'
it_expect_log "monitor mode logs the intended action" 'verdict=tag .*intended=reject .*mode=monitor'

# mode=enforce on a domain line overrides a global Mode monitor.
it_send --from x@elsewhere.example --h-From: x@enforced.example
it_expect_reply "mode=enforce domain is rejected under global monitor" '^550 5\.7\.1 .*mailfrom\.unaligned'

# mode=monitor on a domain line overrides a global Mode enforce.
it_reconfigure "Mode enforce"
it_send --from x@elsewhere.example --h-From: x@monitored.example
it_expect_reply "mode=monitor domain is accepted under global enforce" '^250 '
it_expect_header "mode=monitor domain is tagged with would=reject" \
	'^fail reasons=mailfrom\.unaligned .*mode=monitor would=reject'

# action= on a domain line overrides the global action.
it_send --from x@elsewhere.example --h-From: x@tagged.example
it_expect_reply "action=tag domain: misaligned message is accepted" '^250 '
it_expect_header "action=tag domain: misaligned message is tagged" \
	'^fail reasons=mailfrom\.unaligned from-domain=tagged\.example mailfrom-domain=elsewhere\.example'
it_send --from x@elsewhere.example --h-From: x@quarantined.example
it_expect_hold "action=quarantine domain: misaligned message is held"

# alignment=strict on a domain line, relaxed globally.
it_send --from b@bounce.relaxed.example --h-From: x@relaxed.example
it_expect_reply "relaxed alignment accepts a sub-domain return-path" '^250 '
it_send --from b@bounce.strict.example --h-From: x@strict.example
it_expect_reply "alignment=strict domain rejects a sub-domain return-path" '^550 5\.7\.1 .*mailfrom\.unaligned'
it_send --from b@strict.example --h-From: x@strict.example
it_expect_reply "alignment=strict domain accepts the identical domain" '^250 '

# Alignment strict globally.
it_reconfigure "Alignment strict"
it_send --from b@bounce.relaxed.example --h-From: x@relaxed.example
it_expect_reply "Alignment strict rejects a sub-domain return-path" '^550 5\.7\.1 .*mailfrom\.unaligned'

# LogFormat json: one JSON object per message.
it_reconfigure "LogFormat json"
it_send $unverified
it_expect_log "LogFormat json writes the verdict as JSON" '\{"queue_id":"[^"]*","verdict":"reject",.*"reasons":"from\.unverified"'

tap_done
