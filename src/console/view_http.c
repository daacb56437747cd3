/* view_http.c - console views of requests, responses (and their headers), selectors and
 * selector lists, and items; their classes as namespace names. */
#include "console/view_http.h"
#include "console/dict.h"
#include "console/num.h"
#include "console/seq.h"
#include "console/str.h"
#include "core/crawler.h"
#include "core/out.h"
#include "core/spider.h"
#include "http/request.h"
#include "http/response.h"
#include "core/item.h"
#include "select/css.h"
#include "select/regex.h"

static const cv_vtable response_vt, selector_vt;

/* ---------------------------------------------------------------- headers */

typedef struct hview {
    const kumo_headers *h;      /* borrowed: the owner cval keeps it alive */
} hview;

static void hview_free(void *p)
{
    kumo_free(p);
}

/* Scrapy's Headers.normkey: str.title() */
static void title_case(const char *s, char *out, size_t n)
{
    bool up = true;
    size_t i = 0;
    for (; s[i] && i + 1 < n; i++) {
        char ch = s[i];
        bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
        if (alpha)
            out[i] = up ? (char)(ch & ~0x20) : (char)(ch | 0x20);
        else
            out[i] = ch;
        up = !alpha;
    }
    out[i] = '\0';
}

/* Scrapy's Headers as {b'Name': [b'v1', b'v2']}: a new dict. */
static cval *headers_dict(cv_ctx *c, const kumo_headers *h)
{
    cval *d = cv_dict_new();
    size_t n = h ? kumo_headers_count(h) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        kumo_headers_at(h, i, &name, &value);
        char norm[256];
        title_case(name, norm, sizeof(norm));
        cval *k = cv_bytesn(norm, strlen(norm));
        cval *l = cv_dict_get(d, k);
        if (!l) {
            l = cv_list_new();
            if (cv_dict_set(c, d, cv_ref(k), l)) {
                cv_unref(k);
                cv_unref(d);
                return NULL;
            }
        }
        cv_unref(k);
        if (cv_seq_push(c, l, cv_bytesn(value, strlen(value)))) {
            cv_unref(d);
            return NULL;
        }
    }
    return d;
}

static cval *hview_values(cv_ctx *c, cval *self, cval *key, bool *found)
{
    hview *hv = self->u.nat.p;
    *found = false;
    if (key->type != CV_STR && key->type != CV_BYTES)
        return cv_raise(c, "TypeError", "header names are str or bytes, not %s",
                        cv_type_name(key));
    cval *l = cv_list_new();
    size_t n = kumo_headers_count(hv->h);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value;
        kumo_headers_at(hv->h, i, &name, &value);
        if (strlen(name) != key->u.s.len || strncasecmp(name, key->u.s.s, key->u.s.len) != 0)
            continue;
        *found = true;
        if (cv_seq_push(c, l, cv_bytesn(value, strlen(value)))) {
            cv_unref(l);
            return NULL;
        }
    }
    return l;
}

static cval *hview_getitem(cv_ctx *c, cval *self, cval *key)
{
    bool found;
    cval *l = hview_values(c, self, key, &found);
    if (!l)
        return NULL;
    cval *r = NULL;
    if (found) {
        r = cv_ref(l->u.seq.v[l->u.seq.len - 1]);
    } else {
        char k[256];
        cv_repr_short(c, key, k, sizeof(k));
        cv_raise(c, "KeyError", "%s", k);
    }
    cv_unref(l);
    return r;
}

static cval *h_get(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"key", "default"};
    cval *arg[2];
    if (cv_args_parse(c, "get", a, names, 2, 1, arg))
        return NULL;
    bool found;
    cval *l = hview_values(c, self, arg[0], &found);
    if (!l)
        return NULL;
    cval *r = cv_ref(found ? l->u.seq.v[l->u.seq.len - 1] : arg[1] ? arg[1] : cv_none());
    cv_unref(l);
    return r;
}

static cval *h_getlist(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"key"};
    cval *arg[1];
    if (cv_args_parse(c, "getlist", a, names, 1, 1, arg))
        return NULL;
    bool found;
    return hview_values(c, self, arg[0], &found);
}

