/* test_redis.c - several kumo processes on one frontier in a real redis-server
 * (SCHEDULER=redis): three workers fetch every page of the test site exactly once, a worker
 * killed with SIGKILL costs only its own leases, start urls fed through the key, every
 * worker ends; Redis unreachable at start, a key of the wrong type; items stored with their
 * acks, Redis restarted mid-crawl, start requests taken lazily; a slot's concurrency and
 * delay and robots.txt shared by the workers.  Skipped, with a message, when redis-server
 * is not installed. */
#include <criterion/criterion.h>
#include <signal.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/proc.h"
#include "lib/redisd.h"
#include "lib/routes.h"
#include "lib/server.h"
#include "lib/tmpdir.h"
#include "util/buf.h"

#define RUN_TIMEOUT 90.0        /* seconds any one kumo run may take */
#define MAX_ARGS 40
#define WORKERS 3

static kumo_redisd redis;
static kumo_testserver *srv;

static void setup(void)
{
    memset(&redis, 0, sizeof(redis));
    kumo_redisd_start_or_skip(&redis);
    srv = kumo_testserver_start();
    cr_assert(srv);
}

static void teardown(void)
{
    kumo_ts_robots_set(0, NULL, NULL);
    kumo_testserver_stop(srv);
    srv = NULL;
    kumo_redisd_stop(&redis, false);
}

TestSuite(redis, .init = setup, .fini = teardown, .timeout = 240);


/* ---- the crawl ---- */

typedef struct crawl {
    char url[128], redis_url[128], lease[48], delay[48], conc[48];
    const char *extra[8];           /* more arguments, NULL-terminated */
} crawl;

static void crawl_init(crawl *cw, const char *path, double delay, double lease)
{
    memset(cw, 0, sizeof(*cw));
    char u[96];
    snprintf(cw->url, sizeof(cw->url), "url=%s", kumo_testserver_url(srv, path, u, sizeof(u)));
    snprintf(cw->redis_url, sizeof(cw->redis_url), "REDIS_URL=%s", redis.url);
    snprintf(cw->delay, sizeof(cw->delay), "DOWNLOAD_DELAY=%g", delay);
    snprintf(cw->lease, sizeof(cw->lease), "SCHEDULER_LEASE_TIMEOUT=%g", lease);
    snprintf(cw->conc, sizeof(cw->conc), "CONCURRENT_REQUESTS=2");
}

static void worker_start(kumo_proc *p, const crawl *cw)
{
    const char *args[MAX_ARGS] = {
        "crawl", "follow", "-a", cw->url, "-s", "SCHEDULER=redis", "-s", cw->redis_url,
        "-s", "SCHEDULER_IDLE_BEFORE_CLOSE=1", "-s", cw->lease, "-s", cw->delay,
        "-s", cw->conc, "-s", "TELNETCONSOLE_ENABLED=0", "-s", "RANDOMIZE_DOWNLOAD_DELAY=0",
        "-L", "DEBUG"};
    size_t n = 0;
    while (args[n])
        n++;
    for (size_t i = 0; cw->extra[i]; i++)
        args[n++] = cw->extra[i];
    args[n] = NULL;
    kumo_proc_start(p, args);
}

/* How many distinct paths a one-process crawl of the site fetches (memory scheduler). */
static unsigned reference_pages(void)
{
    kumo_testserver *ref = kumo_testserver_start();
    cr_assert(ref);
    char u[96], args[256];
    snprintf(args, sizeof(args), "crawl follow -a url=%s -s TELNETCONSOLE_ENABLED=0 --nolog",
             kumo_testserver_url(ref, "/", u, sizeof(u)));
    kumo_clirun r;
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    unsigned total, distinct, most;
    kumo_testserver_hit_summary(ref, &total, &distinct, &most);
    kumo_testserver_stop(ref);
    cr_assert_eq(total, distinct, "the reference crawl fetches each page once");
    cr_assert_gt(distinct, 20);
    return distinct;
}

