/* test_downloadtimeout.c - the DownloadTimeout downloader middleware: meta download_timeout. */
#include "mwtest.h"

TestSuite(mw_downloadtimeout, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

static const struct {
    const char *setting;        /* DOWNLOAD_TIMEOUT; NULL: the default (180) */
    double have;                /* the request's meta; < 0: none */
    double want;                /* < 0: no meta */
} cases[] = {
    {NULL, -1, 180.0},
    {"2.5", -1, 2.5},
    {"2.5", 10, 10},
    {"0", -1, -1},
};

Test(mw_downloadtimeout, setdefault)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].setting ? KUMO_LIST("DOWNLOAD_TIMEOUT", cases[i].setting)
                                         : NULL);
        cr_assert_eq(kumo__dlmw_downloadtimeout.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req("http://example.com/");
        if (cases[i].have >= 0)
            kumo_map_set(&req->meta, "download_timeout", kumo_val_float(cases[i].have));
        kumo_response *res = NULL;
        kumo_request *next = NULL;
        cr_assert_eq(kumo__dlmw_downloadtimeout.process_request(self, c, req, &res, &next),
                     KUMO_OK);
        const kumo_value *v = kumo_map_get(&req->meta, "download_timeout");
        if (cases[i].want < 0) {
            cr_assert_null(v, "case %zu", i);
        } else {
            cr_assert_eq(v->type, KUMO_VAL_FLOAT, "case %zu", i);
            cr_assert_float_eq(v->u.f, cases[i].want, 1e-9, "case %zu", i);
        }
        kumo_request_unref(req);
        kumo__dlmw_downloadtimeout.close(self, c);
        mwt_crawler_free(c);
    }
}
