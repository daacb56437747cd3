/* log.c - log lines in Scrapy's format: "2026-11-23 19:40:00 [kumo.engine] INFO: ...", and
 * the failed-assert report. */
#include "kumo-int.h"
#include "util/buf.h"
#include <time.h>

static kumo_loglevel min_level = KUMO_LOG_DEBUG;
static FILE *log_file;          /* NULL: stderr */
static void (*hook)(void *ctx, kumo_loglevel level);
static void *hook_ctx;
/* The status line that shares the terminal (ext/progress.c), and the tap (ext/webservice.c). */
static void (*term_fn)(void *ctx, FILE *f, bool after);
static void *term_ctx;
static void (*tap_fn)(void *ctx, const char *logger, kumo_loglevel level, const char *msg);
static void *tap_ctx;

void kumo__log_set_hook(void (*fn)(void *ctx, kumo_loglevel level), void *ctx)
{
    hook = fn;
    hook_ctx = ctx;
}

void kumo__log_set_term(void (*fn)(void *ctx, FILE *f, bool after), void *ctx)
{
    term_fn = fn;
    term_ctx = ctx;
}

void kumo__log_set_tap(void (*fn)(void *ctx, const char *logger, kumo_loglevel level,
                                  const char *msg),
                       void *ctx)
{
    tap_fn = fn;
    tap_ctx = ctx;
}

static const struct {
    const char *name;
    kumo_loglevel level;
} levels[] = {
    {"DEBUG", KUMO_LOG_DEBUG},     {"INFO", KUMO_LOG_INFO},   {"WARNING", KUMO_LOG_WARNING},
    {"ERROR", KUMO_LOG_ERROR},     {"CRITICAL", KUMO_LOG_CRITICAL},
};

int kumo__log_level_parse(const char *name, kumo_loglevel *out)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(levels); i++)
        if (strcasecmp(levels[i].name, name) == 0) {
            *out = levels[i].level;
            return KUMO_OK;
        }
    return KUMO_EINVAL;
}

const char *kumo__log_level_name(kumo_loglevel level)
{
    for (size_t i = KUMO_ARRAY_LEN(levels); i-- > 0;)
        if (level >= levels[i].level)
            return levels[i].name;
    return "DEBUG";
}

void kumo__log_set_level(kumo_loglevel level)
{
    min_level = level;
}

bool kumo__log_enabled(kumo_loglevel level)
{
    return level >= min_level;
}

int kumo__log_set_file(const char *path)
{
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    if (!path)
        return KUMO_OK;
    log_file = fopen(path, "a");
    if (!log_file)
        return KUMO_EIO;
    setvbuf(log_file, NULL, _IOLBF, 0);
    return KUMO_OK;
}

/* Where this thread's lines wait for the loop thread (kumo__log_defer()), or NULL. */
static _Thread_local kumo_buf *deferred;

void kumo__log_defer(kumo_buf *b)
{
    deferred = b;
}

/* A deferred line: the level's byte, the logger and the message, each ending in NUL. */
static void defer_line(const char *logger, kumo_loglevel level, const char *fmt, va_list ap)
{
    kumo__buf_addc(deferred, (char)level);
    kumo__buf_add(deferred, logger, strlen(logger) + 1);
    char msg[1024];
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    if (n >= (int)sizeof(msg)) {        /* a long line: formatted again at its length */
        char *big = kumo_alloc((size_t)n + 1, KUMO_T_STR, KUMO_V_TEXT);
        vsnprintf(big, (size_t)n + 1, fmt, again);
        kumo__buf_add(deferred, big, (size_t)n + 1);
        kumo_free(big);
    } else if (n >= 0) {
        kumo__buf_add(deferred, msg, (size_t)n + 1);
    } else {
        kumo__buf_addc(deferred, '\0');
    }
    va_end(again);
}

void kumo__log_replay(kumo_buf *b)
{
    for (size_t at = 0; at < b->len;) {
        kumo_loglevel level = (kumo_loglevel)(unsigned char)b->s[at++];
        const char *logger = b->s + at;
        at += strlen(logger) + 1;
        const char *msg = b->s + at;
        at += strlen(msg) + 1;
        kumo__log(logger, level, "%s", msg);
    }
    kumo__buf_reset(b);
}

void kumo__vlog(const char *logger, kumo_loglevel level, const char *fmt, va_list ap)
{
    if (level < min_level)
        return;
    if (deferred) {
        va_list again;
        va_copy(again, ap);
        defer_line(logger, level, fmt, again);
        va_end(again);
        return;
    }
    if (hook)
        hook(hook_ctx, level);
    FILE *f = log_file ? log_file : stderr;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    va_list tap_ap;
    va_copy(tap_ap, ap);
    flockfile(f);
    if (term_fn)
        term_fn(term_ctx, f, false);
    fprintf(f, "%s [%s] %s: ", stamp, logger, kumo__log_level_name(level));
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    if (term_fn)
        term_fn(term_ctx, f, true);
    funlockfile(f);
    if (tap_fn) {
        char msg[1024];     /* the tap gets the line's first 1023 bytes */
        vsnprintf(msg, sizeof(msg), fmt, tap_ap);
        tap_fn(tap_ctx, logger, level, msg);
    }
    va_end(tap_ap);
}

void kumo__log(const char *logger, kumo_loglevel level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kumo__vlog(logger, level, fmt, ap);
    va_end(ap);
}

/* The live-references report a failed assert prints; mem sets it (ref.c). */
static void (*assert_report)(FILE *f);

void kumo__assert_set_report(void (*fn)(FILE *f))
{
    assert_report = fn;
}

void kumo__assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "kumo: assertion failed at %s:%d: %s\n", file, line, expr);
    if (assert_report)
        assert_report(stderr);
    abort();
}
