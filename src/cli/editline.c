/* editline.c - libedit loaded when the shell first reads a terminal, its symbols in a table. */
#include "cli/editline.h"
#include "util/dlib.h"
#include "sonames.h"

kumo_editline_api kumo_editline;

static const kumo_dlsym symbols[] = {
#define SYMBOL(sym) {#sym, offsetof(kumo_editline_api, sym)},
    KUMO_EDITLINE_SYMBOLS(SYMBOL)
#undef SYMBOL
};

static kumo_dlib lib = {
    .what = "line editing",
    .soname = KUMO_SONAME_EDIT,
    .env = KUMO_EDITLINE_ENV,
    .syms = symbols,
    .nsyms = KUMO_ARRAY_LEN(symbols),
    .table = &kumo_editline,
};

int kumo_editline_load(char *err, size_t n)
{
    return kumo__dlib_load(&lib, err, n);
}
