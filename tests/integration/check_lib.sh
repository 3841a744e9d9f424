# check_lib.sh - what the alignguard-check integration tests share (POSIX
# sh), over the harness's real DNS (tests/lib/dns.sh: Knot DNS serving
# "test." behind Unbound, and a "dead.test." nobody answers for) and its
# DKIM keys (tests/lib/dkimkeys.sh).
#
# Interface (after tap.sh and util.sh; it_tmpdir or it_begin first):
#   ck_dns_prereq            skip the script unless the tools are there
#   ck_dns_start             start the DNS servers; sets CK_NS
#   ck_begin                 prerequisites, run directory, DNS servers
#   ck_begin_matrix          ck_begin, the configuration (MinKeyBits 2048,
#                            OutboundAddresses $CK_OUTBOUND) and ck_matrix
#   ck_write_config LINE...  $CK_CONF: Domains $CK_TABLE, Nameservers
#                            Unbound, short timeouts, then each LINE
#   ck_write_table           $CK_TABLE from standard input
#   ck_run ARGS...           alignguard-check -c $CK_CONF ARGS: sets CK_OUT
#                            (stdout), CK_ERR (stderr), CK_RC (exit status)
#   ck_section DOMAIN        the lines of DOMAIN's report in $CK_OUT
#   ck_json_valid FILE       every line of FILE is valid against
#                            tests/schema/check.schema.json (jq; prints
#                            the problems, nothing when valid)
#   ck_has DESC TEXT STRING  a test point: TEXT holds STRING (no regex)
#   ck_matrix                keys, table and zone of one domain per reason
#                            (CK_KEYS: the key directory)
# Every wait is bounded; the servers stop when the script exits.

. "${top_srcdir:-.}/tests/lib/dns.sh"
. "${top_srcdir:-.}/tests/lib/dkimkeys.sh"

CK_BIN=${CK_BIN:-${top_builddir:-.}/alignguard-check}
CK_SCHEMA=${top_srcdir:-.}/tests/schema/check.schema.json
CK_OUTBOUND=192.0.2.10

# ck_dns_prereq - skip the script unless the servers and tools can run
ck_dns_prereq() {
	dns_prereq
	tap_require_tool openssl jq
	[ -x "$CK_BIN" ] || tap_bail "no alignguard-check at $CK_BIN (run make)"
}

# ck_dns_start - Knot behind Unbound
ck_dns_start() {
	dns_start || return 1
	CK_NS=$DNS_NS
}

# ck_begin - what every script without Postfix starts with
ck_begin() {
	ck_dns_prereq
	it_tmpdir || tap_bail "cannot create a temporary directory"
	ck_dns_start || tap_bail "cannot start Knot and Unbound"
	tap_diag "knot :$DNS_AUTH_PORT, unbound $CK_NS, run dir $IT_DIR"
}

# ck_begin_matrix - ck_begin, then the domains of every reason
ck_begin_matrix() {
	ck_begin
	ck_write_config "MinKeyBits 2048" "OutboundAddresses $CK_OUTBOUND"
	ck_matrix || tap_bail "cannot publish the test zone"
}

# ck_write_config - the configuration alignguard-check reads
ck_write_config() {
	CK_CONF=$IT_DIR/alignguard.conf
	CK_TABLE=$IT_DIR/domains
	{
		echo "Domains $CK_TABLE"
		echo "Nameservers $CK_NS"
		echo "DNSTimeout 3s"
		echo "DNSRetries 1"
		for _ck_line in "$@"; do
			printf '%s\n' "$_ck_line"
		done
	} >"$CK_CONF"
}

# ck_write_table - the verified-domain table, from standard input
ck_write_table() {
	cat >"$CK_TABLE"
}

# ck_run - run the CLI, keep its output and status
ck_run() {
	"$CK_BIN" -c "$CK_CONF" "$@" >"$IT_DIR/ck.out" 2>"$IT_DIR/ck.err"
	CK_RC=$?
	CK_OUT=$(cat "$IT_DIR/ck.out")
	CK_ERR=$(cat "$IT_DIR/ck.err")
}

