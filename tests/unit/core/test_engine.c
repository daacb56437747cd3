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
    /* with parse threads, parses, callbacks and their queries run on any thread */
    static const struct {
        const char *name;
        bool loop_only;
    } stages[] = {{"parse", false}, {"callback", false}, {"select", false},
                  {"engine", true}, {"download", true}};
    int64_t loop_us = 0;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(stages); i++) {
        char key[64];
        snprintf(key, sizeof(key), "timing/%s_us", stages[i].name);
        int64_t us = STAT(key);
        cr_assert_gt(us, 0, "%s with PARSE_THREADS=%s", key, threads);
        if (stages[i].loop_only || strcmp(threads, "0") == 0)
            loop_us += us;
        snprintf(key, sizeof(key), "timing/%s_us_per_page", stages[i].name);
        const kumo_value *v = kumo_crawler_stats_get(t.c, key);
        cr_assert(v && v->type == KUMO_VAL_FLOAT, "%s is a float", key);
        cr_assert_float_eq(v->u.f, (double)us / (double)pages, 0.051, "%s: %f, %lld / %lld",
                           key, v->u.f, (long long)us, (long long)pages);
    }
    /* the loop thread's own stages are exclusive: together within the crawl's wall time */
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

/* ---- the loop's lag and the scraper slot's bound ---- */

#include "core/crawler.h"
#include "core/engine.h"
#include <time.h>

static kumo_engine_status seen[16];
static size_t nseen;

/* A callback that holds the loop 150 ms (PARSE_THREADS=0: it runs on the loop). */
static void stall_parse(kumo_response *res, kumo_out *out)
{
    struct timespec ts = {0, 150 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_yield_item(out, item);
}

/* A callback that records the engine's status as it runs, then follows the page's links. */
static void status_parse(kumo_response *res, kumo_out *out)
{
    if (nseen < KUMO_ARRAY_LEN(seen))
        kumo__engine_status_get(kumo__crawler_engine(t.c), &seen[nseen++]);
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), status_parse);
}

static int two_start(kumo_spider *sp, kumo_out *out)
{
    const char *paths = kumo_spider_arg(sp, "paths", "/ok");
    kumo_callback_fn cb = strcmp(kumo_spider_arg(sp, "cb", "stall"), "stall") == 0
                              ? stall_parse : status_parse;
    while (*paths) {
        size_t n = strcspn(paths, ",");
        char one[128], url[256];
        snprintf(one, sizeof(one), "%.*s", (int)n, paths);
        kumo_testserver_url(t.srv, one, url, sizeof(url));
        kumo_yield_request(out, kumo_request_new(url, cb, NULL));
        paths += n + (paths[n] == ',');
    }
    return KUMO_OK;
}

static const kumo_spider_def lag_spider = {
    KUMO_SPIDER_HEADER,
    .name = "lag",
    .allowed_domains = KUMO_LIST("127.0.0.1"),
    .callbacks = KUMO_CALLBACKS(stall_parse, status_parse),
    .start_requests = two_start,
};

/* A callback that holds the loop 150 ms shows in engine/loop_lag_max_ms and in est(). */
Test(engine, loop_lag_is_measured)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &lag_spider, SET("PARSE_THREADS", "0"),
                                    SET("cb", "stall")), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    int64_t lag = STAT("engine/loop_lag_max_ms");
    cr_assert_geq(lag, 100, "engine/loop_lag_max_ms %lld", (long long)lag);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__engine_status_format(kumo__crawler_engine(t.c), &b);
    const char *st = kumo__buf_str(&b);
    cr_assert(strstr(st, "\nloop lag (ms)  max "), "%s", st);
    cr_assert(strstr(st, " >=500:"), "%s", st);
    size_t rows = 0;
    const char *table_end = strstr(st, " : ") ? strstr(strstr(st, " : "), "\n\n") : NULL;
    cr_assert(table_end, "%s", st);
    for (const char *p = st; (p = strstr(p, " : ")) && p < table_end; p++)
        rows++;
    cr_assert_eq(rows, 14, "Scrapy's table keeps its 14 rows:\n%s", st);
    kumo__buf_release(&b);
}

/*
 * SCRAPER_SLOT_MAX_ACTIVE_SIZE: a response waiting for its parse counts its body (at least
 * 1024 bytes) in engine.scraper.slot.active_size, shown by est(); past the limit the engine
 * backs out, and the crawl still gets through every page.  One transfer a slot: the next
 * request waits in the slot, and past the limit its download does not start either (a
 * second transfer started with the first could still be running during a callback).
 */
