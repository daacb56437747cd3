/* webservice.c - WebService: live charts, Prometheus /metrics and JSON /api/... over HTTP, on
 * the crawl's own loop (libevent's evhttp), for requests that carry the token only. */
#include "ext/ext.h"
#include "ext/webservice.h"
#include "ext/webpage.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/stats.h"
#include "mem/heapview.h"
#include "mem/memreport.h"
#include "util/bev.h"
#include "util/json.h"
#include "util/random.h"
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#define LOGGER "kumo.extensions.webservice"
#define MAX_CLIENTS 8               /* connections at once; more are closed at accept */
#define CLIENT_TIMEOUT 10           /* seconds a client may take to send or read */
#define MAX_HEADERS 8192            /* bytes of request line and headers */
#define MAX_BODY 1024               /* bytes of request body (the buttons send none) */
#define MAX_RESPONSE (4u << 20)     /* bytes of one response at most */
#define SERIES_MAX 240              /* chart points kept; then every other one is dropped */
#define MAX_DOMAINS 256             /* domains counted by name; the rest under "other" */
#define MAX_WARNINGS 20
#define HEAP_ROWS 40                /* /api/heap's rows by type at most */

/* ---- the pure part: Prometheus names and values ---- */

void kumo__ws_metric_name(const char *key, char *out, size_t cap)
{
    size_t n = 0;
    const char *prefix = "kumo_";
    for (const char *p = prefix; *p && n + 1 < cap; p++)
        out[n++] = *p;
    bool under = true;      /* no "__": a run of other bytes is one '_' */
    for (const unsigned char *p = (const unsigned char *)key; *p && n + 1 < cap; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9');
        if (ok) {
            out[n++] = (char)*p;
            under = false;
        } else if (!under) {
            out[n++] = '_';
            under = true;
        }
    }
    while (n > 4 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
}

int kumo__ws_label_value(kumo_buf *b, const char *v)
{
    int rc = KUMO_OK;
    for (const char *p = v; *p && !rc; p++) {
        if (*p == '\\')
            rc = kumo__buf_adds(b, "\\\\");
        else if (*p == '"')
            rc = kumo__buf_adds(b, "\\\"");
        else if (*p == '\n')
            rc = kumo__buf_adds(b, "\\n");
        else
            rc = kumo__buf_addc(b, *p);
    }
    return rc;
}

/* A sample value as Prometheus reads it (Go's ParseFloat): NaN, +Inf, -Inf, else %.17g. */
static int metric_value(kumo_buf *b, double v)
{
    if (v != v)
        return kumo__buf_adds(b, "NaN");
    if (v > 1e308 * 10)
        return kumo__buf_adds(b, "+Inf");
    if (v < -1e308 * 10)
        return kumo__buf_adds(b, "-Inf");
    if (v == (double)(int64_t)v && v < 9e18 && v > -9e18)
        return kumo__buf_printf(b, "%lld", (long long)v);
    return kumo__buf_printf(b, "%.17g", v);
}

/* ---- the extension ---- */

typedef struct sample {
    double t;                       /* seconds since the crawl started */
    int64_t pages, items;
    uint64_t rss, heap, mfree;
    uint32_t live[KUMO_WS_MAX_CLASSES];
} sample;

typedef struct client {
    struct evhttp_connection *conn; /* NULL while no request came yet */
    double accepted;                /* kumo_now() at accept; 0: the slot is free */
} client;

typedef struct domain {
    char *host;                     /* owned */
    int64_t count;
} domain;

typedef struct warning {
    char logger[64];
    char msg[512];
    double t;
} warning;

struct kumo_webservice {
    kumo_crawler *c;
    char *host, *token;             /* owned */
    bool token_given;               /* WEBSERVICE_TOKEN: not logged */
    unsigned port_lo, port_hi;
    int port;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct evconnlistener *lis;     /* bound's: disabled while every client slot is taken */
    struct event *timer;
    client clients[MAX_CLIENTS];
    sample *series;                 /* SERIES_MAX samples, oldest first */
    size_t nseries;
    double every, last;             /* seconds between kept samples, and the last one's t */
    const kumo_class *classes[KUMO_WS_MAX_CLASSES];    /* borrowed: classes outlive crawls */
    size_t nclasses;
    domain *domains;
    size_t ndomains;
    int64_t other_domains;
    pthread_mutex_t wlock;          /* the log tap runs on the thread that logs */
    warning warnings[MAX_WARNINGS];
    size_t nwarnings, whead;
    char reason[64];
};

typedef kumo_webservice ws_t;

static const kumo_class *class_at(ws_t *w, const kumo_class *cls, size_t *i)
{
    for (*i = 0; *i < w->nclasses; (*i)++)
        if (w->classes[*i] == cls)
            return cls;
    if (w->nclasses >= KUMO_WS_MAX_CLASSES)
        return NULL;
    w->classes[w->nclasses] = cls;
    *i = w->nclasses++;
    return cls;
}

static void take_sample(ws_t *w, sample *s)
{
    kumo_crawler *c = w->c;
    memset(s, 0, sizeof(*s));
    double start = kumo_crawler_start_time(c);
    s->t = start > 0 ? kumo_now() - start : 0;
    s->pages = kumo_crawler_stats_get_int(c, "response_received_count", 0);
    s->items = kumo_crawler_stats_get_int(c, "item_scraped_count", 0);
    kumo_meminfo mi;
    kumo__meminfo_get(&mi);
    s->rss = mi.rss;
    s->heap = mi.heap_bytes;
    s->mfree = mi.malloc_free_held;
    size_t nrows, i;
    kumo_refs_row *rows = kumo__refs_snapshot(&nrows);
    for (size_t k = 0; k < nrows; k++) {
        size_t n = rows[k].live;
        if (n && class_at(w, rows[k].cls, &i))
            s->live[i] = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    }
    kumo_free(rows);
}

/* Keep a sample every w->every seconds; a full series keeps every other one, and doubles
 * the spacing, so that a long crawl's chart covers it all in SERIES_MAX points. */
static void record(ws_t *w, bool force)
{
    sample s;
    take_sample(w, &s);
    if (!force && w->nseries && s.t - w->last < w->every - 0.05)
        return;
    if (w->nseries == SERIES_MAX) {
        size_t k = 0;
        for (size_t i = 0; i < w->nseries; i += 2)
            w->series[k++] = w->series[i];
        w->nseries = k;
        w->every *= 2;
    }
    w->series[w->nseries++] = s;
    w->last = s.t;
}

static void listen_more(ws_t *w);

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    record(arg, false);
    listen_more(arg);
}

