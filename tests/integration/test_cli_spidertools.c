/* test_cli_spidertools.c - the spider tools through the binary: `kumo genspider -t
 * sitemap` (written, compiled, crawled), `kumo parse`, `kumo view` and `kumo check`. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/clirun.h"
#include "lib/server.h"
#include "lib/tmpdir.h"

static kumo_testserver *srv;
static kumo_clirun r;
static char dir[64];

static void setup(void)
{
    kumo_tmpdir_make(dir, sizeof(dir), "spidertools");
    srv = kumo_testserver_start();
    cr_assert(srv);
}

static void teardown(void)
{
    kumo_testserver_stop(srv);
    kumo_tmpdir_remove(dir);
}

TestSuite(cli_spidertools, .init = setup, .fini = teardown, .timeout = 120);

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

Test(cli_spidertools, genspider_sitemap_template_crawls_the_sitemap)
{
    char args[512], env[PATH_MAX + 32];
    int port = kumo_testserver_port(srv);
    snprintf(args, sizeof(args), "genspider -t sitemap smap 127.0.0.1:%d", port);
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, args), 0, "%s", r.err);
    static const char created[] = "Created spider 'smap' using template 'sitemap' in:\n"
                                  "  spiders/smap.c\n";
    cr_assert(strncmp(r.out, created, sizeof(created) - 1) == 0, "%s", r.out);
    char want[256];
    snprintf(want, sizeof(want), ".urls = KUMO_LIST(\"http://127.0.0.1:%d/sitemap.xml\")", port);
    cr_assert(strstr(file_text("spiders/smap.c"), want), "%s", file_text("spiders/smap.c"));
    cr_assert_eq(kumo_clirun_run(&r, dir, NULL, "genspider -t nope x example.com"), 2);
    cr_assert_str_eq(r.err, "kumo: genspider has no template 'nope' (basic, crawl, sitemap)\n");

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

/* ---------------------------------------------------------------------------- parse */

Test(cli_spidertools, parse_prints_items_and_requests_per_level)
{
    char args[512], want[512];
    int port = kumo_testserver_port(srv);
    snprintf(args, sizeof(args), "parse http://127.0.0.1:%d/ --spider follow --nolog", port);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    snprintf(want, sizeof(want), "\n>>> STATUS DEPTH LEVEL 1 <<<\n"
             "# Scraped Items  ------------------------------------------------------------\n"
             "[{\"url\": \"http://127.0.0.1:%d/\", \"status\": 200, \"title\": \"Quotes to "
             "Scrape\", \"depth\": 0}]\n"
             "# Requests  -----------------------------------------------------------------\n"
             "[<GET http://127.0.0.1:%d/>,\n <GET http://127.0.0.1:%d/login>,\n", port, port, port);
    cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);

    /* -d 2: the level-1 requests are fetched with their callback; items of both levels,
     * requests of the last; --meta reaches the first request */
    snprintf(args, sizeof(args), "parse http://127.0.0.1:%d/sitemap/page/a --spider follow "
             "-c parse -d 2 --meta '{\"depth\": 5}' --nolinks --nolog", port);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    snprintf(want, sizeof(want), "\n>>> STATUS DEPTH LEVEL 1 <<<\n"
             "# Scraped Items  ------------------------------------------------------------\n"
             "[{\"url\": \"http://127.0.0.1:%d/sitemap/page/a\", \"status\": 200, \"title\": "
             "\"/sitemap/page/a\", \"depth\": 5}]\n", port);
    cr_assert_str_eq(r.out, want);
    snprintf(args, sizeof(args), "parse http://127.0.0.1:%d/page/2/ --spider follow -d 2 -v "
             "--noitems --nolog", port);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert(strstr(r.out, "\n>>> DEPTH LEVEL: 1 <<<\n# Requests  "), "%s", r.out);
    cr_assert(strstr(r.out, "\n>>> DEPTH LEVEL: 2 <<<\n# Requests  "), "%s", r.out);
    cr_assert_null(strstr(r.out, "Scraped Items"), "%s", r.out);

    /* errors: one line each */
    snprintf(args, sizeof(args), "parse http://127.0.0.1:%d/ --spider follow -c nope", port);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 1);
    cr_assert_str_eq(r.err, "kumo: spider 'follow' has no callback 'nope'\n");
    snprintf(args, sizeof(args), "parse http://127.0.0.1:%d/ --spider follow -m '[1]'", port);
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 2);
    cr_assert_str_eq(r.err, "kumo: --meta must be a JSON object, not '[1]'\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "parse http://nowhere.invalid/"), 1);
    cr_assert_str_eq(r.err, "kumo: no spider for 'http://nowhere.invalid/': name one with "
                            "--spider\n");
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, "parse -d 0 http://x/"), 2);
}

/* ----------------------------------------------------------------------------- view */

