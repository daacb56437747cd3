/* test_crawler_api.c - what a plugin may ask of the crawl: settings, stats, signals. */
#include "unit/middleware/mwtest.h"

TestSuite(crawler_api, KUMO_LEAKCHECK);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(crawler_api, own_settings_fall_back_to_def_when_unset_or_malformed)
{
    kumo_crawler *c = mwt_crawler(SET("RETRY_TIMES", "5", "MY_FLOAT", "2.5", "MY_BOOL", "true",
                                      "MY_TEXT", "abc"));
    cr_assert_eq(kumo_crawler_setting_int(c, "RETRY_TIMES"), 5);
    cr_assert_eq(kumo_crawler_setting_int_or(c, "MY_TEXT", -1), -1, "not an integer");
    cr_assert_eq(kumo_crawler_setting_int_or(c, "NOT_SET_ANYWHERE", 42), 42);
    cr_assert_float_eq(kumo_crawler_setting_float(c, "MY_FLOAT"), 2.5, 1e-9);
    cr_assert(kumo_crawler_setting_bool(c, "MY_BOOL"));
    cr_assert_str_eq(kumo_crawler_setting(c, "MY_TEXT"), "abc");
    cr_assert_str_eq(kumo_crawler_setting_or(c, "NOT_SET_ANYWHERE", "d"), "d");
    mwt_crawler_free(c);
}

Test(crawler_api, stats_inc_set_max_min)
{
    kumo_crawler *c = mwt_crawler(NULL);
    kumo_crawler_stats_inc(c, "n", 2);
    kumo_crawler_stats_inc(c, "n", 3);
    cr_assert_eq(kumo_crawler_stats_get_int(c, "n", 0), 5);
    kumo_crawler_stats_max(c, "hi", 4);
    kumo_crawler_stats_max(c, "hi", 2);
    kumo_crawler_stats_min(c, "lo", 4);
    kumo_crawler_stats_min(c, "lo", 2);
    cr_assert_eq(kumo_crawler_stats_get_int(c, "hi", 0), 4);
    cr_assert_eq(kumo_crawler_stats_get_int(c, "lo", 0), 2);
    kumo_crawler_stats_set_str(c, "s", "x");
    cr_assert_eq(kumo_crawler_stats_get(c, "s")->type, KUMO_VAL_STR);
    kumo_crawler_stats_set_float(c, "f", 0.5);
    cr_assert_eq(kumo_crawler_stats_get(c, "f")->type, KUMO_VAL_FLOAT);
    cr_assert_null(kumo_crawler_stats_get(c, "missing"));
    cr_assert_eq(kumo_crawler_stats_get_int(c, "missing", -3), -3);
    mwt_crawler_free(c);
}

static int opened;

static void on_opened(void *ctx, kumo_crawler *c, void *arg)
{
    (void)c, (void)arg;
    opened += *(int *)ctx;
}

Test(crawler_api, connect_maps_public_signals_and_refuses_bad_ones)
{
    kumo_crawler *c = mwt_crawler(NULL);
    int one = 1;
    cr_assert_eq(kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, on_opened, &one), KUMO_OK);
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_OPENED, NULL);
    kumo__signal_send(kumo__crawler_signals(c), c, KUMO_SIG_SPIDER_CLOSED, "x");
    cr_assert_eq(opened, 1);
    cr_assert_eq(kumo_crawler_connect(c, KUMO_SIGNAL_COUNT, on_opened, &one), KUMO_EINVAL);
    cr_assert_eq(kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, NULL, &one), KUMO_EINVAL);
    cr_assert_eq(kumo_crawler_connect(NULL, KUMO_SIGNAL_SPIDER_OPENED, on_opened, &one),
                 KUMO_EINVAL);
    mwt_crawler_free(c);
}

static int done_err = -1;

static void on_done(void *ctx, kumo_request *req, kumo_response *res, int err)
{
    (void)ctx, (void)req, (void)res;
    done_err = err;
}

Test(crawler_api, without_an_engine_requests_are_cancelled)
{
    kumo_crawler *c = mwt_crawler(NULL);
    cr_assert_eq(kumo_crawler_crawl(c, NULL), KUMO_EINVAL);
    cr_assert_eq(kumo_crawler_crawl(c, mwt_req("http://example.com/")), KUMO_ECANCELED);
    kumo_crawler_download(c, mwt_req("http://example.com/"), on_done, NULL);
    cr_assert_eq(done_err, KUMO_ECANCELED);
    kumo_crawler_close_spider(c, "why");      /* no engine: nothing to close */
    mwt_crawler_free(c);
}
