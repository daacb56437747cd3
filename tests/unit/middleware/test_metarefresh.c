/* test_metarefresh.c - the MetaRefresh middleware (w3lib's get_meta_refresh rules) and the
 * Referer re-check of redirected requests (RefererMiddleware.request_scheduled). */
#include "mwtest.h"

/* The pattern caches the middleware fills are freed by kumo_leakcheck_end(). */
TestSuite(mw_metarefresh, KUMO_LEAKCHECK);
TestSuite(mw_redirect_referer, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.downloadermiddlewares.redirect"
#define BASE "http://example.com/dir/page"
#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Run the middleware on an HTML response with body to a GET of BASE. */
static int run(const char *const *settings, const char *method, const char *ctype,
               const char *body, const char *meta_key, kumo_value meta_val, kumo_request **next)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(settings);
    cr_assert_eq(kumo__dlmw_metarefresh.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req(BASE);
    kumo_request_set_method(req, method);
    if (strcmp(method, "POST") == 0) {
        kumo_request_set_body(req, "a=1", 3);
        kumo_request_set_header(req, "Content-Type", "application/x-www-form-urlencoded");
    }
    if (meta_key)
        kumo_map_set(&req->meta, meta_key, meta_val);
    else
        kumo_val_clear(&meta_val);
    char ct[128];
    snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
    kumo_response *res = mwt_res(req, 200, SET(ct), body);
    *next = NULL;
    int rc = kumo__dlmw_metarefresh.process_response(self, c, req, &res, next);
    kumo_response_unref(res);
    kumo_request_unref(req);
    kumo__dlmw_metarefresh.close(self, c);
    mwt_crawler_free(c);
    return rc;
}

/* Bodies and what w3lib 2.1's get_meta_refresh(text[:4096], url) finds in them. */
static const struct {
    const char *body;
    const char *ignore;         /* METAREFRESH_IGNORE_TAGS */
    const char *want;           /* NULL: not followed */
} pages[] = {
    {"<meta http-equiv=\"refresh\" content=\"5; url=/x\">", "", "http://example.com/x"},
    {"<META HTTP-EQUIV=\"Refresh\" CONTENT=\"0;URL='http://other.example/y'\">", "",
     "http://other.example/y"},
    {"<meta content=\"3; url=b.html\" http-equiv=\"refresh\">", "",
     "http://example.com/dir/b.html"},
    {"<meta http-equiv=\"refresh\" content=\"5\">", "", NULL},
    {"<meta http-equiv=refresh content='1.5 ; url = next'>", "", NULL},
    {"<meta http-equiv=refresh content='1.5 ; url=next?a=1&amp;b=2'>", "",
     "http://example.com/dir/next?a=1&b=2"},
    {"<!-- <meta http-equiv=\"refresh\" content=\"0;url=/c\"> -->", "", NULL},
    {"<noscript><meta http-equiv=\"refresh\" content=\"0;url=/ns\"></noscript>", "noscript",
     NULL},
    {"<noscript><meta http-equiv=\"refresh\" content=\"0;url=/ns\"></noscript>", "script",
     "http://example.com/ns"},
    {"<meta http-equiv=\"refresh\" content=\".5;url=/half\">", "", "http://example.com/half"},
    {"<meta http-equiv=\"refresh\" content=\"0;url=/a b\">", "", "http://example.com/a%20b"},
    {"<meta http-equiv=\"refresh\" content=\"0; url=\">", "", BASE},
    {"<meta http-equiv=\"refresh\" content=\"0;url=&#x2F;ent&lt;\">", "",
     "http://example.com/ent%3C"},
    {"<meta name=\"x\" content=\"0;url=/no\">", "", NULL},
    {"<meta http-equiv=\"refresh\" content=\"2;url=/p\n\">", "", "http://example.com/p"},
    /* "http-equiv" made by the entity and comment passes, not in the bytes */
    {"<meta http-&#101;quiv=\"refresh\" content=\"0;url=/e\">", "", "http://example.com/e"},
    {"<meta http-<!-- x -->equiv=\"refresh\" content=\"0;url=/split\">", "",
     "http://example.com/split"},
    {"<meta charset=\"utf-8\"><p>no refresh here</p>", "", NULL},
};

Test(mw_metarefresh, pages)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(pages); i++) {
        kumo_request *next;
        int rc = run(SET("METAREFRESH_IGNORE_TAGS", pages[i].ignore), "GET", "text/html",
                     pages[i].body, NULL, kumo_val_none(), &next);
        if (pages[i].want) {
            cr_expect_eq(rc, KUMO_EDONE, "page %zu: %s", i, kumo_errname(rc));
            cr_expect(next && strcmp(next->url, pages[i].want) == 0, "page %zu: %s, want %s",
                      i, next ? next->url : "(none)", pages[i].want);
        } else {
            cr_expect_eq(rc, KUMO_OK, "page %zu: %s", i, kumo_errname(rc));
            cr_expect_null(next, "page %zu: followed to %s", i, next ? next->url : "");
        }
        if (next)
            kumo_request_unref(next);
    }
}

