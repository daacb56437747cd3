/* test_cli_more.c - `kumo runspider` (compile, cache, compiler errors), `kumo bench`, -h for
 * every command and the shared option parser's usage errors, through the binary. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/server.h"
#include "lib/tmpdir.h"
#include "pipeline/feed.h"
#include "lib/leakcheck.h"

typedef struct result {
    int code;
    char out[65536];
    char err[65536];
} result;

TestSuite(cli_more, KUMO_LEAKCHECK, .timeout = 120);

static void slurp(const char *path, char *buf, size_t n, bool remove)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
    if (remove)
        unlink(path);
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* The absolute path of $KUMO_BIN. */
static const char *kumo_bin(void)
{
    static char abs[PATH_MAX];
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    cr_assert(realpath(bin, abs), "no %s", bin);
    return abs;
}

/* Run "env KUMO_CONF=/dev/null prefix $KUMO_BIN args" (the built-in defaults), filling r. */
static void run(const char *prefix, const char *args, result *r)
{
    char out[] = "/tmp/kumo-more-out-XXXXXX", err[] = "/tmp/kumo-more-err-XXXXXX";
    int fo = mkstemp(out), fe = mkstemp(err);
    cr_assert(fo >= 0 && fe >= 0);
    close(fo);
    close(fe);
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "env KUMO_CONF=/dev/null %s '%s' %s >%s 2>%s </dev/null",
             prefix ? prefix : "", kumo_bin(), args, out, err);
    int st = system(cmd);
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    slurp(out, r->out, sizeof(r->out), true);
    slurp(err, r->err, sizeof(r->err), true);
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ------------------------------------------------------------------------ -h, usage errors */

Test(cli_more, help_for_every_command)
{
    static const char *const cmds[] = {"crawl", "list",  "shell", "genspider", "runspider",
                                       "fetch", "bench", "settings", "job",    "version"};
    result *r = calloc(1, sizeof(*r));
    run(NULL, "-h", r);
    cr_assert_eq(r->code, 0);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cmds); i++) {
        char want[64];
        snprintf(want, sizeof(want), "\n  %s ", cmds[i]);
        cr_expect(strstr(r->out, want), "kumo -h does not list %s:\n%s", cmds[i], r->out);
    }
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cmds); i++) {
        for (int form = 0; form < 2; form++) {
            char args[64], want[64];
            snprintf(args, sizeof(args), "%s %s", cmds[i], form ? "--help" : "-h");
            snprintf(want, sizeof(want), "usage: kumo %s", cmds[i]);
            run(NULL, args, r);
            cr_expect_eq(r->code, 0, "kumo %s: exit %d", args, r->code);
            cr_expect(strncmp(r->out, want, strlen(want)) == 0, "kumo %s:\n%s", args, r->out);
            cr_expect(strstr(r->out, "Exit codes: 0 "), "kumo %s: no exit codes", args);
            cr_expect(strstr(r->out, "-h, --help"), "kumo %s: no options", args);
            cr_expect_str_eq(r->err, "", "kumo %s", args);
        }
    }
    free(r);
}

/* crawl -h and runspider -h list every feed format from the feed code's own table, and
 * kumo -h's pointer to the manual works from the source tree. */
Test(cli_more, help_lists_every_feed_format_and_the_manual)
{
    result *r = calloc(1, sizeof(*r));
    static const char *const cmds[] = {"crawl -h", "runspider -h"};
    char choices[256], want[300];
    kumo__feed_format_choices(choices, sizeof(choices), true);
    cr_assert(strstr(choices, ".xml") && strstr(choices, ".sqlite"), "%s", choices);
    snprintf(want, sizeof(want), "\n                        %s\n", choices);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cmds); i++) {
        run(NULL, cmds[i], r);
        cr_assert_eq(r->code, 0);
        cr_expect(strstr(r->out, want), "kumo %s:\n%s", cmds[i], r->out);
        cr_expect_not(strchr(r->out, '@'), "kumo %s:\n%s", cmds[i], r->out);
    }
    run(NULL, "-h", r);
    cr_assert_eq(r->code, 0);
    cr_expect(strstr(r->out, "'man ./doc/kumo.1'"), "%s", r->out);
    cr_expect_eq(access("doc/kumo.1", R_OK), 0, "kumo -h points at a missing doc/kumo.1");
    free(r);
}

