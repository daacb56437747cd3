/* wire.h - requests as they are stored in Redis, and the start urls scrapy-redis feeds. */
#ifndef KUMO_REDIS_WIRE_H
#define KUMO_REDIS_WIRE_H

#include "kumo-int.h"
#include "util/buf.h"

struct kumo_spider_def;

/*
 * Append req's stored form to out: its callback's and its errback's names, each followed
 * by a NUL byte (empty for none), then kumo__request_pack() without the function pointers
 * (priority, dont_filter, method, headers, body, meta, cb_kwargs, class).  Nothing on
 * decode runs code: callbacks are found by name among the spider's.  Returns KUMO_OK, or
 * KUMO_EINVAL with the reason in why[0..n) and out unchanged when req cannot be stored (a
 * callback that is not one of sp's, a meta value that holds an object).  req is borrowed.
 */
int kumo__redis_wire_encode(kumo_spider *sp, kumo_request *req, kumo_buf *out, char *why,
                            size_t n);

/*
 * Returns a new reference to the request p[0..len) stores (kumo__redis_wire_encode()) for
 * the spider def, or NULL with the reason in why[0..n).
 */
kumo_request *kumo__redis_wire_decode(const struct kumo_spider_def *def, const void *p,
                                      size_t len, char *why, size_t n);

/*
 * Returns a new reference to the request a start-urls list entry asks for, as scrapy-redis
 * reads it: a plain url, or a JSON object {"url": ..., "meta": {...}, "method": ...}.  The
 * request has the spider's default callback and dont_filter set (a start request).  NULL
 * with the reason in why[0..n) for anything else.
 */
kumo_request *kumo__redis_start_url_decode(const char *s, size_t len, char *why, size_t n);

/*
 * The dupefilter's form of fingerprint fp: a bucket (0..16383, the first 14 bits) and the
 * next 50 bits, which fit in a Lua number and in Redis's intsets.
 */
void kumo__redis_fp_split(const unsigned char fp[20], unsigned *bucket, uint64_t *value);

#endif
