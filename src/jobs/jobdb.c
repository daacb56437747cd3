/* jobdb.c - the job file DIR/kumo.sqlite: checks before any write, schema and migrations,
 * batched transactions, and the link between a crawl and its job. */
#include "jobs/jobdb.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/sqlite.h"
#include "core/crawler.h"
#include "core/registry.h"
#include "core/settings.h"
#include "core/spider.h"
#include "core/stats.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOGGER "kumo.jobs"

/* PRAGMA application_id of a kumo job: "kumo" in ASCII. */
#define KUMO_JOB_APP_ID 0x6b756d6f

struct kumo_jobdb {
    sqlite3 *h;
    char *path;                 /* DIR/kumo.sqlite */
    int dirfd;                  /* holds the flock that keeps a second kumo out; -1 */
    bool resumed, readonly, in_tx, failed;
    uint32_t once;              /* kumo__jobdb_once() flags */
    double interval, last_commit;
    sqlite3_stmt *begin, *commit, *get, *set;
};

/* The schema of version 1.  Requests: id is the scheduler's sequence (LIFO within a
 * priority); state 0 pending, 1 handed to the engine (in flight: pending again on resume). */
static const char schema_v1[] =
    "CREATE TABLE kumo_job(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE requests("
    "  id INTEGER PRIMARY KEY,"
    "  priority INTEGER NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  url TEXT NOT NULL,"
    "  method TEXT,"                    /* NULL: GET */
    "  headers TEXT,"                   /* JSON [[name, value], ...], NULL: none */
    "  body BLOB,"
    "  callback TEXT,"                  /* name; NULL: the spider's first callback */
    "  errback TEXT,"
    "  meta TEXT,"                      /* JSON object, NULL: empty */
    "  depth INTEGER NOT NULL DEFAULT 0,"
    "  flags INTEGER NOT NULL DEFAULT 0);"     /* 1: dont_filter */
    "CREATE INDEX requests_next ON requests(state, priority DESC, id DESC);"
    "CREATE TABLE seen(fp BLOB PRIMARY KEY) WITHOUT ROWID;"
    "CREATE TABLE state(key TEXT NOT NULL UNIQUE, value TEXT NOT NULL);"
    "CREATE TABLE stats(key TEXT NOT NULL UNIQUE, value TEXT NOT NULL);";

/*
 * migrations[v - 1] upgrades a job of schema v to v + 1, inside one transaction.  Append
 * one entry (and bump KUMO_JOB_SCHEMA) for each schema change; never edit an old one.
 */
static const char *const migrations[] = {
    /* 1 -> 2: the callback's keyword arguments and the request class */
    "ALTER TABLE requests ADD COLUMN cb_kwargs TEXT;"   /* JSON object, NULL: empty */
    "ALTER TABLE requests ADD COLUMN class TEXT;",      /* NULL: Request */
    /* 2 -> 3: new fingerprints go to a small table, merged into seen in key order */
    "CREATE TABLE IF NOT EXISTS seen_new(fp BLOB PRIMARY KEY) WITHOUT ROWID;",
    NULL,
};


static const kumo_sqlite_kind job_kind = {
    .what = "job", .action = "read job", .app_id = KUMO_JOB_APP_ID,
};

/* A one-line reason for an SQLite failure while checking the file. */
static void check_err(const char *path, sqlite3 *h, int rc, char *err, size_t errlen)
{
    kumo__sqlite_err(&job_kind, path, h, rc, err, errlen);
}

/*
 * Check an existing file with a read-only connection (which never writes it): *fresh when
 * it holds no table at all (an empty file, or a create cut short), *version its schema.
 */
static int check_file(const char *path, const char *spider, bool *fresh, int64_t *version,
                      char *err, size_t errlen)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        check_err(path, h, rc, err, errlen);
        sqlite3_close(h);
        return KUMO_EIO;
    }
    int ret = kumo__sqlite_check(&job_kind, h, path, fresh, version, err, errlen);
    if (ret != KUMO_OK || *fresh) {
        /* refused (err says why), or fresh: nothing more to check */
    } else if (*version > KUMO_JOB_SCHEMA) {
        kumo__err_printf(err, errlen, "'%s' has job schema %lld, newer than this kumo's %d: "
                        "use a newer kumo (not touched)", path, (long long)*version,
                        KUMO_JOB_SCHEMA);
        ret = KUMO_EINVAL;
    } else if (*version < 1) {
        kumo__err_printf(err, errlen, "'%s' has an unknown job schema version %lld "
                        "(not touched)", path, (long long)*version);
        ret = KUMO_EINVAL;
    } else if (spider) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(h, "SELECT value FROM kumo_job WHERE key = 'spider'", -1, &st,
                                NULL);
        rc = rc == SQLITE_OK ? sqlite3_step(st) : rc;
        if (rc == SQLITE_ROW) {
            const char *was = (const char *)sqlite3_column_text(st, 0);
            if (!was || strcmp(was, spider) != 0) {
                kumo__err_printf(err, errlen, "'%s' is the job of spider '%s', not '%s' "
                                "(not touched)", path, was ? was : "?", spider);
                ret = KUMO_EINVAL;
            }
        } else {
            check_err(path, h, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, err, errlen);
            ret = KUMO_EIO;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return ret;
}

