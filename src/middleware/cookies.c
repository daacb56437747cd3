/* cookies.c - the Cookies downloader middleware: a cookie jar per meta['cookiejar']. */
#include <time.h>

#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/cookiejar.h"
#include "http/request.h"
#include "http/response.h"
#include "util/buf.h"

#define LOGGER "kumo.downloadermiddlewares.cookies"
#define MERGED "_cookies_merged"    /* meta: the request's own Cookie header is in its jar */

typedef struct jarslot {
    char *key;                  /* the meta['cookiejar'] value, typed: "N", "i:1", "s:x"... */
    kumo_cookiejar *jar;
} jarslot;

typedef struct cookies_mw {
    bool debug;
    jarslot *jars;
    size_t njars, cap;
    kumo_tag via;
} cookies_mw;

static int ck_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "COOKIES_ENABLED"))
        return KUMO_EDECLINED;
    kumo_tag via = kumo_via_intern("\"['cookies']\"");
    cookies_mw *m = kumo_calloc(1, sizeof(*m), KUMO_T_MIDDLEWARE, via);
    m->debug = kumo_crawler_setting_bool(c, "COOKIES_DEBUG");
    m->via = via;
    *self = m;
    return KUMO_OK;
}

static void ck_close(void *self, kumo_crawler *c)
{
    (void)c;
    cookies_mw *m = self;
    for (size_t i = 0; i < m->njars; i++) {
        kumo_free(m->jars[i].key);
        kumo__cookiejar_free(m->jars[i].jar);
    }
    kumo_free(m->jars);
    kumo_free(m);
}

/*
 * The jar key of a request, as a Python dict sees meta.get("cookiejar"): None (missing)
 * is a key of its own; 1, 1.0 and True are one key, "1" another.
 */
static void jar_key(const kumo_request *req, char *buf, size_t n)
{
    const kumo_value *v = kumo_map_get(&req->meta, "cookiejar");
    if (!v || v->type == KUMO_VAL_NONE) {
        snprintf(buf, n, "N");
        return;
    }
    switch (v->type) {
    case KUMO_VAL_BOOL:
        snprintf(buf, n, "i:%d", v->u.b ? 1 : 0);
        break;
    case KUMO_VAL_INT:
        snprintf(buf, n, "i:%lld", (long long)v->u.i);
        break;
    case KUMO_VAL_FLOAT:
        if (v->u.f == (double)(long long)v->u.f)
            snprintf(buf, n, "i:%lld", (long long)v->u.f);
        else
            snprintf(buf, n, "f:%.17g", v->u.f);
        break;
    case KUMO_VAL_STR:
        snprintf(buf, n, "s:%s", v->u.str.s);
        break;
    case KUMO_VAL_OBJ:
        snprintf(buf, n, "o:%p", (void *)v->u.obj);
        break;
    default:
        KUMO_WARN(LOGGER, "meta['cookiejar'] of <%s %s> is a list (unhashable): using the "
                  "default jar", req->method, req->url);
        snprintf(buf, n, "N");
        break;
    }
}

/* The jar of req, created on first use (Scrapy's defaultdict(CookieJar)).  Borrowed. */
static kumo_cookiejar *jar_for(cookies_mw *m, const kumo_request *req)
{
    char key[512];
    jar_key(req, key, sizeof(key));
    for (size_t i = 0; i < m->njars; i++)
        if (strcmp(m->jars[i].key, key) == 0)
            return m->jars[i].jar;
    if (m->njars == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->jars = kumo_realloc(m->jars, m->cap * sizeof(*m->jars), KUMO_T_DICT, m->via);
    }
    jarslot *s = &m->jars[m->njars++];
    s->key = kumo_strdup(key, KUMO_T_STR, m->via);
    s->jar = kumo__cookiejar_new();
    return s->jar;
}

/* One "name=value" (or "value") of a Cookie header into the jar, unless it sends it. */
static void merge_one(kumo_cookiejar *jar, const char *url, const char *s, size_t sl,
                      int64_t now)
{
    char pair[KUMO_COOKIE_MAX_NAMEVALUE + 2];
    const char *eq = memchr(s, '=', sl);
    const char *name = s, *val = eq ? eq + 1 : s;
    size_t nl = eq ? (size_t)(eq - s) : 0, vl = eq ? sl - nl - 1 : sl;
    kumo__cookie_trim(&name, &nl);
    kumo__cookie_trim(&val, &vl);
    memcpy(pair, name, nl);
    pair[nl] = '\0';
    memcpy(pair + nl + 1, val, vl);
    pair[nl + 1 + vl] = '\0';
    if (kumo__cookiejar_sends(jar, url, pair, pair + nl + 1, now))
        return;
    pair[nl] = '=';
    kumo__cookiejar_set(jar, url, pair, now);
}

