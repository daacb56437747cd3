/* cluster_stats.c - the cluster's figures beside the local ones: est()'s block and the
 * redis/cluster_* stats, from the Redis queue's heartbeats and an LLEN of the items list
 * sent every second on the crawl's loop. */
#include "redis/cluster_stats.h"
#include "redis/queue_redis.h"

#include <event2/event.h>

#define EVERY 1.0               /* seconds between two refreshes */

struct kumo_redis_cluster {
    kumo_redis_queue *q;        /* borrowed */
    kumo_crawler *c;            /* borrowed */
    struct event *timer;
    bool busy;                  /* an LLEN in flight */
    bool orphan;                /* freed while busy: its answer frees it */
    int64_t items;              /* the items list's length, -1 before the first answer */
    kumo_redis_cluster *next;   /* the live ones */
};

static kumo_redis_cluster *live;    /* the loop's thread opens and closes crawls */

static void set_stats(kumo_redis_cluster *cl)
{
    kumo_redis_figures f;
    kumo__redis_queue_figures(cl->q, &f);
    if (f.at <= 0)
        return;
    kumo_crawler_stats_set_int(cl->c, "redis/cluster_pending", f.pending);
    kumo_crawler_stats_set_int(cl->c, "redis/cluster_leased", f.leased);
    kumo_crawler_stats_set_int(cl->c, "redis/cluster_seen", f.seen);
    kumo_crawler_stats_set_int(cl->c, "redis/cluster_workers", f.workers);
    if (cl->items >= 0)
        kumo_crawler_stats_set_int(cl->c, "redis/cluster_items", cl->items);
}

static void on_llen(void *ctx, redisReply *r)
{
    kumo_redis_cluster *cl = ctx;
    cl->busy = false;
    if (cl->orphan) {
        kumo_free(cl);
        return;
    }
    if (r && r->type == REDIS_REPLY_INTEGER)
        cl->items = r->integer;
    set_stats(cl);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    kumo_redis_cluster *cl = arg;
    kumo_redis_conn *conn = kumo__redis_queue_conn(cl->q);
    kumo_redis_figures f;
    kumo__redis_queue_figures(cl->q, &f);
    if (!cl->busy && conn && kumo__redis_conn_up(conn)) {
        const char *argv[2] = {"LLEN", f.itemskey};
        size_t len[2] = {4, strlen(f.itemskey)};
        if (kumo__redis_conn_cmd(conn, on_llen, cl, 2, argv, len) == KUMO_OK)
            cl->busy = true;
    }
    struct timeval tv = {(time_t)EVERY, (suseconds_t)((EVERY - (time_t)EVERY) * 1e6)};
    event_add(cl->timer, &tv);
}

kumo_redis_cluster *kumo__redis_cluster_new(struct kumo_redis_queue *q, kumo_crawler *c,
                                            struct event_base *base)
{
    kumo_redis_cluster *cl = kumo_calloc(1, sizeof(*cl), KUMO_T_QUEUE, KUMO_V_NONE);
    cl->q = q;
    cl->c = c;
    cl->items = -1;
    cl->timer = evtimer_new(base, on_timer, cl);
    cl->next = live;
    live = cl;
    struct timeval now = {0, 0};
    event_add(cl->timer, &now);
    return cl;
}

void kumo__redis_cluster_free(kumo_redis_cluster *cl)
{
    if (!cl)
        return;
    for (kumo_redis_cluster **p = &live; *p; p = &(*p)->next)
        if (*p == cl) {
            *p = cl->next;
            break;
        }
    event_free(cl->timer);
    if (cl->busy)
        cl->orphan = true;
    else
        kumo_free(cl);
}

/* One row: "%-47s : local L  cluster C"; a negative figure is not known yet ("?"). */
static void row(kumo_buf *out, const char *name, int64_t local, int64_t cluster, bool known)
{
    char l[32] = "-", cc[32] = "?";
    if (local >= 0)
        snprintf(l, sizeof(l), "%lld", (long long)local);
    if (known && cluster >= 0)
        snprintf(cc, sizeof(cc), "%lld", (long long)cluster);
    kumo__buf_printf(out, "%-47s : local %s  cluster %s\n", name, l, cc);
}

bool kumo__redis_cluster_format(kumo_crawler *c, kumo_buf *out)
{
    kumo_redis_queue *q = kumo__redis_queue_of(c);
    if (!q)
        return false;
    kumo_redis_figures f;
    kumo__redis_queue_figures(q, &f);
    kumo_redis_cluster *cl = live;
    while (cl && cl->c != c)
        cl = cl->next;
    bool known = f.at > 0;
    kumo__buf_printf(out, "Redis cluster '%s' at %s ", f.prefix, f.url);
    if (known)
        kumo__buf_printf(out, "(figures %.1f s old)\n", kumo_now() - f.at);
    else
        kumo__buf_adds(out, "(no figures yet)\n");
    row(out, "requests pending", f.l_pending, f.pending + f.start_urls, known);
    row(out, "requests leased", f.l_leased, f.leased, known);
    row(out, "requests seen (queued by local)", f.l_queued, f.seen, known);
    row(out, "workers alive", 1, f.workers, known);
    row(out, "items in Redis", f.l_items, cl ? cl->items : -1, known);
    kumo__buf_printf(out, "%-47s : %zu (%zu bytes)%s\n", "results waiting for Redis",
                     f.waiting, f.waiting_bytes, f.up ? "" : ", Redis unreachable");
    kumo__buf_adds(out, "\n");
    return true;
}