/* Three workers crawl the site together: every page once, start requests scheduled once,
 * every worker ends with finish_reason finished. */
Test(redis, three_workers_fetch_every_page_once)
{
    unsigned want = reference_pages();
    crawl cw;
    crawl_init(&cw, "/", 0.05, 30);
    kumo_proc ps[WORKERS];
    for (size_t i = 0; i < WORKERS; i++)
        worker_start(&ps[i], &cw);
    int codes[WORKERS];
    kumo_procs_finish(ps, WORKERS, codes, RUN_TIMEOUT);
    size_t skipped = 0, crawled = 0;
    for (size_t i = 0; i < WORKERS; i++) {
        const char *log = kumo__buf_str(&ps[i].log);
        cr_expect_eq(codes[i], 0, "worker %zu:\n%s", i, log);
        cr_expect(strstr(log, "Spider closed (finished)"), "worker %zu:\n%s", i, log);
        cr_expect(strstr(log, "'finish_reason': 'finished'"), "worker %zu", i);
        skipped += kumo_count_of(log, "Start requests already scheduled by another process");
        crawled += kumo_count_of(log, "Crawled (");
        cr_expect_eq(kumo_count_of(log, "] ERROR:"), 0, "worker %zu:\n%s", i, log);
    }
    cr_expect_eq(skipped, WORKERS - 1, "one worker schedules the start requests");
    unsigned total, distinct, most;
    kumo_testserver_hit_summary(srv, &total, &distinct, &most);
    cr_expect_eq(distinct, want, "every page of the site");
    cr_expect_eq(total, want, "each exactly once (%u fetches, a page %u times)", total, most);
    cr_expect_eq(crawled, want);
    for (size_t i = 0; i < WORKERS; i++)
        kumo_proc_release(&ps[i]);
}

/* A worker killed with SIGKILL mid-crawl: its leases expire and go back, the other two fetch
 * every page; pages fetched twice are at most the killed worker's transfers in flight. */
Test(redis, sigkill_costs_only_the_killed_workers_leases)
{
    unsigned want = reference_pages();
    crawl cw;
    crawl_init(&cw, "/", 0.1, 1.5);
    kumo_proc ps[WORKERS];
    for (size_t i = 0; i < WORKERS; i++)
        worker_start(&ps[i], &cw);
    double deadline = kumo_proc_now() + RUN_TIMEOUT;
    while (kumo_count_of(kumo__buf_str(&ps[0].log), "Crawled (") < 3 && kumo_proc_now() < deadline)
        kumo_procs_read(ps, WORKERS, deadline);
    cr_assert_geq(kumo_count_of(kumo__buf_str(&ps[0].log), "Crawled ("), 3, "%s",
                  kumo__buf_str(&ps[0].log));
    kill(ps[0].pid, SIGKILL);
    int codes[WORKERS];
    kumo_procs_finish(ps, WORKERS, codes, RUN_TIMEOUT);
    cr_expect_eq(codes[0], 128 + SIGKILL);
    for (size_t i = 1; i < WORKERS; i++) {
        const char *log = kumo__buf_str(&ps[i].log);
        cr_expect_eq(codes[i], 0, "worker %zu:\n%s", i, log);
        cr_expect(strstr(log, "Spider closed (finished)"), "worker %zu:\n%s", i, log);
    }
    unsigned total, distinct, most;
    kumo_testserver_hit_summary(srv, &total, &distinct, &most);
    cr_expect_eq(distinct, want, "every page of the site");
    /* the killed worker had at most CONCURRENT_REQUESTS (2) transfers in flight */
    cr_expect_leq(total - distinct, 2, "%u fetches of %u pages", total, distinct);
    cr_expect_leq(most, 2);
    for (size_t i = 0; i < WORKERS; i++)
        kumo_proc_release(&ps[i]);
}

