/* test_httpcache.c - the HttpCache downloader middleware and its SQLite storage. */
#include "mwtest.h"
#include "http/cache_policy.h"
#include "http/cache_store.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

static char dir[128];

/* A fresh cache directory per test; the files it may hold are removed at the end. */
static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/kumo-httpcache-unit-%d", (int)getpid());
    kumo_leakcheck_start();
}

static void remove_cache(void)
{
    static const char *const files[] = {"mwtest.sqlite", "mwtest.sqlite-wal",
                                        "mwtest.sqlite-shm", "x.sqlite"};
    char p[256];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(files); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void teardown(void)
{
    remove_cache();
    kumo_leakcheck_end();
}

TestSuite(mw_httpcache, .init = setup, .fini = teardown);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define MW kumo__dlmw_httpcache

static double now_epoch(void)
{
    return (double)time(NULL);
}

/* A crawler with the cache on in dir, plus kv. */
static void *open_cache(kumo_crawler **out, const char *const *kv)
{
    kumo_crawler *c = mwt_crawler(kv);
    *out = c;
    kumo_settings *st = kumo__crawler_settings(c);
    char err[256];
    cr_assert_eq(kumo__settings_set(st, "HTTPCACHE_ENABLED", "1", KUMO_PRIO_CMDLINE, err,
                                   sizeof(err)), KUMO_OK);
    if (!kumo__settings_get(st, "HTTPCACHE_DIR") ||
        strcmp(kumo__settings_get(st, "HTTPCACHE_DIR"), "httpcache") == 0)
        kumo__settings_set(st, "HTTPCACHE_DIR", dir, KUMO_PRIO_CMDLINE, err, sizeof(err));
    void *self = NULL;
    cr_assert_eq(MW.open(c, &self), KUMO_OK);
    cr_assert_not_null(self);
    return self;
}

/* One pass through the middleware as the chain does it: process_request, and when it did
 * not answer, the "download" (a response to req built from status, hdrs, body) and
 * process_response.  Returns the final response (new reference) or NULL when ignored. */
static kumo_response *pass(void *self, kumo_crawler *c, kumo_request *req, int status,
                           const char *const *hdrs, const char *body, bool *from_cache)
{
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    int rc = MW.process_request(self, c, req, &res, &next);
    *from_cache = rc == KUMO_EDONE;
    if (rc == KUMO_EIGNORED)
        return NULL;
    if (rc == KUMO_OK)
        res = mwt_res(req, status, hdrs, body);
    else
        cr_assert_eq(rc, KUMO_EDONE);
    cr_assert_not_null(res);
    cr_assert_eq(MW.process_response(self, c, req, &res, &next), KUMO_OK);
    return res;
}

Test(mw_httpcache, disabled_by_default)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    cr_assert_eq(MW.open(c, &self), KUMO_EDECLINED);
    cr_assert_eq(MW.order, 900);
    mwt_crawler_free(c);
}

/* Dummy: the first pass downloads and stores, the second answers from the cache with the
 * right class, the stored body, and no Content-Encoding (it was decoded by the downloader). */
