#!/bin/bash
# valgrind-crawl.sh - crawl the demo site under valgrind --leak-check=full; fails when any
# byte is definitely lost or valgrind reports an error.  Run through `make valgrind`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind-crawl: valgrind is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
build/kumo-demo-site --port 0 > "$tmp/port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
port=$(head -1 "$tmp/port")
for spider in quotes follow; do
    valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=3 \
        ./kumo crawl "$spider" -a url="http://127.0.0.1:$port/" -O "$tmp/$spider.jsonl" \
        -s LOG_LEVEL=WARNING -s TELNETCONSOLE_ENABLED=0 2> "$tmp/$spider.log" ||
        { cat "$tmp/$spider.log"; echo "valgrind-crawl: $spider: errors or leaks" >&2; exit 1; }
    grep -E "definitely lost|ERROR SUMMARY" "$tmp/$spider.log" | sed "s/^/$spider: /"
done
