/* test_cluster_stats.c - est()'s cluster block and the redis/cluster_* stats: "no figures
 * yet" before the first heartbeat, then the cluster's pending, leased, seen, workers and
 * items beside this worker's, with their age; nothing for a crawl without SCHEDULER=redis.
 * Skipped, with a message, without redis-server. */
#include <criterion/criterion.h>
#include <event2/event.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/scheduler.h"
#include "core/settings.h"
#include "http/request.h"
#include "lib/redisd.h"
#include "redis/cluster_stats.h"

TestSuite(cluster_stats, KUMO_REDISD_SUITE, .timeout = 60);

static void spin(struct event_base *base, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

Test(cluster_stats, est_block_beside_the_local_figures)
{
    kumo_settings *st = kumo__settings_new();
    kumo_test_set(st, "SCHEDULER", "redis");
    kumo_test_set(st, "REDIS_URL", kumo_test_redis.url);
    kumo_test_set(st, "LOG_LEVEL", "WARNING");
    kumo_test_set(st, "CONCURRENT_REQUESTS", "2");
    struct event_base *base = event_base_new();
    kumo_crawler *c = kumo__crawler_new_bare(st, &kumo_redisd_spider);
    kumo__crawler_set_base(c, base);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert(!kumo__redis_cluster_format(c, &b), "no Redis queue yet");
    cr_assert_eq(b.len, 0);
    int rc;
    kumo_scheduler *s = kumo__scheduler_open(c, &rc);
    cr_assert(s, "%s", kumo__scheduler_open_error());
    cr_assert(kumo__redis_cluster_format(c, &b));
    cr_expect(strstr(kumo__buf_str(&b), "(no figures yet)\n"), "%s", kumo__buf_str(&b));
    cr_expect(strstr(kumo__buf_str(&b), "workers alive                                   : "
                     "local 1  cluster ?\n"), "%s", kumo__buf_str(&b));
    char out[64];
    kumo_redisd_cli(&kumo_test_redis, out, sizeof(out), "RPUSH rt:items '{\"a\": 1}'");
    for (int i = 0; i < 5; i++) {
        int err;
        char url[64];
        snprintf(url, sizeof(url), "http://a.test/%d", i);
        kumo__scheduler_enqueue(s, kumo_request_new(url, NULL, &err));
    }
    for (int i = 0; i < 60 && kumo_crawler_stats_get_int(c, "redis/cluster_items", -1) < 1; i++)
        spin(base, 50);
    spin(base, 1200);               /* a heartbeat after the pushes and the lease */
    kumo__buf_reset(&b);
    cr_assert(kumo__redis_cluster_format(c, &b));
    const char *t = kumo__buf_str(&b);
    char head[160];
    snprintf(head, sizeof(head), "Redis cluster 'rt' at %s (figures ", kumo_test_redis.url);
    cr_expect(!strncmp(t, head, strlen(head)), "%s", t);
    cr_expect(strstr(t, " s old)\n"), "%s", t);
    /* two leased into this worker's buffer (CONCURRENT_REQUESTS), three in Redis */
    cr_expect(strstr(t, "\nrequests pending                                : local 2  "
                     "cluster 3\n"), "%s", t);
    cr_expect(strstr(t, "\nrequests leased                                 : local 2  "
                     "cluster 2\n"), "%s", t);
    cr_expect(strstr(t, "\nrequests seen (queued by local)                 : local 5  "
                     "cluster 5\n"), "%s", t);
    cr_expect(strstr(t, "\nworkers alive                                   : local 1  "
                     "cluster 1\n"), "%s", t);
    cr_expect(strstr(t, "\nitems in Redis                                  : local 0  "
                     "cluster 1\n"), "%s", t);
    cr_expect(strstr(t, "\nresults waiting for Redis                       : 0 (0 bytes)\n\n"),
              "%s", t);
    cr_expect_eq(kumo_crawler_stats_get_int(c, "redis/cluster_workers", 0), 1);
    cr_expect_eq(kumo_crawler_stats_get_int(c, "redis/cluster_pending", 0), 3);
    cr_expect_eq(kumo_crawler_stats_get_int(c, "redis/cluster_items", 0), 1);
    kumo__buf_release(&b);
    kumo__scheduler_close(s);
    kumo__crawler_free(c);
    event_base_free(base);
}
