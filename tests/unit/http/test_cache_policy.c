/* test_cache_policy.c - the Dummy and RFC2616 HTTP cache policies, against Scrapy 2.8. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "middleware/cache_settings.h"
#include "http/headers.h"
#include "lib/leakcheck.h"

TestSuite(cache_policy, KUMO_LEAKCHECK);

/* "now" of the table below: Tue, 14 Nov 2023 22:13:20 GMT. */
#define NOW 1700000000.0

/* Headers from "Name: value" strings, NULL-terminated. */
static kumo_headers *hdrs(const char *const *lines)
{
    kumo_headers *h = kumo__headers_new();
    for (size_t i = 0; lines[i]; i++) {
        const char *colon = strchr(lines[i], ':');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(colon - lines[i]), lines[i]);
        kumo_headers_add(h, name, colon + 2);
    }
    return h;
}

static void policy(kumo_cache_policy *p, const char *const *kv)
{
    kumo_settings *s = kumo__settings_new();
    char err[256];
    for (size_t i = 0; kv && kv[i]; i += 2)
        cr_assert_eq(kumo__settings_set(s, kv[i], kv[i + 1], KUMO_PRIO_CMDLINE, err,
                                       sizeof(err)), KUMO_OK, "%s", err);
    kumo_crawler *c = kumo__crawler_new_bare(s, NULL);
    cr_assert_eq(kumo__cache_policy_init(p, c, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo__crawler_free(c);
}

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/*
 * Generated with Scrapy 2.8's RFC2616Policy (time() patched to NOW): should_cache_response,
 * is_cached_response_fresh, and whether it added If-Modified-Since / If-None-Match.
 */
static const struct {
    const char *name;
    int status;
    const char *res[5];
    const char *req[2];
    bool store, fresh, ims, inm;
} rfc[] = {
    {"no headers", 200,
     {NULL},
     {NULL}, 0, 0, 0, 0},
    {"max-age fresh", 200,
     {"Cache-Control: max-age=3600",
      "Date: Tue, 14 Nov 2023 22:11:40 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
    {"max-age stale", 200,
     {"Cache-Control: max-age=3600",
      "Date: Tue, 14 Nov 2023 21:06:40 GMT",
      NULL},
     {NULL}, 1, 0, 0, 0},
    {"Age past max-age", 200,
     {"Cache-Control: max-age=3600",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      "Age: 4000",
      NULL},
     {NULL}, 1, 0, 0, 0},
    {"no-store", 200,
     {"Cache-Control: no-store, max-age=3600",
      NULL},
     {NULL}, 0, 1, 0, 0},
    {"no-cache", 200,
     {"Cache-Control: no-cache, max-age=3600",
      "ETag: \"x\"",
      NULL},
     {NULL}, 1, 0, 0, 0},
    {"Expires future", 200,
     {"Expires: Tue, 14 Nov 2023 22:15:00 GMT",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
    {"Expires past", 200,
     {"Expires: Tue, 14 Nov 2023 22:11:40 GMT",
      "Date: Tue, 14 Nov 2023 22:10:00 GMT",
      NULL},
     {NULL}, 1, 0, 0, 0},
    {"Expires 0", 200,
     {"Expires: 0",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {NULL}, 1, 0, 0, 0},
    {"heuristic fresh", 200,
     {"Last-Modified: Tue, 14 Nov 2023 19:26:40 GMT",
      "Date: Tue, 14 Nov 2023 22:12:30 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
    {"heuristic stale", 200,
     {"Last-Modified: Tue, 14 Nov 2023 21:56:40 GMT",
      "Date: Tue, 14 Nov 2023 22:05:00 GMT",
      NULL},
     {NULL}, 1, 0, 1, 0},
    {"etag stale", 200,
     {"ETag: \"abc\"",
      NULL},
     {NULL}, 1, 0, 0, 1},
    {"both validators", 200,
     {"ETag: \"abc\"",
      "Last-Modified: Tue, 14 Nov 2023 22:11:40 GMT",
      "Cache-Control: max-age=0",
      NULL},
     {NULL}, 1, 0, 1, 1},
    {"301 a year", 301,
     {NULL},
     {NULL}, 1, 1, 0, 0},
    {"302", 302,
     {NULL},
     {NULL}, 0, 0, 0, 0},
    {"304", 304,
     {"Cache-Control: max-age=100",
      NULL},
     {NULL}, 0, 1, 0, 0},
    {"404 max-age", 404,
     {"Cache-Control: max-age=100",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
    {"request max-age", 200,
     {"Cache-Control: max-age=100",
      "Date: Tue, 14 Nov 2023 22:12:30 GMT",
      NULL},
     {"Cache-Control: max-age=10", NULL}, 1, 0, 0, 0},
    {"max-stale any", 200,
     {"Cache-Control: max-age=100",
      "Date: Tue, 14 Nov 2023 22:10:50 GMT",
      NULL},
     {"Cache-Control: max-stale", NULL}, 1, 1, 0, 0},
    {"max-stale enough", 200,
     {"Cache-Control: max-age=100",
      "Date: Tue, 14 Nov 2023 22:10:50 GMT",
      NULL},
     {"Cache-Control: max-stale=100", NULL}, 1, 1, 0, 0},
    {"max-stale short", 200,
     {"Cache-Control: max-age=100",
      "Date: Tue, 14 Nov 2023 22:10:50 GMT",
      NULL},
     {"Cache-Control: max-stale=10", NULL}, 1, 0, 0, 0},
    {"must-revalidate", 200,
     {"Cache-Control: max-age=100, must-revalidate",
      "Date: Tue, 14 Nov 2023 22:10:50 GMT",
      NULL},
     {"Cache-Control: max-stale", NULL}, 1, 0, 0, 0},
    {"request no-cache", 200,
     {"Cache-Control: max-age=100",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {"Cache-Control: no-cache", NULL}, 1, 0, 0, 0},
    {"bad max-age", 200,
     {"Cache-Control: max-age=abc",
      "Date: Tue, 14 Nov 2023 22:13:10 GMT",
      "ETag: \"e\"",
      NULL},
     {NULL}, 1, 0, 0, 1},
    {"s-maxage ignored", 200,
     {"Cache-Control: s-maxage=3600",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {NULL}, 0, 0, 0, 0},
    {"RFC 850 date", 200,
     {"Cache-Control: max-age=3600",
      "Date: Tuesday, 14-Nov-23 22:11:40 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
    {"203 last-modified", 203,
     {"Last-Modified: Mon, 13 Nov 2023 18:26:40 GMT",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
    {"401 no validator", 401,
     {"Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {NULL}, 0, 0, 0, 0},
    {"negative max-age", 200,
     {"Cache-Control: max-age=-5",
      "Date: Tue, 14 Nov 2023 22:13:20 GMT",
      NULL},
     {NULL}, 1, 0, 0, 0},
    {"upper-case directive", 200,
     {"Cache-Control: Max-Age=3600",
      "Date: Tue, 14 Nov 2023 22:11:40 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
    {"future Date", 200,
     {"Cache-Control: max-age=10",
      "Date: Tue, 14 Nov 2023 22:30:00 GMT",
      NULL},
     {NULL}, 1, 1, 0, 0},
};

Test(cache_policy, rfc2616_table)
{
    kumo_cache_policy p;
    policy(&p, SET("HTTPCACHE_POLICY", "RFC2616"));
    cr_assert_eq(p.kind, KUMO_CACHE_RFC2616);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(rfc); i++) {
        kumo_headers *h = hdrs(rfc[i].res), *q = hdrs(rfc[i].req);
        cr_expect_eq(kumo__cache_policy_should_cache_response(&p, rfc[i].status, h),
                     rfc[i].store, "%s: store", rfc[i].name);
        cr_expect_eq(kumo__cache_policy_is_fresh(&p, rfc[i].status, h, q, NOW), rfc[i].fresh,
                     "%s: fresh", rfc[i].name);
        cr_expect_eq(kumo_headers_get(q, "If-Modified-Since") != NULL, rfc[i].ims,
                     "%s: If-Modified-Since", rfc[i].name);
        cr_expect_eq(kumo_headers_get(q, "If-None-Match") != NULL, rfc[i].inm,
                     "%s: If-None-Match", rfc[i].name);
        kumo__headers_free(h);
        kumo__headers_free(q);
    }
    kumo__cache_policy_release(&p);
}

/* The validators are copied from the cached response. */
Test(cache_policy, validators_copied)
{
    kumo_cache_policy p;
    policy(&p, SET("HTTPCACHE_POLICY", "scrapy.extensions.httpcache.RFC2616Policy"));
    kumo_headers *h = hdrs(SET("ETag: W/\"v1\"", "Last-Modified: Sat, 01 Jan 2000 00:00:00 GMT",
                               "Cache-Control: max-age=0"));
    kumo_headers *q = kumo__headers_new();
    kumo_headers_add(q, "If-None-Match", "old");
    cr_assert_not(kumo__cache_policy_is_fresh(&p, 200, h, q, NOW));
    cr_assert_str_eq(kumo_headers_get(q, "If-None-Match"), "W/\"v1\"");
    cr_assert_str_eq(kumo_headers_get(q, "If-Modified-Since"), "Sat, 01 Jan 2000 00:00:00 GMT");
    cr_assert_eq(kumo_headers_count(q), 2);
    kumo__headers_free(h);
    kumo__headers_free(q);
    kumo__cache_policy_release(&p);
}

/* is_cached_response_valid: 304, or a 5xx unless the cached response must revalidate. */
Test(cache_policy, rfc2616_valid)
{
    static const struct {
        const char *cc;
        int status;
        bool valid;
    } cases[] = {
        {"max-age=10", 304, true},
        {"max-age=10", 200, false},
        {"max-age=10", 404, false},
        {"max-age=10", 500, true},
        {"max-age=10", 503, true},
        {"max-age=10, must-revalidate", 500, false},
        {"must-revalidate", 304, true},
    };
    kumo_cache_policy p;
    policy(&p, SET("HTTPCACHE_POLICY", "RFC2616"));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_headers *h = kumo__headers_new();
        kumo_headers_add(h, "Cache-Control", cases[i].cc);
        cr_expect_eq(kumo__cache_policy_is_valid(&p, h, cases[i].status), cases[i].valid,
                     "case %zu", i);
        kumo__headers_free(h);
    }
    kumo__cache_policy_release(&p);
}

/* Requests: ignored schemes for both policies, Cache-Control: no-store for RFC2616. */
Test(cache_policy, should_cache_request)
{
    kumo_cache_policy d, r;
    policy(&d, SET("HTTPCACHE_IGNORE_SCHEMES", "file,https"));
    policy(&r, SET("HTTPCACHE_POLICY", "rfc2616"));
    kumo_headers *ns = hdrs(SET("Cache-Control: no-store"));
    kumo_headers *none = kumo__headers_new();
    cr_assert(kumo__cache_policy_should_cache_request(&d, "http://a.example/", none));
    cr_assert_not(kumo__cache_policy_should_cache_request(&d, "https://a.example/", none));
    cr_assert_not(kumo__cache_policy_should_cache_request(&d, "file:///etc/passwd", none));
    cr_assert(kumo__cache_policy_should_cache_request(&d, "http://a.example/", ns));
    cr_assert(kumo__cache_policy_should_cache_request(&r, "https://a.example/", none));
    cr_assert_not(kumo__cache_policy_should_cache_request(&r, "file:///x", none));
    cr_assert_not(kumo__cache_policy_should_cache_request(&r, "http://a.example/", ns));
    kumo__headers_free(ns);
    kumo__headers_free(none);
    kumo__cache_policy_release(&d);
    kumo__cache_policy_release(&r);
}

/* Dummy: everything fresh and valid; only HTTPCACHE_IGNORE_HTTP_CODES is not stored. */
Test(cache_policy, dummy)
{
    kumo_cache_policy p;
    policy(&p, SET("HTTPCACHE_IGNORE_HTTP_CODES", "[404, \"500\"]"));
    cr_assert_eq(p.kind, KUMO_CACHE_DUMMY);
    kumo_headers *h = hdrs(SET("Cache-Control: no-store, no-cache", "Expires: 0"));
    cr_assert(kumo__cache_policy_should_cache_response(&p, 200, h));
    cr_assert(kumo__cache_policy_should_cache_response(&p, 304, h));
    cr_assert_not(kumo__cache_policy_should_cache_response(&p, 404, h));
    cr_assert_not(kumo__cache_policy_should_cache_response(&p, 500, h));
    cr_assert(kumo__cache_policy_is_fresh(&p, 200, h, NULL, NOW));
    cr_assert(kumo__cache_policy_is_valid(&p, h, 200));
    kumo__headers_free(h);
    kumo__cache_policy_release(&p);
}

/* HTTPCACHE_ALWAYS_STORE and HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS. */
Test(cache_policy, always_store_and_ignored_controls)
{
    kumo_cache_policy a, ig;
    policy(&a, SET("HTTPCACHE_POLICY", "RFC2616", "HTTPCACHE_ALWAYS_STORE", "1"));
    policy(&ig, SET("HTTPCACHE_POLICY", "RFC2616",
                    "HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS", "no-store,no-cache"));
    kumo_headers *plain = kumo__headers_new();
    kumo_headers *ns = hdrs(SET("Cache-Control: no-store, no-cache, max-age=3600",
                                "Date: Tue, 14 Nov 2023 22:13:00 GMT"));
    cr_assert(kumo__cache_policy_should_cache_response(&a, 200, plain));
    cr_assert(kumo__cache_policy_should_cache_response(&a, 500, plain));
    cr_assert_not(kumo__cache_policy_should_cache_response(&a, 304, plain));
    cr_assert_not(kumo__cache_policy_should_cache_response(&a, 200, ns));
    cr_assert(kumo__cache_policy_should_cache_response(&ig, 200, ns));
    cr_assert(kumo__cache_policy_is_fresh(&ig, 200, ns, NULL, NOW));
    cr_assert_not(kumo__cache_policy_is_fresh(&a, 200, ns, NULL, NOW));
    kumo__headers_free(plain);
    kumo__headers_free(ns);
    kumo__cache_policy_release(&a);
    kumo__cache_policy_release(&ig);
}

Test(cache_policy, bad_settings)
{
    static const char *const bad[][2] = {
        {"HTTPCACHE_POLICY", "scrapy.extensions.httpcache.Nope"},
        {"HTTPCACHE_POLICY", "LRU"},
        {"HTTPCACHE_IGNORE_HTTP_CODES", "404,abc"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        kumo_settings *s = kumo__settings_new();
        char err[256] = "";
        cr_assert_eq(kumo__settings_set(s, bad[i][0], bad[i][1], KUMO_PRIO_CMDLINE, err,
                                       sizeof(err)), KUMO_OK);
        kumo_cache_policy p;
        kumo_crawler *c = kumo__crawler_new_bare(s, NULL);
        cr_assert_eq(kumo__cache_policy_init(&p, c, err, sizeof(err)), KUMO_EINVAL);
        cr_assert(strstr(err, bad[i][0]), "%s", err);
        kumo__crawler_free(c);
    }
    kumo_cache_policy_kind k;
    cr_assert_eq(kumo__cache_policy_kind_parse("DummyPolicy", &k), KUMO_OK);
    cr_assert_eq(k, KUMO_CACHE_DUMMY);
    cr_assert_eq(kumo__cache_policy_kind_parse(NULL, &k), KUMO_EINVAL);
}

/* email.utils.parsedate_tz + mktime_tz of Python 3 (generated). */
static const struct {
    const char *s;
    bool ok;
    double t;
} dates[] = {
    {"Sun, 06 Nov 1994 08:49:37 GMT", 1, 784111777},
    {"Sunday, 06-Nov-94 08:49:37 GMT", 1, 784111777},
    {"Sun Nov  6 08:49:37 1994", 1, 784111777},
    {"06 Nov 1994 08:49:37 +0100", 1, 784108177},
    {"Sun, 06 Nov 1994 08:49:37 -0230", 1, 784120777},
    {"Sun, 06 Nov 1994 08:49 GMT", 1, 784111740},
    {"Sun, 06 Nov 1994 08:49:37", 1, 784111777},
    {"Thu, 01 Jan 1970 00:00:00 GMT", 1, 0},
    {"Sun, 06 Nov 1994 08:49:37 EST", 1, 784129777},
    {"Sun, 6 Nov 94 8:49:37 UTC", 1, 784111777},
    {"Sat, 01 Jan 2000 00:00:00 GMT", 1, 946684800},
    {"Tue, 29 Feb 2028 23:59:59 GMT", 1, 1835481599},
    {"Tuesday, 14-Nov-23 22:11:40 GMT", 1, 1699999900},
    {"Wed, 01 Jan 69 00:00:00 GMT", 1, -31536000},
    {"Mon, 31 Dec 68 00:00:00 GMT", 1, 3124137600},
    {"0", 0, 0},
    {"-1", 0, 0},
    {"garbage", 0, 0},
    {"", 0, 0},
    {"Sun, 06 Foo 1994 08:49:37 GMT", 0, 0},
    {"Sun, 06 Nov 1994", 0, 0},
    {"Sun, 06 Nov 1994 xx:49:37 GMT", 0, 0},
};

Test(cache_policy, dates)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(dates); i++) {
        double t = -1;
        int rc = kumo__http_date_parse(dates[i].s, &t);
        cr_expect_eq(rc == KUMO_OK, dates[i].ok, "<%s>", dates[i].s);
        if (dates[i].ok)
            cr_expect_eq(t, dates[i].t, "<%s>: %.0f, want %.0f", dates[i].s, t, dates[i].t);
    }
    char buf[40];
    cr_assert_str_eq(kumo__http_date_format(784111777, buf, sizeof(buf)),
                     "Sun, 06 Nov 1994 08:49:37 GMT");
    cr_assert_str_eq(kumo__http_date_format(NOW, buf, sizeof(buf)),
                     "Tue, 14 Nov 2023 22:13:20 GMT");
}
