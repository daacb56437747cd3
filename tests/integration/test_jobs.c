/* test_jobs.c - persistent jobs through the kumo binary: crawls of the test site stopped by
 * SIGKILL at several points, by SIGINT (once and twice) and by a closespider limit, then
 * resumed; the union of fetched pages and of items must equal an uninterrupted crawl's,
 * with repeats only for requests in flight.  Also `kumo job DIR` and refused job files. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/spider.h"
#include "lib/crawl.h"
#include "lib/proc.h"
#include "lib/server.h"
#include "util/buf.h"

#define RUN_TIMEOUT 60.0        /* seconds any one kumo run may take */
#define MAX_ARGS 48

/* ---- the crawl under test ---- */

typedef struct job {
    kumo_testserver *srv;
    char url[128], dir[64], feed[128], delay[32];
    const char *extra[8];           /* more "-s" arguments, NULL-terminated */
} job;

static void job_init(job *j, bool with_dir)
{
    memset(j, 0, sizeof(*j));
    j->srv = kumo_testserver_start();
    cr_assert(j->srv);
    kumo_testserver_url(j->srv, "/", j->url, sizeof(j->url));
    snprintf(j->dir, sizeof(j->dir), "/tmp/kumo-jobit-XXXXXX");
    cr_assert(mkdtemp(j->dir));
    snprintf(j->feed, sizeof(j->feed), "%s/items.jsonl", j->dir);
    snprintf(j->delay, sizeof(j->delay), "DOWNLOAD_DELAY=%s", with_dir ? "0.04" : "0");
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (e->d_type == DT_DIR)
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void job_fini(job *j)
{
    kumo_testserver_stop(j->srv);
    rm_tree(j->dir);
}

/* Start one run of the quotes spider on j (with its job directory when jobdir). */
static void job_start(job *j, kumo_proc *p, bool jobdir)
{
    char jd[96];
    snprintf(jd, sizeof(jd), "%s/job", j->dir);
    const char *args[MAX_ARGS] = {
        "crawl", "quotes", "-a", "url", "-o", j->feed,
        "-s", "LOG_LEVEL=DEBUG", "-s", "CONCURRENT_REQUESTS=1", "-s", j->delay,
        "-s", "RANDOMIZE_DOWNLOAD_DELAY=0", "-s", "TELNETCONSOLE_ENABLED=0",
        "-s", "LOGSTATS_INTERVAL=0",
    };
    size_t n = 18;
    char urlarg[160];
    snprintf(urlarg, sizeof(urlarg), "url=%s", j->url);
    args[3] = urlarg;
    if (jobdir) {
        args[n++] = "--jobdir";
        args[n++] = jd;
    }
    for (size_t i = 0; j->extra[i]; i++) {
        args[n++] = "-s";
        args[n++] = j->extra[i];
    }
    args[n] = NULL;
    kumo_proc_start(p, args);
}

/* The pages the quotes spider can fetch on the test site. */
static size_t site_paths(char paths[][96], size_t max)
{
    size_t n = 0;
    snprintf(paths[n++], 96, "/");
    for (int i = 2; i <= 6; i++)
        snprintf(paths[n++], 96, "/page/%d/", i);
    for (size_t i = 0; i < kumo_testsite_nauthors() && n < max; i++)
        snprintf(paths[n++], 96, "/author/%s", kumo_testsite_author_at(i)->slug);
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct lines of a feed, sorted, each a whole JSON object: into *lines. */
static size_t feed_lines(const char *path, char ***lines, kumo_buf *text)
{
    kumo__buf_init(text, 0, KUMO_T_STR, KUMO_V_NONE);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "no feed %s", path);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kumo__buf_add(text, chunk, n);
    fclose(f);
    size_t count = 0, cap = 256;
    *lines = kumo_alloc(cap * sizeof(char *), KUMO_T_LIST, KUMO_V_NONE);
    if (text->len)
        cr_assert_eq(text->s[text->len - 1], '\n', "%s ends in a torn line", path);
    for (char *s = text->len ? text->s : NULL, *nl; s && (nl = strchr(s, '\n')); s = nl + 1) {
        *nl = '\0';
        cr_assert(s[0] == '{' && nl > s && nl[-1] == '}', "not a whole item: %s", s);
        if (count == cap)
            *lines = kumo_realloc(*lines, (cap *= 2) * sizeof(char *), KUMO_T_LIST,
                                  KUMO_V_NONE);
        (*lines)[count++] = s;
    }
    qsort(*lines, count, sizeof(char *), cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < count; i++)
        if (u == 0 || strcmp((*lines)[u - 1], (*lines)[i]) != 0)
            (*lines)[u++] = (*lines)[i];
    return u;
}

/* An uninterrupted crawl without a job: the reference (its server and feed stay in ref). */
static void reference(job *ref)
{
    job_init(ref, false);
    kumo_proc p;
    job_start(ref, &p, false);
    int code = kumo_proc_finish(&p, RUN_TIMEOUT);
    cr_assert_eq(code, 0, "%s", kumo__buf_str(&p.log));
    cr_assert(strstr(kumo__buf_str(&p.log), "Spider closed (finished)"));
    kumo_proc_release(&p);
}

/*
 * Compare the interrupted job j with the reference: the same pages fetched (each at least
 * once), at most `repeats` fetches more in all, and the same set of items.
 */
static void compare(job *ref, job *j, unsigned repeats)
{
    char paths[64][96];
    size_t n = site_paths(paths, 64);
    unsigned total_ref = 0, total = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned a = kumo_testserver_hits(ref->srv, paths[i]);
        unsigned b = kumo_testserver_hits(j->srv, paths[i]);
        cr_expect_eq(a > 0, b > 0, "%s fetched %u times, reference %u", paths[i], b, a);
        total_ref += a;
        total += b;
    }
    cr_assert_gt(total_ref, 10);
    cr_expect_geq(total, total_ref);
    cr_expect_leq(total, total_ref + repeats, "%u fetches, reference %u, at most %u repeats",
                  total, total_ref, repeats);
    char **la, **lb;
    kumo_buf ta, tb;
    size_t na = feed_lines(ref->feed, &la, &ta), nb = feed_lines(j->feed, &lb, &tb);
    cr_expect_eq(na, nb, "%zu distinct items, reference %zu", nb, na);
    for (size_t i = 0; i < na; i++)
        cr_expect(bsearch(&la[i], lb, nb, sizeof(char *), cmp_str), "missing item %s", la[i]);
    kumo_free(la);
    kumo_free(lb);
    kumo__buf_release(&ta);
    kumo__buf_release(&tb);
}

