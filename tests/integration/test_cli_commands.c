/* test_cli_commands.c - `kumo genspider`, `kumo settings` and `kumo fetch` through the
 * binary: files written and compiled, effective settings, bodies and headers from the test
 * server, and the one-line errors with their exit codes. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/server.h"
#include "lib/tmpdir.h"

typedef struct result {
    int code;
    char out[65536];
    char err[16384];
} result;

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
    unlink(path);
}

/* The whole of path into buf, which is left in place. */
static void slurp_keep(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
}

/* The absolute path of $KUMO_BIN (commands may run in another directory). */
static const char *kumo_bin(void)
{
    static char abs[PATH_MAX];
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    cr_assert(realpath(bin, abs), "no %s", bin);
    return abs;
}

/* Run "cd dir && prefix $KUMO_BIN args" (dir NULL: here), filling r. */
static void run_in(const char *dir, const char *prefix, const char *args, result *r)
{
    char out[] = "/tmp/kumo-cmd-out-XXXXXX", err[] = "/tmp/kumo-cmd-err-XXXXXX";
    int fo = mkstemp(out), fe = mkstemp(err);
    cr_assert(fo >= 0 && fe >= 0);
    close(fo);
    close(fe);
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "cd '%s' && %s '%s' %s >%s 2>%s </dev/null", dir ? dir : ".",
             prefix ? prefix : "", kumo_bin(), args, out, err);
    int st = system(cmd);
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    slurp(out, r->out, sizeof(r->out));
    slurp(err, r->err, sizeof(r->err));
}

/* ------------------------------------------------------------------------ genspider */

