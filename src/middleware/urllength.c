/* urllength.c - the UrlLength spider middleware: drop requests with urls over URLLENGTH_LIMIT. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"

#define LOGGER "kumo.spidermiddlewares.urllength"

static int ul_open(kumo_crawler *c, void **self)
{
    int64_t max = kumo_crawler_setting_int(c, "URLLENGTH_LIMIT");
    if (max <= 0)
        return KUMO_EDECLINED;
    int64_t *m = kumo_alloc(sizeof(*m), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    *m = max;
    *self = m;
    return KUMO_OK;
}

static void ul_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

/* Like Scrapy's, it filters what callbacks emit; start requests (res NULL) pass. */
static int ul_request(void *self, kumo_crawler *c, kumo_response *res, kumo_request *req)
{
    int64_t max = *(const int64_t *)self;
    if (!res || (int64_t)strlen(req->url) <= max)
        return KUMO_OK;
    KUMO_INFO(LOGGER, "Ignoring link (url length > %lld): %s", (long long)max, req->url);
    kumo_crawler_stats_inc(c, "urllength/request_ignored_count", 1);
    return KUMO_EIGNORED;
}

const kumo_spmw_def kumo__spmw_urllength = {
    KUMO_SPMW_HEADER,
    .name = "UrlLength",
    .order = 800,
    .open = ul_open,
    .close = ul_close,
    .process_request = ul_request,
};
