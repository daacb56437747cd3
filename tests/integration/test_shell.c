/* test_shell.c - `kumo shell` through the binary against the test server: -c on a page, a
 * 404, redirects, a local file, error expressions, bad urls, and fetch() in a script read
 * from a pipe. */
#include <criterion/criterion.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/server.h"

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

TestSuite(shell, .init = start, .fini = stop, .timeout = 60);

typedef struct result {
    int code;
    char out[65536];
    char err[65536];
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

/* Copy s with every "URL" replaced by the test server's address into dst[0..n). */
static void expand(char *dst, size_t n, const char *s)
{
    char base[64];
    kumo_testserver_url(srv, "", base, sizeof(base));
    size_t k = 0;
    while (*s && k + sizeof(base) + 1 < n) {
        if (strncmp(s, "URL", 3) == 0) {
            k += (size_t)snprintf(dst + k, n - k, "%s", base);
            s += 3;
        } else {
            dst[k++] = *s++;
        }
    }
    dst[k] = '\0';
}

/* Run "$KUMO_BIN shell args" with input on stdin (NULL: /dev/null); URL in args is replaced
 * by the test server's address.  Fills r. */
static void shell(result *r, const char *args, const char *input)
{
    const char *bin = getenv("KUMO_BIN");
    cr_assert(bin, "make test sets KUMO_BIN");
    char expanded[4096], in[] = "/tmp/kumo-shell-in-XXXXXX",
         out[] = "/tmp/kumo-shell-out-XXXXXX", err[] = "/tmp/kumo-shell-err-XXXXXX";
    expand(expanded, sizeof(expanded), args);
    int fds[3] = {mkstemp(in), mkstemp(out), mkstemp(err)};
    cr_assert(fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0);
    if (input)
        cr_assert_eq(write(fds[0], input, strlen(input)), (ssize_t)strlen(input));
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "%s shell %s <%s >%s 2>%s", bin, expanded, in, out, err);
    int st = system(cmd);
    r->code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    unlink(in);
    slurp(out, r->out, sizeof(r->out));
    slurp(err, r->err, sizeof(r->err));
}

/* -c EXPR: stdout is exactly want (the repr and a newline), stderr is empty, exit 0. */
static void expect_value(const char *args, const char *want)
{
    result *r = malloc(sizeof(*r));
    shell(r, args, NULL);
    char full[4096];
    expand(full, sizeof(full) - 1, want);   /* URL in want: the server's address too */
    if (*full)
        strcat(full, "\n");
    cr_expect_eq(r->code, 0, "kumo shell %s: exit %d\n%s", args, r->code, r->err);
    cr_expect_str_eq(r->out, full, "kumo shell %s", args);
    cr_expect_str_eq(r->err, "", "kumo shell %s: stderr", args);
    free(r);
}

Test(shell, c_prints_the_repr_of_a_selector_result)
{
    expect_value("URL/ -c \"response.css('title::text').get()\"", "'Quotes to Scrape'");
    expect_value("URL/ -c \"len(response.css('div.quote'))\"", "10");
    expect_value("URL/ -c \"response.xpath('//li[@class=\\\"next\\\"]/a/@href').get()\"",
                 "'/page/2/'");
    expect_value("URL/ -c \"(response.status, response.url, request.url, type(response))\"",
                 "(200, 'URL/', 'URL/', <class 'scrapy.http.response.html.HtmlResponse'>)");
    expect_value("URL/ -c None", "None");                      /* None is printed too */
    expect_value("URL/ -c \"x = 1\"", "");                      /* a statement: nothing */
}

