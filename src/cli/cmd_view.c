/* cmd_view.c - `kumo view URL`: fetch a page as kumo sees it, save it with a <base> tag to a
 * temporary file and open it in a browser (xdg-open), or print the path without a display:
 * Scrapy's view command and open_in_browser(). */
#include "cli/cli.h"
#include "cli/fetchone.h"
#include "core/settings.h"
#include "http/request.h"
#include "http/response.h"
#include "util/buf.h"
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char kumo_view_usage[] =
    "usage: kumo view URL [options]\n"
    "\n"
    "Fetch URL through the downloader and its middlewares, as a spider would get it, save\n"
    "the body to a temporary file (an HTML page gets <base href=\"URL\"> after its <head>, so\n"
    "its links and images resolve against the site; text is saved as .txt) and open it with\n"
    "xdg-open.  Without a display ($DISPLAY and $WAYLAND_DISPLAY unset) or without xdg-open,\n"
    "the file's path is printed instead.  The file is left for the browser: it is in $TMPDIR\n"
    "(else /tmp), named kumo-view-XXXXXX.html.\n"
    "\n"
    "options:\n"
    "  --no-redirect         do not follow redirects: show the 3xx response as is\n"
    KUMO_CLI_SET_HELP
    KUMO_CLI_LOG_HELP
    "                        (the default LOG_LEVEL is WARNING)\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 saved (and opened), 1 no response, a body that is not text, or a file\n"
    "that cannot be written, 2 bad command line or URL.\n";

enum { OPT_NO_REDIRECT = 1 };

static const kumo_cli_opt view_opts[] = {
    {"--no-redirect", NULL, false, OPT_NO_REDIRECT},
    {NULL, NULL, false, 0},
};

static int on_opt(void *ctx, int id, const char *value)
{
    (void)id, (void)value;
    *(bool *)ctx = true;
    return KUMO_EXIT_OK;
}

/* The end of a "<head>" or "<head ...>" tag starting at p (case-insensitive), or NULL. */
static const char *head_tag_end(const char *p, const char *end)
{
    if (end - p < 6 || strncasecmp(p, "<head", 5) != 0)
        return NULL;
    const char *q = p + 5;
    if (*q == '>')
        return q + 1;
    if (*q != ' ' && *q != '\t' && *q != '\n' && *q != '\r' && *q != '\f')
        return NULL;
    const char *gt = memchr(q, '>', (size_t)(end - q));
    return gt ? gt + 1 : NULL;
}

/*
 * Scrapy's open_in_browser(): when the page has no "<base", drop its comments and put
 * <base href="URL"> after each <head> tag.  Writes the result into out.
 */
static void add_base(const char *body, size_t len, const char *url, kumo_buf *out)
{
    const char *end = body + len;
    if (memmem(body, len, "<base", 5)) {
        kumo__buf_add(out, body, len);
        return;
    }
    for (const char *p = body; p < end;) {
        if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
            const char *close = memmem(p + 4, (size_t)(end - p - 4), "-->", 3);
            if (close) {
                p = close + 3;
                continue;
            }
        }
        const char *tag = head_tag_end(p, end);
        if (tag) {
            kumo__buf_add(out, p, (size_t)(tag - p));
            kumo__buf_printf(out, "<base href=\"%s\">", url);
            p = tag;
            continue;
        }
        kumo__buf_addc(out, *p++);
    }
}

