/* test_referer.c - a real crawl: the Referer spider middleware's header reaches the server. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

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

TestSuite(referer, .init = setup, .fini = teardown, .timeout = 60);

/* /headers echoes the request headers: the item holds them. */
static void echo_parse(kumo_response *res, kumo_out *out)
{
    size_t len;
    const char *body = kumo_response_body(res, &len);
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "body", kumo_val_strn(body, len));
    kumo_yield_item(out, item);
}

/* The start page (the "start" argument) links to /headers. */
static void start_parse(kumo_response *res, kumo_out *out)
{
    kumo_follow(out, res, "/headers", echo_parse);
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    int err;
    kumo_request *req = kumo_request_new(kumo_spider_arg(sp, "start", ""), start_parse, &err);
    if (!req)
        return err;
    kumo_yield_request(out, req);
    return KUMO_OK;
}

static const kumo_spider_def referer_spider = {
    KUMO_SPIDER_HEADER,
    .name = "referer",
    .allowed_domains = KUMO_LIST("127.0.0.1"),
    .callbacks = KUMO_CALLBACKS(start_parse, echo_parse),
    .start_requests = start_requests,
};

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The followed request carries the start page's url, without its fragment, and the engine's
 * "Crawled" line names it. */
Test(referer, header_arrives)
{
    char start[256], want[512], logpath[64], crawled[600];
    kumo_testserver_url(t.srv, "/ok#top", start, sizeof(start));
    snprintf(logpath, sizeof(logpath), "/tmp/kumo-referer-%d.log", (int)getpid());
    unlink(logpath);
    cr_assert_eq(kumo_testcrawl_run(&t, &referer_spider,
                                    SET("LOG_LEVEL", "DEBUG", "LOG_FILE", logpath),
                                    SET("start", start)), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    start[strlen(start) - 4] = '\0';    /* drop "#top" */
    snprintf(want, sizeof(want), "Referer: %s\\n", start);
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1, "want <%s> in %s", want, t.items[0]);

    char log[65536];
    FILE *f = fopen(logpath, "r");
    cr_assert_not_null(f);
    size_t n = fread(log, 1, sizeof(log) - 1, f);
    fclose(f);
    unlink(logpath);
    log[n] = '\0';
    char hdrs[256];
    kumo_testserver_url(t.srv, "/headers", hdrs, sizeof(hdrs));
    snprintf(crawled, sizeof(crawled), "Crawled (200) <GET %s> (referer: %s)", hdrs, start);
    cr_assert_not_null(strstr(log, crawled), "log lacks <%s>:\n%s", crawled, log);
    snprintf(crawled, sizeof(crawled), "Crawled (200) <GET %s#top> (referer: None)", start);
    cr_assert_not_null(strstr(log, crawled), "log lacks <%s>:\n%s", crawled, log);
}

/* REFERER_ENABLED=0: nothing sent. */
Test(referer, disabled)
{
    char start[256];
    kumo_testserver_url(t.srv, "/ok", start, sizeof(start));
    cr_assert_eq(kumo_testcrawl_run(&t, &referer_spider, SET("REFERER_ENABLED", "0"),
                                    SET("start", start)), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "Referer"), 0, "%s", t.items[0]);
}
