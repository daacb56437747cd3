/* kumo/spider.h - what a spider plugin exports, and what its callbacks may call. */
#ifndef KUMO_SPIDER_H
#define KUMO_SPIDER_H

#include <stddef.h>
#include <stdint.h>
#include "kumo/http.h"
#include "kumo/item.h"

/* Bumped whenever kumo_spider_def or any public struct changes incompatibly. */
#define KUMO_ABI 1

#define KUMO_ABI_STR2(x) #x
#define KUMO_ABI_STR(x) KUMO_ABI_STR2(x)
#if defined(__SANITIZE_ADDRESS__)
#define KUMO_ABI_SAN "asan"
#else
#define KUMO_ABI_SAN "nosan"
#endif
/* The build facts a plugin must share with kumo: pointer size, value size, sanitizers. */
#define KUMO_ABI_SIG                                                        \
    "ptr" KUMO_ABI_STR(__SIZEOF_POINTER__) "-long" KUMO_ABI_STR(__SIZEOF_LONG__) "-" KUMO_ABI_SAN

typedef struct kumo_spider kumo_spider;

/* A named callback: names are how requests find their callback again (jobs, logs). */
typedef struct kumo_callback {
    const char *name;
    kumo_callback_fn fn;
} kumo_callback;

/* A named errback, found by name again like a callback (kumo_request_set_errback()). */
typedef struct kumo_errback {
    const char *name;
    kumo_errback_fn fn;
} kumo_errback;

/* Defined in kumo/plugin.h: what a plugin may add to the crawl besides its spider. */
struct kumo_dlmw_def;
struct kumo_spmw_def;
struct kumo_pipeline_def;
struct kumo_ext_def;

/* A setting the spider overrides: {"DOWNLOAD_DELAY", "0.5"}. */
typedef struct kumo_setting {
    const char *name;
    const char *value;
} kumo_setting;

typedef struct kumo_spider_def {
    /* ABI header: filled by KUMO_SPIDER_HEADER, checked by the loader before anything. */
    uint32_t abi;
    const char *abi_sig;
    size_t size;

    const char *name;                       /* `kumo crawl NAME` */
    const char *const *start_urls;          /* NULL-terminated, or NULL */
    const char *const *allowed_domains;     /* NULL-terminated, or NULL: any domain */
    const kumo_callback *callbacks;         /* {NULL, NULL}-terminated; the first is the default */
    const kumo_setting *settings;           /* {NULL, NULL}-terminated, or NULL */

    /*
     * Optional: emit the start requests instead of start_urls (runs once, after .open).
     * Return KUMO_OK, or any other code (a kumo_err such as KUMO_EINVAL) when the crawl
     * cannot start: an ERROR line names the code, the requests already emitted are dropped,
     * the spider closes as "start_requests_failed" and `kumo crawl` exits 1.
     */
    int (*start_requests)(kumo_spider *sp, kumo_out *out);

    /*
     * Optional: called once before the first request (before "Spider opened" is logged).
     * Return KUMO_OK, or any other code when the spider cannot run: an ERROR line names the
     * code, .start_requests does not run, the spider closes as "open_failed" (.close is
     * still called, to free what .open made) and `kumo crawl` exits 1.
     */
    int (*open)(kumo_spider *sp);
    /* Optional: called once at close with the reason ("finished", "open_failed"...). */
    void (*close)(kumo_spider *sp, const char *reason);

    const kumo_errback *errbacks;           /* {NULL, NULL}-terminated, or NULL */

    /*
     * Components this plugin adds (NULL-terminated arrays, or NULL), enabled and ordered by
     * DOWNLOADER_MIDDLEWARES, SPIDER_MIDDLEWARES, ITEM_PIPELINES and EXTENSIONS like the
     * built-ins: each is on at its own order unless a setting gives it another or null.
     */
    const struct kumo_dlmw_def *const *downloader_middlewares;
    const struct kumo_spmw_def *const *spider_middlewares;
    const struct kumo_pipeline_def *const *item_pipelines;
    const struct kumo_ext_def *const *extensions;

    void *reserved[3];                      /* must be NULL: room to grow without a new ABI */
} kumo_spider_def;

#define KUMO_SPIDER_SYMBOL kumo_spider_export
#define KUMO_SPIDER_HEADER .abi = KUMO_ABI, .abi_sig = KUMO_ABI_SIG, .size = sizeof(kumo_spider_def)
#define KUMO_SPIDER const kumo_spider_def KUMO_SPIDER_SYMBOL
#define KUMO_LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define KUMO_SETTINGS(...) ((const kumo_setting[]){__VA_ARGS__, {NULL, NULL}})

