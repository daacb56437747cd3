/* test_redirect.c - the Redirect downloader middleware: statuses, methods, meta, limits. */
#include "mwtest.h"

TestSuite(mw_redirect, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.downloadermiddlewares.redirect"
#define A "http://example.com/dir/a"

static const struct {
    const char *settings[3];
    const char *method;
    int status;
    const char *location;       /* NULL: no Location header */
    const char *meta_key;       /* one meta entry set to meta_val (an int, or a [meta_val]) */
    int64_t meta_val;
    bool meta_list;
    int rc;
    const char *new_url, *new_method;
    bool body_kept;
    const char *log;            /* DEBUG line under LG */
} cases[] = {
    {{NULL}, "GET", 302, "/b", NULL, 0, false, KUMO_EDONE, "http://example.com/b", "GET", false,
     "Redirecting (302) to <GET http://example.com/b> from <GET " A ">\n"},
    {{NULL}, "GET", 301, "b?x=1", NULL, 0, false, KUMO_EDONE, "http://example.com/dir/b?x=1",
     "GET", true, "Redirecting (301) to <GET http://example.com/dir/b?x=1> from <GET " A ">"},
    {{NULL}, "POST", 302, "/b", NULL, 0, false, KUMO_EDONE, "http://example.com/b", "GET",
     false, "Redirecting (302) to <GET http://example.com/b> from <POST " A ">"},
    {{NULL}, "POST", 303, "/b", NULL, 0, false, KUMO_EDONE, "http://example.com/b", "GET",
     false, NULL},
    {{NULL}, "POST", 301, "/b", NULL, 0, false, KUMO_EDONE, "http://example.com/b", "GET",
     false, NULL},
    {{NULL}, "POST", 307, "/b", NULL, 0, false, KUMO_EDONE, "http://example.com/b", "POST",
     true, "Redirecting (307) to <POST http://example.com/b> from <POST " A ">"},
    {{NULL}, "POST", 308, "/b", NULL, 0, false, KUMO_EDONE, "http://example.com/b", "POST",
     true, NULL},
    {{NULL}, "HEAD", 302, "/b", NULL, 0, false, KUMO_EDONE, "http://example.com/b", "HEAD",
     true, NULL},
    {{NULL}, "GET", 302, "//other.example/x", NULL, 0, false, KUMO_EDONE,
     "http://other.example/x", "GET", false, NULL},
    {{NULL}, "GET", 302, "https://www.example.com/z", NULL, 0, false, KUMO_EDONE,
     "https://www.example.com/z", "GET", false, NULL},
    {{NULL}, "GET", 302, NULL, NULL, 0, false, KUMO_OK, NULL, NULL, false, NULL},
    {{NULL}, "GET", 304, "/b", NULL, 0, false, KUMO_OK, NULL, NULL, false, NULL},
    {{NULL}, "GET", 200, "/b", NULL, 0, false, KUMO_OK, NULL, NULL, false, NULL},
    {{NULL}, "GET", 302, "/b", "dont_redirect", 1, false, KUMO_OK, NULL, NULL, false, NULL},
    {{NULL}, "GET", 302, "/b", "handle_httpstatus_list", 302, true, KUMO_OK, NULL, NULL, false,
     NULL},
    {{NULL}, "GET", 302, "/b", "handle_httpstatus_list", 404, true, KUMO_EDONE,
     "http://example.com/b", "GET", false, NULL},
    {{NULL}, "GET", 302, "/b", "handle_httpstatus_all", 1, false, KUMO_OK, NULL, NULL, false,
     NULL},
    {{NULL}, "GET", 302, "/b", "redirect_times", 20, false, KUMO_EIGNORED, NULL, NULL, false,
     "Discarding <GET " A ">: max redirections reached\n"},
    {{NULL}, "GET", 302, "/b", "redirect_ttl", 0, false, KUMO_EIGNORED, NULL, NULL, false,
     "Discarding <GET " A ">: max redirections reached"},
    {{"REDIRECT_MAX_TIMES", "0"}, "GET", 302, "/b", NULL, 0, false, KUMO_EIGNORED, NULL, NULL,
     false, "Discarding <GET " A ">: max redirections reached"},
    {{NULL}, "GET", 302, "file:///etc/passwd", NULL, 0, false, KUMO_EIGNORED, NULL, NULL,
     false, "Discarding redirect (302) to 'file:///etc/passwd' from <GET " A ">"},
    {{NULL}, "GET", 301, "ftp://example.com/f", NULL, 0, false, KUMO_EIGNORED, NULL, NULL,
     false, "Discarding redirect (301) to 'ftp://example.com/f' from <GET " A ">"},
};

Test(mw_redirect, responses)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c;
        void *self = NULL;
        c = mwt_crawler(cases[i].settings);
        mwt_log_begin();
        cr_assert_eq(kumo__dlmw_redirect.open(c, &self), KUMO_OK);
        kumo_request *req = mwt_req(A);
        kumo_request_set_method(req, cases[i].method);
        kumo_request_set_body(req, "a=1", 3);
        kumo_request_set_header(req, "Content-Type", "application/x-www-form-urlencoded");
        kumo_headers_add(kumo_request_headers(req), "X-Keep", "yes");
        if (cases[i].meta_key) {
            kumo_value v = kumo_val_int(cases[i].meta_val);
            if (cases[i].meta_list) {
                kumo_value l = kumo_val_list();
                kumo_val_list_push(&l, v);
                v = l;
            }
            kumo_map_set(&req->meta, cases[i].meta_key, v);
        }
        char loc[256];
        snprintf(loc, sizeof(loc), "Location: %s", cases[i].location ? cases[i].location : "");
        kumo_response *res = mwt_res(req, cases[i].status,
                                     cases[i].location ? KUMO_LIST(loc) : NULL, "");
        kumo_request *next = NULL;
        int rc = kumo__dlmw_redirect.process_response(self, c, req, &res, &next);
        cr_assert_eq(rc, cases[i].rc, "case %zu: rc %d", i, rc);
        if (rc == KUMO_EDONE) {
            cr_assert_str_eq(next->url, cases[i].new_url, "case %zu", i);
            cr_assert_str_eq(next->method, cases[i].new_method, "case %zu", i);
            size_t len;
            kumo__request_body(next, &len);
            cr_assert_eq(len, cases[i].body_kept ? 3u : 0u, "case %zu", i);
            cr_assert_eq(kumo_headers_get(next->headers, "Content-Type") != NULL,
                         cases[i].body_kept, "case %zu", i);
            cr_assert_str_eq(kumo_headers_get(next->headers, "X-Keep"), "yes");
            cr_assert_eq(kumo_map_get_int(&next->meta, "redirect_times", 0), 1);
            cr_assert_eq(kumo_map_get_int(&next->meta, "redirect_ttl", 0), 19);
            const kumo_value *urls = kumo_map_get(&next->meta, "redirect_urls");
            cr_assert_eq(urls->type, KUMO_VAL_LIST);
            cr_assert_eq(urls->u.list->len, 1);
            cr_assert_str_eq(urls->u.list->v[0].u.str.s, A);
            const kumo_value *why = kumo_map_get(&next->meta, "redirect_reasons");
            cr_assert_eq(why->u.list->v[0].u.i, cases[i].status);
            cr_assert_eq(next->priority, 2, "case %zu", i);
            cr_assert(!next->dont_filter);
        } else {
            cr_assert_null(next, "case %zu", i);
        }
        if (cases[i].log)
            mwt_assert_logged(LG, "DEBUG", cases[i].log);
        int64_t dropped = mwt_stat(c, "downloader/redirect_scheme_dropped");
        bool scheme = cases[i].location && strncmp(cases[i].location, "file:", 5) == 0;
        scheme = scheme || (cases[i].location && strncmp(cases[i].location, "ftp:", 4) == 0);
        cr_assert_eq(dropped, scheme ? 1 : -1, "case %zu", i);
        kumo_request_unref(next);
        kumo_response_unref(res);
        kumo_request_unref(req);
        kumo__dlmw_redirect.close(self, c);
        mwt_log_end();
        mwt_crawler_free(c);
    }
}

