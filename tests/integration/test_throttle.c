/* test_throttle.c - real crawls for the downloader side of issue 6: a slow domain does not
 * hold the others back, AutoThrottle, HttpAuth, HttpProxy, and the per-request meta keys. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
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
    unsetenv("http_proxy");
    unsetenv("no_proxy");
    kumo_testcrawl_fini(&t);
}

TestSuite(throttle, .init = setup, .fini = teardown, .timeout = 120);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- a spider whose one request comes from -a url=U and -a meta="k=v;k=v" ---- */

/* "12" an int, "0.5" a float, "404,500" or "404," a list of ints, "None" None, else a
 * string. */
static kumo_value meta_value(const char *v)
{
    char *end;
    if (strcmp(v, "None") == 0)
        return kumo_val_none();
    if (strchr(v, ',') && strspn(v, "0123456789,") == strlen(v)) {
        kumo_value l = kumo_val_list();
        for (const char *p = v; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
            kumo_val_list_push(&l, kumo_val_int(strtoll(p, NULL, 10)));
        }
        return l;
    }
    double d = strtod(v, &end);
    if (*v && !*end)
        return strchr(v, '.') ? kumo_val_float(d) : kumo_val_int((int64_t)d);
    return kumo_val_str(v);
}

static void one_parse(kumo_response *res, kumo_out *out)
{
    size_t len;
    const char *body = kumo_response_body(res, &len);
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_item_set_int(item, "status", kumo_response_status(res));
    kumo_item_set(item, "body", kumo_val_strn(body, len < 2000 ? len : 2000));
    kumo_yield_item(out, item);
}

static int one_start(kumo_spider *sp, kumo_out *out)
{
    int err;
    kumo_request *req = kumo_request_new(kumo_spider_arg(sp, "url", ""), one_parse, &err);
    if (!req)
        return err;
    char meta[1024];
    snprintf(meta, sizeof(meta), "%s", kumo_spider_arg(sp, "meta", ""));
    for (char *save = NULL, *kv = strtok_r(meta, ";", &save); kv;
         kv = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        kumo_map_set(kumo_request_meta(req), kv, meta_value(eq + 1));
    }
    kumo_yield_request(out, req);
    return KUMO_OK;
}

static const kumo_spider_def one_spider = {
    KUMO_SPIDER_HEADER,
    .name = "one",
    .callbacks = KUMO_CALLBACKS(one_parse),
    .start_requests = one_start,
};

static const char *url(const char *path)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    return kumo_testserver_url(t.srv, path, buf[i], sizeof(buf[i]));
}

/* ---- Scrapy issue 2638 ---- */

/*
 * Four 1.5 s pages on 127.0.0.1 are scheduled first, then twelve fast pages on localhost,
 * with CONCURRENT_REQUESTS=2 and one request per domain at a time.  Requests waiting for the
 * slow slot take no global capacity, so every fast page is scraped before the second slow
 * one (which cannot finish before 3 s).  Counting the waiting requests, as Scrapy 2.8 does,
 * lets the slow domain fill CONCURRENT_REQUESTS and the fast pages wait for it.
 */
Test(throttle, slow_domain_does_not_hold_others)
{
    char urls[4096] = "";
    int port = kumo_testserver_port(t.srv);
    for (int i = 0; i < 4; i++)
        snprintf(urls + strlen(urls), sizeof(urls) - strlen(urls),
                 "%shttp://127.0.0.1:%d/slow?ms=1500&i=%d", i ? "," : "", port, i);
    for (int i = 0; i < 12; i++)
        snprintf(urls + strlen(urls), sizeof(urls) - strlen(urls),
                 ",http://localhost:%d/ok?i=%d", port, i);
    double t0 = kumo_now();
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("CONCURRENT_REQUESTS", "2",
                                        "CONCURRENT_REQUESTS_PER_DOMAIN", "1",
                                        "ROBOTSTXT_OBEY", "0"),
                                    SET("urls", urls, "follow", "0")), KUMO_OK, "%s", t.err);
    double took = kumo_now() - t0;
    cr_assert_eq(t.nitems, 16);
    size_t fast_seen = 0, slow_seen = 0;
    for (size_t i = 0; i < t.nitems; i++) {
        if (strstr(t.items[i], "localhost")) {
            fast_seen++;
            cr_assert_leq(slow_seen, 1, "fast page %zu came after %zu slow ones", fast_seen,
                          slow_seen);
        } else {
            slow_seen++;
        }
    }
    cr_assert_eq(fast_seen, 12);
    cr_assert_geq(took, 5.9, "the slow slot runs one at a time: %f", took);
}

