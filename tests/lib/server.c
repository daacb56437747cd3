/* server.c - the test HTTP server: evhttp in its own thread, a table of routes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <zlib.h>

#include "server.h"
#include "routes.h"

/*
 * Everything here runs in the server thread except start/stop/hits/url/port: no kumo_*
 * call of libkumo, plain malloc only (libkumo's heap counters are not thread-safe).
 */

typedef struct hit {
    char *path;
    unsigned n;
} hit;

/* A /slow request waiting for its timer. */
typedef struct slow {
    struct slow *next;
    struct kumo_testserver *s;
    struct evhttp_request *req;
    struct evhttp_connection *evcon;
    struct event *timer;
    long ms, fan;               /* its delay; links to fan more /slow pages (0: none) */
} slow;

struct kumo_testserver {
    struct event_base *base;
    struct evhttp *http;
    int port;
    int wake[2];                  /* stop() writes to wake[1]; the loop breaks */
    struct event *wake_ev;
    struct event *sig_ev[2];      /* foreground mode: SIGINT, SIGTERM */
    pthread_t thread;
    int thread_started;
    slow *slows;
    unsigned char *bomb;          /* /gzipbomb's body, made on first use */
    size_t bomb_len;
    pthread_mutex_t lock;         /* guards hits and the /slow record */
    hit *hits;
    size_t nhits, caphits;
    /* /slow requests: arrival times, how many were answering, overlaps */
    double slow_at[KUMO_TESTSERVER_SLOW_LOG];
    unsigned slow_n, slow_busy, slow_overlaps;
};

static const char ok_page[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>OK</title></head>\n"
    "<body><h1>OK</h1><p class=\"ok\">Everything is fine \xe2\x80\x93 caf\xc3\xa9 "
    "cr\xc3\xa8me &amp; more.</p></body></html>\n";

/* ---- small helpers ---- */

static void set_type(struct evhttp_request *req, const char *type)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
}

#define HTML "text/html; charset=utf-8"

static const char *reason(int code)
{
    static const struct {
        int code;
        const char *text;
    } reasons[] = {
        {200, "OK"}, {201, "Created"}, {204, "No Content"}, {301, "Moved Permanently"},
        {302, "Found"}, {303, "See Other"}, {304, "Not Modified"},
        {307, "Temporary Redirect"}, {308, "Permanent Redirect"}, {400, "Bad Request"},
        {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
        {408, "Request Timeout"}, {429, "Too Many Requests"},
        {500, "Internal Server Error"}, {502, "Bad Gateway"}, {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
    };
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
        if (reasons[i].code == code)
            return reasons[i].text;
    return "Status";
}

/* Send body (which may be NULL) with code and, when body is set, Content-Type type. */
void kumo_ts_reply(struct evhttp_request *req, int code, const char *type,
                   struct evbuffer *body)
{
    if (body && type)
        set_type(req, type);
    evhttp_send_reply(req, code, reason(code), body);
}

void kumo_ts_reply_str(struct evhttp_request *req, int code, const char *type,
                       const void *p, size_t n)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add(b, p, n);
    kumo_ts_reply(req, code, type, b);
    evbuffer_free(b);
}

void kumo_ts_status_page(struct evhttp_request *req, int code)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n"
                           "<body><h1>%d %s</h1></body></html>\n",
                        code, reason(code), code, reason(code));
    kumo_ts_reply(req, code, HTML, b);
    evbuffer_free(b);
}

static void not_found(struct evhttp_request *req)
{
    kumo_ts_status_page(req, 404);
}

/* Parse all of s as a decimal in [lo, hi]; returns 0 and sets *out, or -1. */
int kumo_ts_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Returns the value of query parameter name, malloc'ed (caller frees), or NULL. */
char *kumo_ts_query(struct evhttp_request *req, const char *name)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq params;
    const char *v;
    char *copy = NULL;

    if (!q)
        return NULL;
    TAILQ_INIT(&params);
    if (evhttp_parse_query_str(q, &params) == 0) {
        v = evhttp_find_header(&params, name);
        if (v)
            copy = strdup(v);
    }
    evhttp_clear_headers(&params);
    return copy;
}

static int accepts(struct evhttp_request *req, const char *coding)
{
    const char *ae =
        evhttp_find_header(evhttp_request_get_input_headers(req), "Accept-Encoding");
    size_t n = strlen(coding);

    for (; ae && *ae; ae++)
        if (strncasecmp(ae, coding, n) == 0)
            return 1;
    return 0;
}

