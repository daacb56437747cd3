/* downloaderstats.c - the DownloaderStats downloader middleware: the downloader/ stats. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"
#include "http/status.h"

static int ds_open(kumo_crawler *c, void **self)
{
    *self = NULL;
    return kumo_crawler_setting_bool(c, "DOWNLOADER_STATS") ? KUMO_OK
                                                                     : KUMO_EDECLINED;
}

static int ds_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)self, (void)res, (void)next;
    kumo_crawler_stats_inc(c, "downloader/request_count", 1);
    kumo_crawler_stats_incf(c, 1, "downloader/request_method_count/%s", req->method);
    kumo_crawler_stats_inc(c, "downloader/request_bytes", (int64_t)kumo__request_bytes(req));
    return KUMO_OK;
}

/* Scrapy's get_header_size(): ": " + name + value per value, "\r\n" between names. */
static int64_t header_size(const kumo_headers *h)
{
    int64_t size = 0, names = 0;
    size_t n = kumo_headers_count(h);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value, *pn, *pv;
        kumo_headers_at(h, i, &name, &value);
        size += 2 + (int64_t)strlen(name) + (int64_t)strlen(value);
        bool first = true;
        for (size_t j = 0; j < i && first; j++) {
            kumo_headers_at(h, j, &pn, &pv);
            first = strcasecmp(pn, name) != 0;
        }
        names += first;
    }
    return size + 2 * (names - 1);
}

static int ds_response(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    (void)self, (void)req, (void)next;
    const kumo_response *r = *res;
    const char *phrase = kumo__http_status_phrase(r->status);
    int64_t len = (int64_t)r->body_len + header_size(r->headers) +
                  (int64_t)(phrase ? strlen(phrase) : 0) + 15 + 4;
    kumo_crawler_stats_inc(c, "downloader/response_count", 1);
    kumo_crawler_stats_incf(c, 1, "downloader/response_status_count/%d", r->status);
    kumo_crawler_stats_inc(c, "downloader/response_bytes", len);
    return KUMO_OK;
}

static int ds_exception(void *self, kumo_crawler *c, kumo_request *req, int err,
                        kumo_response **res, kumo_request **next)
{
    (void)self, (void)req, (void)res, (void)next;
    kumo_crawler_stats_inc(c, "downloader/exception_count", 1);
    kumo_crawler_stats_incf(c, 1, "downloader/exception_type_count/%s",
                    kumo__exception_name(err));
    return KUMO_EDECLINED;
}

const kumo_dlmw_def kumo__dlmw_stats = {
    KUMO_DLMW_HEADER,
    .name = "DownloaderStats",
    .order = 850,
    .open = ds_open,
    .process_request = ds_request,
    .process_response = ds_response,
    .process_exception = ds_exception,
};
