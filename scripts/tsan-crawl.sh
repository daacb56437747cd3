#!/bin/bash
# tsan-crawl.sh BUILD - crawl the demo site with parse threads, kumo built with
# ThreadSanitizer in BUILD (make tsan); fails on any ThreadSanitizer report.  Criterion's
# runner does not start under TSan, so the threads are checked on real crawls instead.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-tsan}
tmp=$(mktemp -d)
"$build/kumo-demo-site" --port 0 > "$tmp/port" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
port=$(head -1 "$tmp/port")
for threads in 1 2; do
    for spider in quotes follow; do
        log=$tmp/$spider-$threads.log
        TSAN_OPTIONS="halt_on_error=1 exitcode=66" KUMO_SPIDER_DIR="$build/spiders" \
            "$build/kumo" crawl "$spider" -a url="http://127.0.0.1:$port/" \
            -O "$tmp/$spider.jsonl" -s PARSE_THREADS=$threads -s LOG_LEVEL=WARNING \
            -s TELNETCONSOLE_ENABLED=0 2> "$log" ||
            { cat "$log"; echo "tsan-crawl: $spider, $threads threads: failed" >&2; exit 1; }
        if grep -q "WARNING: ThreadSanitizer" "$log"; then
            cat "$log"; echo "tsan-crawl: $spider, $threads threads: data race" >&2; exit 1
        fi
        echo "tsan-crawl: $spider, PARSE_THREADS=$threads: $(wc -l < "$tmp/$spider.jsonl") items, no report"
    done
done
