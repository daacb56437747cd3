/* autothrottle.c - the AutoThrottle extension: slot delays that follow server latency. */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "http/request.h"
#include "http/response.h"

#define LOGGER "kumo.extensions.throttle"

typedef struct throttle {
    kumo_crawler *c;
    bool debug;
    double target;              /* AUTOTHROTTLE_TARGET_CONCURRENCY */
    double mindelay, maxdelay, startdelay;
} throttle;

double kumo__autothrottle_delay(double old, double latency, int status, double target,
                               double mindelay, double maxdelay)
{
    /* a server that needs latency seconds per response gets one request every
     * latency / target seconds, so that target requests are processed in parallel */
    double target_delay = latency / target;
    double new_delay = (old + target_delay) / 2.0;
    /* a larger target wins over the mean: it works better with problematic sites */
    new_delay = KUMO_MAX(target_delay, new_delay);
    new_delay = KUMO_MIN(KUMO_MAX(mindelay, new_delay), maxdelay);
    /* error pages and redirections are small and fast: they never lower the delay */
    if (status != 200 && new_delay <= old)
        return old;
    return new_delay;
}

/* Scrapy's _response_downloaded, on every response the downloader receives. */
static void on_response(void *ctx, kumo_crawler *c, void *arg)
{
    throttle *t = ctx;
    kumo_response *res = arg;
    kumo_request *req = res->request;
    const char *key = kumo_map_get_str(&req->meta, "download_slot", NULL);
    const kumo_value *lat = kumo_map_get(&req->meta, "download_latency");
    double old = key ? kumo_crawler_slot_delay(c, key) : -1;
    if (!lat || old < 0)
        return;
    double latency = lat->type == KUMO_VAL_FLOAT ? lat->u.f
                     : lat->type == KUMO_VAL_INT ? (double)lat->u.i : -1;
    if (latency < 0)
        return;
    double delay = kumo__autothrottle_delay(old, latency, res->status, t->target, t->mindelay,
                                           t->maxdelay);
    kumo_crawler_set_slot_delay(c, key, delay);
    if (t->debug)
        KUMO_INFO(LOGGER, "slot: %s | conc:%2d | delay:%5d ms (%+d) | latency:%5d ms | "
                  "size:%6d bytes", key, (int)kumo_crawler_slot_transferring(c, key),
                  (int)(delay * 1000), (int)((delay - old) * 1000), (int)(latency * 1000),
                  (int)res->body_len);
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    const throttle *t = self;
    KUMO_INFO(LOGGER, "AutoThrottle enabled: start delay %.2f s, delay between %.2f and "
              "%.2f s, target concurrency %.2f", t->startdelay, t->mindelay, t->maxdelay,
              t->target);
}

static int at_open(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    if (!kumo_crawler_setting_bool(c, "AUTOTHROTTLE_ENABLED"))
        return KUMO_EDECLINED;
    double target = kumo_crawler_setting_float(c, "AUTOTHROTTLE_TARGET_CONCURRENCY");
    if (target <= 0) {
        KUMO_ERROR(LOGGER, "AutoThrottle disabled: AUTOTHROTTLE_TARGET_CONCURRENCY must be "
                   "positive, not %g", target);
        return KUMO_EDECLINED;
    }
    throttle *t = kumo_calloc(1, sizeof(*t), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    t->c = c;
    t->debug = kumo_crawler_setting_bool(c, "AUTOTHROTTLE_DEBUG");
    t->target = target;
    t->mindelay = KUMO_MAX(0.0, kumo_crawler_setting_float(c, "DOWNLOAD_DELAY"));
    t->maxdelay = kumo_crawler_setting_float(c, "AUTOTHROTTLE_MAX_DELAY");
    /* the downloader starts new slots at this delay (it reads the same settings) */
    t->startdelay =
        KUMO_MAX(t->mindelay, kumo_crawler_setting_float(c, "AUTOTHROTTLE_START_DELAY"));
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, t);
    kumo_crawler_connect(c, KUMO_SIGNAL_RESPONSE_DOWNLOADED, on_response, t);
    *self = t;
    return KUMO_OK;
}

static void at_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

const kumo_ext_def kumo__ext_autothrottle = {
    KUMO_EXT_HEADER,
    .name = "AutoThrottle",
    .open = at_open,
    .close = at_close,
};