/* Run j to the end as a resume: exit 0, "Resuming crawl", finished. */
static void resume_to_end(job *j)
{
    kumo_proc p;
    job_start(j, &p, true);
    int code = kumo_proc_finish(&p, RUN_TIMEOUT);
    const char *log = kumo__buf_str(&p.log);
    cr_assert_eq(code, 0, "%s", log);
    cr_assert(strstr(log, "Resuming crawl ("), "%s", log);
    cr_assert(strstr(log, "Spider closed (finished)"), "%s", log);
    kumo_proc_release(&p);
}

/* SIGKILL after 2, 3 and 3 more pages (a torn feed line added after the first), then run to
 * the end: every page, every item; one repeat per kill at most (one request in flight). */
Test(jobs, sigkill_at_several_points_then_resume, .timeout = 240)
{
    job ref, j;
    reference(&ref);
    job_init(&j, true);
    static const size_t kill_after[] = {2, 3, 3};
    for (size_t k = 0; k < KUMO_ARRAY_LEN(kill_after); k++) {
        kumo_proc p;
        job_start(&j, &p, true);
        cr_assert(kumo_proc_wait_for(&p, "Crawled (200", kill_after[k], RUN_TIMEOUT),
                  "run %zu:\n%s", k, kumo__buf_str(&p.log));
        kill(p.pid, SIGKILL);
        cr_assert_eq(kumo_proc_finish(&p, RUN_TIMEOUT), 128 + SIGKILL);
        if (k > 0)
            cr_assert(strstr(kumo__buf_str(&p.log), "Resuming crawl ("));
        if (k == 1)
            cr_assert(strstr(kumo__buf_str(&p.log), "Repaired feed"), "%s",
                      kumo__buf_str(&p.log));
        kumo_proc_release(&p);
        if (k == 0) {
            FILE *f = fopen(j.feed, "ab");      /* as if killed in the middle of a write */
            cr_assert(f);
            fputs("{\"text\": \"torn in the mid", f);
            fclose(f);
        }
    }
    resume_to_end(&j);
    compare(&ref, &j, KUMO_ARRAY_LEN(kill_after));
    job_fini(&j);
    job_fini(&ref);
}

