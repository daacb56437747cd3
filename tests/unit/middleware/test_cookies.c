/* test_cookies.c - the Cookies downloader middleware: jars, meta keys, spider cookies, debug. */
#include "mwtest.h"

TestSuite(mw_cookies, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

#define LG "kumo.downloadermiddlewares.cookies"

typedef struct ck {
    kumo_crawler *c;
    void *self;
} ck;

static void ck_open(ck *t, const char *const *kv)
{
    t->c = mwt_crawler(kv);
    t->self = NULL;
    cr_assert_eq(kumo__dlmw_cookies.open(t->c, &t->self), KUMO_OK);
}

static void ck_close(ck *t)
{
    kumo__dlmw_cookies.close(t->self, t->c);
    mwt_crawler_free(t->c);
}

/* Send a request for url through process_request; returns it (caller unrefs). */
static kumo_request *send(ck *t, const char *url, const char *meta_key, kumo_value meta_val)
{
    kumo_request *req = mwt_req(url);
    if (meta_key)
        kumo_map_set(&req->meta, meta_key, meta_val);
    else
        kumo_val_clear(&meta_val);
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_cookies.process_request(t->self, t->c, req, &res, &next), KUMO_OK);
    cr_assert_null(res);
    cr_assert_null(next);
    return req;
}

/* The response to req with Set-Cookie headers (NULL-terminated) through process_response. */
static void receive(ck *t, kumo_request *req, const char *const *set_cookies)
{
    const char *hdrs[8] = {NULL};
    char lines[8][256];
    for (size_t i = 0; set_cookies && set_cookies[i] && i < 7; i++) {
        snprintf(lines[i], sizeof(lines[i]), "Set-Cookie: %s", set_cookies[i]);
        hdrs[i] = lines[i];
    }
    kumo_response *res = mwt_res(req, 200, hdrs, "");
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_cookies.process_response(t->self, t->c, req, &res, &next), KUMO_OK);
    cr_assert_null(next);
    kumo_response_unref(res);
}

/* The Cookie header process_request gives url (with meta_key = meta_val), or NULL. */
static char *cookie_for(ck *t, const char *url, const char *meta_key, kumo_value meta_val)
{
    kumo_request *req = send(t, url, meta_key, meta_val);
    const char *h = kumo_headers_get(req->headers, "Cookie");
    char *out = h ? strdup(h) : NULL;
    kumo_request_unref(req);
    return out;
}

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NOMETA NULL, kumo_val_none()

static void expect_cookie(ck *t, const char *url, const char *want)
{
    char *h = cookie_for(t, url, NOMETA);
    if (want)
        cr_expect(h && strcmp(h, want) == 0, "%s: got '%s', want '%s'", url, h ? h : "(none)",
                  want);
    else
        cr_expect_null(h, "%s: got '%s'", url, h);
    free(h);
}

Test(mw_cookies, disabled)
{
    kumo_crawler *c;
    void *self = NULL;
    c = mwt_crawler(SET("COOKIES_ENABLED", "0"));
    cr_expect_eq(kumo__dlmw_cookies.open(c, &self), KUMO_EDECLINED);
    cr_expect_eq(kumo__dlmw_cookies.order, 700);
    mwt_crawler_free(c);
}

Test(mw_cookies, set_and_send)
{
    ck t;
    ck_open(&t, NULL);
    kumo_request *req = send(&t, "http://example.com/a", NOMETA);
    cr_expect_null(kumo_headers_get(req->headers, "Cookie"));
    receive(&t, req, SET("a=1", "b=2; Path=/x", "d=4; Domain=example.com", "bad=1; Domain=com"));
    kumo_request_unref(req);
    expect_cookie(&t, "http://example.com/x/y", "b=2; a=1; d=4");
    expect_cookie(&t, "http://example.com/", "a=1; d=4");
    expect_cookie(&t, "http://www.example.com/", "d=4");
    expect_cookie(&t, "http://other.com/", NULL);

    /* Max-Age=0 deletes */
    req = send(&t, "http://example.com/a", NOMETA);
    receive(&t, req, SET("a=; Max-Age=0"));
    kumo_request_unref(req);
    expect_cookie(&t, "http://example.com/", "d=4");
    ck_close(&t);
}

