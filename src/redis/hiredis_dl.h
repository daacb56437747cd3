/* hiredis_dl.h - libhiredis, loaded with dlopen() by the first Redis backend that opens (the
 * scheduler, RedisPipeline, `kumo job redis://`): a crawl without Redis never maps it.  Its
 * functions are called through kumo__hiredis, whose pointers have the types of hiredis'
 * headers (the soname is the one those headers were built for: gen/sonames.h). */
#ifndef KUMO_REDIS_HIREDIS_DL_H
#define KUMO_REDIS_HIREDIS_DL_H

#include "kumo-int.h"
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

/* The environment variable that names another file to load (tests point it at a missing
 * one; a user at a hiredis built elsewhere). */
#define KUMO_HIREDIS_ENV "KUMO_LIBHIREDIS"

/* Every libhiredis function kumo calls. */
#define KUMO_HIREDIS_SYMBOLS(X)                                             \
    X(redisConnectWithTimeout)                                              \
    X(redisSetTimeout)                                                      \
    X(redisCommand)                                                         \
    X(redisCommandArgv)                                                     \
    X(freeReplyObject)                                                      \
    X(redisFree)                                                            \
    X(redisAsyncConnect)                                                    \
    X(redisAsyncSetConnectCallback)                                         \
    X(redisAsyncSetDisconnectCallback)                                      \
    X(redisAsyncCommandArgv)                                                \
    X(redisAsyncHandleRead)                                                 \
    X(redisAsyncHandleWrite)                                                \
    X(redisAsyncFree)

typedef struct kumo_hiredis_api {
#define KUMO_HIREDIS_FIELD(sym) __typeof__(sym) *sym;
    KUMO_HIREDIS_SYMBOLS(KUMO_HIREDIS_FIELD)
#undef KUMO_HIREDIS_FIELD
} kumo_hiredis_api;

/* The table: call kumo__hiredis.redisFree(ctx)...  Valid once kumo__hiredis_load() returned
 * KUMO_OK (a redisContext or a connection in hand means it did). */
extern kumo_hiredis_api kumo__hiredis;

/*
 * Load libhiredis (once; later calls return at once).  Returns KUMO_OK, or KUMO_ELIBRARY with
 * one line in err[0..n): "Redis backend: cannot load 'libhiredis.so.0.14': <why>".
 */
int kumo__hiredis_load(char *err, size_t n);

#endif
