/* crawler.h - one crawl: settings, stats, spider, engine, loop. */
#ifndef KUMO_CRAWLER_H
#define KUMO_CRAWLER_H

#include "kumo-int.h"

struct event_base;

/*
 * Core-internal accessors (jobs, console views, cli and core itself; components use the
 * kumo_crawler_* API of kumo/plugin.h).  Each is borrowed, valid while the crawl lives.
 */
kumo_settings *kumo__crawler_settings(kumo_crawler *c);
kumo_stats *kumo__crawler_stats(kumo_crawler *c);
struct kumo_signals *kumo__crawler_signals(kumo_crawler *c);
kumo_engine *kumo__crawler_engine(kumo_crawler *c);     /* NULL until built */
const kumo_spider_def *kumo__crawler_def(kumo_crawler *c);
/* kumo_now() when the crawl started (0 before); set it when driving the loop yourself. */
double kumo__crawler_start_time(kumo_crawler *c);
void kumo__crawler_set_start_time(kumo_crawler *c, double t);
/* The crawl's loop: NULL for a bare crawler until kumo__crawler_set_base().  Borrowed. */
struct event_base *kumo__crawler_base(kumo_crawler *c);

/*
 * Returns a new bare crawler (for tests and tools that drive the parts themselves): settings
 * (takes ownership; NULL: a fresh table) as given, no spider settings applied, new stats and
 * signals, a running spider for def (none for NULL), and no loop, job, extension or engine.
 * kumo__crawler_free() frees it.
 */
kumo_crawler *kumo__crawler_new_bare(kumo_settings *settings, const kumo_spider_def *def);

/* Replace the spider of c by one for def with the spider arguments args (copied; may be
 * NULL), or by none for def NULL. */
void kumo__crawler_set_spider(kumo_crawler *c, const kumo_spider_def *def,
                              const kumo_map *args);

/* Give a bare crawler the loop base (borrowed, valid until kumo__crawler_free()). */
void kumo__crawler_set_base(kumo_crawler *c, struct event_base *base);

/* Build the engine of a bare crawler that has a loop; returns KUMO_OK or a code with a
 * one-line message in err.  kumo__crawler_free() frees the engine. */
int kumo__crawler_open_engine(kumo_crawler *c, char *err, size_t errlen);

#endif

/*
 * Returns a new crawler for def with settings (takes ownership: applied on top are the
 * spider's own settings) and the spider arguments args (copied; may be NULL), or NULL with
 * a one-line message in err.
 */
kumo_crawler *kumo__crawler_new(const kumo_spider_def *def, kumo_settings *settings,
                               const kumo_map *args, char *err, size_t errlen);

/*
 * Run the crawl until the spider closes.  SIGINT: first graceful, second immediate.
 * Returns KUMO_OK when it closed, whatever the reason, except a spider that could not start
 * (finish reason "open_failed" or "start_requests_failed"): then what its .open or
 * .start_requests returned.  KUMO_EIO when the loop ended before the spider closed.
 */
int kumo__crawler_run(kumo_crawler *c);

/* The finish reason once closed ("finished", "shutdown"...), else NULL.  Borrowed. */
const char *kumo__crawler_finish_reason(const kumo_crawler *c);

void kumo__crawler_free(kumo_crawler *c);
