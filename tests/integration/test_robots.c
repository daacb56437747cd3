/* test_robots.c - real crawls with ROBOTSTXT_OBEY: robots.txt fetched once, obeyed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/crawl.h"
#include "lib/routes.h"
#include "core/item.h"
#include "core/spider.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_ts_robots_set(0, NULL, NULL);
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
    kumo_ts_robots_set(0, NULL, NULL);
}

TestSuite(robots_crawl, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define URLS "/ok,/text,/status/200,/json"

static void crawl(const char *const *kv)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, kv,
                                    SET("urls", URLS, "follow", "0")), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
}

/* What each answer to /robots.txt means for the four start urls. */
static const struct {
    int status;
    const char *location;
    const char *body;
    size_t items;               /* responses the spider got */
    int64_t forbidden;
    unsigned robots_hits;       /* requests for /robots.txt the server saw */
    int final;                  /* the status robotstxt/response_status_count counts, or 0 */
} cases[] = {
    {200, NULL, "User-agent: *\nDisallow: /status/\nDisallow: /json$\n", 2, 2, 1, 200},
    {200, NULL, "User-agent: kumo\nDisallow: /\n\nUser-agent: *\nAllow: /\n", 0, 4, 1, 200},
    {200, NULL, "User-agent: otherbot\nDisallow: /\n", 4, -1, 1, 200},
    {404, NULL, "User-agent: *\nDisallow: /\n", 4, -1, 1, 404},
    {500, NULL, "", 0, 4, 3, 500},          /* retried twice, then disallow all */
    {302, "/robots/real.txt", "User-agent: *\nDisallow: /text\n", 3, 1, 1, 200},
    {302, "/robots.txt", "User-agent: *\nDisallow: /\n", 4, -1, 6, 0},  /* 5 redirects */
};

Test(robots_crawl, answers)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        if (i) {
            kumo_testcrawl_fini(&t);
            kumo_testcrawl_init(&t);
        }
        kumo_ts_robots_set(cases[i].status, cases[i].location, cases[i].body);
        crawl(SET("ROBOTSTXT_OBEY", "1", "USER_AGENT", "kumo/0.1 (+https://kumo.test)",
                  "RETRY_TIMES", "2"));
        cr_assert_eq(t.nitems, cases[i].items, "case %zu: %zu items", i, t.nitems);
        cr_assert_eq(kumo_testcrawl_stat(&t, "robotstxt/forbidden", -1), cases[i].forbidden,
                     "case %zu", i);
        cr_assert_eq(kumo_testcrawl_stat(&t, "robotstxt/request_count", -1), 1, "case %zu", i);
        cr_assert_eq(kumo_testserver_hits(t.srv, "/robots.txt"), cases[i].robots_hits,
                     "case %zu", i);
        char key[64];
        snprintf(key, sizeof(key), "robotstxt/response_status_count/%d", cases[i].final);
        cr_assert_eq(kumo_testcrawl_stat(&t, key, -1), cases[i].final ? 1 : -1, "case %zu: %s",
                     i, key);
        cr_assert_eq(kumo_testcrawl_stat(&t, "robotstxt/response_count", -1),
                     cases[i].final ? 1 : -1, "case %zu", i);
    }
}

/* The first page's own robots.txt decides; the ignored requests are not errors. */
Test(robots_crawl, forbidden_logged)
{
    char logpath[64];
    snprintf(logpath, sizeof(logpath), "/tmp/kumo-robots-%d.log", (int)getpid());
    unlink(logpath);
    kumo_ts_robots_set(200, NULL, "User-agent: *\nDisallow: /text\n");
    crawl(SET("ROBOTSTXT_OBEY", "1", "LOG_LEVEL", "DEBUG", "LOG_FILE", logpath));
    char log[65536];
    FILE *f = fopen(logpath, "r");
    cr_assert_not_null(f);
    size_t n = fread(log, 1, sizeof(log) - 1, f);
    fclose(f);
    unlink(logpath);
    log[n] = '\0';
    char want[300], url[200];
    kumo_testserver_url(t.srv, "/text", url, sizeof(url));
    snprintf(want, sizeof(want), "[kumo.downloadermiddlewares.robotstxt] DEBUG: "
             "Forbidden by robots.txt: <GET %s>", url);
    cr_assert_not_null(strstr(log, want), "log lacks <%s>:\n%s", want, log);
    kumo_testserver_url(t.srv, "/robots.txt", url, sizeof(url));
    snprintf(want, sizeof(want), "Crawled (200) <GET %s>", url);
    cr_assert_not_null(strstr(log, want), "log lacks <%s>:\n%s", want, log);
    cr_assert_null(strstr(log, "ERROR"), "%s", log);
    cr_assert_eq(t.nitems, 3);
    cr_assert_eq(kumo_testcrawl_stat(&t, "robotstxt/forbidden", -1), 1);
}

