/* test_queue_redis.c - the Redis queue backend through the scheduler on bare crawlers:
 * priorities with LIFO within one, the cluster-wide dupefilter, an ack refused once its
 * lease moved (the fencing token) with its children left out, leases handed back at close,
 * SCHEDULER_PERSIST=0, REDIS_RESULTS_MAX holding new downloads while Redis is away, the
 * frontier's size in Redis against kumo's packed encoding, a slot leased once at a time
 * with its delay.  Needs redis-server (skipped with a message without it). */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <unistd.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/scheduler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "lib/redisd.h"

TestSuite(queue_redis, KUMO_REDISD_SUITE, .timeout = 60);

typedef struct worker {
    struct event_base *base;
    kumo_crawler *c;
    kumo_scheduler *s;
} worker;

static const char *results_max = "67108864";    /* REDIS_RESULTS_MAX of the next worker */

/* Open w with more settings kv (NAME, VALUE, ..., NULL; may be NULL). */
static void worker_open_with(worker *w, const char *lease, const char *persist,
                             const char *const *kv)
{
    kumo_settings *st = kumo__settings_new();
    kumo_test_set(st, "REDIS_RESULTS_MAX", results_max);
    for (size_t i = 0; kv && kv[i]; i += 2)
        kumo_test_set(st, kv[i], kv[i + 1]);
    kumo_test_set(st, "SCHEDULER", "redis");
    kumo_test_set(st, "REDIS_URL", kumo_test_redis.url);
    kumo_test_set(st, "SCHEDULER_LEASE_TIMEOUT", lease);
    kumo_test_set(st, "SCHEDULER_PERSIST", persist);
    kumo_test_set(st, "CONCURRENT_REQUESTS", "4");
    kumo_test_set(st, "LOG_LEVEL", "WARNING");
    w->base = event_base_new();
    w->c = kumo__crawler_new_bare(st, &kumo_redisd_spider);
    kumo__crawler_set_base(w->c, w->base);
    int rc;
    w->s = kumo__scheduler_open(w->c, &rc);
    cr_assert(w->s, "%s", kumo__scheduler_open_error());
}

static void worker_open(worker *w, const char *lease, const char *persist)
{
    worker_open_with(w, lease, persist, NULL);
}

static void worker_close(worker *w)
{
    if (w->s)
        kumo__scheduler_close(w->s);
    kumo__crawler_free(w->c);
    event_base_free(w->base);
}

/* Run w's loop for about ms milliseconds. */
static void spin(worker *w, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(w->base, &tv);
    event_base_dispatch(w->base);
}

static kumo_request *req(const char *url, int prio)
{
    int err;
    kumo_request *r = kumo_request_new(url, NULL, &err);
    cr_assert(r);
    r->priority = prio;
    return r;
}

/* The next request, running the loop until one is leased (at most 5 s); NULL if none. */
static kumo_request *next(worker *w)
{
    for (int i = 0; i < 100; i++) {
        kumo_request *r = kumo__scheduler_next(w->s);
        if (r)
            return r;
        spin(w, 50);
    }
    return NULL;
}

static void cli(const char *fmt, const char *arg, char *out, size_t n)
{
    kumo_redisd_cli(&kumo_test_redis, out, n, fmt, arg);
}

Test(queue_redis, priorities_then_lifo_and_one_dupefilter_for_all)
{
    worker a, b;
    worker_open(&a, "30", "1");
    static const struct { const char *url; int prio; } in[] = {
        {"http://a.test/1", 0}, {"http://a.test/2", 5}, {"http://a.test/3", 0},
        {"http://a.test/4", -2}, {"http://a.test/5", 5}, {"http://a.test/6", 0},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(in); i++)
        cr_assert(kumo__scheduler_enqueue(a.s, req(in[i].url, in[i].prio)));
    static const char *const order[] = {"http://a.test/5", "http://a.test/2", "http://a.test/6",
                                        "http://a.test/3", "http://a.test/1", "http://a.test/4"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(order); i++) {
        kumo_request *r = next(&a);
        cr_assert(r, "request %zu", i);
        cr_expect_str_eq(r->url, order[i]);
        kumo__scheduler_done(a.s, r);
        kumo_request_unref(r);
    }
    spin(&a, 200);
    /* the same urls from another worker: Redis's dupefilter filters them */
    worker_open(&b, "30", "1");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(in); i++)
        kumo__scheduler_enqueue(b.s, req(in[i].url, in[i].prio));
    spin(&b, 300);
    cr_expect_null(kumo__scheduler_next(b.s), "each url once");
    cr_expect_eq(kumo_crawler_stats_get_int(b.c, "dupefilter/filtered", 0), 6);
    char out[64];
    cli("HGET %s:stats lease/acked", "rt", out, sizeof(out));
    cr_expect_str_eq(out, "6");
    cli("GET %s:nseen", "rt", out, sizeof(out));
    cr_expect_str_eq(out, "6");
    worker_close(&a);
    worker_close(&b);
}

