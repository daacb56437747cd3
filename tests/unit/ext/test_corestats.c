/* test_corestats.c - the core stats of a crawl: times, finish reason, counts per level. */
#include <criterion/criterion.h>
#include "lib/crawl.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);    /* kumo_leakcheck_end() */
}

TestSuite(corestats, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(corestats, times_reason_and_counts)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL,
                                    SET("urls", "/ok", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    const char *start = kumo_testcrawl_stat_str(&t, "start_time");
    const char *finish = kumo_testcrawl_stat_str(&t, "finish_time");
    cr_assert_not_null(start);
    cr_assert_not_null(finish);
    cr_assert_eq(strlen(start), strlen("2026-01-01 00:00:00.000000"), "%s", start);
    cr_assert_leq(strcmp(start, finish), 0, "%s then %s", start, finish);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(kumo_testcrawl_stat(&t, "item_scraped_count", 0), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "response_received_count", 0), 1);
}