/*
 * Compress p[0..n) into a malloc'ed buffer: windowbits 31 for gzip, 15 for zlib.  When
 * zeros is not 0, compress that many zero bytes instead of p.  Returns NULL on failure.
 */
unsigned char *kumo_ts_compress(const void *p, size_t n, size_t zeros, int windowbits,
                                size_t *outlen)
{
    static const unsigned char zero[65536];
    z_stream z;
    unsigned char *out = NULL, *grown;
    size_t cap = 4096, left = zeros;
    int rc, flush;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, 9, Z_DEFLATED, windowbits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    out = malloc(cap);
    if (!out)
        goto fail;
    if (!zeros) {
        z.next_in = (unsigned char *)p;
        z.avail_in = (uInt)n;
    }
    do {
        if (zeros && z.avail_in == 0 && left) {
            z.next_in = (unsigned char *)zero;
            z.avail_in = (uInt)(left < sizeof(zero) ? left : sizeof(zero));
            left -= z.avail_in;
        }
        flush = (zeros && left) ? Z_NO_FLUSH : Z_FINISH;
        if (z.total_out == cap) {
            grown = realloc(out, cap * 2);
            if (!grown)
                goto fail;
            out = grown;
            cap *= 2;
        }
        z.next_out = out + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        rc = deflate(&z, flush);
        if (rc == Z_STREAM_ERROR)
            goto fail;
    } while (rc != Z_STREAM_END);
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
fail:
    deflateEnd(&z);
    free(out);
    return NULL;
}

/* ---- hits ---- */

static void count_hit(kumo_testserver *s, const char *path)
{
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nhits; i++) {
        if (strcmp(s->hits[i].path, path) == 0) {
            s->hits[i].n++;
            pthread_mutex_unlock(&s->lock);
            return;
        }
    }
    if (s->nhits == s->caphits) {
        size_t cap = s->caphits ? s->caphits * 2 : 16;
        hit *grown = realloc(s->hits, cap * sizeof(*grown));
        if (!grown)
            goto out;
        s->hits = grown;
        s->caphits = cap;
    }
    s->hits[s->nhits].path = strdup(path);
    if (s->hits[s->nhits].path) {
        s->hits[s->nhits].n = 1;
        s->nhits++;
    }
out:
    pthread_mutex_unlock(&s->lock);
}

unsigned kumo_testserver_hits(kumo_testserver *s, const char *path)
{
    unsigned n = 0;

    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nhits; i++)
        if (strcmp(s->hits[i].path, path) == 0)
            n = s->hits[i].n;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void kumo_testserver_hit_summary(kumo_testserver *s, unsigned *total, unsigned *distinct,
                                 unsigned *most)
{
    unsigned t = 0, m = 0;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nhits; i++) {
        t += s->hits[i].n;
        m = s->hits[i].n > m ? s->hits[i].n : m;
    }
    *distinct = (unsigned)s->nhits;
    pthread_mutex_unlock(&s->lock);
    *total = t;
    *most = m;
}

size_t kumo_testserver_slow_log(kumo_testserver *s, double *at, size_t n, unsigned *overlaps)
{
    pthread_mutex_lock(&s->lock);
    size_t got = s->slow_n;
    for (size_t i = 0; i < n && i < got && i < KUMO_TESTSERVER_SLOW_LOG; i++)
        at[i] = s->slow_at[i];
    *overlaps = s->slow_overlaps;
    pthread_mutex_unlock(&s->lock);
    return got;
}

/* ---- route handlers: (server, request, path without query, the part after the prefix) ---- */

typedef kumo_testroute_fn handler_fn;

static void h_site(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    struct evbuffer *b = evbuffer_new();
    int code;

    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    code = kumo_testsite_render(path, b);
    if (code == 200)
        kumo_ts_reply(req, 200, HTML, b);
    else
        not_found(req);
    evbuffer_free(b);
}

static void h_ok(kumo_testserver *s, struct evhttp_request *req, const char *path,
                 const char *rest)
{
    kumo_ts_reply_str(req, 200, HTML, ok_page, sizeof(ok_page) - 1);
}