Test(cli_more, usage_errors_exit_2_with_one_line)
{
    static const struct {
        const char *args;
        const char *err;
    } cases[] = {
        {"bench --frob", "kumo: unknown option '--frob' (see 'kumo bench -h')\n"},
        {"bench extra", "kumo: unexpected argument 'extra' (see 'kumo bench -h')\n"},
        {"bench --pages", "kumo: option --pages needs a value\n"},
        {"bench --pages 0", "kumo: --pages expects a number from 1 to 100000000, got '0'\n"},
        {"bench --links x", "kumo: --links expects a number from 0 to 1000, got 'x'\n"},
        {"bench -s NOEQ", "kumo: -s expects NAME=VALUE, got 'NOEQ'\n"},
        {"runspider", "kumo: runspider needs a spider source FILE.c (see 'kumo runspider "
                      "-h')\n"},
        {"runspider a.c b.c", "kumo: unexpected argument 'b.c' (see 'kumo runspider -h')\n"},
        {"runspider a.c --frob", "kumo: unknown option '--frob' (see 'kumo runspider -h')\n"},
        {"runspider a.c -a", "kumo: option -a needs a value\n"},
        {"runspider a.c -s RETRY_TIMES=x",
         "kumo: invalid value 'x' for RETRY_TIMES: expected an integer\n"},
        {"crawl quotes -L LOUD", "kumo: invalid log level 'LOUD': expected DEBUG, INFO, "
                                 "WARNING, ERROR or CRITICAL\n"},
        {"crawl quotes --nolog=1", "kumo: option --nolog takes no value (see 'kumo crawl "
                                   "-h')\n"},
        {"crawl quotes --loglevel=LOUD", "kumo: invalid log level 'LOUD': expected DEBUG, "
                                         "INFO, WARNING, ERROR or CRITICAL\n"},
        {"crawl quotes -O", "kumo: option -O needs a value\n"},
        {"crawl quotes --jobdir", "kumo: option --jobdir needs a value\n"},
        {"crawl -- -weird extra", "kumo: unexpected argument 'extra' (see 'kumo crawl -h')\n"},
        {"list extra", "kumo: unexpected argument 'extra' (see 'kumo list -h')\n"},
        {"list -s A=1", "kumo: unknown option '-s' (see 'kumo list -h')\n"},
        {"version --frob", "kumo: unknown option '--frob' (see 'kumo version -h')\n"},
        {"job", "kumo: job needs one job directory (see 'kumo job -h')\n"},
        {"job a b", "kumo: job takes one job directory (see 'kumo job -h')\n"},
        {"job --frob", "kumo: unknown option '--frob' (see 'kumo job -h')\n"},
        {"shell --frob", "kumo: unknown option '--frob' (see 'kumo shell -h')\n"},
        {"fetch --headers=1 x", "kumo: option --headers takes no value (see 'kumo fetch "
                                "-h')\n"},
    };
    result *r = calloc(1, sizeof(*r));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        run(NULL, cases[i].args, r);
        cr_expect_eq(r->code, 2, "kumo %s: exit %d\n%s", cases[i].args, r->code, r->err);
        cr_expect_str_eq(r->err, cases[i].err, "kumo %s", cases[i].args);
        cr_expect_str_eq(r->out, "", "kumo %s", cases[i].args);
    }
    free(r);
}

/* The long forms and --name=value reach the same settings as the short ones. */
Test(cli_more, long_option_forms)
{
    result *r = calloc(1, sizeof(*r));
    run(NULL, "crawl quotes --set=RETRY_TIMES=x", r);
    cr_expect_eq(r->code, 2, "%s", r->err);
    cr_expect_str_eq(r->err, "kumo: invalid value 'x' for RETRY_TIMES: expected an integer\n");
    run(NULL, "crawl quotes --set RETRY_TIMES=x", r);
    cr_expect_str_eq(r->err, "kumo: invalid value 'x' for RETRY_TIMES: expected an integer\n");
    run(NULL, "crawl quotes --output=/tmp/kumo-items.txt", r);
    cr_expect_eq(r->code, 1, "%s", r->err);
    cr_expect(strstr(r->err, "cannot tell the feed format"), "%s", r->err);
    free(r);
}

