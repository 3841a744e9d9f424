#!/bin/sh
# from-header.sh - the From field's structure through a real Postfix:
# from.missing, from.multiple, from.multiple-mailboxes and hostile variants
# of from.invalid, plus lookalikes that must still pass.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "$IT_LIB/dns.sh"
dns_it_begin example

ag_table_write <<'EOT'
verified.example
xn--bcher-kva.example
EOT
it_dns_publish_table || tap_bail "cannot publish the zone example."
it_config "Mode enforce"
it_milter_start

ENV=bounces@verified.example
HDRS='To: rcpt@dest.ag-it.test
Subject: from header test
Date: Thu, 01 Jan 2026 00:00:00 +0000
Message-ID: <x@verified.example>'

# send_from - send the standard headers plus the given From line(s)
send_from() {
	it_send_raw "$ENV" "$1
$HDRS"
}

# Lookalikes that are one valid mailbox pass.
send_from 'From: "Shop, Inc." <news@verified.example>'
it_expect_reply "quoted display name with a comma passes" '^250 '
send_from 'From: Shop
 <news@verified.example>'
it_expect_reply "folded From field (CRLF + space) passes" '^250 '
send_from 'From: news@verified.example (the news desk)'
it_expect_reply "addr-spec with a trailing comment passes" '^250 '

# from.missing
it_send_raw "$ENV" "$HDRS"
it_expect_reply "no From field: 550 from.missing" '^550 5\.7\.1 .*from\.missing'
it_expect_log "from.missing is logged" 'verdict=reject .*reasons=from\.missing'

# from.multiple
send_from 'From: news@verified.example
From: news@verified.example'
it_expect_reply "two From fields: 550 from.multiple" '^550 5\.7\.1 .*from\.multiple( |,|\))'

# "From :" (white space before the colon) is a From field too.
send_from 'From: news@verified.example
From : ceo@attacker.example'
it_expect_reply "From plus 'From :' field: 550 from.multiple" '^550 5\.7\.1 .*from\.multiple( |,|\))'
send_from 'From : ceo@attacker.example'
it_expect_reply "a lone 'From :' field is judged, not ignored" '^550 5\.7\.1 .*from\.unverified'

# from.multiple-mailboxes
send_from 'From: news@verified.example, ceo@verified.example'
it_expect_reply "two mailboxes in From: 550 from.multiple-mailboxes" '^550 5\.7\.1 .*from\.multiple-mailboxes'

# from.invalid: hostile variants.
send_from 'From: Team: news@verified.example;'
it_expect_reply "group syntax: 550 from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: "ceo@bank.example" <news@verified.example>'
it_expect_reply "display name holding another domain's address: from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: =?utf-8?q?ceo=40bank=2Eexample?= <news@verified.example>'
it_expect_reply "encoded-word display name hiding an address: from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: =?utf-8?q?news=40verified=2Eexample?='
it_expect_reply "encoded-word as the address: from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: <@relay.example:news@verified.example>'
it_expect_reply "route-addr: from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: news@verified.example
Subject: hi
 From: ceo@attacker.example'
it_expect_reply "continuation line smuggling a From: from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: news@verified.example<LF> ceo@attacker.example'
it_expect_reply "bare-LF folding adding a second address: from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: news@verified.example<LF>From: ceo@attacker.example'
it_expect_reply "bare LF starting a second From: from.multiple" '^550 5\.7\.1 .*from\.multiple( |,|\))'
send_from 'From: news@verified.example<CR>From: ceo@attacker.example'
it_expect_reply "bare CR inside From: from.invalid" '^550 5\.7\.1 .*from\.invalid'
send_from 'From: "news@verified.example <ceo@attacker.example>'
it_expect_reply "unbalanced quote: from.invalid" '^550 5\.7\.1 .*from\.invalid'

# Internationalised domains: compared in A-label form.
it_send_raw b@xn--bcher-kva.example "From: info@bücher.example
$HDRS"
it_expect_reply "U-label From domain matches the table's A-label" '^250 '
it_send_raw b@xn--bcher-kva.example "From: info@xn--bcher-kva.example
$HDRS"
it_expect_reply "A-label From domain matches the table" '^250 '
send_from 'From: news@vеrified.example'
it_expect_reply "homograph (Cyrillic e) of a verified domain is refused" '^550 5\.7\.1 .*from\.(unverified|invalid)'
send_from 'From: news@xn--verified-a.example'
it_expect_reply "fake A-label (no round trip to itself): from.invalid" '^550 5\.7\.1 .*from\.invalid'

# A NUL never reaches the milter: Postfix refuses it (message_reject_characters).
send_from 'From: news@verified.example<NUL>ceo@attacker.example'
it_expect_reply "NUL in a header is refused by Postfix" '^5[0-9][0-9] '
it_expect_no_delivery "message with a NUL is not delivered"

tap_done
