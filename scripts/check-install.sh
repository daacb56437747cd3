#!/bin/bash
# check-install.sh - what `make install` gives a user, checked in a temporary root: the
# installed binary finds its conf and spiders, a spider written outside the source tree
# builds with `pkg-config --cflags kumo` and runs, and `make uninstall` leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/kumo-install-XXXXXX)
trap 'rm -rf "$root"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

make -s install DESTDIR="$root" PREFIX=/usr/local >/dev/null
kumo="$root/usr/local/bin/kumo"
export PKG_CONFIG_PATH="$root/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
cflags=$(pkg-config --cflags kumo) || fail "pkg-config does not find kumo.pc"
[ "$(pkg-config --modversion kumo)" = "$("$kumo" version | awk 'NR == 1 {print $2}')" ] ||
    fail "kumo.pc's version is not the binary's"

mkdir "$root/work"
cd "$root/work"
"$kumo" list | grep -qw quotes || fail "the installed kumo does not list its spiders"
cat > outside.c <<'SPIDER'
#include <kumo/kumo.h>

static void parse(kumo_response *res, kumo_out *out)
{
}

KUMO_SPIDER = {
    KUMO_SPIDER_HEADER,
    .name = "outside",
    .callbacks = KUMO_CALLBACKS(parse),
};
SPIDER
${CC:-cc} $cflags -shared outside.c -o outside.so || fail "an out-of-tree spider does not build"
log=$("$kumo" crawl ./outside.so 2>&1) || fail "the out-of-tree spider does not run: $log"
grep -q "Spider closed (finished)" <<<"$log" || fail "the out-of-tree spider did not finish: $log"
cd - >/dev/null

make -s uninstall DESTDIR="$root" PREFIX=/usr/local >/dev/null
left=$(cd "$root" && find . -path ./work -prune -o -type f -print)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "check-install: install, pkg-config, an out-of-tree spider, uninstall: ok"
