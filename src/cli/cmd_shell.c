/* cmd_shell.c - `kumo shell URL`: fetch a page through the crawl machinery (or read a local
 * file), bind response, request, spider, settings and fetch(), then run the console
 * language: on the terminal with line editing, line by line from a pipe, or once with -c. */
#include "cli/cli.h"
#include "cli/editline.h"
#include "cli/fetchone.h"
#include "console/complete.h"
#include "console/repl.h"
#include "console/view_crawl.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/request.h"
#include "http/response.h"
#include <ctype.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHELL_OUT_MAX ((size_t)4 << 20)  /* output of one console line */
#define SHELL_LINE_MAX ((size_t)64 << 10) /* bytes kept of one line read from a pipe */
#define SHELL_HISTORY 1000              /* lines the history file keeps */

const char kumo_shell_usage[] =
    "usage: kumo shell [URL|FILE] [options]\n"
    "\n"
    "Fetch URL through the downloader and its middlewares (redirects followed, 404s kept),\n"
    "or read a local FILE (a path with a '/', or a file that exists; also file:///path),\n"
    "then bind response, request, spider, settings, crawler and fetch(url) in the console\n"
    "language: response.css('title::text').get(), response.xpath('//a/@href').getall()...\n"
    "A URL without a scheme gets http://.\n"
    "\n"
    "options:\n"
    "  -c EXPR               evaluate EXPR, print its repr on one line and exit (1 on error)\n"
    "  --no-redirect         do not follow redirects for URL (fetch() still does)\n"
    KUMO_CLI_SET_HELP
    KUMO_CLI_LOG_HELP
    "                        (the default LOG_LEVEL is WARNING: the crawl's log stays quiet)\n"
    "  -h, --help            this text\n"
    "\n"
    "Without -c the console reads lines from the terminal (prompt '>>> ', libedit's line\n"
    "editing, Tab completes names and attributes, Ctrl-R searches the history, which is\n"
    "kept in $XDG_STATE_HOME/kumo/history, else ~/.kumo_history; Ctrl-C drops the line,\n"
    "Ctrl-D or exit() leaves) or, when stdin is not a terminal, from stdin.  Without\n"
    "libedit installed the terminal gets plain lines: no editing, completion or history.\n"
    "fetch(url_or_request, redirect=True) fetches another page and rebinds response and\n"
    "request; shelp() lists the names.\n"
    "\n"
    "Exit codes: 0 the console ended (or -c printed), 1 the page could not be fetched or\n"
    "read, or -c raised an error, 2 bad command line.\n";

typedef struct shell {
    kumo_fetcher *f;            /* owned */
    kumo_crawler *c;            /* f's: borrowed */
    kumo_repl *repl;            /* owned */
    /* the current page */
    kumo_response *res;         /* one reference, or NULL */
    kumo_request *req;          /* one reference, or NULL */
    char err[1024];             /* why the last fetch failed */
    const char *errtype;        /* its exception name, static */
    bool local_error;           /* err names its subject: a bad url, a file */
} shell;

/* ---------------------------------------------------------------- fetching */

/* Replace the current page with res and req (new references taken; NULL: None). */
static int set_page(shell *sh, kumo_response *res, kumo_request *req)
{
    kumo_response_unref(sh->res);
    kumo_request_unref(sh->req);
    sh->res = res ? kumo_response_ref(res) : NULL;
    sh->req = req ? kumo_request_ref(req) : NULL;
    if (kumo__repl_bind_ref(sh->repl, "response", res ? &res->ref : NULL) != KUMO_OK ||
        kumo__repl_bind_ref(sh->repl, "request", req ? &req->ref : NULL) != KUMO_OK)
        return KUMO_ENOMEM;
    return KUMO_OK;
}

/*
 * Crawl req (takes ownership) until its response arrives or nothing of it is left.
 * Returns KUMO_OK with the page rebound, KUMO_EIGNORED when it was dropped (response bound
 * to None, as Scrapy's shell does), or an error with sh->err and sh->errtype filled.
 */
