/* cluster_stats.h - the cluster's figures for the console's est() and the stats: what the
 * Redis queue's heartbeats learn, and the items list's length, refreshed on the crawl's loop
 * (never a blocking call) and kept with their age. */
#ifndef KUMO_REDIS_CLUSTER_STATS_H
#define KUMO_REDIS_CLUSTER_STATS_H

#include "kumo-int.h"
#include "util/buf.h"

struct event_base;
struct kumo_redis_queue;

typedef struct kumo_redis_cluster kumo_redis_cluster;

/* Returns a new refresher for queue q of crawl c on base (both borrowed, outliving it): every
 * second it asks Redis the items list's length and sets the redis/cluster_* stats. */
kumo_redis_cluster *kumo__redis_cluster_new(struct kumo_redis_queue *q, kumo_crawler *c,
                                            struct event_base *base);

/* Free it (a command in flight is answered later and ignored).  cl may be NULL. */
void kumo__redis_cluster_free(kumo_redis_cluster *cl);

/*
 * Append est()'s cluster block for crawl c to out and return true, or return false (out
 * unchanged) when c's scheduler is not redis.  The block, a fixed format:
 *     Redis cluster 'NAME' at URL (figures N.N s old)
 *     %-47s : local L  cluster C        five rows: requests pending, requests leased,
 *                                       requests seen, workers alive, items in Redis
 *     %-47s : N (B bytes)               results waiting for Redis
 * then a blank line.  Before the first answer the age reads "no figures yet" and every
 * cluster figure "?".
 */
bool kumo__redis_cluster_format(kumo_crawler *c, kumo_buf *out);

#endif