/* First SIGINT: in-flight requests finish, exit 0 with finish_reason shutdown, nothing is
 * fetched twice after the resume (start urls included). */
Test(jobs, sigint_then_resume, .timeout = 240)
{
    job ref, j;
    reference(&ref);
    job_init(&j, true);
    kumo_proc p;
    job_start(&j, &p, true);
    cr_assert(kumo_proc_wait_for(&p, "Crawled (200", 3, RUN_TIMEOUT), "%s",
              kumo__buf_str(&p.log));
    kill(p.pid, SIGINT);
    cr_assert_eq(kumo_proc_finish(&p, RUN_TIMEOUT), 0, "%s", kumo__buf_str(&p.log));
    const char *log = kumo__buf_str(&p.log);
    cr_assert(strstr(log, "'finish_reason': 'shutdown'"), "%s", log);
    cr_assert(strstr(log, "Spider closed (shutdown)"), "%s", log);
    kumo_proc_release(&p);
    resume_to_end(&j);
    compare(&ref, &j, 0);
    cr_assert_eq(kumo_testserver_hits(j.srv, "/"), 1);
    job_fini(&j);
    job_fini(&ref);
}

/* A second SIGINT stops at once; the job still resumes to the full crawl. */
Test(jobs, second_sigint_stops_at_once_and_resumes, .timeout = 240)
{
    job ref, j;
    reference(&ref);
    job_init(&j, true);
    kumo_proc p;
    job_start(&j, &p, true);
    cr_assert(kumo_proc_wait_for(&p, "Crawled (200", 3, RUN_TIMEOUT), "%s",
              kumo__buf_str(&p.log));
    kill(p.pid, SIGINT);
    cr_assert(kumo_proc_wait_for(&p, "Received SIGINT", 1, RUN_TIMEOUT), "%s",
              kumo__buf_str(&p.log));
    kill(p.pid, SIGINT);
    int code = kumo_proc_finish(&p, RUN_TIMEOUT);
    cr_assert(code == 0 || code == 128 + SIGINT, "exit %d\n%s", code, kumo__buf_str(&p.log));
    kumo_proc_release(&p);
    resume_to_end(&j);
    compare(&ref, &j, 1);
    job_fini(&j);
    job_fini(&ref);
}

/* CLOSESPIDER_PAGECOUNT stops each run cleanly; run after run, the job completes without a
 * single page fetched twice.  `kumo job` reports it in between and at the end. */
