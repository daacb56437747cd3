/* state.c - the spider's state map and the stats in a job: (key, JSON value) rows. */
#include "jobs/jobdb.h"
#include "core/stats.h"
#include "util/json.h"

#define LOGGER "kumo.jobs"
#define VALUE_MAX (64u * 1024 * 1024)       /* one saved value, as JSON */

static const char *table_sql(const char *table, const char *stats_sql, const char *state_sql)
{
    if (strcmp(table, "stats") == 0)
        return stats_sql;
    if (strcmp(table, "state") == 0)
        return state_sql;
    return NULL;
}

int kumo__jobdb_save_map(kumo_jobdb *db, const char *table, const kumo_map *m)
{
    const char *del = table_sql(table, "DELETE FROM stats", "DELETE FROM state");
    const char *ins = table_sql(table, "INSERT INTO stats(key, value) VALUES (?, ?)",
                                "INSERT INTO state(key, value) VALUES (?, ?)");
    if (!del || kumo__jobdb_write(db) != KUMO_OK)
        return KUMO_EINVAL;
    sqlite3 *h = kumo__jobdb_handle(db);
    if (sqlite3_exec(h, del, NULL, NULL, NULL) != SQLITE_OK)
        return kumo__jobdb_fail(db, "save the spider state");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, ins, -1, &st, NULL) != SQLITE_OK)
        return kumo__jobdb_fail(db, "save the spider state");
    kumo_buf b;
    kumo__buf_init(&b, VALUE_MAX, KUMO_T_STR, KUMO_V_NONE);
    int ret = KUMO_OK;
    for (size_t i = 0; i < m->len && ret == KUMO_OK; i++) {
        const kumo_map_entry *e = &m->e[i];
        kumo__buf_reset(&b);
        if (kumo_val_holds_object(&e->val)) {
            if (kumo__jobdb_once(db, strcmp(table, "state") == 0 ? 1 : 2))
                KUMO_WARN(LOGGER, "%s key '%s' holds an object and cannot be saved in the "
                          "job: it will not survive a stop", table, e->key);
            continue;
        }
        if (kumo__json_value(&b, &e->val) != KUMO_OK) {
            KUMO_WARN(LOGGER, "%s key '%s' is too big to save in the job", table, e->key);
            continue;
        }
        sqlite3_bind_text(st, 1, e->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kumo__buf_str(&b), (int)b.len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            ret = kumo__jobdb_fail(db, "save the spider state");
        sqlite3_reset(st);
    }
    kumo__buf_release(&b);
    sqlite3_finalize(st);
    return ret;
}

/* Calls fn(ctx, key, value) for each row of table, in the order they were saved. */
static int each_row(kumo_jobdb *db, const char *table,
                    void (*fn)(void *ctx, const char *key, kumo_value v), void *ctx)
{
    const char *sel = table_sql(table, "SELECT key, value FROM stats ORDER BY rowid",
                                "SELECT key, value FROM state ORDER BY rowid");
    if (!sel)
        return KUMO_EINVAL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(kumo__jobdb_handle(db), sel, -1, &st, NULL) != SQLITE_OK)
        return KUMO_EIO;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 1);
        int len = sqlite3_column_bytes(st, 1);
        kumo_value v;
        if (!key || !text || kumo__json_parse(text, (size_t)len, &v, NULL, 0) != KUMO_OK) {
            KUMO_WARN(LOGGER, "job '%s': %s key '%s' does not parse: skipped",
                      kumo__jobdb_path(db), table, key ? key : "?");
            continue;
        }
        fn(ctx, key, v);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? KUMO_OK : KUMO_EIO;
}

static void to_map(void *ctx, const char *key, kumo_value v)
{
    kumo_map_set(ctx, key, v);
}

int kumo__jobdb_load_map(kumo_jobdb *db, const char *table, kumo_map *m)
{
    return each_row(db, table, to_map, m);
}

/* Per-run stats that must not carry over: this run sets its own at close. */
static bool per_run(const char *key)
{
    return strcmp(key, "finish_reason") == 0 || strcmp(key, "finish_time") == 0 ||
           strcmp(key, "elapsed_time_seconds") == 0;
}

static void to_stats(void *ctx, const char *key, kumo_value v)
{
    kumo_stats *st = ctx;
    if (per_run(key))
        ;
    else if (v.type == KUMO_VAL_INT)
        kumo__stats_set_int(st, key, v.u.i);
    else if (v.type == KUMO_VAL_FLOAT)
        kumo__stats_set_float(st, key, v.u.f);
    else if (v.type == KUMO_VAL_STR)
        kumo__stats_set_str(st, key, v.u.str.s);
    kumo_val_clear(&v);
}

int kumo__jobdb_load_stats(kumo_jobdb *db, kumo_stats *st)
{
    return each_row(db, "stats", to_stats, st);
}
