/* jobdb.h - persistent jobs (JOBDIR): the DIR/kumo.sqlite file, its schema and migrations,
 * the crawl's link to it, checkpoints, the spider's state map and the feed repair. */
#ifndef KUMO_JOBDB_H
#define KUMO_JOBDB_H

#include "kumo-int.h"
#include "core/scheduler.h"

#include <sqlite3.h>

/* The job's file inside JOBDIR, and the newest schema this kumo reads and writes. */
#define KUMO_JOB_FILE "kumo.sqlite"
#define KUMO_JOB_SCHEMA 3

/*
 * The dupefilter on disk is two tables.  seen holds most fingerprints; a new one goes to
 * seen_new, a small table that stays in SQLite's page cache, and once it holds this many
 * rows they are folded into seen in key order: one pass over seen's leaves instead of one
 * random leaf read, dirtied and written to the WAL per new fingerprint (SHA-1 digests are
 * spread over the whole table).  A lookup probes both.
 */
#define KUMO_JOB_SEEN_MERGE 16384

typedef struct kumo_jobdb kumo_jobdb;

/*
 * Open the job in dir (created, with its directories, when missing; nothing is created
 * when readonly).  spider, when not NULL, must match the spider recorded in the job.
 * Refused, with the file untouched and a one-line message naming it in err: a file that
 * is not SQLite, is corrupt, is not a kumo job, has an unknown or newer schema version,
 * belongs to another spider, or is in use by another kumo process (readonly skips that
 * last check).  On success *out is a new handle the caller closes with kumo__jobdb_close().
 */
int kumo__jobdb_open(kumo_jobdb **out, const char *dir, const char *spider, bool readonly,
                    char *err, size_t errlen);

/* Commit what is pending and close; db may be NULL. */
void kumo__jobdb_close(kumo_jobdb *db);

/* The SQLite handle, the file's path.  Borrowed, valid until kumo__jobdb_close(). */
sqlite3 *kumo__jobdb_handle(kumo_jobdb *db);
const char *kumo__jobdb_path(const kumo_jobdb *db);

/* True when the job existed before this open (a resume). */
bool kumo__jobdb_resumed(const kumo_jobdb *db);

/*
 * Writes are grouped in transactions: kumo__jobdb_write() opens one when none is open
 * (call it before any write); kumo__jobdb_commit() commits it; kumo__jobdb_tick() commits
 * once the commit interval (JOBDIR_COMMIT_INTERVAL) has passed since the last commit.
 * Return KUMO_OK or KUMO_EIO (logged once with the file's name).
 */
int kumo__jobdb_write(kumo_jobdb *db);
int kumo__jobdb_commit(kumo_jobdb *db);
int kumo__jobdb_tick(kumo_jobdb *db);
void kumo__jobdb_set_commit_interval(kumo_jobdb *db, double seconds);

/* Returns true the first time it is called with bit (0..31) on db: log-once flags. */
bool kumo__jobdb_once(kumo_jobdb *db, unsigned bit);

/* Log an SQLite failure of what (ERROR, naming the file; once per job); returns KUMO_EIO. */
int kumo__jobdb_fail(kumo_jobdb *db, const char *what);

/* The job's own key/value rows (spider, schema_version, start_pos, finished...). */
int64_t kumo__jobdb_get_int(kumo_jobdb *db, const char *key, int64_t def);
/* Returns a new string (kumo_free) or NULL when key is missing. */
char *kumo__jobdb_get_str(kumo_jobdb *db, const char *key);
int kumo__jobdb_set_int(kumo_jobdb *db, const char *key, int64_t v);
int kumo__jobdb_set_str(kumo_jobdb *db, const char *key, const char *v);

/* ---- state.c: maps saved as (key, JSON value) rows ---- */

/*
 * Replace the rows of table ("state" or "stats") with m's entries.  A value holding an
 * object cannot be saved: it is skipped with a WARNING naming the key (the first time per
 * table and job).  Returns KUMO_OK or KUMO_EIO.
 */
int kumo__jobdb_save_map(kumo_jobdb *db, const char *table, const kumo_map *m);

/* Add the rows of table to m (values replaced).  Returns KUMO_OK or KUMO_EIO. */
int kumo__jobdb_load_map(kumo_jobdb *db, const char *table, kumo_map *m);

/* Restore saved stats into st: counters go on from where the last run left them. */
int kumo__jobdb_load_stats(kumo_jobdb *db, kumo_stats *st);

/* ---- the crawl's job: what crawler.c, engine.c and scheduler.c call ---- */

/*
 * With JOBDIR set: open the job for c's spider, repair torn feeds when resuming, restore
 * the stats and the spider's state map, check that every pending request's callback still
 * exists.  Without JOBDIR: nothing.  Returns KUMO_OK, or an error with a one-line message.
 */
int kumo__job_open(kumo_crawler *c, char *err, size_t errlen);

/* c's job, or NULL without JOBDIR.  Borrowed, valid until kumo__job_close(c). */
kumo_jobdb *kumo__job_of(const kumo_crawler *c);

/* Save stats and state, record whether the crawl finished (reason from the stats, and
 * whether requests are left) and commit.  No-op without a job. */
void kumo__job_checkpoint(kumo_crawler *c, bool closing, size_t pending);

/* Close c's job (after the scheduler); no-op without one. */
void kumo__job_close(kumo_crawler *c);

/* Start requests a previous run already scheduled (0 without a job, or a fresh one). */
size_t kumo__job_start_pos(const kumo_crawler *c);

/* Whether c runs a job that an earlier run started (false without JOBDIR). */
bool kumo__job_resumed(const kumo_crawler *c);

/* The engine scheduled start request number pos (1-based count so far). */
void kumo__job_set_start_pos(kumo_crawler *c, size_t pos);

/* The SQLite queue backend (queue_sqlite.c): the scheduler picks it when c has a job. */
extern const kumo_queue_backend kumo__queue_sqlite;

/*
 * The request one row of the requests table encodes, st standing on a row whose columns are
 * id, priority, url, method, headers, body, callback, meta, flags, errback, cb_kwargs,
 * class (any values: the file may have been edited).  Callbacks and errbacks are looked up
 * by name in def.  Returns a new reference, or NULL when the row does not decode (an ERROR
 * naming path and the row's id, counted in stats as scheduler/disk/refused).  A headers,
 * meta or cb_kwargs column (or entry of one) that does not decode is dropped with a WARNING
 * naming the row, the column and why, counted as scheduler/disk/fields_dropped; the request
 * goes on without it.  stats may be NULL.
 */
kumo_request *kumo__queue_sqlite_decode(sqlite3_stmt *st, const kumo_spider_def *def,
                                        const char *path, kumo_stats *stats);

#endif
