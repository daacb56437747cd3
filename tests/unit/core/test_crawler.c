/* test_crawler.c - making a crawler: spider settings on top, refusals with one line, run. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "lib/leakcheck.h"

static void teardown(void)
{
    kumo__log_set_level(KUMO_LOG_CRITICAL);
    kumo__global_cleanup();
    kumo_leakcheck_end();
}

TestSuite(crawler, .init = kumo_leakcheck_start, .fini = teardown);

static int start_nothing(kumo_spider *sp, kumo_out *out)
{
    (void)sp, (void)out;
    return KUMO_OK;
}

static const kumo_spider_def empty = {
    .name = "empty",
    .start_requests = start_nothing,
    .settings = (const kumo_setting[]){{"LOG_LEVEL", "ERROR"}, {"DOWNLOAD_DELAY", "2"},
                                       {NULL, NULL}},
};

Test(crawler, spider_settings_apply_and_an_empty_crawl_finishes)
{
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    kumo_settings *s = kumo__settings_new();
    char err[256] = "";
    kumo_crawler *c = kumo__crawler_new(&empty, s, NULL, err, sizeof(err));
    cr_assert_not_null(c, "%s", err);
    cr_assert_float_eq(kumo_crawler_setting_float(c, "DOWNLOAD_DELAY"), 2.0, 1e-9);
    cr_assert_eq(kumo_crawler_spider(c) != NULL, true);
    cr_assert_null(kumo__crawler_finish_reason(c), "not closed yet");
    cr_assert_eq(kumo__crawler_run(c), KUMO_OK);
    cr_assert_str_eq(kumo__crawler_finish_reason(c), "finished");
    kumo__crawler_free(c);
}

Test(crawler, a_bad_log_level_is_refused_with_one_line)
{
    kumo_settings *s = kumo__settings_new();
    cr_assert_eq(kumo__settings_set(s, "LOG_LEVEL", "LOUD", KUMO_PRIO_CMDLINE, NULL, 0), KUMO_OK);
    static const kumo_spider_def plain = {.name = "plain", .start_requests = start_nothing};
    char err[256] = "";
    cr_assert_null(kumo__crawler_new(&plain, s, NULL, err, sizeof(err)));
    cr_assert_str_eq(err, "invalid value 'LOUD' for LOG_LEVEL: expected DEBUG, INFO, WARNING, "
                     "ERROR or CRITICAL");
}

Test(crawler, a_spider_setting_that_does_not_parse_is_refused)
{
    static const kumo_setting many[] = {{"RETRY_TIMES", "many"}, {NULL, NULL}};
    static const kumo_spider_def bad = {
        .name = "bad",
        .start_requests = start_nothing,
        .settings = many,
    };
    char err[256] = "";
    cr_assert_null(kumo__crawler_new(&bad, kumo__settings_new(), NULL, err, sizeof(err)));
    cr_assert_not_null(strstr(err, "RETRY_TIMES"), "%s", err);
}