Test(cli_commands, genspider_writes_a_spider_that_compiles, .timeout = 60)
{
    char dir[64];
    kumo_tmpdir_make(dir, sizeof(dir), "genspider");
    result *r = calloc(1, sizeof(*r));
    run_in(dir, NULL, "genspider my_site example.com", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_assert(strstr(r->out, "spiders/my_site.c"), "%s", r->out);

    char path[PATH_MAX], text[8192];
    snprintf(path, sizeof(path), "%s/spiders/my_site.c", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    cr_assert(strstr(text, ".name = \"my_site\""), "%s", text);
    cr_assert(strstr(text, "KUMO_LIST(\"https://example.com/\")"), "%s", text);
    cr_assert(strstr(text, ".allowed_domains = KUMO_LIST(\"example.com\")"), "%s", text);
    cr_assert(strstr(text, "\"title\"") && strstr(text, "kumo_follow("), "%s", text);

    /* it builds as is, warning-free, against the public headers */
    char inc[PATH_MAX], cmd[8192];
    cr_assert(realpath("include", inc));
    char *build = malloc(3 * PATH_MAX + 256);
    snprintf(build, 3 * PATH_MAX + 256, "cc -std=gnu11 -Wall -Wextra -Werror -shared -fPIC "
             "-I'%s' -o '%s/spiders/my_site.so' '%s' 2>&1", inc, dir, path);
    cr_assert_eq(system(build), 0, "%s does not compile", path);
    free(build);

    /* never overwritten */
    run_in(dir, NULL, "genspider my_site other.org", r);
    cr_expect_eq(r->code, 1);
    cr_expect_str_eq(r->err, "kumo: spiders/my_site.c already exists: not overwritten\n");
    f = fopen(path, "r");
    n = fread(cmd, 1, sizeof(cmd) - 1, f);
    cmd[n] = '\0';
    fclose(f);
    cr_expect_str_eq(cmd, text);

    /* a URL gives its host, and is the start url */
    run_in(dir, NULL, "genspider other https://www.example.org/path?q=1", r);
    cr_expect_eq(r->code, 0, "%s", r->err);
    snprintf(path, sizeof(path), "%s/spiders/other.c", dir);
    f = fopen(path, "r");
    cr_assert(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    cr_expect(strstr(text, "KUMO_LIST(\"www.example.org\")"), "%s", text);
    cr_expect(strstr(text, "KUMO_LIST(\"https://www.example.org/path?q=1\")"), "%s", text);

    kumo_tmpdir_remove(dir);
    free(r);
}

/* genspider for a local site (issue 10): the scheme given (http for a port), the host
 * without its port in allowed_domains, and the spider crawls the test server as written. */
Test(cli_commands, genspider_spider_crawls_a_local_site, .timeout = 120)
{
    kumo_testserver *srv = kumo_testserver_start();
    cr_assert(srv);
    char dir[64];
    kumo_tmpdir_make(dir, sizeof(dir), "genspider");
    result *r = calloc(1, sizeof(*r));
    char *text = calloc(1, 1 << 20);
    char args[1024], want[256], path[PATH_MAX];
    int port = kumo_testserver_port(srv);

    /* HOST:PORT: http, not https; allowed_domains without the port */
    snprintf(args, sizeof(args), "genspider local 127.0.0.1:%d", port);
    run_in(dir, NULL, args, r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    snprintf(path, sizeof(path), "%s/spiders/local.c", dir);
    slurp_keep(path, text, 1 << 20);
    snprintf(want, sizeof(want), "KUMO_LIST(\"http://127.0.0.1:%d/\")", port);
    cr_expect(strstr(text, want), "%s", text);
    cr_expect(strstr(text, ".allowed_domains = KUMO_LIST(\"127.0.0.1\")"), "%s", text);
    /* the comment says how to run it outside the source tree and inside it */
    cr_expect(strstr(text, "kumo runspider spiders/local.c"), "%s", text);
    cr_expect(strstr(text, "./kumo crawl local"), "%s", text);

    /* a url keeps its scheme, host and path; an IP address alone gets http */
    snprintf(args, sizeof(args), "genspider local_url HTTP://LocalHost:%d/page/2/#x", port);
    run_in(dir, NULL, args, r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    snprintf(path, sizeof(path), "%s/spiders/local_url.c", dir);
    slurp_keep(path, text, 1 << 20);
    snprintf(want, sizeof(want), "KUMO_LIST(\"http://LocalHost:%d/page/2/\")", port);
    cr_expect(strstr(text, want), "%s", text);
    cr_expect(strstr(text, ".allowed_domains = KUMO_LIST(\"localhost\")"), "%s", text);
    run_in(dir, NULL, "genspider by_ip 10.1.2.3", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    snprintf(path, sizeof(path), "%s/spiders/by_ip.c", dir);
    slurp_keep(path, text, 1 << 20);
    cr_expect(strstr(text, "KUMO_LIST(\"http://10.1.2.3/\")"), "%s", text);

    /* built by runspider and crawled as generated: one item per page, links followed */
    char prefix[256];
    snprintf(prefix, sizeof(prefix), "XDG_CACHE_HOME='%s/cache'", dir);
    run_in(dir, prefix, "runspider spiders/local.c -O items.jsonl -L INFO", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->err, "Spider closed (finished)"), "%s", r->err);
    snprintf(path, sizeof(path), "%s/items.jsonl", dir);
    slurp_keep(path, text, 1 << 20);
    char first[256], page2[256];
    snprintf(first, sizeof(first), "{\"url\": \"http://127.0.0.1:%d/\", \"title\": \"Quotes to "
             "Scrape\"}\n", port);
    snprintf(page2, sizeof(page2), "\"url\": \"http://127.0.0.1:%d/page/2/\"", port);
    cr_expect(strstr(text, first), "%s", text);
    cr_expect(strstr(text, page2), "%s", text);
    size_t items = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        items++;
    cr_expect_gt(items, 10, "%s", text);
    snprintf(want, sizeof(want), "\"url\": \"http://127.0.0.1:%d/", port);
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        cr_assert(strncmp(p, "{", 1) == 0 && strstr(p, want) == p + 1, "offsite item: %.200s",
                  p);

    kumo_tmpdir_remove(dir);
    free(text);
    free(r);
    kumo_testserver_stop(srv);
}

/* genspider -t crawl: a spider with rules, built by runspider and crawled against the test
 * server's shop: the "Items/" pages parsed and followed, the links no rule takes not. */
Test(cli_commands, genspider_crawl_template_crawls_with_rules, .timeout = 120)
{
    kumo_testserver *srv = kumo_testserver_start();
    cr_assert(srv);
    char dir[64];
    kumo_tmpdir_make(dir, sizeof(dir), "genspider");
    result *r = calloc(1, sizeof(*r));
    char *text = calloc(1, 1 << 20);
    char args[1024], want[256], path[PATH_MAX];
    int port = kumo_testserver_port(srv);
    snprintf(args, sizeof(args), "genspider -t crawl shop 127.0.0.1:%d/shop/", port);
    run_in(dir, NULL, args, r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->out, "Created spider 'shop' using template 'crawl' in:"), "%s", r->out);
    snprintf(path, sizeof(path), "%s/spiders/shop.c", dir);
    slurp_keep(path, text, 1 << 20);
    cr_expect(strstr(text, ".rules = KUMO_RULES("), "%s", text);
    for (const char *p = text; *p; p = strchr(p, '\n') + 1)
        cr_expect(strchr(p, '\n') - p <= 100, "a line over 100 columns: %.120s", p);

    char prefix[256];
    snprintf(prefix, sizeof(prefix), "XDG_CACHE_HOME='%s/cache'", dir);
    run_in(dir, prefix, "runspider spiders/shop.c -O items.jsonl -L INFO", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->err, "Spider closed (finished)"), "%s", r->err);
    snprintf(path, sizeof(path), "%s/items.jsonl", dir);
    slurp_keep(path, text, 1 << 20);
    size_t items = 0;
    for (const char *p = text; (p = strchr(p, '\n')); p++)
        items++;
    cr_expect_eq(items, 3, "%s", text);
    for (int i = 1; i <= 3; i++) {
        snprintf(want, sizeof(want), "{\"url\": \"http://127.0.0.1:%d/shop/Items/%d\", "
                 "\"title\": \"Items %d\"}\n", port, i, i);
        cr_expect(strstr(text, want), "%s lacks %s", text, want);
    }
    /* follow on: Items/2 and Items/3 are linked from the Items pages only; the links no
     * rule takes are not requested */
    cr_expect_eq(kumo_testserver_hits(srv, "/shop/Items/3"), 1);
    cr_expect_eq(kumo_testserver_hits(srv, "/shop/category/a"), 0);
    cr_expect_eq(kumo_testserver_hits(srv, "/shop/item/1"), 0);

    snprintf(args, sizeof(args), "genspider -t sitemapx x example.com");
    run_in(dir, NULL, args, r);
    cr_expect_eq(r->code, 2);
    cr_expect_str_eq(r->err,
                     "kumo: genspider has no template 'sitemapx' (basic, crawl, sitemap)\n");

    kumo_tmpdir_remove(dir);
    free(text);
    free(r);
    kumo_testserver_stop(srv);
}

Test(cli_commands, genspider_errors)
{
    static const struct {
        const char *args;
        int code;
        const char *err;
    } cases[] = {
        {"genspider", 2, "kumo: genspider needs NAME and DOMAIN (see 'kumo genspider -h')\n"},
        {"genspider x", 2, "kumo: genspider needs NAME and DOMAIN (see 'kumo genspider -h')\n"},
        {"genspider 9lives example.com", 2,
         "kumo: spider name '9lives' is not a C identifier (letters, digits, '_')\n"},
        {"genspider my-spider example.com", 2,
         "kumo: spider name 'my-spider' is not a C identifier (letters, digits, '_')\n"},
        {"genspider ok 'exa\"mple.com'", 2, "kumo: 'exa\"mple.com' is not a domain\n"},
        {"genspider ok example.com extra", 2,
         "kumo: genspider takes NAME and DOMAIN only (see 'kumo genspider -h')\n"},
        {"genspider --force ok example.com", 2,
         "kumo: unknown option '--force' (see 'kumo genspider -h')\n"},
    };
    char dir[64];
    kumo_tmpdir_make(dir, sizeof(dir), "genspider");
    result *r = calloc(1, sizeof(*r));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        run_in(dir, NULL, cases[i].args, r);
        cr_expect_eq(r->code, cases[i].code, "kumo %s: exit %d\n%s", cases[i].args, r->code,
                     r->err);
        cr_expect_str_eq(r->err, cases[i].err, "kumo %s", cases[i].args);
    }
    run_in(dir, NULL, "genspider -h", r);
    cr_expect_eq(r->code, 0);
    cr_expect(strstr(r->out, "usage: kumo genspider [-t TEMPLATE] NAME DOMAIN"), "%s", r->out);
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/spiders/ok.c", dir);
    cr_expect_neq(access(path, F_OK), 0, "a refused genspider wrote a file");
    kumo_tmpdir_remove(dir);
    free(r);
}

/* ------------------------------------------------------------------------ settings */

Test(cli_commands, settings_get_effective_values)
{
    char conf[] = "/tmp/kumo-conf-XXXXXX";
    int fd = mkstemp(conf);
    cr_assert(fd >= 0);
    const char text[] = "# test\nRETRY_TIMES = 7\nDOWNLOAD_DELAY = 0.5\n";
    cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
    close(fd);
    char env[256];
    snprintf(env, sizeof(env), "KUMO_CONF=%s", conf);
    static const struct {
        const char *args;
        int code;
        const char *out, *err;
    } cases[] = {
        {"settings --get RETRY_TIMES", 0, "7\n", ""},
        {"settings --get DOWNLOAD_DELAY", 0, "0.5\n", ""},
        {"settings --get RETRY_TIMES -s RETRY_TIMES=9", 0, "9\n", ""},
        {"settings -s RETRY_TIMES=9 --get RETRY_TIMES", 0, "9\n", ""},
        {"settings --get BOT_NAME", 0, "kumo\n", ""},
        {"settings --get NO_SUCH_SETTING", 0, "None\n", ""},
        {"settings --get MY_OWN -s MY_OWN=hello", 0, "hello\n", ""},
        {"settings --getint RETRY_TIMES", 0, "7\n", ""},
        {"settings --getbool RETRY_ENABLED -s RETRY_ENABLED=0", 0, "False\n", ""},
        {"settings --getbool RETRY_ENABLED -s RETRY_ENABLED=1", 0, "True\n", ""},
        {"settings", 2, "", "kumo: settings needs --get NAME or --list (see 'kumo settings "
                            "-h')\n"},
        {"settings --get", 2, "", "kumo: option --get needs a value\n"},
        {"settings --get A --list", 2, "",
         "kumo: give one of --get, --getbool, --getint, --list, --conf\n"},
        {"settings --get RETRY_TIMES -s NOEQUALS", 2, "",
         "kumo: -s expects NAME=VALUE, got 'NOEQUALS'\n"},
        {"settings --get RETRY_TIMES -s RETRY_TIMES=x", 2, "",
         "kumo: invalid value 'x' for RETRY_TIMES: expected an integer\n"},
        {"settings --bogus", 2, "", "kumo: unknown option '--bogus' (see 'kumo settings -h')\n"},
    };
    result *r = calloc(1, sizeof(*r));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        run_in(NULL, env, cases[i].args, r);
        cr_expect_eq(r->code, cases[i].code, "kumo %s: exit %d\n%s", cases[i].args, r->code,
                     r->err);
        cr_expect_str_eq(r->out, cases[i].out, "kumo %s", cases[i].args);
        cr_expect_str_eq(r->err, cases[i].err, "kumo %s", cases[i].args);
    }
    run_in(NULL, env, "settings --list -s ZZ_MINE=1", r);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->out, "RETRY_TIMES = 7\n") && strstr(r->out, "BOT_NAME = kumo\n") &&
              strstr(r->out, "ZZ_MINE = 1\n"), "%s", r->out);
    run_in(NULL, env, "settings -h", r);
    cr_expect_eq(r->code, 0);
    cr_expect(strstr(r->out, "usage: kumo settings"), "%s", r->out);
    unlink(conf);
    free(r);
}

