/* test_pipeline_redis.c - RedisPipeline on bare crawlers and a real redis-server: off unless
 * ITEM_PIPELINES names it (its name or scrapy-redis's class path); with the memory scheduler
 * each item goes to REDIS_ITEMS_KEY as JSON with RPUSH and waits in the pipeline until Redis
 * has it; with SCHEDULER=redis it rides on its response's ack (lease/acked counts it), and
 * an item no ack takes goes alone.  Skipped, with a message, without redis-server. */
#include <criterion/criterion.h>
#include "redis/hiredis_dl.h"
#include <event2/event.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/registry.h"
#include "core/scheduler.h"
#include "core/settings.h"
#include "http/request.h"
#include "lib/redisd.h"

TestSuite(pipeline_redis, KUMO_REDISD_SUITE, .timeout = 60);

typedef struct bare {
    struct event_base *base;
    kumo_crawler *c;
    kumo_scheduler *s;              /* SCHEDULER=redis only */
    const kumo_pipeline_def *pl;
    void *self;
} bare;

static const kumo_pipeline_def *redis_pipeline(void)
{
    const kumo_pipeline_def *const *d =
        (const kumo_pipeline_def *const *)kumo__registered(KUMO_REG_PIPELINE);
    for (; *d; d++)
        if (!strcmp((*d)->name, "RedisPipeline"))
            return *d;
    cr_assert_fail("RedisPipeline is registered");
    return NULL;
}

/* Open the pipeline with ITEM_PIPELINES pipelines; returns its open's code. */
static int bare_open(bare *b, const char *pipelines, const char *scheduler)
{
    memset(b, 0, sizeof(*b));
    kumo_settings *st = kumo__settings_new();
    kumo_test_set(st, "REDIS_URL", kumo_test_redis.url);
    kumo_test_set(st, "LOG_LEVEL", "WARNING");
    kumo_test_set(st, "SCHEDULER", scheduler);
    kumo_test_set(st, "ITEM_PIPELINES", pipelines);
    b->base = event_base_new();
    b->c = kumo__crawler_new_bare(st, &kumo_redisd_spider);
    kumo__crawler_set_base(b->c, b->base);
    if (!strcmp(scheduler, "redis")) {
        int rc;
        b->s = kumo__scheduler_open(b->c, &rc);
        cr_assert(b->s, "%s", kumo__scheduler_open_error());
    }
    b->pl = redis_pipeline();
    return b->pl->open(b->c, &b->self);
}

static void bare_close(bare *b)
{
    if (b->self)
        b->pl->close(b->self, b->c);
    kumo__scheduler_close(b->s);
    kumo__crawler_free(b->c);
    event_base_free(b->base);
}

static void spin(bare *b, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(b->base, &tv);
    event_base_dispatch(b->base);
}

static int item(bare *b, const char *url, int n)
{
    kumo_item *it = kumo_item_new();
    kumo_item_set_str(it, "url", url);
    kumo_item_set_int(it, "n", n);
    int rc = b->pl->process_item(b->self, b->c, it);
    kumo_item_unref(it);
    return rc;
}

/* The first output line of a redis-cli command. */
static const char *cli(const char *cmd)
{
    static char out[512];
    kumo_redisd_cli(&kumo_test_redis, out, sizeof(out), "%s", cmd);
    return out;
}

Test(pipeline_redis, off_unless_item_pipelines_names_it)
{
    bare b;
    cr_expect_eq(bare_open(&b, "{}", "memory"), KUMO_EDECLINED);
    bare_close(&b);
    cr_expect_eq(bare_open(&b, "{\"RedisPipeline\": null}", "memory"), KUMO_EDECLINED);
    bare_close(&b);
    cr_expect_eq(bare_open(&b, "{\"RedisPipeline\": 300}", "memory"), KUMO_OK);
    bare_close(&b);
    cr_expect_eq(bare_open(&b, "{\"scrapy_redis.pipelines.RedisPipeline\": 300}", "memory"),
                 KUMO_OK);
    bare_close(&b);
}

