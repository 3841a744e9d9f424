#!/bin/sh
# install-deps.sh - install what alignguard needs to build, test and run its
# demo on Debian 12 (run as root). Safe to run again: apt-get skips what is
# already installed.
set -e
if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root (it calls apt-get)" >&2
	exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks debconf questions on install; answer them up front.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string localhost" | debconf-set-selections
apt-get update -q
apt-get install -y -q --no-install-recommends \
	build-essential autoconf automake libtool pkg-config git ca-certificates \
	libmilter-dev libopendkim-dev libc-ares-dev libpsl-dev publicsuffix \
	libidn2-dev libssl-dev libcmocka-dev libyaml-dev \
	clang libclang-rt-14-dev valgrind \
	postfix swaks sasl2-bin libsasl2-modules jq \
	knot knot-dnsutils unbound dnsutils opendkim-tools miltertest \
	openssl procps iproute2 python3
