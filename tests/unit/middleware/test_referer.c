/* test_referer.c - the Referer spider middleware: every policy, meta, header, settings. */
#include "mwtest.h"

TestSuite(mw_referer, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.spidermiddlewares.referer"

/* A response at url (any scheme) to a request for http://example.com/. */
static kumo_response *res_at(const char *url, const char *const *hdrs)
{
    kumo_request *from = mwt_req("http://example.com/");
    kumo_response *res = mwt_res(from, 200, hdrs, "");
    kumo_request_unref(from);
    kumo_free(res->url);
    res->url = kumo_strdup(url, KUMO_T_STR, KUMO_V_BODY);
    return res;
}

/*
 * The Referer the middleware, opened with settings kv, sets on a request to req_url with
 * meta referrer_policy meta_pol (NULL: none) emitted from a response at res_url with
 * headers hdrs; copied into out ("" when none).  Returns the hook's return code.
 */
static int referer_for(const char *const *kv, const char *res_url, const char *const *hdrs,
                       const char *req_url, const char *meta_pol, char *out, size_t outlen)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(kv);
    cr_assert_eq(kumo__spmw_referer.open(c, &self), KUMO_OK);
    kumo_response *res = res_at(res_url, hdrs);
    kumo_request *req = mwt_req(req_url);
    if (meta_pol)
        kumo_map_set(&req->meta, "referrer_policy", kumo_val_str(meta_pol));
    int rc = kumo__spmw_referer.process_request(self, c, res, req);
    const char *ref = kumo_headers_get(req->headers, "Referer");
    snprintf(out, outlen, "%s", ref ? ref : "");
    kumo_request_unref(req);
    kumo_response_unref(res);
    kumo__spmw_referer.close(self, c);
    mwt_crawler_free(c);
    return rc;
}

