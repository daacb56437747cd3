/* client.c - REDIS_URL, blocking connections for a crawl's start and end, and the
 * asynchronous connection on the crawl's loop (a libevent adapter like hiredis' own), whose
 * commands time out on loop timers (hiredis 0.14 has no command timeout) and which
 * reconnects.  libhiredis is called through kumo__hiredis (hiredis_dl.h). */
#include "redis/client.h"

#include <event2/event.h>

#define LOGGER "kumo.redis"
#define BACKOFF_MIN 0.1
#define BACKOFF_MAX 5.0

int kumo__redis_url_parse(const char *url, kumo_redis_url *u, char *err, size_t n)
{
    memset(u, 0, sizeof(*u));
    u->port = 6379;
    const char *p = url ? url : "";
    if (strncmp(p, "redis://", 8) != 0) {
        snprintf(err, n, "REDIS_URL '%s' is not a redis:// url", p);
        return KUMO_EURL;
    }
    p += 8;
    const char *at = strrchr(p, '@');
    const char *slash = strchr(at ? at : p, '/');
    if (at && (!slash || at < slash)) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = colon ? (size_t)(colon - p) : 0;
        size_t plen = colon ? (size_t)(at - colon - 1) : (size_t)(at - p);
        if (ulen >= sizeof(u->user) || plen >= sizeof(u->password)) {
            snprintf(err, n, "REDIS_URL: user or password too long");
            return KUMO_EURL;
        }
        memcpy(u->user, p, ulen);
        memcpy(u->password, colon ? colon + 1 : p, plen);
        p = at + 1;
    }
    size_t hlen = strcspn(p, ":/");
    if (hlen == 0 || hlen >= sizeof(u->host)) {
        snprintf(err, n, "REDIS_URL '%s': no host", url);
        return KUMO_EURL;
    }
    memcpy(u->host, p, hlen);
    p += hlen;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/')) {
            snprintf(err, n, "REDIS_URL '%s': bad port", url);
            return KUMO_EURL;
        }
        u->port = (int)port;
        p = end;
    }
    if (*p == '/' && p[1]) {
        char *end;
        long db = strtol(p + 1, &end, 10);
        if (end == p + 1 || *end || db < 0 || db > 100000) {
            snprintf(err, n, "REDIS_URL '%s': bad database number", url);
            return KUMO_EURL;
        }
        u->db = (int)db;
    } else if (*p && strcmp(p, "/") != 0) {
        snprintf(err, n, "REDIS_URL '%s': unexpected '%s'", url, p);
        return KUMO_EURL;
    }
    snprintf(u->shown, sizeof(u->shown), "redis://%s%s:%d/%d", u->password[0] ? "***@" : "",
             u->host, u->port, u->db);
    return KUMO_OK;
}

/* The AUTH and SELECT u needs, as argv lists; returns how many (0..2). */
static int setup_cmds(const kumo_redis_url *u, const char *argv[2][3], size_t len[2][3],
                      int argc[2], char *dbbuf, size_t dbn)
{
    int k = 0;
    if (u->password[0]) {
        argv[k][0] = "AUTH";
        argc[k] = 1;
        if (u->user[0])
            argv[k][argc[k]++] = u->user;
        argv[k][argc[k]++] = u->password;
        k++;
    }
    if (u->db) {
        snprintf(dbbuf, dbn, "%d", u->db);
        argv[k][0] = "SELECT";
        argv[k][1] = dbbuf;
        argc[k] = 2;
        k++;
    }
    for (int i = 0; i < k; i++)
        for (int j = 0; j < argc[i]; j++)
            len[i][j] = strlen(argv[i][j]);
    return k;
}

redisContext *kumo__redis_connect(const kumo_redis_url *u, double timeout, char *err,
                                  size_t n)
{
    if (kumo__hiredis_load(err, n) != KUMO_OK)
        return NULL;
    struct timeval tv = {(time_t)timeout, (suseconds_t)((timeout - (time_t)timeout) * 1e6)};
    redisContext *ctx = kumo__hiredis.redisConnectWithTimeout(u->host, u->port, tv);
    if (!ctx || ctx->err) {
        snprintf(err, n, "cannot connect to Redis at '%s': %s", u->shown,
                 ctx ? ctx->errstr : "out of memory");
        if (ctx)
            kumo__hiredis.redisFree(ctx);
        return NULL;
    }
    kumo__hiredis.redisSetTimeout(ctx, tv);
    const char *argv[2][3];
    size_t len[2][3];
    int argc[2];
    char db[16];
    int k = setup_cmds(u, argv, len, argc, db, sizeof(db));
    for (int i = 0; i < k; i++) {
        redisReply *r = kumo__hiredis.redisCommandArgv(ctx, argc[i], argv[i], len[i]);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(err, n, "Redis at '%s' refused %s: %s", u->shown, argv[i][0],
                     r ? r->str : ctx->errstr);
            if (r)
                kumo__hiredis.freeReplyObject(r);
            kumo__hiredis.redisFree(ctx);
            return NULL;
        }
        kumo__hiredis.freeReplyObject(r);
    }
    return ctx;
}

