/* test_hostile.c - the kumo binary crawls a hostile server (tests/lib/routes_hostile.c):
 * bombs, header floods, broken framing, endless and slow answers, loops, bad bytes.  It
 * exits 0, keeps every good page's item, says one clear line per bad route, and its memory
 * and loop lag stay bounded. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/routes.h"
#include "lib/server.h"

static kumo_testserver *srv;

static void setup(void)
{
    kumo_ts_hostile_warm();
    srv = kumo_testserver_start();
    cr_assert(srv);
}

static void teardown(void)
{
    kumo_ts_robots_set(0, NULL, NULL);
    kumo_testserver_stop(srv);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 120);

typedef struct run {
    int code;
    long maxrss_kb;             /* the child's peak RSS */
    char *log;                  /* stderr, malloc'ed */
    char *items;                /* the -O feed, malloc'ed */
} run;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    size_t got = fread(p, 1, (size_t)n, f);
    p[got] = '\0';
    fclose(f);
    return p;
}

/* Run "$KUMO_BIN crawl follow -a url=URL -O feed -s K=V..." and wait for it (wait4). */
static void crawl(run *r, const char *path, const char *const *settings)
{
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    char url[256], feed[] = "/tmp/kumo-hostile-XXXXXX.jsonl", logp[] = "/tmp/kumo-hostile-XXXXXX";
    kumo_testserver_url(srv, path, url, sizeof(url));
    int ffd = mkstemps(feed, 6), lfd = mkstemp(logp);
    cr_assert(ffd >= 0 && lfd >= 0);
    close(ffd);
    char urlarg[300];
    snprintf(urlarg, sizeof(urlarg), "url=%s", url);
    const char *argv[64] = {bin, "crawl", "follow", "-a", urlarg, "-O", feed, "-s",
                            "LOG_LEVEL=INFO", "-s", "TELNETCONSOLE_ENABLED=0"};
    size_t argc = 11;
    for (size_t i = 0; settings && settings[i] && argc < 62; i++) {
        argv[argc++] = "-s";
        argv[argc++] = settings[i];
    }
    argv[argc] = NULL;
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(lfd, 2);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        setenv("KUMO_CONF", "/dev/null", 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(lfd);
    int st;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r->maxrss_kb = ru.ru_maxrss;
    r->log = slurp(logp);
    r->items = slurp(feed);
    unlink(logp);
    unlink(feed);
}

static void run_free(run *r)
{
    free(r->log);
    free(r->items);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* The log lines (ERROR or WARNING) that name url; how many. */
static size_t lines_about(const char *log, const char *url)
{
    size_t n = 0;
    for (const char *line = log; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char *l = strndup(line, len);
        if ((strstr(l, "] ERROR: ") || strstr(l, "] WARNING: ")) && strstr(l, url))
            n++;
        free(l);
        line += len + (end != NULL);
    }
    return n;
}

static int64_t stat_of(const char *log, const char *key)
{
    char want[128];
    snprintf(want, sizeof(want), "'%s': ", key);
    const char *p = strstr(log, want);
    return p ? strtoll(p + strlen(want), NULL, 10) : -1;
}

Test(hostile, every_route_ends_cleanly)
{
    /* a 10 MB robots.txt: a rule, then comments */
    size_t rn = 10u << 20;
    char *robots = malloc(rn + 1);
    const char *head = "User-agent: *\nDisallow: /private\n";
    memset(robots, '#', rn);
    memcpy(robots, head, strlen(head));
    for (size_t i = 100; i < rn; i += 100)
        robots[i] = '\n';
    robots[rn] = '\0';
    kumo_ts_robots_set(200, NULL, robots);
    free(robots);

    run r;
    crawl(&r, "/hostile/", (const char *const[]){"DOWNLOAD_MAXSIZE=67108864",
          "DOWNLOAD_TIMEOUT=15", "RETRY_ENABLED=0", "ROBOTSTXT_OBEY=1", "CONCURRENT_REQUESTS=8",
          NULL});
    cr_assert_eq(r.code, 0, "%s", r.log);
    cr_assert(strstr(r.log, "Spider closed (finished)"), "%s", r.log);
    if (getenv("HOSTILE_LOG"))
        fputs(r.log, stderr);

    /* every good page's item */
    static const char *const good[] = {
        "/hostile/\"", "/ok\"", "/hostile/rawdeflate\"", "/hostile/badutf8\"",
        "/hostile/deep\"", "/hostile/longline\"", "/hostile/headers?n=100\"",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(good); i++)
        cr_expect_eq(count(r.items, good[i]), 1, "item of %s:\n%s", good[i], r.items);
    cr_expect_eq(count(r.items, "\n"), KUMO_ARRAY_LEN(good), "%s", r.items);
    cr_expect(strstr(r.items, "\"title\": \"raw deflate\""), "%s", r.items);
    cr_expect(strstr(r.items, "\"title\": \"long line\""), "%s", r.items);

    /* one clear line per bad route (retries off: each is tried once) */
    static const struct {
        const char *path, *says;
    } bad[] = {
        {"/hostile/bomb?coding=gzip", "decompressed response size larger than download max "
                                      "size (67108864)"},
        {"/hostile/bomb?coding=deflate", "decompressed response size larger than download "
                                         "max size (67108864)"},
        {"/hostile/badbr", "the br body does not decode"},
        {"/hostile/headers", "larger than the header cap (262144 bytes, 256 KiB)"},
        {"/hostile/cookies", "larger than the header cap (262144 bytes, 256 KiB)"},
        {"/hostile/bigheader", "larger than libcurl's header cap (102400 bytes, 100 KiB)"},
        {"/hostile/raw/reset", "Error downloading"},
        {"/hostile/raw/short", "Error downloading"},
        {"/hostile/raw/badchunk", "Error downloading"},
        {"/hostile/raw/slowloris", "took longer than 15.0 seconds"},
        {"/hostile/raw/endless", "larger than download max size (67108864)"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++) {
        char url[256], line[512];
        kumo_testserver_url(srv, bad[i].path, url, sizeof(url));
        snprintf(line, sizeof(line), "<GET %s>: ", url);
        size_t n = lines_about(r.log, line);
        cr_expect_eq(n, 1, "%zu lines about %s:\n%s", n, bad[i].path, r.log);
        cr_expect(strstr(r.log, bad[i].says), "%s: no '%s'", bad[i].path, bad[i].says);
    }
    /* the caps are not retried (RetryMiddleware is off here: tests/unit covers that) */
    cr_expect_eq(kumo_testserver_hits(srv, "/hostile/headers"), 2);    /* ?n=100 and cap */
    cr_expect_eq(kumo_testserver_hits(srv, "/hostile/cookies"), 1);
    cr_expect_eq(kumo_testserver_hits(srv, "/hostile/bigheader"), 1);
    cr_expect_eq(kumo_testserver_hits(srv, "/hostile/badbr"), 1);
    cr_expect_eq(kumo_testserver_hits(srv, "/hostile/bomb"), 2);
    /* loops end; file: and ftp: are never fetched */
    cr_expect_leq(kumo_testserver_hits(srv, "/redirect/loop"), 21);
    cr_expect_leq(kumo_testserver_hits(srv, "/hostile/refresh"), 21);
    cr_expect_eq(count(r.items, "file:"), 0);
    cr_expect_eq(count(r.items, "ftp:"), 0);

    cr_log_info("hostile crawl: peak RSS %ld MB, engine/loop_lag_max_ms %lld",
                r.maxrss_kb / 1024, (long long)stat_of(r.log, "engine/loop_lag_max_ms"));
    /* two bodies at the 64 MiB cap, the 50 MB line and its document at once, at most */
    cr_expect_lt(r.maxrss_kb, 700L * 1024, "peak RSS %ld KB", r.maxrss_kb);
    run_free(&r);
}

/*
 * A 10^8-byte gzip bomb (971 KB for 10^9 in scripts/bench-bomb.sh) inflates by bounded steps
 * up to DOWNLOAD_MAXSIZE, is cut there with Scrapy's message, and memory costs the body once.
 * How long it holds the loop (engine/loop_lag_max_ms) is logged here and measured by
 * scripts/bench-bomb.sh: a time, so a benchmark's figure, not a test's assertion (it failed
 * at 148 ms on a loaded machine).
 */
Test(hostile, bomb_is_cut_at_the_max_size)
{
    static const char *const codings[] = {"gzip", "deflate"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(codings); i++) {
        run r;
        char path[64];
        snprintf(path, sizeof(path), "/hostile/bomb?coding=%s", codings[i]);
        crawl(&r, path, (const char *const[]){"DOWNLOAD_MAXSIZE=67108864", NULL});
        cr_assert_eq(r.code, 0, "%s", r.log);
        cr_assert(strstr(r.log, "decompressed response size larger than download max size "
                                "(67108864)."), "%s", r.log);
        int64_t lag = stat_of(r.log, "engine/loop_lag_max_ms");
        cr_assert_geq(lag, 0, "the stat is dumped:\n%s", r.log);
        cr_log_info("10^8 %s bomb cut at 64 MiB: engine/loop_lag_max_ms %lld, peak RSS %ld MB",
                    codings[i], (long long)lag, r.maxrss_kb / 1024);
        cr_expect_lt(r.maxrss_kb, 300L * 1024, "peak RSS %ld KB", r.maxrss_kb);
        run_free(&r);
    }
}
