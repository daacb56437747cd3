/* cmd_fetch.c - `kumo fetch URL`: download one page through the downloader and its
 * middlewares, as a one-request crawl, and print its body (or, with --headers, the request
 * and response headers in `scrapy fetch --headers` format) to stdout. */
#include "cli/cli.h"
#include "cli/fetchone.h"
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

typedef struct fetch_args {
    const char *url;            /* borrowed from argv */
    bool headers, no_redirect;
} fetch_args;

static int on_opt(void *ctx, int id, const char *value)
{
    fetch_args *a = ctx;
    if (id == OPT_HEADERS)
        a->headers = true;
    else
        a->no_redirect = true;
    return KUMO_EXIT_OK;
}

/* Read the command line into s and a; a KUMO_EXIT_* code. */
static int parse_args(kumo_settings *s, int argc, char **argv, fetch_args *a)
{
    kumo_cli_parser p = {
        .cmd = "fetch",
        .shared = KUMO_CLI_SET | KUMO_CLI_LOG,
        .opts = fetch_opts,
        .on_opt = on_opt,
        .ctx = a,
        .settings = s,
        .max_pos = 1,
        .too_many = "fetch takes one URL",
        .missing = "fetch needs a URL (see 'kumo fetch -h')",
    };
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    a->url = p.pos[0];
    return KUMO_EXIT_OK;
}

int kumo_cmd_fetch(int argc, char **argv)
{
    kumo_settings *s = kumo__settings_new();
    fetch_args a = {0};
    char err[1024];
    kumo_buf url;
    kumo__buf_init(&url, 0, KUMO_T_STR, KUMO_V_URL);
    kumo_fetcher *f = NULL;
    kumo_response *got = NULL;
    int rc = KUMO_EXIT_FAIL;
    if (!s || kumo_cli_load_conf(s) != KUMO_OK)
        goto out;
    rc = parse_args(s, argc, argv, &a);
    if (rc != KUMO_EXIT_OK)
        goto out;
    rc = KUMO_EXIT_FAIL;
    kumo_fetcher_url(a.url, &url);
    int bad = KUMO_OK;
    kumo_request *req = kumo_request_new(kumo__buf_str(&url), kumo_fetcher_parse, &bad);
    if (!req) {         /* said here, in one line, rather than as a failed crawl */
        kumo_cli_error("cannot fetch '%s': %s", a.url, kumo_strerror(bad));
        rc = KUMO_EXIT_USAGE;
        goto out;
    }
    f = kumo_fetcher_new(s, err, sizeof(err));
    s = NULL;       /* the fetcher owns them now, even on failure */
    if (!f) {
        kumo_request_unref(req);
        kumo_cli_error("%s", err);
        goto out;
    }
    int fetched = kumo_fetcher_fetch_start(f, req, !a.no_redirect, &got);
    kumo_fetcher_close(f);      /* the crawl ends before the page is printed */
    if (fetched != KUMO_OK) {
        kumo_cli_error("cannot fetch '%s': no response", a.url);
        goto out;
    }
    if (a.headers) {
        kumo_request *sent = got->request;
        print_headers(sent ? kumo_request_headers(sent) : NULL, ">");
        puts(">");
        print_headers(kumo_response_headers(got), "<");
    } else {
        size_t len = 0;
        const char *body = kumo_response_body(got, &len);
        fwrite(body, 1, len, stdout);
        fputc('\n', stdout);
    }
    rc = fflush(stdout) == 0 ? KUMO_EXIT_OK : KUMO_EXIT_FAIL;
out:
    kumo_response_unref(got);
    kumo_fetcher_free(f);
    kumo__settings_free(s);
    kumo__buf_release(&url);
    kumo__log_set_file(NULL);
    return rc;
}
