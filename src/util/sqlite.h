/* sqlite.h - checks shared by kumo's own SQLite files (job, HTTP cache): is this file ours? */
#ifndef KUMO_UTIL_SQLITE_H
#define KUMO_UTIL_SQLITE_H

#include "kumo-int.h"

#include <sqlite3.h>

/* One kind of SQLite file kumo owns, as its messages name it. */
typedef struct kumo_sqlite_kind {
    const char *what;           /* "job": "'PATH' is not a kumo job: ..." */
    const char *action;         /* "read job": "cannot read job 'PATH': ..." */
    int64_t app_id;             /* its PRAGMA application_id */
} kumo_sqlite_kind;

/*
 * Write into err (NULL is ignored) a one-line reason for the SQLite failure rc while reading
 * the kind k file path, through h (NULL when it could not be opened):
 *   "'PATH' is not a kumo WHAT: not an SQLite database (not touched)"   (SQLITE_NOTADB)
 *   "'PATH' is corrupt: REASON (not touched)"                           (SQLITE_CORRUPT)
 *   "cannot ACTION 'PATH': REASON"                                      (anything else)
 */
void kumo__sqlite_err(const kumo_sqlite_kind *k, const char *path, sqlite3 *h, int rc,
                     char *err, size_t errlen);

/*
 * Check the SQLite file path, open on h, before kumo writes to it; only reads it.  Returns
 * KUMO_OK with *fresh (it holds no table and no application id: an empty file, or a create
 * cut short) and *version (its PRAGMA user_version), else a one-line message in err:
 * KUMO_EIO when it cannot be read (as kumo__sqlite_err), or KUMO_EINVAL when it is not fresh
 * and its application id is not k->app_id: "'PATH' is not a kumo WHAT: an SQLite database
 * of another application (not touched)".  The schema version is the caller's to judge.
 */
int kumo__sqlite_check(const kumo_sqlite_kind *k, sqlite3 *h, const char *path, bool *fresh,
                      int64_t *version, char *err, size_t errlen);

#endif
