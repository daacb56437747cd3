/* routes_cache.c - test server routes for the HTTP cache: Cache-Control, ETag, Last-Modified
 * and 304 answers to conditional requests. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <string.h>

#include "routes.h"

/* The Last-Modified of /cache/lastmod. */
#define LASTMOD "Sat, 01 Jan 2000 00:00:00 GMT"

static void page(struct evhttp_request *req, int code, const char *name)
{
    char html[256];
    int n = snprintf(html, sizeof(html), "<html><head><title>cache %s</title></head>"
                     "<body><p>%s</p></body></html>", name, name);
    kumo_ts_reply_str(req, code, "text/html; charset=utf-8", html, (size_t)n);
}

static void not_modified(struct evhttp_request *req)
{
    evhttp_send_reply(req, 304, "Not Modified", NULL);
}

/* /cache/NAME: see server.h. */
static void h_cache(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *inm = evhttp_find_header(in, "If-None-Match");
    const char *ims = evhttp_find_header(in, "If-Modified-Since");
    (void)s, (void)path;

    if (strcmp(rest, "maxage") == 0) {
        evhttp_add_header(out, "Cache-Control", "max-age=3600");
        page(req, 200, rest);
    } else if (strcmp(rest, "etag") == 0) {
        evhttp_add_header(out, "ETag", "\"v1\"");
        if (inm && strcmp(inm, "\"v1\"") == 0)
            not_modified(req);
        else
            page(req, 200, rest);
    } else if (strcmp(rest, "lastmod") == 0) {
        evhttp_add_header(out, "Cache-Control", "max-age=0");
        evhttp_add_header(out, "Last-Modified", LASTMOD);
        if (ims && strcmp(ims, LASTMOD) == 0)
            not_modified(req);
        else
            page(req, 200, rest);
    } else if (strcmp(rest, "nostore") == 0) {
        evhttp_add_header(out, "Cache-Control", "no-store, max-age=3600");
        page(req, 200, rest);
    } else if (strcmp(rest, "plain") == 0) {
        page(req, 200, rest);
    } else if (strcmp(rest, "flaky") == 0) {
        /* a stale page whose revalidation fails with a 503 */
        evhttp_add_header(out, "Cache-Control", "max-age=0");
        evhttp_add_header(out, "ETag", "\"f\"");
        page(req, inm ? 503 : 200, rest);
    } else {
        kumo_ts_status_page(req, 404);
    }
}

const kumo_testroute kumo_routes_cache[] = {
    {"/cache/", h_cache},
    {NULL, NULL},
};
