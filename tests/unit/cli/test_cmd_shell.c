/* test_cmd_shell.c - `kumo shell`: -c evaluates one expression over a fetched response or a
 * local file; a script from stdin; errors exit 1 with one line. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/suite.h"
#include <unistd.h>

static kumo_clirun r;

TestSuite(cmd_shell, KUMO_SERVER_SUITE, .timeout = 60);

Test(cmd_shell, c_evaluates_over_the_fetched_response)
{
    char url[256], args[512];
    kumo_testserver_url(kumo_test_srv, "/status/404", url, sizeof(url));
    snprintf(args, sizeof(args), "shell '%s' -c 'response.status'", url);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert_str_eq(r.out, "404\n");
}

Test(cmd_shell, a_local_file_is_a_response)
{
    char path[] = "/tmp/kumo-shell-XXXXXX.html";
    int fd = mkstemps(path, 5);
    cr_assert_geq(fd, 0);
    static const char page[] = "<html><head><title>local page</title></head></html>";
    cr_assert_eq(write(fd, page, sizeof(page) - 1), (ssize_t)sizeof(page) - 1);
    close(fd);
    char args[512];
    snprintf(args, sizeof(args), "shell %s -c \"response.css('title::text').get()\"", path);
    int code = kumo_clirun_run(&r, NULL, NULL, args);
    unlink(path);
    cr_assert_eq(code, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "'local page'\n");
}

Test(cmd_shell, errors_exit_1_with_one_line)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "shell /nonexistent/file -c 1"), 1);
    cr_assert_str_eq(r.err, "kumo: cannot open '/nonexistent/file': No such file or "
                            "directory\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "shell -c 'nosuchname'"), 1);
    cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
    cr_assert_not_null(strstr(r.err, "nosuchname"), "%s", r.err);
}

Test(cmd_shell, a_script_on_stdin)
{
    char url[256], args[512], script[] = "/tmp/kumo-shell-XXXXXX";
    int fd = mkstemp(script);
    cr_assert_geq(fd, 0);
    static const char text[] = "x = 40 + 2\nx\nresponse.status\n";
    cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
    close(fd);
    kumo_testserver_url(kumo_test_srv, "/ok", url, sizeof(url));
    snprintf(args, sizeof(args), "shell '%s' --nolog <%s", url, script);
    int code = kumo_clirun_run(&r, NULL, NULL, args);
    unlink(script);
    cr_assert_eq(code, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "42\n200\n"), "%s", r.out);
}
