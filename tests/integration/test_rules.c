/* test_rules.c - real crawls of a spider with rules (Scrapy's CrawlSpider) over the test
 * server's shop (tests/lib/routes_rules.c): which pages each rule requests, callbacks with
 * cb_kwargs and link_text, the errback, follow, process_links, process_request,
 * CRAWLSPIDER_FOLLOW_LINKS, and a JOBDIR crawl stopped and resumed. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/crawl.h"
#include "core/item.h"
#include "core/plugin.h"
#include "lib/leakcheck.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
}

TestSuite(rules, .init = setup, .fini = teardown, .timeout = 120);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

static void parse_start_url(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "start", kumo_val_str(kumo_response_url(res)));
    kumo_yield_item(out, item);
}

static void parse_item(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "url", kumo_val_str(kumo_response_url(res)));
    kumo_item_set_str(item, "name", kumo_list_get(kumo_css(res, "h1::text"), NULL));
    kumo_item_set_str(item, "price", kumo_list_get(kumo_css(res, ".price::text"), NULL));
    kumo_item_set_str(item, "source", kumo_map_get_str(kumo_response_cb_kwargs(res), "source",
                                                       NULL));
    kumo_item_set_str(item, "link_text", kumo_map_get_str(kumo_response_meta(res), "link_text",
                                                          NULL));
    kumo_item_set_str(item, "tag", kumo_map_get_str(kumo_response_meta(res), "tag", NULL));
    kumo_yield_item(out, item);
}

static void parse_related(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "related", kumo_val_str(kumo_response_url(res)));
    kumo_yield_item(out, item);
}

static void on_error(kumo_failure *f, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "failed", kumo_val_str(kumo_request_url(kumo_failure_request(f))));
    kumo_item_set(item, "type", kumo_val_str(kumo_failure_type(f)));
    kumo_yield_item(out, item);
}

static int start(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, NULL, NULL);
}

static const kumo_spider_def shop_spider = {
    KUMO_SPIDER_HEADER,
    .name = "shop",
    .callbacks = KUMO_CALLBACKS(parse_start_url),
    .start_requests = start,
    .rules = KUMO_RULES(
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("category/"),
                                     .deny = KUMO_LIST("logout")}),
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("/item/")}, .callback = parse_item,
                  .errback = on_error, .cb_kwargs = KUMO_KWARGS({"source", "rules"})),
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("related/")},
                  .callback = parse_related)),
};

static void run(const kumo_spider_def *def, const char *const *kv)
{
    char url[128];
    kumo_testserver_url(t.srv, "/shop/", url, sizeof(url));
    cr_assert_eq(kumo_testcrawl_run(&t, def, kv, SET("url", url)), KUMO_OK, "%s", t.err);
    for (size_t i = 0; i < t.nitems; i++)
        cr_log_info("%s", t.items[i]);
}

Test(rules, each_rule_requests_its_links)
{
    run(&shop_spider, SET("RETRY_ENABLED", "0", "LOG_LEVEL", "CRITICAL"));
    /* parse_start_url for the start page */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"start\": "), 1);
    /* the item rule: four items, its cb_kwargs, the link text of the first link found */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"source\": \"rules\""), 4);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"name\": \"Item 1\", \"price\": \"1.00\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"link_text\": \"First item\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"name\": \"Item 3\""), 1,
                 "the categories rule follows the next page");
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"name\": \"Item 4\""), 1,
                 "rel=nofollow is a link's flag, not a filter");
    /* the rule's errback */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"type\": \"HttpError\""), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "/shop/item/99"), 1);
    cr_assert_eq(t.nitems, 6);
    /* what no rule takes, a deny, an ignored extension, and a rule with a callback (which
     * does not follow by default) are not requested */
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/about.html"), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/Items/1"), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/item/5.pdf"), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/category/a"), 1, "logout denied");
    for (int i = 0; i <= 4; i++) {
        char p[64];
        snprintf(p, sizeof(p), "/shop/related/%d", i);
        cr_assert_eq(kumo_testserver_hits(t.srv, p), 0, "%s", p);
    }
    cr_assert_eq(kumo_testcrawl_stat(&t, "response_received_count", 0), 9);
}

/* process_links drops the second page of category A; process_request drops item 4 and
 * tags the others. */
static void drop_page2(kumo_response *res, kumo_links *links)
{
    for (size_t i = 0; i < links->len;) {
        if (strstr(links->v[i].url, "a-2"))
            kumo_links_remove(links, i);
        else
            i++;
    }
}

static kumo_request *tag_request(kumo_request *req, kumo_response *res)
{
    if (strstr(kumo_request_url(req), "/item/4")) {
        kumo_request_unref(req);
        return NULL;
    }
    kumo_map_set(kumo_request_meta(req), "tag", kumo_val_str(kumo_response_url(res)));
    return req;
}

