/* test_downloader.c - the downloader against the test server: slots by domain, IP and meta,
 * global capacity, delays, meta timeout and size limits, proxies, hooks, Basic auth. */
#include "unit/middleware/mwtest.h"
#include "core/downloader_config.h"
#include "core/signals.h"
#include "lib/server.h"

#include <event2/event.h>

static kumo_testserver *srv;
static kumo_crawler *c;

/* What the done callback saw, in completion order. */
#define MAXDONE 32
static struct done {
    char url[256];
    int status, err;
    double at;                  /* kumo_now() at completion */
    char body[1024];
    double latency;
    char slot[64];
    size_t len;                 /* body bytes */
    char why[512];
} done[MAXDONE];
static size_t ndone, want;

static void on_done(void *ctx, kumo_request *req, kumo_response *res, int err, const char *why)
{
    struct done *d = &done[ndone < MAXDONE ? ndone++ : MAXDONE - 1];
    snprintf(d->url, sizeof(d->url), "%s", req->url);
    snprintf(d->why, sizeof(d->why), "%s", why ? why : "");
    d->len = res ? res->body_len : 0;
    d->err = err;
    d->at = kumo_now();
    d->latency = -1;
    const kumo_value *v = kumo_map_get(&req->meta, "download_latency");
    if (v && v->type == KUMO_VAL_FLOAT)
        d->latency = v->u.f;
    snprintf(d->slot, sizeof(d->slot), "%s", kumo_map_get_str(&req->meta, "download_slot", ""));
    if (res) {
        d->status = res->status;
        snprintf(d->body, sizeof(d->body), "%.*s", (int)KUMO_MIN(res->body_len, 1000),
                 res->body);
        kumo_response_unref(res);
    }
    if (ndone >= want)
        event_base_loopbreak(kumo__crawler_base(c));
}

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    srv = kumo_testserver_start();
    cr_assert_not_null(srv);
    ndone = want = 0;
}

static void teardown(void)
{
    kumo_testserver_stop(srv);
    kumo__global_cleanup();
    kumo_leakcheck_end();
}

TestSuite(downloader, .init = setup, .fini = teardown, .timeout = 60);

