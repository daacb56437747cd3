/* dlcheck.c - where a symbol loaded with dlopen() came from. */
#include "lib/dlcheck.h"

#include <criterion/criterion.h>
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>

void kumo_expect_from_soname(const void *addr, const char *sym, const char *soname)
{
    Dl_info info;
    cr_assert(dladdr(addr, &info) && info.dli_fname, "%s is in no loaded file", sym);
    char file[PATH_MAX];
    snprintf(file, sizeof(file), "%s", info.dli_fname);
    cr_expect_str_eq(basename(file), soname, "%s comes from %s", sym, info.dli_fname);
}
