/* objects.c - console views of kumo objects: requests, responses, items, selectors, spiders,
 * classes, modules, the crawl (engine, stats, settings, crawler) and the heap views. */
#include "console/eval.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/settings.h"
#include "core/spider.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"
#include "mem/heapview.h"
#include "pipeline/item.h"
#include "core/out.h"
#include "select/css.h"
#include "select/regex.h"

/* ================================================================ tracked objects */

/* A view of a tracked object: one reference when its class is shared; otherwise the
 * object is looked up in its class's live list on every use (it may be gone). */
typedef struct tref {
    kumo_ref *obj;
    char *cls_name;             /* owned: to find the class again when not shared */
    bool shared;
    char *query;                /* owned: the XPath a selector came from, or NULL */
} tref;

static const kumo_class *shared_class(const kumo_class *c)
{
    while (c && !c->retain)
        c = c->parent;
    return c;
}

static void tref_free(void *p)
{
    tref *t = p;
    if (t->shared) {
        const kumo_class *c = shared_class(t->obj->cls);
        c->release(t->obj);
    }
    kumo_free(t->cls_name);
    kumo_free(t->query);
    kumo_free(t);
}

/* The object, or NULL with ReferenceError raised when an unshared object is gone. */
static kumo_ref *tref_obj(cv_ctx *c, cval *self)
{
    tref *t = self->u.nat.p;
    if (t->shared)
        return t->obj;
    kumo_class *cls = kumo_class_find(t->cls_name);
    for (kumo_ref *r = cls ? kumo_ref_first(cls) : NULL; r; r = r->next)
        if (r == t->obj)
            return r;
    cv_raise(c, "ReferenceError", "weakly-referenced object no longer exists");
    return NULL;
}

static const char *tref_tname(cval *self)
{
    return ((tref *)self->u.nat.p)->cls_name;
}

static int tref_same(cval *a, cval *b)
{
    return ((tref *)a->u.nat.p)->obj == ((tref *)b->u.nat.p)->obj;
}

static const cv_vtable request_vt, response_vt, item_vt, selector_vt, sellist_vt, spider_vt,
    object_vt;

static const cv_vtable *vt_for(const kumo_class *cls)
{
    if (kumo_class_is(cls, &KUMO_CLASS(Request)))
        return &request_vt;
    if (kumo_class_is(cls, &KUMO_CLASS(Response)))
        return &response_vt;
    if (kumo_class_is(cls, &KUMO_CLASS(Item)))
        return &item_vt;
    if (kumo_class_is(cls, &KUMO_CLASS(Selector)))
        return &selector_vt;
    if (kumo_class_is(cls, &KUMO_CLASS(SelectorList)))
        return &sellist_vt;
    if (kumo_class_is(cls, &KUMO_CLASS(Spider)))
        return &spider_vt;
    return &object_vt;
}

cval *co_from_ref(kumo_ref *obj)
{
    tref *t = kumo_calloc(1, sizeof(*t), cv_tag(), KUMO_V_NONE);
    const kumo_class *sc = shared_class(obj->cls);
    t->obj = obj;
    t->cls_name = kumo_strdup(obj->cls->name, cv_tag(), KUMO_V_NONE);
    t->shared = sc != NULL;
    if (sc)
        sc->retain(obj);
    return cv_native(vt_for(obj->cls), t, NULL);
}

static cval *with_query(cval *v, const char *q)
{
    tref *t = v->u.nat.p;
    t->query = q ? kumo_strdup(q, cv_tag(), KUMO_V_NONE) : NULL;
    return v;
}

static int tref_repr_default(cv_ctx *c, cval *self, kumo_buf *b)
{
    tref *t = self->u.nat.p;
    return cv_writef(c, b, "<%s object at %p>", t->cls_name, (void *)t->obj);
}

static const cv_vtable object_vt = {
    .name = "object", .tname = tref_tname, .repr = tref_repr_default, .same = tref_same,
    .free = tref_free,
};

/* ---------------------------------------------------------------- conversions */

cval *co_from_value(cv_ctx *c, const kumo_value *v)
{
    switch (v->type) {
    case KUMO_VAL_BOOL:
        return cv_bool(v->u.b);
    case KUMO_VAL_INT:
        return cv_int(v->u.i);
    case KUMO_VAL_FLOAT:
        return cv_float(v->u.f);
    case KUMO_VAL_STR:
        return cv_strn(v->u.str.s, v->u.str.len);
    case KUMO_VAL_OBJ:
        return co_from_ref(v->u.obj);
    case KUMO_VAL_LIST: {
        cval *l = cv_list_new();
        for (size_t i = 0; i < v->u.list->len; i++) {
            cval *x = co_from_value(c, &v->u.list->v[i]);
            if (!x || cv_seq_push(c, l, x)) {
                cv_unref(l);
                return NULL;
            }
        }
        return l;
    }
    default:
        return cv_none();
    }
}