/* ROBOTSTXT_OBEY off (the default): robots.txt is never asked for. */
Test(robots_crawl, off_by_default)
{
    kumo_ts_robots_set(200, NULL, "User-agent: *\nDisallow: /\n");
    crawl(NULL);
    cr_assert_eq(t.nitems, 4);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/robots.txt"), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "robotstxt/request_count", -1), -1);
}

/* ROBOTSTXT_USER_AGENT picks the group. */
Test(robots_crawl, robots_user_agent)
{
    kumo_ts_robots_set(200, NULL, "User-agent: special\nDisallow: /ok\n");
    crawl(SET("ROBOTSTXT_OBEY", "1", "ROBOTSTXT_USER_AGENT", "Special"));
    cr_assert_eq(t.nitems, 3);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "/ok\""), 0);
}

/* A spider that records the delay of its response's download slot at callback time. */
static void delay_parse(kumo_response *res, kumo_out *out)
{
    kumo_spider *sp = kumo_response_spider(res);
    const char *slot = kumo_map_get_str(kumo_response_meta(res), "download_slot", "");
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "url", kumo_val_str(kumo_response_url(res)));
    kumo_item_set(item, "delay", kumo_val_float(kumo_crawler_slot_delay(sp->c, slot)));
    kumo_yield_item(out, item);
}

static int delay_start(kumo_spider *sp, kumo_out *out)
{
    static const char *const paths[] = {"/ok", "/text", "/status/200"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(paths); i++) {
        char url[128];
        kumo_testserver_url(t.srv, paths[i], url, sizeof(url));
        kumo_yield_request(out, kumo_request_new(url, delay_parse, NULL));
    }
    return KUMO_OK;
}

static const kumo_spider_def delay_spider = {
    KUMO_SPIDER_HEADER,
    .name = "crawl_delay",
    .callbacks = KUMO_CALLBACKS(delay_parse),
    .start_requests = delay_start,
};

/* ROBOTSTXT_CRAWL_DELAY: the Crawl-delay of our group is the slot's delay, never lowered
 * below it; off (the default, as Scrapy) it changes nothing. */
Test(robots_crawl, crawl_delay_becomes_the_slot_delay)
{
    kumo_ts_robots_set(200, NULL, "User-agent: otherbot\nCrawl-delay: 9\n\n"
                                  "User-agent: *\nCrawl-delay: 0.2\nDisallow: /json\n");
    cr_assert_eq(kumo_testcrawl_run(&t, &delay_spider,
                                    SET("ROBOTSTXT_OBEY", "1", "ROBOTSTXT_CRAWL_DELAY", "1",
                                        "DOWNLOAD_DELAY", "0.1"), NULL), KUMO_OK, "%s", t.err);
    for (size_t i = 0; i < t.nitems; i++)
        cr_log_info("%s", t.items[i]);
    cr_assert_eq(t.nitems, 3);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"delay\": 0.2"), 3);
    cr_assert_eq(kumo_testcrawl_stat(&t, "robotstxt/crawl_delay_count", 0), 1);

    /* a smaller Crawl-delay than DOWNLOAD_DELAY leaves the larger delay */
    kumo_testcrawl_fini(&t);
    kumo_testcrawl_init(&t);
    kumo_ts_robots_set(200, NULL, "User-agent: *\nCrawl-delay: 0.05\n");
    cr_assert_eq(kumo_testcrawl_run(&t, &delay_spider,
                                    SET("ROBOTSTXT_OBEY", "1", "ROBOTSTXT_CRAWL_DELAY", "1",
                                        "DOWNLOAD_DELAY", "0.1"), NULL), KUMO_OK, "%s", t.err);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"delay\": 0.1"), 3);

    /* off by default */
    kumo_testcrawl_fini(&t);
    kumo_testcrawl_init(&t);
    kumo_ts_robots_set(200, NULL, "User-agent: *\nCrawl-delay: 0.2\n");
    cr_assert_eq(kumo_testcrawl_run(&t, &delay_spider, SET("ROBOTSTXT_OBEY", "1"), NULL),
                 KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 3);
    /* a slot without a delay is forgotten when idle: -1 or 0, never the Crawl-delay */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"delay\": 0.2"), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "robotstxt/crawl_delay_count", 0), 0);
}