/* True when a browser can be shown: a display and an xdg-open in PATH. */
static bool can_open(void)
{
    const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
    if (!(d && *d) && !(w && *w))
        return false;
    const char *path = getenv("PATH");
    char buf[PATH_MAX];
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof(buf), "%.*s/xdg-open", (int)n, path);
        if (access(buf, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

/* Open path with xdg-open (not waited for beyond its own start); false when it failed. */
static bool open_file(const char *path)
{
    char uri[PATH_MAX + 16];
    snprintf(uri, sizeof(uri), "file://%s", path);
    char *argv[] = {"xdg-open", uri, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
        return false;
    int st;
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Write body to a new temporary file with extension ext; its path into path. */
static int save(const char *body, size_t len, const char *ext, char *path, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(path, n, "%s/kumo-view-XXXXXX%s", tmp && *tmp ? tmp : "/tmp", ext);
    int fd = mkstemps(path, (int)strlen(ext));
    if (fd < 0) {
        kumo_cli_error("cannot create '%s': %s", path, strerror(errno));
        return KUMO_EXIT_FAIL;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, body + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            kumo_cli_error("cannot write '%s': %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return KUMO_EXIT_FAIL;
        }
        off += (size_t)w;
    }
    if (close(fd) != 0) {
        kumo_cli_error("cannot write '%s': %s", path, strerror(errno));
        unlink(path);
        return KUMO_EXIT_FAIL;
    }
    return KUMO_EXIT_OK;
}

int kumo_cmd_view(int argc, char **argv)
{
    kumo_settings *s = kumo__settings_new();
    bool no_redirect = false;
    char err[1024], path[PATH_MAX];
    kumo_buf url, page;
    kumo__buf_init(&url, 0, KUMO_T_STR, KUMO_V_URL);
    kumo__buf_init(&page, 0, KUMO_T_BYTES, KUMO_V_BODY);
    kumo_fetcher *f = NULL;
    kumo_response *got = NULL;
    kumo_cli_parser p = {
        .cmd = "view", .shared = KUMO_CLI_SET | KUMO_CLI_LOG, .opts = view_opts,
        .on_opt = on_opt, .ctx = &no_redirect, .settings = s, .max_pos = 1,
        .too_many = "view takes one URL", .missing = "view needs a URL (see 'kumo view -h')",
    };
    int rc = KUMO_EXIT_FAIL;
    if (!s || kumo_cli_load_conf(s) != KUMO_OK)
        goto out;
    rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        goto out;
    rc = KUMO_EXIT_FAIL;
    kumo_fetcher_url(p.pos[0], &url);
    int bad = KUMO_OK;
    kumo_request *req = kumo_request_new(kumo__buf_str(&url), kumo_fetcher_parse, &bad);
    if (!req) {
        kumo_cli_error("cannot fetch '%s': %s", p.pos[0], kumo_strerror(bad));
        rc = KUMO_EXIT_USAGE;
        goto out;
    }
    f = kumo_fetcher_new(s, err, sizeof(err));
    s = NULL;
    if (!f) {
        kumo_request_unref(req);
        kumo_cli_error("%s", err);
        goto out;
    }
    int fetched = kumo_fetcher_fetch_start(f, req, !no_redirect, &got);
    kumo_fetcher_close(f);
    if (fetched != KUMO_OK) {
        kumo_cli_error("cannot fetch '%s': no response", p.pos[0]);
        goto out;
    }
    const kumo_class *cls = kumo_response_class(got);
    size_t len = 0;
    const char *body = kumo_response_body(got, &len);
    const char *ext = ".html";
    if (kumo_class_is(cls, &KUMO_CLASS(HtmlResponse))) {
        add_base(body, len, kumo_response_url(got), &page);
        body = kumo__buf_str(&page);
        len = page.len;
    } else if (kumo_class_is(cls, &KUMO_CLASS(TextResponse))) {
        ext = ".txt";
    } else {
        kumo_cli_error("cannot view '%s': a %s is not text", kumo_response_url(got), cls->name);
        goto out;
    }
    if ((rc = save(body, len, ext, path, sizeof(path))) != KUMO_EXIT_OK)
        goto out;
    if (!can_open() || !open_file(path))
        printf("%s\n", path);
    rc = fflush(stdout) == 0 ? KUMO_EXIT_OK : KUMO_EXIT_FAIL;
out:
    kumo_response_unref(got);
    kumo_fetcher_free(f);
    kumo__settings_free(s);
    kumo__buf_release(&url);
    kumo__buf_release(&page);
    kumo__log_set_file(NULL);
    return rc;
}
