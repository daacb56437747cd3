/* cssmatch.c - the native CSS matcher: a walk of the context's subtree in document order,
 * each element matched right to left against its ancestors up to the context node. */
#include "select/cssmatch.h"
#include "util/utf8.h"

/*
 * What each piece stands for in the XPath the translation gives (css.c), which is what this
 * file must select, node for node:
 *
 *   the first compound E   descendant-or-self::E        the context node or below it
 *   ' ' then compound E    descendant-or-self::*, /E    strictly below the previous one
 *   '>' then compound E    /E                           a child of the previous one
 *   an element name        libxml2's name test          that name and no namespace
 *   '*'                    any element
 *   ::text                 /text()                      the text and CDATA children
 *   ::attr(a)              /@a                          the attribute a (with no prefix)
 *
 * and parsel's two rewrites of a last bare '*' before a pseudo-element: "*::text" alone is
 * descendant-or-self::text() (every text node under the context, whatever its parent), and
 * "A *::text" and "A *::attr(a)" join the '*' to A as descendant-or-self, not descendant.
 *
 * Right to left: the compounds joined by '>' form segments that can match only one way, on
 * a chain of parents; between segments (' '), the nearest ancestor where the segment on the
 * left matches is always the best choice (whatever matches above a higher one also matches
 * above it), so there is no backtracking and a match costs at most the depth times the
 * compounds.
 */

typedef struct test {
    kumo_cssm_op op;
    char *name;                 /* the attribute's name (lower-case, a safe name) */
    char *value;                /* NULL for KUMO_CSSM_EXISTS */
    size_t len;                 /* strlen(value) */
} test;

typedef struct step {
    char *element;              /* NULL: any element */
    test *tests;
    size_t ntests;
    bool never;                 /* a "0" condition: matches nothing */
    kumo_cssm_comb comb;        /* how it joins the step before it */
    size_t seg;                 /* the first step of its segment ('>'-joined run) */
} step;

typedef enum out_kind { OUT_ELEMENT, OUT_TEXT, OUT_ATTR } out_kind;

typedef struct sel {
    step *steps;
    size_t nsteps;
    out_kind out;
    char *attr;                 /* OUT_ATTR: the attribute's name */
    bool text_any;              /* "*::text": every text node under the context */
    bool self_too;              /* "A *::text": the last step is A's descendant-or-self */
} sel;

struct kumo_cssmatch {
    sel *sels;
    size_t nsels;
    bool unsupported;
    bool has_element, has_text, has_attr, text_any;
};

/* ---------------------------------------------------------------- building */

static char *dup(const char *s)
{
    return kumo_strdup(s, KUMO_T_XPATH, KUMO_V_CACHE);
}

kumo_cssmatch *kumo__cssm_new(void)
{
    return kumo_calloc(1, sizeof(kumo_cssmatch), KUMO_T_XPATH, KUMO_V_CACHE);
}

void kumo__cssm_free(kumo_cssmatch *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nsels; i++) {
        sel *s = &m->sels[i];
        for (size_t j = 0; j < s->nsteps; j++) {
            step *st = &s->steps[j];
            for (size_t k = 0; k < st->ntests; k++) {
                kumo_free(st->tests[k].name);
                kumo_free(st->tests[k].value);
            }
            kumo_free(st->tests);
            kumo_free(st->element);
        }
        kumo_free(s->steps);
        kumo_free(s->attr);
    }
    kumo_free(m->sels);
    kumo_free(m);
}

static bool building(const kumo_cssmatch *m)
{
    return m && !m->unsupported;
}

void kumo__cssm_unsupported(kumo_cssmatch *m)
{
    if (m)
        m->unsupported = true;
}

static sel *cur_sel(kumo_cssmatch *m)
{
    kumo_assert(m->nsels > 0);
    return &m->sels[m->nsels - 1];
}

static step *cur_step(kumo_cssmatch *m)
{
    sel *s = cur_sel(m);
    kumo_assert(s->nsteps > 0);
    return &s->steps[s->nsteps - 1];
}

void kumo__cssm_selector(kumo_cssmatch *m)
{
    if (!building(m))
        return;
    if (m->nsels == KUMO_CSSM_MAX_SELECTORS) {
        m->unsupported = true;
        return;
    }
    m->sels = kumo_realloc(m->sels, (m->nsels + 1) * sizeof(*m->sels), KUMO_T_XPATH,
                           KUMO_V_CACHE);
    m->sels[m->nsels++] = (sel){.out = OUT_ELEMENT};
}

