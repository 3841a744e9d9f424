#!/bin/sh
# check-json.sh - `alignguard-check --json` against real DNS: one object
# per domain and line, every one valid against
# tests/schema/check.schema.json (checked with jq), with the stable field
# names and reason codes, and text from DNS escaped.
. "${top_srcdir:-.}/tests/lib/tap.sh"
. "${top_srcdir:-.}/tests/lib/util.sh"
. "${top_srcdir:-.}/tests/integration/check_lib.sh"

ck_begin_matrix
# a key record whose text has quotes, a backslash and non-ASCII octets
dns_zone_add 's1._domainkey.quote.test. IN TXT "v=DKIM1; k=d\"s\\\\a\195\169\255; p=abc"'
dns_zone_load test || tap_bail "cannot publish the test zone"
echo "quote.test selectors=s1" >>"$CK_TABLE"

J=$IT_DIR/check.json
"$CK_BIN" -c "$CK_CONF" --json >"$J" 2>"$IT_DIR/json.err"
tap_is "--json over the table exits 1 (failures)" "$?" 1
tap_is "one line per domain" "$(wc -l <"$J" | tr -d ' ')" 19
tap_is "every line is valid against the schema" "$(ck_json_valid "$J")" ""
tap_like "the summary goes to stderr" "$(cat "$IT_DIR/json.err")" \
	'^alignguard-check: summary: 19 domains'

# q FILTER: jq on the object of one domain
q() {
	jq -r --arg d "$1" "select(.domain == \$d) | $2" "$J"
}

tap_is "pass.test: status pass" "$(q pass.test .status)" pass
tap_is "pass.test: no reasons" "$(q pass.test '.verdict.reasons | length')" 0
tap_is "pass.test: the checks in order" \
	"$(q pass.test '[.checks[].name] | join(" ")')" \
	"table align send-domain dkim:s1 spf:bounce.pass.test mx:bounce.pass.test dmarc:pass.test dmarc-result"
tap_is "pass.test: predicted DMARC" "$(q pass.test .dmarc)" pass
tap_is "pass.test: entry line" "$(q pass.test .entry.line)" 1
tap_is "missing.test: verdict" \
	"$(q missing.test '[.status, .verdict.action, (.verdict.reasons | join(","))] | join(" ")')" \
	"fail reject dkim.key-missing"
tap_is "missing.test: the failed check's target" \
	"$(q missing.test '.checks[] | select(.state == "fail") | .target')" \
	"s1._domainkey.missing.test"
rec=$(q missing.test '.checks[] | select(.state == "fail") | .fix.records[0]')
ck_has "missing.test: the record to publish" "$rec" \
	"s1._domainkey.missing.test. IN TXT ( \"v=DKIM1; k=rsa; p=$(dk_pubkey "$CK_KEYS/missing.pem" | cut -c1-100)"
tap_is "monitored.test: tag, enforce would reject" \
	"$(q monitored.test '[.verdict.action, .verdict.intended, .verdict.mode] | join(" ")')" \
	"tag reject monitor"
tap_is "gone.dead.test: temperror" \
	"$(q gone.dead.test '[.status, (.verdict.reasons | join(","))] | join(" ")')" \
	"temperror dns.temperror"
tap_is "anysel.test: the warning" \
	"$(q anysel.test '.checks[] | select(.state == "warn") | [.name, .reason] | join(" ")')" \
	"dkim:s2 dkim.key-missing"
tap_is "quote.test: a record with quotes and 8-bit octets, valid JSON out" \
	"$(q quote.test '.checks[] | select(.name == "dkim:s1") | .reason')" \
	dkim.key-invalid

"$CK_BIN" -c "$CK_CONF" --json unknown.test >"$IT_DIR/one.json" 2>/dev/null
tap_is "an unverified domain: entry null, from.unverified" \
	"$(jq -r '[(.entry | tostring), .checks[0].reason, .checks[0].fix.table] | join(" ")' "$IT_DIR/one.json")" \
	"null from.unverified unknown.test send-domain=bounce.unknown.test selectors=s1"
tap_is "and valid against the schema" "$(ck_json_valid "$IT_DIR/one.json")" ""

# The validator itself finds what is wrong.
jq -c '.status = "great" | .checks[0].reason = "dkim.bad" | .extra = 1' \
	"$IT_DIR/one.json" >"$IT_DIR/bad.json"
bad=$(ck_json_valid "$IT_DIR/bad.json")
tap_like "the validator refuses an unknown status" "$bad" '\$\.status'
tap_like "the validator refuses an unknown reason" "$bad" 'checks\[0\]\.reason'
tap_like "the validator refuses an unknown field" "$bad" 'extra is not allowed'

tap_done
