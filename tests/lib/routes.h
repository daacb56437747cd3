/* routes.h - what a test server route needs: the handler type, a route table, and the
 * reply helpers of server.c.  Feature routes live in tests/lib/routes_NAME.c, one table
 * each, listed in server.c's tables[].  Server thread only: plain malloc, no libkumo. */
#ifndef KUMO_TESTROUTES_H
#define KUMO_TESTROUTES_H

#include <stddef.h>
#include "server.h"

struct evhttp_request;
struct evbuffer;

/* A handler: the request, its path without the query, and the part after the route's
 * prefix ("" for an exact route).  It must answer req (now or later). */
typedef void kumo_testroute_fn(kumo_testserver *s, struct evhttp_request *req,
                               const char *path, const char *rest);

typedef struct kumo_testroute {
    const char *path;   /* exact path, or a prefix when it ends with '/' */
    kumo_testroute_fn *fn;
} kumo_testroute;

/* Feature route tables (tests/lib/routes_NAME.c), listed in server.c's tables[]. */
extern const kumo_testroute kumo_routes_cache[];
extern const kumo_testroute kumo_routes_throttle[];
extern const kumo_testroute kumo_routes_robots[];
extern const kumo_testroute kumo_routes_forms[];
extern const kumo_testroute kumo_routes_cookies[];
extern const kumo_testroute kumo_routes_urls[];
extern const kumo_testroute kumo_routes_hostile[];
/* routes_hostile.c: make the default-size bombs now (about a second each), so that the
 * server thread does not stall on them later.  Any thread. */
void kumo_ts_hostile_warm(void);
extern const kumo_testroute kumo_routes_rules[];
extern const kumo_testroute kumo_routes_sitemap[];
extern const kumo_testroute kumo_routes_files[];
/* routes_robots.c: what /robots.txt answers from now on (any thread); status 0: 404. */
void kumo_ts_robots_set(int status, const char *location, const char *body);

/* Send body (may be NULL) with code and, when body is set, Content-Type type. */
void kumo_ts_reply(struct evhttp_request *req, int code, const char *type,
                   struct evbuffer *body);

/* Send p[0..n) with code and Content-Type type. */
void kumo_ts_reply_str(struct evhttp_request *req, int code, const char *type, const void *p,
                       size_t n);

/* Send a small HTML page "<h1>CODE Reason</h1>" with status code. */
void kumo_ts_status_page(struct evhttp_request *req, int code);

/*
 * Compress p[0..n) into a malloc'ed buffer (caller frees): windowbits 31 for gzip, 15 for
 * zlib, -15 for raw deflate.  When zeros is not 0, compress that many zero bytes instead of
 * p.  Returns NULL on failure; *outlen is the size.
 */
unsigned char *kumo_ts_compress(const void *p, size_t n, size_t zeros, int windowbits,
                                size_t *outlen);

/* Returns the value of query parameter name, malloc'ed (caller frees), or NULL. */
char *kumo_ts_query(struct evhttp_request *req, const char *name);

/* Parse all of s as a decimal in [lo, hi]; returns 0 and sets *out, or -1. */
int kumo_ts_parse_long(const char *s, long lo, long hi, long *out);

#endif
