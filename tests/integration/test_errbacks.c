/* test_errbacks.c - real crawls: errbacks get the failures Scrapy gives them (HttpError,
 * connection refused, timeout, IgnoreRequest) and what they emit is crawled; callbacks get
 * their cb_kwargs. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "lib/crawl.h"
#include "core/item.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
}

TestSuite(errbacks, .init = setup, .fini = teardown, .timeout = 60);

/* Callbacks and the errback turn what they get into items. */
static void parse(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "url", kumo_val_str(kumo_response_url(res)));
    kumo_map *kw = kumo_response_cb_kwargs(res);
    for (size_t i = 0; kw && i < kw->len; i++)
        kumo_item_set(item, kw->e[i].key, kumo_val_copy(&kw->e[i].val));
    kumo_yield_item(out, item);
}

static void on_error(kumo_failure *f, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_request *req = kumo_failure_request(f);
    kumo_item_set(item, "failed", kumo_val_str(kumo_request_url(req)));
    kumo_item_set(item, "type", kumo_val_str(kumo_failure_type(f)));
    kumo_response *res = kumo_failure_response(f);
    if (res)
        kumo_item_set(item, "status", kumo_val_int(kumo_response_status(res)));
    kumo_item_set(item, "message", kumo_val_str(kumo_failure_message(f)));
    kumo_yield_item(out, item);
    /* what an errback emits is crawled like a callback's output */
    if (strstr(kumo_request_url(req), "/status/404"))
        kumo_follow(out, res, "/ok?from=errback", parse);
}

/* -a base=http://127.0.0.1:PORT; each request gets the errback, /ok gets cb_kwargs. */
static int start_requests(kumo_spider *sp, kumo_out *out)
{
    static const char *const paths[] = {
        "/ok", "/status/404", "/never", "/redirect/chain/5", "/status/500",
    };
    const char *base = kumo_spider_arg(sp, "base", "");
    char url[256];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(paths); i++) {
        snprintf(url, sizeof(url), "%s%s", base, paths[i]);
        kumo_request *r = kumo_request_new(url, parse, NULL);
        cr_assert(r);
        if (strcmp(paths[i], "/status/500"))           /* the one without an errback */
            kumo_request_set_errback(r, on_error);
        if (!strcmp(paths[i], "/ok")) {
            kumo_map_set(kumo_request_cb_kwargs(r), "page", kumo_val_int(7));
            kumo_map_set(kumo_request_cb_kwargs(r), "tag", kumo_val_str("first"));
        }
        if (!strcmp(paths[i], "/never"))
            kumo_map_set(kumo_request_meta(r), "download_timeout", kumo_val_float(0.3));
        kumo_yield_request(out, r);
    }
    /* nothing listens on port 1: connection refused; .invalid never resolves (RFC 6761) */
    static const char *const failing[] = {"http://127.0.0.1:1/refused",
                                          "http://kumo-test.invalid/"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(failing); i++) {
        kumo_request *r = kumo_request_new(failing[i], parse, NULL);
        kumo_request_set_errback(r, on_error);
        kumo_map_set(kumo_request_meta(r), "download_timeout", kumo_val_float(20));
        kumo_yield_request(out, r);
    }
    return KUMO_OK;
}

static const kumo_spider_def errback_spider = {
    KUMO_SPIDER_HEADER,
    .name = "errbacks",
    .callbacks = KUMO_CALLBACKS(parse),
    .errbacks = KUMO_ERRBACKS(on_error),
    .start_requests = start_requests,
};

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(errbacks, failures_reach_the_errback)
{
    char base[128];
    kumo_testserver_url(t.srv, "", base, sizeof(base));
    cr_assert_eq(kumo_testcrawl_run(&t, &errback_spider,
                                    SET("RETRY_ENABLED", "0", "REDIRECT_MAX_TIMES", "2",
                                        "LOG_LEVEL", "CRITICAL"),
                                    SET("base", base)), KUMO_OK, "%s", t.err);
    for (size_t i = 0; i < t.nitems; i++)
        cr_log_info("%s", t.items[i]);
    /* the callback got its keyword arguments */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"page\": 7"), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"tag\": \"first\""), 1);
    /* each failure, with Scrapy's type names; the 404's response comes along */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"type\": \"HttpError\", \"status\": 404"), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"type\": \"TimeoutError\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"type\": \"IgnoreRequest\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"type\": \"ConnectionRefusedError\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"type\": \"DNSLookupError\""), 1);
    /* the failure's message is Scrapy's getErrorMessage(), the retry log line's words */
    char want[512];
    snprintf(want, sizeof(want), "\"message\": \"User timeout caused connection failure: "
             "Getting %s/never took longer than 0.3 seconds..\"", base);
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1, "%s", want);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"message\": \"Connection was refused by "
                                               "other side: 111: Connection refused.\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"message\": \"DNS lookup failed: no results "
                                               "for hostname lookup: kumo-test.invalid.\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"message\": \"Ignoring non-200 response\""),
                 1);
    /* the errback's request was crawled */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "from=errback"), 1);
    cr_assert_eq(t.nitems, 7);
    /* the 500 without an errback is ignored as before: counted, no item */
    cr_assert_eq(kumo_testcrawl_stat(&t, "httperror/response_ignored_count", 0), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "httperror/response_ignored_status_count/500", 0), 1);
}
