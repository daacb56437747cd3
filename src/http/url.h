/* url.h - URL checks, joins and canonical forms (libcurl's URL API underneath). */
#ifndef KUMO_URL_H
#define KUMO_URL_H

#include "kumo-int.h"

/*
 * Returns KUMO_OK when url is an absolute http or https URL kumo may fetch,
 * KUMO_ESCHEME for any other scheme (file:, ftp:, mailto:...), KUMO_EURL when malformed
 * or relative.
 */
int kumo__url_check(const char *url);

/*
 * Returns a new string (kumo_free) with href resolved against the absolute base as a
 * browser and Scrapy's response.urljoin do (RFC 3986; fragment kept; surrounding
 * whitespace stripped; spaces and non-ASCII percent-encoded).  An href with a scheme
 * other than http/https ("mailto:x", "file:///etc/passwd") comes back as itself, stripped,
 * so kumo__url_check() on the result names it.  NULL when it cannot be joined.
 */
char *kumo__url_join(const char *base, const char *href);

/*
 * Returns a new string with w3lib's canonicalize_url(url): scheme and host lower case,
 * port kept, path and query percent-encoded the same way, query arguments sorted, blank
 * values kept, fragment dropped.  NULL when url is malformed (no scheme, bad brackets).
 * IDN hosts are not converted to punycode (kept as UTF-8, ASCII letters lowered).
 */
char *kumo__url_canonicalize(const char *url);

/*
 * Returns a new string with w3lib's safe_url_string(url), which Scrapy's Request applies
 * to its url: C0 controls and spaces stripped from the ends, tabs and newlines dropped,
 * scheme and host lower case, a non-ASCII host in IDNA (punycode), the port as a number,
 * and the path, query and fragment percent-encoded in UTF-8 with upper-case hex (an
 * existing "%XX" kept as it is, a '%' that starts no escape too).  An url that is already
 * safe comes back unchanged.  NULL when urlsplit() would fail: a port that is not a number
 * up to 65535, unbalanced or bad brackets.  Unlike w3lib 2.1, an IPv6 host keeps its
 * brackets.
 */
char *kumo__url_safe(const char *url);

/*
 * kumo__url_safe(url) into *safe (a new string, or NULL), then kumo__url_check() of it:
 * returns that check's code, without splitting the url again when it was safe already.
 */
int kumo__url_safe_check(const char *url, char **safe);

/*
 * Internal (fingerprint.c): hand the canonical form of url to write(ctx, bytes, n) in
 * pieces, without building the string.  Returns KUMO_EURL (nothing written) for a
 * malformed url.
 */
typedef void (*kumo_url_sink_fn)(void *ctx, const char *p, size_t n);
int kumo__url_canonicalize_sink(const char *url, kumo_url_sink_fn write, void *ctx);

/* Returns a new string with the lower-case host of url (no port), or NULL. */
char *kumo_url_host(const char *url);

/*
 * Returns the scheme of href when it has one ("mailto", "javascript"...) as a new string,
 * NULL for a relative reference.
 */
char *kumo__url_scheme(const char *href);

/* The pieces of a simple absolute url, pointing into it (url_fast.c). */
typedef struct kumo_url_parts {
    const char *scheme, *host, *path, *query, *frag;    /* query and frag keep '?' and '#' */
    size_t scheme_len, host_len, authority_len, path_len, query_len, frag_len;
} kumo_url_parts;

/*
 * The fast path: a lower-case http(s) url with a plain host, a path, and only characters
 * libcurl keeps as they are.  Returns false (or NULL) when url is not that simple: the
 * caller then uses libcurl.  kumo__url_fast_join returns a new string like kumo__url_join.
 */
bool kumo__url_fast_split(const char *url, kumo_url_parts *p);
char *kumo__url_fast_join(const char *base, const char *href);

/* The libcurl path of kumo__url_join, for tests that compare both paths. */
char *kumo__url_join_curl(const char *base, const char *href);

#endif
