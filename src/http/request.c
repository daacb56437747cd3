/* request.c - the Request object: url, method, headers, body, callback, meta. */
#include "http/request.h"
#include "http/fingerprint.h"
#include "http/url.h"

static void retain(kumo_ref *r)
{
    kumo_request_ref((kumo_request *)r);
}

static void release(kumo_ref *r)
{
    kumo_request_unref((kumo_request *)r);
}

/* Scrapy's repr of a request: "<GET https://a.test/>". */
static size_t repr(const kumo_ref *r, char *out, size_t cap)
{
    const kumo_request *req = (const kumo_request *)r;
    int n = snprintf(out, cap, "<%s %s>", req->method, req->url);
    return n < 0 ? 0 : (size_t)n;
}

/* What a request holds: objects in its meta and its callback's keyword arguments. */
static void refs(const kumo_ref *r, kumo_ref_visit_fn visit, void *ctx)
{
    const kumo_request *req = (const kumo_request *)r;
    kumo_map_refs(&req->meta, ".meta", visit, ctx);
    if (req->ext)
        kumo_map_refs(&req->ext->cb_kwargs, ".cb_kwargs", visit, ctx);
}

static unsigned refcount(const kumo_ref *r)
{
    return ((const kumo_request *)r)->refcount;
}

/* Request is the root of the request classes: give it the shared-object verbs, its repr. */
static void set_class_ops(void)
{
    KUMO_CLASS(Request).retain = retain;
    KUMO_CLASS(Request).release = release;
    KUMO_CLASS(Request).repr = repr;
    KUMO_CLASS(Request).refs = refs;
    KUMO_CLASS(Request).refcount = refcount;
}

static kumo_request *alloc_request(void)
{
    if (!KUMO_CLASS(Request).retain)
        set_class_ops();
    kumo_request *req = kumo_calloc(1, sizeof(*req), KUMO_T_REQUEST, KUMO_V_NONE);
    kumo_ref_init(&req->ref, &KUMO_CLASS(Request));
    req->refcount = 1;
    req->method = "GET";
    kumo_map_init(&req->meta, KUMO_T_DICT, KUMO_V_META);
    return req;
}

/* The part of req few requests need, created on first use.  Borrowed, valid while req lives. */
static kumo_request_ext *ext_of(kumo_request *req)
{
    if (!req->ext) {
        req->ext = kumo_calloc(1, sizeof(*req->ext), KUMO_T_DICT, KUMO_V_DICT);
        kumo_map_init(&req->ext->cb_kwargs, KUMO_T_DICT, KUMO_V_DICT);
    }
    return req->ext;
}

/* The standard methods (RFC 9110 and PATCH): a request points to these instead of a copy. */
static const char *const std_methods[] = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
};

/* Set req's method to m (upper-cased when upper): a static string when it is a standard one,
 * else a copy req owns. */
static void put_method(kumo_request *req, const char *m, bool upper)
{
    const char *method = NULL;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(std_methods) && !method; i++)
        if ((upper ? strcasecmp(m, std_methods[i]) : strcmp(m, std_methods[i])) == 0)
            method = std_methods[i];
    if (req->method_owned)
        kumo_free((char *)req->method);
    req->method_owned = !method;
    if (!method) {
        char *own = kumo_strdup(m, KUMO_T_STR, KUMO_V_DICT);
        for (char *p = own; upper && *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        method = own;
    }
    req->method = method;
}

kumo_class *const kumo__request_classes[] = {
    &KUMO_CLASS(Request), &KUMO_CLASS(FormRequest), &KUMO_CLASS(JsonRequest), NULL,
};

void kumo__request_set_class(kumo_request *req, kumo_class *cls)
{
    if (req->ref.cls == cls)
        return;
    kumo_ref_fini(&req->ref);
    kumo_ref_init(&req->ref, cls);
}

kumo_request *kumo_request_new(const char *url, kumo_callback_fn cb, int *err)
{
    /* Scrapy's Request(url) keeps safe_url_string(url) */
    char *safe = NULL;
    int rc = url ? kumo__url_safe_check(url, &safe) : KUMO_EURL;
    if (err)
        *err = rc;
    if (rc != KUMO_OK) {
        kumo_free(safe);
        return NULL;
    }
    kumo_request *req = alloc_request();
    req->url = safe;
    req->cb = cb;
    return req;
}

