/* selector.c - Selector and SelectorList (parsel's): CSS/XPath queries, serialisation, re(). */
#include "select/css.h"
#include "select/cssmatch.h"
#include "select/doc.h"
#include "select/pool.h"
#include "select/regex.h"
#include "util/buf.h"
#include "util/timing.h"
#include <libxml/HTMLtree.h>
#include <libxml/xpathInternals.h>
#include <math.h>

typedef enum sel_kind {
    SEL_NODE,       /* element, comment, PI, document: serialised as markup */
    SEL_TEXT,       /* text or CDATA node: its content */
    SEL_ATTR,       /* attribute node: its value */
    SEL_STRING,     /* an owned string: number, boolean or string result, namespace */
} sel_kind;

/* A value cached on a selector: the attribute lookups that needed a copy. */
typedef struct attr_copy {
    struct attr_copy *next;
    char *value;
} attr_copy;

/* What a node selector keeps once asked for it: apart, so that a selector is 64 bytes. */
typedef struct node_kept {
    char *markup;               /* owned: the serialisation, made on first get */
    attr_copy *copies;          /* owned: values returned by kumo_sel_attr() that needed one */
} node_kept;

struct kumo_selector {
    kumo_ref ref;               /* first: Selector */
    unsigned refcount;
    sel_kind kind;
    kumo_doc *doc;              /* one reference, or NULL for SEL_STRING */
    xmlNodePtr node;            /* in doc, or NULL for SEL_STRING */
    union {
        char *str;              /* owned (SEL_STRING, SEL_ATTR): the value, or an attribute's
                                 * value copy (NULL: the value is borrowed from the tree) */
        node_kept *kept;        /* owned (SEL_NODE): NULL until a get or a copied value */
    } u;
};

/* The node selector sel's kept values, created on first use.  Borrowed, valid while sel
 * lives. */
static node_kept *kept_of(kumo_selector *sel)
{
    if (!sel->u.kept)
        sel->u.kept = kumo_calloc(1, sizeof(node_kept), KUMO_T_STR, KUMO_V_TEXT);
    return sel->u.kept;
}

struct kumo_selector_list {
    kumo_ref ref;               /* first: SelectorList */
    unsigned refcount;
    kumo_selector **v;          /* one reference each */
    size_t len, cap;
};

#define LOGGER "kumo.selector"

/* ---------------------------------------------------------------- class ops */

static void sel_retain(kumo_ref *r)
{
    kumo_sel_ref((kumo_selector *)r);
}

static void sel_release(kumo_ref *r)
{
    kumo_sel_unref((kumo_selector *)r);
}

static void list_retain(kumo_ref *r)
{
    kumo_list_ref((kumo_selector_list *)r);
}

static void list_release(kumo_ref *r)
{
    kumo_list_unref((kumo_selector_list *)r);
}

static unsigned sel_refcount(const kumo_ref *r)
{
    return ((const kumo_selector *)r)->refcount;
}

static unsigned list_refcount(const kumo_ref *r)
{
    return ((const kumo_selector_list *)r)->refcount;
}

/* What a selector list holds: its selectors, at "[i]". */
static void list_refs(const kumo_ref *r, kumo_ref_visit_fn visit, void *ctx)
{
    const kumo_selector_list *l = (const kumo_selector_list *)r;
    for (size_t i = 0; i < l->len; i++) {
        char place[32];
        snprintf(place, sizeof(place), "[%zu]", i);
        visit(ctx, place, &l->v[i]->ref);
    }
}

static kumo_selector *sel_new(sel_kind kind, kumo_doc *doc, xmlNodePtr node)
{
    if (!KUMO_CLASS(Selector).release) {
        KUMO_CLASS(Selector).retain = sel_retain;
        KUMO_CLASS(Selector).release = sel_release;
        KUMO_CLASS(Selector).refcount = sel_refcount;
    }
    kumo_selector *sel = kumo_calloc(1, sizeof(*sel), KUMO_T_SELECTOR, KUMO_V_NONE);
    kumo_ref_init(&sel->ref, &KUMO_CLASS(Selector));
    sel->refcount = 1;
    sel->kind = kind;
    sel->doc = doc ? kumo__doc_ref(doc) : NULL;
    sel->node = node;
    return sel;
}

