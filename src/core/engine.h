/* engine.h - the execution engine: start requests, scheduler, downloader, scraper. */
#ifndef KUMO_ENGINE_H
#define KUMO_ENGINE_H

#include "kumo-int.h"
#include "util/buf.h"
#include "util/timing.h"

/* Returns a new engine for c (scheduler, downloader, chains), or NULL with err filled. */
kumo_engine *kumo__engine_new(kumo_crawler *c, char *err, size_t errlen);
void kumo__engine_free(kumo_engine *e);

/*
 * Open the spider (its .open, then its .start_requests) and start crawling on the next loop
 * turn.  When either fails the spider closes as "open_failed" / "start_requests_failed"
 * and kumo__engine_start_error() tells what it returned.
 */
int kumo__engine_open(kumo_engine *e);

/* What the spider's .open or .start_requests returned when it failed, else KUMO_OK. */
int kumo__engine_start_error(const kumo_engine *e);

/* The engine's downloader (borrowed; an immediate close replaces it). */
kumo_downloader *kumo__engine_downloader(const kumo_engine *e);

/* Schedule req through the scheduler (takes ownership). */
void kumo__engine_crawl(kumo_engine *e, kumo_request *req);

/*
 * Parking (for downloader middlewares that must wait, as RobotsTxt waits for robots.txt):
 * a process_request hook that returns KUMO_EAGAIN keeps req (it takes its own reference)
 * and hands it back later with kumo__engine_resume().  Meanwhile the engine counts req as
 * in progress: the spider does not close, and with JOBDIR req stays in the job's queue.
 * Resuming runs req through the downloader middlewares again from the first one, so the
 * middleware sees it a second time and now decides (KUMO_OK, KUMO_EIGNORED...).
 * kumo__engine_resume() does not take the middleware's reference: the middleware unrefs
 * req after the call.  go false: req is finished without a download (as if ignored).
 * A middleware must resume every request it parked once it can decide (kumo__engine_download()
 * always calls back, even when the crawl closes), and unref in its close hook the ones it
 * still holds then (only after an immediate close).
 */
void kumo__engine_resume(kumo_engine *e, kumo_request *req, bool go);

/*
 * A pipeline that returned KUMO_EAGAIN for item decided rc (KUMO_OK, KUMO_EIGNORED or an
 * error): the pipelines after it run on KUMO_OK, then the item is scraped or dropped as
 * usual.  The spider does not close while items wait.  After the engine closed the item is
 * just let go.  Returns KUMO_OK, or KUMO_ENOENT when item is not held.
 */
int kumo__engine_item_resume(kumo_engine *e, kumo_item *item, int rc);

/*
 * Download req (takes ownership) through the downloader middlewares and the downloader,
 * outside the scheduler and the spider (Scrapy's engine.download()): for a middleware's own
 * requests, as robots.txt.  done(ctx, ...) is called exactly once, also when the crawl
 * closes first (with KUMO_ECANCELED).  The spider stays open until it is called.
 */
void kumo__engine_download(kumo_engine *e, kumo_request *req, kumo_download_fn done,
                          void *ctx);

/*
 * Look at the scheduler again on the next loop turn: a backend whose requests arrive
 * asynchronously (Redis) calls it when it has some, or when its length changed.  e may be
 * NULL (the engine is not built yet).
 */
void kumo__engine_wake(kumo_engine *e);

/*
 * Close the spider with reason ("finished", "shutdown", "closespider_itemcount"...):
 * nothing new is downloaded, transfers in flight finish and are scraped, then it closes.
 * The first reason given wins.
 */
void kumo__engine_close(kumo_engine *e, const char *reason);

/* Close at once: transfers in flight are aborted. */
void kumo__engine_close_now(kumo_engine *e, const char *reason);

bool kumo__engine_closed(const kumo_engine *e);

/* True while start requests remain to be taken (a shared queue's worker is not idle then). */
bool kumo__engine_starts_left(const kumo_engine *e);
bool kumo__engine_closing(const kumo_engine *e);

/* The close reason once closing ("finished"...), else NULL.  Borrowed, valid until
 * kumo__engine_free(). */
const char *kumo__engine_reason(const kumo_engine *e);

/* Pause and resume downloading (transfers in flight go on). */
void kumo__engine_pause(kumo_engine *e);
void kumo__engine_unpause(kumo_engine *e);
bool kumo__engine_paused(const kumo_engine *e);

/* Engine status, for est() and tests. */
typedef struct kumo_engine_status {
    size_t downloader_active, downloader_transferring, downloader_slots;
    size_t scheduler_len, start_requests_left;
    bool needs_backout, closing, paused, idle;
    size_t scraper_active_size;     /* bytes of responses between download and callback */
    bool scraper_needs_backout;     /* past SCRAPER_SLOT_MAX_ACTIVE_SIZE */
    double loop_lag_max_ms;         /* engine/loop_lag_max_ms */
    int loop_lag_p99_ms;            /* upper bound of the p99 bucket; -1: the open one */
    uint64_t loop_lag_samples;
} kumo_engine_status;
void kumo__engine_status_get(const kumo_engine *e, kumo_engine_status *st);

/* Where the time went since the engine opened: microseconds per stage (util/timing.h),
 * summed over the threads, and the responses received since (the pages they are per; a
 * resumed job's stats hold the earlier runs' too). */
typedef struct kumo_engine_timing {
    uint64_t us[KUMO_STAGE_N];
    int64_t pages;
} kumo_engine_timing;
void kumo__engine_timing(const kumo_engine *e, kumo_engine_timing *t);

/*
 * Append Scrapy 2.8's print_engine_status() text: "Execution engine status", a blank line,
 * the 14 rows "%-47s : %s" (time()-engine.start_time, len(engine.downloader.active), ...
 * engine.scraper.slot.needs_backout()), a blank line, then kumo's rows
 * "timing/STAGE_us : N (X per page)" for parse, callback, select, engine and download, a
 * blank line, then kumo's loop lag lines: "loop lag (ms)  max M  p99 <B  samples N", the
 * histogram "  <1:N <2:N ... >=500:N", and a blank line.
 */
void kumo__engine_status_format(const kumo_engine *e, kumo_buf *out);

#endif