static void on_response(void *self, kumo_crawler *c, void *arg)
{
    ws_t *w = self;
    char *host = kumo_url_host(kumo_response_url(arg));
    if (!host)
        return;
    for (size_t i = 0; i < w->ndomains; i++)
        if (!strcmp(w->domains[i].host, host)) {
            w->domains[i].count++;
            kumo_free(host);
            return;
        }
    if (w->ndomains == MAX_DOMAINS) {
        w->other_domains++;
        kumo_free(host);
        return;
    }
    w->domains[w->ndomains++] = (domain){host, 1};
}

static void on_log(void *ctx, const char *logger, kumo_loglevel level, const char *msg)
{
    ws_t *w = ctx;
    if (level < KUMO_LOG_WARNING)
        return;
    pthread_mutex_lock(&w->wlock);
    warning *x = &w->warnings[w->whead];
    snprintf(x->logger, sizeof(x->logger), "%s", logger);
    snprintf(x->msg, sizeof(x->msg), "%s", msg);
    double start = kumo_crawler_start_time(w->c);
    x->t = start > 0 ? kumo_now() - start : 0;
    w->whead = (w->whead + 1) % MAX_WARNINGS;
    if (w->nwarnings < MAX_WARNINGS)
        w->nwarnings++;
    pthread_mutex_unlock(&w->wlock);
}

/* ---- answers ---- */

static int json_kv_str(kumo_buf *b, const char *k, const char *v)
{
    return kumo__json_str(b, k, strlen(k)) || kumo__buf_adds(b, ": ") ||
           (v ? kumo__json_str(b, v, strlen(v)) : kumo__buf_adds(b, "null"));
}

static const char *spider_name(ws_t *w)
{
    kumo_spider *sp = kumo_crawler_spider(w->c);
    return sp ? kumo_spider_name(sp) : "";
}

/* The kept samples, then one taken now (not kept: polling does not thin the series). */
static int series_json(ws_t *w, kumo_buf *b)
{
    static const char *const keys[] = {"t", "pages", "items", "rss", "heap", "free"};
    sample now;
    take_sample(w, &now);
    size_t n = w->nseries + 1;
    int rc = kumo__buf_adds(b, "\"series\": {");
    for (size_t k = 0; k < KUMO_ARRAY_LEN(keys) && !rc; k++) {
        rc = kumo__buf_printf(b, "%s\"%s\": [", k ? ", " : "", keys[k]);
        for (size_t i = 0; i < n && !rc; i++) {
            const sample *s = i < w->nseries ? &w->series[i] : &now;
            rc = i ? kumo__buf_adds(b, ",") : KUMO_OK;
            if (rc)
                break;
            if (k == 0)
                rc = kumo__buf_printf(b, "%.3f", s->t);
            else
                rc = kumo__buf_printf(b, "%llu", (unsigned long long)(
                    k == 1 ? (uint64_t)s->pages : k == 2 ? (uint64_t)s->items :
                    k == 3 ? s->rss : k == 4 ? s->heap : s->mfree));
        }
        if (!rc)
            rc = kumo__buf_adds(b, "]");
    }
    if (!rc)
        rc = kumo__buf_adds(b, "}, \"live\": {");
    bool first = true;
    for (size_t c = 0; c < w->nclasses && !rc; c++) {
        rc = kumo__buf_adds(b, first ? "" : ", ") ||
             kumo__json_str(b, w->classes[c]->name, strlen(w->classes[c]->name)) ||
             kumo__buf_adds(b, ": [");
        first = false;
        for (size_t i = 0; i < n && !rc; i++)
            rc = kumo__buf_printf(b, "%s%u", i ? "," : "",
                                  (i < w->nseries ? &w->series[i] : &now)->live[c]);
        if (!rc)
            rc = kumo__buf_adds(b, "]");
    }
    return rc ? rc : kumo__buf_adds(b, "}");
}

