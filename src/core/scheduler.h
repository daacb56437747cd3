/* scheduler.h - the scheduler: dupefilter in front of a priority queue backend. */
#ifndef KUMO_SCHEDULER_H
#define KUMO_SCHEDULER_H

#include "kumo-int.h"

/*
 * The one interface the scheduler reaches its queue and fingerprints through (DESIGN §5).
 * Memory is core's own and the default; the others (SQLite for JOBDIR, Redis) register
 * with core (core/registry.h, KUMO_REG_QUEUE) and the first whose wants() says yes runs.
 */
typedef struct kumo_queue_backend {
    const char *name;                                       /* "memory": stats suffix */
    bool (*wants)(kumo_crawler *c);                         /* this crawl is mine */
    bool own_stats;             /* counts scheduler/enqueued|dequeued/NAME itself */
    void *(*open)(kumo_crawler *c, int *err);
    void (*close)(void *q);
    void (*push)(void *q, kumo_request *req);               /* takes ownership */
    kumo_request *(*pop)(void *q);                          /* returns ownership, NULL if empty */
    size_t (*len)(void *q);
    bool (*seen_or_add)(void *q, const unsigned char fp[20]);   /* true: seen before */
    /* Optional: req (popped earlier) is finished for good: its outputs are queued and its
     * items written.  A persistent backend forgets it only now, so that a crash re-fetches
     * exactly the requests that were in flight. */
    void (*done)(void *q, kumo_request *req);
    /* Optional: fn(ctx, priority, index, req) for each request the queue keeps as an object
     * (borrowed), for holders() and paths(); index is its place in the queue's storage. */
    void (*walk)(void *q, void (*fn)(void *ctx, int priority, size_t index, kumo_request *req),
                 void *ctx);
    /* Optional: true when the start requests were scheduled already, by another process
     * sharing the queue (Redis): this crawl then skips them. */
    bool (*start_done)(void *q);
    /* Optional: true while the engine should take no start request yet although the queue
     * gives nothing (Redis: the requests pushed before are not back as leases yet), so that
     * start requests are consumed lazily, as with a local queue. */
    bool (*start_wait)(void *q);
} kumo_queue_backend;

extern const kumo_queue_backend kumo__queue_memory;

/* Returns a new scheduler on the backend chosen by settings, or NULL with *err set (and,
 * when the backend said why, one line in kumo__scheduler_open_error()). */
kumo_scheduler *kumo__scheduler_open(kumo_crawler *c, int *err);

/* A backend's open says why it fails (one line: what, and which url or file). */
void kumo__scheduler_set_open_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Why the last kumo__scheduler_open() failed, or "" when the backend did not say.  Static. */
const char *kumo__scheduler_open_error(void);

/* True when the backend says the start requests were scheduled already (start_done). */
bool kumo__scheduler_start_done(const kumo_scheduler *s);

/* True when the backend asks the engine to take no start request now (start_wait). */
bool kumo__scheduler_start_wait(const kumo_scheduler *s);
void kumo__scheduler_close(kumo_scheduler *s);

/*
 * Queue req (takes ownership).  Returns false (and releases req) when the dupefilter
 * has seen its fingerprint and req is not dont_filter.
 */
bool kumo__scheduler_enqueue(kumo_scheduler *s, kumo_request *req);

/* Returns the next request (ownership passes to the caller), or NULL when empty. */
kumo_request *kumo__scheduler_next(kumo_scheduler *s);

size_t kumo__scheduler_len(const kumo_scheduler *s);

/* The backend's walk over the request objects it keeps (none when it has no walk). */
void kumo__scheduler_walk(const kumo_scheduler *s,
                          void (*fn)(void *ctx, int priority, size_t index, kumo_request *req),
                          void *ctx);

/* req, popped by kumo__scheduler_next(), is finished (borrowed). */
void kumo__scheduler_done(kumo_scheduler *s, kumo_request *req);

#endif
