/* feed_sqlite.c - the SQLite feed format: items as the rows of one table per spider. */
#include "pipeline/feed.h"
#include "util/fs.h"
#include "util/utf8.h"

#include <sqlite3.h>
#include <unistd.h>

#define LOGGER "kumo.extensions.feedexport"

/* The database, the table's columns as known, and the open transaction. */
typedef struct sqlite_state {
    sqlite3 *db;
    char *table;            /* the name, unquoted */
    char **cols;            /* the table's columns, NULL when the table does not exist */
    size_t ncols;
    bool exists;
    bool in_txn;
    sqlite3_stmt *insert;   /* the last INSERT, reused while the columns are the same */
    kumo_buf sql;           /* its text */
    kumo_buf scratch;
} sqlite_state;

/* Append name as a quoted SQL identifier: "a""b". */
static int put_ident(kumo_buf *b, const char *name)
{
    int rc = kumo__buf_addc(b, '"');
    for (const char *p = name; *p && rc == KUMO_OK; p++)
        rc = *p == '"' ? kumo__buf_adds(b, "\"\"") : kumo__buf_addc(b, *p);
    return rc != KUMO_OK ? rc : kumo__buf_addc(b, '"');
}

static int fail(kumo_feed *f, const char *what)
{
    sqlite_state *st = f->state;
    KUMO_ERROR(LOGGER, "Error writing sqlite feed %s: %s: %s", f->uri, what,
               st->db ? sqlite3_errmsg(st->db) : "no database");
    if (!f->werrno)
        f->werrno = EIO;
    return KUMO_EIO;
}

static int exec(kumo_feed *f, const char *sql)
{
    sqlite_state *st = f->state;
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? KUMO_OK : fail(f, sql);
}

static void add_col(sqlite_state *st, const char *name)
{
    st->cols = kumo_realloc(st->cols, (st->ncols + 1) * sizeof(*st->cols), KUMO_T_FEED,
                            KUMO_V_NONE);
    st->cols[st->ncols++] = kumo_strdup(name, KUMO_T_STR, KUMO_V_NONE);
}

/* SQLite compares column names without regard to ASCII case. */
static bool has_col(const sqlite_state *st, const char *name)
{
    for (size_t i = 0; i < st->ncols; i++)
        if (sqlite3_stricmp(st->cols[i], name) == 0)
            return true;
    return false;
}

/* The columns of an existing table (appending to a database of an earlier run). */
static int load_cols(kumo_feed *f)
{
    sqlite_state *st = f->state;
    kumo_buf *b = &st->scratch;
    kumo__buf_reset(b);
    kumo__buf_adds(b, "PRAGMA table_info(");
    put_ident(b, st->table);
    kumo__buf_addc(b, ')');
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, kumo__buf_str(b), -1, &q, NULL) != SQLITE_OK)
        return KUMO_EIO;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 1);
        add_col(st, name ? name : "");
        st->exists = true;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? KUMO_OK : KUMO_EIO;
}

static int sqlite_open(kumo_feed *f, const kumo_feed_opts *o, char *err, size_t errlen)
{
    sqlite_state *st = kumo_calloc(1, sizeof(*st), KUMO_T_FEED, KUMO_V_NONE);
    f->state = st;
    st->table = kumo_strdup(o->table && *o->table ? o->table : "items", KUMO_T_STR,
                            KUMO_V_NONE);
    kumo__buf_init(&st->sql, 0, KUMO_T_FEED, KUMO_V_NONE);
    kumo__buf_init(&st->scratch, 0, KUMO_T_FEED, KUMO_V_NONE);
    const char *slash = strrchr(f->path, '/');
    if (slash && slash != f->path) {
        char *dir = kumo_strndup(f->path, (size_t)(slash - f->path), KUMO_T_STR, KUMO_V_NONE);
        int e = kumo__mkdirs(dir);
        kumo_free(dir);
        if (e) {
            snprintf(err, errlen, "cannot open '%s': %s", f->path, strerror(e));
            return KUMO_EIO;
        }
    }
    if (o->overwrite && unlink(f->path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot open '%s': %s", f->path, strerror(errno));
        return KUMO_EIO;
    }
    int rc = sqlite3_open_v2(f->path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK && load_cols(f) != KUMO_OK)
        rc = SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open '%s': %s", f->path,
                 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        return KUMO_EIO;
    }
    return KUMO_OK;
}