static kumo_downloader *dl_new(const char *const *kv)
{
    c = mwt_crawler(kv);
    kumo__crawler_set_base(c, event_base_new());
    kumo_downloader_config cfg;
    char err[256];
    cr_assert_eq(kumo__downloader_config(c, &cfg, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo_downloader *dl = kumo__downloader_new(&cfg, on_done, NULL);
    kumo__downloader_config_release(&cfg);
    return dl;
}

static void dl_free(kumo_downloader *dl)
{
    kumo__downloader_free(dl);
    struct event_base *base = kumo__crawler_base(c);
    mwt_crawler_free(c);
    event_base_free(base);
}

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
    event_base_loopbreak(arg);
}

/* Run the loop until n more downloads are done (or 20 s pass). */
static void run_until(size_t n)
{
    want = ndone + n;
    struct event *guard = evtimer_new(kumo__crawler_base(c), on_guard, kumo__crawler_base(c));
    struct timeval tv = {20, 0};
    evtimer_add(guard, &tv);
    if (ndone < want)
        event_base_dispatch(kumo__crawler_base(c));
    event_free(guard);
    cr_assert_geq(ndone, want, "only %zu of %zu downloads done", ndone, want);
}

/* Fetch url (a server path on host, or absolute) with meta (NAME, value-as-text pairs:
 * numbers become floats when they have a '.', ints otherwise). */
static void fetch(kumo_downloader *dl, const char *host, const char *path,
                  const char *const *meta)
{
    char url[512];
    if (strncmp(path, "http", 4) == 0)
        snprintf(url, sizeof(url), "%s", path);
    else
        snprintf(url, sizeof(url), "http://%s:%d%s", host, kumo_testserver_port(srv), path);
    kumo_request *req = mwt_req(url);
    for (size_t i = 0; meta && meta[i]; i += 2) {
        const char *v = meta[i + 1];
        char *end;
        double d = strtod(v, &end);
        if (*v && !*end)
            kumo_map_set(&req->meta, meta[i], strchr(v, '.') ? kumo_val_float(d)
                                                             : kumo_val_int((int64_t)d));
        else
            kumo_map_set(&req->meta, meta[i], kumo_val_str(v));
    }
    char key[256];
    kumo__downloader_slot_key(dl, req, key, sizeof(key));   /* what fetch will choose */
    kumo__downloader_fetch(dl, req);
    const kumo_value *v = kumo_map_get(&req->meta, "download_slot");
    char slot[256];
    if (v && v->type == KUMO_VAL_INT)
        snprintf(slot, sizeof(slot), "%lld", (long long)v->u.i);
    else
        snprintf(slot, sizeof(slot), "%s", v && v->type == KUMO_VAL_STR ? v->u.str.s : "");
    cr_assert_str_eq(key, slot, "kumo__downloader_slot_key() names the slot fetch() took");
    kumo_request_unref(req);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define IP "127.0.0.1"

Test(downloader, slot_and_latency_meta)
{
    kumo_downloader *dl = dl_new(NULL);
    fetch(dl, IP, "/slow?ms=200", NULL);
    cr_assert_eq(kumo__downloader_slots(dl), 1);
    cr_assert_eq(kumo__downloader_slot_transferring(dl, IP), 1);
    run_until(1);
    cr_assert_eq(done[0].status, 200);
    cr_assert_str_eq(done[0].slot, IP);
    cr_assert(done[0].latency >= 0.18 && done[0].latency < 10, "latency %f", done[0].latency);
    cr_assert_eq(kumo__downloader_slots(dl), 0, "an idle slot without delay is forgotten");
    dl_free(dl);
}

/* Table: how requests map to slots. */
static const struct {
    const char *settings[5];
    const char *host;
    const char *meta[3];
    const char *slot;
} slot_cases[] = {
    {{NULL}, "localhost", {NULL}, "localhost"},
    {{NULL}, IP, {NULL}, IP},
    {{"CONCURRENT_REQUESTS_PER_IP", "1", NULL}, "localhost", {NULL}, IP},
    {{"CONCURRENT_REQUESTS_PER_IP", "1", NULL}, IP, {NULL}, IP},
    {{NULL}, IP, {"download_slot", "mine"}, "mine"},
    {{"CONCURRENT_REQUESTS_PER_IP", "1", NULL}, "localhost", {"download_slot", "x"}, "x"},
    {{NULL}, IP, {"download_slot", "7"}, "7"},
};

Test(downloader, slot_keys)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(slot_cases); i++) {
        kumo_downloader *dl = dl_new(slot_cases[i].settings);
        fetch(dl, slot_cases[i].host, "/slow?ms=100", slot_cases[i].meta[0] ?
              slot_cases[i].meta : NULL);
        cr_assert_eq(kumo__downloader_slot_transferring(dl, slot_cases[i].slot), 1, "case %zu",
                     i);
        run_until(1);
        cr_assert_str_eq(done[ndone - 1].slot, slot_cases[i].slot, "case %zu", i);
        cr_assert_eq(done[ndone - 1].status, 200, "case %zu", i);
        dl_free(dl);
    }
}

/* Per IP: localhost and 127.0.0.1 share one slot and its limit. */
Test(downloader, per_ip_limit_shared)
{
    kumo_downloader *dl = dl_new(L("CONCURRENT_REQUESTS_PER_IP", "1"));
    fetch(dl, "localhost", "/slow?ms=300", NULL);
    fetch(dl, IP, "/slow?ms=300", NULL);
    cr_assert_eq(kumo__downloader_slots(dl), 1);
    cr_assert_eq(kumo__downloader_transferring(dl), 1);
    cr_assert_eq(kumo__downloader_active(dl), 2);
    run_until(2);
    cr_assert_geq(done[1].at - done[0].at, 0.25, "the second waited for the first");
    dl_free(dl);
}

