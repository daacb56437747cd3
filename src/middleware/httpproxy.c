/* httpproxy.c - the HttpProxy downloader middleware: env proxies, meta proxy, credentials. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/downloader.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/url.h"
#include "util/hex.h"

/* A proxy from the environment: its url without credentials, and the header value. */
typedef struct proxy {
    char *url;                  /* NULL: none */
    char *creds;                /* "Basic ..." or NULL */
} proxy;

typedef struct httpproxy {
    bool latin1;                /* HTTPPROXY_AUTH_ENCODING */
    proxy http, https;          /* http_proxy, https_proxy */
    char *no_proxy;             /* no_proxy, or NULL */
} httpproxy;

/* Returns a new string: s[0..n) with %XX decoded (Python's unquote). */
static char *unquote(const char *s, size_t n)
{
    char *out = kumo_alloc(n + 1, KUMO_T_STR, KUMO_V_HEADERS), *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = kumo__hex_value((unsigned char)s[i + 1])) >= 0 &&
            (lo = kumo__hex_value((unsigned char)s[i + 2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

/*
 * Python's urllib _parse_proxy, then Scrapy's _get_proxy: "[scheme://][user[:pass]@]host:port"
 * becomes the url "scheme://host:port" (default_scheme when it has none; "http" if that is
 * empty too) and, with credentials, "Basic base64(user:pass)".  Returns false for a url
 * with no authority ("http:/x").
 */
static bool parse_proxy(const char *spec, const char *default_scheme, bool latin1, proxy *out)
{
    const char *colon = strchr(spec, ':');
    const char *scheme = NULL, *auth = spec;
    size_t scheme_len = 0;
    out->url = out->creds = NULL;
    if (colon && colon > spec && !memchr(spec, '/', (size_t)(colon - spec)) && colon[1] == '/') {
        if (colon[2] != '/')
            return false;
        scheme = spec;
        scheme_len = (size_t)(colon - spec);
        auth = colon + 3;
    }
    const char *at = NULL, *end;
    if (scheme) {
        at = strchr(auth, '@');
        end = strchr(at ? at : auth, '/');
        if (!end)
            end = auth + strlen(auth);
    } else {
        end = auth + strlen(auth);
    }
    /* userinfo is everything before the last '@' of the authority */
    const char *hostport = auth;
    for (const char *p = auth; p < end; p++)
        if (*p == '@')
            hostport = p + 1;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_META);
    if (scheme)
        kumo__buf_printf(&b, "%.*s://", (int)scheme_len, scheme);
    else
        kumo__buf_printf(&b, "%s://", *default_scheme ? default_scheme : "http");
    kumo__buf_add(&b, hostport, (size_t)(end - hostport));
    size_t len;
    out->url = kumo__buf_detach(&b, &len);
    if (hostport > auth) {
        const char *ui_end = hostport - 1;
        const char *sep = memchr(auth, ':', (size_t)(ui_end - auth));
        char *user = unquote(auth, (size_t)((sep ? sep : ui_end) - auth));
        char *pass = sep ? unquote(sep + 1, (size_t)(ui_end - sep - 1)) : unquote("", 0);
        out->creds = kumo__basic_auth(user, pass, latin1);
        kumo_free(user);
        kumo_free(pass);
    }
    return true;
}

static void proxy_release(proxy *p)
{
    kumo_free(p->url);
    kumo_free(p->creds);
    p->url = p->creds = NULL;
}

/* Python's getproxies_environment for one type: the lower-case variable wins; HTTP_PROXY is
 * ignored under CGI (REQUEST_METHOD set). */
static const char *env_proxy(const char *lower, const char *upper)
{
    const char *v = getenv(lower);
    if (v)
        return *v ? v : NULL;
    if (strcmp(upper, "HTTP_PROXY") == 0 && getenv("REQUEST_METHOD"))
        return NULL;
    v = getenv(upper);
    return v && *v ? v : NULL;
}

/* Python's proxy_bypass_environment(host) against no_proxy. */
static bool bypass(const char *no_proxy, const char *host)
{
    if (!no_proxy)
        return false;
    if (strcmp(no_proxy, "*") == 0)
        return true;
    size_t hl = strlen(host);
    const char *p = no_proxy;
    while (*p) {
        const char *comma = strchr(p, ',');
        const char *e = comma ? comma : p + strlen(p);
        while (p < e && (*p == ' ' || *p == '\t' || *p == '.'))
            p++;
        const char *q = e;
        while (q > p && (q[-1] == ' ' || q[-1] == '\t'))
            q--;
        size_t n = (size_t)(q - p);
        if (n && (n == hl ? strncasecmp(host, p, n) == 0
                          : hl > n && host[hl - n - 1] == '.' &&
                                strncasecmp(host + hl - n, p, n) == 0))
            return true;
        p = comma ? comma + 1 : e;
    }
    return false;
}

static int hp_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "HTTPPROXY_ENABLED"))
        return KUMO_EDECLINED;
    httpproxy *h = kumo_calloc(1, sizeof(*h), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    const char *enc = kumo_crawler_setting(c, "HTTPPROXY_AUTH_ENCODING");
    h->latin1 = !enc || strcasecmp(enc, "latin-1") == 0 || strcasecmp(enc, "latin1") == 0 ||
                strcasecmp(enc, "iso-8859-1") == 0 || strcasecmp(enc, "iso8859-1") == 0;
    const char *v = env_proxy("http_proxy", "HTTP_PROXY");
    if (v && !parse_proxy(v, "http", h->latin1, &h->http))
        proxy_release(&h->http);
    v = env_proxy("https_proxy", "HTTPS_PROXY");
    if (v && !parse_proxy(v, "https", h->latin1, &h->https))
        proxy_release(&h->https);
    v = env_proxy("no_proxy", "NO_PROXY");
    if (v)
        h->no_proxy = kumo_strdup(v, KUMO_T_STR, KUMO_V_DICT);
    *self = h;
    return KUMO_OK;
}