/* ---- the asynchronous connection ---- */

struct kumo_redis_conn {
    struct event_base *base;        /* borrowed */
    kumo_redis_url url;
    double timeout;
    redisAsyncContext *ac;          /* NULL while down; hiredis frees it */
    bool up, freeing;
    struct event *retry;            /* the next connection attempt */
    struct event *connect_timer;    /* a connection attempt that takes too long */
    double backoff;
    unsigned attempts;
    size_t inflight;
    void (*on_up)(void *ctx);
    void *ctx;
};

typedef struct cmd {
    kumo_redis_conn *rc;
    kumo_redis_reply_fn fn;
    void *ctx;
    struct event *timer;
    bool answered;                  /* fn was called (a timeout answers before hiredis) */
} cmd;

static void conn_start(kumo_redis_conn *rc);

static struct timeval tv_of(double s)
{
    return (struct timeval){(time_t)s, (suseconds_t)((s - (time_t)s) * 1e6)};
}

/* The connection is gone (why): try again after the backoff. */
static void conn_lost(kumo_redis_conn *rc, const char *why)
{
    rc->ac = NULL;
    rc->up = false;
    if (rc->freeing)
        return;
    rc->attempts++;
    KUMO_WARN(LOGGER, "Redis at '%s' unreachable (%s): reconnecting in %.1fs (attempt %u)",
              rc->url.shown, why, rc->backoff, rc->attempts);
    struct timeval tv = tv_of(rc->backoff);
    event_add(rc->retry, &tv);
    rc->backoff = KUMO_MIN(rc->backoff * 2, BACKOFF_MAX);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    kumo_redis_conn *rc = ac->data;
    event_del(rc->connect_timer);
    if (status != REDIS_OK) {
        conn_lost(rc, ac->errstr[0] ? ac->errstr : "connection failed");
        return;
    }
    rc->up = true;
    if (rc->attempts)
        KUMO_INFO(LOGGER, "Redis at '%s' reachable again", rc->url.shown);
    rc->attempts = 0;
    rc->backoff = BACKOFF_MIN;
    if (rc->on_up)
        rc->on_up(rc->ctx);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    kumo_redis_conn *rc = ac->data;
    conn_lost(rc, ac->errstr[0] ? ac->errstr : "connection closed");
}

static void on_connect_timeout(evutil_socket_t fd, short what, void *arg)
{
    kumo_redis_conn *rc = arg;
    redisAsyncContext *ac = rc->ac;
    rc->ac = NULL;                  /* not connected: freeing it calls neither callback */
    if (ac)
        kumo__hiredis.redisAsyncFree(ac);
    conn_lost(rc, "connect timed out");
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    conn_start(arg);
}

static void ignore_reply(redisAsyncContext *ac, void *r, void *priv)
{
}

/* ---- hiredis on the loop: hiredis' adapters/libevent.h is inline code that calls libhiredis
 * by name; this is the same adapter through kumo__hiredis. */

typedef struct ev_pair {
    redisAsyncContext *ac;          /* borrowed: hiredis frees the pair (cleanup) first */
    struct event *rev, *wev;
} ev_pair;

static void ev_read(evutil_socket_t fd, short what, void *arg)
{
    ev_pair *e = arg;
    kumo__hiredis.redisAsyncHandleRead(e->ac);
}

static void ev_write(evutil_socket_t fd, short what, void *arg)
{
    ev_pair *e = arg;
    kumo__hiredis.redisAsyncHandleWrite(e->ac);
}

static void ev_add_read(void *p)
{
    event_add(((ev_pair *)p)->rev, NULL);
}

static void ev_del_read(void *p)
{
    event_del(((ev_pair *)p)->rev);
}

static void ev_add_write(void *p)
{
    event_add(((ev_pair *)p)->wev, NULL);
}

static void ev_del_write(void *p)
{
    event_del(((ev_pair *)p)->wev);
}

static void ev_cleanup(void *p)
{
    ev_pair *e = p;
    event_free(e->rev);
    event_free(e->wev);
    kumo_free(e);
}

/* Put ac's socket on base: hiredis turns its events on and off through ac->ev. */
static void attach(redisAsyncContext *ac, struct event_base *base)
{
    ev_pair *e = kumo_calloc(1, sizeof(*e), KUMO_T_OTHER, KUMO_V_NONE);
    e->ac = ac;
    e->rev = event_new(base, ac->c.fd, EV_READ, ev_read, e);
    e->wev = event_new(base, ac->c.fd, EV_WRITE, ev_write, e);
    ac->ev.addRead = ev_add_read;
    ac->ev.delRead = ev_del_read;
    ac->ev.addWrite = ev_add_write;
    ac->ev.delWrite = ev_del_write;
    ac->ev.cleanup = ev_cleanup;
    ac->ev.data = e;
    event_add(e->rev, NULL);
    event_add(e->wev, NULL);
}

