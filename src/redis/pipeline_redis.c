/* pipeline_redis.c - the RedisPipeline (scrapy-redis's scrapy_redis.pipelines.RedisPipeline):
 * each item, as JSON, to the list REDIS_ITEMS_KEY.  With SCHEDULER=redis it rides on the
 * ack of the response that produced it, in the same Function call (stored exactly once per
 * response); with another scheduler it goes with RPUSH on its own connection.  Either way
 * the item waits in the pipeline (KUMO_EAGAIN) until Redis has it. */
#include "redis/client.h"
#include "redis/queue_redis.h"
#include "core/crawler.h"
#include "core/registry.h"
#include "pipeline/feed.h"
#include "util/buf.h"

#include <event2/event.h>

#define LOGGER "kumo.redis"
#define CLASS_PATH "scrapy_redis.pipelines.RedisPipeline"
#define CMD_TIMEOUT 10.0        /* seconds */
#define ITEM_MAX (64u << 20)    /* bytes of one item's JSON */

/* One RPUSH of the items of a loop turn: sent until Redis answers it. */
typedef struct batch {
    struct batch *next;
    struct rpipe *p;
    kumo_buf data;              /* the JSON texts back to back */
    size_t *len;                /* their lengths */
    kumo_item **items;          /* one reference each */
    size_t n, cap;
    bool sent;
} batch;

typedef struct rpipe {
    kumo_crawler *c;
    char key[256];
    bool via_queue;             /* SCHEDULER=redis: the queue stores them with the acks */
    kumo_redis_url url;
    kumo_redis_conn *conn;      /* own connection otherwise, made at the first item */
    struct event *flush;
    batch *head, *tail;         /* head: the oldest */
    kumo_buf json;
} rpipe;

/* Expand %(spider)s and %(name)s in pattern with name (as queue_redis.c's key_of). */
static void key_of(const char *pattern, const char *name, char *out, size_t n)
{
    size_t o = 0;
    for (const char *s = pattern ? pattern : ""; *s && o + 1 < n;) {
        if (!strncmp(s, "%(name)s", 8) || !strncmp(s, "%(spider)s", 10)) {
            int w = snprintf(out + o, n - o, "%s", name);
            o = KUMO_MIN(o + (size_t)w, n - 1);
            s += s[2] == 'n' ? 8 : 10;
        } else {
            out[o++] = *s++;
        }
    }
    out[o] = '\0';
}

static void batch_free(batch *b, bool resume)
{
    for (size_t i = 0; i < b->n; i++) {
        if (resume)
            kumo_crawler_item_resume(b->p->c, b->items[i], KUMO_OK);
        kumo_item_unref(b->items[i]);
    }
    kumo__buf_release(&b->data);
    kumo_free(b->len);
    kumo_free(b->items);
    kumo_free(b);
}

static void send_all(rpipe *p);

static void on_reply(void *ctx, redisReply *r)
{
    batch *b = ctx;
    rpipe *p = b->p;
    if (!r) {                   /* the connection was lost: sent again once it is back */
        b->sent = false;
        return;
    }
    if (r->type == REDIS_REPLY_ERROR)
        KUMO_ERROR(LOGGER, "Redis refused %zu items for '%s': %s", b->n, p->key, r->str);
    else
        kumo_crawler_stats_inc(p->c, "redis/items_stored", (int64_t)b->n);
    kumo_assert(p->head == b);  /* one connection answers in order */
    p->head = b->next;
    if (!p->head)
        p->tail = NULL;
    batch_free(b, true);
}

static void send_all(rpipe *p)
{
    if (!p->conn || !kumo__redis_conn_up(p->conn))
        return;
    for (batch *b = p->head; b; b = b->next) {
        if (b->sent)
            continue;
        const char **argv = kumo_calloc(b->n + 2, sizeof(*argv), KUMO_T_LIST, KUMO_V_NONE);
        size_t *len = kumo_calloc(b->n + 2, sizeof(*len), KUMO_T_LIST, KUMO_V_NONE);
        argv[0] = "RPUSH";
        len[0] = 5;
        argv[1] = p->key;
        len[1] = strlen(p->key);
        const char *s = b->data.s;
        for (size_t i = 0; i < b->n; i++) {
            argv[i + 2] = s;
            len[i + 2] = b->len[i];
            s += b->len[i];
        }
        if (kumo__redis_conn_cmd(p->conn, on_reply, b, (int)b->n + 2, argv, len) == KUMO_OK)
            b->sent = true;
        kumo_free(argv);
        kumo_free(len);
        if (!b->sent)
            break;              /* in order: the rest wait too */
    }
}

static void on_up(void *ctx)
{
    send_all(ctx);
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    rpipe *p = arg;
    if (!p->conn)
        p->conn = kumo__redis_conn_new(kumo_crawler_event_base(p->c), &p->url, CMD_TIMEOUT,
                                       on_up, p);
    send_all(p);
}