void kumo__cssm_compound(kumo_cssmatch *m, kumo_cssm_comb comb, const char *element)
{
    if (!building(m))
        return;
    sel *s = cur_sel(m);
    s->steps = kumo_realloc(s->steps, (s->nsteps + 1) * sizeof(*s->steps), KUMO_T_XPATH,
                            KUMO_V_CACHE);
    size_t i = s->nsteps++;
    s->steps[i] = (step){
        .element = strcmp(element, "*") == 0 ? NULL : dup(element),
        .comb = i ? comb : KUMO_CSSM_DESCENDANT,
        .seg = i && comb == KUMO_CSSM_CHILD ? s->steps[i - 1].seg : i,
    };
}

/* True when s is valid UTF-8 (the translation's string functions count its characters). */
static bool valid_utf8(const char *s)
{
    size_t n = strlen(s);
    while (n) {
        bool ok;
        uint32_t cp;
        size_t k = kumo__utf8_decode((const unsigned char *)s, n, &ok, &cp);
        if (!ok)
            return false;
        s += k;
        n -= k;
    }
    return true;
}

void kumo__cssm_test(kumo_cssmatch *m, kumo_cssm_op op, const char *name, const char *value)
{
    if (!building(m))
        return;
    if ((op == KUMO_CSSM_EXISTS) != (value == NULL) || (value && !valid_utf8(value))) {
        m->unsupported = true;
        return;
    }
    step *st = cur_step(m);
    st->tests = kumo_realloc(st->tests, (st->ntests + 1) * sizeof(*st->tests), KUMO_T_XPATH,
                             KUMO_V_CACHE);
    st->tests[st->ntests++] = (test){
        .op = op,
        .name = dup(name),
        .value = value ? dup(value) : NULL,
        .len = value ? strlen(value) : 0,
    };
}

void kumo__cssm_never(kumo_cssmatch *m)
{
    if (building(m))
        cur_step(m)->never = true;
}

void kumo__cssm_pseudo_element(kumo_cssmatch *m, const char *attr)
{
    if (!building(m))
        return;
    sel *s = cur_sel(m);
    s->out = attr ? OUT_ATTR : OUT_TEXT;
    s->attr = attr ? dup(attr) : NULL;
}

static bool bare(const step *st)
{
    return !st->element && !st->ntests && !st->never;
}

kumo_cssmatch *kumo__cssm_finish(kumo_cssmatch *m)
{
    if (!building(m) || m->nsels == 0) {
        kumo__cssm_free(m);
        return NULL;
    }
    for (size_t i = 0; i < m->nsels; i++) {
        sel *s = &m->sels[i];
        if (s->nsteps == 0) {
            kumo__cssm_free(m);
            return NULL;
        }
        const step *last = &s->steps[s->nsteps - 1];
        if (s->out != OUT_ELEMENT && bare(last)) {
            /* parsel rewrites a path that ends in a bare descendant step (x_str_parsel()) */
            if (s->nsteps == 1 && s->out == OUT_TEXT)
                s->text_any = true;
            else if (s->nsteps > 1 && last->comb == KUMO_CSSM_DESCENDANT)
                s->self_too = true;
        }
        m->has_element |= s->out == OUT_ELEMENT;
        m->has_text |= s->out == OUT_TEXT;
        m->has_attr |= s->out == OUT_ATTR;
        m->text_any |= s->text_any;
    }
    return m;
}

/* ---------------------------------------------------------------- matching */

/* XPath's whitespace (normalize-space()): space, tab, line feed, carriage return. */
static bool xpath_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The attribute the XPath "@name" finds on element e: that name and no prefix. */
static xmlAttrPtr find_attr(xmlNodePtr e, const char *name)
{
    for (xmlAttrPtr a = e->properties; a; a = a->next)
        if ((!a->ns || !a->ns->prefix) && strcmp((const char *)a->name, name) == 0)
            return a;
    return NULL;
}

/* a's string value: borrowed from the tree when it is one text node, else a copy in *tmp
 * (xmlFree). */
static const char *attr_text(xmlAttrPtr a, xmlChar **tmp)
{
    *tmp = NULL;
    xmlNodePtr c = a->children;
    if (!c)
        return "";
    if (!c->next && c->type == XML_TEXT_NODE && c->content)
        return (const char *)c->content;
    *tmp = xmlNodeGetContent((xmlNodePtr)a);
    return *tmp ? (const char *)*tmp : "";
}