static int warnings_json(ws_t *w, kumo_buf *b)
{
    int rc = kumo__buf_adds(b, "\"warnings\": [");
    pthread_mutex_lock(&w->wlock);
    size_t start = (w->whead + MAX_WARNINGS - w->nwarnings) % MAX_WARNINGS;
    for (size_t i = 0; i < w->nwarnings && !rc; i++) {
        const warning *x = &w->warnings[(start + i) % MAX_WARNINGS];
        rc = kumo__buf_printf(b, "%s{\"t\": %.1f, ", i ? ", " : "", x->t) ||
             json_kv_str(b, "logger", x->logger) || kumo__buf_adds(b, ", ") ||
             json_kv_str(b, "msg", x->msg) || kumo__buf_adds(b, "}");
    }
    pthread_mutex_unlock(&w->wlock);
    return rc ? rc : kumo__buf_adds(b, "]");
}

static int live_json(ws_t *w, kumo_buf *b)
{
    kumo_engine *e = kumo__crawler_engine(w->c);
    const char *reason = e ? kumo__engine_reason(e) : NULL;
    const kumo_value *sus = kumo__stats_get(kumo__crawler_stats(w->c), "leakwatch/suspects");
    int rc = kumo__buf_adds(b, "{") || json_kv_str(b, "spider", spider_name(w)) ||
             kumo__buf_printf(b, ", \"paused\": %s, ",
                              e && kumo__engine_paused(e) ? "true" : "false") ||
             json_kv_str(b, "reason", reason ? reason : w->reason[0] ? w->reason : NULL) ||
             kumo__buf_printf(b, ", \"every\": %g, ", w->every) ||
             json_kv_str(b, "suspects", sus && sus->type == KUMO_VAL_STR ? sus->u.str.s : "") ||
             kumo__buf_adds(b, ", ") || series_json(w, b) || kumo__buf_adds(b, ", ") ||
             warnings_json(w, b) || kumo__buf_adds(b, "}\n");
    return rc ? KUMO_ETOOBIG : KUMO_OK;
}

static int stats_json(ws_t *w, kumo_buf *b)
{
    const kumo_map *m = kumo__stats_map(kumo__crawler_stats(w->c));
    return kumo__json_map(b, m, ", ", ": ") || kumo__buf_adds(b, "\n") ? KUMO_ETOOBIG : KUMO_OK;
}

/* prefs(): one row per class with live objects, and the console's text. */
static int prefs_json(ws_t *w, kumo_buf *b)
{
    double now = kumo_now();
    int rc = kumo__buf_adds(b, "{\"classes\": [");
    bool first = true;
    size_t nrows;
    kumo_refs_row *rows = kumo__refs_snapshot(&nrows);
    for (size_t k = 0; k < nrows && !rc; k++) {
        const kumo_refs_row *r = &rows[k];
        if (!r->live)
            continue;
        rc = kumo__buf_adds(b, first ? "{" : ", {") || json_kv_str(b, "name", r->cls->name) ||
             kumo__buf_printf(b, ", \"live\": %zu, \"oldest\": %.1f}", r->live,
                              r->oldest_born ? now - r->oldest_born : 0.0);
        first = false;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);     /* stdio's buffer: libc allocates it */
    if (f) {
        kumo__prefs_rows(f, rows, nrows, NULL, 0);
        fclose(f);
    }
    kumo_free(rows);
    if (!rc)
        rc = kumo__buf_adds(b, "], \"text\": ") ||
             kumo__json_str(b, text ? text : "", text ? len : 0) || kumo__buf_adds(b, "}\n");
    free(text);
    return rc ? KUMO_ETOOBIG : KUMO_OK;
}

