/* leakwatch.c - LeakWatch: samples live objects and RSS, warns about classes that leak. */
#include "ext/ext.h"
#include "ext/leakwatch.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/spider.h"
#include "core/stats.h"
#include "mem/memreport.h"
#include "util/json.h"
#include <event2/event.h>

#define LOGGER "kumo.extensions.leakwatch"
#define SAMPLES_MAX 100

/* ---- the pure part: samples and the suspect test ---- */

void kumo__lw_sample_take(kumo_lw_sample *s, double t, uint64_t rss, size_t queued)
{
    s->t = t;
    s->now = kumo_now();
    s->rss = rss;
    s->heap = s->mfree = 0;
    s->pages = s->items = 0;
    s->queued = queued;
    s->n = 0;
    size_t n;
    kumo_refs_row *rows = kumo__refs_snapshot(&n);
    for (size_t i = 0; i < n && s->n < KUMO_LW_MAX_CLASSES; i++)
        s->c[s->n++] = (kumo_lw_count){rows[i].cls, rows[i].live, rows[i].oldest_born};
    kumo_free(rows);
}

static const kumo_lw_count *find(const kumo_lw_sample *s, const kumo_class *cls)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].cls == cls)
            return &s->c[i];
    return NULL;
}

/* The count the test looks at: queued requests are expected to be alive. */
static size_t effective(const kumo_lw_sample *s, const kumo_lw_count *c)
{
    if (!kumo_class_is(c->cls, &KUMO_CLASS(Request)))
        return c->live;
    return c->live > s->queued ? c->live - s->queued : 0;
}

static bool is_suspect(const kumo_lw_sample *const *win, size_t n, const kumo_lw_count *last,
                       size_t min_count)
{
    if (!last->live || effective(win[n - 1], last) < min_count)
        return false;
    size_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        const kumo_lw_count *c = find(win[i], last->cls);
        if (!c || !c->live || c->oldest_born != last->oldest_born)
            return false;
        size_t eff = effective(win[i], c);
        if (i > 0 && eff <= prev)
            return false;
        prev = eff;
    }
    return true;
}

static void find_peer(const kumo_lw_sample *const *win, size_t n, kumo_lw_suspect *sus)
{
    const kumo_lw_sample *last = win[n - 1];
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < last->n; i++) {
        const kumo_lw_count *c = &last->c[i];
        if (c->cls == sus->cls || !c->live)
            continue;
        const kumo_lw_count *first = find(win[0], c->cls);
        if (first && first->live >= c->live)
            continue;                               /* did not grow over the window */
        size_t d = c->live > sus->live ? c->live - sus->live : sus->live - c->live;
        if (d < best) {
            best = d;
            sus->peer = c->cls;
            sus->peer_live = c->live;
            sus->peer_age = last->now - c->oldest_born;
        }
    }
}

size_t kumo__lw_suspects(const kumo_lw_sample *const *win, size_t n, size_t min_count,
                        kumo_lw_suspect *out, size_t max)
{
    if (n < 2)
        return 0;
    const kumo_lw_sample *last = win[n - 1];
    size_t found = 0;
    for (size_t i = 0; i < last->n; i++) {
        const kumo_lw_count *c = &last->c[i];
        if (!is_suspect(win, n, c, min_count))
            continue;
        if (found < max) {
            kumo_lw_suspect *s = &out[found];
            *s = (kumo_lw_suspect){.cls = c->cls, .live = c->live,
                                   .age = last->now - c->oldest_born};
            find_peer(win, n, s);
        }
        found++;
    }
    return found;
}

static bool is_request(const kumo_class *c)
{
    return c && kumo_class_is(c, &KUMO_CLASS(Request));
}

static bool is_response(const kumo_class *c)
{
    return c && kumo_class_is(c, &KUMO_CLASS(Response));
}

