/* referer.c - the Referer spider middleware: Referer headers per REFERRER_POLICY. */
#include <ctype.h>
#include <strings.h>

#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/request.h"
#include "http/response.h"
#include "util/buf.h"

#define LOGGER "kumo.spidermiddlewares.referer"

/* Scrapy's policy classes (scrapy/spidermiddlewares/referer.py). */
typedef enum {
    POL_NO_REFERRER,
    POL_NO_REFERRER_WHEN_DOWNGRADE,
    POL_SAME_ORIGIN,
    POL_ORIGIN,
    POL_STRICT_ORIGIN,
    POL_ORIGIN_WHEN_CROSS_ORIGIN,
    POL_STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
    POL_UNSAFE_URL,
    POL_SCRAPY_DEFAULT,
} policy;

static const struct {
    const char *name;       /* the W3C name */
    const char *cls;        /* Scrapy's class, accepted as "scrapy.spidermiddlewares.referer.X" */
} policies[] = {
    [POL_NO_REFERRER] = {"no-referrer", "NoReferrerPolicy"},
    [POL_NO_REFERRER_WHEN_DOWNGRADE] = {"no-referrer-when-downgrade",
                                        "NoReferrerWhenDowngradePolicy"},
    [POL_SAME_ORIGIN] = {"same-origin", "SameOriginPolicy"},
    [POL_ORIGIN] = {"origin", "OriginPolicy"},
    [POL_STRICT_ORIGIN] = {"strict-origin", "StrictOriginPolicy"},
    [POL_ORIGIN_WHEN_CROSS_ORIGIN] = {"origin-when-cross-origin", "OriginWhenCrossOriginPolicy"},
    [POL_STRICT_ORIGIN_WHEN_CROSS_ORIGIN] = {"strict-origin-when-cross-origin",
                                             "StrictOriginWhenCrossOriginPolicy"},
    [POL_UNSAFE_URL] = {"unsafe-url", "UnsafeUrlPolicy"},
    [POL_SCRAPY_DEFAULT] = {"scrapy-default", "DefaultReferrerPolicy"},
};

#define CLASS_PREFIX "scrapy.spidermiddlewares.referer."

/*
 * Scrapy's _load_policy_class: a class path, else a W3C name (case-insensitive); the
 * empty string is no-referrer-when-downgrade.  Returns the index in policies, or -1 when
 * name is neither (not found, not an error code: the caller reports it).
 */
static int policy_lookup(const char *name)
{
    if (strchr(name, '.')) {
        size_t n = strlen(CLASS_PREFIX);
        if (strncmp(name, CLASS_PREFIX, n) != 0)
            return -1;
        for (size_t i = 0; i < KUMO_ARRAY_LEN(policies); i++)
            if (strcmp(name + n, policies[i].cls) == 0)
                return (int)i;
        return -1;
    }
    if (!*name)
        return POL_NO_REFERRER_WHEN_DOWNGRADE;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(policies); i++)
        if (strcasecmp(name, policies[i].name) == 0)
            return (int)i;
    return -1;
}

/* ---- urlparse / strip_url, as Python's urllib and scrapy.utils.url do them ---- */

typedef struct {
    char scheme[32];            /* lower case; "" when none (or too long to be one we know) */
    const char *netloc, *path, *query;
    size_t netloc_len, path_len, query_len;
    bool has_netloc;
} purl;

static void url_parse(const char *url, purl *p)
{
    memset(p, 0, sizeof(*p));
    p->netloc = "";
    const char *rest = url;
    const char *colon = strchr(url, ':');
    if (colon && colon > url && isalpha((unsigned char)url[0])) {
        const char *s = url;
        while (s < colon && (isalnum((unsigned char)*s) || *s == '+' || *s == '-' || *s == '.'))
            s++;
        if (s == colon) {
            size_t n = (size_t)(colon - url);
            if (n >= sizeof(p->scheme))
                n = sizeof(p->scheme) - 1;
            for (size_t i = 0; i < n; i++)
                p->scheme[i] = (char)tolower((unsigned char)url[i]);
            rest = colon + 1;
        }
    }
    if (rest[0] == '/' && rest[1] == '/') {
        p->has_netloc = true;
        p->netloc = rest + 2;
        p->netloc_len = strcspn(p->netloc, "/?#");
        rest = p->netloc + p->netloc_len;
    }
    p->path = rest;
    p->path_len = strcspn(rest, "?#");
    rest += p->path_len;
    if (*rest == '?') {
        p->query = rest + 1;
        p->query_len = strcspn(p->query, "#");
    }
}

