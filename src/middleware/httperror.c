/* httperror.c - the HttpError spider middleware: keep non-2xx responses from callbacks. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"

#define LOGGER "kumo.spidermiddlewares.httperror"
#define MAX_CODES 128

typedef struct httperror {
    bool allow_all;
    size_t ncodes;
    int codes[MAX_CODES];
} httperror;

static int he_open(kumo_crawler *c, void **self)
{
    httperror *h = kumo_calloc(1, sizeof(*h), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    h->allow_all = kumo_crawler_setting_bool(c, "HTTPERROR_ALLOW_ALL");
    char *codes[MAX_CODES];
    size_t n = kumo_crawler_setting_list(c, "HTTPERROR_ALLOWED_CODES", codes, MAX_CODES);
    n = KUMO_MIN(n, (size_t)MAX_CODES);
    for (size_t i = 0; i < n; i++) {
        char *end;
        long v = strtol(codes[i], &end, 10);
        if (*end == '\0' && end != codes[i])
            h->codes[h->ncodes++] = (int)v;
        kumo_free(codes[i]);
    }
    *self = h;
    return KUMO_OK;
}

static void he_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

static bool allowed(const httperror *h, const kumo_map *meta, int status)
{
    if (status >= 200 && status < 300)
        return true;
    if (kumo__meta_true(meta, "handle_httpstatus_all"))
        return true;
    const kumo_value *list = meta ? kumo_map_get(meta, "handle_httpstatus_list") : NULL;
    if (list)
        return kumo__list_has_int(list, status);
    if (h->allow_all)
        return true;
    for (size_t i = 0; i < h->ncodes; i++)
        if (h->codes[i] == status)
            return true;
    return false;
}

static int he_input(void *self, kumo_crawler *c, kumo_response *res)
{
    if (allowed(self, kumo_response_meta(res), res->status))
        return KUMO_OK;
    if (res->request && kumo__request_errback(res->request))
        return KUMO_EHTTP;              /* the errback gets it, as in Scrapy: not counted */
    kumo_crawler_stats_inc(c, "httperror/response_ignored_count", 1);
    kumo_crawler_stats_incf(c, 1, "httperror/response_ignored_status_count/%d", res->status);
    KUMO_INFO(LOGGER, "Ignoring response <%d %s>: HTTP status code is not handled or not "
              "allowed", res->status, res->url);
    return KUMO_EIGNORED;
}

const kumo_spmw_def kumo__spmw_httperror = {
    KUMO_SPMW_HEADER,
    .name = "HttpError",
    .order = 50,
    .open = he_open,
    .close = he_close,
    .process_spider_input = he_input,
};
