#!/bin/bash
# make-deb.sh - a Debian package of kumo with dpkg-deb: the binary, the spiders, the public
# headers and kumo.pc, the man pages, and kumo.conf as a conffile in /etc/kumo.  Built in
# build-deb/ with PREFIX=/usr; its Depends are the packages of the libraries the binary
# links or loads with dlopen(), at the versions it was built with.  Prints the .deb's path.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-deb
root=$build/root
arch=$(dpkg --print-architecture)
make -s BUILD=$build/obj BIN=$build/kumo SPIDERDIR=$build/spiders PREFIX=/usr SYSCONFDIR=/etc \
    all >/dev/null
rm -rf "$root"
make -s BUILD=$build/obj BIN=$build/kumo SPIDERDIR=$build/spiders PREFIX=/usr SYSCONFDIR=/etc \
    DESTDIR="$PWD/$root" install >/dev/null
version=$("$build/kumo" version | awk 'NR == 1 {print $2}')
strip --strip-unneeded "$root/usr/bin/kumo" "$root"/usr/lib/kumo/spiders/*.so

# Depends: the package of every shared library the binary needs (as dpkg-shlibdeps would),
# and of those it loads with dlopen() when a command needs them (libedit for the shell,
# libhiredis for Redis: ldd does not show them), by the sonames the build wrote down.
sonames=$(sed -n 's/^#define KUMO_SONAME_[A-Z_]* "\(.*\)"$/\1/p' "$build/obj/gen/sonames.h")
[ -n "$sonames" ] || { echo "make-deb: no sonames in $build/obj/gen/sonames.h" >&2; exit 1; }
deps=""
cache=$(ldconfig -p)
for lib in $(objdump -p "$build/kumo" | awk '/NEEDED/ {print $2}') $sonames; do
    path=$(awk -v l="$lib" '$1 == l && !p {p = $NF} END {print p}' <<<"$cache")
    pkg=$({ dpkg -S "$(readlink -f "$path")" "$path" 2>/dev/null || :; } | awk -F: 'NR == 1 {print $1}')
    [ -n "$pkg" ] || { echo "make-deb: no package holds $lib" >&2; exit 1; }
    ver=$(dpkg-query -W -f='${Version}' "$pkg")
    deps="$deps$pkg (>= ${ver%%-*}), "
done
deps=$(tr ',' '\n' <<<"${deps%, }" | sed 's/^ //' | sort -u | paste -sd, - | sed 's/,/, /g')

mkdir -p "$root/DEBIAN" "$root/usr/share/doc/kumo"
install -m 644 README.md doc/*.md "$root/usr/share/doc/kumo/"
gzip -9n "$root"/usr/share/man/man1/*.1
cat > "$root/DEBIAN/control" <<CONTROL
Package: kumo
Version: $version
Architecture: $arch
Maintainer: kumo developers <kumo@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $deps
Recommends: gcc | c-compiler, libc6-dev, pkg-config
Section: web
Priority: optional
Homepage: https://localhost/kumo
Description: web crawler with Scrapy's architecture and memory-leak diagnostics
 kumo crawls the web with Scrapy's machine (scheduler, downloader and spider
 middlewares, item pipelines, feed exports, persistent jobs) in one C binary,
 with Scrapy's memory-leak diagnostics built in: trackref, a telnet console
 with prefs(), get_oldest(), hpy.heap() and est().  Spiders are C plugins,
 built with the headers and kumo.pc this package installs.
CONTROL
echo /etc/kumo/kumo.conf > "$root/DEBIAN/conffiles"
deb="$build/kumo_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb"
