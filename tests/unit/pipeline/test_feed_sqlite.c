/* test_feed_sqlite.c - the SQLite format: items as rows of one table, columns typed from the
 * first value, new fields added as columns, field order, unicode kept as TEXT. */
#include "feedtest.h"

#include <sqlite3.h>

TestSuite(feed_sqlite, .init = ft_setup, .fini = kumo_leakcheck_end);

/* Export items to a new database with table (NULL: "items") and fields; opens it in *db. */
static void export(char *path, size_t n, const char *table, const char *const *fields,
                   size_t nfields, kumo_item **items, size_t nitems, sqlite3 **db)
{
    ft_path(path, n, "items.db");
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.format = "sqlite";
    o.table = table;
    o.fields = fields;
    o.nfields = nfields;
    ft_export(path, &o, items, nitems);
    cr_assert_eq(sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

/* The first column of the first row of sql, as text, into out. */
static const char *query(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(out, n, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(q);
    return out;
}

/* "name type, ..." of table's columns. */
static const char *columns(sqlite3 *db, const char *table, char *out, size_t n)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT group_concat(name || ' ' || type, ', ') "
             "FROM pragma_table_info('%s')", table);
    return query(db, sql, out, n);
}

static void close_db(sqlite3 *db, const char *path)
{
    sqlite3_close(db);
    static const char *const side[] = {"-journal", "-wal", "-shm"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(side); i++) {
        char p[160];
        snprintf(p, sizeof(p), "%s%s", path, side[i]);
        unlink(p);
    }
    ft_remove(path);
}

Test(feed_sqlite, one_item)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("name", "a"))};
    kumo_item_set_int(it[0], "n", 1);
    kumo_item_set_float(it[0], "f", 1.5);
    char path[128], got[256];
    sqlite3 *db;
    export(path, sizeof(path), NULL, NULL, 0, it, 1, &db);
    cr_assert_str_eq(columns(db, "items", got, sizeof(got)), "name TEXT, n INTEGER, f REAL");
    cr_assert_str_eq(query(db, "SELECT count(*) FROM items", got, sizeof(got)), "1");
    cr_assert_str_eq(query(db, "SELECT name || '|' || n || '|' || f FROM items", got,
                           sizeof(got)), "a|1|1.5");
    close_db(db, path);
    ft_unref_all(it, 1);
}

Test(feed_sqlite, two_items_and_a_new_field)
{
    kumo_item *it[2] = {ft_item(KUMO_LIST("a", "1")), ft_item(KUMO_LIST("b", "2", "a", "3"))};
    char path[128], got[256];
    sqlite3 *db;
    export(path, sizeof(path), "quotes", NULL, 0, it, 2, &db);
    cr_assert_str_eq(columns(db, "quotes", got, sizeof(got)), "a TEXT, b TEXT");
    cr_assert_str_eq(query(db, "SELECT group_concat(a || '/' || quote(b), ' ') FROM "
                           "(SELECT * FROM quotes ORDER BY rowid)", got, sizeof(got)),
                     "1/NULL 3/'2'");
    close_db(db, path);
    ft_unref_all(it, 2);
}

Test(feed_sqlite, unicode)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("\xc3\xa9t\xc3\xa9", "caf\xc3\xa9 \xf0\x9f\x98\x80"))};
    char path[128], got[256];
    sqlite3 *db;
    export(path, sizeof(path), NULL, NULL, 0, it, 1, &db);
    cr_assert_str_eq(query(db, "SELECT \"\xc3\xa9t\xc3\xa9\" FROM items", got, sizeof(got)),
                     "caf\xc3\xa9 \xf0\x9f\x98\x80");
    cr_assert_str_eq(query(db, "SELECT typeof(\"\xc3\xa9t\xc3\xa9\") FROM items", got,
                           sizeof(got)), "text");
    close_db(db, path);
    ft_unref_all(it, 1);
}

Test(feed_sqlite, field_order)
{
    kumo_item *it[1] = {ft_item(KUMO_LIST("a", "1", "b", "2", "c", "3"))};
    char path[128], got[256];
    sqlite3 *db;
    export(path, sizeof(path), NULL, KUMO_LIST("c", "a"), 2, it, 1, &db);
    cr_assert_str_eq(columns(db, "items", got, sizeof(got)), "c TEXT, a TEXT");
    cr_assert_str_eq(query(db, "SELECT c || a FROM items", got, sizeof(got)), "31");
    close_db(db, path);
    ft_unref_all(it, 1);
}