Test(jobs, closespider_runs_complete_the_crawl, .timeout = 240)
{
    job ref, j;
    reference(&ref);
    job_init(&j, true);
    j.extra[0] = "CLOSESPIDER_PAGECOUNT=4";
    bool finished = false;
    char cmd[512], out[16384];
    for (int run = 0; run < 12 && !finished; run++) {
        kumo_proc p;
        job_start(&j, &p, true);
        cr_assert_eq(kumo_proc_finish(&p, RUN_TIMEOUT), 0, "%s", kumo__buf_str(&p.log));
        finished = strstr(kumo__buf_str(&p.log), "Spider closed (finished)") != NULL;
        if (run == 0) {
            cr_assert(strstr(kumo__buf_str(&p.log), "Spider closed (closespider_pagecount)"));
            snprintf(cmd, sizeof(cmd), "%s job %s/job", getenv("KUMO_BIN"), j.dir);
            FILE *f = popen(cmd, "r");
            size_t n = fread(out, 1, sizeof(out) - 1, f);
            out[n] = '\0';
            cr_assert_eq(pclose(f), 0, "%s", out);
            static const char *const want[] = {
                "spider:    quotes\n", "stopped (finish_reason: closespider_pagecount)",
                "resumable", "runs:      1\n", "pending:   ", "  priority 0: ",
                "seen:      ", "state:     0 keys", "last stats:\n{",
                "'response_received_count': ", "'scheduler/enqueued/disk': ",
            };
            for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++)
                cr_expect(strstr(out, want[i]), "'%s' not in:\n%s", want[i], out);
        }
        kumo_proc_release(&p);
    }
    cr_assert(finished);
    compare(&ref, &j, 0);
    snprintf(cmd, sizeof(cmd), "%s job %s/job", getenv("KUMO_BIN"), j.dir);
    FILE *f = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof(out) - 1, f);
    out[n] = '\0';
    cr_assert_eq(pclose(f), 0, "%s", out);
    cr_expect(strstr(out, "status:    finished (finish_reason: finished)"), "%s", out);
    cr_expect(strstr(out, "pending:   0 requests"), "%s", out);
    job_fini(&j);
    job_fini(&ref);
}

/* A kumo.sqlite that is not a job, or is corrupt: one-line error naming it, exit 1, and
 * the file is not changed. */
Test(jobs, foreign_or_corrupt_job_files_are_refused, .timeout = 60)
{
    job j;
    job_init(&j, true);
    char jd[96], db[128];
    snprintf(jd, sizeof(jd), "%s/job", j.dir);
    snprintf(db, sizeof(db), "%s/kumo.sqlite", jd);
    cr_assert_eq(mkdir(jd, 0755), 0);
    static const char *const contents[] = {
        "SQLite format 3 but not really: garbage garbage garbage garbage garbage garbage...",
        "{\"items\": []}\n",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(contents); i++) {
        FILE *f = fopen(db, "wb");
        fputs(contents[i], f);
        fclose(f);
        kumo_proc p;
        job_start(&j, &p, true);
        cr_assert_eq(kumo_proc_finish(&p, RUN_TIMEOUT), 1, "%s", kumo__buf_str(&p.log));
        const char *log = kumo__buf_str(&p.log);
        cr_assert(strstr(log, "kumo: '") && strstr(log, db) && strstr(log, "not touched"),
                  "%s", log);
        cr_assert_eq(kumo_count_of(log, "\n"), 1, "%s", log);
        f = fopen(db, "rb");
        char back[256] = "";
        size_t n = fread(back, 1, sizeof(back) - 1, f);
        fclose(f);
        back[n] = '\0';
        cr_assert_str_eq(back, contents[i]);
        kumo_proc_release(&p);
    }
    cr_assert_eq(kumo_testserver_hits(j.srv, "/"), 0);
    job_fini(&j);
}

/* ---- in-process: the spider's state map and unserializable requests ---- */

/* The quotes pages, one after the other: counts them in its state; with -a hold=1 each
 * next-page request holds the response in its meta (it cannot be persisted). */
static void stateful_parse(kumo_response *res, kumo_out *out)
{
    kumo_map *state = kumo_spider_state(kumo_out_spider(out));
    kumo_map_set(state, "pages", kumo_val_int(kumo_map_get_int(state, "pages", 0) + 1));
    kumo_map_set(state, "last", kumo_val_str(kumo_response_url(res)));
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_yield_item(out, item);
    const char *next = kumo_list_get(kumo_css(res, "li.next a::attr(href)"), NULL);
    kumo_request *req = next ? kumo_response_follow(res, next, stateful_parse) : NULL;
    if (req && strcmp(kumo_spider_arg(kumo_out_spider(out), "hold", "0"), "1") == 0)
        kumo_map_set(kumo_request_meta(req), "resp", kumo_val_response(res));
    kumo_yield_request(out, req);
}

