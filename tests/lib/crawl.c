/* crawl.c - in-process crawls against the test server, for the integration tests. */
#include "lib/crawl.h"
#include "lib/leakcheck.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/stats.h"
#include "core/item.h"
#include "util/buf.h"
#include "util/json.h"

#include <criterion/criterion.h>
#include <unistd.h>

static kumo_testserver *current_srv;

static void probe_parse(kumo_response *res, kumo_out *out)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_item_set_int(item, "status", kumo_response_status(res));
    kumo_item_set_str(item, "class", kumo_response_class(res)->name);
    kumo_selector_list *title = kumo_css(res, "title::text");
    kumo_item_set_str(item, "title", kumo_list_get(title, NULL));
    kumo_item_set_int(item, "depth", kumo_response_depth(res));
    if (kumo_response_class(res) == &KUMO_CLASS(TextResponse)) {
        size_t len;
        const char *body = kumo_response_body(res, &len);
        kumo_item_set(item, "body", kumo_val_strn(body, len < 2000 ? len : 2000));
    }
    kumo_yield_item(out, item);
    const char *follow = kumo_spider_arg(kumo_out_spider(out), "follow", "1");
    if (strcmp(follow, "0") == 0)
        return;
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), probe_parse);
}

static int probe_start(kumo_spider *sp, kumo_out *out)
{
    const char *urls = kumo_spider_arg(sp, "urls", "/");
    char one[1024], full[1200];
    while (*urls) {
        size_t n = strcspn(urls, ",");
        snprintf(one, sizeof(one), "%.*s", (int)n, urls);
        if (one[0] == '/')
            kumo_testserver_url(current_srv, one, full, sizeof(full));
        else
            snprintf(full, sizeof(full), "%s", one);
        int err;
        kumo_request *req = kumo_request_new(full, probe_parse, &err);
        if (!req)
            return err;
        kumo_yield_request(out, req);
        urls += n + (urls[n] == ',');
    }
    return KUMO_OK;
}

const kumo_spider_def kumo_test_probe_spider = {
    KUMO_SPIDER_HEADER,
    .name = "probe",
    .allowed_domains = KUMO_LIST("127.0.0.1"),
    .callbacks = KUMO_CALLBACKS(probe_parse),
    .start_requests = probe_start,
};

void kumo_testcrawl_init(kumo_testcrawl *t)
{
    memset(t, 0, sizeof(*t));
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    t->srv = kumo_testserver_start();
    cr_assert(t->srv, "the test server did not start");
    current_srv = t->srv;
    snprintf(t->log, sizeof(t->log), "/tmp/kumo-testcrawl-%d.log", (int)getpid());
    unlink(t->log);
}

const char *kumo_testcrawl_log(kumo_testcrawl *t)
{
    static char text[1 << 16];
    kumo__log_set_file(NULL);
    FILE *f = fopen(t->log, "r");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    return text;
}

static void on_item(void *ctx, kumo_crawler *c, void *arg)
{
    kumo_testcrawl *t = ctx;
    kumo_item *item = arg;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__json_map(&b, &item->fields, ", ", ": ");
    t->items = kumo_realloc(t->items, (t->nitems + 1) * sizeof(char *), KUMO_T_LIST,
                            KUMO_V_NONE);
    t->items[t->nitems++] = kumo__buf_detach(&b, NULL);
}

static void free_run(kumo_testcrawl *t)
{
    for (size_t i = 0; i < t->nitems; i++)
        kumo_free(t->items[i]);
    kumo_free(t->items);
    t->items = NULL;
    t->nitems = 0;
    kumo__crawler_free(t->c);
    t->c = NULL;
}

int kumo_testcrawl_run(kumo_testcrawl *t, const kumo_spider_def *def, const char *const *kv,
                       const char *const *args)
{
    free_run(t);
    kumo_settings *s = kumo__settings_new();
    cr_assert_eq(kumo__settings_set(s, "LOG_LEVEL", "ERROR", KUMO_PRIO_CMDLINE, t->err,
                                   sizeof(t->err)), KUMO_OK);
    kumo__settings_set(s, "LOGSTATS_INTERVAL", "0", KUMO_PRIO_CMDLINE, t->err, sizeof(t->err));
    for (size_t i = 0; kv && kv[i]; i += 2)
        cr_assert_eq(kumo__settings_set(s, kv[i], kv[i + 1], KUMO_PRIO_CMDLINE, t->err,
                                       sizeof(t->err)), KUMO_OK, "%s", t->err);
    kumo_map a;
    kumo_map_init(&a, KUMO_T_DICT, KUMO_V_DICT);
    for (size_t i = 0; args && args[i]; i += 2)
        kumo_map_set(&a, args[i], kumo_val_str(args[i + 1]));
    t->c = kumo__crawler_new(def, s, &a, t->err, sizeof(t->err));
    kumo_map_release(&a);
    if (!t->c)
        return KUMO_EINVAL;
    kumo__signal_connect(kumo__crawler_signals(t->c), KUMO_SIG_ITEM_SCRAPED, on_item, t);
    return kumo__crawler_run(t->c);
}

int64_t kumo_testcrawl_stat(kumo_testcrawl *t, const char *key, int64_t def)
{
    return kumo__stats_get_int(kumo__crawler_stats(t->c), key, def);
}

const char *kumo_testcrawl_stat_str(kumo_testcrawl *t, const char *key)
{
    const kumo_value *v = kumo__stats_get(kumo__crawler_stats(t->c), key);
    return v && v->type == KUMO_VAL_STR ? v->u.str.s : NULL;
}

size_t kumo_testcrawl_items_with(kumo_testcrawl *t, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nitems; i++)
        n += strstr(t->items[i], needle) != NULL;
    return n;
}

void kumo_testcrawl_release(kumo_testcrawl *t)
{
    free_run(t);
    kumo_testserver_stop(t->srv);
    t->srv = NULL;
    current_srv = NULL;
    kumo__global_cleanup();
    unlink(t->log);
}

void kumo_testcrawl_fini(kumo_testcrawl *t)
{
    kumo_testcrawl_release(t);
    kumo_leakcheck_end();
}
