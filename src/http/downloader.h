/* downloader.h - libcurl's multi socket API on the crawl's libevent base, per-domain slots. */
#ifndef KUMO_DOWNLOADER_H
#define KUMO_DOWNLOADER_H

#include "kumo-int.h"

struct event_base;

/*
 * Called once per fetched request, never from inside kumo__downloader_fetch().  On success
 * res is a new reference passed to the callee and err is KUMO_OK; on failure res is NULL,
 * err says what (KUMO_ETIMEDOUT, KUMO_ECONNREFUSED, KUMO_ETOOBIG...) and why is libcurl's
 * message (borrowed, valid during the call).  req is borrowed.
 */
typedef void (*kumo_download_done_fn)(void *ctx, kumo_request *req, kumo_response *res,
                                      int err, const char *why);

/* What a downloader is told at creation: core fills it from the settings
 * (core/downloader_config.c); the downloader reads no setting itself. */
typedef struct kumo_downloader_config {
    struct event_base *base;    /* the crawl's loop (borrowed for the downloader's life) */
    size_t concurrency;         /* CONCURRENT_REQUESTS: transfers at once, at least 1 */
    size_t slot_concurrency;    /* per slot: CONCURRENT_REQUESTS_PER_DOMAIN, or _PER_IP */
    bool per_ip;                /* slots are keyed by IP address */
    double delay;               /* a new slot's delay, seconds (DOWNLOAD_DELAY...) */
    bool randomize;             /* RANDOMIZE_DOWNLOAD_DELAY */
    double timeout;             /* DOWNLOAD_TIMEOUT, seconds */
    size_t maxsize, warnsize;   /* DOWNLOAD_MAXSIZE, DOWNLOAD_WARNSIZE: bytes, 0 for none */
    const char *const *resolve; /* DNS_RESOLVE entries (borrowed for the call), or NULL */
    size_t nresolve;
    /* Called with each response as it arrives, before any middleware sees it (Scrapy's
     * response_downloaded signal); res is borrowed.  May be NULL. */
    void (*downloaded)(void *arg, kumo_response *res);
    void *downloaded_arg;
} kumo_downloader_config;

/* Returns a new downloader configured by cfg (copied; malformed resolve entries skipped:
 * check them first with kumo__downloader_check_resolve()). */
kumo_downloader *kumo__downloader_new(const kumo_downloader_config *cfg,
                                     kumo_download_done_fn done, void *ctx);

/*
 * Check what kumo__downloader_new() cannot refuse: each of the n resolve entries is
 * HOST:PORT:ADDRESS (a host name, a port from 1 to 65535, an IPv4 or IPv6 address, the
 * latter bare or in brackets), as libcurl's CURLOPT_RESOLVE takes it.  Returns KUMO_OK, or
 * KUMO_EINVAL with one line naming the first malformed entry in err[0..errlen).
 */
int kumo__downloader_check_resolve(const char *const *entries, size_t n, char *err,
                                  size_t errlen);

/* Abort every transfer and queued request (done is not called for them) and free. */
void kumo__downloader_free(kumo_downloader *dl);

/*
 * Queue req in its slot (takes a new reference) and set meta['download_slot'] to the slot's
 * key: meta['download_slot'] when the request has one, else the url's host, or with
 * CONCURRENT_REQUESTS_PER_IP > 0 the host's IP address once known (literal and localhost
 * names at once, others after a first transfer, as Scrapy's dnscache).
 */
void kumo__downloader_fetch(kumo_downloader *dl, kumo_request *req);

/*
 * hold(ctx) is asked before a transfer starts: true keeps the requests in their slots, in
 * order, until kumo__downloader_unhold().  The engine holds them while the responses it
 * has not called back yet take CONCURRENT_REQUESTS or its byte budget, so that bodies are
 * not downloaded far ahead of their callbacks.  hold NULL: never held.
 */
typedef bool (*kumo_download_hold_fn)(void *ctx);
void kumo__downloader_set_hold(kumo_downloader *dl, kumo_download_hold_fn hold, void *ctx);

/* What held transfers back may have changed: start those that may start now. */
void kumo__downloader_unhold(kumo_downloader *dl);

/* CONCURRENT_REQUESTS, as the downloader was made with. */
size_t kumo__downloader_concurrency(const kumo_downloader *dl);

/*
 * Write into out[0..n) the key of the slot kumo__downloader_fetch() would queue req in now
 * (the same choice, without queueing it; req is borrowed): the cluster's scheduler keeps
 * its politeness per slot with it.
 */
void kumo__downloader_slot_key(kumo_downloader *dl, kumo_request *req, char *out, size_t n);

/* Requests queued in slots or transferring. */
size_t kumo__downloader_active(const kumo_downloader *dl);

/*
 * True when the engine should not add requests: CONCURRENT_REQUESTS transfers are in flight,
 * or 4 * CONCURRENT_REQUESTS requests wait in slots that are full or delayed.  Requests that
 * wait for their slot do not take global capacity (Scrapy issue 2638): a slow or delayed
 * domain does not hold the others back.
 */
bool kumo__downloader_needs_backout(const kumo_downloader *dl);

/* The same, counting held more transfers in flight: responses downloaded whose callbacks
 * have not run yet (they wait for their parse) keep their place in CONCURRENT_REQUESTS
 * until then, so that what the engine schedules does not depend on parse threads. */
bool kumo__downloader_needs_backout_held(const kumo_downloader *dl, size_t held);

/*
 * fn(ctx, slot key, in_flight, index, req) for every request the downloader holds (borrowed):
 * transferring (in_flight true, index among the slot's transfers) or queued in its slot.
 */
void kumo__downloader_walk(const kumo_downloader *dl,
                           void (*fn)(void *ctx, const char *slot, bool in_flight, size_t index,
                                      kumo_request *req),
                           void *ctx);

/* Transfers in flight (not queued), and the number of slots. */
size_t kumo__downloader_transferring(const kumo_downloader *dl);
size_t kumo__downloader_slots(const kumo_downloader *dl);

/* ---- slots, for AutoThrottle and tests ---- */

/* Returns slot key's delay in seconds (before randomization), or -1 when there is no slot. */
double kumo__downloader_slot_delay(const kumo_downloader *dl, const char *key);

/* Set slot key's delay; returns KUMO_ENOENT when there is no such slot. */
int kumo__downloader_set_slot_delay(kumo_downloader *dl, const char *key, double delay);

/* Returns the transfers in flight in slot key (0 when there is no slot). */
size_t kumo__downloader_slot_transferring(const kumo_downloader *dl, const char *key);

/* Returns how many loop turns went on decoding bodies left over from an earlier turn (a
 * compressed body decodes by bounded steps, DECODE_TURN bytes per loop callback). */
size_t kumo__downloader_decode_turns(const kumo_downloader *dl);

/*
 * Returns a new string "Basic " + base64(user ":" pass) (caller frees with kumo_free).
 * latin1: encode the UTF-8 input as ISO-8859-1 when every character fits (Scrapy's
 * default), else its UTF-8 bytes are used.  Shared by HttpAuth and HttpProxy.
 */
char *kumo__basic_auth(const char *user, const char *pass, bool latin1);

#endif
