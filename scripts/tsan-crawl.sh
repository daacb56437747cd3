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
# LeakWatch samples every 10 ms: its snapshots of the live lists on the loop thread meet the
# parse threads making and freeing tracked objects.
for threads in 1 2; do
    for spider in quotes follow; do
        log=$tmp/$spider-$threads.log
        TSAN_OPTIONS="halt_on_error=1 exitcode=66" KUMO_SPIDER_DIR="$build/spiders" \
            "$build/kumo" crawl "$spider" -a url="http://127.0.0.1:$port/" \
            -O "$tmp/$spider.jsonl" -s PARSE_THREADS=$threads -s LOG_LEVEL=WARNING \
            -s LEAKWATCH_INTERVAL_SECONDS=0.01 \
            -s TELNETCONSOLE_ENABLED=0 2> "$log" ||
            { cat "$log"; echo "tsan-crawl: $spider, $threads threads: failed" >&2; exit 1; }
        if grep -q "WARNING: ThreadSanitizer" "$log"; then
            cat "$log"; echo "tsan-crawl: $spider, $threads threads: data race" >&2; exit 1
        fi
        echo "tsan-crawl: $spider, PARSE_THREADS=$threads: $(wc -l < "$tmp/$spider.jsonl") items, no report"
    done
done

# A page of 1,000 links, each twice: its callback hands its outputs to the loop in parts while
# it runs, and the loop runs them through the middlewares and the scheduler meanwhile.
log=$tmp/wide.log
TSAN_OPTIONS="halt_on_error=1 exitcode=66" KUMO_SPIDER_DIR="$build/spiders" \
    "$build/kumo" crawl follow -a url="http://127.0.0.1:$port/wide/1000" \
    -O "$tmp/wide.jsonl" -s PARSE_THREADS=1 -s LOG_LEVEL=WARNING \
    -s LEAKWATCH_INTERVAL_SECONDS=0.01 -s TELNETCONSOLE_ENABLED=0 2> "$log" ||
    { cat "$log"; echo "tsan-crawl: a wide page: failed" >&2; exit 1; }
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    cat "$log"; echo "tsan-crawl: a wide page: data race" >&2; exit 1
fi
echo "tsan-crawl: follow of a page of 1,000 links (outputs in parts): $(wc -l < "$tmp/wide.jsonl") items, no report"
# The telnet console reads the crawl's objects while callbacks run on the parse thread: a
# slow crawl (one request at a time, 0.1 s apart) and a client walking the live objects.
log=$tmp/console.log
TSAN_OPTIONS="halt_on_error=1 exitcode=66" KUMO_SPIDER_DIR="$build/spiders" \
    "$build/kumo" crawl quotes -a url="http://127.0.0.1:$port/" -O "$tmp/console.jsonl" \
    -s PARSE_THREADS=1 -s LOG_LEVEL=INFO -s CONCURRENT_REQUESTS=1 -s DOWNLOAD_DELAY=0.1 \
    -s TELNETCONSOLE_PORT=0 -s TELNETCONSOLE_PASSWORD=tsan -s TELNETCONSOLE_LOGIN_DELAY=0 \
    2> "$log" &
crawl=$!
for _ in $(seq 200); do grep -q "Telnet console listening" "$log" && break; sleep 0.05; done
tport=$(sed -n 's/.*Telnet console listening on [0-9.]*:\([0-9]*\).*/\1/p' "$log" | head -1)
python3 - "$tport" <<'PY' || { cat "$log"; echo "tsan-crawl: console: no command ran" >&2; exit 1; }
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
n = 0
def until(mark):
    buf = b""
    while mark not in buf:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:           # the crawl ended
            print("tsan-crawl: %d console commands during the crawl" % n)
            raise SystemExit(0 if n else 1)
        buf += chunk
    return buf
until(b"Username: "); s.sendall(b"kumo\r\n")
until(b"Password: "); s.sendall(b"tsan\r\n")
until(b">>> ")
end = time.time() + 20
while time.time() < end:
    for cmd in (b"prefs()", b"get_oldest('Selector')", b"len(iter_all('Item'))", b"est()"):
        s.sendall(cmd + b"\r\n")
        until(b">>> ")
        n += 1
PY
wait $crawl || { cat "$log"; echo "tsan-crawl: console: failed" >&2; exit 1; }
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    cat "$log"; echo "tsan-crawl: console: data race" >&2; exit 1
fi
echo "tsan-crawl: quotes with the telnet console: $(wc -l < "$tmp/console.jsonl") items, no report"