Test(pipeline_redis, without_libhiredis_it_does_not_open_and_says_why)
{
    setenv(KUMO_HIREDIS_ENV, "/nonexistent/kumo/libhiredis.so.0", 1);
    bare b;
    int rc = bare_open(&b, "{\"RedisPipeline\": 300}", "memory");
    cr_expect_eq(rc, KUMO_ELIBRARY, "%s", kumo_errname(rc));
    /* what the crawl's chain prints after the pipeline's own line naming the library */
    cr_expect_str_eq(kumo_strerror(rc), "a library it needs cannot be loaded");
    bare_close(&b);
    unsetenv(KUMO_HIREDIS_ENV);
}

Test(pipeline_redis, memory_scheduler_pushes_json_with_rpush)
{
    bare b;
    cr_assert_eq(bare_open(&b, "{\"scrapy_redis.pipelines.RedisPipeline\": 300}", "memory"),
                 KUMO_OK);
    cr_expect_eq(item(&b, "http://a.test/1", 1), KUMO_EAGAIN, "held until Redis has it");
    cr_expect_eq(item(&b, "http://a.test/2", 2), KUMO_EAGAIN);
    for (int i = 0; i < 100 && kumo_crawler_stats_get_int(b.c, "redis/items_stored", 0) < 2;
         i++)
        spin(&b, 50);
    cr_expect_eq(kumo_crawler_stats_get_int(b.c, "redis/items_stored", 0), 2);
    cr_expect_str_eq(cli("LLEN rt:items"), "2");
    cr_expect_str_eq(cli("LINDEX rt:items 0"), "{\"url\": \"http://a.test/1\", \"n\": 1}");
    cr_expect_str_eq(cli("LINDEX rt:items 1"), "{\"url\": \"http://a.test/2\", \"n\": 2}");
    bare_close(&b);
}

Test(pipeline_redis, redis_scheduler_stores_items_with_the_ack)
{
    bare b;
    cr_assert_eq(bare_open(&b, "{\"RedisPipeline\": 1}", "redis"), KUMO_OK);
    int err;
    kumo__scheduler_enqueue(b.s, kumo_request_new("http://a.test/page", NULL, &err));
    kumo_request *r = NULL;
    for (int i = 0; i < 100 && !r; i++) {
        spin(&b, 50);
        r = kumo__scheduler_next(b.s);
    }
    cr_assert(r, "leased");
    /* the page's callback yields two items, then the page is done: one Function call */
    cr_expect_eq(item(&b, "http://a.test/x", 1), KUMO_EAGAIN);
    cr_expect_eq(item(&b, "http://a.test/y", 2), KUMO_EAGAIN);
    cr_expect_str_eq(cli("LLEN rt:items"), "0", "not before the ack");
    kumo__scheduler_done(b.s, r);
    kumo_request_unref(r);
    for (int i = 0; i < 100 && kumo_crawler_stats_get_int(b.c, "redis/items_stored", 0) < 2;
         i++)
        spin(&b, 50);
    cr_expect_str_eq(cli("LLEN rt:items"), "2");
    cr_expect_str_eq(cli("HGET rt:stats lease/acked"), "1");
    cr_expect_str_eq(cli("LINDEX rt:items 1"), "{\"url\": \"http://a.test/y\", \"n\": 2}");
    /* an item no ack takes (a pipeline held it past its response) goes alone */
    cr_expect_eq(item(&b, "http://a.test/late", 3), KUMO_EAGAIN);
    for (int i = 0; i < 100 && kumo_crawler_stats_get_int(b.c, "redis/items_stored", 0) < 3;
         i++)
        spin(&b, 50);
    cr_expect_str_eq(cli("LLEN rt:items"), "3");
    cr_expect_str_eq(cli("HGET rt:stats lease/acked"), "1");
    bare_close(&b);
}
