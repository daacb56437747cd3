/* engine.c - the execution engine: feeds the downloader from the scheduler and the start
 * requests, hands responses to the spider, outputs to the scheduler and the pipelines. */
#include "core/engine.h"
#include "core/crawler.h"
#include "core/downloader_config.h"
#include "core/failure.h"
#include "core/out.h"
#include "core/registry.h"
#include "core/response_doc.h"
#include "core/scheduler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/sitemap.h"
#include "core/spider.h"
#include "core/stats.h"
#include "http/downloader.h"
#include "http/request.h"
#include "http/response.h"
#include "http/status.h"
#include "mem/referrers.h"
#include "core/chain.h"
#include "core/item.h"
#include "select/pool.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/timing.h"
#include "util/vec.h"

#include <math.h>
#include <unistd.h>
#include <event2/event.h>

#define LOGGER "kumo.core.engine"
#define MIN_RESPONSE_SIZE 1024      /* Scrapy's scraper counts a response as at least this */
#define DOC_COST 16                 /* a libxml2 document costs 12-18 times its HTML body */
#define LAG_PERIOD_MS 10            /* the lag timer's period */
#define LAG_BUCKETS 10

/* Upper bounds (ms, exclusive) of the loop lag histogram's buckets; the last is open. */
static const int lag_bounds[LAG_BUCKETS - 1] = {1, 2, 5, 10, 20, 50, 100, 200, 500};

/* A download a middleware asked for (kumo__engine_download()): it bypasses the spider. */
typedef struct direct {
    struct direct *next;
    kumo_request *req;              /* one reference */
    kumo_download_fn done;
    void *ctx;
} direct;

/* An item a pipeline holds (KUMO_EAGAIN) until kumo__engine_item_resume(). */
typedef struct held_item {
    struct held_item *next;
    kumo_item *item;                /* one reference */
    size_t at;                      /* the pipeline that holds it */
    int status;                     /* the response it came from, for "Scraped from" */
    char *url;
} held_item;

struct kumo_engine {
    kumo_crawler *c;
    held_item *held_items;          /* items waiting in a pipeline (files downloading) */
    kumo_scheduler *sched;
    kumo_downloader *dl;
    kumo_chains *chains;
    kumo_parsepool *parsers;        /* NULL: parse lazily on the loop thread */
    kumo_vec to_parse;              /* responses waiting for room in the parse budget, oldest
                                     * at to_parse_head (one reference each) */
    size_t to_parse_head;
    size_t parse_bytes;             /* documents handed to the parsers, not called back yet */
    struct event *tick;
    /* start requests: from start_urls lazily, or from the start_requests hook */
    size_t start_pos;
    kumo_out start_out;
    bool start_done;
    size_t parked;                  /* requests a downloader middleware holds (KUMO_EAGAIN) */
    kumo_vec resumed;               /* requests handed back, downloaded on the next tick */
    direct *directs;                /* middlewares' own downloads in flight */
    bool opened, paused, closing, closed;
    size_t active_size;             /* Scrapy's scraper slot: bytes of responses in scraping,
                                     * bodies and (estimated) documents */
    size_t max_active_size;         /* SCRAPER_SLOT_MAX_ACTIVE_SIZE */
    struct event *lag;              /* fires every LAG_PERIOD_MS and measures its lateness */
    double lag_due;                 /* when it should fire */
    double lag_max_ms;
    uint64_t lag_hist[LAG_BUCKETS];
    int start_rc;                   /* what .open or .start_requests returned when it failed */
    char reason[64];
    uint64_t timing0[KUMO_STAGE_N]; /* the process's stage totals when the engine opened */
    int64_t pages0;                 /* responses received before (a resumed job's stats) */
};

static void schedule_tick(kumo_engine *e)
{
    if (!e->closed && !event_pending(e->tick, EV_TIMEOUT, NULL))
        event_active(e->tick, EV_TIMEOUT, 0);
}

/* ---- start requests ---- */

static bool start_left(const kumo_engine *e)
{
    return !e->start_done;
}

/* The start urls: a SitemapSpider's sitemap urls, else .start_urls (may be NULL). */
static const char *const *start_urls(const kumo_spider_def *def)
{
    return def->sitemap ? def->sitemap->urls : def->start_urls;
}

/* Returns the next start request (a new reference), or NULL when there are no more. */
static kumo_request *next_start_request(kumo_engine *e)
{
    const kumo_spider_def *def = kumo__crawler_def(e->c);
    if (def->start_requests) {
        while (e->start_pos < e->start_out.len) {
            kumo_output *o = &e->start_out.v[e->start_pos++];
            if (o->is_item) {
                kumo_item_unref(o->u.item);
                continue;
            }
            kumo_request *r = o->u.req;
            o->is_item = true;          /* taken: nothing left to release */
            o->u.item = NULL;
            return r;
        }
        e->start_done = true;
        kumo__out_release(&e->start_out);
        return NULL;
    }
    const char *const *urls = start_urls(def);
    while (urls && urls[e->start_pos]) {
        const char *url = urls[e->start_pos++];
        int err;
        kumo_request *r = kumo_request_new(url, def->sitemap ? kumo__sitemap_parse : NULL, &err);
        if (r)
            return r;
        KUMO_ERROR(LOGGER, "Ignoring start url '%s': %s", url, kumo_strerror(err));
    }
    e->start_done = true;
    return NULL;
}

/* A resumed job: skip the start requests an earlier run already scheduled. */
static void skip_started(kumo_engine *e)
{
    const kumo_job_hooks *job = kumo__job_hooks();
    size_t n = job ? job->start_pos(e->c) : 0;
    const char *const *urls = start_urls(kumo__crawler_def(e->c));
    if (kumo__scheduler_start_done(e->sched)) {     /* another process of the cluster did */
        KUMO_INFO(LOGGER, "Start requests already scheduled by another process: skipped");
        n = SIZE_MAX;
    }
    if (kumo__crawler_def(e->c)->start_requests)
        e->start_pos = KUMO_MIN(n, e->start_out.len);
    else
        while (e->start_pos < n && urls && urls[e->start_pos])
            e->start_pos++;
}

/* ---- scheduling and downloading ---- */

void kumo__engine_crawl(kumo_engine *e, kumo_request *req)
{
    kumo__signal_send(kumo__crawler_signals(e->c), e->c, KUMO_SIG_REQUEST_SCHEDULED, req);
    kumo_request_ref(req);
    if (!kumo__scheduler_enqueue(e->sched, req))
        kumo__signal_send(kumo__crawler_signals(e->c), e->c, KUMO_SIG_REQUEST_DROPPED, req);
    kumo_request_unref(req);
    schedule_tick(e);
}

static bool scrape(kumo_engine *e, kumo_response *res);
static void process_outputs(kumo_engine *e, kumo_response *res, kumo_out *out);