/* contains(concat(' ', normalize-space(v), ' '), ' w ') for a w without XPath whitespace:
 * w is one of v's words. */
static bool has_word(const char *v, const char *w, size_t n)
{
    for (;;) {
        while (xpath_blank(*v))
            v++;
        if (!*v)
            return false;
        const char *start = v;
        while (*v && !xpath_blank(*v))
            v++;
        if ((size_t)(v - start) == n && memcmp(start, w, n) == 0)
            return true;
    }
}

static bool test_value(const test *t, const char *v)
{
    switch (t->op) {
    case KUMO_CSSM_EQUALS:
        return strcmp(v, t->value) == 0;
    case KUMO_CSSM_DIFFERENT:
        return strcmp(v, t->value) != 0;
    case KUMO_CSSM_INCLUDES:
        return has_word(v, t->value, t->len);
    case KUMO_CSSM_DASHMATCH:
        return strncmp(v, t->value, t->len) == 0 && (v[t->len] == '\0' || v[t->len] == '-');
    case KUMO_CSSM_PREFIXMATCH:
        return strncmp(v, t->value, t->len) == 0;
    case KUMO_CSSM_SUFFIXMATCH: {
        /* substring(v, string-length(v) - (len - 1)) = value: v ends with value, counted in
         * characters by both sides, so in bytes too (valid UTF-8). */
        size_t n = strlen(v);
        return n >= t->len && memcmp(v + n - t->len, t->value, t->len) == 0;
    }
    case KUMO_CSSM_SUBSTRINGMATCH:
        return strstr(v, t->value) != NULL;
    case KUMO_CSSM_EXISTS:
    default:
        return true;
    }
}

static bool test_match(const test *t, xmlNodePtr e)
{
    xmlAttrPtr a = find_attr(e, t->name);
    if (!a)
        return t->op == KUMO_CSSM_DIFFERENT;
    if (t->op == KUMO_CSSM_EXISTS)
        return true;
    xmlChar *tmp;
    bool ok = test_value(t, attr_text(a, &tmp));
    if (tmp)
        xmlFree(tmp);
    return ok;
}

static inline bool step_match(const step *st, xmlNodePtr n)
{
    if (n->type != XML_ELEMENT_NODE || st->never)
        return false;
    /* the first letter before the call: most elements differ there */
    if (st->element && (n->name[0] != (xmlChar)st->element[0] || n->ns ||
                        strcmp((const char *)n->name + 1, st->element + 1) != 0))
        return false;
    for (size_t i = 0; i < st->ntests; i++)
        if (!test_match(&st->tests[i], n))
            return false;
    return true;
}

/* The next node up from n that is still the context or below it, or NULL. */
static xmlNodePtr up(xmlNodePtr n, xmlNodePtr ctx)
{
    return n == ctx ? NULL : n->parent;
}

/* Steps lo..hi (one segment: '>'-joined) with step hi on n and each one before on the
 * parent of the next: returns the node step lo matched, or NULL. */
static xmlNodePtr segment(const sel *s, size_t lo, size_t hi, xmlNodePtr n, xmlNodePtr ctx)
{
    for (size_t i = hi;; i--) {
        if (!step_match(&s->steps[i], n))
            return NULL;
        if (i == lo)
            return n;
        n = up(n, ctx);
        if (!n)
            return NULL;
    }
}

/* Whether steps 0..hi match with step hi on from or one of its ancestors (up to ctx). */
static bool search(const sel *s, size_t hi, xmlNodePtr from, xmlNodePtr ctx)
{
    for (;;) {
        size_t lo = s->steps[hi].seg;
        xmlNodePtr top = NULL;
        for (xmlNodePtr c = from; c && !top; c = up(c, ctx))
            top = segment(s, lo, hi, c, ctx);
        if (!top)
            return false;
        if (lo == 0)
            return true;
        from = up(top, ctx);
        if (!from)
            return false;
        hi = lo - 1;
    }
}

/* Whether selector s matches element e (its last step on e). */
static inline bool sel_match(const sel *s, xmlNodePtr e, xmlNodePtr ctx)
{
    size_t hi = s->nsteps - 1, lo = s->steps[hi].seg;
    if (hi == 0)
        return step_match(&s->steps[0], e);
    xmlNodePtr top = segment(s, lo, hi, e, ctx);
    if (!top)
        return false;
    if (lo == 0)
        return true;
    xmlNodePtr from = up(top, ctx);
    return from && search(s, lo - 1, from, ctx);
}

