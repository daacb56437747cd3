/* test_autothrottle.c - AutoThrottle: Scrapy's delay formula, and the extension in a crawl
 * (off by default, refused with a bad target, adjusting the slot delay when on). */
#include <criterion/criterion.h>
#include "lib/crawl.h"
#include "ext/ext.h"
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

TestSuite(autothrottle_ext, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(autothrottle_ext, delay_moves_halfway_toward_latency_over_target)
{
    /* old 2 s, latency 1 s, target 1: the mean of 2 and 1 */
    cr_assert_float_eq(kumo__autothrottle_delay(2.0, 1.0, 200, 1.0, 0.0, 60.0), 1.5, 1e-9);
    /* target 4: latency / 4 = 0.25, mean with 2 is 1.125 */
    cr_assert_float_eq(kumo__autothrottle_delay(2.0, 1.0, 200, 4.0, 0.0, 60.0), 1.125, 1e-9);
    /* a larger target delay wins over the mean */
    cr_assert_float_eq(kumo__autothrottle_delay(0.0, 3.0, 200, 1.0, 0.0, 60.0), 3.0, 1e-9);
}

Test(autothrottle_ext, delay_stays_between_min_and_max)
{
    cr_assert_float_eq(kumo__autothrottle_delay(0.0, 0.01, 200, 1.0, 0.5, 60.0), 0.5, 1e-9);
    cr_assert_float_eq(kumo__autothrottle_delay(50.0, 100.0, 200, 1.0, 0.0, 60.0), 60.0, 1e-9);
}

Test(autothrottle_ext, errors_never_lower_the_delay)
{
    /* a fast 404 or 302 would halve a 2 s delay: it keeps 2 s */
    cr_assert_float_eq(kumo__autothrottle_delay(2.0, 0.01, 404, 1.0, 0.0, 60.0), 2.0, 1e-9);
    cr_assert_float_eq(kumo__autothrottle_delay(2.0, 0.01, 302, 1.0, 0.0, 60.0), 2.0, 1e-9);
    /* but a slow error may raise it */
    cr_assert_float_eq(kumo__autothrottle_delay(1.0, 5.0, 500, 1.0, 0.0, 60.0), 5.0, 1e-9);
}

Test(autothrottle_ext, off_by_default)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("LOG_LEVEL", "INFO", "LOG_FILE", t.log),
                                    SET("urls", "/ok", "follow", "0")), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    cr_assert_null(strstr(kumo_testcrawl_log(&t), "AutoThrottle"), "%s", kumo_testcrawl_log(&t));
}

Test(autothrottle_ext, a_target_that_is_not_positive_disables_it)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("AUTOTHROTTLE_ENABLED", "1",
                                        "AUTOTHROTTLE_TARGET_CONCURRENCY", "0",
                                        "LOG_LEVEL", "INFO", "LOG_FILE", t.log),
                                    SET("urls", "/ok", "follow", "0")), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    const char *log = kumo_testcrawl_log(&t);
    cr_assert_not_null(strstr(log, "AutoThrottle disabled: AUTOTHROTTLE_TARGET_CONCURRENCY "
                                   "must be positive, not 0"), "%s", log);
    cr_assert_null(strstr(log, "AutoThrottle enabled"), "%s", log);
}

Test(autothrottle_ext, first_response_sets_the_delay_from_its_latency)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("AUTOTHROTTLE_ENABLED", "1",
                                        "AUTOTHROTTLE_START_DELAY", "0",
                                        "AUTOTHROTTLE_TARGET_CONCURRENCY", "2",
                                        "AUTOTHROTTLE_DEBUG", "1",
                                        "LOG_LEVEL", "INFO", "LOG_FILE", t.log),
                                    SET("urls", "/slow?ms=100", "follow", "0")),
                 KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    const char *log = kumo_testcrawl_log(&t);
    cr_assert_not_null(strstr(log, "AutoThrottle enabled: start delay 0.00 s, delay between "
                                   "0.00 and 60.00 s, target concurrency 2.00"), "%s", log);
    const char *p = strstr(log, "| delay:");
    cr_assert_not_null(p, "%s", log);
    int d, diff, lat;
    cr_assert_eq(sscanf(p, "| delay:%d ms (%d) | latency:%d ms", &d, &diff, &lat), 3, "%s", p);
    cr_assert_geq(lat, 95, "the page takes 100 ms: %d", lat);
    /* from 0: max(latency / 2, (0 + latency / 2) / 2) = latency / 2, truncated to ms */
    cr_assert_leq(abs(d - lat / 2), 1, "delay %d ms for latency %d ms", d, lat);
    cr_assert_eq(d, diff, "raised from 0");
}
