/* fuzz_job_row.c - a row of a job's requests table as an edited kumo.sqlite may hold it,
 * decoded as a resumed crawl does.  Input: up to 12 fields (id, priority, url, method,
 * headers, body, callback, meta, flags, errback, cb_kwargs, class) cut at NUL bytes; a
 * field's first byte is its type: 'N' NULL, 'I' integer, 'F' float, 'B' blob, else text. */
#include "fuzz.h"
#include "jobs/jobdb.h"
#include "core/spider.h"
#include "http/request.h"

static void parse(kumo_response *res, kumo_out *out)
{
    (void)res;
    (void)out;
}

static void on_error(kumo_failure *f, kumo_out *out)
{
    (void)f;
    (void)out;
}

static const kumo_callback callbacks[] = {{"parse", parse}, {NULL, NULL}};
static const kumo_errback errbacks[] = {{"on_error", on_error}, {NULL, NULL}};
static const kumo_spider_def def = {.name = "fuzz", .callbacks = callbacks,
                                    .errbacks = errbacks};

static sqlite3 *db;
static sqlite3_stmt *row;

static void close_db(void)
{
    sqlite3_finalize(row);
    sqlite3_close(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
            sqlite3_prepare_v2(db, "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12",
                               -1, &row, NULL) != SQLITE_OK)
            abort();
        atexit(close_db);
    }
    const uint8_t *p = data, *end = data + size;
    for (int col = 1; col <= 12; col++) {
        if (p >= end) {
            sqlite3_bind_null(row, col);
            continue;
        }
        const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
        const uint8_t *fe = nul ? nul : end;
        const char *v = (const char *)p + 1;
        int n = fe > p ? (int)(fe - p - 1) : 0;
        char num[32];
        snprintf(num, sizeof(num), "%.*s", n < 31 ? n : 31, v);
        if (*p == 'N')
            sqlite3_bind_null(row, col);
        else if (*p == 'I')
            sqlite3_bind_int64(row, col, strtoll(num, NULL, 10));
        else if (*p == 'F')
            sqlite3_bind_double(row, col, strtod(num, NULL));
        else if (*p == 'B')
            sqlite3_bind_blob(row, col, v, n, SQLITE_TRANSIENT);
        else
            sqlite3_bind_text(row, col, (const char *)p, (int)(fe - p), SQLITE_TRANSIENT);
        p = nul ? nul + 1 : end;
    }
    if (sqlite3_step(row) == SQLITE_ROW) {
        kumo_request *req = kumo__queue_sqlite_decode(row, &def, "fuzz/kumo.sqlite", NULL);
        if (req) {
            kumo__request_fingerprint(req);
            kumo_request_unref(req);
        }
    }
    sqlite3_reset(row);
    sqlite3_clear_bindings(row);
    return 0;
}