static int fetch_request(shell *sh, kumo_request *req, bool redirect)
{
    kumo_request *orig = kumo_request_ref(req);
    kumo_response *res;
    int rc = kumo_fetcher_fetch(sh->f, req, redirect, &res);
    if (rc == KUMO_OK) {
        rc = set_page(sh, res, orig);
        kumo_response_unref(res);
    } else {
        snprintf(sh->err, sizeof(sh->err), "%s", kumo_fetcher_error(sh->f, &sh->errtype));
        if (rc == KUMO_EIGNORED && set_page(sh, NULL, orig) != KUMO_OK)
            rc = KUMO_ENOMEM;
    }
    kumo_request_unref(orig);
    return rc;
}

/* ---------------------------------------------------------------- local files */

/* Scrapy's responsetypes.from_body(): the class a body looks like. */
static kumo_class *class_from_body(const char *body, size_t len)
{
    size_t n = KUMO_MIN(len, (size_t)5000);
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)body[i];
        if (b < 32 && b != 0 && b != '\t' && b != '\n' && b != '\r')
            return &KUMO_CLASS(Response);
    }
    char chunk[5001];
    for (size_t i = 0; i < n; i++)
        chunk[i] = (char)tolower((unsigned char)body[i]);
    chunk[n] = '\0';
    if (memmem(chunk, n, "<html>", 6))
        return &KUMO_CLASS(HtmlResponse);
    if (memmem(chunk, n, "<?xml", 5))
        return &KUMO_CLASS(XmlResponse);
    if (memmem(chunk, n, "<!doctype html>", 15))
        return &KUMO_CLASS(HtmlResponse);
    return &KUMO_CLASS(TextResponse);
}

/* file:// + the absolute path, percent-encoded as Python's pathname2url() does. */
static void file_url(const char *abs, kumo_buf *url)
{
    static const char hex[] = "0123456789ABCDEF";
    kumo__buf_adds(url, "file://");
    for (const unsigned char *p = (const unsigned char *)abs; *p; p++) {
        if (isalnum(*p) || strchr("/_.-~", *p)) {
            kumo__buf_addc(url, (char)*p);
        } else {
            kumo__buf_addc(url, '%');
            kumo__buf_addc(url, hex[*p >> 4]);
            kumo__buf_addc(url, hex[*p & 15]);
        }
    }
}

/* The path of a file:// url, percent-decoded, into out. */
static void file_path(const char *url, kumo_buf *out)
{
    const char *p = url + strlen("file://");
    if (strncmp(p, "localhost/", 10) == 0)
        p += strlen("localhost");
    for (; *p && *p != '?' && *p != '#'; p++) {
        if (p[0] == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char h[3] = {p[1], p[2], '\0'};
            kumo__buf_addc(out, (char)strtol(h, NULL, 16));
            p += 2;
        } else {
            kumo__buf_addc(out, *p);
        }
    }
}

/* Read path into a new body (one spare byte), at most max bytes (0: no limit). */
static int read_file(const char *path, size_t max, char **body, size_t *len, char *err,
                     size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        if (f)
            fclose(f);
        return KUMO_ENOENT;
    }
    if (S_ISDIR(st.st_mode) || (max && (size_t)st.st_size > max)) {
        snprintf(err, errlen, S_ISDIR(st.st_mode) ? "cannot read '%s': it is a directory"
                                                  : "cannot read '%s': larger than "
                                                    "DOWNLOAD_MAXSIZE", path);
        fclose(f);
        return KUMO_EIO;
    }
    kumo_buf b;
    kumo__buf_init(&b, max ? max + 1 : 0, KUMO_T_BYTES, KUMO_V_BODY);
    char chunk[65536];
    size_t n;
    int rc = KUMO_OK;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (kumo__buf_add(&b, chunk, n) != KUMO_OK) {
            snprintf(err, errlen, "cannot read '%s': larger than DOWNLOAD_MAXSIZE", path);
            rc = KUMO_ETOOBIG;
            break;
        }
    if (rc == KUMO_OK && ferror(f)) {
        snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        rc = KUMO_EIO;
    }
    fclose(f);
    if (rc != KUMO_OK) {
        kumo__buf_release(&b);
        return rc;
    }
    *body = kumo__buf_detach(&b, len);      /* NUL-terminated: the spare byte */
    return KUMO_OK;
}

