/* view_links.c - Scrapy's LinkExtractor in the console: LinkExtractor(...) and its
 * extract_links(response), a list of Link values printed as Scrapy's repr. */
#include "console/view_links.h"
#include "console/str.h"
#include "http/response.h"

/* ---------------------------------------------------------------- Link */

typedef struct lview {
    char *url, *text, *fragment;    /* owned */
    bool nofollow;
} lview;

static void lview_free(void *p)
{
    lview *l = p;
    kumo_free(l->url);
    kumo_free(l->text);
    kumo_free(l->fragment);
    kumo_free(l);
}

static cval *link_getattr(cv_ctx *c, cval *self, const char *name)
{
    lview *l = self->u.nat.p;
    if (!strcmp(name, "url"))
        return cv_str(l->url);
    if (!strcmp(name, "text"))
        return cv_str(l->text);
    if (!strcmp(name, "fragment"))
        return cv_str(l->fragment);
    if (!strcmp(name, "nofollow"))
        return cv_bool(l->nofollow);
    return NULL;
}

/* Scrapy's Link.__repr__: Link(url='...', text='...', fragment='', nofollow=False). */
static int link_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    lview *l = self->u.nat.p;
    int rc = cv_writes(c, b, "Link(url=");
    if (!rc)
        rc = cv_repr_str(c, b, l->url, strlen(l->url));
    if (!rc)
        rc = cv_writes(c, b, ", text=");
    if (!rc)
        rc = cv_repr_str(c, b, l->text, strlen(l->text));
    if (!rc)
        rc = cv_writes(c, b, ", fragment=");
    if (!rc)
        rc = cv_repr_str(c, b, l->fragment, strlen(l->fragment));
    if (!rc)
        rc = cv_writes(c, b, l->nofollow ? ", nofollow=True)" : ", nofollow=False)");
    return rc;
}

static const cv_vtable link_vt;

/* Link.__eq__: the four fields. */
static int link_equal(cv_ctx *c, cval *a, cval *b)
{
    if (b->type != CV_NATIVE || b->u.nat.vt != &link_vt)
        return 0;
    const lview *x = a->u.nat.p, *y = b->u.nat.p;
    return !strcmp(x->url, y->url) && !strcmp(x->text, y->text) &&
           !strcmp(x->fragment, y->fragment) && x->nofollow == y->nofollow;
}

static const char *const link_attrs[] = {"fragment", "nofollow", "text", "url", NULL};
static const cv_vtable link_vt = {
    .name = "Link", .getattr = link_getattr, .repr = link_repr, .equal = link_equal,
    .free = lview_free, .attrs = link_attrs,
};

static cval *link_value(const kumo_link *k)
{
    lview *l = kumo_calloc(1, sizeof(*l), cv_tag(), KUMO_V_NONE);
    l->url = kumo_strdup(k->url, cv_tag(), KUMO_V_URL);
    l->text = kumo_strdup(k->text, cv_tag(), KUMO_V_TEXT);
    l->fragment = kumo_strdup(k->fragment, cv_tag(), KUMO_V_URL);
    l->nofollow = k->nofollow;
    return cv_native(&link_vt, l, NULL);
}

/* ---------------------------------------------------------------- LinkExtractor */

enum { L_ALLOW, L_DENY, L_ALLOW_DOMAINS, L_DENY_DOMAINS, L_RESTRICT_XPATHS, L_TAGS, L_ATTRS,
       L_DENY_EXTENSIONS, L_RESTRICT_CSS, L_RESTRICT_TEXT, L_COUNT };

typedef struct leview {
    kumo_link_extractor le;
    char **lists[L_COUNT];          /* owned, NULL-terminated, or NULL: not given */
} leview;

static void leview_free(void *p)
{
    leview *v = p;
    for (size_t i = 0; i < L_COUNT; i++) {
        for (size_t k = 0; v->lists[i] && v->lists[i][k]; k++)
            kumo_free(v->lists[i][k]);
        kumo_free(v->lists[i]);
    }
    kumo_free(v);
}

/* Scrapy's arg_to_iter(): None is (), a str is (str,), a list or tuple its items (str).
 * Returns a new NULL-terminated array, or NULL with TypeError raised. */
static char **str_list(cv_ctx *c, const char *arg, cval *v)
{
    size_t n = v->type == CV_NONE ? 0
               : (v->type == CV_LIST || v->type == CV_TUPLE) ? v->u.seq.len : 1;
    char **l = kumo_calloc(n + 1, sizeof(char *), cv_tag(), KUMO_V_NONE);
    for (size_t i = 0; i < n; i++) {
        cval *e = (v->type == CV_LIST || v->type == CV_TUPLE) ? v->u.seq.v[i] : v;
        if (e->type != CV_STR) {
            for (size_t k = 0; k < i; k++)
                kumo_free(l[k]);
            kumo_free(l);
            cv_raise(c, "TypeError", "LinkExtractor() argument '%s' takes str or a list of "
                     "str, not %s", arg, cv_type_name(e));
            return NULL;
        }
        l[i] = kumo_strdup(e->u.s.s, cv_tag(), KUMO_V_NONE);
    }
    return l;
}