static int exec(kumo_jobdb *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        KUMO_ERROR(LOGGER, "job '%s': %s", db->path, msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return rc;
}

static int prepare(kumo_jobdb *db, const char *sql, sqlite3_stmt **st)
{
    return sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

/* Create the schema (fresh) or migrate it to KUMO_JOB_SCHEMA, in one transaction. */
static int setup_schema(kumo_jobdb *db, bool fresh, int64_t version, const char *spider,
                        char *err, size_t errlen)
{
    char sql[256];
    if (exec(db, "BEGIN IMMEDIATE") != SQLITE_OK)
        goto fail;
    if (fresh) {
        if (exec(db, schema_v1) != SQLITE_OK)
            goto fail_tx;
        version = 1;
    }
    for (; version < KUMO_JOB_SCHEMA; version++)
        if (!migrations[version - 1] || exec(db, migrations[version - 1]) != SQLITE_OK)
            goto fail_tx;
    snprintf(sql, sizeof(sql), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
             KUMO_JOB_APP_ID, KUMO_JOB_SCHEMA);
    if (exec(db, sql) != SQLITE_OK)
        goto fail_tx;
    if (fresh) {
        char *ins = sqlite3_mprintf("INSERT INTO kumo_job(key, value) VALUES ('app', 'kumo'), "
                                    "('spider', %Q), ('created', %lld), ('start_pos', 0), "
                                    "('finished', 0), ('runs', 0)",
                                    spider ? spider : "", (long long)time(NULL));
        int rc = exec(db, ins);
        sqlite3_free(ins);
        if (rc != SQLITE_OK)
            goto fail_tx;
    }
    if (exec(db, "COMMIT") != SQLITE_OK)
        goto fail_tx;
    return KUMO_OK;
fail_tx:
    sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
fail:
    kumo__err_printf(err, errlen, "cannot set up job '%s': %s", db->path, sqlite3_errmsg(db->h));
    return KUMO_EIO;
}

int kumo__jobdb_open(kumo_jobdb **out, const char *dir, const char *spider, bool readonly,
                    char *err, size_t errlen)
{
    *out = NULL;
    if (!dir || !*dir) {
        kumo__err_printf(err, errlen, "no job directory given");
        return KUMO_EINVAL;
    }
    kumo_jobdb *db = kumo_calloc(1, sizeof(*db), KUMO_T_QUEUE, KUMO_V_NONE);
    db->dirfd = -1;
    db->readonly = readonly;
    size_t n = strlen(dir) + sizeof("/" KUMO_JOB_FILE);
    db->path = kumo_alloc(n, KUMO_T_STR, KUMO_V_NONE);
    snprintf(db->path, n, "%s/%s", dir, KUMO_JOB_FILE);
    int rc = KUMO_EIO;
    struct stat st;
    bool exists = stat(db->path, &st) == 0;
    if (readonly) {
        if (!exists) {
            kumo__err_printf(err, errlen, "no job in '%s': %s", dir, strerror(errno));
            rc = KUMO_ENOENT;
            goto fail;
        }
    } else {
        int e = kumo__mkdirs(dir);
        if (e) {
            kumo__err_printf(err, errlen, "cannot create job directory '%s': %s", dir,
                            strerror(e));
            goto fail;
        }
        db->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (db->dirfd < 0 || flock(db->dirfd, LOCK_EX | LOCK_NB) != 0) {
            kumo__err_printf(err, errlen, "job '%s' is in use by another kumo process", db->path);
            goto fail;
        }
    }
    bool fresh = true;
    int64_t version = 0;
    if (exists && st.st_size > 0) {
        rc = check_file(db->path, spider, &fresh, &version, err, errlen);
        if (rc != KUMO_OK)
            goto fail;
        rc = KUMO_EIO;
    }
    if (readonly && fresh) {
        kumo__err_printf(err, errlen, "'%s' is an empty job", db->path);
        goto fail;
    }
    if (exists && st.st_size == 0)
        KUMO_INFO(LOGGER, "job '%s' is an empty file (0 bytes): starting a new job", db->path);
    db->resumed = !fresh;
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int src = sqlite3_open_v2(db->path, &db->h, flags, NULL);
    if (src != SQLITE_OK) {
        check_err(db->path, db->h, src, err, errlen);
        goto fail;
    }
    sqlite3_busy_timeout(db->h, 2000);
    if (!readonly) {
        int prc;
        sqlite3_stmt *wal;
        const char *mode = "";
        prc = sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &wal, NULL);
        if (prc == SQLITE_OK && sqlite3_step(wal) == SQLITE_ROW)
            mode = (const char *)sqlite3_column_text(wal, 0);
        bool ok = mode && strcmp(mode, "wal") == 0;
        sqlite3_finalize(wal);
        if (!ok) {
            check_err(db->path, db->h, sqlite3_errcode(db->h), err, errlen);
            goto fail;
        }
        /* a page cache of 256 KiB: a lookup in seen is one leaf read from the OS's cache
         * at any size a process can afford, and new fingerprints no longer dirty seen's
         * leaves one by one (KUMO_JOB_SEEN_MERGE); at 1M queued, 1 MiB took as much CPU */
        if (exec(db, "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -256; "
                     "PRAGMA temp_store = MEMORY") != SQLITE_OK) {
            check_err(db->path, db->h, sqlite3_errcode(db->h), err, errlen);
            goto fail;
        }
        if (setup_schema(db, fresh, version, spider, err, errlen) != KUMO_OK)
            goto fail;
    }
    if (prepare(db, "BEGIN IMMEDIATE", &db->begin) != SQLITE_OK ||
        prepare(db, "COMMIT", &db->commit) != SQLITE_OK ||
        prepare(db, "SELECT value FROM kumo_job WHERE key = ?", &db->get) != SQLITE_OK ||
        (!readonly && prepare(db, "INSERT OR REPLACE INTO kumo_job(key, value) VALUES (?, ?)",
                              &db->set) != SQLITE_OK)) {
        check_err(db->path, db->h, sqlite3_errcode(db->h), err, errlen);
        goto fail;
    }
    db->last_commit = kumo_now();
    *out = db;
    return KUMO_OK;
fail:
    kumo__jobdb_close(db);
    return rc;
}

void kumo__jobdb_close(kumo_jobdb *db)
{
    if (!db)
        return;
    if (db->h && db->in_tx)
        kumo__jobdb_commit(db);
    sqlite3_finalize(db->begin);
    sqlite3_finalize(db->commit);
    sqlite3_finalize(db->get);
    sqlite3_finalize(db->set);
    if (db->h)
        sqlite3_close(db->h);
    if (db->dirfd >= 0)
        close(db->dirfd);           /* releases the flock */
    kumo_free(db->path);
    kumo_free(db);
}

sqlite3 *kumo__jobdb_handle(kumo_jobdb *db)
{
    return db->h;
}

const char *kumo__jobdb_path(const kumo_jobdb *db)
{
    return db->path;
}

bool kumo__jobdb_resumed(const kumo_jobdb *db)
{
    return db->resumed;
}

bool kumo__jobdb_once(kumo_jobdb *db, unsigned bit)
{
    uint32_t m = 1u << (bit & 31);
    bool first = !(db->once & m);
    db->once |= m;
    return first;
}

int kumo__jobdb_fail(kumo_jobdb *db, const char *what)
{
    if (!db->failed)
        KUMO_ERROR(LOGGER, "job '%s': cannot %s: %s", db->path, what, sqlite3_errmsg(db->h));
    db->failed = true;
    return KUMO_EIO;
}

static int step_reset(kumo_jobdb *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? KUMO_OK : kumo__jobdb_fail(db, what);
}

int kumo__jobdb_write(kumo_jobdb *db)
{
    if (db->in_tx || db->readonly)
        return db->readonly ? KUMO_EIO : KUMO_OK;
    int rc = step_reset(db, db->begin, "begin a transaction");
    db->in_tx = rc == KUMO_OK;
    return rc;
}

int kumo__jobdb_commit(kumo_jobdb *db)
{
    if (!db->in_tx)
        return KUMO_OK;
    int rc = step_reset(db, db->commit, "commit");
    db->in_tx = !sqlite3_get_autocommit(db->h);
    db->last_commit = kumo_now();
    return rc;
}

int kumo__jobdb_tick(kumo_jobdb *db)
{
    if (!db->in_tx)
        return KUMO_OK;
    if (db->interval > 0 && kumo_now() - db->last_commit < db->interval)
        return KUMO_OK;
    return kumo__jobdb_commit(db);
}

void kumo__jobdb_set_commit_interval(kumo_jobdb *db, double seconds)
{
    db->interval = seconds;
}

int64_t kumo__jobdb_get_int(kumo_jobdb *db, const char *key, int64_t def)
{
    sqlite3_bind_text(db->get, 1, key, -1, SQLITE_STATIC);
    int64_t v = def;
    if (sqlite3_step(db->get) == SQLITE_ROW && sqlite3_column_type(db->get, 0) == SQLITE_INTEGER)
        v = sqlite3_column_int64(db->get, 0);
    sqlite3_reset(db->get);
    return v;
}

char *kumo__jobdb_get_str(kumo_jobdb *db, const char *key)
{
    sqlite3_bind_text(db->get, 1, key, -1, SQLITE_STATIC);
    char *v = NULL;
    if (sqlite3_step(db->get) == SQLITE_ROW && sqlite3_column_type(db->get, 0) != SQLITE_NULL)
        v = kumo_strdup((const char *)sqlite3_column_text(db->get, 0), KUMO_T_STR, KUMO_V_NONE);
    sqlite3_reset(db->get);
    return v;
}

int kumo__jobdb_set_int(kumo_jobdb *db, const char *key, int64_t v)
{
    if (kumo__jobdb_write(db) != KUMO_OK)
        return KUMO_EIO;
    sqlite3_bind_text(db->set, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(db->set, 2, v);
    return step_reset(db, db->set, "write the job's state");
}

int kumo__jobdb_set_str(kumo_jobdb *db, const char *key, const char *v)
{
    if (kumo__jobdb_write(db) != KUMO_OK)
        return KUMO_EIO;
    sqlite3_bind_text(db->set, 1, key, -1, SQLITE_STATIC);
    if (v)
        sqlite3_bind_text(db->set, 2, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(db->set, 2);
    return step_reset(db, db->set, "write the job's state");
}

/* ---- the crawl's job ---- */

/* Crawls with a job: one in practice; a short list keyed by crawler. */
typedef struct job_link {
    const kumo_crawler *c;
    kumo_jobdb *db;
    size_t start_pos;
    struct job_link *next;
} job_link;

static job_link *links;

static job_link *link_of(const kumo_crawler *c)
{
    for (job_link *l = links; l; l = l->next)
        if (l->c == c)
            return l;
    return NULL;
}

kumo_jobdb *kumo__job_of(const kumo_crawler *c)
{
    job_link *l = c ? link_of(c) : NULL;
    return l ? l->db : NULL;
}

/* Every pending request's callback must still be one of the spider's. */
static int check_callbacks(kumo_jobdb *db, const kumo_spider_def *def, char *err,
                           size_t errlen)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, "SELECT DISTINCT callback FROM requests WHERE callback IS "
                           "NOT NULL", -1, &st, NULL) != SQLITE_OK) {
        check_err(db->path, db->h, sqlite3_errcode(db->h), err, errlen);
        return KUMO_EIO;
    }
    int rc, ret = KUMO_OK;
    while (ret == KUMO_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        /* a spider's own callbacks, and CrawlSpider's for a spider with rules */
        if (!kumo__spider_def_callback(def, name)) {
            kumo__err_printf(err, errlen, "'%s' has requests for callback '%s', which spider "
                            "'%s' does not define (not touched)", db->path, name, def->name);
            ret = KUMO_EINVAL;
        }
    }
    if (ret == KUMO_OK && rc != SQLITE_DONE) {
        check_err(db->path, db->h, rc, err, errlen);
        ret = KUMO_EIO;
    }
    sqlite3_finalize(st);
    return ret;
}