/* est(): the engine status as fields and as the console prints it. */
static int est_json(ws_t *w, kumo_buf *b)
{
    kumo_engine *e = kumo__crawler_engine(w->c);
    if (!e)
        return kumo__buf_adds(b, "{\"running\": false}\n") ? KUMO_ETOOBIG : KUMO_OK;
    kumo_engine_status st;
    kumo__engine_status_get(e, &st);
    kumo_buf text;
    kumo__buf_init(&text, 65536, KUMO_T_STR, KUMO_V_NONE);
    kumo__engine_status_format(e, &text);
    int rc = kumo__buf_printf(b, "{\"running\": true, \"downloader_active\": %zu, "
                              "\"downloader_transferring\": %zu, \"downloader_slots\": %zu, "
                              "\"scheduler_len\": %zu, \"start_requests_left\": %zu, "
                              "\"needs_backout\": %s, \"closing\": %s, \"paused\": %s, "
                              "\"idle\": %s, \"text\": ",
                              st.downloader_active, st.downloader_transferring,
                              st.downloader_slots, st.scheduler_len, st.start_requests_left,
                              st.needs_backout ? "true" : "false", st.closing ? "true" : "false",
                              st.paused ? "true" : "false", st.idle ? "true" : "false") ||
             kumo__json_str(b, text.s ? text.s : "", text.len) || kumo__buf_adds(b, "}\n");
    kumo__buf_release(&text);
    return rc ? KUMO_ETOOBIG : KUMO_OK;
}

/* mem() and hpy.heap().bytype: process memory, and the tagged heap by type. */
static int heap_json(ws_t *w, kumo_buf *b)
{
    kumo_meminfo mi;
    kumo__meminfo_get(&mi);
    kumo_buf text;
    kumo__buf_init(&text, 65536, KUMO_T_STR, KUMO_V_NONE);
    kumo__mem_report(&text);
    kumo_heapset *all = kumo__heapset_snapshot();
    kumo_partition *p = kumo__heapset_partition(all, KUMO_PART_BYTYPE);
    int rc = kumo__buf_printf(b, "{\"rss\": %llu, \"rss_peak\": %llu, \"heap_bytes\": %llu, "
                              "\"heap_blocks\": %llu, \"malloc_in_use\": %llu, "
                              "\"malloc_free_held\": %llu, \"count\": %llu, \"size\": %llu, "
                              "\"bytype\": [",
                              (unsigned long long)mi.rss, (unsigned long long)mi.rss_peak,
                              (unsigned long long)mi.heap_bytes,
                              (unsigned long long)mi.heap_blocks,
                              (unsigned long long)mi.malloc_in_use,
                              (unsigned long long)mi.malloc_free_held,
                              (unsigned long long)kumo__heapset_count(all),
                              (unsigned long long)kumo__heapset_size(all));
    size_t rows = KUMO_MIN(kumo__partition_rows(p), HEAP_ROWS);
    for (size_t i = 0; i < rows && !rc; i++) {
        kumo_heapset *row = kumo__partition_row(p, i);
        const char *name = kumo__partition_row_name(p, i);
        rc = kumo__buf_adds(b, i ? ", {" : "{") || json_kv_str(b, "type", name ? name : "") ||
             kumo__buf_printf(b, ", \"count\": %llu, \"size\": %llu}",
                              (unsigned long long)kumo__heapset_count(row),
                              (unsigned long long)kumo__heapset_size(row));
        kumo__heapset_free(row);
    }
    if (!rc)
        rc = kumo__buf_adds(b, "], \"text\": ") ||
             kumo__json_str(b, text.s ? text.s : "", text.len) || kumo__buf_adds(b, "}\n");
    kumo__partition_free(p);
    kumo__heapset_free(all);
    kumo__buf_release(&text);
    return rc ? KUMO_ETOOBIG : KUMO_OK;
}

/* One metric family: "# HELP", "# TYPE", then the caller's samples. */
static int family(kumo_buf *b, const char *name, const char *type, const char *help)
{
    return kumo__buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int sample_line(kumo_buf *b, const char *name, const char *spider, const char *lname,
                       const char *lvalue, double v)
{
    int rc = kumo__buf_printf(b, "%s{spider=\"", name) || kumo__ws_label_value(b, spider) ||
             kumo__buf_adds(b, "\"");
    if (!rc && lname)
        rc = kumo__buf_printf(b, ",%s=\"", lname) || kumo__ws_label_value(b, lvalue) ||
             kumo__buf_adds(b, "\"");
    return rc || kumo__buf_adds(b, "} ") || metric_value(b, v) || kumo__buf_adds(b, "\n");
}

static bool name_taken(char (*names)[128], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], name))
            return true;
    return false;
}

/* A few names of our own; a stat whose name would be one of these is left out. */
static const char *const own_names[] = {
    "kumo_live_objects", "kumo_oldest_object_age_seconds", "kumo_rss_bytes",
    "kumo_rss_peak_bytes", "kumo_heap_bytes", "kumo_heap_blocks", "kumo_malloc_in_use_bytes",
    "kumo_malloc_free_bytes", "kumo_queue_length", "kumo_in_flight", "kumo_paused",
    "kumo_domain_responses_total", "kumo_elapsed_seconds",
};

