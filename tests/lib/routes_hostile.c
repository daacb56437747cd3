/* routes_hostile.c - test server routes that behave as a hostile server would: bombs, huge
 * or endless headers and bodies, broken framing, loops, bad bytes.  Some answers are written
 * on the raw socket, since evhttp only writes well-formed HTTP. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "routes.h"

#define HTML "text/html; charset=utf-8"
#define MB (1024L * 1024)
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* A query parameter as a number in [lo, hi], def when absent; -1 when bad. */
static long qnum(struct evhttp_request *req, const char *name, long lo, long hi, long def)
{
    char *v = kumo_ts_query(req, name);
    long n = def;
    if (v && kumo_ts_parse_long(v, lo, hi, &n) < 0)
        n = -1;
    free(v);
    return n;
}

/* The bombs of the default size, made once (1 s each): the server thread must not stall. */
static pthread_mutex_t bomb_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *bombs[2];
static size_t bomb_lens[2];

#define BOMB_DEFAULT 100000000L

/* Returns the default-size bomb (gz: gzip, else zlib), made on first use; NULL on failure.
 * Static: kept until the process ends. */
static const unsigned char *bomb_get(bool gz, size_t *n)
{
    pthread_mutex_lock(&bomb_lock);
    if (!bombs[gz])
        bombs[gz] = kumo_ts_compress(NULL, 0, BOMB_DEFAULT, gz ? 31 : 15, &bomb_lens[gz]);
    *n = bomb_lens[gz];
    pthread_mutex_unlock(&bomb_lock);
    return bombs[gz];
}

void kumo_ts_hostile_warm(void)
{
    size_t n;
    bomb_get(true, &n);
    bomb_get(false, &n);
}

/*
 * /hostile/bomb?coding=gzip|deflate&size=N: N zero bytes (default 10^8, at most 2^31)
 * compressed about 1000 to 1, always sent with that Content-Encoding.
 */
static void h_bomb(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    char *coding = kumo_ts_query(req, "coding");
    long size = qnum(req, "size", 1, 2147483648L, BOMB_DEFAULT);
    bool gz = !coding || strcmp(coding, "gzip") == 0;
    size_t n = 0;
    unsigned char *made = NULL;
    const unsigned char *z = NULL;
    free(coding);
    if (size == BOMB_DEFAULT)
        z = bomb_get(gz, &n);
    else if (size > 0)
        z = made = kumo_ts_compress(NULL, 0, (size_t)size, gz ? 31 : 15, &n);
    if (!z) {
        kumo_ts_status_page(req, 400);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding",
                      gz ? "gzip" : "deflate");
    kumo_ts_reply_str(req, 200, HTML, z, n);
    free(made);
}

/* /hostile/rawdeflate: the ok page as raw deflate (no zlib header), Content-Encoding
 * deflate, as some servers send it. */
