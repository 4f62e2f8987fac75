#!/bin/sh
# make package-test: builds the .debs (make deb), unpacks keyport-server,
# keyport-tools and ONE TLS backend package into a throwaway root with
# dpkg -x (nothing is installed on the system), starts the packaged server
# with a TLS-only config on that backend and runs commands through the
# packaged keyport-cli --tls, then checks its SAVE with the packaged
# keyport-check-rdb. Prints "N passed, M failed".
#
# The packaged binaries look for transports in /usr/lib/keyport/transports
# (compiled in). As root with unshare and overlayfs, the throwaway root's
# /usr/lib is overlaid on /usr/lib in a private mount namespace, which tests
# that compiled-in path; otherwise the transports are found through the
# build-tree layout (<root>/usr/transports/NAME/), symlinked in the root.
# PACKAGE_TEST_NO_BUILD=1 reuses build/deb/.
cd "$(dirname "$0")/.." || exit 1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "[ok] $1"; }
ko() { fail=$((fail + 1)); echo "[FAIL] $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/    /'; }

if ! command -v dpkg-buildpackage >/dev/null 2>&1 || ! command -v dh >/dev/null 2>&1; then
    echo "package-test: dpkg-buildpackage or debhelper not installed, skipped"
    echo "0 passed, 0 failed"
    exit 0
fi
if [ "${PACKAGE_TEST_NO_BUILD:-0}" != 1 ]; then
    mkdir -p build
    if ! make --no-print-directory deb > build/deb.log 2>&1; then
        tail -30 build/deb.log
        ko "make deb (log: build/deb.log)"
        echo "$pass passed, $fail failed"
        exit 1
    fi
    rm -f build/deb.log
fi
ok "make deb"
ver=$(sed -n 's/^#define KEYPORT_VERSION "\(.*\)"/\1/p' src/server.h)
deb() { ls build/deb/"$1"_"$ver"_*.deb 2>/dev/null | head -1; }

# Dependencies of the split (from the .debs themselves).
srv_dep=$(dpkg-deb -f "$(deb keyport-server)" Depends)
case "$srv_dep" in
    *libssl* | *gnutls*) ko "keyport-server depends on a TLS library" "$srv_dep" ;;
    *) ok "keyport-server does not depend on libssl or libgnutls" ;;
esac
case "$(dpkg-deb -f "$(deb keyport-server)" Provides)" in
    *keyport-transport-abi-1*) ok "keyport-server provides keyport-transport-abi-1" ;;
    *) ko "keyport-server lacks Provides: keyport-transport-abi-1" ;;
esac
for b in openssl gnutls; do
    lib=libssl; [ $b = gnutls ] && lib=libgnutls
    d=$(dpkg-deb -f "$(deb keyport-transport-$b)" Depends)
    case "$d" in
        *keyport-transport-abi-1*$lib* | *$lib*keyport-transport-abi-1*) ok "keyport-transport-$b depends on $lib and the ABI" ;;
        *) ko "keyport-transport-$b dependencies" "$d" ;;
    esac
done