/*
 * The spider's own Cookie header plays the part of Scrapy's Request.cookies: each
 * name=value goes into the jar (host-only, default path) unless the jar already sends
 * that very cookie to this url (a header an earlier pass built, copied by a retry).
 */
static void merge_request_cookies(kumo_cookiejar *jar, kumo_request *req, int64_t now)
{
    size_t n = kumo_headers_count(req->headers);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        kumo_headers_at(req->headers, i, &name, &value);
        if (strcasecmp(name, "Cookie") != 0)
            continue;
        for (const char *p = value; *p;) {
            size_t len = strcspn(p, ";");
            const char *s = p;
            size_t sl = len;
            kumo__cookie_trim(&s, &sl);
            if (sl > 0 && sl <= KUMO_COOKIE_MAX_NAMEVALUE)
                merge_one(jar, req->url, s, sl, now);
            p += len;
            if (*p == ';')
                p++;
        }
    }
}

/* Scrapy's _debug_cookie / _debug_set_cookie: "WHAT: <X url>\nNAME: v\n\nNAME: w\n". */
static void debug_headers(const char *what, const char *first, const char *url,
                          const kumo_headers *h, const char *hname)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    size_t n = kumo_headers_count(h);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        kumo_headers_at(h, i, &name, &value);
        if (strcasecmp(name, hname) != 0)
            continue;
        if (b.len)
            kumo__buf_adds(&b, "\n");
        kumo__buf_printf(&b, "%s: %s\n", hname, value);
    }
    if (b.len)
        KUMO_DEBUG(LOGGER, "%s: <%s %s>\n%s", what, first, url, kumo__buf_str(&b));
    kumo__buf_release(&b);
}

/* The jar req's cookies go through, or NULL when meta['dont_merge_cookies'] leaves req
 * alone. */
static kumo_cookiejar *merging_jar(cookies_mw *m, const kumo_request *req)
{
    if (kumo__meta_true(&req->meta, "dont_merge_cookies"))
        return NULL;
    return jar_for(m, req);
}

static int ck_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)c;
    (void)res;
    (void)next;
    cookies_mw *m = self;
    kumo_cookiejar *jar = merging_jar(m, req);
    if (!jar)
        return KUMO_OK;
    int64_t now = (int64_t)time(NULL);
    /* A request that passed here before (a retry's or a redirect's copy) carries the header
     * the jar built then: it is rebuilt from the jar as it is now, not merged again, so a
     * cookie the last response deleted stays deleted. */
    if (!kumo__meta_true(&req->meta, MERGED)) {
        merge_request_cookies(jar, req, now);
        kumo_map_set(&req->meta, MERGED, kumo_val_bool(1));
    }
    kumo_request_set_header(req, "Cookie", NULL);
    char *hdr = kumo__cookiejar_header(jar, req->url, now);
    if (hdr) {
        kumo_request_set_header(req, "Cookie", hdr);
        kumo_free(hdr);
    }
    if (m->debug)
        debug_headers("Sending cookies to", req->method, req->url, req->headers, "Cookie");
    return KUMO_OK;
}

static int ck_response(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                       kumo_request **next)
{
    (void)c;
    (void)next;
    cookies_mw *m = self;
    kumo_cookiejar *jar = merging_jar(m, req);
    if (!jar)
        return KUMO_OK;
    int64_t now = (int64_t)time(NULL);
    const kumo_headers *h = (*res)->headers;
    size_t n = kumo_headers_count(h);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        kumo_headers_at(h, i, &name, &value);
        if (strcasecmp(name, "Set-Cookie") == 0)
            kumo__cookiejar_set(jar, req->url, value, now);
    }
    if (m->debug) {
        char status[16];
        snprintf(status, sizeof(status), "%d", (*res)->status);
        debug_headers("Received cookies from", status, (*res)->url, h, "Set-Cookie");
    }
    return KUMO_OK;
}

const kumo_dlmw_def kumo__dlmw_cookies = {
    KUMO_DLMW_HEADER,
    .name = "Cookies",
    .order = 700,
    .open = ck_open,
    .close = ck_close,
    .process_request = ck_request,
    .process_response = ck_response,
};
