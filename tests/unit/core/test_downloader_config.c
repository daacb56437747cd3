/* test_downloader_config.c - the downloader's configuration as read from settings. */
#include "unit/middleware/mwtest.h"
#include "core/downloader_config.h"
#include "http/downloader.h"

TestSuite(downloader_config, KUMO_LEAKCHECK);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

Test(downloader_config, defaults)
{
    kumo_crawler *c = mwt_crawler(NULL);
    kumo_downloader_config cfg;
    char err[256] = "";
    cr_assert_eq(kumo__downloader_config(c, &cfg, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_eq(cfg.concurrency, 16);
    cr_assert_eq(cfg.slot_concurrency, 8);
    cr_assert_not(cfg.per_ip);
    cr_assert_float_eq(cfg.delay, 0.0, 1e-9);
    cr_assert(cfg.randomize);
    cr_assert_float_eq(cfg.timeout, 180.0, 1e-9);
    cr_assert_eq(cfg.nresolve, 0);
    cr_assert_eq(cfg.downloaded_arg, c);
    kumo__downloader_config_release(&cfg);
    mwt_crawler_free(c);
}

Test(downloader_config, per_ip_autothrottle_and_floors)
{
    kumo_crawler *c = mwt_crawler(SET("CONCURRENT_REQUESTS", "0", "CONCURRENT_REQUESTS_PER_IP",
                                      "3", "DOWNLOAD_DELAY", "0.5", "AUTOTHROTTLE_ENABLED", "1",
                                      "AUTOTHROTTLE_START_DELAY", "2", "DOWNLOAD_MAXSIZE", "-5"));
    kumo_downloader_config cfg;
    char err[256] = "";
    cr_assert_eq(kumo__downloader_config(c, &cfg, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_eq(cfg.concurrency, 1, "at least one transfer");
    cr_assert(cfg.per_ip);
    cr_assert_eq(cfg.slot_concurrency, 3);
    cr_assert_float_eq(cfg.delay, 2.0, 1e-9, "AutoThrottle's start delay wins");
    cr_assert_eq(cfg.maxsize, 0);
    kumo__downloader_config_release(&cfg);
    mwt_crawler_free(c);
}

static int seen;

static void on_downloaded(void *ctx, kumo_crawler *c, void *arg)
{
    (void)ctx, (void)c;
    seen += arg != NULL;
}

Test(downloader_config, resolve_entries_checked_and_signal_sent)
{
    kumo_crawler *c = mwt_crawler(SET("DNS_RESOLVE", "a.test:80:127.0.0.1,b.test:443:[::1]"));
    kumo_downloader_config cfg;
    char err[256] = "";
    cr_assert_eq(kumo__downloader_config(c, &cfg, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_eq(cfg.nresolve, 2);
    cr_assert_str_eq(cfg.resolve[0], "a.test:80:127.0.0.1");
    kumo__signal_connect(kumo__crawler_signals(c), KUMO_SIG_RESPONSE_DOWNLOADED, on_downloaded,
                        NULL);
    kumo_request *req = mwt_req("http://a.test/");
    kumo_response *res = mwt_res(req, 200, NULL, "x");
    cfg.downloaded(cfg.downloaded_arg, res);
    cr_assert_eq(seen, 1);
    kumo_response_unref(res);
    kumo_request_unref(req);
    kumo__downloader_config_release(&cfg);

    kumo__settings_set(kumo__crawler_settings(c), "DNS_RESOLVE", "nohost", KUMO_PRIO_CMDLINE,
                      NULL, 0);
    cr_assert_eq(kumo__downloader_config(c, &cfg, err, sizeof(err)), KUMO_EINVAL);
    cr_assert_not_null(strstr(err, "nohost"), "%s", err);
    kumo__downloader_config_release(&cfg);
    mwt_crawler_free(c);
}