/* Computed with Scrapy 2.8: _policy_classes[policy]().referrer(response_url, request_url). */
static const struct {
    const char *policy, *res_url, *req_url, *want;  /* want NULL: no Referer */
} policy_cases[] = {
    {"no-referrer", "https://example.com/page.html", "https://example.com/not-page.html", NULL},
    {"no-referrer", "http://example.com/page.html", "http://example.com/not-page.html", NULL},
    {"no-referrer", "https://example.com/page.html", "http://example.com/not-page.html", NULL},
    {"no-referrer", "http://example.com/page.html", "https://example.com/not-page.html", NULL},
    {"no-referrer", "https://example.com/page.html", "https://scrapy.org/", NULL},
    {"no-referrer", "http://example.com/page.html", "http://scrapy.org/", NULL},
    {"no-referrer", "https://example.com/page.html", "http://scrapy.org/", NULL},
    {"no-referrer", "http://example.com:8080/page.html", "http://example.com/", NULL},
    {"no-referrer", "https://example.com:443/page.html?q=1#frag", "https://example.com/x", NULL},
    {"no-referrer", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", NULL},
    {"no-referrer", "http://user@example.com/a;", "https://other.com/", NULL},
    {"no-referrer", "https://example.com/a?", "https://example.com/b", NULL},
    {"no-referrer", "ftps://example.com/urls.zip", "https://example.com/", NULL},
    {"no-referrer", "ftps://example.com/urls.zip", "http://example.com/", NULL},
    {"no-referrer", "file:///home/path/to/somefile.html", "http://example.com/", NULL},
    {"no-referrer", "s3://mybucket/path/to/data.csv", "https://example.com/", NULL},
    {"no-referrer", "data:text/plain,hello", "https://example.com/", NULL},
    {"no-referrer", "about:blank", "http://example.com/", NULL},
    {"no-referrer", "HTTP://Example.COM/Page", "http://example.com/x", NULL},
    {"no-referrer", "http://example.com", "http://example.com/x", NULL},
    {"no-referrer", "http://[::1]:80/v6", "http://[::1]/w", NULL},
    {"no-referrer-when-downgrade", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/page.html"},
    {"no-referrer-when-downgrade", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/page.html"},
    {"no-referrer-when-downgrade", "https://example.com/page.html",
     "http://example.com/not-page.html", NULL},
    {"no-referrer-when-downgrade", "http://example.com/page.html",
     "https://example.com/not-page.html", "http://example.com/page.html"},
    {"no-referrer-when-downgrade", "https://example.com/page.html",
     "https://scrapy.org/", "https://example.com/page.html"},
    {"no-referrer-when-downgrade", "http://example.com/page.html",
     "http://scrapy.org/", "http://example.com/page.html"},
    {"no-referrer-when-downgrade", "https://example.com/page.html", "http://scrapy.org/", NULL},
    {"no-referrer-when-downgrade", "http://example.com:8080/page.html",
     "http://example.com/", "http://example.com:8080/page.html"},
    {"no-referrer-when-downgrade", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/page.html?q=1"},
    {"no-referrer-when-downgrade", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/a/b;c?x=1&y=2"},
    {"no-referrer-when-downgrade", "http://user@example.com/a;",
     "https://other.com/", "http://example.com/a"},
    {"no-referrer-when-downgrade", "https://example.com/a?",
     "https://example.com/b", "https://example.com/a"},
    {"no-referrer-when-downgrade", "ftps://example.com/urls.zip",
     "https://example.com/", "ftps://example.com/urls.zip"},
    {"no-referrer-when-downgrade", "ftps://example.com/urls.zip", "http://example.com/", NULL},
    {"no-referrer-when-downgrade", "file:///home/path/to/somefile.html",
     "http://example.com/", "file:///home/path/to/somefile.html"},
    {"no-referrer-when-downgrade", "s3://mybucket/path/to/data.csv",
     "https://example.com/", "s3://mybucket/path/to/data.csv"},
    {"no-referrer-when-downgrade", "data:text/plain,hello", "https://example.com/", NULL},
    {"no-referrer-when-downgrade", "about:blank", "http://example.com/", NULL},
    {"no-referrer-when-downgrade", "HTTP://Example.COM/Page",
     "http://example.com/x", "http://Example.COM/Page"},
    {"no-referrer-when-downgrade", "http://example.com",
     "http://example.com/x", "http://example.com"},
    {"no-referrer-when-downgrade", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/v6"},
    {"same-origin", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/page.html"},
    {"same-origin", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/page.html"},
    {"same-origin", "https://example.com/page.html", "http://example.com/not-page.html", NULL},
    {"same-origin", "http://example.com/page.html", "https://example.com/not-page.html", NULL},
    {"same-origin", "https://example.com/page.html", "https://scrapy.org/", NULL},
    {"same-origin", "http://example.com/page.html", "http://scrapy.org/", NULL},
    {"same-origin", "https://example.com/page.html", "http://scrapy.org/", NULL},
    {"same-origin", "http://example.com:8080/page.html", "http://example.com/", NULL},
    {"same-origin", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/page.html?q=1"},
    {"same-origin", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/a/b;c?x=1&y=2"},
    {"same-origin", "http://user@example.com/a;", "https://other.com/", NULL},
    {"same-origin", "https://example.com/a?", "https://example.com/b", "https://example.com/a"},
    {"same-origin", "ftps://example.com/urls.zip", "https://example.com/", NULL},
    {"same-origin", "ftps://example.com/urls.zip", "http://example.com/", NULL},
    {"same-origin", "file:///home/path/to/somefile.html", "http://example.com/", NULL},
    {"same-origin", "s3://mybucket/path/to/data.csv", "https://example.com/", NULL},
    {"same-origin", "data:text/plain,hello", "https://example.com/", NULL},
    {"same-origin", "about:blank", "http://example.com/", NULL},
    {"same-origin", "HTTP://Example.COM/Page", "http://example.com/x", NULL},
    {"same-origin", "http://example.com", "http://example.com/x", "http://example.com"},
    {"same-origin", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/v6"},
    {"origin", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/"},
    {"origin", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/"},
    {"origin", "https://example.com/page.html",
     "http://example.com/not-page.html", "https://example.com/"},
    {"origin", "http://example.com/page.html",
     "https://example.com/not-page.html", "http://example.com/"},
    {"origin", "https://example.com/page.html", "https://scrapy.org/", "https://example.com/"},
    {"origin", "http://example.com/page.html", "http://scrapy.org/", "http://example.com/"},
    {"origin", "https://example.com/page.html", "http://scrapy.org/", "https://example.com/"},
    {"origin", "http://example.com:8080/page.html",
     "http://example.com/", "http://example.com:8080/"},
    {"origin", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/"},
    {"origin", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/"},
    {"origin", "http://user@example.com/a;", "https://other.com/", "http://example.com/"},
    {"origin", "https://example.com/a?", "https://example.com/b", "https://example.com/"},
    {"origin", "ftps://example.com/urls.zip", "https://example.com/", "ftps://example.com/"},
    {"origin", "ftps://example.com/urls.zip", "http://example.com/", "ftps://example.com/"},
    {"origin", "file:///home/path/to/somefile.html", "http://example.com/", "file:///"},
    {"origin", "s3://mybucket/path/to/data.csv", "https://example.com/", "s3://mybucket/"},
    {"origin", "data:text/plain,hello", "https://example.com/", NULL},
    {"origin", "about:blank", "http://example.com/", NULL},
    {"origin", "HTTP://Example.COM/Page", "http://example.com/x", "http://Example.COM/"},
    {"origin", "http://example.com", "http://example.com/x", "http://example.com/"},
    {"origin", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/"},
    {"strict-origin", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/"},
    {"strict-origin", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/"},
    {"strict-origin", "https://example.com/page.html", "http://example.com/not-page.html", NULL},
    {"strict-origin", "http://example.com/page.html",
     "https://example.com/not-page.html", "http://example.com/"},
    {"strict-origin", "https://example.com/page.html",
     "https://scrapy.org/", "https://example.com/"},
    {"strict-origin", "http://example.com/page.html", "http://scrapy.org/", "http://example.com/"},
    {"strict-origin", "https://example.com/page.html", "http://scrapy.org/", NULL},
    {"strict-origin", "http://example.com:8080/page.html",
     "http://example.com/", "http://example.com:8080/"},
    {"strict-origin", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/"},
    {"strict-origin", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/"},
    {"strict-origin", "http://user@example.com/a;", "https://other.com/", "http://example.com/"},
    {"strict-origin", "https://example.com/a?", "https://example.com/b", "https://example.com/"},
    {"strict-origin", "ftps://example.com/urls.zip", "https://example.com/", "ftps://example.com/"},
    {"strict-origin", "ftps://example.com/urls.zip", "http://example.com/", NULL},
    {"strict-origin", "file:///home/path/to/somefile.html", "http://example.com/", "file:///"},
    {"strict-origin", "s3://mybucket/path/to/data.csv", "https://example.com/", "s3://mybucket/"},
    {"strict-origin", "data:text/plain,hello", "https://example.com/", NULL},
    {"strict-origin", "about:blank", "http://example.com/", NULL},
    {"strict-origin", "HTTP://Example.COM/Page", "http://example.com/x", "http://Example.COM/"},
    {"strict-origin", "http://example.com", "http://example.com/x", "http://example.com/"},
    {"strict-origin", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/"},
    {"origin-when-cross-origin", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/page.html"},
    {"origin-when-cross-origin", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/page.html"},
    {"origin-when-cross-origin", "https://example.com/page.html",
     "http://example.com/not-page.html", "https://example.com/"},
    {"origin-when-cross-origin", "http://example.com/page.html",
     "https://example.com/not-page.html", "http://example.com/"},
    {"origin-when-cross-origin", "https://example.com/page.html",
     "https://scrapy.org/", "https://example.com/"},
    {"origin-when-cross-origin", "http://example.com/page.html",
     "http://scrapy.org/", "http://example.com/"},
    {"origin-when-cross-origin", "https://example.com/page.html",
     "http://scrapy.org/", "https://example.com/"},
    {"origin-when-cross-origin", "http://example.com:8080/page.html",
     "http://example.com/", "http://example.com:8080/"},
    {"origin-when-cross-origin", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/page.html?q=1"},
    {"origin-when-cross-origin", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/a/b;c?x=1&y=2"},
    {"origin-when-cross-origin", "http://user@example.com/a;",
     "https://other.com/", "http://example.com/"},
    {"origin-when-cross-origin", "https://example.com/a?",
     "https://example.com/b", "https://example.com/a"},
    {"origin-when-cross-origin", "ftps://example.com/urls.zip",
     "https://example.com/", "ftps://example.com/"},
    {"origin-when-cross-origin", "ftps://example.com/urls.zip",
     "http://example.com/", "ftps://example.com/"},
    {"origin-when-cross-origin", "file:///home/path/to/somefile.html",
     "http://example.com/", "file:///"},
    {"origin-when-cross-origin", "s3://mybucket/path/to/data.csv",
     "https://example.com/", "s3://mybucket/"},
    {"origin-when-cross-origin", "data:text/plain,hello", "https://example.com/", "data:/"},
    {"origin-when-cross-origin", "about:blank", "http://example.com/", "about:/"},
    {"origin-when-cross-origin", "HTTP://Example.COM/Page",
     "http://example.com/x", "http://Example.COM/"},
    {"origin-when-cross-origin", "http://example.com",
     "http://example.com/x", "http://example.com"},
    {"origin-when-cross-origin", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/v6"},
    {"strict-origin-when-cross-origin", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/page.html"},
    {"strict-origin-when-cross-origin", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/page.html"},
    {"strict-origin-when-cross-origin", "https://example.com/page.html",
     "http://example.com/not-page.html", NULL},
    {"strict-origin-when-cross-origin", "http://example.com/page.html",
     "https://example.com/not-page.html", "http://example.com/"},
    {"strict-origin-when-cross-origin", "https://example.com/page.html",
     "https://scrapy.org/", "https://example.com/"},
    {"strict-origin-when-cross-origin", "http://example.com/page.html",
     "http://scrapy.org/", "http://example.com/"},
    {"strict-origin-when-cross-origin", "https://example.com/page.html",
     "http://scrapy.org/", NULL},
    {"strict-origin-when-cross-origin", "http://example.com:8080/page.html",
     "http://example.com/", "http://example.com:8080/"},
    {"strict-origin-when-cross-origin", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/page.html?q=1"},
    {"strict-origin-when-cross-origin", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/a/b;c?x=1&y=2"},
    {"strict-origin-when-cross-origin", "http://user@example.com/a;",
     "https://other.com/", "http://example.com/"},
    {"strict-origin-when-cross-origin", "https://example.com/a?",
     "https://example.com/b", "https://example.com/a"},
    {"strict-origin-when-cross-origin", "ftps://example.com/urls.zip",
     "https://example.com/", "ftps://example.com/"},
    {"strict-origin-when-cross-origin", "ftps://example.com/urls.zip", "http://example.com/", NULL},
    {"strict-origin-when-cross-origin", "file:///home/path/to/somefile.html",
     "http://example.com/", "file:///"},
    {"strict-origin-when-cross-origin", "s3://mybucket/path/to/data.csv",
     "https://example.com/", "s3://mybucket/"},
    {"strict-origin-when-cross-origin", "data:text/plain,hello", "https://example.com/", NULL},
    {"strict-origin-when-cross-origin", "about:blank", "http://example.com/", NULL},
    {"strict-origin-when-cross-origin", "HTTP://Example.COM/Page",
     "http://example.com/x", "http://Example.COM/"},
    {"strict-origin-when-cross-origin", "http://example.com",
     "http://example.com/x", "http://example.com"},
    {"strict-origin-when-cross-origin", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/v6"},
    {"unsafe-url", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/page.html"},
    {"unsafe-url", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/page.html"},
    {"unsafe-url", "https://example.com/page.html",
     "http://example.com/not-page.html", "https://example.com/page.html"},
    {"unsafe-url", "http://example.com/page.html",
     "https://example.com/not-page.html", "http://example.com/page.html"},
    {"unsafe-url", "https://example.com/page.html",
     "https://scrapy.org/", "https://example.com/page.html"},
    {"unsafe-url", "http://example.com/page.html",
     "http://scrapy.org/", "http://example.com/page.html"},
    {"unsafe-url", "https://example.com/page.html",
     "http://scrapy.org/", "https://example.com/page.html"},
    {"unsafe-url", "http://example.com:8080/page.html",
     "http://example.com/", "http://example.com:8080/page.html"},
    {"unsafe-url", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/page.html?q=1"},
    {"unsafe-url", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/a/b;c?x=1&y=2"},
    {"unsafe-url", "http://user@example.com/a;", "https://other.com/", "http://example.com/a"},
    {"unsafe-url", "https://example.com/a?", "https://example.com/b", "https://example.com/a"},
    {"unsafe-url", "ftps://example.com/urls.zip",
     "https://example.com/", "ftps://example.com/urls.zip"},
    {"unsafe-url", "ftps://example.com/urls.zip",
     "http://example.com/", "ftps://example.com/urls.zip"},
    {"unsafe-url", "file:///home/path/to/somefile.html",
     "http://example.com/", "file:///home/path/to/somefile.html"},
    {"unsafe-url", "s3://mybucket/path/to/data.csv",
     "https://example.com/", "s3://mybucket/path/to/data.csv"},
    {"unsafe-url", "data:text/plain,hello", "https://example.com/", NULL},
    {"unsafe-url", "about:blank", "http://example.com/", NULL},
    {"unsafe-url", "HTTP://Example.COM/Page", "http://example.com/x", "http://Example.COM/Page"},
    {"unsafe-url", "http://example.com", "http://example.com/x", "http://example.com"},
    {"unsafe-url", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/v6"},
    {"scrapy-default", "https://example.com/page.html",
     "https://example.com/not-page.html", "https://example.com/page.html"},
    {"scrapy-default", "http://example.com/page.html",
     "http://example.com/not-page.html", "http://example.com/page.html"},
    {"scrapy-default", "https://example.com/page.html", "http://example.com/not-page.html", NULL},
    {"scrapy-default", "http://example.com/page.html",
     "https://example.com/not-page.html", "http://example.com/page.html"},
    {"scrapy-default", "https://example.com/page.html",
     "https://scrapy.org/", "https://example.com/page.html"},
    {"scrapy-default", "http://example.com/page.html",
     "http://scrapy.org/", "http://example.com/page.html"},
    {"scrapy-default", "https://example.com/page.html", "http://scrapy.org/", NULL},
    {"scrapy-default", "http://example.com:8080/page.html",
     "http://example.com/", "http://example.com:8080/page.html"},
    {"scrapy-default", "https://example.com:443/page.html?q=1#frag",
     "https://example.com/x", "https://example.com/page.html?q=1"},
    {"scrapy-default", "http://user:pass@example.com:80/a/b;c?x=1&y=2#top",
     "http://example.com/z", "http://example.com/a/b;c?x=1&y=2"},
    {"scrapy-default", "http://user@example.com/a;", "https://other.com/", "http://example.com/a"},
    {"scrapy-default", "https://example.com/a?", "https://example.com/b", "https://example.com/a"},
    {"scrapy-default", "ftps://example.com/urls.zip",
     "https://example.com/", "ftps://example.com/urls.zip"},
    {"scrapy-default", "ftps://example.com/urls.zip", "http://example.com/", NULL},
    {"scrapy-default", "file:///home/path/to/somefile.html", "http://example.com/", NULL},
    {"scrapy-default", "s3://mybucket/path/to/data.csv", "https://example.com/", NULL},
    {"scrapy-default", "data:text/plain,hello", "https://example.com/", NULL},
    {"scrapy-default", "about:blank", "http://example.com/", NULL},
    {"scrapy-default", "HTTP://Example.COM/Page",
     "http://example.com/x", "http://Example.COM/Page"},
    {"scrapy-default", "http://example.com", "http://example.com/x", "http://example.com"},
    {"scrapy-default", "http://[::1]:80/v6", "http://[::1]/w", "http://[::1]/v6"},
};

Test(mw_referer, policies)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(policy_cases); i++) {
        char got[1024];
        const char *pol = policy_cases[i].policy;
        int rc = referer_for(KUMO_LIST("REFERRER_POLICY", pol), policy_cases[i].res_url, NULL,
                             policy_cases[i].req_url, NULL, got, sizeof(got));
        cr_assert_eq(rc, KUMO_OK);
        const char *want = policy_cases[i].want ? policy_cases[i].want : "";
        cr_assert_str_eq(got, want, "%s: %s -> %s", pol, policy_cases[i].res_url,
                         policy_cases[i].req_url);
    }
}

/* One middleware answers every case in turn, each twice (it remembers its last answer):
 * the same Referers as a middleware per case. */
Test(mw_referer, one_middleware_for_every_policy_and_page)
{
    kumo_crawler *c = mwt_crawler(NULL);
    void *self = NULL;
    cr_assert_eq(kumo__spmw_referer.open(c, &self), KUMO_OK);
    for (size_t i = 0; i < 2 * KUMO_ARRAY_LEN(policy_cases); i++) {
        size_t k = i / 2;
        kumo_response *res = res_at(policy_cases[k].res_url, NULL);
        kumo_request *req = mwt_req(policy_cases[k].req_url);
        kumo_map_set(&req->meta, "referrer_policy", kumo_val_str(policy_cases[k].policy));
        cr_assert_eq(kumo__spmw_referer.process_request(self, c, res, req), KUMO_OK);
        const char *ref = kumo_headers_get(req->headers, "Referer");
        const char *want = policy_cases[k].want ? policy_cases[k].want : "";
        cr_assert_str_eq(ref ? ref : "", want, "%s: %s -> %s (%s)", policy_cases[k].policy,
                         policy_cases[k].res_url, policy_cases[k].req_url,
                         i % 2 ? "again" : "first");
        kumo_request_unref(req);
        kumo_response_unref(res);
    }
    kumo__spmw_referer.close(self, c);
    mwt_crawler_free(c);
}

/* The default is scrapy-default: a downgrade or a file: parent sends nothing. */
Test(mw_referer, default_policy)
{
    static const struct {
        const char *res_url, *req_url, *want;
    } cases[] = {
        {"http://example.com/a#f", "https://scrapy.org/", "http://example.com/a"},
        {"https://example.com/a", "https://scrapy.org/", "https://example.com/a"},
        {"https://example.com/a", "http://scrapy.org/", ""},
        {"file:///tmp/x.html", "http://example.com/", ""},
        {"s3://bucket/key", "http://example.com/", ""},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char got[1024];
        cr_assert_eq(referer_for(NULL, cases[i].res_url, NULL, cases[i].req_url, NULL, got,
                                 sizeof(got)), KUMO_OK);
        cr_assert_str_eq(got, cases[i].want, "%s -> %s", cases[i].res_url, cases[i].req_url);
    }
}

/*
 * Scrapy's precedence: meta['referrer_policy'] (a bad one falls back to the setting, not to
 * the header), else the response's Referrer-Policy header (the last one; a bad one falls
 * back to the setting), else REFERRER_POLICY.  Names are case-insensitive, "" is
 * no-referrer-when-downgrade, and Scrapy's class paths work too.
 */
Test(mw_referer, precedence)
{
    static const struct {
        const char *setting;        /* NULL: default */
        const char *header;         /* NULL: none */
        const char *header2;        /* a second Referrer-Policy header, or NULL */
        const char *meta;           /* NULL: none */
        const char *want;
        bool warns;
    } cases[] = {
        {NULL, "origin", NULL, NULL, "https://example.com/", false},
        {NULL, "ORIGIN", NULL, NULL, "https://example.com/", false},
        {NULL, "no-referrer", "unsafe-url", NULL, "https://example.com/a/b?q=1", false},
        {NULL, "origin", NULL, "no-referrer", "", false},
        {NULL, "no-referrer", NULL, "same-origin", "https://example.com/a/b?q=1", false},
        {"origin", "bogus", NULL, NULL, "https://example.com/", true},
        {"origin", "no-referrer", NULL, "bogus", "https://example.com/", true},
        {"no-referrer", NULL, NULL, NULL, "", false},
        {"no-referrer", NULL, NULL, "", "https://example.com/a/b?q=1", false},
        {"no-referrer", "", NULL, NULL, "https://example.com/a/b?q=1", false},
        {"scrapy.spidermiddlewares.referer.OriginPolicy", NULL, NULL, NULL,
         "https://example.com/", false},
        {NULL, NULL, NULL, "scrapy.spidermiddlewares.referer.NoReferrerPolicy", "", false},
        {"Unsafe-URL", NULL, NULL, NULL, "https://example.com/a/b?q=1", false},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char h1[128], h2[128], got[1024];
        const char *hdrs[3] = {NULL, NULL, NULL};
        if (cases[i].header) {
            snprintf(h1, sizeof(h1), "Referrer-Policy: %s", cases[i].header);
            hdrs[0] = h1;
        }
        if (cases[i].header2) {
            snprintf(h2, sizeof(h2), "referrer-policy: %s", cases[i].header2);
            hdrs[1] = h2;
        }
        mwt_log_begin();
        int rc = referer_for(cases[i].setting ? KUMO_LIST("REFERRER_POLICY", cases[i].setting)
                                              : NULL,
                             "https://user:pw@example.com/a/b?q=1#frag", hdrs,
                             "https://example.com/c", cases[i].meta, got, sizeof(got));
        cr_assert_eq(rc, KUMO_OK);
        cr_assert_str_eq(got, cases[i].want, "case %zu", i);
        if (cases[i].warns)
            mwt_assert_logged(LG, "WARNING", "Could not load referrer policy 'bogus'");
        else
            cr_assert_null(strstr(mwt_log(), "Could not load"), "case %zu", i);
        mwt_log_end();
    }
}

/* A Referer the callback set stays (headers.setdefault); start requests get none. */
Test(mw_referer, keeps_existing_and_skips_start_requests)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    cr_assert_eq(kumo__spmw_referer.open(c, &self), KUMO_OK);
    kumo_response *res = res_at("http://example.com/page", NULL);
    kumo_request *req = mwt_req("http://example.com/next");
    kumo_headers_set(kumo_request_headers(req), "Referer", "http://mine.example/");
    cr_assert_eq(kumo__spmw_referer.process_request(self, c, res, req), KUMO_OK);
    cr_assert_str_eq(kumo_headers_get(req->headers, "Referer"), "http://mine.example/");
    kumo_request *start = mwt_req("http://example.com/start");
    cr_assert_eq(kumo__spmw_referer.process_request(self, c, NULL, start), KUMO_OK);
    cr_assert_null(kumo_headers_get(start->headers, "Referer"));
    kumo_request_unref(start);
    kumo_request_unref(req);
    kumo_response_unref(res);
    kumo__spmw_referer.close(self, c);
    mwt_crawler_free(c);
}

Test(mw_referer, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(KUMO_LIST("REFERER_ENABLED", "0"));
    cr_assert_eq(kumo__spmw_referer.open(c, &self), KUMO_EDECLINED);
    cr_assert_null(self);
    mwt_crawler_free(c);
}

/* Scrapy raises RuntimeError for an unknown REFERRER_POLICY: the crawl does not start. */
Test(mw_referer, bad_setting)
{
    static const char *const bad[] = {"nope", "scrapy.spidermiddlewares.referer.Nope",
                                      "my.module.Policy"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(KUMO_LIST("REFERRER_POLICY", bad[i]));
        mwt_log_begin();
        cr_assert_eq(kumo__spmw_referer.open(c, &self), KUMO_EINVAL, "%s", bad[i]);
        cr_assert_null(self);
        char line[256];
        snprintf(line, sizeof(line), "Could not load referrer policy '%s'", bad[i]);
        mwt_assert_logged(LG, "ERROR", line);
        mwt_log_end();
        mwt_crawler_free(c);
    }
}