static int metrics_text(ws_t *w, kumo_buf *b)
{
    const char *sp = spider_name(w);
    const kumo_map *m = kumo__stats_map(kumo__crawler_stats(w->c));
    size_t cap = m->len + KUMO_ARRAY_LEN(own_names);
    char(*names)[128] = kumo_calloc(cap ? cap : 1, sizeof(*names), KUMO_T_STR, KUMO_V_NONE);
    size_t nnames = 0;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(own_names); i++)
        snprintf(names[nnames++], sizeof(names[0]), "%s", own_names[i]);
    int rc = KUMO_OK;
    for (size_t i = 0; i < m->len && !rc; i++) {
        const kumo_value *v = &m->e[i].val;
        double x;
        if (v->type == KUMO_VAL_INT)
            x = (double)v->u.i;
        else if (v->type == KUMO_VAL_FLOAT)
            x = v->u.f;
        else if (v->type == KUMO_VAL_BOOL)
            x = v->u.b ? 1 : 0;
        else
            continue;
        char name[128];
        kumo__ws_metric_name(m->e[i].key, name, sizeof(name));
        if (strlen(name) <= 5 || name_taken(names, nnames, name))
            continue;       /* nothing left of the key, or two keys that read the same */
        snprintf(names[nnames++], sizeof(names[0]), "%s", name);
        kumo_buf help;
        kumo__buf_init(&help, 512, KUMO_T_STR, KUMO_V_NONE);
        kumo__buf_adds(&help, "stat ");
        for (const char *p = m->e[i].key; *p && help.len < 400; p++)
            kumo__buf_addc(&help, *p == '\n' || *p == '\\' ? '_' : *p);
        rc = family(b, name, "gauge", kumo__buf_str(&help)) ||
             sample_line(b, name, sp, NULL, NULL, x);
        kumo__buf_release(&help);
    }
    kumo_free(names);
    if (rc)
        return KUMO_ETOOBIG;
    double now = kumo_now();
    rc = family(b, "kumo_live_objects", "gauge", "live tracked objects per class (prefs())");
    size_t nrows;
    kumo_refs_row *rows = kumo__refs_snapshot(&nrows);
    for (size_t k = 0; k < nrows && !rc; k++)
        if (rows[k].live)
            rc = sample_line(b, "kumo_live_objects", sp, "class", rows[k].cls->name,
                             (double)rows[k].live);
    if (!rc)
        rc = family(b, "kumo_oldest_object_age_seconds", "gauge",
                    "age of the oldest live object per class");
    for (size_t k = 0; k < nrows && !rc; k++)
        if (rows[k].oldest_born)
            rc = sample_line(b, "kumo_oldest_object_age_seconds", sp, "class",
                             rows[k].cls->name, now - rows[k].oldest_born);
    kumo_free(rows);
    kumo_meminfo mi;
    kumo__meminfo_get(&mi);
    kumo_engine *e = kumo__crawler_engine(w->c);
    double start = kumo_crawler_start_time(w->c);
    const struct {
        const char *name, *help;
        double v;
    } gauges[] = {
        {"kumo_rss_bytes", "resident set size of the process", (double)mi.rss},
        {"kumo_rss_peak_bytes", "peak resident set size", (double)mi.rss_peak},
        {"kumo_heap_bytes", "bytes live in kumo's tagged heap", (double)mi.heap_bytes},
        {"kumo_heap_blocks", "blocks live in kumo's tagged heap", (double)mi.heap_blocks},
        {"kumo_malloc_in_use_bytes", "malloc's bytes in use (mallinfo2)",
         (double)mi.malloc_in_use},
        {"kumo_malloc_free_bytes", "malloc's free bytes not given back to the system",
         (double)mi.malloc_free_held},
        {"kumo_queue_length", "requests waiting in the scheduler",
         (double)kumo_crawler_scheduled(w->c)},
        {"kumo_in_flight", "requests in the downloader", (double)kumo_crawler_downloading(w->c)},
        {"kumo_paused", "1 while the engine is paused", e && kumo__engine_paused(e) ? 1 : 0},
        {"kumo_elapsed_seconds", "seconds since the crawl started",
         start > 0 ? now - start : 0},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(gauges) && !rc; i++)
        rc = family(b, gauges[i].name, "gauge", gauges[i].help) ||
             sample_line(b, gauges[i].name, sp, NULL, NULL, gauges[i].v);
    if (!rc)
        rc = family(b, "kumo_domain_responses_total", "counter",
                    "responses received per domain (other: past 256 domains)");
    for (size_t i = 0; i < w->ndomains && !rc; i++)
        rc = sample_line(b, "kumo_domain_responses_total", sp, "domain", w->domains[i].host,
                         (double)w->domains[i].count);
    if (!rc && w->other_domains)
        rc = sample_line(b, "kumo_domain_responses_total", sp, "domain", "other",
                         (double)w->other_domains);
    return rc ? KUMO_ETOOBIG : KUMO_OK;
}

/* ---- HTTP ---- */

