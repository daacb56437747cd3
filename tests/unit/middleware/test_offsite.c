/* test_offsite.c - the Offsite spider middleware: allowed domains, stats, one line per domain. */
#include "mwtest.h"

TestSuite(mw_offsite, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.spidermiddlewares.offsite"

/* mwt_def allows example.com and test.invalid */
static const struct {
    const char *url;
    bool dont_filter;
    bool pass;
} cases[] = {
    {"http://example.com/", false, true},
    {"https://www.example.com/x", false, true},
    {"http://a.b.EXAMPLE.com:8080/x", false, true},
    {"http://test.invalid/", false, true},
    {"http://notexample.com/", false, false},
    {"http://example.com.evil.invalid/", false, false},
    {"http://elsewhere.invalid/", false, false},
    {"http://elsewhere.invalid/2", false, false},
    {"http://elsewhere.invalid:81/3", false, false},
    {"http://elsewhere.invalid/forced", true, true},
    {"http://other.invalid/", false, false},
};

Test(mw_offsite, filter)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    mwt_log_begin();
    cr_assert_eq(kumo__spmw_offsite.open(c, &self), KUMO_OK);
    kumo_request *from = mwt_req("http://example.com/");
    kumo_response *res = mwt_res(from, 200, NULL, "");
    int64_t filtered = 0;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_request *req = mwt_req(cases[i].url);
        kumo_request_set_dont_filter(req, cases[i].dont_filter);
        int rc = kumo__spmw_offsite.process_request(self, c, res, req);
        cr_assert_eq(rc, cases[i].pass ? KUMO_OK : KUMO_EIGNORED, "case %zu: %s", i,
                     cases[i].url);
        filtered += !cases[i].pass;
        kumo_request_unref(req);
    }
    cr_assert_eq(mwt_stat(c, "offsite/filtered"), filtered);
    cr_assert_eq(mwt_stat(c, "offsite/domains"), 4);
    mwt_assert_logged(LG, "DEBUG", "Filtered offsite request to 'elsewhere.invalid': "
                      "<GET http://elsewhere.invalid/>\n");
    mwt_assert_logged(LG, "DEBUG", "Filtered offsite request to 'notexample.com': "
                      "<GET http://notexample.com/>\n");
    cr_assert_null(strstr(mwt_log(), "elsewhere.invalid/2"), "one line per domain");

    /* start requests pass, as in Scrapy (it filters what callbacks return) */
    kumo_request *start = mwt_req("http://elsewhere.invalid/start");
    cr_assert_eq(kumo__spmw_offsite.process_request(self, c, NULL, start), KUMO_OK);
    kumo_request_unref(start);

    kumo_response_unref(res);
    kumo_request_unref(from);
    kumo__spmw_offsite.close(self, c);
    mwt_log_end();
    mwt_crawler_free(c);
}

static const kumo_spider_def any_def = {.name = "any"};
static const kumo_spider_def bad_def = {
    .name = "bad",
    .allowed_domains = KUMO_LIST("http://example.com", "example.org:8080", "good.invalid"),
};

Test(mw_offsite, no_spider_allows_all)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    mwt_spider(c, NULL);
    cr_assert_eq(kumo__spmw_offsite.open(c, &self), KUMO_OK);
    kumo_request *from = mwt_req("http://example.com/");
    kumo_response *res = mwt_res(from, 200, NULL, "");
    kumo_request *req = mwt_req("http://anything.invalid/");
    cr_assert_eq(kumo__spmw_offsite.process_request(self, c, res, req), KUMO_OK);
    kumo_request_unref(req);
    kumo_response_unref(res);
    kumo_request_unref(from);
    kumo__spmw_offsite.close(self, c);
    mwt_crawler_free(c);
}

/* A domain the spider allows at open (kumo_spider_allow_domain) counts too. */
Test(mw_offsite, allow_domain_later)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    mwt_log_begin();
    cr_assert_eq(kumo__spmw_offsite.open(c, &self), KUMO_OK);
    kumo_request *from = mwt_req("http://example.com/");
    kumo_response *res = mwt_res(from, 200, NULL, "");
    kumo_request *req = mwt_req("http://late.invalid/");
    cr_assert_eq(kumo__spmw_offsite.process_request(self, c, res, req), KUMO_EIGNORED);
    kumo_spider_allow_domain(kumo_crawler_spider(c), "late.invalid");
    cr_assert_eq(kumo__spmw_offsite.process_request(self, c, res, req), KUMO_OK);
    kumo_request_unref(req);
    kumo_response_unref(res);
    kumo_request_unref(from);
    kumo__spmw_offsite.close(self, c);
    mwt_log_end();
    mwt_crawler_free(c);
}

Test(mw_offsite, domain_lists)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    mwt_spider(c, &any_def);   /* no allowed_domains: everything passes */
    cr_assert_eq(kumo__spmw_offsite.open(c, &self), KUMO_OK);
    kumo_request *from = mwt_req("http://example.com/");
    kumo_response *res = mwt_res(from, 200, NULL, "");
    kumo_request *req = mwt_req("http://anything.invalid/");
    cr_assert_eq(kumo__spmw_offsite.process_request(self, c, res, req), KUMO_OK);
    kumo__spmw_offsite.close(self, c);

    /* urls and domains with ports are ignored with a warning, as in Scrapy */
    mwt_spider(c, &bad_def);
    mwt_log_begin();
    cr_assert_eq(kumo__spmw_offsite.open(c, &self), KUMO_OK);
    mwt_assert_logged(LG, "WARNING", "allowed_domains accepts only domains, not URLs. "
                      "Ignoring URL entry http://example.com in allowed_domains.");
    mwt_assert_logged(LG, "WARNING", "allowed_domains accepts only domains without ports. "
                      "Ignoring entry example.org:8080 in allowed_domains.");
    static const struct {
        const char *url;
        int rc;
    } urls[] = {
        {"http://example.com/", KUMO_EIGNORED},
        {"http://example.org:8080/", KUMO_EIGNORED},
        {"http://x.good.invalid/", KUMO_OK},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(urls); i++) {
        kumo_request *r = mwt_req(urls[i].url);
        cr_assert_eq(kumo__spmw_offsite.process_request(self, c, res, r), urls[i].rc,
                     "%s", urls[i].url);
        kumo_request_unref(r);
    }
    kumo__spmw_offsite.close(self, c);
    mwt_log_end();

    kumo_request_unref(req);
    kumo_response_unref(res);
    kumo_request_unref(from);
    mwt_crawler_free(c);
}
