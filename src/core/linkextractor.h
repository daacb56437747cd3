/* linkextractor.h - what rules.c shares with the LinkExtractor: a set of Links compared as
 * Scrapy's Link.__eq__ does (url, text, fragment, nofollow). */
#ifndef KUMO_LINKEXTRACTOR_INT_H
#define KUMO_LINKEXTRACTOR_INT_H

#include "kumo-int.h"

/* A hash set of strings (owned); embedded, zero-initialised: {0}. */
typedef struct kumo_strset {
    char **slot;                /* owned strings, NULL for free slots */
    size_t cap, n;
} kumo_strset;

/* Add s (takes ownership): true when it was not there, false (s freed) when it was. */
bool kumo__strset_add(kumo_strset *set, char *s);
/* True when s is in set. */
bool kumo__strset_has(const kumo_strset *set, const char *s);
void kumo__strset_release(kumo_strset *set);

/* The key of a Link in a set: its four fields.  A new string. */
char *kumo__link_key(const kumo_link *l);

/* Keep the links for which keep(l, ctx) is true, in order; free the others.  O(n). */
void kumo__links_keep(kumo_links *ls, bool (*keep)(const kumo_link *l, void *ctx), void *ctx);

#endif
