#!/bin/sh
# Installs what keyport's build and tests need on Debian 12, only what is
# missing. As root it runs apt-get; otherwise it prints the exact command.
# Set KEYPORT_NO_DEPS=1 to skip the check. `deps.sh build` checks only what
# building needs (the GNUmakefile runs it when a header is missing).
set -e
[ "${KEYPORT_NO_DEPS:-0}" = 1 ] && exit 0

BUILD_PKGS="build-essential pkg-config liblzf-dev libedit-dev libssl-dev libgnutls28-dev"
if [ "${1:-}" = build ]; then
    PKGS="$BUILD_PKGS"
else
    PKGS="$BUILD_PKGS libcunit1-dev tcl tcl-tls redis-server redis-tools python3-redis openssl \
gnutls-bin clang-format groff-base"
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: not a Debian system; install the equivalents of: $PKGS" >&2
    exit 0
fi

missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages:$missing" >&2
    echo "deps: run: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Debian starts an installed redis-server service on port 6379; keyport's
# tests need that port free for the default-config test, so stop it.
apt-get install -y -qq --no-install-recommends $missing >/dev/null
if command -v systemctl >/dev/null 2>&1; then systemctl stop redis-server 2>/dev/null || true; fi
if [ -x /etc/init.d/redis-server ]; then /etc/init.d/redis-server stop >/dev/null 2>&1 || true; fi