static const char *const le_names[] = {
    "allow", "deny", "allow_domains", "deny_domains", "restrict_xpaths", "tags", "attrs",
    "canonicalize", "unique", "process_value", "deny_extensions", "restrict_css", "strip",
    "restrict_text",
};
/* le_names index of each list, in L_ order */
static const size_t list_arg[L_COUNT] = {0, 1, 2, 3, 4, 5, 6, 10, 11, 13};

static const char *const *clist(char **l)
{
    return (const char *const *)l;
}

static cval *m_extract_links(cv_ctx *c, cval *self, const cv_args *a);

static cval *le_getattr(cv_ctx *c, cval *self, const char *name)
{
    CO_METHOD("extract_links", m_extract_links);
    return NULL;
}

static int le_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writef(c, b, "<scrapy.linkextractors.lxmlhtml.LxmlLinkExtractor object at %p>",
                     self->u.nat.p);
}

static const char *const le_attrs[] = {"extract_links", NULL};
static const cv_vtable le_vt = {
    .name = "LxmlLinkExtractor", .getattr = le_getattr, .repr = le_repr, .free = leview_free,
    .attrs = le_attrs,
};

static int flag(cv_ctx *c, cval *v, int *out)
{
    int t = cv_truthy(c, v);
    if (t < 0)
        return KUMO_EINVAL;
    *out = t ? KUMO_YES : KUMO_NO;
    return KUMO_OK;
}

/* LinkExtractor(allow=(), deny=(), ...): Scrapy 2.8's signature and defaults. */
static cval *b_linkextractor(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *arg[KUMO_ARRAY_LEN(le_names)];
    if (cv_args_parse(c, "LinkExtractor", a, le_names, KUMO_ARRAY_LEN(le_names), 0, arg))
        return NULL;
    if (arg[9] && arg[9]->type != CV_NONE)
        return cv_raise(c, "TypeError", "LinkExtractor(process_value=...) takes a C function "
                        "(kumo/linkextractor.h): not available in the console");
    leview *v = kumo_calloc(1, sizeof(*v), cv_tag(), KUMO_V_NONE);
    cval *r = cv_native(&le_vt, v, NULL);
    for (size_t i = 0; i < L_COUNT; i++) {
        cval *x = arg[list_arg[i]];
        if (!x)
            continue;
        v->lists[i] = str_list(c, le_names[list_arg[i]], x);
        if (!v->lists[i]) {
            cv_unref(r);
            return NULL;
        }
    }
    kumo_link_extractor *le = &v->le;
    le->allow = clist(v->lists[L_ALLOW]);
    le->deny = clist(v->lists[L_DENY]);
    le->allow_domains = clist(v->lists[L_ALLOW_DOMAINS]);
    le->deny_domains = clist(v->lists[L_DENY_DOMAINS]);
    le->restrict_xpaths = clist(v->lists[L_RESTRICT_XPATHS]);
    le->restrict_css = clist(v->lists[L_RESTRICT_CSS]);
    le->restrict_text = clist(v->lists[L_RESTRICT_TEXT]);
    le->tags = clist(v->lists[L_TAGS]);
    le->attrs = clist(v->lists[L_ATTRS]);
    /* deny_extensions=None is Scrapy's IGNORED_EXTENSIONS: NULL here too */
    cval *de = arg[10];
    le->deny_extensions = de && de->type != CV_NONE ? clist(v->lists[L_DENY_EXTENSIONS]) : NULL;
    int canon = KUMO_NO;
    if ((arg[7] && flag(c, arg[7], &canon)) || (arg[8] && flag(c, arg[8], &le->unique)) ||
        (arg[12] && flag(c, arg[12], &le->strip))) {
        cv_unref(r);
        return NULL;
    }
    le->canonicalize = canon == KUMO_YES;
    char err[512];
    if (kumo_link_extractor_check(le, err, sizeof(err)) != KUMO_OK) {
        cv_unref(r);
        return cv_raise(c, "ValueError", "%s", err);
    }
    return r;
}

static cval *m_extract_links(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"response"};
    cval *arg[1];
    if (cv_args_parse(c, "extract_links", a, names, 1, 1, arg))
        return NULL;
    if (!cn_isinstance(arg[0], &KUMO_CLASS(Response)))
        return cv_raise(c, "TypeError", "extract_links() takes a response, not %s",
                        cv_type_name(arg[0]));
    kumo_response *res = (kumo_response *)cv_ref_of(c, arg[0]);
    if (!res)
        return NULL;
    if (!kumo__response_is_text(res))
        return cv_raise(c, "NotSupported", "Response content isn't text");
    leview *v = self->u.nat.p;
    kumo_links *ls = kumo_extract_links(&v->le, res);
    cval *l = cv_list_new();
    for (size_t i = 0; i < ls->len; i++) {
        if (cv_seq_push(c, l, link_value(&ls->v[i]))) {
            cv_unref(l);
            l = NULL;
            break;
        }
    }
    kumo_links_free(ls);
    return l;
}

/* ---------------------------------------------------------------- registration */

static const cn_entry link_names[] = {
    {"LinkExtractor", "LinkExtractor(allow=(), deny=(), restrict_css=(), ...)",
     "Scrapy's: LinkExtractor(...).extract_links(response) lists Link(url=, text=...)",
     b_linkextractor, NULL, NULL, false},
};

void co_links_init(void)
{
    cn_register(link_names, KUMO_ARRAY_LEN(link_names), CN_ORDER_CLASSES);
}
