/* httpcache.c - the HttpCache downloader middleware: answer from, and store into, the cache. */
#include "middleware/mw.h"
#include "middleware/cache_settings.h"
#include "http/cache_store.h"
#include "http/request.h"
#include "http/response.h"

#include <time.h>

#define LOGGER "kumo.downloadermiddlewares.httpcache"

typedef struct httpcache {
    kumo_cache_policy policy;
    kumo_cache_store *store;
    bool ignore_missing;
    /* Stale cached responses waiting for the download's answer (Scrapy keeps them in
     * meta['cached_response']; here, off the request, so no reference cycle).  One
     * reference each; pending[i]->request is the request. */
    kumo_response **pending;
    size_t npending, cap;
} httpcache;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Take ownership of cached (a stale response waiting for req's download). */
static void pending_push(httpcache *hc, kumo_response *cached)
{
    if (hc->npending == hc->cap) {
        hc->cap = hc->cap ? hc->cap * 2 : 16;
        hc->pending = kumo_realloc(hc->pending, hc->cap * sizeof(*hc->pending),
                                   KUMO_T_MIDDLEWARE, KUMO_V_CACHE);
    }
    hc->pending[hc->npending++] = cached;
}

/* Returns the stale response waiting for req (the caller takes its reference), or NULL. */
static kumo_response *pending_pop(httpcache *hc, const kumo_request *req)
{
    for (size_t i = 0; i < hc->npending; i++) {
        kumo_response *r = hc->pending[i];
        if (r->request == req) {
            hc->pending[i] = hc->pending[--hc->npending];
            return r;
        }
    }
    return NULL;
}

static void hc_close(void *self, kumo_crawler *c)
{
    (void)c;
    httpcache *hc = self;
    for (size_t i = 0; i < hc->npending; i++)
        kumo_response_unref(hc->pending[i]);
    kumo_free(hc->pending);
    kumo__cache_store_close(hc->store);
    kumo__cache_policy_release(&hc->policy);
    kumo_free(hc);
}

static int hc_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "HTTPCACHE_ENABLED"))
        return KUMO_EDECLINED;
    char err[512];
    httpcache *hc = kumo_calloc(1, sizeof(*hc), KUMO_T_MIDDLEWARE, KUMO_V_CACHE);
    if (kumo__cache_policy_init(&hc->policy, c, err, sizeof(err)) != KUMO_OK) {
        KUMO_ERROR(LOGGER, "%s", err);
        kumo_free(hc);
        return KUMO_EINVAL;
    }
    hc->ignore_missing = kumo_crawler_setting_bool(c, "HTTPCACHE_IGNORE_MISSING");
    kumo_spider *sp = kumo_crawler_spider(c);        /* there is one whenever a def is */
    const char *name = sp ? kumo_spider_name(sp) : NULL;
    if (kumo__cache_store_open(kumo_crawler_setting(c, "HTTPCACHE_DIR"), name,
                              kumo_crawler_setting_int(c, "HTTPCACHE_EXPIRATION_SECS"),
                              &hc->store, err, sizeof(err)) != KUMO_OK) {
        KUMO_ERROR(LOGGER, "%s; crawling without the HTTP cache", err);
        kumo__cache_policy_release(&hc->policy);
        kumo_free(hc);
        return KUMO_EDECLINED;
    }
    *self = hc;
    return KUMO_OK;
}