/* Call method m of d (a dict view of an object; takes ownership, NULL on error) with a. */
static cval *dict_method(cv_ctx *c, cval *d, const cv_args *a, const char *m)
{
    if (!d)
        return NULL;
    cval *f = cv_getattr(c, d, m);
    cval *r = f ? cv_call(c, f, a) : NULL;
    cv_unref(f);
    cv_unref(d);
    return r;
}

static cval *h_dictmethod(cv_ctx *c, cval *self, const cv_args *a, const char *m)
{
    hview *hv = self->u.nat.p;
    return dict_method(c, headers_dict(c, hv->h), a, m);
}

static cval *h_keys(cv_ctx *c, cval *self, const cv_args *a)
{
    return h_dictmethod(c, self, a, "keys");
}

static cval *h_items(cv_ctx *c, cval *self, const cv_args *a)
{
    return h_dictmethod(c, self, a, "items");
}

static cval *hview_getattr(cv_ctx *c, cval *self, const char *name)
{
    CO_METHOD("get", h_get);
    CO_METHOD("getlist", h_getlist);
    CO_METHOD("keys", h_keys);
    CO_METHOD("items", h_items);
    return NULL;
}

static int hview_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    hview *hv = self->u.nat.p;
    cv_ctx tmp = {0};
    cval *d = headers_dict(&tmp, hv->h);
    int rc = d ? cv_repr(c, d, b) : KUMO_OK;
    cv_unref(d);
    return rc;
}

static int hview_len(cv_ctx *c, cval *self, size_t *n)
{
    hview *hv = self->u.nat.p;
    cval *d = headers_dict(c, hv->h);
    if (!d)
        return KUMO_EINVAL;
    *n = d->u.dict.len;
    cv_unref(d);
    return KUMO_OK;
}

static cval *hview_iter(cv_ctx *c, cval *self)
{
    hview *hv = self->u.nat.p;
    cval *d = headers_dict(c, hv->h);
    cval *l = d ? cv_iter_list(c, d) : NULL;
    cv_unref(d);
    return l;
}

static const char *const hview_attrs[] = {"get", "getlist", "items", "keys", NULL};
static const cv_vtable headers_vt = {
    .name = "Headers", .getattr = hview_getattr, .getitem = hview_getitem, .len = hview_len,
    .iter = hview_iter, .repr = hview_repr, .free = hview_free, .attrs = hview_attrs,
};

static cval *headers_view(const kumo_headers *h, cval *owner)
{
    hview *hv = kumo_calloc(1, sizeof(*hv), cv_tag(), KUMO_V_NONE);
    hv->h = h;
    return cv_native(&headers_vt, hv, cv_ref(owner));
}

/* ---------------------------------------------------------------- Request */

static kumo_request *req_of(cval *self)
{
    return (kumo_request *)((co_tref *)self->u.nat.p)->obj;
}

static cval *request_getattr(cv_ctx *c, cval *self, const char *name)
{
    kumo_request *req = req_of(self);
    if (!strcmp(name, "url"))
        return cv_str(req->url);
    if (!strcmp(name, "method"))
        return cv_str(req->method);
    if (!strcmp(name, "headers"))
        return headers_view(req->headers, self);
    if (!strcmp(name, "meta"))
        return co_from_map(c, &req->meta);
    if (!strcmp(name, "priority"))
        return cv_int(req->priority);
    if (!strcmp(name, "dont_filter"))
        return cv_bool(req->dont_filter);
    if (!strcmp(name, "body")) {
        size_t len;
        const char *body = kumo__request_body(req, &len);
        return cv_bytesn(body ? body : "", len);
    }
    if (!strcmp(name, "cb_kwargs"))
        return co_from_map(c, kumo__request_cb_kwargs(req));
    if (!strcmp(name, "flags"))
        return cv_list_new();
    if (!strcmp(name, "encoding"))
        return cv_str("utf-8");
    /* callback and errback: the name the spider lists them under, or None (Scrapy's
     * bound method, which the console cannot show) */
    kumo_spider *sp = c->crawler ? kumo_crawler_spider(c->crawler) : NULL;
    if (!strcmp(name, "callback")) {
        if (!req->cb)
            return cv_none();
        const char *cbname = sp ? kumo__spider_callback_name(sp, req->cb) : NULL;
        return cv_str(cbname ? cbname : "<callback>");
    }
    if (!strcmp(name, "errback")) {
        kumo_errback_fn eb = kumo__request_errback(req);
        if (!eb)
            return cv_none();
        const char *ebname = sp ? kumo__spider_errback_name(sp, eb) : NULL;
        return cv_str(ebname ? ebname : "<errback>");
    }
    return NULL;
}

