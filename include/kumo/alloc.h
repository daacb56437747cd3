/* kumo/alloc.h - the tagged heap: every allocation names what it is and where it hangs. */
#ifndef KUMO_ALLOC_H
#define KUMO_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/*
 * A tag is a small integer naming either a type ("str", "HtmlResponse", "xmlDoc") or a
 * via ("'.body'", "\"['meta']\""), in Guppy's words.  The built-in ones are below; a plugin
 * gets its own from kumo_tag_intern().  Counters are kept per (type, via) pair, O(1).
 */
typedef uint16_t kumo_tag;

#define KUMO_TYPE_MAP(X)                                                    \
    X(OTHER, "other")                                                       \
    X(STR, "str")                                                           \
    X(BYTES, "bytes")                                                       \
    X(DICT, "dict")                                                         \
    X(LIST, "list")                                                         \
    X(HEADERS, "kumo.http.headers.Headers")                                 \
    X(REQUEST, "kumo.http.Request")                                         \
    X(RESPONSE, "kumo.http.Response")                                       \
    X(ITEM, "kumo.item.Item")                                               \
    X(SELECTOR, "kumo.selector.Selector")                                   \
    X(SPIDER, "kumo.spiders.Spider")                                        \
    X(XMLDOC, "libxml2")                                                    \
    X(CURL, "curl.transfer")                                                \
    X(QUEUE, "kumo.core.scheduler.queue")                                   \
    X(FPSET, "kumo.dupefilter.fingerprints")                                \
    X(SETTINGS, "kumo.settings.Settings")                                   \
    X(STATS, "kumo.statscollectors.Stats")                                  \
    X(FEED, "kumo.feedexport.buffer")                                       \
    X(MIDDLEWARE, "kumo.middleware")                                        \
    X(XPATH, "kumo.selector.xpath")

#define KUMO_VIA_MAP(X)                                                     \
    X(NONE, "")                                                             \
    X(BODY, "'.body'")                                                      \
    X(HEADERS, "'.headers'")                                                \
    X(URL, "'.url'")                                                        \
    X(META, "\"['meta']\"")                                                 \
    X(DICT, "'.__dict__'")                                                  \
    X(ITEMS, "\"['items']\"")                                               \
    X(QUEUE, "'.queue'")                                                    \
    X(SLOT, "'.slots'")                                                     \
    X(DOC, "'._root'")                                                      \
    X(CACHE, "\"['cache']\"")                                               \
    X(ACTIVE, "'.active'")                                                  \
    X(SEEN, "'.fingerprints'")                                              \
    X(TEXT, "'.text'")

enum {
#define KUMO_TAG_ENUM(name, str) KUMO_T_##name,
    KUMO_TYPE_MAP(KUMO_TAG_ENUM)
#undef KUMO_TAG_ENUM
    KUMO_T_BUILTIN_MAX
};

enum {
#define KUMO_TAG_ENUM(name, str) KUMO_V_##name,
    KUMO_VIA_MAP(KUMO_TAG_ENUM)
#undef KUMO_TAG_ENUM
    KUMO_V_BUILTIN_MAX
};

#define KUMO_TAG_MAX 128    /* types, and separately vias, that can exist */

/* Returns the type tag named name, creating it on first use; KUMO_T_OTHER when full. */
kumo_tag kumo_type_intern(const char *name);

/* Returns the via tag named name, creating it on first use; KUMO_V_NONE when full. */
kumo_tag kumo_via_intern(const char *name);

/* Returns the static name of a type or via tag ("" for an unknown one). */
const char *kumo_type_name(kumo_tag type);
const char *kumo_via_name(kumo_tag via);

/*
 * Allocate size bytes counted under (type, via).  Never returns NULL: running out of
 * memory aborts through kumo_oom().  Free with kumo_free(); the tags stay with the block.
 */
void *kumo_alloc(size_t size, kumo_tag type, kumo_tag via);
void *kumo_calloc(size_t n, size_t size, kumo_tag type, kumo_tag via);

/* Resize a block from kumo_alloc(), keeping its tags.  ptr may be NULL (then tagged as given). */
void *kumo_realloc(void *ptr, size_t size, kumo_tag type, kumo_tag via);

/* Free a block from kumo_alloc(); NULL is ignored. */
void kumo_free(void *ptr);

/* Returns a new NUL-terminated copy of s (or of its first n bytes), tagged (type, via). */
char *kumo_strdup(const char *s, kumo_tag type, kumo_tag via);
char *kumo_strndup(const char *s, size_t n, kumo_tag type, kumo_tag via);

/* Returns the usable size of a block from kumo_alloc(). */
size_t kumo_alloc_size(const void *ptr);

/* Out of memory: prints what was asked for and aborts. */
void kumo_oom(size_t size);

/* One (type, via) counter: live blocks and their bytes (payload, not headers). */
typedef struct kumo_heap_counter {
    kumo_tag type, via;
    uint64_t count;
    uint64_t bytes;
} kumo_heap_counter;

/* Totals over every tag: live blocks and payload bytes (either pointer may be NULL). */
void kumo_heap_totals(uint64_t *count, uint64_t *bytes);

/*
 * Fill out[] with the non-empty counters, at most max of them; returns how many there are
 * (which may be more than max).
 */
size_t kumo_heap_snapshot(kumo_heap_counter *out, size_t max);

#endif
