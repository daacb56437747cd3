/* cmd_job.c - `kumo job DIR`: what a persistent job holds, read without running it. */
#include "cli/cli.h"
#include "core/stats.h"
#include "jobs/jobdb.h"
#include "redis/client.h"
#include "util/buf.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

const char kumo_job_usage[] =
    "usage: kumo job DIR\n"
    "       kumo job redis://[:PASSWORD@]HOST[:PORT][/DB]#SPIDER\n"
    "\n"
    "Print the persistent job in DIR (made by 'kumo crawl SPIDER --jobdir DIR') without\n"
    "running it: its spider, whether it finished, the pending requests by priority, the\n"
    "seen fingerprints, the spider's state keys and the stats of its last run.\n"
    "With a Redis url, the shared frontier of SPIDER's crawl (SCHEDULER=redis): pending\n"
    "requests by download slot, leases out, seen fingerprints, start urls waiting, the workers\n"
    "alive with their last heartbeat, and the cluster's counters.\n"
    "\n"
    "options:\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 printed, 1 DIR holds no job (or a job kumo cannot read), 2 bad command\n"
    "line.\n";

/* The integer sql selects, or -1 when it selects none or fails: shown as is by `kumo job`
 * (a count or a version, not an error code). */
static int64_t one_int(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* True when a kumo process is running the job now (it holds the directory's lock). */
static bool running_now(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool busy = flock(fd, LOCK_SH | LOCK_NB) != 0;
    close(fd);
    return busy;
}

static void print_status(kumo_jobdb *db, const char *dir)
{
    char *reason = kumo__jobdb_get_str(db, "finish_reason");
    const char *r = reason ? reason : "none";
    if (running_now(dir))
        printf("status:    running (a kumo process has it open)\n");
    else if (kumo__jobdb_get_int(db, "finished", 0))
        printf("status:    finished (finish_reason: %s)\n", r);
    else if (kumo__jobdb_get_int(db, "running", 0))
        printf("status:    interrupted (killed or crashed): resumable\n");
    else
        printf("status:    stopped (finish_reason: %s): resumable\n", r);
    kumo_free(reason);
}

static void print_requests(sqlite3 *h)
{
    sqlite3_stmt *st;
    int64_t total = one_int(h, "SELECT count(*) FROM requests");
    int64_t flight = one_int(h, "SELECT count(*) FROM requests WHERE state = 1");
    printf("pending:   %lld requests", (long long)total);
    if (flight > 0)
        printf(" (%lld of them in flight when it stopped: fetched again)", (long long)flight);
    printf("\n");
    if (sqlite3_prepare_v2(h, "SELECT priority, count(*) FROM requests GROUP BY priority "
                           "ORDER BY priority DESC", -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("  priority %d: %lld\n", sqlite3_column_int(st, 0),
               (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
}

static void print_state(kumo_jobdb *db)
{
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_DICT);
    kumo__jobdb_load_map(db, "state", &m);
    printf("state:     %zu keys", m.len);
    for (size_t i = 0; i < m.len; i++)
        printf("%s%s", i ? ", " : ": ", m.e[i].key);
    printf("\n");
    kumo_map_release(&m);
}

static void print_stats(kumo_jobdb *db)
{
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_DICT);
    kumo__jobdb_load_map(db, "stats", &m);
    kumo_stats *st = kumo__stats_new();
    for (size_t i = 0; i < m.len; i++) {
        const kumo_value *v = &m.e[i].val;
        if (v->type == KUMO_VAL_INT)
            kumo__stats_set_int(st, m.e[i].key, v->u.i);
        else if (v->type == KUMO_VAL_FLOAT)
            kumo__stats_set_float(st, m.e[i].key, v->u.f);
        else if (v->type == KUMO_VAL_STR)
            kumo__stats_set_str(st, m.e[i].key, v->u.str.s);
    }
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__stats_dump(st, &b);
    printf("last stats:\n%s\n", m.len ? kumo__buf_str(&b) : "{}");
    kumo__buf_release(&b);
    kumo__stats_free(st);
    kumo_map_release(&m);
}

/* ---- a Redis frontier ---- */

#define JOB_SLOTS_SHOWN 10      /* the slots with the most requests waiting */

/* The integer reply of a command (printf-style), or -1. */
static long long redis_int(redisContext *ctx, const char *fmt, const char *a, const char *b)
{
    redisReply *r = kumo__hiredis.redisCommand(ctx, fmt, a, b);
    long long v = -1;
    if (r && r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    else if (r && r->type == REDIS_REPLY_STRING)
        v = strtoll(r->str, NULL, 10);
    else if (r && r->type == REDIS_REPLY_NIL)
        v = 0;
    if (r)
        kumo__hiredis.freeReplyObject(r);
    return v;
}

/* A HGETALL reply of key (NULL on error; freeReplyObject it). */
static redisReply *redis_hash(redisContext *ctx, const char *prefix, const char *key)
{
    redisReply *r = kumo__hiredis.redisCommand(ctx, "HGETALL %s:%s", prefix, key);
    if (r && r->type != REDIS_REPLY_ARRAY) {
        kumo__hiredis.freeReplyObject(r);
        r = NULL;
    }
    return r;
}

static int redis_job(const char *arg)
{
    char url[1024], err[1024];
    snprintf(url, sizeof(url), "%s", arg);
    char *name = strchr(url, '#');
    if (!name || !name[1]) {
        kumo_cli_error("job: '%s' names no spider: redis://HOST:PORT/DB#SPIDER", arg);
        return KUMO_EXIT_USAGE;
    }
    *name++ = '\0';
    kumo_redis_url u;
    if (kumo__redis_url_parse(url, &u, err, sizeof(err)) != KUMO_OK) {
        kumo_cli_error("%s", err);
        return KUMO_EXIT_USAGE;
    }
    redisContext *ctx = kumo__redis_connect(&u, 5, err, sizeof(err));
    if (!ctx) {
        kumo_cli_error("%s", err);
        return KUMO_EXIT_FAIL;
    }
    long long now = -1;
    redisReply *t = kumo__hiredis.redisCommand(ctx, "TIME");
    if (t && t->type == REDIS_REPLY_ARRAY && t->elements == 2)
        now = strtoll(t->element[0]->str, NULL, 10) * 1000 +
              strtoll(t->element[1]->str, NULL, 10) / 1000;
    if (t)
        kumo__hiredis.freeReplyObject(t);
    printf("job:       %s#%s (Redis)\n", u.shown, name);
    long long leased = redis_int(ctx, "HLEN %s:%s", name, "leases");
    /* kumo.lua: requests wait per download slot; P:slotq counts them per slot */
    long long pending = redis_int(ctx, "GET %s:%s", name, "nq");
    redisReply *slots = kumo__hiredis.redisCommand(ctx, "ZRANGE %s:slotq +inf -inf BYSCORE REV "
                                                   "LIMIT 0 %d WITHSCORES", name,
                                                   JOB_SLOTS_SHOWN);
    long long nslots = redis_int(ctx, "ZCARD %s:%s", name, "slotq");
    printf("pending:   %lld requests in %lld download slots\n", KUMO_MAX(pending, 0LL),
           KUMO_MAX(nslots, 0LL));
    for (size_t i = 0; slots && slots->type == REDIS_REPLY_ARRAY && i + 1 < slots->elements;
         i += 2)
        printf("  slot %s: %s\n", slots->element[i]->str[0] ? slots->element[i]->str : "(none)",
               slots->element[i + 1]->str);
    if (slots)
        kumo__hiredis.freeReplyObject(slots);
    if (nslots > JOB_SLOTS_SHOWN)
        printf("  (%lld more slots)\n", nslots - JOB_SLOTS_SHOWN);
    printf("leased:    %lld requests out to workers\n", leased);
    printf("seen:      %lld fingerprints\n", redis_int(ctx, "GET %s:%s", name, "nseen"));
    char start[300];
    snprintf(start, sizeof(start), "%s:start_urls", name);
    printf("start:     %s (%lld urls waiting in '%s')\n",
           redis_int(ctx, "EXISTS %s:%s", name, "start") > 0 ? "scheduled" : "not yet",
           redis_int(ctx, "LLEN %s%s", start, ""), start);
    redisReply *w = redis_hash(ctx, name, "workers"), *idle = redis_hash(ctx, name, "idle");
    printf("workers:   %zu\n", w ? w->elements / 2 : 0);
    for (size_t i = 0; w && i + 1 < w->elements; i += 2) {
        long long beat = strtoll(w->element[i + 1]->str, NULL, 10), since = 0;
        for (size_t j = 0; idle && j + 1 < idle->elements; j += 2)
            if (strcmp(idle->element[j]->str, w->element[i]->str) == 0)
                since = strtoll(idle->element[j + 1]->str, NULL, 10);
        printf("  %s: last heartbeat %.1fs ago, ", w->element[i]->str, (now - beat) / 1000.0);
        if (since > 0)
            printf("idle for %.1fs\n", (now - since) / 1000.0);
        else
            printf("busy\n");
    }
    if (w)
        kumo__hiredis.freeReplyObject(w);
    if (idle)
        kumo__hiredis.freeReplyObject(idle);
    redisReply *st = redis_hash(ctx, name, "stats");
    printf("cluster stats:\n");
    for (size_t i = 0; st && i + 1 < st->elements; i += 2)
        printf("  %s: %s\n", st->element[i]->str, st->element[i + 1]->str);
    if (st)
        kumo__hiredis.freeReplyObject(st);
    kumo__hiredis.redisFree(ctx);
    return KUMO_EXIT_OK;
}

int kumo_cmd_job(int argc, char **argv)
{
    kumo_cli_parser p = {.cmd = "job", .max_pos = 1, .too_many = "job takes one job directory",
                         .missing = "job needs one job directory (see 'kumo job -h')"};
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    const char *dir = p.pos[0];
    if (strncmp(dir, "redis://", 8) == 0)
        return redis_job(dir);
    char err[1024];
    kumo_jobdb *db;
    if (kumo__jobdb_open(&db, dir, NULL, true, err, sizeof(err)) != KUMO_OK) {
        kumo_cli_error("%s", err);
        return KUMO_EXIT_FAIL;
    }
    sqlite3 *h = kumo__jobdb_handle(db);
    char *spider = kumo__jobdb_get_str(db, "spider");
    printf("job:       %s (schema %lld)\n", kumo__jobdb_path(db),
           (long long)one_int(h, "PRAGMA user_version"));
    printf("spider:    %s\n", spider ? spider : "?");
    kumo_free(spider);
    print_status(db, dir);
    printf("runs:      %lld\n", (long long)kumo__jobdb_get_int(db, "runs", 0));
    print_requests(h);
    /* schema 3 keeps the newest fingerprints in seen_new until they are merged */
    int64_t seen = one_int(h, "SELECT (SELECT count(*) FROM seen) + "
                              "(SELECT count(*) FROM seen_new)");
    if (seen < 0)
        seen = one_int(h, "SELECT count(*) FROM seen");
    printf("seen:      %lld fingerprints\n", (long long)seen);
    printf("started:   %lld start requests scheduled\n",
           (long long)kumo__jobdb_get_int(db, "start_pos", 0));
    print_state(db);
    print_stats(db);
    kumo__jobdb_close(db);
    return KUMO_EXIT_OK;
}
