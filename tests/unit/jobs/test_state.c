/* test_state.c - maps saved in a job as (key, JSON value) rows: the spider state and the
 * stats across a reopen, values holding objects skipped with their key named. */
#include "unit/middleware/mwtest.h"
#include "jobtest.h"

static char dir[64];

static void setup(void)
{
    kumo_leakcheck_start();
    jt_tmpdir(dir, sizeof(dir));
    mwt_log_begin();
}

static void teardown(void)
{
    mwt_log_end();
    jt_rmdir(dir);
    kumo_leakcheck_end();
}

TestSuite(state, .init = setup, .fini = teardown);

static kumo_jobdb *open_job(void)
{
    kumo_jobdb *db = NULL;
    char err[512] = "";
    cr_assert_eq(kumo__jobdb_open(&db, dir, "statetest", false, err, sizeof(err)), KUMO_OK,
                 "%s", err);
    return db;
}

static void close_job(kumo_jobdb *db)
{
    cr_assert_eq(kumo__jobdb_commit(db), KUMO_OK);
    kumo__jobdb_close(db);
}

Test(state, map_survives_a_reopen_in_order)
{
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&m, "zeta", kumo_val_int(-7));
    kumo_map_set(&m, "pages", kumo_val_float(2.5));
    kumo_map_set(&m, "name", kumo_val_str("caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80"));
    kumo_map_set(&m, "seen", kumo_val_bool(1));
    kumo_map_set(&m, "nothing", kumo_val_none());
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_int(1));
    kumo_val_list_push(&l, kumo_val_str("two"));
    kumo_map_set(&m, "list", l);
    kumo_jobdb *db = open_job();
    cr_assert_eq(kumo__jobdb_save_map(db, "state", &m), KUMO_OK);
    close_job(db);

    db = open_job();
    kumo_map got;
    kumo_map_init(&got, KUMO_T_DICT, KUMO_V_NONE);
    cr_assert_eq(kumo__jobdb_load_map(db, "state", &got), KUMO_OK);
    cr_assert_eq(got.len, 6);
    const char *order[] = {"zeta", "pages", "name", "seen", "nothing", "list"};
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(got.e[i].key, order[i]);
    cr_assert_eq(kumo_map_get_int(&got, "zeta", 0), -7);
    kumo_value *f = kumo_map_get(&got, "pages");
    cr_assert(f->type == KUMO_VAL_FLOAT && f->u.f == 2.5);
    cr_assert_str_eq(kumo_map_get_str(&got, "name", NULL), "caf\xc3\xa9 \"q\" \xf0\x9f\x98\x80");
    cr_assert_eq(kumo_map_get(&got, "seen")->type, KUMO_VAL_BOOL);
    cr_assert_eq(kumo_map_get(&got, "nothing")->type, KUMO_VAL_NONE);
    kumo_value *gl = kumo_map_get(&got, "list");
    cr_assert_eq(gl->type, KUMO_VAL_LIST);
    cr_assert_eq(gl->u.list->len, 2);
    cr_assert_eq(gl->u.list->v[0].u.i, 1);
    cr_assert_str_eq(gl->u.list->v[1].u.str.s, "two");
    /* the stats table is another table */
    kumo_map stats;
    kumo_map_init(&stats, KUMO_T_DICT, KUMO_V_NONE);
    cr_assert_eq(kumo__jobdb_load_map(db, "stats", &stats), KUMO_OK);
    cr_assert_eq(stats.len, 0);
    kumo__jobdb_close(db);
    kumo_map_release(&got);
    kumo_map_release(&m);
}

