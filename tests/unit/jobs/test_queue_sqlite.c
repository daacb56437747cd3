/* test_queue_sqlite.c - the SQLite queue backend: the memory queue's order through a bounded
 * window, requests that survive a reopen field by field, in-flight requests coming back, the
 * persistent dupefilter, and the memory side queue for requests it cannot persist. */
#include "jobtest.h"
#include "http/response.h"
#include "lib/leakcheck.h"
#include <sqlite3.h>

static char dir[64];

static void setup(void)
{
    kumo_leakcheck_start();
    jt_tmpdir(dir, sizeof(dir));
}

static void teardown(void)
{
    jt_rmdir(dir);
    kumo_leakcheck_end();
}

TestSuite(queue_sqlite, .init = setup, .fini = teardown);

/* Set *c to a crawler of def with JOBDIR=d and return its scheduler. */
static kumo_scheduler *open_sched(kumo_crawler **c, const kumo_spider_def *def, const char *d)
{
    char err[512];
    cr_assert_eq(jt_crawler_open(c, def, d, err, sizeof(err)), KUMO_OK, "%s", err);
    int rc;
    kumo_scheduler *s = kumo__scheduler_open(*c, &rc);
    cr_assert(s, "%s", kumo_strerror(rc));
    return s;
}

/* The same pushes and pops, in memory and on disk, pop the same requests in the same order:
 * priority first, LIFO within a priority, well past the window's size. */
Test(queue_sqlite, same_order_as_the_memory_queue)
{
    kumo_crawler *cm, *cj;
    kumo_scheduler *sm = open_sched(&cm, &jt_spider, NULL);
    kumo_scheduler *sj = open_sched(&cj, &jt_spider, dir);
    uint32_t x = 12345;
    size_t pushed = 0, popped = 0;
    char url[64];
    for (int step = 0; step < 6000; step++) {
        x = x * 1103515245u + 12345u;
        bool do_pop = (x >> 16) % 3 == 0 || step >= 4000;
        if (!do_pop) {
            int prio = (int)((x >> 8) % 5) - 2;
            snprintf(url, sizeof(url), "http://a.test/%zu", pushed++);
            cr_assert(kumo__scheduler_enqueue(sm, jt_req(url, prio)));
            cr_assert(kumo__scheduler_enqueue(sj, jt_req(url, prio)));
        } else {
            kumo_request *a = kumo__scheduler_next(sm), *b = kumo__scheduler_next(sj);
            cr_assert_eq(a == NULL, b == NULL, "step %d", step);
            if (!a)
                continue;
            popped++;
            cr_assert_str_eq(kumo_request_url(a), kumo_request_url(b), "step %d", step);
            cr_assert_eq(kumo_request_priority(a), kumo_request_priority(b));
            kumo__scheduler_done(sj, b);
            kumo_request_unref(a);
            kumo_request_unref(b);
        }
        cr_assert_eq(kumo__scheduler_len(sm), kumo__scheduler_len(sj), "step %d", step);
        /* memory stays flat: the disk queue keeps at most its window decoded */
        cr_assert_leq(kumo_ref_total(), 2 + 64 + kumo__scheduler_len(sm),
                      "step %d: %zu live", step, kumo_ref_total());
    }
    cr_assert_gt(popped, 1000);
    kumo_stats *st = kumo__crawler_stats(cj);
    cr_assert_eq(kumo__stats_get_int(st, "scheduler/enqueued/disk", 0), (int64_t)pushed);
    cr_assert_eq(kumo__stats_get_int(st, "scheduler/dequeued/disk", 0), (int64_t)popped);
    cr_assert_eq(kumo__stats_get_int(st, "scheduler/enqueued", 0), (int64_t)pushed);
    cr_assert_null(kumo__stats_get(st, "scheduler/enqueued/memory"));
    jt_crawler_close(cm, sm);
    jt_crawler_close(cj, sj);
}

/* Only the window is decoded in memory, however long the queue. */
Test(queue_sqlite, window_is_bounded)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    char url[64];
    for (int i = 0; i < 3000; i++) {
        snprintf(url, sizeof(url), "http://a.test/w%d", i);
        cr_assert(kumo__scheduler_enqueue(s, jt_req(url, i % 7)));
    }
    cr_assert_eq(kumo__scheduler_len(s), 3000);
    cr_assert_leq(kumo_ref_total(), 1 + 64, "%zu live", kumo_ref_total());
    jt_crawler_close(c, s);
}

