/* test_httpcache.c - real crawls with the HTTP cache: replay with the server stopped,
 * RFC2616 revalidation against the server, and a corrupt cache file. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/crawl.h"

static kumo_testcrawl t;
static char dir[128];

static void remove_cache(void)
{
    static const char *const files[] = {"probe.sqlite", "probe.sqlite-wal", "probe.sqlite-shm"};
    char p[256];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(files); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/kumo-httpcache-it-%d", (int)getpid());
    remove_cache();
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
    remove_cache();
}

TestSuite(httpcache, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Crawl the whole quotes site (and an encoded page) with the cache on, stop the server,
 * crawl again: every page comes from the cache, nothing is downloaded (the server is
 * gone, so a download would fail). */
Test(httpcache, replay_without_server)
{
    char start[128], gz[128], urls[300];
    kumo_testserver_url(t.srv, "/", start, sizeof(start));
    kumo_testserver_url(t.srv, "/gzip", gz, sizeof(gz));
    snprintf(urls, sizeof(urls), "%s,%s", start, gz);
    const char *const *kv = SET("HTTPCACHE_ENABLED", "1", "HTTPCACHE_DIR", dir);

    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, kv, SET("urls", urls)),
                 KUMO_OK, "%s", t.err);
    int64_t pages = kumo_testcrawl_stat(&t, "response_received_count", 0);
    size_t items = t.nitems;
    cr_assert_gt(pages, 20);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/miss", 0), pages);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/firsthand", 0), pages);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/store", 0), pages);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/hit", 0), 0);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"HtmlResponse\""), items);

    kumo_testserver_stop(t.srv);
    t.srv = NULL;

    char logpath[sizeof(dir) + 16];
    snprintf(logpath, sizeof(logpath), "%s/crawl.log", dir);
    kv = SET("HTTPCACHE_ENABLED", "1", "HTTPCACHE_DIR", dir, "LOG_LEVEL", "DEBUG", "LOG_FILE",
             logpath);
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, kv, SET("urls", urls)),
                 KUMO_OK, "%s", t.err);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/hit", 0), pages);
    /* the engine's line carries Scrapy's flag: "Crawled (200) <GET url> (referer: None)
     * ['cached']" */
    static char log[1 << 20];
    FILE *f = fopen(logpath, "r");
    cr_assert_not_null(f);
    log[fread(log, 1, sizeof(log) - 1, f)] = '\0';
    fclose(f);
    unlink(logpath);
    char want[200];
    snprintf(want, sizeof(want), "Crawled (200) <GET %s> (referer: None) ['cached']\n", start);
    cr_assert_not_null(strstr(log, want), "no '%s' in the log", want);
    cr_assert_eq(kumo_testcrawl_stat(&t, "response_received_count", 0), pages);
    /* DownloaderStats (850) counts requests before the cache (900) answers, as in Scrapy;
     * with the server gone, any real download would have failed */
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/request_count", 0), pages);
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/exception_count", 0), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/miss", 0), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/store", 0), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/ERROR", 0), 0);
    cr_assert_eq(t.nitems, items);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"HtmlResponse\""), items);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"status\": 200"), items);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");

    /* HTTPCACHE_IGNORE_MISSING: a page never crawled is dropped, not fetched */
    char ok[128];
    snprintf(ok, sizeof(ok), "%s", start);
    strcat(ok, "ok");
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("HTTPCACHE_ENABLED", "1", "HTTPCACHE_DIR", dir,
                                        "HTTPCACHE_IGNORE_MISSING", "1"),
                                    SET("urls", ok)), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/ignore", 0), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/exception_count", 0), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/ERROR", 0), 0);
}

/* RFC2616 against the /cache/ routes: a fresh page is not asked again, pages with
 * validators are revalidated (304, or a 503 that keeps the cached copy), the others are
 * fetched again. */
Test(httpcache, rfc2616_revalidation)
{
    static const char *const paths[] = {"/cache/maxage", "/cache/etag", "/cache/lastmod",
                                        "/cache/nostore", "/cache/plain", "/cache/flaky"};
    static const unsigned hits_after[] = {1, 2, 2, 2, 2, 2};
    char urls[1024] = "";
    for (size_t i = 0; i < KUMO_ARRAY_LEN(paths); i++) {
        char u[128];
        kumo_testserver_url(t.srv, paths[i], u, sizeof(u));
        if (i)
            strcat(urls, ",");
        strcat(urls, u);
    }
    const char *const *kv = SET("HTTPCACHE_ENABLED", "1", "HTTPCACHE_DIR", dir,
                                "HTTPCACHE_POLICY", "RFC2616");
    for (int run = 0; run < 2; run++) {
        cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, kv,
                                        SET("urls", urls, "follow", "0")), KUMO_OK, "%s",
                     t.err);
        cr_assert_eq(t.nitems, 6, "run %d", run);
        cr_assert_eq(kumo_testcrawl_items_with(&t, "\"status\": 200"), 6, "run %d", run);
    }
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/hit", 0), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/revalidate", 0), 3);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/miss", 0), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/uncacheable", 0), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/store", 0), 0);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "cache flaky"), 1);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(paths); i++)
        cr_assert_eq(kumo_testserver_hits(t.srv, paths[i]), hits_after[i], "%s", paths[i]);
}

/* A corrupt cache file: one ERROR line, and the crawl goes on without the cache. */
Test(httpcache, corrupt_file)
{
    char path[256], ok[128];
    mkdir(dir, 0755);
    snprintf(path, sizeof(path), "%s/probe.sqlite", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage\n", f);
    fclose(f);
    kumo_testserver_url(t.srv, "/ok", ok, sizeof(ok));
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("HTTPCACHE_ENABLED", "1", "HTTPCACHE_DIR", dir),
                                    SET("urls", ok)), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/ERROR", 0), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httpcache/miss", 0), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/request_count", 0), 1);
}
