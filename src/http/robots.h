/* robots.h - robots.txt (RFC 9309): a pure parser and matcher, no I/O. */
#ifndef KUMO_ROBOTS_H
#define KUMO_ROBOTS_H

#include "kumo-int.h"

/*
 * Parsed robots.txt rules.  Parsing follows RFC 9309 and what Protego (Scrapy 2.8's parser)
 * and Google's robots.txt library accept: groups of user-agent lines (a group ends only
 * where a user-agent line follows an Allow or Disallow line, RFC 9309 section 2.1, as
 * Google's library does; Protego also ends it at Sitemap, Crawl-delay and unknown lines,
 * which belong to the group here), Allow/Disallow with '*' and a final '$', the longest
 * match wins and Allow wins a tie, groups naming the same agent are merged, the '*' group
 * is the fallback.  Paths and patterns are compared after
 * percent-encoding normalisation (unreserved characters decoded, other escapes in upper
 * case, bytes outside printable ASCII encoded), so "%2F" and "/" differ but "%7E" and "~"
 * do not.  Only the first KUMO_ROBOTS_MAX_BYTES are parsed (the partial last line dropped).
 */
typedef struct kumo_robots kumo_robots;

#define KUMO_ROBOTS_MAX_BYTES (500u * 1024)

/*
 * Parse body[0..len) (bytes, any line ending, a UTF-8 BOM skipped; garbage lines are
 * ignored, so this never fails).  Returns a new object; free with kumo__robots_free().
 */
kumo_robots *kumo__robots_parse(const char *body, size_t len);

/* Returns a new object that allows every url (no robots.txt: 4xx). */
kumo_robots *kumo__robots_new_allow_all(void);

/* Returns a new object that disallows every url but /robots.txt (5xx, unreachable). */
kumo_robots *kumo__robots_new_disallow_all(void);

void kumo__robots_free(kumo_robots *r);

/* Returns true when r was parsed from a body over KUMO_ROBOTS_MAX_BYTES (the rest ignored). */
bool kumo__robots_cut(const kumo_robots *r);

/*
 * Returns true when the crawler with user agent agent (a User-Agent header such as
 * "kumo/0.1 (+https://...)" or a bare product token; its product token, the leading
 * letters, '_' and '-', is matched case-insensitively; NULL or "" matches only '*') may
 * fetch url (absolute "http://host/path?q", or a path "/path?q").
 */
bool kumo__robots_allowed(const kumo_robots *r, const char *agent, const char *url);

/* Returns the Crawl-delay in seconds of the group that applies to agent, or -1 when none. */
double kumo__robots_crawl_delay(const kumo_robots *r, const char *agent);

/* Returns how many Sitemap lines there were, and the i-th one (borrowed, valid until
 * kumo__robots_free(); NULL past the end). */
size_t kumo__robots_sitemap_count(const kumo_robots *r);
const char *kumo__robots_sitemap(const kumo_robots *r, size_t i);

/* Returns how many rules (Allow and Disallow lines kept) were parsed. */
size_t kumo__robots_rule_count(const kumo_robots *r);

/* Returns the heap bytes r holds (for caches that bound their memory). */
size_t kumo__robots_size(const kumo_robots *r);

/*
 * Write the normalised form of s[0..n) to out (cap out_len, always NUL-terminated when
 * out_len > 0); pattern true keeps '*' and a final '$' as wildcards.  Returns the length
 * of the full normalised form (which may exceed out_len - 1).  For tests.
 */
size_t kumo__robots_normalize(const char *s, size_t n, bool pattern, char *out,
                              size_t out_len);

/*
 * The RobotsTxt downloader middleware's (src/middleware/robotstxt.c) calls into the crawl:
 * kumo_crawler_download() and kumo_crawler_resume() (kumo/plugin.h) unless a unit test
 * replaces them here (NULL restores them).
 */
typedef void (*kumo__robots_download_fn)(kumo_crawler *c, kumo_request *req,
                                         kumo_download_fn done, void *ctx);
typedef void (*kumo__robots_resume_fn)(kumo_crawler *c, kumo_request *req, bool go);
void kumo__robotstxt_set_engine(kumo__robots_download_fn download,
                                kumo__robots_resume_fn resume);

/*
 * A robots.txt cache shared by several processes (src/redis sets it: the middleware floor
 * does not know Redis).  share(c, req, done, ctx) returns true when c's crawl shares its
 * robots.txt: it then takes ownership of req and calls done(ctx, ...) exactly once, later,
 * with the response the cluster stored or the one it downloaded itself
 * (kumo_crawler_download()); false leaves req to the middleware.  NULL for none.
 */
typedef bool (*kumo__robots_share_fn)(kumo_crawler *c, kumo_request *req,
                                      kumo_download_fn done, void *ctx);
void kumo__robotstxt_set_share(kumo__robots_share_fn share);

#endif
