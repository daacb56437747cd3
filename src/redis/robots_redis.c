/* robots_redis.c - robots.txt once per origin for a whole Redis cluster: a lock, one
 * download, the status and body stored for the others (kumo.lua's kumo_robots). */
#include "redis/robots_redis.h"
#include "core/crawler.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "http/robots.h"
#include "redis/slots.h"

#include <event2/event.h>

#define LOGGER "kumo.redis"
#define LOCK_MIN 1.0            /* seconds a worker's lock on a robots.txt lasts, at least */
#define LOCK_MAX 30.0           /* ... and at most (DOWNLOAD_TIMEOUT in between) */

typedef struct rfetch rfetch;

struct kumo_redis_robots {
    kumo_redis_robots *next;    /* the attached ones */
    kumo_crawler *c;
    kumo_redis_conn *conn;
    char prefix[256], worker[160];
    long long lock_ms;
    rfetch *fetches;            /* waiting for Redis or for another worker */
};

/* One robots.txt the middleware asked for. */
struct rfetch {
    rfetch *prev, *next;
    kumo_redis_robots *r;       /* NULL once detached */
    kumo_crawler *c;
    kumo_request *req;          /* owned until downloaded or answered */
    kumo_download_fn done;
    void *ctx;
    struct event *retry;        /* another worker fetches: ask again */
};

static kumo_redis_robots *attached;

static void unlink_fetch(rfetch *f)
{
    if (!f->r)
        return;
    if (f->prev)
        f->prev->next = f->next;
    else
        f->r->fetches = f->next;
    if (f->next)
        f->next->prev = f->prev;
    f->prev = f->next = NULL;
    f->r = NULL;
}

/* Answer the middleware and forget f. */
static void finish(rfetch *f, kumo_response *res, int err)
{
    unlink_fetch(f);
    if (f->retry)
        event_free(f->retry);
    kumo_request *req = f->req;
    f->done(f->ctx, req, res, err);
    kumo_request_unref(req);
    kumo_free(f);
}

static void on_put(void *ctx, redisReply *r)
{
    (void)ctx, (void)r;         /* lost: the lock expires, and another worker fetches */
}

/* Store what this worker downloaded (status "" unlocks only), fire and forget. */
static void put(kumo_redis_robots *r, const char *url, const char *status, const char *body,
                size_t len)
{
    char ttl[32];
    snprintf(ttl, sizeof(ttl), "%lld", (long long)(KUMO_REDIS_ROBOTS_TTL * 1000));
    const char *argv[] = {"FCALL", "kumo_robots_put", "1", r->prefix, url, r->worker,
                          status, body ? body : "", ttl};
    size_t lens[KUMO_ARRAY_LEN(argv)];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(argv); i++)
        lens[i] = strlen(argv[i]);
    lens[7] = body ? len : 0;
    kumo__redis_conn_cmd(r->conn, on_put, NULL, (int)KUMO_ARRAY_LEN(argv), argv, lens);
}

/* This worker's own download ended: share it, then answer. */
static void on_downloaded(void *ctx, kumo_request *req, kumo_response *res, int err)
{
    rfetch *f = ctx;
    if (f->r && kumo__redis_conn_up(f->r->conn)) {
        if (res) {
            char st[16];
            snprintf(st, sizeof(st), "%d", res->status);
            /* the middleware parses the first KUMO_ROBOTS_MAX_BYTES: one more says "cut" */
            put(f->r, req->url, st, res->body, KUMO_MIN(res->body_len,
                                                       (size_t)KUMO_ROBOTS_MAX_BYTES + 1));
            kumo_crawler_stats_inc(f->c, "redis/robots_stored", 1);
        } else if (err != KUMO_ECANCELED) {
            put(f->r, req->url, "", NULL, 0);
        }
    }
    unlink_fetch(f);
    if (f->retry)
        event_free(f->retry);
    f->done(f->ctx, req, res, err);
    kumo_free(f);
}

/* Download it ourselves (the lock is ours, or Redis is out of reach). */
static void download(rfetch *f)
{
    kumo_request *req = f->req;
    f->req = NULL;
    kumo_crawler_download(f->c, req, on_downloaded, f);
}