static void h_rawdeflate(kumo_testserver *s, struct evhttp_request *req, const char *path,
                         const char *rest)
{
    static const char page[] = "<html><head><title>raw deflate</title></head><body>"
                               "<p>fine</p></body></html>";
    size_t n = 0;
    unsigned char *z = kumo_ts_compress(page, sizeof(page) - 1, 0, -15, &n);
    if (!z) {
        kumo_ts_status_page(req, 500);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding", "deflate");
    kumo_ts_reply_str(req, 200, HTML, z, n);
    free(z);
}

/* /hostile/badbr: Content-Encoding br on bytes that are not brotli. */
static void h_badbr(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
    static const char junk[] = "this is not a brotli stream \xff\xfe\x00\x01 at all";
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Encoding", "br");
    kumo_ts_reply_str(req, 200, HTML, junk, sizeof(junk) - 1);
}

/* /hostile/headers?n=N: N short headers (default 100000); /hostile/cookies?n=N: N
 * Set-Cookie headers (default 10000); /hostile/bigheader?kb=N: one header of N KiB
 * (default 1024).  The body is a small page. */
static void h_headers(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    char name[32], value[64];
    if (strcmp(path, "/hostile/bigheader") == 0) {
        long kb = qnum(req, "kb", 1, 64 * 1024, 1024);
        char *v = kb > 0 ? malloc((size_t)kb * 1024 + 1) : NULL;
        if (!v) {
            kumo_ts_status_page(req, 400);
            return;
        }
        memset(v, 'a', (size_t)kb * 1024);
        v[kb * 1024] = '\0';
        evhttp_add_header(out, "X-Big", v);
        free(v);
    } else {
        bool cookies = strcmp(path, "/hostile/cookies") == 0;
        long n = qnum(req, "n", 1, 1000000, cookies ? 10000 : 100000);
        if (n < 0) {
            kumo_ts_status_page(req, 400);
            return;
        }
        for (long i = 0; i < n; i++) {
            snprintf(name, sizeof(name), cookies ? "Set-Cookie" : "X-H-%ld", i);
            snprintf(value, sizeof(value), cookies ? "c%ld=v; Path=/" : "v", i);
            evhttp_add_header(out, name, value);
        }
    }
    kumo_ts_reply_str(req, 200, HTML, "<title>headers</title>", 22);
}

/* ---- raw answers: kumo's side of a server that writes what it likes ---- */

typedef struct raw {
    struct evhttp_connection *evcon;
    struct event *ev;
    int fd;
    char kind;                  /* r reset, s short, c bad chunks, l slowloris, e endless */
    long sent;
} raw;

/* evhttp closed the connection (our end, the peer's, or the server's stop). */
static void raw_closed(struct evhttp_connection *evcon, void *arg)
{
    raw *r = arg;
    event_free(r->ev);
    free(r);
}

static bool raw_send(raw *r, const void *p, size_t n)
{
    ssize_t w = send(r->fd, p, n, MSG_NOSIGNAL);
    return w >= 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static bool raw_sends(raw *r, const char *s)
{
    return raw_send(r, s, strlen(s));
}

static void raw_end(raw *r, bool reset)
{
    if (reset) {
        struct linger l = {1, 0};
        setsockopt(r->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    }
    struct evhttp_connection *evcon = r->evcon;
    evhttp_connection_set_closecb(evcon, NULL, NULL);
    raw_closed(evcon, r);
    evhttp_connection_free(evcon);
}

static void raw_tick(evutil_socket_t fd, short what, void *arg)
{
    raw *r = arg;
    static const char head_close[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                     "Connection: close\r\n";
    static char block[64 * 1024];
    struct timeval tv = {0, 1000};
    switch (r->kind) {
    case 'r':                   /* reset after half of the promised body */
        raw_sends(r, head_close);
        raw_sends(r, "Content-Length: 100000\r\n\r\n<html><body>");
        memset(block, 'x', 4096);
        raw_send(r, block, 4096);
        raw_end(r, true);
        return;
    case 's':                   /* Content-Length larger than the body, then FIN */
        raw_sends(r, head_close);
        raw_sends(r, "Content-Length: 100000\r\n\r\n<html><title>short</title>");
        raw_end(r, false);
        return;
    case 'c':                   /* a chunk size that is not hex */
        raw_sends(r, head_close);
        raw_sends(r, "Transfer-Encoding: chunked\r\n\r\n5\r\n<html\r\nzz\r\nnope\r\n");
        raw_end(r, false);
        return;
    case 'l':                   /* slowloris: one byte of header every 200 ms, for ever */
        if (!raw_send(r, &"HTTP/1.1 200 OK\r\nX-Slow: aaaaaaaa"[MIN(r->sent, 32)], 1)) {
            raw_end(r, false);
            return;
        }
        r->sent++;
        tv.tv_usec = 200000;
        break;
    case 'e':                   /* an endless body: no length, never ends */
        if (r->sent == 0 && !raw_sends(r, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")) {
            raw_end(r, false);
            return;
        }
        memset(block, 'e', sizeof(block));
        for (int i = 0; i < 16; i++) {
            ssize_t w = send(r->fd, block, sizeof(block), MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                raw_end(r, false);
                return;
            }
            if (w < 0)
                break;
            r->sent += w;
        }
        break;
    }
    event_add(r->ev, &tv);
}

/*
 * /hostile/raw/reset: reset mid-body; raw/short: Content-Length 100000 and a short body;
 * raw/badchunk: broken chunked framing; raw/slowloris: headers one byte per 200 ms, never
 * done; raw/endless: a body that never ends.  evhttp stops handling the connection; the
 * answer is written on its socket.
 */
static void h_raw(kumo_testserver *s, struct evhttp_request *req, const char *path,
                  const char *rest)
{
    static const char *const kinds[] = {"reset", "short", "badchunk", "slowloris", "endless"};
    static const char codes[] = "rscle";
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
    raw *r = NULL;
    for (size_t i = 0; i < sizeof(codes) - 1; i++)
        if (strcmp(rest, kinds[i]) == 0) {
            r = calloc(1, sizeof(*r));
            if (r)
                r->kind = codes[i];
        }
    if (!r) {
        kumo_ts_status_page(req, 404);
        return;
    }
    r->evcon = evcon;
    r->fd = bufferevent_getfd(bev);
    r->ev = evtimer_new(bufferevent_get_base(bev), raw_tick, r);
    bufferevent_disable(bev, EV_READ | EV_WRITE);
    evhttp_connection_set_closecb(evcon, raw_closed, r);
    struct timeval now = {0, 0};
    event_add(r->ev, &now);
}

/* ---- pages that are fine HTTP with hostile content ---- */

/* /hostile/refresh: a meta refresh to itself. */
static void h_refresh(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    static const char page[] = "<html><head><meta http-equiv=\"refresh\" content=\"0; "
                               "url=/hostile/refresh\"></head><body>again</body></html>";
    kumo_ts_reply_str(req, 200, HTML, page, sizeof(page) - 1);
}

/* /hostile/badutf8: a title and a body with invalid UTF-8 and NUL bytes. */
static void h_badutf8(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    static const char page[] = "<html><head><title>bad \xff\xfe utf8 \xc3\x28 "
                               "\xed\xa0\x80</title></head><body>nul \0 here \0\0 "
                               "\xf8\x88\x80\x80\x80</body></html>";
    kumo_ts_reply_str(req, 200, HTML, page, sizeof(page) - 1);
}

/* /hostile/deep?n=N: N nested <div> (default 200000) inside a page with a title. */
static void h_deep(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    long n = qnum(req, "n", 1, 10000000, 200000);
    struct evbuffer *b = evbuffer_new();
    if (n < 0 || !b) {
        evbuffer_free(b);
        kumo_ts_status_page(req, 400);
        return;
    }
    evbuffer_add_printf(b, "<html><head><title>deep</title></head><body>");
    for (long i = 0; i < n; i++)
        evbuffer_add(b, "<div>", 5);
    evbuffer_add_printf(b, "</body></html>");
    kumo_ts_reply(req, 200, HTML, b);
    evbuffer_free(b);
}

/* /hostile/longline?mb=N: a page of one N MiB line (default 50). */
static void h_longline(kumo_testserver *s, struct evhttp_request *req, const char *path,
                       const char *rest)
{
    long mb = qnum(req, "mb", 1, 256, 50);
    size_t n = mb > 0 ? (size_t)(mb * MB) : 0;
    char *p = n ? malloc(n) : NULL;
    static const char head[] = "<html><head><title>long line</title></head><body><p>";
    if (!p) {
        kumo_ts_status_page(req, 400);
        return;
    }
    memset(p, 'w', n);
    memcpy(p, head, sizeof(head) - 1);
    kumo_ts_reply_str(req, 200, HTML, p, n);
    free(p);
}

/* /hostile/: a page linking to every hostile route (the sizes the suite crawls). */
static void h_index(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
    static const char *const links[] = {
        "/ok", "/hostile/rawdeflate", "/hostile/badutf8", "/hostile/deep",
        "/hostile/longline", "/hostile/headers?n=100", "/hostile/bomb?coding=gzip",
        "/hostile/bomb?coding=deflate", "/hostile/badbr", "/hostile/headers",
        "/hostile/cookies", "/hostile/bigheader", "/hostile/raw/reset", "/hostile/raw/short",
        "/hostile/raw/badchunk", "/hostile/raw/slowloris", "/hostile/raw/endless",
        "/hostile/refresh", "/redirect/loop", "/redirect/302?to=file:///etc/passwd",
        "/redirect/302?to=ftp://127.0.0.1/x", "/redirect/302?to=%3A%3Anot%20a%20url%FF",
    };
    struct evbuffer *b = evbuffer_new();
    if (!b || strcmp(rest, "") != 0) {
        evbuffer_free(b);
        kumo_ts_status_page(req, 404);
        return;
    }
    evbuffer_add_printf(b, "<html><head><title>hostile</title></head><body>\n");
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
        evbuffer_add_printf(b, "<a href=\"%s\">%zu</a>\n", links[i], i);
    evbuffer_add_printf(b, "</body></html>\n");
    kumo_ts_reply(req, 200, HTML, b);
    evbuffer_free(b);
}

const kumo_testroute kumo_routes_hostile[] = {
    {"/hostile/bomb", h_bomb},
    {"/hostile/rawdeflate", h_rawdeflate},
    {"/hostile/badbr", h_badbr},
    {"/hostile/headers", h_headers},
    {"/hostile/cookies", h_headers},
    {"/hostile/bigheader", h_headers},
    {"/hostile/raw/", h_raw},
    {"/hostile/refresh", h_refresh},
    {"/hostile/badutf8", h_badutf8},
    {"/hostile/deep", h_deep},
    {"/hostile/longline", h_longline},
    {"/hostile/", h_index},
    {NULL, NULL},
};