static void conn_start(kumo_redis_conn *rc)
{
    redisAsyncContext *ac = kumo__hiredis.redisAsyncConnect(rc->url.host, rc->url.port);
    if (!ac || ac->err) {
        char why[128];
        snprintf(why, sizeof(why), "%s", ac ? ac->errstr : "out of memory");
        if (ac)
            kumo__hiredis.redisAsyncFree(ac);
        conn_lost(rc, why);
        return;
    }
    ac->data = rc;
    attach(ac, rc->base);
    kumo__hiredis.redisAsyncSetConnectCallback(ac, on_connect);
    kumo__hiredis.redisAsyncSetDisconnectCallback(ac, on_disconnect);
    rc->ac = ac;
    struct timeval tv = tv_of(rc->timeout);
    event_add(rc->connect_timer, &tv);
    /* AUTH and SELECT go first; a refusal shows in the commands that follow */
    const char *argv[2][3];
    size_t len[2][3];
    int argc[2];
    char db[16];
    int k = setup_cmds(&rc->url, argv, len, argc, db, sizeof(db));
    for (int i = 0; i < k; i++)
        kumo__hiredis.redisAsyncCommandArgv(ac, ignore_reply, NULL, argc[i], argv[i], len[i]);
}

kumo_redis_conn *kumo__redis_conn_new(struct event_base *base, const kumo_redis_url *u,
                                      double timeout, void (*on_up)(void *ctx), void *ctx)
{
    kumo_assert(kumo__hiredis.redisAsyncConnect);     /* the caller loaded libhiredis */
    kumo_redis_conn *rc = kumo_calloc(1, sizeof(*rc), KUMO_T_OTHER, KUMO_V_NONE);
    rc->base = base;
    rc->url = *u;
    rc->timeout = timeout;
    rc->backoff = BACKOFF_MIN;
    rc->on_up = on_up;
    rc->ctx = ctx;
    rc->retry = evtimer_new(base, on_retry, rc);
    rc->connect_timer = evtimer_new(base, on_connect_timeout, rc);
    conn_start(rc);
    return rc;
}

static void cmd_answer(cmd *k, redisReply *r)
{
    if (k->answered)
        return;
    k->answered = true;
    k->fn(k->ctx, r);
}

static void on_reply(redisAsyncContext *ac, void *reply, void *priv)
{
    cmd *k = priv;
    k->rc->inflight--;
    event_free(k->timer);
    cmd_answer(k, reply);
    kumo_free(k);
}

static void on_cmd_timeout(evutil_socket_t fd, short what, void *arg)
{
    cmd *k = arg;
    kumo_redis_conn *rc = k->rc;
    cmd_answer(k, NULL);
    redisAsyncContext *ac = rc->ac;
    if (ac && rc->up) {             /* its answer is lost: so is the connection */
        rc->up = false;
        kumo__hiredis.redisAsyncFree(ac);   /* answers the others NULL, then on_disconnect */
    }
}

int kumo__redis_conn_cmd(kumo_redis_conn *rc, kumo_redis_reply_fn fn, void *fctx, int argc,
                         const char **argv, const size_t *argvlen)
{
    if (!rc->ac)
        return KUMO_ECONN;
    cmd *k = kumo_calloc(1, sizeof(*k), KUMO_T_OTHER, KUMO_V_NONE);
    k->rc = rc;
    k->fn = fn;
    k->ctx = fctx;
    k->timer = evtimer_new(rc->base, on_cmd_timeout, k);
    if (kumo__hiredis.redisAsyncCommandArgv(rc->ac, on_reply, k, argc, argv, argvlen) !=
        REDIS_OK) {
        event_free(k->timer);
        kumo_free(k);
        return KUMO_ECONN;
    }
    rc->inflight++;
    struct timeval tv = tv_of(rc->timeout);
    event_add(k->timer, &tv);
    return KUMO_OK;
}

bool kumo__redis_conn_up(const kumo_redis_conn *rc)
{
    return rc->up;
}

size_t kumo__redis_conn_inflight(const kumo_redis_conn *rc)
{
    return rc->inflight;
}

unsigned kumo__redis_conn_attempts(const kumo_redis_conn *rc)
{
    return rc->attempts;
}

void kumo__redis_conn_free(kumo_redis_conn *rc)
{
    if (!rc)
        return;
    rc->freeing = true;
    if (rc->ac)
        kumo__hiredis.redisAsyncFree(rc->ac);
    event_free(rc->retry);
    event_free(rc->connect_timer);
    kumo_free(rc);
}