kumo_request *kumo__request_copy(const kumo_request *src)
{
    kumo_request *req = alloc_request();
    req->url = kumo_strdup(src->url, KUMO_T_STR, KUMO_V_URL);
    put_method(req, src->method, false);
    req->headers = kumo__headers_copy(src->headers);
    req->cb = src->cb;
    req->priority = src->priority;
    req->dont_filter = src->dont_filter;
    kumo_map_copy(&req->meta, &src->meta);
    if (src->ext) {
        ext_of(req)->errback = src->ext->errback;
        kumo_map_copy(&req->ext->cb_kwargs, &src->ext->cb_kwargs);
        kumo_request_set_body(req, src->ext->body, src->ext->body_len);
    }
    kumo__request_set_class(req, (kumo_class *)src->ref.cls);
    return req;
}

kumo_request *kumo_request_ref(kumo_request *req)
{
    kumo_assert(req->refcount > 0);
    req->refcount++;
    return req;
}

void kumo_request_unref(kumo_request *req)
{
    if (!req)
        return;
    kumo_assert(req->refcount > 0);
    if (--req->refcount)
        return;
    kumo_ref_fini(&req->ref);
    kumo_free(req->url);
    if (req->method_owned)
        kumo_free((char *)req->method);
    kumo__headers_free(req->headers);
    kumo_map_release(&req->meta);
    if (req->ext) {
        kumo_map_release(&req->ext->cb_kwargs);
        kumo_free(req->ext->body);
        kumo_free(req->ext);
    }
    kumo_free(req);
}

const char *kumo_request_url(const kumo_request *req)
{
    return req->url;
}

void kumo__request_set_url(kumo_request *req, const char *url)
{
    char *u = kumo__url_safe(url);
    if (!u)
        u = kumo_strdup(url, KUMO_T_STR, KUMO_V_URL);
    kumo_free(req->url);
    req->url = u;
    req->fp_done = false;
}

const char *kumo_request_method(const kumo_request *req)
{
    return req->method;
}

bool kumo__method_is_token(const char *m)
{
    static const char tchar[] = "!#$%&'*+-.^_`|~";
    if (!m || !*m)
        return false;
    for (const char *p = m; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr(tchar, *p)))
            return false;
    return true;
}

void kumo__method_quote(const char *m, char *out, size_t n)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)m; *p && o + 5 < n; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\')
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, n - o, "\\x%02X", *p);
    }
    if (n)
        out[KUMO_MIN(o, n - 1)] = '\0';
}

int kumo_request_set_method(kumo_request *req, const char *method)
{
    if (!kumo__method_is_token(method))
        return KUMO_EINVAL;
    put_method(req, method, true);
    req->fp_done = false;
    return KUMO_OK;
}

void kumo_request_set_body(kumo_request *req, const void *body, size_t len)
{
    if (req->ext) {
        kumo_free(req->ext->body);
        req->ext->body = NULL;
        req->ext->body_len = 0;
    }
    if (body && len) {
        kumo_request_ext *x = ext_of(req);
        x->body = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
        memcpy(x->body, body, len);
        x->body[len] = '\0';
        x->body_len = len;
    }
    req->fp_done = false;
}

kumo_headers *kumo_request_headers(kumo_request *req)
{
    if (!req->headers)
        req->headers = kumo__headers_new();
    return req->headers;
}

const char *kumo_request_header(const kumo_request *req, const char *name)
{
    return kumo_headers_get(req->headers, name);
}

void kumo_request_set_header(kumo_request *req, const char *name, const char *value)
{
    if (value || req->headers)
        kumo_headers_set(kumo_request_headers(req), name, value);
}

kumo_map *kumo_request_meta(kumo_request *req)
{
    return &req->meta;
}

void kumo_request_set_priority(kumo_request *req, int priority)
{
    req->priority = priority;
}

int kumo_request_priority(const kumo_request *req)
{
    return req->priority;
}

