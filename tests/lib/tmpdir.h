/* tmpdir.h - a test's own directory under /tmp, removed with everything in it. */
#ifndef KUMO_TEST_TMPDIR_H
#define KUMO_TEST_TMPDIR_H

#include <stddef.h>

/* Make a new directory /tmp/kumo-NAME-XXXXXX and write its path into dir[0..n).  Asserts. */
void kumo_tmpdir_make(char *dir, size_t n, const char *name);

/* Remove dir and everything below it (nftw, deepest first; no shell).  Asserts. */
void kumo_tmpdir_remove(const char *dir);

#endif
