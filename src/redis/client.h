/* client.h - kumo's Redis connections (hiredis): REDIS_URL, a blocking connection for the
 * start and the end of a crawl (the loop is not running then), and an asynchronous one on
 * the crawl's loop with command timeouts and reconnection. */
#ifndef KUMO_REDIS_CLIENT_H
#define KUMO_REDIS_CLIENT_H

#include "kumo-int.h"
#include "redis/hiredis_dl.h"

struct event_base;

/* A parsed REDIS_URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]. */
typedef struct kumo_redis_url {
    char host[256];
    int port;                   /* 6379 by default */
    int db;                     /* 0 by default */
    char user[128];             /* "" for none */
    char password[256];         /* "" for none */
    char shown[300];            /* the url without its password, for messages */
} kumo_redis_url;

/* Parse url into u.  Returns KUMO_OK, or KUMO_EURL with one line in err[0..n). */
int kumo__redis_url_parse(const char *url, kumo_redis_url *u, char *err, size_t n);

/*
 * Returns a new blocking connection to u (connected, authenticated, its database selected)
 * whose connect and commands time out after timeout seconds, or NULL with one line naming
 * the url (or libhiredis, when it cannot be loaded) in err[0..n).  Loads libhiredis first:
 * with a connection in hand, kumo__hiredis is filled.  Free it with
 * kumo__hiredis.redisFree().  Never call it while the loop runs.
 */
redisContext *kumo__redis_connect(const kumo_redis_url *u, double timeout, char *err,
                                  size_t n);

/* ---- the asynchronous connection ---- */

typedef struct kumo_redis_conn kumo_redis_conn;

/*
 * A command's answer: r is the reply (borrowed, valid during the call) or NULL when the
 * command failed (timed out, connection lost, the connection is being freed).
 */
typedef void (*kumo_redis_reply_fn)(void *ctx, redisReply *r);

/*
 * Returns a new connection to u on base (borrowed, must outlive the connection); it
 * connects at once and again after a loss, with a WARNING per attempt and a backoff from
 * 0.1 s up to 5 s.  Commands time out after timeout seconds: the connection is then
 * considered lost.  on_up(ctx), if not NULL, is called each time the connection is
 * (re)established.  libhiredis must be loaded (kumo__hiredis_load() returned KUMO_OK).
 */
kumo_redis_conn *kumo__redis_conn_new(struct event_base *base, const kumo_redis_url *u,
                                      double timeout, void (*on_up)(void *ctx), void *ctx);

/*
 * Send a command (argv[0..argc) of argvlen bytes each, copied).  fn(fctx, reply) is called
 * exactly once, later, unless this returns an error: KUMO_ECONN when the connection is down
 * (fn is not called).
 */
int kumo__redis_conn_cmd(kumo_redis_conn *rc, kumo_redis_reply_fn fn, void *fctx, int argc,
                         const char **argv, const size_t *argvlen);

/* True when commands can be sent. */
bool kumo__redis_conn_up(const kumo_redis_conn *rc);

/* Commands sent and not yet answered. */
size_t kumo__redis_conn_inflight(const kumo_redis_conn *rc);

/* Attempts to reconnect since the last success. */
unsigned kumo__redis_conn_attempts(const kumo_redis_conn *rc);

/* Free the connection: the commands in flight are answered NULL.  rc may be NULL. */
void kumo__redis_conn_free(kumo_redis_conn *rc);

#endif
