/* peer.h - the public conformance suites' case tables (../shared/peer) for the unit tests. */
#ifndef KUMO_TESTPEER_H
#define KUMO_TESTPEER_H

#include <stdbool.h>
#include <stddef.h>

#include "kumo/value.h"

/* Where the tables live, relative to the repository root (make test runs from there). */
#define KUMO_PEER_DIR "../shared/peer"

/*
 * Read KUMO_PEER_DIR/file (a JSON object with a "cases" array) into *doc, which the caller
 * then owns (kumo_val_clear), and point *cases at its "cases" list (borrowed, valid while
 * *doc lives).  Returns false with why[0..whylen) saying so when the file is missing or is
 * not such a table; the caller skips its test with that message.
 */
bool kumo_peer_load(const char *file, kumo_value *doc, const kumo_value **cases, char *why,
                    size_t whylen);

/* The string field key of a case, or def when it is missing or not a string.  Borrowed,
 * valid while the case lives. */
const char *kumo_peer_str(const kumo_value *c, const char *key, const char *def);

/* Returns true when name is one of the n strings of list. */
bool kumo_peer_listed(const char *const *list, size_t n, const char *name);

#endif
