/* test_useragent.c - the UserAgent downloader middleware: a default User-Agent. */
#include "mwtest.h"

TestSuite(mw_useragent, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

static const struct {
    const char *setting;        /* USER_AGENT; NULL: the default */
    const char *have;           /* the request's own User-Agent, or NULL */
    const char *want;           /* after process_request; NULL: none */
} cases[] = {
    {"mybot/1.0", NULL, "mybot/1.0"},
    {"mybot/1.0", "custom", "custom"},
    {"", NULL, NULL},
    {"", "custom", "custom"},
};

Test(mw_useragent, setdefault)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(KUMO_LIST("USER_AGENT", cases[i].setting));
        cr_assert_eq(kumo__dlmw_useragent.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req("http://example.com/");
        if (cases[i].have)
            kumo_headers_add(kumo_request_headers(req), "user-agent", cases[i].have);
        kumo_response *res = NULL;
        kumo_request *next = NULL;
        cr_assert_eq(kumo__dlmw_useragent.process_request(self, c, req, &res, &next), KUMO_OK);
        const char *got = kumo_headers_get(req->headers, "User-Agent");
        if (cases[i].want)
            cr_assert_str_eq(got, cases[i].want, "case %zu", i);
        else
            cr_assert_null(got, "case %zu", i);
        cr_assert_leq(kumo_headers_count(req->headers), 1);
        kumo_request_unref(req);
        kumo__dlmw_useragent.close(self, c);
        mwt_crawler_free(c);
    }
}

Test(mw_useragent, default_setting)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    cr_assert_eq(kumo__dlmw_useragent.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req("http://example.com/");
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    kumo__dlmw_useragent.process_request(self, c, req, &res, &next);
    cr_assert_str_eq(kumo_headers_get(req->headers, "User-Agent"),
                     kumo__settings_get(kumo__crawler_settings(c), "USER_AGENT"));
    kumo_request_unref(req);
    kumo__dlmw_useragent.close(self, c);
    mwt_crawler_free(c);
}