/*
 * req failed with err: call its errback with the failure, as Scrapy does for download
 * errors, IgnoreRequest and HttpError.  Returns false when req has no errback.
 */
static bool run_errback(kumo_engine *e, kumo_request *req, int err, const char *msg,
                        kumo_response *res)
{
    kumo_errback_fn eb = kumo__request_errback(req);
    if (!eb)
        return false;
    kumo_crawler *c = e->c;
    kumo_failure f = {req, err, msg && *msg ? msg : kumo_strerror(err), res};
    kumo_out out;
    kumo__out_init(&out, kumo_crawler_spider(c));
    size_t mark = kumo__pool_mark();
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_CALLBACK);
    kumo__spider_lock(kumo_crawler_spider(c));
    eb(&f, &out);
    kumo__spider_unlock(kumo_crawler_spider(c));
    kumo__stage_leave(stage);
    kumo__pool_drain(mark);
    process_outputs(e, res, &out);
    kumo__out_release(&out);
    return true;
}

/*
 * req, popped from the scheduler, is finished for good: feeds write its items, then the
 * scheduler forgets it (with JOBDIR, only now is it off the persistent queue).
 */
static void request_done(kumo_engine *e, kumo_request *req)
{
    kumo__signal_send(kumo__crawler_signals(e->c), e->c, KUMO_SIG_REQUEST_PROCESSED, req);
    kumo__scheduler_done(e->sched, req);
}

static void log_item(int status, const char *url, kumo_item *item)
{
    if (!kumo__log_enabled(KUMO_LOG_DEBUG))
        return;
    kumo_buf b;
    kumo__buf_init(&b, 64 * 1024, KUMO_T_STR, KUMO_V_NONE);
    kumo__json_map(&b, &item->fields, ", ", ": ");
    if (url)
        KUMO_DEBUG("kumo.core.scraper", "Scraped from <%d %s>\n%s", status, url,
                   kumo__buf_str(&b));
    else        /* an errback's item after a failed download */
        KUMO_DEBUG("kumo.core.scraper", "Scraped from None\n%s", kumo__buf_str(&b));
    kumo__buf_release(&b);
}

/* The pipelines decided rc for item: signal it; KUMO_EAGAIN: a pipeline holds it. */
static void item_done(kumo_engine *e, int status, const char *url, kumo_item *item, int rc,
                      size_t at)
{
    kumo_crawler *c = e->c;
    if (rc == KUMO_OK) {
        log_item(status, url, item);
        kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_ITEM_SCRAPED, item);
    } else if (rc == KUMO_EIGNORED) {
        kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_ITEM_DROPPED, item);
    } else if (rc == KUMO_EAGAIN) {
        held_item *h = kumo_calloc(1, sizeof(*h), KUMO_T_OTHER, KUMO_V_ACTIVE);
        h->item = kumo_item_ref(item);
        h->at = at;
        h->status = status;
        h->url = url ? kumo_strdup(url, KUMO_T_STR, KUMO_V_ACTIVE) : NULL;
        h->next = e->held_items;
        e->held_items = h;
    }
}

static void process_item(kumo_engine *e, kumo_response *res, kumo_item *item)
{
    size_t at = 0;
    int rc = kumo__chain_item_from(e->chains, e->c, item, &at);
    item_done(e, res ? res->status : 0, res ? res->url : NULL, item, rc, at); /* NULL: errback */
}

static void held_free(held_item *h)
{
    kumo_item_unref(h->item);
    kumo_free(h->url);
    kumo_free(h);
}

int kumo__engine_item_resume(kumo_engine *e, kumo_item *item, int rc)
{
    held_item **p = &e->held_items;
    while (*p && (*p)->item != item)
        p = &(*p)->next;
    held_item *h = *p;
    if (!h)
        return KUMO_ENOENT;
    *p = h->next;
    if (!e->closed) {
        size_t at = h->at;
        rc = kumo__chain_item_resume(e->chains, e->c, item, &at, rc);
        item_done(e, h->status, h->url, item, rc, at);
    }
    held_free(h);
    schedule_tick(e);
    return KUMO_OK;
}

/* What Scrapy's scraper counts for a response: its body, at least MIN_RESPONSE_SIZE. */
static size_t body_size(const kumo_response *res)
{
    return KUMO_MAX(res->body_len, (size_t)MIN_RESPONSE_SIZE);
}

/*
 * A downloaded response: downloader middlewares, then log, count and scrape it.  Returns
 * true when the callback waits for a parse thread (the request is finished later).
 */
static bool on_response(kumo_engine *e, kumo_request *req, kumo_response *res)
{
    kumo_crawler *c = e->c;
    kumo_response *r = res;
    kumo_request *next = NULL;
    int rc = kumo__chain_response(e->chains, c, req, &r, &next);
    if (rc == KUMO_EDONE && next) {
        kumo__engine_crawl(e, next);
        return false;
    }
    if (rc == KUMO_EIGNORED)
        run_errback(e, req, KUMO_EIGNORED, NULL, NULL);
    if (rc != KUMO_OK || !r)
        return false;
    if (kumo__log_enabled(KUMO_LOG_DEBUG)) {
        const char *ref = kumo_request_header(req, "Referer");
        KUMO_DEBUG(LOGGER, "Crawled (%d) <%s %s> (referer: %s)%s", r->status, req->method,
                   req->url, ref ? ref : "None", kumo__response_flags_str(r));
    }
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_RESPONSE_RECEIVED, r);
    size_t size = body_size(r);
    e->active_size += size;             /* until its callback ran (on_parsed when deferred) */
    bool deferred = scrape(e, r);
    if (!deferred) {
        e->active_size -= size;
        kumo_response_unref(r);
    }   /* else scrape took r: its callback may run on a parse thread from now on */
    return deferred;
}

static bool direct_done(kumo_engine *e, kumo_request *req, kumo_response *res, int err);

static void download_done(kumo_engine *e, kumo_request *req, kumo_response *res, int err,
                          const char *why);

/* The downloader's callback: what follows a download is the engine's time. */
static void on_download_done(void *ctx, kumo_request *req, kumo_response *res, int err,
                             const char *why)
{
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_ENGINE);
    download_done(ctx, req, res, err, why);
    kumo__stage_leave(stage);
}

static void download_done(kumo_engine *e, kumo_request *req, kumo_response *res, int err,
                          const char *why)
{
    kumo_crawler *c = e->c;
    bool deferred = false;
    if (direct_done(e, req, res, err)) {
        schedule_tick(e);
        return;
    }
    if (res) {
        deferred = on_response(e, req, res);
    } else {
        kumo_response *r = NULL;
        kumo_request *next = NULL;
        int rc = kumo__chain_exception(e->chains, c, req, err, &r, &next);
        if (rc == KUMO_EDONE && r) {
            deferred = on_response(e, req, r);
        } else if (rc == KUMO_EDONE && next) {
            kumo__engine_crawl(e, next);
        } else if (rc == KUMO_EIGNORED) {
            run_errback(e, req, KUMO_EIGNORED, NULL, NULL);
        } else if (err != KUMO_ECANCELED) {
            char msg[512];      /* the retry line's words: Scrapy's getErrorMessage() */
            kumo__exception_str(err, req, why, msg, sizeof(msg));
            if (!run_errback(e, req, err, msg, NULL)) {
                KUMO_ERROR("kumo.core.scraper", "Error downloading <%s %s>: %s", req->method,
                           req->url, msg);
                kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_ERROR, NULL);
            }
        }
    }
    if (!deferred)
        request_done(e, req);
    schedule_tick(e);
}

