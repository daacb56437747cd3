/* scheduler.c - dupefilter and queue in front of the backend, with Scrapy's stats. */
#include "core/scheduler.h"
#include "core/crawler.h"
#include "core/registry.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"

struct kumo_scheduler {
    kumo_crawler *c;
    const kumo_queue_backend *be;
    void *q;
    bool debug;                 /* DUPEFILTER_DEBUG */
    bool logged_dupe;
    char enq_key[64], deq_key[64];
};

/* The first registered backend that wants this crawl, else memory. */
static const kumo_queue_backend *backend_for(kumo_crawler *c)
{
    const kumo_queue_backend *const *be =
        (const kumo_queue_backend *const *)kumo__registered(KUMO_REG_QUEUE);
    for (; *be; be++)
        if ((*be)->wants && (*be)->wants(c))
            return *be;
    return &kumo__queue_memory;
}

static char open_error[512];     /* the loop's thread opens schedulers */

void kumo__scheduler_set_open_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(open_error, sizeof(open_error), fmt, ap);
    va_end(ap);
}

const char *kumo__scheduler_open_error(void)
{
    return open_error;
}

kumo_scheduler *kumo__scheduler_open(kumo_crawler *c, int *err)
{
    const kumo_queue_backend *be = backend_for(c);
    open_error[0] = '\0';
    void *q = be->open(c, err);
    if (!q)
        return NULL;
    kumo_scheduler *s = kumo_calloc(1, sizeof(*s), KUMO_T_QUEUE, KUMO_V_NONE);
    s->c = c;
    s->be = be;
    s->q = q;
    s->debug = kumo__settings_bool(kumo__crawler_settings(c), "DUPEFILTER_DEBUG");
    /* a backend may count its own (SQLite: /disk and /memory, its side queue) */
    if (!be->own_stats) {
        snprintf(s->enq_key, sizeof(s->enq_key), "scheduler/enqueued/%s", be->name);
        snprintf(s->deq_key, sizeof(s->deq_key), "scheduler/dequeued/%s", be->name);
    }
    return s;
}

void kumo__scheduler_close(kumo_scheduler *s)
{
    if (!s)
        return;
    s->be->close(s->q);
    kumo_free(s);
}

bool kumo__scheduler_enqueue(kumo_scheduler *s, kumo_request *req)
{
    bool seen = s->be->seen_or_add(s->q, kumo__request_fingerprint(req));
    if (seen && !req->dont_filter) {
        if (s->debug)
            KUMO_DEBUG("kumo.dupefilters", "Filtered duplicate request: <%s %s>", req->method,
                       req->url);
        else if (!s->logged_dupe)
            KUMO_DEBUG("kumo.dupefilters",
                       "Filtered duplicate request: <%s %s> - no more duplicates will be shown "
                       "(see DUPEFILTER_DEBUG to show all duplicates)",
                       req->method, req->url);
        s->logged_dupe = true;
        kumo__stats_inc(kumo__crawler_stats(s->c), "dupefilter/filtered", 1);
        kumo_request_unref(req);
        return false;
    }
    s->be->push(s->q, req);
    if (s->enq_key[0])
        kumo__stats_inc(kumo__crawler_stats(s->c), s->enq_key, 1);
    kumo__stats_inc(kumo__crawler_stats(s->c), "scheduler/enqueued", 1);
    return true;
}

kumo_request *kumo__scheduler_next(kumo_scheduler *s)
{
    kumo_request *req = s->be->pop(s->q);
    if (req) {
        if (s->deq_key[0])
            kumo__stats_inc(kumo__crawler_stats(s->c), s->deq_key, 1);
        kumo__stats_inc(kumo__crawler_stats(s->c), "scheduler/dequeued", 1);
    }
    return req;
}

void kumo__scheduler_done(kumo_scheduler *s, kumo_request *req)
{
    if (s->be->done)
        s->be->done(s->q, req);
}

void kumo__scheduler_walk(const kumo_scheduler *s,
                          void (*fn)(void *ctx, int priority, size_t index, kumo_request *req),
                          void *ctx)
{
    if (s && s->be->walk)
        s->be->walk(s->q, fn, ctx);
}

bool kumo__scheduler_start_done(const kumo_scheduler *s)
{
    return s->be->start_done && s->be->start_done(s->q);
}

bool kumo__scheduler_start_wait(const kumo_scheduler *s)
{
    return s->be->start_wait && s->be->start_wait(s->q);
}

size_t kumo__scheduler_len(const kumo_scheduler *s)
{
    return s->be->len(s->q);
}
