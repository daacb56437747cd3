/* spider.h - the running Spider object: a plugin's definition plus this crawl's state. */
#ifndef KUMO_SPIDER_INT_H
#define KUMO_SPIDER_INT_H

#include "kumo-int.h"
#include "util/vec.h"
#include <pthread.h>

struct kumo_spider {
    kumo_ref ref;                   /* class: the plugin's own ("QuotesSpider") under Spider */
    const kumo_spider_def *def;     /* borrowed: the plugin stays loaded */
    kumo_crawler *c;                /* borrowed */
    kumo_map args;                  /* -a name=value */
    kumo_map state;                 /* the spider's state map (persisted with JOBDIR) */
    char **allowed;                 /* NULL-terminated copy, or NULL: any domain; published
                                     * whole (atomic): the loop's Offsite reads it while a
                                     * callback on a parse thread may add a domain */
    size_t nallowed;                /* spider code only (under the spider's lock) */
    kumo_vec retired;               /* allowed's earlier arrays: freed with the spider */
    char *logger;                   /* the spider's name, its logger */
    pthread_mutex_t lock;           /* held while spider code runs (kumo__spider_lock()) */
};

/*
 * Held while the spider's code runs or its state is read from outside: a callback on a parse
 * thread, a callback, errback or start_requests on the loop thread, the job's checkpoint of
 * the state map, the console.  So a spider's callbacks never run two at a time, on
 * whichever thread.  Recursive.
 */
void kumo__spider_lock(kumo_spider *sp);
void kumo__spider_unlock(kumo_spider *sp);

/* Returns the class name for a spider name: "my_shop" -> "MyShopSpider", into buf. */
const char *kumo__spider_class_name(const char *name, char *buf, size_t n);

/* Returns a new Spider for def (args copied), or NULL with a message in err. */
kumo_spider *kumo__spider_new(const kumo_spider_def *def, kumo_crawler *c, const kumo_map *args);
void kumo__spider_free(kumo_spider *sp);

/* The callback for cb (NULL: the spider's first, or CrawlSpider's parse for a spider with
 * rules), and the name of a callback (or NULL). */
kumo_callback_fn kumo__spider_callback(const kumo_spider *sp, kumo_callback_fn cb);
const char *kumo__spider_callback_name(const kumo_spider *sp, kumo_callback_fn cb);

/* The name eb has in the spider's .errbacks (static), or NULL when it is not listed. */
const char *kumo__spider_errback_name(const kumo_spider *sp, kumo_errback_fn eb);

/* The callback / errback named name in def, or NULL. */
kumo_callback_fn kumo__spider_def_callback(const kumo_spider_def *def, const char *name);
kumo_errback_fn kumo__spider_def_errback(const kumo_spider_def *def, const char *name);

/*
 * Check a definition loaded from a plugin: ABI number, ABI signature, struct size, reserved
 * slots, name and callbacks, then each component it lists as below.  Returns KUMO_OK, or
 * KUMO_EABI or KUMO_EINVAL with a one-line message naming both sides.  err may be NULL / 0.
 */
int kumo__spider_def_check(const kumo_spider_def *def, const char *where, char *err,
                          size_t errlen);

/*
 * Check a component definition's ABI header (number, signature, size) and that its reserved
 * slots are NULL; where is the plugin it came from ('x.so', or "kumo" for a built-in).
 * Returns KUMO_OK, or KUMO_EABI with a one-line message ("downloader middleware 'X' in
 * 'x.so' built for ABI 1, this kumo is 3: rebuild it").  err may be NULL / 0.
 */
struct kumo_dlmw_def;
struct kumo_spmw_def;
struct kumo_pipeline_def;
struct kumo_ext_def;
int kumo__dlmw_def_check(const struct kumo_dlmw_def *d, const char *where, char *err,
                        size_t errlen);
int kumo__spmw_def_check(const struct kumo_spmw_def *d, const char *where, char *err,
                        size_t errlen);
int kumo__pipeline_def_check(const struct kumo_pipeline_def *d, const char *where, char *err,
                            size_t errlen);
int kumo__ext_def_check(const struct kumo_ext_def *d, const char *where, char *err,
                       size_t errlen);

#endif
