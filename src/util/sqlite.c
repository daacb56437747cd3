/* sqlite.c - checks shared by kumo's own SQLite files (job, HTTP cache): is this file ours? */
#include "util/sqlite.h"

/* The integer in the first column of sql's first row (0: no row); *rc an SQLite code. */
static int64_t query_int(sqlite3 *h, const char *sql, int *rc)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    *rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
    if (*rc != SQLITE_OK)
        return 0;
    *rc = sqlite3_step(st);
    if (*rc == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
        *rc = SQLITE_OK;
    } else if (*rc == SQLITE_DONE) {
        *rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return v;
}

void kumo__sqlite_err(const kumo_sqlite_kind *k, const char *path, sqlite3 *h, int rc,
                     char *err, size_t errlen)
{
    if (!err || !errlen)
        return;
    int code = rc & 0xff;
    if (code == SQLITE_NOTADB)
        snprintf(err, errlen, "'%s' is not a kumo %s: not an SQLite database (not touched)",
                 path, k->what);
    else if (code == SQLITE_CORRUPT)
        snprintf(err, errlen, "'%s' is corrupt: %s (not touched)", path, sqlite3_errstr(rc));
    else
        snprintf(err, errlen, "cannot %s '%s': %s", k->action, path,
                 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
}

int kumo__sqlite_check(const kumo_sqlite_kind *k, sqlite3 *h, const char *path, bool *fresh,
                      int64_t *version, char *err, size_t errlen)
{
    int rc;
    int64_t tables = query_int(h, "SELECT count(*) FROM sqlite_master", &rc);
    int64_t app = rc == SQLITE_OK ? query_int(h, "PRAGMA application_id", &rc) : 0;
    *version = rc == SQLITE_OK ? query_int(h, "PRAGMA user_version", &rc) : 0;
    *fresh = false;
    if (rc != SQLITE_OK) {
        kumo__sqlite_err(k, path, h, rc, err, errlen);
        return KUMO_EIO;
    }
    *fresh = tables == 0 && app == 0;
    if (!*fresh && app != k->app_id) {
        if (err && errlen)
            snprintf(err, errlen, "'%s' is not a kumo %s: an SQLite database of another "
                     "application (not touched)", path, k->what);
        return KUMO_EINVAL;
    }
    return KUMO_OK;
}
