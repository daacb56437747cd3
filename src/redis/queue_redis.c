/* queue_redis.c - the Redis queue backend (SCHEDULER=redis): one frontier for many kumo
 * processes.  Requests are leased, not popped; what a response produced is committed with
 * its ack in one Redis Function call (src/redis/kumo.lua); a local buffer of leased
 * requests, refilled asynchronously, serves the scheduler's synchronous pop. */
#include "redis/queue_redis.h"
#include "redis/cluster_stats.h"
#include "redis/robots_redis.h"
#include "redis/slots.h"
#include "redis/wire.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/registry.h"
#include "core/scheduler.h"
#include "core/spider.h"
#include "http/request.h"
#include "util/buf.h"

#include <event2/event.h>
#include <unistd.h>

#include "redis_lua.h"          /* static const char redis_lua[]: generated from kumo.lua */

#define LOGGER "kumo.redis"
#define LUA_VERSION 4           /* kumo.lua's VERSION */
#define CONNECT_TIMEOUT 5.0     /* seconds */
#define CMD_TIMEOUT 10.0
#define DRAIN_TIMEOUT 5.0       /* at close, for the last acks */
#define POLL_MIN 0.05           /* an empty frontier is asked again after this, doubling */
#define FPCACHE (1u << 15)      /* fingerprints this worker sent, direct-mapped */
#define RESEND_AFTER 0.5        /* Redis answered LOADING or BUSY: send again after this */

typedef struct kumo_redis_queue rq;

/* A command's arguments: bytes back to back in data, lengths in len. */
typedef struct args {
    kumo_buf data;
    size_t *len;
    int argc, cap;
} args;

/* What an outbox command is. */
enum { OUT_PUSH, OUT_ACK, OUT_ITEMS };

/* A command that changes the frontier (push, ack) or stores items: sent until Redis answers
 * it.  Its items are held in their pipeline until then. */
typedef struct outcmd {
    struct outcmd *prev, *next;
    rq *q;
    args a;
    int kind;                   /* OUT_* */
    uint64_t tok;               /* the acked lease (OUT_ACK) */
    kumo_item **items;          /* one reference each, resumed once Redis answered */
    size_t nitems;
    bool sent, resent;          /* resent: sent again after the connection was lost */
} outcmd;

/* A leased request waiting in the local buffer: seq holds its lease token. */
struct kumo_redis_queue {
    kumo_crawler *c;
    kumo_redis_url url;
    kumo_redis_conn *conn;
    char prefix[256], worker[160], startkey[256], itemskey[256];
    double ttl, close_after, hb_every;
    int prefetch;
    bool persist, starts_elsewhere;
    kumo_request **buf;         /* leased, best first from head */
    size_t head, nbuf, cap;
    kumo_request **side;        /* requests Redis cannot store: kept here, FIFO */
    size_t nside, capside;
    size_t nout;                /* leased requests handed to the engine, not done */
    args kids;                  /* children pushed since the last ack */
    int nkids;
    args items;                 /* items' JSON since the last ack */
    kumo_item **pitems;         /* their items, one reference each */
    size_t npitems, cappitems;
    outcmd *out_head, *out_tail;
    size_t nouts, outbytes;     /* the outbox: commands and their bytes */
    size_t npushes;             /* of which pushes (start requests wait for them) */
    size_t out_max;             /* REDIS_RESULTS_MAX: no new download past this */
    bool full;                  /* the outbox reached out_max: pop() gives nothing */
    bool lease_busy, hb_busy, finished;
    bool drained;               /* the last lease found the frontier empty */
    int64_t waiting;            /* requests the frontier held when the last lease got none */
    uint64_t max_tok;           /* the highest lease token an answer gave this worker */
    bool lease_lost;            /* a lease's answer was lost: hand back what it leased */
    bool lease_idle;            /* the last lease found nothing: wait for the refill timer,
                                 * or for Redis to answer a push or an ack (a slot freed) */
    double poll;                /* the next empty-frontier delay */
    double idle_since;          /* kumo_now() when this worker became idle, 0 while busy */
    struct event *hb, *refill, *flush, *resend;
    uint64_t *fpc;
    bool warned_side, warned_start, warned_full;
    /* the cluster, as the last heartbeat told (at: its kumo_now(), 0 before) */
    int64_t c_pending, c_leased, c_seen, c_workers, c_start;
    double c_at;
    int64_t queued, stored_items;   /* this worker's requests and items Redis took */
    kumo_redis_cluster *cluster;    /* est()'s figures */
    kumo_redis_slots slots;         /* the politeness the cluster shares */
    kumo_redis_robots *robots;      /* robots.txt once per origin for the cluster */
    rq *next_open;                  /* the open queues (kumo__redis_queue_of) */
};

static rq *open_queues;         /* the loop's thread opens and closes schedulers */

/* ---- argument lists ---- */