/* Every persisted field comes back after a close and reopen. */
Test(queue_sqlite, fields_survive_a_reopen)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    kumo_request *r = jt_req("http://a.test/post?q=1#frag", 7);
    kumo_request_set_method(r, "POST");
    kumo_request_set_body(r, "a=1\0b", 5);
    kumo_headers_add(kumo_request_headers(r), "X-One", "1");
    kumo_headers_add(kumo_request_headers(r), "X-Two", "d\xc3\xa9j\xc3\xa0 \"vu\"");
    kumo_request_set_callback(r, jt_cb_b);
    kumo_request_set_dont_filter(r, 1);
    kumo_map *m = kumo_request_meta(r);
    kumo_map_set(m, "depth", kumo_val_int(3));
    kumo_map_set(m, "ratio", kumo_val_float(2.0));
    kumo_map_set(m, "name", kumo_val_str("x\ny"));
    kumo_map_set(m, "flag", kumo_val_bool(1));
    kumo_map_set(m, "none", kumo_val_none());
    kumo_value list = kumo_val_list();
    kumo_val_list_push(&list, kumo_val_int(1));
    kumo_val_list_push(&list, kumo_val_str("two"));
    kumo_map_set(m, "list", list);
    kumo__request_set_class(r, &KUMO_CLASS(FormRequest));
    kumo_request_set_errback(r, jt_eb);
    kumo_map_set(kumo_request_cb_kwargs(r), "page", kumo_val_int(4));
    cr_assert(kumo__scheduler_enqueue(s, r));
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/plain", 0)));
    jt_crawler_close(c, s);

    s = open_sched(&c, &jt_spider, dir);
    cr_assert_eq(kumo__scheduler_len(s), 2);
    r = kumo__scheduler_next(s);
    cr_assert_str_eq(r->url, "http://a.test/post?q=1#frag");
    cr_assert_str_eq(r->method, "POST");
    size_t len;
    cr_assert_eq(memcmp(kumo__request_body(r, &len), "a=1\0b", 5), 0);
    cr_assert_eq(len, 5);
    cr_assert_str_eq(kumo_headers_get(r->headers, "X-One"), "1");
    cr_assert_str_eq(kumo_headers_get(r->headers, "X-Two"), "d\xc3\xa9j\xc3\xa0 \"vu\"");
    cr_assert_eq(r->cb, jt_cb_b);
    cr_assert(r->dont_filter);
    cr_assert_eq(r->priority, 7);
    m = kumo_request_meta(r);
    cr_assert_eq(kumo_map_get_int(m, "depth", -1), 3);
    cr_assert_eq(kumo_map_get(m, "ratio")->type, KUMO_VAL_FLOAT);
    cr_assert_float_eq(kumo_map_get(m, "ratio")->u.f, 2.0, 1e-12);
    cr_assert_str_eq(kumo_map_get_str(m, "name", ""), "x\ny");
    cr_assert_eq(kumo_map_get(m, "flag")->type, KUMO_VAL_BOOL);
    cr_assert_eq(kumo_map_get(m, "none")->type, KUMO_VAL_NONE);
    const kumo_value *l = kumo_map_get(m, "list");
    cr_assert_eq(l->type, KUMO_VAL_LIST);
    cr_assert_eq(l->u.list->len, 2);
    cr_assert_str_eq(l->u.list->v[1].u.str.s, "two");
    cr_assert_eq(r->ref.cls, &KUMO_CLASS(FormRequest));
    cr_assert_eq(kumo__request_errback(r), jt_eb);
    cr_assert_eq(kumo_map_get_int(kumo_request_cb_kwargs(r), "page", -1), 4);
    kumo_request *p = kumo__scheduler_next(s);
    cr_assert_str_eq(p->url, "http://a.test/plain");
    cr_assert_str_eq(p->method, "GET");
    cr_assert_null(p->cb);
    cr_assert_null(kumo__request_errback(p));
    cr_assert_eq(p->ref.cls, &KUMO_CLASS(Request));
    cr_assert_eq(kumo_request_cb_kwargs(p)->len, 0);
    cr_assert_null(kumo__request_body(p, &len));
    cr_assert_eq(kumo_headers_count(p->headers), 0);
    kumo__scheduler_done(s, r);
    kumo__scheduler_done(s, p);
    kumo_request_unref(r);
    kumo_request_unref(p);
    jt_crawler_close(c, s);
}

