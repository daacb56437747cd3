/* test_crawl.c - real crawls against the in-process test server: redirects, errors,
 * retries, compression, offsite and duplicate links, relative urls, depth, sizes, timeouts. */
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

TestSuite(crawl, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define RUN(kv, ...) \
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, kv, SET(__VA_ARGS__)), \
                 KUMO_OK, "%s", t.err)
#define STAT(k) kumo_testcrawl_stat(&t, k, 0)
#define HITS(p) kumo_testserver_hits(t.srv, p)

Test(crawl, finishes_with_stats)
{
    RUN(NULL, "urls", "/ok");
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(STAT("response_received_count"), 1);
    cr_assert_eq(STAT("downloader/response_status_count/200"), 1);
    cr_assert_eq(STAT("item_scraped_count"), 1);
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"class\": \"HtmlResponse\""), 1);
}

/* Each redirect code ends at /ok; the redirected request went through the scheduler. */
Test(crawl, redirects)
{
    static const struct {
        const char *path;
        const char *stat;
    } cases[] = {
        {"/redirect/301?to=/ok", "downloader/response_status_count/301"},
        {"/redirect/302?to=/ok", "downloader/response_status_count/302"},
        {"/redirect/307?to=/ok", "downloader/response_status_count/307"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        RUN(NULL, "urls", cases[i].path, "follow", "0");
        cr_assert_eq(STAT(cases[i].stat), 1, "%s", cases[i].path);
        cr_assert_eq(t.nitems, 1, "%s", cases[i].path);
        cr_assert_eq(kumo_testcrawl_items_with(&t, "/ok\""), 1, "%s", cases[i].path);
    }
    cr_assert_eq(HITS("/ok"), 3);
}

Test(crawl, redirect_chain_stopped_by_max_times)
{
    RUN(SET("REDIRECT_MAX_TIMES", "3"), "urls", "/redirect/chain/6");
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(HITS("/ok"), 0);
    cr_assert_eq(STAT("downloader/response_status_count/302"), 4);
    RUN(SET("REDIRECT_MAX_TIMES", "3"), "urls", "/redirect/loop");
    cr_assert_eq(t.nitems, 0);
    cr_assert_leq(HITS("/redirect/loop"), 4);
}

Test(crawl, not_found_is_not_retried)
{
    RUN(NULL, "urls", "/status/404");
    cr_assert_eq(HITS("/status/404"), 1);
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(STAT("httperror/response_ignored_count"), 1);
    cr_assert_eq(STAT("httperror/response_ignored_status_count/404"), 1);
}

Test(crawl, server_error_retried_then_given_up)
{
    RUN(NULL, "urls", "/status/500");
    cr_assert_eq(HITS("/status/500"), 3);       /* the first try and RETRY_TIMES=2 */
    cr_assert_eq(STAT("retry/count"), 2);
    cr_assert_eq(STAT("retry/max_reached"), 1);
    cr_assert_eq(t.nitems, 0);
}

Test(crawl, gzip_and_deflate_are_decoded)
{
    RUN(NULL, "urls", "/gzip,/deflate,/ok", "follow", "0");
    cr_assert_eq(t.nitems, 3);
    cr_assert_eq(STAT("httpcompression/response_count"), 2);
    /* the three pages have the same title once decoded */
    char title[256];
    const char *p = strstr(t.items[0], "\"title\": ");
    cr_assert(p);
    snprintf(title, sizeof(title), "%.*s", (int)strcspn(p, ","), p);
    cr_assert_eq(kumo_testcrawl_items_with(&t, title), 3, "%s", title);
}

Test(crawl, offsite_links_dropped)
{
    RUN(NULL, "urls", "/links/offsite");
    cr_assert_eq(HITS("/ok"), 1);
    cr_assert_eq(STAT("offsite/filtered"), 2);  /* elsewhere.invalid and localhost */
    cr_assert_eq(STAT("offsite/domains"), 2);
}

Test(crawl, duplicate_links_fetched_once)
{
    RUN(NULL, "urls", "/links/dupes,/ok");
    cr_assert_eq(HITS("/ok"), 1);
    cr_assert_eq(HITS("/links/dupes"), 1);
    cr_assert_geq(STAT("dupefilter/filtered"), 4);
}

Test(crawl, relative_and_base_urls)
{
    RUN(NULL, "urls", "/links/base/");
    cr_assert_geq(HITS("/links/relative/a.html"), 1);   /* and a.html?q=1 */
    cr_assert_geq(HITS("/links/relative/b.html"), 1);
    cr_assert_eq(HITS("/links/base/a.html"), 0);
}

Test(crawl, link_schemes_never_fetched)
{
    RUN(NULL, "urls", "/links/schemes");
    cr_assert_eq(HITS("/ok"), 1);
    cr_assert_eq(t.nitems, 2);
    cr_assert_eq(STAT("downloader/request_count"), 2);
}

Test(crawl, depth_limit)
{
    RUN(SET("DEPTH_LIMIT", "3"), "urls", "/depth/0");
    cr_assert_eq(HITS("/depth/3"), 1);
    cr_assert_eq(HITS("/depth/4"), 0);
    cr_assert_eq(STAT("request_depth_max"), 3);
    cr_assert_eq(t.nitems, 4);
}

Test(crawl, non_html_bodies)
{
    RUN(NULL, "urls", "/binary,/json,/text", "follow", "0");
    cr_assert_eq(t.nitems, 3);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"class\": \"Response\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"class\": \"TextResponse\""), 2);
}

