/* queue_sqlite.c - the SQLite queue backend (JOBDIR): pending requests and seen fingerprints
 * on disk (new fingerprints merged in batches), a bounded window of the next requests in
 * memory, a memory side queue for the requests that cannot be persisted. */
#include "jobs/jobdb.h"
#include "core/crawler.h"
#include "core/registry.h"
#include "core/settings.h"
#include "core/spider.h"
#include "core/stats.h"
#include "http/request.h"
#include "util/heap.h"
#include "util/json.h"

#include "util/timing.h"
#include <event2/event.h>

#define LOGGER "kumo.core.scheduler"
#define WINDOW 64                   /* requests decoded in memory, at most */
/* Recently seen fingerprints, a direct-mapped cache (80 KiB): a site's navigation links,
 * repeated on every page, are answered without SQLite. */
#define FPCACHE_SLOTS (1u << 12)
#define SIDE_BIT (UINT64_C(1) << 63)    /* seq of a request of the memory side queue */
#define JSON_MAX (64u * 1024 * 1024)

typedef struct sq {
    kumo_crawler *c;
    kumo_jobdb *db;
    sqlite3 *h;
    sqlite3_stmt *ins, *next, *mark, *del;
    sqlite3_stmt *probe, *add, *merge, *clear;     /* dupefilter: KUMO_JOB_SEEN_MERGE */
    size_t nnew;                    /* rows of seen_new */
    /* the window: the best pending disk requests, best last; when complete it holds every
     * pending disk request, else exactly the top nwin of them */
    kumo_request *win[WINDOW + 1];
    size_t nwin;
    bool complete;
    size_t ndisk;                   /* pending on disk (the window's included) */
    kumo_request **side;            /* max-heap on (priority, seq) */
    size_t nside, cap_side;
    uint64_t seq;
    unsigned char (*fpcache)[20];   /* a slot: a fingerprint in seen or seen_new */
    kumo_buf json;
    struct event *timer;            /* checkpoints */
    struct event *commit;           /* commits at the end of a loop turn */
    bool per_turn;                  /* JOBDIR_COMMIT_INTERVAL 0: commit once per loop turn */
    bool warned, opened;
} sq;

static uint64_t order_seq(const kumo_request *r)
{
    return r->seq & ~SIDE_BIT;
}

/* a sorts before b: higher priority first, then the most recent (LIFO). */
static bool before(const kumo_request *a, const kumo_request *b)
{
    return a->priority != b->priority ? a->priority > b->priority
                                      : order_seq(a) > order_seq(b);
}

KUMO_HEAP_DEFINE(req_heap, kumo_request *, before)

/* ---- the side queue (memory) ---- */

static void side_push(sq *q, kumo_request *req)
{
    if (q->nside == q->cap_side) {
        q->cap_side = q->cap_side ? q->cap_side * 2 : 16;
        q->side = kumo_realloc(q->side, q->cap_side * sizeof(*q->side), KUMO_T_QUEUE,
                               KUMO_V_QUEUE);
    }
    req_heap_push(q->side, &q->nside, req);
}

static kumo_request *side_pop(sq *q)
{
    return req_heap_pop(q->side, &q->nside);
}

/* ---- encoding requests ---- */

/* Why the map m (named what) cannot be persisted (into why), or NULL when it can. */
static const char *map_unserializable(const kumo_map *m, const char *what, char *why,
                                      size_t n)
{
    for (size_t i = 0; i < m->len; i++) {
        const kumo_map_entry *e = &m->e[i];
        if (kumo_val_holds_object(&e->val)) {
            const kumo_value *v = &e->val;
            snprintf(why, n, "%s key '%s' holds %s object", what, e->key,
                     v->type == KUMO_VAL_OBJ ? v->u.obj->cls->name : "an");
            return why;
        }
    }
    return NULL;
}