static kumo_selector_list *list_new(void)
{
    if (!KUMO_CLASS(SelectorList).release) {
        KUMO_CLASS(SelectorList).retain = list_retain;
        KUMO_CLASS(SelectorList).release = list_release;
        KUMO_CLASS(SelectorList).refs = list_refs;
        KUMO_CLASS(SelectorList).refcount = list_refcount;
    }
    kumo_selector_list *l = kumo_calloc(1, sizeof(*l), KUMO_T_SELECTOR, KUMO_V_NONE);
    kumo_ref_init(&l->ref, &KUMO_CLASS(SelectorList));
    l->refcount = 1;
    return l;
}

/* Append sel to l; takes ownership of the reference. */
static void list_push(kumo_selector_list *l, kumo_selector *sel)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = kumo_realloc(l->v, l->cap * sizeof(*l->v), KUMO_T_LIST, KUMO_V_ITEMS);
    }
    l->v[l->len++] = sel;
}

kumo_selector *kumo_sel_ref(kumo_selector *sel)
{
    kumo_assert(sel->refcount > 0);
    sel->refcount++;
    return sel;
}

void kumo_sel_unref(kumo_selector *sel)
{
    if (!sel)
        return;
    kumo_assert(sel->refcount > 0);
    if (--sel->refcount)
        return;
    kumo_ref_fini(&sel->ref);
    if (sel->kind == SEL_NODE && sel->u.kept) {
        node_kept *k = sel->u.kept;
        while (k->copies) {
            attr_copy *c = k->copies;
            k->copies = c->next;
            kumo_free(c->value);
            kumo_free(c);
        }
        kumo_free(k->markup);
        kumo_free(k);
    } else if (sel->kind != SEL_NODE) {
        kumo_free(sel->u.str);
    }
    kumo__doc_unref(sel->doc);
    kumo_free(sel);
}

kumo_selector_list *kumo_list_ref(kumo_selector_list *list)
{
    kumo_assert(list->refcount > 0);
    list->refcount++;
    return list;
}

void kumo_list_unref(kumo_selector_list *list)
{
    if (!list)
        return;
    kumo_assert(list->refcount > 0);
    if (--list->refcount)
        return;
    kumo_ref_fini(&list->ref);
    for (size_t i = 0; i < list->len; i++)
        kumo_sel_unref(list->v[i]);
    kumo_free(list->v);
    kumo_free(list);
}

/* ---------------------------------------------------------------- results */

/* Python's repr(float), which parsel's get() returns for a number: 3.0, 0.5, 1e+16, nan. */
char *kumo__format_number(double v)
{
    char buf[64];
    if (isnan(v))
        return kumo_strdup("nan", KUMO_T_STR, KUMO_V_TEXT);
    if (isinf(v))
        return kumo_strdup(v < 0 ? "-inf" : "inf", KUMO_T_STR, KUMO_V_TEXT);
    if (v == 0)
        return kumo_strdup(signbit(v) ? "-0.0" : "0.0", KUMO_T_STR, KUMO_V_TEXT);
    /* The shortest digits that read back as v. */
    char e[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e is [-]d[.ddd]e[+-]XX: split into sign, digits, exponent. */
    const char *p = e;
    bool neg = *p == '-';
    if (neg)
        p++;
    char digits[32];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    int exp = atoi(p + 1);
    size_t o = 0;
    if (neg)
        buf[o++] = '-';
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "0.");
            for (int i = -1; i > exp; i--)
                buf[o++] = '0';
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", digits);
        } else {
            for (int i = 0; i <= exp; i++)
                buf[o++] = (size_t)i < nd ? digits[i] : '0';
            buf[o++] = '.';
            if ((size_t)exp + 1 < nd)
                o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", digits + exp + 1);
            else
                buf[o++] = '0';
            buf[o] = '\0';
        }
    } else {
        buf[o++] = digits[0];
        if (nd > 1)
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, ".%s", digits + 1);
        snprintf(buf + o, sizeof(buf) - o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
    return kumo_strdup(buf, KUMO_T_STR, KUMO_V_TEXT);
}