/* response.text[0:4096] counts characters: 4000 two-byte letters still leave room. */
Test(mw_metarefresh, first_4096_characters)
{
    static const char meta[] = "<meta http-equiv=\"refresh\" content=\"0;url=/m\">";
    size_t n = 4100;
    char *body = kumo_alloc(2 * n + sizeof(meta), KUMO_T_STR, KUMO_V_NONE);
    memset(body, 'x', n);
    memcpy(body + n, meta, sizeof(meta));
    kumo_request *next;
    cr_expect_eq(run(NULL, "GET", "text/html", body, NULL, kumo_val_none(), &next), KUMO_OK);
    cr_expect_null(next);
    for (size_t i = 0; i < 4000; i++) {
        body[2 * i] = (char)0xc3;
        body[2 * i + 1] = (char)0xa9;
    }
    memcpy(body + 8000, meta, sizeof(meta));
    cr_expect_eq(run(SET("METAREFRESH_MAXDELAY", "1"), "GET", "text/html; charset=utf-8", body,
                     NULL, kumo_val_none(), &next), KUMO_EDONE);
    cr_expect(next && strcmp(next->url, "http://example.com/m") == 0);
    if (next)
        kumo_request_unref(next);
    kumo_free(body);
}

#define PAGE5 "<meta http-equiv=\"refresh\" content=\"5; url=/x\">"

Test(mw_metarefresh, when_followed)
{
    static const struct {
        const char *settings[3];
        const char *method, *ctype, *meta_key;
        int64_t meta_val;
        int rc;
    } cases[] = {
        {{NULL}, "GET", "text/html", NULL, 0, KUMO_EDONE},
        {{"METAREFRESH_MAXDELAY", "5"}, "GET", "text/html", NULL, 0, KUMO_OK},
        {{"METAREFRESH_MAXDELAY", "5.5"}, "GET", "text/html", NULL, 0, KUMO_EDONE},
        {{NULL}, "HEAD", "text/html", NULL, 0, KUMO_OK},
        {{NULL}, "POST", "text/html", NULL, 0, KUMO_EDONE},
        {{NULL}, "GET", "text/plain", NULL, 0, KUMO_OK},
        {{NULL}, "GET", "application/xml", NULL, 0, KUMO_OK},
        {{NULL}, "GET", "text/html", "dont_redirect", 1, KUMO_OK},
        {{NULL}, "GET", "text/html", "redirect_times", 20, KUMO_EIGNORED},
        {{"REDIRECT_MAX_TIMES", "3"}, "GET", "text/html", "redirect_times", 3, KUMO_EIGNORED},
        {{NULL}, "GET", "text/html", "redirect_ttl", 0, KUMO_EIGNORED},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_request *next;
        int rc = run(cases[i].settings, cases[i].method, cases[i].ctype, PAGE5,
                     cases[i].meta_key, kumo_val_int(cases[i].meta_val), &next);
        cr_expect_eq(rc, cases[i].rc, "case %zu: %s", i, kumo_errname(rc));
        cr_expect_eq(next != NULL, rc == KUMO_EDONE, "case %zu", i);
        if (next)
            kumo_request_unref(next);
    }
}