/* Why req cannot be persisted (into why), or NULL when it can. */
static const char *unserializable(const sq *q, const kumo_request *req, char *why, size_t n)
{
    if (map_unserializable(&req->meta, "meta", why, n) ||
        map_unserializable(kumo__request_cb_kwargs(req), "cb_kwargs", why, n))
        return why;
    if (req->cb && !kumo__spider_callback_name(kumo_crawler_spider(q->c), req->cb)) {
        snprintf(why, n, "its callback is not one of the spider's callbacks");
        return why;
    }
    kumo_errback_fn ebfn = kumo__request_errback(req);
    if (ebfn && !kumo__spider_errback_name(kumo_crawler_spider(q->c), ebfn)) {
        snprintf(why, n, "its errback is not one of the spider's errbacks");
        return why;
    }
    bool known = false;
    for (size_t i = 0; kumo__request_classes[i]; i++)
        known |= req->ref.cls == kumo__request_classes[i];
    if (!known) {
        snprintf(why, n, "it is a %s", req->ref.cls->name);
        return why;
    }
    return NULL;
}

/* Bind m as a JSON object to column col (NULL when empty); KUMO_OK or SQLITE_TOOBIG. */
static int bind_json_map(sq *q, sqlite3_stmt *st, int col, const kumo_map *m)
{
    if (m->len == 0)
        return sqlite3_bind_null(st, col);
    kumo__buf_reset(&q->json);
    if (kumo__json_map(&q->json, m, ",", ":") != KUMO_OK)
        return SQLITE_TOOBIG;
    return sqlite3_bind_text(st, col, q->json.s, (int)q->json.len, SQLITE_TRANSIENT);
}

static int bind_json_headers(sq *q, sqlite3_stmt *st, int col, const kumo_request *req)
{
    size_t n = kumo_headers_count(req->headers);
    if (n == 0)
        return sqlite3_bind_null(st, col);
    kumo__buf_reset(&q->json);
    kumo__buf_addc(&q->json, '[');
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        kumo_headers_at(req->headers, i, &name, &value);
        kumo__buf_adds(&q->json, i ? ",[" : "[");
        kumo__json_str(&q->json, name, strlen(name));
        kumo__buf_addc(&q->json, ',');
        kumo__json_str(&q->json, value, strlen(value));
        kumo__buf_addc(&q->json, ']');
    }
    if (kumo__buf_addc(&q->json, ']') != KUMO_OK)
        return SQLITE_TOOBIG;
    return sqlite3_bind_text(st, col, q->json.s, (int)q->json.len, SQLITE_TRANSIENT);
}

/* Insert req as pending row id req->seq.  Returns KUMO_OK or KUMO_EIO. */
static int insert(sq *q, const kumo_request *req)
{
    sqlite3_stmt *st = q->ins;
    kumo_spider *sp = kumo_crawler_spider(q->c);
    const char *cb = req->cb ? kumo__spider_callback_name(sp, req->cb) : NULL;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)req->seq);
    sqlite3_bind_int(st, 2, req->priority);
    sqlite3_bind_text(st, 3, req->url, -1, SQLITE_STATIC);
    if (strcmp(req->method, "GET") == 0)
        sqlite3_bind_null(st, 4);
    else
        sqlite3_bind_text(st, 4, req->method, -1, SQLITE_STATIC);
    int rc = bind_json_headers(q, st, 5, req);
    size_t body_len;
    const char *body = kumo__request_body(req, &body_len);
    if (body)
        sqlite3_bind_blob(st, 6, body, (int)body_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    if (cb)
        sqlite3_bind_text(st, 7, cb, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 7);
    if (rc == SQLITE_OK)
        rc = bind_json_map(q, st, 8, &req->meta);
    sqlite3_bind_int64(st, 9, kumo_map_get_int(&req->meta, "depth", 0));
    sqlite3_bind_int(st, 10, req->dont_filter ? 1 : 0);
    const char *eb =
        kumo__spider_errback_name(kumo_crawler_spider(q->c), kumo__request_errback(req));
    if (eb)
        sqlite3_bind_text(st, 11, eb, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 11);
    if (rc == SQLITE_OK)
        rc = bind_json_map(q, st, 12, kumo__request_cb_kwargs(req));
    if (req->ref.cls != &KUMO_CLASS(Request))
        sqlite3_bind_text(st, 13, req->ref.cls->name, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 13);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_OK ? KUMO_OK : kumo__jobdb_fail(q->db, "queue a request");
}