Test(engine, scraper_slot_bounds_active_bytes)
{
    const char *paths = "/big?size=3000,/big?size=3001,/big?size=3002,/text";
    for (int bounded = 1; bounded >= 0; bounded--) {
        nseen = 0;
        cr_assert_eq(kumo_testcrawl_run(&t, &lag_spider, SET("PARSE_THREADS", "1",
                                        "CONCURRENT_REQUESTS", "2",
                                        "CONCURRENT_REQUESTS_PER_DOMAIN", "1",
                                        "SCRAPER_SLOT_MAX_ACTIVE_SIZE",
                                        bounded ? "1000" : "1000000000"),
                                        SET("cb", "status", "paths", paths)), KUMO_OK, "%s",
                     t.err);
        cr_assert_eq(nseen, 4, "every page reached its callback");
        for (size_t i = 0; i < nseen; i++) {
            cr_assert_geq(seen[i].scraper_active_size, 1024, "page %zu", i);
            cr_assert_eq(seen[i].scraper_needs_backout, bounded, "page %zu", i);
            cr_assert(!bounded || seen[i].needs_backout || seen[i].downloader_transferring == 0);
        }
        cr_assert_eq(STAT("response_received_count"), 4);
    }
}

/* ---- bodies and documents alive at once ---- */

#include "http/response.h"
#include "mem/arena.h"
#include "select/css.h"

static size_t max_live, max_other_docs;

/* Bytes of documents alive: their arenas' chunks, counted as (xmlDoc, doc). */
static size_t doc_bytes(void)
{
    kumo_heap_counter c[512];
    size_t n = KUMO_MIN(kumo_heap_snapshot(c, KUMO_ARRAY_LEN(c)), KUMO_ARRAY_LEN(c)), b = 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].type == KUMO_T_XMLDOC && c[i].via == KUMO_V_DOC)
            b += c[i].bytes;
    return b;
}

/* A callback that counts the responses alive and the bytes of documents other than its
 * own (parsed ahead, or being parsed), and takes 20 ms: time for a worker to run ahead. */
static void count_parse(kumo_response *res, kumo_out *out)
{
    (void)out;
    struct timespec ts = {0, 30 * 1000 * 1000};
    nanosleep(&ts, NULL);
    size_t live = kumo_ref_count(&KUMO_CLASS(HtmlResponse));
    size_t own = res->doc ? kumo__arena_bytes(res->doc->arena) : 0, all = doc_bytes();
    max_live = KUMO_MAX(max_live, live);
    max_other_docs = KUMO_MAX(max_other_docs, all > own ? all - own : 0);
}

/* The first page's callback asks for the big pages: they go through the scheduler (start
 * requests would wait for the callbacks before them). */
static void fan_out(kumo_response *res, kumo_out *out)
{
    int n = atoi(kumo_spider_arg(res->spider, "pages", "1"));
    for (int i = 0; i < n; i++) {
        char path[64], url[256];
        snprintf(path, sizeof(path), "/big?size=%d", 500000 + i);
        kumo_testserver_url(t.srv, path, url, sizeof(url));
        kumo_yield_request(out, kumo_request_new(url, count_parse, NULL));
    }
}

static int big_start(kumo_spider *sp, kumo_out *out)
{
    (void)sp;
    char url[256];
    kumo_testserver_url(t.srv, "/ok", url, sizeof(url));
    kumo_yield_request(out, kumo_request_new(url, fan_out, NULL));
    return KUMO_OK;
}

static const kumo_spider_def big_spider = {
    KUMO_SPIDER_HEADER,
    .name = "big",
    .allowed_domains = KUMO_LIST("127.0.0.1"),
    .callbacks = KUMO_CALLBACKS(count_parse, fan_out),
    .start_requests = big_start,
};

/*
 * A document costs many times its body: one that would take SCRAPER_SLOT_MAX_ACTIVE_SIZE
 * with those out is parsed only once they are called back, and no body is downloaded while
 * the responses not called back take CONCURRENT_REQUESTS.  Every page still gets through.
 */
Test(engine, bodies_and_documents_alive_are_bounded)
{
    max_live = max_other_docs = 0;
    cr_assert_eq(kumo_testcrawl_run(&t, &big_spider, SET("PARSE_THREADS", "1",
                                    "CONCURRENT_REQUESTS", "4",
                                    "CONCURRENT_REQUESTS_PER_DOMAIN", "1",
                                    "SCRAPER_SLOT_MAX_ACTIVE_SIZE", "100000"),
                                    SET("pages", "12")), KUMO_OK, "%s", t.err);
    cr_assert_eq(STAT("response_received_count"), 13);
    /* a 500 KB page's document is megabytes: none was parsed ahead */
    cr_assert_leq(max_other_docs, 16 * 1024, "%zu bytes of other documents", max_other_docs);
    /* the one called back, and at most CONCURRENT_REQUESTS downloaded or downloading */
    cr_assert_leq(max_live, 5, "%zu responses alive", max_live);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(HtmlResponse)), 0, "documents die with them");
}
