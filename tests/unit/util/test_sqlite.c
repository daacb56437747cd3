/* test_sqlite.c - is this SQLite file ours: fresh, ours, another application's, not SQLite. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include "kumo-int.h"
#include "util/sqlite.h"
#include "lib/leakcheck.h"

static const kumo_sqlite_kind kind = {"thing", "read thing", 0x6b756d6f};
static char dir[64], path[128];

static void setup(void)
{
    kumo_leakcheck_start();
    snprintf(dir, sizeof(dir), "/tmp/kumo-sqlite-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/t.sqlite", dir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
    kumo_leakcheck_end();
}

TestSuite(sqlite, .init = setup, .fini = teardown);

static sqlite3 *open_with(const char *sql)
{
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
    if (sql)
        cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sql);
    return h;
}

Test(sqlite, an_empty_file_is_fresh)
{
    sqlite3 *h = open_with(NULL);
    bool fresh;
    int64_t version = -1;
    char err[256] = "";
    cr_assert_eq(kumo__sqlite_check(&kind, h, path, &fresh, &version, err, sizeof(err)),
                 KUMO_OK);
    cr_assert(fresh);
    cr_assert_eq(version, 0);
    sqlite3_close(h);
}

Test(sqlite, ours_is_not_fresh_and_reports_its_version)
{
    sqlite3 *h = open_with("PRAGMA application_id = 1802857839; PRAGMA user_version = 3;"
                           "CREATE TABLE t(x)");
    bool fresh = true;
    int64_t version;
    char err[256] = "";
    cr_assert_eq(kumo__sqlite_check(&kind, h, path, &fresh, &version, err, sizeof(err)),
                 KUMO_OK, "%s", err);
    cr_assert_not(fresh);
    cr_assert_eq(version, 3);
    sqlite3_close(h);
}

Test(sqlite, another_applications_file_is_refused)
{
    sqlite3 *h = open_with("PRAGMA application_id = 7; CREATE TABLE t(x)");
    bool fresh;
    int64_t version;
    char err[256] = "";
    cr_assert_eq(kumo__sqlite_check(&kind, h, path, &fresh, &version, err, sizeof(err)),
                 KUMO_EINVAL);
    char want[256];
    snprintf(want, sizeof(want), "'%s' is not a kumo thing: an SQLite database of another "
             "application (not touched)", path);
    cr_assert_str_eq(err, want);
    sqlite3_close(h);
}

Test(sqlite, a_text_file_is_not_a_database)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not an sqlite database at all. ", f);
    fclose(f);
    sqlite3 *h = open_with(NULL);
    bool fresh = true;
    int64_t version;
    char err[256] = "";
    cr_assert_eq(kumo__sqlite_check(&kind, h, path, &fresh, &version, err, sizeof(err)),
                 KUMO_EIO);
    cr_assert_not(fresh);
    char want[256];
    snprintf(want, sizeof(want), "'%s' is not a kumo thing: not an SQLite database "
             "(not touched)", path);
    cr_assert_str_eq(err, want);
    sqlite3_close(h);
}

Test(sqlite, err_names_the_action_for_other_failures)
{
    char err[256];
    kumo__sqlite_err(&kind, "/x.sqlite", NULL, SQLITE_CANTOPEN, err, sizeof(err));
    cr_assert_str_eq(err, "cannot read thing '/x.sqlite': unable to open database file");
    kumo__sqlite_err(&kind, "/x.sqlite", NULL, SQLITE_CORRUPT, err, sizeof(err));
    cr_assert_str_eq(err, "'/x.sqlite' is corrupt: database disk image is malformed "
                     "(not touched)");
    kumo__sqlite_err(&kind, "/x.sqlite", NULL, SQLITE_CANTOPEN, NULL, 10);   /* ignored */
}