/* A method that is not a token would put its CR, LF or blanks on the wire: refuse it
 * before any middleware (or stat key) sees it.  Returns true when req was refused. */
static bool refuse_method(kumo_engine *e, kumo_request *req)
{
    if (kumo__method_is_token(req->method))
        return false;
    char m[64];
    kumo__method_quote(req->method, m, sizeof(m));
    KUMO_ERROR(LOGGER, "Refusing request <%s %s>: the method '%s' is not an RFC 9110 token",
               m, req->url, m);
    kumo_crawler_stats_inc(e->c, "request_refused/invalid_method", 1);
    run_errback(e, req, KUMO_EINVAL, "invalid method", NULL);
    request_done(e, req);
    return true;
}

static void download(kumo_engine *e, kumo_request *req)
{
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    if (refuse_method(e, req)) {
        kumo_request_unref(req);
        return;
    }
    int rc = kumo__chain_request(e->chains, e->c, req, &res, &next);
    bool deferred = false;
    if (rc == KUMO_OK) {
        kumo__downloader_fetch(e->dl, req);      /* finished in on_download_done */
        deferred = true;
    } else if (rc == KUMO_EDONE && res) {
        deferred = on_response(e, req, res);
    } else if (rc == KUMO_EDONE && next) {
        kumo__engine_crawl(e, next);
    } else if (rc == KUMO_EAGAIN) {
        e->parked++;                            /* back through kumo__engine_resume() */
        deferred = true;
    } else if (rc == KUMO_EIGNORED) {
        run_errback(e, req, KUMO_EIGNORED, NULL, NULL);
    }
    if (!deferred)
        request_done(e, req);
    kumo_request_unref(req);
}

void kumo__engine_resume(kumo_engine *e, kumo_request *req, bool go)
{
    kumo_assert(e->parked > 0);
    e->parked--;
    if (go && !e->closed) {
        kumo__vec_push(&e->resumed, kumo_request_ref(req));
    } else {
        request_done(e, req);
    }
    schedule_tick(e);
}

/* ---- downloads for middlewares ---- */

static void direct_start(kumo_engine *e, kumo_request *req, kumo_download_fn done,
                         void *ctx);

/* The direct download of req ends with res (borrowed) or err: hand it to its owner. */
static void direct_finish(kumo_engine *e, direct *d, kumo_response *res, int err)
{
    d->done(d->ctx, d->req, res, err);
    kumo_request_unref(d->req);
    kumo_free(d);
    schedule_tick(e);
}

static direct *direct_take(kumo_engine *e, const kumo_request *req)
{
    for (direct **p = &e->directs; *p; p = &(*p)->next) {
        if ((*p)->req == req) {
            direct *d = *p;
            *p = d->next;
            return d;
        }
    }
    return NULL;
}

/* A response or an error for one of the middlewares' own downloads: the downloader
 * middlewares see it, then its owner.  Returns false when req is not one of them. */
static bool direct_done(kumo_engine *e, kumo_request *req, kumo_response *res, int err)
{
    direct *d = direct_take(e, req);
    if (!d)
        return false;
    kumo_crawler *c = e->c;
    kumo_response *r = res;
    kumo_request *next = NULL;
    int rc = res ? kumo__chain_response(e->chains, c, req, &r, &next)
                 : kumo__chain_exception(e->chains, c, req, err, &r, &next);
    if (rc == KUMO_EDONE && next) {             /* a redirect or a retry */
        direct_start(e, next, d->done, d->ctx);
        kumo_request_unref(d->req);
        kumo_free(d);
    } else if (r && (rc == KUMO_OK || rc == KUMO_EDONE)) {
        KUMO_DEBUG(LOGGER, "Crawled (%d) <%s %s> (referer: None)%s", r->status, req->method,
                   req->url, kumo__response_flags_str(r));
        kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_RESPONSE_RECEIVED, r);
        direct_finish(e, d, r, KUMO_OK);
    } else {
        direct_finish(e, d, NULL, rc == KUMO_EIGNORED ? KUMO_EIGNORED : err ? err : KUMO_EIO);
    }
    kumo_response_unref(r);                     /* the chain's reference, if it kept one */
    return true;
}

static void direct_start(kumo_engine *e, kumo_request *req, kumo_download_fn done,
                         void *ctx)
{
    direct *d = kumo_calloc(1, sizeof(*d), KUMO_T_OTHER, KUMO_V_ACTIVE);
    d->req = req;
    d->done = done;
    d->ctx = ctx;
    d->next = e->directs;
    e->directs = d;
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    int rc = kumo__chain_request(e->chains, e->c, req, &res, &next);
    if (rc == KUMO_OK) {
        kumo__downloader_fetch(e->dl, req);      /* finished in direct_done */
        return;
    }
    if (rc == KUMO_EDONE && res) {              /* as if downloaded (a cache hit) */
        direct_done(e, req, res, KUMO_OK);
        return;
    }
    direct_take(e, req);
    if (rc == KUMO_EDONE && next) {
        direct_start(e, next, done, ctx);
        kumo_request_unref(req);
        kumo_free(d);
    } else {
        direct_finish(e, d, NULL, rc == KUMO_EAGAIN ? KUMO_EINVAL : rc);
    }
}

void kumo__engine_download(kumo_engine *e, kumo_request *req, kumo_download_fn done,
                          void *ctx)
{
    if (e->closed) {
        done(ctx, req, NULL, KUMO_ECANCELED);
        kumo_request_unref(req);
        return;
    }
    direct_start(e, req, done, ctx);
}

/* An immediate close: the downloader is gone, so the owners hear it from here. */
static void directs_cancel(kumo_engine *e)
{
    while (e->directs) {
        direct *d = e->directs;
        e->directs = d->next;
        direct_finish(e, d, NULL, KUMO_ECANCELED);
    }
}

/* ---- the scraper ---- */

static void process_outputs(kumo_engine *e, kumo_response *res, kumo_out *out)
{
    kumo_crawler *c = e->c;
    for (size_t i = 0; i < out->len; i++) {
        kumo_output o = out->v[i];
        out->v[i].is_item = true;       /* taken */
        out->v[i].u.item = NULL;
        if (o.is_item) {
            if (kumo__chain_spider_item(e->chains, c, res, o.u.item) == KUMO_OK)
                process_item(e, res, o.u.item);
            kumo_item_unref(o.u.item);
        } else {
            if (kumo__chain_spider_request(e->chains, c, res, o.u.req) == KUMO_OK)
                kumo__engine_crawl(e, o.u.req);
            else
                kumo_request_unref(o.u.req);
        }
    }
}