/* Says (WARNING) that row id of job path lost what (a column or part of one) and counts it
 * in stats (may be NULL); the request goes on without it. */
static void lost(const char *path, sqlite3_stmt *st, const kumo_request *req, kumo_stats *stats,
                 const char *what, const char *why)
{
    KUMO_WARN(LOGGER, "job '%s': request %lld <%s %s>: %s %s: dropped, the request goes on "
              "without it", path, (long long)sqlite3_column_int64(st, 0), req->method, req->url,
              what, why);
    if (stats)
        kumo__stats_inc(stats, "scheduler/disk/fields_dropped", 1);
}

/* Parse column col (JSON) into *v; false (said by lost(), *v NONE) when it does not. */
static bool column_json(const char *path, sqlite3_stmt *st, int col, const kumo_request *req,
                        kumo_stats *stats, const char *name, kumo_value *v)
{
    *v = kumo_val_none();
    const char *text = (const char *)sqlite3_column_text(st, col);
    if (!text)
        return false;
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char err[128], why[192], what[64];
    if (kumo__json_parse(text, n, v, err, sizeof(err)) != KUMO_OK) {
        snprintf(what, sizeof(what), "its %s column (%zu bytes)", name, n);
        snprintf(why, sizeof(why), "does not decode as JSON (%s)", err);
        lost(path, st, req, stats, what, why);
        return false;
    }
    if (v->type != KUMO_VAL_LIST) {
        snprintf(what, sizeof(what), "its %s column (%zu bytes)", name, n);
        lost(path, st, req, stats, what, strcmp(name, "headers") == 0
                                             ? "is not a JSON array" : "is not a JSON object");
        kumo_val_clear(v);
        return false;
    }
    return true;
}

/* Says how many entries of column name were not pairs of the right kinds (bad of all). */
static void lost_entries(const char *path, sqlite3_stmt *st, const kumo_request *req,
                         kumo_stats *stats, const char *name, size_t bad, size_t all,
                         const char *kind)
{
    if (bad == 0)
        return;
    char what[96];
    snprintf(what, sizeof(what), "%zu of the %zu entries of its %s column", bad, all, name);
    lost(path, st, req, stats, what, kind);
}

/* Move the [key, value] pairs of a parsed JSON object into m; returns how many entries were
 * not such pairs. */
static size_t pairs_to_map(kumo_value *obj, kumo_map *m)
{
    size_t bad = 0;
    for (size_t i = 0; obj->type == KUMO_VAL_LIST && i < obj->u.list->len; i++) {
        kumo_value *pair = &obj->u.list->v[i];
        if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2 ||
            pair->u.list->v[0].type != KUMO_VAL_STR) {
            bad++;
            continue;
        }
        kumo_map_set(m, pair->u.list->v[0].u.str.s, pair->u.list->v[1]);
        pair->u.list->v[1] = kumo_val_none();
    }
    return bad;
}

/* The meta or cb_kwargs column col (named name) into m. */
static void column_map(const char *path, sqlite3_stmt *st, int col, const kumo_request *req,
                       kumo_stats *stats, const char *name, kumo_map *m)
{
    kumo_value v;
    if (!column_json(path, st, col, req, stats, name, &v))
        return;
    size_t bad = pairs_to_map(&v, m);
    lost_entries(path, st, req, stats, name, bad, v.u.list->len, "are not \"key\": value pairs");
    kumo_val_clear(&v);
}