void kumo_request_set_dont_filter(kumo_request *req, int on)
{
    req->dont_filter = on != 0;
}

void kumo_request_set_callback(kumo_request *req, kumo_callback_fn cb)
{
    req->cb = cb;
}

void kumo_request_set_errback(kumo_request *req, kumo_errback_fn eb)
{
    if (eb || req->ext)
        ext_of(req)->errback = eb;
}

kumo_map *kumo_request_cb_kwargs(kumo_request *req)
{
    return &ext_of(req)->cb_kwargs;
}

const kumo_map *kumo__request_cb_kwargs(const kumo_request *req)
{
    static const kumo_map none;
    return req->ext ? &req->ext->cb_kwargs : &none;
}

const unsigned char *kumo__request_fingerprint(kumo_request *req)
{
    if (!req->fp_done) {
        size_t len;
        const char *body = kumo__request_body(req, &len);
        if (kumo__fingerprint(req->method, req->url, body, len, req->fp))
            memset(req->fp, 0, sizeof(req->fp));
        req->fp_done = true;
    }
    return req->fp;
}

size_t kumo__request_bytes(const kumo_request *req)
{
    /* Scrapy counts request_httprepr(): "METHOD path HTTP/1.1\r\nHost: h\r\n" + headers + body */
    size_t body_len;
    kumo__request_body(req, &body_len);
    return strlen(req->method) + strlen(req->url) + 12 + kumo__headers_bytes(req->headers) + 2 +
           body_len;
}

/* ---------------------------------------------------------------- packing */

enum {
    F_CB = 1, F_DONT_FILTER = 2, F_METHOD = 4, F_HEADERS = 8, F_BODY = 16, F_META = 32,
    F_ERRBACK = 64, F_EXTRA = 128,  /* extra: class index, then cb_kwargs */
};

/* Meta keys written as one byte (their index + 1); others are written out. */
static const char *const known_keys[] = {
    "depth", "retry_times", "redirect_times", "redirect_urls", "redirect_reasons",
    "download_timeout", "download_latency", "download_slot", "dont_redirect", "dont_retry",
    "dont_filter", "handle_httpstatus_list", "handle_httpstatus_all", "dont_cache", "proxy",
    "cookiejar", "dont_merge_cookies", "max_retry_times", "download_maxsize",
    "download_warnsize", "referrer_policy", "dont_obey_robotstxt", "bindaddress",
};

#define MAX_NEST 32     /* lists in lists: deeper meta is not packed */