/* Requests and responses print as their class says (kumo_ref_repr): "<GET url>". */
static int class_hook_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    kumo_buf tmp;
    kumo__buf_init(&tmp, 0, cv_tag(), KUMO_V_NONE);
    int rc = kumo__buf_add_repr(&tmp, ((co_tref *)self->u.nat.p)->obj);
    if (rc == KUMO_OK)
        rc = cv_write(c, b, kumo__buf_str(&tmp), tmp.len);
    kumo__buf_release(&tmp);
    return rc;
}

static const char *const request_attrs[] = {
    "body", "callback", "cb_kwargs", "dont_filter", "encoding", "errback", "flags", "headers",
    "meta", "method", "priority", "url", NULL,
};
static const cv_vtable request_vt = {
    .name = "Request", .getattr = request_getattr, .repr = class_hook_repr,
    .attrs = request_attrs,
    CO_TREF_SLOTS,
};

/* ---------------------------------------------------------------- selectors */

/* parsel's shorten(text, 40) on code points. */
static int data_repr(cv_ctx *c, kumo_buf *b, const char *s)
{
    size_t len = strlen(s), cps = 0, cut = len;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            cps++;
    if (cps > 40) {
        size_t n = 0;
        for (size_t i = 0; i < len; i++) {
            if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == 37) {
                cut = i;
                break;
            }
        }
        kumo_buf tmp;
        kumo__buf_init(&tmp, 0, cv_tag(), KUMO_V_TEXT);
        kumo__buf_add(&tmp, s, cut);
        kumo__buf_adds(&tmp, "...");
        int rc = cv_repr_str(c, b, tmp.s, tmp.len);
        kumo__buf_release(&tmp);
        return rc;
    }
    return cv_repr_str(c, b, s, len);
}

static kumo_selector *sel_of(cval *self)
{
    return (kumo_selector *)((co_tref *)self->u.nat.p)->obj;
}

static kumo_selector_list *list_of(cval *self)
{
    return (kumo_selector_list *)((co_tref *)self->u.nat.p)->obj;
}

static int selector_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    co_tref *t = self->u.nat.p;
    int rc = cv_writes(c, b, "<Selector xpath=");
    if (!rc)
        rc = t->query ? cv_repr_str(c, b, t->query, strlen(t->query)) : cv_writes(c, b, "None");
    if (!rc)
        rc = cv_writes(c, b, " data=");
    if (!rc)
        rc = data_repr(c, b, kumo_sel_get(sel_of(self)));
    return rc ? rc : cv_write(c, b, ">", 1);
}

/* The XPath parsel shows for a query: CSS is translated, XPath kept. */
static char *query_xpath(const char *q, bool css)
{
    if (!css)
        return kumo_strdup(q, cv_tag(), KUMO_V_NONE);
    const kumo_query *kq = kumo__query_get(q, true);
    return kumo_strdup(kq->xpath ? kq->xpath : q, cv_tag(), KUMO_V_NONE);
}

/* A SelectorList view (one reference on list) remembering the query. */
static cval *list_view(kumo_selector_list *list, const char *q, bool css)
{
    cval *v = co_from_ref((kumo_ref *)list);   /* the header is the first member */
    co_tref *t = v->u.nat.p;
    t->query = q ? query_xpath(q, css) : NULL;
    return v;
}

static cval *list_item(cval *list, size_t i)
{
    kumo_selector *sel = kumo_list_at(list_of(list), i);
    return co_with_query(co_from_ref((kumo_ref *)sel), ((co_tref *)list->u.nat.p)->query);
}

