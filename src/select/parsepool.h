/* parsepool.h - worker threads that parse bodies into documents off the loop thread.  The
 * pool knows bytes and an owner that keeps them alive, never what the owner is. */
#ifndef KUMO_PARSEPOOL_H
#define KUMO_PARSEPOOL_H

#include "kumo-int.h"
#include "select/doc.h"

struct event_base;
typedef struct kumo_parsepool kumo_parsepool;

struct kumo_arena;

/* What to parse.  body and url are borrowed: the job's owner keeps them alive and
 * unchanged until done or drop is called for it. */
typedef struct kumo_parse_src {
    const char *body;
    size_t len;
    const char *url;
    char charset[64];           /* the Content-Type charset label, "" to detect */
    bool html;                  /* HTML parser, else XML */
    bool decoded;               /* body is the decoded UTF-8 text already (charset unused) */
    bool skip;                  /* nothing to parse: only report, on a later loop turn */
} kumo_parse_src;

/* Called on the loop thread for each job, in the order the jobs were submitted, with the
 * worker's result: d and the arena that holds it (takes ownership of both; d is NULL when
 * skipped or when libxml2 failed), or, with a work hook, NULL, NULL and the hook's result
 * (done takes it too). */
typedef void (*kumo_parse_done_fn)(void *ctx, void *owner, kumo_xmldoc d,
                                   struct kumo_arena *arena, void *result);
/* Called instead of done for the jobs still pending when the pool is freed, with the work
 * hook's result when it ran (else NULL). */
typedef void (*kumo_parse_drop_fn)(void *owner, void *result);
/*
 * Optional: called on a worker thread after the parse, with the job's owner, d and its
 * arena (ownership passes: d is NULL when skipped or when libxml2 failed), one job at a time
 * and in submission order, whatever the number of workers.  Its result goes to done.
 */
typedef void *(*kumo_parse_work_fn)(void *ctx, void *owner, kumo_xmldoc d,
                                    struct kumo_arena *arena);

/*
 * Optional, with a work hook: called on the loop thread with each part of a job's result
 * its hook posted while it ran (kumo__parsepool_post()), in the order posted, after every
 * job before it was reported and before the job's own done; takes the part.  With dropped
 * (the pool is freed first) only to free it.
 */
typedef void (*kumo_parse_part_fn)(void *ctx, void *owner, void *part, bool dropped);

/*
 * Returns a new pool of nthreads workers (1..16) reporting back on base through done (or
 * drop), or NULL with *err set when a thread or the wake-up pipe cannot be made.
 */
kumo_parsepool *kumo__parsepool_new(struct event_base *base, int nthreads,
                                   kumo_parse_done_fn done, kumo_parse_drop_fn drop,
                                   kumo_parse_work_fn work, void *ctx, int *err);

/* Report the parts a work hook posts to fn; before the first submit. */
void kumo__parsepool_on_part(kumo_parsepool *p, kumo_parse_part_fn fn);

/*
 * From inside the work hook (any thread): hand part to the loop thread now, ahead of the
 * hook's result, so that a job that makes much need not hold it all until it ends.  The
 * loop reports it as soon as the jobs before are reported (at once when the hook runs on a
 * worker; after the hook when the loop thread lent a hand and runs it itself).
 */
void kumo__parsepool_post(kumo_parsepool *p, void *part);

/* Parse src (copied) in a worker for owner, then report on the loop thread: never from
 * inside this call. */
void kumo__parsepool_submit(kumo_parsepool *p, const kumo_parse_src *src, void *owner);

/* fn(ctx, owner) for every job not reported yet, in submission order (loop thread). */
void kumo__parsepool_walk(const kumo_parsepool *p, void (*fn)(void *ctx, void *owner),
                          void *ctx);

/* Jobs submitted and not yet reported. */
size_t kumo__parsepool_pending(const kumo_parsepool *p);

/* Documents parsed (or being parsed) and not yet reported: never more than twice the
 * workers, however many jobs are pending, so the documents alive at once stay bounded. */
size_t kumo__parsepool_ahead(kumo_parsepool *p);

/*
 * Stop the workers (each ends the job it is on), then report the finished jobs at the head of
 * the order to done, on the calling thread, as the loop would have: what a work hook made is
 * not lost.  Nothing can be submitted after it; free the pool next.
 */
void kumo__parsepool_stop(kumo_parsepool *p);

/* Stop the workers, hand what is pending to drop (done is not called) and free. */
void kumo__parsepool_free(kumo_parsepool *p);

#endif
