/* test_server.c - the test HTTP server's routes, fetched with libcurl's easy API. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "kumo-int.h"
#include "../../lib/server.h"
#include "lib/leakcheck.h"

static kumo_testserver *srv;

static void setup(void)
{
    kumo_leakcheck_start();
    srv = kumo_testserver_start();
    cr_assert_not_null(srv);
}

static void teardown(void)
{
    kumo_testserver_stop(srv);
    srv = NULL;
    kumo_leakcheck_end();
}

TestSuite(testserver, .init = setup, .fini = teardown, .timeout = 60);

/* ---- a small libcurl client (plain malloc: test-side scratch only) ---- */

typedef struct fetched {
    CURLcode rc;
    long status, redirects;
    char *body, *head;    /* NUL-terminated */
    size_t len, hlen;
    char url[256];        /* the effective URL */
    char type[128];       /* Content-Type, "" when none */
    double secs;
} fetched;

typedef struct sink {
    char **p;
    size_t *n;
} sink;

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    sink *k = arg;
    size_t n = size * nmemb;
    char *grown = realloc(*k->p, *k->n + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + *k->n, p, n);
    *k->n += n;
    grown[*k->n] = '\0';
    *k->p = grown;
    return n;
}

typedef struct opts {
    const char *encoding;     /* CURLOPT_ACCEPT_ENCODING (curl decodes), NULL: off */
    const char *header;       /* one extra request header, sent as is */
    int follow;
    long timeout_ms;          /* 0: 10 s */
} opts;

static void fetch_opts(const char *path, const opts *o, fetched *f)
{
    char url[256];
    struct curl_slist *hdrs = NULL;
    sink body = {&f->body, &f->len}, head = {&f->head, &f->hlen};
    CURL *c = curl_easy_init();
    char *eff = NULL, *ct = NULL;

    memset(f, 0, sizeof(*f));
    cr_assert_not_null(c);
    kumo_testserver_url(srv, path, url, sizeof(url));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms ? o->timeout_ms : 10000L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, (long)o->follow);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    if (o->encoding)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, o->encoding);
    if (o->header) {
        hdrs = curl_slist_append(NULL, o->header);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    }
    f->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &f->status);
    curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &f->redirects);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &f->secs);
    curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    snprintf(f->url, sizeof(f->url), "%s", eff ? eff : "");
    snprintf(f->type, sizeof(f->type), "%s", ct ? ct : "");
    if (!f->body)
        f->body = calloc(1, 1);
    if (!f->head)
        f->head = calloc(1, 1);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
}

static void fetch(const char *path, fetched *f)
{
    opts o = {0};
    fetch_opts(path, &o, f);
}