Test(crawl, body_over_maxsize_is_cancelled)
{
    RUN(SET("DOWNLOAD_MAXSIZE", "50000"), "urls", "/big?size=100000,/big?size=1000", "follow",
        "0");
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(HITS("/big"), 2);      /* too big is not retried */
}

Test(crawl, gzip_bomb_stops_at_maxsize)
{
    RUN(SET("DOWNLOAD_MAXSIZE", "1048576"), "urls", "/gzipbomb");
    cr_assert_eq(t.nitems, 0);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
}

Test(crawl, server_that_never_answers_times_out)
{
    RUN(SET("DOWNLOAD_TIMEOUT", "1", "RETRY_TIMES", "1"), "urls", "/never");
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(HITS("/never"), 2);
    cr_assert_eq(STAT("retry/count"), 1);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
}

Test(crawl, connection_refused_is_an_error)
{
    RUN(SET("RETRY_ENABLED", "0"), "urls", "http://127.0.0.1:1/");
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(STAT("downloader/exception_count"), 1);
}

Test(crawl, closespider_pagecount)
{
    RUN(SET("CLOSESPIDER_PAGECOUNT", "3", "CONCURRENT_REQUESTS", "1"), "urls", "/depth/0");
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_pagecount");
    cr_assert_leq(STAT("response_received_count"), 4);
}

Test(crawl, closespider_itemcount)
{
    RUN(SET("CLOSESPIDER_ITEMCOUNT", "2", "CONCURRENT_REQUESTS", "1"), "urls", "/depth/0");
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_itemcount");
    cr_assert_leq(t.nitems, 3);
}

Test(crawl, closespider_timeout)
{
    RUN(SET("CLOSESPIDER_TIMEOUT", "0.5", "DOWNLOAD_TIMEOUT", "30"), "urls", "/never");
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_timeout");
}

Test(crawl, default_headers_and_user_agent_sent)
{
    RUN(SET("USER_AGENT", "probe-agent/1"), "urls", "/headers", "follow", "0");
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "User-Agent: probe-agent/1"), 1, "%s", t.items[0]);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "Accept-Language: en"), 1, "%s", t.items[0]);
}

Test(crawl, bad_setting_is_a_clear_error)
{
    cr_assert_neq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                     SET("DOWNLOADER_MIDDLEWARES", "{\"Nope\": 1}"), NULL),
                  KUMO_OK);
    cr_assert(strstr(t.err, "Nope"), "%s", t.err);
}