/* Popped but never done (a kill while in flight): pending again on the next open; done
 * requests are gone for good. */
Test(queue_sqlite, in_flight_requests_come_back)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    char url[64];
    for (int i = 0; i < 5; i++) {
        snprintf(url, sizeof(url), "http://a.test/f%d", i);
        cr_assert(kumo__scheduler_enqueue(s, jt_req(url, 0)));
    }
    kumo_request *a = kumo__scheduler_next(s);      /* f4: done */
    kumo_request *b = kumo__scheduler_next(s);      /* f3: in flight */
    kumo__scheduler_done(s, a);
    cr_assert_eq(kumo__scheduler_len(s), 3);
    kumo_request_unref(a);
    kumo_request_unref(b);
    jt_crawler_close(c, s);

    s = open_sched(&c, &jt_spider, dir);
    cr_assert_eq(kumo__scheduler_len(s), 4);
    static const char *const want[] = {"http://a.test/f3", "http://a.test/f2",
                                       "http://a.test/f1", "http://a.test/f0"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++) {
        kumo_request *r = kumo__scheduler_next(s);
        cr_assert(r);
        cr_assert_str_eq(r->url, want[i]);
        kumo__scheduler_done(s, r);
        kumo_request_unref(r);
    }
    cr_assert_null(kumo__scheduler_next(s));
    jt_crawler_close(c, s);
}

/* The dupefilter's fingerprints live in the job: a request seen by an earlier run is
 * filtered, also past the in-memory cache. */
Test(queue_sqlite, dupefilter_persists)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    char url[64];
    for (int i = 0; i < 2000; i++) {
        snprintf(url, sizeof(url), "http://a.test/d%d", i);
        kumo_request *r = jt_req(url, 0);
        cr_assert(kumo__scheduler_enqueue(s, r));
        r = kumo__scheduler_next(s);
        kumo__scheduler_done(s, r);
        kumo_request_unref(r);
    }
    cr_assert(!kumo__scheduler_enqueue(s, jt_req("http://a.test/d0", 0)));
    cr_assert(!kumo__scheduler_enqueue(s, jt_req("http://a.test/d1999", 0)));
    jt_crawler_close(c, s);

    s = open_sched(&c, &jt_spider, dir);
    cr_assert_eq(kumo__scheduler_len(s), 0);
    cr_assert(!kumo__scheduler_enqueue(s, jt_req("http://a.test/d17", 0)));
    /* restored */
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "dupefilter/filtered", 0), 3);
    kumo_request *r = jt_req("http://a.test/d17", 0);
    kumo_request_set_dont_filter(r, 1);
    cr_assert(kumo__scheduler_enqueue(s, r));
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/new", 0)));
    cr_assert(!kumo__scheduler_enqueue(s, jt_req("http://a.test/new", 0)));
    cr_assert_eq(kumo__scheduler_len(s), 2);
    jt_crawler_close(c, s);
}

/* One integer from the job file in d (-1 when sql fails). */
static int64_t job_int(const char *d, const char *sql)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/kumo.sqlite", d);
    sqlite3 *h;
    sqlite3_stmt *st;
    int64_t v = -1;
    cr_assert_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

/* New fingerprints go to seen_new and are merged into seen every KUMO_JOB_SEEN_MERGE: none
 * is lost or counted twice across a merge, and the ones a stop leaves in seen_new (as a
 * kill -9 does) still filter after a resume and are merged with the next batch. */
