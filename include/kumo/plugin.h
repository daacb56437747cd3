/* kumo/plugin.h - components a plugin adds to a crawl: middlewares, pipelines, extensions. */
#ifndef KUMO_PLUGIN_H
#define KUMO_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kumo/http.h"
#include "kumo/item.h"
#include "kumo/spider.h"

/*
 * A plugin (a spider .so) may add downloader middlewares, spider middlewares, item
 * pipelines and extensions through its kumo_spider_def (.downloader_middlewares,
 * .spider_middlewares, .item_pipelines, .extensions: NULL-terminated arrays of pointers to
 * the defs below).  Each is on at its def's order (extensions: 0, after the built-ins)
 * unless DOWNLOADER_MIDDLEWARES, SPIDER_MIDDLEWARES, ITEM_PIPELINES or EXTENSIONS names it
 * by its def name with another order, or with null or -1 to disable it.  The hooks run on
 * the crawl's loop thread; every pointer they get is borrowed for the call unless said.
 */

struct event_base;

/*
 * Every definition below starts with the ABI header that kumo_spider_def has (abi, abi_sig,
 * size; KUMO_SPIDER_HEADER) and ends with spare slots that must stay NULL.  Make its header
 * macro the first line of the definition:
 *     static const kumo_pipeline_def price = {KUMO_PIPELINE_HEADER, .name = "Price", ...};
 * The loader refuses a definition without it, or built for another ABI or build, with one
 * line: "item pipeline 'Price' in 'x.so' built for ABI 1, this kumo is 3: rebuild it".
 */
#define KUMO_COMPONENT_HEADER(type) .abi = KUMO_ABI, .abi_sig = KUMO_ABI_SIG, .size = sizeof(type)
#define KUMO_DLMW_HEADER KUMO_COMPONENT_HEADER(kumo_dlmw_def)
#define KUMO_SPMW_HEADER KUMO_COMPONENT_HEADER(kumo_spmw_def)
#define KUMO_PIPELINE_HEADER KUMO_COMPONENT_HEADER(kumo_pipeline_def)
#define KUMO_EXT_HEADER KUMO_COMPONENT_HEADER(kumo_ext_def)

/* The running crawl, as components see it (opaque). */
typedef struct kumo_crawler kumo_crawler;

/*
 * Return codes (STYLE §10):
 *   KUMO_OK         go on to the next entry
 *   KUMO_EDECLINED  not mine (process_exception: let the next one look)
 *   KUMO_EDONE      short-circuit: a response in *res, or a new request in *next
 *   KUMO_EIGNORED   drop this request / response / output / item (the entry logged and
 *                   counted why): the one word for "dropped" in every chain
 * Any other code is an error.  An item pipeline has no short-circuit: KUMO_EDONE from its
 * process_item is an error (it meant "dropped" before ABI 3), not a drop.
 */

/* A downloader middleware.  Every hook is optional. */
typedef struct kumo_dlmw_def {
    /* ABI header: filled by KUMO_DLMW_HEADER, checked by the loader before anything. */
    uint32_t abi;
    const char *abi_sig;
    size_t size;

    const char *name;           /* the key in DOWNLOADER_MIDDLEWARES: "Retry" */
    int order;                  /* Scrapy's default order */
    /* Set *self (may stay NULL); KUMO_EDECLINED keeps it out of the chain (disabled). */
    int (*open)(kumo_crawler *c, void **self);
    void (*close)(void *self, kumo_crawler *c);
    /*
     * Called in ascending order before the download.  KUMO_EDONE with *res: that response
     * is used instead of downloading (it then passes the process_response hooks); with
     * *next: the request is dropped and *next is scheduled.  KUMO_EIGNORED: dropped (its
     * errback gets IgnoreRequest).  KUMO_EAGAIN: parked (see kumo_crawler_resume()).
     */
    int (*process_request)(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                           kumo_request **next);
    /*
     * Called in descending order with the response (owned by the chain: to replace it,
     * unref *res and store a new reference).  KUMO_EDONE with *next: schedule *next instead
     * (the chain unrefs *res).  KUMO_EIGNORED: dropped.
     */
    int (*process_response)(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                            kumo_request **next);
    /*
     * Called in descending order when the download failed with err (KUMO_ETIMEDOUT,
     * KUMO_ECONNREFUSED, KUMO_ETOOBIG...).  KUMO_EDECLINED: not mine.  KUMO_EDONE with *res
     * or *next as above.
     */
    int (*process_exception)(void *self, kumo_crawler *c, kumo_request *req, int err,
                             kumo_response **res, kumo_request **next);
    /* Optional: report every request (or other tracked object) the middleware keeps, as
     * kumo_pipeline_def.refs below does (RobotsTxt: the requests parked for robots.txt). */
    void (*refs)(void *self, kumo_ref_visit_fn visit, void *ctx);

    void *reserved[3];          /* must be NULL: room to grow without a new ABI */
} kumo_dlmw_def;

