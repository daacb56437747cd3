#!/usr/bin/env bash
# bench-frontier.sh - bytes of RSS per queued request when the frontier reaches N requests
# (the memory queue; the SQLite one with --jobdir).  Not a test: prints one table with the
# peak RSS (KiB and MiB), the CPU seconds (user + sys) and the wall seconds of each crawl.
#
#   scripts/bench-frontier.sh [--queued N] [--fanout F] [--kumo PATH] [--jobdir]
#
# A local Python server serves a tree site: /catalog/page-I.html links to F new pages
# I*F+1 .. I*F+F (no page is linked twice), so every page the `follow` spider crawls adds F-1
# requests to the frontier.  DEPTH_PRIORITY=1 crawls it level by level, as a broad crawl
# does, which keeps the page numbers (and urls) short.  The crawl stops with
# CLOSESPIDER_PAGECOUNT once the frontier passes N; `time -v` gives the peak RSS and the stats
# give the queue length (scheduler/enqueued - scheduler/dequeued).  A second crawl that stops
# after one page gives the process's own baseline; with --jobdir a third one, without the
# job, gives the floor the job starts from.  Defaults: N=1000000, F=1000.
set -euo pipefail
cd "$(dirname "$0")/.."

queued=1000000 fanout=1000 kumo=./kumo jobdir=
while [[ $# -gt 0 ]]; do
    case $1 in
    --queued) queued=$2; shift 2 ;;
    --fanout) fanout=$2; shift 2 ;;
    --kumo) kumo=$2; shift 2 ;;
    --jobdir) jobdir=1; shift ;;
    *) echo "usage: $0 [--queued N] [--fanout F] [--kumo PATH] [--jobdir]" >&2; exit 2 ;;
    esac
done
[[ -x $kumo ]] || { echo "$kumo: not built (make)" >&2; exit 1; }
export KUMO_SPIDER_DIR=${KUMO_SPIDER_DIR:-spiders}

out=$(mktemp -d /tmp/bench-frontier.XXXXXX)
/usr/bin/python3 - "$fanout" >"$out/port" 2>"$out/server.log" <<'PY' &
import sys, http.server, socketserver
F = int(sys.argv[1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            i = int(self.path.split("page-")[1].split(".")[0])
        except (IndexError, ValueError):
            i = 0
        links = "".join('<li><a href="/catalog/page-%d.html">item %d</a></li>\n' % (j, j)
                        for j in range(i * F + 1, i * F + F + 1))
        body = ("<html><head><title>page %d</title></head><body><ul>\n%s</ul></body></html>"
                % (i, links)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 50); do [[ -s $out/port ]] && break; sleep 0.1; done
port=$(cat "$out/port")
url="http://127.0.0.1:$port/catalog/page-0.html"

# crawl PAGES NAME [JOB]: prints "peak_kb queued cpu_s wall_s"
crawl() {
    local extra=()
    [[ -n ${3:-} ]] && extra=(--jobdir "$out/job-$2")
    /usr/bin/time -v "$kumo" crawl follow -a url="$url" -o "$out/$2.jsonl" \
        -s CLOSESPIDER_PAGECOUNT="$1" -s DEPTH_PRIORITY=1 -s LOG_LEVEL=INFO \
        -s TELNETCONSOLE_ENABLED=0 \
        "${extra[@]}" >"$out/$2.log" 2>&1 || { tail -20 "$out/$2.log" >&2; exit 1; }
    local kb enq deq usr sys wall
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$out/$2.log")
    usr=$(sed -n 's/.*User time (seconds): //p' "$out/$2.log")
    sys=$(sed -n 's/.*System time (seconds): //p' "$out/$2.log")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$out/$2.log" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
    enq=$(grep -ao "'scheduler/enqueued': [0-9]*" "$out/$2.log" | grep -o '[0-9]*$')
    deq=$(grep -ao "'scheduler/dequeued': [0-9]*" "$out/$2.log" | grep -o '[0-9]*$')
    echo "$kb $((enq - deq)) $(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }') $wall"
}

pages=$(( (queued + fanout - 2) / (fanout - 1) + 1 ))
[[ -n $jobdir ]] && read -r floor_kb floor_q floor_cpu floor_wall < <(crawl 1 floor)
read -r base_kb base_q base_cpu base_wall < <(crawl 1 base "$jobdir")
read -r kb q cpu wall < <(crawl "$pages" frontier "$jobdir")
last="http://127.0.0.1:$port/catalog/page-$(((fanout + 1) * fanout)).html"
printf 'queue: %s   fanout %d, %d pages crawled, queued urls up to %d bytes\n' \
    "$([[ -n $jobdir ]] && echo 'sqlite (JOBDIR)' || echo memory)" "$fanout" "$pages" "${#last}"
printf '%-28s %12s %8s %10s %8s %8s\n' run 'peak RSS KB' MiB queued 'CPU s' 'wall s'
row() {
    local mib
    mib=$(awk -v k="$2" 'BEGIN { print k / 1024 }')
    printf '%-28s %12d %8.1f %10d %8s %8s\n' "$1" "$2" "$mib" "$3" "$4" "$5"
}
[[ -n $jobdir ]] &&
    row "floor (1 page, no JOBDIR)" "$floor_kb" "$floor_q" "$floor_cpu" "$floor_wall"
row "baseline (1 page)" "$base_kb" "$base_q" "$base_cpu" "$base_wall"
row "frontier ($pages pages)" "$kb" "$q" "$cpu" "$wall"
awk -v kb="$kb" -v b="$base_kb" -v q="$q" 'BEGIN {
    printf "bytes per queued request: %.1f (whole RSS), %.1f (above the baseline)\n",
           kb * 1024 / q, (kb - b) * 1024 / q }'
