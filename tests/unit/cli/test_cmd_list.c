/* test_cmd_list.c - `kumo list`: every spider of the search path, name and file. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/leakcheck.h"
#include <unistd.h>

TestSuite(cmd_list, KUMO_LEAKCHECK, .timeout = 60);

static kumo_clirun r;

Test(cmd_list, lists_the_spiders_in_file_order)
{
    /* KUMO_SPIDER_DIR as make test sets it: the spiders of this build */
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "list"), 0, "%s", r.err);
    const char *names[] = {"bench ", "follow ", "leaky ", "pipelines_demo ", "quotes "};
    const char *prev = r.out;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++) {
        const char *p = strstr(r.out, names[i]);
        cr_assert_not_null(p, "%s missing:\n%s", names[i], r.out);
        cr_assert_geq(p, prev, "%s out of order:\n%s", names[i], r.out);
        prev = p;
    }
    cr_assert_not_null(strstr(r.out, "spiders/quotes.so\n"), "%s", r.out);
}

Test(cmd_list, a_library_that_does_not_load_is_one_line_on_stderr)
{
    char dir[] = "/tmp/kumo-list-XXXXXX", so[64], env[1024];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(so, sizeof(so), "%s/broken.so", dir);
    FILE *f = fopen(so, "w");
    cr_assert_not_null(f);
    fputs("not a library\n", f);
    fclose(f);
    snprintf(env, sizeof(env), "KUMO_SPIDER_DIR=%s:%s", dir, getenv("KUMO_SPIDER_DIR"));
    cr_assert_eq(kumo_clirun_run(&r, NULL, env, "list"), 0, "%s", r.err);
    unlink(so);
    rmdir(dir);
    char want[128];
    snprintf(want, sizeof(want), "kumo: cannot load spider '%s': ", so);
    cr_assert_eq(strncmp(r.err, want, strlen(want)), 0, "%s", r.err);
    const char *nl = strchr(r.err, '\n');
    cr_assert_not_null(nl);
    cr_assert_null(strstr(nl, "broken.so"), "one line: %s", r.err);
    /* the spiders of the other directories are listed all the same */
    cr_assert_not_null(strstr(r.out, "quotes "), "%s", r.out);
}
