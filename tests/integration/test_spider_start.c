/* test_spider_start.c - spiders that cannot start or cannot load, through the binary: a
 * failing .open or .start_requests exits 1, a bad definition is one line naming FILE.c. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/server.h"
#include "lib/leakcheck.h"
#include "lib/tmpdir.h"

typedef struct result {
    int code;
    char out[65536];
    char err[65536];
} result;

typedef struct env {
    char dir[64];
    char prefix[256];           /* XDG_CACHE_HOME for run(): the cache inside dir */
} env;

static env e;

static void setup(void)
{
    kumo_leakcheck_start();
    kumo_tmpdir_make(e.dir, sizeof(e.dir), "start");
    snprintf(e.prefix, sizeof(e.prefix), "XDG_CACHE_HOME='%s/cache'", e.dir);
}

static void teardown(void)
{
    kumo_tmpdir_remove(e.dir);
    kumo_leakcheck_end();
}

TestSuite(spider_start, .init = setup, .fini = teardown, .timeout = 120);

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    size_t k = fread(buf, 1, n - 1, f);
    buf[k] = '\0';
    fclose(f);
    unlink(path);
}

/* Write text as dir/name; the path goes to path. */
static void spit(const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", e.dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Run "env KUMO_CONF=/dev/null XDG_CACHE_HOME=... $KUMO_BIN args", filling r. */
static void run(const char *args, result *r)
{
    char abs[PATH_MAX], out[] = "/tmp/kumo-start-out-XXXXXX",
                        err[] = "/tmp/kumo-start-err-XXXXXX";
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    cr_assert(realpath(bin, abs), "no %s", bin);
    int fo = mkstemp(out), fe = mkstemp(err);
    cr_assert(fo >= 0 && fe >= 0);
    close(fo);
    close(fe);
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "env KUMO_CONF=/dev/null %s '%s' %s >%s 2>%s </dev/null",
             e.prefix, abs, args, out, err);
    int st = system(cmd);
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    slurp(out, r->out, sizeof(r->out));
    slurp(err, r->err, sizeof(r->err));
}

/* The last line of text (its '\n' included). */
static const char *last_line(const char *text)
{
    size_t n = strlen(text);
    if (n && text[n - 1] == '\n')
        n--;
    while (n && text[n - 1] != '\n')
        n--;
    return text + n;
}

/* ------------------------------------------------------------ a crawl that cannot start */

/* -a fail=open: .open fails; -a fail=start: .start_requests fails after one request. */
static const char failing_src[] =
    "#include <kumo/kumo.h>\n"
    "#include <string.h>\n"
    "\n"
    "static void parse(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    kumo_item *item = kumo_item_new();\n"
    "    kumo_item_set_str(item, \"url\", kumo_response_url(res));\n"
    "    kumo_yield_item(out, item);\n"
    "}\n"
    "\n"
    "static int on_open(kumo_spider *sp)\n"
    "{\n"
    "    return strcmp(kumo_spider_arg(sp, \"fail\", \"\"), \"open\") ? KUMO_OK : KUMO_EINVAL;\n"
    "}\n"
    "\n"
    "static int start(kumo_spider *sp, kumo_out *out)\n"
    "{\n"
    "    int rc = kumo_start_from_arg(sp, out, NULL, parse);\n"
    "    if (rc == KUMO_OK && !strcmp(kumo_spider_arg(sp, \"fail\", \"\"), \"start\"))\n"
    "        return KUMO_EIO;\n"
    "    return rc;\n"
    "}\n"
    "\n"
    "static void on_close(kumo_spider *sp, const char *reason)\n"
    "{\n"
    "    kumo_spider_log(sp, \"INFO\", \"close ran: %s\", reason);\n"
    "}\n"
    "\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"failing\",\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "    .start_requests = start,\n"
    "    .open = on_open,\n"
    "    .close = on_close,\n"
    "};\n";

