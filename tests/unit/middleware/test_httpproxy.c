/* test_httpproxy.c - the HttpProxy downloader middleware: environment, meta proxy,
 * credentials, no_proxy, the _auth_proxy bookkeeping (Scrapy 2.8's tests, as a table). */
#include "mwtest.h"

TestSuite(mw_httpproxy, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

static void clear_env(void)
{
    static const char *const names[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
                                        "HTTPS_PROXY", "no_proxy", "NO_PROXY",
                                        "REQUEST_METHOD"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++)
        unsetenv(names[i]);
}

static const struct {
    const char *env[7];             /* NAME, VALUE pairs */
    const char *settings[3];
    const char *url;
    const char *meta_proxy;         /* NULL: no key; "None": None */
    const char *header;             /* Proxy-Authorization before, or NULL */
    const char *auth_proxy;         /* meta _auth_proxy before, or NULL */
    const char *want_proxy;         /* NULL: unset or None */
    const char *want_header;        /* NULL: none */
    const char *want_auth_proxy;    /* NULL: none */
} cases[] = {
    /* nothing anywhere */
    {{NULL}, {NULL}, "http://example.com/", NULL, NULL, NULL, NULL, NULL, NULL},
    /* environment, per scheme */
    {{"http_proxy", "http://proxy:3128", NULL}, {NULL}, "http://example.com/", NULL, NULL,
     NULL, "http://proxy:3128", NULL, NULL},
    {{"http_proxy", "http://proxy:3128", NULL}, {NULL}, "https://example.com/", NULL, NULL,
     NULL, NULL, NULL, NULL},
    {{"https_proxy", "proxy:3129", NULL}, {NULL}, "https://example.com/", NULL, NULL, NULL,
     "https://proxy:3129", NULL, NULL},
    {{"HTTP_PROXY", "http://up:1", NULL}, {NULL}, "http://example.com/", NULL, NULL, NULL,
     "http://up:1", NULL, NULL},
    {{"HTTP_PROXY", "http://up:1", "http_proxy", "http://low:2", NULL}, {NULL},
     "http://example.com/", NULL, NULL, NULL, "http://low:2", NULL, NULL},
    {{"HTTP_PROXY", "http://up:1", "REQUEST_METHOD", "GET", NULL}, {NULL},
     "http://example.com/", NULL, NULL, NULL, NULL, NULL, NULL},
    /* credentials in the environment's url */
    {{"http_proxy", "http://u%40x:p%3Aw@proxy:3128/", NULL}, {NULL}, "http://example.com/",
     NULL, NULL, NULL, "http://proxy:3128", "Basic dUB4OnA6dw==", "http://proxy:3128"},
    /* no_proxy */
    {{"http_proxy", "http://proxy:3128", "no_proxy", "example.com,other", NULL}, {NULL},
     "http://www.example.com/", NULL, NULL, NULL, NULL, NULL, NULL},
    {{"http_proxy", "http://proxy:3128", "no_proxy", " .example.com", NULL}, {NULL},
     "http://example.com/", NULL, NULL, NULL, NULL, NULL, NULL},
    {{"http_proxy", "http://proxy:3128", "no_proxy", "ample.com", NULL}, {NULL},
     "http://example.com/", NULL, NULL, NULL, "http://proxy:3128", NULL, NULL},
    {{"http_proxy", "http://proxy:3128", "no_proxy", "*", NULL}, {NULL},
     "http://example.com/", NULL, NULL, NULL, NULL, NULL, NULL},
    /* meta proxy wins over the environment; its credentials leave the url */
    {{"http_proxy", "http://proxy:3128", NULL}, {NULL}, "http://example.com/",
     "http://m:1", NULL, NULL, "http://m:1", NULL, NULL},
    {{NULL}, {NULL}, "http://example.com/", "https://user:pass@m:1", NULL, NULL, "https://m:1",
     "Basic dXNlcjpwYXNz", "https://m:1"},
    {{NULL}, {NULL}, "http://example.com/", "http://user@m:1", NULL, NULL, "http://m:1",
     "Basic dXNlcjo=", "http://m:1"},
    /* meta proxy None: no proxy even with the environment */
    {{"http_proxy", "http://proxy:3128", NULL}, {NULL}, "http://example.com/", "None", NULL,
     NULL, NULL, NULL, NULL},
    /* HTTPPROXY_AUTH_ENCODING */
    {{NULL}, {NULL}, "http://example.com/", "http://us%C3%A9:p@m:1", NULL, NULL, "http://m:1",
     "Basic dXPpOnA=", "http://m:1"},
    {{NULL}, {"HTTPPROXY_AUTH_ENCODING", "utf-8"}, "http://example.com/",
     "http://us%C3%A9:p@m:1", NULL, NULL, "http://m:1", "Basic dXPDqTpw", "http://m:1"},
    /* a user-set header: kept for a proxy (and remembered), dropped without one */
    {{NULL}, {NULL}, "http://example.com/", "http://m:1", "Basic mine", NULL, "http://m:1",
     "Basic mine", "http://m:1"},
    {{NULL}, {NULL}, "http://example.com/", NULL, "Basic mine", NULL, NULL, NULL, NULL},
    /* the proxy changed since the header was set: the header goes */
    {{NULL}, {NULL}, "http://example.com/", "http://other:2", "Basic old", "http://m:1",
     "http://other:2", NULL, NULL},
    {{NULL}, {NULL}, "http://example.com/", "http://m:1", "Basic old", "http://m:1",
     "http://m:1", "Basic old", "http://m:1"},
};

Test(mw_httpproxy, table)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        clear_env();
        for (size_t k = 0; cases[i].env[k]; k += 2)
            setenv(cases[i].env[k], cases[i].env[k + 1], 1);
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].settings[0] ? cases[i].settings : NULL);
        cr_assert_eq(kumo__dlmw_httpproxy.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req(cases[i].url);
        if (cases[i].meta_proxy)
            kumo_map_set(&req->meta, "proxy", strcmp(cases[i].meta_proxy, "None") == 0
                                                  ? kumo_val_none()
                                                  : kumo_val_str(cases[i].meta_proxy));
        if (cases[i].header)
            kumo_headers_set(kumo_request_headers(req), "Proxy-Authorization", cases[i].header);
        if (cases[i].auth_proxy)
            kumo_map_set(&req->meta, "_auth_proxy", kumo_val_str(cases[i].auth_proxy));
        kumo_response *res = NULL;
        kumo_request *next = NULL;
        cr_assert_eq(kumo__dlmw_httpproxy.process_request(self, c, req, &res, &next), KUMO_OK);
        const char *proxy = kumo_map_get_str(&req->meta, "proxy", NULL);
        if (cases[i].want_proxy)
            cr_assert_str_eq(proxy ? proxy : "(none)", cases[i].want_proxy, "case %zu", i);
        else
            cr_assert_null(proxy, "case %zu: proxy %s", i, proxy);
        const char *h = kumo_headers_get(req->headers, "Proxy-Authorization");
        if (cases[i].want_header)
            cr_assert_str_eq(h ? h : "(none)", cases[i].want_header, "case %zu", i);
        else
            cr_assert_null(h, "case %zu: header %s", i, h);
        const char *ap = kumo_map_get_str(&req->meta, "_auth_proxy", NULL);
        if (cases[i].want_auth_proxy)
            cr_assert_str_eq(ap ? ap : "(none)", cases[i].want_auth_proxy, "case %zu", i);
        else
            cr_assert_null(ap, "case %zu: _auth_proxy %s", i, ap);
        kumo_request_unref(req);
        kumo__dlmw_httpproxy.close(self, c);
        mwt_crawler_free(c);
    }
    clear_env();
}

Test(mw_httpproxy, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler((const char *const[]){"HTTPPROXY_ENABLED", "0", NULL});
    cr_assert_eq(kumo__dlmw_httpproxy.open(c, &self), KUMO_EDECLINED);
    mwt_crawler_free(c);
}

Test(mw_httpproxy, order)
{
    cr_assert_eq(kumo__dlmw_httpproxy.order, 750);
    cr_assert_str_eq(kumo__dlmw_httpproxy.name, "HttpProxy");
}