# ck_section - the report lines of one domain (its head to the next head)
ck_section() {
	printf '%s\n' "$CK_OUT" | awk -v d="; $1: " '
		index($0, d) == 1 { on = 1; print; next }
		/^; [^ ]+: (PASS|FAIL|TEMPERROR)/ { on = 0 }
		/^; summary:/ { on = 0 }
		on { print }'
}

# The subset of JSON Schema (2020-12) the schema uses, as a jq program:
# $ref to #/$defs, type, enum, pattern, minimum, minLength, anyOf,
# required, properties, additionalProperties false, items. It prints one
# line per problem, "line N: path: problem".
CK_JQ_VALIDATE='
$schema[0] as $root
| def ck_type_ok($v; $t):
	($v | type) as $vt
	| $t == $vt or ($t == "integer" and $vt == "number" and ($v | floor) == $v);
def ck($s; $p):
	. as $v
	| if $s["$ref"] then
		ck($root["$defs"][$s["$ref"] | sub("^#/\\$defs/"; "")]; $p)
	  else
		(if $s.type then
			([$s.type] | flatten) as $ts
			| if any($ts[]; ck_type_ok($v; .)) then empty
			  else "\($p): \($v | type) where \($ts | join("|")) is wanted" end
		 else empty end),
		(if $s.enum then
			if any($s.enum[]; . == $v) then empty
			else "\($p): \($v | tojson) is not one of the allowed values" end
		 else empty end),
		(if $s.pattern and ($v | type) == "string" then
			if ($v | test($s.pattern)) then empty
			else "\($p): \($v | tojson) does not match \($s.pattern)" end
		 else empty end),
		(if $s.minLength and ($v | type) == "string" and ($v | length) < $s.minLength
		 then "\($p): shorter than \($s.minLength)" else empty end),
		(if $s.minimum != null and ($v | type) == "number" and $v < $s.minimum
		 then "\($p): below \($s.minimum)" else empty end),
		(if $s.anyOf then
			if [$s.anyOf[] as $alt | [$v | ck($alt; $p)] | length == 0]
			   | any then empty
			else "\($p): matches none of anyOf" end
		 else empty end),
		(if ($v | type) == "object" then
			(($s.required // [])[] as $k | select(($v | has($k)) | not)
			 | "\($p): \($k) is missing"),
			($v | to_entries[] | . as $e
			 | if ($s.properties // {}) | has($e.key) then
				$e.value | ck($s.properties[$e.key]; "\($p).\($e.key)")
			   elif $s.additionalProperties == false then
				"\($p): \($e.key) is not allowed"
			   else empty end)
		 else empty end),
		(if ($v | type) == "array" and $s.items then
			range(0; $v | length) as $i
			| $v[$i] | ck($s.items; "\($p)[\($i)]")
		 else empty end)
	  end;
inputs | ck($root; "line \(input_line_number): $")
'

# ck_json_valid - validate JSON lines against the schema with jq
ck_json_valid() {
	jq -n -r --slurpfile schema "$CK_SCHEMA" "$CK_JQ_VALIDATE" "$1" 2>&1
}

# ck_complete - the records a domain of the matrix passes with: key s1
# (file KEY), send domain bounce.D with MX and SPF, DMARC p=reject; the
# parts named in SKIP (dkim spf mx dmarc) are left out
ck_complete() {
	_ck_d=$1 _ck_key=$2 _ck_skip=" ${3:-} "
	case "$_ck_skip" in *" dkim "*) ;; *)
		dns_zone_add "$(dk_dkim_txt "s1._domainkey.$_ck_d." "$_ck_key")" ;;
	esac
	case "$_ck_skip" in *" mx "*) ;; *)
		dns_zone_add "bounce.$_ck_d. IN MX 10 mx.test." ;;
	esac
	case "$_ck_skip" in *" spf "*) ;; *)
		dns_zone_add "bounce.$_ck_d. IN TXT \"v=spf1 ip4:$CK_OUTBOUND -all\"" ;;
	esac
	case "$_ck_skip" in *" dmarc "*) ;; *)
		dns_zone_add "_dmarc.$_ck_d. IN TXT \"v=DMARC1; p=reject; rua=mailto:agg@$_ck_d\"" ;;
	esac
}