kumo_request *kumo__queue_sqlite_decode(sqlite3_stmt *st, const kumo_spider_def *def,
                                        const char *path, kumo_stats *stats)
{
    const char *url = (const char *)sqlite3_column_text(st, 2);
    const char *cbname = (const char *)sqlite3_column_text(st, 6);
    const char *ebname = (const char *)sqlite3_column_text(st, 9);
    const char *clsname = (const char *)sqlite3_column_text(st, 11);
    kumo_callback_fn cb = cbname ? kumo__spider_def_callback(def, cbname) : NULL;
    kumo_errback_fn eb = ebname ? kumo__spider_def_errback(def, ebname) : NULL;
    kumo_class *cls = &KUMO_CLASS(Request);
    for (size_t i = 0; clsname && kumo__request_classes[i]; i++)
        if (strcmp(kumo__request_classes[i]->name, clsname) == 0)
            cls = kumo__request_classes[i];
    int err = KUMO_EINVAL;
    const char *why = !url            ? "no url"
                      : cbname && !cb ? "unknown callback"
                      : ebname && !eb ? "unknown errback"
                      : clsname && cls == &KUMO_CLASS(Request) ? "unknown request class"
                                                               : NULL;
    kumo_request *req = !why ? kumo_request_new(url, cb, &err) : NULL;
    if (!req) {
        if (why)
            KUMO_ERROR(LOGGER, "job '%s': request %lld does not decode (%s): dropped", path,
                       (long long)sqlite3_column_int64(st, 0), why);
        else
            KUMO_ERROR(LOGGER, "job '%s': request %lld does not decode (url '%.200s': %s): "
                       "dropped", path, (long long)sqlite3_column_int64(st, 0), url,
                       kumo_strerror(err));
        if (stats)
            kumo__stats_inc(stats, "scheduler/disk/refused", 1);
        return NULL;
    }
    kumo_request_set_errback(req, eb);
    kumo__request_set_class(req, cls);
    req->seq = (uint64_t)sqlite3_column_int64(st, 0);
    req->priority = sqlite3_column_int(st, 1);
    const char *method = (const char *)sqlite3_column_text(st, 3);
    if (sqlite3_column_type(st, 3) != SQLITE_NULL &&
        kumo_request_set_method(req, method) != KUMO_OK) {
        KUMO_ERROR(LOGGER, "job '%s': request %lld has a method that is not an RFC 9110 "
                   "token (%zu bytes): dropped", path, (long long)sqlite3_column_int64(st, 0),
                   strlen(method ? method : ""));
        kumo_request_unref(req);
        return NULL;
    }
    kumo_value v;
    if (column_json(path, st, 4, req, stats, "headers", &v)) {
        size_t bad = 0;
        for (size_t i = 0; i < v.u.list->len; i++) {
            const kumo_value *p = &v.u.list->v[i];
            if (p->type == KUMO_VAL_LIST && p->u.list->len == 2 &&
                p->u.list->v[0].type == KUMO_VAL_STR && p->u.list->v[1].type == KUMO_VAL_STR)
                kumo_headers_add(kumo_request_headers(req), p->u.list->v[0].u.str.s,
                                 p->u.list->v[1].u.str.s);
            else
                bad++;
        }
        lost_entries(path, st, req, stats, "headers", bad, v.u.list->len,
                     "are not [name, value] pairs of strings");
        kumo_val_clear(&v);
    }
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
        kumo_request_set_body(req, sqlite3_column_blob(st, 5),
                              (size_t)sqlite3_column_bytes(st, 5));
    column_map(path, st, 7, req, stats, "meta", &req->meta);
    req->dont_filter = sqlite3_column_int(st, 8) & 1;
    if (sqlite3_column_type(st, 10) != SQLITE_NULL)
        column_map(path, st, 10, req, stats, "cb_kwargs", kumo_request_cb_kwargs(req));
    return req;
}

/* A request from the row the `next` statement stands on, or NULL (logged) when it does not
 * decode. */
static kumo_request *decode(sq *q, sqlite3_stmt *st)
{
    return kumo__queue_sqlite_decode(st, kumo__crawler_def(q->c), kumo__jobdb_path(q->db),
                                    kumo__crawler_stats(q->c));
}

/* ---- the window ---- */

/* Put req (a reference the window takes) in the window, in order; the worst one drops
 * out (it stays on disk) when the window is over its size. */
static void win_insert(sq *q, kumo_request *req)
{
    size_t i = q->nwin;
    while (i > 0 && before(q->win[i - 1], req)) {
        q->win[i] = q->win[i - 1];
        i--;
    }
    q->win[i] = req;
    if (++q->nwin > WINDOW) {
        kumo_request_unref(q->win[0]);
        memmove(q->win, q->win + 1, (q->nwin - 1) * sizeof(*q->win));
        q->nwin--;
        q->complete = false;
    }
}

