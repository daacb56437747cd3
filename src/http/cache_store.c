/* cache_store.c - the HTTP cache's SQLite storage: DIR/SPIDER.sqlite, keyed by fingerprint. */
#include "http/cache_store.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sqlite.h"

#define LOGGER "kumo.extensions.httpcache"

/* PRAGMA application_id of a kumo HTTP cache: "kumc" in ASCII. */
#define KUMO_CACHE_APP_ID 0x6b756d63
#define KUMO_CACHE_SCHEMA 1

/* Headers are stored as "Name: value\n" lines; more than this is not ours. */
#define MAX_HEADERS_TEXT (1u << 24)

struct kumo_cache_store {
    sqlite3 *h;
    char *path;
    int64_t expiration;
    bool warned;                /* a database failure was logged */
    sqlite3_stmt *get, *put;
};

static const char schema_v1[] =
    "CREATE TABLE responses("
    "  fp BLOB PRIMARY KEY,"            /* the request fingerprint, 20 bytes */
    "  time REAL NOT NULL,"             /* epoch seconds when stored */
    "  status INTEGER NOT NULL,"
    "  url TEXT NOT NULL,"              /* the response's url */
    "  headers TEXT NOT NULL,"          /* \"Name: value\\n\" lines */
    "  body BLOB NOT NULL,"
    "  request_method TEXT,"
    "  request_url TEXT);";

static const kumo_sqlite_kind cache_kind = {
    .what = "HTTP cache", .action = "open HTTP cache", .app_id = KUMO_CACHE_APP_ID,
};

/* Check the file and create the schema in a fresh one. */
static int setup(kumo_cache_store *st, char *err, size_t errlen)
{
    int rc;
    sqlite3 *h = st->h;
    sqlite3_busy_timeout(h, 5000);
    bool fresh;
    int64_t version;
    if (kumo__sqlite_check(&cache_kind, h, st->path, &fresh, &version, err, errlen) != KUMO_OK)
        return KUMO_EIO;
    if (!fresh && version != KUMO_CACHE_SCHEMA) {
        snprintf(err, errlen, "'%s' has HTTP cache schema %lld, this kumo reads %d "
                 "(not touched)", st->path, (long long)version, KUMO_CACHE_SCHEMA);
        return KUMO_EIO;
    }
    char *msg = NULL;
    if (fresh) {
        char sql[sizeof(schema_v1) + 160];
        snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; %s PRAGMA application_id = %d; "
                 "PRAGMA user_version = %d; COMMIT;", schema_v1, KUMO_CACHE_APP_ID,
                 KUMO_CACHE_SCHEMA);
        rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            snprintf(err, errlen, "cannot create HTTP cache '%s': %s", st->path,
                     msg ? msg : sqlite3_errstr(rc));
            sqlite3_free(msg);
            sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
            return KUMO_EIO;
        }
    }
    rc = sqlite3_exec(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL, NULL,
                      &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(h, "SELECT time, status, url, headers, body FROM responses "
                                "WHERE fp = ?1", -1, SQLITE_PREPARE_PERSISTENT, &st->get, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v3(h, "INSERT OR REPLACE INTO responses(fp, time, status, url, "
                                "headers, body, request_method, request_url) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1,
                                SQLITE_PREPARE_PERSISTENT, &st->put, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open HTTP cache '%s': %s", st->path,
                 msg ? msg : sqlite3_errmsg(h));
        sqlite3_free(msg);
        return KUMO_EIO;
    }
    return KUMO_OK;
}

int kumo__cache_store_open(const char *dir, const char *spider, int64_t expiration_secs,
                          kumo_cache_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!dir || !*dir)
        dir = ".";
    int e = kumo__mkdirs(dir);
    if (e) {
        snprintf(err, errlen, "cannot create HTTP cache directory '%s': %s", dir, strerror(e));
        return KUMO_EIO;
    }
    kumo_cache_store *st = kumo_calloc(1, sizeof(*st), KUMO_T_OTHER, KUMO_V_CACHE);
    st->expiration = expiration_secs;
    kumo_buf p;
    kumo__buf_init(&p, 0, KUMO_T_STR, KUMO_V_CACHE);
    kumo__buf_printf(&p, "%s/", dir);
    /* a spider name is a file name here: no separators, no leading dot */
    for (const char *c = spider && *spider ? spider : "spider"; *c; c++)
        kumo__buf_addc(&p, (*c == '/' || (*c == '.' && c == spider)) ? '_' : *c);
    kumo__buf_adds(&p, ".sqlite");
    st->path = kumo__buf_detach(&p, NULL);
    int rc = sqlite3_open_v2(st->path, &st->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        kumo__sqlite_err(&cache_kind, st->path, st->h, rc, err, errlen);
        kumo__cache_store_close(st);
        return KUMO_EIO;
    }
    if (setup(st, err, errlen) != KUMO_OK) {
        kumo__cache_store_close(st);
        return KUMO_EIO;
    }
    KUMO_DEBUG(LOGGER, "Using SQLite cache storage in %s", st->path);
    *out = st;
    return KUMO_OK;
}