/* ------------------------------------------------------------------------ runspider */

static const char spider_src[] =
    "#include <kumo/kumo.h>\n"
    "\n"
    "static void parse(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    kumo_item *item = kumo_item_new();\n"
    "    kumo_item_set_str(item, \"title\", kumo_list_get(kumo_css(res, \"title::text\"), "
    "NULL));\n"
    "    kumo_item_set_str(item, \"tag\", kumo_spider_arg(kumo_response_spider(res), \"tag\", "
    "\"none\"));\n"
    "    kumo_yield_item(out, item);\n"
    "}\n"
    "\n"
    "static int start(kumo_spider *sp, kumo_out *out)\n"
    "{\n"
    "    return kumo_start_from_arg(sp, out, NULL, parse);\n"
    "}\n"
    "\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"%s\",\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "    .start_requests = start,\n"
    "};\n";

typedef struct rs_env {
    char dir[64];
    char prefix[1024];          /* XDG_CACHE_HOME and CC for run() */
    char src[128], counter[128], feed[128];
} rs_env;

/* A temp dir with the spider source, a CC wrapper that counts its runs, a cache. */
static void rs_setup(rs_env *e, const char *name)
{
    kumo_tmpdir_make(e->dir, sizeof(e->dir), "runspider");
    char text[4096], wrapper[256];
    snprintf(e->src, sizeof(e->src), "%s/%s.c", e->dir, name);
    snprintf(text, sizeof(text), spider_src, name);
    spit(e->src, text);
    snprintf(e->counter, sizeof(e->counter), "%s/cc-runs", e->dir);
    snprintf(e->feed, sizeof(e->feed), "%s/items.jsonl", e->dir);
    snprintf(wrapper, sizeof(wrapper), "%s/cc-wrap", e->dir);
    snprintf(text, sizeof(text), "#!/bin/sh\necho run >> '%s'\nexec cc \"$@\"\n", e->counter);
    spit(wrapper, text);
    cr_assert_eq(chmod(wrapper, 0755), 0);
    snprintf(e->prefix, sizeof(e->prefix), "XDG_CACHE_HOME='%s/cache' CC='%s'", e->dir,
             wrapper);
}

static size_t rs_compiles(const rs_env *e)
{
    char text[4096];
    if (access(e->counter, R_OK) != 0)
        return 0;
    slurp(e->counter, text, sizeof(text), false);
    return count(text, "run\n");
}

static void rs_cleanup(rs_env *e)
{
    kumo_tmpdir_remove(e->dir);
}

