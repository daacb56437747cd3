/* downloader.h - libcurl's multi socket API on the crawl's libevent base, per-domain slots. */
#ifndef KUMO_DOWNLOADER_H
#define KUMO_DOWNLOADER_H

#include "kumo-int.h"

/*
 * Called once per fetched request, never from inside kumo_downloader_fetch().  On success
 * res is a new reference passed to the callee and err is KUMO_OK; on failure res is NULL,
 * err says what (KUMO_ETIMEDOUT, KUMO_ECONNREFUSED, KUMO_ETOOBIG...) and why is libcurl's
 * message (borrowed, valid during the call).  req is borrowed.
 */
typedef void (*kumo_download_done_fn)(void *ctx, kumo_request *req, kumo_response *res,
                                      int err, const char *why);

/* Returns a new downloader on c->base reading CONCURRENT_REQUESTS*, DOWNLOAD_* settings. */
kumo_downloader *kumo_downloader_new(kumo_crawler *c, kumo_download_done_fn done, void *ctx);

/* Abort every transfer and queued request (done is not called for them) and free. */
void kumo_downloader_free(kumo_downloader *dl);

/* Queue req in its domain's slot (takes a new reference). */
void kumo_downloader_fetch(kumo_downloader *dl, kumo_request *req);

/* Requests queued in slots or transferring. */
size_t kumo_downloader_active(const kumo_downloader *dl);

/* True when CONCURRENT_REQUESTS are already active: the engine should not add more. */
bool kumo_downloader_needs_backout(const kumo_downloader *dl);

/* Transfers in flight (not queued), and the number of domain slots. */
size_t kumo_downloader_transferring(const kumo_downloader *dl);
size_t kumo_downloader_slots(const kumo_downloader *dl);

#endif
