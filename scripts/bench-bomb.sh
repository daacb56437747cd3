#!/bin/bash
# bench-bomb.sh - the 10^9-byte gzip and deflate bombs (about 971 KB each) crawled with the
# default DOWNLOAD_MAXSIZE (1 GiB): prints the wall time, engine/loop_lag_max_ms and the
# peak RSS of each crawl.  usage: scripts/bench-bomb.sh [SIZE] (default 1000000000; needs
# `make build/kumo-demo-site`, which serves tests/lib/routes_hostile.c's /hostile/bomb).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1000000000}
[ -x build/kumo-demo-site ] || make -s build/kumo-demo-site
portfile=$(mktemp)
build/kumo-demo-site --port 0 >"$portfile" &
site=$!
trap 'kill $site 2>/dev/null; rm -f "$portfile" /tmp/bench-bomb.log /tmp/bench-bomb.jsonl' EXIT
for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
port=$(grep -o '[0-9]*$' "$portfile" | head -1)
for coding in gzip deflate; do
    /usr/bin/time -f '%e s  peak RSS %M KB' -o /tmp/bench-bomb.time \
        env KUMO_CONF=/dev/null ./kumo crawl follow \
        -a url="http://127.0.0.1:$port/hostile/bomb?coding=$coding&size=$size" \
        -O /tmp/bench-bomb.jsonl -s LOG_LEVEL=INFO -s TELNETCONSOLE_ENABLED=0 \
        -s PARSE_THREADS=1 2>/tmp/bench-bomb.log || true
    lag=$(grep -o "'engine/loop_lag_max_ms': [0-9]*" /tmp/bench-bomb.log | grep -o '[0-9]*$')
    items=$(wc -l </tmp/bench-bomb.jsonl)
    printf '%-8s %s  loop_lag_max_ms %s  items %s\n' "$coding" "$(cat /tmp/bench-bomb.time)" \
        "${lag:-?}" "$items"
done
rm -f /tmp/bench-bomb.time
