#!/bin/sh
# check-agree.sh - "the check says OK" and "the milter lets it through"
# never disagree: for a matrix of domains (one per reason code, passing
# ones, DNS trouble, per-domain action= and mode=), alignguard-check's
# verdict (action, intended action, reason codes) equals the daemon's for
# a message From that domain with the return-path the check assumed, sent
# through a real Postfix, both reading the same configuration, table and
# DNS (Knot behind Unbound). Twice: with the defaults, and in monitor mode
# with RequireDMARCPass and other actions.
. "${top_srcdir:-.}/tests/lib/harness.sh"
. "${top_srcdir:-.}/tests/integration/check_lib.sh"

dns_it_begin
ck_dns_prereq
CK_NS=$DNS_NS
CK_CONF=$AG_CONF
CK_TABLE=$AG_TABLE
it_config "MinKeyBits 2048" "OutboundAddresses $CK_OUTBOUND"
ck_matrix || tap_bail "cannot publish the test zone"
it_milter_start

# cli_verdicts - "domain mailfrom action intended reasons" per domain
cli_verdicts() {
	"$CK_BIN" -c "$CK_CONF" --json "$@" 2>/dev/null | jq -r '
		[.domain, .mailfrom, .verdict.action, .verdict.intended,
		 (if (.verdict.reasons | length) == 0 then "-"
		  else .verdict.reasons | join(",") end)] | join(" ")'
}

# milter_verdict DOMAIN MAILFROM - "action intended reasons" of the daemon
milter_verdict() {
	it_send --from "bounces@$2" --h-From: "News <news@$1>" \
		--header "Reply-To: replies@$1"
	it_verdict | sed -n 's/.* action=\([a-z]*\) intended=\([a-z]*\) mode=[a-z]* reasons=\([^ ]*\) .*/\1 \2 \3/p'
}

# agree LABEL - compare every domain of the table and one unverified
agree() {
	cli_verdicts $(awk '!/^[ \t]*(#|$)/ { print $1 }' "$CK_TABLE") \
		unverified.test >"$IT_DIR/cli.txt"
	tap_is "$1: the check judged every domain" \
		"$(wc -l <"$IT_DIR/cli.txt" | tr -d ' ')" \
		"$(($(grep -cEv '^[[:space:]]*(#|$)' "$CK_TABLE") + 1))"
	while read -r _d _mf _cli; do
		tap_is "$1: $_d: the milter agrees ($_cli)" \
			"$(milter_verdict "$_d" "$_mf")" "$_cli"
	done <"$IT_DIR/cli.txt"
	for _a in "accept accept -" reject tempfail tag; do
		tap_like "$1: the matrix has a verdict '$_a'" \
			"$(awk '{ print $3, $4, $5 }' "$IT_DIR/cli.txt")" "$_a"
	done
}

agree "defaults"
it_reconfigure "MinKeyBits 2048" "OutboundAddresses $CK_OUTBOUND" \
	"Mode monitor" "RequireDMARCPass yes" "OnDMARC quarantine" \
	"OnSPF tempfail" "OnMX tag"
agree "monitor, RequireDMARCPass"

tap_done