/* /gzip and /deflate: the ok page, encoded when the client asks for it. */
static void h_encoded(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    const char *coding = strcmp(path, "/gzip") == 0 ? "gzip" : "deflate";
    unsigned char *z;
    size_t n;

    evhttp_add_header(evhttp_request_get_output_headers(req), "Vary", "Accept-Encoding");
    if (!accepts(req, coding)) {
        h_ok(s, req, path, rest);
        return;
    }
    z = kumo_ts_compress(ok_page, sizeof(ok_page) - 1, 0, coding[0] == 'g' ? 31 : 15, &n);
    if (!z) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding", coding);
    kumo_ts_reply_str(req, 200, HTML, z, n);
    free(z);
}

static void h_gzipbomb(kumo_testserver *s, struct evhttp_request *req, const char *path,
                       const char *rest)
{
    if (!s->bomb) {
        s->bomb = kumo_ts_compress(NULL, 0, KUMO_TESTSERVER_BOMB_SIZE, 31, &s->bomb_len);
        if (!s->bomb) {
            evhttp_send_error(req, 500, NULL);
            return;
        }
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding", "gzip");
    kumo_ts_reply_str(req, 200, HTML, s->bomb, s->bomb_len);
}

static void h_redirect(kumo_testserver *s, struct evhttp_request *req, const char *path,
                       const char *rest)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    char loc[64];
    long n;

    if (strcmp(rest, "loop") == 0) {
        evhttp_add_header(out, "Location", "/redirect/loop");
        kumo_ts_status_page(req, 302);
        return;
    }
    if (strncmp(rest, "chain/", 6) == 0) {
        if (kumo_ts_parse_long(rest + 6, 0, 1000000, &n) < 0) {
            not_found(req);
            return;
        }
        if (n <= 1)
            snprintf(loc, sizeof(loc), "/ok");
        else
            snprintf(loc, sizeof(loc), "/redirect/chain/%ld", n - 1);
        evhttp_add_header(out, "Location", loc);
        kumo_ts_status_page(req, 302);
        return;
    }
    if (kumo_ts_parse_long(rest, 300, 399, &n) == 0 &&
        (n == 301 || n == 302 || n == 303 || n == 307 || n == 308)) {
        char *to = kumo_ts_query(req, "to");
        evhttp_add_header(out, "Location", to ? to : "/ok");
        free(to);
        kumo_ts_status_page(req, (int)n);
        return;
    }
    not_found(req);
}

static void h_status(kumo_testserver *s, struct evhttp_request *req, const char *path,
                     const char *rest)
{
    long code;

    if (kumo_ts_parse_long(rest, 200, 599, &code) < 0) {
        not_found(req);
        return;
    }
    kumo_ts_status_page(req, (int)code);
}

/* The /links/ pages; body is a printf format given the server's port (a long). */
static const struct link_page {
    const char *name;   /* after "/links/"; a prefix when it ends with '/' */
    const char *title, *head, *body;
} link_pages[] = {
    {"offsite", "Offsite", "",
     "<a href=\"/ok\">ok</a>\n<a href=\"http://elsewhere.invalid/x\">elsewhere</a>\n"
     "<a href=\"http://localhost:%ld/ok\">localhost</a>\n"},
    {"dupes", "Dupes", "",
     "<a href=\"/ok\">1</a>\n<a href=\"../ok\">2</a>\n<a href=\"/ok#frag\">3</a>\n"
     "<a href=\"/./ok\">4</a>\n<a href=\"http://127.0.0.1:%ld/ok\">5</a>\n"},
    {"relative/", "Relative", "",
     "<a id=\"top\"></a>\n<a href=\"a.html\">a</a>\n<a href=\"../ok\">up</a>\n"
     "<a href=\"./b.html\">b</a>\n<a href=\"?q=1\">query</a>\n<a href=\"#top\">top</a>\n"},
    {"base/", "Base", "<base href=\"/links/relative/\">",
     "<a href=\"a.html\">a</a>\n<a href=\"../ok\">up</a>\n<a href=\"./b.html\">b</a>\n"
     "<a href=\"?q=1\">query</a>\n"},
    {"schemes", "Schemes", "",
     "<a href=\"mailto:someone@example.com\">mail</a>\n"
     "<a href=\"javascript:alert(1)\">js</a>\n<a href=\"tel:+15550100\">tel</a>\n"
     "<a href=\"data:text/html,hello\">data</a>\n<a href=\"file:///etc/passwd\">file</a>\n"
     "<a href=\"ftp://127.0.0.1/pub/file.txt\">ftp</a>\n<a href=\"/ok\">ok</a>\n"},
};

