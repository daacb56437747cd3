/* test_httpauth.c - the HttpAuth downloader middleware: user and password from spider
 * arguments or settings, the domain rule of Scrapy 2.8, an existing header kept. */
#include "mwtest.h"

TestSuite(mw_httpauth, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define AUTH "Basic a3VtbzpzM2NyZXQ="      /* kumo:s3cret */

static const struct {
    const char *settings[7];
    const char *args[7];
    const char *urls[4];                /* requests in order, NULL-terminated */
    bool sent[4];                       /* Authorization added to each */
} cases[] = {
    /* nothing configured */
    {{NULL}, {NULL}, {"http://example.com/"}, {false}},
    /* settings, explicit domain: that domain and its subdomains only */
    {{"HTTP_USER", "kumo", "HTTP_PASS", "s3cret", "HTTP_AUTH_DOMAIN", "example.com"}, {NULL},
     {"http://example.com/", "http://www.example.com:8080/", "http://other.com/",
      "http://badexample.com/"}, {true, true, false, false}},
    /* spider arguments win over settings */
    {{"HTTP_USER", "no", "HTTP_PASS", "no", "HTTP_AUTH_DOMAIN", "other.com"},
     {"http_user", "kumo", "http_pass", "s3cret", "http_auth_domain", "example.com"},
     {"http://example.com/", "http://other.com/"}, {true, false}},
    /* domain unset: the first request's host, with or without a port */
    {{"HTTP_USER", "kumo", "HTTP_PASS", "s3cret"}, {NULL},
     {"http://a.example.com:8080/", "http://a.example.com/x", "http://b.a.example.com/",
      "http://example.com/"}, {true, true, true, false}},
    /* "*" and "" mean every domain (Scrapy's http_auth_domain=None) */
    {{"HTTP_USER", "kumo", "HTTP_PASS", "s3cret", "HTTP_AUTH_DOMAIN", "*"}, {NULL},
     {"http://example.com/", "http://other.com/"}, {true, true}},
    {{"HTTP_USER", "kumo", "HTTP_PASS", "s3cret"}, {"http_auth_domain", ""},
     {"http://example.com/", "http://other.com/"}, {true, true}},
    /* a domain with a port matches that port only */
    {{"HTTP_USER", "kumo", "HTTP_PASS", "s3cret", "HTTP_AUTH_DOMAIN", "example.com:8080"},
     {NULL}, {"http://example.com:8080/", "http://example.com/"}, {true, false}},
    /* case-insensitive hosts */
    {{"HTTP_USER", "kumo", "HTTP_PASS", "s3cret", "HTTP_AUTH_DOMAIN", "Example.COM"}, {NULL},
     {"http://WWW.example.com/"}, {true}},
};

/* A spider whose arguments are args. */
static void spider_with_args(kumo_crawler *c, const char *const *args)
{
    kumo_map a;
    kumo_map_init(&a, KUMO_T_DICT, KUMO_V_DICT);
    for (size_t i = 0; args && args[i]; i += 2)
        kumo_map_set(&a, args[i], kumo_val_str(args[i + 1]));
    kumo__crawler_set_spider(c, kumo__crawler_def(c), &a);
    kumo_map_release(&a);
}

Test(mw_httpauth, table)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].settings[0] ? cases[i].settings : NULL);
        spider_with_args(c, cases[i].args);
        cr_assert_eq(kumo__dlmw_httpauth.open(c, &self), KUMO_OK);
        for (size_t k = 0; k < 4 && cases[i].urls[k]; k++) {
            kumo_request *req = mwt_req(cases[i].urls[k]);
            kumo_response *res = NULL;
            kumo_request *next = NULL;
            cr_assert_eq(kumo__dlmw_httpauth.process_request(self, c, req, &res, &next),
                         KUMO_OK);
            const char *h = kumo_headers_get(req->headers, "Authorization");
            if (cases[i].sent[k])
                cr_assert_str_eq(h ? h : "(none)", AUTH, "case %zu url %zu", i, k);
            else
                cr_assert_null(h, "case %zu url %zu: %s", i, k, h);
            kumo_request_unref(req);
        }
        kumo__dlmw_httpauth.close(self, c);
        mwt_crawler_free(c);
    }
}

/* An Authorization header the request already has is kept. */
Test(mw_httpauth, keeps_existing_header)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler((const char *const[]){"HTTP_USER", "kumo", "HTTP_PASS", "s3cret", NULL});
    cr_assert_eq(kumo__dlmw_httpauth.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req("http://example.com/");
    kumo_headers_set(kumo_request_headers(req), "Authorization", "Bearer x");
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_httpauth.process_request(self, c, req, &res, &next), KUMO_OK);
    cr_assert_str_eq(kumo_headers_get(req->headers, "Authorization"), "Bearer x");
    kumo_request_unref(req);
    kumo__dlmw_httpauth.close(self, c);
    mwt_crawler_free(c);
}

Test(mw_httpauth, order)
{
    cr_assert_eq(kumo__dlmw_httpauth.order, 300);
    cr_assert_str_eq(kumo__dlmw_httpauth.name, "HttpAuth");
}
