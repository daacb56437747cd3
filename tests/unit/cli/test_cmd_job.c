/* test_cmd_job.c - `kumo job DIR`: a stopped job's spider, status, pending requests and
 * stats, read without running it; a directory without a job. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/server.h"
#include "lib/leakcheck.h"
#include "lib/tmpdir.h"
#include "lib/redisd.h"

static kumo_testserver *srv;
static kumo_clirun r;
static char dir[64];

static void setup(void)
{
    kumo_leakcheck_start();
    srv = kumo_testserver_start();
    cr_assert_not_null(srv);
    kumo_tmpdir_make(dir, sizeof(dir), "job");
}

static void teardown(void)
{
    kumo_tmpdir_remove(dir);
    kumo_testserver_stop(srv);
    kumo_leakcheck_end();
}

TestSuite(cmd_job, .init = setup, .fini = teardown, .timeout = 120);

Test(cmd_job, a_job_stopped_early_is_resumable_with_requests_pending)
{
    char url[256], args[1024];
    kumo_testserver_url(srv, "/", url, sizeof(url));
    /* one page, then CLOSESPIDER_PAGECOUNT stops it with the next pages still queued */
    snprintf(args, sizeof(args), "crawl quotes -a url=%s --jobdir %s/j --nolog "
             "-s CLOSESPIDER_PAGECOUNT=1 -s CONCURRENT_REQUESTS=1", url, dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    snprintf(args, sizeof(args), "job %s/j", dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "status:    stopped (finish_reason: closespider_pagecount)"
                                     ": resumable\n"), "%s", r.out);
    long long pending = -1;
    const char *p = strstr(r.out, "pending:   ");
    cr_assert_not_null(p, "%s", r.out);
    cr_assert_eq(sscanf(p, "pending:   %lld requests", &pending), 1);
    cr_assert_gt(pending, 0, "%s", r.out);
    /* the fetched page's fingerprint and the queued ones', in seen or not yet merged */
    long long seen = -1;
    p = strstr(r.out, "seen:      ");
    cr_assert(p && sscanf(p, "seen:      %lld fingerprints", &seen) == 1, "%s", r.out);
    cr_assert_gt(seen, pending, "%s", r.out);
    cr_assert_not_null(strstr(r.out, "'finish_reason': 'closespider_pagecount'"), "%s",
                       r.out);
}

Test(cmd_job, no_job_in_the_directory)
{
    char args[128], want[160];
    snprintf(args, sizeof(args), "job %s/none", dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 1);
    snprintf(want, sizeof(want), "kumo: no job in '%s/none': ", dir);
    cr_assert_eq(strncmp(r.err, want, strlen(want)), 0, "%s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "job"), 2);
    cr_assert_str_eq(r.err, "kumo: job needs one job directory (see 'kumo job -h')\n");
}

/* `kumo job redis://...#SPIDER`: a Redis frontier stopped early, read without a worker. */
Test(cmd_job, a_redis_frontier_shows_pending_seen_and_workers)
{
    kumo_redisd d = {0};
    kumo_redisd_start_or_skip(&d);
    char url[256], args[1024];
    kumo_testserver_url(srv, "/", url, sizeof(url));
    snprintf(args, sizeof(args), "crawl follow -a url=%s --nolog -s SCHEDULER=redis "
             "-s REDIS_URL=%s -s CLOSESPIDER_PAGECOUNT=2 -s CONCURRENT_REQUESTS=1", url, d.url);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    snprintf(args, sizeof(args), "job '%s#follow'", d.url);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    long long pending = -1, seen = -1;
    const char *p = strstr(r.out, "pending:   ");
    cr_assert(p && sscanf(p, "pending:   %lld requests", &pending) == 1, "%s", r.out);
    cr_expect_gt(pending, 0, "%s", r.out);
    char slot[64];
    snprintf(slot, sizeof(slot), "requests in 1 download slots\n  slot 127.0.0.1: %lld\n",
             pending);
    cr_expect(strstr(r.out, slot), "one slot, the site's host:\n%s", r.out);
    p = strstr(r.out, "seen:      ");
    cr_assert(p && sscanf(p, "seen:      %lld fingerprints", &seen) == 1, "%s", r.out);
    cr_expect_gt(seen, pending, "%s", r.out);
    cr_expect(strstr(r.out, "leased:    0 requests"), "leases handed back:\n%s", r.out);
    cr_expect(strstr(r.out, "workers:   0\n"), "%s", r.out);
    cr_expect(strstr(r.out, "start:     scheduled"), "%s", r.out);
    cr_expect(strstr(r.out, "  lease/acked: "), "%s", r.out);
    snprintf(args, sizeof(args), "job '%s'", d.url);
    cr_expect_eq(kumo_clirun_run(&r, NULL, NULL, args), 2, "no #SPIDER: %s", r.err);
    kumo_redisd_stop(&d, true);
    snprintf(args, sizeof(args), "job '%s#follow'", d.url);
    cr_expect_eq(kumo_clirun_run(&r, NULL, NULL, args), 1);
    cr_expect(strstr(r.err, "cannot connect to Redis"), "%s", r.err);
    kumo_redisd_stop(&d, false);
}