/* The redirected request: GET without a body, and the Redirect middleware's meta. */
Test(mw_metarefresh, redirected_request)
{
    kumo_request *next;
    mwt_log_begin();
    kumo_value first = kumo_val_list();
    kumo_val_list_push(&first, kumo_val_str("http://example.com/first"));
    cr_assert_eq(run(NULL, "POST", "text/html", PAGE5, "redirect_urls", first, &next),
                 KUMO_EDONE);
    cr_expect_str_eq(next->method, "GET");
    size_t len;
    kumo__request_body(next, &len);
    cr_expect_eq(len, 0);
    cr_expect_null(kumo_headers_get(next->headers, "Content-Type"));
    cr_expect_eq(kumo_map_get_int(&next->meta, "redirect_times", -1), 1);
    cr_expect_eq(kumo_map_get_int(&next->meta, "redirect_ttl", -1), 19);
    cr_expect_eq(next->priority, 2);
    const kumo_value *urls = kumo_map_get(&next->meta, "redirect_urls");
    cr_assert(urls && urls->type == KUMO_VAL_LIST && urls->u.list->len == 2);
    cr_expect_str_eq(urls->u.list->v[0].u.str.s, "http://example.com/first");
    cr_expect_str_eq(urls->u.list->v[1].u.str.s, BASE);
    const kumo_value *why = kumo_map_get(&next->meta, "redirect_reasons");
    cr_assert(why && why->type == KUMO_VAL_LIST && why->u.list->len == 1);
    cr_expect_eq(why->u.list->v[0].type, KUMO_VAL_STR);
    cr_expect_str_eq(why->u.list->v[0].u.str.s, "meta refresh");
    mwt_assert_logged(LG, "DEBUG", "Redirecting (meta refresh) to <GET http://example.com/x> "
                      "from <POST " BASE ">\n");
    mwt_log_end();
    kumo_request_unref(next);
}

Test(mw_metarefresh, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(SET("METAREFRESH_ENABLED", "0"));
    cr_expect_eq(kumo__dlmw_metarefresh.open(c, &self), KUMO_EDECLINED);
    cr_expect_eq(kumo__dlmw_metarefresh.order, 580);
    mwt_crawler_free(c);
}

/* A meta refresh to file: is dropped like a 3xx to file:. */
Test(mw_metarefresh, scheme_dropped)
{
    kumo_request *next;
    cr_expect_eq(run(NULL, "GET", "text/html",
                     "<meta http-equiv=\"refresh\" content=\"0;url=file:///etc/passwd\">", NULL,
                     kumo_val_none(), &next), KUMO_EIGNORED);
    cr_expect_null(next);
}

/* The head text read for the check is not kept while the response waits for its callback;
 * the response's own text is still there. */
Test(mw_metarefresh, head_text_let_go_once_read)
{
    kumo_crawler *c = mwt_crawler(NULL);
    void *self = NULL;
    cr_assert_eq(kumo__dlmw_metarefresh.open(c, &self), KUMO_OK);
    char body[9000];
    int n = snprintf(body, sizeof(body), "<html><head><title>t</title></head><body>");
    memset(body + n, 'x', 8000);
    snprintf(body + n + 8000, sizeof(body) - (size_t)n - 8000, "</body></html>");
    kumo_request *req = mwt_req(BASE);
    kumo_response *res = mwt_res(req, 200, SET("Content-Type: text/html; charset=utf-8"), body);
    uint64_t before, after;
    kumo_heap_totals(NULL, &before);
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_metarefresh.process_response(self, c, req, &res, &next), KUMO_OK);
    cr_assert_null(next);
    kumo_heap_totals(NULL, &after);
    /* the head is 4,096 characters: what stays is the response's empty document */
    cr_assert_lt(after, before + 1024, "%llu bytes more", (unsigned long long)(after - before));
    size_t len;
    cr_assert_not_null(kumo_response_text(res, &len));
    cr_assert_eq(len, strlen(body));
    kumo_response_unref(res);
    kumo_request_unref(req);
    kumo__dlmw_metarefresh.close(self, c);
    mwt_crawler_free(c);
}

/* ---- Referer of redirected requests ---- */