/* KUMO_CALLBACKS(parse, parse_author): each function with its own name.
 * KUMO_ERRBACKS(on_error) lists errbacks the same way. */
#define KUMO_CB_(f) {#f, f},
#define KUMO_CB_1(a) KUMO_CB_(a)
#define KUMO_CB_2(a, ...) KUMO_CB_(a) KUMO_CB_1(__VA_ARGS__)
#define KUMO_CB_3(a, ...) KUMO_CB_(a) KUMO_CB_2(__VA_ARGS__)
#define KUMO_CB_4(a, ...) KUMO_CB_(a) KUMO_CB_3(__VA_ARGS__)
#define KUMO_CB_5(a, ...) KUMO_CB_(a) KUMO_CB_4(__VA_ARGS__)
#define KUMO_CB_6(a, ...) KUMO_CB_(a) KUMO_CB_5(__VA_ARGS__)
#define KUMO_CB_7(a, ...) KUMO_CB_(a) KUMO_CB_6(__VA_ARGS__)
#define KUMO_CB_8(a, ...) KUMO_CB_(a) KUMO_CB_7(__VA_ARGS__)
#define KUMO_CB_N(_1, _2, _3, _4, _5, _6, _7, _8, N, ...) N
#define KUMO_CALLBACKS(...)                                                 \
    ((const kumo_callback[]){KUMO_CB_N(__VA_ARGS__, KUMO_CB_8, KUMO_CB_7, KUMO_CB_6, KUMO_CB_5, \
                                       KUMO_CB_4, KUMO_CB_3, KUMO_CB_2, KUMO_CB_1)(__VA_ARGS__) \
                             {NULL, NULL}})
#define KUMO_ERRBACKS(...)                                                  \
    ((const kumo_errback[]){KUMO_CB_N(__VA_ARGS__, KUMO_CB_8, KUMO_CB_7, KUMO_CB_6, KUMO_CB_5, \
                                      KUMO_CB_4, KUMO_CB_3, KUMO_CB_2, KUMO_CB_1)(__VA_ARGS__) \
                            {NULL, NULL}})

/* ---- the running spider ---- */

/* The spider's -a argument name, or def when not given.  Borrowed. */
const char *kumo_spider_arg(kumo_spider *sp, const char *name, const char *def);

/* The effective setting name, or def.  Borrowed. */
const char *kumo_spider_setting(kumo_spider *sp, const char *name, const char *def);

/* The spider's name.  Borrowed. */
const char *kumo_spider_name(kumo_spider *sp);

/*
 * The spider's state map, for the spider to read and write (Scrapy's spider.state):
 * with JOBDIR it is saved at checkpoints and at close and comes back when the job
 * resumes.  Values must be plain (numbers, strings, lists): one holding an object is
 * not saved.  Borrowed, valid while the spider runs.
 */
kumo_map *kumo_spider_state(kumo_spider *sp);

/*
 * Allow one more domain (and its subdomains) for the offsite filter, for spiders that
 * decide their domains at open (from an argument).
 */
void kumo_spider_allow_domain(kumo_spider *sp, const char *domain);

/*
 * The usual start of a spider that takes its start url on the command line: read -a url
 * (def when not given), allow that url's host for the offsite filter unless the spider
 * allows domains already, and emit a request for it with cb.  Returns KUMO_OK, or
 * KUMO_EINVAL / KUMO_EURL / KUMO_ESCHEME with an ERROR line naming the url.
 */
int kumo_start_from_arg(kumo_spider *sp, kumo_out *out, const char *def, kumo_callback_fn cb);

/* The spider that produced res / owns out.  Borrowed. */
kumo_spider *kumo_response_spider(kumo_response *res);
kumo_spider *kumo_out_spider(kumo_out *out);

/* Log a line under the spider's logger ("[quotes] INFO: ..."). level: "DEBUG", "INFO"... */
void kumo_spider_log(kumo_spider *sp, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- emitting results from a callback ---- */

/* Emit a request; takes ownership (NULL is ignored, so kumo_response_follow() chains). */
void kumo_yield_request(kumo_out *out, kumo_request *req);

/* Emit an item; takes ownership. */
void kumo_yield_item(kumo_out *out, kumo_item *item);

/* Follow href relative to res with cb: kumo_response_follow() + kumo_yield_request(). */
void kumo_follow(kumo_out *out, kumo_response *res, const char *href, kumo_callback_fn cb);

#endif
