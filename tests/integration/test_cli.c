/* test_cli.c - the kumo binary: exit codes, one-line errors, and a real crawl of the demo
 * site with the quotes plugin whose feed is checked byte for byte against the site. */
#include <criterion/criterion.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/server.h"

/* Run "$KUMO_BIN args" with stderr captured into err; returns the exit code. */
static int run(const char *args, char *err, size_t errlen)
{
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "%s %s 2>&1 >/dev/null", bin, args);
    FILE *p = popen(cmd, "r");
    cr_assert(p);
    size_t n = fread(err, 1, errlen - 1, p);
    err[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli, exit_codes_and_one_line_errors)
{
    static const struct {
        const char *args;
        int code;
        const char *err;
    } cases[] = {
        {"", 2, "usage: kumo COMMAND"},
        {"bogus", 2, "kumo: unknown command 'bogus' (see 'kumo --help')\n"},
        {"crawl", 2, "kumo: crawl needs a spider name (see 'kumo list')\n"},
        {"crawl nope", 1, "kumo: spider not found: nope (try 'kumo list')\n"},
        {"crawl quotes -s RETRY_TIMES=x", 2,
         "kumo: invalid value 'x' for RETRY_TIMES: expected an integer\n"},
        {"crawl quotes -s NOEQUALS", 2, "kumo: -s expects NAME=VALUE, got 'NOEQUALS'\n"},
        {"crawl quotes -a", 2, "kumo: option -a needs a value\n"},
        {"crawl quotes --frobnicate", 2, "kumo: unknown option '--frobnicate' (see 'kumo crawl "
                                         "-h')\n"},
        {"crawl quotes -o /tmp/kumo-items.txt", 1, "cannot tell the feed format"},
        {"crawl /etc/passwd", 1, "kumo: cannot load spider '/etc/passwd'"},
        {"crawl quotes -s 'DOWNLOADER_MIDDLEWARES={\"Nope\": 1}'", 1,
         "kumo: unknown downloader middleware 'Nope' in DOWNLOADER_MIDDLEWARES\n"},
    };
    char err[4096];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        int code = run(cases[i].args, err, sizeof(err));
        cr_expect_eq(code, cases[i].code, "kumo %s: exit %d\n%s", cases[i].args, code, err);
        cr_expect(strstr(err, cases[i].err), "kumo %s printed:\n%s", cases[i].args, err);
    }
}

Test(cli, version_and_list)
{
    char out[4096];
    const char *bin = getenv("KUMO_BIN");
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s version", bin);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    cr_assert(strstr(out, "kumo " KUMO_VERSION) && strstr(out, "libcurl") &&
              strstr(out, "libevent") && strstr(out, "libxml2") && strstr(out, "sqlite3"), "%s",
              out);
    snprintf(cmd, sizeof(cmd), "%s list", bin);
    p = popen(cmd, "r");
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    cr_assert(strstr(out, "quotes") && strstr(out, "follow") && strstr(out, "bench"), "%s", out);
}

/* Append the JSON string of s (UTF-8 kept, as the feed writes it) to buf. */
static void json_str(char *buf, size_t n, const char *s)
{
    size_t k = strlen(buf);
    buf[k++] = '"';
    for (; *s && k + 4 < n; s++) {
        if (*s == '"' || *s == '\\')
            buf[k++] = '\\';
        buf[k++] = *s;
    }
    buf[k++] = '"';
    buf[k] = '\0';
}

/* The demo site crawled by the quotes plugin through the binary: every quote, exactly. */
Test(cli, quotes_demo_crawl_writes_exact_utf8, .timeout = 60)
{
    kumo_testserver *srv = kumo_testserver_start();
    cr_assert(srv);
    char url[128], args[512], err[65536];
    kumo_testserver_url(srv, "/", url, sizeof(url));
    char path[] = "/tmp/kumo-quotes-XXXXXX.jsonl";
    int fd = mkstemps(path, 6);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(args, sizeof(args), "crawl quotes -a url=%s -O %s -s LOG_LEVEL=INFO", url, path);
    cr_assert_eq(run(args, err, sizeof(err)), 0, "%s", err);
    cr_assert(strstr(err, "Spider closed (finished)"), "%s", err);
    FILE *f = fopen(path, "r");
    cr_assert(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    kumo_testserver_stop(srv);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, kumo_testsite_nquotes() + kumo_testsite_nauthors(), "%s", err);
    for (size_t i = 0; i < kumo_testsite_nquotes(); i++) {
        const kumo_testsite_quote *q = kumo_testsite_quote_at(i);
        char want[2048] = "{\"text\": ";
        char quoted[1024];
        snprintf(quoted, sizeof(quoted), "\xe2\x80\x9c%s\xe2\x80\x9d", q->text);  /* “...” */
        json_str(want, sizeof(want), quoted);
        strcat(want, ", \"author\": ");
        json_str(want, sizeof(want), q->author->name);
        cr_expect(strstr(text, want), "missing: %s", want);
    }
    for (size_t i = 0; i < kumo_testsite_nauthors(); i++) {
        char want[512] = "{\"name\": ";
        json_str(want, sizeof(want), kumo_testsite_author_at(i)->name);
        cr_expect(strstr(text, want), "missing: %s", want);
    }
}
