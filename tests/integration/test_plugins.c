/* test_plugins.c - a real crawl with the pipelines_demo plugin: its downloader middleware,
 * spider middleware, item pipeline and extension all act, then the same crawl with each
 * turned off by the settings, and bad keys in those settings stop the crawl at start. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/crawl.h"
#include "lib/leakcheck.h"
#include "core/plugin.h"

static kumo_testcrawl t;
static kumo_plugin *plugin;

static void setup(void)
{
    kumo_testcrawl_init(&t);
    char err[256];
    cr_assert_eq(kumo__plugin_open("pipelines_demo", &plugin, err, sizeof(err)), KUMO_OK,
                 "%s (is KUMO_SPIDER_DIR set?)", err);
}

static void teardown(void)
{
    kumo_testcrawl_release(&t);   /* frees the crawler before its plugin goes */
    kumo__plugin_close(plugin);
    plugin = NULL;
    kumo_leakcheck_end();
}

TestSuite(plugins, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define STAT(k) kumo_testcrawl_stat(&t, k, -1)
#define STR(k) kumo_testcrawl_stat_str(&t, k)

/* Crawl /links/relative/ (links a.html ../ok ./b.html ?q=1 #top) and /headers. */
static int crawl(const char *const *kv)
{
    char url[256];
    kumo_testserver_url(t.srv, "/links/relative/", url, sizeof(url));
    return kumo_testcrawl_run(&t, kumo__plugin_def(plugin), kv, SET("url", url));
}

Test(plugins, components_act)
{
    char b_url[256], want[600];
    kumo_testserver_url(t.srv, "/links/relative/b.html", b_url, sizeof(b_url));
    cr_assert_eq(crawl(SET("LOG_LEVEL", "INFO", "LOG_FILE", t.log)), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(STR("finish_reason"), "finished");

    /* DemoHeader: the header reached the server */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "X-Kumo-Demo: kumo\\n"), 1);
    cr_assert_eq(STAT("demo/header_added"), STAT("downloader/request_count"));

    /* DemoNoQuery: ?q=1 never left (from /links/relative/, a.html and b.html) */
    cr_assert_eq(STAT("demo/filtered_query"), 3);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "?q=1"), 0);

    /* DemoPipeline: b.html dropped with its reason, the others stamped */
    cr_assert_eq(kumo_testcrawl_items_with(&t, "b.html"), 0);
    cr_assert_gt(t.nitems, 2);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"stamped_by\": \"DemoPipeline\""), t.nitems);
    cr_assert_eq(STAT("demo/pipeline_kept"), (int64_t)t.nitems);
    cr_assert_eq(STAT("item_scraped_count"), (int64_t)t.nitems);
    cr_assert_eq(STAT("item_dropped_count"), 1);
    cr_assert_eq(STAT("item_dropped_reasons_count/DropItem"), 1);
    snprintf(want, sizeof(want), "[kumo.core.scraper] WARNING: Dropped: unwanted page %s\n"
             "{\"url\": \"%s\", \"status\": 200, \"title\": ", b_url, b_url);
    cr_assert_not_null(strstr(kumo_testcrawl_log(&t), want), "want <%s> in\n%s", want,
                       kumo_testcrawl_log(&t));
    cr_assert_eq(STAT("log_count/WARNING"), 1);

    /* DemoSignals: signals counted into stats, the drop reason seen from item_dropped */
    cr_assert_eq(STAT("demo/responses_received"), STAT("response_received_count"));
    cr_assert_gt(STAT("demo/responses_received"), 3);
    cr_assert_eq(STAT("demo/items_dropped"), 1);
    snprintf(want, sizeof(want), "unwanted page %s", b_url);
    cr_assert_str_eq(STR("demo/last_drop_reason"), want);
    cr_assert_str_eq(STR("demo/spider"), "pipelines_demo");
    cr_assert_str_eq(STR("demo/closed"), "finished");

    /* the enabled lists name them */
    const char *logbuf = kumo_testcrawl_log(&t);
    cr_assert_not_null(strstr(logbuf, "Enabled item pipelines:\n['DemoPipeline']\n"), "%s",
                       logbuf);
    cr_assert_not_null(strstr(logbuf, "'DefaultHeaders',\n 'UserAgent',\n 'DemoHeader',\n"),
                       "%s", logbuf);
    cr_assert_not_null(strstr(logbuf, "'Offsite', 'DemoNoQuery', 'Referer'"), "%s", logbuf);
}

