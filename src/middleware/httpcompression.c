/* httpcompression.c - the HttpCompression downloader middleware (the downloader decodes). */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"
#include <curl/curl.h>

/* The encodings the downloader decodes, as Scrapy's ACCEPTED_ENCODINGS: "gzip, deflate, br". */
static char *accepted_encodings(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    char buf[32] = "gzip, deflate";
#ifdef CURL_VERSION_BROTLI
    if (v && (v->features & CURL_VERSION_BROTLI))
        strcat(buf, ", br");
#endif
    (void)v;
    return kumo_strdup(buf, KUMO_T_STR, KUMO_V_DICT);
}

static int hc_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "COMPRESSION_ENABLED"))
        return KUMO_EDECLINED;
    *self = accepted_encodings();
    return KUMO_OK;
}

static void hc_close(void *self, kumo_crawler *c)
{
    (void)c;
    kumo_free(self);
}

static int hc_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)c, (void)res, (void)next;
    kumo_headers *h = kumo_request_headers(req);
    if (!kumo_headers_get(h, "Accept-Encoding"))
        kumo_headers_add(h, "Accept-Encoding", self);
    return KUMO_OK;
}

/*
 * The downloader decoded the body (by bounded steps, http/decode.c: it decodes when the
 * request sent Accept-Encoding) and left Content-Encoding: drop it, as Scrapy does once it
 * has decoded, and count.
 */
static int hc_response(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    (void)self, (void)next;
    kumo_response *r = *res;
    if (strcmp(req->method, "HEAD") == 0 || !kumo_headers_get(r->headers, "Content-Encoding"))
        return KUMO_OK;
    kumo_headers_set(r->headers, "Content-Encoding", NULL);
    kumo_crawler_stats_inc(c, "httpcompression/response_bytes", (int64_t)r->body_len);
    kumo_crawler_stats_inc(c, "httpcompression/response_count", 1);
    return KUMO_OK;
}

const kumo_dlmw_def kumo__dlmw_httpcompression = {
    KUMO_DLMW_HEADER,
    .name = "HttpCompression",
    .order = 590,
    .open = hc_open,
    .close = hc_close,
    .process_request = hc_request,
    .process_response = hc_response,
};
