/* test_cmd_parse.c - `kumo parse`: its command line (the crawls are in
 * tests/integration/test_cli_spidertools.c). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"

TestSuite(cmd_parse, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cmd_parse, command_line_errors)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "parse"), 2);
    cr_assert_str_eq(r.err, "kumo: parse needs a URL (see 'kumo parse -h')\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "parse -d x http://a/"), 2);
    cr_assert_str_eq(r.err, "kumo: --depth must be a number from 1 to 64, not 'x' (see "
                            "'kumo parse -h')\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "parse --meta '{' http://a/"), 2);
    cr_assert(strncmp(r.err, "kumo: --meta is not JSON: ", 26) == 0, "%s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "parse --spider no_such_spider http://a/"), 1);
    cr_assert(strstr(r.err, "no_such_spider"), "%s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "parse -h"), 0);
    cr_assert(strstr(r.out, "usage: kumo parse URL"), "%s", r.out);
}