static int hc_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)next;
    httpcache *hc = self;
    if (kumo__meta_true(&req->meta, "dont_cache"))
        return KUMO_OK;
    if (!kumo__cache_policy_should_cache_request(&hc->policy, req->url, req->headers)) {
        kumo_map_set(&req->meta, "_dont_cache", kumo_val_bool(1));    /* uncacheable */
        return KUMO_OK;
    }
    double now = wall_now();
    kumo_response *cached = kumo__cache_store_retrieve(hc->store, req, now);
    if (!cached) {
        kumo_crawler_stats_inc(c, "httpcache/miss", 1);
        if (hc->ignore_missing) {
            kumo_crawler_stats_inc(c, "httpcache/ignore", 1);
            KUMO_DEBUG(LOGGER, "Ignored request not in cache: <%s %s>", req->method, req->url);
            return KUMO_EIGNORED;
        }
        return KUMO_OK;     /* first time request */
    }
    if (kumo__cache_policy_is_fresh(&hc->policy, cached->status, cached->headers,
                                   kumo_request_headers(req), now)) {
        kumo_crawler_stats_inc(c, "httpcache/hit", 1);
        cached->flags |= KUMO_RESPONSE_CACHED;
        *res = cached;
        return KUMO_EDONE;
    }
    pending_push(hc, cached);   /* stale: validated when the download answers */
    return KUMO_OK;
}

static void cache_response(httpcache *hc, kumo_crawler *c, kumo_request *req,
                           kumo_response *r)
{
    if (kumo__cache_policy_should_cache_response(&hc->policy, r->status, r->headers)) {
        kumo_crawler_stats_inc(c, "httpcache/store", 1);
        kumo__cache_store_store(hc->store, req, r, wall_now());
    } else {
        kumo_crawler_stats_inc(c, "httpcache/uncacheable", 1);
    }
}

static int hc_response(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    (void)next;
    httpcache *hc = self;
    kumo_response *r = *res;
    if (kumo__meta_true(&req->meta, "dont_cache"))
        return KUMO_OK;
    /* skip cached responses and uncacheable requests */
    if (r->flags & KUMO_RESPONSE_CACHED) {
        kumo_map_del(&req->meta, "_dont_cache");
        return KUMO_OK;
    }
    if (kumo_map_del(&req->meta, "_dont_cache"))
        return KUMO_OK;
    /* RFC2616 requires origin servers to send Date */
    if (!kumo_headers_get(r->headers, "Date")) {
        char date[40];
        kumo_headers_set(r->headers, "Date", kumo__http_date_format(wall_now(), date,
                                                                    sizeof(date)));
    }
    kumo_response *cached = pending_pop(hc, req);
    if (!cached) {
        kumo_crawler_stats_inc(c, "httpcache/firsthand", 1);
        cache_response(hc, c, req, r);
        return KUMO_OK;
    }
    if (kumo__cache_policy_is_valid(&hc->policy, cached->headers, r->status)) {
        kumo_crawler_stats_inc(c, "httpcache/revalidate", 1);
        kumo_response_unref(r);
        *res = cached;
        return KUMO_OK;
    }
    kumo_crawler_stats_inc(c, "httpcache/invalidate", 1);
    cache_response(hc, c, req, r);
    kumo_response_unref(cached);
    return KUMO_OK;
}

/* Scrapy's DOWNLOAD_EXCEPTIONS: a cached response answers for a failed download. */
static bool download_error(int err)
{
    return err == KUMO_ETIMEDOUT || err == KUMO_EDNS || err == KUMO_ECONNREFUSED ||
           err == KUMO_ECONN || err == KUMO_EPROTO || err == KUMO_EIO;
}

static int hc_exception(void *self, kumo_crawler *c, kumo_request *req, int err,
                        kumo_response **res, kumo_request **next)
{
    (void)next;
    httpcache *hc = self;
    kumo_response *cached = pending_pop(hc, req);
    if (!cached)
        return KUMO_EDECLINED;
    if (!download_error(err)) {
        kumo_response_unref(cached);
        return KUMO_EDECLINED;
    }
    kumo_crawler_stats_inc(c, "httpcache/errorrecovery", 1);
    cached->flags |= KUMO_RESPONSE_CACHED;
    *res = cached;
    return KUMO_EDONE;
}

const kumo_dlmw_def kumo__dlmw_httpcache = {
    KUMO_DLMW_HEADER,
    .name = "HttpCache",
    .order = 900,
    .open = hc_open,
    .close = hc_close,
    .process_request = hc_request,
    .process_response = hc_response,
    .process_exception = hc_exception,
};