static int stateful_start(kumo_spider *sp, kumo_out *out)
{
    kumo_yield_request(out, kumo_request_new(kumo_spider_arg(sp, "url", ""), stateful_parse,
                                             NULL));
    return KUMO_OK;
}

static const kumo_spider_def stateful_spider = {
    KUMO_SPIDER_HEADER,
    .name = "stateful",
    .callbacks = KUMO_CALLBACKS(stateful_parse),
    .start_requests = stateful_start,
};

Test(jobs, spider_state_and_stats_go_on_across_runs, .timeout = 60)
{
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    char url[128], dir[64];
    kumo_testserver_url(t.srv, "/", url, sizeof(url));
    snprintf(dir, sizeof(dir), "/tmp/kumo-jobst-XXXXXX");
    cr_assert(mkdtemp(dir));
    const char *kv1[] = {"JOBDIR", dir, "CONCURRENT_REQUESTS", "1", "CLOSESPIDER_PAGECOUNT", "2",
                         "TELNETCONSOLE_ENABLED", "0", NULL};
    const char *args[] = {"url", url, NULL};
    cr_assert_eq(kumo_testcrawl_run(&t, &stateful_spider, kv1, args), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "closespider_pagecount");
    cr_assert_eq(kumo_map_get_int(&kumo_crawler_spider(t.c)->state, "pages", 0), 2);
    const char *kv2[] = {"JOBDIR", dir, "TELNETCONSOLE_ENABLED", "0", NULL};
    cr_assert_eq(kumo_testcrawl_run(&t, &stateful_spider, kv2, args), KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(t.nitems, 3);
    cr_assert_eq(kumo_map_get_int(&kumo_crawler_spider(t.c)->state, "pages", 0), 5);
    cr_assert(strstr(kumo_map_get_str(&kumo_crawler_spider(t.c)->state, "last", ""), "/page/5/"));
    cr_assert_eq(kumo_testcrawl_stat(&t, "response_received_count", 0), 5);
    cr_assert_eq(kumo_testcrawl_stat(&t, "scheduler/dequeued/disk", 0), 5);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/"), 1);
    kumo_testcrawl_fini(&t);
    rm_tree(dir);
}

Test(jobs, unserializable_requests_are_kept_in_memory_and_logged_once, .timeout = 60)
{
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    char url[128], dir[64], logf[96];
    kumo_testserver_url(t.srv, "/", url, sizeof(url));
    snprintf(dir, sizeof(dir), "/tmp/kumo-jobun-XXXXXX");
    cr_assert(mkdtemp(dir));
    snprintf(logf, sizeof(logf), "%s/log.txt", dir);
    const char *kv[] = {"JOBDIR", dir, "LOG_LEVEL", "WARNING", "LOG_FILE", logf,
                        "TELNETCONSOLE_ENABLED", "0", NULL};
    const char *args[] = {"url", url, "hold", "1", NULL};
    int rc = kumo_testcrawl_run(&t, &stateful_spider, kv, args);
    kumo__log_set_file(NULL);
    cr_assert_eq(rc, KUMO_OK, "%s", t.err);
    cr_assert_eq(t.nitems, 5);
    cr_assert_eq(kumo_testcrawl_stat(&t, "scheduler/unserializable", 0), 4);
    cr_assert_eq(kumo_testcrawl_stat(&t, "scheduler/enqueued/memory", 0), 4);
    cr_assert_eq(kumo_testcrawl_stat(&t, "scheduler/dequeued/memory", 0), 4);
    cr_assert_eq(kumo_testcrawl_stat(&t, "scheduler/enqueued/disk", 0), 1);
    FILE *f = fopen(logf, "r");
    cr_assert(f);
    static char text[65536];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    cr_assert_eq(kumo_count_of(text, "Unable to serialize request"), 1, "%s", text);
    cr_assert(strstr(text, "WARNING: Unable to serialize request: <GET ") &&
              strstr(text, "/page/2/>") && strstr(text, "meta key 'resp' holds HtmlResponse") &&
              strstr(text, "will not survive a stop"), "%s", text);
    kumo_testcrawl_fini(&t);
    rm_tree(dir);
}
