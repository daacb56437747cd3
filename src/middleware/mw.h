/* mw.h - downloader middlewares, spider middlewares and item pipelines: ordered chains. */
#ifndef KUMO_MW_H
#define KUMO_MW_H

#include "kumo-int.h"

/*
 * Return codes (STYLE §10):
 *   KUMO_OK         go on to the next entry
 *   KUMO_EDECLINED  not mine (process_exception: let the next one look)
 *   KUMO_EDONE      short-circuit: a response in *res, or a new request in *next
 *   KUMO_EIGNORED   drop this request / response / output (the entry logged and counted why)
 */

/* A downloader middleware.  Every hook is optional. */
typedef struct kumo_dlmw_def {
    const char *name;           /* the key in DOWNLOADER_MIDDLEWARES: "Retry" */
    int order;                  /* Scrapy's default order */
    /* Set *self (may stay NULL); KUMO_EDECLINED keeps it out of the chain (disabled). */
    int (*open)(kumo_crawler *c, void **self);
    void (*close)(void *self, kumo_crawler *c);
    /*
     * Called in ascending order before the download.  KUMO_EDONE with *res: that response
     * is used instead of downloading (it then passes the process_response hooks); with
     * *next: the request is dropped and *next is scheduled.  KUMO_EIGNORED: dropped.
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
} kumo_dlmw_def;

/* A spider middleware.  Every hook is optional. */
typedef struct kumo_spmw_def {
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
} kumo_spmw_def;

/* An item pipeline. */
typedef struct kumo_pipeline_def {
    const char *name;           /* the key in ITEM_PIPELINES */
    int order;
    int (*open)(kumo_crawler *c, void **self);
    void (*close)(void *self, kumo_crawler *c);
    /* KUMO_OK keeps the item (it may be changed), KUMO_EDONE drops it (DropItem). */
    int (*process_item)(void *self, kumo_crawler *c, kumo_item *item);
} kumo_pipeline_def;

/* The built-ins, one file each in src/middleware/, listed in builtin.c. */
extern const kumo_dlmw_def kumo_dlmw_useragent, kumo_dlmw_defaultheaders,
    kumo_dlmw_downloadtimeout, kumo_dlmw_retry, kumo_dlmw_redirect, kumo_dlmw_httpcompression,
    kumo_dlmw_stats;
extern const kumo_spmw_def kumo_spmw_httperror, kumo_spmw_offsite, kumo_spmw_referer,
    kumo_spmw_urllength, kumo_spmw_depth;

/* The built-in tables (builtin.c), in listing order, NULL-terminated. */
extern const kumo_dlmw_def *const kumo_builtin_dlmws[];
extern const kumo_spmw_def *const kumo_builtin_spmws[];
extern const kumo_pipeline_def *const kumo_builtin_pipelines[];

/* Helpers the built-ins share (chain.c).  meta may be NULL. */
/* Returns true when meta[key] is set and true as Python sees it (1, "x", [0], True...). */
bool kumo__meta_true(const kumo_map *meta, const char *key);
/* Returns true when v is a list holding n (as an integer, or a string of digits). */
bool kumo__list_has_int(const kumo_value *v, int64_t n);

#endif