static cval *selectors_as_list(cv_ctx *c, cval *self)
{
    cval *l = cv_list_new();
    size_t n = kumo_list_len(list_of(self));
    for (size_t i = 0; i < n; i++)
        if (cv_seq_push(c, l, list_item(self, i))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static cval *query_method(cv_ctx *c, cval *self, const cv_args *a, bool css)
{
    const char *fname = css ? "css" : "xpath";
    static const char *const names[] = {"query"};
    cval *arg[1];
    if (cv_args_parse(c, fname, a, names, 1, 1, arg))
        return NULL;
    const char *q = cv_arg_str(c, fname, arg[0]);
    if (!q)
        return NULL;
    kumo_ref *obj = ((co_tref *)self->u.nat.p)->obj;
    kumo_selector_list *l;
    if (self->u.nat.vt == &response_vt) {
        kumo_response *res = (kumo_response *)obj;
        if (!kumo__response_is_text(res))
            return cv_raise(c, "NotSupported", "Response content isn't text");
        l = css ? kumo_css(res, q) : kumo_xpath(res, q);
    } else if (self->u.nat.vt == &selector_vt) {
        l = css ? kumo_sel_css((kumo_selector *)obj, q) : kumo_sel_xpath((kumo_selector *)obj, q);
    } else {
        l = css ? kumo_list_css((kumo_selector_list *)obj, q)
                : kumo_list_xpath((kumo_selector_list *)obj, q);
    }
    const char *why = kumo__select_error();
    const kumo_query *kq = kumo__query_get(q, css);
    if (!kq->comp)
        return cv_raise(c, "ValueError", "%s is not a valid %s: %s", q, css ? "CSS selector"
                        : "XPath expression", kq->error ? kq->error : "invalid");
    if (why)            /* compiled, but failed to run: an unknown function, bad arguments */
        return cv_raise(c, "ValueError", "XPath error: %s in %s", why, q);
    return list_view(l, q, css);
}

static cval *m_css(cv_ctx *c, cval *self, const cv_args *a)
{
    return query_method(c, self, a, true);
}

static cval *m_xpath(cv_ctx *c, cval *self, const cv_args *a)
{
    return query_method(c, self, a, false);
}

static cval *sel_attrib(cv_ctx *c, kumo_selector *sel)
{
    cval *d = cv_dict_new();
    if (!sel)
        return d;
    size_t n = kumo_list_len(kumo_sel_xpath(sel, "@*"));
    for (size_t i = 1; i <= n; i++) {
        char q[64];
        snprintf(q, sizeof(q), "name(@*[%zu])", i);
        const char *name = kumo_list_get(kumo_sel_xpath(sel, q), "");
        const char *value = kumo_sel_attr(sel, name);
        if (cv_dict_set(c, d, cv_str(name), cv_str(value ? value : ""))) {
            cv_unref(d);
            return NULL;
        }
    }
    return d;
}

static cval *m_sel_get(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "get", a))
        return NULL;
    return cv_str(kumo_sel_get(sel_of(self)));
}

static cval *m_sel_getall(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "getall", a))
        return NULL;
    cval *l = cv_list_new();
    cv_seq_push(c, l, cv_str(kumo_sel_get(sel_of(self))));
    return l;
}

/* A list of str from a list of string selectors. */
static cval *strs_of(cv_ctx *c, kumo_selector_list *l)
{
    cval *r = cv_list_new();
    for (size_t i = 0; i < kumo_list_len(l); i++)
        if (cv_seq_push(c, r, cv_str(kumo_sel_get(kumo_list_at(l, i))))) {
            cv_unref(r);
            return NULL;
        }
    return r;
}

/* parsel's re(regex, replace_entities=True) and re_first(regex, default=None, ...) on a
 * Selector or a SelectorList. */