static bool same_token(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char d = la != lb;
    for (size_t i = 0; i < la && i < lb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return !d;
}

bool kumo__ws_authorized(const char *token, const char *authorization, const char *header,
                         const char *query)
{
    if (authorization && !strncasecmp(authorization, "Bearer ", 7)) {
        const char *t = authorization + 7;
        while (*t == ' ')
            t++;
        if (same_token(t, token))
            return true;
    }
    if (header && same_token(header, token))
        return true;
    if (!query)
        return false;
    struct evkeyvalq q;     /* evhttp_parse_query_str() initializes it */
    bool ok = false;
    if (evhttp_parse_query_str(query, &q) == 0) {
        const char *t = evhttp_find_header(&q, "token");
        ok = t && same_token(t, token);
    }
    evhttp_clear_headers(&q);
    return ok;
}

static void reply(struct evhttp_request *req, int code, const char *reason, const char *type,
                  const char *body, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (type)
        evhttp_add_header(h, "Content-Type", type);
    struct evbuffer *out = evbuffer_new();
    if (body && len)
        evbuffer_add(out, body, len);
    evhttp_send_reply(req, code, reason, out);
    evbuffer_free(out);
}

static void reply_buf(struct evhttp_request *req, int rc, const char *type, kumo_buf *b)
{
    if (rc == KUMO_OK)
        reply(req, 200, "OK", type, b->s, b->len);
    else
        reply(req, 500, "Internal Server Error", "text/plain", "response too large\n", 19);
}

static client *client_of(ws_t *w, struct evhttp_connection *conn)
{
    for (size_t i = 0; i < MAX_CLIENTS; i++)
        if (w->clients[i].accepted && w->clients[i].conn == conn)
            return &w->clients[i];
    return NULL;
}

/*
 * Few clients: each accepted connection takes a slot (its first request names it, its close
 * frees it; one that sends nothing is timed out by evhttp and its slot reused after the
 * timeout).  With every slot taken the listener stops accepting: newcomers wait in the
 * kernel's backlog, and the crawl never waits on a client.
 */
static void listen_more(ws_t *w)
{
    if (!w->lis)
        return;
    double now = kumo_now();
    size_t used = 0;
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        client *cl = &w->clients[i];
        if (cl->accepted && !cl->conn && now - cl->accepted > CLIENT_TIMEOUT + 1)
            *cl = (client){NULL, 0};
        used += cl->accepted != 0;
    }
    if (used < MAX_CLIENTS)
        evconnlistener_enable(w->lis);
    else
        evconnlistener_disable(w->lis);
}

static void on_conn_close(struct evhttp_connection *conn, void *arg)
{
    client *cl = client_of(arg, conn);
    if (cl)
        *cl = (client){NULL, 0};
    listen_more(arg);
}

/* The first request of a connection claims its accepted slot; its close frees it. */
static void track(ws_t *w, struct evhttp_request *req)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    if (!conn || client_of(w, conn))
        return;
    client *best = NULL;
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        client *cl = &w->clients[i];
        if (cl->accepted && !cl->conn && (!best || cl->accepted < best->accepted))
            best = cl;
    }
    if (!best)
        return;
    best->conn = conn;
    evhttp_connection_set_closecb(conn, on_conn_close, w);
}

/* evhttp accepted a connection: take a slot (evhttp_set_bevcb). */
static struct bufferevent *on_accept(struct event_base *base, void *arg)
{
    ws_t *w = arg;
    for (size_t i = 0; i < MAX_CLIENTS; i++)
        if (!w->clients[i].accepted) {
            w->clients[i] = (client){NULL, kumo_now()};
            break;
        }
    listen_more(w);
    return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

static void control(ws_t *w, struct evhttp_request *req, const char *what)
{
    kumo_engine *e = kumo__crawler_engine(w->c);
    if (!e || kumo__engine_closed(e)) {
        reply(req, 409, "Conflict", "application/json", "{\"error\": \"no crawl\"}\n", 22);
        return;
    }
    bool stop = !strcmp(what, "stop");
    if (!strcmp(what, "pause"))
        kumo__engine_pause(e);
    else if (!strcmp(what, "unpause"))
        kumo__engine_unpause(e);
    KUMO_INFO(LOGGER, "Web service: %s", what);
    char body[128];
    int n = snprintf(body, sizeof(body), "{\"ok\": true, \"paused\": %s, \"closing\": %s}\n",
                     kumo__engine_paused(e) ? "true" : "false",
                     stop || kumo__engine_closing(e) || kumo__engine_closed(e) ? "true" : "false");
    reply(req, 200, "OK", "application/json", body, (size_t)n);
    /* after the answer is queued: a crawl with nothing in flight closes at once, and
     * closed() sends what is queued */
    if (stop)
        kumo_crawler_close_spider(w->c, "shutdown");
}

static void on_request(struct evhttp_request *req, void *arg)
{
    ws_t *w = arg;
    track(w, req);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    if (!kumo__ws_authorized(w->token, evhttp_find_header(in, "Authorization"),
                             evhttp_find_header(in, "X-Kumo-Token"), query)) {
        kumo_crawler_stats_inc(w->c, "webservice/forbidden", 1);
        evhttp_send_reply(req, 403, "Forbidden", NULL);     /* no header of ours, no body */
        return;
    }
    kumo_crawler_stats_inc(w->c, "webservice/requests", 1);
    if (!path || !*path)
        path = "/";
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    static const char *const controls[] = {"/api/pause", "/api/unpause", "/api/stop"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(controls); i++)
        if (!strcmp(path, controls[i])) {
            if (cmd != EVHTTP_REQ_POST)
                reply(req, 405, "Method Not Allowed", "text/plain", "POST only\n", 10);
            else
                control(w, req, controls[i] + 5);
            return;
        }
    if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        reply(req, 405, "Method Not Allowed", "text/plain", "GET only\n", 9);
        return;
    }
    if (!strcmp(path, "/")) {
        size_t len;
        const char *page = kumo__webpage(&len);
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Security-Policy",
                          "default-src 'none'; script-src 'unsafe-inline'; style-src "
                          "'unsafe-inline'; img-src data:; connect-src 'self'");
        reply(req, 200, "OK", "text/html; charset=utf-8", page, len);
        return;
    }
    static const struct {
        const char *path, *type;
        int (*fn)(ws_t *w, kumo_buf *b);
    } routes[] = {
        {"/metrics", "text/plain; version=0.0.4; charset=utf-8", metrics_text},
        {"/api/live", "application/json", live_json},
        {"/api/stats", "application/json", stats_json},
        {"/api/prefs", "application/json", prefs_json},
        {"/api/est", "application/json", est_json},
        {"/api/heap", "application/json", heap_json},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(routes); i++)
        if (!strcmp(path, routes[i].path)) {
            kumo_buf b;
            kumo__buf_init(&b, MAX_RESPONSE, KUMO_T_STR, KUMO_V_NONE);
            reply_buf(req, routes[i].fn(w, &b), routes[i].type, &b);
            kumo__buf_release(&b);
            return;
        }
    reply(req, 404, "Not Found", "text/plain", "not found\n", 10);
}

