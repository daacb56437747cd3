/* webservice.h - WebService (WEBSERVICE_*): live charts, Prometheus /metrics and JSON
 * /api/... over HTTP on the crawl's loop, for requests carrying the token; and its pure parts,
 * which the tests call directly. */
#ifndef KUMO_WEBSERVICE_H
#define KUMO_WEBSERVICE_H

#include "kumo-int.h"
#include "util/buf.h"

/* Classes charted at most (kumo has about a dozen, plus the spider's). */
#define KUMO_WS_MAX_CLASSES 64

typedef struct kumo_webservice kumo_webservice;

/*
 * The Prometheus name of stat key into out[0..cap): "kumo_" then the key's letters and
 * digits, every other run of bytes one '_', no trailing '_'
 * ("downloader/response_status_count/200" -> "kumo_downloader_response_status_count_200").
 * Always a valid name ([a-zA-Z_:][a-zA-Z0-9_:]*); "kumo" alone ("kumo_" cut) when nothing
 * of the key is left.
 */
void kumo__ws_metric_name(const char *key, char *out, size_t cap);

/* Append v escaped as a Prometheus label value (\\, \", \n); KUMO_ETOOBIG at b's cap. */
int kumo__ws_label_value(kumo_buf *b, const char *v);

/*
 * Whether a request carries token: "Authorization: Bearer TOKEN", "X-Kumo-Token: TOKEN",
 * or token=TOKEN in the query (each may be NULL).  Compared in constant time.
 */
bool kumo__ws_authorized(const char *token, const char *authorization, const char *header,
                         const char *query);

/* 32 random hex digits and a NUL into out: KUMO_OK, or KUMO_EIO without randomness. */
int kumo__ws_random_token(char out[33]);

/* WEBSERVICE_PORT's items: one port, or two (a range); 0 alone for any.  KUMO_EINVAL else. */
int kumo__ws_parse_ports(const char *const *items, size_t n, unsigned *lo, unsigned *hi);

#endif
