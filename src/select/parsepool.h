/* parsepool.h - worker threads that parse response bodies off the loop thread. */
#ifndef KUMO_PARSEPOOL_H
#define KUMO_PARSEPOOL_H

#include "kumo-int.h"

struct event_base;
typedef struct kumo_parsepool kumo_parsepool;

/* Called on the loop thread once res->doc is set; res is borrowed (the pool drops its
 * reference after the call). */
typedef void (*kumo_parse_done_fn)(void *ctx, kumo_response *res);

/*
 * Returns a new pool of nthreads workers (1..16) reporting back on base, or NULL with *err
 * set when a thread or the wake-up pipe cannot be made.
 */
kumo_parsepool *kumo_parsepool_new(struct event_base *base, int nthreads, int *err);

/*
 * Parse res's body in a worker (takes a new reference on res), then call done on the loop
 * thread.  A response that already has its document is reported at once (still through
 * the loop, never from inside this call).
 */
void kumo_parsepool_submit(kumo_parsepool *p, kumo_response *res, kumo_parse_done_fn done,
                           void *ctx);

/* Responses submitted and not yet reported. */
size_t kumo_parsepool_pending(const kumo_parsepool *p);

/* Stop the workers, drop what is pending (done is not called) and free. */
void kumo_parsepool_free(kumo_parsepool *p);

#endif