static bool scheme_is(const purl *p, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(p->scheme, list[i]) == 0)
            return true;
    return false;
}

/* urllib.parse.uses_netloc */
static const char *const uses_netloc[] = {
    "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https",
    "shttp", "snews", "prospero", "rtsp", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs",
    "git", "git+ssh", "ws", "wss", NULL,
};

/*
 * scrapy.utils.url.strip_url(url, strip_credentials=True, strip_default_port=True,
 * origin_only, strip_fragment=True).  Returns a new string.
 */
static char *strip_url(const char *url, bool origin_only)
{
    purl p;
    url_parse(url, &p);
    const char *net = p.netloc;
    size_t net_len = p.netloc_len;

    /* credentials: dropped when the user name or the password is not empty */
    const char *at = NULL;
    for (size_t i = 0; i < net_len; i++)
        if (net[i] == '@')
            at = net + i;
    if (at) {
        size_t ui = (size_t)(at - net);
        if (ui > 0 && !(ui == 1 && net[0] == ':')) {
            net_len -= ui + 1;
            net = at + 1;
        }
    }

    /* default port: host part is after the last '@', the port after the last ':' past ']' */
    const char *hostinfo = at ? at + 1 : p.netloc;
    size_t hostinfo_len = p.netloc_len - (size_t)(hostinfo - p.netloc);
    const char *port = NULL;
    size_t port_len = 0;
    {
        const char *start = hostinfo;
        const char *rb = memchr(hostinfo, ']', hostinfo_len);
        if (rb)
            start = rb;
        const char *c = NULL;
        for (const char *q = start; q < hostinfo + hostinfo_len; q++)
            if (*q == ':')
                c = q;
        if (c) {
            port = c + 1;
            port_len = (size_t)(hostinfo + hostinfo_len - port);
        }
    }
    kumo_buf nb;
    kumo__buf_init(&nb, 0, KUMO_T_STR, KUMO_V_BODY);
    kumo__buf_add(&nb, net, net_len);
    if (port && port_len > 0) {
        bool digits = true;
        for (size_t i = 0; i < port_len; i++)
            digits = digits && isdigit((unsigned char)port[i]);
        char pnum[16] = "";
        if (digits && port_len < 6)
            snprintf(pnum, sizeof(pnum), "%d", atoi(port));
        if ((strcmp(p.scheme, "http") == 0 && strcmp(pnum, "80") == 0)
            || (strcmp(p.scheme, "https") == 0 && strcmp(pnum, "443") == 0)
            || (strcmp(p.scheme, "ftp") == 0 && strcmp(pnum, "21") == 0)) {
            /* netloc.replace(":80", ""): every occurrence */
            kumo_buf out;
            kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_BODY);
            char pat[8];
            int pl = snprintf(pat, sizeof(pat), ":%s", pnum);
            const char *s = kumo__buf_str(&nb);
            const char *hit;
            while ((hit = strstr(s, pat))) {
                kumo__buf_add(&out, s, (size_t)(hit - s));
                s = hit + pl;
            }
            kumo__buf_add(&out, s, strlen(s));
            kumo__buf_release(&nb);
            nb = out;
        }
    }

    /* path, with urlparse's ";params" on the last segment: an empty one is dropped */
    const char *path = origin_only ? "/" : p.path;
    size_t path_len = origin_only ? 1 : p.path_len;
    if (!origin_only) {
        const char *slash = NULL;
        for (size_t i = 0; i < path_len; i++)
            if (path[i] == '/')
                slash = path + i;
        if (slash) {
            const char *semi = memchr(slash, ';', path_len - (size_t)(slash - path));
            if (semi && semi == path + path_len - 1)
                path_len--;
        }
    }

    /* urlunparse */
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_BODY);
    if (p.scheme[0]) {
        kumo__buf_adds(&b, p.scheme);
        kumo__buf_adds(&b, ":");
    }
    if (nb.len > 0 || (scheme_is(&p, uses_netloc) && !(path_len >= 2 && path[0] == '/'
                                                      && path[1] == '/'))) {
        kumo__buf_adds(&b, "//");
        kumo__buf_add(&b, kumo__buf_str(&nb), nb.len);
        if (path_len > 0 && path[0] != '/')
            kumo__buf_adds(&b, "/");
    }
    kumo__buf_add(&b, path, path_len);
    if (!origin_only && p.query_len > 0) {
        kumo__buf_adds(&b, "?");
        kumo__buf_add(&b, p.query, p.query_len);
    }
    kumo__buf_release(&nb);
    return kumo__buf_detach(&b, NULL);
}