# ck_matrix - keys, table and zone of the domains every reason is shown
# with (one domain per reason, each complete but for its fault); prints
# nothing, sets CK_KEYS (the key directory)
ck_matrix() {
	CK_KEYS=$IT_DIR/keys
	mkdir -p "$CK_KEYS"
	for _ck_k in pass missing invalid revoked testing mismatch other \
		spffail spfmissing spfperm mxmissing dmarcmissing unaligned anysel; do
		dk_genkey "$CK_KEYS/$_ck_k.pem" 2048 || return 1
	done
	dk_genkey "$CK_KEYS/weak.pem" 1024 || return 1
	dns_zone_reset test
	dns_zone_add "mx.test. IN A 127.0.0.1"
	ck_complete pass.test "$CK_KEYS/pass.pem"
	ck_complete missing.test "$CK_KEYS/missing.pem" dkim
	ck_complete invalid.test "$CK_KEYS/invalid.pem" dkim
	dns_zone_add 's1._domainkey.invalid.test. IN TXT "v=DKIM1; k=rsa; p=!!not-base64!!"'
	ck_complete revoked.test "$CK_KEYS/revoked.pem" dkim
	dns_zone_add 's1._domainkey.revoked.test. IN TXT "v=DKIM1; k=rsa; p="'
	ck_complete weak.test "$CK_KEYS/weak.pem"
	ck_complete testing.test "$CK_KEYS/testing.pem" dkim
	dns_zone_add "$(dk_dkim_txt s1._domainkey.testing.test. "$CK_KEYS/testing.pem" "t=y; ")"
	ck_complete mismatch.test "$CK_KEYS/other.pem"
	ck_complete spffail.test "$CK_KEYS/spffail.pem" spf
	dns_zone_add 'bounce.spffail.test. IN TXT "v=spf1 ip4:198.51.100.7 -all"'
	ck_complete spfmissing.test "$CK_KEYS/spfmissing.pem" spf
	ck_complete spfperm.test "$CK_KEYS/spfperm.pem" spf
	dns_zone_add 'bounce.spfperm.test. IN TXT "v=spf1 ip4:192.0.2.10 moo:x -all"'
	ck_complete mxmissing.test "$CK_KEYS/mxmissing.pem" mx
	ck_complete dmarcmissing.test "$CK_KEYS/dmarcmissing.pem" dmarc
	ck_complete unaligned.test "$CK_KEYS/unaligned.pem"
	ck_complete anysel.test "$CK_KEYS/anysel.pem"
	dns_zone_add '_dmarc.nokeys.test. IN TXT "v=DMARC1; p=quarantine"'
	dns_zone_load test || return 1
	ck_write_table <<EOT
pass.test          send-domain=bounce.pass.test selectors=s1 keys=s1:$CK_KEYS/pass.pem
missing.test       send-domain=bounce.missing.test selectors=s1 keys=s1:$CK_KEYS/missing.pem
invalid.test       send-domain=bounce.invalid.test selectors=s1
revoked.test       send-domain=bounce.revoked.test selectors=s1 keys=s1:$CK_KEYS/revoked.pem
weak.test          send-domain=bounce.weak.test selectors=s1
testing.test       send-domain=bounce.testing.test selectors=s1 keys=s1:$CK_KEYS/testing.pem
mismatch.test      send-domain=bounce.mismatch.test selectors=s1 keys=s1:$CK_KEYS/mismatch.pem
spffail.test       send-domain=bounce.spffail.test selectors=s1
spfmissing.test    send-domain=bounce.spfmissing.test selectors=s1
spfperm.test       send-domain=bounce.spfperm.test selectors=s1
mxmissing.test     send-domain=bounce.mxmissing.test selectors=s1 mx=mx.test
dmarcmissing.test  send-domain=bounce.dmarcmissing.test selectors=s1
unaligned.test     send-domain=bounce.other.test selectors=s1
anysel.test        send-domain=bounce.anysel.test selectors=s1,s2 dkim=any
nokeys.test
tagged.test        send-domain=bounce.tagged.test selectors=s1 action=tag
monitored.test     send-domain=bounce.monitored.test selectors=s1 mode=monitor
gone.dead.test     selectors=s1
EOT
}

# ck_has - a test point passing when TEXT holds STRING (no regex)
ck_has() {
	if printf '%s\n' "$2" | grep -qF -- "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1" "no '$3' in:" "$2"
	fi
}
