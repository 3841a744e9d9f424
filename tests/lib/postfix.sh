# postfix.sh - a private Postfix instance on loopback for the integration
# tests (POSIX sh; run as root).
#
# The instance has its own config, queue and data directories under $IT_DIR,
# listens on 127.0.0.1:$PF_PORT only, relays every message to an smtp-sink on
# 127.0.0.1:$SINK_PORT which dumps each delivered message into $SINK_DIR, and
# authenticates SMTP clients with Cyrus SASL against a private sasldb. It
# never touches the system instance's queue, ports or configuration: the only
# system file it may create is a minimal /etc/postfix/main.cf when that file
# is missing (Postfix installed with "No configuration"), because the Postfix
# commands read the default main.cf before honouring -c.
#
# Interface:
#   pf_create MILTER_SOCKET   write the instance (ports, main.cf, master.cf, SASL)
#   pf_conf NAME=VALUE...     change main.cf (postconf -e)
#   pf_start / pf_stop / pf_reload
#   pf_add_user LOGIN PASSWORD  add a SASL account (realm $PF_REALM)
#   pf_send ARGS...           run swaks against the instance, print its transcript
#   pf_queued_id TRANSCRIPT   the queue id of an accepted message, or nothing
#   pf_queue_of QUEUEID       the queue (incoming/active/deferred/hold) holding it
#   pf_log                    the instance's mail log
#   sink_start / sink_stop    the smtp-sink receiving relayed mail
#   sink_wait TOKEN SECS      print the dump file containing TOKEN (bounded wait)
# On failure the functions print a reason on stderr and return 1.

PF_REALM=mta.ag-it.test

# pf_postconf - postconf for this instance
pf_postconf() {
	postconf -c "$PF_CONF" "$@"
}

# pf_conf - set main.cf parameters of this instance
pf_conf() {
	postconf -c "$PF_CONF" -e "$@"
}

# pf_default_maincf - give Postfix a default main.cf if the package left none
pf_default_maincf() {
	[ -f /etc/postfix/main.cf ] && return 0
	mkdir -p /etc/postfix
	cat >/etc/postfix/main.cf <<EOC
# Minimal main.cf written by the alignguard integration tests because the
# Postfix package was installed without a configuration. The system instance
# is not started by the tests; edit or replace this file freely.
compatibility_level = 3.6
inet_interfaces = loopback-only
mydestination =
EOC
	echo "# created a minimal /etc/postfix/main.cf" >&2
}

# pf_write_master - master.cf: smtpd on the private port, nothing chrooted
pf_write_master() {
	cat >"$PF_CONF/master.cf" <<EOC
# service      type  private unpriv chroot wakeup maxproc command
127.0.0.1:$PF_PORT inet n     -      n      -      -       smtpd
pickup         unix  n       -      n      60     1       pickup
cleanup        unix  n       -      n      -      0       cleanup
qmgr           unix  n       -      n      300    1       qmgr
rewrite        unix  -       -      n      -      -       trivial-rewrite
bounce         unix  -       -      n      -      0       bounce
defer          unix  -       -      n      -      0       bounce
trace          unix  -       -      n      -      0       bounce
verify         unix  -       -      n      -      1       verify
flush          unix  n       -      n      1000?  0       flush
proxymap       unix  -       -      n      -      -       proxymap
smtp           unix  -       -      n      -      -       smtp
relay          unix  -       -      n      -      -       smtp
showq          unix  n       -      n      -      -       showq
error          unix  -       -      n      -      -       error
retry          unix  -       -      n      -      -       error
discard        unix  -       -      n      -      -       discard
anvil          unix  -       -      n      -      1       anvil
scache         unix  -       -      n      -      1       scache
postlog        unix-dgram n  -      n      -      1       postlogd
EOC
}

# pf_write_main - main.cf of the instance
pf_write_main() {
	cat >"$PF_CONF/main.cf" <<EOC
# Private Postfix instance of the alignguard integration tests.
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
setgid_group = postdrop
myhostname = $PF_REALM
mydomain = ag-it.test
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
relay_domains =
local_recipient_maps =
local_transport = error:5.1.1 local delivery is disabled here
relayhost = [127.0.0.1]:$SINK_PORT
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated reject_unauth_destination
smtpd_peername_lookup = no
smtpd_error_sleep_time = 0s
in_flow_delay = 0s
notify_classes =
biff = no
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = /var, /dev/stdout, $PF_DIR
smtp_tls_security_level = none
smtpd_tls_security_level = none

# The milter, as docs/postfix.md recommends.
smtpd_milters = $1
non_smtpd_milters =
milter_protocol = 6
milter_default_action = tempfail
milter_connect_timeout = 5s
milter_command_timeout = 15s
milter_content_timeout = 30s
# Mail from 127.0.0.1 must reach the milter as sent: no From/Date/Message-ID
# added by cleanup, or a missing From could never be seen.
local_header_rewrite_clients =
# libmilter cuts header values at a NUL; refuse NUL before the milter runs.
message_reject_characters = \\0

# SMTP AUTH without TLS over loopback, Cyrus SASL with a private sasldb.
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $PF_CONF/sasl
smtpd_sasl_local_domain =
smtpd_sasl_security_options = noanonymous
smtpd_sasl_tls_security_options = noanonymous
smtpd_tls_auth_only = no
EOC
}

