/* progress.c - Progress: when stderr is a terminal, a status line at its bottom redrawn every
 * second, under the log (log lines scroll above it: util/log.c's term hook erases the line
 * before each log line and draws it again after). */
#include "ext/ext.h"
#include "ext/progress.h"
#include "mem/memreport.h"
#include <event2/event.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define RATE_WINDOW 60              /* seconds the rates are measured over */
#define LINE_MAX_BYTES 512

/* ---- the pure part ---- */

static void human(uint64_t n, char *buf, size_t cap)
{
    static const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (n < 1024) {
        snprintf(buf, cap, "%llu B", (unsigned long long)n);
        return;
    }
    double v = (double)n / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < KUMO_ARRAY_LEN(units)) {
        v /= 1024;
        u++;
    }
    snprintf(buf, cap, "%.1f %s", v, units[u]);
}

void kumo__progress_format(const kumo_progress_snap *s, size_t width, char *out, size_t cap)
{
    if (!cap)
        return;
    long long secs = s->elapsed > 0 ? (long long)s->elapsed : 0;
    char rss[32] = "?";
    if (s->rss)
        human(s->rss, rss, sizeof(rss));
    int n = snprintf(out, cap,
                     "%lld:%02lld:%02lld | %lld pages (%.0f/min) | %lld items (%.0f/min) | "
                     "%zu in flight | %zu queued | %lld errors | RSS %s%s%s",
                     secs / 3600, secs / 60 % 60, secs % 60, (long long)s->pages, s->pages_min,
                     (long long)s->items, s->items_min, s->inflight, s->queued,
                     (long long)s->errors, rss, s->reason ? " | " : "",
                     s->reason ? s->reason : "");
    size_t len = n < 0 ? 0 : KUMO_MIN((size_t)n, cap - 1);
    if (width && len > width)
        len = width;        /* the line is ASCII but for the reason: cut on a byte boundary */
    while (len && ((unsigned char)out[len] & 0xC0) == 0x80)
        len--;
    out[len] = '\0';
}

/* ---- the extension ---- */

typedef struct progress {
    kumo_crawler *c;
    struct event *timer;
    struct {
        double t;
        int64_t pages, items;
    } ring[RATE_WINDOW + 1];    /* one sample a second, the newest at head - 1 */
    size_t head, filled;
    char line[LINE_MAX_BYTES];  /* guarded by stderr's lock (flockfile) */
    bool drawn;                 /* the line is on the terminal now */
    char reason[64];
    pthread_t loop;             /* the crawl's thread: only it reads the numbers */
    uint64_t rss;               /* read once a second, by the timer */
} progress;

static size_t term_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
        return (size_t)ws.ws_col - 1;   /* the last column would wrap on some terminals */
    return 0;
}

/* Erase the line (the log's term hook, or before a redraw); stderr is locked. */
static void erase(progress *p, FILE *f)
{
    if (p->drawn)
        fputs("\r\033[K", f);
    p->drawn = false;
}

static void draw(progress *p, FILE *f)
{
    if (!p->line[0])
        return;
    fputs(p->line, f);
    fflush(f);
    p->drawn = true;
}

static void compute(progress *p, char *line, size_t cap);

/* util/log.c calls this around every log line (stderr locked): only lines to the terminal
 * move the status line, drawn again with fresh numbers when the crawl's thread logs. */
static void on_log(void *ctx, FILE *f, bool after)
{
    progress *p = ctx;
    if (f != stderr)
        return;
    if (!after) {
        erase(p, f);
        return;
    }
    if (p->line[0] && pthread_equal(pthread_self(), p->loop))
        compute(p, p->line, sizeof(p->line));
    draw(p, f);
}

