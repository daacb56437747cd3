/* test_holders.c - who holds it, on real crawls, asked mid-crawl through the console as an
 * operator would: the seed's leak (spiders/leaky.c: a response in each request's meta) named
 * by holders(), reached from the scheduler by paths() and shown by byrcs; spiders/follow.c
 * shows none of it; an item pipeline that keeps items in a list, and a spider that keeps its
 * responses in spider.state, each named as the holder. */
#include <criterion/criterion.h>
#include "lib/crawl.h"
#include "lib/leakcheck.h"
#include "console/repl.h"
#include "core/item.h"
#include "core/plugin.h"

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define LINES_MAX 8
#define OUT_MAX 16384

static kumo_testcrawl t;
static kumo_plugin *plugin;

/* ---- the probe: an extension that runs console lines at the Nth response ---- */

static struct {
    size_t at;                          /* which response */
    const char *lines[LINES_MAX];       /* NULL-terminated */
    char out[LINES_MAX][OUT_MAX];       /* what each printed */
    size_t seen;
    bool ran;
} probe;

static void on_response(void *ctx, kumo_crawler *c, void *arg)
{
    if (++probe.seen != probe.at)
        return;
    kumo_repl *r = kumo__repl_new(c);
    for (size_t i = 0; i < LINES_MAX && probe.lines[i]; i++) {
        kumo_buf out;
        kumo__buf_init(&out, OUT_MAX - 1, KUMO_T_STR, KUMO_V_NONE);
        kumo__repl_eval(r, probe.lines[i], strlen(probe.lines[i]), &out);
        snprintf(probe.out[i], OUT_MAX, "%s", kumo__buf_str(&out));
        kumo__buf_release(&out);
    }
    kumo__repl_free(r);
    probe.ran = true;
    if (getenv("KUMO_HOLDERS_SHOW"))    /* what the README shows, from a real run */
        for (size_t i = 0; i < LINES_MAX && probe.lines[i]; i++)
            fprintf(stderr, ">>> %s\n%s", probe.lines[i], probe.out[i]);
}

static int probe_open(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    return kumo_crawler_connect(c, KUMO_SIGNAL_RESPONSE_RECEIVED, on_response, NULL);
}

static const kumo_ext_def probe_ext = {KUMO_EXT_HEADER, .name = "HoldersProbe",
                                       .open = probe_open};
static const kumo_ext_def *const probe_exts[] = {&probe_ext, NULL};

static void setup(void)
{
    kumo_testcrawl_init(&t);
    memset(&probe, 0, sizeof(probe));
}

static void teardown(void)
{
    kumo_testcrawl_release(&t);   /* frees the crawler before its spider's plugin goes */
    kumo__plugin_close(plugin);
    plugin = NULL;
    kumo_leakcheck_end();
}

TestSuite(holders, .init = setup, .fini = teardown, .timeout = 60);

/* Crawl def, with the probe added to its extensions, from the quotes site's front page. */
static void crawl(const kumo_spider_def *def, const char *const *kv)
{
    static kumo_spider_def with_probe;
    with_probe = *def;
    with_probe.extensions = probe_exts;
    char url[256];
    kumo_testserver_url(t.srv, "/", url, sizeof(url));
    cr_assert_eq(kumo_testcrawl_run(&t, &with_probe, kv, SET("url", url)), KUMO_OK, "%s",
                 t.err);
    cr_assert(probe.ran, "the probe ran at response %zu (%zu seen)", probe.at, probe.seen);
}

static const kumo_spider_def *plugin_def(const char *name)
{
    char err[256];
    cr_assert_eq(kumo__plugin_open(name, &plugin, err, sizeof(err)), KUMO_OK, "%s", err);
    return kumo__plugin_def(plugin);
}

/* How many lines of text start with prefix and end with suffix. */
static size_t lines_like(const char *text, const char *prefix, const char *suffix)
{
    size_t n = 0, lp = strlen(prefix), ls = strlen(suffix);
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len >= lp + ls && !strncmp(p, prefix, lp) && !strncmp(p + len - ls, suffix, ls))
            n++;
        p += len + (e != NULL);
    }
    return n;
}

/* One request at a time: the front page's links wait in the scheduler, not in the slot. */
#define ONE_AT_A_TIME "CONCURRENT_REQUESTS", "1", "DOWNLOAD_DELAY", "0", "LOG_LEVEL", "ERROR"

Test(holders, the_seed_leak_named_by_holders_paths_and_byrcs)
{
    probe.at = 4;
    probe.lines[0] = "r = get_oldest('HtmlResponse')";
    probe.lines[1] = "holders(r, 3)";
    probe.lines[2] = "paths(r, 50)";
    probe.lines[3] = "hpy.heap().byrcs";
    probe.lines[4] = "r.url";
    crawl(plugin_def("leaky"), SET(ONE_AT_A_TIME, "CLOSESPIDER_PAGECOUNT", "12"));
    cr_assert_str_eq(probe.out[0], "");
    char front[300];
    kumo_testserver_url(t.srv, "/", front, sizeof(front));
    cr_assert(strstr(probe.out[4], front), "the oldest response is the front page: %s",
              probe.out[4]);
    const char *h = probe.out[1];
    cr_assert_eq(lines_like(h, "Request <GET http://127.0.0.1:", "> .meta['referer']"), 3,
                 "%s", h);
    cr_assert(strstr(h, " more holders (holders(obj, n) shows n)\n"), "%s", h);
    cr_assert(strstr(h, "1 reference held by this console"), "%s", h);
    const char *p = probe.out[2];
    cr_assert_geq(lines_like(p, "engine.slot.scheduler.mqs[", "].meta['referer']"), 1,
                  "paths() reaches it from the scheduler: %s", p);
    const char *b = probe.out[3];
    cr_assert(!strncmp(b, "Partition of a set of ", 22), "%s", b);
    cr_assert(strstr(b, "% Referrers by Kind (class / dict of class)\n"), "%s", b);
    cr_assert(strstr(b, " Request.meta"), "%s", b);
    cr_assert(strstr(b, " scheduler queue"), "%s", b);
}

