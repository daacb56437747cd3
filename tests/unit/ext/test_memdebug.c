/* test_memdebug.c - MemoryDebugger: memdebug/live_refs/<Class> for the objects alive when the
 * spider closes, nothing when off. */
#include <criterion/criterion.h>
#include "lib/crawl.h"
#include "core/crawler.h"
#include "core/stats.h"

static kumo_testcrawl t;
static kumo_item *kept[3];     /* what the "hoarder" spider keeps past its callbacks */
static size_t nkept;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    for (size_t i = 0; i < nkept; i++)
        kumo_item_unref(kept[i]);
    nkept = 0;
    kumo_testcrawl_fini(&t);
}

TestSuite(memdebug, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define STAT(k) kumo_testcrawl_stat(&t, k, -1)

/* Yields one item per page and keeps a reference to it (at most 3): a leak of Items. */
static void hoard(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    if (nkept < KUMO_ARRAY_LEN(kept))
        kept[nkept++] = kumo_item_ref(item);
    kumo_yield_item(out, item);
}

static int hoarder_start(kumo_spider *sp, kumo_out *out)
{
    static const char *const paths[] = {"/ok", "/page/1/", "/page/2/"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(paths); i++) {
        char url[256];
        int err;
        kumo_testserver_url(t.srv, paths[i], url, sizeof(url));
        kumo_yield_request(out, kumo_request_new(url, hoard, &err));
    }
    return KUMO_OK;
}

static const kumo_spider_def hoarder = {
    KUMO_SPIDER_HEADER,
    .name = "hoarder",
    .callbacks = KUMO_CALLBACKS(hoard),
    .start_requests = hoarder_start,
};

Test(memdebug, live_refs_at_close)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &hoarder, SET("MEMDEBUG_ENABLED", "1"), NULL), KUMO_OK,
                 "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(nkept, 3);
    cr_assert_eq(STAT("memdebug/live_refs/Item"), 3);
    cr_assert_eq(STAT("memdebug/live_refs/HoarderSpider"), 1, "the spider is alive at close");
    cr_assert_eq(STAT("memdebug/live_refs/HtmlResponse"), -1, "classes with none are left out");
    cr_assert_eq(STAT("memdebug/gc_garbage_count"), -1, "no C meaning: not recorded");
}

Test(memdebug, off_by_default)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &hoarder, NULL, NULL), KUMO_OK, "%s", t.err);
    cr_assert_eq(STAT("memdebug/live_refs/Item"), -1);
    const kumo_map *m = kumo__stats_map(kumo__crawler_stats(t.c));
    for (size_t i = 0; i < m->len; i++)
        cr_assert_neq(strncmp(m->e[i].key, "memdebug/", 9), 0, "%s", m->e[i].key);
}