Test(queue_redis, an_ack_after_the_lease_moved_is_refused)
{
    worker a, b;
    worker_open(&a, "0.3", "1");
    worker_open(&b, "30", "1");
    kumo__scheduler_enqueue(a.s, req("http://a.test/parent", 0));
    kumo_request *mine = next(&a);
    cr_assert(mine);
    /* a stops heartbeating (its loop does not run): the lease expires and b gets it */
    usleep(400 * 1000);
    kumo_request *theirs = next(&b);
    cr_assert(theirs, "the expired lease went back to the frontier");
    cr_expect_str_eq(theirs->url, "http://a.test/parent");
    cr_expect_neq(theirs->seq, mine->seq, "a new fencing token");
    /* a finishes late, with a child: refused, the child is not stored */
    kumo__scheduler_enqueue(a.s, req("http://a.test/child-of-a", 0));
    kumo__scheduler_done(a.s, mine);
    spin(&a, 300);
    cr_expect_eq(kumo_crawler_stats_get_int(a.c, "redis/ack_refused", 0), 1);
    char out[64];
    cli("LLEN %s:q::0", "rt", out, sizeof(out));
    cr_expect_str_eq(out, "0", "the refused ack's child is not queued");
    /* b's ack goes through with its own child */
    kumo__scheduler_enqueue(b.s, req("http://a.test/child-of-b", 0));
    kumo__scheduler_done(b.s, theirs);
    spin(&b, 300);
    kumo_request *child = next(&b);
    cr_assert(child);
    cr_expect_str_eq(child->url, "http://a.test/child-of-b");
    /* closing with a lease out hands it back at once */
    worker_close(&b);
    cli("LLEN %s:q::0", "rt", out, sizeof(out));
    cr_expect_str_eq(out, "1", "handed back");
    cli("HLEN %s:leases", "rt", out, sizeof(out));
    cr_expect_str_eq(out, "0");
    kumo_request_unref(child);
    kumo_request_unref(mine);
    kumo_request_unref(theirs);
    worker_close(&a);
}

Test(queue_redis, persist_off_deletes_the_keys_when_finished)
{
    worker a;
    worker_open(&a, "30", "0");
    kumo__scheduler_enqueue(a.s, req("http://a.test/only", 0));
    kumo_request *r = next(&a);
    cr_assert(r);
    kumo__scheduler_done(a.s, r);
    kumo_request_unref(r);
    spin(&a, 200);
    kumo_crawler_stats_set_str(a.c, "finish_reason", "finished");
    worker_close(&a);
    char out[64];
    cli("DBSIZE", "", out, sizeof(out));
    cr_expect_str_eq(out, "0", "every key of the crawl is gone");
}

/* REDIS_RESULTS_MAX: while an ack waits for a Redis that is away, past the bound no leased
 * request is handed out (no new download starts), though two wait in the buffer; once Redis
 * is back the ack is answered and they come out again. */
