/* signals.h - the crawl's signals: extensions connect handlers, the engine sends. */
#ifndef KUMO_SIGNALS_H
#define KUMO_SIGNALS_H

#include "kumo-int.h"

typedef enum kumo_signal {
    KUMO_SIG_SPIDER_OPENED,     /* arg NULL */
    KUMO_SIG_SPIDER_IDLE,       /* arg NULL */
    KUMO_SIG_SPIDER_CLOSED,     /* arg: const char *reason */
    KUMO_SIG_REQUEST_SCHEDULED, /* arg: kumo_request * */
    KUMO_SIG_REQUEST_DROPPED,   /* arg: kumo_request * (dupefilter) */
    KUMO_SIG_RESPONSE_RECEIVED, /* arg: kumo_response * */
    KUMO_SIG_ITEM_SCRAPED,      /* arg: kumo_item * */
    KUMO_SIG_ITEM_DROPPED,      /* arg: kumo_item * */
    KUMO_SIG_SPIDER_ERROR,      /* arg: kumo_response * (a failed download passes NULL) */
    KUMO_SIG_REQUEST_PROCESSED, /* arg: kumo_request *: its outputs are all handled */
    KUMO_SIG_RESPONSE_DOWNLOADED, /* arg: kumo_response * just downloaded, before the
                                   * downloader middlewares, its transfer still counted in
                                   * its slot; res->request has download_latency and
                                   * download_slot in its meta */
    KUMO_SIG_MAX
} kumo_signal;

typedef void (*kumo_signal_fn)(void *ctx, kumo_crawler *c, void *arg);

typedef struct kumo_signals kumo_signals;

kumo_signals *kumo__signals_new(void);
void kumo__signals_free(kumo_signals *s);

/* Call fn(ctx, c, arg) every time sig is sent, in connection order. */
void kumo__signal_connect(kumo_signals *s, kumo_signal sig, kumo_signal_fn fn, void *ctx);

void kumo__signal_send(kumo_signals *s, kumo_crawler *c, kumo_signal sig, void *arg);

#endif