void kumo__lw_suspect_format(const kumo_lw_suspect *s, size_t nsamples, kumo_buf *b)
{
    kumo__buf_printf(b, "Possible memory leak: %zu %s objects alive, more at each of the last "
                    "%zu samples, the oldest %ds old", s->live, s->cls->name, nsamples,
                    (int)s->age);
    for (size_t i = 0; i < s->nheld && i < KUMO_LW_HELD_MAX; i++) {
        const kumo_held_by *h = &s->held[i];
        /* "1 request", "1 box": the unit is plural */
        size_t ul = strlen(h->unit), cut = h->holders != 1 || !ul ? 0
                                          : ul > 3 && !strcmp(h->unit + ul - 3, "xes") ? 2 : 1;
        kumo__buf_printf(b, "%s%s (%zu %.*s)", i ? ", " : "; held by ", h->label, h->holders,
                        (int)(ul - cut), h->unit);
    }
    if (s->nheld)
        return;
    if (!s->peer) {
        kumo__buf_printf(b, "; nothing grows alongside: see what holds it with "
                        "get_oldest('%s') in the telnet console", s->cls->name);
        return;
    }
    kumo__buf_printf(b, "; %s grows alongside (%zu alive, the oldest %ds old)", s->peer->name,
                    s->peer_live, (int)s->peer_age);
    if ((is_response(s->cls) && is_request(s->peer)) ||
        (is_request(s->cls) && is_response(s->peer)))
        kumo__buf_adds(b, ": responses are probably held by requests (a response in a "
                      "request's meta or cb_kwargs?)");
    else
        kumo__buf_printf(b, ": one probably holds the other");
}

int kumo__lw_sample_json(const kumo_lw_sample *s, kumo_buf *b)
{
    int rc = kumo__buf_printf(b, "{\"t\": %.3f, \"rss\": %llu, \"heap\": %llu, \"free\": %llu, "
                             "\"pages\": %lld, \"items\": %lld, \"live\": {", s->t,
                             (unsigned long long)s->rss, (unsigned long long)s->heap,
                             (unsigned long long)s->mfree, (long long)s->pages,
                             (long long)s->items);
    for (size_t i = 0; i < s->n && rc == KUMO_OK; i++) {
        const char *name = s->c[i].cls->name;
        rc = (i ? kumo__buf_adds(b, ", ") : KUMO_OK) || kumo__json_str(b, name, strlen(name)) ||
             kumo__buf_printf(b, ": %zu", s->c[i].live);
    }
    if (rc == KUMO_OK)
        rc = kumo__buf_adds(b, "}, \"oldest\": {");
    bool first = true;
    for (size_t i = 0; i < s->n && rc == KUMO_OK; i++) {
        if (!s->c[i].live)
            continue;
        const char *name = s->c[i].cls->name;
        rc = (first ? KUMO_OK : kumo__buf_adds(b, ", ")) ||
             kumo__json_str(b, name, strlen(name)) ||
             kumo__buf_printf(b, ": %.1f", s->now - s->c[i].oldest_born);
        first = false;
    }
    if (rc == KUMO_OK)
        rc = kumo__buf_adds(b, "}}\n");
    return rc ? KUMO_ETOOBIG : KUMO_OK;
}

int kumo__lw_suspects_json(const kumo_lw_suspect *s, size_t n, kumo_buf *b)
{
    int rc = kumo__buf_adds(b, "\"suspects\": [");
    for (size_t i = 0; i < n && rc == KUMO_OK; i++) {
        const char *name = s[i].cls->name;
        rc = (i ? kumo__buf_adds(b, ", ") : KUMO_OK) || kumo__buf_adds(b, "{\"class\": ") ||
             kumo__json_str(b, name, strlen(name)) ||
             kumo__buf_printf(b, ", \"live\": %zu, \"oldest\": %.1f, \"held_by\": [",
                             s[i].live, s[i].age);
        for (size_t k = 0; k < s[i].nheld && k < KUMO_LW_HELD_MAX && rc == KUMO_OK; k++) {
            const kumo_held_by *h = &s[i].held[k];
            rc = (k ? kumo__buf_adds(b, ", ") : KUMO_OK) || kumo__buf_adds(b, "{\"by\": ") ||
                 kumo__json_str(b, h->label, strlen(h->label)) ||
                 kumo__buf_printf(b, ", \"holders\": %zu, \"unit\": ", h->holders) ||
                 kumo__json_str(b, h->unit, strlen(h->unit)) ||
                 kumo__buf_printf(b, ", \"references\": %zu}", h->refs);
        }
        if (rc == KUMO_OK)
            rc = kumo__buf_adds(b, "]}");
    }
    if (rc == KUMO_OK)
        rc = kumo__buf_adds(b, "]");
    return rc ? KUMO_ETOOBIG : KUMO_OK;
}