/* The declared type of a new column, from the first value that brings it. */
static const char *col_type(const kumo_value *v)
{
    switch (v->type) {
    case KUMO_VAL_BOOL:
    case KUMO_VAL_INT:
        return " INTEGER";
    case KUMO_VAL_FLOAT:
        return " REAL";
    case KUMO_VAL_NONE:
        return "";
    default:
        return " TEXT";
    }
}

/* CREATE TABLE with the item's fields, or ALTER TABLE ADD COLUMN for the new ones. */
static int add_columns(kumo_feed *f, const kumo_map *fields)
{
    sqlite_state *st = f->state;
    kumo_buf *b = &st->scratch;
    if (!st->exists) {
        kumo__buf_reset(b);
        kumo__buf_adds(b, "CREATE TABLE ");
        put_ident(b, st->table);
        kumo__buf_adds(b, " (");
        size_t n = 0;
        for (size_t i = 0; i < fields->len; i++) {
            if (has_col(st, fields->e[i].key))
                continue;
            kumo__buf_adds(b, n++ ? ", " : "");
            put_ident(b, fields->e[i].key);
            kumo__buf_adds(b, col_type(&fields->e[i].val));
            add_col(st, fields->e[i].key);
        }
        kumo__buf_addc(b, ')');
        if (n == 0)
            return KUMO_OK;     /* no field yet: the table comes with the first one */
        st->exists = true;
        return exec(f, kumo__buf_str(b));
    }
    for (size_t i = 0; i < fields->len; i++) {
        if (has_col(st, fields->e[i].key))
            continue;
        kumo__buf_reset(b);
        kumo__buf_adds(b, "ALTER TABLE ");
        put_ident(b, st->table);
        kumo__buf_adds(b, " ADD COLUMN ");
        put_ident(b, fields->e[i].key);
        kumo__buf_adds(b, col_type(&fields->e[i].val));
        if (exec(f, kumo__buf_str(b)) != KUMO_OK)
            return KUMO_EIO;
        add_col(st, fields->e[i].key);
    }
    return KUMO_OK;
}

/* Bind one value: NULL, INTEGER, REAL, TEXT; lists and items as JSON text. */
static int bind(sqlite_state *st, int idx, const kumo_value *v)
{
    kumo_buf *b = &st->scratch;
    kumo__buf_reset(b);
    switch (v->type) {
    case KUMO_VAL_NONE:
        return sqlite3_bind_null(st->insert, idx);
    case KUMO_VAL_BOOL:
        return sqlite3_bind_int64(st->insert, idx, v->u.b ? 1 : 0);
    case KUMO_VAL_INT:
        return sqlite3_bind_int64(st->insert, idx, v->u.i);
    case KUMO_VAL_FLOAT:
        return sqlite3_bind_double(st->insert, idx, v->u.f);
    case KUMO_VAL_STR:
        kumo__buf_add_utf8(b, v->u.str.s, v->u.str.len);
        break;
    case KUMO_VAL_OBJ:
        if (!kumo_class_is(v->u.obj->cls, &KUMO_CLASS(Item))) {
            kumo__buf_add_repr(b, v->u.obj);    /* "<GET url>", as csv and xml */
            break;
        }
        kumo__feed_json_value(b, v);    /* an item as a JSON object */
        break;
    case KUMO_VAL_LIST:
        kumo__feed_json_value(b, v);
        break;
    }
    return sqlite3_bind_text(st->insert, idx, b->s ? b->s : "", (int)b->len, SQLITE_TRANSIENT);
}