/* Send a small HTML page titled title, with head_extra in <head> and then
 * printf(body_fmt, arg, arg + 1) in <body>. */
static void send_page(kumo_testserver *s, struct evhttp_request *req, const char *title,
                      const char *head_extra, const char *body_fmt, long arg)
{
    struct evbuffer *b = evbuffer_new();

    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                           "<title>%s</title>%s</head>\n<body>\n<h1>%s</h1>\n",
                        title, head_extra, title);
    evbuffer_add_printf(b, body_fmt, arg, arg + 1);
    evbuffer_add_printf(b, "</body></html>\n");
    kumo_ts_reply(req, 200, HTML, b);
    evbuffer_free(b);
}

static void h_links(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
    if (strcmp(rest, "ok") == 0) {
        h_ok(s, req, path, rest);
        return;
    }
    for (size_t i = 0; i < sizeof(link_pages) / sizeof(link_pages[0]); i++) {
        const struct link_page *lp = &link_pages[i];
        size_t n = strlen(lp->name);
        bool match = strcmp(rest, lp->name) == 0;
        if (lp->name[n - 1] == '/') /* "relative/x.html", and "relative" alone */
            match = strncmp(rest, lp->name, n) == 0 ||
                    (strncmp(rest, lp->name, n - 1) == 0 && rest[n - 1] == '\0');
        if (match) {
            send_page(s, req, lp->title, lp->head, lp->body, s->port);
            return;
        }
    }
    not_found(req);
}

static void h_depth(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
    long n;

    if (kumo_ts_parse_long(rest, 0, LONG_MAX - 1, &n) < 0) {
        not_found(req);
        return;
    }
    send_page(s, req, "Depth", "", "<p>depth %ld</p>\n<a href=\"/depth/%ld\">deeper</a>\n", n);
}

/* /wide/N: a page of N links, each twice (the second with a fragment: the same request for
 * the dupefilter), as a table of contents has; /wide/N/I: a page linking back to /wide/N. */
static void h_wide(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    long n, i = -1;
    char *end;
    n = strtol(rest, &end, 10);
    if (end == rest || n < 1 || n > 100000 || (*end && *end != '/')) {
        not_found(req);
        return;
    }
    if (*end == '/' && kumo_ts_parse_long(end + 1, 0, n - 1, &i) < 0) {
        not_found(req);
        return;
    }
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "<!DOCTYPE html>\n<html><head><title>wide %ld %ld</title></head>"
                           "<body>\n<a href=\"/wide/%ld\">top</a>\n", n, i, n);
    for (long k = 0; i < 0 && k < n; k++)
        evbuffer_add_printf(b, "<a href=\"/wide/%ld/%ld\">%ld</a> "
                               "<a href=\"/wide/%ld/%ld#more\">more</a>\n", n, k, k, n, k);
    evbuffer_add_printf(b, "</body></html>\n");
    kumo_ts_reply(req, 200, HTML, b);
    evbuffer_free(b);
}

