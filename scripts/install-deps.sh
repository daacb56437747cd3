#!/bin/sh
# install-deps.sh - install the Debian packages kumo builds, tests and benchmarks with
# (clang and its libFuzzer runtime for `make fuzz`; chromium for the test that loads the web
# service's page in a headless browser).
set -e
PKGS="build-essential pkg-config libcurl4-openssl-dev libevent-dev libxml2-dev libsqlite3-dev
      libcriterion-dev zlib1g-dev libpcre2-dev libidn2-dev clang libclang-rt-14-dev
      chromium"
[ "${1:-}" = "--bench" ] && PKGS="$PKGS nginx-light wrk wget2 bc python3-scrapy
      postgresql-doc-15 python3.11-doc"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps: installing$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >&2