cval *co_from_map(cv_ctx *c, const kumo_map *m)
{
    cval *d = cv_dict_new();
    for (size_t i = 0; m && i < m->len; i++) {
        cval *x = co_from_value(c, &m->e[i].val);
        if (!x || cv_dict_sets(c, d, m->e[i].key, x)) {
            cv_unref(d);
            return NULL;
        }
    }
    return d;
}

/* ---------------------------------------------------------------- helpers */

#define METHOD(nm, fn) \
    if (strcmp(name, nm) == 0) \
        return cv_func(nm, fn, self)

static int no_args(cv_ctx *c, const char *fname, const cv_args *a)
{
    cval *none[1];
    return ce_args(c, fname, a, NULL, 0, 0, none);
}

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
    if (ce_args(c, "get", a, names, 2, 1, arg))
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
    if (ce_args(c, "getlist", a, names, 1, 1, arg))
        return NULL;
    bool found;
    return hview_values(c, self, arg[0], &found);
}

/* Call method m of d (a dict view of an object; takes ownership, NULL on error) with a. */
static cval *dict_method(cv_ctx *c, cval *d, const cv_args *a, const char *m)
{
    if (!d)
        return NULL;
    cval *f = ce_getattr(c, d, m);
    cval *r = f ? ce_call(c, f, a) : NULL;
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
    METHOD("get", h_get);
    METHOD("getlist", h_getlist);
    METHOD("keys", h_keys);
    METHOD("items", h_items);
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
    return (kumo_request *)((tref *)self->u.nat.p)->obj;
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
    if (!strcmp(name, "body"))
        return cv_bytesn(req->body ? req->body : "", req->body ? req->body_len : 0);
    if (!strcmp(name, "cb_kwargs"))
        return co_from_map(c, &req->cb_kwargs);
    if (!strcmp(name, "flags"))
        return cv_list_new();
    if (!strcmp(name, "encoding"))
        return cv_str("utf-8");
    /* callback and errback: the name the spider lists them under, or None (Scrapy's
     * bound method, which the console cannot show) */
    kumo_spider *sp = c->crawler ? c->crawler->spider : NULL;
    if (!strcmp(name, "callback")) {
        if (!req->cb)
            return cv_none();
        const char *cbname = sp ? kumo_spider_callback_name(sp, req->cb) : NULL;
        return cv_str(cbname ? cbname : "<callback>");
    }
    if (!strcmp(name, "errback")) {
        if (!req->errback)
            return cv_none();
        const char *ebname = sp ? kumo_spider_errback_name(sp, req->errback) : NULL;
        return cv_str(ebname ? ebname : "<errback>");
    }
    return NULL;
}

/* Scrapy's repr of requests and responses: "<HEAD URL>". */
static int angle_repr(cv_ctx *c, kumo_buf *b, const char *head, const char *url)
{
    return cv_writef(c, b, "<%s ", head) || cv_writes(c, b, url) || cv_write(c, b, ">", 1)
               ? KUMO_ETOOBIG
               : KUMO_OK;
}

static int request_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    kumo_request *req = req_of(self);
    return angle_repr(c, b, req->method, req->url);
}

static const char *const request_attrs[] = {
    "body", "callback", "cb_kwargs", "dont_filter", "encoding", "errback", "flags", "headers",
    "meta", "method", "priority", "url", NULL,
};
static const cv_vtable request_vt = {
    .name = "Request", .tname = tref_tname, .getattr = request_getattr, .repr = request_repr,
    .same = tref_same, .free = tref_free, .attrs = request_attrs,
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
        kumo_buf_init(&tmp, 0, cv_tag(), KUMO_V_TEXT);
        kumo_buf_add(&tmp, s, cut);
        kumo_buf_adds(&tmp, "...");
        int rc = cv_repr_str(c, b, tmp.s, tmp.len);
        kumo_buf_release(&tmp);
        return rc;
    }
    return cv_repr_str(c, b, s, len);
}

static kumo_selector *sel_of(cval *self)
{
    return (kumo_selector *)((tref *)self->u.nat.p)->obj;
}

static kumo_selector_list *list_of(cval *self)
{
    return (kumo_selector_list *)((tref *)self->u.nat.p)->obj;
}

static int selector_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    tref *t = self->u.nat.p;
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
    const kumo_query *kq = kumo_query_get(q, true);
    return kumo_strdup(kq->xpath ? kq->xpath : q, cv_tag(), KUMO_V_NONE);
}

/* A SelectorList view (one reference on list) remembering the query. */
static cval *list_view(kumo_selector_list *list, const char *q, bool css)
{
    cval *v = co_from_ref((kumo_ref *)list);   /* the header is the first member */
    tref *t = v->u.nat.p;
    t->query = q ? query_xpath(q, css) : NULL;
    return v;
}