Test(state, save_replaces_the_rows_and_load_replaces_values)
{
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&m, "a", kumo_val_int(1));
    kumo_map_set(&m, "b", kumo_val_int(2));
    kumo_jobdb *db = open_job();
    cr_assert_eq(kumo__jobdb_save_map(db, "state", &m), KUMO_OK);
    kumo_map_del(&m, "a");
    kumo_map_set(&m, "b", kumo_val_int(3));
    cr_assert_eq(kumo__jobdb_save_map(db, "state", &m), KUMO_OK);
    kumo_map_release(&m);

    kumo_map got;
    kumo_map_init(&got, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&got, "b", kumo_val_str("old"));
    kumo_map_set(&got, "c", kumo_val_int(9));
    cr_assert_eq(kumo__jobdb_load_map(db, "state", &got), KUMO_OK);
    cr_assert_null(kumo_map_get(&got, "a"), "a row from the first save is left");
    cr_assert_eq(kumo_map_get_int(&got, "b", 0), 3);
    cr_assert_eq(kumo_map_get_int(&got, "c", 0), 9, "load removed a key it does not hold");
    kumo_map_release(&got);
    close_job(db);
}

Test(state, objects_are_skipped_with_the_key_named_once)
{
    kumo_request *req = mwt_req("http://example.com/");
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&m, "before", kumo_val_int(1));
    kumo_map_set(&m, "req", kumo_val_obj(&req->ref));
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_obj(&req->ref));
    kumo_map_set(&m, "nested", l);
    kumo_map_set(&m, "after", kumo_val_int(2));
    kumo_request_unref(req);
    kumo_jobdb *db = open_job();
    cr_assert_eq(kumo__jobdb_save_map(db, "state", &m), KUMO_OK);
    mwt_assert_logged("kumo.jobs", "WARNING", "state key 'req' holds an object and cannot be "
                      "saved in the job: it will not survive a stop");
    cr_assert_null(strstr(mwt_log(), "'nested'"), "warned twice for one job:\n%s", mwt_log());
    /* the stats table has its own warning */
    cr_assert_eq(kumo__jobdb_save_map(db, "stats", &m), KUMO_OK);
    mwt_assert_logged("kumo.jobs", "WARNING", "stats key 'req' holds an object");

    kumo_map got;
    kumo_map_init(&got, KUMO_T_DICT, KUMO_V_NONE);
    cr_assert_eq(kumo__jobdb_load_map(db, "state", &got), KUMO_OK);
    cr_assert_eq(got.len, 2);
    cr_assert_str_eq(got.e[0].key, "before");
    cr_assert_str_eq(got.e[1].key, "after");
    kumo_map_release(&got);
    kumo_map_release(&m);
    close_job(db);
}

Test(state, unknown_table_is_refused)
{
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&m, "a", kumo_val_int(1));
    kumo_jobdb *db = open_job();
    cr_assert_eq(kumo__jobdb_save_map(db, "meta; DROP TABLE state", &m), KUMO_EINVAL);
    cr_assert_eq(kumo__jobdb_load_map(db, "other", &m), KUMO_EINVAL);
    cr_assert_eq(m.len, 1);
    kumo_map_release(&m);
    close_job(db);
}

Test(state, stats_carry_over_but_not_per_run_keys)
{
    kumo_stats *st = kumo__stats_new();
    kumo__stats_set_int(st, "item_scraped_count", 41);
    kumo__stats_set_float(st, "memusage/ratio", 0.25);
    kumo__stats_set_str(st, "finish_reason", "shutdown");
    kumo__stats_set_str(st, "log_level", "INFO");
    kumo__stats_set_float(st, "elapsed_time_seconds", 3.5);
    kumo_jobdb *db = open_job();
    cr_assert_eq(kumo__jobdb_save_map(db, "stats", kumo__stats_map(st)), KUMO_OK);
    close_job(db);
    kumo__stats_free(st);

    st = kumo__stats_new();
    db = open_job();
    cr_assert_eq(kumo__jobdb_load_stats(db, st), KUMO_OK);
    cr_assert_eq(kumo__stats_get_int(st, "item_scraped_count", 0), 41);
    const kumo_value *v = kumo__stats_get(st, "memusage/ratio");
    cr_assert(v && v->type == KUMO_VAL_FLOAT && v->u.f == 0.25);
    v = kumo__stats_get(st, "log_level");
    cr_assert(v && v->type == KUMO_VAL_STR);
    cr_assert_str_eq(v->u.str.s, "INFO");
    cr_assert_null(kumo__stats_get(st, "finish_reason"));
    cr_assert_null(kumo__stats_get(st, "elapsed_time_seconds"));
    kumo__jobdb_close(db);
    kumo__stats_free(st);
}