/* A spider middleware.  Every hook is optional. */
typedef struct kumo_spmw_def {
    /* ABI header: filled by KUMO_SPMW_HEADER, checked by the loader before anything. */
    uint32_t abi;
    const char *abi_sig;
    size_t size;

    const char *name;           /* the key in SPIDER_MIDDLEWARES: "Offsite" */
    int order;
    int (*open)(kumo_crawler *c, void **self);
    void (*close)(void *self, kumo_crawler *c);
    /* Before the callback: KUMO_OK, or KUMO_EIGNORED to drop the response. */
    int (*process_spider_input)(void *self, kumo_crawler *c, kumo_response *res);
    /* Each request a callback emitted (res is the response it came from, NULL for start
     * requests): KUMO_OK keeps it (it may be changed), KUMO_EIGNORED drops it. */
    int (*process_request)(void *self, kumo_crawler *c, kumo_response *res, kumo_request *req);
    /* Each item a callback emitted: KUMO_OK keeps it, KUMO_EIGNORED drops it. */
    int (*process_item)(void *self, kumo_crawler *c, kumo_response *res, kumo_item *item);

    void *reserved[4];          /* must be NULL: room to grow without a new ABI */
} kumo_spmw_def;

/* An item pipeline: open/close are Scrapy's open_spider/close_spider (close runs when the
 * spider closes, before the stats are dumped). */
typedef struct kumo_pipeline_def {
    /* ABI header: filled by KUMO_PIPELINE_HEADER, checked by the loader before anything. */
    uint32_t abi;
    const char *abi_sig;
    size_t size;

    const char *name;           /* the key in ITEM_PIPELINES */
    int order;
    int (*open)(kumo_crawler *c, void **self);
    void (*close)(void *self, kumo_crawler *c);
    /* KUMO_OK keeps the item (it may be changed), KUMO_EIGNORED drops it (DropItem): give
     * the reason with `return kumo_item_drop(item, "...")`.  KUMO_EAGAIN: the pipeline
     * holds the item (it takes a reference) and decides later with
     * kumo_crawler_item_resume() (Scrapy's pipelines that return a Deferred).  Any other
     * code is an error: the item is neither scraped nor dropped and an ERROR line names
     * the code. */
    int (*process_item)(void *self, kumo_crawler *c, kumo_item *item);
    /*
     * Optional: report every item (or other tracked object) the pipeline keeps, through
     * visit (kumo/ref.h), place naming where in self (".kept[3]"; a kumo list value:
     * kumo_val_refs(&kept, ".kept", visit, ctx); a C array: visit(ctx, ".kept[3]",
     * (kumo_ref *)item), the tracking header being every object's first member).  The
     * console's holders() and paths() and LeakWatch then name the pipeline instead of
     * "held elsewhere".  Called on the loop thread, only when someone asks.
     */
    void (*refs)(void *self, kumo_ref_visit_fn visit, void *ctx);

    void *reserved[3];          /* must be NULL: room to grow without a new ABI */
} kumo_pipeline_def;