/* Start urls fed through REDIS_START_URLS_KEY, a plain url and scrapy-redis JSON, are
 * fetched; a key of the wrong type is one ERROR naming it, and the crawl goes on. */
Test(redis, start_urls_from_the_key)
{
    char u[96], out[128];
    kumo_redisd_cli(&redis, out, sizeof(out), "RPUSH follow:start_urls '%s'",
                    kumo_testserver_url(srv, "/echo/plain", u, sizeof(u)));
    cr_assert_str_eq(out, "1");
    kumo_redisd_cli(&redis, out, sizeof(out),
                    "RPUSH follow:start_urls '{\"url\": \"%s\", \"meta\": {\"k\": 1}, "
                    "\"method\": \"GET\"}'",
                    kumo_testserver_url(srv, "/echo/json", u, sizeof(u)));
    cr_assert_str_eq(out, "2");
    crawl cw;
    crawl_init(&cw, "/ok", 0, 30);
    kumo_proc p;
    worker_start(&p, &cw);
    int code;
    kumo_procs_finish(&p, 1, &code, RUN_TIMEOUT);
    const char *log = kumo__buf_str(&p.log);
    cr_expect_eq(code, 0, "%s", log);
    cr_expect(strstr(log, "Spider closed (finished)"), "%s", log);
    cr_expect_eq(kumo_testserver_hits(srv, "/echo/plain"), 1);
    cr_expect_eq(kumo_testserver_hits(srv, "/echo/json"), 1);
    cr_expect(strstr(log, "'redis/start_urls': 2"), "both went through the frontier, in their "
              "download slot:\n%s", log);
    cr_expect_eq(kumo_testserver_hits(srv, "/ok"), 1);
    kumo_redisd_cli(&redis, out, sizeof(out), "EXISTS follow:start_urls");
    cr_expect_str_eq(out, "0", "the list is consumed");
    kumo_proc_release(&p);
}

Test(redis, wrong_type_key_is_one_error_naming_it)
{
    char out[128];
    kumo_redisd_cli(&redis, out, sizeof(out), "SET follow:start_urls oops");
    crawl cw;
    crawl_init(&cw, "/", 0, 30);
    kumo_proc p;
    worker_start(&p, &cw);
    int code;
    kumo_procs_finish(&p, 1, &code, RUN_TIMEOUT);
    const char *log = kumo__buf_str(&p.log);
    cr_expect_eq(code, 0, "%s", log);
    cr_expect(strstr(log, "Spider closed (finished)"), "%s", log);
    cr_expect_eq(kumo_count_of(log, "] ERROR:"), 1, "%s", log);
    cr_expect(strstr(log, "ERROR: Redis key 'follow:start_urls'"), "%s", log);
    cr_expect_eq(kumo_testserver_hits(srv, "/page/2/"), 1, "the crawl went on");
    kumo_proc_release(&p);
}

/* Redis unreachable at start: one line naming the url, exit 1. */
Test(redis, unreachable_at_start_is_one_line_and_exit_1)
{
    kumo_redisd_stop(&redis, true);
    char args[512], u[96];
    snprintf(args, sizeof(args), "crawl follow -a url=%s -s SCHEDULER=redis -s REDIS_URL=%s "
             "-s TELNETCONSOLE_ENABLED=0 --nolog", kumo_testserver_url(srv, "/", u, sizeof(u)),
             redis.url);
    kumo_clirun r;
    cr_expect_eq(kumo_clirun_run(&r, NULL, NULL, args), 1, "%s", r.err);
    cr_expect_eq(kumo_count_of(r.err, "\n"), 1, "one line:\n%s", r.err);
    cr_expect(strstr(r.err, redis.url), "%s", r.err);
    cr_expect(strstr(r.err, "cannot connect to Redis"), "%s", r.err);
    cr_expect_eq(kumo_testserver_hits(srv, "/"), 0);
}

/* Ctrl-C on a worker: its transfers finish, its leases go back at once (no lease left out
 * in Redis), finish_reason shutdown; a second worker then finishes the crawl with
 * every page fetched. */