/* ---- Ctrl-C: the first SIGINT closes gracefully, the second at once ---- */

#include <signal.h>
#include <pthread.h>

static int sigints_to_send;

static void sigint_parse(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_yield_item(out, item);
    if (kumo_response_depth(res) == 2 || strstr(kumo_response_url(res), "/ok"))
        for (; sigints_to_send > 0; sigints_to_send--)
            raise(SIGINT);
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), sigint_parse);
}

static int sigint_start(kumo_spider *sp, kumo_out *out)
{
    char url[256];
    const char *const paths[] = {kumo_spider_arg(sp, "first", "/depth/0"),
                                 kumo_spider_arg(sp, "second", NULL)};
    for (size_t i = 0; i < 2 && paths[i]; i++)
        kumo_yield_request(out, kumo_request_new(kumo_testserver_url(t.srv, paths[i], url,
                                                                     sizeof(url)),
                                                 sigint_parse, NULL));
    return KUMO_OK;
}

static const kumo_spider_def sigint_spider = {
    KUMO_SPIDER_HEADER,
    .name = "sigint",
    .callbacks = KUMO_CALLBACKS(sigint_parse),
    .start_requests = sigint_start,
};

Test(crawl, first_sigint_closes_gracefully)
{
    sigints_to_send = 1;
    cr_assert_eq(kumo_testcrawl_run(&t, &sigint_spider, SET("CONCURRENT_REQUESTS", "1"), NULL),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "shutdown");
    /* depth 0, 1, 2, and at most the one request started before the signal was read */
    cr_assert_geq(t.nitems, 3);
    cr_assert_leq(t.nitems, 4);
    cr_assert_eq(HITS("/depth/4"), 0);
}

Test(crawl, sigint_lets_transfers_in_flight_finish)
{
    sigints_to_send = 1;
    cr_assert_eq(kumo_testcrawl_run(&t, &sigint_spider, NULL,
                                    SET("first", "/slow?ms=300", "second", "/ok")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "shutdown");
    cr_assert_eq(t.nitems, 2, "the slow page was still scraped");
}

Test(crawl, second_sigint_stops_at_once)
{
    sigints_to_send = 2;
    cr_assert_eq(kumo_testcrawl_run(&t, &sigint_spider, NULL,
                                    SET("first", "/never", "second", "/ok")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "shutdown");
    cr_assert_eq(t.nitems, 1, "only /ok; /never was abandoned");
}

/* Parsing in worker threads gives the same crawl as parsing on the loop. */
Test(crawl, parse_threads_same_result)
{
    RUN(SET("PARSE_THREADS", "0"), "urls", "/,/links/base/");
    size_t lazy = t.nitems;
    int64_t reqs = STAT("downloader/request_count");
    RUN(SET("PARSE_THREADS", "2"), "urls", "/,/links/base/");
    cr_assert_eq(t.nitems, lazy);
    cr_assert_eq(STAT("downloader/request_count"), reqs);
    cr_assert_gt(lazy, 20);
}

/* One transfer at a time makes the crawl's order deterministic: parse threads keep it, items
 * and requests in the same order as parsing on the loop (a response waiting for its parse
 * holds its place in CONCURRENT_REQUESTS, documents come back in submission order). */
Test(crawl, parse_threads_same_order)
{
    RUN(SET("PARSE_THREADS", "0", "CONCURRENT_REQUESTS", "1"), "urls", "/,/links/base/");
    size_t n = t.nitems;
    char **lazy = calloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        lazy[i] = strdup(t.items[i]);
    cr_assert_gt(n, 20);
    const char *const threads[] = {"1", "2", "auto"};
    for (size_t k = 0; k < KUMO_ARRAY_LEN(threads); k++) {
        RUN(SET("PARSE_THREADS", threads[k], "CONCURRENT_REQUESTS", "1"), "urls",
            "/,/links/base/");
        cr_assert_eq(t.nitems, n, "PARSE_THREADS=%s", threads[k]);
        for (size_t i = 0; i < n; i++)
            cr_assert_str_eq(t.items[i], lazy[i], "PARSE_THREADS=%s, item %zu", threads[k], i);
    }
    for (size_t i = 0; i < n; i++)
        free(lazy[i]);
    free(lazy);
}

/* Where callbacks run: with parse threads, an HTML page's callback runs on a worker, or on
 * the loop when it lends a hand (test_parsepool.c shows the workers do), one at a time; its
 * log lines are written and counted (log_count) on the loop all the same.  PARSE_THREADS=0
 * keeps them all on the loop. */
static pthread_t loop_thread;
static int on_loop, off_loop, inside, overlaps;

static void where_parse(kumo_response *res, kumo_out *out)
{
    if (__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST) != 1)
        __atomic_add_fetch(&overlaps, 1, __ATOMIC_SEQ_CST);
    if (pthread_equal(pthread_self(), loop_thread))
        on_loop++;
    else
        off_loop++;
    kumo_spider_log(kumo_response_spider(res), "ERROR", "(expected) called back for %s",
                    kumo_response_url(res));
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_yield_item(out, item);
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), where_parse);
    __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
}