void kumo__cache_store_close(kumo_cache_store *st)
{
    if (!st)
        return;
    sqlite3_finalize(st->get);
    sqlite3_finalize(st->put);
    sqlite3_close(st->h);
    kumo_free(st->path);
    kumo_free(st);
}

const char *kumo__cache_store_path(const kumo_cache_store *st)
{
    return st->path;
}

static void db_failed(kumo_cache_store *st, int rc)
{
    if (st->warned)
        return;
    st->warned = true;
    KUMO_ERROR(LOGGER, "HTTP cache '%s' failed: %s (further failures not logged)", st->path,
               st->h ? sqlite3_errmsg(st->h) : sqlite3_errstr(rc));
}

/* Parse "Name: value\n" lines into a new Headers, or NULL when malformed. */
static kumo_headers *headers_parse(const char *text, size_t len)
{
    kumo_headers *h = kumo__headers_new();
    const char *p = text, *end = text + len;
    char *line = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!colon || colon == p) {
            kumo__headers_free(h);
            return NULL;
        }
        line = kumo_strndup(p, (size_t)(le - p), KUMO_T_STR, KUMO_V_HEADERS);
        line[colon - p] = '\0';
        const char *v = line + (colon - p) + 1;
        if (*v == ' ')
            v++;
        kumo_headers_add(h, line, v);
        kumo_free(line);
        p = nl ? nl + 1 : end;
    }
    return h;
}

/* Append one header line, with CR and LF (never sent by a server) made spaces. */
static void add_line(kumo_buf *b, const char *name, const char *value)
{
    size_t start = b->len;
    kumo__buf_printf(b, "%s: %s", name, value);
    for (size_t i = start; i < b->len; i++)
        if (b->s[i] == '\r' || b->s[i] == '\n')
            b->s[i] = ' ';
    kumo__buf_addc(b, '\n');
}

kumo_response *kumo__cache_store_retrieve(kumo_cache_store *st, kumo_request *req, double now)
{
    const unsigned char *fp = kumo__request_fingerprint(req);
    kumo_response *res = NULL;
    sqlite3_stmt *q = st->get;
    int rc = sqlite3_bind_blob(q, 1, fp, 20, SQLITE_STATIC);
    rc = rc == SQLITE_OK ? sqlite3_step(q) : rc;
    if (rc == SQLITE_ROW) {
        double t = sqlite3_column_double(q, 0);
        int64_t status = sqlite3_column_int64(q, 1);
        const char *url = (const char *)sqlite3_column_text(q, 2);
        const char *htext = (const char *)sqlite3_column_text(q, 3);
        size_t hlen = (size_t)sqlite3_column_bytes(q, 3);
        const void *body = sqlite3_column_blob(q, 4);
        size_t blen = (size_t)sqlite3_column_bytes(q, 4);
        bool expired = st->expiration > 0 && (double)st->expiration < now - t;
        kumo_headers *h = NULL;
        if (!expired && url && htext && status >= 100 && status <= 999 &&
            hlen <= MAX_HEADERS_TEXT)
            h = headers_parse(htext, hlen);
        if (h) {
            char *b = kumo_alloc(blen + 1, KUMO_T_BYTES, KUMO_V_BODY);
            if (blen)
                memcpy(b, body, blen);
            b[blen] = '\0';
            res = kumo__response_new(req, url, (int)status, h, b, blen);
        }
    } else if (rc != SQLITE_DONE) {
        db_failed(st, rc);
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return res;
}

int kumo__cache_store_store(kumo_cache_store *st, kumo_request *req, const kumo_response *res,
                           double now)
{
    const unsigned char *fp = kumo__request_fingerprint(req);
    kumo_buf hb;
    kumo__buf_init(&hb, 0, KUMO_T_STR, KUMO_V_CACHE);
    size_t n = kumo_headers_count(res->headers);
    for (size_t i = 0; i < n; i++) {
        const char *k, *v;
        kumo_headers_at(res->headers, i, &k, &v);
        if (strcasecmp(k, "Content-Encoding") != 0)
            add_line(&hb, k, v);
    }
    sqlite3_stmt *q = st->put;
    int rc = sqlite3_bind_blob(q, 1, fp, 20, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_double(q, 2, now);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(q, 3, res->status);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 4, res->url, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 5, hb.len ? hb.s : "", (int)hb.len, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_blob64(q, 6, res->body ? res->body : "", res->body_len,
                                 SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 7, req->method, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(q, 8, req->url, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    kumo__buf_release(&hb);
    if (rc != SQLITE_DONE) {
        db_failed(st, rc);
        return KUMO_EIO;
    }
    return KUMO_OK;
}