int kumo__job_open(kumo_crawler *c, char *err, size_t errlen)
{
    const char *dir = kumo__settings_get(kumo__crawler_settings(c), "JOBDIR");
    if (!dir || !*dir)
        return KUMO_OK;
    kumo_jobdb *db;
    int rc = kumo__jobdb_open(&db, dir, kumo__crawler_def(c)->name, false, err, errlen);
    if (rc != KUMO_OK)
        return rc;
    kumo__jobdb_set_commit_interval(db, kumo__settings_float(kumo__crawler_settings(c),
                                                           "JOBDIR_COMMIT_INTERVAL"));
    if (db->resumed) {
        rc = check_callbacks(db, kumo__crawler_def(c), err, errlen);
        if (rc == KUMO_OK && (kumo__jobdb_load_stats(db, kumo__crawler_stats(c)) != KUMO_OK ||
                              (kumo_crawler_spider(c) &&
                               kumo__jobdb_load_map(db, "state", &kumo_crawler_spider(c)->state) !=
                                   KUMO_OK))) {
            check_err(db->path, db->h, sqlite3_errcode(db->h), err, errlen);
            rc = KUMO_EIO;
        }
        if (rc != KUMO_OK) {
            kumo__jobdb_close(db);
            return rc;
        }
    }
    int64_t pos = kumo__jobdb_get_int(db, "start_pos", 0);
    if (kumo__jobdb_set_int(db, "running", 1) != KUMO_OK ||
        kumo__jobdb_set_int(db, "runs", kumo__jobdb_get_int(db, "runs", 0) + 1) != KUMO_OK ||
        kumo__jobdb_commit(db) != KUMO_OK) {
        check_err(db->path, db->h, sqlite3_errcode(db->h), err, errlen);
        kumo__jobdb_close(db);
        return KUMO_EIO;
    }
    job_link *l = kumo_calloc(1, sizeof(*l), KUMO_T_QUEUE, KUMO_V_NONE);
    l->c = c;
    l->db = db;
    l->start_pos = pos > 0 ? (size_t)pos : 0;
    l->next = links;
    links = l;
    KUMO_DEBUG(LOGGER, "Job in %s (%s)", db->path, db->resumed ? "resumed" : "new");
    return KUMO_OK;
}

