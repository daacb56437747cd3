/* jobtest.h - helpers for the jobs unit tests: a temporary job directory and a minimal
 * crawler (settings, stats, spider) opened on it. */
#ifndef KUMO_JOBTEST_H
#define KUMO_JOBTEST_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <unistd.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/scheduler.h"
#include "core/settings.h"
#include "core/spider.h"
#include "core/stats.h"
#include "http/request.h"
#include "jobs/jobdb.h"

static inline void jt_cb_a(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static inline void jt_cb_b(kumo_response *res, kumo_out *out)
{
    (void)res, (void)out;
}

static inline void jt_eb(kumo_failure *f, kumo_out *out)
{
    (void)f, (void)out;
}

static const kumo_spider_def jt_spider = {
    KUMO_SPIDER_HEADER,
    .name = "jobtest",
    .callbacks = KUMO_CALLBACKS(jt_cb_a, jt_cb_b),
    .errbacks = KUMO_ERRBACKS(jt_eb),
};

/* The same name, but without jt_cb_b: its pending requests cannot resume. */
static const kumo_spider_def jt_spider_short = {
    KUMO_SPIDER_HEADER,
    .name = "jobtest",
    .callbacks = KUMO_CALLBACKS(jt_cb_a),
};

/* A new temporary directory (path into buf). */
static inline void jt_tmpdir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/kumo-jobtest-XXXXXX");
    cr_assert(mkdtemp(buf));
}

/* Remove dir and the files in it. */
static inline void jt_rmdir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

/*
 * Set *out to a new bare crawler of def with JOBDIR=dir (dir NULL: no job) and open its job.
 * Returns kumo__job_open's code (its message in err); on failure *out is NULL.
 */
static inline int jt_crawler_open(kumo_crawler **out, const kumo_spider_def *def,
                                  const char *dir, char *err, size_t errlen)
{
    kumo_settings *st = kumo__settings_new();
    if (dir)
        kumo__settings_set(st, "JOBDIR", dir, KUMO_PRIO_CMDLINE, err, errlen);
    kumo_crawler *c = kumo__crawler_new_bare(st, def);
    int rc = kumo__job_open(c, err, errlen);
    if (rc != KUMO_OK) {
        kumo__crawler_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

static inline void jt_crawler_close(kumo_crawler *c, kumo_scheduler *s)
{
    kumo__scheduler_close(s);
    kumo__job_close(c);
    kumo__crawler_free(c);
}

static inline kumo_request *jt_req(const char *url, int prio)
{
    kumo_request *r = kumo_request_new(url, NULL, NULL);
    cr_assert(r, "%s", url);
    kumo_request_set_priority(r, prio);
    return r;
}

/* Returns the whole file (kumo_free), its length in *len; NULL when it cannot be read. */
static inline char *jt_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kumo__buf_add(&b, chunk, n);
    fclose(f);
    return kumo__buf_detach(&b, len);
}

/* The log goes to a file of this process from jt_log_begin() to jt_log_end(). */
static char jt_log_path[64];

static inline void jt_log_begin(void)
{
    snprintf(jt_log_path, sizeof(jt_log_path), "/tmp/kumo-jobtest-%d.log", (int)getpid());
    unlink(jt_log_path);
    cr_assert_eq(kumo__log_set_file(jt_log_path), KUMO_OK);
    kumo__log_set_level(KUMO_LOG_DEBUG);
}

/* Everything logged since jt_log_begin(); a new string (kumo_free). */
static inline char *jt_log(void)
{
    size_t n;
    char *s = jt_slurp(jt_log_path, &n);
    cr_assert(s, "%s", jt_log_path);
    return s;
}

static inline void jt_log_end(void)
{
    kumo__log_set_file(NULL);
    unlink(jt_log_path);
}

/* How many times needle occurs in hay. */
static inline size_t jt_count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

#endif