/* Scrapy issue 2638: requests waiting in a full slot take no global capacity. */
Test(downloader, waiting_requests_do_not_back_out)
{
    kumo_downloader *dl = dl_new(L("CONCURRENT_REQUESTS", "2",
                                   "CONCURRENT_REQUESTS_PER_DOMAIN", "1"));
    fetch(dl, IP, "/slow?ms=800", NULL);
    fetch(dl, IP, "/slow?ms=800", NULL);
    fetch(dl, IP, "/slow?ms=800", NULL);
    cr_assert_eq(kumo__downloader_transferring(dl), 1);
    cr_assert_eq(kumo__downloader_active(dl), 3);
    cr_assert_not(kumo__downloader_needs_backout(dl), "queued requests took capacity");
    fetch(dl, "localhost", "/ok", NULL);
    cr_assert_eq(kumo__downloader_transferring(dl), 2);
    cr_assert(kumo__downloader_needs_backout(dl), "two transfers: full");
    run_until(1);
    cr_assert(strstr(done[0].url, "localhost"), "the fast one first: %s", done[0].url);
    run_until(3);
    dl_free(dl);
}

/* The backlog of waiting requests is bounded: 4 * CONCURRENT_REQUESTS. */
Test(downloader, backlog_bound)
{
    kumo_downloader *dl = dl_new(L("CONCURRENT_REQUESTS", "1"));
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(kumo__downloader_needs_backout(dl), i >= 1, "after %d", i);
        fetch(dl, IP, "/slow?ms=50", NULL);
    }
    cr_assert_eq(kumo__downloader_transferring(dl), 1);
    run_until(5);
    dl_free(dl);
}

/* CONCURRENT_REQUESTS caps transfers even when slots would allow more. */
Test(downloader, global_cap)
{
    kumo_downloader *dl = dl_new(L("CONCURRENT_REQUESTS", "2"));
    for (int i = 0; i < 4; i++)
        fetch(dl, IP, "/slow?ms=300", NULL);
    cr_assert_eq(kumo__downloader_transferring(dl), 2);
    cr_assert_eq(kumo__downloader_active(dl), 4);
    run_until(4);
    cr_assert_geq(done[2].at - done[0].at, 0.2);
    cr_assert_eq(kumo__downloader_slots(dl), 0);
    dl_free(dl);
}

/* DOWNLOAD_DELAY: one request per delay in a slot, even with concurrency left; the slot
 * stays while its delay matters; its delay can be read and changed. */
Test(downloader, delay)
{
    kumo_downloader *dl = dl_new(L("DOWNLOAD_DELAY", "0.3", "RANDOMIZE_DOWNLOAD_DELAY", "0"));
    double t0 = kumo_now();
    for (int i = 0; i < 3; i++)
        fetch(dl, IP, "/ok", NULL);
    cr_assert_eq(kumo__downloader_transferring(dl), 1);
    cr_assert_float_eq(kumo__downloader_slot_delay(dl, IP), 0.3, 1e-9);
    cr_assert_eq(kumo__downloader_slot_delay(dl, "nope"), -1);
    run_until(3);
    cr_assert_geq(done[1].at - t0, 0.29);
    cr_assert_geq(done[2].at - t0, 0.59);
    cr_assert_eq(kumo__downloader_slots(dl), 1);
    cr_assert_eq(kumo__downloader_set_slot_delay(dl, IP, 0.05), KUMO_OK);
    cr_assert_eq(kumo__downloader_set_slot_delay(dl, "nope", 1), KUMO_ENOENT);
    cr_assert_float_eq(kumo__downloader_slot_delay(dl, IP), 0.05, 1e-9);
    dl_free(dl);
}

