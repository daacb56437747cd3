/* test_cmd_version.c - `kumo version`: kumo's version and ABI, then the libraries'. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"
#include <libxml/xmlversion.h>
#include <sqlite3.h>

TestSuite(cmd_version, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cmd_version, prints_kumo_then_each_library)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "version"), 0, "%s", r.err);
    char first[256];
    snprintf(first, sizeof(first), "kumo %s (ABI %d, %s)\n", KUMO_VERSION, KUMO_ABI,
             KUMO_ABI_SIG);
    cr_assert_eq(strncmp(r.out, first, strlen(first)), 0, "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\nlibcurl "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\nlibevent "), "%s", r.out);
    char xml[64], sql[64];
    snprintf(xml, sizeof(xml), "\nlibxml2 %s\n", LIBXML_DOTTED_VERSION);
    snprintf(sql, sizeof(sql), "\nsqlite3 %s\n", sqlite3_libversion());
    cr_assert_not_null(strstr(r.out, xml), "%s", r.out);
    cr_assert_not_null(strstr(r.out, sql), "%s", r.out);
}

Test(cmd_version, takes_no_argument)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "version extra"), 2);
    cr_assert_not_null(strstr(r.err, "kumo: "), "%s", r.err);
    cr_assert_str_eq(r.out, "");
}
