/* engine.h - the execution engine: start requests, scheduler, downloader, scraper. */
#ifndef KUMO_ENGINE_H
#define KUMO_ENGINE_H

#include "kumo-int.h"
#include "util/buf.h"

/* Returns a new engine for c (scheduler, downloader, chains), or NULL with err filled. */
kumo_engine *kumo_engine_new(kumo_crawler *c, char *err, size_t errlen);
void kumo_engine_free(kumo_engine *e);

/* Open the spider and start crawling on the next loop turn. */
int kumo_engine_open(kumo_engine *e);

/* Schedule req through the scheduler (takes ownership). */
void kumo_engine_crawl(kumo_engine *e, kumo_request *req);

/*
 * Close the spider with reason ("finished", "shutdown", "closespider_itemcount"...):
 * nothing new is downloaded, transfers in flight finish and are scraped, then it closes.
 * The first reason given wins.
 */
void kumo_engine_close(kumo_engine *e, const char *reason);

/* Close at once: transfers in flight are aborted. */
void kumo_engine_close_now(kumo_engine *e, const char *reason);

bool kumo_engine_closed(const kumo_engine *e);
bool kumo_engine_closing(const kumo_engine *e);

/* Pause and resume downloading (transfers in flight go on). */
void kumo_engine_pause(kumo_engine *e);
void kumo_engine_unpause(kumo_engine *e);
bool kumo_engine_paused(const kumo_engine *e);

/* Engine status, for est() and tests. */
typedef struct kumo_engine_status {
    size_t downloader_active, downloader_transferring, downloader_slots;
    size_t scheduler_len, start_requests_left;
    bool needs_backout, closing, paused, idle;
} kumo_engine_status;
void kumo_engine_status_get(const kumo_engine *e, kumo_engine_status *st);

/*
 * Append Scrapy 2.8's print_engine_status() text: "Execution engine status", a blank line,
 * the 14 rows "%-47s : %s" (time()-engine.start_time, len(engine.downloader.active), ...
 * engine.scraper.slot.needs_backout()), then a blank line.
 */
void kumo_engine_status_format(const kumo_engine *e, kumo_buf *out);

#endif
