/* test_cache_store.c - the HTTP cache's SQLite storage in a temporary directory: store and
 * retrieve, replacement, expiration, Content-Encoding not kept, foreign files refused. */
#include "unit/middleware/mwtest.h"
#include "http/cache_store.h"

#include <dirent.h>
#include <sys/stat.h>

static char dir[64];

/* Remove d and the files in it (the database and its -wal and -shm files). */
static void rm_dir(const char *d)
{
    DIR *h = opendir(d);
    if (!h)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(h)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
            unlink(p);
        }
    closedir(h);
    rmdir(d);
}

static void setup(void)
{
    kumo_leakcheck_start();
    snprintf(dir, sizeof(dir), "/tmp/kumo-cachestore-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    kumo__log_set_level(KUMO_LOG_CRITICAL);
}

static void teardown(void)
{
    rm_dir(dir);
    kumo_leakcheck_end();
}

TestSuite(cache_store, .init = setup, .fini = teardown);

static kumo_cache_store *open_store(const char *spider, int64_t expiration)
{
    kumo_cache_store *st = NULL;
    char err[256] = "";
    int rc = kumo__cache_store_open(dir, spider, expiration, &st, err, sizeof(err));
    cr_assert_eq(rc, KUMO_OK, "open: %s", err);
    cr_assert_not_null(st);
    return st;
}

Test(cache_store, store_then_retrieve)
{
    kumo_cache_store *st = open_store("quotes", 0);
    char want[128];
    snprintf(want, sizeof(want), "%s/quotes.sqlite", dir);
    cr_assert_str_eq(kumo__cache_store_path(st), want);
    kumo_request *req = mwt_req("http://example.com/page.html");
    cr_assert_null(kumo__cache_store_retrieve(st, req, 100));
    kumo_response *res = mwt_res(req, 203,
                                 KUMO_LIST("Content-Type: text/html; charset=utf-8",
                                           "Set-Cookie: a=1", "Set-Cookie: b=2"),
                                 "<p>caf\xc3\xa9</p>");
    cr_assert_eq(kumo__cache_store_store(st, req, res, 100), KUMO_OK);
    kumo_response_unref(res);

    kumo_response *got = kumo__cache_store_retrieve(st, req, 101);
    cr_assert_not_null(got);
    cr_assert_eq(kumo_response_status(got), 203);
    cr_assert_str_eq(kumo_response_url(got), "http://example.com/page.html");
    cr_assert_eq(kumo_response_request(got), req);
    cr_assert_eq(kumo_response_class(got), &KUMO_CLASS(HtmlResponse));
    size_t len;
    cr_assert_str_eq(kumo_response_body(got, &len), "<p>caf\xc3\xa9</p>");
    cr_assert_eq(len, strlen("<p>caf\xc3\xa9</p>"));
    const kumo_headers *h = kumo_response_headers(got);
    cr_assert_eq(kumo_headers_count(h), 3);
    const char *n, *v;
    kumo_headers_at(h, 2, &n, &v);
    cr_assert_str_eq(n, "Set-Cookie");
    cr_assert_str_eq(v, "b=2");
    kumo_response_unref(got);

    /* another request (another fingerprint) finds nothing */
    kumo_request *other = mwt_req("http://example.com/page.html?x=1");
    cr_assert_null(kumo__cache_store_retrieve(st, other, 101));
    kumo_request_unref(other);
    kumo_request_unref(req);
    kumo__cache_store_close(st);
}

Test(cache_store, survives_reopen_and_replaces)
{
    kumo_cache_store *st = open_store("s", 0);
    kumo_request *req = mwt_req("http://example.com/a");
    kumo_response *r1 = mwt_res(req, 200, NULL, "one");
    kumo_response *r2 = mwt_res(req, 200, NULL, "two");
    cr_assert_eq(kumo__cache_store_store(st, req, r1, 10), KUMO_OK);
    cr_assert_eq(kumo__cache_store_store(st, req, r2, 20), KUMO_OK);
    kumo__cache_store_close(st);

    st = open_store("s", 0);
    kumo_response *got = kumo__cache_store_retrieve(st, req, 30);
    cr_assert_not_null(got);
    cr_assert_str_eq(kumo_response_body(got, NULL), "two");
    kumo_response_unref(got);
    kumo_response_unref(r1);
    kumo_response_unref(r2);
    kumo_request_unref(req);
    kumo__cache_store_close(st);
}

Test(cache_store, entries_expire)
{
    kumo_cache_store *st = open_store("s", 60);
    kumo_request *req = mwt_req("http://example.com/a");
    kumo_response *res = mwt_res(req, 200, NULL, "x");
    cr_assert_eq(kumo__cache_store_store(st, req, res, 1000), KUMO_OK);
    kumo_response *got = kumo__cache_store_retrieve(st, req, 1060);
    cr_assert_not_null(got, "expired at exactly the expiration time");
    kumo_response_unref(got);
    cr_assert_null(kumo__cache_store_retrieve(st, req, 1061));
    kumo__cache_store_close(st);

    /* expiration 0: never */
    st = open_store("s", 0);
    got = kumo__cache_store_retrieve(st, req, 1e9);
    cr_assert_not_null(got);
    kumo_response_unref(got);
    kumo_response_unref(res);
    kumo_request_unref(req);
    kumo__cache_store_close(st);
}

Test(cache_store, content_encoding_is_not_stored)
{
    kumo_cache_store *st = open_store("s", 0);
    kumo_request *req = mwt_req("http://example.com/a");
    kumo_response *res = mwt_res(req, 200,
                                 KUMO_LIST("Content-Encoding: gzip", "X-Kept: yes"), "plain");
    cr_assert_eq(kumo__cache_store_store(st, req, res, 1), KUMO_OK);
    kumo_response *got = kumo__cache_store_retrieve(st, req, 1);
    cr_assert_not_null(got);
    cr_assert_null(kumo_headers_get(kumo_response_headers(got), "Content-Encoding"));
    cr_assert_str_eq(kumo_headers_get(kumo_response_headers(got), "x-kept"), "yes");
    kumo_response_unref(got);
    kumo_response_unref(res);
    kumo_request_unref(req);
    kumo__cache_store_close(st);
}

Test(cache_store, spider_name_is_made_a_file_name)
{
    kumo_cache_store *st = open_store(".a/b", 0);
    char want[128];
    snprintf(want, sizeof(want), "%s/_a_b.sqlite", dir);
    cr_assert_str_eq(kumo__cache_store_path(st), want);
    kumo__cache_store_close(st);
    kumo__cache_store_close(NULL);
}

Test(cache_store, foreign_file_is_refused_untouched)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/s.sqlite", dir);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs("not a database at all, just some text that is long enough to be a header", f);
    fclose(f);
    struct stat before, after;
    cr_assert_eq(stat(path, &before), 0);
    kumo_cache_store *st = (kumo_cache_store *)1;
    char err[256] = "";
    cr_assert_eq(kumo__cache_store_open(dir, "s", 0, &st, err, sizeof(err)), KUMO_EIO);
    cr_assert_null(st);
    cr_assert_not_null(strstr(err, path), "message does not name the file: %s", err);
    cr_assert_eq(stat(path, &after), 0);
    cr_assert_eq(before.st_size, after.st_size);
}
