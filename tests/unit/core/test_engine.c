/* test_engine.c - the engine on tiny local crawls: follows links once, stops, closes. */
#include <criterion/criterion.h>
#include "lib/crawl.h"
#include "core/crawler.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);    /* kumo_leakcheck_end() */
}

TestSuite(engine, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define STAT(k) kumo_testcrawl_stat(&t, k, 0)

Test(engine, start_requests_run_and_the_crawl_finishes)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL,
                                    SET("urls", "/ok,/text", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(t.nitems, 2);
    cr_assert_eq(STAT("scheduler/enqueued"), 2);
    cr_assert_eq(STAT("scheduler/dequeued"), 2);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "TextResponse"), 1);
}

/* /links/dupes links /ok five ways: the dupefilter lets one through. */
Test(engine, a_page_is_not_crawled_twice)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL, SET("urls", "/links/dupes")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(t.nitems, 2);
    cr_assert_eq(STAT("dupefilter/filtered"), 4);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/ok"), 1);
}

Test(engine, followed_links_are_crawled)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, SET("DEPTH_LIMIT", "1"),
                                    SET("urls", "/page/1")),
                 KUMO_OK, "%s", t.err);
    cr_assert_gt(t.nitems, 3, "links were followed");
    cr_assert_eq(STAT("item_scraped_count"), (int64_t)t.nitems);
    cr_assert_geq(STAT("response_received_count"), (int64_t)t.nitems);
}

Test(engine, close_spider_stops_the_crawl_with_its_reason)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, SET("CLOSESPIDER_ITEMCOUNT", "3"),
                                    SET("urls", "/page/1")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_itemcount");
    cr_assert_geq(t.nitems, 3);
}

Test(engine, a_failed_download_is_counted_not_fatal)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("RETRY_ENABLED", "0", "DOWNLOAD_TIMEOUT", "0.3"),
                                    SET("urls", "/never,/ok", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(t.nitems, 1);
    cr_assert_geq(STAT("downloader/exception_count"), 1);
}

/* The time per stage at close: every stage ran on these pages, and per page is total/pages. */
static void check_timing_stats(const char *threads)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("DEPTH_LIMIT", "1", "PARSE_THREADS", threads),
                                    SET("urls", "/page/1")),
                 KUMO_OK, "%s", t.err);
    double wall_us = (kumo_now() - kumo__crawler_start_time(t.c)) * 1e6;
    int64_t pages = STAT("response_received_count");
    cr_assert_gt(pages, 3);
    const char *stages[] = {"parse", "callback", "select", "engine", "download"};
    int64_t loop_us = 0;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(stages); i++) {
        char key[64];
        snprintf(key, sizeof(key), "timing/%s_us", stages[i]);
        int64_t us = STAT(key);
        cr_assert_gt(us, 0, "%s with PARSE_THREADS=%s", key, threads);
        if (strcmp(stages[i], "parse") != 0 || strcmp(threads, "0") == 0)
            loop_us += us;
        snprintf(key, sizeof(key), "timing/%s_us_per_page", stages[i]);
        const kumo_value *v = kumo_crawler_stats_get(t.c, key);
        cr_assert(v && v->type == KUMO_VAL_FLOAT, "%s is a float", key);
        cr_assert_float_eq(v->u.f, (double)us / (double)pages, 0.051, "%s: %f, %lld / %lld",
                           key, v->u.f, (long long)us, (long long)pages);
    }
    /* the loop thread's stages are exclusive: together within the crawl's wall time */
    cr_assert_leq((double)loop_us, wall_us, "%lld us of stages in %.0f us", (long long)loop_us,
                  wall_us);
}

Test(engine, the_time_per_stage_is_in_the_stats_at_close)
{
    check_timing_stats("0");
}

Test(engine, parse_threads_time_is_summed_into_the_stats)
{
    check_timing_stats("2");
}