Test(cli_more, runspider_compiles_runs_and_caches)
{
    kumo_testserver *srv = kumo_testserver_start();
    cr_assert(srv);
    rs_env e;
    rs_setup(&e, "my_page");
    char url[128], args[1024];
    kumo_testserver_url(srv, "/ok", url, sizeof(url));
    result *r = calloc(1, sizeof(*r));
    char *feed = calloc(1, 65536);

    /* first run: compiled into the cache, then crawled as `kumo crawl` would */
    snprintf(args, sizeof(args), "runspider '%s' -a url=%s -a tag=first -O '%s' -L INFO",
             e.src, url, e.feed);
    run(e.prefix, args, r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->err, "Spider closed (finished)"), "%s", r->err);
    cr_expect_eq(rs_compiles(&e), 1);
    slurp(e.feed, feed, 65536, false);
    cr_expect_str_eq(feed, "{\"title\": \"OK\", \"tag\": \"first\"}\n");

    char cmd[512];
    snprintf(cmd, sizeof(cmd), "test \"$(ls '%s/cache/kumo/runspider' | grep -c "
             "'^my_page-[0-9a-f]\\{16\\}\\.so$')\" = 1", e.dir);
    cr_expect_eq(system(cmd), 0, "the cache does not hold one my_page-HASH.so");

    /* unchanged: the cached object is used, the compiler does not run */
    snprintf(args, sizeof(args), "runspider '%s' -a url=%s -a tag=second -O '%s' --nolog",
             e.src, url, e.feed);
    run(e.prefix, args, r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_str_eq(r->err, "");
    cr_expect_eq(rs_compiles(&e), 1, "the second run compiled again");
    slurp(e.feed, feed, 65536, false);
    cr_expect_str_eq(feed, "{\"title\": \"OK\", \"tag\": \"second\"}\n");

    /* a changed source compiles again */
    FILE *f = fopen(e.src, "a");
    cr_assert(f);
    fputs("/* changed */\n", f);
    fclose(f);
    run(e.prefix, args, r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_eq(rs_compiles(&e), 2, "a changed source was not compiled");

    free(feed);
    free(r);
    rs_cleanup(&e);
    kumo_testserver_stop(srv);
}

Test(cli_more, runspider_errors)
{
    rs_env e;
    rs_setup(&e, "broken");
    spit(e.src, "#include <kumo/kumo.h>\n\nint broken = ;\n");
    result *r = calloc(1, sizeof(*r));
    char args[1024], want[256];

    /* the compiler's own message, then kumo's one line */
    snprintf(args, sizeof(args), "runspider '%s'", e.src);
    run(e.prefix, args, r);
    cr_expect_eq(r->code, 1, "%s", r->err);
    snprintf(want, sizeof(want), "%s:3:", e.src);
    cr_expect(strstr(r->err, want) && strstr(r->err, "error"), "%s", r->err);
    snprintf(want, sizeof(want), "kumo: cannot compile %s\n", e.src);
    size_t n = strlen(r->err), k = strlen(want);
    cr_expect(n > k && strcmp(r->err + n - k, want) == 0, "%s", r->err);
    cr_expect_str_eq(r->out, "");

    /* a missing file, no compiler: one line each, nothing compiled */
    snprintf(args, sizeof(args), "runspider '%s/nope.c'", e.dir);
    run(e.prefix, args, r);
    cr_expect_eq(r->code, 1);
    snprintf(want, sizeof(want), "kumo: cannot read '%s/nope.c': No such file or directory\n",
             e.dir);
    cr_expect_str_eq(r->err, want);

    rs_cleanup(&e);
    rs_setup(&e, "fine");       /* a new directory, a good source */
    char prefix[256];
    snprintf(prefix, sizeof(prefix), "XDG_CACHE_HOME='%s/cache' CC=/no/such/cc", e.dir);
    snprintf(args, sizeof(args), "runspider '%s'", e.src);
    run(prefix, args, r);
    cr_expect_eq(r->code, 1);
    cr_expect_str_eq(r->err, "kumo: no C compiler: cannot run '/no/such/cc': No such file or "
                             "directory (set CC)\n");
    free(r);
    rs_cleanup(&e);
}

/* ------------------------------------------------------------------------ bench */

Test(cli_more, bench_logs_stats_and_prints_pages_per_minute)
{
    result *r = calloc(1, sizeof(*r));
    run(NULL, "bench -s CLOSESPIDER_TIMEOUT=2", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_geq(count(r->err, "[kumo.extensions.logstats] INFO: Crawled "), 2, "%s", r->err);
    cr_expect(strstr(r->err, "pages/min), scraped 0 items"), "%s", r->err);
    cr_expect(strstr(r->err, "Spider closed (closespider_timeout)"), "%s", r->err);
    cr_expect(strncmp(r->out, "kumo bench: ", 12) == 0 && strstr(r->out, " pages/min ") &&
              strstr(r->out, "(finish_reason: closespider_timeout)\n"), "%s", r->out);
    long pages = strtol(r->out + 12, NULL, 10);
    cr_expect_gt(pages, 10, "%s", r->out);

    /* a small site is crawled whole: the start page and every page, each once */
    run(NULL, "bench --pages 50 --links 3", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(strncmp(r->out, "kumo bench: 51 pages in ", 24) == 0 &&
              strstr(r->out, "(finish_reason: finished)\n"), "%s", r->out);
    free(r);
}