static cval *list_item(cval *list, size_t i)
{
    kumo_selector *sel = kumo_list_at(list_of(list), i);
    return with_query(co_from_ref((kumo_ref *)sel), ((tref *)list->u.nat.p)->query);
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
    if (ce_args(c, fname, a, names, 1, 1, arg))
        return NULL;
    const char *q = ce_arg_str(c, fname, arg[0]);
    if (!q)
        return NULL;
    kumo_ref *obj = ((tref *)self->u.nat.p)->obj;
    kumo_selector_list *l;
    if (self->u.nat.vt == &response_vt) {
        kumo_response *res = (kumo_response *)obj;
        if (!kumo_response_is_text(res))
            return cv_raise(c, "NotSupported", "Response content isn't text");
        l = css ? kumo_css(res, q) : kumo_xpath(res, q);
    } else if (self->u.nat.vt == &selector_vt) {
        l = css ? kumo_sel_css((kumo_selector *)obj, q) : kumo_sel_xpath((kumo_selector *)obj, q);
    } else {
        l = css ? kumo_list_css((kumo_selector_list *)obj, q)
                : kumo_list_xpath((kumo_selector_list *)obj, q);
    }
    const char *why = kumo__select_error();
    const kumo_query *kq = kumo_query_get(q, css);
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
    if (no_args(c, "get", a))
        return NULL;
    return cv_str(kumo_sel_get(sel_of(self)));
}

static cval *m_sel_getall(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "getall", a))
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
    if (first ? ce_args(c, fname, a, names, 3, 1, arg)
              : ce_args(c, fname, a, re_names, 2, 1, arg))
        return NULL;
    const char *pat = ce_arg_str(c, fname, arg[0]);
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
    METHOD("re", m_re);
    METHOD("re_first", m_re_first);
    METHOD("get", m_sel_get);
    METHOD("extract", m_sel_get);
    METHOD("getall", m_sel_getall);
    METHOD("css", m_css);
    METHOD("xpath", m_xpath);
    if (!strcmp(name, "attrib"))
        return sel_attrib(c, sel_of(self));
    return NULL;
}

static const char *const selector_attrs[] = {"attrib", "css", "extract", "get", "getall",
                                             "re", "re_first", "xpath", NULL};
static const cv_vtable selector_vt = {
    .name = "Selector", .tname = tref_tname, .getattr = selector_getattr,
    .repr = selector_repr, .same = tref_same, .free = tref_free, .attrs = selector_attrs,
};

static cval *m_list_get(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"default"};
    cval *arg[1];
    if (ce_args(c, "get", a, names, 1, 0, arg))
        return NULL;
    kumo_selector_list *l = list_of(self);
    if (!kumo_list_len(l))
        return cv_ref(arg[0] ? arg[0] : cv_none());
    return cv_str(kumo_sel_get(kumo_list_at(l, 0)));
}

static cval *m_list_getall(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "getall", a))
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
    METHOD("re", m_re);
    METHOD("re_first", m_re_first);
    METHOD("get", m_list_get);
    METHOD("extract_first", m_list_get);
    METHOD("getall", m_list_getall);
    METHOD("extract", m_list_getall);
    METHOD("css", m_css);
    METHOD("xpath", m_xpath);
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
            return with_query(v, ((tref *)self->u.nat.p)->query);
        }
    }
    cval *l = selectors_as_list(c, self);
    if (!l)
        return NULL;
    cval *r = cv_seq_getitem(c, l, key);
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
    .name = "SelectorList", .tname = tref_tname, .getattr = sellist_getattr,
    .getitem = sellist_getitem, .len = sellist_len, .iter = selectors_as_list,
    .repr = sellist_repr, .same = tref_same, .free = tref_free, .attrs = sellist_attrs,
};

/* ---------------------------------------------------------------- Response */

static kumo_response *res_of(cval *self)
{
    return (kumo_response *)((tref *)self->u.nat.p)->obj;
}