/* AUTOTHROTTLE_ENABLED: new slots start at max(DOWNLOAD_DELAY, AUTOTHROTTLE_START_DELAY). */
Test(downloader, autothrottle_start_delay)
{
    kumo_downloader *dl = dl_new(L("AUTOTHROTTLE_ENABLED", "1", "AUTOTHROTTLE_START_DELAY",
                                   "0.25", "DOWNLOAD_DELAY", "0.1"));
    fetch(dl, IP, "/ok", NULL);
    cr_assert_float_eq(kumo__downloader_slot_delay(dl, IP), 0.25, 1e-9);
    run_until(1);
    dl_free(dl);
}

/* meta download_timeout per request. */
Test(downloader, meta_timeout)
{
    kumo_downloader *dl = dl_new(NULL);
    double t0 = kumo_now();
    fetch(dl, IP, "/slow?ms=5000", L("download_timeout", "0.3"));
    fetch(dl, "localhost", "/slow?ms=100", L("download_timeout", "5"));
    run_until(2);
    cr_assert_eq(done[0].status, 200);
    cr_assert_eq(done[1].err, KUMO_ETIMEDOUT);
    cr_assert_lt(done[1].at - t0, 3.0);
    dl_free(dl);
}

/* DOWNLOAD_WARNSIZE / meta download_warnsize: Scrapy's two WARNING lines, once each. */
Test(downloader, warnsize)
{
    kumo_downloader *dl = dl_new(L("DOWNLOAD_WARNSIZE", "100000"));
    mwt_log_begin();
    fetch(dl, IP, "/big?size=300000", NULL);
    fetch(dl, "localhost", "/big?size=50", L("download_warnsize", "10"));
    fetch(dl, IP, "/big?size=5000", NULL);
    run_until(3);
    char url[256], want_line[512];
    snprintf(url, sizeof(url), "http://%s:%d/big?size=300000", IP, kumo_testserver_port(srv));
    snprintf(want_line, sizeof(want_line), "Expected response size (300000) larger than "
             "download warn size (100000) in request <GET %s>.", url);
    mwt_assert_logged("kumo.core.downloader.handlers.http11", "WARNING", want_line);
    snprintf(want_line, sizeof(want_line), "Received more bytes than download warn size "
             "(100000) in request <GET %s>.", url);
    mwt_assert_logged("kumo.core.downloader.handlers.http11", "WARNING", want_line);
    const char *log = mwt_log(), *first = strstr(log, want_line);
    cr_assert_null(strstr(first + 1, want_line), "logged twice");
    snprintf(want_line, sizeof(want_line), "Received more bytes than download warn size (10) "
             "in request <GET http://localhost:%d/big?size=50>.", kumo_testserver_port(srv));
    mwt_assert_logged("kumo.core.downloader.handlers.http11", "WARNING", want_line);
    cr_assert_null(strstr(mwt_log(), "size=5000>"), "no warning under the limit");
    for (int i = 0; i < 3; i++)
        cr_assert_eq(done[i].status, 200);
    mwt_log_end();
    dl_free(dl);
}

/* meta download_maxsize: the expected size is refused before the body; 0 means no limit. */
Test(downloader, maxsize)
{
    kumo_downloader *dl = dl_new(L("DOWNLOAD_MAXSIZE", "1000"));
    mwt_log_begin();
    fetch(dl, IP, "/big?size=200", L("download_maxsize", "100"));
    run_until(1);
    cr_assert_eq(done[0].err, KUMO_ETOOBIG);
    char want_line[512];
    snprintf(want_line, sizeof(want_line), "Cancelling download of http://%s:%d/big?size=200: "
             "expected response size (200) larger than download max size (100).", IP,
             kumo_testserver_port(srv));
    mwt_assert_logged("kumo.core.downloader.handlers.http11", "WARNING", want_line);
    fetch(dl, IP, "/big?size=2000", L("download_maxsize", "0"));
    fetch(dl, IP, "/big?size=2000", NULL);
    run_until(2);
    cr_assert_eq(done[1].status + done[2].status, 200, "one passes, one is too big");
    cr_assert_eq(done[1].err + done[2].err, KUMO_ETOOBIG);
    mwt_log_end();
    dl_free(dl);
}

