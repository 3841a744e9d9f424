# harness.sh - one call sets up a test world: a private Postfix on loopback
# relaying to an smtp-sink, with alignguard as its milter (POSIX sh, root).
#
# Usage in a test script (run from `make check-integration`, which exports
# top_srcdir and top_builddir; both default to the current directory):
#   . "$top_srcdir/tests/lib/harness.sh"
#   it_begin                      # root, tools, temp dir, Postfix, sink
#   ag_table_write <<EOF ... EOF  # then it_config "Key value" lines
#   it_milter_start
#   it_send --from a@b.example --h-From: 'c@d.example'
#   it_expect_reply "desc" '^550 5\.7\.1 .*from\.unverified'
#   ...
#   tap_done
#
# Sending (each message carries a unique X-Test-Id token):
#   it_send SWAKS_ARGS...         a normal message built by swaks
#   it_send_raw ENVFROM HEADERS [SWAKS_ARGS...]  exact header block (one
#                                 header line per line; <LF>, <CR> and <NUL>
#                                 stand for a bare LF, a bare CR and a NUL)
#   After either: IT_OUT (transcript), IT_REPLY (the server's reply to the
#   message: to the final dot, or the first error), IT_QID (queue id when
#   queued), IT_TOKEN, IT_MARK (milter log position before sending).
# Expectations (each one TAP test point, with diagnostics on failure):
#   it_expect_reply DESC REGEX    IT_REPLY matches
#   it_expect_log DESC REGEX      the milter's line for the message matches
#   it_expect_header DESC REGEX   the delivered message's X-AlignGuard
#                                 header(s), unfolded, one per line, match
#   it_expect_no_delivery DESC    nothing with the token reached the sink
#   it_expect_hold DESC           the message waits in the hold queue
# Helpers: it_verdict (print the log line), it_delivered_file,
#   it_tag_headers (print the X-AlignGuard values of the delivered message).
# With real DNS (. "$IT_LIB/dns.sh"; dns_it_begin example instead of
# it_begin): it_dns_publish_table publishes DMARC, MX and SPF records for
# the table's domains, it_config and it_reconfigure ask our resolver.

: "${top_srcdir:=.}"
: "${top_builddir:=.}"
IT_LIB=$top_srcdir/tests/lib
. "$IT_LIB/tap.sh"
. "$IT_LIB/util.sh"
. "$IT_LIB/postfix.sh"
. "$IT_LIB/milter.sh"

IT_RCPT=rcpt@dest.ag-it.test
IT_TOOLS="postfix postconf postqueue postsuper smtp-sink saslpasswd2 swaks ss timeout python3"

# it_world_up - temp dir, milter files, Postfix, sink and the SASL accounts
# shop, api and mallory (password secret-LOGIN); says why on stderr if not
it_world_up() {
	it_tmpdir || { echo "cannot create a temporary directory" >&2; return 1; }
	ag_milter_setup || { echo "cannot prepare the milter" >&2; return 1; }
	pf_create "inet:127.0.0.1:$AG_PORT" ||
		{ echo "cannot write the Postfix instance" >&2; return 1; }
	sink_start || { echo "cannot start smtp-sink" >&2; return 1; }
	pf_start || { echo "cannot start Postfix: $(pf_log | tail -n 5)" >&2; return 1; }
	for _it_login in shop api mallory; do
		pf_add_user $_it_login "secret-$_it_login" ||
			{ echo "saslpasswd2 failed" >&2; return 1; }
	done
}

# it_begin - check prerequisites and start Postfix and the sink
it_begin() {
	tap_require_root
	tap_require_tool $IT_TOOLS
	[ -x "$AG_BIN" ] || tap_bail "no alignguard binary at $AG_BIN (run make)"
	it_world_up || tap_bail "cannot set up Postfix and the sink (see the log)"
	tap_diag "run directory $IT_DIR: postfix 127.0.0.1:$PF_PORT," \
		"sink :$SINK_PORT, milter :$AG_PORT"
}

# it_milter_start - start the daemon with the current files or bail out
it_milter_start() {
	ag_milter_start || tap_bail "alignguard does not start: $(tail -n 5 "$AG_LOG")"
}

# it_config - write the configuration: through dns_config_write (our
# resolver, short DNS waits) when dns.sh started the DNS servers
it_config() {
	if [ -n "${DNS_NS:-}" ]; then
		dns_config_write "$@"
	else
		ag_config_write "$@"
	fi
}

# it_reconfigure - new configuration lines, then a restart (not a reload)
it_reconfigure() {
	it_config "$@"
	ag_milter_stop
	it_milter_start
}

# it_dns_publish_table - publish in ZONE (default example, served by
# dns.sh's dns_start) what a well-configured customer publishes for each
# domain of the table: a DMARC record, and for its send-domain= an MX and an
# SPF record. The zone's text starts over, then is loaded.
it_dns_publish_table() {
	_it_zone=${1:-example}
	dns_zone_reset "$_it_zone"
	awk '!/^[ \t]*(#|$)/ {
		print "D " $1
		for (i = 2; i <= NF; i++)
			if (sub(/^send-domain=/, "", $i)) print "S " $i
	}' "$AG_TABLE" >"$IT_DIR/publish.list"
	while read -r _it_kind _it_name; do
		case $_it_kind in
		D) dns_zone_add_to "$_it_zone" \
			"_dmarc.$_it_name. IN TXT \"v=DMARC1; p=reject\"" ;;
		S) dns_zone_add_to "$_it_zone" "$_it_name. IN MX 10 mx.$_it_name." \
			"$_it_name. IN TXT \"v=spf1 ip4:127.0.0.1 -all\"" ;;
		esac
	done <"$IT_DIR/publish.list"
	dns_zone_load "$_it_zone"
}