static cval *m_urljoin(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"url"};
    cval *arg[1];
    if (ce_args(c, "urljoin", a, names, 1, 1, arg))
        return NULL;
    const char *href = ce_arg_str(c, "urljoin", arg[0]);
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
    kumo_out_release(out);
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
    if (ce_args(c, "follow", a, names, 1, 1, arg))
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
    if (ce_args(c, "follow_all", a, names, 3, 0, arg))
        return NULL;
    int given = (arg[0] && arg[0]->type != CV_NONE) + (arg[1] && arg[1]->type != CV_NONE) +
                (arg[2] && arg[2]->type != CV_NONE);
    if (given != 1)
        return cv_raise(c, "ValueError", "Please supply exactly one of the following "
                        "arguments: urls, css, xpath");
    kumo_response *res = res_of(self);
    kumo_out out;
    kumo_out_init(&out, res->spider);
    if (arg[0] && arg[0]->type != CV_NONE) {
        if (arg[0]->type == CV_NATIVE && arg[0]->u.nat.vt == &sellist_vt) {
            kumo_follow_list(&out, res, list_of(arg[0]), NULL);
            return requests_of(c, &out);
        }
        cval *items = cv_iter_list(c, arg[0]);
        if (!items) {
            kumo_out_release(&out);
            return NULL;
        }
        for (size_t i = 0; i < items->u.seq.len; i++) {
            const char *href = link_of(c, "follow_all", items->u.seq.v[i]);
            if (!href) {
                cv_unref(items);
                kumo_out_release(&out);
                return NULL;
            }
            kumo_yield_request(&out, kumo_response_follow(res, href, NULL));
        }
        cv_unref(items);
        return requests_of(c, &out);
    }
    bool css = arg[1] && arg[1]->type != CV_NONE;
    const char *q = ce_arg_str(c, "follow_all", css ? arg[1] : arg[2]);
    if (!q) {
        kumo_out_release(&out);
        return NULL;
    }
    const kumo_query *kq = kumo_query_get(q, css);
    if (!kq->comp) {
        kumo_out_release(&out);
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
        return co_from_map(c, &res->request->cb_kwargs);
    }
    if (!strcmp(name, "flags"))
        return cv_list_new();
    if (!strcmp(name, "ip_address"))
        return res->ip ? cv_str(res->ip) : cv_none();
    if (kumo_response_is_text(res)) {
        METHOD("css", m_css);
        METHOD("xpath", m_xpath);
        if (!strcmp(name, "encoding"))
            return cv_str(kumo_response_encoding(res));
        METHOD("follow", m_follow);
        METHOD("follow_all", m_follow_all);
    }
    METHOD("urljoin", m_urljoin);
    return NULL;
}

static int response_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    kumo_response *res = res_of(self);
    char status[16];
    snprintf(status, sizeof(status), "%d", res->status);
    return angle_repr(c, b, status, res->url);
}

static const char *const response_attrs[] = {
    "body", "cb_kwargs", "css", "encoding", "flags", "follow", "follow_all", "headers",
    "ip_address", "meta", "request", "status", "text", "url", "urljoin", "xpath", NULL,
};
static const cv_vtable response_vt = {
    .name = "Response", .tname = tref_tname, .getattr = response_getattr,
    .repr = response_repr, .same = tref_same, .free = tref_free, .attrs = response_attrs,
};

/* ---------------------------------------------------------------- Item */

static kumo_item *item_of(cval *self)
{
    return (kumo_item *)((tref *)self->u.nat.p)->obj;
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
    METHOD("keys", m_item_keys);
    METHOD("values", m_item_values);
    METHOD("items", m_item_items);
    METHOD("get", m_item_get);
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
    .name = "Item", .tname = tref_tname, .getattr = item_getattr, .getitem = item_getitem,
    .len = item_len, .iter = item_iter, .repr = item_repr, .same = tref_same,
    .free = tref_free, .attrs = item_attrs,
};

/* ---------------------------------------------------------------- Spider */

static cval *str_list(cv_ctx *c, const char *const *v)
{
    cval *l = cv_list_new();
    for (size_t i = 0; v && v[i]; i++)
        if (cv_seq_push(c, l, cv_str(v[i]))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static cval *spider_getattr(cv_ctx *c, cval *self, const char *name)
{
    kumo_spider *sp = (kumo_spider *)tref_obj(c, self);
    if (!sp)
        return NULL;
    if (!strcmp(name, "name"))
        return cv_str(kumo_spider_name(sp));
    if (!strcmp(name, "state"))
        return co_from_map(c, &sp->state);
    if (!strcmp(name, "start_urls"))
        return str_list(c, sp->def->start_urls);
    if (!strcmp(name, "allowed_domains"))
        return str_list(c, (const char *const *)sp->allowed);
    if (!strcmp(name, "crawler") && sp->c)
        return co_crawler(c);
    if (!strcmp(name, "settings") && sp->c)
        return co_settings(c);
    return NULL;
}

static int spider_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    tref *t = self->u.nat.p;
    kumo_spider *sp = (kumo_spider *)tref_obj(c, self);
    if (!sp) {
        if (c)
            c->etype = NULL;
        return cv_writef(c, b, "<%s (closed) at %p>", t->cls_name, (void *)t->obj);
    }
    int rc = cv_writef(c, b, "<%s ", t->cls_name);
    if (!rc)
        rc = cv_repr_str(c, b, kumo_spider_name(sp), strlen(kumo_spider_name(sp)));
    return rc ? rc : cv_writef(c, b, " at %p>", (void *)sp);
}

static const char *const spider_attrs[] = {"allowed_domains", "crawler", "name", "settings",
                                           "start_urls", "state", NULL};
static const cv_vtable spider_vt = {
    .name = "Spider", .tname = tref_tname, .getattr = spider_getattr, .repr = spider_repr,
    .same = tref_same, .free = tref_free, .attrs = spider_attrs,
};

/* ================================================================ classes and modules */

/* Scrapy's module paths for the built-in classes (their repr). */
static const struct {
    const char *name, *path;
} class_paths[] = {
    {"Request", "scrapy.http.request.Request"},
    {"FormRequest", "scrapy.http.request.form.FormRequest"},
    {"JsonRequest", "scrapy.http.request.json_request.JsonRequest"},
    {"Response", "scrapy.http.response.Response"},
    {"TextResponse", "scrapy.http.response.text.TextResponse"},
    {"HtmlResponse", "scrapy.http.response.html.HtmlResponse"},
    {"XmlResponse", "scrapy.http.response.xml.XmlResponse"},
    {"Item", "scrapy.item.Item"},
    {"Selector", "scrapy.selector.unified.Selector"},
    {"SelectorList", "scrapy.selector.unified.SelectorList"},
    {"Spider", "scrapy.spiders.Spider"},
};

static void str_free(void *p)
{
    kumo_free(p);
}

static const char *class_tname(cval *self)
{
    return self->u.nat.p;
}

static int class_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    const char *name = self->u.nat.p;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(class_paths); i++)
        if (!strcmp(class_paths[i].name, name))
            return cv_writef(c, b, "<class '%s'>", class_paths[i].path);
    return cv_writef(c, b, "<class '%s'>", name);
}

