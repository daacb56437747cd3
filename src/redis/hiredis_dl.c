/* hiredis_dl.c - libhiredis loaded at the first use of Redis, its functions in a table. */
#include "redis/hiredis_dl.h"
#include "util/dlib.h"
#include "sonames.h"

kumo_hiredis_api kumo__hiredis;

static const kumo_dlsym symbols[] = {
#define SYMBOL(sym) {#sym, offsetof(kumo_hiredis_api, sym)},
    KUMO_HIREDIS_SYMBOLS(SYMBOL)
#undef SYMBOL
};

static kumo_dlib lib = {
    .what = "Redis backend",
    .soname = KUMO_SONAME_HIREDIS,
    .env = KUMO_HIREDIS_ENV,
    .syms = symbols,
    .nsyms = KUMO_ARRAY_LEN(symbols),
    .table = &kumo__hiredis,
};

int kumo__hiredis_load(char *err, size_t n)
{
    return kumo__dlib_load(&lib, err, n);
}
