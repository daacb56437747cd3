#!/bin/bash
# bench-console.sh - the telnet console's cost: the bench crawl with the console off, and on
# with one logged-in client sitting idle, alternated RUNS times; prints each run and the
# medians in pages/s.  usage: scripts/bench-console.sh [RUNS] (default 5; needs the bench
# site of ../shared/bench, nginx and python3).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shared=${SHARED:-../shared}
site=/tmp/bench-site-2000-1
[ -f "$site/manifest.json" ] || /usr/bin/python3 "$shared/bench/gensite.py" --pages 2000 --seed 1 --out "$site"
read -r port pid < <("$shared/bench/serve.sh" start "$site")
trap '"$shared/bench/serve.sh" stop "$site"' EXIT
url="http://127.0.0.1:$port/index.html"
pages=2101
tport=$((7000 + RANDOM % 900))

crawl() {  # extra settings...; prints the wall seconds
    local t0 t1
    t0=$(date +%s.%N)
    ./kumo crawl bench -a url="$url" -O /tmp/bench-console.jsonl -s LOG_LEVEL=WARNING "$@"
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

idle_client() {  # log in, then sit idle until the crawl closes the connection
    /usr/bin/python3 - "$tport" <<'PY' &
import socket, sys, time
for _ in range(200):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); break
    except OSError:
        time.sleep(0.01)
else:
    sys.exit(1)
def upto(tok):
    buf = b""
    while tok not in buf:
        d = s.recv(4096)
        if not d: return
        buf += d
upto(b"Username: "); s.sendall(b"kumo\r\n"); upto(b"Password: "); s.sendall(b"pw\r\n")
upto(b">>> ")
while s.recv(4096):
    pass
PY
}

off=() on=()
for i in $(seq "$runs"); do
    t=$(crawl -s TELNETCONSOLE_ENABLED=0); off+=("$t")
    idle_client
    t=$(crawl -s TELNETCONSOLE_PORT="$tport" -s TELNETCONSOLE_PASSWORD=pw); on+=("$t")
    wait || true
    echo "run $i: console off ${off[-1]} s, on with an idle client ${on[-1]} s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
mo=$(median "${off[@]}") mn=$(median "${on[@]}")
awk -v p="$pages" -v a="$mo" -v b="$mn" 'BEGIN {
    printf "median: console off %.0f pages/s, on with an idle client %.0f pages/s (%+.1f%%)\n",
           p / a, p / b, (p / b - p / a) / (p / a) * 100 }'
