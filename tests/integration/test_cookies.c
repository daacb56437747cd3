/* test_cookies.c - real crawls: cookie sessions, jars, redirects, Max-Age=0, meta refresh,
 * and the Referer of redirected requests. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/crawl.h"
#include "core/item.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
}

TestSuite(cookies, .init = setup, .fini = teardown, .timeout = 60);

/* Every response becomes an item {url, status, body}. */
static void item_parse(kumo_response *res, kumo_out *out)
{
    size_t len;
    const char *body = kumo_response_body(res, &len);
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "url", kumo_val_str(kumo_response_url(res)));
    kumo_item_set(item, "status", kumo_val_int(kumo_response_status(res)));
    kumo_item_set(item, "body", kumo_val_strn(body, len));
    kumo_yield_item(out, item);
}

/* The start page: follow the "follow" argument in the same cookie jar, or be the item. */
static void start_parse(kumo_response *res, kumo_out *out)
{
    const char *follow = kumo_spider_arg(kumo_out_spider(out), "follow", "");
    if (!*follow) {
        item_parse(res, out);
        return;
    }
    char *url = kumo_response_urljoin(res, follow);
    int err;
    kumo_request *req = url ? kumo_request_new(url, item_parse, &err) : NULL;
    kumo_free(url);
    if (!req)
        return;
    const kumo_value *jar = kumo_map_get(kumo_response_meta(res), "cookiejar");
    if (jar)
        kumo_map_set(kumo_request_meta(req), "cookiejar", kumo_val_copy(jar));
    kumo_request_set_dont_filter(req, 1);
    kumo_yield_request(out, req);
}

/* -a start=URL1,URL2 (full urls) and -a jars=K1,K2 (meta cookiejar: digits are ints). */
static int start_requests(kumo_spider *sp, kumo_out *out)
{
    char starts[2048], jars[256];
    snprintf(starts, sizeof(starts), "%s", kumo_spider_arg(sp, "start", ""));
    snprintf(jars, sizeof(jars), "%s", kumo_spider_arg(sp, "jars", ""));
    char *sv1 = NULL, *sv2 = NULL;
    char *jar = strtok_r(jars, ",", &sv2);
    for (char *u = strtok_r(starts, ",", &sv1); u; u = strtok_r(NULL, ",", &sv1)) {
        int err;
        kumo_request *req = kumo_request_new(u, start_parse, &err);
        if (!req)
            return err;
        if (jar) {
            char *end;
            long long n = strtoll(jar, &end, 10);
            kumo_map_set(kumo_request_meta(req), "cookiejar",
                         *end ? kumo_val_str(jar) : kumo_val_int(n));
            jar = strtok_r(NULL, ",", &sv2);
        }
        kumo_request_set_dont_filter(req, 1);
        kumo_yield_request(out, req);
    }
    return KUMO_OK;
}

static const kumo_spider_def cookie_spider = {
    KUMO_SPIDER_HEADER,
    .name = "cookies",
    .allowed_domains = KUMO_LIST("127.0.0.1", "localhost"),
    .callbacks = KUMO_CALLBACKS(start_parse, item_parse),
    .start_requests = start_requests,
};

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *url(const char *path, char *buf, size_t n)
{
    return kumo_testserver_url(t.srv, path, buf, n);
}

static void dump(void)
{
    for (size_t i = 0; i < t.nitems; i++)
        fprintf(stderr, "item %zu: %s\n", i, t.items[i]);
}

/* GET /cookies/login sets the session; the private page needs it. */
Test(cookies, login_flow)
{
    char start[256];
    url("/cookies/login", start, sizeof(start));
    cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider, NULL,
                                    SET("start", start, "follow", "/cookies/private")),
                 KUMO_OK, "%s", t.err);
    cr_expect_eq(t.nitems, 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "welcome back"), 1);
}

Test(cookies, login_flow_disabled)
{
    char start[256];
    url("/cookies/login", start, sizeof(start));
    cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider, SET("COOKIES_ENABLED", "0"),
                                    SET("start", start, "follow", "/cookies/private")),
                 KUMO_OK, "%s", t.err);
    cr_expect_eq(t.nitems, 0);
    cr_expect_eq(kumo_testserver_hits(t.srv, "/cookies/private"), 1);
}

/* meta['cookiejar'] 1 and "two" are two sessions with the same cookie name. */
Test(cookies, two_jars)
{
    char a[256], b[256], starts[600];
    url("/cookies/set?name=user&value=alice", a, sizeof(a));
    url("/cookies/set?name=user&value=bob", b, sizeof(b));
    snprintf(starts, sizeof(starts), "%s,%s", a, b);
    cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider, NULL,
                                    SET("start", starts, "jars", "1,two", "follow",
                                        "/cookies/echo")), KUMO_OK, "%s", t.err);
    dump();
    cr_expect_eq(t.nitems, 2);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "Cookie: user=alice\\n"), 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "Cookie: user=bob\\n"), 1);
}