static int where_start(kumo_spider *sp, kumo_out *out)
{
    char url[256];
    kumo_yield_request(out, kumo_request_new(kumo_testserver_url(t.srv, "/depth/0", url,
                                                                 sizeof(url)),
                                             where_parse, NULL));
    return KUMO_OK;
}

static const kumo_spider_def where_spider = {
    KUMO_SPIDER_HEADER,
    .name = "where",
    .callbacks = KUMO_CALLBACKS(where_parse),
    .start_requests = where_start,
};

Test(crawl, callbacks_run_on_parse_threads_one_at_a_time)
{
    loop_thread = pthread_self();
    const char *const threads[] = {"0", "1", "2"};
    for (size_t k = 0; k < KUMO_ARRAY_LEN(threads); k++) {
        on_loop = off_loop = inside = overlaps = 0;
        cr_assert_eq(kumo_testcrawl_run(&t, &where_spider,
                                        SET("PARSE_THREADS", threads[k], "DEPTH_LIMIT", "5"),
                                        NULL),
                     KUMO_OK, "%s", t.err);
        cr_assert_eq(t.nitems, 6, "PARSE_THREADS=%s", threads[k]);
        cr_assert_eq(on_loop + off_loop, 6);
        cr_assert_eq(overlaps, 0);
        if (k == 0)     /* with threads, where each one runs depends on who is free first */
            cr_assert_eq(off_loop, 0, "PARSE_THREADS=0: on the loop");
        cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/ERROR", 0), 6,
                     "PARSE_THREADS=%s: the callbacks' log lines are counted", threads[k]);
    }
}

/* Politeness: lower bounds only (a loaded machine can only make a crawl slower). */
Test(crawl, download_delay_spaces_requests)
{
    double t0 = kumo_now();
    RUN(SET("DOWNLOAD_DELAY", "0.25", "RANDOMIZE_DOWNLOAD_DELAY", "0", "DEPTH_LIMIT", "3"),
        "urls", "/depth/0");
    cr_assert_eq(t.nitems, 4);
    cr_assert_geq(kumo_now() - t0, 0.75, "four pages, 250 ms apart");
}

Test(crawl, per_domain_concurrency_serialises_a_slow_site)
{
    double t0 = kumo_now();
    RUN(SET("CONCURRENT_REQUESTS_PER_DOMAIN", "1", "CONCURRENT_REQUESTS", "8"), "urls",
        "/slow?ms=200&a=1,/slow?ms=200&a=2,/slow?ms=200&a=3,/slow?ms=200&a=4", "follow", "0");
    cr_assert_eq(t.nitems, 4);
    cr_assert_geq(kumo_now() - t0, 0.8, "four 200 ms pages one at a time take 800 ms");
    t0 = kumo_now();
    RUN(SET("CONCURRENT_REQUESTS_PER_DOMAIN", "4", "CONCURRENT_REQUESTS", "8"), "urls",
        "/slow?ms=200&b=1,/slow?ms=200&b=2,/slow?ms=200&b=3,/slow?ms=200&b=4", "follow", "0");
    cr_assert_eq(t.nitems, 4);
}