static const char *const local_schemes[] = {"about", "blob", "data", "filesystem", NULL};
static const char *const default_noref[] = {
    "about", "blob", "data", "filesystem", "file", "s3", NULL,
};
static const char *const tls_schemes[] = {"https", "ftps", NULL};

static bool tls_protected(const char *url)
{
    purl p;
    url_parse(url, &p);
    return scheme_is(&p, tls_schemes);
}

static bool potentially_trustworthy(const char *url)
{
    purl p;
    url_parse(url, &p);
    return strcmp(p.scheme, "data") != 0 && scheme_is(&p, tls_schemes);
}

/* stripped_referrer / origin_referrer: NULL for a no-referrer scheme. */
/*
 * The last referrer_of() answer: every request a page yields asks for the same one (the
 * bench spider's 63 links a page parsed and stripped the page's url 63 times).
 */
typedef struct memo {
    char *url;                      /* owned, or NULL when empty */
    bool scrapy_default, origin_only;
    char *ref;                      /* owned, or NULL for no Referer */
} memo;

static void memo_release(memo *mm)
{
    kumo_free(mm->url);
    kumo_free(mm->ref);
    mm->url = mm->ref = NULL;
}

/* The Referer url gives (a new string), or NULL; remembered in mm when not NULL. */
static char *referrer_of(memo *mm, policy pol, const char *url, bool origin_only)
{
    bool scrapy_default = pol == POL_SCRAPY_DEFAULT;
    if (mm && mm->url && mm->scrapy_default == scrapy_default &&
        mm->origin_only == origin_only && strcmp(mm->url, url) == 0)
        return mm->ref ? kumo_strdup(mm->ref, KUMO_T_STR, KUMO_V_BODY) : NULL;
    purl p;
    url_parse(url, &p);
    char *ref = NULL;
    if (!scheme_is(&p, scrapy_default ? default_noref : local_schemes))
        ref = strip_url(url, origin_only);
    if (mm) {
        memo_release(mm);
        mm->url = kumo_strdup(url, KUMO_T_STR, KUMO_V_BODY);
        mm->scrapy_default = scrapy_default;
        mm->origin_only = origin_only;
        mm->ref = ref ? kumo_strdup(ref, KUMO_T_STR, KUMO_V_BODY) : NULL;
    }
    return ref;
}

static bool same_origin(const char *a, const char *b)
{
    char *oa = strip_url(a, true), *ob = strip_url(b, true);
    bool same = strcmp(oa, ob) == 0;
    kumo_free(oa);
    kumo_free(ob);
    return same;
}

/*
 * The Referer value pol gives a request to req_url from a response at res_url: a new
 * string, or NULL for none.  mm (or NULL) remembers the last answer.
 */
static char *policy_referrer(memo *mm, policy pol, const char *res_url, const char *req_url)
{
    if (!*res_url)
        return NULL;
    switch (pol) {
    case POL_NO_REFERRER:
        return NULL;
    case POL_NO_REFERRER_WHEN_DOWNGRADE:
    case POL_SCRAPY_DEFAULT:
        if (!tls_protected(res_url) || tls_protected(req_url))
            return referrer_of(mm, pol, res_url, false);
        return NULL;
    case POL_SAME_ORIGIN:
        return same_origin(res_url, req_url) ? referrer_of(mm, pol, res_url, false) : NULL;
    case POL_ORIGIN:
        return referrer_of(mm, pol, res_url, true);
    case POL_STRICT_ORIGIN:
        if (!tls_protected(res_url) || potentially_trustworthy(req_url))
            return referrer_of(mm, pol, res_url, true);
        return NULL;
    case POL_ORIGIN_WHEN_CROSS_ORIGIN:
        /* Scrapy returns the origin here without the local-scheme check */
        if (same_origin(res_url, req_url))
            return referrer_of(mm, pol, res_url, false);
        return strip_url(res_url, true);
    case POL_STRICT_ORIGIN_WHEN_CROSS_ORIGIN:
        if (same_origin(res_url, req_url))
            return referrer_of(mm, pol, res_url, false);
        if (!tls_protected(res_url) || potentially_trustworthy(req_url))
            return referrer_of(mm, pol, res_url, true);
        return NULL;
    case POL_UNSAFE_URL:
        return referrer_of(mm, pol, res_url, false);
    }
    return NULL;
}

/* ---- the middleware ---- */

typedef struct {
    policy def;
    memo last;
} referer_mw;