/* ---- the extension ---- */

typedef struct leakwatch {
    kumo_crawler *c;
    double interval;
    size_t window;              /* samples the test looks at: LEAKWATCH_SAMPLES + 1 */
    size_t min_count;
    kumo_lw_sample *ring;       /* window samples; head is the next slot to fill */
    size_t head, filled;
    uint64_t taken;
    const kumo_class *warned[KUMO_LW_MAX_CLASSES];
    size_t nwarned;
    kumo_buf suspects;          /* "HtmlResponse, Request" */
    FILE *file;                 /* LEAKWATCH_FILE, or NULL */
    struct event *timer;
} leakwatch;

static bool was_warned(leakwatch *lw, const kumo_class *cls)
{
    for (size_t i = 0; i < lw->nwarned; i++)
        if (lw->warned[i] == cls)
            return true;
    return false;
}

/* Count s in the stats and write it to LEAKWATCH_FILE, with the suspects warned about in it
 * (sus[0..nsus)). */
static void record(leakwatch *lw, const kumo_lw_sample *s, const kumo_lw_suspect *sus,
                   size_t nsus)
{
    kumo_crawler *c = lw->c;
    kumo_crawler_stats_set_int(c, "leakwatch/samples", (int64_t)++lw->taken);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->c[i].live)
            continue;
        char key[256];
        snprintf(key, sizeof(key), "leakwatch/peak_live/%s", s->c[i].cls->name);
        kumo_crawler_stats_max(c, key, (int64_t)s->c[i].live);
    }
    if (!lw->file)
        return;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    int rc = kumo__lw_sample_json(s, &b);
    if (rc == KUMO_OK && nsus) {
        b.len -= 2;                 /* the line's closing "}\n" */
        rc = kumo__buf_adds(&b, ", ") || kumo__lw_suspects_json(sus, nsus, &b) ||
             kumo__buf_adds(&b, "}\n");
    }
    if (rc == KUMO_OK) {
        fwrite(b.s, 1, b.len, lw->file);
        fflush(lw->file);
    }
    kumo__buf_release(&b);
}

/* Warn about each new suspect, naming what holds its objects; returns how many were warned
 * about now, in out[0..max). */
static size_t detect(leakwatch *lw, kumo_lw_suspect *out, size_t max)
{
    size_t warned = 0;
    if (lw->filled < lw->window)
        return 0;
    const kumo_lw_sample *win[SAMPLES_MAX + 1];
    for (size_t i = 0; i < lw->window; i++)
        win[i] = &lw->ring[(lw->head + i) % lw->window];   /* head: the oldest when full */
    kumo_lw_suspect sus[KUMO_LW_MAX_CLASSES];
    size_t n = kumo__lw_suspects(win, lw->window, lw->min_count, sus, KUMO_LW_MAX_CLASSES);
    for (size_t i = 0; i < n && i < KUMO_LW_MAX_CLASSES; i++) {
        if (was_warned(lw, sus[i].cls) || lw->nwarned >= KUMO_LW_MAX_CLASSES)
            continue;
        lw->warned[lw->nwarned++] = sus[i].cls;
        /* the walk reads every live object and what it holds: no callback may change them
         * meanwhile on a parse thread (they run under the spider's lock, as the console's
         * commands do) */
        kumo_held_by held[KUMO_LW_HELD_MAX];
        kumo_spider *sp = kumo_crawler_spider(lw->c);
        if (sp)
            kumo__spider_lock(sp);
        size_t nheld = kumo__held_by(sus[i].cls, held, KUMO_LW_HELD_MAX);
        if (sp)
            kumo__spider_unlock(sp);
        sus[i].nheld = KUMO_MIN(nheld, KUMO_LW_HELD_MAX);
        memcpy(sus[i].held, held, sus[i].nheld * sizeof(held[0]));
        if (warned < max)
            out[warned++] = sus[i];
        kumo_buf msg;
        kumo__buf_init(&msg, 0, KUMO_T_STR, KUMO_V_NONE);
        kumo__lw_suspect_format(&sus[i], lw->window - 1, &msg);
        KUMO_WARN(LOGGER, "%s", kumo__buf_str(&msg));
        kumo__buf_release(&msg);
        if (lw->suspects.len)
            kumo__buf_adds(&lw->suspects, ", ");
        kumo__buf_adds(&lw->suspects, sus[i].cls->name);
        kumo_crawler_stats_set_str(lw->c, "leakwatch/suspects", kumo__buf_str(&lw->suspects));
    }
    return warned;
}