/* meta proxy: the request goes to the proxy with an absolute URI; Proxy-Authorization goes
 * to the proxy only. */
Test(downloader, meta_proxy)
{
    kumo_downloader *dl = dl_new(NULL);
    char proxy[128];
    snprintf(proxy, sizeof(proxy), "http://%s:%d", IP, kumo_testserver_port(srv));
    kumo_request *req = mwt_req("http://kumo-target.invalid/proxy/echo?a=1");
    kumo_map_set(&req->meta, "proxy", kumo_val_str(proxy));
    kumo_headers_set(kumo_request_headers(req), "Proxy-Authorization", "Basic dTpw");
    kumo_headers_set(kumo_request_headers(req), "X-Test", "yes");
    kumo__downloader_fetch(dl, req);
    kumo_request_unref(req);
    run_until(1);
    cr_assert_eq(done[0].status, 200, "%d %s", done[0].err, done[0].body);
    cr_assert(strstr(done[0].body, "proxied http://kumo-target.invalid/proxy/echo?a=1\n"),
              "%s", done[0].body);
    cr_assert(strstr(done[0].body, "Proxy-Authorization: Basic dTpw\n"), "%s", done[0].body);
    cr_assert(strstr(done[0].body, "X-Test: yes\n"), "%s", done[0].body);
    cr_assert_str_eq(done[0].slot, "kumo-target.invalid");
    dl_free(dl);
}

/* Without meta proxy libcurl ignores http_proxy: the middleware alone decides. */
Test(downloader, env_proxy_ignored_by_curl)
{
    setenv("http_proxy", "http://127.0.0.1:1", 1);
    kumo_downloader *dl = dl_new(NULL);
    fetch(dl, IP, "/proxy/echo", NULL);
    run_until(1);
    cr_assert_eq(done[0].status, 400, "went direct: %d %s", done[0].err, done[0].body);
    dl_free(dl);
    unsetenv("http_proxy");
}

/* response_downloaded comes with every response, its latency and slot set, while it still
 * counts in the slot. */
static kumo_downloader *signal_dl;
static int signal_calls;
static size_t signal_conc;
static void on_downloaded(void *ctx, kumo_crawler *crawler, void *arg)
{
    kumo_request *req = ((kumo_response *)arg)->request;
    signal_calls++;
    signal_conc = kumo__downloader_slot_transferring(signal_dl,
                                                    kumo_map_get_str(&req->meta,
                                                                     "download_slot", ""));
    cr_assert_not_null(kumo_map_get(&req->meta, "download_latency"));
    cr_assert_eq(ctx, &signal_calls);
    cr_assert_eq(crawler, c);
}

Test(downloader, response_downloaded_signal)
{
    signal_dl = dl_new(NULL);
    kumo__signal_connect(kumo__crawler_signals(c), KUMO_SIG_RESPONSE_DOWNLOADED, on_downloaded,
                        &signal_calls);
    fetch(signal_dl, IP, "/ok", NULL);
    fetch(signal_dl, IP, "/status/404", NULL);
    run_until(2);
    cr_assert_eq(signal_calls, 2);
    cr_assert_eq(signal_conc, 1);
    dl_free(signal_dl);
}

/* w3lib's basic_auth_header: ISO-8859-1 by default. */
Test(downloader, basic_auth)
{
    static const struct {
        const char *user, *pass;
        bool latin1;
        const char *want;
    } cases[] = {
        {"u", "p", true, "Basic dTpw"},
        {"us\xc3\xa9", "p\xc3\xa4", true, "Basic dXPpOnDk"},
        {"us\xc3\xa9", "p\xc3\xa4", false, "Basic dXPDqTpww6Q="},
        {"\xe2\x82\xac", "", true, "Basic 4oKsOg=="},      /* not latin-1: UTF-8 bytes */
        {"", "", true, "Basic Og=="},
        {"kumo", "s3cret", true, "Basic a3VtbzpzM2NyZXQ="},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char *h = kumo__basic_auth(cases[i].user, cases[i].pass, cases[i].latin1);
        cr_assert_str_eq(h, cases[i].want, "case %zu", i);
        kumo_free(h);
    }
}

