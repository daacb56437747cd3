/* cmd_fetch.c - `kumo fetch URL`: download one page through the downloader and its
 * middlewares, as a one-request crawl, and print its body (or, with --headers, the request
 * and response headers in `scrapy fetch --headers` format) to stdout. */
#include "cli/cli.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/request.h"
#include "http/response.h"

const char kumo_fetch_usage[] =
    "usage: kumo fetch URL [options]\n"
    "\n"
    "Fetch URL through the downloader and its middlewares (the settings file and -s apply)\n"
    "and print the response body, followed by a newline, to stdout.  Redirects are followed;\n"
    "any final status (404, 500...) is printed as is.  A URL without a scheme gets http://.\n"
    "\n"
    "options:\n"
    "  --headers             print the request headers ('> Name: value'), a '>' line, then\n"
    "                        the response headers ('< Name: value') instead of the body\n"
    "  --no-redirect         do not follow redirects: print the 3xx response as is\n"
    KUMO_CLI_SET_HELP
    KUMO_CLI_LOG_HELP
    "                        (the default LOG_LEVEL is WARNING)\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 printed, 1 no response (connection error, dropped request), 2 bad\n"
    "command line or URL.\n";

/* The process's one fetch: what the spider reads and fills. */
static struct {
    const char *url;            /* borrowed from argv */
    bool no_redirect;
    kumo_response *got;         /* one reference, or NULL */
} fetch;

static void fetch_parse(kumo_response *res, kumo_out *out)
{
    (void)out;
    if (!fetch.got)
        fetch.got = kumo_response_ref(res);
}

static int fetch_start(kumo_spider *sp, kumo_out *out)
{
    (void)sp;
    int err = KUMO_OK;
    kumo_request *req = kumo_request_new(fetch.url, fetch_parse, &err);
    if (!req)
        return err != KUMO_OK ? err : KUMO_EINVAL;
    kumo_request_set_dont_filter(req, 1);
    /* HTTPERROR_ALLOW_ALL (the spider's settings) lets 4xx/5xx through; handle_httpstatus_all
     * would also stop the Redirect middleware, so only --no-redirect sets it (as Scrapy). */
    if (fetch.no_redirect) {
        kumo_map *meta = kumo_request_meta(req);
        kumo_map_set(meta, "handle_httpstatus_all", kumo_val_bool(1));
        kumo_map_set(meta, "dont_redirect", kumo_val_bool(1));
    }
    kumo_yield_request(out, req);
    return KUMO_OK;
}

/* Scrapy's DefaultSpider; its settings sit at the spider's priority so that -s wins. */
static const kumo_spider_def fetch_spider = {
    KUMO_SPIDER_HEADER,
    .name = "default",
    .callbacks = KUMO_CALLBACKS(fetch_parse),
    .start_requests = fetch_start,
    .settings = KUMO_SETTINGS({"LOG_LEVEL", "WARNING"}, {"HTTPERROR_ALLOW_ALL", "1"},
                              {"TELNETCONSOLE_ENABLED", "0"}, {"LOGSTATS_INTERVAL", "0"}),
};

static void print_headers(const kumo_headers *h, const char *prefix)
{
    for (size_t i = 0; h && i < kumo_headers_count(h); i++) {
        const char *name, *value;
        kumo_headers_at(h, i, &name, &value);
        printf("%s %s: %s\n", prefix, name, value);
    }
}

enum { OPT_HEADERS = 1, OPT_NO_REDIRECT };

static const kumo_cli_opt fetch_opts[] = {
    {"--headers", NULL, false, OPT_HEADERS},
    {"--no-redirect", NULL, false, OPT_NO_REDIRECT},
    {NULL, NULL, false, 0},
};

static int on_opt(void *ctx, int id, const char *value)
{
    if (id == OPT_HEADERS)
        *(bool *)ctx = true;
    else
        fetch.no_redirect = true;
    return KUMO_EXIT_OK;
}

/* Read the command line into s and the fetch; a KUMO_EXIT_* code. */
static int parse_args(kumo_settings *s, int argc, char **argv, bool *headers)
{
    kumo_cli_parser p = {
        .cmd = "fetch",
        .shared = KUMO_CLI_SET | KUMO_CLI_LOG,
        .opts = fetch_opts,
        .on_opt = on_opt,
        .ctx = headers,
        .settings = s,
        .max_pos = 1,
        .too_many = "fetch takes one URL",
    };
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    if (p.npos == 0) {
        kumo_cli_error("fetch needs a URL (see 'kumo fetch -h')");
        return KUMO_EXIT_USAGE;
    }
    fetch.url = p.pos[0];
    return KUMO_EXIT_OK;
}

int kumo_cmd_fetch(int argc, char **argv)
{
    kumo_settings *s = kumo_settings_new();
    bool headers = false;
    char err[1024], *url = NULL;
    kumo_crawler *c = NULL;
    int rc = KUMO_EXIT_FAIL;
    fetch.url = NULL;
    fetch.no_redirect = false;
    fetch.got = NULL;
    if (!s || kumo_cli_load_conf(s) != KUMO_OK)
        goto out;
    rc = parse_args(s, argc, argv, &headers);
    if (rc != KUMO_EXIT_OK)
        goto out;
    rc = KUMO_EXIT_FAIL;
    const char *arg = fetch.url;
    if (!strstr(arg, "://")) {          /* as the shell does: a bare host gets http:// */
        size_t n = strlen(arg) + sizeof("http://");
        url = kumo_alloc(n, KUMO_T_STR, KUMO_V_TEXT);
        if (!url)
            goto out;
        snprintf(url, n, "http://%s", arg);
        fetch.url = url;
    }
    int bad = KUMO_OK;
    kumo_request *probe = kumo_request_new(fetch.url, fetch_parse, &bad);
    if (!probe) {       /* said here, in one line, rather than as a failed start_requests */
        kumo_cli_error("cannot fetch '%s': %s", arg, kumo_strerror(bad));
        rc = KUMO_EXIT_USAGE;
        goto out;
    }
    kumo_request_unref(probe);
    c = kumo_crawler_new(&fetch_spider, s, NULL, err, sizeof(err));
    s = NULL;       /* the crawler owns them now, even on failure */
    if (!c) {
        kumo_cli_error("%s", err);
        goto out;
    }
    kumo_crawler_run(c);
    if (!fetch.got) {
        kumo_cli_error("cannot fetch '%s': no response", arg);
        goto out;
    }
    if (headers) {
        kumo_request *req = fetch.got->request;
        print_headers(req ? kumo_request_headers(req) : NULL, ">");
        puts(">");
        print_headers(kumo_response_headers(fetch.got), "<");
    } else {
        size_t len = 0;
        const char *body = kumo_response_body(fetch.got, &len);
        fwrite(body, 1, len, stdout);
        fputc('\n', stdout);
    }
    rc = fflush(stdout) == 0 ? KUMO_EXIT_OK : KUMO_EXIT_FAIL;
out:
    kumo_response_unref(fetch.got);
    fetch.got = NULL;
    kumo_crawler_free(c);
    kumo_settings_free(s);
    kumo_free(url);
    kumo_log_set_file(NULL);
    return rc;
}
