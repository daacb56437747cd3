/* test_cmd_crawl.c - `kumo crawl SPIDER`: a plugin's crawl of the test site with a feed and
 * a job directory (read back by `kumo job`), and the errors before a crawl starts. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/server.h"
#include "lib/leakcheck.h"
#include "lib/tmpdir.h"

static kumo_testserver *srv;
static kumo_clirun r;
static char dir[64];

static void setup(void)
{
    kumo_leakcheck_start();
    srv = kumo_testserver_start();
    cr_assert_not_null(srv);
    kumo_tmpdir_make(dir, sizeof(dir), "crawl");
}

static void teardown(void)
{
    kumo_tmpdir_remove(dir);
    kumo_testserver_stop(srv);
    kumo_leakcheck_end();
}

TestSuite(cmd_crawl, .init = setup, .fini = teardown, .timeout = 120);

/* Lines of path that hold a JSON object. */
static size_t json_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open '%s'", path);
    char line[8192];
    size_t n = 0;
    while (fgets(line, sizeof(line), f)) {
        size_t len = strlen(line);
        cr_assert(len > 2 && line[0] == '{' && line[len - 2] == '}', "%s", line);
        n++;
    }
    fclose(f);
    return n;
}

Test(cmd_crawl, a_plugin_crawls_into_a_feed_and_a_job)
{
    char url[256], args[1024];
    kumo_testserver_url(srv, "/", url, sizeof(url));
    snprintf(args, sizeof(args), "crawl quotes -a url=%s -O %s/q.jsonl --jobdir %s/job "
             "-L INFO", url, dir, dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "Spider closed (finished)"), "%s", r.err);
    char feed[96];
    snprintf(feed, sizeof(feed), "%s/q.jsonl", dir);
    size_t items = json_lines(feed);
    cr_assert_gt(items, 0);

    /* the job the crawl kept: finished, its stats with the same item count */
    snprintf(args, sizeof(args), "job %s/job", dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "spider:    quotes\n"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "status:    finished (finish_reason: finished)\n"), "%s",
                       r.out);
    cr_assert_not_null(strstr(r.out, "runs:      1\n"), "%s", r.out);
    char want[64];
    snprintf(want, sizeof(want), "'item_scraped_count': %zu,", items);
    cr_assert_not_null(strstr(r.out, want), "%s in:\n%s", want, r.out);
}

Test(cmd_crawl, errors_before_the_crawl_starts)
{
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "crawl"), 2);
    cr_assert_str_eq(r.err, "kumo: crawl needs a spider name (see 'kumo list')\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "crawl nope"), 1);
    cr_assert_str_eq(r.err, "kumo: spider not found: nope (try 'kumo list')\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL,
                                 "crawl quotes -s 'ITEM_PIPELINES={\"Nope\": 1}'"), 1);
    cr_assert_not_null(strstr(r.err, "kumo: unknown item pipeline 'Nope' in ITEM_PIPELINES\n"),
                       "%s", r.err);
}
