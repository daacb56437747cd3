/* test_progress.c - the status line: its format, and a crawl on a pseudo-terminal read back
 * through a small terminal model (log lines scroll above the line, never mixed into it). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <regex.h>
#include <unistd.h>
#include "ext/progress.h"
#include "lib/crawl.h"
#include "lib/leakcheck.h"

TestSuite(progress, KUMO_LEAKCHECK, .timeout = 60);

Test(progress, format)
{
    kumo_progress_snap s = {
        .elapsed = 3725.9, .pages = 1234, .items = 1180, .errors = 2, .pages_min = 620.4,
        .items_min = 589.6, .inflight = 16, .queued = 372, .rss = 43201331,
    };
    char out[512];
    kumo__progress_format(&s, 0, out, sizeof(out));
    cr_assert_str_eq(out, "1:02:05 | 1234 pages (620/min) | 1180 items (590/min) | "
                          "16 in flight | 372 queued | 2 errors | RSS 41.2 MiB");
    s.reason = "closespider_timeout";
    s.rss = 0;
    kumo__progress_format(&s, 0, out, sizeof(out));
    cr_assert(strstr(out, "| RSS ? | closespider_timeout"), "%s", out);
    kumo__progress_format(&s, 20, out, sizeof(out));
    cr_assert_str_eq(out, "1:02:05 | 1234 pages");
    kumo__progress_format(&s, 0, out, 8);
    cr_assert_str_eq(out, "1:02:05");
}

/* ---- a crawl on a pty ---- */

typedef struct drain {
    int fd;
    char *buf;
    size_t len, cap;
} drain;

/* Read the master side until the slave is closed (EIO) or 30 s pass. */
static void *drain_main(void *arg)
{
    drain *d = arg;
    for (int i = 0; i < 3000; i++) {
        struct pollfd p = {d->fd, POLLIN, 0};
        if (poll(&p, 1, 10) <= 0)
            continue;
        if (d->len + 4096 > d->cap)
            d->buf = realloc(d->buf, d->cap = d->cap * 2 + 8192);
        ssize_t n = read(d->fd, d->buf + d->len, d->cap - d->len - 1);
        if (n <= 0)
            break;
        d->len += (size_t)n;
    }
    d->buf[d->len] = '\0';
    return NULL;
}

/* Run a crawl with fd 2 on a new pty (or on a file when tty is false); returns what was
 * written to it (free()). */