/* meta['cookiejar'] keeps sessions apart; 1, 1.0 and True are one key, "1" another. */
Test(mw_cookies, cookiejar_keys)
{
    ck t;
    ck_open(&t, NULL);
    kumo_request *req = send(&t, "http://example.com/", "cookiejar", kumo_val_int(1));
    receive(&t, req, SET("s=one"));
    kumo_request_unref(req);
    req = send(&t, "http://example.com/", "cookiejar", kumo_val_str("1"));
    receive(&t, req, SET("s=str"));
    kumo_request_unref(req);
    req = send(&t, "http://example.com/", NOMETA);
    receive(&t, req, SET("s=default"));
    kumo_request_unref(req);

    static const struct {
        int kind;               /* 0 none, 1 int, 2 float, 3 bool, 4 str, 5 None */
        const char *want;
    } keys[] = {{0, "s=default"}, {1, "s=one"}, {2, "s=one"}, {3, "s=one"}, {4, "s=str"},
                {5, "s=default"}};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(keys); i++) {
        kumo_value v = keys[i].kind == 1   ? kumo_val_int(1)
                       : keys[i].kind == 2 ? kumo_val_float(1.0)
                       : keys[i].kind == 3 ? kumo_val_bool(1)
                       : keys[i].kind == 4 ? kumo_val_str("1")
                                           : kumo_val_none();
        char *h = cookie_for(&t, "http://example.com/", keys[i].kind ? "cookiejar" : NULL, v);
        cr_expect(h && strcmp(h, keys[i].want) == 0, "key kind %d: got '%s', want '%s'",
                  keys[i].kind, h ? h : "(none)", keys[i].want);
        free(h);
    }
    /* an unhashable key: a warning and the default jar, never a crash */
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_int(1));
    char *h = cookie_for(&t, "http://example.com/", "cookiejar", l);
    cr_expect_str_eq(h, "s=default");
    free(h);
    ck_close(&t);
}

/* dont_merge_cookies: the header stays as the spider set it, Set-Cookie is not stored. */
Test(mw_cookies, dont_merge)
{
    ck t;
    ck_open(&t, NULL);
    kumo_request *req = mwt_req("http://example.com/");
    kumo_map_set(&req->meta, "dont_merge_cookies", kumo_val_bool(1));
    kumo_headers_add(kumo_request_headers(req), "Cookie", "mine=1");
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_cookies.process_request(t.self, t.c, req, &res, &next), KUMO_OK);
    cr_expect_str_eq(kumo_headers_get(req->headers, "Cookie"), "mine=1");
    receive(&t, req, SET("a=1"));
    kumo_request_unref(req);
    expect_cookie(&t, "http://example.com/", NULL);
    ck_close(&t);
}

/* A Cookie header the spider sets is Scrapy's Request.cookies: sent, and kept in the jar. */
Test(mw_cookies, spider_cookie_header)
{
    ck t;
    ck_open(&t, NULL);
    kumo_request *req = send(&t, "http://example.com/", NOMETA);
    receive(&t, req, SET("a=1"));
    kumo_request_unref(req);

    req = mwt_req("http://example.com/");
    kumo_headers_add(kumo_request_headers(req), "Cookie", " z=9;y = 8 ; a=2");
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_cookies.process_request(t.self, t.c, req, &res, &next), KUMO_OK);
    cr_expect_str_eq(kumo_headers_get(req->headers, "Cookie"), "a=2; z=9; y=8");
    /* a copy that passes again (a retry) adds nothing */
    kumo_request *copy = kumo__request_copy(req);
    cr_assert_eq(kumo__dlmw_cookies.process_request(t.self, t.c, copy, &res, &next), KUMO_OK);
    cr_expect_str_eq(kumo_headers_get(copy->headers, "Cookie"), "a=2; z=9; y=8");
    kumo_request_unref(copy);
    kumo_request_unref(req);
    expect_cookie(&t, "http://example.com/", "a=2; z=9; y=8");
    ck_close(&t);
}