/* DNS_RESOLVE sends a name the resolver does not know to the test server (curl --resolve):
 * the request keeps its url and Host header. */
Test(crawl, dns_resolve_maps_a_host_to_an_address)
{
    int port = kumo_testserver_port(t.srv);
    char entry[64], url[64], other[64];
    snprintf(entry, sizeof(entry), "kumo.test:%d:127.0.0.1", port);
    snprintf(url, sizeof(url), "http://kumo.test:%d/", port);
    snprintf(other, sizeof(other), "http://kumo.test:%d/headers", port);
    char urls[160];
    snprintf(urls, sizeof(urls), "%s,%s", url, other);
    RUN(SET("DNS_RESOLVE", entry, "RETRY_ENABLED", "0"), "urls", urls, "follow", "0");
    cr_assert_eq(STAT("downloader/response_status_count/200"), 2);
    cr_assert_eq(t.nitems, 2);
    char want[96];
    snprintf(want, sizeof(want), "\"url\": \"%s\"", url);
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1, "%s", t.items[0]);
    snprintf(want, sizeof(want), "Host: kumo.test:%d", port);
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1, "%s %s", t.items[0], t.items[1]);
    cr_assert_eq(HITS("/"), 1);
}

/* A malformed entry stops the crawl before it starts, naming the entry. */
Test(crawl, dns_resolve_bad_entry_is_a_clear_error)
{
    static const char *const bad[] = {
        "kumo.test:80",             /* no address */
        "kumo.test:http:127.0.0.1", /* the port */
        "kumo.test:0:127.0.0.1",
        "kumo.test:80:localhost",   /* the address must be an address */
        ":80:127.0.0.1",            /* no host */
        "kumo.test:80:127.0.0.1:9", /* an address with a port */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char list[128];
        snprintf(list, sizeof(list), "ok.test:80:[::1],%s", bad[i]);
        cr_assert_neq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                         SET("DNS_RESOLVE", list), NULL), KUMO_OK);
        char want[96];
        snprintf(want, sizeof(want), "invalid DNS_RESOLVE entry '%s': ", bad[i]);
        cr_assert(strstr(t.err, want), "%s", t.err);
        cr_assert_null(strchr(t.err, '\n'), "%s", t.err);
    }
}

/*
 * A page of 600 links, each twice, as a table of contents has: with parse threads its
 * callback's requests go to the loop in parts while it runs (the dupefilter drops the
 * second of each at once).  The crawl is the same as with PARSE_THREADS=0: items, their
 * order (one request at a time), the dupefilter's and the scheduler's counts, the log lines.
 */
static void wide_parse(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_yield_item(out, item);
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++) {
        if (i % 100 == 0)
            kumo_spider_log(kumo_response_spider(res), "ERROR", "(expected) link %zu of %s", i,
                            kumo_response_url(res));
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), wide_parse);
    }
}

/* The wide pages' spiders start at -a path=P, their first callback for it. */
static int wide_start(kumo_spider *sp, kumo_out *out)
{
    char url[256];
    kumo_testserver_url(t.srv, kumo_spider_arg(sp, "path", "/"), url, sizeof(url));
    kumo_yield_request(out, kumo_request_new(url, NULL, NULL));
    return KUMO_OK;
}

static const kumo_spider_def wide_spider = {
    KUMO_SPIDER_HEADER,
    .name = "wide",
    .callbacks = KUMO_CALLBACKS(wide_parse),
    .start_requests = wide_start,
};