static kumo_selector *string_sel(char *s)
{
    kumo_selector *sel = sel_new(SEL_STRING, NULL, NULL);
    sel->u.str = s;
    return sel;
}

/* The value of attribute node a: borrowed from the tree when it is one text node. */
static const char *attr_value(xmlAttrPtr a, char **copy)
{
    *copy = NULL;
    if (!a->children)
        return "";
    if (!a->children->next && a->children->type == XML_TEXT_NODE && a->children->content)
        return (const char *)a->children->content;
    xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
    *copy = kumo_strdup(v ? (const char *)v : "", KUMO_T_STR, KUMO_V_TEXT);
    xmlFree(v);
    return *copy;
}

static kumo_selector *node_sel(kumo_doc *doc, xmlNodePtr n)
{
    switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        return sel_new(SEL_TEXT, doc, n);
    case XML_ATTRIBUTE_NODE: {
        kumo_selector *sel = sel_new(SEL_ATTR, doc, n);
        attr_value((xmlAttrPtr)n, &sel->u.str);
        return sel;
    }
    case XML_NAMESPACE_DECL: {
        /* XPath's namespace nodes are copies freed with the result: keep the uri. */
        xmlNsPtr ns = (xmlNsPtr)n;
        return string_sel(kumo_strdup(ns->href ? (const char *)ns->href : "", KUMO_T_STR,
                                      KUMO_V_TEXT));
    }
    default:
        return sel_new(SEL_NODE, doc, n);
    }
}

/* libxml2 prints some evaluation errors (unknown functions) through the generic handler. */
static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

xmlXPathObjectPtr kumo__doc_eval(kumo_doc *doc, xmlNodePtr node, xmlXPathCompExprPtr comp)
{
    xmlXPathContextPtr ctx = kumo__doc_xpath(doc);
    ctx->node = node;
    ctx->contextSize = -1;
    ctx->proximityPosition = -1;
    xmlGenericErrorFunc old = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, silent);
    xmlXPathObjectPtr obj = xmlXPathCompiledEval(comp, ctx);
    xmlSetGenericErrorFunc(old_ctx, old);
    return obj;
}

/* Where the native matcher's results go. */
typedef struct native_out {
    kumo_doc *doc;
    kumo_selector_list *list;
} native_out;

static void native_push(void *arg, xmlNodePtr n)
{
    native_out *o = arg;
    list_push(o->list, node_sel(o->doc, n));
}

/* Evaluate q with node as context, appending results to out; KUMO_OK or KUMO_EINVAL.  A CSS
 * query the native matcher does runs without XPath on an HTML document (the same nodes). */
static int eval(kumo_doc *doc, xmlNodePtr node, const kumo_query *q, kumo_selector_list *out)
{
    if (q->match && doc->html) {
        native_out o = {doc, out};
        kumo__cssm_run(q->match, node, native_push, &o);
        return KUMO_OK;
    }
    kumo__xpath_set_error("");
    xmlXPathObjectPtr obj = kumo__doc_eval(doc, node, q->comp);
    if (!obj)
        return KUMO_EINVAL;
    switch (obj->type) {
    case XPATH_NODESET:
        if (obj->nodesetval && obj->nodesetval->nodeNr > 0) {
            xmlNodeSetPtr ns = obj->nodesetval;
            if (ns->nodeNr > 1)
                xmlXPathNodeSetSort(ns);
            for (int i = 0; i < ns->nodeNr; i++)
                list_push(out, node_sel(doc, ns->nodeTab[i]));
        }
        break;
    case XPATH_BOOLEAN:
        list_push(out, string_sel(kumo_strdup(obj->boolval ? "1" : "0", KUMO_T_STR,
                                              KUMO_V_TEXT)));
        break;
    case XPATH_NUMBER:
        list_push(out, string_sel(kumo__format_number(obj->floatval)));
        break;
    case XPATH_STRING:
        list_push(out, string_sel(kumo_strdup(obj->stringval ? (const char *)obj->stringval
                                                              : "", KUMO_T_STR, KUMO_V_TEXT)));
        break;
    default:
        break;
    }
    xmlXPathFreeObject(obj);
    return KUMO_OK;
}