/* The response's callback, its outputs into out (initialized by the caller).  Under the
 * spider lock: one callback at a time, on whichever thread runs it. */
static void callback_into(kumo_engine *e, kumo_response *res, kumo_out *out)
{
    kumo_crawler *c = e->c;
    kumo_callback_fn cb = kumo__spider_callback(kumo_crawler_spider(c), res->request->cb);
    size_t mark = kumo__pool_mark();
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_CALLBACK);
    cb(res, out);
    kumo__stage_leave(stage);
    kumo__pool_drain(mark);
}

/* Run the response's callback on the loop thread and process what it emitted. */
static void run_callback(kumo_engine *e, kumo_response *res)
{
    kumo_out out;
    kumo__out_init(&out, kumo_crawler_spider(e->c));
    kumo__spider_lock(kumo_crawler_spider(e->c));
    callback_into(e, res, &out);
    kumo__spider_unlock(kumo_crawler_spider(e->c));
    process_outputs(e, res, &out);
    kumo__out_release(&out);
}

/* What a parse thread hands back for a response: its callback's outputs and log lines (all
 * of them, or a part while the callback runs).  Made by scrape_on_worker() or post_part(),
 * owned by the pool's job, freed by on_parsed(), on_part() or on_parse_dropped(). */
typedef struct scraped {
    kumo_out out;
    kumo_buf log;
} scraped;

static scraped *scraped_new(kumo_spider *spider)
{
    scraped *sc = kumo_alloc(sizeof(*sc), KUMO_T_LIST, KUMO_V_NONE);
    kumo__out_init(&sc->out, spider);
    kumo__buf_init(&sc->log, 0, KUMO_T_STR, KUMO_V_TEXT);
    return sc;
}

/* The dupefilter's fingerprints of sc's requests, on the parse thread rather than on the
 * loop: a page's links are mostly seen already, and canonicalizing and hashing them was
 * much of the loop's work. */
static void fingerprint_requests(scraped *sc)
{
    for (size_t i = 0; i < sc->out.len; i++)
        if (!sc->out.v[i].is_item)
            kumo__request_fingerprint(sc->out.v[i].u.req);
}

/*
 * A callback on a parse thread hands its outputs to the loop every PART_OUTPUTS of them, as
 * Scrapy's scraper takes each request from the callback's generator to the scheduler: the
 * 13,962 links of the Python docs' contents page were 4.4 MB of requests held until the
 * callback returned, most of them for the dupefilter to drop.  A callback that makes fewer
 * hands them over once, at its end.
 */
#define PART_OUTPUTS 256

typedef struct streaming {
    kumo_engine *e;
    scraped *sc;                /* the callback's whole result: its log buffer is the one */
    bool posted;                /* a part went: the loop may be reading the response */
} streaming;

/* kumo_out's flush hook, on the thread running the callback: the outputs so far and the
 * lines logged with them go to the loop now (on_part()). */
static void post_part(kumo_out *out, void *ctx)
{
    streaming *st = ctx;
    scraped *part = scraped_new(out->spider);
    kumo__out_take(&part->out, out);
    fingerprint_requests(part);
    part->log = st->sc->log;    /* the deferred lines so far; the next ones start afresh */
    kumo__buf_init(&st->sc->log, 0, KUMO_T_STR, KUMO_V_TEXT);
    st->posted = true;
    kumo__parsepool_post(st->e->parsers, part);
}

/*
 * A parse thread, once res's body is parsed: run the callback there, while the document is
 * warm in that core's cache (read by the loop thread's core, it cost more than its parse),
 * one at a time in the order of the responses.  The outputs and the log lines wait for the
 * loop thread (on_part, on_parsed); the document dies here when nothing else holds the
 * response.
 */
static void *scrape_on_worker(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena)
{
    kumo_engine *e = ctx;
    kumo_response *res = owner;
    scraped *sc = scraped_new(kumo_crawler_spider(e->c));
    streaming st = {e, sc, false};
    kumo__out_flush_at(&sc->out, PART_OUTPUTS, post_part, &st);
    kumo__log_defer(&sc->log);
    kumo__spider_lock(kumo_crawler_spider(e->c));     /* the console may be reading */
    kumo__response_adopt_doc(res, d, arena);
    callback_into(e, res, &sc->out);
    /* Once a part went, the loop thread may hold res (a signal handler, a middleware): then
     * the document waits for on_parsed()'s reference to go. */
    if (!st.posted && res->refcount == 1)
        kumo__response_drop_doc(res);
    kumo__spider_unlock(kumo_crawler_spider(e->c));
    kumo__log_defer(NULL);
    kumo__out_flush_at(&sc->out, 0, NULL, NULL);
    fingerprint_requests(sc);
    return sc;
}

static void scraped_free(scraped *sc)
{
    kumo__out_release(&sc->out);
    kumo__buf_release(&sc->log);
    kumo_free(sc);
}

/* On the loop thread: sc's log lines, then its outputs through the spider middlewares, the
 * scheduler and the pipelines, in their order; frees sc. */
static void scraped_process(kumo_engine *e, kumo_response *res, scraped *sc)
{
    kumo__log_replay(&sc->log);
    process_outputs(e, res, &sc->out);
    scraped_free(sc);
}

/* What res's document is expected to cost until its callback ran (the documents of the
 * Python docs' pages take 12-18 times their bodies in libxml2's nodes). */
static size_t doc_estimate(const kumo_response *res)
{
    return body_size(res) * DOC_COST;
}

/*
 * Hand the responses that wait to the parse threads, oldest first, while their documents
 * fit SCRAPER_SLOT_MAX_ACTIVE_SIZE with those handed over before and not called back yet;
 * one always goes when none is out.  A page whose document takes the budget alone is parsed
 * while nothing else is, so that two large documents are never alive at once.
 */
static void parse_submit(kumo_engine *e)
{
    while (e->to_parse_head < e->to_parse.len) {
        kumo_response *res = e->to_parse.v[e->to_parse_head];
        size_t est = doc_estimate(res);
        if (e->parse_bytes && (e->parse_bytes > e->max_active_size ||
                               est > e->max_active_size - e->parse_bytes))
            break;
        e->to_parse.v[e->to_parse_head++] = NULL;
        e->parse_bytes += est;
        e->active_size += est;
        kumo_parse_src src;
        kumo__response_parse_src(res, &src);
        kumo__parsepool_submit(e->parsers, &src, res);     /* the queue's reference */
    }
    if (e->to_parse_head == e->to_parse.len) {
        e->to_parse.len = 0;
        e->to_parse_head = 0;
    }
}