Test(redis, ctrl_c_hands_the_leases_back)
{
    unsigned want = reference_pages();
    crawl cw;
    crawl_init(&cw, "/", 0.1, 30);
    kumo_proc p;
    worker_start(&p, &cw);
    double deadline = kumo_proc_now() + RUN_TIMEOUT;
    while (kumo_count_of(kumo__buf_str(&p.log), "Crawled (") < 3 && kumo_proc_now() < deadline)
        kumo_procs_read(&p, 1, deadline);
    kill(p.pid, SIGINT);
    int code;
    kumo_procs_finish(&p, 1, &code, RUN_TIMEOUT);
    const char *log = kumo__buf_str(&p.log);
    cr_expect_eq(code, 0, "%s", log);
    cr_expect(strstr(log, "'finish_reason': 'shutdown'"), "%s", log);
    /* with DOWNLOAD_DELAY the cluster leases the site's one slot a request at a time: the
     * worker may hold no lease beyond its transfer, so "Handed N leases back" is not
     * certain here (test_queue_redis.c checks it); none may stay out */
    char out[64];
    kumo_redisd_cli(&redis, out, sizeof(out), "HLEN follow:leases");
    cr_expect_str_eq(out, "0", "no lease left out");
    kumo_proc q;
    worker_start(&q, &cw);
    kumo_procs_finish(&q, 1, &code, RUN_TIMEOUT);
    cr_expect_eq(code, 0, "%s", kumo__buf_str(&q.log));
    cr_expect(strstr(kumo__buf_str(&q.log), "Spider closed (finished)"));
    unsigned total, distinct, most;
    kumo_testserver_hit_summary(srv, &total, &distinct, &most);
    cr_expect_eq(distinct, want, "every page of the site");
    cr_expect_eq(total, want, "none twice: the shutdown acked what it fetched");
    kumo_proc_release(&p);
    kumo_proc_release(&q);
}

/* ---- items in Redis (RedisPipeline), Redis lost mid-crawl ---- */

#define PIPELINE "ITEM_PIPELINES={\"RedisPipeline\": 300}"

/* The list key's entries: how many, and how many distinct "url" values they hold. */
static void items_in(const char *key, size_t *count, size_t *distinct)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "redis-cli -h 127.0.0.1 -p %d LRANGE %s 0 -1", redis.port,
             key);
    FILE *f = popen(cmd, "r");
    cr_assert(f);
    kumo_buf all;
    kumo__buf_init(&all, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_add(&all, "\n", 1);     /* "\nURL\n" per url seen */
    char line[4096];
    *count = *distinct = 0;
    while (fgets(line, sizeof(line), f)) {
        const char *u = strstr(line, "{\"url\": \"");
        cr_assert(u, "an item as JSON: %s", line);
        u += 9;
        size_t n = strcspn(u, "\"");
        char url[512];
        snprintf(url, sizeof(url), "\n%.*s\n", (int)KUMO_MIN(n, 500), u);
        (*count)++;
        if (!strstr(kumo__buf_str(&all), url)) {
            (*distinct)++;
            kumo__buf_add(&all, url + 1, strlen(url) - 1);
        }
    }
    cr_assert_eq(pclose(f), 0);
    kumo__buf_release(&all);
}

/* With the memory scheduler, RedisPipeline pushes each item with RPUSH: how many items a
 * one-process crawl of the site stores (each page's once). */
static size_t reference_items(void)
{
    kumo_testserver *ref = kumo_testserver_start();
    cr_assert(ref);
    char u[96], args[512];
    snprintf(args, sizeof(args), "crawl follow -a url=%s -s TELNETCONSOLE_ENABLED=0 --nolog "
             "-s REDIS_URL=%s -s REDIS_ITEMS_KEY=ref:items -s '" PIPELINE "'",
             kumo_testserver_url(ref, "/", u, sizeof(u)), redis.url);
    kumo_clirun r;
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    kumo_testserver_stop(ref);
    size_t count, distinct;
    items_in("ref:items", &count, &distinct);
    cr_assert_gt(count, 10);
    cr_assert_eq(count, distinct, "each page's item once");
    return count;
}

