/* cookiejar.c - the cookie jar: Set-Cookie parsing, storage and Cookie headers (RFC 6265). */
#include <arpa/inet.h>
#include <ctype.h>
#include <libpsl.h>

#include "http/cookiejar.h"
#include "util/buf.h"

typedef struct cookie {
    char *name;                 /* one block: name, value, domain, path, NUL-separated */
    char *value, *domain, *path;
    int64_t expires;
    uint64_t created, used;     /* jar ticks: creation (kept on replace), last sent */
    bool host_only, secure, http_only, persistent;
} cookie;

struct kumo_cookiejar {
    cookie *c;
    size_t len, cap;
    uint64_t tick;
};

/* ---- heap tags ---- */

static kumo_tag tag_via(void)
{
    static kumo_tag via;
    if (!via)
        via = kumo_via_intern("\"['cookies']\"");
    return via;
}

static kumo_tag tag_jar(void)
{
    static kumo_tag t;
    if (!t)
        t = kumo_type_intern("http.cookiejar.CookieJar");
    return t;
}

static kumo_tag tag_cookie(void)
{
    static kumo_tag t;
    if (!t)
        t = kumo_type_intern("http.cookiejar.Cookie");
    return t;
}

/* ---- the request url: scheme, host, path ---- */

typedef struct target {
    char host[256];             /* lower case, no port, IPv6 without brackets */
    char path[1024 + 1];        /* "/" when empty; truncated paths never match longer ones */
    bool https, is_ip, secure_origin;
} target;

static int target_parse(const char *url, target *t)
{
    memset(t, 0, sizeof(*t));
    const char *p = strstr(url, "://");
    if (!p)
        return KUMO_EURL;
    size_t sl = (size_t)(p - url);
    if (sl == 5 && strncasecmp(url, "https", 5) == 0)
        t->https = true;
    else if (!(sl == 4 && strncasecmp(url, "http", 4) == 0))
        return KUMO_EURL;
    const char *auth = p + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            at = auth + i;
    const char *h = at ? at + 1 : auth;
    size_t hlen = alen - (size_t)(h - auth);
    if (hlen > 0 && h[0] == '[') {
        const char *rb = memchr(h, ']', hlen);
        if (!rb)
            return KUMO_EURL;
        h++;
        hlen = (size_t)(rb - h);
    } else {
        const char *colon = memchr(h, ':', hlen);
        if (colon)
            hlen = (size_t)(colon - h);
    }
    if (hlen == 0 || hlen >= sizeof(t->host))
        return KUMO_EURL;
    for (size_t i = 0; i < hlen; i++)
        t->host[i] = (char)tolower((unsigned char)h[i]);
    unsigned char addr[16];
    t->is_ip = inet_pton(AF_INET, t->host, addr) == 1 || inet_pton(AF_INET6, t->host, addr) == 1;
    t->secure_origin = t->https || strcmp(t->host, "localhost") == 0 ||
                       strcmp(t->host, "127.0.0.1") == 0 || strcmp(t->host, "::1") == 0;
    const char *path = auth + alen;
    size_t plen = strcspn(path, "?#");
    if (plen == 0 || path[0] != '/') {
        strcpy(t->path, "/");
    } else {
        if (plen >= sizeof(t->path))
            plen = sizeof(t->path) - 1;
        memcpy(t->path, path, plen);
    }
    return KUMO_OK;
}

/* ---- RFC 6265 5.1: dates, domain-match, paths ---- */