/* ---- AutoThrottle ---- */

/*
 * Five 300 ms pages on one host, start delay 1 s: the DEBUG lines show the delay falling by
 * halves toward the latency and never below it; the crawl takes at least the delays.
 */
Test(throttle, autothrottle_measured)
{
    char logpath[64], urls[2048] = "";
    snprintf(logpath, sizeof(logpath), "/tmp/kumo-throttle-%d.log", (int)getpid());
    unlink(logpath);
    for (int i = 0; i < 5; i++)
        snprintf(urls + strlen(urls), sizeof(urls) - strlen(urls), "%s/slow?ms=300&i=%d",
                 i ? "," : "", i);
    double t0 = kumo_now();
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("AUTOTHROTTLE_ENABLED", "1",
                                        "AUTOTHROTTLE_START_DELAY", "1",
                                        "AUTOTHROTTLE_DEBUG", "1",
                                        "RANDOMIZE_DOWNLOAD_DELAY", "0",
                                        "LOG_LEVEL", "INFO", "LOG_FILE", logpath),
                                    SET("urls", urls, "follow", "0")), KUMO_OK, "%s", t.err);
    double took = kumo_now() - t0;
    cr_assert_eq(t.nitems, 5);
    static char log[65536];
    FILE *f = fopen(logpath, "r");
    cr_assert_not_null(f);
    size_t n = fread(log, 1, sizeof(log) - 1, f);
    fclose(f);
    unlink(logpath);
    log[n] = '\0';
    cr_assert_not_null(strstr(log, "[kumo.extensions.throttle] INFO: AutoThrottle enabled: "
                                   "start delay 1.00 s"), "%s", log);
    int delays[8], nd = 0, prev = 1000;
    for (const char *p = log; (p = strstr(p, "| delay:")) && nd < 8; p++) {
        int d, diff, lat;
        cr_assert_eq(sscanf(p, "| delay:%d ms (%d) | latency:%d ms", &d, &diff, &lat), 3);
        cr_assert(lat >= 290, "latency %d ms", lat);
        cr_assert(d >= lat && d <= prev, "delay %d ms after %d, latency %d: %s", d, prev, lat,
                  log);
        /* both truncated to ms, as Python's %d does */
        cr_assert(abs(d - prev - diff) <= 1, "diff %d != %d - %d", diff, d, prev);
        prev = d;
        delays[nd++] = d;
    }
    cr_assert_eq(nd, 5, "%s", log);
    cr_assert_lt(delays[4], 500, "converged toward 300 ms: %d", delays[4]);
    /* four waits between five starts, each at least the latency, the first the start delay */
    cr_assert_geq(took, 1.0 + 3 * 0.3, "took %f", took);
}

/* ---- HttpAuth ---- */

Test(throttle, httpauth_spider_args)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL,
                                    SET("urls", "/auth/basic", "follow", "0",
                                        "http_user", "kumo", "http_pass", "s3cret",
                                        "http_auth_domain", "127.0.0.1")), KUMO_OK, "%s",
                 t.err);
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"status\": 200"), 1, "%s", t.items[0]);
}

Test(throttle, httpauth_settings_other_domain)
{
    /* the credentials are for another domain: not sent, the 401 is ignored */
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("HTTP_USER", "kumo", "HTTP_PASS", "s3cret",
                                        "HTTP_AUTH_DOMAIN", "example.com"),
                                    SET("urls", "/auth/basic", "follow", "0")), KUMO_OK, "%s",
                 t.err);
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/response_status_count/401", 0), 1);
    /* unset domain: the first request's */
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider,
                                    SET("HTTP_USER", "kumo", "HTTP_PASS", "s3cret"),
                                    SET("urls", "/auth/basic", "follow", "0")), KUMO_OK, "%s",
                 t.err);
    cr_assert_eq(t.nitems, 1);
}

/* ---- HttpProxy ---- */

Test(throttle, proxy_from_meta_with_credentials)
{
    char proxy[128];
    snprintf(proxy, sizeof(proxy), "proxy=http://kumo:s3cret@127.0.0.1:%d",
             kumo_testserver_port(t.srv));
    cr_assert_eq(kumo_testcrawl_run(&t, &one_spider, NULL,
                                    SET("url", "http://kumo-target.invalid/proxy/echo",
                                        "meta", proxy)), KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "proxied http://kumo-target.invalid/proxy/echo"),
                 1, "%s", t.items[0]);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "Proxy-Authorization: Basic "
                                               "a3VtbzpzM2NyZXQ="), 1, "%s", t.items[0]);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "Host: kumo-target.invalid"), 1, "%s",
                 t.items[0]);
}