/* Responses that wait for room in the parse budget. */
static size_t to_parse_len(const kumo_engine *e)
{
    return e->to_parse.len - e->to_parse_head;
}

/* Let go of the responses that wait for the parse budget (an immediate close, the end). */
static void to_parse_drop(kumo_engine *e)
{
    for (size_t i = e->to_parse_head; i < e->to_parse.len; i++)
        kumo_response_unref(e->to_parse.v[i]);
    e->to_parse.len = 0;
    e->to_parse_head = 0;
}

static void on_parsed(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena,
                      void *result)
{
    kumo_engine *e = ctx;
    kumo_response *res = owner;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_ENGINE);
    kumo_assert(result && !d && !arena);    /* the pool runs scrape_on_worker() on every job */
    scraped_process(e, res, result);
    size_t est = doc_estimate(res);
    e->active_size -= KUMO_MIN(e->active_size, body_size(res) + est);
    e->parse_bytes -= KUMO_MIN(e->parse_bytes, est);
    request_done(e, res->request);
    /* the document dies here unless the spider keeps the response (or a selector of it) */
    kumo_response_unref(res);
    if (e->parsers)             /* the callback may have closed the crawl at once */
        parse_submit(e);
    kumo__downloader_unhold(e->dl);
    schedule_tick(e);
    kumo__stage_leave(stage);
}

/* A part of the outputs of res's callback, which still runs on a parse thread: the spider
 * middlewares, the scheduler and the pipelines take them now, in their order. */
static void on_part(void *ctx, void *owner, void *part, bool dropped)
{
    if (dropped) {
        scraped_free(part);
        return;
    }
    kumo_engine *e = ctx;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_ENGINE);
    scraped_process(e, owner, part);
    schedule_tick(e);
    kumo__stage_leave(stage);
}

/* The pool was freed with res still waiting for its parse, or for its outputs' turn. */
static void on_parse_dropped(void *owner, void *result)
{
    if (result)
        scraped_free(result);
    kumo_response_unref(owner);
}

/* Spider middlewares' input side, then the callback: at once, or once a worker has parsed
 * an HTML or XML body.  Returns true for the latter: then res's reference is taken, and the
 * loop thread leaves res alone until on_parsed (the parse thread reads its refcount). */
static bool scrape(kumo_engine *e, kumo_response *res)
{
    kumo_crawler *c = e->c;
    res->spider = kumo_crawler_spider(c);
    int rc = kumo__chain_spider_input(e->chains, c, res);
    if (rc == KUMO_EHTTP && res->request)
        run_errback(e, res->request, KUMO_EHTTP, "Ignoring non-200 response", res);
    if (rc != KUMO_OK)
        return false;
    const kumo_class *cls = res->ref.cls;
    if (e->parsers && !kumo__response_parsed(res) && res->request &&
        (cls == &KUMO_CLASS(HtmlResponse) || cls == &KUMO_CLASS(XmlResponse))) {
        kumo__vec_push(&e->to_parse, res);
        parse_submit(e);
        return true;
    }
    run_callback(e, res);
    return false;
}

/* ---- the loop ---- */

static size_t held(const kumo_engine *e);

static bool idle(const kumo_engine *e)
{
    return kumo__downloader_active(e->dl) == 0 && e->parked == 0 && !e->directs &&
           !e->held_items &&
           (e->closing || e->resumed.len == 0) &&
           (!e->parsers || held(e) == 0) &&
           (e->closing || (!start_left(e) && kumo__scheduler_len(e->sched) == 0));
}

static void finish_close(kumo_engine *e);
static void lag_sample(kumo_engine *e);

/* Scrapy's scraper.slot.needs_backout(): more bytes of responses in the scraper than
 * SCRAPER_SLOT_MAX_ACTIVE_SIZE; no new request starts until they are processed. */
static bool scraper_backout(const kumo_engine *e)
{
    return e->active_size > e->max_active_size;
}

/* Responses downloaded and waiting for their parse before their callbacks. */
static size_t held(const kumo_engine *e)
{
    return e->parsers ? kumo__parsepool_pending(e->parsers) + to_parse_len(e) : 0;
}

/*
 * The downloader's hold: no transfer starts while the responses not called back take
 * CONCURRENT_REQUESTS with the transfers, or their bodies and documents take more than
 * SCRAPER_SLOT_MAX_ACTIVE_SIZE.  Without it the requests queued in the slots would all be
 * downloaded while the callbacks lag behind, each body waiting in memory.
 */
static bool hold_downloads(void *ctx)
{
    const kumo_engine *e = ctx;
    return scraper_backout(e) || kumo__downloader_transferring(e->dl) + held(e) >=
                                     kumo__downloader_concurrency(e->dl);
}

/*
 * The scheduler gives requests only as they would be given without parse threads: a
 * response waiting for its parse counts as a transfer still in flight, and start requests wait
 * for the callbacks before them, so requests, items and their order do not depend on
 * PARSE_THREADS.
 */
static void tick(kumo_engine *e);

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_ENGINE);
    tick(arg);
    kumo__stage_leave(stage);
}

static void tick(kumo_engine *e)
{
    kumo_crawler *c = e->c;
    if (e->closed)
        return;
    while (!e->closing && !e->paused && !scraper_backout(e) &&
           !kumo__downloader_needs_backout_held(e->dl, held(e))) {
        kumo_request *req = e->resumed.len ? kumo__vec_pop(&e->resumed) : NULL;
        if (req) {
            download(e, req);
            continue;
        }
        req = kumo__scheduler_next(e->sched);
        if (req) {
            download(e, req);
            continue;
        }
        if (!start_left(e) || held(e) || kumo__scheduler_start_wait(e->sched))
            break;
        req = next_start_request(e);
        if (!req)
            break;
        if (kumo__job_hooks())      /* JOBDIR: not again on resume */
            kumo__job_hooks()->set_start_pos(c, e->start_pos);
        if (kumo__chain_spider_request(e->chains, c, NULL, req) == KUMO_OK)
            kumo__engine_crawl(e, req);
        else
            kumo_request_unref(req);
    }
    if (!idle(e) || (e->paused && !e->closing))    /* a pause holds requests, not a close */
        return;
    if (!e->closing) {
        kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_IDLE, NULL);
        if (!idle(e))
            return;
        kumo__engine_close(e, "finished");
    }
    if (idle(e))
        finish_close(e);
}

/* The stages reported, in the order est() shows them. */
static const kumo_stage reported[] = {
    KUMO_STAGE_PARSE, KUMO_STAGE_CALLBACK, KUMO_STAGE_SELECT, KUMO_STAGE_ENGINE,
    KUMO_STAGE_DOWNLOAD,
};

