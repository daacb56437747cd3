/* test_client.c - REDIS_URL parsing, the blocking connection's one-line failures, and the
 * asynchronous connection on a loop: a command answered, a reconnection after Redis comes
 * back, a password and a database number. */
#include <criterion/criterion.h>
#include <event2/event.h>
#include "kumo-int.h"
#include "lib/leakcheck.h"
#include "lib/redisd.h"
#include "redis/client.h"

static kumo_redisd d;

/* The server goes first: a failed assertion or leak check must not leave it running. */
static void teardown(void)
{
    kumo_redisd_stop(&d, false);
    kumo_leakcheck_end();
}

TestSuite(redis_client, .init = kumo_leakcheck_start, .fini = teardown, .timeout = 60);

Test(redis_client, urls)
{
    kumo_redis_url u;
    char err[256];
    cr_assert_eq(kumo__redis_url_parse("redis://127.0.0.1:6380/3", &u, err, sizeof(err)),
                 KUMO_OK, "%s", err);
    cr_expect_str_eq(u.host, "127.0.0.1");
    cr_expect_eq(u.port, 6380);
    cr_expect_eq(u.db, 3);
    cr_expect_str_eq(u.password, "");
    cr_assert_eq(kumo__redis_url_parse("redis://:s3cret@host/2", &u, err, sizeof(err)),
                 KUMO_OK, "%s", err);
    cr_expect_str_eq(u.host, "host");
    cr_expect_eq(u.port, 6379);
    cr_expect_eq(u.db, 2);
    cr_expect_str_eq(u.user, "");
    cr_expect_str_eq(u.password, "s3cret");
    cr_expect_str_eq(u.shown, "redis://***@host:6379/2", "messages never show the password");
    cr_assert_eq(kumo__redis_url_parse("redis://bob:p@ss@h:1", &u, err, sizeof(err)), KUMO_OK);
    cr_expect_str_eq(u.user, "bob");
    cr_expect_str_eq(u.password, "p@ss");
    cr_expect_eq(u.db, 0);
    cr_assert_eq(kumo__redis_url_parse("redis://h", &u, err, sizeof(err)), KUMO_OK);
    static const char *const bad[] = {"http://h/", "redis://", "redis://h:0/", "redis://h:x",
                                      "redis://h/db", "redis://h:1/2/3", NULL};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        cr_expect_eq(kumo__redis_url_parse(bad[i], &u, err, sizeof(err)), KUMO_EURL, "%s",
                     bad[i] ? bad[i] : "NULL");
        cr_expect_neq(err[0], '\0');
        cr_expect_null(strchr(err, '\n'), "one line");
    }
}

static void on_reply(void *ctx, redisReply *r)
{
    char *out = ctx;
    snprintf(out, 64, "%s", !r ? "(lost)" : r->type == REDIS_REPLY_STATUS ? r->str
                            : r->type == REDIS_REPLY_STRING ? r->str : "(other)");
}

/* Run base until *out is set, at most 10 s. */
static void wait_reply(struct event_base *base, const char *out)
{
    for (int i = 0; i < 1000 && !out[0]; i++) {
        struct timeval tv = {0, 10000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
}

Test(redis_client, blocking_and_async_with_password_and_database)
{
    memset(&d, 0, sizeof(d));
    snprintf(d.extra, sizeof(d.extra), "--requirepass s3cret");
    kumo_redisd_start_or_skip(&d);
    char url[128], err[512];
    kumo_redis_url u;
    snprintf(url, sizeof(url), "redis://:wrong@127.0.0.1:%d/0", d.port);
    cr_assert_eq(kumo__redis_url_parse(url, &u, err, sizeof(err)), KUMO_OK);
    cr_expect_null(kumo__redis_connect(&u, 5, err, sizeof(err)));
    cr_expect(strstr(err, "refused AUTH"), "%s", err);
    cr_expect_null(strstr(err, "wrong"), "the password stays out: %s", err);
    snprintf(url, sizeof(url), "redis://:s3cret@127.0.0.1:%d/5", d.port);
    cr_assert_eq(kumo__redis_url_parse(url, &u, err, sizeof(err)), KUMO_OK);
    redisContext *ctx = kumo__redis_connect(&u, 5, err, sizeof(err));
    cr_assert(ctx, "%s", err);
    redisReply *r = kumo__hiredis.redisCommand(ctx, "SET k in5");
    cr_expect(r && r->type == REDIS_REPLY_STATUS);
    kumo__hiredis.freeReplyObject(r);
    kumo__hiredis.redisFree(ctx);
    /* the async connection authenticates and selects the same database */
    struct event_base *base = event_base_new();
    kumo_redis_conn *rc = kumo__redis_conn_new(base, &u, 5, NULL, NULL);
    char out[64] = "";
    const char *argv[] = {"GET", "k"};
    size_t len[] = {3, 1};
    cr_assert_eq(kumo__redis_conn_cmd(rc, on_reply, out, 2, argv, len), KUMO_OK);
    wait_reply(base, out);
    cr_expect_str_eq(out, "in5");
    cr_expect(kumo__redis_conn_up(rc));
    /* Redis goes away and comes back: a WARNING per attempt, then commands work again */
    kumo_redisd_stop(&d, true);
    out[0] = '\0';
    if (kumo__redis_conn_cmd(rc, on_reply, out, 2, argv, len) == KUMO_OK)
        wait_reply(base, out);
    for (int i = 0; i < 100 && kumo__redis_conn_attempts(rc) < 2; i++) {
        struct timeval tv = {0, 50000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    cr_expect_geq(kumo__redis_conn_attempts(rc), 2, "attempts while down");
    cr_assert_eq(kumo_redisd_start(&d), 0);
    for (int i = 0; i < 200 && !kumo__redis_conn_up(rc); i++) {
        struct timeval tv = {0, 50000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    cr_assert(kumo__redis_conn_up(rc), "reconnected");
    const char *set[] = {"SET", "k", "back"};
    size_t setlen[] = {3, 1, 4};
    out[0] = '\0';
    cr_assert_eq(kumo__redis_conn_cmd(rc, on_reply, out, 3, set, setlen), KUMO_OK);
    wait_reply(base, out);
    cr_expect_str_eq(out, "OK");
    cr_expect_eq(kumo__redis_conn_inflight(rc), 0);
    kumo__redis_conn_free(rc);
    event_base_free(base);
    kumo_redisd_stop(&d, false);
}

Test(redis_client, unreachable_is_one_line_naming_the_url)
{
    kumo_redis_url u;
    char err[512];
    cr_assert_eq(kumo__redis_url_parse("redis://127.0.0.1:1/0", &u, err, sizeof(err)), KUMO_OK);
    cr_expect_null(kumo__redis_connect(&u, 2, err, sizeof(err)));
    cr_expect(strstr(err, "cannot connect to Redis at 'redis://127.0.0.1:1/0'"), "%s", err);
    cr_expect_null(strchr(err, '\n'));
}