Test(holders, follow_keeps_nothing_in_meta)
{
    probe.at = 4;
    probe.lines[0] = "r = get_oldest('Request')";
    probe.lines[1] = "holders(r)";
    probe.lines[3] = "hpy.heap().byrcs";
    crawl(plugin_def("follow"), SET(ONE_AT_A_TIME, "CLOSESPIDER_PAGECOUNT", "12"));
    cr_assert(!strstr(probe.out[1], ".meta['referer']"), "%s", probe.out[1]);
    cr_assert(!strstr(probe.out[3], "Request.meta"), "%s", probe.out[3]);
}

/* ---- a pipeline that keeps every item: one tells kumo (refs), one does not ---- */

static int keep_open(kumo_crawler *c, void **self)
{
    kumo_value *kept = kumo_calloc(1, sizeof(*kept), KUMO_T_LIST, KUMO_V_ITEMS);
    *kept = kumo_val_list();
    *self = kept;
    return KUMO_OK;
}

static void keep_close(void *self, kumo_crawler *c)
{
    kumo_val_clear(self);
    kumo_free(self);
}

static int keep_item(void *self, kumo_crawler *c, kumo_item *item)
{
    kumo_val_list_push(self, kumo_val_obj(&item->ref));
    return KUMO_OK;
}

static void keep_refs(void *self, kumo_ref_visit_fn visit, void *ctx)
{
    kumo_val_refs(self, ".kept", visit, ctx);
}

static const kumo_pipeline_def keep_pl = {KUMO_PIPELINE_HEADER, .name = "KeepItems",
                                          .order = 300, .open = keep_open, .close = keep_close,
                                          .process_item = keep_item, .refs = keep_refs};
/* The same without refs: kumo cannot see its list. */
static const kumo_pipeline_def hoard_pl = {KUMO_PIPELINE_HEADER, .name = "HoardItems",
                                           .order = 400, .open = keep_open,
                                           .close = keep_close, .process_item = keep_item};
static const kumo_pipeline_def *const keeper_pls[] = {&keep_pl, &hoard_pl, NULL};

static void keeper_parse(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_yield_item(out, item);
    kumo_selector_list *next = kumo_css(res, "li.next a::attr(href)");
    if (kumo_list_len(next))
        kumo_follow(out, res, kumo_list_get(next, NULL), keeper_parse);
}

static int from_url(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, NULL, NULL);
}

static const kumo_spider_def keeper = {
    KUMO_SPIDER_HEADER,
    .name = "keeper",
    .callbacks = KUMO_CALLBACKS(keeper_parse),
    .start_requests = from_url,
    .item_pipelines = keeper_pls,
};

Test(holders, a_pipeline_that_keeps_items)
{
    probe.at = 3;
    probe.lines[0] = "holders(get_oldest('Item'))";
    probe.lines[1] = "paths(get_oldest('Item'))";
    probe.lines[2] = "hpy.heap().byrcs";
    crawl(&keeper, SET(ONE_AT_A_TIME));
    cr_assert_str_eq(probe.out[0],
                     "item pipeline 'KeepItems' .kept[0]\n"
                     "1 reference held by this console (its variables, `_`, this line)\n"
                     "1 reference held elsewhere (C code of spider 'keeper')\n");
    cr_assert_str_eq(probe.out[1], "engine.scraper.itemproc['KeepItems'].kept[0]\n");
    cr_assert(strstr(probe.out[2], " item pipeline 'KeepItems'\n"), "%s", probe.out[2]);
}

/* ---- a spider that keeps its responses in spider.state ---- */

static void hoard_parse(kumo_response *res, kumo_out *out)
{
    kumo_map *state = kumo_spider_state(kumo_out_spider(out));
    kumo_value *pages = kumo_map_get(state, "pages");
    if (!pages) {
        kumo_map_set(state, "pages", kumo_val_list());
        pages = kumo_map_get(state, "pages");
    }
    kumo_val_list_push(pages, kumo_val_response(res));
    kumo_selector_list *next = kumo_css(res, "li.next a::attr(href)");
    if (kumo_list_len(next))
        kumo_follow(out, res, kumo_list_get(next, NULL), hoard_parse);
}

/* Drop what the state holds at close, as a careful spider would (the leak check runs after). */
static void hoard_close(kumo_spider *sp, const char *reason)
{
    kumo_map_del(kumo_spider_state(sp), "pages");
}

static const kumo_spider_def state_keeper = {
    KUMO_SPIDER_HEADER,
    .name = "statekeeper",
    .callbacks = KUMO_CALLBACKS(hoard_parse),
    .start_requests = from_url,
    .close = hoard_close,
};

Test(holders, a_spider_that_keeps_responses_in_its_state)
{
    probe.at = 3;
    probe.lines[0] = "holders(get_oldest('HtmlResponse'))";
    probe.lines[1] = "paths(get_oldest('HtmlResponse'))";
    probe.lines[2] = "spider.state['pages'][0] is get_oldest('HtmlResponse')";
    crawl(&state_keeper, SET(ONE_AT_A_TIME));
    cr_assert_str_eq(probe.out[0],
                     "spider.state['pages'][0]\n"
                     "1 reference held by this console (its variables, `_`, this line)\n");
    cr_assert_str_eq(probe.out[1], "spider.state['pages'][0]\n");
    cr_assert_str_eq(probe.out[2], "True\n");
}