/* Load the best pending requests from disk into the (empty) window. */
static void win_fill(sq *q)
{
    size_t got = 0;
    int rc;
    while ((rc = sqlite3_step(q->next)) == SQLITE_ROW) {
        got++;
        kumo_request *req = decode(q, q->next);
        if (req) {
            q->win[q->nwin++] = req;
            continue;
        }
        /* an undecodable row: forget it rather than loop on it */
        sqlite3_int64 id = sqlite3_column_int64(q->next, 0);
        if (kumo__jobdb_write(q->db) == KUMO_OK) {
            sqlite3_bind_int64(q->del, 1, id);
            sqlite3_step(q->del);
            sqlite3_reset(q->del);
        }
        q->ndisk--;
    }
    sqlite3_reset(q->next);
    if (rc != SQLITE_DONE) {
        kumo__jobdb_fail(q->db, "read the queue");
        q->ndisk = q->nwin;             /* what is on disk can no longer be read */
    }
    /* rows come best first: the window keeps them best last */
    for (size_t i = 0, j = q->nwin; i + 1 < j; i++, j--) {
        kumo_request *t = q->win[i];
        q->win[i] = q->win[j - 1];
        q->win[j - 1] = t;
    }
    q->complete = got < WINDOW;
}

/* ---- the backend ---- */

static void on_checkpoint(evutil_socket_t fd, short what, void *arg);
static void on_commit(evutil_socket_t fd, short what, void *arg);

static size_t len(void *p)
{
    sq *q = p;
    return q->ndisk + q->nside;
}

static void close_q(void *p)
{
    sq *q = p;
    if (q->timer)
        event_free(q->timer);
    if (q->commit)
        event_free(q->commit);
    if (q->opened)
        kumo__job_checkpoint(q->c, true, len(q));
    for (size_t i = 0; i < q->nwin; i++)
        kumo_request_unref(q->win[i]);
    for (size_t i = 0; i < q->nside; i++)
        kumo_request_unref(q->side[i]);
    kumo_free(q->side);
    sqlite3_finalize(q->ins);
    sqlite3_finalize(q->next);
    sqlite3_finalize(q->mark);
    sqlite3_finalize(q->del);
    sqlite3_finalize(q->probe);
    sqlite3_finalize(q->add);
    sqlite3_finalize(q->merge);
    sqlite3_finalize(q->clear);
    kumo__buf_release(&q->json);
    kumo_free(q->fpcache);
    kumo_free(q);
}

