/* test_logstats.c - LogStats: the "Crawled N pages" line at open and on its timer. */
#include <criterion/criterion.h>
#include "lib/crawl.h"
#include <unistd.h>

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);    /* kumo_leakcheck_end() */
}

TestSuite(logstats, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

Test(logstats, first_line_when_the_spider_opens)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("LOGSTATS_INTERVAL", "60", "LOG_LEVEL", "INFO",
                                        "LOG_FILE", t.log),
                                    SET("urls", "/ok", "follow", "0")), KUMO_OK, "%s", t.err);
    const char *log = kumo_testcrawl_log(&t);
    cr_assert_not_null(strstr(log, "[kumo.extensions.logstats] INFO: Crawled 0 pages "
                                   "(at 0 pages/min), scraped 0 items (at 0 items/min)"),
                       "%s", log);
    cr_assert_eq(count(log, "Crawled "), 1, "no timer line within a minute: %s", log);
}

Test(logstats, zero_interval_turns_it_off)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("LOGSTATS_INTERVAL", "0", "LOG_LEVEL", "INFO",
                                        "LOG_FILE", t.log),
                                    SET("urls", "/ok", "follow", "0")), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(count(kumo_testcrawl_log(&t), "Crawled "), 0, "%s", kumo_testcrawl_log(&t));
}

Test(logstats, timer_lines_while_a_page_is_slow)
{
    /* The loop waits 400 ms at least for the page: a 10 ms timer fires in that wait. */
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("LOGSTATS_INTERVAL", "0.01", "LOG_LEVEL", "INFO",
                                        "LOG_FILE", t.log),
                                    SET("urls", "/slow?ms=400", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    const char *log = kumo_testcrawl_log(&t);
    cr_assert_geq(count(log, "Crawled 0 pages (at 0 pages/min)"), 2, "%s", log);
}