Test(queue_redis, results_waiting_past_the_bound_hold_new_downloads)
{
    worker a;
    results_max = "1";
    worker_open(&a, "30", "1");
    results_max = "67108864";
    kumo__scheduler_enqueue(a.s, req("http://a.test/1", 0));
    kumo__scheduler_enqueue(a.s, req("http://a.test/2", 0));
    kumo__scheduler_enqueue(a.s, req("http://a.test/3", 0));
    kumo_request *r = next(&a);
    cr_assert(r);
    for (int i = 0; i < 100 && kumo__scheduler_len(a.s) < 3; i++)
        spin(&a, 50);
    cr_assert_eq(kumo__scheduler_len(a.s), 3, "two leased and buffered (plus one: not done)");
    kumo_redisd_stop(&kumo_test_redis, true);
    spin(&a, 300);
    kumo__scheduler_done(a.s, r);           /* its ack waits */
    kumo_request_unref(r);
    spin(&a, 200);
    cr_expect_null(kumo__scheduler_next(a.s), "no new download while the result waits");
    cr_expect_eq(kumo__scheduler_len(a.s), 3, "the buffered leases are kept");
    cr_assert_eq(kumo_redisd_start(&kumo_test_redis), 0);
    kumo_request *again = next(&a);         /* reconnected: the ack is answered */
    cr_expect(again, "downloads start again once Redis answered");
    if (again) {
        kumo__scheduler_done(a.s, again);
        kumo_request_unref(again);
    }
    worker_close(&a);
}

/* Open w as a crawl opens its scheduler, through an engine (kept paused: nothing is
 * fetched): requests go to the download slot the downloader picks, their host. */
static void worker_open_engine(worker *w)
{
    kumo_settings *st = kumo__settings_new();
    kumo_test_set(st, "SCHEDULER", "redis");
    kumo_test_set(st, "REDIS_URL", kumo_test_redis.url);
    kumo_test_set(st, "CONCURRENT_REQUESTS", "4");
    kumo_test_set(st, "TELNETCONSOLE_ENABLED", "0");
    kumo_test_set(st, "LOG_LEVEL", "WARNING");
    w->base = event_base_new();
    w->c = kumo__crawler_new_bare(st, &kumo_redisd_spider);
    kumo__crawler_set_base(w->c, w->base);
    char err[512];
    cr_assert_eq(kumo__crawler_open_engine(w->c, err, sizeof(err)), KUMO_OK, "%s", err);
    kumo__engine_pause(kumo__crawler_engine(w->c));
    w->s = NULL;                /* the engine's */
}

/* The frontier as Redis stores it: every request list (P:q:SLOT:PRIO), every slot's
 * priorities (P:sp:SLOT) and the slot indexes; "REQUESTS REDIS_BYTES PACKED_BYTES", the
 * last the stored entries' own bytes (kumo's packed encoding). */
#define FRONTIER_LUA                                                                           \
    "EVAL \"local P, n, mem, packed = KEYS[1], 0, 0, 0 "                                       \
    "local function use(k) mem = mem + (redis.call('MEMORY', 'USAGE', k, 'SAMPLES', 0) or 0) " \
    "end "                                                                                     \
    "for _, k in ipairs(redis.call('KEYS', P .. ':q:*')) do use(k) "                          \
    "for _, v in ipairs(redis.call('LRANGE', k, 0, -1)) do n = n + 1 packed = packed + #v "    \
    "end end "                                                                                 \
    "for _, k in ipairs(redis.call('KEYS', P .. ':sp:*')) do use(k) end "                     \
    "for _, s in ipairs({'slotq', 'nq', 'ready', 'wait', 'next', 'inflight', 'delay', "       \
    "'conf'}) do use(P .. ':' .. s) end "                                                      \
    "return n .. ' ' .. mem .. ' ' .. packed\" 1 %s"

/* The frontier's size: Redis memory per queued request (all the frontier's keys, see
 * FRONTIER_LUA) is at most twice kumo's own packed encoding of it, with every request in
 * one download slot, and spread over 1000 slots of 20 requests (each slot costs about 500
 * bytes: with 5 requests a slot it is 2.6x). */
