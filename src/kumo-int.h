/* kumo-int.h - included first by every kumo source file: system headers, the public API,
 * and the small internal helpers every subsystem uses. */
#ifndef KUMO_INT_H
#define KUMO_INT_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kumo/kumo.h"

typedef struct kumo_crawler kumo_crawler;
typedef struct kumo_settings kumo_settings;
typedef struct kumo_stats kumo_stats;
typedef struct kumo_engine kumo_engine;
typedef struct kumo_scheduler kumo_scheduler;
typedef struct kumo_downloader kumo_downloader;
typedef struct kumo_doc kumo_doc;

#define KUMO_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define KUMO_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KUMO_MAX(a, b) ((a) > (b) ? (a) : (b))

/* One class of trackref's live lists as kumo__refs_snapshot() copied it. */
typedef struct kumo_refs_row {
    kumo_class *cls;            /* borrowed, valid until kumo_class_cleanup() */
    size_t live;                /* kumo_ref_count(cls): live objects, dormant ones included */
    double oldest_born;         /* born of its oldest live object (kumo_ref_oldest()); 0: none */
    double dormant_born;        /* born of its oldest dormant object; 0: none */
} kumo_refs_row;

/*
 * Copy every registered class's row, in registration order, at one instant: parse threads
 * running callbacks make and free tracked objects while the loop thread reads (mem/ref.c).
 * Returns a new array of *n rows (kumo_free() it).
 */
kumo_refs_row *kumo__refs_snapshot(size_t *n);

/* kumo_prefs() from rows[0..nrows) of one snapshot (the web UI's prefs beside its text). */
void kumo__prefs_rows(FILE *f, const kumo_refs_row *rows, size_t nrows,
                      kumo_class *const *ignore, size_t nignore);

/* Asserts stay on in every build: print where, the live references, and abort. */
void kumo__assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
/* What a failed assert prints after where (util/log.c): mem sets the live references. */
void kumo__assert_set_report(void (*fn)(FILE *f));
#define kumo_assert(e) ((e) ? (void)0 : kumo__assert_fail(#e, __FILE__, __LINE__))

/* Evaluate x, a kumo_err expression; return its code from the caller unless KUMO_OK. */
#define KUMO_TRY(x)                                                         \
    do {                                                                    \
        int kumo_try_rc_ = (x);                                             \
        if (kumo_try_rc_ != KUMO_OK)                                        \
            return kumo_try_rc_;                                            \
    } while (0)

/* sqlite's defensive-branch markers: the condition should never hold, but is handled. */
#define ALWAYS(x) (x)
#define NEVER(x) (x)

/* Logging in Scrapy's line format; logger is "kumo.engine", "quotes"... */
typedef enum kumo_loglevel {
    KUMO_LOG_DEBUG = 10,
    KUMO_LOG_INFO = 20,
    KUMO_LOG_WARNING = 30,
    KUMO_LOG_ERROR = 40,
    KUMO_LOG_CRITICAL = 50,
} kumo_loglevel;

void kumo__log(const char *logger, kumo_loglevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kumo__vlog(const char *logger, kumo_loglevel level, const char *fmt, va_list ap);
bool kumo__log_enabled(kumo_loglevel level);
/* Returns KUMO_EINVAL for a name that is not a level. */
int kumo__log_level_parse(const char *name, kumo_loglevel *out);
void kumo__log_set_level(kumo_loglevel level);
/* Send the log to path (appending), or back to stderr with NULL. */
int kumo__log_set_file(const char *path);

/*
 * Lines this thread logs from now on wait in b (a kumo_buf, util/buf.h) instead of being
 * written, until kumo__log_replay(b) logs them on the calling thread (a parse thread running
 * a callback: the hooks below belong to the loop thread).  NULL: write them again.
 */
struct kumo_buf;
void kumo__log_defer(struct kumo_buf *b);
void kumo__log_replay(struct kumo_buf *b);

/* Called for every line written (stats log_count/LEVEL); NULL to remove. */
void kumo__log_set_hook(void (*fn)(void *ctx, kumo_loglevel level), void *ctx);
const char *kumo__log_level_name(kumo_loglevel level);
/*
 * The status line that shares f with the log (ext/progress.c sets it; util never calls up):
 * fn(ctx, f, false) runs just before a line is written to f (erase the status line) and
 * fn(ctx, f, true) just after (draw it again), both under f's lock, on the thread that logs.
 * NULL to remove.
 */
void kumo__log_set_term(void (*fn)(void *ctx, FILE *f, bool after), void *ctx);
/*
 * Called after every line written with the logger, level and the message (without stamp
 * and newline, cut at 1023 bytes; borrowed for the call), on the thread that logs
 * (ext/webservice.c keeps the recent warnings).  NULL to remove.
 */
void kumo__log_set_tap(void (*fn)(void *ctx, const char *logger, kumo_loglevel level,
                                  const char *msg),
                       void *ctx);

#define KUMO_DEBUG(lg, ...) kumo__log(lg, KUMO_LOG_DEBUG, __VA_ARGS__)
#define KUMO_INFO(lg, ...) kumo__log(lg, KUMO_LOG_INFO, __VA_ARGS__)
#define KUMO_WARN(lg, ...) kumo__log(lg, KUMO_LOG_WARNING, __VA_ARGS__)
#define KUMO_ERROR(lg, ...) kumo__log(lg, KUMO_LOG_ERROR, __VA_ARGS__)

/* Process-wide setup: heap hooks for libxml2, curl_global_init.  Idempotent. */
int kumo__global_init(void);
void kumo__global_cleanup(void);

#endif
