/* routes_sitemap.c - test server routes under /sitemap/: a nested sitemap index, plain,
 * gzipped (.xml.gz file and Content-Encoding) and alternate-link sitemaps, a sitemap too big
 * once inflated, bodies that are not sitemaps, and the pages they list (/sitemap/page/...).
 * Locs are absolute, made from the request's Host header. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "routes.h"

#define XML "application/xml"
#define URLSET "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" " \
    "xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n"
#define INDEX "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
    "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"

/* Each sitemap: its path, whether it is served gzipped, and its body with %1$s for the
 * server's "http://HOST". */
static const struct {
    const char *path;
    enum { PLAIN, GZFILE, ENCODED } how;
    const char *body;
} maps[] = {
    {"/sitemap/index.xml", PLAIN, INDEX
     "<sitemap><loc>%1$s/sitemap/nested.xml</loc></sitemap>\n"
     "<sitemap><loc>%1$s/sitemap/pages.xml</loc><lastmod>2026-01-01</lastmod></sitemap>\n"
     "<sitemap><loc>%1$s/sitemap/pages.xml.gz</loc></sitemap>\n"
     "<sitemap><loc>%1$s/sitemap/encoded.xml</loc></sitemap>\n"
     "<sitemap><loc>%1$s/sitemap/other/skipped.xml</loc></sitemap>\n"
     "<sitemap><lastmod>2026-01-01</lastmod></sitemap>\n"       /* no loc: not an entry */
     "</sitemapindex>\n"},
    {"/sitemap/nested.xml", PLAIN, INDEX
     "<!-- a comment -->\n<sitemap>\n  <loc>\n   %1$s/sitemap/alt.xml\n  </loc>\n</sitemap>\n"
     "</sitemapindex>\n"},
    {"/sitemap/pages.xml", PLAIN, URLSET
     "<url><loc>%1$s/sitemap/page/a</loc><lastmod>2026-03-01</lastmod></url>\n"
     "<url><loc>%1$s/sitemap/page/b</loc><lastmod>2019-03-01</lastmod></url>\n"
     "<url><loc>%1$s/sitemap/product/1</loc><priority>0.8</priority></url>\n"
     "</urlset>\n"},
    {"/sitemap/pages.xml.gz", GZFILE, URLSET
     "<url><loc>%1$s/sitemap/page/gz</loc></url>\n"
     "<url><loc>%1$s/sitemap/product/gz</loc></url>\n"
     "</urlset>\n"},
    {"/sitemap/encoded.xml", ENCODED, URLSET
     "<url><loc>%1$s/sitemap/page/enc</loc></url>\n"
     "</urlset>\n"},
    {"/sitemap/alt.xml", PLAIN, URLSET
     "<url><loc>%1$s/sitemap/page/en</loc>\n"
     "  <xhtml:link rel=\"alternate\" hreflang=\"de\" href=\"%1$s/sitemap/page/de\"/>\n"
     "  <xhtml:link rel=\"alternate\" hreflang=\"fr\" href=\"%1$s/sitemap/page/fr\"/>\n"
     "</url>\n</urlset>\n"},
    {"/sitemap/other/skipped.xml", PLAIN, URLSET
     "<url><loc>%1$s/sitemap/page/skipped</loc></url>\n</urlset>\n"},
    {"/sitemap.xml", PLAIN, INDEX           /* what `kumo genspider -t sitemap` reads */
     "<sitemap><loc>%1$s/sitemap/pages.xml.gz</loc></sitemap>\n</sitemapindex>\n"},
    {"/sitemap/notxml.xml", PLAIN, "this is not XML at all\n"},
    {"/sitemap/robots.txt", PLAIN,
     "User-agent: *\nDisallow:\n  sitemap: %1$s/sitemap/pages.xml\n"
     "SITEMAP:/sitemap/alt.xml\n# Sitemap: %1$s/sitemap/commented.xml\n"},
};

/* A urlset this many bytes long once inflated, served as /sitemap/big.xml.gz: one loc
 * again and again (the dupefilter keeps one request). */
#define BIG_SIZE (256 * 1024)

/* Gzip p[0..n) into a malloc'ed buffer; NULL on failure. */
static unsigned char *gzip_buf(const char *p, size_t n, size_t *outlen)
{
    z_stream z = {0};
    if (deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static void send_gzip(struct evhttp_request *req, const char *type, const char *p, size_t n,
                      bool encoding)
{
    size_t zn = 0;
    unsigned char *z = gzip_buf(p, n, &zn);
    if (!z) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    if (encoding)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding", "gzip");
    kumo_ts_reply_str(req, 200, type, z, zn);
    free(z);
}

static bool accepts_gzip(struct evhttp_request *req)
{
    const char *ae = evhttp_find_header(evhttp_request_get_input_headers(req),
                                        "Accept-Encoding");
    return ae && strstr(ae, "gzip");
}

static void h_big(struct evhttp_request *req, const char *base)
{
    char *body = malloc(BIG_SIZE + 1024);
    if (!body) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    size_t n = (size_t)snprintf(body, 1024, URLSET);
    while (n < BIG_SIZE)
        n += (size_t)snprintf(body + n, 1024, "<url><loc>%s/sitemap/page/big</loc></url>\n",
                              base);
    n += (size_t)snprintf(body + n, 1024, "</urlset>\n");
    send_gzip(req, "application/x-gzip", body, n, false);
    free(body);
}

static void h_sitemap(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    (void)s;
    const char *host = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
    char base[128];
    snprintf(base, sizeof(base), "http://%s", host ? host : "127.0.0.1");
    if (strncmp(rest, "page/", 5) == 0 || strncmp(rest, "product/", 8) == 0) {
        char page[512];
        int n = snprintf(page, sizeof(page), "<html><head><title>%s</title></head>"
                         "<body><p>%s</p></body></html>", path, path);
        kumo_ts_reply_str(req, 200, "text/html; charset=utf-8", page, (size_t)n);
        return;
    }
    if (strcmp(path, "/sitemap/big.xml.gz") == 0) {
        h_big(req, base);
        return;
    }
    if (strcmp(path, "/sitemap/notxml") == 0) {
        static const char html[] = "<html><body><p>a page, not a sitemap</p></body></html>";
        kumo_ts_reply_str(req, 200, "text/html", html, sizeof(html) - 1);
        return;
    }
    for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
        if (strcmp(path, maps[i].path) != 0)
            continue;
        char body[4096];
        int n = snprintf(body, sizeof(body), maps[i].body, base);
        const char *type = strstr(path, ".txt") ? "text/plain" : XML;
        if (maps[i].how == GZFILE)
            send_gzip(req, "application/x-gzip", body, (size_t)n, false);
        else if (maps[i].how == ENCODED && accepts_gzip(req))
            send_gzip(req, XML, body, (size_t)n, true);
        else
            kumo_ts_reply_str(req, 200, type, body, (size_t)n);
        return;
    }
    kumo_ts_status_page(req, 404);
}

const kumo_testroute kumo_routes_sitemap[] = {
    {"/sitemap/", h_sitemap},
    {"/sitemap.xml", h_sitemap},
    {NULL, NULL},
};
