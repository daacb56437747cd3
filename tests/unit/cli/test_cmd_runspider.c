/* test_cmd_runspider.c - `kumo runspider FILE.c`: compile a spider source into the cache,
 * crawl with it, reuse the object while the source is unchanged; compile errors exit 1. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/server.h"
#include "lib/leakcheck.h"
#include "lib/tmpdir.h"
#include <dirent.h>
#include <unistd.h>

static kumo_testserver *srv;
static kumo_clirun r;
static char dir[64];
static char env[128];

static void setup(void)
{
    kumo_leakcheck_start();
    srv = kumo_testserver_start();
    cr_assert_not_null(srv);
    kumo_tmpdir_make(dir, sizeof(dir), "runspider");
    snprintf(env, sizeof(env), "XDG_CACHE_HOME=%s/cache", dir);
}

static void teardown(void)
{
    kumo_tmpdir_remove(dir);
    kumo_testserver_stop(srv);
    kumo_leakcheck_end();
}

TestSuite(cmd_runspider, .init = setup, .fini = teardown, .timeout = 180);

/* Objects in the runspider cache. */
static size_t cached(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/cache/kumo/runspider", dir);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strstr(de->d_name, ".so") != NULL;
    closedir(d);
    return n;
}

static size_t lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n;
}

Test(cmd_runspider, compiles_once_and_crawls)
{
    char host[64], args[1024], feed[96];
    snprintf(host, sizeof(host), "127.0.0.1:%d", kumo_testserver_port(srv));
    snprintf(args, sizeof(args), "genspider local %s", host);
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, args), 0, "%s", r.err);

    snprintf(feed, sizeof(feed), "%s/a.jsonl", dir);
    snprintf(args, sizeof(args), "runspider spiders/local.c -O %s --nolog "
             "-s CLOSESPIDER_PAGECOUNT=3", feed);
    cr_assert_eq(kumo_clirun_run(&r, dir, env, args), 0, "%s", r.err);
    cr_assert_eq(cached(), 1);
    size_t first = lines_of(feed);
    cr_assert_geq(first, 1);

    /* unchanged source: the cached object runs again, nothing new in the cache */
    cr_assert_eq(kumo_clirun_run(&r, dir, env, args), 0, "%s", r.err);
    cr_assert_eq(cached(), 1);
    cr_assert_geq(lines_of(feed), 1);
}

Test(cmd_runspider, a_source_that_does_not_compile_exits_1)
{
    char path[96], args[256];
    snprintf(path, sizeof(path), "%s/broken.c", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("#include <kumo/kumo.h>\nthis is not C;\n", f);
    fclose(f);
    snprintf(args, sizeof(args), "runspider %s", path);
    cr_assert_eq(kumo_clirun_run(&r, dir, env, args), 1, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "broken.c"), "the compiler's message names the file: %s",
                       r.err);
    cr_assert_eq(cached(), 0);

    cr_assert_eq(kumo_clirun_run(&r, dir, env, "runspider nosuch.c"), 1);
    cr_assert_not_null(strstr(r.err, "nosuch.c"), "%s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, dir, env, "runspider"), 2);
}
