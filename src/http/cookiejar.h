/* cookiejar.h - a cookie jar with RFC 6265 rules (and libcurl's 6265bis hardening). */
#ifndef KUMO_COOKIEJAR_H
#define KUMO_COOKIEJAR_H

#include "kumo-int.h"

/*
 * Storage follows RFC 6265 section 5.3: host-only and domain cookies, a Domain that is a public
 * suffix ("com", "co.uk", "github.io": libpsl's full list) or does not domain-match the request
 * host is refused (an IP address host only matches itself), default path, path-match, Secure (set
 * only from https or localhost / 127.0.0.1 / ::1, as libcurl; sent only there too), HttpOnly kept,
 * Max-Age winning over Expires, session cookies, SameSite parsed and ignored, the __Secure- and
 * __Host- prefixes, replacement by (name, domain, path) keeping the first creation time.  A cookie
 * with an empty name ("Set-Cookie: foo", "=foo") is kept and sent as its value alone, as RFC
 * 6265bis and browsers do (RFC 6265 section 5.2 ignored it), unless that value starts with one of
 * the prefixes.  Memory is bounded: the limits below.  Every block is counted under the via
 * "['cookies']".
 */
#define KUMO_COOKIE_MAX_NAMEVALUE 4096  /* name + value bytes; longer cookies are refused */
#define KUMO_COOKIE_MAX_ATTR 1024       /* longer attribute values are ignored */
#define KUMO_COOKIE_MAX_PER_DOMAIN 150  /* then the least recently used one goes */
#define KUMO_COOKIE_MAX_PER_JAR 3000    /* then the least recently used one goes */
#define KUMO_COOKIE_MAX_HEADER 8190     /* Cookie header bytes; cookies past it are skipped */

typedef struct kumo_cookiejar kumo_cookiejar;

/* One stored cookie as kumo__cookiejar_at() shows it.  Strings borrowed, valid until the
 * jar changes. */
typedef struct kumo_cookie_info {
    const char *name, *value;
    const char *domain;         /* lower case, no leading dot */
    const char *path;
    bool host_only, secure, http_only, persistent;
    int64_t expires;            /* seconds since the epoch, when persistent */
} kumo_cookie_info;

/* Returns a new, empty jar; free with kumo__cookiejar_free(). */
kumo_cookiejar *kumo__cookiejar_new(void);
void kumo__cookiejar_free(kumo_cookiejar *jar);

/*
 * Store the cookie of one Set-Cookie header value received from url, at time now
 * (seconds since the epoch).  Returns KUMO_OK when stored (a cookie with the same name,
 * domain and path replaced), KUMO_EDONE when it was already expired (Max-Age=0, an Expires
 * in the past): any cookie of that name, domain and path is deleted; KUMO_ESYNTAX for a
 * malformed value (no name and no value, control characters), KUMO_ETOOBIG past
 * KUMO_COOKIE_MAX_NAMEVALUE, KUMO_EIGNORED when the RFC refuses it (Domain, Secure,
 * prefixes), KUMO_EURL when url is not an absolute http(s) url.  Bad input never crashes.
 */
int kumo__cookiejar_set(kumo_cookiejar *jar, const char *url, const char *set_cookie,
                       int64_t now);

/*
 * Returns the Cookie header value for a request to url at time now ("a=1; b=2": longer
 * paths first, then older cookies first) as a new string (kumo_free), or NULL when no
 * cookie applies.  Expired cookies met on the way are removed.
 */
char *kumo__cookiejar_header(kumo_cookiejar *jar, const char *url, int64_t now);

/* Returns true when the jar would send name=value to url now (a cookie it already has). */
bool kumo__cookiejar_sends(kumo_cookiejar *jar, const char *url, const char *name,
                          const char *value, int64_t now);

/* Returns the number of cookies stored (expired ones included until they are met). */
size_t kumo__cookiejar_count(const kumo_cookiejar *jar);

/* Fill *out with cookie i (0 <= i < count, storage order); returns false past the end. */
bool kumo__cookiejar_at(const kumo_cookiejar *jar, size_t i, kumo_cookie_info *out);

/*
 * Parse an RFC 6265 cookie-date ("Wed, 21 Oct 2015 07:28:00 GMT" and the other forms its
 * algorithm accepts) into seconds since the epoch.  Returns KUMO_OK, or KUMO_ESYNTAX.
 */
int kumo__cookie_date_parse(const char *s, int64_t *out);

/* Narrow s[0..n) in place to drop the SP and HTAB on both sides (a cookie-pair's name or
 * value, an attribute); *s stays inside the original bytes. */
void kumo__cookie_trim(const char **s, size_t *n);

#endif
