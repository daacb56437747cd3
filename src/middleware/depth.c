/* depth.c - the Depth spider middleware: meta depth, DEPTH_LIMIT, DEPTH_PRIORITY, stats. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"

#define LOGGER "kumo.spidermiddlewares.depth"

typedef struct depth {
    int64_t maxdepth;
    int64_t prio;
    bool verbose;
} depth;

static int depth_open(kumo_crawler *c, void **self)
{
    depth *d = kumo_calloc(1, sizeof(*d), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    d->maxdepth = kumo_crawler_setting_int(c, "DEPTH_LIMIT");
    d->prio = kumo_crawler_setting_int(c, "DEPTH_PRIORITY");
    d->verbose = kumo_crawler_setting_bool(c, "DEPTH_STATS_VERBOSE");
    *self = d;
    return KUMO_OK;
}

static void depth_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

/* Scrapy's _init_depth: a request without depth is at depth 0. */
static void init_depth(const depth *d, kumo_crawler *c, kumo_map *meta)
{
    if (!meta || kumo_map_get(meta, "depth"))
        return;
    kumo_map_set(meta, "depth", kumo_val_int(0));
    if (d->verbose)
        kumo_crawler_stats_inc(c, "request_depth_count/0", 1);
}

static int depth_request(void *self, kumo_crawler *c, kumo_response *res, kumo_request *req)
{
    const depth *d = self;
    if (!res) {
        init_depth(d, c, kumo_request_meta(req));
        return KUMO_OK;
    }
    kumo_map *rmeta = kumo_response_meta(res);
    init_depth(d, c, rmeta);
    int64_t dep = (rmeta ? kumo_map_get_int(rmeta, "depth", 0) : 0) + 1;
    kumo_map_set(kumo_request_meta(req), "depth", kumo_val_int(dep));
    if (d->prio)
        req->priority = (int)(req->priority - dep * d->prio);
    if (d->maxdepth && dep > d->maxdepth) {
        KUMO_DEBUG(LOGGER, "Ignoring link (depth > %lld): %s", (long long)d->maxdepth,
                   req->url);
        return KUMO_EIGNORED;
    }
    if (d->verbose)
        kumo_crawler_stats_incf(c, 1, "request_depth_count/%lld", (long long)dep);
    kumo_crawler_stats_max(c, "request_depth_max", dep);
    return KUMO_OK;
}

const kumo_spmw_def kumo__spmw_depth = {
    KUMO_SPMW_HEADER,
    .name = "Depth",
    .order = 900,
    .open = depth_open,
    .close = depth_close,
    .process_request = depth_request,
};
