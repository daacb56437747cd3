/* test_cli_issue16.c - the commands of issue 16 through the binary: `kumo genspider -t
 * sitemap` (written, compiled, crawled), `kumo parse`, `kumo view` and `kumo check`. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/server.h"

static kumo_testserver *srv;
static kumo_clirun r;
static char dir[] = "/tmp/kumo-i16-XXXXXX";

static void setup(void)
{
    memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
    cr_assert(mkdtemp(dir));
    srv = kumo_testserver_start();
    cr_assert(srv);
}

static void teardown(void)
{
    kumo_testserver_stop(srv);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(cli_issue16, .init = setup, .fini = teardown, .timeout = 120);

/* The whole of dir/name into a static buffer ("" when missing). */
static const char *file_text(const char *name)
{
    static char buf[1 << 16];
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return "";
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

Test(cli_issue16, genspider_sitemap_template_crawls_the_sitemap)
{
    char args[512], env[PATH_MAX + 32];
    int port = kumo_testserver_port(srv);
    snprintf(args, sizeof(args), "genspider -t sitemap smap 127.0.0.1:%d", port);
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, args), 0, "%s", r.err);
    cr_assert_str_eq(r.out, "Created spider 'smap' using template 'sitemap' in:\n"
                            "  spiders/smap.c\n");
    char want[256];
    snprintf(want, sizeof(want), ".urls = KUMO_LIST(\"http://127.0.0.1:%d/sitemap.xml\")", port);
    cr_assert(strstr(file_text("spiders/smap.c"), want), "%s", file_text("spiders/smap.c"));
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider -t nope x example.com"), 2);
    cr_assert_str_eq(r.err, "kumo: unknown template 'nope': basic or sitemap\n");

    /* /sitemap.xml is an index of one gzipped sitemap of two pages */
    snprintf(env, sizeof(env), "XDG_CACHE_HOME='%s/cache'", dir);
    cr_assert_eq(kumo_clirun_run(&r, dir, env, "runspider spiders/smap.c -O items.jsonl"), 0,
                 "%s", r.err);
    const char *items = file_text("items.jsonl");
    snprintf(want, sizeof(want), "{\"url\": \"http://127.0.0.1:%d/sitemap/page/gz\", "
             "\"title\": \"/sitemap/page/gz\"}", port);
    cr_assert(strstr(items, want), "%s", items);
    snprintf(want, sizeof(want), "{\"url\": \"http://127.0.0.1:%d/sitemap/product/gz\", "
             "\"title\": \"/sitemap/product/gz\"}", port);
    cr_assert(strstr(items, want), "%s", items);
}