# it_reply_of - the reply to the message in a swaks transcript
it_reply_of() {
	awk '
	/^ -> \.\r?$/ { data = 1; next }
	data && /^<[-*~]+ +[0-9][0-9][0-9]/ {
		sub(/^<[-*~]+ +/, ""); print; found = 1; exit
	}
	!err && /^<\*\* +[0-9][0-9][0-9]/ { err = $0; sub(/^<\*\* +/, "", err) }
	END { if (!found && err != "") print err }
	' "$1"
}

# it_finish_send - common tail of it_send and it_send_raw
it_finish_send() {
	IT_OUT=$(cat "$IT_DIR/swaks.out")
	IT_REPLY=$(it_reply_of "$IT_DIR/swaks.out")
	IT_QID=$(pf_queued_id "$IT_OUT")
	IT_FILE=
}

# it_send - send one message built by swaks, marked with a fresh token
it_send() {
	IT_TOKEN=$(it_token)
	IT_MARK=$(ag_log_mark)
	pf_send --header "X-Test-Id: $IT_TOKEN" "$@" >"$IT_DIR/swaks.out"
	it_finish_send
}

# it_raw_message - header block (with <LF>/<CR>/<NUL>) + body, CRLF lines
it_raw_message() {
	{
		printf 'X-Test-Id: %s\n' "$IT_TOKEN"
		printf '%s\n' "$1"
		printf '\nbody of %s\n' "$IT_TOKEN"
	} | sed -e 's/$/\r/' -e 's/<LF>/\n/g' -e 's/<CR>/\r/g' -e 's/<NUL>/\x00/g'
	# swaks adds the CRLF after the final dot itself
	printf '.'
}

# it_send_raw - send an exact header block with the given envelope sender
it_send_raw() {
	IT_TOKEN=$(it_token)
	IT_MARK=$(ag_log_mark)
	_it_from=$1
	it_raw_message "$2" >"$IT_DIR/data.eml"
	shift 2
	pf_send --from "$_it_from" --data "@$IT_DIR/data.eml" --no-data-fixup \
		"$@" >"$IT_DIR/swaks.out"
	it_finish_send
}

# it_context - diagnostics for a failed expectation
it_context() {
	echo "transcript (end):"
	tail -n 12 "$IT_DIR/swaks.out" 2>/dev/null
	echo "milter log since the message:"
	ag_log_since "${IT_MARK:-0}" | tail -n 8
}

# it_expect_reply - the reply to the last message matches REGEX
it_expect_reply() {
	tap_like "$1" "$IT_REPLY" "$2" "$(it_context)"
}

# it_verdict - the milter's log line for the last message
it_verdict() {
	ag_log_verdict "$IT_MARK"
}

# it_expect_log - the milter's line for the last message matches REGEX
it_expect_log() {
	tap_like "$1" "$(it_verdict)" "$2" "$(it_context)"
}

# it_delivered_file - the sink's dump of the last message (waits 15 s)
it_delivered_file() {
	[ -n "$IT_FILE" ] || IT_FILE=$(sink_wait "$IT_TOKEN" 15) || IT_FILE=
	[ -n "$IT_FILE" ] && printf '%s\n' "$IT_FILE"
}

# it_headers_of - unfolded header fields named NAME (any case) of a file
it_headers_of() {
	awk -v want="$(printf '%s' "$2" | tr 'A-Z' 'a-z')" '
	function flush() {
		if (cur != "") {
			n = index(cur, ":")
			name = tolower(substr(cur, 1, n - 1))
			sub(/[ \t]+$/, "", name)
			if (name == want) {
				v = substr(cur, n + 1); sub(/^[ \t]+/, "", v); print v
			}
		}
		cur = ""
	}
	{ sub(/\r$/, "") }
	/^$/ { flush(); exit }
	/^[ \t]/ { cur = cur " " substr($0, 2); next }
	{ flush(); cur = $0 }
	END { flush() }
	' "$1"
}

# it_tag_headers - X-AlignGuard values of the delivered last message
it_tag_headers() {
	_it_f=$(it_delivered_file) || return 1
	it_headers_of "$_it_f" X-AlignGuard
}

# it_expect_header - the delivered message's tag header(s) match REGEX
it_expect_header() {
	if ! _it_f=$(it_delivered_file); then
		tap_fail "$1" "message $IT_TOKEN was not delivered" "$(it_context)"
		return 0
	fi
	tap_like "$1" "$(it_headers_of "$_it_f" X-AlignGuard)" "$2" "$(it_context)"
}

# it_expect_no_delivery - the last message never reached the sink
it_expect_no_delivery() {
	sleep 1
	if _it_f=$(sink_find "$IT_TOKEN"); then
		tap_fail "$1" "message $IT_TOKEN was delivered: $_it_f" "$(it_context)"
	else
		tap_ok "$1"
	fi
}

# it_expect_hold - the last message sits in Postfix's hold queue
it_expect_hold() {
	if [ -z "$IT_QID" ]; then
		tap_fail "$1" "message was not queued" "$(it_context)"
		return 0
	fi
	it_wait 10 it_in_hold "$IT_QID"
	_it_q=$(pf_queue_of "$IT_QID")
	if [ "$_it_q" = hold ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "queue of $IT_QID is '$_it_q', not hold" "$(it_context)"
	fi
}

# it_in_hold - whether a queue id is in the hold queue
it_in_hold() {
	[ "$(pf_queue_of "$1")" = hold ]
}