static cval *re_method(cv_ctx *c, cval *self, const cv_args *a, bool first)
{
    static const char *const names[] = {"regex", "default", "replace_entities"};
    static const char *const re_names[] = {"regex", "replace_entities"};
    const char *fname = first ? "re_first" : "re";
    cval *arg[3];
    if (first ? cv_args_parse(c, fname, a, names, 3, 1, arg)
              : cv_args_parse(c, fname, a, re_names, 2, 1, arg))
        return NULL;
    const char *pat = cv_arg_str(c, fname, arg[0]);
    if (!pat)
        return NULL;
    bool is_sel = self->u.nat.vt == &selector_vt;
    const char *err = NULL;
    if (!is_sel && !kumo_list_len(list_of(self)))     /* parsel compiles nothing then */
        return first ? cv_ref(arg[1] ? arg[1] : cv_none()) : cv_list_new();
    if (!kumo__regex_get(pat, 0, &err))
        return cv_raise(c, "re.error", "%s", err ? err : "invalid pattern");
    kumo_selector_list *l = is_sel ? kumo_sel_re(sel_of(self), pat)
                                   : kumo_list_re(list_of(self), pat);
    if (!first)
        return strs_of(c, l);
    if (kumo_list_len(l))
        return cv_str(kumo_sel_get(kumo_list_at(l, 0)));
    return cv_ref(arg[1] ? arg[1] : cv_none());
}

static cval *m_re(cv_ctx *c, cval *self, const cv_args *a)
{
    return re_method(c, self, a, false);
}

static cval *m_re_first(cv_ctx *c, cval *self, const cv_args *a)
{
    return re_method(c, self, a, true);
}

static cval *selector_getattr(cv_ctx *c, cval *self, const char *name)
{
    CO_METHOD("re", m_re);
    CO_METHOD("re_first", m_re_first);
    CO_METHOD("get", m_sel_get);
    CO_METHOD("extract", m_sel_get);
    CO_METHOD("getall", m_sel_getall);
    CO_METHOD("css", m_css);
    CO_METHOD("xpath", m_xpath);
    if (!strcmp(name, "attrib"))
        return sel_attrib(c, sel_of(self));
    return NULL;
}

static const char *const selector_attrs[] = {"attrib", "css", "extract", "get", "getall",
                                             "re", "re_first", "xpath", NULL};
static const cv_vtable selector_vt = {
    .name = "Selector", .getattr = selector_getattr, .repr = selector_repr, .attrs = selector_attrs,
    CO_TREF_SLOTS,
};

static cval *m_list_get(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"default"};
    cval *arg[1];
    if (cv_args_parse(c, "get", a, names, 1, 0, arg))
        return NULL;
    kumo_selector_list *l = list_of(self);
    if (!kumo_list_len(l))
        return cv_ref(arg[0] ? arg[0] : cv_none());
    return cv_str(kumo_sel_get(kumo_list_at(l, 0)));
}

static cval *m_list_getall(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "getall", a))
        return NULL;
    kumo_selector_list *l = list_of(self);
    cval *r = cv_list_new();
    for (size_t i = 0; i < kumo_list_len(l); i++)
        if (cv_seq_push(c, r, cv_str(kumo_sel_get(kumo_list_at(l, i))))) {
            cv_unref(r);
            return NULL;
        }
    return r;
}

static cval *sellist_getattr(cv_ctx *c, cval *self, const char *name)
{
    CO_METHOD("re", m_re);
    CO_METHOD("re_first", m_re_first);
    CO_METHOD("get", m_list_get);
    CO_METHOD("extract_first", m_list_get);
    CO_METHOD("getall", m_list_getall);
    CO_METHOD("extract", m_list_getall);
    CO_METHOD("css", m_css);
    CO_METHOD("xpath", m_xpath);
    if (!strcmp(name, "attrib")) {
        kumo_selector_list *l = list_of(self);
        return sel_attrib(c, kumo_list_len(l) ? kumo_list_at(l, 0) : NULL);
    }
    return NULL;
}

static cval *sellist_getitem(cv_ctx *c, cval *self, cval *key)
{
    if (key->type == CV_SLICE) {        /* parsel: a slice is a SelectorList again */
        int64_t start, stop, step;
        size_t count;
        kumo_selector_list *list = list_of(self);
        if (cv_slice_indices(c, key, kumo_list_len(list), &start, &stop, &step, &count))
            return NULL;
        if (step == 1 || count == 0) {
            kumo_selector_list *sub = kumo_list_slice(list, count ? (long)start : 0,
                                                      count ? (long)stop : 0);
            cval *v = co_from_ref((kumo_ref *)sub);
            return co_with_query(v, ((co_tref *)self->u.nat.p)->query);
        }
    }
    cval *l = selectors_as_list(c, self);
    if (!l)
        return NULL;
    cval *r = cv_getitem(c, l, key);
    if (!r && c->etype && !strcmp(c->etype, "IndexError")) {
        c->etype = NULL;
        cv_raise(c, "IndexError", "list index out of range");
    }
    cv_unref(l);
    return r;
}

