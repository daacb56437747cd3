/* dlcheck.h - where a symbol loaded with dlopen() came from. */
#ifndef KUMO_TEST_DLCHECK_H
#define KUMO_TEST_DLCHECK_H

/* Expect the symbol sym, at addr, to come from a file named soname (the basename of the
 * file the loader mapped it from). */
void kumo_expect_from_soname(const void *addr, const char *sym, const char *soname);

#endif