/* Give the caller's list to the callback pool and return it (borrowed). */
static kumo_selector_list *pooled(kumo_selector_list *l)
{
    kumo__pool_add(&l->ref);
    return l;
}

static _Thread_local char query_error[320];

const char *kumo__select_error(void)
{
    return query_error[0] ? query_error : NULL;
}

static const kumo_query *lookup(const char *query, bool css)
{
    if (!query) {
        snprintf(query_error, sizeof(query_error), "%s query is NULL", css ? "CSS" : "XPath");
        KUMO_ERROR(LOGGER, "Invalid %s query: NULL", css ? "CSS" : "XPath");
        return NULL;
    }
    const kumo_query *q = kumo__query_get(query, css);
    if (!q->comp) {
        snprintf(query_error, sizeof(query_error), "%s", q->error ? q->error
                                                                    : "invalid expression");
        KUMO_ERROR(LOGGER, "Invalid %s query '%s': %s", css ? "CSS" : "XPath", query,
                   query_error);
        return NULL;
    }
    return q;
}

static void eval_failed(const char *query, bool css)
{
    snprintf(query_error, sizeof(query_error), "%s", kumo__xpath_last_error());
    KUMO_ERROR(LOGGER, "Invalid %s query '%s': %s", css ? "CSS" : "XPath", query,
               query_error);
}

/*
 * Run a query over selectors sels[0..n) (results concatenated), or over the whole
 * document when doc is given.  Returns a pooled list (empty on any error).
 */
static kumo_selector_list *run_query(kumo_doc *doc, kumo_selector *const *sels, size_t n,
                                     const char *query, bool css)
{
    kumo_selector_list *out = list_new();
    query_error[0] = '\0';
    const kumo_query *q = lookup(query, css);
    if (!q)
        return pooled(out);
    if (doc) {
        if (eval(doc, kumo__doc_root(doc), q, out) != KUMO_OK)
            eval_failed(query, css);
        return pooled(out);
    }
    for (size_t i = 0; i < n; i++) {
        /* parsel: a text, attribute or value result has nothing under it. */
        if (sels[i]->kind != SEL_NODE)
            continue;
        if (eval(sels[i]->doc, sels[i]->node, q, out) != KUMO_OK) {
            eval_failed(query, css);
            kumo_list_unref(out);
            return pooled(list_new());
        }
    }
    return pooled(out);
}

/* run_query() with its time counted in KUMO_STAGE_SELECT. */
static kumo_selector_list *run(kumo_doc *doc, kumo_selector *const *sels, size_t n,
                               const char *query, bool css)
{
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_SELECT);
    kumo_selector_list *out = run_query(doc, sels, n, query, css);
    kumo__stage_leave(stage);
    return out;
}

kumo_selector_list *kumo__doc_select(kumo_doc *doc, const char *query, bool css)
{
    return run(doc, NULL, 0, query, css);
}

kumo_selector_list *kumo_sel_css(kumo_selector *sel, const char *css)
{
    return run(NULL, &sel, sel ? 1 : 0, css, true);
}

kumo_selector_list *kumo_sel_xpath(kumo_selector *sel, const char *xpath)
{
    return run(NULL, &sel, sel ? 1 : 0, xpath, false);
}

kumo_selector_list *kumo_list_css(kumo_selector_list *list, const char *css)
{
    return run(NULL, list ? list->v : NULL, kumo_list_len(list), css, true);
}

kumo_selector_list *kumo_list_xpath(kumo_selector_list *list, const char *xpath)
{
    return run(NULL, list ? list->v : NULL, kumo_list_len(list), xpath, false);
}

/* ---------------------------------------------------------------- reading */

size_t kumo_list_len(const kumo_selector_list *list)
{
    return list ? list->len : 0;
}

kumo_selector *kumo_list_at(kumo_selector_list *list, size_t i)
{
    return list && i < list->len ? list->v[i] : NULL;
}