static void snap(progress *p, kumo_progress_snap *s)
{
    kumo_crawler *c = p->c;
    double now = kumo_now();
    double start = kumo_crawler_start_time(c);
    *s = (kumo_progress_snap){
        .elapsed = start > 0 ? now - start : 0,
        .pages = kumo_crawler_stats_get_int(c, "response_received_count", 0),
        .items = kumo_crawler_stats_get_int(c, "item_scraped_count", 0),
        .errors = kumo_crawler_stats_get_int(c, "log_count/ERROR", 0) +
                  kumo_crawler_stats_get_int(c, "log_count/CRITICAL", 0),
        .inflight = kumo_crawler_downloading(c),
        .queued = kumo_crawler_scheduled(c),
        .rss = p->rss,
        .reason = p->reason[0] ? p->reason : NULL,
    };
    size_t newest = (p->head + RATE_WINDOW) % (RATE_WINDOW + 1);
    size_t oldest = p->head;                /* when full: the slot about to be reused */
    if (s->elapsed > 0) {                   /* the whole crawl's average, until a minute */
        s->pages_min = (double)s->pages * 60 / s->elapsed;
        s->items_min = (double)s->items * 60 / s->elapsed;
    }
    if (!p->reason[0] && p->filled > RATE_WINDOW) {     /* then the last minute's */
        double dt = p->ring[newest].t - p->ring[oldest].t;
        if (dt > 0) {
            s->pages_min = (double)(p->ring[newest].pages - p->ring[oldest].pages) * 60 / dt;
            s->items_min = (double)(p->ring[newest].items - p->ring[oldest].items) * 60 / dt;
        }
    }
}

static void record(progress *p)
{
    kumo_crawler *c = p->c;
    p->ring[p->head].t = kumo_now();
    p->ring[p->head].pages = kumo_crawler_stats_get_int(c, "response_received_count", 0);
    p->ring[p->head].items = kumo_crawler_stats_get_int(c, "item_scraped_count", 0);
    p->head = (p->head + 1) % (RATE_WINDOW + 1);
    if (p->filled <= RATE_WINDOW)
        p->filled++;
}

static void compute(progress *p, char *line, size_t cap)
{
    kumo_progress_snap s;
    snap(p, &s);
    kumo__progress_format(&s, term_width(), line, cap);
}

/* Compute the line and draw it in place of the old one. */
static void redraw(progress *p)
{
    p->rss = kumo__rss_now();
    char line[LINE_MAX_BYTES];
    compute(p, line, sizeof(line));
    flockfile(stderr);
    memcpy(p->line, line, sizeof(line));
    erase(p, stderr);
    draw(p, stderr);
    funlockfile(stderr);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    record(arg);
    redraw(arg);
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    progress *p = self;
    record(p);
    redraw(p);
    struct timeval tv = {1, 0};
    p->timer = event_new(kumo_crawler_event_base(c), -1, EV_PERSIST, on_timer, p);
    evtimer_add(p->timer, &tv);
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    progress *p = self;
    if (p->timer)
        evtimer_del(p->timer);
    snprintf(p->reason, sizeof(p->reason), "%s", arg ? (const char *)arg : "finished");
    redraw(p);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    if (!kumo_crawler_setting_bool(c, "PROGRESS") || !kumo_crawler_setting_bool(c, "LOG_ENABLED")
        || !isatty(STDERR_FILENO))
        return KUMO_EDECLINED;
    progress *p = kumo_calloc(1, sizeof(*p), kumo_type_intern("kumo.extensions.progress"),
                              KUMO_V_NONE);
    p->c = c;
    p->loop = pthread_self();
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, p);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, p);
    kumo__log_set_term(on_log, p);
    *self = p;
    return KUMO_OK;
}

/* The last lines of the crawl (the stats dump) are above: leave the final line and go on
 * on the next one. */
static void close_ext(void *self, kumo_crawler *c)
{
    progress *p = self;
    kumo__log_set_term(NULL, NULL);
    flockfile(stderr);
    if (p->drawn)
        fputc('\n', stderr);
    fflush(stderr);
    funlockfile(stderr);
    if (p->timer)
        event_free(p->timer);
    kumo_free(p);
}

const kumo_ext_def kumo__ext_progress = {
    KUMO_EXT_HEADER,
    .name = "Progress",
    .open = open_ext,
    .close = close_ext,
};