/* Append item (its JSON in p->json) to the open batch of this loop turn. */
static void batch_add(rpipe *p, kumo_item *item)
{
    batch *b = p->tail;
    if (!b || b->sent) {
        b = kumo_calloc(1, sizeof(*b), KUMO_T_QUEUE, KUMO_V_QUEUE);
        b->p = p;
        kumo__buf_init(&b->data, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
        if (p->tail)
            p->tail->next = b;
        else
            p->head = b;
        p->tail = b;
    }
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->len = kumo_realloc(b->len, b->cap * sizeof(*b->len), KUMO_T_QUEUE, KUMO_V_QUEUE);
        b->items = kumo_realloc(b->items, b->cap * sizeof(*b->items), KUMO_T_QUEUE,
                                KUMO_V_QUEUE);
    }
    kumo__buf_add(&b->data, p->json.s, p->json.len);
    b->len[b->n] = p->json.len;
    b->items[b->n++] = kumo_item_ref(item);
    if (!event_pending(p->flush, EV_TIMEOUT, NULL))
        event_active(p->flush, EV_TIMEOUT, 0);
}

static int process(void *self, kumo_crawler *c, kumo_item *item)
{
    rpipe *p = self;
    kumo__buf_reset(&p->json);
    if (kumo__feed_json_item(&p->json, kumo_item_fields(item), 0) != KUMO_OK) {
        KUMO_ERROR(LOGGER, "Item too large for '%s' (over %u bytes of JSON): not stored",
                   p->key, ITEM_MAX);
        return KUMO_OK;
    }
    kumo_redis_queue *q = p->via_queue ? kumo__redis_queue_of(c) : NULL;
    if (q)
        kumo__redis_queue_item(q, p->json.s, p->json.len, item);
    else
        batch_add(p, item);
    return KUMO_EAGAIN;         /* resumed once Redis has it */
}

/* Named in ITEM_PIPELINES, by its name or scrapy-redis's class path. */
static int open_pipe(kumo_crawler *c, void **self)
{
    int order;
    bool off = false;
    bool listed = kumo_crawler_setting_dict_order(c, "ITEM_PIPELINES", "RedisPipeline", &order,
                                                  &off) ||
                  kumo_crawler_setting_dict_order(c, "ITEM_PIPELINES", CLASS_PATH, &order,
                                                  &off);
    if (!listed || off)
        return KUMO_EDECLINED;
    rpipe *p = kumo_calloc(1, sizeof(*p), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    char err[512];
    if (kumo__redis_url_parse(kumo_crawler_setting(c, "REDIS_URL"), &p->url, err,
                              sizeof(err)) != KUMO_OK) {
        kumo_crawler_log(c, LOGGER, "ERROR", "RedisPipeline: %s", err);
        kumo_free(p);
        return KUMO_EURL;
    }
    struct event_base *base = kumo_crawler_event_base(c);
    if (!base) {
        kumo_free(p);
        return KUMO_EDECLINED;  /* no loop (kumo parse, a bare crawler): nothing to send on */
    }
    p->c = c;
    const char *sched = kumo_crawler_setting(c, "SCHEDULER");
    p->via_queue = sched && !strcmp(sched, "redis");
    if (!p->via_queue && kumo__hiredis_load(err, sizeof(err)) != KUMO_OK) {
        kumo_crawler_log(c, LOGGER, "ERROR", "RedisPipeline: %s", err);
        kumo_free(p);
        return KUMO_ELIBRARY;   /* with SCHEDULER=redis the queue loads it, or fails */
    }
    key_of(kumo_crawler_setting(c, "REDIS_ITEMS_KEY"), kumo__crawler_def(c)->name, p->key,
           sizeof(p->key));
    p->flush = event_new(base, -1, 0, on_flush, p);
    kumo__buf_init(&p->json, ITEM_MAX, KUMO_T_STR, KUMO_V_NONE);
    *self = p;
    return KUMO_OK;
}

/* The spider closed: every item was resumed (the engine waits for them), unless the crawl
 * stopped at once; those are let go. */
static void close_pipe(void *self, kumo_crawler *c)
{
    rpipe *p = self;
    kumo__redis_conn_free(p->conn);     /* first: it answers its commands (NULL) */
    while (p->head) {
        batch *b = p->head;
        p->head = b->next;
        batch_free(b, false);
    }
    event_free(p->flush);
    kumo__buf_release(&p->json);
    kumo_free(p);
}

static const kumo_pipeline_def pipeline_redis = {
    KUMO_PIPELINE_HEADER,
    .name = "RedisPipeline",
    .order = 300,
    .open = open_pipe,
    .close = close_pipe,
    .process_item = process,
};

/* Off unless ITEM_PIPELINES names it (open_pipe). */
KUMO_REGISTER(register_pipeline_redis)
{
    kumo__register(KUMO_REG_PIPELINE, &pipeline_redis, 10);
}
