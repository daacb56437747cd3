/* cache_policy.h - the HTTP cache policies: Dummy and RFC2616, as Scrapy 2.8 has them. */
#ifndef KUMO_CACHE_POLICY_H
#define KUMO_CACHE_POLICY_H

#include "kumo-int.h"
#include "http/headers.h"

typedef enum kumo_cache_policy_kind {
    KUMO_CACHE_DUMMY,       /* store everything (but HTTPCACHE_IGNORE_HTTP_CODES), reuse it */
    KUMO_CACHE_RFC2616,     /* obey Cache-Control, Expires, validators (Firefox-like) */
} kumo_cache_policy_kind;

/* One policy, built from the HTTPCACHE_* settings.  Embedded: filled, then _release. */
typedef struct kumo_cache_policy {
    kumo_cache_policy_kind kind;
    bool always_store;          /* HTTPCACHE_ALWAYS_STORE (RFC2616) */
    char **ignore_schemes;      /* HTTPCACHE_IGNORE_SCHEMES, owned */
    size_t nschemes;
    int *ignore_codes;          /* HTTPCACHE_IGNORE_HTTP_CODES (Dummy), owned */
    size_t ncodes;
    char **ignore_cc;           /* HTTPCACHE_IGNORE_RESPONSE_CACHE_CONTROLS (RFC2616), owned */
    size_t ncc;
} kumo_cache_policy;

/*
 * Returns the policy HTTPCACHE_POLICY names: "Dummy", "RFC2616", Scrapy's dotted
 * "scrapy.extensions.httpcache.DummyPolicy" / "...RFC2616Policy", or "DummyPolicy" /
 * "RFC2616Policy" (case-insensitive).  KUMO_EINVAL for any other name.
 */
int kumo__cache_policy_kind_parse(const char *name, kumo_cache_policy_kind *out);

/* Free what p owns and zero it (p is filled from the settings by the HttpCache
 * middleware: middleware/cache_settings.h). */
void kumo__cache_policy_release(kumo_cache_policy *p);

/* Returns true when a request for url with headers reqh (may be NULL) may use the cache:
 * its scheme is not ignored and (RFC2616) it does not say Cache-Control: no-store. */
bool kumo__cache_policy_should_cache_request(const kumo_cache_policy *p, const char *url,
                                            const kumo_headers *reqh);

/* Returns true when a response (status, headers h) may be stored. */
bool kumo__cache_policy_should_cache_response(const kumo_cache_policy *p, int status,
                                             const kumo_headers *h);

/*
 * Returns true when the cached response (status, headers h) may be used at time now (epoch
 * seconds) for a request with headers reqh.  When it is stale, RFC2616 adds the validators
 * it has to reqh (If-Modified-Since from Last-Modified, If-None-Match from ETag), as Scrapy
 * does, so the download asks the server whether it changed.
 */
bool kumo__cache_policy_is_fresh(const kumo_cache_policy *p, int status, const kumo_headers *h,
                                kumo_headers *reqh, double now);

/*
 * Returns true when the cached response (headers cached_h) stays valid given the new
 * answer's status: a 304, or (without must-revalidate) a 5xx.  Dummy: always.
 */
bool kumo__cache_policy_is_valid(const kumo_cache_policy *p, const kumo_headers *cached_h,
                                int status);

/*
 * Parse an HTTP date as Python's email.utils.parsedate_tz + mktime_tz do (RFC 1123,
 * RFC 850, asctime, numeric or named zones; no zone: UTC).  Returns KUMO_OK and sets *out to
 * epoch seconds, or KUMO_EINVAL.
 */
int kumo__http_date_parse(const char *s, double *out);

/* Write t (epoch seconds) as an RFC 1123 date ("Sun, 06 Nov 1994 08:49:37 GMT") into
 * buf[0..n), n >= 30.  Returns buf. */
char *kumo__http_date_format(double t, char *buf, size_t n);

#endif