/* A 16x16 RGB gradient PNG, built on request (a few hundred bytes). */
static void h_binary(kumo_testserver *s, struct evhttp_request *req, const char *path,
                     const char *rest)
{
    enum { W = 16, H = 16 };
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char raw[H * (1 + 3 * W)], ihdr[13], *z;
    struct evbuffer *b;
    size_t zn;

    for (int y = 0; y < H; y++) {
        unsigned char *row = raw + y * (1 + 3 * W);
        row[0] = 0;
        for (int x = 0; x < W; x++) {
            row[1 + 3 * x] = (unsigned char)(x * 16);
            row[2 + 3 * x] = (unsigned char)(y * 16);
            row[3 + 3 * x] = (unsigned char)((x ^ y) * 16);
        }
    }
    memset(ihdr, 0, sizeof(ihdr));
    ihdr[3] = W;
    ihdr[7] = H;
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 2; /* truecolour */
    z = kumo_ts_compress(raw, sizeof(raw), 0, 15, &zn);
    b = evbuffer_new();
    if (!z || !b) {
        free(z);
        if (b)
            evbuffer_free(b);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add(b, sig, sizeof(sig));
    {
        const struct {
            const char *type;
            const unsigned char *p;
            size_t n;
        } chunks[] = {{"IHDR", ihdr, sizeof(ihdr)}, {"IDAT", z, zn}, {"IEND", NULL, 0}};
        for (size_t i = 0; i < 3; i++) {
            unsigned char be[4];
            uLong crc = crc32(0, (const Bytef *)chunks[i].type, 4);
            uint32_t n = (uint32_t)chunks[i].n;
            if (chunks[i].n)
                crc = crc32(crc, chunks[i].p, (uInt)chunks[i].n);
            n = htonl(n);
            evbuffer_add(b, &n, 4);
            evbuffer_add(b, chunks[i].type, 4);
            evbuffer_add(b, chunks[i].p, chunks[i].n);
            be[0] = (unsigned char)(crc >> 24);
            be[1] = (unsigned char)(crc >> 16);
            be[2] = (unsigned char)(crc >> 8);
            be[3] = (unsigned char)crc;
            evbuffer_add(b, be, 4);
        }
    }
    free(z);
    kumo_ts_reply(req, 200, "image/png", b);
    evbuffer_free(b);
}

static void h_text(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    static const char text[] = "Just plain text, <b>not</b> HTML.\nLine two: caf\xc3\xa9.\n";
    kumo_ts_reply_str(req, 200, "text/plain; charset=utf-8", text, sizeof(text) - 1);
}

static void h_json(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    static const char json[] =
        "{\"name\": \"kumo\", \"ok\": true, \"n\": 3, \"tags\": [\"a\", \"b\"], "
        "\"text\": \"caf\xc3\xa9 & cr\xc3\xa8me\"}\n";
    kumo_ts_reply_str(req, 200, "application/json", json, sizeof(json) - 1);
}

/* /big?size=N: exactly N bytes of HTML (a tag soup cut at N when N is tiny). */
static void h_big(kumo_testserver *s, struct evhttp_request *req, const char *path,
                  const char *rest)
{
    static const char head[] = "<!DOCTYPE html>\n<html><body>\n";
    static const char tail[] = "</body></html>\n";
    static const char line[] = "<p>All work and no play makes a big page.</p>\n";
    char *v = kumo_ts_query(req, "size");
    struct evbuffer *b;
    long size = 0;
    size_t left, hn = sizeof(head) - 1, tn = sizeof(tail) - 1, ln = sizeof(line) - 1;
    int bad = v && kumo_ts_parse_long(v, 0, KUMO_TESTSERVER_BIG_MAX, &size) < 0;

    free(v);
    if (bad) {
        kumo_ts_status_page(req, 400);
        return;
    }
    b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    left = (size_t)size;
    if (left < hn + tn) {
        char all[64];
        snprintf(all, sizeof(all), "%s%s", head, tail);
        evbuffer_add(b, all, left);
    } else {
        evbuffer_add(b, head, hn);
        left -= hn + tn;
        while (left >= ln) {
            evbuffer_add(b, line, ln);
            left -= ln;
        }
        while (left--)
            evbuffer_add(b, " ", 1);
        evbuffer_add(b, tail, tn);
    }
    kumo_ts_reply(req, 200, HTML, b);
    evbuffer_free(b);
}

static double mono_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A /slow request is answered (or its connection closed): it no longer counts as busy. */
static void slow_done(kumo_testserver *s)
{
    pthread_mutex_lock(&s->lock);
    if (s->slow_busy)
        s->slow_busy--;
    pthread_mutex_unlock(&s->lock);
}

/* A /slow request's connection closed: forget its timer. */
static void slow_unlink(slow *w)
{
    slow **pp = &w->s->slows;

    while (*pp && *pp != w)
        pp = &(*pp)->next;
    if (*pp)
        *pp = w->next;
    event_free(w->timer);
    free(w);
}

static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
    kumo_testserver *s = arg;
    slow *w = s->slows, *next;

    for (; w; w = next) {
        next = w->next;
        if (w->evcon == evcon) {
            slow_unlink(w);
            slow_done(s);
        }
    }
}