Test(shell, names_bound_and_settings)
{
    expect_value("URL/ok -c \"spider.name\"", "'default'");
    expect_value("URL/ok -c \"settings['LOG_LEVEL']\"", "'WARNING'");
    expect_value("URL/ok -c \"crawler.spider.name\"", "'default'");
    expect_value("URL/ok -c fetch.__name__", "'fetch'");
    /* the request went through the downloader middlewares, -s reaching them */
    expect_value("URL/headers -s USER_AGENT=kumo-shell-test -c "
                 "\"'User-Agent: kumo-shell-test' in response.text\"", "True");
    /* the crawl's log is quiet by default; -s LOG_LEVEL brings it back */
    result *r = malloc(sizeof(*r));
    shell(r, "URL/ok -s LOG_LEVEL=DEBUG -c response.status", NULL);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect_str_eq(r->out, "200\n");
    cr_expect(strstr(r->err, "DEBUG: Crawled (200) <GET "), "%s", r->err);
    free(r);
}

Test(shell, not_found_is_a_response)
{
    expect_value("URL/nope -c \"(response.status, response.url)\"", "(404, 'URL/nope')");
    /* a 500 comes back after the retries (whose giving up is logged, as a WARNING+ line) */
    result *r = malloc(sizeof(*r));
    shell(r, "URL/status/500 -c response.status", NULL);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect_str_eq(r->out, "500\n");
    cr_expect(strstr(r->err, "Gave up retrying"), "%s", r->err);
    free(r);
}

Test(shell, redirects_are_followed)
{
    expect_value("URL/redirect/302?to=/ok -c \"(response.status, response.url, request.url)\"",
                 "(200, 'URL/ok', 'URL/redirect/302?to=/ok')");
    expect_value("URL/redirect/chain/3 -c \"(response.url, response.meta['redirect_times'])\"",
                 "('URL/ok', 3)");
    expect_value("URL/redirect/301?to=/ok --no-redirect -c \"response.status\"", "301");
}

/* Scrapy's shell: response.url has no #fragment (urldefrag), the request keeps it. */
Test(shell, response_url_has_no_fragment)
{
    expect_value("'URL/ok#module-json' -c "
                 "\"(response.url, response.urljoin(''), response.request.url)\"",
                 "('URL/ok', 'URL/ok', 'URL/ok#module-json')");
    expect_value("'URL/redirect/302?to=/ok%23top' -c \"(response.url, response.request.url)\"",
                 "('URL/ok', 'URL/ok#top')");
}

Test(shell, local_files)
{
    /* an existing relative path (make test runs in the tree), an absolute one, a file url */
    char cwd[PATH_MAX], want[PATH_MAX + 256], args[PATH_MAX + 256];
    cr_assert(getcwd(cwd, sizeof(cwd)));
    snprintf(want, sizeof(want), "('file://%s/tests/data/shell/page.html', "
             "<class 'scrapy.http.response.html.HtmlResponse'>, 200, 'Caf\xc3\xa9 menu')", cwd);
    expect_value("tests/data/shell/page.html -c "
                 "\"(response.url, type(response), response.status, "
                 "response.css('h1::text').get())\"", want);
    expect_value("./tests/data/shell/page.html -c \"response.css('.price::text').getall()\"",
                 "['2.50', '3.00', '4.75']");
    snprintf(args, sizeof(args), "%s/tests/data/shell/page.html -c "
             "\"(response.urljoin('coffee.html'), request.url == response.url)\"", cwd);
    snprintf(want, sizeof(want), "('file://%s/tests/data/shell/coffee.html', True)", cwd);
    expect_value(args, want);
    snprintf(args, sizeof(args), "file://%s/tests/data/shell/page.html -c "
             "\"response.xpath('//li[contains(@class, \\\"special\\\")]/a/text()').get()\"",
             cwd);
    expect_value(args, "'Cake'");

    /* no extension: sniffed as Scrapy does, a space quoted in the url */
    char path[] = "/tmp/kumo shell-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char body[] = "<html><p>plain</p></html>";
    cr_assert_eq(write(fd, body, sizeof(body) - 1), (ssize_t)sizeof(body) - 1);
    close(fd);
    snprintf(args, sizeof(args), "'%s' -c \"(type(response).__name__, "
             "response.css('p::text').get(), ' ' in response.url)\"", path);
    expect_value(args, "('HtmlResponse', 'plain', False)");
    unlink(path);

    result *r = malloc(sizeof(*r));
    shell(r, "./no/such/page.html -c 1", NULL);
    cr_expect_eq(r->code, 1);
    cr_expect_str_eq(r->out, "");
    cr_expect_str_eq(r->err, "kumo: cannot open './no/such/page.html': No such file or "
                             "directory\n");
    free(r);
}