void kumo__engine_timing(const kumo_engine *e, kumo_engine_timing *t)
{
    uint64_t ns[KUMO_STAGE_N];
    kumo__stage_totals(ns);
    for (int i = 0; i < KUMO_STAGE_N; i++)
        t->us[i] = ns[i] > e->timing0[i] ? (ns[i] - e->timing0[i]) / 1000 : 0;
    t->pages = kumo__stats_get_int(kumo__crawler_stats(e->c), "response_received_count", 0) -
               e->pages0;
}

/* Tenths of a microsecond: the per-page figures are read by people. */
static double per_page(uint64_t us, int64_t pages)
{
    return pages > 0 ? (double)llround((double)us * 10 / (double)pages) / 10 : 0;
}

/* timing/STAGE_us and, once a response was received, timing/STAGE_us_per_page. */
static void timing_stats(const kumo_engine *e)
{
    kumo_engine_timing t;
    kumo__engine_timing(e, &t);
    kumo_stats *st = kumo__crawler_stats(e->c);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(reported); i++) {
        kumo_stage s = reported[i];
        char key[64];
        snprintf(key, sizeof(key), "timing/%s_us", kumo__stage_name(s));
        kumo__stats_set_int(st, key, (int64_t)t.us[s]);
        if (t.pages > 0) {
            snprintf(key, sizeof(key), "timing/%s_us_per_page", kumo__stage_name(s));
            kumo__stats_set_float(st, key, per_page(t.us[s], t.pages));
        }
    }
}

static void finish_close(kumo_engine *e)
{
    kumo_crawler *c = e->c;
    if (e->closed)
        return;
    e->closed = true;
    if (evtimer_pending(e->lag, NULL) && kumo_now() > e->lag_due)
        lag_sample(e);          /* the turn that closes may be the late one */
    event_del(e->lag);
    KUMO_INFO(LOGGER, "Closing spider (%s)", e->reason);
    const kumo_spider_def *def = kumo__crawler_def(c);
    if (def->close) {           /* a parse thread may be in a callback still */
        kumo__spider_lock(kumo_crawler_spider(c));
        def->close(kumo_crawler_spider(c), e->reason);
        kumo__spider_unlock(kumo_crawler_spider(c));
    }
    timing_stats(e);
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_CLOSED, e->reason);
    if (kumo__settings_bool(kumo__crawler_settings(c), "STATS_DUMP") &&
        kumo__log_enabled(KUMO_LOG_INFO)) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        kumo__stats_dump(kumo__crawler_stats(c), &b);
        KUMO_INFO("kumo.statscollectors", "Dumping kumo stats:\n%s", kumo__buf_str(&b));
        kumo__buf_release(&b);
    }
    KUMO_INFO(LOGGER, "Spider closed (%s)", e->reason);
    event_base_loopbreak(kumo__crawler_base(c));
}

void kumo__engine_wake(kumo_engine *e)
{
    if (e)
        schedule_tick(e);
}

void kumo__engine_close(kumo_engine *e, const char *reason)
{
    if (e->closed)
        return;
    if (!e->closing) {
        snprintf(e->reason, sizeof(e->reason), "%s", reason);
        e->closing = true;
    }
    schedule_tick(e);
}

/* A downloader told what c's settings say; NULL with one line in err on a bad setting. */
static kumo_downloader *downloader_new(kumo_engine *e, char *err, size_t errlen)
{
    kumo_downloader_config cfg;
    kumo_downloader *dl = NULL;
    if (kumo__downloader_config(e->c, &cfg, err, errlen) == KUMO_OK)
        dl = kumo__downloader_new(&cfg, on_download_done, e);
    kumo__downloader_config_release(&cfg);
    if (dl)
        kumo__downloader_set_hold(dl, hold_downloads, e);
    return dl;
}

void kumo__engine_close_now(kumo_engine *e, const char *reason)
{
    if (e->closed)
        return;
    kumo__engine_close(e, reason);
    kumo__downloader_free(e->dl);
    char err[256];              /* the settings were checked when the engine was made */
    e->dl = downloader_new(e, err, sizeof(err));
    directs_cancel(e);
    e->parked = 0;                          /* their middlewares release them at close */
    kumo_parsepool *parsers = e->parsers;
    e->parsers = NULL;
    kumo__parsepool_stop(parsers);      /* what callbacks made already goes on, as it came */
    kumo__parsepool_free(parsers);      /* drops the responses waiting for a parse */
    to_parse_drop(e);
    e->active_size = 0;
    e->parse_bytes = 0;
    finish_close(e);
}

kumo_downloader *kumo__engine_downloader(const kumo_engine *e)
{
    return e->dl;
}

bool kumo__engine_starts_left(const kumo_engine *e)
{
    return start_left(e) && !e->closing;
}

bool kumo__engine_closed(const kumo_engine *e)
{
    return e->closed;
}

int kumo__engine_start_error(const kumo_engine *e)
{
    return e->start_rc;
}

const char *kumo__engine_reason(const kumo_engine *e)
{
    return e->closing ? e->reason : NULL;
}

bool kumo__engine_closing(const kumo_engine *e)
{
    return e->closing;
}

void kumo__engine_pause(kumo_engine *e)
{
    e->paused = true;
}

void kumo__engine_unpause(kumo_engine *e)
{
    e->paused = false;
    schedule_tick(e);
}

bool kumo__engine_paused(const kumo_engine *e)
{
    return e->paused;
}

void kumo__engine_status_get(const kumo_engine *e, kumo_engine_status *st)
{
    st->downloader_active = kumo__downloader_active(e->dl);
    st->downloader_transferring = kumo__downloader_transferring(e->dl);
    st->downloader_slots = kumo__downloader_slots(e->dl);
    st->scheduler_len = kumo__scheduler_len(e->sched);
    st->start_requests_left = start_left(e);
    st->needs_backout = kumo__downloader_needs_backout_held(e->dl, held(e));
    st->scraper_active_size = e->active_size;
    st->scraper_needs_backout = scraper_backout(e);
    st->loop_lag_max_ms = e->lag_max_ms;
    uint64_t n = 0, seen = 0;
    for (size_t i = 0; i < LAG_BUCKETS; i++)
        n += e->lag_hist[i];
    st->loop_lag_samples = n;
    st->loop_lag_p99_ms = 0;
    for (size_t i = 0; i < LAG_BUCKETS && n; i++) {
        seen += e->lag_hist[i];
        if (seen * 100 >= n * 99) {
            st->loop_lag_p99_ms = i < LAG_BUCKETS - 1 ? lag_bounds[i] : -1;
            break;
        }
    }
    st->closing = e->closing;
    st->paused = e->paused;
    st->idle = idle(e);
}

