/* test_downloaderstats.c - the DownloaderStats downloader middleware: downloader/ stats. */
#include "mwtest.h"

TestSuite(mw_downloaderstats, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

/* response_bytes as Scrapy 2.8 counts them (values computed with scrapy's own functions) */
static const struct {
    int status;
    const char *headers[4];
    const char *body;
    int64_t bytes;
} responses[] = {
    {200, {"Content-Type: text/html", "X-A: 1", "X-A: 2", NULL}, "hello", 63},
    {404, {NULL}, "", 26},
    {599, {"a: b", NULL}, "xyz", 26},
};

Test(mw_downloaderstats, counts)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    cr_assert_eq(kumo__dlmw_stats.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req("http://example.com/");
    kumo_request *post = mwt_req("http://example.com/form");
    kumo_request_set_method(post, "POST");
    kumo_request_set_body(post, "q=1", 3);
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_stats.process_request(self, c, req, &res, &next), KUMO_OK);
    cr_assert_eq(kumo__dlmw_stats.process_request(self, c, post, &res, &next), KUMO_OK);
    cr_assert_null(res);
    cr_assert_null(next);
    cr_assert_eq(mwt_stat(c, "downloader/request_count"), 2);
    cr_assert_eq(mwt_stat(c, "downloader/request_method_count/GET"), 1);
    cr_assert_eq(mwt_stat(c, "downloader/request_method_count/POST"), 1);
    cr_assert_eq(mwt_stat(c, "downloader/request_bytes"),
                 (int64_t)(kumo__request_bytes(req) + kumo__request_bytes(post)));

    int64_t total = 0;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(responses); i++) {
        res = mwt_res(req, responses[i].status, responses[i].headers, responses[i].body);
        int64_t before = mwt_stat(c, "downloader/response_bytes");
        cr_assert_eq(kumo__dlmw_stats.process_response(self, c, req, &res, &next), KUMO_OK);
        cr_assert_eq(mwt_stat(c, "downloader/response_bytes") - (before < 0 ? 0 : before),
                     responses[i].bytes, "case %zu", i);
        total += responses[i].bytes;
        kumo_response_unref(res);
    }
    res = NULL;
    cr_assert_eq(mwt_stat(c, "downloader/response_count"), 3);
    cr_assert_eq(mwt_stat(c, "downloader/response_status_count/200"), 1);
    cr_assert_eq(mwt_stat(c, "downloader/response_status_count/404"), 1);
    cr_assert_eq(mwt_stat(c, "downloader/response_bytes"), total);

    static const struct {
        int err;
        const char *name;
    } errs[] = {
        {KUMO_ETIMEDOUT, "twisted.internet.error.TimeoutError"},
        {KUMO_ECONNREFUSED, "twisted.internet.error.ConnectionRefusedError"},
        {KUMO_EDNS, "twisted.internet.error.DNSLookupError"},
        {KUMO_ETIMEDOUT, "twisted.internet.error.TimeoutError"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(errs); i++) {
        int rc = kumo__dlmw_stats.process_exception(self, c, req, errs[i].err, &res, &next);
        cr_assert_eq(rc, KUMO_EDECLINED);
        char key[128];
        snprintf(key, sizeof(key), "downloader/exception_type_count/%s", errs[i].name);
        cr_assert_geq(mwt_stat(c, key), 1, "%s", key);
    }
    cr_assert_eq(mwt_stat(c, "downloader/exception_count"), 4);
    cr_assert_eq(mwt_stat(c, "downloader/exception_type_count/"
                              "twisted.internet.error.TimeoutError"), 2);

    kumo_request_unref(post);
    kumo_request_unref(req);
    mwt_crawler_free(c);
}

Test(mw_downloaderstats, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(KUMO_LIST("DOWNLOADER_STATS", "False"));
    cr_assert_eq(kumo__dlmw_stats.open(c, &self), KUMO_EDECLINED);
    mwt_crawler_free(c);
}
