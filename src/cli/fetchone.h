/* fetchone.h - one request at a time through the real downloader and its middlewares, for
 * `kumo fetch` and `kumo shell`: a crawl of Scrapy's DefaultSpider kept open (paused between
 * fetches) whose loop runs until the fetch's response arrives. */
#ifndef KUMO_FETCHONE_H
#define KUMO_FETCHONE_H

#include "kumo-int.h"
#include "util/buf.h"

typedef struct kumo_fetcher kumo_fetcher;

/*
 * Returns a new fetcher (free it with kumo_fetcher_free()), or NULL with a one-line message
 * in err.  It crawls with Scrapy's DefaultSpider, whose own settings (LOG_LEVEL=WARNING,
 * HTTPERROR_ALLOW_ALL=1, TELNETCONSOLE_ENABLED=0, LOGSTATS_INTERVAL=0) sit at the spider's
 * priority: over the settings file, under -s.  Takes ownership of settings, even on failure.
 * One fetcher at a time in the process.
 */
kumo_fetcher *kumo_fetcher_new(kumo_settings *settings, char *err, size_t errlen);

/* The fetcher's crawler: borrowed, valid until kumo_fetcher_free(). */
kumo_crawler *kumo_fetcher_crawler(const kumo_fetcher *f);

/* The DefaultSpider's callback, for a request made outside a fetch (a local file's). */
void kumo_fetcher_parse(kumo_response *res, kumo_out *out);

/*
 * Crawl req (takes ownership; dont_filter, and with redirect false dont_redirect and
 * handle_httpstatus_all as Scrapy's fetch) and run the loop until its response arrives or
 * nothing of it is left; a SIGINT meanwhile ends the wait.  Returns KUMO_OK with *res a new
 * reference; else *res is NULL and: KUMO_EIGNORED the request was dropped, KUMO_ECANCELED
 * interrupted, the download's exception code, or KUMO_EIO the crawl is closed; the failure's
 * message and exception name are then kumo_fetcher_error()'s.
 */
int kumo_fetcher_fetch(kumo_fetcher *f, kumo_request *req, bool redirect, kumo_response **res);

/*
 * As kumo_fetcher_fetch(), but as the first fetch req is the crawl's start request (through
 * the spider middlewares' start pass, as Scrapy's fetch command; the shell's fetches are
 * engine.crawl()'s); a later one is fetched as kumo_fetcher_fetch() does.
 */
int kumo_fetcher_fetch_start(kumo_fetcher *f, kumo_request *req, bool redirect,
                             kumo_response **res);

/*
 * Why the last fetch failed: its message, and in *errtype (when not NULL) its exception
 * name ("IgnoreRequest", "KeyboardInterrupt", "twisted.internet.error..."), both borrowed,
 * valid until the next fetch.
 */
const char *kumo_fetcher_error(const kumo_fetcher *f, const char **errtype);

/* Returns true when s starts with a scheme and "://" ("http://", "file://"...). */
bool kumo_fetcher_has_scheme(const char *s);

/* Append what the user typed to url, after "http://" when it has no scheme ("http:" before
 * "//host"): `kumo fetch` and `kumo shell`'s "a URL without a scheme gets http://". */
void kumo_fetcher_url(const char *target, kumo_buf *url);

/* Close the crawl at once (reason "finished") if it is open: spider_closed, the stats dump.
 * Fetches after it fail with KUMO_EIO. */
void kumo_fetcher_close(kumo_fetcher *f);

/* kumo_fetcher_close(), then free f (NULL is ignored). */
void kumo_fetcher_free(kumo_fetcher *f);

#endif