Test(throttle, proxy_from_environment)
{
    char proxy[128];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", kumo_testserver_port(t.srv));
    setenv("http_proxy", proxy, 1);
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL,
                                    SET("urls", "http://kumo-target.invalid/proxy/echo",
                                        "follow", "0")), KUMO_OK, "%s", t.err);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "proxied http://kumo-target.invalid/"), 1);
    /* no_proxy: straight to the server, which then says "not proxied" (400, ignored) */
    setenv("no_proxy", "localhost,127.0.0.1", 1);
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, NULL,
                                    SET("urls", "/proxy/echo", "follow", "0")), KUMO_OK, "%s",
                 t.err);
    cr_assert_eq(t.nitems, 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/response_status_count/400", 0), 1);
    /* HTTPPROXY_ENABLED=0: the environment is ignored */
    unsetenv("no_proxy");
    cr_assert_eq(kumo_testcrawl_run(&t, &kumo_test_probe_spider, SET("HTTPPROXY_ENABLED", "0"),
                                    SET("urls", "/proxy/echo", "follow", "0")), KUMO_OK, "%s",
                 t.err);
    cr_assert_eq(kumo_testcrawl_stat(&t, "downloader/response_status_count/400", 0), 1);
}

/* ---- meta keys, end to end ---- */

static const struct {
    const char *path, *meta;
    size_t items;
    const char *hit_path;           /* the server saw this path hits times */
    unsigned hits;
    const char *item_has;           /* NULL: nothing to check */
} meta_cases[] = {
    {"/status/503", "", 0, "/status/503", 3, NULL},                  /* retried twice */
    {"/status/503", "dont_retry=1", 0, "/status/503", 1, NULL},
    {"/status/503", "dont_retry=1;handle_httpstatus_list=503,", 1, "/status/503", 1,
     "\"status\": 503"},
    {"/redirect/302?to=/ok", "", 1, "/ok", 1, "\"status\": 200"},
    {"/redirect/302?to=/ok", "dont_redirect=1", 0, "/ok", 0, NULL},  /* 302 not allowed */
    {"/redirect/302?to=/ok", "dont_redirect=1;handle_httpstatus_list=302,", 1, "/ok", 0,
     "\"status\": 302"},
    {"/redirect/302?to=/ok", "handle_httpstatus_list=302,404", 1, "/ok", 0, "\"status\": 302"},
    {"/redirect/302?to=/ok", "handle_httpstatus_all=1", 1, "/ok", 0, "\"status\": 302"},
    {"/status/404", "handle_httpstatus_all=1", 1, "/status/404", 1, "\"status\": 404"},
    {"/status/404", "handle_httpstatus_all=0", 0, "/status/404", 1, NULL},
    {"/slow?ms=3000", "download_timeout=0.4;dont_retry=1", 0, "/slow", 1, NULL},
    {"/big?size=5000", "download_maxsize=1000", 0, "/big", 1, NULL},
    {"/big?size=5000", "download_maxsize=0", 1, "/big", 1, "\"status\": 200"},
};

Test(throttle, meta_keys)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(meta_cases); i++) {
        unsigned before = kumo_testserver_hits(t.srv, meta_cases[i].hit_path);
        double t0 = kumo_now();
        cr_assert_eq(kumo_testcrawl_run(&t, &one_spider, SET("DOWNLOAD_MAXSIZE", "2000"),
                                        SET("url", url(meta_cases[i].path),
                                            "meta", meta_cases[i].meta)), KUMO_OK,
                     "%s", t.err);
        cr_assert_eq(t.nitems, meta_cases[i].items, "case %zu", i);
        cr_assert_eq(kumo_testserver_hits(t.srv, meta_cases[i].hit_path) - before,
                     meta_cases[i].hits, "case %zu", i);
        if (meta_cases[i].item_has)
            cr_assert_eq(kumo_testcrawl_items_with(&t, meta_cases[i].item_has), 1,
                         "case %zu: %s", i, t.items[0]);
        if (strstr(meta_cases[i].meta, "download_timeout"))
            cr_assert_lt(kumo_now() - t0, 2.5, "case %zu: the timeout did not work", i);
    }
}
