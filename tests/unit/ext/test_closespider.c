/* test_closespider.c - CLOSESPIDER_*: each count closes the crawl with its reason. */
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

TestSuite(closespider, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(closespider, pagecount_closes_with_its_reason)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("CLOSESPIDER_PAGECOUNT", "2", "CONCURRENT_REQUESTS", "1"),
                                    SET("urls", "/page/1")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_pagecount");
    cr_assert_geq(kumo_testcrawl_stat(&t, "response_received_count", 0), 2);
}

Test(closespider, off_by_default)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL,
                                    SET("urls", "/ok,/text", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(t.nitems, 2);
}