/* lxml's tostring(node, method="html" or "xml", encoding="unicode", with_tail=False). */
static char *serialise(kumo_selector *sel)
{
    /* No encoder: the bytes stay UTF-8, as lxml's "unicode" output. */
    xmlOutputBufferPtr out = xmlAllocOutputBuffer(NULL);
    if (!out)
        kumo_oom(sizeof(xmlOutputBuffer));
    if (sel->doc->html)
        htmlNodeDumpFormatOutput(out, sel->doc->xml, sel->node, "UTF-8", 0);
    else
        xmlNodeDumpOutput(out, sel->doc->xml, sel->node, 0, 0, "UTF-8");
    xmlOutputBufferFlush(out);
    const xmlChar *s = xmlOutputBufferGetContent(out);
    size_t n = xmlOutputBufferGetSize(out);
    char *r = kumo_strndup(s ? (const char *)s : "", s ? n : 0, KUMO_T_STR, KUMO_V_TEXT);
    xmlOutputBufferClose(out);
    return r;
}

const char *kumo_sel_get(kumo_selector *sel)
{
    if (!sel)
        return NULL;
    switch (sel->kind) {
    case SEL_TEXT:
        return sel->node->content ? (const char *)sel->node->content : "";
    case SEL_ATTR: {
        char *unused;
        return sel->u.str ? sel->u.str : attr_value((xmlAttrPtr)sel->node, &unused);
    }
    case SEL_STRING:
        return sel->u.str;
    case SEL_NODE:
    default:
        if (!kept_of(sel)->markup)
            sel->u.kept->markup = serialise(sel);
        return sel->u.kept->markup;
    }
}

const char *kumo_list_get(kumo_selector_list *list, const char *def)
{
    if (!list || list->len == 0)
        return def;
    return kumo_sel_get(list->v[0]);
}

/* The value of a, an attribute of sel's node; a copy attr_value() had to make is kept with
 * sel (freed with it), so the value is borrowed like sel. */
static const char *kept_attr_value(kumo_selector *sel, xmlAttrPtr a)
{
    char *copy;
    const char *v = attr_value(a, &copy);
    if (copy) {
        attr_copy *c = kumo_alloc(sizeof(*c), KUMO_T_STR, KUMO_V_TEXT);
        c->value = copy;
        c->next = kept_of(sel)->copies;
        sel->u.kept->copies = c;
    }
    return v;
}

const char *kumo_sel_attr(kumo_selector *sel, const char *name)
{
    if (!sel || !name || sel->kind != SEL_NODE || sel->node->type != XML_ELEMENT_NODE)
        return NULL;
    xmlAttrPtr a = xmlHasProp(sel->node, BAD_CAST name);
    if (!a || a->type != XML_ATTRIBUTE_NODE)
        return NULL;
    return kept_attr_value(sel, a);
}

const char *kumo_list_attr(kumo_selector_list *list, const char *name)
{
    if (!list || list->len == 0)
        return NULL;
    return kumo_sel_attr(list->v[0], name);
}

const char *kumo_sel_attr_at(kumo_selector *sel, size_t i, const char **name)
{
    if (!sel || sel->kind != SEL_NODE || sel->node->type != XML_ELEMENT_NODE)
        return NULL;
    xmlAttrPtr a = sel->node->properties;
    while (a && i--)
        a = a->next;
    if (!a)
        return NULL;
    if (name)
        *name = (const char *)a->name;
    return kept_attr_value(sel, a);
}

/* ---------------------------------------------------------------- lists */

kumo_selector *kumo_list_index(kumo_selector_list *list, long i)
{
    size_t n = kumo_list_len(list);
    if (i < 0)
        i += (long)n;
    return i >= 0 && (size_t)i < n ? list->v[i] : NULL;
}

/* Python's slice bound: negative from the end, then clamped to [0, n]. */
static size_t bound(long i, size_t n)
{
    if (i == KUMO_SLICE_END)
        return n;
    if (i < 0)
        i += (long)n;
    if (i < 0)
        return 0;
    return (size_t)i > n ? n : (size_t)i;
}