static void slow_fire(evutil_socket_t fd, short what, void *arg)
{
    slow *w = arg;
    kumo_testserver *s = w->s;
    struct evhttp_request *req = w->req;
    long ms = w->ms, fan = w->fan;
    struct evbuffer *b;

    slow_unlink(w);
    slow_done(s);
    if (!fan) {
        h_ok(NULL, req, "/slow", "");
        return;
    }
    b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "<!DOCTYPE html>\n<html><head><title>fan</title></head><body>\n");
    for (long i = 1; i <= fan; i++)
        evbuffer_add_printf(b, "<a href=\"/slow?ms=%ld&amp;n=%ld\">%ld</a>\n", ms, i, i);
    evbuffer_add_printf(b, "</body></html>\n");
    kumo_ts_reply(req, 200, HTML, b);
    evbuffer_free(b);
}

static void h_slow(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    char *v = kumo_ts_query(req, "ms"), *f = kumo_ts_query(req, "fan");
    long ms = 0, fan = 0;
    int bad = (v && kumo_ts_parse_long(v, 0, 60000, &ms) < 0) ||
              (f && kumo_ts_parse_long(f, 0, 1000, &fan) < 0);
    struct timeval tv;
    slow *w;

    free(v);
    free(f);
    if (bad) {
        kumo_ts_status_page(req, 400);
        return;
    }
    w = calloc(1, sizeof(*w));
    if (w)
        w->timer = evtimer_new(s->base, slow_fire, w);
    if (!w || !w->timer) {
        free(w);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    w->s = s;
    w->req = req;
    w->ms = ms;
    w->fan = fan;
    w->evcon = evhttp_request_get_connection(req);
    pthread_mutex_lock(&s->lock);
    if (s->slow_busy)
        s->slow_overlaps++;
    s->slow_busy++;
    if (s->slow_n < KUMO_TESTSERVER_SLOW_LOG)
        s->slow_at[s->slow_n] = mono_now();
    s->slow_n++;
    pthread_mutex_unlock(&s->lock);
    w->next = s->slows;
    s->slows = w;
    evhttp_connection_set_closecb(w->evcon, on_conn_close, s);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    evtimer_add(w->timer, &tv);
}

/* /never: keep the request; evhttp frees it with its connection (at the latest in stop). */
static void h_never(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
}

static void h_headers(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyval *kv;
    struct evbuffer *b = evbuffer_new();

    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    TAILQ_FOREACH(kv, in, next)
        evbuffer_add_printf(b, "%s: %s\n", kv->key, kv->value);
    kumo_ts_reply(req, 200, "text/plain; charset=utf-8", b);
    evbuffer_free(b);
}

/* ---- the route table ---- */

static const kumo_testroute routes[] = {
    {"/page/", h_site},
    {"/author/", h_site},
    {"/tag/", h_site},
    {"/redirect/", h_redirect},
    {"/status/", h_status},
    {"/ok", h_ok},
    {"/gzip", h_encoded},
    {"/deflate", h_encoded},
    {"/gzipbomb", h_gzipbomb},
    {"/links/", h_links},
    {"/depth/", h_depth},
    {"/wide/", h_wide},
    {"/binary", h_binary},
    {"/text", h_text},
    {"/json", h_json},
    {"/big", h_big},
    {"/never", h_never},
    {"/slow", h_slow},
    {"/headers", h_headers},
    {NULL, NULL},
};

/* Every route table, searched in order: this file's, then one per feature (routes.h). */
static const kumo_testroute *const tables[] = {
    routes,
    kumo_routes_cache,
    kumo_routes_throttle,
    kumo_routes_robots,
    kumo_routes_forms,
    kumo_routes_cookies,
    kumo_routes_urls,
    kumo_routes_hostile,
    kumo_routes_rules,
    kumo_routes_sitemap,
    kumo_routes_files,
};

static void dispatch(struct evhttp_request *req, void *arg)
{
    kumo_testserver *s = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

    if (!path || !*path)
        path = "/";
    count_hit(s, path);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Server", "kumo-testserver");
    if (strcmp(path, "/") == 0) {
        h_site(s, req, path, "");
        return;
    }
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const kumo_testroute *r = tables[t]; r->path; r++) {
            size_t n = strlen(r->path);
            bool prefix = r->path[n - 1] == '/';
            if (prefix ? strncmp(path, r->path, n) == 0 : strcmp(path, r->path) == 0) {
                r->fn(s, req, path, path + n);
                return;
            }
        }
    }
    not_found(req);
}