/* Three workers with RedisPipeline, one killed with SIGKILL mid-crawl: the items go with
 * the acks, so the list holds each page's item exactly once although the killed worker's
 * pages in flight are fetched again by the others. */
Test(redis, items_stored_with_the_acks_exactly_once_despite_a_kill)
{
    size_t want = reference_items();
    crawl cw;
    crawl_init(&cw, "/", 0.1, 1.5);
    cw.extra[0] = "-s";
    cw.extra[1] = PIPELINE;
    kumo_proc ps[WORKERS];
    for (size_t i = 0; i < WORKERS; i++)
        worker_start(&ps[i], &cw);
    double deadline = kumo_proc_now() + RUN_TIMEOUT;
    while (kumo_count_of(kumo__buf_str(&ps[0].log), "Crawled (") < 3 && kumo_proc_now() < deadline)
        kumo_procs_read(ps, WORKERS, deadline);
    kill(ps[0].pid, SIGKILL);
    int codes[WORKERS];
    kumo_procs_finish(ps, WORKERS, codes, RUN_TIMEOUT);
    for (size_t i = 1; i < WORKERS; i++)
        cr_expect_eq(codes[i], 0, "worker %zu:\n%s", i, kumo__buf_str(&ps[i].log));
    size_t count, distinct;
    items_in("follow:items", &count, &distinct);
    cr_expect_eq(distinct, want, "every page's item");
    cr_expect_eq(count, want, "each exactly once");
    unsigned total, pages, most;
    kumo_testserver_hit_summary(srv, &total, &pages, &most);
    cr_expect_geq(total, pages);
    for (size_t i = 0; i < WORKERS; i++)
        kumo_proc_release(&ps[i]);
}

/* ---- politeness across the cluster ---- */

#define FAN 12                  /* slow pages the fan page links to */
#define SLOW_MS 100             /* each answered after this */
#define DELAY 0.3               /* DOWNLOAD_DELAY */

/* A slot with CONCURRENT_REQUESTS_PER_DOMAIN=1 and a DOWNLOAD_DELAY holds for the three
 * workers together: the server never sees two requests at once, and between two arrivals
 * there is the delay at least (server timestamps; a lower bound only).  Each worker alone
 * would respect them, three would not without Redis keeping the slot. */
Test(redis, one_slot_concurrency_and_delay_hold_for_all_workers)
{
    char path[64];
    snprintf(path, sizeof(path), "/slow?ms=%d&fan=%d", SLOW_MS, FAN);
    crawl cw;
    crawl_init(&cw, path, DELAY, 30);
    cw.extra[0] = "-s";
    cw.extra[1] = "CONCURRENT_REQUESTS_PER_DOMAIN=1";
    kumo_proc ps[WORKERS];
    for (size_t i = 0; i < WORKERS; i++)
        worker_start(&ps[i], &cw);
    int codes[WORKERS];
    kumo_procs_finish(ps, WORKERS, codes, RUN_TIMEOUT);
    size_t crawled = 0;
    for (size_t i = 0; i < WORKERS; i++) {
        const char *log = kumo__buf_str(&ps[i].log);
        cr_expect_eq(codes[i], 0, "worker %zu:\n%s", i, log);
        cr_expect(strstr(log, "Spider closed (finished)"), "worker %zu:\n%s", i, log);
        cr_log_info("worker %zu crawled %zu pages", i, kumo_count_of(log, "Crawled ("));
        crawled += kumo_count_of(log, "Crawled (");
    }
    double at[FAN + 1];
    unsigned overlaps;
    size_t n = kumo_testserver_slow_log(srv, at, FAN + 1, &overlaps);
    cr_expect_eq(n, FAN + 1, "the fan page and its %d pages, each once", FAN);
    cr_expect_eq(crawled, FAN + 1);
    cr_expect_eq(overlaps, 0, "never two requests of the slot at once");
    for (size_t i = 1; i < n && i <= FAN; i++)
        cr_expect_geq(at[i] - at[i - 1], DELAY - 0.002, "arrivals %zu and %zu: %.3f s apart",
                      i - 1, i, at[i] - at[i - 1]);
    char out[64];
    kumo_redisd_cli(&redis, out, sizeof(out), "HLEN follow:inflight");
    cr_expect_str_eq(out, "0", "every lease released its slot");
    for (size_t i = 0; i < WORKERS; i++)
        kumo_proc_release(&ps[i]);
}