static int listen_on(ws_t *w, char *err, size_t errlen)
{
    struct evhttp_bound_socket *bound = NULL;
    for (unsigned port = w->port_lo; port <= w->port_hi && !bound; port++)
        bound = evhttp_bind_socket_with_handle(w->http, w->host, (uint16_t)port);
    if (!bound) {
        snprintf(err, errlen, "no free port in %u-%u on '%s': %s", w->port_lo, w->port_hi,
                 w->host, strerror(errno));
        return KUMO_EIO;
    }
    w->bound = bound;
    w->lis = evhttp_bound_socket_get_listener(bound);
    struct sockaddr_storage got;
    socklen_t gotlen = sizeof(got);
    getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&got, &gotlen);
    w->port = ntohs(got.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&got)->sin6_port
                                              : ((struct sockaddr_in *)&got)->sin_port);
    return KUMO_OK;
}

static bool loopback(const char *host)
{
    return !strncmp(host, "127.", 4) || !strcmp(host, "::1") || !strcmp(host, "[::1]");
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    ws_t *w = self;
    char err[256];
    if (listen_on(w, err, sizeof(err)) != KUMO_OK) {
        KUMO_WARN(LOGGER, "Web service disabled: %s", err);
        return;
    }
    if (!loopback(w->host))
        KUMO_WARN(LOGGER, "Web service listens on %s, not a loopback address: anyone who can "
                  "reach it and has the token controls this crawl", w->host);
    const char *fmt = strchr(w->host, ':') ? "http://[%s]:%d/" : "http://%s:%d/";
    char url[128];
    snprintf(url, sizeof(url), fmt, w->host, w->port);
    if (w->token_given)
        KUMO_INFO(LOGGER, "Web service listening on %s (token: WEBSERVICE_TOKEN)", url);
    else
        KUMO_INFO(LOGGER, "Web service listening on %s?token=%s", url, w->token);
    record(w, true);
    struct timeval tv = {1, 0};
    w->timer = event_new(kumo_crawler_event_base(c), -1, EV_PERSIST, on_timer, w);
    evtimer_add(w->timer, &tv);
}

/*
 * Answers still queued go out now, and their connections end: the loop ends with the crawl,
 * and a Stop answered in its last turns waited for a turn that never came (the client had
 * neither the answer nor the end of the connection until the process exited).  What the
 * socket does not take at once is dropped.
 */
static void flush_clients(ws_t *w)
{
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        struct evhttp_connection *conn = w->clients[i].conn;
        struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
        if (bev && evbuffer_get_length(bufferevent_get_output(bev)) > 0)
            kumo__bev_flush_now(bev, true);
    }
}

/* The last point of the charts; new connections stop (the loop ends soon after). */
static void closed(void *self, kumo_crawler *c, void *arg)
{
    ws_t *w = self;
    snprintf(w->reason, sizeof(w->reason), "%s", arg ? (const char *)arg : "");
    if (w->timer)
        evtimer_del(w->timer);
    record(w, true);
    if (w->bound)
        evhttp_del_accept_socket(w->http, w->bound);
    w->bound = NULL;
    w->lis = NULL;
    flush_clients(w);
}