/* ------------------------------------------------------------------------ fetch */

static kumo_testserver *srv;

static void start(void)
{
    srv = kumo_testserver_start();
    cr_assert(srv, "the test server did not start");
}

static void stop(void)
{
    kumo_testserver_stop(srv);
    srv = NULL;
}

/* Run "kumo fetch URLpath extra" against the test server. */
static void fetch(const char *path, const char *extra, result *r)
{
    char url[256], args[1024];
    kumo_testserver_url(srv, path, url, sizeof(url));
    snprintf(args, sizeof(args), "fetch '%s' %s", url, extra);
    run_in(NULL, "KUMO_CONF=/dev/null", args, r);
}

Test(cli_commands, fetch_prints_the_body, .init = start, .fini = stop, .timeout = 60)
{
    result *r = calloc(1, sizeof(*r));
    fetch("/ok", "", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    size_t n = strlen(r->out);
    cr_expect(strstr(r->out, "<html") && n > 1 && r->out[n - 1] == '\n', "%s", r->out);
    cr_expect_str_eq(r->err, "");

    /* a redirect is followed; a 404's body is printed all the same */
    result *ok = calloc(1, sizeof(*ok));
    memcpy(ok->out, r->out, n + 1);
    fetch("/redirect/302?to=/ok", "", r);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect_str_eq(r->out, ok->out);
    fetch("/status/404", "", r);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect(strlen(r->out) > 1, "%s", r->out);

    /* the middlewares run: the User-Agent setting reaches the server */
    fetch("/headers", "-s USER_AGENT=kumo-fetch-test/1.0", r);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->out, "kumo-fetch-test/1.0"), "%s", r->out);
    free(ok);
    free(r);
}