static void fetched_release(fetched *f)
{
    free(f->body);
    free(f->head);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Returns where needle[0..m) starts in hay[0..n), or NULL. */
static const char *find_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

/* Does the response head hold line (case-insensitive), e.g. "Location: /ok\r\n"? */
static bool has_header(const fetched *f, const char *line)
{
    size_t m = strlen(line);
    for (const char *p = f->head; *p; p++)
        if (strncasecmp(p, line, m) == 0)
            return true;
    return false;
}

/* ---- lifecycle ---- */

Test(testserver, start_url_and_two_at_once)
{
    char buf[64], tiny[8];
    kumo_testserver *other = kumo_testserver_start();
    int port = kumo_testserver_port(srv);

    cr_assert_not_null(other);
    cr_expect_gt(port, 0);
    cr_expect_neq(port, kumo_testserver_port(other));
    snprintf(tiny, sizeof(tiny), "x");
    cr_expect_str_eq(kumo_testserver_url(srv, "/ok", tiny, sizeof(tiny)), "");
    snprintf(buf, sizeof(buf), "http://127.0.0.1:%d/ok", port);
    cr_expect_str_eq(kumo_testserver_url(srv, "/ok", (char[64]){0}, 64), buf);
    kumo_testserver_stop(other);
    kumo_testserver_stop(NULL);
}

/* ---- the quotes site ---- */

Test(testserver, quote_pages)
{
    fetched f;
    char path[32], text[512];

    cr_assert_eq(kumo_testsite_nquotes(), 50);
    for (int page = 1; page <= 6; page++) {
        snprintf(path, sizeof(path), "/page/%d/", page);
        fetch(path, &f);
        cr_assert_eq(f.status, 200, "%s", path);
        cr_expect_str_eq(f.type, "text/html; charset=utf-8");
        cr_expect_eq(count(f.body, "<div class=\"quote\""), page <= 5 ? 10u : 0u, "%s", path);
        snprintf(text, sizeof(text), "<li class=\"next\"><a href=\"/page/%d/\">Next <span",
                 page + 1);
        cr_expect_eq(strstr(f.body, text) != NULL, page < 5, "%s next link", path);
        for (int i = 0; page <= 5 && i < 10; i++) {
            const kumo_testsite_quote *q = kumo_testsite_quote_at((size_t)(page - 1) * 10 + i);
            if (strchr(q->text, '&'))
                continue;
            snprintf(text, sizeof(text), "\xe2\x80\x9c%s\xe2\x80\x9d</span>", q->text);
            cr_expect(strstr(f.body, text), "%s lacks quote %d", path, i);
            snprintf(text, sizeof(text), "<a href=\"/author/%s\">(about)</a>", q->author->slug);
            cr_expect(strstr(f.body, text), "%s lacks the author link of quote %d", path, i);
        }
        if (page == 6)
            cr_expect(strstr(f.body, "No quotes found!"));
        fetched_release(&f);
    }
    fetch("/", &f);
    cr_expect_eq(count(f.body, "<div class=\"quote\""), 10u);
    cr_expect(strstr(f.body, "<a href=\"/page/2/\">Next"));
    fetched_release(&f);
    fetch("/page/0/", &f);
    cr_expect_eq(f.status, 404);
    fetched_release(&f);
}

Test(testserver, utf8_and_entities)
{
    fetched f;
    size_t amp = 0, all = 0;

    for (int page = 1; page <= 5; page++) {
        char path[32];
        snprintf(path, sizeof(path), "/page/%d/", page);
        fetch(path, &f);
        amp += count(f.body, "&amp;");
        all += count(f.body, "Mir\xc3\xa8le Fontaine") + count(f.body, "\xe2\x80\x93") +
               count(f.body, "O'Reilly");
        cr_expect_eq(count(f.body, " & "), 0u, "%s has a raw &", path);
        fetched_release(&f);
    }
    cr_expect_geq(amp, 4u);
    cr_expect_geq(all, 8u);
}

Test(testserver, author_pages)
{
    fetched f;
    char path[96], want[256];

    cr_assert_geq(kumo_testsite_nauthors(), 12);
    for (size_t i = 0; i < kumo_testsite_nauthors(); i++) {
        const kumo_testsite_author *a = kumo_testsite_author_at(i);
        snprintf(path, sizeof(path), "/author/%s%s", a->slug, i % 2 ? "/" : "");
        fetch(path, &f);
        cr_assert_eq(f.status, 200, "%s", path);
        if (!strchr(a->name, '&')) {
            snprintf(want, sizeof(want), "<h3 class=\"author-title\">%s</h3>", a->name);
            cr_expect(strstr(f.body, want), "%s", path);
        }
        snprintf(want, sizeof(want), "<span class=\"author-born-date\">%s</span>", a->born_date);
        cr_expect(strstr(f.body, want), "%s", path);
        snprintf(want, sizeof(want), "<span class=\"author-born-location\">%s</span>",
                 a->born_place);
        cr_expect(strstr(f.body, want), "%s", path);
        cr_expect(strstr(f.body, "<div class=\"author-description\">"));
        fetched_release(&f);
    }
    fetch("/author/Rufus-and-Clara-Penn/", &f);
    cr_expect(strstr(f.body, "<h3 class=\"author-title\">Rufus &amp; Clara Penn</h3>"));
    fetched_release(&f);
    fetch("/author/Nobody-At-All/", &f);
    cr_expect_eq(f.status, 404);
    fetched_release(&f);
}

Test(testserver, tag_pages)
{
    fetched f;
    size_t want = 0;

    for (size_t i = 0; i < kumo_testsite_nquotes(); i++)
        for (size_t t = 0; t < 4 && kumo_testsite_quote_at(i)->tags[t]; t++)
            want += strcmp(kumo_testsite_quote_at(i)->tags[t], "humor") == 0;
    fetch("/tag/humor/page/1/", &f);
    cr_assert_eq(f.status, 200);
    cr_expect_eq(count(f.body, "<div class=\"quote\""), KUMO_MIN(want, 10u));
    fetched_release(&f);
    fetch("/tag/no-such-tag/", &f);
    cr_expect_eq(f.status, 404);
    fetched_release(&f);
}

/* ---- redirects and statuses ---- */

Test(testserver, redirects)
{
    static const struct {
        const char *path;
        long status;
        const char *location;
    } cases[] = {
        {"/redirect/301?to=/text", 301, "Location: /text\r\n"},
        {"/redirect/302?to=/json", 302, "Location: /json\r\n"},
        {"/redirect/303", 303, "Location: /ok\r\n"},
        {"/redirect/307?to=/page/2/", 307, "Location: /page/2/\r\n"},
        {"/redirect/308?to=%2Fok%3Fa%3D1", 308, "Location: /ok?a=1\r\n"},
        {"/redirect/loop", 302, "Location: /redirect/loop\r\n"},
        {"/redirect/chain/3", 302, "Location: /redirect/chain/2\r\n"},
        {"/redirect/chain/1", 302, "Location: /ok\r\n"},
        {"/redirect/305", 404, NULL},
    };
    fetched f;

    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        fetch(cases[i].path, &f);
        cr_expect_eq(f.status, cases[i].status, "%s", cases[i].path);
        if (cases[i].location)
            cr_expect(has_header(&f, cases[i].location), "%s: %s", cases[i].path, f.head);
        fetched_release(&f);
    }
}

