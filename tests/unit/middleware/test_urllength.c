/* test_urllength.c - the UrlLength spider middleware: URLLENGTH_LIMIT. */
#include "mwtest.h"

TestSuite(mw_urllength, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.spidermiddlewares.urllength"

static const struct {
    const char *limit;          /* NULL: the default, 2083 */
    size_t path_len;            /* url = "http://example.com/" + path_len x's */
    bool start;                 /* a start request (no response) */
    bool pass;
} cases[] = {
    {NULL, 10, false, true},
    {NULL, 2083 - 19, false, true},
    {NULL, 2083 - 18, false, false},
    {"30", 11, false, true},
    {"30", 12, false, false},
    {"30", 12, true, true},     /* Scrapy filters what callbacks return, not start requests */
};

Test(mw_urllength, filter)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].limit ? KUMO_LIST("URLLENGTH_LIMIT", cases[i].limit) : NULL);
        mwt_log_begin();
        cr_assert_eq(kumo__spmw_urllength.open(c, &self), KUMO_OK);
        char url[4096] = "http://example.com/";
        memset(url + 19, 'x', cases[i].path_len);
        url[19 + cases[i].path_len] = '\0';
        kumo_request *from = mwt_req("http://example.com/");
        kumo_response *res = mwt_res(from, 200, NULL, "");
        kumo_request *req = mwt_req(url);
        int rc = kumo__spmw_urllength.process_request(self, c, cases[i].start ? NULL : res, req);
        cr_assert_eq(rc, cases[i].pass ? KUMO_OK : KUMO_EIGNORED, "case %zu", i);
        cr_assert_eq(mwt_stat(c, "urllength/request_ignored_count"), cases[i].pass ? -1 : 1);
        if (!cases[i].pass) {
            char line[4200];
            snprintf(line, sizeof(line), "Ignoring link (url length > %s): %s\n",
                     cases[i].limit ? cases[i].limit : "2083", url);
            mwt_assert_logged(LG, "INFO", line);
        }
        kumo_request_unref(req);
        kumo_response_unref(res);
        kumo_request_unref(from);
        kumo__spmw_urllength.close(self, c);
        mwt_log_end();
        mwt_crawler_free(c);
    }
}

Test(mw_urllength, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(KUMO_LIST("URLLENGTH_LIMIT", "0"));
    cr_assert_eq(kumo__spmw_urllength.open(c, &self), KUMO_EDECLINED);
    mwt_crawler_free(c);
}
