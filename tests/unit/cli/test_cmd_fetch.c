/* test_cmd_fetch.c - `kumo fetch URL`: the body, or the headers both ways, redirects
 * followed unless --no-redirect, errors as exit codes. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/suite.h"

static kumo_clirun r;

TestSuite(cmd_fetch, KUMO_SERVER_SUITE, .timeout = 60);

static int fetch(const char *path, const char *extra)
{
    char url[256], args[1024];
    kumo_testserver_url(kumo_test_srv, path, url, sizeof(url));
    snprintf(args, sizeof(args), "fetch '%s' %s", url, extra);
    return kumo_clirun_run(&r, NULL, NULL, args);
}

Test(cmd_fetch, prints_the_body_then_a_newline)
{
    cr_assert_eq(fetch("/ok", ""), 0, "%s", r.err);
    size_t n = strlen(r.out);
    cr_assert_not_null(strstr(r.out, "<html"), "%s", r.out);
    cr_assert_eq(r.out[n - 1], '\n');
    cr_assert_str_eq(r.err, "");
}

Test(cmd_fetch, headers_of_request_and_response)
{
    cr_assert_eq(fetch("/text", "--headers -s USER_AGENT=fetch-unit/1"), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "> User-Agent: fetch-unit/1\n"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\n>\n"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "< Content-Type: "), "%s", r.out);
    cr_assert_lt(strstr(r.out, "> User-Agent"), strstr(r.out, "< Content-Type"));
}

Test(cmd_fetch, no_redirect_prints_the_3xx)
{
    cr_assert_eq(fetch("/redirect/302?to=/ok", "--no-redirect --headers"), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "< Location: /ok\n"), "%s", r.out);
    cr_assert_eq(fetch("/redirect/302?to=/ok", "--headers"), 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "< Location:"), "%s", r.out);
}

Test(cmd_fetch, missing_url_and_no_response)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "fetch"), 2);
    cr_assert_str_eq(r.err, "kumo: fetch needs a URL (see 'kumo fetch -h')\n");
    int port = kumo_testserver_port(kumo_test_srv);
    kumo_testserver_stop(kumo_test_srv);
    char args[128];
    snprintf(args, sizeof(args), "fetch http://127.0.0.1:%d/ok", port);
    int code = kumo_clirun_run(&r, NULL, NULL, args);
    kumo_test_srv = kumo_testserver_start();
    cr_assert_eq(code, 1, "%s", r.err);
    char want[128];
    snprintf(want, sizeof(want), "\nkumo: cannot fetch 'http://127.0.0.1:%d/ok': no response\n",
             port);
    cr_assert_not_null(strstr(r.err, want), "the last line, after the log's: %s", r.err);
    cr_assert_str_eq(r.out, "");
}
