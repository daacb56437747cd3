#!/bin/bash
# bench-real.sh - kumo against wget2 (and Scrapy) on real documentation trees from Debian
# packages, served by a private nginx on 127.0.0.1: pages, wall, CPU, peak RSS and the ratios.
#   scripts/bench-real.sh [--tree pg|py|all] [--runs N] [--scrapy]
# pages: the HTML pages kumo and Scrapy made items of; for wget2 every file it downloaded
# (it also takes the stylesheets and scripts the pages link).  First it prints the floor:
# the peak RSS of kumo's libraries loaded and initialised, nothing crawled
# (scripts/lib-floor.c), and with each tree its ratio to wget2's peak.
# Trees: pg = postgresql-doc-15 (1,169 pages, 18 MB), py = python3.11-doc (530 pages, 67 MB,
# pages up to ~1 MB).  `scripts/install-deps.sh --bench` installs them, wget2 and nginx.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
shared=${SHARED:-$top/../shared}
trees=all runs=3 scrapy=0
while [ $# -gt 0 ]; do
    case $1 in
        --tree) trees=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --scrapy) scrapy=1; shift ;;
        -h|--help) sed -n '2,8p' "$0" | cut -c3-; exit 0 ;;
        *) echo "bench-real.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
need="run scripts/install-deps.sh --bench"
declare -A src=([pg]=/usr/share/doc/postgresql-doc-15/html [py]=/usr/share/doc/python3.11/html)
[ "$trees" = all ] && trees="pg py"
for t in $trees; do
    [ -n "${src[$t]:-}" ] || { echo "bench-real.sh: unknown tree '$t' (pg, py, all)" >&2; exit 2; }
    [ -d "${src[$t]}" ] || { echo "bench-real.sh: ${src[$t]} missing: $need" >&2; exit 1; }
done
for cmd in wget2 nginx /usr/bin/time; do
    command -v "$cmd" >/dev/null || { echo "bench-real.sh: $cmd missing: $need" >&2; exit 1; }
done
[ -x ./kumo ] && [ -f spiders/follow.so ] || make -s all

work=/tmp/kumo-bench-real
mkdir -p "$work"
# One measured run: "$label" then the command; prints "wall cpu rss_kib pages".
measure() {
    local label=$1 out=$2; shift 2
    local tv=$work/$label.time
    local rc=0
    /usr/bin/time -v -o "$tv" "$@" >"$work/$label.log" 2>&1 || rc=$?
    # wget2 exits 8 when the server answered an error (a broken link in the tree): a result
    if [ "$rc" != 0 ] && ! { [ "$label" = "${label%wget2}wget2" ] && [ "$rc" = 8 ]; }; then
        echo "bench-real.sh: $label failed ($rc), see $work/$label.log" >&2
        return 1
    fi
    local wall cpu rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, a, ":"); s = 0;
        for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s }' "$tv")
    cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { print u + s }' "$tv")
    rss=$(awk -F': ' '/Maximum resident/ { print $2 }' "$tv")
    echo "$wall $cpu $rss $(eval "$out")"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# What the RSS ratios start from: kumo's libraries loaded and initialised, nothing crawled.
floor_bin=$work/lib-floor
if [ ! -x "$floor_bin" ] || [ scripts/lib-floor.c -nt "$floor_bin" ]; then
    cc -O2 scripts/lib-floor.c -o "$floor_bin" \
        $(pkg-config --cflags --libs libcurl libxml-2.0 libevent sqlite3 libpcre2-8)
fi
floor_kib=$(for _ in 1 2 3; do "$floor_bin" | sed -n 's/.*VmHWM \([0-9]*\) kB$/\1/p'; done |
            median)
printf 'floor: kumo'"'"'s libraries loaded and initialised, nothing crawled: %.1f MiB' \
    "$(echo "$floor_kib / 1024" | bc -l)"
printf ' (scripts/lib-floor.c)\n'
printf '%-4s %-7s %6s %8s %8s %9s\n' tree crawler pages wall_s cpu_s rss_MiB
for t in $trees; do
    site=$work/site-$t
    [ -d "$site" ] || cp -r "${src[$t]}" "$site"
    read -r port _ < <("$shared/bench/serve.sh" start "$site")
    trap '"$shared/bench/serve.sh" stop "$site" >/dev/null 2>&1 || true' EXIT
    url=http://127.0.0.1:$port/index.html
    declare -A wall=() cpu=() rss=() pages=()
    crawlers="kumo wget2"
    [ "$scrapy" = 1 ] && crawlers="$crawlers scrapy"
    for c in $crawlers; do
        : > "$work/$t-$c.rows"
        for _ in $(seq "$runs"); do
            rm -rf "$work/wget2-dir" "$work/items.jsonl"
            case $c in
            kumo) measure "$t-$c" "wc -l < $work/items.jsonl" ./kumo crawl follow \
                      -a url="$url" -o "$work/items.jsonl" -s TELNETCONSOLE_ENABLED=0 \
                      -s LOG_LEVEL=WARNING ;;
            wget2) measure "$t-$c" \
                      "sed -n 's/^Downloaded: \([0-9]*\) files.*/\1/p' $work/$t-$c.log" \
                      wget2 -r --delete-after -P "$work/wget2-dir" "$url" ;;
            scrapy) measure "$t-$c" "wc -l < $work/items.jsonl" /usr/bin/python3 -m scrapy \
                      runspider scripts/bench-real-ref.py -a url="$url" -o "$work/items.jsonl" ;;
            esac
        done >> "$work/$t-$c.rows"
        wall[$c]=$(awk '{ print $1 }' "$work/$t-$c.rows" | median)
        cpu[$c]=$(awk '{ print $2 }' "$work/$t-$c.rows" | median)
        rss[$c]=$(awk '{ print $3 }' "$work/$t-$c.rows" | median)
        pages[$c]=$(awk '{ print $4 }' "$work/$t-$c.rows" | median)
        printf '%-4s %-7s %6s %8.2f %8.2f %9.1f\n' "$t" "$c" "${pages[$c]}" "${wall[$c]}" \
            "${cpu[$c]}" "$(echo "${rss[$c]} / 1024" | bc -l)"
    done
    "$shared/bench/serve.sh" stop "$site" >/dev/null
    trap - EXIT
    awk -v kw="${wall[kumo]}" -v ww="${wall[wget2]}" -v kr="${rss[kumo]}" -v wr="${rss[wget2]}" \
        -v fl="$floor_kib" -v t="$t" \
        'BEGIN { printf "%-4s kumo/wget2: wall %.2fx (target <= 2.5x), peak RSS %.2fx " \
                        "(target <= 2x; the floor alone: %.2fx)\n", t, kw / ww, kr / wr, fl / wr }'
done