static int sellist_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = kumo_list_len(list_of(self));
    return KUMO_OK;
}

static int sellist_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    int rc = cv_write(c, b, "[", 1);
    size_t n = kumo_list_len(list_of(self));
    for (size_t i = 0; !rc && i < n; i++) {
        if (i)
            rc = cv_write(c, b, ", ", 2);
        cval *s = list_item(self, i);
        if (!rc)
            rc = cv_repr(c, s, b);
        cv_unref(s);
    }
    return rc ? rc : cv_write(c, b, "]", 1);
}

static const char *const sellist_attrs[] = {"attrib", "css", "extract", "extract_first", "get",
                                            "getall", "re", "re_first", "xpath", NULL};
static const cv_vtable sellist_vt = {
    .name = "SelectorList", .getattr = sellist_getattr, .getitem = sellist_getitem,
    .len = sellist_len, .iter = selectors_as_list, .repr = sellist_repr, .attrs = sellist_attrs,
    CO_TREF_SLOTS,
};

/* ---------------------------------------------------------------- Response */

static kumo_response *res_of(cval *self)
{
    return (kumo_response *)((co_tref *)self->u.nat.p)->obj;
}

static cval *m_urljoin(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"url"};
    cval *arg[1];
    if (cv_args_parse(c, "urljoin", a, names, 1, 1, arg))
        return NULL;
    const char *href = cv_arg_str(c, "urljoin", arg[0]);
    if (!href)
        return NULL;
    char *u = kumo_response_urljoin(res_of(self), href);
    if (!u)
        return cv_raise(c, "ValueError", "cannot join '%s' to the response url", href);
    cval *r = cv_str(u);
    kumo_free(u);
    return r;
}

/* The link of a url argument: a str, or a Selector as Scrapy's _url_from_selector() takes
 * it.  Borrowed (valid while v lives), or NULL with an error raised. */
static const char *link_of(cv_ctx *c, const char *fname, cval *v)
{
    if (v->type == CV_STR)
        return v->u.s.s;
    if (v->type == CV_NATIVE && v->u.nat.vt == &selector_vt) {
        const char *what = NULL;
        const char *href = kumo__sel_link(sel_of(v), &what);
        if (!href)
            cv_raise(c, "ValueError", "Unsupported selector: <%s>", what ? what : "?");
        return href;
    }
    cv_raise(c, "TypeError", "%s() url must be str or Selector, got %s", fname,
             cv_type_name(v));
    return NULL;
}

/* The requests a kumo_out collected, as a list of Request views (out released). */
static cval *requests_of(cv_ctx *c, kumo_out *out)
{
    cval *l = cv_list_new();
    int rc = KUMO_OK;
    for (size_t i = 0; i < out->len && rc == KUMO_OK; i++)
        if (!out->v[i].is_item)
            rc = cv_seq_push(c, l, co_from_ref(&out->v[i].u.req->ref));
    kumo__out_release(out);
    if (rc) {
        cv_unref(l);
        return NULL;
    }
    return l;
}

/* response.follow(url): a Request, or None for links kumo does not fetch (mailto:...). */
static cval *m_follow(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"url"};
    cval *arg[1];
    if (cv_args_parse(c, "follow", a, names, 1, 1, arg))
        return NULL;
    const char *href = link_of(c, "follow", arg[0]);
    if (!href)
        return NULL;
    kumo_request *req = kumo_response_follow(res_of(self), href, NULL);
    if (!req)
        return cv_none();
    cval *v = co_from_ref(&req->ref);
    kumo_request_unref(req);
    return v;
}

