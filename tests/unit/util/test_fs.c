/* test_fs.c - mkdir -p: nested creation, existing dirs, a file in the way. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kumo-int.h"
#include "util/fs.h"
#include "lib/leakcheck.h"

static char dir[64];

static void setup(void)
{
    kumo_leakcheck_start();
    snprintf(dir, sizeof(dir), "/tmp/kumo-fs-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    kumo_leakcheck_end();
}

TestSuite(fs, .init = setup, .fini = teardown);

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

Test(fs, creates_missing_parents_and_accepts_existing)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/a/b/c", dir);
    cr_assert_eq(kumo__mkdirs(p), 0);
    cr_assert(is_dir(p));
    cr_assert_eq(kumo__mkdirs(p), 0, "an existing directory is fine");
    snprintf(p, sizeof(p), "%s/a/b/c/", dir);
    cr_assert_eq(kumo__mkdirs(p), 0, "a trailing slash is fine");
    snprintf(p, sizeof(p), "%s/a/d", dir);
    cr_assert_eq(kumo__mkdirs(p), 0);
    cr_assert(is_dir(p));
}

Test(fs, a_file_in_the_way_is_an_error)
{
    char f[256], p[256];
    snprintf(f, sizeof(f), "%s/file", dir);
    FILE *fp = fopen(f, "w");
    cr_assert_not_null(fp);
    fclose(fp);
    cr_assert_eq(kumo__mkdirs(f), ENOTDIR, "dir exists as a file");
    snprintf(p, sizeof(p), "%s/file/sub", dir);
    cr_assert_eq(kumo__mkdirs(p), ENOTDIR, "a parent is a file");
    cr_assert_not(is_dir(p));
}

Test(fs, unwritable_parent_gives_its_errno)
{
    if (geteuid() == 0)
        cr_skip_test("root may write anywhere");
    char ro[256], p[256];
    snprintf(ro, sizeof(ro), "%s/ro", dir);
    cr_assert_eq(mkdir(ro, 0555), 0);
    snprintf(p, sizeof(p), "%s/ro/x/y", dir);
    cr_assert_eq(kumo__mkdirs(p), EACCES);
    chmod(ro, 0755);
}
