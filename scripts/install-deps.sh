#!/bin/sh
# install-deps.sh - install the Debian packages kumo builds, tests and benchmarks with
# (clang and its libFuzzer runtime for `make fuzz`, chromium for the test that loads the web
# service's page in a headless browser); `make deps` runs it.  libedit2 and libhiredis0.14 are
# named although their -dev packages bring them: kumo loads them with dlopen() (the shell's
# line editing, the Redis backends), so nothing that reads the binary's links asks for them.
#   install-deps.sh            install what is missing
#   install-deps.sh --bench    also what the benchmarks need
#   install-deps.sh --missing  only print what is missing (for the Makefile's message)
set -e
PKGS="build-essential pkg-config libcurl4-openssl-dev libevent-dev libxml2-dev libsqlite3-dev
      libcriterion-dev zlib1g-dev libbrotli-dev libpcre2-dev libidn2-dev libpsl-dev libedit-dev
      libssl-dev libhiredis-dev libedit2 libhiredis0.14 redis-server clang libclang-rt-14-dev
      chromium"
[ "${1:-}" = "--bench" ] && PKGS="$PKGS nginx-light wrk wget2 bc python3-scrapy
      postgresql-doc-15 python3.11-doc"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ "${1:-}" = "--missing" ]; then
    echo "$missing"
    exit 0
fi
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >&2