work=$(mktemp -d /tmp/keyport-package-test.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$work/server.key" -out "$work/server.crt" >/dev/null 2>&1 ||
    { ko "openssl could not make a test certificate"; echo "$pass passed, $fail failed"; exit 1; }

use_overlay=0
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
    unshare --mount --propagation private sh -c \
        "mount -t overlay overlay -o lowerdir=$work:/usr/lib /usr/lib" 2>/dev/null; then
    use_overlay=1
fi

# run ROOT CMD...: CMD with ROOT's transports where the packages put them.
# Always called in a subshell (background job or command substitution): it
# execs, so that $! of a background run is the server itself and kill stops it.
run() {
    r=$1; shift
    if [ $use_overlay = 1 ]; then
        exec unshare --mount --propagation private sh -c \
            'mount -t overlay overlay -o lowerdir="$0/usr/lib:/usr/lib" /usr/lib && exec "$@"' "$r" "$@"
    else
        exec "$@"
    fi
}

for b in openssl gnutls; do
    root=$work/root-$b
    mkdir -p "$root"
    for p in keyport-server keyport-tools keyport-transport-$b; do dpkg -x "$(deb $p)" "$root"; done
    other=openssl; [ $b = openssl ] && other=gnutls
    if [ -e "$root/usr/lib/keyport/transports/keyport-$other.so" ]; then
        ko "$b root: keyport-transport-$b also shipped keyport-$other.so"
    fi
    if [ $use_overlay = 0 ]; then
        for t in tcp unix $b; do
            mkdir -p "$root/usr/transports/$t"
            ln -s "../../lib/keyport/transports/keyport-$t.so" "$root/usr/transports/$t/keyport-$t.so"
        done
    fi
    port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 ))
    sed -e "s/^# loadtransport $b\$/loadtransport $b/" -e 's/^port 6379$/port 0/' \
        -e "s/^# tls-port 6380\$/tls-port $port/" -e "s/^# tls-transport \"\".*/tls-transport $b/" \
        -e "s|^# tls-cert-file .*|tls-cert-file $work/server.crt|" \
        -e "s|^# tls-key-file .*|tls-key-file $work/server.key|" \
        -e 's/^# tls-auth-clients yes.*/tls-auth-clients no/' \
        -e "s|^dir /var/lib/keyport\$|dir $work|" \
        "$root/etc/keyport/keyport.conf" > "$root/etc/keyport/test.conf"
    run "$root" "$root/usr/bin/keyport-server" "$root/etc/keyport/test.conf" --dir "$work" \
        > "$work/server-$b.log" 2>&1 &
    pid=$!
    cli() ( run "$root" "$root/usr/bin/keyport-cli" -p "$port" --tls --tls-transport "$b" \
        --cacert "$work/server.crt" --sni localhost "$@"; )
    up=""
    for _ in $(seq 1 50); do
        up=$(cli PING 2>&1) && [ "$up" = PONG ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$up" = PONG ]; then ok "$b: packaged server answers PING over TLS"; else
        ko "$b: server did not answer over TLS" "$up
$(tail -5 "$work/server-$b.log")"; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""; continue; fi
    out=$(cli SET greeting "hello $b" 2>&1; cli GET greeting 2>&1)
    [ "$out" = "OK
hello $b" ] && ok "$b: SET then GET through keyport-cli --tls" || ko "$b: SET/GET" "$out"
    out=$(cli INFO server 2>&1 | tr -d '\r' | grep -c "^keyport_version\|^redis_version")
    [ "$out" -ge 1 ] && ok "$b: INFO server" || ko "$b: INFO server" "$(cli INFO server 2>&1 | head -5)"
    # The packaged file checkers accept the packaged server's snapshot.
    out=$(cli SAVE 2>&1; "$root/usr/bin/keyport-check-rdb" "$work/dump.rdb" 2>&1)
    case "$out" in
        OK*"RDB looks OK"*) ok "$b: SAVE, then the packaged keyport-check-rdb accepts dump.rdb" ;;
        *) ko "$b: SAVE and keyport-check-rdb" "$out" ;;
    esac
    out=$("$root/usr/bin/keyport-check-aof" --version 2>&1) &&
        ok "$b: packaged keyport-check-aof runs" || ko "$b: keyport-check-aof --version" "$out"
    out=$(run "$root" "$root/usr/bin/keyport-cli" -p "$port" PING 2>&1)
    [ "$out" != PONG ] && ok "$b: plaintext on the TLS port is refused" || ko "$b: plaintext PING answered on the TLS port"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=""
done
[ $use_overlay = 1 ] && echo "package-test: transports found at the packaged path (/usr/lib overlaid)" ||
    echo "package-test: transports found through the build-tree layout (no overlayfs)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