# pf_write_sasl - Cyrus SASL configuration of the smtpd service
pf_write_sasl() {
	mkdir -p "$PF_CONF/sasl"
	cat >"$PF_CONF/sasl/smtpd.conf" <<EOC
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $PF_DIR/sasldb2
EOC
}

# pf_create - write a complete private instance under $IT_DIR/postfix
pf_create() {
	PF_DIR=$IT_DIR/postfix
	PF_CONF=$PF_DIR/etc
	SINK_DIR=$PF_DIR/sink
	mkdir -p "$PF_CONF" "$PF_DIR/queue" "$PF_DIR/data" "$SINK_DIR" || return 1
	chmod 755 "$PF_DIR" "$PF_CONF" "$PF_DIR/queue"
	chown postfix "$PF_DIR/data" "$SINK_DIR"
	PF_PORT=$(it_free_port) && SINK_PORT=$(it_free_port) || return 1
	export PF_DIR PF_CONF PF_PORT SINK_PORT SINK_DIR
	pf_default_maincf
	pf_write_main "$1"
	pf_write_master
	pf_write_sasl
}

# pf_master_running - the instance's master process is alive
pf_master_running() {
	postfix -c "$PF_CONF" status >/dev/null 2>&1
}

# pf_start - start the instance and wait until its smtpd port listens
pf_start() {
	if ! _pf_out=$(postfix -c "$PF_CONF" start 2>&1); then
		echo "postfix start failed: $_pf_out" >&2
		return 1
	fi
	it_on_exit "pf_stop"
	it_wait_port "$PF_PORT" 20 || {
		echo "postfix: port $PF_PORT does not listen" >&2
		return 1
	}
}

# pf_stop - stop the instance (bounded: abort if stop does not finish)
pf_stop() {
	pf_master_running || return 0
	postfix -c "$PF_CONF" stop >/dev/null 2>&1
	it_wait 10 sh -c "! postfix -c '$PF_CONF' status" ||
		postfix -c "$PF_CONF" abort >/dev/null 2>&1
}

# pf_reload - re-read main.cf and master.cf
pf_reload() {
	postfix -c "$PF_CONF" reload >/dev/null 2>&1 || return 1
	# the master restarts its children lazily; new connections get them
	sleep 0.5
}

# pf_add_user - add a SASL account readable by the smtpd processes
pf_add_user() {
	printf '%s' "$2" | saslpasswd2 -f "$PF_DIR/sasldb2" -p -c -u "$PF_REALM" "$1" || return 1
	chown root:postfix "$PF_DIR/sasldb2"
	chmod 640 "$PF_DIR/sasldb2"
}

# pf_send - run swaks against the instance; extra arguments pass through
pf_send() {
	timeout 60 swaks --server "127.0.0.1:$PF_PORT" --timeout 40 \
		--helo client.ag-it.test --to rcpt@dest.ag-it.test "$@" 2>&1
}

# pf_queued_id - queue id from "250 2.0.0 Ok: queued as ID" in a transcript
pf_queued_id() {
	printf '%s\n' "$1" | sed -n 's/.*250 .*queued as \([0-9A-Za-z]*\).*/\1/p' | tail -n 1
}

# pf_queue_of - the queue holding a message (needs the queue id)
pf_queue_of() {
	postqueue -c "$PF_CONF" -j 2>/dev/null | grep "\"queue_id\": *\"$1\"" |
		sed -n 's/.*"queue_name": *"\([a-z]*\)".*/\1/p'
}

# pf_log - the instance's mail log
pf_log() {
	cat "$PF_DIR/maillog" 2>/dev/null
}

# sink_start - start smtp-sink dumping one file per delivered message
sink_start() {
	smtp-sink -u postfix -d "$SINK_DIR/%H%M%S." -h sink.ag-it.test \
		"127.0.0.1:$SINK_PORT" 64 >"$PF_DIR/sink.log" 2>&1 &
	SINK_PID=$!
	it_on_exit "sink_stop"
	it_wait_port "$SINK_PORT" 10 || {
		echo "smtp-sink did not start: $(cat "$PF_DIR/sink.log")" >&2
		return 1
	}
}

# sink_stop - stop the smtp-sink started by sink_start
sink_stop() {
	[ -n "${SINK_PID:-}" ] || return 0
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	SINK_PID=
}

# sink_find - the dump file containing a token, if delivered
sink_find() {
	grep -l -F -- "$1" "$SINK_DIR"/* 2>/dev/null | head -n 1 | grep .
}

# sink_wait - wait (bounded) for the delivery of the message carrying TOKEN
sink_wait() {
	it_wait "$2" sink_find "$1" || return 1
	sink_find "$1"
}
