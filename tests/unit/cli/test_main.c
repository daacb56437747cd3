/* test_main.c - the kumo binary's entry: the command table, --help, unknown commands. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"

TestSuite(cli_main, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cli_main, help_lists_every_command)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "--help"), 0, "%s", r.err);
    static const char *cmds[] = {"bench", "check", "crawl", "fetch", "genspider", "job",
                                 "list", "parse", "runspider", "settings", "shell", "version",
                                 "view"};
    cr_assert_not_null(strstr(r.out, "usage: kumo COMMAND"), "%s", r.out);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cmds); i++) {
        char line[32];
        snprintf(line, sizeof(line), "\n  %s ", cmds[i]);
        cr_expect_not_null(strstr(r.out, line), "%s missing from:\n%s", cmds[i], r.out);
    }
}

Test(cli_main, no_command_and_unknown_command_are_usage_errors)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, ""), 2);
    cr_assert_not_null(strstr(r.err, "usage: kumo COMMAND"), "%s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "bogus"), 2);
    cr_assert_str_eq(r.err, "kumo: unknown command 'bogus' (see 'kumo --help')\n");
    cr_assert_str_eq(r.out, "");
}

Test(cli_main, command_help_goes_to_stdout)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "job -h"), 0, "%s", r.err);
    cr_assert_eq(strncmp(r.out, "usage: kumo job DIR\n", 20), 0, "%s", r.out);
    cr_assert_str_eq(r.err, "");
}
