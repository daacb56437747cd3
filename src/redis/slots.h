/* slots.h - the download slots a Redis frontier shares among its workers: a request's slot
 * key (the local downloader's choice), the politeness settings every lease carries, and the
 * slot delays AutoThrottle or a robots.txt Crawl-delay set, reported to Redis. */
#ifndef KUMO_REDIS_SLOTS_H
#define KUMO_REDIS_SLOTS_H

#include "kumo-int.h"
#include "util/buf.h"

#define KUMO_REDIS_SLOT_MAX 256         /* bytes of a slot key, NUL included */
#define KUMO_REDIS_SLOTS_SENT 256       /* slot delays remembered as reported */
#define KUMO_REDIS_SLOTS_REPORTS 256    /* reports waiting for the next lease, at most */

typedef struct kumo_redis_slots {
    kumo_crawler *c;                    /* borrowed, outlives this */
    long long conc;                     /* CONCURRENT_REQUESTS_PER_DOMAIN, or _PER_IP */
    long long delay_ms;                 /* a new slot's delay: DOWNLOAD_DELAY, or AutoThrottle's
                                         * start delay, as the local downloader's */
    bool randomize;                     /* RANDOMIZE_DOWNLOAD_DELAY */
    struct {
        uint64_t h;                     /* the slot key's hash, 0 for none */
        long long ms;                   /* the delay last reported for it */
    } sent[KUMO_REDIS_SLOTS_SENT];
    kumo_buf reports;                   /* "SLOT\0MS\0" pairs waiting for the next lease */
    size_t nreports;
} kumo_redis_slots;

/* Read c's politeness settings into s (as the local downloader reads them). */
void kumo__redis_slots_init(kumo_redis_slots *s, kumo_crawler *c);
void kumo__redis_slots_release(kumo_redis_slots *s);

/*
 * Write req's slot key into out[0..n): the slot the local downloader would queue it in
 * (kumo__downloader_slot_key()), "" before the crawl has a downloader.  req is borrowed.
 */
void kumo__redis_slot_of(kumo_redis_slots *s, kumo_request *req, char *out, size_t n);

/*
 * req's response arrived: when its slot's delay (meta['download_slot']) differs from what
 * the cluster was last told, queue a report for the next lease.  req is borrowed.
 */
void kumo__redis_slots_note(kumo_redis_slots *s, kumo_request *req);

/*
 * Call add(ctx, slot, ms) for every report waiting, oldest first, and forget them.
 * Returns how many.
 */
size_t kumo__redis_slots_take(kumo_redis_slots *s,
                              void (*add)(void *ctx, const char *slot, long long ms),
                              void *ctx);

#endif
