/* server.h - the test HTTP server (libevent evhttp) that the integration tests and
 * `make demo` crawl: a quotes site plus routes that misbehave on request. */
#ifndef KUMO_TESTSERVER_H
#define KUMO_TESTSERVER_H

#include <stddef.h>

/*
 * The server runs in its own pthread with its own event_base, bound to 127.0.0.1 on a free
 * port, so a crawl in the calling thread can talk to it.  The server thread never calls a
 * kumo_* function of libkumo (its heap counters are not thread-safe): it uses plain malloc
 * and libevent only.  Every answer is deterministic.
 *
 * Routes ("PATH?query"; anything else is a 404 with a small HTML body):
 *   /  /page/N/                the quotes site, 10 quotes a page, N = 1..5 (6+: "No quotes
 *                              found!", 200); li.next links to the next page but on page 5
 *   /author/Slug[/]            an author page (h3.author-title, span.author-born-date, ...)
 *   /tag/T/  /tag/T/page/N/    the quotes tagged T, 10 a page
 *   /redirect/C?to=PATH        C in 301 302 303 307 308: Location PATH (default /ok)
 *   /redirect/loop             302 to itself
 *   /redirect/chain/N          302 to /redirect/chain/N-1; /redirect/chain/1 and /0 go to /ok
 *                              (so chain/N reaches /ok after N redirects, N >= 1)
 *   /status/C                  status C (200..599) with a small HTML body
 *   /ok                        a small HTML page (also /links/ok, where ../ok leads)
 *   /gzip  /deflate            that page, gzip / zlib encoded when Accept-Encoding asks for
 *                              it (identity otherwise); Vary: Accept-Encoding
 *   /links/offsite             links to /ok, http://elsewhere.invalid/x and
 *                              http://localhost:PORT/ok
 *   /links/dupes               /ok five times: /ok, ../ok, /ok#frag, /./ok and
 *                              http://127.0.0.1:PORT/ok (the page sits in /links/, so
 *                              "./ok" would be /links/ok)
 *   /links/relative/           a.html ../ok ./b.html ?q=1 #top (any /links/relative/X
 *                              answers with the same small page)
 *   /links/base/               <base href="/links/relative/"> and relative links
 *   /links/schemes             mailto: javascript: tel: data: file:///etc/passwd ftp:// and
 *                              one good /ok link
 *   /depth/N                   links to /depth/N+1, for ever
 *   /binary /text /json        image/png, text/plain, application/json
 *   /big?size=N                exactly N bytes of text/html (N <= 64 MiB)
 *   /gzipbomb                  a ~50 KB gzip body that inflates to 50 MiB of zeros,
 *                              always sent with Content-Encoding: gzip
 *   /never                     reads the request and never answers
 *   /slow?ms=N[&fan=F]         answers /ok's page after N ms (N <= 60000), from a timer;
 *                              with fan=F (<= 1000) a page linking to /slow?ms=N&n=1..F
 *                              instead.  The server records every /slow request's arrival
 *                              and whether another /slow one was still unanswered then
 *                              (kumo_testserver_slow_log)
 *   /headers                   the request headers as text/plain "Name: value" lines
 *   /echo/ANYTHING             <title> is the request target as sent ("/echo/a%20b?q=1"),
 *                              non-printable bytes as \xHH; links to /ok (routes_urls.c)
 *   /cookies/set?name=N&value=V[&attrs=A]  Set-Cookie "N=V; A" (routes_cookies.c)
 *   /cookies/echo              "Cookie: VALUE\n" or "Cookie: (none)\n" (text/plain)
 *   /cookies/login             Set-Cookie session=s3cret (Path=/), links to /cookies/private
 *   /cookies/private           200 "welcome back" with that cookie, else 403
 *   /cookies/logout            deletes it (Max-Age=0) and 302 to /cookies/echo
 *   /cookies/hop?to=PATH       Set-Cookie hop=1 and 302 to PATH (default /cookies/echo)
 *   /cookies/refresh?delay=D&to=PATH  <meta http-equiv="Refresh" content="D; url=PATH">
 *   /forms/login               a GET search form (#search, action /forms/echo) and a POST
 *                              login form (#login: hidden csrf, user, pass, a checked
 *                              checkbox, submit "go") that posts to /forms/session
 *   /forms/session             the exact body that form sends for alice / s3cret! gets a
 *                              page linking to /forms/private?token=k7Qz; anything else 403
 *   /forms/private?token=k7Qz  the page behind the login (403 without the token)
 *   /forms/echo                "method: M\ncontent-type: CT\nquery: Q\nbody: B\n" (text/plain)
 *   /auth/basic                200 "authorized" with Basic auth kumo:s3cret, else 401
 *   /proxy/echo                as a forward proxy: an absolute-URI request line gets 200
 *                              "proxied URI" and the request headers; a direct one 400
 *   /cache/maxage              Cache-Control: max-age=3600 (routes_cache.c)
 *   /cache/etag                ETag "v1"; 304 when If-None-Match is "v1"
 *   /cache/lastmod             max-age=0, Last-Modified 2000-01-01; 304 when
 *                              If-Modified-Since is that date
 *   /cache/nostore             Cache-Control: no-store, max-age=3600
 *   /cache/plain               no cache headers at all
 *   /cache/flaky               max-age=0, ETag "f"; 503 when If-None-Match is sent
 *   /robots.txt                what the test set with kumo_ts_robots_set(status,
 *                              location, body) (routes.h; a global behind a mutex): 404
 *                              until set; Location: location when not NULL (routes_robots.c)
 *   /robots/real.txt           200 with that body (a redirect target)
 *   /hostile/...               a hostile server (routes_hostile.c): bomb?coding=gzip|deflate
 *                              &size=N, rawdeflate, badbr, headers?n=N, cookies?n=N,
 *                              bigheader?kb=N, raw/reset, raw/short, raw/badchunk,
 *                              raw/slowloris, raw/endless, refresh (to itself), badutf8,
 *                              deep?n=N, longline?mb=N
 */
