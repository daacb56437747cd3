/* test_cmd_check.c - `kumo check`: its command line and a spider without contracts (the
 * contracts themselves run in tests/integration/test_cli_spidertools.c). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"

TestSuite(cmd_check, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cmd_check, no_contracts_is_zero_contracts)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "check quotes"), 0, "%s", r.err);
    cr_assert(strncmp(r.err, "\n----------", 11) == 0, "%s", r.err);
    cr_assert(strstr(r.err, "\nRan 0 contracts in "), "%s", r.err);
    cr_assert(strstr(r.err, "s\n\nOK\n"), "%s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "check -l quotes"), 0, "%s", r.err);
    cr_assert_str_eq(r.out, "quotes\n");
}

Test(cmd_check, command_line_errors)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "check --bogus"), 2);
    cr_assert_str_eq(r.err, "kumo: unknown option '--bogus' (see 'kumo check -h')\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "check no_such_spider"), 1);
    cr_assert(strstr(r.err, "no_such_spider"), "%s", r.err);
}