Test(cli_spidertools, view_saves_the_page_with_a_base_tag)
{
    char args[512], want[256];
    int port = kumo_testserver_port(srv);
    snprintf(args, sizeof(args), "view http://127.0.0.1:%d/sitemap/page/a", port);
    char env[PATH_MAX];
    snprintf(env, sizeof(env), "DISPLAY= WAYLAND_DISPLAY= TMPDIR='%s'", dir);
    cr_assert_eq(kumo_clirun_run(&r, NULL, env, args), 0, "%s", r.err);
    size_t n = strlen(dir);
    cr_assert(strncmp(r.out, dir, n) == 0 && strstr(r.out, "/kumo-view-") &&
              strstr(r.out, ".html\n"), "%s", r.out);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%.*s", (int)(strlen(r.out) - 1), r.out);
    FILE *f = fopen(path, "r");
    cr_assert(f, "%s", path);
    char body[4096];
    size_t k = fread(body, 1, sizeof(body) - 1, f);
    body[k] = '\0';
    fclose(f);
    snprintf(want, sizeof(want), "<html><head><base href=\"http://127.0.0.1:%d/sitemap/page/a\">"
             "<title>/sitemap/page/a</title>", port);
    cr_assert(strncmp(body, want, strlen(want)) == 0, "%s", body);
    /* text is saved as .txt, as it came */
    snprintf(args, sizeof(args), "view http://127.0.0.1:%d/sitemap/robots.txt", port);
    cr_assert_eq(kumo_clirun_run(&r, NULL, env, args), 0, "%s", r.err);
    cr_assert(strstr(r.out, ".txt\n"), "%s", r.out);
    cr_assert_eq(kumo_clirun_run(&r, NULL, env, "view"), 2);
    cr_assert_str_eq(r.err, "kumo: view needs a URL (see 'kumo view -h')\n");
}

/* ---------------------------------------------------------------------------- check */

/* A spider source with two contracts on the test server: the first holds, the second
 * (when bad) fails its @returns items and its @scrapes. */
static const char spider_src[] =
    "#include <kumo/kumo.h>\n"
    "static void parse(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    kumo_item *item = kumo_item_new();\n"
    "    kumo_item_set_str(item, \"url\", kumo_response_url(res));\n"
    "    kumo_item_set_str(item, \"title\", kumo_list_get(kumo_css(res, \"title::text\"), \"\"));\n"
    "    kumo_yield_item(out, item);\n"
    "    kumo_follow_all(out, res, \"a\", parse);\n"
    "}\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"%s\",\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "    .contracts = KUMO_CONTRACTS(\n"
    "        {.callback = \"parse\", .url = \"http://127.0.0.1:%d/sitemap/page/a\",\n"
    "         KUMO_RETURNS_ITEMS(1, 1), KUMO_RETURNS_REQUESTS(0, 0), KUMO_SCRAPES(\"url\")}%s),\n"
    "};\n";

static const char bad_contract[] =
    ",\n        {.callback = \"parse\", .url = \"http://127.0.0.1:%d/\",\n"
    "         KUMO_RETURNS_ITEMS(2, 5), KUMO_SCRAPES(\"url\", \"price\", \"stock\")}";

/* Write NAME.c, build it through runspider's cache, return the .so's path (static). */
static const char *build(const char *name, bool bad)
{
    int port = kumo_testserver_port(srv);
    char extra[512] = "", path[PATH_MAX], cmd[PATH_MAX * 2];
    if (bad)
        snprintf(extra, sizeof(extra), bad_contract, port);
    snprintf(path, sizeof(path), "%s/%s.c", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, spider_src, name, port, extra);
    fclose(f);
    char env[PATH_MAX + 32], args[PATH_MAX];
    snprintf(env, sizeof(env), "XDG_CACHE_HOME='%s/cache'", dir);
    snprintf(args, sizeof(args), "runspider %s.c --nolog", name);
    cr_assert_eq(kumo_clirun_run(&r, dir, env, args), 0, "%s", r.err);
    static char so[PATH_MAX];
    snprintf(cmd, sizeof(cmd), "ls %s/cache/kumo/runspider/%s-*.so", dir, name);
    FILE *p = popen(cmd, "r");
    cr_assert(p && fgets(so, sizeof(so), p), "no object for %s", name);
    pclose(p);
    so[strcspn(so, "\n")] = '\0';
    return so;
}

Test(cli_spidertools, check_runs_contracts_and_reports_like_scrapy)
{
    char args[PATH_MAX];
    snprintf(args, sizeof(args), "check %s", build("good", false));
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert(strncmp(r.err, "...\n-----", 9) == 0, "%s", r.err);
    cr_assert(strstr(r.err, "\nRan 3 contracts in "), "%s", r.err);
    cr_assert(strstr(r.err, "s\n\nOK\n"), "%s", r.err);

    snprintf(args, sizeof(args), "check %s", build("bad", true));
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 1, "%s", r.err);
    cr_assert(strncmp(r.err, "...FF\n", 6) == 0, "%s", r.err);
    cr_assert(strstr(r.err, "FAIL: [bad] parse (@returns post-hook)\n---"), "%s", r.err);
    cr_assert(strstr(r.err, "ContractFail: Returned 1 items, expected 2..5\n"), "%s", r.err);
    cr_assert(strstr(r.err, "ContractFail: Missing fields: price, stock\n"), "%s", r.err);
    cr_assert(strstr(r.err, "\nRan 5 contracts in "), "%s", r.err);
    cr_assert(strstr(r.err, "s\n\nFAILED (failures=2)\n"), "%s", r.err);

    snprintf(args, sizeof(args), "check -l %s", build("bad", true));
    cr_assert_eq(kumo_clirun_run(&r, NULL, NULL, args), 0, "%s", r.err);
    cr_assert_str_eq(r.out, "bad\n  * parse\n  * parse\n");
}

