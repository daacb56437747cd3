/* test_slots.c - the download slots a Redis frontier shares: the politeness settings read
 * as the local downloader reads them, no slot before there is a downloader, and a slot
 * delay AutoThrottle changed reported to Redis.  The last needs redis-server. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/request.h"
#include "lib/crawl.h"
#include "lib/leakcheck.h"
#include "lib/redisd.h"
#include "redis/slots.h"

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

static void cb(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static const kumo_spider_def def = {
    KUMO_SPIDER_HEADER,
    .name = "slots",
    .callbacks = KUMO_CALLBACKS(cb),
};

/* A bare crawler with settings kv (NAME, VALUE, ..., NULL). */
static kumo_crawler *bare(const char *const *kv)
{
    kumo_settings *st = kumo__settings_new();
    char err[256];
    for (size_t i = 0; kv[i]; i += 2)
        cr_assert_eq(kumo__settings_set(st, kv[i], kv[i + 1], KUMO_PRIO_CMDLINE, err,
                                        sizeof(err)), KUMO_OK, "%s", err);
    return kumo__crawler_new_bare(st, &def);
}

Test(slots, settings_as_the_local_downloader_reads_them, .init = kumo_leakcheck_start,
     .fini = kumo_leakcheck_end)
{
    const struct {
        const char *const *kv;
        long long conc, delay_ms;
        bool randomize;
    } cases[] = {
        {SET("LOG_LEVEL", "ERROR"), 8, 0, true},
        {SET("CONCURRENT_REQUESTS_PER_DOMAIN", "1", "DOWNLOAD_DELAY", "0.25",
             "RANDOMIZE_DOWNLOAD_DELAY", "0"), 1, 250, false},
        {SET("CONCURRENT_REQUESTS_PER_DOMAIN", "3", "CONCURRENT_REQUESTS_PER_IP", "2"), 2, 0,
         true},
        {SET("DOWNLOAD_DELAY", "0.5", "AUTOTHROTTLE_ENABLED", "1", "AUTOTHROTTLE_START_DELAY",
             "2"), 8, 2000, true},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c = bare(cases[i].kv);
        kumo_redis_slots s;
        kumo__redis_slots_init(&s, c);
        cr_expect_eq(s.conc, cases[i].conc, "case %zu", i);
        cr_expect_eq(s.delay_ms, cases[i].delay_ms, "case %zu", i);
        cr_expect_eq(s.randomize, cases[i].randomize, "case %zu", i);
        int err;
        kumo_request *req = kumo_request_new("http://a.test/x", NULL, &err);
        char slot[KUMO_REDIS_SLOT_MAX] = "unset";
        kumo__redis_slot_of(&s, req, slot, sizeof(slot));
        cr_expect_str_eq(slot, "", "no downloader yet: no slot");
        kumo_map_set(&req->meta, "download_slot", kumo_val_str("a.test"));
        kumo__redis_slots_note(&s, req);
        cr_expect_eq(s.nreports, 0, "no slot, nothing to report");
        kumo_request_unref(req);
        kumo__redis_slots_release(&s);
        kumo__crawler_free(c);
    }
}

/* AutoThrottle halves the slot's start delay after the first response: the next lease
 * tells Redis, where every worker's leases then use it. */
Test(slots, autothrottle_delay_reported_to_redis)
{
    kumo_redisd redis = {0};
    kumo_redisd_start_or_skip(&redis);
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    int rc = kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                SET("SCHEDULER", "redis", "REDIS_URL", redis.url,
                                    "AUTOTHROTTLE_ENABLED", "1", "AUTOTHROTTLE_START_DELAY",
                                    "0.05", "SCHEDULER_IDLE_BEFORE_CLOSE", "0",
                                    "TELNETCONSOLE_ENABLED", "0"),
                                SET("urls", "/ok,/text,/json,/status/200", "follow", "0"));
    char out[64] = "", conf[64] = "";
    kumo_redisd_cli(&redis, out, sizeof(out), "HGET probe:delay 127.0.0.1");
    kumo_redisd_cli(&redis, conf, sizeof(conf), "HGET probe:conf delay");
    kumo_redisd_stop(&redis, false);
    cr_assert_eq(rc, KUMO_OK, "%s", t.err);
    cr_expect_eq(kumo_testserver_hits(t.srv, "/ok"), 1);
    cr_expect_str_eq(conf, "50", "the start delay every slot begins with");
    cr_expect_neq(out[0], '\0', "the slot's delay was reported");
    cr_expect_lt(atoll(out), 50, "lowered by AutoThrottle: %s ms", out);
    kumo_testcrawl_fini(&t);
}