Test(mw_httpcache, dummy_store_then_hit)
{
    kumo_crawler *c;
    void *self = open_cache(&c, NULL);
    bool cached;
    kumo_request *req = mwt_req("http://example.com/page");
    kumo_response *r = pass(self, c, req, 200,
                            SET("Content-Type: text/html; charset=utf-8",
                                "Content-Encoding: gzip", "X-Multi: a", "X-Multi: b"),
                            "<html><title>t</title></html>", &cached);
    cr_assert_not(cached);
    cr_assert_not_null(kumo_headers_get(r->headers, "Date"), "Date added as Scrapy does");
    kumo_response_unref(r);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/miss"), 1);
    cr_assert_eq(mwt_stat(c, "httpcache/firsthand"), 1);
    cr_assert_eq(mwt_stat(c, "httpcache/store"), 1);

    req = mwt_req("http://example.com/page");
    r = pass(self, c, req, 500, NULL, "not used", &cached);
    cr_assert(cached);
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->ref.cls, &KUMO_CLASS(HtmlResponse));
    cr_assert_str_eq(r->body, "<html><title>t</title></html>");
    cr_assert_eq(r->body_len, strlen("<html><title>t</title></html>"));
    cr_assert_str_eq(r->url, "http://example.com/page");
    cr_assert_eq(r->request, req);
    cr_assert_null(kumo_headers_get(r->headers, "Content-Encoding"));
    cr_assert_str_eq(kumo_headers_get(r->headers, "X-Multi"), "a");
    cr_assert_eq(kumo_headers_count(r->headers), 4, "Content-Type, X-Multi x2, Date");
    kumo_response_unref(r);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/hit"), 1);
    cr_assert_eq(mwt_stat(c, "httpcache/store"), 1, "a hit is not stored again");
    cr_assert_eq(mwt_stat(c, "httpcache/firsthand"), 1);

    /* another url, another method: other fingerprints */
    req = mwt_req("http://example.com/other");
    r = pass(self, c, req, 404, NULL, "", &cached);
    cr_assert_not(cached);
    kumo_response_unref(r);
    kumo_request_unref(req);
    req = mwt_req("http://example.com/page");
    kumo_request_set_method(req, "POST");
    r = pass(self, c, req, 200, NULL, "", &cached);
    cr_assert_not(cached);
    kumo_response_unref(r);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/miss"), 3);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* The cache outlives the crawl: a new middleware on the same directory answers. */
Test(mw_httpcache, persists)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, NULL);
    kumo_request *req = mwt_req("http://example.com/p");
    kumo_response *r = pass(self, c, req, 200, SET("Content-Type: application/json"), "{}",
                            &cached);
    kumo_response_unref(r);
    MW.close(self, c);
    mwt_crawler_free(c);

    self = open_cache(&c, NULL);
    r = pass(self, c, req, 500, NULL, "", &cached);
    cr_assert(cached);
    cr_assert_eq(r->ref.cls, &KUMO_CLASS(TextResponse));
    kumo_response_unref(r);
    kumo_request_unref(req);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* meta dont_cache: neither read nor written, no stats. */
Test(mw_httpcache, dont_cache)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, NULL);
    for (int i = 0; i < 2; i++) {
        kumo_request *req = mwt_req("http://example.com/x");
        kumo_map_set(&req->meta, "dont_cache", kumo_val_bool(1));
        kumo_response *r = pass(self, c, req, 200, NULL, "x", &cached);
        cr_assert_not(cached);
        kumo_response_unref(r);
        kumo_request_unref(req);
    }
    cr_assert_eq(mwt_stat(c, "httpcache/miss"), -1);
    cr_assert_eq(mwt_stat(c, "httpcache/store"), -1);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* HTTPCACHE_IGNORE_SCHEMES: uncacheable requests are flagged and let through untouched. */
Test(mw_httpcache, ignore_schemes)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, SET("HTTPCACHE_IGNORE_SCHEMES", "https"));
    kumo_request *req = mwt_req("https://example.com/x");
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(MW.process_request(self, c, req, &res, &next), KUMO_OK);
    cr_assert_not_null(kumo_map_get(&req->meta, "_dont_cache"));
    res = mwt_res(req, 200, NULL, "x");
    cr_assert_eq(MW.process_response(self, c, req, &res, &next), KUMO_OK);
    cr_assert_null(kumo_map_get(&req->meta, "_dont_cache"), "popped as Scrapy does");
    kumo_response_unref(res);
    res = pass(self, c, req, 200, NULL, "x", &cached);
    cr_assert_not(cached);
    kumo_response_unref(res);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/miss"), -1);
    cr_assert_eq(mwt_stat(c, "httpcache/firsthand"), -1);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* HTTPCACHE_IGNORE_MISSING: a request not in the cache is dropped (IgnoreRequest). */
Test(mw_httpcache, ignore_missing)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, SET("HTTPCACHE_IGNORE_MISSING", "1"));
    kumo_request *req = mwt_req("http://example.com/missing");
    cr_assert_null(pass(self, c, req, 200, NULL, "", &cached));
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/miss"), 1);
    cr_assert_eq(mwt_stat(c, "httpcache/ignore"), 1);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* HTTPCACHE_IGNORE_HTTP_CODES (Dummy): not stored, counted uncacheable. */
