/* sitemap.h - SitemapSpider's built-in callback and the sitemap parsing under it. */
#ifndef KUMO_SITEMAP_H
#define KUMO_SITEMAP_H

#include "kumo-int.h"
#include "util/buf.h"

/*
 * The callback sitemap urls are fetched with ("_parse_sitemap"): a robots.txt gives its
 * Sitemap: lines as new sitemap requests; a sitemap index its locs that match
 * sitemap.follow; a urlset its locs, each to the callback of the first rule that matches.
 * A body that is not a sitemap is skipped with one WARNING line.
 */
void kumo__sitemap_parse(kumo_response *res, kumo_out *out);

/* Returns true when p[0..n) starts with gzip's magic number (Scrapy's gzip_magic_number). */
bool kumo__sitemap_gzip_magic(const char *p, size_t n);

/*
 * Gunzip p[0..n) into out (initialised by the caller), at most max bytes (0: no limit).
 * A truncated or corrupt stream keeps what came out before the damage, as Scrapy's gunzip.
 * Returns KUMO_OK, KUMO_ETOOBIG past max, or KUMO_ESYNTAX when nothing could be inflated.
 */
int kumo__sitemap_gunzip(const char *p, size_t n, size_t max, kumo_buf *out);

/* One entry of a sitemap: {"loc": ..., "lastmod": ..., "alternate": [...]}, borrowed for
 * the call (the callee may change it). */
typedef void (*kumo_sitemap_entry_fn)(void *ctx, kumo_map *entry);

/*
 * Parse body as XML (recovering, no network, no entities, no huge trees), write its root's
 * local name into type ("urlset", "sitemapindex"...), then call fn (may be NULL) for each
 * child of the root that has a loc, in document order.  Returns KUMO_OK, or KUMO_ESYNTAX when
 * body has no root element (fn is not called).
 */
int kumo__sitemap_each(const char *body, size_t len, kumo_sitemap_entry_fn fn, void *ctx,
                      char *type, size_t typelen);

#endif
