/* test_sitemap.c - SitemapSpider crawls against the test server's /sitemap/ routes: a nested
 * index, gzip (file and Content-Encoding), rules, follow, alternate links, the filter hook,
 * robots.txt Sitemap: lines, bodies that are not sitemaps, and DOWNLOAD_MAXSIZE. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "lib/crawl.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
}

TestSuite(sitemap_crawl, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

static void yield(kumo_response *res, kumo_out *out, const char *cb)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_item_set_str(item, "cb", cb);
    kumo_yield_item(out, item);
}

static void parse_page(kumo_response *res, kumo_out *out)
{
    yield(res, out, "page");
}

static void parse_product(kumo_response *res, kumo_out *out)
{
    yield(res, out, "product");
}

static size_t filtered;

/* sitemap_filter: drop entries last modified before 2020 (Scrapy's documented example). */
static int old_out(kumo_spider *sp, const char *type, kumo_map *entry)
{
    (void)sp;
    cr_assert(strcmp(type, "urlset") == 0 || strcmp(type, "sitemapindex") == 0, "%s", type);
    cr_assert(kumo_map_get_str(entry, "loc", NULL));
    const char *lastmod = kumo_map_get_str(entry, "lastmod", NULL);
    if (lastmod && strcmp(lastmod, "2020") < 0) {
        filtered++;
        return KUMO_EIGNORED;
    }
    return KUMO_OK;
}

static const char *urls[3];
static char url0[256], url1[256];
static kumo_sitemap_def sm;
static kumo_spider_def def = {
    KUMO_SPIDER_HEADER,
    .name = "sitemaps",
    .allowed_domains = KUMO_LIST("127.0.0.1"),
    .callbacks = KUMO_CALLBACKS(parse_page, parse_product),
    .sitemap = &sm,
};

/* The spider reads sitemaps from paths a and b (b may be NULL), with sm as given. */
static void crawl(const char *a, const char *b, const char *const *kv)
{
    urls[0] = kumo_testserver_url(t.srv, a, url0, sizeof(url0));
    urls[1] = b ? kumo_testserver_url(t.srv, b, url1, sizeof(url1)) : NULL;
    urls[2] = NULL;
    sm.urls = urls;
    filtered = 0;
    cr_assert_eq(kumo_testcrawl_run(&t, &def, kv, NULL), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
}

static bool has(const char *path, const char *cb)
{
    char want[512];
    snprintf(want, sizeof(want), "\"url\": \"http://127.0.0.1:%d%s\", \"cb\": \"%s\"",
             kumo_testserver_port(t.srv), path, cb);
    return kumo_testcrawl_items_with(&t, want) == 1;
}

/* index -> nested index -> alt (alternates on); pages (filtered), pages.xml.gz, encoded.xml;
 * other/skipped.xml is not followed. */
Test(sitemap_crawl, nested_index_gzip_rules_follow_alternates_filter)
{
    sm = (kumo_sitemap_def){
        .rules = KUMO_SITEMAP_RULES({"/product/", "parse_product"}, {"", "parse_page"}),
        .follow = KUMO_LIST("/sitemap/[a-z]+\\.xml"),
        .alternate_links = true,
        .filter = old_out,
    };
    crawl("/sitemap/index.xml", NULL, NULL);
    cr_assert_eq(t.nitems, 8, "%zu items", t.nitems);
    cr_assert(has("/sitemap/page/en", "page"));
    cr_assert(has("/sitemap/page/de", "page"));
    cr_assert(has("/sitemap/page/fr", "page"));
    cr_assert(has("/sitemap/page/a", "page"));
    cr_assert(has("/sitemap/product/1", "product"));
    cr_assert(has("/sitemap/page/gz", "page"));
    cr_assert(has("/sitemap/product/gz", "product"));
    cr_assert(has("/sitemap/page/enc", "page"));
    cr_assert_eq(filtered, 1);                  /* page/b, of 2019 */
    cr_assert_eq(kumo_testserver_hits(t.srv, "/sitemap/other/skipped.xml"), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/sitemap/nested.xml"), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/WARNING", 0), 0);
}

/* Scrapy's defaults: every index loc followed, every loc to the first callback, no
 * alternates; a robots.txt's Sitemap: lines (any case, relative too) are sitemaps. */
Test(sitemap_crawl, robots_txt_and_defaults)
{
    sm = (kumo_sitemap_def){0};
    crawl("/sitemap/robots.txt", NULL, NULL);
    cr_assert_eq(t.nitems, 4, "%zu items", t.nitems);
    cr_assert(has("/sitemap/page/a", "page"));
    cr_assert(has("/sitemap/page/b", "page"));
    cr_assert(has("/sitemap/product/1", "page"));
    cr_assert(has("/sitemap/page/en", "page"));
    cr_assert_eq(kumo_testserver_hits(t.srv, "/sitemap/commented.xml"), 0);
}

/* A body that is not XML, or not a sitemap, is skipped with one WARNING each. */
Test(sitemap_crawl, not_a_sitemap)
{
    sm = (kumo_sitemap_def){0};
    crawl("/sitemap/notxml.xml", "/sitemap/notxml", SET("LOG_LEVEL", "WARNING"));
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/WARNING", 0), 2);
}

/* DOWNLOAD_MAXSIZE bounds the inflated body: a small gzip that inflates past it is skipped
 * with a WARNING, and the crawl goes on. */
Test(sitemap_crawl, gzip_past_maxsize)
{
    sm = (kumo_sitemap_def){0};
    crawl("/sitemap/big.xml.gz", "/sitemap/pages.xml", SET("DOWNLOAD_MAXSIZE", "65536",
                                                           "LOG_LEVEL", "WARNING"));
    cr_assert_eq(t.nitems, 3, "%zu items", t.nitems);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/WARNING", 0), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/response_count", 0), 5);
}

/* Without the limit the same sitemap is read whole. */
Test(sitemap_crawl, gzip_under_maxsize)
{
    sm = (kumo_sitemap_def){0};
    crawl("/sitemap/big.xml.gz", NULL, NULL);
    cr_assert_eq(t.nitems, 1, "%zu items", t.nitems);
    cr_assert(has("/sitemap/page/big", "page"));
    cr_assert_gt(kumo_testcrawl_stat(&t, "dupefilter/filtered", 0), 4000);
}