Test(plugins, components_off_by_settings)
{
    char b_url[256], want[300];
    kumo_testserver_url(t.srv, "/links/relative/b.html", b_url, sizeof(b_url));
    snprintf(want, sizeof(want), "\"url\": \"%s\"", b_url);
    cr_assert_eq(crawl(SET("DOWNLOADER_MIDDLEWARES", "{\"DemoHeader\": null}",
                           "SPIDER_MIDDLEWARES", "{\"DemoNoQuery\": -1}",
                           "ITEM_PIPELINES", "{\"DemoPipeline\": null}",
                           "EXTENSIONS", "{\"DemoSignals\": null}")), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(STR("finish_reason"), "finished");
    cr_assert_eq(kumo_testcrawl_items_with(&t, "X-Kumo-Demo"), 0);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "/headers"), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "?q=1"), 3);
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "stamped_by"), 0);
    cr_assert_eq(STAT("item_dropped_count"), -1);
    cr_assert_eq(STAT("item_dropped_reasons_count/DropItem"), -1);
    cr_assert_eq(STAT("demo/header_added"), -1);
    cr_assert_eq(STAT("demo/filtered_query"), -1);
    cr_assert_eq(STAT("demo/pipeline_kept"), -1);
    cr_assert_null(STR("demo/spider"));
    cr_assert_null(STR("demo/closed"));
}

/* The components read their own settings; the extension can decline by a setting. */
Test(plugins, component_settings)
{
    cr_assert_eq(crawl(SET("DEMO_HEADER", "other", "DEMO_DROP", "/headers",
                           "DEMO_SIGNALS_ENABLED", "0")), KUMO_OK, "%s", t.err);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "X-Kumo-Demo"), 0, "the /headers item dropped");
    cr_assert_eq(STAT("item_dropped_count"), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "b.html\""), 1);
    cr_assert_null(STR("demo/spider"));
    cr_assert_eq(STAT("demo/header_added"), STAT("downloader/request_count"));
}

static const struct {
    const char *setting, *value, *err;
} bad_keys[] = {
    {"EXTENSIONS", "{\"DemoSignal\": 0}", "unknown extension 'DemoSignal' in EXTENSIONS"},
    {"ITEM_PIPELINES", "{\"DemoNoQuery\": 1}",
     "unknown item pipeline 'DemoNoQuery' in ITEM_PIPELINES"},
    {"SPIDER_MIDDLEWARES", "{\"DemoHeader\": 1}",
     "unknown spider middleware 'DemoHeader' in SPIDER_MIDDLEWARES"},
    {"DOWNLOADER_MIDDLEWARES", "{\"Nope\": null}",
     "unknown downloader middleware 'Nope' in DOWNLOADER_MIDDLEWARES"},
};

Test(plugins, unknown_keys_stop_the_crawl)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad_keys); i++) {
        cr_assert_eq(crawl(SET(bad_keys[i].setting, bad_keys[i].value)), KUMO_EINVAL,
                     "case %zu", i);
        cr_assert_str_eq(t.err, bad_keys[i].err, "case %zu", i);
        cr_assert_null(t.c);
        cr_assert_eq(kumo_testserver_hits(t.srv, "/links/relative/"), 0, "case %zu", i);
    }
}

/* Built-in extensions follow EXTENSIONS too, by name or Scrapy's class path. */
Test(plugins, builtin_extension_off)
{
    cr_assert_eq(crawl(SET("EXTENSIONS",
                           "{\"scrapy.extensions.corestats.CoreStats\": null}")), KUMO_OK,
                 "%s", t.err);
    cr_assert_null(STR("finish_reason"), "CoreStats sets finish_reason");
    cr_assert_eq(STAT("item_scraped_count"), -1);
    cr_assert_str_eq(STR("demo/closed"), "finished");
}

/* An extension without its ABI header stops the crawl before anything opens. */
static const kumo_ext_def noheader_ext = {.name = "NoHeaderExt"};

Test(plugins, extension_without_abi_header_is_refused)
{
    kumo_spider_def d = *kumo__plugin_def(plugin);
    d.extensions = (const kumo_ext_def *const[]){&noheader_ext, NULL};
    cr_assert_eq(kumo_testcrawl_run(&t, &d, NULL, NULL), KUMO_EINVAL);
    cr_assert_str_eq(t.err, "the extension 'NoHeaderExt' in 'pipelines_demo' lacks "
                            "KUMO_EXT_HEADER: make it the first line of its definition");
    cr_assert_null(t.c);
}