Test(queue_redis, frontier_at_most_twice_the_packed_encoding)
{
    enum { N = 20000 };
    static const int hosts[] = {1, 1000};
    for (size_t h = 0; h < KUMO_ARRAY_LEN(hosts); h++) {
        char out[128];
        cli("FLUSHALL", "", out, sizeof(out));
        worker a;
        worker_open_engine(&a);
        kumo_engine *e = kumo__crawler_engine(a.c);
        for (int i = 0; i < N; i++) {
            char url[128];
            snprintf(url, sizeof(url), "http://books%d.example.com/catalogue/page-%d/"
                     "item_%d.html", i % hosts[h], i / 20, i);
            kumo__engine_crawl(e, req(url, 0));
        }
        for (int i = 0; i < 200; i++) {
            spin(&a, 50);
            cli("GET %s:nseen", "rt", out, sizeof(out));
            if (atoi(out) == N)
                break;
        }
        cr_assert_eq(atoi(out), N, "every request pushed");
        spin(&a, 200);
        cli("ZCARD %s:slotq", "rt", out, sizeof(out));
        cr_expect_eq(atoi(out), hosts[h], "one slot per host");
        cli(FRONTIER_LUA, "rt", out, sizeof(out));
        long queued = 0, mem = 0, packed = 0;
        cr_assert_eq(sscanf(out, "%ld %ld %ld", &queued, &mem, &packed), 3, "%s", out);
        cr_assert_gt(queued, N - 10, "the frontier holds them (a few leased)");
        cr_assert_gt(packed, queued * 40, "%ld bytes for %ld requests", packed, queued);
        cr_expect_leq(mem, 2 * packed, "%d slots: Redis %.1f bytes per request, packed %.1f",
                      hosts[h], (double)mem / queued, (double)packed / queued);
        cr_log_info("frontier in %d slots: %.1f bytes of Redis per queued request, packed "
                    "encoding %.1f (%.2fx)", hosts[h], (double)mem / queued,
                    (double)packed / queued, (double)mem / packed);
        worker_close(&a);
    }
}

/* A slot with CONCURRENT_REQUESTS_PER_DOMAIN=1 and a DOWNLOAD_DELAY (bare crawlers have no
 * downloader: every request is in the slot ""): while one worker holds its lease, neither
 * worker gets another; after the ack the next lease waits the delay at least. */
Test(queue_redis, a_slot_is_leased_once_at_a_time_and_waits_its_delay)
{
    static const char *const polite[] = {"CONCURRENT_REQUESTS_PER_DOMAIN", "1",
                                         "DOWNLOAD_DELAY", "0.3", "RANDOMIZE_DOWNLOAD_DELAY",
                                         "0", NULL};
    worker a, b;
    worker_open_with(&a, "30", "1", polite);
    worker_open_with(&b, "30", "1", polite);
    kumo__scheduler_enqueue(a.s, req("http://a.test/1", 0));
    kumo__scheduler_enqueue(a.s, req("http://a.test/2", 0));
    kumo_request *first = next(&a);
    cr_assert(first);
    spin(&a, 400);
    spin(&b, 400);
    cr_expect_null(kumo__scheduler_next(a.s), "the slot's one lease is out");
    cr_expect_null(kumo__scheduler_next(b.s), "for every worker");
    char out[64];
    cli("HGET %s:inflight ''", "rt", out, sizeof(out));
    cr_expect_str_eq(out, "1");
    double acked = kumo_now();
    kumo__scheduler_done(a.s, first);
    spin(&a, 50);                       /* the ack goes out */
    kumo_request *second = next(&b);
    cr_assert(second, "the ack released the slot");
    cr_expect_geq(kumo_now() - acked, 0.3, "the delay after the ack, at least");
    kumo__scheduler_done(b.s, second);
    spin(&b, 100);
    cli("HLEN %s:inflight", "rt", out, sizeof(out));
    cr_expect_str_eq(out, "0");
    kumo_request_unref(first);
    kumo_request_unref(second);
    worker_close(&a);
    worker_close(&b);
}

/* A Redis holding an older kumo library (here one of version 3, without kumo_unlease_after)
 * gets this version's on the first worker's open, and the queue works on it. */
Test(queue_redis, an_older_library_is_replaced)
{
    char out[256];
    cli("FUNCTION LOAD \"$(printf '%s')\"",
        "#!lua name=kumo\\nredis.register_function(\"kumo_version\", function() return 3 end)",
        out, sizeof(out));
    cr_assert_str_eq(out, "kumo", "%s", out);
    cli("FCALL kumo_version 1 %s", "x", out, sizeof(out));
    cr_assert_str_eq(out, "3");
    worker a;
    worker_open(&a, "30", "0");
    cli("FCALL kumo_version 1 %s", "x", out, sizeof(out));
    cr_assert_str_eq(out, "4", "%s", out);
    cr_assert(kumo__scheduler_enqueue(a.s, req("http://lib.test/a", 0)));
    kumo_request *r = next(&a);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->url, "http://lib.test/a");
    kumo__scheduler_done(a.s, r);
    kumo_request_unref(r);
    spin(&a, 100);
    worker_close(&a);
}