Test(queue_sqlite, dupefilter_merges_new_fingerprints)
{
    const int n = KUMO_JOB_SEEN_MERGE + 100;
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    char url[64];
    for (int i = 0; i < n; i++) {
        snprintf(url, sizeof(url), "http://a.test/m%d", i);
        cr_assert(kumo__scheduler_enqueue(s, jt_req(url, 0)), "%s", url);
    }
    /* before and after the merge, past the cache (its 4,096 slots hold the last ones) */
    for (int i = 0; i < n; i += 97) {
        snprintf(url, sizeof(url), "http://a.test/m%d", i);
        cr_assert(!kumo__scheduler_enqueue(s, jt_req(url, 0)), "%s", url);
    }
    jt_crawler_close(c, s);
    cr_assert_eq(job_int(dir, "SELECT count(*) FROM seen"), KUMO_JOB_SEEN_MERGE);
    cr_assert_eq(job_int(dir, "SELECT count(*) FROM seen_new"), 100);

    s = open_sched(&c, &jt_spider, dir);
    cr_assert_eq(kumo__scheduler_len(s), (size_t)n);
    for (int i = 0; i < n; i++) {
        snprintf(url, sizeof(url), "http://a.test/m%d", i);
        cr_assert(!kumo__scheduler_enqueue(s, jt_req(url, 0)), "%s", url);
    }
    /* the 100 left over count towards the next merge */
    for (int i = 0; i < KUMO_JOB_SEEN_MERGE - 100; i++) {
        snprintf(url, sizeof(url), "http://a.test/n%d", i);
        cr_assert(kumo__scheduler_enqueue(s, jt_req(url, 0)), "%s", url);
    }
    cr_assert_eq(kumo__scheduler_len(s), (size_t)(2 * KUMO_JOB_SEEN_MERGE));
    jt_crawler_close(c, s);
    cr_assert_eq(job_int(dir, "SELECT count(*) FROM seen"), 2 * KUMO_JOB_SEEN_MERGE);
    cr_assert_eq(job_int(dir, "SELECT count(*) FROM seen_new"), 0);
}

/* A job of schema 2 (every fingerprint in seen, no seen_new) is migrated on open: what it
 * saw is still filtered, new fingerprints go on being recorded. */
Test(queue_sqlite, schema_2_job_is_migrated)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/before", 0)));
    jt_crawler_close(c, s);
    char path[128];
    snprintf(path, sizeof(path), "%s/kumo.sqlite", dir);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, "INSERT INTO seen SELECT fp FROM seen_new;"
                                 "DROP TABLE seen_new;"
                                 "PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK,
                 "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
    cr_assert_eq(job_int(dir, "SELECT count(*) FROM seen"), 1);

    s = open_sched(&c, &jt_spider, dir);
    cr_assert(!kumo__scheduler_enqueue(s, jt_req("http://a.test/before", 0)));
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/after", 0)));
    cr_assert(!kumo__scheduler_enqueue(s, jt_req("http://a.test/after", 0)));
    cr_assert_eq(kumo__scheduler_len(s), 2);
    jt_crawler_close(c, s);
    cr_assert_eq(job_int(dir, "PRAGMA user_version"), KUMO_JOB_SCHEMA);
    cr_assert_eq(job_int(dir, "SELECT count(*) FROM seen_new"), 1);

    s = open_sched(&c, &jt_spider, dir);
    cr_assert(!kumo__scheduler_enqueue(s, jt_req("http://a.test/after", 0)));
    jt_crawler_close(c, s);
}

/* A request holding an object in its meta stays in memory, counted and ordered with the
 * disk requests. */
Test(queue_sqlite, unserializable_requests_stay_in_memory)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    kumo_request *held = jt_req("http://a.test/held", 0);
    kumo_request *r = jt_req("http://a.test/obj", 5);
    kumo_map_set(kumo_request_meta(r), "keep", kumo_val_obj(&held->ref));
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/low", 1)));
    cr_assert(kumo__scheduler_enqueue(s, r));
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/high", 9)));
    cr_assert_eq(kumo__scheduler_len(s), 3);
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/unserializable", 0), 1);
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/enqueued/memory", 0), 1);
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/enqueued/disk", 0), 2);
    static const char *const want[] = {"http://a.test/high", "http://a.test/obj",
                                       "http://a.test/low"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++) {
        kumo_request *p = kumo__scheduler_next(s);
        cr_assert_str_eq(p->url, want[i]);
        kumo__scheduler_done(s, p);
        kumo_request_unref(p);
    }
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/dequeued/memory", 0), 1);
    cr_assert_eq(kumo__stats_get_int(kumo__crawler_stats(c), "scheduler/dequeued/disk", 0), 2);
    /* left in the side queue at close: released, not persisted */
    r = jt_req("http://a.test/obj2", 0);
    kumo_map_set(kumo_request_meta(r), "keep", kumo_val_obj(&held->ref));
    cr_assert(kumo__scheduler_enqueue(s, r));
    kumo_request_unref(held);
    jt_crawler_close(c, s);
    s = open_sched(&c, &jt_spider, dir);
    cr_assert_eq(kumo__scheduler_len(s), 0);
    jt_crawler_close(c, s);
}