static int rf_open(kumo_crawler *c, void **self)
{
    if (!kumo_crawler_setting_bool(c, "REFERER_ENABLED"))
        return KUMO_EDECLINED;
    const char *name = kumo_crawler_setting(c, "REFERRER_POLICY");
    int pol = name ? policy_lookup(name) : POL_SCRAPY_DEFAULT;
    if (pol < 0) {
        KUMO_ERROR(LOGGER, "Could not load referrer policy '%s'", name);
        return KUMO_EINVAL;
    }
    referer_mw *m = kumo_calloc(1, sizeof(*m), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    m->def = (policy)pol;
    *self = m;
    return KUMO_OK;
}

static void rf_close(void *self, kumo_crawler *c)
{
    (void)c;
    referer_mw *m = self;
    memo_release(&m->last);
    kumo_free(m);
}

/* The last Referrer-Policy header of res (Scrapy's headers.get), or NULL; borrowed. */
static const char *policy_header(const kumo_response *res)
{
    const char *v = NULL;
    size_t n = kumo_headers_count(res->headers);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        kumo_headers_at(res->headers, i, &name, &value);
        if (strcasecmp(name, "Referrer-Policy") == 0)
            v = value;
    }
    return v;
}

/* meta['referrer_policy'], else the response's Referrer-Policy header, else the setting. */
static policy request_policy(const referer_mw *m, const kumo_response *res, kumo_request *req)
{
    const char *name = NULL;
    const kumo_value *v = kumo_map_get(&req->meta, "referrer_policy");
    if (v && v->type == KUMO_VAL_STR)
        name = v->u.str.s;
    else if (!v || v->type == KUMO_VAL_NONE)
        name = policy_header(res);
    if (!name)
        return m->def;
    int pol = policy_lookup(name);
    if (pol < 0) {
        KUMO_WARN(LOGGER, "Could not load referrer policy '%s'", name);
        return m->def;
    }
    return (policy)pol;
}

/* Callbacks' requests get a Referer unless they already have one; start requests none. */
static int rf_request(void *self, kumo_crawler *c, kumo_response *res, kumo_request *req)
{
    (void)c;
    if (!res || kumo_request_header(req, "Referer"))
        return KUMO_OK;
    referer_mw *m = self;
    char *ref = policy_referrer(&m->last, request_policy(m, res, req), res->url, req->url);
    if (ref) {
        kumo_request_set_header(req, "Referer", ref);
        kumo_free(ref);
    }
    return KUMO_OK;
}

const kumo_spmw_def kumo__spmw_referer = {
    KUMO_SPMW_HEADER,
    .name = "Referer",
    .order = 700,
    .open = rf_open,
    .close = rf_close,
    .process_request = rf_request,
};

/* ---- Scrapy's RefererMiddleware.request_scheduled, called on redirects ---- */

void kumo__referer_redirected(kumo_crawler *c, kumo_request *req)
{
    int order;
    bool disabled = false;
    if (!kumo_crawler_setting_bool(c, "REFERER_ENABLED") ||
        (kumo_crawler_setting_dict_order(c, "SPIDER_MIDDLEWARES", "Referer", &order,
                                         &disabled) == 1 &&
         disabled))
        return;
    const kumo_value *urls = kumo_map_get(&req->meta, "redirect_urls");
    const char *parent = kumo_request_header(req, "Referer");
    if (!urls || urls->type != KUMO_VAL_LIST || urls->u.list->len == 0 || !parent)
        return;
    /* the policy: meta's, else the setting's (a url has no Referrer-Policy header) */
    const char *setting = kumo_crawler_setting(c, "REFERRER_POLICY");
    int def = setting ? policy_lookup(setting) : POL_SCRAPY_DEFAULT;
    if (def < 0)
        def = POL_SCRAPY_DEFAULT;
    const kumo_value *v = kumo_map_get(&req->meta, "referrer_policy");
    int pol = def;
    if (v && v->type == KUMO_VAL_STR) {
        pol = policy_lookup(v->u.str.s);
        if (pol < 0) {
            KUMO_WARN(LOGGER, "Could not load referrer policy '%s'", v->u.str.s);
            pol = def;
        }
    }
    char *parent_copy = kumo_strdup(parent, KUMO_T_STR, KUMO_V_HEADERS);
    char *ref = policy_referrer(NULL, (policy)pol, parent_copy, req->url);
    if (!ref)
        kumo_request_set_header(req, "Referer", NULL);
    else if (strcmp(ref, parent_copy) != 0)
        kumo_request_set_header(req, "Referer", ref);
    kumo_free(ref);
    kumo_free(parent_copy);
}
