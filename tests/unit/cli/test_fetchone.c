/* test_fetchone.c - one request at a time through the real downloader and middlewares, in
 * the test process against the test server: responses, redirects, failures, url helpers. */
#include <criterion/criterion.h>
#include "kumo-int.h"
/* The cli objects are not in the test binary: compile the fetcher here. */
#include "cli/fetchone.c"
#include "lib/server.h"
#include "lib/leakcheck.h"

static kumo_testserver *srv;
static kumo_fetcher *f;

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    srv = kumo_testserver_start();
    cr_assert_not_null(srv);
    char err[256];
    kumo_settings *s = kumo__settings_new();
    kumo__settings_set(s, "LOG_LEVEL", "CRITICAL", KUMO_PRIO_CMDLINE, err, sizeof(err));
    f = kumo_fetcher_new(s, err, sizeof(err));
    cr_assert_not_null(f, "%s", err);
}

static void teardown(void)
{
    kumo_fetcher_free(f);
    kumo_testserver_stop(srv);
    kumo_leakcheck_end();
}

TestSuite(fetchone, .init = setup, .fini = teardown, .timeout = 60);

/* Fetch a test server path; returns the code, *res a new reference on KUMO_OK. */
static int fetch_path(const char *path, bool redirect, kumo_response **res)
{
    char url[256];
    kumo_testserver_url(srv, path, url, sizeof(url));
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(req);
    return kumo_fetcher_fetch(f, req, redirect, res);
}

Test(fetchone, fetches_one_response_after_another)
{
    kumo_response *res = NULL;
    cr_assert_eq(fetch_path("/ok", true, &res), KUMO_OK, "%s", kumo_fetcher_error(f, NULL));
    cr_assert_eq(res->status, 200);
    cr_assert_gt(res->body_len, 0);
    kumo_response_unref(res);
    /* HTTPERROR_ALLOW_ALL: a 404 is a response too */
    cr_assert_eq(fetch_path("/status/404", true, &res), KUMO_OK, "%s", kumo_fetcher_error(f, NULL));
    cr_assert_eq(res->status, 404);
    kumo_response_unref(res);
    cr_assert_eq(kumo_testserver_hits(srv, "/ok"), 1);
}

Test(fetchone, redirects_followed_only_when_asked)
{
    kumo_response *res = NULL;
    cr_assert_eq(fetch_path("/redirect/302?to=/ok", true, &res), KUMO_OK, "%s",
                 kumo_fetcher_error(f, NULL));
    cr_assert_eq(res->status, 200);
    cr_assert_not_null(strstr(res->url, "/ok"), "%s", res->url);
    kumo_response_unref(res);
    cr_assert_eq(fetch_path("/redirect/302?to=/ok", false, &res), KUMO_OK, "%s",
                 kumo_fetcher_error(f, NULL));
    cr_assert_eq(res->status, 302);
    kumo_response_unref(res);
}

Test(fetchone, a_refused_connection_is_an_error_with_its_name)
{
    /* the server's port, closed: nothing listens there any more */
    int port = kumo_testserver_port(srv);
    kumo_testserver_stop(srv);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", port);
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    kumo_response *res = (kumo_response *)&err;
    int rc = kumo_fetcher_fetch(f, req, true, &res);
    srv = kumo_testserver_start();
    cr_assert_neq(rc, KUMO_OK);
    cr_assert_null(res);
    const char *type = NULL;
    const char *msg = kumo_fetcher_error(f, &type);
    cr_assert_not_null(msg);
    cr_assert_not_null(type);
    cr_assert_not_null(strstr(type, "ConnectionRefused"), "%s: %s", type, msg);
}

Test(fetchone, closed_fetcher_refuses_with_eio)
{
    kumo_response *res;
    cr_assert_eq(fetch_path("/ok", true, &res), KUMO_OK, "%s", kumo_fetcher_error(f, NULL));
    kumo_response_unref(res);
    kumo_fetcher_close(f);
    cr_assert_eq(fetch_path("/ok", true, &res), KUMO_EIO);
    cr_assert_null(res);
}

Test(fetchone, urls_without_a_scheme_get_http)
{
    cr_assert(kumo_fetcher_has_scheme("https://x/"));
    cr_assert(kumo_fetcher_has_scheme("file:///etc/hosts"));
    cr_assert_not(kumo_fetcher_has_scheme("example.com/a"));
    cr_assert_not(kumo_fetcher_has_scheme("//host/x"));
    static const char *const cases[][2] = {
        {"example.com/a", "http://example.com/a"},
        {"//host/x", "http://host/x"},
        {"https://x/", "https://x/"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        kumo_fetcher_url(cases[i][0], &b);
        cr_expect_str_eq(kumo__buf_str(&b), cases[i][1], "%s", cases[i][0]);
        kumo__buf_release(&b);
    }
}