static void sample(leakwatch *lw, bool check)
{
    kumo_crawler *c = lw->c;
    kumo_lw_sample *s = &lw->ring[lw->head];
    kumo_meminfo mi;
    kumo__meminfo_get(&mi);
    kumo__lw_sample_take(s, kumo_now() - kumo_crawler_start_time(c), mi.rss,
                        kumo_crawler_scheduled(c) + kumo_crawler_downloading(c));
    s->heap = mi.heap_bytes;
    s->mfree = mi.malloc_free_held;
    s->pages = kumo_crawler_stats_get_int(c, "response_received_count", 0);
    s->items = kumo_crawler_stats_get_int(c, "item_scraped_count", 0);
    lw->head = (lw->head + 1) % lw->window;
    if (lw->filled < lw->window)
        lw->filled++;
    kumo_lw_suspect warned[KUMO_LW_MAX_CLASSES];
    size_t nwarned = check ? detect(lw, warned, KUMO_LW_MAX_CLASSES) : 0;
    record(lw, s, warned, nwarned);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    sample(arg, true);
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    leakwatch *lw = self;
    sample(lw, true);
    struct timeval tv = {(time_t)lw->interval,
                         (suseconds_t)((lw->interval - (double)(time_t)lw->interval) * 1e6)};
    lw->timer = event_new(kumo_crawler_event_base(c), -1, EV_PERSIST, on_timer, lw);
    evtimer_add(lw->timer, &tv);
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    leakwatch *lw = self;
    if (lw->timer)
        evtimer_del(lw->timer);
    sample(lw, false);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    if (!kumo_crawler_setting_bool(c, "LEAKWATCH_ENABLED"))
        return KUMO_EDECLINED;
    double interval = kumo_crawler_setting_float(c, "LEAKWATCH_INTERVAL_SECONDS");
    if (interval <= 0)
        return KUMO_EDECLINED;
    int64_t samples = kumo_crawler_setting_int(c, "LEAKWATCH_SAMPLES");
    samples = samples < 1 ? 1 : samples > SAMPLES_MAX ? SAMPLES_MAX : samples;
    int64_t min_count = kumo_crawler_setting_int(c, "LEAKWATCH_MIN_COUNT");
    const char *path = kumo_crawler_setting(c, "LEAKWATCH_FILE");
    FILE *f = NULL;
    if (path && *path) {
        f = fopen(path, "a");
        if (!f) {
            snprintf(err, errlen, "cannot open LEAKWATCH_FILE '%s': %s", path, strerror(errno));
            return KUMO_EIO;
        }
    }
    kumo_tag type = kumo_type_intern("kumo.extensions.leakwatch.LeakWatch");
    leakwatch *lw = kumo_calloc(1, sizeof(*lw), type, KUMO_V_NONE);
    lw->c = c;
    lw->interval = interval;
    lw->window = (size_t)samples + 1;
    lw->min_count = min_count > 0 ? (size_t)min_count : 0;
    lw->ring = kumo_calloc(lw->window, sizeof(*lw->ring), type, KUMO_V_NONE);
    lw->file = f;
    kumo__buf_init(&lw->suspects, 4096, KUMO_T_STR, KUMO_V_NONE);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, lw);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, lw);
    *self = lw;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    leakwatch *lw = self;
    if (lw->timer)
        event_free(lw->timer);
    if (lw->file)
        fclose(lw->file);
    kumo__buf_release(&lw->suspects);
    kumo_free(lw->ring);
    kumo_free(lw);
}

const kumo_ext_def kumo__ext_leakwatch = {
    KUMO_EXT_HEADER,
    .name = "LeakWatch",
    .open = open_ext,
    .close = close_ext,
};
