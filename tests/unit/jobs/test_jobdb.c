/* test_jobdb.c - the job file: files that are refused and left untouched, schema version,
 * stats and spider state across runs, start position, and the torn feed repair. */
#include "jobtest.h"
#include "lib/leakcheck.h"
#include <sys/stat.h>

static char dir[64], path[128];

static void setup(void)
{
    kumo_leakcheck_start();
    jt_tmpdir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/" KUMO_JOB_FILE, dir);
}

static void teardown(void)
{
    jt_rmdir(dir);
    kumo_leakcheck_end();
}

TestSuite(jobdb, .init = setup, .fini = teardown);

static void write_file(const char *p, const void *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void sql(const char *p, const char *text)
{
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(p, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, text, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
}

/* Open must fail with a message naming the file that contains want, and leave the file
 * byte for byte as it was. */
static void refused(const char *spider, const char *want)
{
    size_t n0, n1;
    char *before = jt_slurp(path, &n0);
    cr_assert(before);
    kumo_jobdb *db = NULL;
    char err[512] = "";
    int rc = kumo__jobdb_open(&db, dir, spider, false, err, sizeof(err));
    cr_assert_neq(rc, KUMO_OK);
    cr_assert_null(db);
    cr_assert(strstr(err, path), "no path in: %s", err);
    cr_assert(strstr(err, want), "'%s' not in: %s", want, err);
    cr_assert_null(strchr(err, '\n'));
    char *after = jt_slurp(path, &n1);
    cr_assert(n0 == n1 && memcmp(before, after, n0) == 0, "%s was changed", path);
    kumo_free(before);
    kumo_free(after);
}

Test(jobdb, garbage_is_refused_untouched)
{
    static const char junk[] = "this is not a database, just some text that is long enough to "
                               "look like a header and more than one hundred bytes long....";
    write_file(path, junk, sizeof(junk));
    refused("s", "not an SQLite database");
}

Test(jobdb, foreign_sqlite_is_refused_untouched)
{
    sql(path, "CREATE TABLE notes(x); INSERT INTO notes VALUES ('mine');");
    refused("s", "another application");
}

static void make_job(const char *spider)
{
    kumo_jobdb *db;
    char err[512];
    cr_assert_eq(kumo__jobdb_open(&db, dir, spider, false, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert(!kumo__jobdb_resumed(db));
    kumo__jobdb_close(db);
}

Test(jobdb, newer_and_unknown_schemas_are_refused_untouched)
{
    make_job("s");
    sql(path, "PRAGMA user_version = 99");
    refused("s", "newer than this kumo's");
    sql(path, "PRAGMA user_version = 0");
    refused("s", "unknown job schema version 0");
}

Test(jobdb, another_spiders_job_is_refused_untouched)
{
    make_job("one");
    refused("two", "job of spider 'one', not 'two'");
}

Test(jobdb, corrupt_pages_are_refused_untouched)
{
    make_job("s");
    size_t n;
    char *bytes = jt_slurp(path, &n);
    cr_assert_gt(n, 4096);
    memset(bytes + 100, 0xA5, 3000);   /* the page 1 b-tree: sqlite_master is unreadable */
    write_file(path, bytes, n);
    kumo_free(bytes);
    refused("s", "(not touched)");
}

Test(jobdb, second_process_is_kept_out)
{
    kumo_jobdb *a, *b;
    char err[512];
    cr_assert_eq(kumo__jobdb_open(&a, dir, "s", false, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_neq(kumo__jobdb_open(&b, dir, "s", false, err, sizeof(err)), KUMO_OK);
    cr_assert(strstr(err, "in use by another kumo process"), "%s", err);
    /* reading is fine */
    cr_assert_eq(kumo__jobdb_open(&b, dir, NULL, true, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo__jobdb_close(b);
    kumo__jobdb_close(a);
}

Test(jobdb, schema_and_wal)
{
    make_job("s");
    kumo_jobdb *db;
    char err[512];
    cr_assert_eq(kumo__jobdb_open(&db, dir, "s", false, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert(kumo__jobdb_resumed(db));
    sqlite3_stmt *st;
    sqlite3_prepare_v2(kumo__jobdb_handle(db), "PRAGMA journal_mode", -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_prepare_v2(kumo__jobdb_handle(db), "PRAGMA user_version", -1, &st, NULL);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), KUMO_JOB_SCHEMA);
    sqlite3_finalize(st);
    char *spider = kumo__jobdb_get_str(db, "spider");
    cr_assert_str_eq(spider, "s");
    kumo_free(spider);
    kumo__jobdb_close(db);
}

/* Stats and the spider's state go on from one run to the next; per-run stats do not. */
Test(jobdb, stats_and_state_across_runs)
{
    kumo_crawler *c;
    char err[512];
    cr_assert_eq(jt_crawler_open(&c, &jt_spider, dir, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert(!kumo_crawler_resumed(c));
    kumo__stats_inc(kumo__crawler_stats(c), "response_received_count", 7);
    kumo__stats_set_float(kumo__crawler_stats(c), "some/float", 1.5);
    kumo__stats_set_str(kumo__crawler_stats(c), "start_time", "yesterday");
    kumo__stats_set_str(kumo__crawler_stats(c), "finish_reason", "shutdown");
    kumo_map *state = kumo_spider_state(kumo_crawler_spider(c));
    kumo_map_set(state, "pages", kumo_val_int(3));
    kumo_map_set(state, "last", kumo_val_str("http://a.test/"));
    kumo_request *r = jt_req("http://a.test/r", 0);
    kumo_map_set(state, "obj", kumo_val_obj(&r->ref));     /* not saved, warned */
    kumo_request_unref(r);
    kumo__job_set_start_pos(c, 4);
    int rc;
    kumo_scheduler *s = kumo__scheduler_open(c, &rc);
    cr_assert(s);
    jt_crawler_close(c, s);

    cr_assert_eq(jt_crawler_open(&c, &jt_spider, dir, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert(kumo_crawler_resumed(c));
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "response_received_count", 0), 7);
    cr_assert_float_eq(kumo__stats_get(kumo__crawler_stats(c), "some/float")->u.f, 1.5, 1e-12);
    cr_assert_null(kumo__stats_get(kumo__crawler_stats(c), "finish_reason"));
    state = kumo_spider_state(kumo_crawler_spider(c));
    cr_assert_eq(kumo_map_get_int(state, "pages", 0), 3);
    cr_assert_str_eq(kumo_map_get_str(state, "last", ""), "http://a.test/");
    cr_assert_null(kumo_map_get(state, "obj"));
    cr_assert_eq(kumo__job_start_pos(c), 4);
    s = kumo__scheduler_open(c, &rc);
    jt_crawler_close(c, s);
}

Test(jobdb, no_jobdir_no_job)
{
    kumo_crawler *c;
    char err[512];
    cr_assert_eq(jt_crawler_open(&c, &jt_spider, NULL, err, sizeof(err)), KUMO_OK);
    cr_assert_null(kumo__job_of(c));
    cr_assert(!kumo_crawler_resumed(c));
    cr_assert_eq(kumo__job_start_pos(c), 0);
    kumo__job_set_start_pos(c, 3);
    kumo__job_checkpoint(c, true, 0);
    int rc;
    kumo_scheduler *s = kumo__scheduler_open(c, &rc);
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/", 0)));
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/enqueued/memory", 0), 1);
    jt_crawler_close(c, s);
}


/* A 0-byte kumo.sqlite (a crash before the first write, a `touch`) starts a new job, and
 * says so in one INFO line. */
Test(jobdb, empty_file_starts_a_new_job_and_says_so)
{
    write_file(path, "", 0);
    jt_log_begin();
    kumo_jobdb *db = NULL;
    char err[512] = "";
    cr_assert_eq(kumo__jobdb_open(&db, dir, "jobtest", false, err, sizeof(err)), KUMO_OK, "%s",
                 err);
    char *log = jt_log();
    jt_log_end();
    cr_assert_not(kumo__jobdb_resumed(db));
    char want[256];
    snprintf(want, sizeof(want), "[kumo.jobs] INFO: job '%s' is an empty file (0 bytes): "
             "starting a new job\n", path);
    cr_assert(strstr(log, want), "log lacks <%s>; log:\n%s", want, log);
    cr_assert_eq(jt_count(log, "] INFO: "), 1, "%s", log);
    kumo_free(log);
    kumo__jobdb_close(db);
    /* written now: the next open resumes it, without the line */
    jt_log_begin();
    cr_assert_eq(kumo__jobdb_open(&db, dir, "jobtest", false, err, sizeof(err)), KUMO_OK, "%s",
                 err);
    log = jt_log();
    jt_log_end();
    cr_assert_null(strstr(log, "empty file"), "%s", log);
    kumo_free(log);
    kumo__jobdb_close(db);
}
