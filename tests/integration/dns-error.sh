#!/bin/sh
# dns-error.sh - a verified domain whose DNS facts must be checked while DNS
# does not answer (the configured name server is a closed loopback port):
# OnDNSError decides, DNS trouble is 451 4.4.3, and a message that fails a
# check needing no DNS is still refused for that reason.
. "${top_srcdir:-.}/tests/lib/harness.sh"
it_begin

DEAD=$(it_free_port) || tap_bail "no free port"
ag_table_write <<'EOT'
signed.example   selectors=s1
EOT
ag_config_write "Mode enforce" "Nameservers 127.0.0.1:$DEAD" "DNSTimeout 2s" "DNSRetries 0"
it_milter_start

it_send --from b@signed.example --h-From: x@signed.example
it_expect_reply "DNS down, domain never checked: 451 4.4.3 dns.temperror" '^451 4\.4\.3 .*dns\.temperror'
it_expect_log "the DNS failure is logged with its reason" 'verdict=tempfail .*reasons=dns\.temperror'
it_expect_no_delivery "the message waits for DNS, it is not delivered unchecked"

it_send --from b@elsewhere.example --h-From: x@signed.example
it_expect_reply "a check needing no DNS still decides: 550 mailfrom.unaligned" '^550 5\.7\.1 .*mailfrom\.unaligned'

it_send --from b@unlisted.example --h-From: x@unlisted.example
it_expect_reply "an unverified From needs no DNS: 550 from.unverified" '^550 5\.7\.1 .*from\.unverified'
it_expect_log "and is decided without waiting for DNS" 'verdict=reject .*dns_ms=0 '

it_reconfigure "Mode enforce" "Nameservers 127.0.0.1:$DEAD" "DNSTimeout 2s" \
	"DNSRetries 0" "OnDNSError tag"
it_send --from b@signed.example --h-From: x@signed.example
it_expect_reply "OnDNSError tag: the message is accepted" '^250 '
it_expect_header "OnDNSError tag: tagged with dns.temperror" '^fail reasons=dns\.temperror from-domain=signed\.example'

it_reconfigure "Mode monitor" "Nameservers 127.0.0.1:$DEAD" "DNSTimeout 2s" \
	"DNSRetries 0"
it_send --from b@signed.example --h-From: x@signed.example
it_expect_reply "monitor mode: DNS trouble does not defer the message" '^250 '
it_expect_header "monitor mode: tagged would=tempfail" '^fail reasons=dns\.temperror .*would=tempfail'

tap_done
