/* kumo/linkextractor.h - Scrapy's LinkExtractor: the links of a page, filtered, in order. */
#ifndef KUMO_LINKEXTRACTOR_H
#define KUMO_LINKEXTRACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include "kumo/http.h"

/* A yes/no option whose zero value means "Scrapy's default" (unique, strip, follow). */
#define KUMO_DEFAULT 0
#define KUMO_YES 1
#define KUMO_NO (-1)

/* An empty list, where NULL would mean the default (.deny_extensions = KUMO_NONE). */
#define KUMO_NONE ((const char *const[]){NULL})

/*
 * The options of Scrapy 2.8's LinkExtractor(...), zero for each default.  Lists are
 * NULL-terminated (KUMO_LIST("a", "b")); a pattern is Python re syntax as in re() (kumo/re.h).
 *
 *   allow, deny          a link is kept when its url matches (re.search) one allow pattern
 *                        (none given: any) and no deny pattern
 *   allow_domains,       the url's host is one of these or a subdomain of one; unlike
 *   deny_domains         Scrapy (which compares the host with its port), an entry without a
 *                        port matches any port ("127.0.0.1" takes http://127.0.0.1:8080/)
 *   restrict_xpaths,     only links inside the elements these select (XPath 1.0, or CSS
 *   restrict_css         translated as parsel does), each element in turn
 *   restrict_text        the link's text matches one of these patterns
 *   tags, attrs          elements and attributes scanned (NULL: "a", "area" / "href")
 *   canonicalize         urls in w3lib's canonical form (query sorted, fragment dropped)
 *   unique               KUMO_DEFAULT or KUMO_YES: each url once (first one wins);
 *                        KUMO_NO: every link
 *   strip                KUMO_DEFAULT or KUMO_YES: HTML whitespace stripped from the value
 *   deny_extensions      urls whose path ends in one of these are dropped (NULL: Scrapy's
 *                        IGNORED_EXTENSIONS, kumo_link_ignored_extensions; KUMO_NONE: none)
 *   process_value        called with each attribute value, joined against the page; returns
 *                        a new string (kumo_strdup, kumo_re_sub...: kumo frees it) to use
 *                        instead, or NULL to drop the link
 */
typedef struct kumo_link_extractor {
    const char *const *allow;
    const char *const *deny;
    const char *const *allow_domains;
    const char *const *deny_domains;
    const char *const *restrict_xpaths;
    const char *const *restrict_css;
    const char *const *restrict_text;
    const char *const *tags;
    const char *const *attrs;
    bool canonicalize;
    int unique;
    int strip;
    const char *const *deny_extensions;
    char *(*process_value)(const char *value);
    void *reserved[4];                      /* must be NULL */
} kumo_link_extractor;

/* Scrapy's Link: url absolute, text the element's string(), fragment always "" (as Scrapy's
 * extractor leaves it), nofollow when rel has "nofollow".  Strings owned by the list. */
typedef struct kumo_link {
    char *url;
    char *text;
    char *fragment;
    bool nofollow;
} kumo_link;

/* A list of links, in document order: read v[0..len). */
typedef struct kumo_links {
    kumo_link *v;
    size_t len;
    size_t cap;
} kumo_links;

/* Scrapy's IGNORED_EXTENSIONS ("7z", "zip", "png", "pdf", ... without the dot), NULL-ended. */
extern const char *const kumo_link_ignored_extensions[];

/*
 * Check le before using it: its patterns compile, its restrict_xpaths and restrict_css
 * parse, its reserved slots are NULL.  Returns KUMO_OK, or KUMO_ESYNTAX / KUMO_EINVAL with
 * one line in err (errlen bytes; may be NULL / 0) naming the option and the value.
 */
int kumo_link_extractor_check(const kumo_link_extractor *le, char *err, size_t errlen);

/*
 * Scrapy's le.extract_links(response): the links of res that pass le (NULL: the defaults),
 * in document order.  Returns a new list (free with kumo_links_free()), never NULL: empty for
 * a response that is not text, or, with one ERROR line, for options that do not check.
 */
kumo_links *kumo_extract_links(const kumo_link_extractor *le, kumo_response *res);

/* Free a list from kumo_extract_links(); NULL is ignored. */
void kumo_links_free(kumo_links *links);

/* For a rule's process_links: drop link i (the ones after it move down), or replace the
 * url of link i with a copy of url.  Out of range: nothing. */
void kumo_links_remove(kumo_links *links, size_t i);
void kumo_links_set_url(kumo_links *links, size_t i, const char *url);

#endif