static const struct {
    const char *settings[3];
    const char *from, *to;      /* redirect from -> to */
    const char *referer;        /* the request's Referer, NULL: none */
    const char *policy;         /* meta referrer_policy, NULL: none */
    const char *want;           /* the redirected request's Referer, NULL: none */
} refs[] = {
    /* scrapy-default: a downgrade to http drops it */
    {{NULL}, "https://example.com/a", "http://example.com/b", "https://example.com/from", NULL,
     NULL},
    {{NULL}, "https://example.com/a", "https://other.com/b", "https://example.com/from", NULL,
     "https://example.com/from"},
    {{NULL}, "http://example.com/a", "http://example.com/b", "http://example.com/from", NULL,
     "http://example.com/from"},
    {{NULL}, "http://example.com/a", "http://example.com/b", NULL, NULL, NULL},
    {{"REFERRER_POLICY", "same-origin"}, "http://example.com/a", "http://other.com/b",
     "http://example.com/from", NULL, NULL},
    {{"REFERRER_POLICY", "same-origin"}, "http://example.com/a", "http://example.com/b",
     "http://example.com/from", NULL, "http://example.com/from"},
    {{"REFERRER_POLICY", "origin"}, "http://example.com/a", "http://example.com/b",
     "http://example.com/from?q=1", NULL, "http://example.com/"},
    {{"REFERRER_POLICY", "strict-origin-when-cross-origin"}, "https://example.com/a",
     "https://other.com/b", "https://example.com/from", NULL, "https://example.com/"},
    {{NULL}, "http://example.com/a", "http://example.com/b", "http://example.com/from",
     "no-referrer", NULL},
    {{NULL}, "http://example.com/a", "http://example.com/b", "http://example.com/from",
     "bogus-policy", "http://example.com/from"},
    {{"REFERER_ENABLED", "0"}, "https://example.com/a", "http://example.com/b",
     "https://example.com/from", NULL, "https://example.com/from"},
    {{"SPIDER_MIDDLEWARES", "{\"Referer\": null}"}, "https://example.com/a",
     "http://example.com/b", "https://example.com/from", NULL, "https://example.com/from"},
};

Test(mw_redirect_referer, policies)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(refs); i++) {
        kumo_crawler *c = mwt_crawler(refs[i].settings);
        kumo_request *req = mwt_req(refs[i].from);
        if (refs[i].referer)
            kumo_headers_add(kumo_request_headers(req), "Referer", refs[i].referer);
        if (refs[i].policy)
            kumo_map_set(&req->meta, "referrer_policy", kumo_val_str(refs[i].policy));
        kumo_request *next = NULL;
        cr_assert_eq(kumo__redirect_follow(c, req, refs[i].to, false, kumo_val_int(301), &next),
                     KUMO_EDONE);
        const char *got = kumo_headers_get(next->headers, "Referer");
        if (refs[i].want)
            cr_expect(got && strcmp(got, refs[i].want) == 0, "case %zu: '%s', want '%s'", i,
                      got ? got : "(none)", refs[i].want);
        else
            cr_expect_null(got, "case %zu: '%s', want none", i, got);
        kumo_request_unref(next);
        kumo_request_unref(req);
        mwt_crawler_free(c);
    }
}

/* Through the Redirect middleware itself: an https page 302 to http loses its Referer. */
Test(mw_redirect_referer, via_redirect_middleware)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(NULL);
    cr_assert_eq(kumo__dlmw_redirect.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req("https://example.com/a");
    kumo_headers_add(kumo_request_headers(req), "Referer", "https://example.com/");
    kumo_response *res = mwt_res(req, 302, SET("Location: http://example.com/b"), "");
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_redirect.process_response(self, c, req, &res, &next), KUMO_EDONE);
    cr_expect_str_eq(next->url, "http://example.com/b");
    cr_expect_null(kumo_headers_get(next->headers, "Referer"));
    kumo_request_unref(next);
    kumo_response_unref(res);
    kumo_request_unref(req);
    if (kumo__dlmw_redirect.close)
        kumo__dlmw_redirect.close(self, c);
    mwt_crawler_free(c);
}
