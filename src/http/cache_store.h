/* cache_store.h - the HTTP cache's storage: one SQLite database per spider. */
#ifndef KUMO_CACHE_STORE_H
#define KUMO_CACHE_STORE_H

#include "kumo-int.h"

typedef struct kumo_cache_store kumo_cache_store;

/*
 * Open DIR/SPIDER.sqlite (creating DIR and the file; WAL mode), where responses are kept by
 * request fingerprint: status, url, headers, body and the time they were stored.  Entries
 * older than expiration_secs (0: never) read as missing.  Returns KUMO_OK with *out, or
 * KUMO_EIO with a one-line message in err: the file is corrupt, not a kumo HTTP cache (a
 * foreign SQLite database or another file), or cannot be created.  A file that is not ours
 * is never written.
 */
int kumo__cache_store_open(const char *dir, const char *spider, int64_t expiration_secs,
                          kumo_cache_store **out, char *err, size_t errlen);

/* Close the database and free st; NULL is ignored. */
void kumo__cache_store_close(kumo_cache_store *st);

/* The database's path.  Borrowed, valid until kumo__cache_store_close(). */
const char *kumo__cache_store_path(const kumo_cache_store *st);

/*
 * Returns a new reference to the response stored for req (its class chosen from the stored
 * Content-Type and url, as for a download; its request is req), or NULL when there is none,
 * it expired at time now (epoch seconds), or the database failed (logged once).
 */
kumo_response *kumo__cache_store_retrieve(kumo_cache_store *st, kumo_request *req, double now);

/*
 * Store res as the answer to req at time now, replacing an older entry.  Content-Encoding
 * is not stored: the body is kept as the downloader returned it, already decoded.
 * Returns KUMO_OK, or KUMO_EIO when the database failed (logged once).
 */
int kumo__cache_store_store(kumo_cache_store *st, kumo_request *req, const kumo_response *res,
                           double now);

#endif
