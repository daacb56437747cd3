/* test_downloader_throttle.c - AutoThrottle: Scrapy's delay formula and the settings that
 * keep it off (tests/integration/test_throttle.c drives a real crawl's slot delays). */
#include "unit/middleware/mwtest.h"
#include "ext/ext.h"

TestSuite(autothrottle, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end, .timeout = 60);

/* Expected values computed with Scrapy 2.8's AutoThrottle._adjust_delay. */
static const struct {
    double old, latency;
    int status;
    double target, mindelay, maxdelay, want;
} formula[] = {
    {5.0, 0.1, 200, 1, 0, 60, 2.55},        /* mean of old and target */
    {5.0, 0.1, 200, 2, 0, 60, 2.525},
    {1.0, 3.0, 200, 1, 0, 60, 3.0},         /* a larger target wins over the mean */
    {1.0, 0.2, 500, 1, 0, 60, 1.0},         /* non-200 never lowers */
    {1.0, 3.0, 500, 1, 0, 60, 3.0},         /* but raises */
    {0.1, 0.0, 200, 1, 0.5, 60, 0.5},       /* never below DOWNLOAD_DELAY */
    {10, 200, 200, 1, 0, 60, 60},           /* never above AUTOTHROTTLE_MAX_DELAY */
    {2.0, 1.0, 302, 1, 0, 60, 2.0},
    {0.0, 0.4, 200, 4, 0, 60, 0.1},
    {1.0, 1.0, 200, 1, 0, 60, 1.0},
    {1.0, 1.0, 404, 1, 0, 60, 1.0},
};

Test(autothrottle, formula)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(formula); i++) {
        double got = kumo__autothrottle_delay(formula[i].old, formula[i].latency,
                                             formula[i].status, formula[i].target,
                                             formula[i].mindelay, formula[i].maxdelay);
        cr_assert_float_eq(got, formula[i].want, 1e-9, "case %zu: %f", i, got);
    }
}

Test(autothrottle, disabled)
{
    static const char *const off[][3] = {
        {"AUTOTHROTTLE_ENABLED", "0", NULL},
        {"AUTOTHROTTLE_TARGET_CONCURRENCY", "0", NULL},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(off); i++) {
        kumo_crawler *c;
        void *self = NULL;
        char err[128];
        const char *kv[] = {"AUTOTHROTTLE_ENABLED", "1", off[i][0], off[i][1], NULL};
        c = mwt_crawler(kv);
        cr_assert_eq(kumo__ext_autothrottle.open(c, &self, err, sizeof(err)), KUMO_EDECLINED);
        mwt_crawler_free(c);
    }
}