Test(cli_commands, fetch_headers_in_scrapy_format, .init = start, .fini = stop, .timeout = 60)
{
    result *r = calloc(1, sizeof(*r));
    fetch("/text", "--headers -s USER_AGENT=ua-test", r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    /* "> request headers", a ">" line, "< response headers" */
    const char *sep = strstr(r->out, "\n>\n");
    cr_assert(sep && strncmp(r->out, "> ", 2) == 0, "%s", r->out);
    cr_expect(strstr(r->out, "> User-Agent: ua-test\n") < sep, "%s", r->out);
    cr_expect(strncmp(sep + 3, "< ", 2) == 0, "%s", r->out);
    cr_expect(strcasestr(sep, "< Content-Type: text/plain"), "%s", r->out);
    for (const char *p = sep + 3; *p; p = strchr(p, '\n') + 1)
        cr_expect(strncmp(p, "< ", 2) == 0 && strchr(p, '\n'), "%s", r->out);

    /* --no-redirect prints the 3xx itself */
    fetch("/redirect/302?to=/ok", "--headers --no-redirect", r);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->out, "< Location: /ok\n"), "%s", r->out);
    free(r);
}

Test(cli_commands, fetch_errors, .timeout = 60)
{
    static const struct {
        const char *args;
        int code;
        const char *err;
    } cases[] = {
        {"fetch", 2, "kumo: fetch needs a URL (see 'kumo fetch -h')\n"},
        {"fetch http://127.0.0.1:1/ http://127.0.0.1:1/x", 2,
         "kumo: fetch takes one URL (see 'kumo fetch -h')\n"},
        {"fetch http://127.0.0.1:1/ --frob", 2,
         "kumo: unknown option '--frob' (see 'kumo fetch -h')\n"},
        {"fetch http://127.0.0.1:1/ -s", 2, "kumo: option -s needs a value\n"},
        {"fetch http://127.0.0.1:1/ -s RETRY_TIMES=x", 2,
         "kumo: invalid value 'x' for RETRY_TIMES: expected an integer\n"},
        {"fetch 'ht tp://x'", 2, "kumo: cannot fetch 'ht tp://x': "},
        {"fetch file:///etc/hostname", 2, "kumo: cannot fetch 'file:///etc/hostname': "},
        {"fetch http://127.0.0.1:1/ --nolog -s RETRY_ENABLED=0", 1,
         "kumo: cannot fetch 'http://127.0.0.1:1/': no response\n"},
    };
    result *r = calloc(1, sizeof(*r));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        run_in(NULL, "KUMO_CONF=/dev/null", cases[i].args, r);
        cr_expect_eq(r->code, cases[i].code, "kumo %s: exit %d\n%s", cases[i].args, r->code,
                     r->err);
        cr_expect(strncmp(r->err, cases[i].err, strlen(cases[i].err)) == 0 &&
                  strchr(r->err, '\n') == r->err + strlen(r->err) - 1,
                  "kumo %s printed:\n%s", cases[i].args, r->err);
        cr_expect_str_eq(r->out, "", "kumo %s", cases[i].args);
    }
    run_in(NULL, NULL, "fetch --help", r);
    cr_expect_eq(r->code, 0);
    cr_expect(strstr(r->out, "usage: kumo fetch URL"), "%s", r->out);
    free(r);
}