/* ---- lifecycle ---- */

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    kumo_testserver *s = arg;
    char c;

    while (read(fd, &c, 1) > 0)
        ;
    event_base_loopbreak(s->base);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    kumo_testserver *s = arg;
    event_base_loopbreak(s->base);
}

static void server_free(kumo_testserver *s)
{
    if (!s)
        return;
    /* evhttp_free closes every connection; their close callbacks drop pending /slow timers. */
    if (s->http)
        evhttp_free(s->http);
    while (s->slows)
        slow_unlink(s->slows);
    for (size_t i = 0; i < 2; i++)
        if (s->sig_ev[i])
            event_free(s->sig_ev[i]);
    if (s->wake_ev)
        event_free(s->wake_ev);
    if (s->base)
        event_base_free(s->base);
    for (size_t i = 0; i < 2; i++)
        if (s->wake[i] >= 0)
            close(s->wake[i]);
    for (size_t i = 0; i < s->nhits; i++)
        free(s->hits[i].path);
    free(s->hits);
    free(s->bomb);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Create the base and the listening socket on 127.0.0.1:port (0: any free one). */
static kumo_testserver *server_new(int port)
{
    kumo_testserver *s = calloc(1, sizeof(*s));
    struct evhttp_bound_socket *sock;
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);

    if (!s)
        return NULL;
    s->wake[0] = s->wake[1] = -1;
    pthread_mutex_init(&s->lock, NULL);
    if (port < 0 || port > 65535)
        goto fail;
    s->base = event_base_new();
    if (!s->base)
        goto fail;
    s->http = evhttp_new(s->base);
    if (!s->http)
        goto fail;
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(s->http, dispatch, s);
    sock = evhttp_bind_socket_with_handle(s->http, "127.0.0.1", (ev_uint16_t)port);
    if (!sock)
        goto fail;
    if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&sin, &len) < 0)
        goto fail;
    s->port = ntohs(sin.sin_port);
    if (pipe(s->wake) < 0)
        goto fail;
    fcntl(s->wake[0], F_SETFL, O_NONBLOCK);
    s->wake_ev = event_new(s->base, s->wake[0], EV_READ | EV_PERSIST, on_wake, s);
    if (!s->wake_ev || event_add(s->wake_ev, NULL) < 0)
        goto fail;
    return s;
fail:
    server_free(s);
    return NULL;
}

static void *server_thread(void *arg)
{
    kumo_testserver *s = arg;
    sigset_t set;

    /* Signals belong to the test thread; a write to a closed socket must give EPIPE. */
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGALRM);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    event_base_dispatch(s->base);
    return NULL;
}

kumo_testserver *kumo_testserver_start(void)
{
    kumo_testserver *s = server_new(0);
    sigset_t set, old;
    int rc;

    if (!s)
        return NULL;
    /* Start the thread with SIGPIPE blocked already, so no write can come before the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    rc = pthread_create(&s->thread, NULL, server_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        server_free(s);
        return NULL;
    }
    s->thread_started = 1;
    return s;
}

int kumo_testserver_port(const kumo_testserver *s)
{
    return s->port;
}

const char *kumo_testserver_url(const kumo_testserver *s, const char *path, char *buf,
                                size_t n)
{
    int w = snprintf(buf, n, "http://127.0.0.1:%d%s", s->port, path);
    if (w < 0 || (size_t)w >= n) {
        if (n)
            buf[0] = '\0';
        return "";
    }
    return buf;
}

void kumo_testserver_stop(kumo_testserver *s)
{
    ssize_t w;

    if (!s)
        return;
    if (s->thread_started) {
        do {
            w = write(s->wake[1], "x", 1);
        } while (w < 0 && errno == EINTR);
        pthread_join(s->thread, NULL);
    }
    server_free(s);
}

int kumo_testserver_run(int port, void (*listening)(int port, void *arg), void *arg)
{
    kumo_testserver *s = server_new(port);
    static const int sigs[2] = {SIGINT, SIGTERM};

    if (!s)
        return -1;
    for (size_t i = 0; i < 2; i++) {
        s->sig_ev[i] = evsignal_new(s->base, sigs[i], on_signal, s);
        if (!s->sig_ev[i] || event_add(s->sig_ev[i], NULL) < 0) {
            server_free(s);
            return -1;
        }
    }
    if (listening)
        listening(s->port, arg);
    event_base_dispatch(s->base);
    server_free(s);
    return 0;
}
