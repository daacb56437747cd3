#!/bin/bash
# demo.sh - start the demo site on a free loopback port, crawl it with the quotes spider,
# show the log's last lines and the items, stop the site.  Run through `make demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo-out
mkdir -p "$out"
site=build/kumo-demo-site
"$site" --port 0 > "$out/site.port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/site.port" ] && break; sleep 0.05; done
port=$(head -1 "$out/site.port")
[ -n "$port" ] || { echo "demo: the demo site did not start" >&2; exit 1; }
echo "demo: site on http://127.0.0.1:$port/, crawling it with: kumo crawl quotes"
./kumo crawl quotes -a url="http://127.0.0.1:$port/" -O "$out/quotes.jsonl" -s LOG_LEVEL=INFO \
    2> "$out/crawl.log"
cat "$out/crawl.log"
echo
echo "demo: $(wc -l < "$out/quotes.jsonl") items in $out/quotes.jsonl, the first three:"
head -3 "$out/quotes.jsonl"