void kumo__job_checkpoint(kumo_crawler *c, bool closing, size_t pending)
{
    kumo_jobdb *db = kumo__job_of(c);
    if (!db)
        return;
    kumo__jobdb_save_map(db, "stats", kumo__stats_map(kumo__crawler_stats(c)));
    if (kumo_crawler_spider(c)) {   /* callbacks write it, on a parse thread too */
        kumo__spider_lock(kumo_crawler_spider(c));
        kumo__jobdb_save_map(db, "state", &kumo_crawler_spider(c)->state);
        kumo__spider_unlock(kumo_crawler_spider(c));
    }
    if (closing) {
        const kumo_value *v = kumo__stats_get(kumo__crawler_stats(c), "finish_reason");
        const char *reason = v && v->type == KUMO_VAL_STR ? v->u.str.s : NULL;
        kumo__jobdb_set_str(db, "finish_reason", reason);
        kumo__jobdb_set_int(db, "finished", reason && strcmp(reason, "finished") == 0 &&
                                               pending == 0 && !db->failed);
        kumo__jobdb_set_int(db, "running", 0);
    }
    kumo__jobdb_commit(db);
}

void kumo__job_close(kumo_crawler *c)
{
    for (job_link **p = &links; *p; p = &(*p)->next) {
        if ((*p)->c != c)
            continue;
        job_link *l = *p;
        *p = l->next;
        kumo__jobdb_close(l->db);
        kumo_free(l);
        return;
    }
}

size_t kumo__job_start_pos(const kumo_crawler *c)
{
    job_link *l = c ? link_of(c) : NULL;
    return l ? l->start_pos : 0;
}

bool kumo__job_resumed(const kumo_crawler *c)
{
    const kumo_jobdb *db = kumo__job_of(c);
    return db && kumo__jobdb_resumed(db);
}

void kumo__job_set_start_pos(kumo_crawler *c, size_t pos)
{
    job_link *l = link_of(c);
    if (!l || pos <= l->start_pos)
        return;
    l->start_pos = pos;
    kumo__jobdb_set_int(l->db, "start_pos", (int64_t)pos);
}

/* Core reaches the job only through what is registered here. */
static const kumo_job_hooks job_hooks = {
    .open = kumo__job_open,
    .close = kumo__job_close,
    .start_pos = kumo__job_start_pos,
    .set_start_pos = kumo__job_set_start_pos,
    .resumed = kumo__job_resumed,
};

KUMO_REGISTER(register_job)
{
    kumo__register(KUMO_REG_JOB, &job_hooks, 0);
}
