/* test_robots_redis.c - robots.txt shared through Redis by in-process crawls (SCHEDULER=redis):
 * a copy the cluster stored is used without a fetch, the first worker fetches and stores
 * it, a lock another worker holds is waited out.  Needs redis-server (skipped without). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/crawl.h"
#include "lib/redisd.h"
#include "lib/routes.h"

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

static kumo_redisd redis;
static kumo_testcrawl t;
static char robots_url[128];    /* http://127.0.0.1:PORT/robots.txt */

static void setup(void)
{
    memset(&redis, 0, sizeof(redis));
    kumo_redisd_start_or_skip(&redis);
    kumo_ts_robots_set(0, NULL, NULL);
    kumo_testcrawl_init(&t);
    kumo_testserver_url(t.srv, "/robots.txt", robots_url, sizeof(robots_url));
}

static void teardown(void)
{
    kumo_redisd_stop(&redis, false);
    kumo_ts_robots_set(0, NULL, NULL);
    kumo_testcrawl_fini(&t);
}

TestSuite(robots_redis, .init = setup, .fini = teardown, .timeout = 60);

static void crawl(void)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("SCHEDULER", "redis", "REDIS_URL", redis.url,
                                        "ROBOTSTXT_OBEY", "1", "SCHEDULER_IDLE_BEFORE_CLOSE",
                                        "0", "TELNETCONSOLE_ENABLED", "0"),
                                    SET("urls", "/ok,/text", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
}

Test(robots_redis, a_stored_copy_is_obeyed_without_a_fetch)
{
    kumo_ts_robots_set(200, NULL, "User-agent: *\nDisallow: /text\n");
    char out[64];
    kumo_redisd_cli(&redis, out, sizeof(out),
                    "HSET 'probe:robots:%s' s 200 b \"$(printf 'User-agent: *\\nDisallow: /ok')\"",
                    robots_url);
    cr_assert_str_eq(out, "2");
    crawl();
    cr_expect_eq(kumo_testserver_hits(t.srv, "/robots.txt"), 0, "the cluster's copy");
    cr_expect_eq(kumo_testserver_hits(t.srv, "/ok"), 0, "the stored rules, not the server's");
    cr_expect_eq(kumo_testserver_hits(t.srv, "/text"), 1);
    cr_expect_eq(kumo_testcrawl_stat(&t, "redis/robots_shared", 0), 1);
    cr_expect_eq(kumo_testcrawl_stat(&t, "robotstxt/forbidden", 0), 1);
}

Test(robots_redis, the_first_worker_fetches_and_stores_it)
{
    kumo_ts_robots_set(200, NULL, "User-agent: *\nDisallow: /text\n");
    crawl();
    cr_expect_eq(kumo_testserver_hits(t.srv, "/robots.txt"), 1);
    cr_expect_eq(kumo_testserver_hits(t.srv, "/text"), 0);
    cr_expect_eq(kumo_testcrawl_stat(&t, "redis/robots_stored", 0), 1);
    char out[128];
    kumo_redisd_cli(&redis, out, sizeof(out), "HGET 'probe:robots:%s' s", robots_url);
    cr_expect_str_eq(out, "200");
    kumo_redisd_cli(&redis, out, sizeof(out), "HGET 'probe:robots:%s' b", robots_url);
    cr_expect_str_eq(out, "User-agent: *", "the body (its first line)");
    kumo_redisd_cli(&redis, out, sizeof(out), "EXISTS 'probe:robots_lock:%s'", robots_url);
    cr_expect_str_eq(out, "0", "the lock is dropped");
    kumo_redisd_cli(&redis, out, sizeof(out), "TTL 'probe:robots:%s'", robots_url);
    cr_expect_gt(atol(out), 0, "kept for a while, not for ever: %s", out);
}

Test(robots_redis, a_lock_held_elsewhere_is_waited_out)
{
    kumo_ts_robots_set(200, NULL, "User-agent: *\nDisallow: /text\n");
    char out[64];
    kumo_redisd_cli(&redis, out, sizeof(out), "SET 'probe:robots_lock:%s' other PX 700",
                    robots_url);
    cr_assert_str_eq(out, "OK");
    crawl();
    cr_expect_eq(kumo_testserver_hits(t.srv, "/robots.txt"), 1, "fetched once the lock ended");
    cr_expect_eq(kumo_testserver_hits(t.srv, "/text"), 0);
    cr_expect_eq(kumo_testserver_hits(t.srv, "/ok"), 1);
    cr_expect_eq(kumo_testcrawl_stat(&t, "redis/robots_stored", 0), 1);
}
