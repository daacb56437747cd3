/* test_builtin.c - the built-in tables: names, Scrapy's orders, hooks present. */
#include "mwtest.h"

TestSuite(mw_builtin, .init = mwt_setup, .fini = mwt_no_leaks);

static const struct {
    const char *name;
    int order;
} want_dl[] = {
    {"DownloadTimeout", 350}, {"DefaultHeaders", 400}, {"UserAgent", 500}, {"Retry", 550},
    {"HttpCompression", 590}, {"Redirect", 600},       {"DownloaderStats", 850},
}, want_sp[] = {
    {"HttpError", 50}, {"Offsite", 500}, {"Referer", 700}, {"UrlLength", 800}, {"Depth", 900},
};

Test(mw_builtin, tables)
{
    size_t n = 0;
    for (; kumo_builtin_dlmws[n]; n++) {
        cr_assert_lt(n, KUMO_ARRAY_LEN(want_dl));
        cr_assert_str_eq(kumo_builtin_dlmws[n]->name, want_dl[n].name);
        cr_assert_eq(kumo_builtin_dlmws[n]->order, want_dl[n].order, "%s", want_dl[n].name);
        cr_assert_not_null(kumo_builtin_dlmws[n]->open);
    }
    cr_assert_eq(n, KUMO_ARRAY_LEN(want_dl));
    for (n = 0; kumo_builtin_spmws[n]; n++) {
        cr_assert_lt(n, KUMO_ARRAY_LEN(want_sp));
        cr_assert_str_eq(kumo_builtin_spmws[n]->name, want_sp[n].name);
        cr_assert_eq(kumo_builtin_spmws[n]->order, want_sp[n].order, "%s", want_sp[n].name);
    }
    cr_assert_eq(n, KUMO_ARRAY_LEN(want_sp));
    cr_assert_null(kumo_builtin_pipelines[0]);
}

/* Every built-in opens and closes with the default settings without leaking. */
Test(mw_builtin, open_close_defaults)
{
    kumo_crawler c;
    mwt_crawler(&c, NULL);
    for (size_t i = 0; kumo_builtin_dlmws[i]; i++) {
        void *self = NULL;
        cr_assert_eq(kumo_builtin_dlmws[i]->open(&c, &self), KUMO_OK);
        if (kumo_builtin_dlmws[i]->close)
            kumo_builtin_dlmws[i]->close(self, &c);
    }
    for (size_t i = 0; kumo_builtin_spmws[i]; i++) {
        void *self = NULL;
        cr_assert_eq(kumo_builtin_spmws[i]->open(&c, &self), KUMO_OK);
        if (kumo_builtin_spmws[i]->close)
            kumo_builtin_spmws[i]->close(self, &c);
    }
    mwt_crawler_free(&c);
}