/* Make the page a response read from the local file path, without the network. */
static int load_file(shell *sh, const char *path)
{
    char abs[PATH_MAX];
    if (!realpath(path, abs)) {
        sh->errtype = "FileNotFoundError";
        sh->local_error = true;
        snprintf(sh->err, sizeof(sh->err), "cannot open '%s': %s", path, strerror(errno));
        return KUMO_ENOENT;
    }
    char *body = NULL;
    size_t len = 0;
    int64_t max = kumo__settings_int(kumo__crawler_settings(sh->c), "DOWNLOAD_MAXSIZE");
    int rc = read_file(abs, max > 0 ? (size_t)max : 0, &body, &len, sh->err, sizeof(sh->err));
    if (rc != KUMO_OK) {
        sh->errtype = "OSError";
        sh->local_error = true;
        return rc;
    }
    kumo_buf url;
    kumo__buf_init(&url, 0, KUMO_T_STR, KUMO_V_URL);
    file_url(abs, &url);
    /* Request() takes http(s) only: make one, then give it the file url */
    kumo_request *req = kumo_request_new("http://localhost/", kumo_fetcher_parse, NULL);
    kumo__request_set_url(req, kumo__buf_str(&url));
    kumo_response *res = kumo__response_new(req, kumo__buf_str(&url), 200, NULL, body, len);
    if (res->ref.cls == &KUMO_CLASS(Response)) {
        kumo_class *cls = class_from_body(body, len);
        if (cls != res->ref.cls) {
            kumo_ref_fini(&res->ref);
            kumo_ref_init(&res->ref, cls);
        }
    }
    res->spider = kumo_crawler_spider(sh->c);
    rc = set_page(sh, res, req);
    kumo_response_unref(res);
    kumo_request_unref(req);
    kumo__buf_release(&url);
    return rc;
}

/* ---------------------------------------------------------------- what to fetch */

/* A local file: file://..., a path that starts like one, or a file that exists. */
static bool is_local(const char *s)
{
    if (strncasecmp(s, "file://", 7) == 0)
        return true;
    if (kumo_fetcher_has_scheme(s))
        return false;
    return s[0] == '/' || strncmp(s, "./", 2) == 0 || strncmp(s, "../", 3) == 0 ||
           strncmp(s, "~/", 2) == 0 || access(s, F_OK) == 0;
}

/* Fetch what the user typed: a local file, or a url (http:// added without a scheme). */
static int fetch_target(shell *sh, const char *target, bool redirect)
{
    sh->local_error = false;
    if (is_local(target)) {
        kumo_buf path;
        kumo__buf_init(&path, 0, KUMO_T_STR, KUMO_V_NONE);
        if (strncasecmp(target, "file://", 7) == 0) {
            file_path(target, &path);
        } else if (strncmp(target, "~/", 2) == 0 && getenv("HOME")) {
            kumo__buf_printf(&path, "%s%s", getenv("HOME"), target + 1);
        } else {
            kumo__buf_adds(&path, target);
        }
        int rc = load_file(sh, kumo__buf_str(&path));
        kumo__buf_release(&path);
        return rc;
    }
    kumo_buf url;
    kumo__buf_init(&url, 0, KUMO_T_STR, KUMO_V_URL);
    kumo_fetcher_url(target, &url);
    int err;
    kumo_request *req = kumo_request_new(kumo__buf_str(&url), kumo_fetcher_parse, &err);
    if (!req) {
        sh->errtype = "ValueError";
        sh->local_error = true;
        snprintf(sh->err, sizeof(sh->err), "invalid url '%s': %s", kumo__buf_str(&url),
                 kumo_strerror(err));
        kumo__buf_release(&url);
        return err;
    }
    kumo__buf_release(&url);
    return fetch_request(sh, req, redirect);
}

/* ---------------------------------------------------------------- console functions */

static const cv_vtable shell_vt = {.name = "Shell"};