/* Two hops: the meta lists grow, dont_filter follows the source request, Cookie stays home. */
Test(mw_redirect, chain_of_redirects)
{
    kumo_crawler *c;
    void *self = NULL;
    /* without the Cookies middleware (it rebuilds the header itself) */
    c = mwt_crawler(KUMO_LIST("REDIRECT_PRIORITY_ADJUST", "5", "COOKIES_ENABLED", "0"));
    mwt_log_begin();
    cr_assert_eq(kumo__dlmw_redirect.open(c, &self), KUMO_OK);
    kumo_request *req = mwt_req("http://example.com/a");
    kumo_request_set_dont_filter(req, 1);
    kumo_headers_add(kumo_request_headers(req), "Cookie", "k=v");

    kumo_response *res = mwt_res(req, 302, KUMO_LIST("Location: /b"), "");
    kumo_request *one = NULL, *two = NULL;
    cr_assert_eq(kumo__dlmw_redirect.process_response(self, c, req, &res, &one), KUMO_EDONE);
    cr_assert(one->dont_filter);
    cr_assert_eq(one->priority, 5);
    cr_assert_str_eq(kumo_headers_get(one->headers, "Cookie"), "k=v");
    cr_assert_eq(kumo_map_get_int(&req->meta, "redirect_ttl", -1), 20);   /* setdefault */
    kumo_response_unref(res);

    res = mwt_res(one, 301, KUMO_LIST("Location: http://other.example:8080/c"), "");
    cr_assert_eq(kumo__dlmw_redirect.process_response(self, c, one, &res, &two), KUMO_EDONE);
    cr_assert_eq(kumo_map_get_int(&two->meta, "redirect_times", 0), 2);
    cr_assert_eq(kumo_map_get_int(&two->meta, "redirect_ttl", 0), 18);
    cr_assert_eq(two->priority, 10);
    cr_assert_null(kumo_headers_get(two->headers, "Cookie"));
    const kumo_value *urls = kumo_map_get(&two->meta, "redirect_urls");
    cr_assert_eq(urls->u.list->len, 2);
    cr_assert_str_eq(urls->u.list->v[0].u.str.s, "http://example.com/a");
    cr_assert_str_eq(urls->u.list->v[1].u.str.s, "http://example.com/b");
    const kumo_value *why = kumo_map_get(&two->meta, "redirect_reasons");
    cr_assert_eq(why->u.list->len, 2);
    cr_assert_eq(why->u.list->v[0].u.i, 302);
    cr_assert_eq(why->u.list->v[1].u.i, 301);
    mwt_assert_logged(LG, "DEBUG", "Redirecting (301) to <GET http://other.example:8080/c> "
                      "from <GET http://example.com/b>\n");

    kumo_response_unref(res);
    kumo_request_unref(two);
    kumo_request_unref(one);
    kumo_request_unref(req);
    kumo__dlmw_redirect.close(self, c);
    mwt_log_end();
    mwt_crawler_free(c);
}

Test(mw_redirect, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(KUMO_LIST("REDIRECT_ENABLED", "0"));
    cr_assert_eq(kumo__dlmw_redirect.open(c, &self), KUMO_EDECLINED);
    mwt_crawler_free(c);
}