Test(mw_httpcache, ignore_http_codes)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, SET("HTTPCACHE_IGNORE_HTTP_CODES", "404,500"));
    for (int i = 0; i < 2; i++) {
        kumo_request *req = mwt_req("http://example.com/nf");
        kumo_response *r = pass(self, c, req, 404, NULL, "", &cached);
        cr_assert_not(cached);
        kumo_response_unref(r);
        kumo_request_unref(req);
    }
    cr_assert_eq(mwt_stat(c, "httpcache/uncacheable"), 2);
    cr_assert_eq(mwt_stat(c, "httpcache/store"), -1);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* HTTPCACHE_EXPIRATION_SECS: an entry older than that reads as missing. */
Test(mw_httpcache, expiration)
{
    static const struct {
        const char *secs;
        double age;
        bool hit;
    } cases[] = {
        {"0", 1e6, true},       /* 0: never expires */
        {"50", 100, false},
        {"200", 100, true},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_cache_store *st;
        char err[256];
        cr_assert_eq(kumo__cache_store_open(dir, "mwtest", 0, &st, err, sizeof(err)), KUMO_OK,
                     "%s", err);
        kumo_request *req = mwt_req("http://example.com/old");
        kumo_response *old = mwt_res(req, 200, SET("Content-Type: text/plain"), "old");
        cr_assert_eq(kumo__cache_store_store(st, req, old, now_epoch() - cases[i].age), KUMO_OK);
        kumo_response_unref(old);
        kumo__cache_store_close(st);

        kumo_crawler *c;
        bool cached;
        void *self = open_cache(&c, SET("HTTPCACHE_EXPIRATION_SECS", cases[i].secs));
        kumo_response *r = pass(self, c, req, 200, NULL, "new", &cached);
        cr_assert_eq(cached, cases[i].hit, "case %zu", i);
        cr_assert_str_eq(r->body, cases[i].hit ? "old" : "new");
        kumo_response_unref(r);
        kumo_request_unref(req);
        MW.close(self, c);
        mwt_crawler_free(c);
        remove_cache();
    }
}