static cval *class_getattr(cv_ctx *c, cval *self, const char *name)
{
    if (!strcmp(name, "__name__"))
        return cv_str(self->u.nat.p);
    return NULL;
}

static cval *class_call(cv_ctx *c, cval *self, const cv_args *a)
{
    return cv_raise(c, "TypeError", "cannot create '%s' instances from the console",
                    (const char *)self->u.nat.p);
}

static int class_same(cval *a, cval *b)
{
    return strcmp(a->u.nat.p, b->u.nat.p) == 0;
}

static const char *const class_attrs[] = {"__name__", NULL};
static const cv_vtable class_vt = {
    .name = "type", .tname = class_tname, .getattr = class_getattr, .repr = class_repr,
    .call = class_call,
    .same = class_same, .free = str_free, .attrs = class_attrs,
};

cval *co_class(kumo_class *cls)
{
    return cv_native(&class_vt, kumo_strdup(cls->name, cv_tag(), KUMO_V_NONE), NULL);
}

cval *co_type_of(cval *v)
{
    return cv_native(&class_vt, kumo_strdup(cv_type_name(v), cv_tag(), KUMO_V_NONE), NULL);
}

bool co_isinstance(cval *v, const kumo_class *cls)
{
    if (v->type != CV_NATIVE || v->u.nat.vt->free != tref_free)
        return false;
    kumo_class *own = kumo_class_find(((tref *)v->u.nat.p)->cls_name);
    return own && kumo_class_is(own, cls);
}

kumo_ref *co_ref_of(cv_ctx *c, cval *v)
{
    if (v->type != CV_NATIVE || v->u.nat.vt->free != tref_free)
        return NULL;
    return tref_obj(c, v);
}

kumo_class *co_class_of(cval *v)
{
    if (v->type != CV_NATIVE || v->u.nat.vt != &class_vt)
        return NULL;
    return kumo_class_find(v->u.nat.p);
}

static cval *module_getattr(cv_ctx *c, cval *self, const char *name)
{
    const char *path = self->u.nat.p;
    char sub[256];
    snprintf(sub, sizeof(sub), "%s.%s", path, name);
    cval *m = ce_import_module(c, sub);
    if (m)
        return m;
    c->etype = NULL;
    cval *v = ce_import_name(c, path, name);
    if (v)
        return v;
    c->etype = NULL;
    return cv_raise(c, "AttributeError", "module '%s' has no attribute '%s'", path, name);
}

static int module_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<module '%s'>", (const char *)self->u.nat.p);
}

static const cv_vtable module_vt = {
    .name = "module", .getattr = module_getattr, .repr = module_repr, .same = class_same,
    .free = str_free,
};

cval *co_module(const char *path)
{
    return cv_native(&module_vt, kumo_strdup(path, cv_tag(), KUMO_V_NONE), NULL);
}

/* ================================================================ the crawl */

static cval *no_crawl(cv_ctx *c)
{
    return cv_raise(c, "RuntimeError", "no crawl is running");
}

static kumo_crawler *crawler_of(cval *self)
{
    return self->u.nat.p;
}

/* ---- engine ---- */

static cval *m_pause(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "pause", a))
        return NULL;
    kumo_engine_pause(crawler_of(self)->engine);
    return cv_none();
}

static cval *m_unpause(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "unpause", a))
        return NULL;
    kumo_engine_unpause(crawler_of(self)->engine);
    return cv_none();
}

static cval *m_stop(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "stop", a))
        return NULL;
    kumo_engine_close(crawler_of(self)->engine, "shutdown");
    return cv_none();
}

static cval *engine_getattr(cv_ctx *c, cval *self, const char *name)
{
    kumo_engine *e = crawler_of(self)->engine;
    METHOD("pause", m_pause);
    METHOD("unpause", m_unpause);
    METHOD("stop", m_stop);
    if (!strcmp(name, "paused"))
        return cv_bool(kumo_engine_paused(e));
    if (!strcmp(name, "running"))
        return cv_bool(!kumo_engine_closed(e) && !kumo_engine_closing(e));
    if (!strcmp(name, "spider"))
        return co_spider(c);
    if (!strcmp(name, "start_time"))
        return cv_float(crawler_of(self)->start_time);
    return NULL;
}