/* Prepare the INSERT for these fields, unless the last one had the same. */
static int prepare_insert(kumo_feed *f, const kumo_map *fields, const char **used,
                          size_t *nused)
{
    sqlite_state *st = f->state;
    kumo_buf *b = &st->scratch;
    kumo__buf_reset(b);
    kumo__buf_adds(b, "INSERT INTO ");
    put_ident(b, st->table);
    *nused = 0;
    for (size_t i = 0; i < fields->len; i++) {
        bool dup = false;   /* "Name" and "name" are one column: the first one wins */
        for (size_t k = 0; k < *nused && !dup; k++)
            dup = sqlite3_stricmp(used[k], fields->e[i].key) == 0;
        if (dup)
            continue;
        kumo__buf_adds(b, *nused ? ", " : " (");
        put_ident(b, fields->e[i].key);
        used[(*nused)++] = fields->e[i].key;
    }
    if (*nused == 0) {
        kumo__buf_adds(b, " DEFAULT VALUES");
    } else {
        kumo__buf_adds(b, ") VALUES (");
        for (size_t i = 0; i < *nused; i++)
            kumo__buf_adds(b, i ? ", ?" : "?");
        kumo__buf_addc(b, ')');
    }
    if (st->insert && st->sql.len == b->len && memcmp(st->sql.s, b->s, b->len) == 0)
        return KUMO_OK;
    sqlite3_finalize(st->insert);
    st->insert = NULL;
    kumo__buf_reset(&st->sql);
    kumo__buf_add(&st->sql, b->s, b->len);
    if (sqlite3_prepare_v2(st->db, kumo__buf_str(&st->sql), (int)st->sql.len, &st->insert,
                           NULL) != SQLITE_OK) {
        kumo__buf_reset(&st->sql);
        return fail(f, "cannot prepare the insert");
    }
    return KUMO_OK;
}

static int sqlite_item(kumo_feed *f, const kumo_map *fields)
{
    sqlite_state *st = f->state;
    if (!st->in_txn) {
        if (exec(f, "BEGIN") != KUMO_OK)
            return KUMO_EIO;
        st->in_txn = true;
    }
    if (add_columns(f, fields) != KUMO_OK)
        return KUMO_EIO;
    if (!st->exists)
        return KUMO_OK;     /* an item without fields before any table: nothing to store */
    const char *used_small[32];
    const char **used = fields->len <= KUMO_ARRAY_LEN(used_small)
                            ? used_small
                            : kumo_calloc(fields->len, sizeof(*used), KUMO_T_FEED, KUMO_V_NONE);
    size_t nused;
    int rc = prepare_insert(f, fields, used, &nused);
    int idx = 1;
    for (size_t i = 0; i < fields->len && rc == KUMO_OK && (size_t)idx <= nused; i++) {
        if (fields->e[i].key != used[idx - 1])
            continue;
        if (bind(st, idx++, &fields->e[i].val) != SQLITE_OK)
            rc = fail(f, "cannot bind a value");
    }
    if (used != used_small)
        kumo_free(used);
    if (rc == KUMO_OK && sqlite3_step(st->insert) != SQLITE_DONE)
        rc = fail(f, "cannot insert an item");
    if (st->insert) {
        sqlite3_reset(st->insert);
        sqlite3_clear_bindings(st->insert);
    }
    return rc;
}

/* Commit the items written since the last flush: one transaction per batch of items. */
static int sqlite_flush(kumo_feed *f)
{
    sqlite_state *st = f->state;
    if (!st->in_txn)
        return KUMO_OK;
    st->in_txn = false;
    return exec(f, "COMMIT");
}

static int sqlite_close(kumo_feed *f)
{
    sqlite_state *st = f->state;
    int rc = sqlite_flush(f);
    sqlite3_finalize(st->insert);
    st->insert = NULL;
    if (sqlite3_close(st->db) != SQLITE_OK && rc == KUMO_OK)
        rc = fail(f, "cannot close the database");
    st->db = NULL;
    return rc;
}

static void sqlite_release(kumo_feed *f)
{
    sqlite_state *st = f->state;
    if (!st)
        return;
    if (st->insert)
        sqlite3_finalize(st->insert);
    if (st->db)
        sqlite3_close(st->db);
    for (size_t i = 0; i < st->ncols; i++)
        kumo_free(st->cols[i]);
    kumo_free(st->cols);
    kumo_free(st->table);
    kumo__buf_release(&st->sql);
    kumo__buf_release(&st->scratch);
    kumo_free(st);
    f->state = NULL;
}

static const char *const sqlite_exts[] = {"sqlite", "sqlite3", "db", NULL};

const kumo_feed_fmt kumo__feed_sqlite = {
    .name = "sqlite",
    .exts = sqlite_exts,
    .item = sqlite_item,
    .release = sqlite_release,
    .open = sqlite_open,
    .flush = sqlite_flush,
    .close = sqlite_close,
};