static const kumo_spider_def hooks_spider = {
    KUMO_SPIDER_HEADER,
    .name = "shop_hooks",
    .start_requests = start,
    .rules = KUMO_RULES(
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("category/"),
                                     .deny = KUMO_LIST("logout")},
                  .process_links = drop_page2),
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("/item/"),
                                     .deny = KUMO_LIST("/99")},
                  .callback = parse_item, .follow = KUMO_YES,
                  .process_request = tag_request),
        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST("related/")},
                  .callback = parse_related)),
};

Test(rules, follow_process_links_process_request)
{
    run(&hooks_spider, SET("LOG_LEVEL", "CRITICAL"));
    /* no parse_start_url in .callbacks: the start page gives no item */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"start\": "), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/category/a-2"), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/item/3"), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/item/4"), 0);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"name\": \"Item "), 2);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"tag\": \"http://127.0.0.1:"), 2);
    /* follow on: the item pages' related links are requested by the third rule */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"related\": "), 2);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/related/1"), 1);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/related/2"), 1);
    cr_assert_eq(t.nitems, 4);
}

Test(rules, crawlspider_follow_links_off)
{
    run(&shop_spider, SET("CRAWLSPIDER_FOLLOW_LINKS", "0", "LOG_LEVEL", "CRITICAL"));
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"start\": "), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "response_received_count", 0), 1);
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* A crawl stopped after five pages goes on from its job: the rules' requests come back
 * with their rule (callback, cb_kwargs, errback) found by index. */
Test(rules, jobdir_resume_finds_the_rules_again)
{
    char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/kumo-rules-XXXXXX");
    cr_assert(mkdtemp(dir));
    run(&shop_spider, SET("JOBDIR", dir, "CONCURRENT_REQUESTS", "1", "CLOSESPIDER_PAGECOUNT",
                          "5", "RETRY_ENABLED", "0", "LOG_LEVEL", "CRITICAL"));
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_pagecount");
    size_t first = t.nitems;
    size_t first_items = kumo_testcrawl_items_with(&t, "\"source\": \"rules\"");
    size_t first_failed = kumo_testcrawl_items_with(&t, "\"type\": \"HttpError\"");
    cr_assert(first_items >= 1 && first_items < 4, "the first run parsed some items: %zu",
              first_items);
    run(&shop_spider, SET("JOBDIR", dir, "RETRY_ENABLED", "0", "LOG_LEVEL", "CRITICAL"));
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(first_items + kumo_testcrawl_items_with(&t, "\"source\": \"rules\""), 4);
    cr_assert_eq(first_failed + kumo_testcrawl_items_with(&t, "\"type\": \"HttpError\""), 1,
                 "the rule's errback, in one run or the other");
    cr_assert_eq(first + t.nitems, 6);
    cr_assert_gt(kumo_testcrawl_stat(&t, "scheduler/dequeued/disk", 0), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/item/1"), 1);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/shop/item/2"), 1);
    rm_tree(dir);
}

/* ---- the shipped example, spiders/quotes_rules.c, on the demo site ---- */

static kumo_plugin *plugin;

static void plugin_setup(void)
{
    kumo_testcrawl_init(&t);
    char err[256];
    cr_assert_eq(kumo__plugin_open("quotes_rules", &plugin, err, sizeof(err)), KUMO_OK,
                 "%s (is KUMO_SPIDER_DIR set?)", err);
}

static void plugin_teardown(void)
{
    kumo_testcrawl_release(&t);   /* frees the crawler before its plugin goes */
    kumo__plugin_close(plugin);
    plugin = NULL;
    kumo_leakcheck_end();
}

TestSuite(rules_example, .init = plugin_setup, .fini = plugin_teardown, .timeout = 120);

Test(rules_example, quotes_rules_crawls_the_demo_site)
{
    char url[128];
    kumo_testserver_url(t.srv, "/", url, sizeof(url));
    cr_assert_eq(kumo_testcrawl_run(&t, kumo__plugin_def(plugin), SET("LOG_LEVEL", "ERROR"),
                                    SET("url", url)), KUMO_OK, "%s", t.err);
    size_t nquotes = kumo_testsite_nquotes(), nauthors = kumo_testsite_nauthors();
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"text\": "), nquotes);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"page\": \"first\""), 10,
                 "parse_start_url parses the start page");
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"page\": \"next\""), nquotes - 10,
                 "the next-page rule's cb_kwargs");
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"birthdate\": "), nauthors);
    cr_assert_eq(t.nitems, nquotes + nauthors);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/tag/"), 0);
}
