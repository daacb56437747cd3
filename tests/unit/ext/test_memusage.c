/* test_memusage.c - MemoryUsage on real crawls: stats, the limit (memusage_exceeded), the
 * warning once, Scrapy's log texts, and the off switch. */
#include <criterion/criterion.h>
#include <unistd.h>
#include "lib/crawl.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo__log_set_file(NULL);
    kumo_testcrawl_fini(&t);
}

TestSuite(memusage, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define STAT(k) kumo_testcrawl_stat(&t, k, -1)

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

Test(memusage, stats_of_a_finished_crawl)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL, SET("urls", "/ok")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    int64_t startup = STAT("memusage/startup"), max = STAT("memusage/max");
    int64_t current = STAT("memusage/current");
    cr_assert_gt(startup, 1024 * 1024, "startup %lld", (long long)startup);
    cr_assert_geq(max, startup);
    cr_assert_geq(max, current);
    cr_assert_gt(current, 0);
    cr_assert_eq(STAT("memusage/limit_reached"), -1);
    cr_assert_eq(STAT("memusage/warning_reached"), -1);
    cr_assert_eq(STAT("memusage/limit_notified"), -1, "kumo sends no mail");
}

/* An endless crawl (/depth/N links to N+1 for ever) stops at the limit. */
Test(memusage, limit_closes_the_spider)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("MEMUSAGE_LIMIT_MB", "1",
                                        "MEMUSAGE_CHECK_INTERVAL_SECONDS", "0.05",
                                        "LOG_LEVEL", "INFO", "LOG_FILE", t.log),
                                    SET("urls", "/depth/0")), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "memusage_exceeded");
    cr_assert_eq(STAT("memusage/limit_reached"), 1);
    const char *log = kumo_testcrawl_log(&t);
    cr_assert_eq(count(log, "[kumo.extensions.memusage] ERROR: Memory usage exceeded 1MiB. "
                            "Shutting down kumo...\n"), 1, "%s", log);
    cr_assert(strstr(log, "[kumo.core.engine] INFO: Closing spider (memusage_exceeded)"),
              "%s", log);
}

/* Under the limit: "Peak memory usage is NMiB" at each check, and the crawl finishes. */
Test(memusage, under_the_limit)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("MEMUSAGE_LIMIT_MB", "100000",
                                        "MEMUSAGE_CHECK_INTERVAL_SECONDS", "0.05",
                                        "LOG_LEVEL", "INFO", "LOG_FILE", t.log),
                                    SET("urls", "/ok")), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(STAT("memusage/limit_reached"), -1);
    const char *log = kumo_testcrawl_log(&t);
    cr_assert_geq(count(log, "[kumo.extensions.memusage] INFO: Peak memory usage is "), 1,
                  "%s", log);
    cr_assert_eq(count(log, "Memory usage exceeded"), 0);
}

/* The warning is logged once however many checks pass it; the crawl goes on. */
Test(memusage, warning_once)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("MEMUSAGE_WARNING_MB", "1",
                                        "MEMUSAGE_CHECK_INTERVAL_SECONDS", "0.02",
                                        "CLOSESPIDER_PAGECOUNT", "40", "DOWNLOAD_DELAY", "0.01",
                                        "LOG_LEVEL", "WARNING", "LOG_FILE", t.log),
                                    SET("urls", "/depth/0")), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_pagecount");
    cr_assert_eq(STAT("memusage/warning_reached"), 1);
    cr_assert_eq(STAT("memusage/limit_reached"), -1);
    const char *log = kumo_testcrawl_log(&t);
    cr_assert_eq(count(log, "[kumo.extensions.memusage] WARNING: Memory usage reached 1MiB\n"),
                 1, "%s", log);
}

Test(memusage, off_switch)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("MEMUSAGE_ENABLED", "0", "MEMUSAGE_LIMIT_MB", "1"),
                                    SET("urls", "/ok")), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(STAT("memusage/startup"), -1);
    cr_assert_eq(STAT("memusage/max"), -1);
}
