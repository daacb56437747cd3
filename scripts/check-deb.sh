#!/bin/bash
# check-deb.sh - build the Debian package (scripts/make-deb.sh) and check what it holds and
# needs with dpkg-deb: every file a user and a spider author need, conffiles, Depends naming
# the libraries kumo links and those it loads with dlopen().  With --install (as root) also
# install it with apt, use it, and purge it: nothing of it may be left.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check-deb: $*" >&2; exit 1; }
deb=$(scripts/make-deb.sh)
info=$(dpkg-deb --info "$deb")
files=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
for f in ./usr/bin/kumo ./usr/include/kumo/kumo.h ./usr/include/kumo/spider.h \
         ./usr/lib/pkgconfig/kumo.pc ./usr/lib/kumo/spiders/quotes.so \
         ./usr/share/man/man1/kumo.1.gz ./etc/kumo/kumo.conf; do
    grep -qxF "$f" <<<"$files" || fail "$deb lacks $f"
done
for p in libcurl4 libevent-2.1-7 libxml2 libsqlite3-0 libpcre2-8-0 libpsl5; do
    grep -q "^ Depends:.*\b$p (>= " <<<"$info" || fail "$deb does not depend on $p"
done
# the libraries loaded with dlopen() (ldd does not show them): their packages, found by the
# sonames the build wrote down, are dependencies too
sonames=$(sed -n 's/^#define KUMO_SONAME_[A-Z_]* "\(.*\)"$/\1/p' build-deb/obj/gen/sonames.h)
[ -n "$sonames" ] || fail "build-deb/obj/gen/sonames.h names no library"
for so in $sonames; do
    path=$(ldconfig -p | awk -v l="$so" '$1 == l {print $NF; exit}')
    p=$({ dpkg -S "$(readlink -f "$path")" "$path" 2>/dev/null || :; } |
        awk -F: 'NR == 1 {print $1}')
    [ -n "$p" ] || fail "no package holds $so"
    grep -q "^ Depends:.*\b$p (>= " <<<"$info" || fail "$deb does not depend on $p ($so, dlopen)"
done
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/kumo/kumo.conf ] ||
    fail "kumo.conf is not a conffile"
if [ "${1:-}" = "--install" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >/dev/null
    /usr/bin/kumo version >/dev/null || fail "the installed kumo does not run"
    pkg-config --exists kumo || fail "pkg-config does not find the installed kumo.pc"
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq kumo >/dev/null
    for f in /usr/bin/kumo /usr/include/kumo /usr/lib/kumo /etc/kumo; do
        [ ! -e "$f" ] || fail "apt purge kumo left $f"
    done
fi
echo "check-deb: $deb: $(wc -l <<<"$files") entries, depends and conffiles ok"