static void args_init(args *a)
{
    kumo__buf_init(&a->data, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
    a->len = NULL;
    a->argc = a->cap = 0;
}

static void args_release(args *a)
{
    kumo__buf_release(&a->data);
    kumo_free(a->len);
}

static void args_reset(args *a)
{
    kumo__buf_reset(&a->data);
    a->argc = 0;
}

static void arg_add(args *a, const void *p, size_t n)
{
    if (a->argc == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->len = kumo_realloc(a->len, (size_t)a->cap * sizeof(*a->len), KUMO_T_QUEUE,
                              KUMO_V_QUEUE);
    }
    kumo__buf_add(&a->data, p, n);
    a->len[a->argc++] = n;
}

static void arg_adds(args *a, const char *s)
{
    arg_add(a, s, strlen(s));
}

static void arg_addf(args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void arg_addf(args *a, const char *fmt, ...)
{
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    arg_add(a, tmp, (size_t)KUMO_MIN(n, (int)sizeof(tmp) - 1));
}

/* Append the whole of b's arguments to a. */
static void args_cat(args *a, const args *b)
{
    const char *p = b->data.s;
    for (int i = 0; i < b->argc; i++) {
        arg_add(a, p, b->len[i]);
        p += b->len[i];
    }
}

/* Send a's command on the connection; KUMO_ECONN when it is down. */
static int args_send(kumo_redis_conn *conn, const args *a, kumo_redis_reply_fn fn, void *ctx)
{
    const char *argv[a->argc > 0 ? a->argc : 1];
    const char *p = a->data.s;
    for (int i = 0; i < a->argc; i++) {
        argv[i] = p;
        p += a->len[i];
    }
    return kumo__redis_conn_cmd(conn, fn, ctx, a->argc, argv, a->len);
}

/* ---- keys and state ---- */

/* Expand %(name)s and %(spider)s in pattern with the spider's name into out[0..n). */
static void key_of(const char *pattern, const char *name, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = pattern ? pattern : ""; *p && o + 1 < n;) {
        if (strncmp(p, "%(name)s", 8) == 0 || strncmp(p, "%(spider)s", 10) == 0) {
            int w = snprintf(out + o, n - o, "%s", name);
            o = KUMO_MIN(o + (size_t)w, n - 1);
            p += p[2] == 'n' ? 8 : 10;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static bool locally_idle(const rq *q)
{
    /* a lease in flight does not count: Redis runs it after the heartbeat that says whether
     * the cluster is done, and then it finds nothing; start requests the engine has still to
     * take (lazily) do */
    const kumo_engine *e = kumo__crawler_engine(q->c);
    return q->nbuf == 0 && q->nside == 0 && q->nout == 0 && q->nkids == 0 && !q->out_head &&
           !(e && kumo__engine_starts_left(e));
}

static void note_idle(rq *q)
{
    if (!locally_idle(q))
        q->idle_since = 0;
    else if (q->idle_since == 0)
        q->idle_since = kumo_now();
}

static void wake(rq *q)
{
    kumo__engine_wake(kumo__crawler_engine(q->c));
}

static void arm(struct event *ev, double s)
{
    struct timeval tv = {(time_t)s, (suseconds_t)((s - (time_t)s) * 1e6)};
    event_add(ev, &tv);
}

static void fcall_head(args *a, const rq *q, const char *fn)
{
    arg_adds(a, "FCALL");
    arg_adds(a, fn);
    arg_adds(a, "1");
    arg_adds(a, q->prefix);
}

/* ---- the outbox: pushes, acks and items until Redis has them ---- */

static void out_send(rq *q);
static void refill(rq *q);

/* Let out's items go on through the pipelines (Redis answered, or the crawl ends). */
static void out_items_done(rq *q, outcmd *o)
{
    for (size_t i = 0; i < o->nitems; i++) {
        kumo_crawler_item_resume(q->c, o->items[i], KUMO_OK);  /* ENOENT: the crawl closed */
        kumo_item_unref(o->items[i]);
    }
    kumo_free(o->items);
    o->items = NULL;
    o->nitems = 0;
}

/* Below out_max again: downloads may start. */
static void out_check_full(rq *q)
{
    if (q->full && q->outbytes <= q->out_max / 2) {
        q->full = false;
        if (q->warned_full)
            KUMO_INFO(LOGGER, "Results stored in Redis: new downloads start again");
        q->warned_full = false;
        wake(q);
    }
}

static void out_unlink(rq *q, outcmd *o)
{
    if (o->prev)
        o->prev->next = o->next;
    else
        q->out_head = o->next;
    if (o->next)
        o->next->prev = o->prev;
    else
        q->out_tail = o->prev;
    q->nouts--;
    q->npushes -= o->kind == OUT_PUSH;
    q->outbytes -= o->a.data.len;
    out_items_done(q, o);
    args_release(&o->a);
    kumo_free(o);
    out_check_full(q);
}

/* An error Redis gives while it starts or runs a long script: the command did not run. */
static bool transient(const char *err)
{
    return !strncmp(err, "LOADING", 7) || !strncmp(err, "BUSY", 4) ||
           !strncmp(err, "TRYAGAIN", 8) || !strncmp(err, "MASTERDOWN", 10);
}

static const char *const out_what[] = {"a push", "an ack", "items"};

/* An answer to a push {queued, filtered}, an ack {accepted, queued, filtered} or items (the
 * list's length). */
static void on_out_reply(void *ctx, redisReply *r)
{
    outcmd *o = ctx;
    rq *q = o->q;
    if (!r) {                   /* lost with the connection: sent again once it is back */
        o->sent = false;
        o->resent = true;
        return;
    }
    if (r->type == REDIS_REPLY_ERROR && transient(r->str)) {
        o->sent = false;
        if (!event_pending(q->resend, EV_TIMEOUT, NULL))
            arm(q->resend, RESEND_AFTER);
        return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        KUMO_ERROR(LOGGER, "Redis refused %s on '%s': %s", out_what[o->kind],
                   o->kind == OUT_ITEMS ? q->itemskey : q->prefix, r->str);
    } else if (o->kind == OUT_ITEMS) {
        q->stored_items += (int64_t)o->nitems;
        kumo_crawler_stats_inc(q->c, "redis/items_stored", (int64_t)o->nitems);
    } else if (r->type == REDIS_REPLY_ARRAY && r->elements >= 2) {
        size_t f = r->elements - 1;
        if (o->kind == OUT_ACK && r->element[0]->integer == 0) {
            kumo_crawler_stats_inc(q->c, "redis/ack_refused", 1);
            if (o->resent)      /* the first one may have run before the connection broke */
                KUMO_INFO(LOGGER, "Ack of lease %llu sent again after the connection was lost "
                          "refused: stored the first time, or expired meanwhile",
                          (unsigned long long)o->tok);
            else
                KUMO_WARN(LOGGER, "Ack of lease %llu refused: it expired and moved to another "
                          "worker (its results were not stored)", (unsigned long long)o->tok);
        } else if (o->kind == OUT_ACK && o->nitems) {
            q->stored_items += (int64_t)o->nitems;
            kumo_crawler_stats_inc(q->c, "redis/items_stored", (int64_t)o->nitems);
        }
        q->queued += r->element[f - 1]->integer;
        if (r->element[f]->integer > 0)
            kumo_crawler_stats_inc(q->c, "dupefilter/filtered", r->element[f]->integer);
    }
    out_unlink(q, o);
    note_idle(q);
    q->lease_idle = false;      /* new requests, or a slot released: lease again */
    q->poll = POLL_MIN;
    refill(q);
    wake(q);                    /* start requests wait for their pushes (start_wait) */
}

static void out_send(rq *q)
{
    if (!kumo__redis_conn_up(q->conn))
        return;
    for (outcmd *o = q->out_head; o; o = o->next)
        if (!o->sent && args_send(q->conn, &o->a, on_out_reply, o) == KUMO_OK)
            o->sent = true;
}

static void on_resend(evutil_socket_t fd, short what, void *arg)
{
    out_send(arg);
}

static outcmd *out_new(rq *q, int kind, uint64_t tok)
{
    outcmd *o = kumo_calloc(1, sizeof(*o), KUMO_T_QUEUE, KUMO_V_QUEUE);
    o->q = q;
    o->kind = kind;
    o->tok = tok;
    args_init(&o->a);
    o->prev = q->out_tail;
    if (q->out_tail)
        q->out_tail->next = o;
    else
        q->out_head = o;
    q->out_tail = o;
    q->nouts++;
    q->npushes += kind == OUT_PUSH;
    return o;
}

/* The outbox is full while Redis is away: say so once. */
static void warn_full(rq *q)
{
    if (!q->full || q->warned_full || kumo__redis_conn_up(q->conn))
        return;
    q->warned_full = true;
    KUMO_WARN(LOGGER, "%zu results (%zu bytes) wait for Redis at '%s' (REDIS_RESULTS_MAX %zu): "
              "no new download starts until they are stored", q->nouts, q->outbytes,
              q->url.shown, q->out_max);
}

/* o is complete: count its bytes against out_max and send it. */
static void out_go(rq *q, outcmd *o)
{
    q->outbytes += o->a.data.len;
    if (q->outbytes > q->out_max)
        q->full = true;
    warn_full(q);
    out_send(q);
}

/* The items since the last ack go with o (an ack, or items alone). */
static void take_items(rq *q, outcmd *o)
{
    o->items = q->pitems;
    o->nitems = q->npitems;
    q->pitems = NULL;
    q->npitems = q->cappitems = 0;
    args_cat(&o->a, &q->items);
    args_reset(&q->items);
}

/* Send the children pushed outside an ack (start requests, middlewares' requests), and the
 * items no ack took (an item a pipeline held past its response's ack). */
static void flush_kids(rq *q)
{
    if (q->nkids) {
        q->drained = false;
        outcmd *o = out_new(q, OUT_PUSH, 0);
        fcall_head(&o->a, q, "kumo_push");
        arg_addf(&o->a, "%d", q->nkids);
        args_cat(&o->a, &q->kids);
        args_reset(&q->kids);
        q->nkids = 0;
        out_go(q, o);
    }
    if (q->npitems) {
        outcmd *o = out_new(q, OUT_ITEMS, 0);
        arg_adds(&o->a, "RPUSH");
        arg_adds(&o->a, q->itemskey);
        take_items(q, o);
        out_go(q, o);
    }
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    flush_kids(arg);
}

/* What an ack carries: the children pushed and the items scraped since the last ack. */
enum { ACK_KIDS = 1, ACK_ITEMS = 2, ACK_OUTPUTS = ACK_KIDS | ACK_ITEMS };

/* Ack lease tok with what (ACK_*: a response's ack carries its outputs; 0: alone). */
static void ack(rq *q, uint64_t tok, int what)
{
    bool kids = what & ACK_KIDS, items = (what & ACK_ITEMS) && q->npitems;
    outcmd *o = out_new(q, OUT_ACK, tok);
    fcall_head(&o->a, q, "kumo_ack");
    arg_adds(&o->a, q->worker);
    arg_addf(&o->a, "%llu", (unsigned long long)tok);
    arg_adds(&o->a, items ? q->itemskey : "");
    arg_addf(&o->a, "%d", kids ? q->nkids : 0);
    if (kids) {
        args_cat(&o->a, &q->kids);
        args_reset(&q->kids);
        q->nkids = 0;
    }
    arg_addf(&o->a, "%zu", items ? q->npitems : 0);
    if (items)
        take_items(q, o);
    arg_adds(&o->a, "0");       /* stats */
    out_go(q, o);
}

void kumo__redis_queue_item(kumo_redis_queue *q, const void *json, size_t len,
                            kumo_item *item)
{
    if (q->npitems == q->cappitems) {
        q->cappitems = q->cappitems ? q->cappitems * 2 : 8;
        q->pitems = kumo_realloc(q->pitems, q->cappitems * sizeof(*q->pitems), KUMO_T_QUEUE,
                                 KUMO_V_QUEUE);
    }
    q->pitems[q->npitems++] = kumo_item_ref(item);
    arg_add(&q->items, json, len);
    if (!event_pending(q->flush, EV_TIMEOUT, NULL))
        event_active(q->flush, EV_TIMEOUT, 0);
}

/* ---- leasing ---- */

static void push(void *p, kumo_request *req);


static void buf_add(rq *q, kumo_request *req)
{
    if (q->head + q->nbuf == q->cap) {
        if (q->head) {
            memmove(q->buf, q->buf + q->head, q->nbuf * sizeof(*q->buf));
            q->head = 0;
        }
        if (q->nbuf == q->cap) {
            q->cap = q->cap ? q->cap * 2 : 64;
            q->buf = kumo_realloc(q->buf, q->cap * sizeof(*q->buf), KUMO_T_QUEUE, KUMO_V_QUEUE);
        }
    }
    q->buf[q->head + q->nbuf++] = req;
}

/* Ack lease tok with req (NULL: nothing) as its one child, apart from the children and
 * items of other responses since the last ack.  req is borrowed. */
static void ack_alone(rq *q, uint64_t tok, kumo_request *req)
{
    int nk = q->nkids;
    args saved = q->kids;
    args_init(&q->kids);
    q->nkids = 0;
    if (req) {
        kumo_request_ref(req);
        push(q, req);
    }
    if (q->nside == 0 || !req || q->side[q->nside - 1] != req) {
        ack(q, tok, ACK_KIDS);
    } else {
        q->side[q->nside - 1]->seq = tok;   /* not storable: fetched here, acked then */
        q->nout++;
    }
    args_release(&q->kids);
    q->kids = saved;
    q->nkids = nk;
}

/* A leased entry that does not decode: one ERROR naming the key, and it is acked away. */
static void drop_bad(rq *q, uint64_t tok, const char *kind, const char *why)
{
    KUMO_ERROR(LOGGER, "Redis key '%s:leases' token %llu: %s does not decode (%s): dropped",
               q->prefix, (unsigned long long)tok, kind, why);
    kumo_crawler_stats_inc(q->c, "redis/undecodable", 1);
    ack_alone(q, tok, NULL);     /* with no outputs of another response */
}

static void on_lease(void *ctx, redisReply *r)
{
    rq *q = ctx;
    q->lease_busy = false;
    size_t got = 0, moved = 0;  /* moved: start urls put into the frontier */
    double due = -1;            /* seconds until a slot that waits for its delay is due */
    if (r && r->type == REDIS_REPLY_ERROR) {
        if (strstr(r->str, "WRONGTYPE") && q->startkey[0]) {
            KUMO_ERROR(LOGGER, "Redis key '%s' is not a list of start urls: ignored (%s)",
                       q->startkey, r->str);
            q->startkey[0] = '\0';
        } else if (!transient(r->str)) {    /* LOADING: asked again after the poll */
            KUMO_ERROR(LOGGER, "Redis refused a lease on '%s': %s", q->prefix, r->str);
        }
    } else if (r && r->type == REDIS_REPLY_ARRAY) {
        const kumo_spider_def *def = kumo__crawler_def(q->c);
        for (size_t i = 0; i + 2 < r->elements; i += 3) {
            redisReply *t = r->element[i], *k = r->element[i + 1], *d = r->element[i + 2];
            uint64_t tok = t->type == REDIS_REPLY_INTEGER ? (uint64_t)t->integer
                                                          : strtoull(t->str ? t->str : "0",
                                                                     NULL, 10);
            q->max_tok = KUMO_MAX(q->max_tok, tok);
            char why[256];
            kumo_request *req;
            bool url = k->str && k->str[0] == 'u';
            if (url)
                req = kumo__redis_start_url_decode(d->str, d->len, why, sizeof(why));
            else
                req = kumo__redis_wire_decode(def, d->str, d->len, why, sizeof(why));
            if (!req) {
                drop_bad(q, tok, url ? "a start url" : "a request", why);
                continue;
            }
            if (url) {
                /* into the frontier with the ack of its lease, in its download slot: the
                 * cluster's politeness holds for start urls too */
                ack_alone(q, tok, req);
                kumo_request_unref(req);
                kumo_crawler_stats_inc(q->c, "redis/start_urls", 1);
                moved++;
                continue;
            }
            req->seq = tok;
            buf_add(q, req);
            got++;
        }
        kumo_crawler_stats_inc(q->c, "redis/leased", (int64_t)got);
        size_t tail = r->elements % 3;      /* after the leases: due, then pending */
        redisReply *w = tail >= 1 ? r->element[r->elements - tail] : NULL;
        redisReply *p = tail == 2 ? r->element[r->elements - 1] : NULL;
        if (w && w->type == REDIS_REPLY_INTEGER && w->integer >= 0)
            due = (double)w->integer / 1000;
        q->waiting = !got && p && p->type == REDIS_REPLY_INTEGER ? p->integer : 0;
    }
    if (!r)
        q->lease_lost = true;   /* Redis may have run it: its leases would stay out */
    q->lease_idle = got == 0;
    q->drained = r && r->type == REDIS_REPLY_ARRAY && got == 0;
    if (got || moved)
        q->poll = POLL_MIN;             /* moved start urls are leased by the next call */
    wake(q);                            /* requests, or the engine may take start requests */
    if (!q->finished && !event_pending(q->refill, EV_TIMEOUT, NULL)) {
        if (due >= 0 && due < q->hb_every) {
            arm(q->refill, KUMO_MAX(due, 0.005));   /* a slot's delay ends then */
        } else if (!got) {
            arm(q->refill, q->poll);    /* empty (or failed): ask again later */
            q->poll = KUMO_MIN(q->poll * 2, q->hb_every);
        }
    }
    note_idle(q);
}

static void on_unlease(void *ctx, redisReply *r)
{
    rq *q = ctx;
    if (!r)
        q->lease_lost = true;   /* lost too: again before the next lease */
    else if (r->type == REDIS_REPLY_INTEGER && r->integer > 0)
        KUMO_INFO(LOGGER, "Handed %lld leases back to '%s' whose answer the connection lost",
                  r->integer, q->prefix);
    else if (r->type == REDIS_REPLY_ERROR)
        KUMO_ERROR(LOGGER, "Redis refused to take back leases on '%s': %s", q->prefix, r->str);
}

/* A slot delay report: SLOT DELAY_MS, into the lease's arguments. */
static void add_report(void *ctx, const char *slot, long long ms)
{
    arg_adds(ctx, slot);
    arg_addf(ctx, "%lld", ms);
}

static void refill(rq *q)
{
    if (q->lease_busy || q->finished || q->nbuf * 2 > (size_t)q->prefetch ||
        !kumo__redis_conn_up(q->conn))
        return;
    if (q->lease_idle && event_pending(q->refill, EV_TIMEOUT, NULL))
        return;                 /* not every engine turn: the timer or an answer asks again */
    args a;
    args_init(&a);
    if (q->lease_lost) {        /* first, on the same connection: Redis runs it before */
        fcall_head(&a, q, "kumo_unlease_after");
        arg_adds(&a, q->worker);
        arg_addf(&a, "%llu", (unsigned long long)q->max_tok);
        if (args_send(q->conn, &a, on_unlease, q) == KUMO_OK)
            q->lease_lost = false;
        args_reset(&a);
    }
    fcall_head(&a, q, "kumo_lease");
    arg_adds(&a, q->worker);
    arg_addf(&a, "%zu", (size_t)q->prefetch - q->nbuf);
    arg_addf(&a, "%lld", (long long)(q->ttl * 1000));
    arg_addf(&a, "%lld", (long long)(q->ttl * 1000));
    arg_adds(&a, q->startkey);
    arg_addf(&a, "%lld", q->slots.conc);
    arg_addf(&a, "%lld", q->slots.delay_ms);
    arg_adds(&a, q->slots.randomize ? "1" : "0");
    args reps;
    args_init(&reps);
    int nrep = (int)kumo__redis_slots_take(&q->slots, add_report, &reps);
    arg_addf(&a, "%d", nrep);
    args_cat(&a, &reps);
    args_release(&reps);
    if (args_send(q->conn, &a, on_lease, q) == KUMO_OK)
        q->lease_busy = true;
    args_release(&a);
}

static void on_refill(evutil_socket_t fd, short what, void *arg)
{
    rq *q = arg;
    q->lease_idle = false;
    refill(q);
}

/* ---- heartbeat and finishing ---- */

static void on_heartbeat(void *ctx, redisReply *r)
{
    rq *q = ctx;
    q->hb_busy = false;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 6) {
        if (r && r->type == REDIS_REPLY_ERROR && !transient(r->str))
            KUMO_ERROR(LOGGER, "Redis refused a heartbeat on '%s': %s", q->prefix, r->str);
        return;
    }
    q->c_pending = r->element[1]->integer;
    q->c_leased = r->element[2]->integer;
    q->c_seen = r->element[3]->integer;
    q->c_workers = r->element[4]->integer;
    q->c_start = r->element[5]->integer;
    q->c_at = kumo_now();
    kumo_crawler_stats_set_int(q->c, "redis/cluster_pending", q->c_pending);
    kumo_crawler_stats_set_int(q->c, "redis/cluster_seen", q->c_seen);
    if (r->element[0]->integer == 1 && locally_idle(q) && !q->finished) {
        KUMO_INFO(LOGGER, "The cluster is done: frontier empty, no lease out, every worker "
                  "idle");
        q->finished = true;
        wake(q);
    }
}

static void on_hb_timer(evutil_socket_t fd, short what, void *arg)
{
    rq *q = arg;
    note_idle(q);
    if (!q->hb_busy && kumo__redis_conn_up(q->conn)) {
        args a;
        args_init(&a);
        fcall_head(&a, q, "kumo_heartbeat");
        arg_adds(&a, q->worker);
        arg_addf(&a, "%lld", (long long)(q->ttl * 1000));
        arg_addf(&a, "%lld", (long long)(q->ttl * 1000));
        arg_addf(&a, "%lld",
                 q->idle_since > 0 ? (long long)((kumo_now() - q->idle_since) * 1000) : -1LL);
        arg_addf(&a, "%lld", (long long)(q->close_after * 1000));
        arg_adds(&a, q->startkey);
        if (args_send(q->conn, &a, on_heartbeat, q) == KUMO_OK)
            q->hb_busy = true;
        args_release(&a);
    }
    refill(q);
    arm(q->hb, q->hb_every);
}

static void on_load(void *ctx, redisReply *r)
{
    rq *q = ctx;
    if (r && r->type == REDIS_REPLY_ERROR && !strstr(r->str, "already exists"))
        KUMO_ERROR(LOGGER, "Redis at '%s' cannot load kumo's functions: %s", q->url.shown,
                   r->str);
}

/* (Re)connected: a Redis that restarted without its functions gets them back (a library
 * already there is left alone), then the outbox goes, in order, and leasing resumes. */
static void on_up(void *ctx)
{
    rq *q = ctx;
    const char *argv[2] = {"FUNCTION", "LOAD"};
    const char *av[3] = {argv[0], argv[1], redis_lua};
    size_t len[3] = {8, 4, sizeof(redis_lua) - 1};
    kumo__redis_conn_cmd(q->conn, on_load, q, 3, av, len);
    out_send(q);
    refill(q);
}

/* ---- blocking steps at start and end (the loop is not running) ---- */

/* Delete every key of the crawl (PREFIX:*).  Returns how many. */
static long long delete_keys(redisContext *ctx, const char *prefix)
{
    long long n = 0;
    char cursor[32] = "0", pattern[300];
    snprintf(pattern, sizeof(pattern), "%s:*", prefix);
    do {
        redisReply *r = kumo__hiredis.redisCommand(ctx, "SCAN %s MATCH %s COUNT 1000", cursor,
                                                   pattern);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                kumo__hiredis.freeReplyObject(r);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            redisReply *d = kumo__hiredis.redisCommand(ctx, "UNLINK %b",
                                                       r->element[1]->element[i]->str,
                                                       r->element[1]->element[i]->len);
            if (d)
                kumo__hiredis.freeReplyObject(d);
            n++;
        }
        kumo__hiredis.freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return n;
}

/* Load kumo.lua unless Redis has it at this version or newer.  KUMO_OK or KUMO_EIO. */
static int load_functions(redisContext *ctx, const rq *q, char *err, size_t n)
{
    redisReply *r = kumo__hiredis.redisCommand(ctx, "FCALL kumo_version 1 %s", q->prefix);
    bool have = r && r->type == REDIS_REPLY_INTEGER && r->integer >= LUA_VERSION;
    if (r)
        kumo__hiredis.freeReplyObject(r);
    if (have)
        return KUMO_OK;
    r = kumo__hiredis.redisCommand(ctx, "FUNCTION LOAD REPLACE %b", redis_lua,
                                   sizeof(redis_lua) - 1);
    int rc = KUMO_OK;
    if (!r || r->type == REDIS_REPLY_ERROR) {
        snprintf(err, n, "Redis at '%s' cannot load kumo's functions (Redis 7 needed): %s",
                 q->url.shown, r ? r->str : ctx->errstr);
        rc = KUMO_EIO;
    } else {
        KUMO_INFO(LOGGER, "Loaded kumo's Redis functions (version %d) into '%s'", LUA_VERSION,
                  q->url.shown);
    }
    if (r)
        kumo__hiredis.freeReplyObject(r);
    return rc;
}

/* ---- the backend ---- */

static void close_q(void *p);

static void *open_q(kumo_crawler *c, int *err)
{
    rq *q = kumo_calloc(1, sizeof(*q), KUMO_T_QUEUE, KUMO_V_NONE);
    q->c = c;
    args_init(&q->kids);
    char msg[1024];
    *err = kumo__redis_url_parse(kumo_crawler_setting(c, "REDIS_URL"), &q->url, msg,
                                 sizeof(msg));
    const char *name = kumo__crawler_def(c)->name;
    snprintf(q->prefix, sizeof(q->prefix), "%s", name);
    key_of(kumo_crawler_setting(c, "REDIS_START_URLS_KEY"), name, q->startkey,
           sizeof(q->startkey));
    key_of(kumo_crawler_setting(c, "REDIS_ITEMS_KEY"), name, q->itemskey, sizeof(q->itemskey));
    args_init(&q->items);
    q->out_max = (size_t)KUMO_MAX(1, kumo_crawler_setting_int(c, "REDIS_RESULTS_MAX"));
    char host[64] = "host";
    gethostname(host, sizeof(host) - 1);
    snprintf(q->worker, sizeof(q->worker), "%s:%ld:%08x", host, (long)getpid(),
             (unsigned)(kumo_now() * 1e6) ^ (unsigned)random());
    q->ttl = KUMO_MAX(0.3, kumo_crawler_setting_float(c, "SCHEDULER_LEASE_TIMEOUT"));
    q->close_after = KUMO_MAX(0.0, kumo_crawler_setting_float(c, "SCHEDULER_IDLE_BEFORE_CLOSE"));
    q->hb_every = KUMO_MIN(1.0, q->ttl / 3);
    q->persist = kumo_crawler_setting_bool(c, "SCHEDULER_PERSIST");
    q->prefetch = (int)KUMO_MAX(1, kumo_crawler_setting_int(c, "CONCURRENT_REQUESTS"));
    q->poll = POLL_MIN;
    kumo__redis_slots_init(&q->slots, c);
    q->fpc = kumo_calloc(FPCACHE, sizeof(*q->fpc), KUMO_T_FPSET, KUMO_V_SEEN);
    redisContext *ctx = NULL;
    if (*err == KUMO_OK) {
        ctx = kumo__redis_connect(&q->url, CONNECT_TIMEOUT, msg, sizeof(msg));
        if (!ctx)
            *err = KUMO_ECONN;
    }
    if (*err == KUMO_OK && load_functions(ctx, q, msg, sizeof(msg)) != KUMO_OK)
        *err = KUMO_EIO;
    if (*err == KUMO_OK && kumo_crawler_setting_bool(c, "SCHEDULER_FLUSH_ON_START")) {
        long long n = delete_keys(ctx, q->prefix);
        KUMO_INFO(LOGGER, "Flushed %lld keys of '%s' at start (SCHEDULER_FLUSH_ON_START)", n,
                  q->prefix);
    }
    if (*err == KUMO_OK) {
        redisReply *r = kumo__hiredis.redisCommand(ctx, "SET %s:start %s NX", q->prefix, q->worker);
        q->starts_elsewhere = r && r->type == REDIS_REPLY_NIL;
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(msg, sizeof(msg), "Redis at '%s' refused SET %s:start: %s", q->url.shown,
                     q->prefix, r ? r->str : ctx->errstr);
            *err = KUMO_EIO;
        }
        if (r)
            kumo__hiredis.freeReplyObject(r);
    }
    if (*err == KUMO_OK) {          /* join the cluster as busy: nobody closes meanwhile */
        redisReply *r = kumo__hiredis.redisCommand(
            ctx, "FCALL kumo_heartbeat 1 %s %s %lld %lld -1 %lld %s", q->prefix, q->worker,
            (long long)(q->ttl * 1000), (long long)(q->ttl * 1000),
            (long long)(q->close_after * 1000), q->startkey);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(msg, sizeof(msg), "Redis at '%s': %s", q->url.shown,
                     r ? r->str : ctx->errstr);
            *err = KUMO_EIO;
        }
        if (r)
            kumo__hiredis.freeReplyObject(r);
    }
    if (ctx)
        kumo__hiredis.redisFree(ctx);
    struct event_base *base = kumo_crawler_event_base(c);
    if (*err == KUMO_OK && !base) {
        snprintf(msg, sizeof(msg), "SCHEDULER=redis needs the crawl's loop");
        *err = KUMO_EINVAL;
    }
    if (*err != KUMO_OK) {
        kumo__scheduler_set_open_error("%s", msg);
        close_q(q);
        return NULL;
    }
    KUMO_INFO(LOGGER, "Redis scheduler on '%s', crawl '%s', worker %s%s", q->url.shown,
              q->prefix, q->worker,
              q->starts_elsewhere ? " (start requests scheduled by another worker)" : "");
    q->conn = kumo__redis_conn_new(base, &q->url, CMD_TIMEOUT, on_up, q);
    q->hb = evtimer_new(base, on_hb_timer, q);
    q->refill = evtimer_new(base, on_refill, q);
    q->flush = event_new(base, -1, 0, on_flush, q);
    q->resend = evtimer_new(base, on_resend, q);
    q->robots = kumo__redis_robots_attach(c, q->conn, q->prefix, q->worker);
    arm(q->hb, q->hb_every);
    q->next_open = open_queues;
    open_queues = q;
    q->cluster = kumo__redis_cluster_new(q, c, base);
    return q;
}

/* drain()'s timer: it only wakes the loop up. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
}

/* Run the loop (stopped already) until the outbox is answered, at most DRAIN_TIMEOUT. */
static void drain(rq *q)
{
    struct event_base *base = kumo_crawler_event_base(q->c);
    double deadline = kumo_now() + DRAIN_TIMEOUT;
    struct event *tick = evtimer_new(base, on_tick, NULL);
    flush_kids(q);
    while ((q->out_head || kumo__redis_conn_inflight(q->conn)) && kumo_now() < deadline) {
        out_send(q);
        arm(tick, 0.05);
        event_base_loop(base, EVLOOP_ONCE);
    }
    event_free(tick);
}

static void close_q(void *p)
{
    rq *q = p;
    for (rq **o = &open_queues; *o; o = &(*o)->next_open)
        if (*o == q) {
            *o = q->next_open;
            break;
        }
    kumo__redis_cluster_free(q->cluster);
    q->cluster = NULL;
    if (q->hb)
        event_free(q->hb);
    if (q->refill)
        event_free(q->refill);
    q->hb = q->refill = NULL;
    kumo__redis_robots_detach(q->robots);
    q->robots = NULL;
    if (q->conn) {
        q->finished = true;         /* no more leases */
        drain(q);
        size_t lost = q->nouts;
        kumo__redis_conn_free(q->conn);
        char msg[512];
        redisContext *ctx = kumo__redis_connect(&q->url, CONNECT_TIMEOUT, msg, sizeof(msg));
        if (!ctx) {
            KUMO_ERROR(LOGGER, "%s: this worker's leases go back when they expire", msg);
        } else {
            redisReply *r = kumo__hiredis.redisCommand(ctx, "FCALL kumo_release 1 %s %s",
                                                       q->prefix, q->worker);
            if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
                KUMO_INFO(LOGGER, "Handed %lld leases back to '%s'", r->integer, q->prefix);
            if (r)
                kumo__hiredis.freeReplyObject(r);
            const char *reason = kumo__crawler_finish_reason(q->c);
            if (!q->persist && reason && strcmp(reason, "finished") == 0) {
                long long n = delete_keys(ctx, q->prefix);
                KUMO_INFO(LOGGER, "Deleted %lld keys of '%s' (SCHEDULER_PERSIST off)", n,
                          q->prefix);
            }
            kumo__hiredis.redisFree(ctx);
        }
        if (lost)
            KUMO_WARN(LOGGER, "%zu results could not be stored in Redis: their requests are "
                      "fetched again", lost);
    }
    if (q->flush)
        event_free(q->flush);
    if (q->resend)
        event_free(q->resend);
    q->flush = q->resend = NULL;
    while (q->out_head)
        out_unlink(q, q->out_head);
    for (size_t i = 0; i < q->npitems; i++)     /* items no ack took: the crawl closed */
        kumo_item_unref(q->pitems[i]);
    kumo_free(q->pitems);
    args_release(&q->items);
    for (size_t i = 0; i < q->nbuf; i++)
        kumo_request_unref(q->buf[q->head + i]);
    for (size_t i = 0; i < q->nside; i++)
        kumo_request_unref(q->side[i]);
    kumo_free(q->buf);
    kumo_free(q->side);
    args_release(&q->kids);
    kumo__redis_slots_release(&q->slots);
    kumo_free(q->fpc);
    kumo_free(q);
}

static void push(void *p, kumo_request *req)
{
    rq *q = p;
    char why[256];
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
    if (kumo__redis_wire_encode(kumo_crawler_spider(q->c), req, &b, why, sizeof(why)) !=
        KUMO_OK) {
        if (!q->warned_side)
            KUMO_WARN(LOGGER, "Unable to store request in Redis: <%s %s> - reason: %s - kept "
                      "in this worker's memory (no more will be logged; see the stat "
                      "redis/unserializable)", req->method, req->url, why);
        q->warned_side = true;
        kumo_crawler_stats_inc(q->c, "redis/unserializable", 1);
        if (q->nside == q->capside) {
            q->capside = q->capside ? q->capside * 2 : 16;
            q->side = kumo_realloc(q->side, q->capside * sizeof(*q->side), KUMO_T_QUEUE,
                                   KUMO_V_QUEUE);
        }
        req->seq = 0;
        q->side[q->nside++] = req;
        kumo__buf_release(&b);
        note_idle(q);
        return;
    }
    unsigned bucket;
    uint64_t value;
    kumo__redis_fp_split(kumo__request_fingerprint(req), &bucket, &value);
    arg_addf(&q->kids, "%d", req->priority);
    arg_addf(&q->kids, "%u", bucket);
    arg_addf(&q->kids, "%llu", (unsigned long long)value);
    arg_adds(&q->kids, req->dont_filter ? "1" : "0");
    char slot[KUMO_REDIS_SLOT_MAX];
    kumo__redis_slot_of(&q->slots, req, slot, sizeof(slot));
    arg_adds(&q->kids, slot);
    arg_add(&q->kids, b.s, b.len);
    q->nkids++;
    kumo__buf_release(&b);
    kumo_request_unref(req);
    if (!event_pending(q->flush, EV_TIMEOUT, NULL))
        event_active(q->flush, EV_TIMEOUT, 0);
    note_idle(q);
}

static kumo_request *pop(void *p)
{
    rq *q = p;
    kumo_request *req = NULL;
    if (q->full) {              /* Redis is slow or gone: what is done waits to be stored */
        warn_full(q);
    } else if (q->nside) {
        req = q->side[0];
        memmove(q->side, q->side + 1, --q->nside * sizeof(*q->side));
    } else if (q->nbuf) {
        req = q->buf[q->head++];
        q->nbuf--;
        q->nout++;
        if (q->nbuf == 0)
            q->head = 0;
    }
    refill(q);
    note_idle(q);
    return req;
}

/* Buffered requests, plus one while the cluster is not done: the engine waits for it. */
static size_t len(void *p)
{
    const rq *q = p;
    return q->nbuf + q->nside + (q->finished ? 0 : 1);
}

static bool seen_or_add(void *p, const unsigned char fp[20])
{
    rq *q = p;
    unsigned bucket;
    uint64_t value;
    kumo__redis_fp_split(fp, &bucket, &value);
    uint64_t h = (uint64_t)bucket << 50 | value;
    if (h == 0)
        return false;           /* Redis decides */
    uint64_t *slot = &q->fpc[h & (FPCACHE - 1)];
    if (*slot == h)
        return true;
    *slot = h;
    return false;               /* Redis's dupefilter decides, atomically with the push */
}

static void done(void *p, kumo_request *req)
{
    rq *q = p;
    if (req->seq) {
        q->nout--;
        kumo__redis_slots_note(&q->slots, req);
        ack(q, req->seq, ACK_OUTPUTS);
    }
    note_idle(q);
}

static bool start_done(void *p)
{
    const rq *q = p;
    return q->starts_elsewhere;
}

kumo_redis_queue *kumo__redis_queue_of(kumo_crawler *c)
{
    for (rq *q = open_queues; q; q = q->next_open)
        if (q->c == c)
            return q;
    return NULL;
}

kumo_redis_conn *kumo__redis_queue_conn(const kumo_redis_queue *q)
{
    return q->conn;
}

void kumo__redis_queue_figures(const kumo_redis_queue *q, kumo_redis_figures *f)
{
    *f = (kumo_redis_figures){
        .url = q->url.shown, .prefix = q->prefix, .itemskey = q->itemskey, .at = q->c_at,
        .pending = q->c_pending, .leased = q->c_leased, .seen = q->c_seen,
        .workers = q->c_workers, .start_urls = q->c_start,
        .l_pending = (int64_t)(q->nbuf + q->nside), .l_leased = (int64_t)(q->nbuf + q->nout),
        .l_queued = q->queued, .l_items = q->stored_items, .waiting = q->nouts,
        .waiting_bytes = q->outbytes, .up = kumo__redis_conn_up(q->conn),
    };
}

/*
 * Start requests are taken lazily, as with the memory queue (one when the queue gives
 * nothing): here, when this worker's buffer is empty, the requests pushed before are in
 * Redis, and the frontier gave nothing (the last lease found nothing due) or no lease is in
 * flight; at most a buffer's worth (CONCURRENT_REQUESTS) go in one push.  Requests waiting
 * in the frontier for their slots (a delay, the slot's concurrency) count with this
 * worker's downloads against CONCURRENT_REQUESTS, as Scrapy's downloader counts the
 * requests its slots hold: with a DOWNLOAD_DELAY the start requests do not all go in while
 * the slots wait.
 */
static bool start_wait(void *p)
{
    const rq *q = p;
    return q->nbuf > 0 || q->npushes > 0 || q->nkids >= q->prefetch ||
           (q->lease_busy && !q->drained) ||
           q->waiting + (int64_t)q->nout >= (int64_t)q->prefetch;
}

static bool wants(kumo_crawler *c)
{
    const char *s = kumo_crawler_setting(c, "SCHEDULER");
    return s && strcmp(s, "redis") == 0;
}

static const kumo_queue_backend queue_redis = {
    .name = "redis",
    .wants = wants,
    .open = open_q,
    .close = close_q,
    .push = push,
    .pop = pop,
    .len = len,
    .seen_or_add = seen_or_add,
    .done = done,
    .start_done = start_done,
    .start_wait = start_wait,
};

KUMO_REGISTER(register_queue)
{
    kumo__register(KUMO_REG_QUEUE, &queue_redis, -10);   /* before JOBDIR's */
}
