#!/bin/sh
# Man page checks (make test-man):
#  - every page in man/ renders with groff -ww without a warning;
#  - the directive list of keyport.conf.5 matches the server's config table;
#  - the plugin example of keyport-transport.7 compiles and loads;
#  - every option a binary's --help prints is documented in its man page,
#    and every option its man page lists under OPTIONS is in --help.
# Skips (exit 0) when groff is not installed. Prints "N passed, M failed".
cd "$(dirname "$0")/.." || exit 1
if ! command -v groff >/dev/null 2>&1; then
    echo "manpages: groff not installed (apt-get install groff-base), skipped"
    exit 0
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "[ok] $1"; }
ko() { fail=$((fail + 1)); echo "[FAIL] $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/    /'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for page in man/*.[1-8]; do
    warn=$(LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$page" 2>&1)
    if [ -z "$warn" ]; then ok "$page renders without warnings"; else ko "$page: groff warnings" "$warn"; fi
done

if out=$(utils/gen-conf-man.sh --check src/keyport-server man/keyport.conf.5 2>&1); then
    ok "keyport.conf.5 lists every directive of the config table"
else
    ko "keyport.conf.5 directive list" "$out"
fi

# The example is stored roff-escaped between the EXAMPLE markers.
sed -n '/^\.\\" BEGIN EXAMPLE/,/^\.\\" END EXAMPLE/p' man/keyport-transport.7 | sed '1d;$d' |
    sed -e 's/\\(aq/'"'"'/g' -e 's/\\-/-/g' -e 's/^\\&//' -e 's/\\e/\\/g' > "$tmp/example.c"
if out=$(${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -fPIC -fvisibility=hidden \
    -shared -Wl,--no-undefined -Iinclude "$tmp/example.c" -o "$tmp/keyport-example.so" 2>&1) &&
    out=$(src/keyport-server --loadtransport "$tmp/keyport-example.so" --port 0 --test-config 2>&1); then
    ok "keyport-transport.7 example compiles and loads"
else
    ko "keyport-transport.7 example" "$out"
fi

# Options of a --help text: the first column of option lines ("  -x, --xx <arg>")
# and the usage lines ("Usage: prog [--opt]", "       prog --opt").
help_options() {
    "$1" --help 2>&1 | awk -v prog="$(basename "$1")" '
        /^(  |   |    )-/ { sub(/^ +/, ""); sub(/  .*/, ""); print; next }
        /^Usage:/ || $1 == prog { print }' |
        grep -oE '(^|[][ ,|(])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[^-]*//' | sort -u
}
# The man source with escapes removed, one logical line per line.
man_text() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\c$//' "$1"; }
# Tags of the .TP entries of the OPTIONS section.
man_options() {
    man_text "$1" | awk '/^\.SH/ { in_opt = ($2 == "OPTIONS") } in_opt && tag { print; tag = 0 } in_opt && /^\.TP/ { tag = 1 }' |
        grep -oE '(^|[ ,"])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^[^-]*//' | sort -u
}

# "program:fewest options its --help must show" (the file checkers have few).
for entry in keyport-server:3 keyport-cli:3 keyport-benchmark:3 keyport-check-rdb:2 \
    keyport-check-aof:4; do
    prog=${entry%:*} min=${entry#*:}
    bin=src/$prog page=man/$prog.1
    if [ ! -x "$bin" ]; then ko "$prog: $bin not built"; continue; fi
    help_options "$bin" > "$tmp/help"
    man_options "$page" > "$tmp/man"
    man_text "$page" > "$tmp/text"
    missing=""
    for o in $(cat "$tmp/help"); do
        grep -qE -e "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$tmp/text" || missing="$missing $o"
    done
    stale=$(comm -13 "$tmp/help" "$tmp/man" | tr '\n' ' ')
    n=$(wc -l < "$tmp/help")
    if [ "$n" -lt "$min" ]; then
        ko "$prog: only $n options found in --help"
    elif [ -z "$missing" ] && [ -z "$stale" ]; then
        ok "$prog.1 documents the $n options of --help"
    else
        ko "$prog.1 out of step with --help" "not in the man page:${missing:- none}
in the man page but not in --help: ${stale:-none}"
    fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