int kumo__ws_random_token(char out[33])
{
    return kumo__random_hex(out, 16);
}

int kumo__ws_parse_ports(const char *const *items, size_t n, unsigned *lo, unsigned *hi)
{
    if (n < 1 || n > 2)
        return KUMO_EINVAL;
    unsigned v[2];
    for (size_t i = 0; i < n; i++) {
        char *end;
        errno = 0;
        long x = strtol(items[i], &end, 10);
        if (errno || end == items[i] || *end || x < 0 || x > 65535)
            return KUMO_EINVAL;
        v[i] = (unsigned)x;
    }
    *lo = v[0];
    *hi = n == 2 ? v[1] : v[0];
    return *lo > *hi || (*lo == 0 && *hi != 0) ? KUMO_EINVAL : KUMO_OK;
}

static void free_ws(ws_t *w)
{
    if (w->http) {
        flush_clients(w);       /* what the last turns of the loop answered */
        evhttp_free(w->http);   /* closes the clients: on_conn_close still finds w */
    }
    if (w->timer)
        event_free(w->timer);
    for (size_t i = 0; i < w->ndomains; i++)
        kumo_free(w->domains[i].host);
    pthread_mutex_destroy(&w->wlock);
    kumo_free(w->domains);
    kumo_free(w->series);
    kumo_free(w->host);
    kumo_free(w->token);
    kumo_free(w);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    if (!kumo_crawler_setting_bool(c, "WEBSERVICE_ENABLED"))
        return KUMO_EDECLINED;
    char *items[3] = {NULL, NULL, NULL};
    size_t n = kumo_crawler_setting_list(c, "WEBSERVICE_PORT", items, 3);
    unsigned lo = 0, hi = 0;
    int prc = kumo__ws_parse_ports((const char *const *)items, n, &lo, &hi);
    for (size_t i = 0; i < KUMO_MIN(n, 3); i++)
        kumo_free(items[i]);
    if (prc != KUMO_OK) {
        const char *v = kumo_crawler_setting(c, "WEBSERVICE_PORT");
        snprintf(err, errlen, "invalid value '%s' for WEBSERVICE_PORT: expected a port, a "
                 "range such as 6080,6100, or 0 for any free port", v ? v : "");
        return KUMO_EINVAL;
    }
    kumo_tag type = kumo_type_intern("kumo.extensions.webservice.WebService");
    ws_t *w = kumo_calloc(1, sizeof(*w), type, KUMO_V_NONE);
    w->c = c;
    w->port_lo = lo;
    w->port_hi = hi;
    const char *host = kumo_crawler_setting(c, "WEBSERVICE_HOST");
    w->host = kumo_strdup(host && *host ? host : "127.0.0.1", KUMO_T_STR, KUMO_V_NONE);
    const char *token = kumo_crawler_setting(c, "WEBSERVICE_TOKEN");
    pthread_mutex_init(&w->wlock, NULL);
    if (token && *token) {
        w->token = kumo_strdup(token, KUMO_T_STR, KUMO_V_NONE);
        w->token_given = true;
    } else {
        char t[33];
        if (kumo__ws_random_token(t) != KUMO_OK) {
            snprintf(err, errlen, "cannot make a web service token: %s", strerror(errno));
            free_ws(w);
            return KUMO_EIO;
        }
        w->token = kumo_strdup(t, KUMO_T_STR, KUMO_V_NONE);
    }
    w->series = kumo_calloc(SERIES_MAX, sizeof(*w->series), type, KUMO_V_NONE);
    w->domains = kumo_calloc(MAX_DOMAINS, sizeof(*w->domains), type, KUMO_V_NONE);
    w->every = 1;
    w->http = evhttp_new(kumo_crawler_event_base(c));
    if (!w->http) {
        snprintf(err, errlen, "cannot start the web service's HTTP server");
        free_ws(w);
        return KUMO_EIO;
    }
    evhttp_set_default_content_type(w->http, NULL);     /* a 403 says nothing */
    evhttp_set_max_headers_size(w->http, MAX_HEADERS);
    evhttp_set_max_body_size(w->http, MAX_BODY);
    evhttp_set_timeout(w->http, CLIENT_TIMEOUT);
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST);
    evhttp_set_gencb(w->http, on_request, w);
    evhttp_set_bevcb(w->http, on_accept, w);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, w);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, w);
    kumo_crawler_connect(c, KUMO_SIGNAL_RESPONSE_RECEIVED, on_response, w);
    kumo__log_set_tap(on_log, w);
    *self = w;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    kumo__log_set_tap(NULL, NULL);
    free_ws(self);
}

const kumo_ext_def kumo__ext_webservice = {
    KUMO_EXT_HEADER,
    .name = "WebService",
    .open = open_ext,
    .close = close_ext,
};