/* Fetch path with Accept-Encoding (the HttpCompression middleware's header). */
static void fetch_encoded(kumo_downloader *dl, const char *path, const char *const *meta)
{
    char url[512];
    snprintf(url, sizeof(url), "http://%s:%d%s", IP, kumo_testserver_port(srv), path);
    kumo_request *req = mwt_req(url);
    kumo_headers_add(kumo_request_headers(req), "Accept-Encoding", "gzip, deflate, br");
    for (size_t i = 0; meta && meta[i]; i += 2)
        kumo_map_set(&req->meta, meta[i], kumo_val_int(atoll(meta[i + 1])));
    kumo__downloader_fetch(dl, req);
    kumo_request_unref(req);
}

/*
 * A gzip or deflate bomb is inflated a bounded number of bytes per loop callback: 50 MB
 * out of 50 KB take many loop turns (libcurl inflated them in the callback that read
 * them), and the body is whole.
 */
Test(downloader, bomb_inflates_by_turns)
{
    kumo_downloader *dl = dl_new(NULL);
    fetch_encoded(dl, "/hostile/bomb?coding=gzip&size=50000000", NULL);
    run_until(1);
    cr_assert_eq(done[0].status, 200, "%d %s", done[0].err, done[0].why);
    cr_assert_eq(done[0].len, 50000000);
    size_t turns = kumo__downloader_decode_turns(dl);
    cr_assert_geq(turns, 10, "decoded in %zu turns", turns);
    fetch_encoded(dl, "/hostile/bomb?coding=deflate&size=20000000", NULL);
    run_until(1);
    cr_assert_eq(done[1].status, 200, "%d %s", done[1].err, done[1].why);
    cr_assert_eq(done[1].len, 20000000);
    turns = kumo__downloader_decode_turns(dl) - turns;
    cr_assert_geq(turns, 4, "decoded in %zu turns", turns);
    dl_free(dl);
}

/* DOWNLOAD_MAXSIZE counts decoded bytes, also when they come out on a later turn. */
Test(downloader, bomb_stops_at_maxsize)
{
    kumo_downloader *dl = dl_new(L("DOWNLOAD_MAXSIZE", "3000000"));
    mwt_log_begin();
    fetch_encoded(dl, "/hostile/bomb?coding=gzip&size=50000000", NULL);
    run_until(1);
    cr_assert_eq(done[0].err, KUMO_ETOOBIG);
    cr_assert(strstr(done[0].why, "decompressed response size larger than download max size "
                                  "(3000000)."), "%s", done[0].why);
    cr_assert(strstr(mwt_log(), "decompressed bytes, more than download max size (3000000)"),
              "%s", mwt_log());
    mwt_log_end();
    dl_free(dl);
}

/* Raw deflate is accepted as deflate; a br body that is not brotli fails with its reason and
 * is not a protocol error (so not retried). */
Test(downloader, deflate_raw_and_bad_br)
{
    kumo_downloader *dl = dl_new(NULL);
    fetch_encoded(dl, "/hostile/rawdeflate", NULL);
    run_until(1);
    cr_assert_eq(done[0].status, 200, "%d %s", done[0].err, done[0].why);
    cr_assert(strstr(done[0].body, "<title>raw deflate</title>"), "%s", done[0].body);
    fetch_encoded(dl, "/hostile/badbr", NULL);
    run_until(1);
    cr_assert_eq(done[1].err, KUMO_EDECODE, "%d", done[1].err);
    cr_assert(strstr(done[1].why, "/hostile/badbr: the br body does not decode ("), "%s",
              done[1].why);
    dl_free(dl);
}

