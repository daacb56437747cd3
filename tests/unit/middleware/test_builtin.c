/* test_builtin.c - the built-in tables: names, Scrapy's orders, hooks present. */
#include "mwtest.h"
#include <unistd.h>

TestSuite(mw_builtin, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

static const struct {
    const char *name;
    int order;
} want_dl[] = {
    {"RobotsTxt", 100},   {"HttpAuth", 300},        {"DownloadTimeout", 350},
    {"DefaultHeaders", 400}, {"UserAgent", 500},    {"Retry", 550},
    {"MetaRefresh", 580}, {"HttpCompression", 590}, {"Redirect", 600},
    {"Cookies", 700},     {"HttpProxy", 750},       {"DownloaderStats", 850},
    {"HttpCache", 900},
}, want_sp[] = {
    {"HttpError", 50}, {"Offsite", 500}, {"Referer", 700}, {"UrlLength", 800}, {"Depth", 900},
};

Test(mw_builtin, tables)
{
    size_t n = 0;
    for (; kumo__builtin_dlmws[n]; n++) {
        cr_assert_lt(n, KUMO_ARRAY_LEN(want_dl));
        cr_assert_str_eq(kumo__builtin_dlmws[n]->name, want_dl[n].name);
        cr_assert_eq(kumo__builtin_dlmws[n]->order, want_dl[n].order, "%s", want_dl[n].name);
        cr_assert_not_null(kumo__builtin_dlmws[n]->open);
    }
    cr_assert_eq(n, KUMO_ARRAY_LEN(want_dl));
    for (n = 0; kumo__builtin_spmws[n]; n++) {
        cr_assert_lt(n, KUMO_ARRAY_LEN(want_sp));
        cr_assert_str_eq(kumo__builtin_spmws[n]->name, want_sp[n].name);
        cr_assert_eq(kumo__builtin_spmws[n]->order, want_sp[n].order, "%s", want_sp[n].name);
    }
    cr_assert_eq(n, KUMO_ARRAY_LEN(want_sp));
    cr_assert_null(kumo__builtin_pipelines[0]);
}

/* Every built-in opens (or declines: off by default) and closes with the default settings
 * without leaking; the ones off by default open once their setting turns them on. */
Test(mw_builtin, open_close_defaults)
{
    static const char *const off_by_default[] = {"RobotsTxt", "HttpCache"};
    kumo_crawler *c = mwt_crawler(NULL);
    for (size_t i = 0; kumo__builtin_dlmws[i]; i++) {
        bool off = false;
        for (size_t k = 0; k < KUMO_ARRAY_LEN(off_by_default); k++)
            off |= !strcmp(kumo__builtin_dlmws[i]->name, off_by_default[k]);
        void *self = NULL;
        int rc = kumo__builtin_dlmws[i]->open(c, &self);
        cr_assert_eq(rc, off ? KUMO_EDECLINED : KUMO_OK, "%s", kumo__builtin_dlmws[i]->name);
        if (rc == KUMO_OK && kumo__builtin_dlmws[i]->close)
            kumo__builtin_dlmws[i]->close(self, c);
    }
    mwt_crawler_free(c);
    char dir[] = "/tmp/kumo-builtin-XXXXXX";
    cr_assert(mkdtemp(dir));
    c = mwt_crawler((const char *const[]){"ROBOTSTXT_OBEY", "1", "HTTPCACHE_ENABLED", "1",
                                          "HTTPCACHE_DIR", dir, NULL});
    for (size_t i = 0; kumo__builtin_dlmws[i]; i++) {
        void *self = NULL;
        cr_assert_eq(kumo__builtin_dlmws[i]->open(c, &self), KUMO_OK, "%s",
                     kumo__builtin_dlmws[i]->name);
        if (kumo__builtin_dlmws[i]->close)
            kumo__builtin_dlmws[i]->close(self, c);
    }
    char db[64];
    snprintf(db, sizeof(db), "%s/%s.sqlite", dir, kumo_spider_name(kumo_crawler_spider(c)));
    cr_assert_eq(unlink(db), 0, "the cache's database %s", db);
    cr_assert_eq(rmdir(dir), 0);
    for (size_t i = 0; kumo__builtin_spmws[i]; i++) {
        void *self = NULL;
        cr_assert_eq(kumo__builtin_spmws[i]->open(c, &self), KUMO_OK);
        if (kumo__builtin_spmws[i]->close)
            kumo__builtin_spmws[i]->close(self, c);
    }
    mwt_crawler_free(c);
}