static cval *b_fetch(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"request_or_url", "redirect"};
    cval *arg[2];
    if (cv_args_parse(c, "fetch", a, names, 2, 1, arg) != KUMO_OK)
        return NULL;
    shell *sh = self->u.nat.p;
    bool redirect = true;
    if (arg[1]) {
        int t = cv_truthy(c, arg[1]);
        if (t < 0)
            return NULL;
        redirect = t;
    }
    int rc;
    if (arg[0]->type == CV_STR) {
        rc = fetch_target(sh, arg[0]->u.s.s, redirect);
    } else if (cn_isinstance(arg[0], &KUMO_CLASS(Request))) {
        kumo_request *r = (kumo_request *)cv_ref_of(c, arg[0]);
        if (!r)
            return NULL;
        if (strncasecmp(r->url, "file://", 7) == 0)     /* a local file's request */
            rc = fetch_target(sh, r->url, redirect);
        else
            rc = fetch_request(sh, kumo__request_copy(r), redirect);
    } else {
        return cv_raise(c, "TypeError", "fetch() takes a url (str) or a Request, not '%s'",
                        cv_type_name(arg[0]));
    }
    if (rc == KUMO_OK || rc == KUMO_EIGNORED)
        return cv_none();
    return cv_raise(c, sh->errtype ? sh->errtype : "RuntimeError", "%s", sh->err);
}

/* Scrapy's shell banner: the names and what they hold. */
static void banner(cv_ctx *c, shell *sh, kumo_buf *b)
{
    static const char *const names[] = {"crawler", "request", "response", "settings",
                                        "spider"};
    cv_writes(c, b, "[s] Available kumo objects:\n");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++) {
        cv_writef(c, b, "[s]   %-10s ", names[i]);
        cval *v = NULL;
        if (!strcmp(names[i], "request"))
            v = sh->req ? co_from_ref(&sh->req->ref) : cv_none();
        else if (!strcmp(names[i], "response"))
            v = sh->res ? co_from_ref(&sh->res->ref) : cv_none();
        else if (!strcmp(names[i], "crawler"))
            v = co_crawler(c);
        else if (!strcmp(names[i], "settings"))
            v = co_settings(c);
        else
            v = co_spider(c);
        if (v)
            cv_repr(c, v, b);
        cv_unref(v);
        c->etype = NULL;
        cv_writes(c, b, "\n");
    }
    cv_writes(c, b,
              "[s] Useful shortcuts:\n"
              "[s]   fetch(url[, redirect=True]) Fetch URL and update local objects (by "
              "default, redirects are followed)\n"
              "[s]   fetch(req)                  Fetch a kumo Request and update local "
              "objects\n"
              "[s]   shelp()           Shell help (print this help)\n");
}

static cval *b_shelp(cv_ctx *c, cval *self, const cv_args *a)
{
    if (cv_args_parse(c, "shelp", a, NULL, 0, 0, NULL) != KUMO_OK)
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, SHELL_OUT_MAX, cv_tag(), KUMO_V_TEXT);
    banner(c, self->u.nat.p, &b);
    cv_print(c, b.s, b.len);
    kumo__buf_release(&b);
    return cv_none();
}

/* ---------------------------------------------------------------- command line */

typedef struct shell_opts {
    const char *target;         /* URL or FILE, or NULL */
    const char *code;           /* -c EXPR, or NULL */
    bool no_redirect;
    kumo_settings *settings;
} shell_opts;

enum { OPT_CODE = 1, OPT_NO_REDIRECT };

static const kumo_cli_opt shell_opts_table[] = {
    {"-c", NULL, true, OPT_CODE},
    {"--no-redirect", NULL, false, OPT_NO_REDIRECT},
    {NULL, NULL, false, 0},
};

static int on_opt(void *ctx, int id, const char *value)
{
    shell_opts *o = ctx;
    if (id == OPT_CODE)
        o->code = value;
    else
        o->no_redirect = true;
    return KUMO_EXIT_OK;
}