/* An extension: lives for one crawl and acts on its signals. */
typedef struct kumo_ext_def {
    /* ABI header: filled by KUMO_EXT_HEADER, checked by the loader before anything. */
    uint32_t abi;
    const char *abi_sig;
    size_t size;

    const char *name;
    /* Connect to signals, set *self; KUMO_EDECLINED: disabled by its settings. */
    int (*open)(kumo_crawler *c, void **self, char *err, size_t errlen);
    void (*close)(void *self, kumo_crawler *c);

    void *reserved[4];          /* must be NULL: room to grow without a new ABI */
} kumo_ext_def;

/* ---- what a component may ask of the crawl ---- */

/*
 * Settings.  A built-in setting's default lives only in kumo's settings table (conf/kumo.conf
 * lists them all), so the getters take no default:
 *
 * kumo_crawler_setting*() read a built-in setting (effective value: defaults < conf < spider
 * < -s), or a plugin's own name once the spider's .settings, the conf file or -s set it.
 * Any other name is a programming error: kumo prints it and aborts (kumo_assert, on in
 * every build).  Returns the value as text (NULL when unset: borrowed, valid until the
 * setting changes), or as an integer, a float or a boolean (0/1/true/false/yes/no/on/off):
 * 0, 0.0 or false when unset or when it does not parse as one.
 */
const char *kumo_crawler_setting(kumo_crawler *c, const char *name);
int64_t kumo_crawler_setting_int(kumo_crawler *c, const char *name);
double kumo_crawler_setting_float(kumo_crawler *c, const char *name);
bool kumo_crawler_setting_bool(kumo_crawler *c, const char *name);

/*
 * A plugin's own settings, with the plugin's default: name as set by the spider, the conf
 * file or -s, else def (also when it does not parse as the type asked for).  name must not
 * be a built-in setting (kumo_assert: a built-in's default is kumo's, read it with the
 * getters above).  The text is borrowed, valid until the setting changes (def: the
 * caller's).
 */
const char *kumo_crawler_setting_or(kumo_crawler *c, const char *name, const char *def);
int64_t kumo_crawler_setting_int_or(kumo_crawler *c, const char *name, int64_t def);
double kumo_crawler_setting_float_or(kumo_crawler *c, const char *name, double def);
bool kumo_crawler_setting_bool_or(kumo_crawler *c, const char *name, bool def);

/*
 * Split a list setting (a JSON list or comma-separated text; same rule on names as
 * kumo_crawler_setting()) into items: returns how many the setting holds, storing at most
 * max of them in out as new strings the caller frees with kumo_free() each (out may be NULL
 * with max 0, to count).
 */
size_t kumo_crawler_setting_list(kumo_crawler *c, const char *name, char **out, size_t max);

/*
 * For a dict setting of component orders ({"Name": order|null}, e.g. SPIDER_MIDDLEWARES;
 * same rule on names as kumo_crawler_setting()): returns 1 and sets *order when it gives
 * name a number, 1 and sets *disabled = true when it gives name null, 0 when it does not
 * mention name.
 */
int kumo_crawler_setting_dict_order(kumo_crawler *c, const char *setting, const char *name,
                                    int *order, bool *disabled);