/* The 302 sets a cookie; the redirected request carries it. */
Test(cookies, across_redirect)
{
    char start[256];
    url("/cookies/hop?to=/cookies/echo", start, sizeof(start));
    cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider, NULL, SET("start", start)), KUMO_OK,
                 "%s", t.err);
    dump();
    cr_expect_eq(t.nitems, 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "Cookie: hop=1\\n"), 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "/cookies/echo\""), 1);
}

/* /cookies/logout answers Max-Age=0 and a 302: the next request has no session. */
Test(cookies, max_age_zero_deletes)
{
    char start[256];
    url("/cookies/login", start, sizeof(start));
    cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider, NULL,
                                    SET("start", start, "follow", "/cookies/logout")),
                 KUMO_OK, "%s", t.err);
    dump();
    cr_expect_eq(t.nitems, 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "Cookie: (none)"), 1);
}

/* COOKIES_DEBUG logs Scrapy's two lines. */
Test(cookies, debug_log)
{
    char start[256], logpath[64], want[512], priv[256];
    url("/cookies/login", start, sizeof(start));
    url("/cookies/private", priv, sizeof(priv));
    snprintf(logpath, sizeof(logpath), "/tmp/kumo-cookies-%d.log", (int)getpid());
    unlink(logpath);
    cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider,
                                    SET("COOKIES_DEBUG", "1", "LOG_LEVEL", "DEBUG", "LOG_FILE",
                                        logpath),
                                    SET("start", start, "follow", "/cookies/private")),
                 KUMO_OK, "%s", t.err);
    static char log[1 << 16];
    FILE *f = fopen(logpath, "r");
    cr_assert_not_null(f);
    size_t n = fread(log, 1, sizeof(log) - 1, f);
    fclose(f);
    unlink(logpath);
    log[n] = '\0';
    snprintf(want, sizeof(want), "[kumo.downloadermiddlewares.cookies] DEBUG: Received cookies "
             "from: <200 %s>\nSet-Cookie: session=s3cret; Path=/; HttpOnly; SameSite=Lax\n\n",
             start);
    cr_expect_not_null(strstr(log, want), "log lacks <%s>:\n%s", want, log);
    snprintf(want, sizeof(want), "[kumo.downloadermiddlewares.cookies] DEBUG: Sending cookies "
             "to: <GET %s>\nCookie: session=s3cret\n\n", priv);
    cr_expect_not_null(strstr(log, want), "log lacks <%s>:\n%s", want, log);
}

/* A refresh under METAREFRESH_MAXDELAY is followed, one above it is not. */
Test(cookies, meta_refresh)
{
    static const struct {
        const char *path, *maxdelay, *want;
    } cases[] = {
        {"/cookies/refresh?delay=0&to=/cookies/echo", "100", "/cookies/echo\""},
        {"/cookies/refresh?delay=2.5&to=/cookies/echo", "100", "/cookies/echo\""},
        {"/cookies/refresh?delay=200&to=/cookies/echo", "100", "/cookies/refresh?"},
        {"/cookies/refresh?delay=200&to=/cookies/echo", "300", "/cookies/echo\""},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char start[256];
        url(cases[i].path, start, sizeof(start));
        cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider,
                                        SET("METAREFRESH_MAXDELAY", cases[i].maxdelay),
                                        SET("start", start)), KUMO_OK, "%s", t.err);
        dump();
        cr_expect_eq(t.nitems, 1, "case %zu", i);
        cr_expect_eq(kumo_testcrawl_items_with(&t, cases[i].want), 1, "case %zu", i);
    }
}

/* The Referer policy is applied again to the redirected request: under same-origin, a
 * redirect to another origin (localhost) drops it; the default policy keeps it. */
Test(cookies, referer_on_redirect)
{
    static const struct {
        const char *policy;
        bool kept;
    } cases[] = {{"same-origin", false}, {"scrapy-default", true}};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char start[256], follow[256], want[300];
        url("/ok", start, sizeof(start));
        snprintf(follow, sizeof(follow), "/redirect/302?to=http://localhost:%d/headers",
                 kumo_testserver_port(t.srv));
        cr_assert_eq(kumo_testcrawl_run(&t, &cookie_spider,
                                        SET("REFERRER_POLICY", cases[i].policy),
                                        SET("start", start, "follow", follow)),
                     KUMO_OK, "%s", t.err);
        dump();
        cr_expect_eq(t.nitems, 1, "case %zu", i);
        snprintf(want, sizeof(want), "Referer: %s\\n", start);
        cr_expect_eq(kumo_testcrawl_items_with(&t, want), cases[i].kept ? 1 : 0, "case %zu", i);
        cr_expect_eq(kumo_testcrawl_items_with(&t, "Referer"), cases[i].kept ? 1 : 0);
    }
}