Test(crawl, a_wide_page_streams_and_crawls_the_same)
{
    const char *const threads[] = {"0", "1", "2", "auto"};
    char **first = NULL;
    size_t n = 0;
    int64_t filtered = 0, enqueued = 0, errors = 0;
    for (size_t k = 0; k < KUMO_ARRAY_LEN(threads); k++) {
        cr_assert_eq(kumo_testcrawl_run(&t, &wide_spider,
                                        SET("PARSE_THREADS", threads[k],
                                            "CONCURRENT_REQUESTS", "1"),
                                        SET("path", "/wide/600")),
                     KUMO_OK, "%s", t.err);
        if (k == 0) {
            n = t.nitems;
            cr_assert_eq(n, 601, "the wide page and its 600 pages");
            first = calloc(n, sizeof(char *));
            for (size_t i = 0; i < n; i++)
                first[i] = strdup(t.items[i]);
            filtered = STAT("dupefilter/filtered");
            enqueued = STAT("scheduler/enqueued");
            errors = STAT("log_count/ERROR");
            cr_assert_eq(filtered, 1 + 600 + 600, "its link to itself, each second link, "
                         "each page's link back");
            cr_assert_eq(errors, 13 + 600, "a line every 100 links");
            continue;
        }
        cr_assert_eq(t.nitems, n, "PARSE_THREADS=%s", threads[k]);
        for (size_t i = 0; i < n; i++)
            cr_assert_str_eq(t.items[i], first[i], "PARSE_THREADS=%s, item %zu", threads[k], i);
        cr_assert_eq(STAT("dupefilter/filtered"), filtered, "PARSE_THREADS=%s", threads[k]);
        cr_assert_eq(STAT("scheduler/enqueued"), enqueued, "PARSE_THREADS=%s", threads[k]);
        cr_assert_eq(STAT("log_count/ERROR"), errors, "PARSE_THREADS=%s", threads[k]);
    }
    for (size_t i = 0; i < n; i++)
        free(first[i]);
    free(first);
}

/*
 * The property itself: while the callback of a page of 2,000 links (4,000 requests, half of
 * them duplicates) still runs on a parse thread, the loop has taken its first requests to the
 * dupefilter, which drops the duplicates, and to the scheduler, which keeps the others
 * packed: the Request objects alive (the tagged heap's count of their blocks, which packed
 * ones are not) drop below what the callback made.  Without parts they would all live until
 * it returns.
 */
static size_t live_at_end, made;

static size_t request_objects(void)
{
    kumo_heap_counter hc[1024];
    size_t n = kumo_heap_snapshot(hc, KUMO_ARRAY_LEN(hc)), k = 0;
    for (size_t i = 0; i < n && i < KUMO_ARRAY_LEN(hc); i++)
        if (hc[i].type == KUMO_T_REQUEST)
            k += hc[i].count;
    return k;
}

static void holding_parse(kumo_response *res, kumo_out *out)
{
    if (strstr(kumo_response_url(res), "/wide/2000/"))
        return;
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    made = kumo_list_len(hrefs);
    for (size_t i = 0; i < made; i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), holding_parse);
    /* wait (boundedly) for the loop to take the parts: deterministic, no timing asserted */
    live_at_end = request_objects();
    for (int i = 0; i < 10000 && live_at_end >= made / 2; i++) {
        usleep(1000);
        live_at_end = request_objects();
    }
}

static const kumo_spider_def holding_spider = {
    KUMO_SPIDER_HEADER,
    .name = "holding",
    .callbacks = KUMO_CALLBACKS(holding_parse),
    .start_requests = wide_start,
};

Test(crawl, a_callbacks_requests_reach_the_scheduler_while_it_runs)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &holding_spider,
                                    SET("PARSE_THREADS", "1", "CONCURRENT_REQUESTS", "1",
                                        "CLOSESPIDER_PAGECOUNT", "3"),
                                    SET("path", "/wide/2000")),
                 KUMO_OK, "%s", t.err);
    cr_assert_eq(made, 4001, "the link back and 2,000 links twice");
    cr_assert_lt(live_at_end, made / 2, "%zu requests alive of %zu made", live_at_end, made);
}
