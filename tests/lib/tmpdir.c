/* tmpdir.c - a test's own directory under /tmp, removed with everything in it. */
#define _XOPEN_SOURCE 700
#include "lib/tmpdir.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kumo_tmpdir_make(char *dir, size_t n, const char *name)
{
    int len = snprintf(dir, n, "/tmp/kumo-%s-XXXXXX", name);
    cr_assert(len > 0 && (size_t)len < n, "the path of %s's directory fits", name);
    cr_assert_not_null(mkdtemp(dir), "mkdtemp(%s): %s", dir, strerror(errno));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : errno;
}

void kumo_tmpdir_remove(const char *dir)
{
    int rc = nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    cr_assert_eq(rc, 0, "cannot remove %s: %s", dir, rc > 0 ? strerror(rc) : "nftw failed");
}