static bool is_delim(unsigned char c)
{
    return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) ||
           (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/* 1*max DIGIT followed by nothing or a non-digit; returns the digits read, 0 on no match. */
static size_t digits(const char *s, size_t n, size_t min, size_t max, int *out)
{
    size_t i = 0;
    int v = 0;
    while (i < n && isdigit((unsigned char)s[i])) {
        if (i == max)
            return 0;
        v = v * 10 + (s[i] - '0');
        i++;
    }
    if (i < min)
        return 0;
    *out = v;
    return i;
}

static bool parse_time(const char *s, size_t n, int *hh, int *mm, int *ss)
{
    size_t a = digits(s, n, 1, 2, hh);
    if (!a || a >= n || s[a] != ':')
        return false;
    size_t b = digits(s + a + 1, n - a - 1, 1, 2, mm);
    if (!b || a + 1 + b >= n || s[a + 1 + b] != ':')
        return false;
    return digits(s + a + b + 2, n - a - b - 2, 1, 2, ss) != 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The month (1..12) a token's first three letters name, or 0. */
static int month_of(const char *tok, size_t n)
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    for (int i = 0; n >= 3 && i < 12; i++)
        if (strncasecmp(tok, months + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

int kumo__cookie_date_parse(const char *s, int64_t *out)
{
    bool ftime = false, fdom = false, fmonth = false, fyear = false;
    int hh = 0, mi = 0, ss = 0, dom = 0, month = 0, year = 0;
    const char *p = s;
    while (*p) {
        while (*p && is_delim((unsigned char)*p))
            p++;
        const char *tok = p;
        while (*p && !is_delim((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - tok);
        if (!n)
            continue;
        int v, mon = month_of(tok, n);
        if (!ftime && parse_time(tok, n, &hh, &mi, &ss)) {
            ftime = true;
        } else if (!fdom && digits(tok, n, 1, 2, &v)) {
            fdom = true;
            dom = v;
        } else if (!fmonth && mon > 0) {
            month = mon;
            fmonth = true;
        } else if (!fyear && digits(tok, n, 2, 4, &v)) {
            fyear = true;
            year = v;
        }
    }
    if (year >= 70 && year <= 99)
        year += 1900;
    else if (year >= 0 && year <= 69)
        year += 2000;
    if (!ftime || !fdom || !fmonth || !fyear || dom < 1 || dom > 31 || year < 1601 ||
        hh > 23 || mi > 59 || ss > 59)
        return KUMO_ESYNTAX;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (dom > mdays[month - 1] || (month == 2 && dom == 29 && !leap))
        return KUMO_ESYNTAX;
    *out = days_from_civil(year, (unsigned)month, (unsigned)dom) * 86400 + hh * 3600 +
           mi * 60 + ss;
    return KUMO_OK;
}

static bool domain_match(const target *t, const char *domain)
{
    if (strcmp(t->host, domain) == 0)
        return true;
    size_t hl = strlen(t->host), dl = strlen(domain);
    return !t->is_ip && hl > dl && t->host[hl - dl - 1] == '.' &&
           strcmp(t->host + hl - dl, domain) == 0;
}

static bool path_match(const char *req, const char *cpath)
{
    size_t n = strlen(cpath);
    if (strncmp(req, cpath, n) != 0)
        return false;
    return req[n] == '\0' || cpath[n - 1] == '/' || req[n] == '/';
}

/* The public-suffix list (libpsl: the system's newest copy, else the one built into the
 * library), loaded once on first use.  Owned by libpsl for the life of the process. */
static const psl_ctx_t *suffix_list(void)
{
    static const psl_ctx_t *psl;
    if (!psl) {
        psl = psl_latest(NULL);
        if (!psl)
            psl = psl_builtin();
    }
    return psl;
}

/*
 * Whether anyone may register a name under domain (lower case, no leading dot), so that no
 * cookie may be set for it: "com", "co.uk", "kawasaki.jp", "github.io"...  As Scrapy's
 * tldextract with the private domains: the ICANN and the private rules.  A single label
 * ("localhost") is one too, as browsers treat it: a cookie may name it only from that very
 * host, where it stays host-only.  An unlisted name under it ("intranet.corp") is not.
 */
static bool public_suffix(const char *domain)
{
    if (!strchr(domain, '.'))
        return true;
    const psl_ctx_t *psl = suffix_list();
    return psl && psl_is_public_suffix2(psl, domain, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE);
}

/* ---- the jar ---- */

kumo_cookiejar *kumo__cookiejar_new(void)
{
    return kumo_calloc(1, sizeof(kumo_cookiejar), tag_jar(), tag_via());
}

void kumo__cookiejar_free(kumo_cookiejar *jar)
{
    if (!jar)
        return;
    for (size_t i = 0; i < jar->len; i++)
        kumo_free(jar->c[i].name);
    kumo_free(jar->c);
    kumo_free(jar);
}

size_t kumo__cookiejar_count(const kumo_cookiejar *jar)
{
    return jar->len;
}

bool kumo__cookiejar_at(const kumo_cookiejar *jar, size_t i, kumo_cookie_info *out)
{
    if (i >= jar->len)
        return false;
    const cookie *c = &jar->c[i];
    *out = (kumo_cookie_info){c->name, c->value, c->domain, c->path, c->host_only, c->secure,
                              c->http_only, c->persistent, c->expires};
    return true;
}

static void remove_at(kumo_cookiejar *jar, size_t i)
{
    kumo_free(jar->c[i].name);
    memmove(jar->c + i, jar->c + i + 1, (jar->len - i - 1) * sizeof(cookie));
    jar->len--;
}

static bool expired(const cookie *c, int64_t now)
{
    return c->persistent && c->expires <= now;
}

/* Drop expired cookies, then the least recently used one of domain (or of the jar) while
 * over the limits.  Called before a new cookie is added. */
static void make_room(kumo_cookiejar *jar, const char *domain, int64_t now)
{
    for (size_t i = jar->len; i-- > 0;)
        if (expired(&jar->c[i], now))
            remove_at(jar, i);
    for (;;) {
        size_t in_domain = 0, lru_d = SIZE_MAX, lru = SIZE_MAX;
        for (size_t i = 0; i < jar->len; i++) {
            if (lru == SIZE_MAX || jar->c[i].used < jar->c[lru].used)
                lru = i;
            if (strcmp(jar->c[i].domain, domain) == 0) {
                in_domain++;
                if (lru_d == SIZE_MAX || jar->c[i].used < jar->c[lru_d].used)
                    lru_d = i;
            }
        }
        if (in_domain >= KUMO_COOKIE_MAX_PER_DOMAIN)
            remove_at(jar, lru_d);
        else if (jar->len >= KUMO_COOKIE_MAX_PER_JAR)
            remove_at(jar, lru);
        else
            break;
    }
}

static size_t find(const kumo_cookiejar *jar, const char *name, const char *domain,
                   const char *path)
{
    for (size_t i = 0; i < jar->len; i++)
        if (strcmp(jar->c[i].name, name) == 0 && strcmp(jar->c[i].domain, domain) == 0 &&
            strcmp(jar->c[i].path, path) == 0)
            return i;
    return SIZE_MAX;
}

void kumo__cookie_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* What the attributes of one Set-Cookie say. */
typedef struct attrs {
    const char *domain, *path;
    size_t domain_len, path_len;
    bool has_domain, has_path, has_max_age, has_expires, secure, http_only;
    int64_t max_age_expiry, expires;
} attrs;

static void parse_attr(attrs *a, const char *s, size_t n, int64_t now)
{
    const char *eq = memchr(s, '=', n);
    const char *name = s, *val = eq ? eq + 1 : s + n;
    size_t nl = eq ? (size_t)(eq - s) : n, vl = eq ? n - nl - 1 : 0;
    kumo__cookie_trim(&name, &nl);
    kumo__cookie_trim(&val, &vl);
    if (vl > KUMO_COOKIE_MAX_ATTR)
        return;
#define IS(lit) (nl == sizeof(lit) - 1 && strncasecmp(name, lit, nl) == 0)
    if (IS("expires")) {
        char buf[KUMO_COOKIE_MAX_ATTR + 1];
        memcpy(buf, val, vl);
        buf[vl] = '\0';
        int64_t t;
        if (kumo__cookie_date_parse(buf, &t) == KUMO_OK) {
            a->has_expires = true;
            a->expires = t;
        }
    } else if (IS("max-age")) {
        if (!vl || !(isdigit((unsigned char)val[0]) || val[0] == '-'))
            return;
        bool neg = val[0] == '-';
        int64_t delta = 0;
        for (size_t i = neg; i < vl; i++) {
            if (!isdigit((unsigned char)val[i]))
                return;
            if (delta < INT64_MAX / 20)
                delta = delta * 10 + (val[i] - '0');
        }
        if (neg && vl == 1)
            return;
        a->has_max_age = true;
        a->max_age_expiry = neg || delta == 0 ? INT64_MIN : (delta > INT64_MAX - now
                                                             ? INT64_MAX : now + delta);
    } else if (IS("domain")) {
        if (vl == 0)
            return;
        a->has_domain = true;
        a->domain = val;
        a->domain_len = vl;
    } else if (IS("path")) {
        a->has_path = true;
        a->path = val;
        a->path_len = vl;
    } else if (IS("secure")) {
        a->secure = true;
    } else if (IS("httponly")) {
        a->http_only = true;
    }
    /* SameSite and anything else: parsed and ignored */
#undef IS
}

static bool has_ctl(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return true;
    }
    return false;
}

int kumo__cookiejar_set(kumo_cookiejar *jar, const char *url, const char *set_cookie,
                       int64_t now)
{
    target t;
    if (target_parse(url, &t) != KUMO_OK)
        return KUMO_EURL;
    if (has_ctl(set_cookie))
        return KUMO_ESYNTAX;

    /* name=value: without '=', an empty name (RFC 6265bis) */
    size_t pairlen = strcspn(set_cookie, ";");
    const char *eq = memchr(set_cookie, '=', pairlen);
    const char *name = eq ? set_cookie : "", *value = eq ? eq + 1 : set_cookie;
    size_t nl = eq ? (size_t)(eq - set_cookie) : 0;
    size_t vl = eq ? pairlen - nl - 1 : pairlen;
    kumo__cookie_trim(&name, &nl);
    kumo__cookie_trim(&value, &vl);
    if (nl == 0 && vl == 0)
        return KUMO_ESYNTAX;
    if (nl + vl > KUMO_COOKIE_MAX_NAMEVALUE)
        return KUMO_ETOOBIG;

    attrs a = {0};
    for (const char *p = set_cookie + pairlen; *p == ';';) {
        p++;
        size_t n = strcspn(p, ";");
        parse_attr(&a, p, n, now);
        p += n;
    }

    /* Domain (5.2.3 and 5.3 steps 4-6) */
    char domain[256];
    bool host_only = true;
    snprintf(domain, sizeof(domain), "%s", t.host);
    if (a.has_domain) {
        const char *d = a.domain;
        size_t dl = a.domain_len;
        if (*d == '.') {
            d++;
            dl--;
        }
        if (dl == 0 || dl >= sizeof(domain))
            return KUMO_EIGNORED;
        char want[256];
        for (size_t i = 0; i < dl; i++)
            want[i] = (char)tolower((unsigned char)d[i]);
        want[dl] = '\0';
        if (public_suffix(want) && strcmp(want, t.host) != 0)
            return KUMO_EIGNORED;
        if (!(public_suffix(want) && strcmp(want, t.host) == 0)) {
            if (!domain_match(&t, want))
                return KUMO_EIGNORED;
            host_only = false;
            memcpy(domain, want, dl + 1);
        }
    }

    /* Path (5.2.4), else the default path (5.1.4) */
    char path[KUMO_COOKIE_MAX_ATTR + 2];
    if (a.has_path && a.path_len > 0 && a.path[0] == '/') {
        memcpy(path, a.path, a.path_len);
        path[a.path_len] = '\0';
    } else {
        const char *last = strrchr(t.path, '/');
        size_t n = last ? (size_t)(last - t.path) : 0;
        if (n == 0) {
            strcpy(path, "/");
        } else {
            memcpy(path, t.path, n);
            path[n] = '\0';
        }
    }

    /* Secure only from a secure origin; prefixes (RFC 6265bis 4.1.3) */
    if (a.secure && !t.secure_origin)
        return KUMO_EIGNORED;
    if (nl >= 9 && strncasecmp(name, "__Secure-", 9) == 0 && !a.secure)
        return KUMO_EIGNORED;
    if (nl >= 7 && strncasecmp(name, "__Host-", 7) == 0 &&
        (!a.secure || !host_only || strcmp(path, "/") != 0))
        return KUMO_EIGNORED;
    /* a nameless cookie goes out as its value alone: not one that reads as a prefixed name */
    if (nl == 0 && ((vl >= 9 && strncasecmp(value, "__Secure-", 9) == 0) ||
                    (vl >= 7 && strncasecmp(value, "__Host-", 7) == 0)))
        return KUMO_EIGNORED;

    char *nm = kumo_strndup(name, nl, KUMO_T_STR, tag_via());
    /* a plain-http cookie may not shadow a Secure one (6265bis 5.7 step 16) */
    if (!a.secure && !t.secure_origin) {
        for (size_t i = 0; i < jar->len; i++) {
            const cookie *c = &jar->c[i];
            if (!c->secure || strcmp(c->name, nm) != 0)
                continue;
            target dt = {.is_ip = false};
            snprintf(dt.host, sizeof(dt.host), "%s", domain);
            target ct = {.is_ip = false};
            snprintf(ct.host, sizeof(ct.host), "%s", c->domain);
            if ((domain_match(&dt, c->domain) || domain_match(&ct, domain)) &&
                path_match(path, c->path)) {
                kumo_free(nm);
                return KUMO_EIGNORED;
            }
        }
    }

    /* Max-Age wins over Expires; an expiry in the past deletes */
    bool persistent = a.has_max_age || a.has_expires;
    int64_t expires = a.has_max_age ? a.max_age_expiry : a.expires;
    size_t old = find(jar, nm, domain, path);
    uint64_t created = ++jar->tick;
    if (old != SIZE_MAX) {
        created = jar->c[old].created;
        remove_at(jar, old);
    }
    if (persistent && expires <= now) {
        kumo_free(nm);
        return KUMO_EDONE;
    }
    make_room(jar, domain, now);

    size_t dl = strlen(domain), pl = strlen(path);
    char *block = kumo_alloc(nl + vl + dl + pl + 4, tag_cookie(), tag_via());
    memcpy(block, nm, nl + 1);
    kumo_free(nm);
    memcpy(block + nl + 1, value, vl);
    block[nl + 1 + vl] = '\0';
    memcpy(block + nl + vl + 2, domain, dl + 1);
    memcpy(block + nl + vl + dl + 3, path, pl + 1);
    if (jar->len == jar->cap) {
        jar->cap = jar->cap ? jar->cap * 2 : 8;
        jar->c = kumo_realloc(jar->c, jar->cap * sizeof(cookie), tag_jar(), tag_via());
    }
    jar->c[jar->len++] = (cookie){
        .name = block,
        .value = block + nl + 1,
        .domain = block + nl + vl + 2,
        .path = block + nl + vl + dl + 3,
        .expires = persistent ? expires : 0,
        .created = created,
        .used = ++jar->tick,
        .host_only = host_only,
        .secure = a.secure,
        .http_only = a.http_only,
        .persistent = persistent,
    };
    return KUMO_OK;
}

static bool applies(const cookie *c, const target *t)
{
    if (c->host_only ? strcmp(c->domain, t->host) != 0 : !domain_match(t, c->domain))
        return false;
    if (!path_match(t->path, c->path))
        return false;
    return !c->secure || t->secure_origin;
}

static int cmp_send(const void *a, const void *b)
{
    const cookie *x = *(const cookie *const *)a, *y = *(const cookie *const *)b;
    size_t lx = strlen(x->path), ly = strlen(y->path);
    if (lx != ly)
        return lx > ly ? -1 : 1;
    return x->created < y->created ? -1 : x->created > y->created;
}

char *kumo__cookiejar_header(kumo_cookiejar *jar, const char *url, int64_t now)
{
    target t;
    if (target_parse(url, &t) != KUMO_OK)
        return NULL;
    for (size_t i = jar->len; i-- > 0;)
        if (expired(&jar->c[i], now))
            remove_at(jar, i);
    cookie **sel = NULL;
    size_t n = 0;
    for (size_t i = 0; i < jar->len; i++) {
        if (!applies(&jar->c[i], &t))
            continue;
        if (!sel)
            sel = kumo_alloc(jar->len * sizeof(*sel), KUMO_T_LIST, tag_via());
        sel[n++] = &jar->c[i];
    }
    if (!n)
        return NULL;
    qsort(sel, n, sizeof(*sel), cmp_send);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_HEADERS);
    uint64_t tick = ++jar->tick;
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(sel[i]->name), vl = strlen(sel[i]->value);
        size_t add = (b.len ? 2 : 0) + nl + (nl ? 1 : 0) + vl;
        if (b.len + add > KUMO_COOKIE_MAX_HEADER)
            continue;
        if (b.len)
            kumo__buf_adds(&b, "; ");
        if (nl) {
            kumo__buf_add(&b, sel[i]->name, nl);
            kumo__buf_addc(&b, '=');
        }
        kumo__buf_add(&b, sel[i]->value, vl);
        sel[i]->used = tick;
    }
    kumo_free(sel);
    if (!b.len) {
        kumo__buf_release(&b);
        return NULL;
    }
    return kumo__buf_detach(&b, NULL);
}

bool kumo__cookiejar_sends(kumo_cookiejar *jar, const char *url, const char *name,
                          const char *value, int64_t now)
{
    target t;
    if (target_parse(url, &t) != KUMO_OK)
        return false;
    for (size_t i = 0; i < jar->len; i++) {
        const cookie *c = &jar->c[i];
        if (!expired(c, now) && strcmp(c->name, name) == 0 && strcmp(c->value, value) == 0 &&
            applies(c, &t))
            return true;
    }
    return false;
}