static void hp_close(void *self, kumo_crawler *c)
{
    httpproxy *h = self;
    proxy_release(&h->http);
    proxy_release(&h->https);
    kumo_free(h->no_proxy);
    kumo_free(h);
}

static bool same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Scrapy 2.8's process_request and _set_proxy_and_creds, meta _auth_proxy included. */
static int hp_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    httpproxy *h = self;
    kumo_map *meta = &req->meta;
    proxy mine = {NULL, NULL};
    const char *url = NULL, *creds = NULL;
    const kumo_value *mv = kumo_map_get(meta, "proxy");
    if (mv) {
        if (mv->type == KUMO_VAL_STR && *mv->u.str.s &&
            parse_proxy(mv->u.str.s, "", h->latin1, &mine)) {
            url = mine.url;
            creds = mine.creds;
        }
    } else {
        char *scheme = kumo__url_scheme(req->url);
        const proxy *p = !scheme                       ? NULL
                         : strcmp(scheme, "http") == 0  ? &h->http
                         : strcmp(scheme, "https") == 0 ? &h->https
                                                        : NULL;
        kumo_free(scheme);
        if (p && p->url) {
            char *host = kumo_url_host(req->url);
            if (!bypass(h->no_proxy, host ? host : "")) {
                url = p->url;
                creds = p->creds;
            }
            kumo_free(host);
        }
    }
    if (url)
        kumo_map_set(meta, "proxy", kumo_val_str(url));
    else if (mv && mv->type != KUMO_VAL_NONE)
        kumo_map_set(meta, "proxy", kumo_val_none());

    const kumo_value *ap = kumo_map_get(meta, "_auth_proxy");
    if (creds) {
        kumo_request_set_header(req, "Proxy-Authorization", creds);
        kumo_map_set(meta, "_auth_proxy", kumo_val_str(url));
    } else if (ap) {
        if (!same(url, ap->type == KUMO_VAL_STR ? ap->u.str.s : NULL)) {
            kumo_request_set_header(req, "Proxy-Authorization", NULL);
            kumo_map_del(meta, "_auth_proxy");
        }
    } else if (kumo_request_header(req, "Proxy-Authorization")) {
        if (url)
            kumo_map_set(meta, "_auth_proxy", kumo_val_str(url));
        else
            kumo_request_set_header(req, "Proxy-Authorization", NULL);
    }
    proxy_release(&mine);
    return KUMO_OK;
}

const kumo_dlmw_def kumo__dlmw_httpproxy = {
    KUMO_DLMW_HEADER,
    .name = "HttpProxy",
    .order = 750,
    .open = hp_open,
    .close = hp_close,
    .process_request = hp_request,
};