/* Redis stopped and started again (same port, its append-only file kept) mid-crawl, while
 * a slow page (a start url from the key) is being fetched: the worker warns per
 * reconnection attempt, the download in flight finishes and its result waits, no new
 * download starts meanwhile (REDIS_RESULTS_MAX=1: any result waiting; see
 * test_queue_redis.c for the bound itself), the results are stored once Redis is back, every
 * page is fetched and the crawl finishes; the items list holds each page's item once.  (The
 * cluster's slot leases one request at a time with a delay: without the slow page no
 * result need be waiting when Redis stops.) */
Test(redis, redis_restarted_mid_crawl_loses_nothing)
{
    size_t want_items = reference_items();
    unsigned want = reference_pages();
    kumo_redisd_stop(&redis, true);
    snprintf(redis.extra, sizeof(redis.extra), "--appendonly yes --appendfsync always");
    cr_assert_eq(kumo_redisd_start(&redis), 0);
    char out[64], u[96];
    kumo_redisd_cli(&redis, out, sizeof(out), "DEL ref:items");
    kumo_redisd_cli(&redis, out, sizeof(out), "RPUSH follow:start_urls '%s'",
                    kumo_testserver_url(srv, "/slow?ms=2000", u, sizeof(u)));
    cr_assert_str_eq(out, "1");
    crawl cw;
    crawl_init(&cw, "/", 0.1, 30);
    cw.extra[0] = "-s";
    cw.extra[1] = PIPELINE;
    cw.extra[2] = "-s";
    cw.extra[3] = "REDIS_RESULTS_MAX=1";
    kumo_proc p;
    worker_start(&p, &cw);
    double deadline = kumo_proc_now() + RUN_TIMEOUT;
    while (kumo_testserver_hits(srv, "/slow") == 0 && !p.eof && kumo_proc_now() < deadline)
        kumo_procs_read(&p, 1, KUMO_MIN(deadline, kumo_proc_now() + 0.02));
    cr_assert_eq(kumo_testserver_hits(srv, "/slow"), 1, "the slow page is being fetched");
    kumo_redisd_stop(&redis, true);
    while ((kumo_count_of(kumo__buf_str(&p.log), "unreachable") < 3 ||
            !strstr(kumo__buf_str(&p.log), "no new download starts")) && kumo_proc_now() < deadline)
        kumo_procs_read(&p, 1, deadline);
    cr_assert_eq(kumo_redisd_start(&redis), 0, "redis-server restarted");
    int code;
    kumo_procs_finish(&p, 1, &code, RUN_TIMEOUT);
    const char *log = kumo__buf_str(&p.log);
    cr_expect_eq(code, 0, "%s", log);
    cr_expect(strstr(log, "Spider closed (finished)"), "%s", log);
    cr_expect(strstr(log, "no new download starts until they are stored"), "%s", log);
    cr_expect(strstr(log, "reachable again"), "%s", log);
    unsigned total, distinct, most;
    kumo_testserver_hit_summary(srv, &total, &distinct, &most);
    cr_expect_eq(distinct, want + 1, "every page of the site, and the slow one");
    size_t count, idistinct;
    items_in("follow:items", &count, &idistinct);
    cr_expect_eq(idistinct, want_items + 1, "every page's item");
    cr_expect_eq(count, want_items + 1, "each once");
    kumo_proc_release(&p);
}