/* response.follow_all(urls=None, css=None, xpath=None): a list of Requests. */
static cval *m_follow_all(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"urls", "css", "xpath"};
    cval *arg[3];
    if (cv_args_parse(c, "follow_all", a, names, 3, 0, arg))
        return NULL;
    int given = (arg[0] && arg[0]->type != CV_NONE) + (arg[1] && arg[1]->type != CV_NONE) +
                (arg[2] && arg[2]->type != CV_NONE);
    if (given != 1)
        return cv_raise(c, "ValueError", "Please supply exactly one of the following "
                        "arguments: urls, css, xpath");
    kumo_response *res = res_of(self);
    kumo_out out;
    kumo__out_init(&out, res->spider);
    if (arg[0] && arg[0]->type != CV_NONE) {
        if (arg[0]->type == CV_NATIVE && arg[0]->u.nat.vt == &sellist_vt) {
            kumo_follow_list(&out, res, list_of(arg[0]), NULL);
            return requests_of(c, &out);
        }
        cval *items = cv_iter_list(c, arg[0]);
        if (!items) {
            kumo__out_release(&out);
            return NULL;
        }
        for (size_t i = 0; i < items->u.seq.len; i++) {
            const char *href = link_of(c, "follow_all", items->u.seq.v[i]);
            if (!href) {
                cv_unref(items);
                kumo__out_release(&out);
                return NULL;
            }
            kumo_yield_request(&out, kumo_response_follow(res, href, NULL));
        }
        cv_unref(items);
        return requests_of(c, &out);
    }
    bool css = arg[1] && arg[1]->type != CV_NONE;
    const char *q = cv_arg_str(c, "follow_all", css ? arg[1] : arg[2]);
    if (!q) {
        kumo__out_release(&out);
        return NULL;
    }
    const kumo_query *kq = kumo__query_get(q, css);
    if (!kq->comp) {
        kumo__out_release(&out);
        return cv_raise(c, "ValueError", "%s is not a valid %s: %s", q, css ? "CSS selector"
                        : "XPath expression", kq->error ? kq->error : "invalid");
    }
    if (css)
        kumo_follow_all(&out, res, q, NULL);
    else
        kumo_follow_all_xpath(&out, res, q, NULL);
    return requests_of(c, &out);
}

static cval *response_getattr(cv_ctx *c, cval *self, const char *name)
{
    kumo_response *res = res_of(self);
    if (!strcmp(name, "url"))
        return cv_str(res->url);
    if (!strcmp(name, "status"))
        return cv_int(res->status);
    if (!strcmp(name, "headers"))
        return headers_view(res->headers, self);
    if (!strcmp(name, "body"))
        return cv_bytesn(res->body, res->body_len);
    if (!strcmp(name, "text")) {
        size_t len;
        const char *text = kumo_response_text(res, &len);
        return text ? cv_strn(text, len) : NULL;
    }
    if (!strcmp(name, "request"))
        return res->request ? co_from_ref(&res->request->ref) : cv_none();
    if (!strcmp(name, "meta")) {
        if (!res->request)
            return cv_raise(c, "AttributeError", "Response.meta not available, this response "
                            "is not tied to any request");
        return co_from_map(c, &res->request->meta);
    }
    if (!strcmp(name, "cb_kwargs")) {
        if (!res->request)
            return cv_raise(c, "AttributeError", "Response.cb_kwargs not available, this "
                            "response is not tied to any request");
        return co_from_map(c, kumo__request_cb_kwargs(res->request));
    }
    if (!strcmp(name, "flags"))
        return cv_list_new();
    if (!strcmp(name, "ip_address"))
        return res->ip ? cv_str(res->ip) : cv_none();
    if (kumo__response_is_text(res)) {
        CO_METHOD("css", m_css);
        CO_METHOD("xpath", m_xpath);
        if (!strcmp(name, "encoding"))
            return cv_str(kumo_response_encoding(res));
        CO_METHOD("follow", m_follow);
        CO_METHOD("follow_all", m_follow_all);
    }
    CO_METHOD("urljoin", m_urljoin);
    return NULL;
}