/* ------------------------------------------------------------- files: kill safety */

static const char files_src[] =
    "#include <kumo/kumo.h>\n"
    "#include <stdio.h>\n"
    "static void parse(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    kumo_item *item = kumo_item_new();\n"
    "    kumo_value urls = kumo_val_list();\n"
    "    char u[128];\n"
    "    for (int i = 0; i < 24; i++) {\n"
    "        snprintf(u, sizeof(u), \"http://127.0.0.1:%d/files/big.bin?n=%d&k=%%d\", i);\n"
    "        kumo_val_list_push(&urls, kumo_val_str(u));\n"
    "    }\n"
    "    kumo_item_set(item, \"file_urls\", urls);\n"
    "    kumo_yield_item(out, item);\n"
    "}\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"killed\",\n"
    "    .start_urls = KUMO_LIST(\"http://127.0.0.1:%d/ok\"),\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "    .settings = KUMO_SETTINGS({\"ITEM_PIPELINES\", \"{\\\"FilesPipeline\\\": 1}\"},\n"
    "                              {\"FILES_STORE\", \"store\"}, {\"LOG_ENABLED\", \"0\"}),\n"
    "};\n";

#define BIG_N (3 * 1024 * 1024)

/* kill -9 a crawl that stores files at several moments: whatever is under full/ then is
 * whole (a partial write sits only in a .tmp- file). */
Test(cli_spidertools, files_killed_leave_no_truncated_file)
{
    int port = kumo_testserver_port(srv);
    char path[PATH_MAX], cmd[PATH_MAX * 3], env[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/killed.c", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, files_src, port, BIG_N, port);
    fclose(f);
    snprintf(env, sizeof(env), "XDG_CACHE_HOME='%s/cache'", dir);
    /* a whole run first: it compiles the spider and stores every file */
    cr_assert_eq(kumo_clirun_run(&r, dir, env, "runspider killed.c"), 0, "%s", r.err);
    snprintf(cmd, sizeof(cmd), "ls '%s/store/full' | wc -l", dir);
    FILE *all = popen(cmd, "r");
    char count[32] = "";
    cr_assert(all && fgets(count, sizeof(count), all));
    pclose(all);
    cr_assert_eq(atoi(count), 24, "%s", count);
    char bin[PATH_MAX];
    cr_assert(realpath(getenv("KUMO_BIN"), bin));
    size_t whole = 0, runs = 0;
    for (int ms = 50; ms <= 650; ms += 100, runs++) {
        snprintf(cmd, sizeof(cmd), "cd '%s' && rm -rf store && (%s '%s' runspider killed.c "
                 "-s FILES_STORE=store & p=$!; sleep %d.%03d; kill -9 $p; wait $p) "
                 ">/dev/null 2>&1", dir, env, bin, ms / 1000, ms % 1000);
        system(cmd);
        snprintf(cmd, sizeof(cmd), "cd '%s/store/full' 2>/dev/null && for f in *; do "
                 "[ -e \"$f\" ] || continue; case $f in .tmp-*) ;; "
                 "*) [ \"$(stat -c %%s \"$f\")\" = %d ] || echo \"$f\";; esac; done", dir, BIG_N);
        FILE *p = popen(cmd, "r");
        cr_assert(p);
        char bad[512] = "";
        cr_assert_null(fgets(bad, sizeof(bad), p), "a truncated file under its name: %s", bad);
        pclose(p);
        snprintf(cmd, sizeof(cmd), "ls '%s/store/full' 2>/dev/null | grep -vc '^\\.tmp-'", dir);
        p = popen(cmd, "r");
        char n[32] = "0";
        cr_assert(p && fgets(n, sizeof(n), p));
        pclose(p);
        whole += (size_t)atoi(n);
    }
    cr_assert_eq(runs, 7);
    (void)whole;        /* how far each run got depends on the machine's load */
}
