#!/bin/sh
# Regenerates the directive list of man/keyport.conf.5 from the server's
# config table (`keyport-server --dump-config-doc`, the same source as
# docs/config.md), so the man page cannot drift from the code.
#
#   utils/gen-conf-man.sh [--check] [SERVER [MANPAGE]]
#
# Rewrites the lines between the BEGIN/END DIRECTIVES markers of MANPAGE
# (default man/keyport.conf.5) in place. With --check nothing is written:
# exits 1 and prints a diff when the page is out of date, 0 when current.
set -e
check=0
if [ "$1" = --check ]; then check=1; shift; fi
server=${1:-src/keyport-server}
page=${2:-man/keyport.conf.5}
[ -x "$server" ] || { echo "gen-conf-man: $server: not an executable" >&2; exit 2; }
[ -f "$page" ] || { echo "gen-conf-man: $page: no such file" >&2; exit 2; }
grep -q '^\.\\" BEGIN DIRECTIVES' "$page" && grep -q '^\.\\" END DIRECTIVES' "$page" ||
    { echo "gen-conf-man: $page lacks the BEGIN/END DIRECTIVES markers" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One markdown table row per directive: | `name` (alias `a`) | type | default
# | values | CONFIG SET | description |, "\|" standing for a literal bar.
"$server" --dump-config-doc | awk '
function roff(s) {
    gsub(/\\/, "\\e", s)            # after the \| placeholder swap: literal backslashes
    gsub(/`/, "", s)
    gsub(/\*[a-zA-Z -]+\*/, "[&]", s)
    gsub(/\[\*/, "[", s); gsub(/\*\]/, "]", s)
    return s
}
function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
/^\| `/ {
    line = $0
    gsub(/\\\|/, "\001", line)
    n = split(line, f, "|")
    for (i = 2; i <= 7; i++) { f[i] = trim(f[i]); gsub(/\001/, "|", f[i]) }
    name = f[2]; alias = ""
    if (match(name, /\(alias `[^`]+`\)/)) {
        alias = substr(name, RSTART + 8, RLENGTH - 10)
        name = trim(substr(name, 1, RSTART - 1))
    }
    gsub(/`/, "", name); gsub(/-/, "\\-", name); gsub(/-/, "\\-", alias)
    print ".TP"
    print ".B " name
    print "\\&" roff(f[7])
    print ".br"
    print "\\&Type: " roff(f[3]) "; default: " roff(f[4]) "; values: " roff(f[5]) \
          "; CONFIG SET: " roff(f[6]) "."
    if (alias != "") { print ".br"; print "Alias: \\fB" alias "\\fR." }
    count++
}
END { if (count == 0) { print "gen-conf-man: no directives in --dump-config-doc" > "/dev/stderr"; exit 1 } }
' > "$tmp/directives"

{
    sed '/^\.\\" BEGIN DIRECTIVES/q' "$page"
    cat "$tmp/directives"
    sed -n '/^\.\\" END DIRECTIVES/,$p' "$page"
} > "$tmp/page"

if [ $check = 1 ]; then
    if ! cmp -s "$tmp/page" "$page"; then
        diff -u "$page" "$tmp/page" | head -40 >&2 || true
        echo "gen-conf-man: $page is out of date: run make man-conf" >&2
        exit 1
    fi
    exit 0
fi
cmp -s "$tmp/page" "$page" || cat "$tmp/page" > "$page"
