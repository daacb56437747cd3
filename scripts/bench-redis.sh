#!/bin/bash
# bench-redis.sh - the Redis scheduler against the memory scheduler on the benchmark site
# (../shared/bench): kumo's CPU per page with each (Redis's own CPU shown apart), the wall
# time of 2 workers against 1, Redis memory per seen url for 1,000,000 fingerprints stored
# as the dupefilter stores them, and the frontier's Redis memory per queued request against
# kumo's packed encoding at 100,000 queued requests.  Run through `make bench-redis`.
#
#   scripts/bench-redis.sh [--pages N] [--shared DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
pages=2000
shared=../shared
while [ $# -gt 0 ]; do
    case "$1" in
        --pages) pages=$2; shift 2 ;;
        --shared) shared=$2; shift 2 ;;
        *) echo "bench-redis: unknown option $1" >&2; exit 2 ;;
    esac
done
command -v redis-server >/dev/null || { echo "bench-redis: redis-server is not installed" >&2; exit 1; }
bench=$shared/bench
site=/tmp/bench-site-$pages-1
[ -f "$site/manifest.json" ] || python3 "$bench/gensite.py" --pages "$pages" --out "$site" >/dev/null
read -r port _ < <("$bench/serve.sh" start "$site")
out=$(mktemp -d /tmp/kumo-bench-redis-XXXXXX)
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$rport" --bind 127.0.0.1 --dir "$out" --save '' --appendonly no \
    > "$out/redis.log" 2>&1 &
rpid=$!
trap '"$bench/serve.sh" stop "$site" >/dev/null 2>&1 || true; kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$out"' EXIT
R="redis-cli -p $rport"
for _ in $(seq 100); do $R ping >/dev/null 2>&1 && break; sleep 0.05; done
url="http://127.0.0.1:$port/index.html"
redis_cpu() { $R info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ { s += $2 } END { print s }'; }

# run NAME ARGS...: one crawl; prints "cpu_seconds pages wall_seconds"
run() {
    local name=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$out/$name.time" ./kumo crawl bench -a url="$url" \
        -o "$out/$name.jl" -s TELNETCONSOLE_ENABLED=0 -L INFO "$@" 2> "$out/$name.log"
    t1=$(date +%s.%N)
    local n
    n=$(grep -o "'downloader/response_count': [0-9]*" "$out/$name.log" | grep -o '[0-9]*$' || echo 0)
    awk -v n="$n" -v w="$(echo "$t1 - $t0" | bc)" '{ print $1 + $2, n, w }' "$out/$name.time"
}

echo "bench-redis: $pages pages on $url, Redis on port $rport"
read -r mem_cpu mem_pages mem_wall < <(run memory)
rc0=$(redis_cpu)
read -r red_cpu red_pages red_wall < <(run redis1 -s SCHEDULER=redis -s REDIS_URL=redis://127.0.0.1:$rport/0 \
    -s SCHEDULER_IDLE_BEFORE_CLOSE=0.5 -s SCHEDULER_FLUSH_ON_START=1)
rc1=$(redis_cpu)
$R flushall >/dev/null
t0=$(date +%s.%N)
pids=()
for w in a b; do
    run "redis2$w" -s SCHEDULER=redis -s REDIS_URL=redis://127.0.0.1:$rport/0 \
        -s SCHEDULER_IDLE_BEFORE_CLOSE=0.5 > "$out/w$w.txt" &
    pids+=($!)
done
wait "${pids[@]}"
t1=$(date +%s.%N)
two_wall=$(echo "$t1 - $t0" | bc)
two_pages=$(awk '{ s += $2 } END { print s }' "$out/wa.txt" "$out/wb.txt")
two_cpu=$(awk '{ s += $1 } END { print s }' "$out/wa.txt" "$out/wb.txt")

printf '%-28s %8s %10s %14s %8s\n' run pages "cpu s" "cpu ms/page" "wall s"
row() { awk -v n="$1" -v p="$2" -v c="$3" -v w="$4" \
    'BEGIN { printf "%-28s %8d %10.2f %14.3f %8.2f\n", n, p, c, p ? 1000 * c / p : 0, w }'; }
row "memory scheduler" "$mem_pages" "$mem_cpu" "$mem_wall"
row "redis, 1 worker (kumo)" "$red_pages" "$red_cpu" "$red_wall"
row "redis, 1 worker (redis-srv)" "$red_pages" "$(echo "$rc1 - $rc0" | bc)" "$red_wall"
row "redis, 2 workers (kumo)" "$two_pages" "$two_cpu" "$two_wall"
awk -v a="$mem_cpu" -v b="$red_cpu" -v p="$mem_pages" -v q="$red_pages" 'BEGIN {
    if (p && q) printf "kumo CPU per page, redis vs memory: %+.1f%%\n", 100 * ((b / q) / (a / p) - 1) }'