/* A pending request whose callback the spider no longer has: the job refuses to open. */
Test(queue_sqlite, unknown_callback_refuses_the_job)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    kumo_request *r = jt_req("http://a.test/cb", 0);
    kumo_request_set_callback(r, jt_cb_b);
    cr_assert(kumo__scheduler_enqueue(s, r));
    jt_crawler_close(c, s);
    char err[512];
    cr_assert_eq(jt_crawler_open(&c, &jt_spider_short, dir, err, sizeof(err)), KUMO_EINVAL);
    cr_assert(strstr(err, "callback 'jt_cb_b'") && strstr(err, "kumo.sqlite"), "%s", err);
}

/* A job written by schema 1 (no cb_kwargs, no class) is migrated on open: its requests
 * come back as they were. */
Test(queue_sqlite, schema_1_job_is_migrated)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/old", 3)));
    jt_crawler_close(c, s);

    char path[128];
    snprintf(path, sizeof(path), "%s/kumo.sqlite", dir);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h, "ALTER TABLE requests DROP COLUMN cb_kwargs;"
                                 "ALTER TABLE requests DROP COLUMN class;"
                                 "INSERT INTO seen SELECT fp FROM seen_new;"
                                 "DROP TABLE seen_new;"
                                 "PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK,
                 "%s", sqlite3_errmsg(h));
    sqlite3_close(h);

    s = open_sched(&c, &jt_spider, dir);
    kumo_request *r = kumo__scheduler_next(s);
    cr_assert(r);
    cr_assert_str_eq(r->url, "http://a.test/old");
    cr_assert_eq(r->priority, 3);
    cr_assert_eq(r->ref.cls, &KUMO_CLASS(Request));
    kumo__scheduler_done(s, r);
    kumo_request_unref(r);
    jt_crawler_close(c, s);
}

/* A row whose method is not a token (CRLF edited into kumo.sqlite, or empty) is refused
 * with one line naming its id; the other rows come back. */
Test(queue_sqlite, bad_method_row_is_refused)
{
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/crlf", 2)));
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/empty", 1)));
    cr_assert(kumo__scheduler_enqueue(s, jt_req("http://a.test/fine", 0)));
    jt_crawler_close(c, s);
    char path[128];
    snprintf(path, sizeof(path), "%s/kumo.sqlite", dir);
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "UPDATE requests SET method = 'GET' || char(13, 10) || "
                                  "'X-Evil: 1' WHERE url LIKE '%crlf';"
                                  "UPDATE requests SET method = '' WHERE url LIKE '%empty'",
                              NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    char logpath[64];
    snprintf(logpath, sizeof(logpath), "/tmp/kumo-jobtest-%d.log", (int)getpid());
    unlink(logpath);
    cr_assert_eq(kumo__log_set_file(logpath), KUMO_OK);
    s = open_sched(&c, &jt_spider, dir);
    kumo_request *r = kumo__scheduler_next(s);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->url, "http://a.test/fine");
    cr_assert_str_eq(r->method, "GET");
    cr_assert_null(kumo__scheduler_next(s));
    kumo__scheduler_done(s, r);
    kumo_request_unref(r);
    jt_crawler_close(c, s);
    kumo__log_set_file(NULL);
    size_t n;
    char *log = jt_slurp(logpath, &n);
    unlink(logpath);
    cr_assert_not_null(log);
    cr_assert(strstr(log, "request 1 has a method that is not an RFC 9110 token (14 bytes): "
                          "dropped"), "%s", log);
    cr_assert(strstr(log, "request 2 has a method that is not an RFC 9110 token (0 bytes): "
                          "dropped"), "%s", log);
    cr_assert_null(strstr(log, "X-Evil"), "%s", log);
    kumo_free(log);
}

/* A kumo.sqlite edited by hand: a headers, meta or cb_kwargs column (or entry) that does not
 * decode is dropped with a WARNING naming the row and the column, and counted; the request
 * goes on with the rest.  A row whose url is refused is dropped with an ERROR, counted. */
