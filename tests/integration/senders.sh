#!/bin/sh
# senders.sh - who may send as a verified domain, through a real Postfix:
# from.unverified (table, subdomains=, addresses=), from.not-authorized
# (accounts= against the SASL login), replyto.missing, mailfrom.unaligned,
# mailfrom.not-send-domain, NullSender and ApplyTo.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
dns_it_begin example

ag_table_write <<'EOT'
verified.example   send-domain=bounce.verified.example
shop.example       accounts=shop,api
sub.example        subdomains=yes
noreply.example    reply-to=required
addr.example       addresses=info,news*
EOT
it_dns_publish_table || tap_bail "cannot publish the zone example."
it_config "Mode enforce"
it_milter_start

AUTH_SHOP="--auth PLAIN --auth-user shop --auth-password secret-shop"
AUTH_API="--auth LOGIN --auth-user api --auth-password secret-api"
AUTH_MALLORY="--auth PLAIN --auth-user mallory --auth-password secret-mallory"

# from.unverified
it_send --from x@unlisted.example --h-From: x@unlisted.example
it_expect_reply "From domain not in the table: 550 from.unverified" '^550 5\.7\.1 .*from\.unverified'
it_expect_log "the log names the domains and the client" \
	'verdict=reject .*from_domain=unlisted\.example mailfrom_domain=unlisted\.example client=127\.0\.0\.1'

# subdomains=
it_send --from b@eu.sub.example --h-From: x@eu.sub.example
it_expect_reply "subdomains=yes verifies a sub-domain" '^250 '
it_send --from b@eu.verified.example --h-From: x@eu.verified.example
it_expect_reply "without subdomains=yes a sub-domain is unverified" '^550 5\.7\.1 .*from\.unverified'

# addresses=
it_send --from b@addr.example --h-From: info@addr.example
it_expect_reply "addresses=: a listed local part passes" '^250 '
it_send --from b@addr.example --h-From: newsletter@addr.example
it_expect_reply "addresses=: a local part matching news* passes" '^250 '
it_send --from b@addr.example --h-From: ceo@addr.example
it_expect_reply "addresses=: an unlisted local part is from.unverified" '^550 5\.7\.1 .*from\.unverified'

# accounts= against the SASL login
it_send --from b@shop.example --h-From: orders@shop.example $AUTH_SHOP
it_expect_reply "accounts=: login shop may send (AUTH PLAIN)" '^250 '
it_expect_log "the log names the SASL login" 'verdict=pass .*login=shop( |$)'
it_send --from b@shop.example --h-From: orders@shop.example $AUTH_API
it_expect_reply "accounts=: login api may send (AUTH LOGIN)" '^250 '
it_send --from b@shop.example --h-From: orders@shop.example $AUTH_MALLORY
it_expect_reply "accounts=: login mallory gets 550 from.not-authorized" '^550 5\.7\.1 .*from\.not-authorized'
it_expect_log "from.not-authorized is logged with the login" 'verdict=reject .*reasons=from\.not-authorized .*login=mallory'
it_send --from b@shop.example --h-From: orders@shop.example
it_expect_reply "accounts=: no login at all is from.not-authorized" '^550 5\.7\.1 .*from\.not-authorized'
it_send --from b@bounce.verified.example --h-From: x@verified.example $AUTH_MALLORY
it_expect_reply "a domain without accounts= accepts any login" '^250 '

# reply-to=required
it_send --from b@noreply.example --h-From: no-reply@noreply.example
it_expect_reply "reply-to=required without Reply-To: 550 replyto.missing" '^550 5\.7\.1 .*replyto\.missing'
it_send --from b@noreply.example --h-From: no-reply@noreply.example \
	--header "Reply-To: support@noreply.example"
it_expect_reply "reply-to=required with a Reply-To passes" '^250 '

# Return-path alignment and the send domain.
it_send --from b@bounce.verified.example --h-From: x@verified.example
it_expect_reply "return-path in the send domain passes" '^250 '
it_send --from b@other.example --h-From: x@verified.example
it_expect_reply "unaligned return-path: 550 mailfrom.unaligned" '^550 5\.7\.1 .*mailfrom\.unaligned'
it_expect_log "mailfrom.unaligned names both domains" \
	'reasons=mailfrom\.unaligned[a-z.,-]* from_domain=verified\.example mailfrom_domain=other\.example'
it_send --from b@mail.verified.example --h-From: x@verified.example
it_expect_reply "aligned but not the send domain: mailfrom.not-send-domain" '^550 5\.7\.1 .*mailfrom\.not-send-domain'
it_send --from b@unlisted.example --h-From: x@verified.example $AUTH_MALLORY \
	--header "Reply-To: a@b.example"
it_expect_reply "return-path checks apply to authenticated mail too" '^550 5\.7\.1 .*mailfrom\.unaligned'

# NullSender accept (default): the return-path checks are skipped for <>,
# the From field is still judged.
it_send --from '<>' --h-From: mailer-daemon@verified.example
it_expect_reply "NullSender accept: <> with a verified From passes" '^250 '
it_send --from '<>' --h-From: mailer-daemon@unlisted.example
it_expect_reply "NullSender accept: <> with an unverified From is rejected" '^550 5\.7\.1 .*from\.unverified'
it_reconfigure "Mode enforce" "NullSender check"
it_send --from '<>' --h-From: mailer-daemon@verified.example
it_expect_reply "NullSender check: <> is a return-path not aligned" '^550 5\.7\.1 .*mailfrom\.unaligned'

# ApplyTo authenticated: only SASL-authenticated mail is judged.
it_reconfigure "Mode enforce" "ApplyTo authenticated"
it_send --from x@unlisted.example --h-From: x@unlisted.example
it_expect_reply "ApplyTo authenticated: unauthenticated mail is not judged" '^250 '
it_expect_log "ApplyTo authenticated: the skip is logged" 'verdict=skip'
it_send --from x@unlisted.example --h-From: x@unlisted.example $AUTH_MALLORY
it_expect_reply "ApplyTo authenticated: authenticated mail is judged" '^550 5\.7\.1 .*from\.unverified'

tap_done
