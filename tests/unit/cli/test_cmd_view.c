/* test_cmd_view.c - `kumo view`: its command line (pages saved with their <base> tag are in
 * tests/integration/test_cli_spidertools.c). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"

TestSuite(cmd_view, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cmd_view, command_line_errors)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "view"), 2);
    cr_assert_str_eq(r.err, "kumo: view needs a URL (see 'kumo view -h')\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "view a b"), 2);
    cr_assert_str_eq(r.err, "kumo: view takes one URL (see 'kumo view -h')\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "view -h"), 0);
    cr_assert(strstr(r.out, "usage: kumo view URL"), "%s", r.out);
}