/* Whether s (a ::text or ::attr() selector) selects the text or attributes of owner. */
static bool owner_match(const sel *s, xmlNodePtr owner, xmlNodePtr ctx)
{
    if (s->self_too)
        return search(s, s->nsteps - 2, owner, ctx);
    return sel_match(s, owner, ctx);
}

typedef struct run {
    const kumo_cssmatch *m;
    xmlNodePtr ctx;
    kumo_cssm_emit_fn emit;
    void *arg;
    size_t n;
    xmlNodePtr text_owner;      /* the last text node's parent, and whether its text is in */
    bool text_in;
} run;

static void emit(run *r, xmlNodePtr n)
{
    r->emit(r->arg, n);
    r->n++;
}

static void visit_element(run *r, xmlNodePtr e)
{
    const kumo_cssmatch *m = r->m;
    if (m->has_element) {
        for (size_t i = 0; i < m->nsels; i++) {
            const sel *s = &m->sels[i];
            const char *want = s->steps[s->nsteps - 1].element;
            /* most elements are not the last step's: tell by the first letter, here */
            if (s->out != OUT_ELEMENT || (want && e->name[0] != (xmlChar)want[0]))
                continue;
            if (sel_match(s, e, r->ctx)) {
                emit(r, e);
                break;
            }
        }
    }
    if (!m->has_attr || !e->properties)
        return;
    /* Its attributes come next in document order, in their order on the element. */
    uint64_t want = 0;
    for (size_t i = 0; i < m->nsels; i++)
        if (m->sels[i].out == OUT_ATTR && owner_match(&m->sels[i], e, r->ctx))
            want |= UINT64_C(1) << i;
    if (!want)
        return;
    for (xmlAttrPtr a = e->properties; a; a = a->next) {
        if (a->ns && a->ns->prefix)
            continue;
        for (size_t i = 0; i < m->nsels; i++) {
            if ((want >> i & 1) && strcmp((const char *)a->name, m->sels[i].attr) == 0) {
                emit(r, (xmlNodePtr)a);
                break;
            }
        }
    }
}

static void visit_text(run *r, xmlNodePtr t)
{
    const kumo_cssmatch *m = r->m;
    if (!m->text_any) {
        xmlNodePtr owner = t->parent;
        if (owner != r->text_owner) {
            r->text_owner = owner;
            r->text_in = false;
            for (size_t i = 0; owner && i < m->nsels && !r->text_in; i++)
                r->text_in = m->sels[i].out == OUT_TEXT && owner_match(&m->sels[i], owner,
                                                                       r->ctx);
        }
        if (!r->text_in)
            return;
    }
    emit(r, t);
}

/* Whether the walk passes over n (and what is under it): the nodes XPath's descendant axis
 * steps over, and all but elements when only elements and their attributes are selected. */
static inline bool skipped(const xmlNode *n, bool elements_only)
{
    if (elements_only)
        return n->type != XML_ELEMENT_NODE;
    return n->type == XML_DTD_NODE || n->type == XML_ENTITY_DECL;
}

/* The node after n in document order within ctx's subtree (XPath's descendant axis), or
 * NULL at its end. */
static inline xmlNodePtr next_node(xmlNodePtr n, xmlNodePtr ctx, bool elements_only)
{
    if (n->children && n->children->type != XML_ENTITY_DECL)
        for (xmlNodePtr c = n->children; c; c = c->next)
            if (!skipped(c, elements_only))
                return c;
    for (; n && n != ctx; n = n->parent)
        for (xmlNodePtr s = n->next; s; s = s->next)
            if (!skipped(s, elements_only))
                return s;
    return NULL;
}

size_t kumo__cssm_run(const kumo_cssmatch *m, xmlNodePtr ctx, kumo_cssm_emit_fn fn, void *arg)
{
    run r = {.m = m, .ctx = ctx, .emit = fn, .arg = arg};
    if (!ctx || ctx->type == XML_ATTRIBUTE_NODE || ctx->type == XML_NAMESPACE_DECL)
        return 0;
    bool elements_only = !m->has_text;
    for (xmlNodePtr n = ctx; n; n = next_node(n, ctx, elements_only)) {
        if (n->type == XML_ELEMENT_NODE) {
            visit_element(&r, n);
        } else if (m->has_text &&
                   (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)) {
            /* A text context is only its own descendant-or-self::text(). */
            if (n != ctx)
                visit_text(&r, n);
            else if (m->text_any)
                emit(&r, n);
        }
    }
    return r.n;
}