Test(testserver, redirect_chain_and_loop)
{
    opts o = {.follow = 1};
    fetched f;

    fetch_opts("/redirect/chain/4", &o, &f);
    cr_expect_eq(f.rc, CURLE_OK);
    cr_expect_eq(f.status, 200);
    cr_expect_eq(f.redirects, 4);
    cr_expect(strstr(f.url, "/ok") && !strstr(f.url, "redirect"), "%s", f.url);
    fetched_release(&f);
    fetch_opts("/redirect/loop", &o, &f);
    cr_expect_eq(f.rc, CURLE_TOO_MANY_REDIRECTS);
    fetched_release(&f);
    cr_expect_eq(kumo_testserver_hits(srv, "/redirect/loop"), 11u);
}

Test(testserver, statuses)
{
    static const struct {
        const char *path;
        long status;
    } cases[] = {
        {"/status/404", 404}, {"/status/500", 500}, {"/status/503", 503},
        {"/status/200", 200}, {"/status/418", 418}, {"/status/99", 404},
        {"/status/abc", 404}, {"/nope", 404},       {"/ok/", 404},
    };
    fetched f;

    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        fetch(cases[i].path, &f);
        cr_expect_eq(f.status, cases[i].status, "%s", cases[i].path);
        cr_expect_str_eq(f.type, "text/html; charset=utf-8", "%s", cases[i].path);
        cr_expect(strstr(f.body, "</html>"), "%s", cases[i].path);
        fetched_release(&f);
    }
}

/* ---- bodies and types ---- */

Test(testserver, content_types)
{
    static const struct {
        const char *path, *type, *body;
    } cases[] = {
        {"/ok", "text/html; charset=utf-8", "<h1>OK</h1>"},
        {"/text", "text/plain; charset=utf-8", "Just plain text"},
        {"/json", "application/json", "\"name\": \"kumo\""},
        {"/binary", "image/png", "\x89PNG\r\n\x1a\n"},
        {"/headers", "text/plain; charset=utf-8", "Host: 127.0.0.1:"},
    };
    fetched f;

    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        fetch(cases[i].path, &f);
        cr_expect_eq(f.status, 200, "%s", cases[i].path);
        cr_expect_str_eq(f.type, cases[i].type, "%s", cases[i].path);
        cr_expect(find_bytes(f.body, f.len, cases[i].body, strlen(cases[i].body)), "%s",
                  cases[i].path);
        if (strcmp(cases[i].path, "/binary") == 0) {
            cr_expect_gt(f.len, 100u);
            cr_expect_lt(f.len, 1000u);
            cr_expect(find_bytes(f.body, f.len, "IEND", 4));
        }
        fetched_release(&f);
    }
}

