/* test_urls.c - the urls kumo sends and the urls its responses carry, against Scrapy's:
 * requests percent-encoded as Request(url) does, responses without the #fragment. */
#include <criterion/criterion.h>
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

TestSuite(urls, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RUN(kv, ...) \
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, kv, SET(__VA_ARGS__)), \
                 KUMO_OK, "%s", t.err)

/* Asserts that exactly one item holds "KEY": "VALUE", VALUE with the server's url. */
static void expect_field(const char *key, const char *value, bool absolute)
{
    char url[256], needle[512];
    snprintf(needle, sizeof(needle), "\"%s\": \"%s\"", key,
             absolute ? kumo_testserver_url(t.srv, value, url, sizeof(url)) : value);
    cr_expect_eq(kumo_testcrawl_items_with(&t, needle), 1, "no item with %s in %zu: %s", needle,
                 t.nitems, t.nitems ? t.items[0] : "");
}

/* kumo crawl follow -a 'url=http://HOST/start/ツ?q=é' sends what Scrapy sends. */
Test(urls, request_line_encoded_as_scrapy)
{
    RUN(NULL, "urls", "/echo/\343\203\204?q=\303\251", "follow", "0");
    cr_assert_eq(t.nitems, 1);
    expect_field("title", "/echo/%E3%83%84?q=%C3%A9", false);
    expect_field("url", "/echo/%E3%83%84?q=%C3%A9", true);
}

/* Spaces, an existing escape (kept in its case), a stray '%', a quote in the query. */
Test(urls, request_line_spaces_escapes_quotes)
{
    RUN(NULL, "urls", "/echo/a b/%7e/100%?x=a b&y='", "follow", "0");
    cr_assert_eq(t.nitems, 1);
    expect_field("title", "/echo/a%20b/%7e/100%?x=a%20b&y=%27", false);
    expect_field("url", "/echo/a%20b/%7e/100%?x=a%20b&y=%27", true);
}

/* Scrapy fetches urldefrag(request.url): response.url has no #fragment. */
Test(urls, response_url_has_no_fragment)
{
    RUN(NULL, "urls", "/echo/a#frag", "follow", "0");
    cr_assert_eq(t.nitems, 1);
    expect_field("title", "/echo/a", false);
    expect_field("url", "/echo/a", true);
}

/* After a redirect to a url with a fragment too. */
Test(urls, redirected_response_url_has_no_fragment)
{
    RUN(NULL, "urls", "/redirect/302?to=/echo/b%23top", "follow", "0");
    cr_assert_eq(t.nitems, 1);
    expect_field("title", "/echo/b", false);
    expect_field("url", "/echo/b", true);
}