/* ---- start requests: lazily, once per cluster ---- */

#define NSTART 40

/* A spider whose start_requests yields NSTART requests to the server's /slow (100 ms). */
static const char lazy_src[] =
    "#include <kumo/kumo.h>\n"
    "#include <stdio.h>\n"
    "\n"
    "static void parse(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    (void)res, (void)out;\n"
    "}\n"
    "\n"
    "static int start(kumo_spider *sp, kumo_out *out)\n"
    "{\n"
    "    for (int i = 0; i < 40; i++) {\n"
    "        char url[256];\n"
    "        int err;\n"
    "        snprintf(url, sizeof(url), \"%sslow?ms=100&n=%d\",\n"
    "                 kumo_spider_arg(sp, \"url\", \"\"), i);\n"
    "        kumo_request *r = kumo_request_new(url, parse, &err);\n"
    "        if (!r)\n"
    "            return err;\n"
    "        kumo_yield_request(out, r);\n"
    "    }\n"
    "    return KUMO_OK;\n"
    "}\n"
    "\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"lazy\",\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "    .start_requests = start,\n"
    "};\n";

static void lazy_start(kumo_proc *p, const char *src, const crawl *cw)
{
    const char *args[] = {
        "runspider", src, "-a", cw->url, "-s", "SCHEDULER=redis", "-s", cw->redis_url,
        "-s", "SCHEDULER_IDLE_BEFORE_CLOSE=1", "-s", cw->conc, "-s", cw->delay,
        "-s", "RANDOMIZE_DOWNLOAD_DELAY=0", "-s", "TELNETCONSOLE_ENABLED=0", "-L", "DEBUG",
        NULL};
    kumo_proc_start(p, args);
}

/* Two workers run a spider with NSTART start requests (DOWNLOAD_DELAY delay): one
 * schedules them, lazily (at any time the cluster has queued at most a few more than were
 * fetched, never all up front), the other skips them; each is fetched exactly once and
 * both workers finish. */
static void lazy_run(double delay)
{
    char dir[64], src[96];
    kumo_tmpdir_make(dir, sizeof(dir), "lazy");
    snprintf(src, sizeof(src), "%s/lazy.c", dir);
    FILE *f = fopen(src, "w");
    cr_assert(f);
    fputs(lazy_src, f);
    fclose(f);
    crawl cw;
    crawl_init(&cw, "/", delay, 30);
    kumo_proc ps[2];
    lazy_start(&ps[0], src, &cw);
    double deadline = kumo_proc_now() + RUN_TIMEOUT;
    while (!strstr(kumo__buf_str(&ps[0].log), "Spider opened") && kumo_proc_now() < deadline)
        kumo_procs_read(ps, 1, deadline);
    lazy_start(&ps[1], src, &cw);    /* after the first compiled it */
    long most_ahead = -1000;
    while ((!ps[0].eof || !ps[1].eof) && kumo_proc_now() < deadline) {
        kumo_procs_read(ps, 2, deadline);
        unsigned total, distinct, most;
        kumo_testserver_hit_summary(srv, &total, &distinct, &most);
        char out[64];
        kumo_redisd_cli(&redis, out, sizeof(out), "HGET lazy:stats scheduler/enqueued");
        most_ahead = KUMO_MAX(most_ahead, atol(out) - (long)total);
    }
    int codes[2];
    kumo_procs_finish(ps, 2, codes, RUN_TIMEOUT);
    size_t skipped = 0;
    for (size_t i = 0; i < 2; i++) {
        const char *log = kumo__buf_str(&ps[i].log);
        cr_expect_eq(codes[i], 0, "worker %zu:\n%s", i, log);
        cr_expect(strstr(log, "Spider closed (finished)"), "worker %zu:\n%s", i, log);
        skipped += kumo_count_of(log, "Start requests already scheduled by another process");
    }
    cr_expect_eq(skipped, 1, "one worker schedules the start requests");
    cr_expect_eq(kumo_testserver_hits(srv, "/slow"), NSTART, "each start request once");
    /* two workers, each with 2 transfers and 2 leases buffered, one push of 2 in Redis, and
     * a push or two more between the test's two readings: eagerly, all 40 at once */
    cr_expect_leq(most_ahead, 14, "start requests queued ahead of the fetches: %ld of %d",
                  most_ahead, NSTART);
    cr_log_info("DOWNLOAD_DELAY %g: at most %ld start requests queued ahead of the fetches",
                delay, most_ahead);
    for (size_t i = 0; i < 2; i++)
        kumo_proc_release(&ps[i]);
    kumo_tmpdir_remove(dir);
}