Test(shell, errors_exit_1_with_one_line)
{
    static const struct {
        const char *args;
        int code;
        const char *err;            /* stderr, exactly (NULL: only its last line checked) */
        const char *last;           /* the end of stderr, or NULL */
        const char *lastpfx;        /* the start of stderr's last line, or NULL */
    } cases[] = {
        {"URL/ -c \"response.css('title::text').gett()\"", 1,
         "AttributeError: 'SelectorList' object has no attribute 'gett'\n", NULL, NULL},
        {"URL/ -c \"1/0\"", 1, "ZeroDivisionError: division by zero\n", NULL, NULL},
        {"URL/ -c \"nope\"", 1, "NameError: name 'nope' is not defined\n", NULL, NULL},
        {"URL/ -c \"response.css('a[')\"", 1, NULL, NULL, "ValueError: "},
        {"URL/ -c \"(\"", 1, NULL, NULL, NULL},
        {"'http://[::1' -c 1", 1, "kumo: invalid url 'http://[::1': bad url\n", NULL, NULL},
        {"http://127.0.0.1:1/ -c 1", 1, NULL,
         "kumo: cannot fetch 'http://127.0.0.1:1/': Connection was refused by other side: "
         "111: Connection refused.\n", NULL},
        {"URL/redirect/loop -c 1", 1, NULL,
         "kumo: no response for 'URL/redirect/loop': the request was dropped (-s "
         "LOG_LEVEL=DEBUG tells why)\n", NULL},
        {"URL/ -c", 2, "kumo: option -c needs a value\n", NULL, NULL},
        {"URL/ URL/ok", 2, NULL, NULL, NULL},
        {"URL/ --frob", 2, "kumo: unknown option '--frob' (see 'kumo shell -h')\n", NULL, NULL},
        {"URL/ -s NOEQ -c 1", 2, "kumo: -s expects NAME=VALUE, got 'NOEQ'\n", NULL, NULL},
        {"URL/ -s LOG_LEVEL=LOUD -c 1", 1, NULL, NULL, NULL},
    };
    result *r = malloc(sizeof(*r));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        shell(r, cases[i].args, NULL);
        cr_expect_eq(r->code, cases[i].code, "kumo shell %s: exit %d\n%s", cases[i].args,
                     r->code, r->err);
        cr_expect_str_eq(r->out, "", "kumo shell %s: stdout", cases[i].args);
        size_t n = strlen(r->err);
        cr_expect(n > 0 && r->err[n - 1] == '\n', "kumo shell %s: %s", cases[i].args, r->err);
        if (cases[i].err)
            cr_expect_str_eq(r->err, cases[i].err, "kumo shell %s", cases[i].args);
        if (cases[i].last) {
            char want[512];
            expand(want, sizeof(want), cases[i].last);
            cr_expect(n >= strlen(want) && strcmp(r->err + n - strlen(want), want) == 0,
                      "kumo shell %s: stderr ends with\n%s\ngot\n%s", cases[i].args, want,
                      r->err);
        } else if (cases[i].lastpfx) {
            const char *line = r->err;
            for (const char *p = r->err; n && p < r->err + n - 1; p++)
                if (*p == '\n')
                    line = p + 1;
            cr_expect(strncmp(line, cases[i].lastpfx, strlen(cases[i].lastpfx)) == 0,
                      "kumo shell %s: %s", cases[i].args, r->err);
        } else if (!cases[i].err) {
            /* one line */
            cr_expect_eq(strchr(r->err, '\n'), r->err + n - 1, "kumo shell %s: %s",
                         cases[i].args, r->err);
        }
    }
    free(r);
}

/* Not a terminal: one statement a line from stdin, no prompt; errors go to stderr and the
 * session goes on; fetch() rebinds response and request. */