Test(queue_sqlite, undecodable_json_columns_are_logged_and_counted)
{
    static const char *const names[] = {"a", "b", "c", "d", "e"};
    kumo_crawler *c;
    kumo_scheduler *s = open_sched(&c, &jt_spider, dir);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++) {
        char url[64];
        snprintf(url, sizeof(url), "http://a.test/%s", names[i]);
        kumo_request *r = jt_req(url, 10 - (int)i);
        kumo_headers_add(kumo_request_headers(r), "X-Keep", "1");
        kumo_map_set(kumo_request_meta(r), "tag", kumo_val_str(names[i]));
        kumo_map_set(kumo_request_cb_kwargs(r), "page", kumo_val_int((int64_t)i));
        cr_assert(kumo__scheduler_enqueue(s, r));
    }
    jt_crawler_close(c, s);

    char path[128];
    snprintf(path, sizeof(path), "%s/kumo.sqlite", dir);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(h,
                              "UPDATE requests SET headers = '[[\"X-A\",' WHERE id = 1;"
                              "UPDATE requests SET meta = '{\"tag\": \"b\",', cb_kwargs = '42' "
                              "WHERE id = 2;"
                              "UPDATE requests SET headers = '[[\"X-Ok\",\"1\"],[\"X-Bad\",2],"
                              "\"z\"]' WHERE id = 3;"
                              "UPDATE requests SET url = 'not a url' WHERE id = 4;",
                              NULL, NULL, NULL),
                 SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);

    jt_log_begin();
    s = open_sched(&c, &jt_spider, dir);
    kumo_request *got[5] = {0};
    size_t n = 0;
    kumo_request *r;
    while (n < KUMO_ARRAY_LEN(got) && (r = kumo__scheduler_next(s)))
        got[n++] = r;
    char *log = jt_log();
    jt_log_end();
    cr_assert_eq(n, 4, "%zu requests; log:\n%s", n, log);
    cr_assert_str_eq(got[0]->url, "http://a.test/a");
    cr_assert_eq(kumo_headers_count(got[0]->headers), 0);
    cr_assert_str_eq(kumo_map_get_str(kumo_request_meta(got[0]), "tag", ""), "a");
    cr_assert_str_eq(got[1]->url, "http://a.test/b");
    cr_assert_str_eq(kumo_headers_get(got[1]->headers, "X-Keep"), "1");
    cr_assert_null(kumo_map_get(kumo_request_meta(got[1]), "tag"));
    cr_assert_eq(kumo_request_cb_kwargs(got[1])->len, 0);
    cr_assert_str_eq(got[2]->url, "http://a.test/c");
    cr_assert_eq(kumo_headers_count(got[2]->headers), 1);
    cr_assert_str_eq(kumo_headers_get(got[2]->headers, "X-Ok"), "1");
    cr_assert_eq(kumo_map_get_int(kumo_request_cb_kwargs(got[2]), "page", -1), 2);
    cr_assert_str_eq(got[3]->url, "http://a.test/e");
    cr_assert_eq(kumo_headers_count(got[3]->headers), 1);

    static const char *const want[] = {
        "[kumo.core.scheduler] WARNING: job '", "kumo.sqlite': request 1 <GET http://a.test/a>: "
        "its headers column (8 bytes) does not decode as JSON (",
        "request 2 <GET http://a.test/b>: its meta column (12 bytes) does not decode as JSON (",
        "request 2 <GET http://a.test/b>: its cb_kwargs column (2 bytes) is not a JSON object: "
        "dropped, the request goes on without it",
        "request 3 <GET http://a.test/c>: 2 of the 3 entries of its headers column are not "
        "[name, value] pairs of strings: dropped",
        "[kumo.core.scheduler] ERROR: job '",
        "kumo.sqlite': request 4 does not decode (url 'not a url': bad url): dropped",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++)
        cr_assert(strstr(log, want[i]), "log lacks <%s>; log:\n%s", want[i], log);
    cr_assert_eq(jt_count(log, "WARNING"), 4, "%s", log);
    kumo_stats *st = kumo__crawler_stats(c);
    cr_assert_eq(kumo__stats_get_int(st, "scheduler/disk/fields_dropped", 0), 4);
    cr_assert_eq(kumo__stats_get_int(st, "scheduler/disk/refused", 0), 1);
    kumo_free(log);
    for (size_t i = 0; i < n; i++) {
        kumo__scheduler_done(s, got[i]);
        kumo_request_unref(got[i]);
    }
    cr_assert_eq(kumo__scheduler_len(s), 0);
    jt_crawler_close(c, s);
}