awk -v a="$red_wall" -v b="$two_wall" 'BEGIN { printf "2 workers vs 1, wall: %.2fx faster\n", a / b }'

# Redis memory per seen url: 1,000,000 random fingerprints as kumo.lua stores them
$R flushall >/dev/null
before=$($R info memory | tr -d '\r' | awk -F: '/^used_memory:/ { print $2 }')
python3 - <<'PY' | $R --pipe >/dev/null
import random, sys
random.seed(1)
w = sys.stdout.write
for _ in range(1000000):
    h = random.getrandbits(64)
    k, v = "b:seen:%d" % (h >> 50), str(h & ((1 << 50) - 1))
    w("*3\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
PY
after=$($R info memory | tr -d '\r' | awk -F: '/^used_memory:/ { print $2 }')
awk -v a="$before" -v b="$after" 'BEGIN {
    printf "dupefilter: %.2f bytes of Redis memory per seen url at 1,000,000 urls\n", (b - a) / 1e6 }'
echo "bench-redis: $($R object encoding b:seen:5) buckets; logs in $out (removed at exit)"

# The frontier's size: one page with 100,000 links crawled with CLOSESPIDER_PAGECOUNT=1
# leaves its children queued in Redis, in their download slot; the MEMORY USAGE of every
# frontier key against the bytes of the entries themselves (kumo's packed encoding of each
# request, callbacks by name).
nlinks=100000
mkdir -p "$out/links"
python3 - "$out/links/index.html" "$nlinks" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("<html><head><title>links</title></head><body>\n")
    for i in range(int(sys.argv[2])):
        f.write('<a href="/catalogue/page-%d/item_%d.html">item %d</a>\n' % (i // 20, i, i))
    f.write("</body></html>\n")
PY
lport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$lport" --bind 127.0.0.1 --directory "$out/links" > "$out/links.log" 2>&1 &
lpid=$!
trap '"$bench/serve.sh" stop "$site" >/dev/null 2>&1 || true; kill $rpid $lpid 2>/dev/null; wait $rpid $lpid 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$lport/" >/dev/null && break; sleep 0.05; done
$R flushall >/dev/null
./kumo crawl follow -a url="http://127.0.0.1:$lport/" -s SCHEDULER=redis \
    -s REDIS_URL=redis://127.0.0.1:$rport/0 -s CLOSESPIDER_PAGECOUNT=1 \
    -s TELNETCONSOLE_ENABLED=0 -L WARNING 2> "$out/frontier.log" || true
# every request list (follow:q:SLOT:PRIO), the slots' priorities and indexes, as stored
frontier=$($R eval "local P, n, mem, packed = KEYS[1], 0, 0, 0
local function use(k) mem = mem + (redis.call('MEMORY', 'USAGE', k, 'SAMPLES', 0) or 0) end
for _, k in ipairs(redis.call('KEYS', P .. ':q:*')) do
    use(k)
    for _, v in ipairs(redis.call('LRANGE', k, 0, -1)) do n = n + 1 packed = packed + #v end
end
for _, k in ipairs(redis.call('KEYS', P .. ':sp:*')) do use(k) end
for _, s in ipairs({'slotq', 'nq', 'ready', 'wait', 'next', 'inflight', 'delay', 'conf'}) do
    use(P .. ':' .. s)
end
return n .. ' ' .. mem .. ' ' .. packed" 1 follow)
read -r queued fmem packed <<< "$frontier"
awk -v n="$queued" -v m="$fmem" -v p="$packed" 'BEGIN {
    if (n > 0) printf "frontier: %d requests queued, %.1f bytes of Redis memory each against %.1f of packed encoding (%.2fx)\n", n, m / n, p / n, m / p
    else print "frontier: nothing queued (see the log)" }'