kumo_selector_list *kumo_list_slice(kumo_selector_list *list, long start, long stop)
{
    kumo_selector_list *out = list_new();
    size_t n = kumo_list_len(list);
    for (size_t i = bound(start, n); i < bound(stop, n); i++)
        list_push(out, kumo_sel_ref(list->v[i]));
    return pooled(out);
}

kumo_value kumo_list_getall(kumo_selector_list *list)
{
    kumo_value v = kumo_val_list();
    for (size_t i = 0; i < kumo_list_len(list); i++)
        kumo_val_list_push(&v, kumo_val_str(kumo_sel_get(list->v[i])));
    return v;
}

kumo_value kumo_list_extract(kumo_selector_list *list)
{
    return kumo_list_getall(list);
}

const char *kumo_list_extract_first(kumo_selector_list *list, const char *def)
{
    return kumo_list_get(list, def);
}

const char *kumo_sel_extract(kumo_selector *sel)
{
    return kumo_sel_get(sel);
}

/* ---------------------------------------------------------------- re() */

/* A found string, entities replaced as parsel does, appended to the list as a string. */
static void re_emit(void *ctx, const char *s, size_t n)
{
    kumo_selector_list *l = ctx;
    if (!memchr(s, '&', n)) {
        list_push(l, string_sel(kumo_strndup(s, n, KUMO_T_STR, KUMO_V_TEXT)));
        return;
    }
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&b, "");
    kumo__replace_entities(s, n, &b);
    list_push(l, string_sel(kumo__buf_detach(&b, NULL)));
}

static const kumo_regex *re_lookup(const char *pattern)
{
    const char *err;
    const kumo_regex *re = kumo__regex_get(pattern, 0, &err);
    if (!re)
        KUMO_ERROR(LOGGER, "Invalid regular expression '%s': %s", pattern ? pattern : "(null)",
                   err);
    return re;
}

/* re() over sels[0..n) into a new pooled list; stops after the first string when first. */
static kumo_selector_list *re_run(kumo_selector *const *sels, size_t n, const char *pattern,
                                  bool first)
{
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_SELECT);
    kumo_selector_list *out = list_new();
    const kumo_regex *re = re_lookup(pattern);
    for (size_t i = 0; re && i < n && !(first && out->len); i++) {
        const char *text = kumo_sel_get(sels[i]);
        if (text)
            kumo__regex_extract(re, text, strlen(text), re_emit, out);
    }
    kumo__stage_leave(stage);
    return pooled(out);
}

kumo_selector_list *kumo_sel_re(kumo_selector *sel, const char *pattern)
{
    return re_run(&sel, sel ? 1 : 0, pattern, false);
}

kumo_selector_list *kumo_list_re(kumo_selector_list *list, const char *pattern)
{
    return re_run(list ? list->v : NULL, kumo_list_len(list), pattern, false);
}

const char *kumo_sel_re_first(kumo_selector *sel, const char *pattern, const char *def)
{
    return kumo_list_get(re_run(&sel, sel ? 1 : 0, pattern, true), def);
}

const char *kumo_list_re_first(kumo_selector_list *list, const char *pattern, const char *def)
{
    return kumo_list_get(re_run(list ? list->v : NULL, kumo_list_len(list), pattern, true), def);
}

/* ---------------------------------------------------------------- links */

const char *kumo__sel_link(kumo_selector *sel, const char **what)
{
    *what = "";
    if (!sel)
        return NULL;
    if (sel->kind != SEL_NODE)
        return kumo_sel_get(sel);
    xmlNodePtr n = sel->node;
    *what = n->name ? (const char *)n->name : "node";
    if (n->type != XML_ELEMENT_NODE || !n->name ||
        (strcmp((const char *)n->name, "a") != 0 && strcmp((const char *)n->name, "link") != 0))
        return NULL;
    return kumo_sel_attr(sel, "href");
}

xmlNodePtr kumo__sel_node(kumo_selector *sel)
{
    if (!sel || sel->kind != SEL_NODE || !sel->node)
        return NULL;
    xmlElementType t = sel->node->type;
    if (t != XML_ELEMENT_NODE && t != XML_DOCUMENT_NODE && t != XML_HTML_DOCUMENT_NODE)
        return NULL;
    return sel->node;
}
