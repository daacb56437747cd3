/* test_view_crawl.c - views of the crawl: engine, stats, settings, spider, crawler, est(). */
#include "ctest.h"

TestSuite(view_crawl, CTEST_SUITE);

Test(view_crawl, names_without_a_crawl)
{
    kumo_repl *r = kumo__repl_new(NULL);
    cr_assert_str_eq(run(r, "engine"), "RuntimeError: no crawl is running\n");
    cr_assert_str_eq(run(r, "stats"), "RuntimeError: no crawl is running\n");
    cr_assert_str_eq(run(r, "est()"), "RuntimeError: no crawl is running\n");
    cr_assert_str_eq(run(r, "from scrapy.utils.engine import print_engine_status"), "");
    cr_assert_str_eq(run(r, "print_engine_status"), "<built-in function print_engine_status>\n");
    cr_assert_str_eq(run(r, "Spider"), "<class 'scrapy.spiders.Spider'>\n");
    kumo__repl_free(r);
}