static int engine_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.core.engine.ExecutionEngine object at %p>",
                     (void *)crawler_of(self)->engine);
}

static const char *const engine_attrs[] = {"pause", "paused", "running", "spider", "start_time",
                                           "stop", "unpause", NULL};
static const cv_vtable engine_vt = {
    .name = "ExecutionEngine", .getattr = engine_getattr, .repr = engine_repr,
    .attrs = engine_attrs,
};

cval *co_engine(cv_ctx *c)
{
    if (!c->crawler || !c->crawler->engine)
        return no_crawl(c);
    return cv_native(&engine_vt, c->crawler, NULL);
}

/* ---- stats ---- */

static cval *m_get_value(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"key", "default"};
    cval *arg[2];
    if (ce_args(c, "get_value", a, names, 2, 1, arg))
        return NULL;
    const char *key = ce_arg_str(c, "get_value", arg[0]);
    if (!key)
        return NULL;
    const kumo_value *v = kumo_stats_get(crawler_of(self)->stats, key);
    if (!v)
        return cv_ref(arg[1] ? arg[1] : cv_none());
    return co_from_value(c, v);
}

static cval *m_get_stats(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "get_stats", a))
        return NULL;
    return co_from_map(c, kumo_stats_map(crawler_of(self)->stats));
}

static cval *stats_getattr(cv_ctx *c, cval *self, const char *name)
{
    METHOD("get_value", m_get_value);
    METHOD("get_stats", m_get_stats);
    return NULL;
}

static int stats_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.statscollectors.MemoryStatsCollector object at %p>",
                     (void *)crawler_of(self)->stats);
}

static const char *const stats_attrs[] = {"get_stats", "get_value", NULL};
static const cv_vtable stats_vt = {
    .name = "MemoryStatsCollector", .getattr = stats_getattr, .repr = stats_repr,
    .attrs = stats_attrs,
};

cval *co_stats(cv_ctx *c)
{
    if (!c->crawler || !c->crawler->stats)
        return no_crawl(c);
    return cv_native(&stats_vt, c->crawler, NULL);
}

/* ---- settings ---- */

static const kumo_setting_info *setting_info(const char *name)
{
    for (const kumo_setting_info *i = kumo_setting_infos; i->name; i++)
        if (!strcmp(i->name, name))
            return i;
    return NULL;
}

/* The setting as Scrapy's settings[name] gives it: typed, or None when unset. */
static cval *setting_value(cv_ctx *c, kumo_settings *s, const char *name)
{
    const char *raw = kumo_settings_get(s, name);
    if (!raw)
        return cv_none();
    const kumo_setting_info *info = setting_info(name);
    switch (info ? info->type : KUMO_SET_STR) {
    case KUMO_SET_INT:
        return cv_int(kumo_settings_int(s, name, 0));
    case KUMO_SET_FLOAT:
        return cv_float(kumo_settings_float(s, name, 0));
    case KUMO_SET_BOOL:
        return cv_bool(kumo_settings_bool(s, name, false));
    case KUMO_SET_LIST: {
        char *items[256];
        size_t n = kumo_settings_list(s, name, items, KUMO_ARRAY_LEN(items));
        cval *l = cv_list_new();
        int rc = KUMO_OK;
        for (size_t i = 0; i < KUMO_MIN(n, KUMO_ARRAY_LEN(items)); i++) {
            if (!rc)
                rc = cv_seq_push(c, l, cv_str(items[i]));
            kumo_free(items[i]);
        }
        if (rc) {
            cv_unref(l);
            return NULL;
        }
        return l;
    }
    default:
        return cv_str(raw);
    }
}

static kumo_settings *settings_of(cval *self)
{
    return crawler_of(self)->settings;
}

static cval *settings_getitem(cv_ctx *c, cval *self, cval *key)
{
    const char *name = ce_arg_str(c, "settings[]", key);
    return name ? setting_value(c, settings_of(self), name) : NULL;
}

static cval *typed_get(cv_ctx *c, cval *self, const cv_args *a, const char *fname, int kind)
{
    static const char *const names[] = {"name", "default"};
    cval *arg[2];
    if (ce_args(c, fname, a, names, 2, 1, arg))
        return NULL;
    const char *name = ce_arg_str(c, fname, arg[0]);
    if (!name)
        return NULL;
    kumo_settings *s = settings_of(self);
    if (!kumo_settings_get(s, name))
        return cv_ref(arg[1] ? arg[1] : cv_none());
    switch (kind) {
    case 'i':
        return cv_int(kumo_settings_int(s, name, 0));
    case 'f':
        return cv_float(kumo_settings_float(s, name, 0));
    case 'b':
        return cv_bool(kumo_settings_bool(s, name, false));
    default:
        return setting_value(c, s, name);
    }
}

static cval *m_sget(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "get", 0);
}