Test(shell, script_on_stdin_with_fetch)
{
    char script[4096], base[64];
    kumo_testserver_url(srv, "", base, sizeof(base));
    snprintf(script, sizeof(script),
             "response.status\n"
             "fetch('%s/ok')\n"
             "response.url\n"
             "request\n"
             "1/0\n"
             "fetch('%s/nope')\n"
             "(response.status, response.css('title::text').get() is None)\n"
             "fetch(response.urljoin('/redirect/302?to=/page/2/'))\n"
             "(response.url, request.url)\n"
             "fetch('http://127.0.0.1:1/')\n"
             "response.url\n"
             "fetch('tests/data/shell/page.html')\n"
             "response.css('h1::text').get()\n"
             "fetch('%s/ok', redirect=False)\n"
             "fetch(request)\n"
             "fetch(42)\n"
             "len(response.body) > 0\n"
             "fetch('tests/data/shell/page.html')\n"
             "fetch(request)\n"
             "(response.url.startswith('file:///'), response.status)\n"
             "exit()\n"
             "'not reached'\n",
             base, base, base);
    result *r = malloc(sizeof(*r));
    shell(r, "URL/", script);
    cr_expect_eq(r->code, 0, "%s", r->err);
    char want[4096];
    snprintf(want, sizeof(want),
             "200\n"
             "'%s/ok'\n"
             "<GET %s/ok>\n"
             "(404, False)\n"
             "('%s/page/2/', '%s/redirect/302?to=/page/2/')\n"
             "'%s/page/2/'\n"
             "'Caf\xc3\xa9 menu'\n"
             "True\n"
             "(True, 200)\n",
             base, base, base, base, base);
    cr_expect_str_eq(r->out, want);
    cr_expect(strstr(r->err, "ZeroDivisionError: division by zero\n"), "%s", r->err);
    cr_expect(strstr(r->err, "twisted.internet.error.ConnectionRefusedError: Connection was "
                             "refused by other side: 111: Connection refused.\n"), "%s", r->err);
    cr_expect(strstr(r->err, "TypeError: fetch() takes a url (str) or a Request, not 'int'\n"),
              "%s", r->err);
    cr_expect_eq(kumo_testserver_hits(srv, "/ok"), 3);
    free(r);

    /* end of input without exit(), and an empty script */
    r = malloc(sizeof(*r));
    shell(r, "URL/ok", "response.status");
    cr_expect_eq(r->code, 0);
    cr_expect_str_eq(r->out, "200\n");
    shell(r, "URL/ok", "");
    cr_expect_eq(r->code, 0);
    cr_expect_str_eq(r->out, "");
    cr_expect_str_eq(r->err, "");
    free(r);
}

Test(shell, help)
{
    result *r = malloc(sizeof(*r));
    shell(r, "-h", NULL);
    cr_expect_eq(r->code, 0);
    cr_expect(strstr(r->out, "usage: kumo shell [URL|FILE] [options]"), "%s", r->out);
    free(r);
    const char *bin = getenv("KUMO_BIN");
    char cmd[1024], out[8192];
    snprintf(cmd, sizeof(cmd), "%s --help", bin);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0);
    cr_expect(strstr(out, "  shell "), "%s", out);
}

/* Scrapy's LinkExtractor, spelled as in Scrapy, on a page of the test server's shop. */
Test(shell, link_extractor)
{
    expect_value("URL/shop/category/a -c \"LinkExtractor(allow=r'item/', deny='/2')"
                 ".extract_links(response)\"",
                 "[Link(url='URL/shop/item/1', text='Item one', fragment='', nofollow=False)]");
    expect_value("URL/shop/category/b -c \"[(l.url, l.nofollow) for l in "
                 "LinkExtractor(restrict_xpaths='//a[@rel]').extract_links(response)]\"",
                 "[('URL/shop/item/4', True)]");
    expect_value("URL/shop/category/b -c \"len(LinkExtractor(deny_extensions=[])"
                 ".extract_links(response)), len(LinkExtractor().extract_links(response))\"",
                 "(3, 2)");
}