void kumo__engine_status_format(const kumo_engine *e, kumo_buf *out)
{
    kumo_engine_status st;
    kumo__engine_status_get(e, &st);
    char elapsed[64], active[32], sched[32], asize[32];
    snprintf(elapsed, sizeof(elapsed), "%.17g", kumo_now() - kumo__crawler_start_time(e->c));
    snprintf(active, sizeof(active), "%zu", st.downloader_active);
    snprintf(sched, sizeof(sched), "%zu", st.scheduler_len);
    snprintf(asize, sizeof(asize), "%zu", st.scraper_active_size);
    const char *rows[][2] = {
        {"time()-engine.start_time", elapsed},
        {"len(engine.downloader.active)", active},
        {"engine.scraper.is_idle()", "True"},       /* the scraper runs callbacks inline */
        {"engine.spider.name", kumo__crawler_def(e->c)->name},
        {"engine.spider_is_idle()", st.idle ? "True" : "False"},
        {"engine.slot.closing", st.closing ? "True" : "False"},
        {"len(engine.slot.inprogress)", active},
        {"len(engine.slot.scheduler.dqs or [])", "0"},
        {"len(engine.slot.scheduler.mqs)", sched},
        {"len(engine.scraper.slot.queue)", "0"},
        {"len(engine.scraper.slot.active)", "0"},
        {"engine.scraper.slot.active_size", asize},
        {"engine.scraper.slot.itemproc_size", "0"},
        {"engine.scraper.slot.needs_backout()", st.scraper_needs_backout ? "True" : "False"},
    };
    kumo__buf_adds(out, "Execution engine status\n\n");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(rows); i++)
        kumo__buf_printf(out, "%-47s : %s\n", rows[i][0], rows[i][1]);
    kumo__buf_adds(out, "\n");       /* Scrapy's block above, kumo's below */
    kumo_engine_timing t;
    kumo__engine_timing(e, &t);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(reported); i++) {
        kumo_stage s = reported[i];
        char key[64];
        snprintf(key, sizeof(key), "timing/%s_us", kumo__stage_name(s));
        kumo__buf_printf(out, "%-47s : %llu (%.1f per page)\n", key,
                         (unsigned long long)t.us[s], per_page(t.us[s], t.pages));
    }
    kumo__buf_adds(out, "\n");
    /* kumo's own lines, after Scrapy's table: the loop's lag (engine/loop_lag_max_ms) */
    kumo__buf_printf(out, "loop lag (ms)  max %.0f  p99 ", st.loop_lag_max_ms);
    if (st.loop_lag_p99_ms >= 0)
        kumo__buf_printf(out, "<%d", st.loop_lag_p99_ms);
    else
        kumo__buf_printf(out, ">=%d", lag_bounds[LAG_BUCKETS - 2]);
    kumo__buf_printf(out, "  samples %llu\n ", (unsigned long long)st.loop_lag_samples);
    for (size_t i = 0; i < LAG_BUCKETS; i++) {
        if (i < LAG_BUCKETS - 1)
            kumo__buf_printf(out, " <%d:%llu", lag_bounds[i], (unsigned long long)e->lag_hist[i]);
        else
            kumo__buf_printf(out, " >=%d:%llu", lag_bounds[i - 1],
                             (unsigned long long)e->lag_hist[i]);
    }
    kumo__buf_adds(out, "\n\n");
}

static void lag_arm(kumo_engine *e)
{
    struct timeval tv = {0, LAG_PERIOD_MS * 1000};
    e->lag_due = kumo_now() + LAG_PERIOD_MS / 1000.0;
    evtimer_add(e->lag, &tv);
}

/*
 * The loop lag: how late this timer fires is how long the loop did not get back to its
 * events (a callback that held it, a long parse on the loop...).  Max in the stats
 * (engine/loop_lag_max_ms), a histogram for est().
 */
static void lag_sample(kumo_engine *e)
{
    double ms = (kumo_now() - e->lag_due) * 1000;
    if (ms < 0)
        ms = 0;
    size_t b = 0;
    while (b < LAG_BUCKETS - 1 && ms >= lag_bounds[b])
        b++;
    e->lag_hist[b]++;
    if (ms > e->lag_max_ms) {
        e->lag_max_ms = ms;
        kumo_crawler_stats_max(e->c, "engine/loop_lag_max_ms", (int64_t)(ms + 0.5));
    }
}

static void on_lag(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    kumo_engine *e = arg;
    lag_sample(e);
    if (!e->closed)
        lag_arm(e);
}

int kumo__engine_open(kumo_engine *e)
{
    kumo_crawler *c = e->c;
    const kumo_spider_def *def = kumo__crawler_def(c);
    kumo__stage_totals(e->timing0);
    e->pages0 = kumo__stats_get_int(kumo__crawler_stats(c), "response_received_count", 0);
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_ENGINE);
    kumo__spider_lock(kumo_crawler_spider(c));      /* spider code: see callback_into() */
    int rc = def->open ? def->open(kumo_crawler_spider(c)) : KUMO_OK;
    kumo__spider_unlock(kumo_crawler_spider(c));
    if (rc != KUMO_OK) {        /* not opened: no "Spider opened" line */
        KUMO_ERROR(LOGGER, "Spider '%s' failed to open: %s", def->name, kumo_strerror(rc));
        snprintf(e->reason, sizeof(e->reason), "open_failed");
        e->start_rc = rc;
        e->closing = true;
        e->start_done = true;
    } else {
        KUMO_INFO(LOGGER, "Spider opened");
    }
    if (!e->closing && def->start_requests) {
        kumo_stage in = kumo__stage_enter(KUMO_STAGE_CALLBACK);
        kumo__spider_lock(kumo_crawler_spider(c));
        rc = def->start_requests(kumo_crawler_spider(c), &e->start_out);
        kumo__spider_unlock(kumo_crawler_spider(c));
        kumo__stage_leave(in);
        if (rc != KUMO_OK) {
            KUMO_ERROR(LOGGER, "start_requests of '%s' failed: %s", def->name, kumo_strerror(rc));
            e->start_rc = rc;
            kumo__engine_close(e, "start_requests_failed");
        }
    }
    skip_started(e);
    e->opened = true;
    lag_arm(e);
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_OPENED, NULL);
    schedule_tick(e);
    kumo__stage_leave(stage);
    return KUMO_OK;
}

/* ---- who holds what: the engine's structures as roots (mem/referrers.h) ---- */

typedef struct rootwalk {
    kumo__root_visit_fn visit;
    void *vctx;
    size_t n;
    char holder[160], path[192];    /* the component being walked */
} rootwalk;

static void root_queued(void *ctx, int priority, size_t index, kumo_request *req)
{
    rootwalk *w = ctx;
    char holder[64], path[96];
    snprintf(holder, sizeof(holder), "scheduler queue (priority %d)", priority);
    snprintf(path, sizeof(path), "engine.slot.scheduler.mqs[%zu]", index);
    w->visit(w->vctx, holder, "scheduler queue", path, "", &req->ref);
}

static void root_slot(void *ctx, const char *slot, bool in_flight, size_t index,
                      kumo_request *req)
{
    rootwalk *w = ctx;
    char holder[256], path[256];
    snprintf(holder, sizeof(holder), "downloader slot '%s' (%s)", slot,
             in_flight ? "in flight" : "queued");
    snprintf(path, sizeof(path), "engine.downloader.slots['%s'].%s[%zu]", slot,
             in_flight ? "active" : "queue", index);
    w->visit(w->vctx, holder, "downloader slot", path, "", &req->ref);
}