/* The 256 KiB header cap: too many headers, too many cookies, one huge header; each says
 * which cap it hit and is ETOOBIG (not retried). */
Test(downloader, header_cap)
{
    kumo_downloader *dl = dl_new(NULL);
    fetch(dl, IP, "/hostile/headers?n=100000", NULL);
    fetch(dl, IP, "/hostile/cookies?n=10000", NULL);
    fetch(dl, IP, "/hostile/bigheader?kb=1024", NULL);
    fetch(dl, IP, "/hostile/headers?n=100", NULL);
    run_until(4);
    size_t capped = 0, fine = 0;
    for (size_t i = 0; i < 4; i++) {
        if (done[i].err == KUMO_ETOOBIG) {
            capped++;
            const char *cap = strstr(done[i].url, "bigheader") ? "header cap (102400 bytes"
                                                                : "header cap (262144 bytes";
            cr_assert(strstr(done[i].why, cap), "%s: %s", done[i].url, done[i].why);
        } else {
            fine++;
            size_t ul = strlen(done[i].url);
            cr_assert(strcmp(done[i].url + ul - 6, "?n=100") == 0, "%s: %d %s", done[i].url,
                      done[i].err,
                      done[i].why);
            cr_assert_eq(done[i].status, 200);
        }
    }
    cr_assert_eq(capped, 3);
    cr_assert_eq(fine, 1);
    dl_free(dl);
}

/* A method that is not a token never reaches the wire, however it was set. */
Test(downloader, method_not_a_token_is_refused)
{
    kumo_downloader *dl = dl_new(NULL);
    char url[256];
    snprintf(url, sizeof(url), "http://%s:%d/forms/echo", IP, kumo_testserver_port(srv));
    kumo_request *req = mwt_req(url);
    req->method = kumo_strdup("GET /x HTTP/1.1\r\nX-Evil: 1\r\n", KUMO_T_STR, KUMO_V_DICT);
    req->method_owned = true;   /* "GET" was a static string */
    kumo__downloader_fetch(dl, req);
    kumo_request_unref(req);
    cr_assert_eq(ndone, 1);
    cr_assert_eq(done[0].err, KUMO_EINVAL);
    cr_assert(strstr(done[0].why, "the method 'GET /x HTTP/1.1\\x0D\\x0AX-Evil: 1\\x0D\\x0A' is "
                                  "not an RFC 9110 token"), "%s", done[0].why);
    cr_assert_eq(kumo__downloader_active(dl), 0);
    cr_assert_eq(kumo_testserver_hits(srv, "/forms/echo"), 0);
    dl_free(dl);
}

static void walked(void *ctx, const char *slot, bool in_flight, size_t index,
                   kumo_request *req)
{
    kumo_buf *b = ctx;
    const char *path = strstr(kumo_request_url(req), "/slow");
    kumo__buf_printf(b, "%s %s %zu %s\n", slot, in_flight ? "active" : "queue", index,
                     path ? path : kumo_request_url(req));
}

/* holders() and paths() see each request the downloader holds, in flight or queued. */
Test(downloader, walk_reports_transfers_and_queued_requests)
{
    kumo_downloader *dl = dl_new(L("CONCURRENT_REQUESTS", "1"));
    fetch(dl, IP, "/slow?ms=50", NULL);
    fetch(dl, IP, "/slow?ms=60", NULL);
    fetch(dl, IP, "/slow?ms=70", NULL);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__downloader_walk(dl, walked, &b);
    cr_assert_str_eq(kumo__buf_str(&b), IP " active 0 /slow?ms=50\n" IP " queue 0 /slow?ms=60\n"
                     IP " queue 1 /slow?ms=70\n");
    kumo__buf_release(&b);
    run_until(3);
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__downloader_walk(dl, walked, &b);
    cr_assert_str_eq(kumo__buf_str(&b), "", "nothing held once done");
    kumo__buf_release(&b);
    dl_free(dl);
}