/* The crawl's stats (Scrapy's crawler.stats), dumped at close.  Keys are copied. */
void kumo_crawler_stats_inc(kumo_crawler *c, const char *key, int64_t n);
/* Increment the key formatted from fmt by n: ("retry/reason_count/%s", why). */
void kumo_crawler_stats_incf(kumo_crawler *c, int64_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kumo_crawler_stats_set_int(kumo_crawler *c, const char *key, int64_t v);
void kumo_crawler_stats_set_float(kumo_crawler *c, const char *key, double v);
void kumo_crawler_stats_set_str(kumo_crawler *c, const char *key, const char *v);
/* Keep the larger / smaller of the current value and v (Scrapy's max_value/min_value). */
void kumo_crawler_stats_max(kumo_crawler *c, const char *key, int64_t v);
void kumo_crawler_stats_min(kumo_crawler *c, const char *key, int64_t v);
/* Returns the integer value of key, or def. */
int64_t kumo_crawler_stats_get_int(kumo_crawler *c, const char *key, int64_t def);
/* Returns the value of key, or NULL.  Borrowed, valid until the stat changes. */
const kumo_value *kumo_crawler_stats_get(kumo_crawler *c, const char *key);

/* The running spider (for kumo_spider_arg(), kumo_spider_state()...).  Borrowed, valid
 * while the crawl lives. */
kumo_spider *kumo_crawler_spider(kumo_crawler *c);

/* Log a line under logger ("[logger] LEVEL: ..."), level "DEBUG", "INFO", "WARNING",
 * "ERROR" or "CRITICAL" (anything else: INFO).  Counts in log_count/LEVEL like every line. */
void kumo_crawler_log(kumo_crawler *c, const char *logger, const char *level,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Schedule req (takes ownership) through the scheduler as if the spider had yielded it
 * (Scrapy's engine.crawl()); it skips the spider middlewares.  Returns KUMO_OK, or
 * KUMO_ECANCELED when the crawl is not running yet or is closing (req is released).
 */
int kumo_crawler_crawl(kumo_crawler *c, kumo_request *req);

/*
 * Called once when a kumo_crawler_download() ends: with the response (borrowed, after the
 * downloader middlewares' process_response hooks) and KUMO_OK, or with NULL and the error
 * (KUMO_ECANCELED when the crawl closed first).
 */
typedef void (*kumo_download_fn)(void *ctx, kumo_request *req, kumo_response *res, int err);

/*
 * Download req (takes ownership) through the downloader middlewares and the downloader but
 * not the scheduler or the spider (Scrapy's engine.download()): a middleware's own request,
 * as RobotsTxt fetches robots.txt.  done(ctx, ...) is called exactly once; the spider stays
 * open until then.
 */
void kumo_crawler_download(kumo_crawler *c, kumo_request *req, kumo_download_fn done,
                           void *ctx);

/*
 * Parking.  A downloader middleware's process_request may return KUMO_EAGAIN after taking
 * its own reference to req: the request waits (it counts as in progress, and with JOBDIR
 * stays in the job) until the middleware calls kumo_crawler_resume(c, req, go) and then
 * drops its reference.  go true: req passes the downloader middlewares again from the
 * first, which decide anew; go false: req is finished without a download.  Resume every
 * parked request once you can decide (a kumo_crawler_download() always calls back).
 */
void kumo_crawler_resume(kumo_crawler *c, kumo_request *req, bool go);

/*
 * An item pipeline's process_item that returned KUMO_EAGAIN (after kumo_item_ref(item))
 * says what it decided: rc KUMO_OK (the next pipelines run, then the item is scraped),
 * KUMO_EIGNORED (dropped, as kumo_item_drop()) or an error code (logged, neither).  Then
 * unref your reference.  The spider stays open while items wait in pipelines; an item the
 * crawl closed on (an immediate stop) is let go.  Returns KUMO_OK, or KUMO_ENOENT when
 * item is not held.
 */
int kumo_crawler_item_resume(kumo_crawler *c, kumo_item *item, int rc);

/* Close the spider with reason ("finished", "my_limit"...): Scrapy's
 * engine.close_spider(spider, reason).  The first reason given wins; no-op before the
 * crawl runs. */
void kumo_crawler_close_spider(kumo_crawler *c, const char *reason);

/*
 * The crawl's libevent loop, for a component's timers (event_new(base, ...)); events must
 * be freed by the component's close hook.  Borrowed, valid while the crawl lives.
 */
struct event_base *kumo_crawler_event_base(kumo_crawler *c);

/* ---- the crawl's state, read-only (Scrapy's engine status) ---- */

/* kumo_now() when the crawl started running, 0 before. */
double kumo_crawler_start_time(kumo_crawler *c);

/* Whether the crawl continues a persistent job (JOBDIR) that an earlier run left: output
 * that appends (feeds) repairs what a kill may have torn. */
bool kumo_crawler_resumed(kumo_crawler *c);

/* Requests waiting in the scheduler: 0 before the engine is built. */
size_t kumo_crawler_scheduled(kumo_crawler *c);

/* Requests in the downloader, queued in its slots or transferring: 0 before the engine is
 * built. */
size_t kumo_crawler_downloading(kumo_crawler *c);

/* ---- download slots (what AutoThrottle adjusts) ---- */

/* Returns the delay in seconds (before randomization) of the download slot called slot
 * (a request's meta['download_slot']), or -1 when there is no such slot. */
double kumo_crawler_slot_delay(kumo_crawler *c, const char *slot);

/* Set slot's delay in seconds; returns KUMO_OK, or KUMO_ENOENT when there is no such slot
 * (or no engine yet). */
int kumo_crawler_set_slot_delay(kumo_crawler *c, const char *slot, double delay);

/* Returns the transfers in flight in slot (0 when there is no such slot). */
size_t kumo_crawler_slot_transferring(kumo_crawler *c, const char *slot);

/* ---- dropping items ---- */

/*
 * Give the reason an item pipeline drops item (Scrapy's DropItem("reason")) and return
 * KUMO_EIGNORED, so a process_item hook ends with `return kumo_item_drop(item, "no price");`.
 * The crawl then logs WARNING "Dropped: REASON" and the item as JSON, and counts
 * item_dropped_count and item_dropped_reasons_count/DropItem.  A hook that returns
 * KUMO_EIGNORED without calling this drops with an empty reason.
 */
int kumo_item_drop(kumo_item *item, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The reason item was dropped for ("" when its pipeline gave none), from the drop until
 * another item is dropped or item is freed (so during its item_dropped signal); else NULL.
 * Borrowed, valid until then. */
const char *kumo_item_drop_reason(const kumo_item *item);

/* ---- signals (Scrapy's crawler.signals.connect) ---- */

/* What each signal passes as arg. */
typedef enum kumo_crawler_signal {
    KUMO_SIGNAL_SPIDER_OPENED,      /* NULL */
    KUMO_SIGNAL_SPIDER_IDLE,        /* NULL */
    KUMO_SIGNAL_SPIDER_CLOSED,      /* const char *reason */
    KUMO_SIGNAL_REQUEST_SCHEDULED,  /* kumo_request * */
    KUMO_SIGNAL_REQUEST_DROPPED,    /* kumo_request * (the dupefilter or the queue refused) */
    KUMO_SIGNAL_RESPONSE_RECEIVED,  /* kumo_response * */
    KUMO_SIGNAL_ITEM_SCRAPED,       /* kumo_item * */
    KUMO_SIGNAL_ITEM_DROPPED,       /* kumo_item * (kumo_item_drop_reason() tells why) */
    KUMO_SIGNAL_SPIDER_ERROR,       /* kumo_response *, NULL for a failed download */
    KUMO_SIGNAL_REQUEST_PROCESSED,  /* kumo_request *: every output of it was handled */
    KUMO_SIGNAL_RESPONSE_DOWNLOADED, /* kumo_response *, just downloaded, before the
                                     * downloader middlewares see it (AutoThrottle) */
    KUMO_SIGNAL_COUNT               /* not a signal: new ones are added before it */
} kumo_crawler_signal;

/* A signal handler: ctx as connected, arg as listed above (borrowed for the call). */
typedef void (*kumo_crawler_signal_fn)(void *ctx, kumo_crawler *c, void *arg);

/*
 * Call fn(ctx, c, arg) every time sig is sent, after the handlers connected before it,
 * until the crawl ends (there is no disconnect: connect in an open hook, with a ctx that
 * lives until the close hook).  Returns KUMO_OK, or KUMO_EINVAL for an unknown sig or a
 * NULL fn.
 */
int kumo_crawler_connect(kumo_crawler *c, kumo_crawler_signal sig, kumo_crawler_signal_fn fn,
                         void *ctx);

#endif