Test(testserver, encodings)
{
    static const struct {
        const char *path, *accept, *coding;   /* coding: the Content-Encoding, NULL: none */
    } cases[] = {
        {"/gzip", "gzip", "Content-Encoding: gzip"},
        {"/gzip", "deflate", NULL},
        {"/gzip", NULL, NULL},
        {"/deflate", "deflate", "Content-Encoding: deflate"},
        {"/deflate", "gzip, deflate", "Content-Encoding: deflate"},
        {"/deflate", NULL, NULL},
    };
    fetched ok, f;

    fetch("/ok", &ok);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        opts o = {.encoding = cases[i].accept};
        fetch_opts(cases[i].path, &o, &f);
        cr_expect_eq(f.status, 200);
        cr_expect_str_eq(f.body, ok.body, "%s with %s", cases[i].path, cases[i].accept);
        if (cases[i].coding)
            cr_expect(has_header(&f, cases[i].coding), "%s: %s", cases[i].path, f.head);
        else
            cr_expect(!has_header(&f, "Content-Encoding"), "%s: %s", cases[i].path, f.head);
        fetched_release(&f);
    }
    fetched_release(&ok);
}

Test(testserver, gzipbomb)
{
    opts o = {.header = "Accept-Encoding: gzip"};   /* curl does not decode this */
    fetched f;
    z_stream z;
    static unsigned char out[1 << 16];
    size_t total = 0;
    int rc;

    fetch_opts("/gzipbomb", &o, &f);
    cr_assert_eq(f.status, 200);
    cr_expect(has_header(&f, "Content-Encoding: gzip"));
    cr_expect_lt(f.len, 200u * 1024, "the bomb is %zu bytes", f.len);
    memset(&z, 0, sizeof(z));
    cr_assert_eq(inflateInit2(&z, 31), Z_OK);
    z.next_in = (unsigned char *)f.body;
    z.avail_in = (uInt)f.len;
    do {
        z.next_out = out;
        z.avail_out = sizeof(out);
        rc = inflate(&z, Z_NO_FLUSH);
        total += sizeof(out) - z.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&z);
    cr_expect_eq(rc, Z_STREAM_END);
    cr_expect_eq(total, (size_t)KUMO_TESTSERVER_BOMB_SIZE);
    fetched_release(&f);
}

Test(testserver, big)
{
    static const size_t sizes[] = {0, 1, 10, 44, 45, 1000, 123457};
    fetched f;
    char path[64];

    for (size_t i = 0; i < KUMO_ARRAY_LEN(sizes); i++) {
        snprintf(path, sizeof(path), "/big?size=%zu", sizes[i]);
        fetch(path, &f);
        cr_expect_eq(f.status, 200, "%s", path);
        cr_expect_eq(f.len, sizes[i], "%s gave %zu bytes", path, f.len);
        fetched_release(&f);
    }
    fetch("/big?size=-1", &f);
    cr_expect_eq(f.status, 400);
    fetched_release(&f);
    cr_expect_eq(kumo_testserver_hits(srv, "/big"), KUMO_ARRAY_LEN(sizes) + 1);
}

/* ---- link pages ---- */

Test(testserver, links)
{
    int port = kumo_testserver_port(srv);
    char l1[96], l2[96];
    const struct {
        const char *path;
        const char *want[7];
    } cases[] = {
        {"/links/offsite", {"href=\"/ok\"", "href=\"http://elsewhere.invalid/x\"", l1}},
        {"/links/dupes", {"href=\"/ok\"", "href=\"../ok\"", "href=\"/ok#frag\"",
                          "href=\"/./ok\"", l2}},
        {"/links/relative/", {"href=\"a.html\"", "href=\"../ok\"", "href=\"./b.html\"",
                              "href=\"?q=1\"", "href=\"#top\""}},
        {"/links/relative/a.html", {"href=\"./b.html\""}},
        {"/links/base/", {"<base href=\"/links/relative/\">", "href=\"a.html\""}},
        {"/links/schemes", {"href=\"mailto:", "href=\"javascript:", "href=\"tel:",
                            "href=\"data:", "href=\"file:///etc/passwd\"", "href=\"ftp://",
                            "href=\"/ok\""}},
        {"/links/ok", {"<h1>OK</h1>"}},
        {"/depth/7", {"href=\"/depth/8\""}},
    };
    fetched f;

    snprintf(l1, sizeof(l1), "href=\"http://localhost:%d/ok\"", port);
    snprintf(l2, sizeof(l2), "href=\"http://127.0.0.1:%d/ok\"", port);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        fetch(cases[i].path, &f);
        cr_expect_eq(f.status, 200, "%s", cases[i].path);
        for (size_t j = 0; j < 7 && cases[i].want[j]; j++)
            cr_expect(strstr(f.body, cases[i].want[j]), "%s lacks %s", cases[i].path,
                      cases[i].want[j]);
        fetched_release(&f);
    }
    fetch("/links/dupes", &f);
    cr_expect_eq(count(f.body, "<a href="), 5u);
    fetched_release(&f);
}