Test(redis, start_requests_lazily_and_once_per_cluster)
{
    lazy_run(0);
}

/* With a DOWNLOAD_DELAY the cluster's slot waits between leases: the requests waiting in the
 * frontier count against CONCURRENT_REQUESTS, so the start requests still go in lazily
 * rather than all while the slot waits. */
Test(redis, start_requests_lazily_with_a_download_delay)
{
    lazy_run(0.05);
}

/* robots.txt is fetched once for the whole cluster: the first worker that needs it takes
 * the lock and stores it, every other worker that crawls gets it from Redis, and obeys it. */
Test(redis, robots_txt_fetched_once_by_three_workers)
{
    kumo_ts_robots_set(200, NULL, "User-agent: *\nDisallow: /author/\n");
    crawl cw;
    crawl_init(&cw, "/", 0, 30);
    cw.extra[0] = "-s";
    cw.extra[1] = "ROBOTSTXT_OBEY=1";
    kumo_proc ps[WORKERS];
    for (size_t i = 0; i < WORKERS; i++)
        worker_start(&ps[i], &cw);
    int codes[WORKERS];
    kumo_procs_finish(ps, WORKERS, codes, RUN_TIMEOUT);
    size_t fetched = 0, shared = 0, crawling = 0;
    for (size_t i = 0; i < WORKERS; i++) {
        const char *log = kumo__buf_str(&ps[i].log);
        cr_expect_eq(codes[i], 0, "worker %zu:\n%s", i, log);
        cr_expect(strstr(log, "Spider closed (finished)"), "worker %zu:\n%s", i, log);
        bool got = strstr(log, "/robots.txt> (200) from the cluster") != NULL;
        bool own = strstr(log, "Crawled (200) <GET http://127.0.0.1") &&
                   strstr(log, "/robots.txt> (referer: None)");
        cr_expect(!(got && own), "worker %zu: fetched and shared", i);
        shared += got;
        fetched += own;
        crawling += kumo_count_of(log, "Crawled (") > (own ? 1u : 0u);
    }
    cr_log_info("robots.txt: fetched by %zu worker, shared with %zu", fetched, shared);
    cr_expect_eq(kumo_testserver_hits(srv, "/robots.txt"), 1, "once for the cluster");
    cr_expect_eq(fetched, 1, "by one worker");
    cr_expect_eq(shared + fetched, crawling, "every worker that crawled had it");
    cr_expect_eq(kumo_testserver_hits(srv, "/page/2/"), 1, "the crawl went on");
    unsigned total, distinct, most;
    kumo_testserver_hit_summary(srv, &total, &distinct, &most);
    cr_expect_eq(total, distinct, "each page once");
    for (size_t i = 0; i < kumo_testsite_nauthors(); i++) {
        char a[160];
        snprintf(a, sizeof(a), "/author/%s", kumo_testsite_author_at(i)->slug);
        cr_expect_eq(kumo_testserver_hits(srv, a), 0, "%s is disallowed", a);
    }
    for (size_t i = 0; i < WORKERS; i++)
        kumo_proc_release(&ps[i]);
}