Test(mw_cookies, debug_lines)
{
    ck t;
    ck_open(&t, SET("COOKIES_DEBUG", "1"));
    mwt_log_begin();
    kumo_request *req = send(&t, "http://example.com/a", NOMETA);
    receive(&t, req, SET("a=1", "b=2"));
    kumo_request_unref(req);
    req = send(&t, "http://example.com/b", NOMETA);
    kumo_request_unref(req);
    mwt_assert_logged(LG, "DEBUG", "Received cookies from: <200 http://example.com/a>\n"
                      "Set-Cookie: a=1\n\nSet-Cookie: b=2\n\n");
    mwt_assert_logged(LG, "DEBUG", "Sending cookies to: <GET http://example.com/b>\n"
                      "Cookie: a=1; b=2\n\n");
    cr_expect_null(strstr(mwt_log(), "Sending cookies to: <GET http://example.com/a>"),
                   "no line without cookies");
    mwt_log_end();
    ck_close(&t);
}

/* A redirect keeps the Cookie header on the same host and drops it on a change of host, with
 * or without the middleware (which rebuilds it from the jar when the copy passes again). */
Test(mw_cookies, redirect_cookie_header)
{
    static const struct {
        const char *settings[3];
        const char *to;
        bool kept;
    } cases[] = {
        {{NULL}, "http://example.com/b", true},
        {{NULL}, "http://www.example.com/b", false},
        {{"COOKIES_ENABLED", "0"}, "http://example.com/b", true},
        {{"COOKIES_ENABLED", "0"}, "http://www.example.com/b", false},
        {{"DOWNLOADER_MIDDLEWARES", "{\"Cookies\": null}"}, "http://example.com/b", true},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_crawler *c = mwt_crawler(cases[i].settings);
        kumo_request *req = mwt_req("http://example.com/a");
        kumo_headers_add(kumo_request_headers(req), "Cookie", "a=1");
        kumo_request *next = NULL;
        cr_assert_eq(kumo__redirect_follow(c, req, cases[i].to, false, kumo_val_int(302),
                                           &next), KUMO_EDONE);
        cr_expect_eq(kumo_headers_get(next->headers, "Cookie") != NULL, cases[i].kept,
                     "case %zu", i);
        kumo_request_unref(next);
        kumo_request_unref(req);
        mwt_crawler_free(c);
    }
}

/* A copy that passes again (a retry) gets its Cookie header from the jar as it is now: a
 * cookie the failed response deleted does not come back from the copied header. */
Test(mw_cookies, copies_take_the_jar_as_it_is)
{
    ck t;
    ck_open(&t, NULL);
    kumo_request *req = send(&t, "http://example.com/", NOMETA);
    receive(&t, req, SET("a=1", "b=2"));
    kumo_request_unref(req);
    req = send(&t, "http://example.com/", NOMETA);
    cr_assert_str_eq(kumo_headers_get(req->headers, "Cookie"), "a=1; b=2");
    receive(&t, req, SET("a=gone; Max-Age=0"));     /* the 503 that gets retried */
    kumo_request *copy = kumo__request_copy(req);
    kumo_response *res = NULL;
    kumo_request *next = NULL;
    cr_assert_eq(kumo__dlmw_cookies.process_request(t.self, t.c, copy, &res, &next), KUMO_OK);
    cr_expect_str_eq(kumo_headers_get(copy->headers, "Cookie"), "b=2");
    kumo_request_unref(copy);
    kumo_request_unref(req);
    expect_cookie(&t, "http://example.com/", "b=2");
    ck_close(&t);
}

/* The jars show up in the heap view under "['cookies']". */
Test(mw_cookies, heap_via)
{
    ck t;
    ck_open(&t, NULL);
    kumo_request *req = send(&t, "http://example.com/a", NOMETA);
    receive(&t, req, SET("a=1"));
    kumo_request_unref(req);
    kumo_tag via = kumo_via_intern("\"['cookies']\"");
    kumo_heap_counter cs[512];
    size_t n = kumo_heap_snapshot(cs, KUMO_ARRAY_LEN(cs));
    uint64_t count = 0;
    for (size_t i = 0; i < n && i < KUMO_ARRAY_LEN(cs); i++)
        if (cs[i].via == via)
            count += cs[i].count;
    cr_expect_geq(count, 5, "%llu blocks", (unsigned long long)count);
    ck_close(&t);
}