static const char *const response_attrs[] = {
    "body", "cb_kwargs", "css", "encoding", "flags", "follow", "follow_all", "headers",
    "ip_address", "meta", "request", "status", "text", "url", "urljoin", "xpath", NULL,
};
static const cv_vtable response_vt = {
    .name = "Response", .getattr = response_getattr, .repr = class_hook_repr,
    .attrs = response_attrs,
    CO_TREF_SLOTS,
};

/* ---------------------------------------------------------------- Item */

static kumo_item *item_of(cval *self)
{
    return (kumo_item *)((co_tref *)self->u.nat.p)->obj;
}

static cval *item_dict_method(cv_ctx *c, cval *self, const cv_args *a, const char *m)
{
    return dict_method(c, co_from_map(c, &item_of(self)->fields), a, m);
}

static cval *m_item_keys(cv_ctx *c, cval *self, const cv_args *a)
{
    return item_dict_method(c, self, a, "keys");
}

static cval *m_item_values(cv_ctx *c, cval *self, const cv_args *a)
{
    return item_dict_method(c, self, a, "values");
}

static cval *m_item_items(cv_ctx *c, cval *self, const cv_args *a)
{
    return item_dict_method(c, self, a, "items");
}

static cval *m_item_get(cv_ctx *c, cval *self, const cv_args *a)
{
    return item_dict_method(c, self, a, "get");
}

static cval *item_getattr(cv_ctx *c, cval *self, const char *name)
{
    if (!strcmp(name, "fields"))
        return co_from_map(c, &item_of(self)->fields);
    CO_METHOD("keys", m_item_keys);
    CO_METHOD("values", m_item_values);
    CO_METHOD("items", m_item_items);
    CO_METHOD("get", m_item_get);
    return NULL;
}

static cval *item_getitem(cv_ctx *c, cval *self, cval *key)
{
    if (key->type != CV_STR) {
        char k[256];
        cv_repr_short(c, key, k, sizeof(k));
        return cv_raise(c, "KeyError", "%s", k);
    }
    kumo_value *v = kumo_map_get(&item_of(self)->fields, key->u.s.s);
    if (!v) {
        char k[256];
        cv_repr_short(c, key, k, sizeof(k));
        return cv_raise(c, "KeyError", "%s", k);
    }
    return co_from_value(c, v);
}

static int item_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = item_of(self)->fields.len;
    return KUMO_OK;
}

static cval *item_iter(cv_ctx *c, cval *self)
{
    cval *l = cv_list_new();
    kumo_map *m = &item_of(self)->fields;
    for (size_t i = 0; i < m->len; i++)
        if (cv_seq_push(c, l, cv_str(m->e[i].key))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static int item_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    cv_ctx tmp = {0};
    cval *d = co_from_map(&tmp, &item_of(self)->fields);
    int rc = d ? cv_repr(c, d, b) : cv_writes(c, b, "{...}");
    cv_unref(d);
    return rc;
}

static const char *const item_attrs[] = {"fields", "get", "items", "keys", "values", NULL};
static const cv_vtable item_vt = {
    .name = "Item", .getattr = item_getattr, .getitem = item_getitem, .len = item_len,
    .iter = item_iter, .repr = item_repr, .attrs = item_attrs, CO_TREF_SLOTS,
};


/* ---------------------------------------------------------------- registration */

#define CLS(nm) {#nm, NULL, "the " #nm " class (a value for ignore=, isinstance())", NULL, NULL, \
                 &KUMO_CLASS(nm), false}

static const cn_entry classes[] = {
    CLS(Request), CLS(FormRequest), CLS(JsonRequest), CLS(Response), CLS(TextResponse),
    CLS(HtmlResponse), CLS(XmlResponse), CLS(Item), CLS(Selector), CLS(SelectorList),
};

void co_http_init(void)
{
    co_view_register(&KUMO_CLASS(Request), &request_vt);
    co_view_register(&KUMO_CLASS(Response), &response_vt);
    co_view_register(&KUMO_CLASS(Item), &item_vt);
    co_view_register(&KUMO_CLASS(Selector), &selector_vt);
    co_view_register(&KUMO_CLASS(SelectorList), &sellist_vt);
    cn_register(classes, KUMO_ARRAY_LEN(classes), CN_ORDER_CLASSES);
}