static void root_parse(void *ctx, void *owner)
{
    rootwalk *w = ctx;
    char path[64];
    snprintf(path, sizeof(path), "engine.scraper.slot.queue[%zu]", w->n++);
    w->visit(w->vctx, "scraper queue (waiting for its parse)", "scraper queue", path, "",
             &((kumo_response *)owner)->ref);
}

static void root_kept(void *ctx, const char *place, kumo_ref *obj)
{
    rootwalk *w = ctx;
    w->visit(w->vctx, w->holder, w->holder, w->path, place, obj);
}

/* A component that keeps objects: "item pipeline 'Keep'" at engine.scraper.itemproc['Keep'],
 * "downloader middleware 'RobotsTxt'" at engine.downloader.middleware['RobotsTxt']. */
static void root_component(void *ctx, const char *what, const char *name, kumo_refs_hook refs,
                           void *self)
{
    rootwalk *w = ctx;
    bool pl = !strcmp(what, "item pipeline");
    snprintf(w->holder, sizeof(w->holder), "%s '%s'", what, name);
    snprintf(w->path, sizeof(w->path), "engine.%s['%s']",
             pl ? "scraper.itemproc" : "downloader.middleware", name);
    refs(self, root_kept, w);
}

/* The crawl's roots: what the engine, its scheduler, downloader, scraper and pipelines hold,
 * and the spider. */
static void engine_roots(void *rctx, kumo__root_visit_fn visit, void *vctx)
{
    kumo_engine *e = rctx;
    rootwalk w = {.visit = visit, .vctx = vctx};
    char path[64];
    kumo_spider *sp = kumo_crawler_spider(e->c);
    if (sp)
        visit(vctx, "crawler", "crawler", "spider", "", &sp->ref);
    kumo__scheduler_walk(e->sched, root_queued, &w);
    kumo__downloader_walk(e->dl, root_slot, &w);
    kumo__parsepool_walk(e->parsers, root_parse, &w);
    for (size_t i = e->to_parse_head; i < e->to_parse.len; i++)
        root_parse(&w, e->to_parse.v[i]);
    for (size_t i = 0; i < e->resumed.len; i++) {
        snprintf(path, sizeof(path), "engine.resumed[%zu]", i);
        visit(vctx, "engine (resumed, waiting for its download)", "engine", path, "",
              &((kumo_request *)e->resumed.v[i])->ref);
    }
    size_t i = 0;
    for (const direct *d = e->directs; d; d = d->next, i++) {
        snprintf(path, sizeof(path), "engine.downloads[%zu]", i);
        visit(vctx, "engine (a middleware's own download)", "engine", path, "", &d->req->ref);
    }
    for (i = e->start_pos; !e->start_done && i < e->start_out.len; i++) {
        const kumo_output *o = &e->start_out.v[i];
        kumo_ref *r = o->is_item ? (o->u.item ? &o->u.item->ref : NULL) : &o->u.req->ref;
        snprintf(path, sizeof(path), "engine.slot.start_requests[%zu]", i);
        if (r)
            visit(vctx, "start requests (not scheduled yet)", "start requests", path, "", r);
    }
    kumo__chains_holders(e->chains, root_component, &w);
}

kumo_engine *kumo__engine_new(kumo_crawler *c, char *err, size_t errlen)
{
    kumo_engine *e = kumo_calloc(1, sizeof(*e), KUMO_T_OTHER, KUMO_V_NONE);
    e->c = c;
    e->dl = downloader_new(e, err, errlen);     /* first: a bad setting stops the start */
    if (!e->dl) {
        kumo_free(e);
        return NULL;
    }
    int rc;
    if (kumo__chains_open(c, &e->chains, err, errlen) != KUMO_OK) {
        kumo__downloader_free(e->dl);
        kumo_free(e);
        return NULL;
    }
    e->sched = kumo__scheduler_open(c, &rc);
    if (!e->sched) {
        if (*kumo__scheduler_open_error())
            snprintf(err, errlen, "%s", kumo__scheduler_open_error());
        else
            snprintf(err, errlen, "cannot open the scheduler: %s", kumo_strerror(rc));
        kumo__chains_close(e->chains, c);
        kumo__downloader_free(e->dl);
        kumo_free(e);
        return NULL;
    }
    kumo__out_init(&e->start_out, kumo_crawler_spider(c));
    kumo__vec_init(&e->resumed, KUMO_T_QUEUE, KUMO_V_QUEUE);
    kumo__vec_init(&e->to_parse, KUMO_T_QUEUE, KUMO_V_QUEUE);
    int64_t threads = kumo__settings_int(kumo__crawler_settings(c), "PARSE_THREADS");
    if (threads < 0) {          /* auto: the cores less the loop's, at least one */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = KUMO_MAX(1, cores - 1);
    }
    if (threads > 0) {
        kumo__response_doc_hooks();     /* set before a parse thread makes a document */
        e->parsers = kumo__parsepool_new(kumo__crawler_base(c), (int)threads, on_parsed,
                                        on_parse_dropped, scrape_on_worker, e, &rc);
        if (e->parsers)
            kumo__parsepool_on_part(e->parsers, on_part);
        else
            KUMO_WARN(LOGGER, "cannot start %lld parse threads (%s): parsing on the loop",
                      (long long)threads, kumo_strerror(rc));
    }
    e->tick = event_new(kumo__crawler_base(c), -1, 0, on_tick, e);
    e->lag = evtimer_new(kumo__crawler_base(c), on_lag, e);
    int64_t max_active = kumo__settings_int(kumo__crawler_settings(c),
                                            "SCRAPER_SLOT_MAX_ACTIVE_SIZE");
    e->max_active_size = max_active > 0 ? (size_t)max_active : SIZE_MAX;
    kumo__chains_log(e->chains);
    kumo__ref_roots_add(engine_roots, e);
    return e;
}

void kumo__engine_free(kumo_engine *e)
{
    if (!e)
        return;
    kumo__ref_roots_remove(engine_roots, e);
    kumo__downloader_free(e->dl);
    directs_cancel(e);
    while (e->resumed.len)
        kumo_request_unref(kumo__vec_pop(&e->resumed));
    kumo__vec_release(&e->resumed);
    while (e->held_items) {
        held_item *h = e->held_items;
        e->held_items = h->next;
        held_free(h);
    }
    kumo__parsepool_free(e->parsers);
    to_parse_drop(e);
    kumo__vec_release(&e->to_parse);
    kumo__scheduler_close(e->sched);
    kumo__chains_close(e->chains, e->c);
    kumo__out_release(&e->start_out);
    event_free(e->tick);
    event_free(e->lag);
    kumo_free(e);
}