/* Read the command line into o; a KUMO_EXIT_* code. */
static int parse(shell_opts *o, int argc, char **argv)
{
    kumo_cli_parser p = {
        .cmd = "shell",
        .shared = KUMO_CLI_SET | KUMO_CLI_LOG,
        .opts = shell_opts_table,
        .on_opt = on_opt,
        .ctx = o,
        .settings = o->settings,
        .max_pos = 1,
    };
    int rc = kumo_cli_parse(&p, argc, argv);
    o->target = p.npos ? p.pos[0] : NULL;
    return rc;
}

/* ---------------------------------------------------------------- the console */

static void put(FILE *f, const kumo_buf *b)
{
    if (b->len) {
        fwrite(b->s, 1, b->len, f);
        fflush(f);
    }
}

/* Run one line; returns KUMO_EDONE when it asked to leave. */
static int eval_line(shell *sh, const char *line, size_t len)
{
    kumo_buf out, err;
    kumo__buf_init(&out, SHELL_OUT_MAX, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_init(&err, SHELL_OUT_MAX, KUMO_T_STR, KUMO_V_TEXT);
    int rc = kumo__repl_run(sh->repl, line, len, 0, &out, &err);
    put(stdout, &out);
    put(stderr, &err);
    kumo__buf_release(&out);
    kumo__buf_release(&err);
    return rc;
}

/* ---------------------------------------------------------------- the terminal */

static kumo_repl *completing;           /* the session Tab completes in (one shell a process) */

/* libedit's completion: the candidates for the word before the cursor, as whole words from
 * where libedit's word (text, at start) begins; malloc'ed, as libedit frees them. */
static char **complete_word(const char *text, int start, int end)
{
    *kumo_editline.rl_attempted_completion_over = 1;      /* never file names */
    char **v;
    size_t at, n = kumo__complete(completing, *kumo_editline.rl_line_buffer, (size_t)end, &at,
                                  &v);
    size_t skip = (size_t)start > at ? (size_t)start - at : 0;
    char **m = n ? calloc(n + 2, sizeof(char *)) : NULL;
    size_t k = 1;
    for (size_t i = 0; m && i < n; i++)
        if (strlen(v[i]) >= skip && (m[k] = strdup(v[i] + skip)))
            k++;
    kumo__complete_free(v, n);
    if (!m || k == 1) {
        free(m);
        return NULL;
    }
    /* m[0]: what replaces text, the candidates' longest common prefix */
    size_t common = strlen(m[1]);
    for (size_t i = 2; i < k; i++)
        for (size_t j = 0; j < common; j++)
            if (m[i][j] != m[1][j]) {
                common = j;
                break;
            }
    m[0] = strndup(m[1], common);
    if (k == 2)
        *kumo_editline.rl_completion_append_character = '\0';
    (void)text;
    return m;
}

/* The history file: $XDG_STATE_HOME/kumo/history (the directory made), else ~/.kumo_history;
 * false when there is no place for it. */
static bool history_path(char *buf, size_t len)
{
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    if (state && *state) {
        mkdir(state, 0700);                 /* it may not exist yet (XDG: make it 0700) */
        snprintf(buf, len, "%s/kumo", state);
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return false;
        return (size_t)snprintf(buf, len, "%s/kumo/history", state) < len;
    }
    return home && *home && (size_t)snprintf(buf, len, "%s/.kumo_history", home) < len;
}

static volatile sig_atomic_t interrupted;

static pthread_t shell_thread;       /* the one reading the terminal */

/* Ctrl-C.  The terminal's SIGINT goes to any thread that does not block it (a parse thread
 * of the shell's crawler, while the shell's own thread blocks it outside wait_input()): there
 * it is sent on to the shell's thread, which alone waits for input (a Ctrl-C was lost that
 * way on a loaded machine). */
static void on_sigint(int sig)
{
    if (!pthread_equal(pthread_self(), shell_thread)) {
        pthread_kill(shell_thread, sig);
        return;
    }
    interrupted = 1;
}

/* On the terminal: prompt, libedit's line editing and Tab completion, a history file. */
static int interact_tty(shell *sh)
{
    const kumo_editline_api *el = &kumo_editline;
    char hist[PATH_MAX];
    bool keep = history_path(hist, sizeof(hist));
    completing = sh->repl;
    *el->rl_readline_name = "kumo";
    *el->rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{([,+-*/%~^:!";
    *el->rl_attempted_completion_function = complete_word;
    el->using_history();
    el->stifle_history(SHELL_HISTORY);
    if (keep && el->read_history(hist) != 0)
        el->write_history(hist);            /* a new, empty file to append to */
    /* Ctrl-C: readline gives the line up, the prompt comes back (as Python's) */
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigemptyset(&sa.sa_mask);
    shell_thread = pthread_self();
    sigaction(SIGINT, &sa, &old);
    for (;;) {
        interrupted = 0;
        char *line = el->readline(">>> ");
        if (!line && interrupted) {
            fputs("\nKeyboardInterrupt\n", stdout);
            continue;
        }
        if (!line)
            break;
        size_t len = strlen(line);
        HIST_ENTRY *last = el->history_get(*el->history_base + *el->history_length - 1);
        if (len && !(last && strcmp(last->line, line) == 0)) {
            el->add_history(line);
            if (keep)
                el->append_history(1, hist);
        }
        int rc = eval_line(sh, line, len);
        free(line);
        if (rc == KUMO_EDONE)
            break;
    }
    if (keep)
        el->history_truncate_file(hist, SHELL_HISTORY);
    sigaction(SIGINT, &old, NULL);
    completing = NULL;
    return KUMO_OK;
}

/* Wait until stdin has input, with SIGINT (blocked otherwise) let in only meanwhile: mask is
 * the signal mask without it.  False when Ctrl-C came first. */
static bool wait_input(const sigset_t *mask)
{
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    while (ppoll(&p, 1, NULL, mask) < 0) {
        if (interrupted)
            return false;
        if (errno != EINTR)
            break;                          /* fgets() meets the error */
    }
    return true;
}

/* From a pipe or a file: one statement a line, no prompt.  With a prompt (a terminal without
 * libedit): the prompt before each line, and Ctrl-C drops the line as interact_tty() does. */
static int interact_plain(shell *sh, const char *prompt)
{
    struct sigaction sa = {.sa_handler = on_sigint}, old;
    sigset_t block, unblocked;
    if (prompt) {
        sigemptyset(&sa.sa_mask);
        shell_thread = pthread_self();
        sigaction(SIGINT, &sa, &old);
        /* a Ctrl-C comes in only while wait_input() waits, so none is lost before a read */
        sigemptyset(&block);
        sigaddset(&block, SIGINT);
        sigprocmask(SIG_BLOCK, &block, &unblocked);
        setvbuf(stdin, NULL, _IONBF, 0);    /* no line waits in stdio, unseen by ppoll() */
    }
    kumo_buf line;
    kumo__buf_init(&line, SHELL_LINE_MAX, KUMO_T_STR, KUMO_V_TEXT);
    char chunk[4096];
    bool more = true;
    while (more) {
        kumo__buf_reset(&line);
        interrupted = 0;
        if (prompt) {
            fputs(prompt, stdout);
            fflush(stdout);
        }
        bool eol = false, dropped = false;
        while (!eol) {
            if (prompt && !wait_input(&unblocked)) {
                dropped = true;
                break;
            }
            if (!fgets(chunk, sizeof(chunk), stdin)) {
                more = false;
                break;
            }
            size_t n = strlen(chunk);
            eol = n && chunk[n - 1] == '\n';
            kumo__buf_add(&line, chunk, n);      /* past the cap: the rest is dropped */
        }
        if (dropped) {
            fputs("\nKeyboardInterrupt\n", stdout);
            continue;
        }
        if (!more && line.len == 0)
            break;
        if (eval_line(sh, line.s, line.len) == KUMO_EDONE)
            break;
    }
    kumo__buf_release(&line);
    if (prompt) {
        sigprocmask(SIG_SETMASK, &unblocked, NULL);
        sigaction(SIGINT, &old, NULL);
    }
    return KUMO_OK;
}

/* -c EXPR: the repr on stdout, or the error line on stderr and 1. */
static int run_code(shell *sh, const char *code)
{
    kumo_buf out, err;
    kumo__buf_init(&out, SHELL_OUT_MAX, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_init(&err, SHELL_OUT_MAX, KUMO_T_STR, KUMO_V_TEXT);
    int rc = kumo__repl_run(sh->repl, code, strlen(code), KUMO_REPL_SHOW_NONE, &out, &err);
    put(stdout, &out);
    put(stderr, &err);
    kumo__buf_release(&out);
    kumo__buf_release(&err);
    return rc == KUMO_OK || rc == KUMO_EDONE ? KUMO_EXIT_OK : KUMO_EXIT_FAIL;
}

/* fetch and shelp, bound to sh. */
static int bind_functions(shell *sh)
{
    cval *self = cv_native(&shell_vt, sh, NULL);
    int rc = kumo__repl_bind(sh->repl, "fetch", cv_func("fetch", b_fetch, self));
    if (rc == KUMO_OK)
        rc = kumo__repl_bind(sh->repl, "shelp", cv_func("shelp", b_shelp, self));
    cv_unref(self);
    return rc;
}

static void shell_free(shell *sh)
{
    kumo__repl_free(sh->repl);
    kumo_response_unref(sh->res);
    kumo_request_unref(sh->req);
    kumo_fetcher_free(sh->f);
}

int kumo_cmd_shell(int argc, char **argv)
{
    shell_opts o = {.settings = kumo__settings_new()};
    shell sh = {0};
    int exit_code = KUMO_EXIT_USAGE;
    char err[1024];

    if (kumo_cli_load_conf(o.settings) != KUMO_OK) {
        exit_code = KUMO_EXIT_FAIL;
        goto out;
    }
    if ((exit_code = parse(&o, argc, argv)) != KUMO_EXIT_OK)
        goto out;
    exit_code = KUMO_EXIT_FAIL;
    sh.f = kumo_fetcher_new(o.settings, err, sizeof(err));
    o.settings = NULL;      /* the fetcher owns them now, even on failure */
    if (!sh.f) {
        kumo_cli_error("%s", err);
        goto out;
    }
    sh.c = kumo_fetcher_crawler(sh.f);
    sh.repl = kumo__repl_new(sh.c);
    if (bind_functions(&sh) != KUMO_OK || set_page(&sh, NULL, NULL) != KUMO_OK) {
        kumo_cli_error("cannot bind the shell's names");
        goto out;
    }
    if (o.target) {
        int rc = fetch_target(&sh, o.target, !o.no_redirect);
        if (rc != KUMO_OK) {
            if (rc == KUMO_EIGNORED)
                kumo_cli_error("no response for '%s': the request was dropped "
                               "(-s LOG_LEVEL=DEBUG tells why)", o.target);
            else if (sh.local_error)        /* the message names the file or url */
                kumo_cli_error("%s", sh.err);
            else
                kumo_cli_error("cannot fetch '%s': %s", o.target, sh.err);
            goto out;
        }
    }
    if (o.code) {
        exit_code = run_code(&sh, o.code);
    } else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
        kumo_buf b;
        kumo__buf_init(&b, SHELL_OUT_MAX, KUMO_T_STR, KUMO_V_TEXT);
        cv_ctx c = {.repl = sh.repl, .crawler = sh.c, .out = &b};
        banner(&c, &sh, &b);
        put(stdout, &b);
        kumo__buf_release(&b);
        /* without libedit the shell still works: lines, without editing (as Python's) */
        char why[512];
        int rc;
        if (kumo_editline_load(why, sizeof(why)) == KUMO_OK) {
            rc = interact_tty(&sh);
        } else {
            kumo_cli_error("shell: %s; reading lines without editing, history or completion",
                           why);
            rc = interact_plain(&sh, ">>> ");
        }
        exit_code = rc == KUMO_OK ? KUMO_EXIT_OK : KUMO_EXIT_FAIL;
    } else {
        exit_code = interact_plain(&sh, NULL) == KUMO_OK ? KUMO_EXIT_OK : KUMO_EXIT_FAIL;
    }
out:
    shell_free(&sh);
    kumo__settings_free(o.settings);
    kumo__log_set_file(NULL);
    return exit_code;
}
