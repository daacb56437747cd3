/* chain.h - the ordered middleware and pipeline chains of one crawl, run by index. */
#ifndef KUMO_CHAIN_H
#define KUMO_CHAIN_H

#include "kumo-int.h"
#include "kumo/plugin.h"

typedef struct kumo_chains kumo_chains;

/*
 * Build the three chains from the built-ins and the DOWNLOADER_MIDDLEWARES,
 * SPIDER_MIDDLEWARES and ITEM_PIPELINES settings (JSON objects {"Name": order|null};
 * null disables a built-in; an unknown name is an error), sorted by order, and open every
 * entry.  Returns KUMO_EINVAL with a one-line message in err on a bad setting.
 */
int kumo__chains_open(kumo_crawler *c, kumo_chains **out, char *err, size_t errlen);

/* Close every entry (in reverse order) and free the chains. */
void kumo__chains_close(kumo_chains *ch, kumo_crawler *c);

/* A component's refs hook (kumo_dlmw_def.refs, kumo_pipeline_def.refs). */
typedef void (*kumo_refs_hook)(void *self, kumo_ref_visit_fn visit, void *ctx);

/*
 * For each open downloader middleware, then item pipeline, that has a refs hook:
 * fn(ctx, what it is ("downloader middleware", "item pipeline"), its name, its hook, its
 * state).
 */
void kumo__chains_holders(const kumo_chains *ch,
                          void (*fn)(void *ctx, const char *what, const char *name,
                                     kumo_refs_hook refs, void *self),
                          void *ctx);

/* Write "Enabled downloader middlewares:" style INFO lines listing each chain. */
void kumo__chains_log(const kumo_chains *ch);

/*
 * Downloader side.  kumo__chain_request runs process_request in ascending order:
 * KUMO_OK download req; KUMO_EDONE with *res (a response to use; run kumo__chain_response on
 * it) or *next (schedule it instead); KUMO_EIGNORED drop req.
 * kumo__chain_response runs process_response in descending order on *res (owned by the
 * caller before and after): KUMO_OK *res is final; KUMO_EDONE *next to schedule (*res was
 * released and set NULL); KUMO_EIGNORED dropped (*res released, NULL).
 * kumo__chain_exception runs process_exception in descending order: KUMO_EDECLINED nobody
 * handled err; KUMO_EDONE with *res (run kumo__chain_response on it) or *next.
 */
int kumo__chain_request(kumo_chains *ch, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next);
int kumo__chain_response(kumo_chains *ch, kumo_crawler *c, kumo_request *req,
                        kumo_response **res, kumo_request **next);
int kumo__chain_exception(kumo_chains *ch, kumo_crawler *c, kumo_request *req, int err,
                         kumo_response **res, kumo_request **next);

/* Spider side: KUMO_OK go on, KUMO_EIGNORED drop. res is NULL for start requests. */
int kumo__chain_spider_input(kumo_chains *ch, kumo_crawler *c, kumo_response *res);
int kumo__chain_spider_request(kumo_chains *ch, kumo_crawler *c, kumo_response *res,
                              kumo_request *req);
int kumo__chain_spider_item(kumo_chains *ch, kumo_crawler *c, kumo_response *res,
                           kumo_item *item);

/* Item pipelines in order: KUMO_OK scraped, KUMO_EIGNORED dropped (logged and counted);
 * any other code is a pipeline's error (logged here), the item is neither. */
int kumo__chain_item(kumo_chains *ch, kumo_crawler *c, kumo_item *item);

/*
 * The same from the pipeline at *at (0: the first).  KUMO_EAGAIN: the pipeline at *at
 * holds the item (it returned KUMO_EAGAIN, see kumo_crawler_item_resume()); call
 * kumo__chain_item_resume() with what it decided, which goes on from there.
 */
int kumo__chain_item_from(kumo_chains *ch, kumo_crawler *c, kumo_item *item, size_t *at);
int kumo__chain_item_resume(kumo_chains *ch, kumo_crawler *c, kumo_item *item, size_t *at,
                           int rc);

/* Helpers the built-ins share.  meta may be NULL. */
/* Returns true when meta[key] is set and true as Python sees it (1, "x", [0], True...). */
bool kumo__meta_true(const kumo_map *meta, const char *key);
/* Returns true when v is a list holding n (as an integer, or a string of digits). */
bool kumo__list_has_int(const kumo_value *v, int64_t n);

#endif