typedef struct kumo_testserver kumo_testserver;

/* Bytes /gzipbomb inflates to. */
#define KUMO_TESTSERVER_BOMB_SIZE (50u * 1024 * 1024)
/* Largest size /big serves. */
#define KUMO_TESTSERVER_BIG_MAX (64u * 1024 * 1024)

/*
 * Start a server on 127.0.0.1 and a free port, in a new thread.  Returns the server (stop it
 * with kumo_testserver_stop), already listening, or NULL on failure.
 */
kumo_testserver *kumo_testserver_start(void);

/* Returns the port the server listens on. */
int kumo_testserver_port(const kumo_testserver *s);

/*
 * Write "http://127.0.0.1:PORT" followed by path (which starts with '/') into buf[0..n).
 * Returns buf, or "" (a static string) when it does not fit.
 */
const char *kumo_testserver_url(const kumo_testserver *s, const char *path, char *buf,
                                size_t n);

/*
 * Returns how many requests the server has received for path (compared without the query
 * string: "/slow" counts "/slow?ms=5").  Thread-safe: call it while the server runs.
 */
unsigned kumo_testserver_hits(kumo_testserver *s, const char *path);

/*
 * Every request so far: *total requests, over *distinct paths (without query strings), the
 * path asked for most *most times.  Thread-safe.
 */
void kumo_testserver_hit_summary(kumo_testserver *s, unsigned *total, unsigned *distinct,
                                 unsigned *most);

/* /slow arrivals the server keeps the times of. */
#define KUMO_TESTSERVER_SLOW_LOG 1024

/*
 * The /slow requests so far: returns how many arrived; at[0..n) gets the first arrival
 * times (CLOCK_MONOTONIC seconds, in arrival order), *overlaps how many arrived while
 * another /slow request was still unanswered.  Thread-safe.
 */
size_t kumo_testserver_slow_log(kumo_testserver *s, double *at, size_t n, unsigned *overlaps);

/*
 * Stop the thread, close every connection (even /never ones) and free the server.  s may
 * be NULL.  s is invalid afterwards.
 */
void kumo_testserver_stop(kumo_testserver *s);

/*
 * Serve in the calling thread (the foreground demo site) on 127.0.0.1:port, port 0 for a
 * free one, until SIGINT or SIGTERM.  listening(port, arg), if not NULL, is called once the
 * socket listens.  Returns 0 after a signal, -1 when the server could not start.  The caller
 * should ignore SIGPIPE.
 */
int kumo_testserver_run(int port, void (*listening)(int port, void *arg), void *arg);

/* ---- the demo site's content (site_quotes.c), shared with the tests ---- */

struct evbuffer;

typedef struct kumo_testsite_author {
    const char *name;        /* UTF-8, unescaped: "Rufus & Clara Penn" */
    const char *slug;        /* "Rufus-and-Clara-Penn": /author/SLUG */
    const char *born_date;   /* "May 30, 1848" */
    const char *born_place;  /* "in Concord, Massachusetts" */
    const char *description;
} kumo_testsite_author;

typedef struct kumo_testsite_quote {
    const char *text;                 /* UTF-8, unescaped, without the curly quotes */
    const kumo_testsite_author *author;
    const char *tags[4];              /* NULL-terminated unless all four are set */
} kumo_testsite_quote;

#define KUMO_TESTSITE_PER_PAGE 10

/* Returns how many quotes the site has (50). */
size_t kumo_testsite_nquotes(void);

/* Returns quote i (0-based, in site order: page i / 10 + 1), or NULL past the end.  Static. */
const kumo_testsite_quote *kumo_testsite_quote_at(size_t i);

/* Returns how many authors the site has. */
size_t kumo_testsite_nauthors(void);

/* Returns author i, or NULL past the end.  Static. */
const kumo_testsite_author *kumo_testsite_author_at(size_t i);

/*
 * Render the demo site's page for path (no query string) into out, as UTF-8 HTML.
 * Returns 200 when path is a page of the site, 404 (out untouched) when it is not.
 * Plain malloc only (through libevent): safe in the server thread.
 */
int kumo_testsite_render(const char *path, struct evbuffer *out);

#endif