static cval *m_sgetint(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "getint", 'i');
}

static cval *m_sgetfloat(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "getfloat", 'f');
}

static cval *m_sgetbool(cv_ctx *c, cval *self, const cv_args *a)
{
    return typed_get(c, self, a, "getbool", 'b');
}

static cval *settings_getattr(cv_ctx *c, cval *self, const char *name)
{
    METHOD("get", m_sget);
    METHOD("getint", m_sgetint);
    METHOD("getfloat", m_sgetfloat);
    METHOD("getbool", m_sgetbool);
    return NULL;
}

static int settings_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.settings.Settings object at %p>", (void *)settings_of(self));
}

static const char *const settings_attrs[] = {"get", "getbool", "getfloat", "getint", NULL};
static const cv_vtable settings_vt = {
    .name = "Settings", .getattr = settings_getattr, .getitem = settings_getitem,
    .repr = settings_repr, .attrs = settings_attrs,
};

cval *co_settings(cv_ctx *c)
{
    if (!c->crawler || !c->crawler->settings)
        return no_crawl(c);
    return cv_native(&settings_vt, c->crawler, NULL);
}

cval *co_spider(cv_ctx *c)
{
    if (!c->crawler)
        return no_crawl(c);
    if (!c->crawler->spider)
        return cv_none();
    return co_from_ref(&c->crawler->spider->ref);
}

/* ---- crawler ---- */

static cval *crawler_getattr(cv_ctx *c, cval *self, const char *name)
{
    if (!strcmp(name, "stats"))
        return co_stats(c);
    if (!strcmp(name, "engine"))
        return co_engine(c);
    if (!strcmp(name, "spider"))
        return co_spider(c);
    if (!strcmp(name, "settings"))
        return co_settings(c);
    return NULL;
}

static int crawler_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<kumo.crawler.Crawler object at %p>", self->u.nat.p);
}

static const char *const crawler_attrs[] = {"engine", "settings", "spider", "stats", NULL};
static const cv_vtable crawler_vt = {
    .name = "Crawler", .getattr = crawler_getattr, .repr = crawler_repr,
    .attrs = crawler_attrs,
};

cval *co_crawler(cv_ctx *c)
{
    if (!c->crawler)
        return no_crawl(c);
    return cv_native(&crawler_vt, c->crawler, NULL);
}

/* ================================================================ hpy */

#define HPY_PAGE 10

typedef struct hset {
    kumo_heapset *s;                /* owned */
} hset;

typedef struct hpart {
    kumo_partition *p;              /* owned */
    uint64_t count, size;
} hpart;

typedef struct hmore {
    size_t start;                   /* first row shown; the owner cval is the partition */
} hmore;

static const cv_vtable hset_vt, hpart_vt, hmore_vt;

static void hset_free(void *p)
{
    hset *h = p;
    kumo_heapset_free(h->s);
    kumo_free(h);
}

static void hpart_free(void *p)
{
    hpart *h = p;
    kumo_partition_free(h->p);
    kumo_free(h);
}

static cval *set_view(kumo_heapset *s)
{
    hset *h = kumo_calloc(1, sizeof(*h), cv_tag(), KUMO_V_NONE);
    h->s = s;
    return cv_native(&hset_vt, h, NULL);
}

static cval *part_view(const kumo_heapset *s, kumo_partition_kind kind)
{
    hpart *h = kumo_calloc(1, sizeof(*h), cv_tag(), KUMO_V_NONE);
    h->p = kumo_heapset_partition(s, kind);
    h->count = kumo_heapset_count(s);
    h->size = kumo_heapset_size(s);
    return cv_native(&hpart_vt, h, NULL);
}

static cval *more_view(cval *part, size_t start)
{
    hmore *m = kumo_calloc(1, sizeof(*m), cv_tag(), KUMO_V_NONE);
    m->start = start;
    return cv_native(&hmore_vt, m, cv_ref(part));
}

/* Format a partition's rows from start into b (through a private buffer). */
static int part_format(cv_ctx *c, const kumo_partition *p, size_t start, kumo_buf *b)
{
    kumo_buf tmp;
    kumo_buf_init(&tmp, 0, cv_tag(), KUMO_V_TEXT);
    kumo_partition_format(p, start, &tmp);
    /* the console adds the line's final newline itself */
    size_t n = tmp.len;
    if (n && tmp.s[n - 1] == '\n')
        n--;
    int rc = cv_write(c, b, tmp.s ? tmp.s : "", n);
    kumo_buf_release(&tmp);
    return rc;
}

static size_t next_start(const kumo_partition *p, size_t start)
{
    return KUMO_MIN(start + HPY_PAGE, kumo_partition_rows(p));
}

/* ---- a set ---- */

