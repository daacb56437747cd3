/* test_cmd_bench.c - `kumo bench`: its own site crawled, pages/min printed, bad numbers
 * refused. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"

TestSuite(cmd_bench, KUMO_LEAKCHECK, .timeout = 120);

static kumo_clirun r;

Test(cmd_bench, crawls_every_page_of_a_small_site)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "bench --pages 30 --links 3 --nolog"), 0,
                 "%s", r.err);
    long long pages;
    double secs, rate;
    char reason[64];
    cr_assert_eq(sscanf(r.out, "kumo bench: %lld pages in %lf s: %lf pages/min "
                               "(finish_reason: %63[^)])", &pages, &secs, &rate, reason), 4,
                 "%s", r.out);
    /* "/" and /follow?n=1..30, each once */
    cr_assert_eq(pages, 31, "%s", r.out);
    cr_assert_str_eq(reason, "finished");
    cr_assert_gt(rate, 0);
}

Test(cmd_bench, numbers_out_of_range_are_usage_errors)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "bench --pages 0"), 2);
    cr_assert_not_null(strstr(r.err, "kumo: --pages expects a number from 1 to "), "%s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "bench --links x"), 2);
    cr_assert_not_null(strstr(r.err, "kumo: --links expects a number from "), "%s", r.err);
}