/* The store directly: round trip, replace, missing, and the file is a kumo cache in WAL. */
Test(mw_httpcache, store_round_trip)
{
    kumo_cache_store *st;
    char err[256];
    char sub[200];
    snprintf(sub, sizeof(sub), "%s", dir);
    cr_assert_eq(kumo__cache_store_open(sub, "x", 0, &st, err, sizeof(err)), KUMO_OK, "%s", err);
    char want[256];
    snprintf(want, sizeof(want), "%s/x.sqlite", dir);
    cr_assert_str_eq(kumo__cache_store_path(st), want);
    kumo_request *req = mwt_req("http://example.com/a?b=1");
    cr_assert_null(kumo__cache_store_retrieve(st, req, 0));
    char body[] = "bin\0ary";
    kumo_response *res = mwt_res(req, 203, SET("Content-Type: image/png", "Server: x"), NULL);
    kumo_free(res->body);
    res->body = kumo_alloc(sizeof(body), KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(res->body, body, sizeof(body));
    res->body_len = sizeof(body) - 1;
    cr_assert_eq(kumo__cache_store_store(st, req, res, 10), KUMO_OK);
    kumo_response_unref(res);
    kumo_response *got = kumo__cache_store_retrieve(st, req, 20);
    cr_assert_not_null(got);
    cr_assert_eq(got->status, 203);
    cr_assert_eq(got->body_len, 7);
    cr_assert_eq(memcmp(got->body, body, 7), 0);
    cr_assert_eq(got->ref.cls, &KUMO_CLASS(Response));
    cr_assert_str_eq(kumo_headers_get(got->headers, "Server"), "x");
    kumo_response_unref(got);
    /* replace */
    res = mwt_res(req, 200, SET("Content-Type: text/html"), "v2");
    cr_assert_eq(kumo__cache_store_store(st, req, res, 30), KUMO_OK);
    kumo_response_unref(res);
    got = kumo__cache_store_retrieve(st, req, 40);
    cr_assert_str_eq(got->body, "v2");
    cr_assert_eq(got->ref.cls, &KUMO_CLASS(HtmlResponse));
    kumo_response_unref(got);
    kumo_request_unref(req);
    kumo__cache_store_close(st);

    sqlite3 *h;
    cr_assert_eq(sqlite3_open(want, &h), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    cr_assert_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM responses", -1, &q, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    sqlite3_close(h);
}

/* A corrupt or foreign file: one ERROR line, the middleware stays out, the file untouched. */
Test(mw_httpcache, bad_files)
{
    static const char *const contents[] = {
        "this is not a database, just text that is long enough to have a header......\n",
        NULL,   /* a foreign SQLite database */
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(contents); i++) {
        char path[256];
        mkdir(dir, 0755);
        snprintf(path, sizeof(path), "%s/mwtest.sqlite", dir);
        if (contents[i]) {
            FILE *f = fopen(path, "w");
            cr_assert_not_null(f);
            fputs(contents[i], f);
            fclose(f);
        } else {
            sqlite3 *h;
            cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
            cr_assert_eq(sqlite3_exec(h, "CREATE TABLE mine(x); INSERT INTO mine VALUES (1)",
                                      NULL, NULL, NULL), SQLITE_OK);
            sqlite3_close(h);
        }
        struct stat before, after;
        cr_assert_eq(stat(path, &before), 0);

        kumo_crawler *c = mwt_crawler(SET("HTTPCACHE_ENABLED", "1", "HTTPCACHE_DIR", dir));
        mwt_log_begin();
        void *self = NULL;
        cr_assert_eq(MW.open(c, &self), KUMO_EDECLINED);
        mwt_assert_logged("kumo.downloadermiddlewares.httpcache", "ERROR", "'");
        const char *log = mwt_log();
        cr_assert(strstr(log, "is not a kumo HTTP cache"), "%s", log);
        cr_assert(strstr(log, "crawling without the HTTP cache"), "%s", log);
        cr_assert_eq(strchr(log, '\n'), log + strlen(log) - 1, "one line: %s", log);
        mwt_log_end();
        mwt_crawler_free(c);
        cr_assert_eq(stat(path, &after), 0);
        cr_assert_eq(before.st_size, after.st_size);
        cr_assert_eq(before.st_mtime, after.st_mtime);
        remove_cache();
    }
}

/* An unknown policy stops the crawl from starting, with the name in the message. */
Test(mw_httpcache, bad_policy)
{
    kumo_crawler *c = mwt_crawler(SET("HTTPCACHE_ENABLED", "1", "HTTPCACHE_DIR", dir,
                                      "HTTPCACHE_POLICY",
                                      "scrapy.extensions.httpcache.LRUPolicy"));
    mwt_log_begin();
    void *self = NULL;
    cr_assert_eq(MW.open(c, &self), KUMO_EINVAL);
    mwt_assert_logged("kumo.downloadermiddlewares.httpcache", "ERROR",
                      "unknown HTTPCACHE_POLICY 'scrapy.extensions.httpcache.LRUPolicy'");
    mwt_log_end();
    mwt_crawler_free(c);
}

/* RFC2616: a stale entry is revalidated (If-None-Match sent); a 304 returns the cached
 * response; a new 200 replaces it (invalidate). */
Test(mw_httpcache, rfc2616_revalidate)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, SET("HTTPCACHE_POLICY", "RFC2616"));
    kumo_request *req = mwt_req("http://example.com/e");
    kumo_response *r = pass(self, c, req, 200,
                            SET("Content-Type: text/html", "ETag: \"v1\""), "one", &cached);
    kumo_response_unref(r);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/store"), 1);

    /* stale: the download goes on with the validator; the server says 304 */
    req = mwt_req("http://example.com/e");
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(MW.process_request(self, c, req, &res, &next), KUMO_OK);
    cr_assert_str_eq(kumo_headers_get(req->headers, "If-None-Match"), "\"v1\"");
    res = mwt_res(req, 304, SET("ETag: \"v1\""), "");
    cr_assert_eq(MW.process_response(self, c, req, &res, &next), KUMO_OK);
    cr_assert_eq(res->status, 200);
    cr_assert_str_eq(res->body, "one");
    cr_assert_eq(res->ref.cls, &KUMO_CLASS(HtmlResponse));
    kumo_response_unref(res);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/revalidate"), 1);

    /* stale again; this time the page changed */
    req = mwt_req("http://example.com/e");
    r = pass(self, c, req, 200, SET("Content-Type: text/html", "ETag: \"v2\""), "two",
             &cached);
    cr_assert_not(cached);
    cr_assert_str_eq(r->body, "two");
    kumo_response_unref(r);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/invalidate"), 1);
    cr_assert_eq(mwt_stat(c, "httpcache/store"), 2);
    cr_assert_eq(mwt_stat(c, "httpcache/hit"), -1);
    cr_assert_eq(mwt_stat(c, "httpcache/miss"), 1);

    /* fresh (max-age): a hit; uncacheable (no validator, no expiry): counted */
    req = mwt_req("http://example.com/m");
    r = pass(self, c, req, 200, SET("Cache-Control: max-age=600"), "m", &cached);
    kumo_response_unref(r);
    r = pass(self, c, req, 500, NULL, "", &cached);
    cr_assert(cached);
    cr_assert_str_eq(r->body, "m");
    kumo_response_unref(r);
    kumo_request_unref(req);
    req = mwt_req("http://example.com/plain");
    r = pass(self, c, req, 200, NULL, "p", &cached);
    kumo_response_unref(r);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/hit"), 1);
    cr_assert_eq(mwt_stat(c, "httpcache/uncacheable"), 1);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* RFC2616: a download error while revalidating answers with the cached response. */
Test(mw_httpcache, error_recovery)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, SET("HTTPCACHE_POLICY", "RFC2616"));
    kumo_request *req = mwt_req("http://example.com/e");
    kumo_response *r = pass(self, c, req, 200, SET("ETag: \"v1\""), "one", &cached);
    kumo_response_unref(r);

    static const struct {
        int err;
        bool recovered;
    } cases[] = {
        {KUMO_ETIMEDOUT, true},
        {KUMO_ECONNREFUSED, true},
        {KUMO_ETOOBIG, false},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_response *res = NULL;
        kumo_request *next = NULL;
        cr_assert_eq(MW.process_request(self, c, req, &res, &next), KUMO_OK);
        int rc = MW.process_exception(self, c, req, cases[i].err, &res, &next);
        if (!cases[i].recovered) {
            cr_assert_eq(rc, KUMO_EDECLINED);
            cr_assert_null(res);
            continue;
        }
        cr_assert_eq(rc, KUMO_EDONE);
        cr_assert_str_eq(res->body, "one");
        /* then it passes process_response, which leaves it alone */
        cr_assert_eq(MW.process_response(self, c, req, &res, &next), KUMO_OK);
        kumo_response_unref(res);
    }
    /* no pending stale response: nothing to recover with */
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(MW.process_exception(self, c, req, KUMO_ETIMEDOUT, &res, &next),
                 KUMO_EDECLINED);
    kumo_request_unref(req);
    cr_assert_eq(mwt_stat(c, "httpcache/errorrecovery"), 2);
    cr_assert_eq(mwt_stat(c, "httpcache/store"), 1);
    MW.close(self, c);
    mwt_crawler_free(c);
}

/* A stale response whose download never answers is released at close. */
Test(mw_httpcache, pending_released_at_close)
{
    kumo_crawler *c;
    bool cached;
    void *self = open_cache(&c, SET("HTTPCACHE_POLICY", "RFC2616"));
    kumo_request *req = mwt_req("http://example.com/e");
    kumo_response *r = pass(self, c, req, 200, SET("ETag: \"v1\""), "one", &cached);
    kumo_response_unref(r);
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(MW.process_request(self, c, req, &res, &next), KUMO_OK);
    kumo_request_unref(req);
    MW.close(self, c);
    mwt_crawler_free(c);
}