Test(spider_start, failing_open_or_start_requests_exits_1)
{
    kumo_testserver *srv = kumo_testserver_start();
    cr_assert(srv);
    char src[128], url[128], args[1024], feed[128];
    spit("failing.c", failing_src, src, sizeof(src));
    snprintf(feed, sizeof(feed), "%s/items.jsonl", e.dir);
    kumo_testserver_url(srv, "/ok", url, sizeof(url));
    result *r = calloc(1, sizeof(*r));

    /* the same spider starts: exit 0, as before */
    snprintf(args, sizeof(args), "runspider '%s' -a url=%s -O '%s' -L INFO", src, url, feed);
    run(args, r);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(strstr(r->err, "INFO: Spider opened\n"), "%s", r->err);
    cr_expect(strstr(r->err, "close ran: finished\n"), "%s", r->err);

    /* .open fails: no "Spider opened", no start request, .close still runs, exit 1 */
    snprintf(args, sizeof(args), "runspider '%s' -a url=%s -a fail=open -L INFO", src, url);
    run(args, r);
    cr_expect_eq(r->code, 1, "%s", r->err);
    cr_expect(!strstr(r->err, "Spider opened"), "%s", r->err);
    cr_expect(strstr(r->err, "ERROR: Spider 'failing' failed to open: invalid argument\n"),
              "%s", r->err);
    cr_expect(!strstr(r->err, "downloader/request_count"), "%s", r->err);
    cr_expect(strstr(r->err, "close ran: open_failed\n"), "%s", r->err);
    cr_expect(strstr(r->err, "Spider closed (open_failed)\n"), "%s", r->err);
    cr_expect_str_eq(last_line(r->err),
                     "kumo: spider 'failing' could not start (open_failed): invalid argument\n");

    /* .start_requests fails: opened, nothing fetched, exit 1 */
    snprintf(args, sizeof(args), "runspider '%s' -a url=%s -a fail=start -L INFO", src, url);
    run(args, r);
    cr_expect_eq(r->code, 1, "%s", r->err);
    cr_expect(strstr(r->err, "INFO: Spider opened\n"), "%s", r->err);
    cr_expect(strstr(r->err, "ERROR: start_requests of 'failing' failed: input/output error\n"),
              "%s", r->err);
    cr_expect(!strstr(r->err, "downloader/request_count"), "%s", r->err);
    cr_expect(strstr(r->err, "Spider closed (start_requests_failed)\n"), "%s", r->err);
    cr_expect_str_eq(last_line(r->err), "kumo: spider 'failing' could not start "
                                        "(start_requests_failed): input/output error\n");

    /* without a log the one kumo: line still says it */
    snprintf(args, sizeof(args), "runspider '%s' -a fail=open --nolog", src);
    run(args, r);
    cr_expect_eq(r->code, 1, "%s", r->err);
    cr_expect_str_eq(r->err,
                     "kumo: spider 'failing' could not start (open_failed): invalid argument\n");
    cr_expect_str_eq(r->out, "");

    free(r);
    kumo_testserver_stop(srv);
}

/* -------------------------------------------------------- a definition that cannot load */

Test(spider_start, bad_definitions_name_the_source)
{
    static const struct {
        const char *file, *def, *want;
    } cases[] = {
        {"no_header.c", "KUMO_SPIDER = {.name = \"x\", .callbacks = KUMO_CALLBACKS(parse)};\n",
         "lacks KUMO_SPIDER_HEADER: make it the first line of KUMO_SPIDER = { ... }\n"},
        {"no_name.c", "KUMO_SPIDER = {KUMO_SPIDER_HEADER, .callbacks = KUMO_CALLBACKS(parse)};\n",
         "has no name: give it .name = \"NAME\"\n"},
        {"no_callbacks.c", "KUMO_SPIDER = {KUMO_SPIDER_HEADER, .name = \"x\"};\n"
         "void *keep = (void *)parse;\n",
         "has no callbacks: give it .callbacks = KUMO_CALLBACKS(parse, ...)\n"},
        {"no_spider.c", "void *keep = (void *)parse;\n",
         "is not a kumo spider: it defines no KUMO_SPIDER (symbol 'kumo_spider_export')\n"},
    };
    result *r = calloc(1, sizeof(*r));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char text[1024], src[128], args[512], want[512];
        snprintf(text, sizeof(text), "#include <kumo/kumo.h>\n\n"
                 "static void parse(kumo_response *res, kumo_out *out)\n{\n}\n\n%s",
                 cases[i].def);
        spit(cases[i].file, text, src, sizeof(src));
        snprintf(args, sizeof(args), "runspider '%s'", src);
        run(args, r);
        cr_expect_eq(r->code, 1, "%s: %s", cases[i].file, r->err);
        /* one line, naming the file the user wrote, never the cached object */
        cr_expect(strncmp(r->err, "kumo: ", 6) == 0 && strchr(r->err, '\n') ==
                  r->err + strlen(r->err) - 1, "%s", r->err);
        snprintf(want, sizeof(want), "'%s'", src);
        cr_expect(strstr(r->err, want), "%s: %s", cases[i].file, r->err);
        cr_expect(!strstr(r->err, ".so"), "%s: %s", cases[i].file, r->err);
        cr_expect(!strstr(r->err, "ABI") && !strstr(r->err, "rebuild"), "%s", r->err);
        size_t n = strlen(r->err), k = strlen(cases[i].want);
        cr_expect(n >= k && strcmp(r->err + n - k, cases[i].want) == 0, "%s: %s",
                  cases[i].file, r->err);
    }
    free(r);
}