static cval *hset_getattr(cv_ctx *c, cval *self, const char *name)
{
    hset *h = self->u.nat.p;
    if (!strcmp(name, "bytype"))
        return part_view(h->s, KUMO_PART_BYTYPE);
    if (!strcmp(name, "byvia"))
        return part_view(h->s, KUMO_PART_BYVIA);
    if (!strcmp(name, "size"))
        return cv_int((int64_t)kumo_heapset_size(h->s));
    if (!strcmp(name, "count"))
        return cv_int((int64_t)kumo_heapset_count(h->s));
    if (!strcmp(name, "more")) {
        cval *p = part_view(h->s, KUMO_PART_BYTYPE);
        cval *m = more_view(p, next_start(((hpart *)p->u.nat.p)->p, 0));
        cv_unref(p);
        return m;
    }
    return NULL;
}

static cval *hset_getitem(cv_ctx *c, cval *self, cval *key)
{
    hset *h = self->u.nat.p;
    cval *p = part_view(h->s, KUMO_PART_BYTYPE);
    cval *r = ce_getitem(c, p, key);
    cv_unref(p);
    return r;
}

static int hset_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    hset *h = self->u.nat.p;
    kumo_partition *p = kumo_heapset_partition(h->s, KUMO_PART_BYTYPE);
    int rc = part_format(c, p, 0, b);
    kumo_partition_free(p);
    return rc;
}

static int hset_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = (size_t)kumo_heapset_count(((hset *)self->u.nat.p)->s);
    return KUMO_OK;
}

static const char *const hset_attrs[] = {"bytype", "byvia", "count", "more", "size", NULL};
static const cv_vtable hset_vt = {
    .name = "IdentitySet", .getattr = hset_getattr, .getitem = hset_getitem, .len = hset_len,
    .repr = hset_repr, .free = hset_free, .attrs = hset_attrs,
};

/* ---- a partition ---- */

static cval *hpart_getattr(cv_ctx *c, cval *self, const char *name)
{
    hpart *h = self->u.nat.p;
    if (!strcmp(name, "more"))
        return more_view(self, next_start(h->p, 0));
    if (!strcmp(name, "size"))
        return cv_int((int64_t)h->size);
    if (!strcmp(name, "count"))
        return cv_int((int64_t)h->count);
    return NULL;
}

static cval *hpart_getitem(cv_ctx *c, cval *self, cval *key)
{
    hpart *h = self->u.nat.p;
    int64_t i;
    if (cv_as_index(c, key, &i))
        return NULL;
    size_t rows = kumo_partition_rows(h->p);
    if (i < 0)
        i += (int64_t)rows;
    kumo_heapset *s = i >= 0 ? kumo_partition_row(h->p, (size_t)i) : NULL;
    if (!s)
        return cv_raise(c, "IndexError", "partition index out of range");
    return set_view(s);
}

static int hpart_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = kumo_partition_rows(((hpart *)self->u.nat.p)->p);
    return KUMO_OK;
}

static int hpart_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return part_format(c, ((hpart *)self->u.nat.p)->p, 0, b);
}

static const char *const hpart_attrs[] = {"count", "more", "size", NULL};
static const cv_vtable hpart_vt = {
    .name = "Partition", .getattr = hpart_getattr, .getitem = hpart_getitem, .len = hpart_len,
    .repr = hpart_repr, .free = hpart_free, .attrs = hpart_attrs,
};

/* ---- `_.more`: the next page of a partition ---- */

static cval *hmore_getattr(cv_ctx *c, cval *self, const char *name)
{
    hmore *m = self->u.nat.p;
    cval *part = self->u.nat.owner;
    if (!strcmp(name, "more"))
        return more_view(part, next_start(((hpart *)part->u.nat.p)->p, m->start));
    return hpart_getattr(c, part, name);
}

static int hmore_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    hmore *m = self->u.nat.p;
    return part_format(c, ((hpart *)self->u.nat.owner->u.nat.p)->p, m->start, b);
}

static void hmore_free(void *p)
{
    kumo_free(p);
}

static const cv_vtable hmore_vt = {
    .name = "MorePrinter", .getattr = hmore_getattr, .repr = hmore_repr, .free = hmore_free,
    .attrs = hpart_attrs,
};

/* ---- hpy itself ---- */

static cval *m_heap(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "heap", a))
        return NULL;
    return set_view(kumo_heapset_snapshot());
}

static cval *hpy_getattr(cv_ctx *c, cval *self, const char *name)
{
    METHOD("heap", m_heap);
    return NULL;
}

static int hpy_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writes(c, b, "<hpy: kumo's tagged heap; hpy.heap() takes a snapshot>");
}

static cval *hpy_call(cv_ctx *c, cval *self, const cv_args *a)
{
    if (no_args(c, "hpy", a))
        return NULL;
    return cv_ref(self);        /* Guppy's hpy() gives the same interface */
}

static const char *const hpy_attrs[] = {"heap", NULL};
static const cv_vtable hpy_vt = {
    .name = "hpy", .getattr = hpy_getattr, .repr = hpy_repr, .call = hpy_call,
    .attrs = hpy_attrs,
};

cval *co_hpy(cv_ctx *c)
{
    return cv_native(&hpy_vt, NULL, NULL);
}