/* The cluster's copy: a response as the download would have given, through the same slot. */
static void answer_stored(rfetch *f, int status, const char *body, size_t len)
{
    char slot[KUMO_REDIS_SLOT_MAX];
    kumo_redis_slots sl;
    kumo__redis_slots_init(&sl, f->c);
    kumo__redis_slot_of(&sl, f->req, slot, sizeof(slot));
    kumo__redis_slots_release(&sl);
    if (slot[0])
        kumo_map_set(&f->req->meta, "download_slot", kumo_val_str(slot));
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, body, len);
    kumo_response *res = kumo__response_new(f->req, f->req->url, status, kumo__headers_new(),
                                            b, len);
    kumo_crawler_stats_inc(f->c, "redis/robots_shared", 1);
    KUMO_DEBUG(LOGGER, "robots.txt <%s> (%d) from the cluster", f->req->url, status);
    finish(f, res, KUMO_OK);
    kumo_response_unref(res);
}

static void ask(rfetch *f);

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    ask(arg);
}

static void on_ask(void *ctx, redisReply *rep)
{
    rfetch *f = ctx;
    if (!f->r) {
        finish(f, NULL, KUMO_ECANCELED);        /* detached while asking */
        return;
    }
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 ||
        rep->element[0]->type != REDIS_REPLY_INTEGER) {
        if (rep && rep->type == REDIS_REPLY_ERROR)
            KUMO_ERROR(LOGGER, "Redis refused robots.txt <%s> on '%s': %s", f->req->url,
                       f->r->prefix, rep->str);
        download(f);
        return;
    }
    long long what = rep->element[0]->integer;
    if (what == 1 && rep->elements >= 3 && rep->element[2]->type == REDIS_REPLY_STRING) {
        answer_stored(f, (int)rep->element[1]->integer, rep->element[2]->str,
                      rep->element[2]->len);
    } else if (what == 2) {
        if (!f->retry)
            f->retry = evtimer_new(kumo_crawler_event_base(f->c), on_retry, f);
        double s = KUMO_REDIS_ROBOTS_POLL;
        struct timeval tv = {0, (suseconds_t)(s * 1e6)};
        event_add(f->retry, &tv);
    } else {
        download(f);                            /* the lock is ours */
    }
}

static void ask(rfetch *f)
{
    kumo_redis_robots *r = f->r;
    char lock[32];
    snprintf(lock, sizeof(lock), "%lld", r->lock_ms);
    const char *argv[] = {"FCALL", "kumo_robots", "1", r->prefix, f->req->url, r->worker,
                          lock};
    size_t lens[KUMO_ARRAY_LEN(argv)];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(argv); i++)
        lens[i] = strlen(argv[i]);
    if (kumo__redis_conn_cmd(r->conn, on_ask, f, (int)KUMO_ARRAY_LEN(argv), argv, lens) !=
        KUMO_OK)
        download(f);                            /* Redis is out of reach: fetch it here */
}

static bool share(kumo_crawler *c, kumo_request *req, kumo_download_fn done, void *ctx)
{
    kumo_redis_robots *r = attached;
    while (r && r->c != c)
        r = r->next;
    if (!r)
        return false;
    rfetch *f = kumo_calloc(1, sizeof(*f), KUMO_T_MIDDLEWARE, KUMO_V_ACTIVE);
    f->r = r;
    f->c = c;
    f->req = req;
    f->done = done;
    f->ctx = ctx;
    f->next = r->fetches;
    if (r->fetches)
        r->fetches->prev = f;
    r->fetches = f;
    ask(f);
    return true;
}

kumo_redis_robots *kumo__redis_robots_attach(kumo_crawler *c, kumo_redis_conn *conn,
                                             const char *prefix, const char *worker)
{
    kumo_redis_robots *r = kumo_calloc(1, sizeof(*r), KUMO_T_MIDDLEWARE, KUMO_V_NONE);
    r->c = c;
    r->conn = conn;
    snprintf(r->prefix, sizeof(r->prefix), "%s", prefix);
    snprintf(r->worker, sizeof(r->worker), "%s", worker);
    double t = kumo_crawler_setting_float(c, "DOWNLOAD_TIMEOUT");
    r->lock_ms = (long long)(KUMO_MIN(LOCK_MAX, KUMO_MAX(LOCK_MIN, t)) * 1000);
    r->next = attached;
    attached = r;
    kumo__robotstxt_set_share(share);
    return r;
}

void kumo__redis_robots_detach(kumo_redis_robots *r)
{
    if (!r)
        return;
    for (kumo_redis_robots **p = &attached; *p; p = &(*p)->next)
        if (*p == r) {
            *p = r->next;
            break;
        }
    if (!attached)
        kumo__robotstxt_set_share(NULL);
    while (r->fetches) {
        rfetch *f = r->fetches;
        if (f->retry && evtimer_pending(f->retry, NULL)) {
            finish(f, NULL, KUMO_ECANCELED);    /* waiting for another worker */
        } else {
            unlink_fetch(f);                    /* its reply or download answers it */
        }
    }
    kumo_free(r);
}
