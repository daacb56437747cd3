/* queue_redis.h - what the Redis queue backend (SCHEDULER=redis) offers the rest of
 * src/redis: the item pipeline hands it the items that ride on an ack, the cluster figures
 * read what its heartbeats learn. */
#ifndef KUMO_REDIS_QUEUE_REDIS_H
#define KUMO_REDIS_QUEUE_REDIS_H

#include "kumo-int.h"
#include "redis/client.h"

typedef struct kumo_redis_queue kumo_redis_queue;

/* The open Redis queue of crawl c, or NULL when c's scheduler is not redis (or not open
 * yet).  Borrowed, valid until the scheduler closes. */
kumo_redis_queue *kumo__redis_queue_of(kumo_crawler *c);

/*
 * Store item (its JSON json[0..len), copied) in the list REDIS_ITEMS_KEY with the ack of the
 * response being processed, in the same Function call; an item that no ack takes (one a
 * pipeline held past its response) goes alone with RPUSH.  Takes a reference to item: once
 * Redis stored it (or refused it) the queue resumes it with kumo_crawler_item_resume()
 * (KUMO_OK) and drops its reference.
 */
void kumo__redis_queue_item(kumo_redis_queue *q, const void *json, size_t len,
                            kumo_item *item);

/* The crawl's figures, local and cluster-wide, as the last heartbeat told. */
typedef struct kumo_redis_figures {
    const char *url;            /* REDIS_URL without its password (borrowed) */
    const char *prefix;         /* the crawl's key prefix, the spider's name (borrowed) */
    const char *itemskey;       /* REDIS_ITEMS_KEY expanded (borrowed) */
    double at;                  /* kumo_now() of the last heartbeat's answer, 0: none yet */
    int64_t pending, leased, seen, workers, start_urls;     /* the cluster */
    int64_t l_pending;          /* requests leased and waiting in this worker's buffer */
    int64_t l_leased;           /* leases this worker holds (buffered and in progress) */
    int64_t l_queued;           /* requests this worker added to the frontier */
    int64_t l_items;            /* items this worker stored in Redis */
    size_t waiting;             /* results (acks, pushes, items) waiting for Redis */
    size_t waiting_bytes;
    bool up;                    /* the connection is up */
} kumo_redis_figures;

void kumo__redis_queue_figures(const kumo_redis_queue *q, kumo_redis_figures *f);

/* The queue's asynchronous connection (borrowed, valid until the scheduler closes). */
kumo_redis_conn *kumo__redis_queue_conn(const kumo_redis_queue *q);

#endif