static char *crawl_on(bool tty, const char *const *kv, int64_t *pages)
{
    kumo_testcrawl t;
    kumo_testcrawl_init(&t);
    int master = -1, slave = -1;
    char path[] = "/tmp/kumo-progress-XXXXXX";
    if (tty) {
        struct winsize ws = {.ws_row = 40, .ws_col = 200};
        cr_assert_eq(openpty(&master, &slave, NULL, NULL, &ws), 0);
    } else {
        slave = mkstemp(path);
        cr_assert(slave >= 0);
    }
    drain d = {master, malloc(8192), 0, 8192};
    pthread_t th;
    if (tty)
        cr_assert_eq(pthread_create(&th, NULL, drain_main, &d), 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(slave, STDERR_FILENO);
    const char *const args[] = {"urls", "/page/1/", NULL};
    int rc = kumo_testcrawl_run(&t, &kumo_test_probe_spider, kv, args);
    *pages = kumo_testcrawl_stat(&t, "response_received_count", 0);
    kumo_testcrawl_release(&t);         /* the extensions close: the final newline */
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(slave);
    if (tty) {
        pthread_join(th, NULL);
        close(master);
    } else {
        FILE *f = fopen(path, "r");
        d.len = fread(d.buf, 1, d.cap - 1, f);
        d.buf[d.len] = '\0';
        fclose(f);
        unlink(path);
    }
    cr_assert_eq(rc, KUMO_OK, "%s", t.err);
    kumo_leakcheck_end();
    return d.buf;
}

/* What a terminal shows after out: '\r' to column 0, ESC [ K erases to the end of the line,
 * '\n' goes down; other bytes overwrite.  Returns the number of lines, in lines[]. */
static size_t screen(const char *out, char lines[][1024], size_t max)
{
    size_t row = 0, col = 0;
    memset(lines, 0, max * sizeof(lines[0]));
    for (const char *p = out; *p && row < max; p++) {
        if (*p == '\r')
            col = 0;
        else if (*p == '\n') {
            row++;
            col = 0;
        } else if (p[0] == '\033' && p[1] == '[' && p[2] == 'K') {
            lines[row][col] = '\0';
            p += 2;
        } else if (col < 1023) {
            size_t len = strlen(lines[row]);
            lines[row][col++] = *p;
            if (col > len)
                lines[row][col] = '\0';
        }
    }
    return row + 1;
}

Test(progress, status_line_under_the_log_on_a_pty)
{
    const char *const kv[] = {"LOG_LEVEL", "INFO", "TELNETCONSOLE_ENABLED", "0", NULL};
    int64_t pages;
    char *out = crawl_on(true, kv, &pages);
    cr_assert_geq(pages, 5);
    static char lines[400][1024];
    size_t n = screen(out, lines, 400);
    regex_t status, logline;
    cr_assert_eq(regcomp(&status, "^[0-9]+:[0-9]{2}:[0-9]{2} \\| [0-9]+ pages \\([0-9]+/min\\) "
                         "\\| [0-9]+ items \\([0-9]+/min\\) \\| [0-9]+ in flight \\| [0-9]+ "
                         "queued \\| [0-9]+ errors \\| RSS [0-9.]+ [KMG]i?B", REG_EXTENDED), 0);
    cr_assert_eq(regcomp(&logline, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \\[", REG_EXTENDED), 0);
    size_t nstatus = 0, last_status = 0, nlog = 0;
    for (size_t i = 0; i < n; i++) {
        if (!lines[i][0])
            continue;
        bool is_status = regexec(&status, lines[i], 0, NULL, 0) == 0;
        bool is_log = regexec(&logline, lines[i], 0, NULL, 0) == 0;
        /* a log line (or a line of a multi-line message) never holds any of the status */
        if (!is_status)
            cr_assert_null(strstr(lines[i], " errors | RSS "), "mixed: '%s'", lines[i]);
        else
            cr_assert_null(strstr(lines[i] + 1, "] "), "mixed: '%s'", lines[i]);
        nstatus += is_status;
        nlog += is_log;
        if (is_status)
            last_status = i;
    }
    cr_assert_eq(nstatus, 1, "the status line is left once on the screen");
    cr_assert_geq(nlog, 5);
    char want[64];
    snprintf(want, sizeof(want), "| %lld pages (", (long long)pages);
    cr_assert(strstr(lines[last_status], want), "%s", lines[last_status]);
    cr_assert(strstr(lines[last_status], " | finished"), "%s", lines[last_status]);
    for (size_t i = last_status + 1; i < n; i++)
        cr_assert_str_empty(lines[i], "after the final status line: '%s'", lines[i]);
    /* drawn more than once: after each log line and at the end */
    size_t draws = 0;
    for (const char *p = out; (p = strstr(p, " errors | RSS ")); p++)
        draws++;
    cr_assert_geq(draws, 3);
    if (getenv("KUMO_SHOW_PTY"))
        fprintf(stdout, "%s", out);
    regfree(&status);
    regfree(&logline);
    free(out);
}

Test(progress, off_with_progress_0_nolog_or_no_terminal)
{
    const char *const off[] = {"LOG_LEVEL", "INFO", "PROGRESS", "0",
                               "TELNETCONSOLE_ENABLED", "0", NULL};
    const char *const nolog[] = {"LOG_ENABLED", "0", "TELNETCONSOLE_ENABLED", "0", NULL};
    const char *const on[] = {"LOG_LEVEL", "INFO", "TELNETCONSOLE_ENABLED", "0", NULL};
    int64_t pages;
    char *out = crawl_on(true, off, &pages);
    cr_assert(strstr(out, "Spider closed (finished)"));
    cr_assert_null(strstr(out, "\033[K"));
    cr_assert_null(strstr(out, " errors | RSS "));
    free(out);
    out = crawl_on(true, nolog, &pages);
    cr_assert_str_empty(out);
    free(out);
    out = crawl_on(false, on, &pages);
    cr_assert(strstr(out, "Spider closed (finished)"));
    cr_assert_null(strstr(out, "\033[K"));
    cr_assert_null(strstr(out, " errors | RSS "));
    free(out);
}