static int prep(sq *q, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v3(q->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

static void *open_q(kumo_crawler *c, int *err)
{
    kumo_jobdb *db = kumo__job_of(c);
    if (!db) {
        *err = KUMO_EINVAL;
        return NULL;
    }
    sq *q = kumo_calloc(1, sizeof(*q), KUMO_T_QUEUE, KUMO_V_NONE);
    q->c = c;
    q->db = db;
    q->h = kumo__jobdb_handle(db);
    kumo__buf_init(&q->json, JSON_MAX, KUMO_T_STR, KUMO_V_QUEUE);
    q->fpcache = kumo_calloc(FPCACHE_SLOTS, 20, KUMO_T_FPSET, KUMO_V_SEEN);
    *err = KUMO_EIO;
    if (prep(q, "INSERT INTO requests(id, priority, url, method, headers, body, callback, "
                "meta, depth, flags, errback, cb_kwargs, class) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &q->ins) ||
        prep(q, "SELECT id, priority, url, method, headers, body, callback, meta, flags, "
                "errback, cb_kwargs, class FROM requests WHERE state = 0 "
                "ORDER BY priority DESC, id DESC LIMIT 64",
             &q->next) ||
        prep(q, "UPDATE requests SET state = 1 WHERE id = ?", &q->mark) ||
        prep(q, "DELETE FROM requests WHERE id = ?", &q->del) ||
        prep(q, "SELECT 1 FROM seen_new WHERE fp = ?1 UNION ALL "
                "SELECT 1 FROM seen WHERE fp = ?1 LIMIT 1", &q->probe) ||
        prep(q, "INSERT OR IGNORE INTO seen_new(fp) VALUES (?)", &q->add) ||
        prep(q, "INSERT OR IGNORE INTO seen(fp) SELECT fp FROM seen_new", &q->merge) ||
        prep(q, "DELETE FROM seen_new", &q->clear)) {
        kumo__jobdb_fail(db, "prepare the queue");
        close_q(q);
        return NULL;
    }
    /* requests in flight when the last run stopped are pending again */
    sqlite3_stmt *st;
    int rc = kumo__jobdb_write(db);
    if (rc == KUMO_OK &&
        sqlite3_exec(q->h, "UPDATE requests SET state = 0 WHERE state = 1", NULL, NULL,
                     NULL) != SQLITE_OK)
        rc = kumo__jobdb_fail(db, "requeue the requests in flight");
    if (rc == KUMO_OK && kumo__jobdb_commit(db) != KUMO_OK)
        rc = KUMO_EIO;
    if (rc == KUMO_OK && sqlite3_prepare_v2(q->h, "SELECT count(*), coalesce(max(id), 0), "
                                            "(SELECT count(*) FROM seen_new) FROM requests",
                                            -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            q->ndisk = (size_t)sqlite3_column_int64(st, 0);
            q->seq = (uint64_t)sqlite3_column_int64(st, 1);
            q->nnew = (size_t)sqlite3_column_int64(st, 2);
        } else {
            rc = kumo__jobdb_fail(db, "count the queue");
        }
        sqlite3_finalize(st);
    }
    if (rc != KUMO_OK) {
        close_q(q);
        return NULL;
    }
    q->complete = q->ndisk == 0;
    q->opened = true;
    if (kumo__jobdb_resumed(db))
        KUMO_INFO(LOGGER, "Resuming crawl (%zu requests scheduled)", q->ndisk);
    double every = kumo__settings_float(kumo__crawler_settings(c), "JOBDIR_CHECKPOINT_INTERVAL");
    if (kumo_crawler_event_base(c) && every > 0) {
        q->timer = event_new(kumo_crawler_event_base(c), -1, EV_PERSIST, on_checkpoint, q);
        struct timeval tv = {(time_t)every, (suseconds_t)((every - (time_t)every) * 1e6)};
        event_add(q->timer, &tv);
    }
    q->per_turn = kumo__settings_float(kumo__crawler_settings(c), "JOBDIR_COMMIT_INTERVAL") <= 0;
    if (kumo_crawler_event_base(c) && q->per_turn)
        q->commit = event_new(kumo_crawler_event_base(c), -1, 0, on_commit, q);
    *err = KUMO_OK;
    return q;
}

/* The loop turn's finished requests (and what they queued) commit together. */
static void on_commit(evutil_socket_t fd, short what, void *arg)
{
    sq *q = arg;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_ENGINE);
    kumo__jobdb_commit(q->db);
    kumo__stage_leave(stage);
}

static void on_checkpoint(evutil_socket_t fd, short what, void *arg)
{
    sq *q = arg;
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_ENGINE);
    kumo__job_checkpoint(q->c, false, len(q));
    kumo__stage_leave(stage);
}

static void push(void *p, kumo_request *req)
{
    sq *q = p;
    kumo_stats *stats = kumo__crawler_stats(q->c);
    char why[256];
    const char *reason = unserializable(q, req, why, sizeof(why));
    req->seq = ++q->seq;
    if (!reason && kumo__jobdb_write(q->db) == KUMO_OK && insert(q, req) == KUMO_OK) {
        q->ndisk++;
        kumo__stats_inc(stats, "scheduler/enqueued/disk", 1);
        if (q->complete || (q->nwin > 0 && before(req, q->win[0])))
            win_insert(q, req);
        else
            kumo_request_unref(req);
        return;
    }
    if (reason) {
        if (!q->warned)
            KUMO_WARN(LOGGER, "Unable to serialize request: <%s %s> - reason: %s - kept in "
                      "memory, it will not survive a stop (no more unserializable requests "
                      "will be logged; see the stat scheduler/unserializable)", req->method,
                      req->url, reason);
        q->warned = true;
        kumo__stats_inc(stats, "scheduler/unserializable", 1);
    }
    req->seq |= SIDE_BIT;
    side_push(q, req);
    kumo__stats_inc(stats, "scheduler/enqueued/memory", 1);
}

static kumo_request *pop(void *p)
{
    sq *q = p;
    if (q->nwin == 0 && q->ndisk > 0)
        win_fill(q);
    kumo_request *disk = q->nwin ? q->win[q->nwin - 1] : NULL;
    if (q->nside && (!disk || before(q->side[0], disk))) {
        kumo__stats_inc(kumo__crawler_stats(q->c), "scheduler/dequeued/memory", 1);
        return side_pop(q);
    }
    if (!disk)
        return NULL;
    q->nwin--;
    q->ndisk--;
    if (kumo__jobdb_write(q->db) == KUMO_OK) {
        sqlite3_bind_int64(q->mark, 1, (sqlite3_int64)disk->seq);
        if (sqlite3_step(q->mark) != SQLITE_DONE)
            kumo__jobdb_fail(q->db, "mark a request in flight");
        sqlite3_reset(q->mark);
    }
    kumo__stats_inc(kumo__crawler_stats(q->c), "scheduler/dequeued/disk", 1);
    return disk;
}

/* req is finished: its row goes, and the transaction holding its outputs commits. */
static void done(void *p, kumo_request *req)
{
    sq *q = p;
    if (req->seq & SIDE_BIT || req->seq == 0)
        return;
    if (kumo__jobdb_write(q->db) == KUMO_OK) {
        sqlite3_bind_int64(q->del, 1, (sqlite3_int64)req->seq);
        if (sqlite3_step(q->del) != SQLITE_DONE)
            kumo__jobdb_fail(q->db, "forget a finished request");
        sqlite3_reset(q->del);
    }
    if (q->commit) {
        if (!event_pending(q->commit, EV_TIMEOUT, NULL))
            event_active(q->commit, EV_TIMEOUT, 0);
    } else {
        kumo__jobdb_tick(q->db);
    }
}

static size_t slot_of(const unsigned char *fp)
{
    uint32_t h;
    memcpy(&h, fp + 4, sizeof(h));
    return h & (FPCACHE_SLOTS - 1);
}

/* Step st once and reset it; returns what the step returned. */
static int step_once(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
}

/* Fold seen_new into seen (in the open transaction, so a crash keeps one or the other). */
static void merge_new(sq *q)
{
    if (step_once(q->merge) != SQLITE_DONE || step_once(q->clear) != SQLITE_DONE)
        kumo__jobdb_fail(q->db, "merge the fingerprints");
    else
        q->nnew = 0;
}

static bool seen_or_add(void *p, const unsigned char fp[20])
{
    sq *q = p;
    static const unsigned char zero[20];
    unsigned char *slot = q->fpcache[slot_of(fp)];
    bool cacheable = memcmp(fp, zero, 20) != 0;     /* an empty slot is all zeros */
    if (cacheable && memcmp(slot, fp, 20) == 0)
        return true;
    if (kumo__jobdb_write(q->db) != KUMO_OK)
        return false;
    sqlite3_bind_blob(q->probe, 1, fp, 20, SQLITE_STATIC);
    int rc = step_once(q->probe);
    bool seen = rc == SQLITE_ROW;
    if (rc == SQLITE_DONE) {
        sqlite3_bind_blob(q->add, 1, fp, 20, SQLITE_STATIC);
        rc = step_once(q->add);
        if (rc == SQLITE_DONE && ++q->nnew >= KUMO_JOB_SEEN_MERGE)
            merge_new(q);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        kumo__jobdb_fail(q->db, "record a fingerprint");
        return false;
    }
    if (cacheable)
        memcpy(slot, fp, 20);   /* in `seen` or `seen_new` from now on */
    return seen;
}

/* The queue of a crawl with a job (JOBDIR). */
static bool wants(kumo_crawler *c)
{
    return kumo__job_of(c) != NULL;
}

const kumo_queue_backend kumo__queue_sqlite = {
    .name = "disk",
    .wants = wants,
    .own_stats = true,
    .open = open_q,
    .close = close_q,
    .push = push,
    .pop = pop,
    .len = len,
    .seen_or_add = seen_or_add,
    .done = done,
};

KUMO_REGISTER(register_queue)
{
    kumo__register(KUMO_REG_QUEUE, &kumo__queue_sqlite, 0);
}
