/* cmd_job.c - `kumo job DIR`: what a persistent job holds, read without running it. */
#include "cli/cli.h"
#include "core/stats.h"
#include "jobs/jobdb.h"
#include "util/buf.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

const char kumo_job_usage[] =
    "usage: kumo job DIR\n"
    "\n"
    "Print the persistent job in DIR (made by 'kumo crawl SPIDER --jobdir DIR') without\n"
    "running it: its spider, whether it finished, the pending requests by priority, the\n"
    "seen fingerprints, the spider's state keys and the stats of its last run.\n"
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

int kumo_cmd_job(int argc, char **argv)
{
    kumo_cli_parser p = {.cmd = "job", .max_pos = 1, .too_many = "job takes one job directory"};
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    if (p.npos == 0) {
        kumo_cli_error("job needs one job directory (see 'kumo job -h')");
        return KUMO_EXIT_USAGE;
    }
    const char *dir = p.pos[0];
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
    printf("seen:      %lld fingerprints\n", (long long)one_int(h, "SELECT count(*) FROM seen"));
    printf("started:   %lld start requests scheduled\n",
           (long long)kumo__jobdb_get_int(db, "start_pos", 0));
    print_state(db);
    print_stats(db);
    kumo__jobdb_close(db);
    return KUMO_EXIT_OK;
}