static void put_uv(kumo_buf *b, uint64_t v)
{
    unsigned char t[10];
    size_t n = 0;
    do {
        t[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    kumo__buf_add(b, t, n);
}

static void put_sv(kumo_buf *b, int64_t v)
{
    put_uv(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void put_str(kumo_buf *b, const char *s)
{
    kumo__buf_add(b, s, strlen(s) + 1);
}

static bool packable(const kumo_value *v, int nest)
{
    if (v->type == KUMO_VAL_OBJ || nest > MAX_NEST)
        return false;
    if (v->type == KUMO_VAL_LIST)
        for (size_t i = 0; i < v->u.list->len; i++)
            if (!packable(&v->u.list->v[i], nest + 1))
                return false;
    return true;
}

static void put_val(kumo_buf *b, const kumo_value *v)
{
    kumo__buf_addc(b, (char)v->type);
    switch (v->type) {
    case KUMO_VAL_BOOL:
        kumo__buf_addc(b, (char)(v->u.b != 0));
        break;
    case KUMO_VAL_INT:
        put_sv(b, v->u.i);
        break;
    case KUMO_VAL_FLOAT:
        kumo__buf_add(b, &v->u.f, sizeof(v->u.f));
        break;
    case KUMO_VAL_STR:
        put_uv(b, v->u.str.len);
        kumo__buf_add(b, v->u.str.s, v->u.str.len);
        break;
    case KUMO_VAL_LIST:
        put_uv(b, v->u.list->len);
        for (size_t i = 0; i < v->u.list->len; i++)
            put_val(b, &v->u.list->v[i]);
        break;
    default:
        break;
    }
}

static size_t class_index(const kumo_class *cls)
{
    size_t i = 0;
    while (kumo__request_classes[i] && kumo__request_classes[i] != cls)
        i++;
    return i;
}

static bool map_packable(const kumo_map *m)
{
    for (size_t i = 0; i < m->len; i++)
        if (!packable(&m->e[i].val, 0))
            return false;
    return true;
}

static void put_map(kumo_buf *b, const kumo_map *m)
{
    put_uv(b, m->len);
    for (size_t i = 0; i < m->len; i++) {
        put_str(b, m->e[i].key);
        put_val(b, &m->e[i].val);
    }
}

int kumo__request_pack(const kumo_request *req, kumo_buf *out)
{
    size_t cls = class_index(req->ref.cls);
    const kumo_map *kw = kumo__request_cb_kwargs(req);
    if (!kumo__request_classes[cls] || !map_packable(&req->meta) || !map_packable(kw))
        return KUMO_EINVAL;
    size_t nh = kumo_headers_count(req->headers);
    kumo_errback_fn eb = kumo__request_errback(req);
    size_t body_len;
    const char *body = kumo__request_body(req, &body_len);
    bool extra = cls != 0 || kw->len;
    unsigned flags = (req->cb ? F_CB : 0) | (req->dont_filter ? F_DONT_FILTER : 0) |
                     (strcmp(req->method, "GET") ? F_METHOD : 0) | (nh ? F_HEADERS : 0) |
                     (body ? F_BODY : 0) | (req->meta.len ? F_META : 0) |
                     (eb ? F_ERRBACK : 0) | (extra ? F_EXTRA : 0);
    kumo__buf_addc(out, (char)flags);
    if (req->cb)
        kumo__buf_add(out, &req->cb, sizeof(req->cb));
    if (eb)
        kumo__buf_add(out, &eb, sizeof(eb));
    if (extra) {
        kumo__buf_addc(out, (char)cls);
        put_map(out, kw);
    }
    put_sv(out, req->priority);
    put_str(out, req->url);
    if (flags & F_METHOD)
        put_str(out, req->method);
    if (nh) {
        put_uv(out, nh);
        for (size_t i = 0; i < nh; i++) {
            const char *name, *value;
            kumo_headers_at(req->headers, i, &name, &value);
            put_str(out, name);
            put_str(out, value);
        }
    }
    if (body) {
        put_uv(out, body_len);
        kumo__buf_add(out, body, body_len);
    }
    if (req->meta.len) {
        put_uv(out, req->meta.len);
        for (size_t i = 0; i < req->meta.len; i++) {
            const char *key = req->meta.e[i].key;
            size_t k = 0;
            while (k < KUMO_ARRAY_LEN(known_keys) && strcmp(known_keys[k], key))
                k++;
            kumo__buf_addc(out, (char)(k < KUMO_ARRAY_LEN(known_keys) ? k + 1 : 0));
            if (k == KUMO_ARRAY_LEN(known_keys))
                put_str(out, key);
            put_val(out, &req->meta.e[i].val);
        }
    }
    return KUMO_OK;
}

/* A bounded reader: every get sets bad instead of reading past the end. */
typedef struct reader {
    const unsigned char *p, *end;
    bool bad;
} reader;

static bool get_bytes(reader *r, void *dst, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n)
        return !(r->bad = true);
    memcpy(dst, r->p, n);
    r->p += n;
    return true;
}

static unsigned get_byte(reader *r)
{
    unsigned char c = 0;
    get_bytes(r, &c, 1);
    return c;
}

static uint64_t get_uv(reader *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        unsigned c = get_byte(r);
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

static int64_t get_sv(reader *r)
{
    uint64_t u = get_uv(r);
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/* Returns a borrowed NUL-terminated string inside the input, or "" (and bad) if unterminated. */
static const char *get_str(reader *r)
{
    const unsigned char *nul = r->bad ? NULL : memchr(r->p, 0, (size_t)(r->end - r->p));
    if (!nul) {
        r->bad = true;
        return "";
    }
    const char *s = (const char *)r->p;
    r->p = nul + 1;
    return s;
}

static kumo_value get_val(reader *r, int nest)
{
    unsigned t = get_byte(r);
    switch (t) {
    case KUMO_VAL_NONE:
        return kumo_val_none();
    case KUMO_VAL_BOOL:
        return kumo_val_bool((int)get_byte(r));
    case KUMO_VAL_INT:
        return kumo_val_int(get_sv(r));
    case KUMO_VAL_FLOAT: {
        double f = 0;
        get_bytes(r, &f, sizeof(f));
        return kumo_val_float(f);
    }
    case KUMO_VAL_STR: {
        uint64_t n = get_uv(r);
        if (r->bad || n > (uint64_t)(r->end - r->p)) {
            r->bad = true;
            return kumo_val_none();
        }
        kumo_value v = kumo_val_strn((const char *)r->p, (size_t)n);
        r->p += n;
        return v;
    }
    case KUMO_VAL_LIST: {
        uint64_t n = get_uv(r);
        if (nest > MAX_NEST || n > (uint64_t)(r->end - r->p)) {
            r->bad = true;
            return kumo_val_none();
        }
        kumo_value l = kumo_val_list();
        for (uint64_t i = 0; i < n && !r->bad; i++)
            kumo_val_list_push(&l, get_val(r, nest + 1));
        return l;
    }
    default:
        r->bad = true;
        return kumo_val_none();
    }
}

kumo_request *kumo__request_unpack(const void *p, size_t len)
{
    reader r = {p, (const unsigned char *)p + len, false};
    unsigned flags = get_byte(&r);
    kumo_callback_fn cb = NULL;
    kumo_errback_fn eb = NULL;
    if (flags & F_CB)
        get_bytes(&r, &cb, sizeof(cb));
    if (flags & F_ERRBACK)
        get_bytes(&r, &eb, sizeof(eb));
    kumo_request *req = alloc_request();
    kumo_request_set_errback(req, eb);
    if (flags & F_EXTRA) {
        unsigned cls = get_byte(&r);
        if (cls < KUMO_ARRAY_LEN(kumo__request_classes) - 1)
            kumo__request_set_class(req, kumo__request_classes[cls]);
        else
            r.bad = true;
        uint64_t n = get_uv(&r);
        for (uint64_t i = 0; i < n && !r.bad; i++) {
            const char *key = get_str(&r);
            kumo_value v = get_val(&r, 0);
            if (r.bad)
                kumo_val_clear(&v);
            else
                kumo_map_set(kumo_request_cb_kwargs(req), key, v);
        }
    }
    int64_t prio = get_sv(&r);
    const char *url = get_str(&r);
    if (r.bad) {
        kumo_request_unref(req);
        return NULL;
    }
    req->url = kumo_strdup(url, KUMO_T_STR, KUMO_V_URL);
    if (flags & F_METHOD)
        put_method(req, get_str(&r), false);
    req->cb = cb;
    req->priority = (int)prio;
    req->dont_filter = (flags & F_DONT_FILTER) != 0;
    if (flags & F_HEADERS) {
        uint64_t n = get_uv(&r);
        for (uint64_t i = 0; i < n && !r.bad; i++) {
            const char *name = get_str(&r), *value = get_str(&r);
            if (!r.bad)
                kumo_headers_add(kumo_request_headers(req), name, value);
        }
    }
    if (flags & F_BODY) {
        uint64_t n = get_uv(&r);
        if (!r.bad && n <= (uint64_t)(r.end - r.p)) {
            kumo_request_set_body(req, r.p, (size_t)n);
            r.p += n;
        } else {
            r.bad = true;
        }
    }
    if (flags & F_META) {
        uint64_t n = get_uv(&r);
        for (uint64_t i = 0; i < n && !r.bad; i++) {
            unsigned k = get_byte(&r);
            const char *key = k == 0 ? get_str(&r)
                              : k <= KUMO_ARRAY_LEN(known_keys) ? known_keys[k - 1] : NULL;
            kumo_value v = get_val(&r, 0);
            if (!key || r.bad) {
                r.bad = true;
                kumo_val_clear(&v);
            } else {
                kumo_map_set(&req->meta, key, v);
            }
        }
    }
    if (r.bad || r.p != r.end) {
        kumo_request_unref(req);
        return NULL;
    }
    return req;
}