/* ---- headers, hits, timing ---- */

Test(testserver, headers_echo)
{
    opts o = {.header = "User-Agent: kumo-test/1.0"};
    fetched f;

    fetch_opts("/headers", &o, &f);
    cr_expect(strstr(f.body, "User-Agent: kumo-test/1.0\n"), "%s", f.body);
    fetched_release(&f);
}

Test(testserver, hits_ignore_the_query)
{
    fetched f;

    cr_expect_eq(kumo_testserver_hits(srv, "/ok"), 0u);
    fetch("/ok", &f);
    fetched_release(&f);
    fetch("/ok?x=1", &f);
    fetched_release(&f);
    fetch("/ok#frag", &f);
    fetched_release(&f);
    cr_expect_eq(kumo_testserver_hits(srv, "/ok"), 3u);
    cr_expect_eq(kumo_testserver_hits(srv, "/"), 0u);
}

Test(testserver, slow)
{
    opts quick = {.timeout_ms = 150};
    fetched f;

    fetch("/slow?ms=250", &f);
    cr_expect_eq(f.status, 200);
    cr_expect_geq(f.secs, 0.24, "answered after %.3f s", f.secs);
    cr_expect(strstr(f.body, "<h1>OK</h1>"));
    fetched_release(&f);
    /* The client gives up first; the server drops the pending timer with the connection. */
    fetch_opts("/slow?ms=5000", &quick, &f);
    cr_expect_eq(f.rc, CURLE_OPERATION_TIMEDOUT);
    fetched_release(&f);
    /* Same, but the timer is due while the server is still up. */
    quick.timeout_ms = 50;
    fetch_opts("/slow?ms=150", &quick, &f);
    cr_expect_eq(f.rc, CURLE_OPERATION_TIMEDOUT);
    fetched_release(&f);
    usleep(250000);
    fetch("/ok", &f);
    cr_expect_eq(f.status, 200);
    fetched_release(&f);
    /* A pending timer at stop time is freed by stop. */
    quick.timeout_ms = 150;
    fetch_opts("/slow?ms=60000", &quick, &f);
    fetched_release(&f);
}

/* Open a raw connection and send a request on it; returns the socket. */
static int raw_request(const char *path)
{
    struct sockaddr_in sin = {.sin_family = AF_INET};
    char req[256];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int n;

    cr_assert_geq(fd, 0);
    sin.sin_port = htons((uint16_t)kumo_testserver_port(srv));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
    cr_assert_eq(write(fd, req, (size_t)n), n);
    return fd;
}

static void wait_hits(const char *path, unsigned n)
{
    for (int i = 0; i < 500 && kumo_testserver_hits(srv, path) < n; i++)
        usleep(10000);
    cr_assert_eq(kumo_testserver_hits(srv, path), n);
}

Test(testserver, never_and_stop_with_open_connections)
{
    opts quick = {.timeout_ms = 200};
    fetched f;
    int fd1, fd2;

    fetch_opts("/never", &quick, &f);
    cr_expect_eq(f.rc, CURLE_OPERATION_TIMEDOUT);
    fetched_release(&f);
    /* Stop with a /never and a /slow request still open on the server side. */
    fd1 = raw_request("/never");
    fd2 = raw_request("/slow?ms=60000");
    wait_hits("/never", 2);
    wait_hits("/slow", 1);
    kumo_testserver_stop(srv);
    srv = kumo_testserver_start();
    cr_assert_not_null(srv);
    close(fd1);
    close(fd2);
}

Test(testserver, head_and_post)
{
    CURL *c = curl_easy_init();
    char url[128];
    long status = 0;

    kumo_testserver_url(srv, "/ok", url, sizeof(url));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    cr_expect_eq(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    cr_expect_eq(status, 200);
    curl_easy_cleanup(c);
    cr_expect_eq(kumo_testserver_hits(srv, "/ok"), 1u);
}
