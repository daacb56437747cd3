/* test_httpcompression.c - the HttpCompression downloader middleware (libcurl decodes). */
#include "mwtest.h"

TestSuite(mw_httpcompression, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

Test(mw_httpcompression, accept_encoding)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    cr_assert_eq(kumo__dlmw_httpcompression.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req("http://example.com/");
    kumo_request *own = mwt_req("http://example.com/");
    kumo_headers_add(kumo_request_headers(own), "accept-encoding", "identity");
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_httpcompression.process_request(self, c, req, &res, &next), KUMO_OK);
    cr_assert_eq(kumo__dlmw_httpcompression.process_request(self, c, own, &res, &next), KUMO_OK);
    const char *ae = kumo_headers_get(req->headers, "Accept-Encoding");
    cr_assert_eq(strncmp(ae, "gzip, deflate", 13), 0, "%s", ae);
    cr_assert_str_eq(kumo_headers_get(own->headers, "Accept-Encoding"), "identity");
    cr_assert_eq(kumo_headers_count(own->headers), 1);
    kumo_request_unref(own);
    kumo_request_unref(req);
    kumo__dlmw_httpcompression.close(self, c);
    mwt_crawler_free(c);
}

static const struct {
    const char *method;
    const char *headers[3];
    const char *body;
    bool counted;
} cases[] = {
    {"GET", {"Content-Encoding: gzip", "Content-Type: text/html", NULL}, "<p>decoded</p>", true},
    {"GET", {"Content-Encoding: br", NULL}, "", true},
    {"GET", {"Content-Type: text/html", NULL}, "plain", false},
    {"HEAD", {"Content-Encoding: gzip", NULL}, "", false},
};

Test(mw_httpcompression, responses)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(NULL);
        cr_assert_eq(kumo__dlmw_httpcompression.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req("http://example.com/");
        kumo_request_set_method(req, cases[i].method);
        kumo_response *res = mwt_res(req, 200, cases[i].headers, cases[i].body);
        kumo_response *orig = res;
        kumo_request *next = NULL;
        cr_assert_eq(kumo__dlmw_httpcompression.process_response(self, c, req, &res, &next),
                     KUMO_OK);
        cr_assert_eq(res, orig);
        cr_assert_null(next);
        bool still = kumo_headers_get(res->headers, "Content-Encoding") != NULL;
        cr_assert_eq(still, !cases[i].counted && strcmp(cases[i].method, "HEAD") == 0,
                     "case %zu", i);
        if (cases[i].counted) {
            cr_assert_eq(mwt_stat(c, "httpcompression/response_count"), 1, "case %zu", i);
            cr_assert_eq(mwt_stat(c, "httpcompression/response_bytes"),
                         (int64_t)strlen(cases[i].body), "case %zu", i);
        } else {
            cr_assert_eq(mwt_stat(c, "httpcompression/response_count"), -1, "case %zu", i);
        }
        kumo_response_unref(res);
        kumo_request_unref(req);
        kumo__dlmw_httpcompression.close(self, c);
        mwt_crawler_free(c);
    }
}

Test(mw_httpcompression, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(KUMO_LIST("COMPRESSION_ENABLED", "0"));
    cr_assert_eq(kumo__dlmw_httpcompression.open(c, &self), KUMO_EDECLINED);
    mwt_crawler_free(c);
}
