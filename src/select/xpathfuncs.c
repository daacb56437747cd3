/* xpathfuncs.c - parsel's XPath extras: has-class() and EXSLT's re:test, re:match,
 * re:replace (lxml's implementation: Python re semantics, flags 'i' and 'g'). */
#include "select/css.h"
#include "select/regex.h"
#include "util/buf.h"
#include <libxml/xpathInternals.h>

#define RE_NS "http://exslt.org/regular-expressions"

/* Stop the evaluation with a message for kumo__xpath_last_error(). */
static void fail(xmlXPathParserContextPtr ctxt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(xmlXPathParserContextPtr ctxt, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kumo__xpath_set_error(msg);
    ctxt->error = XPATH_EXPR_ERROR;
}

/*
 * Pop an argument as lxml's _ExsltRegExp._make_string() reads it: a string as it is, a
 * node-set as its first node's text, a number as Python's str(float), a boolean as
 * "True" / "False".  Returns a new string (kumo_free), or NULL when the stack is empty.
 */
static char *pop_string(xmlXPathParserContextPtr ctxt)
{
    xmlXPathObjectPtr o = valuePop(ctxt);
    if (!o)
        return NULL;
    char *s = NULL;
    switch (o->type) {
    case XPATH_NODESET:
    case XPATH_XSLT_TREE:
        if (o->nodesetval && o->nodesetval->nodeNr > 0) {
            xmlChar *c = xmlNodeGetContent(o->nodesetval->nodeTab[0]);
            s = kumo_strdup(c ? (const char *)c : "", KUMO_T_STR, KUMO_V_TEXT);
            xmlFree(c);
        }
        break;
    case XPATH_NUMBER:
        s = kumo__format_number(o->floatval);
        break;
    case XPATH_BOOLEAN:
        s = kumo_strdup(o->boolval ? "True" : "False", KUMO_T_STR, KUMO_V_TEXT);
        break;
    default: {
        xmlChar *c = xmlXPathCastToString(o);
        s = kumo_strdup(c ? (const char *)c : "", KUMO_T_STR, KUMO_V_TEXT);
        xmlFree(c);
        break;
    }
    }
    xmlXPathFreeObject(o);
    return s ? s : kumo_strdup("", KUMO_T_STR, KUMO_V_TEXT);
}

/* Pop nargs arguments into v[0..nargs) (in call order); false on an empty stack. */
static bool pop_args(xmlXPathParserContextPtr ctxt, int nargs, char **v)
{
    for (int i = nargs - 1; i >= 0; i--) {
        v[i] = pop_string(ctxt);
        if (!v[i]) {
            for (int k = i + 1; k < nargs; k++)
                kumo_free(v[k]);
            xmlXPathErr(ctxt, XPATH_STACK_ERROR);
            return false;
        }
    }
    return true;
}

static void free_args(char **v, int n)
{
    for (int i = 0; i < n; i++)
        kumo_free(v[i]);
}

static const kumo_regex *compile(xmlXPathParserContextPtr ctxt, const char *pattern,
                                 const char *flags)
{
    const char *err;
    const kumo_regex *re = kumo__regex_get(pattern, strchr(flags, 'i') ? KUMO_RE_I : 0, &err);
    if (!re)
        fail(ctxt, "re: invalid pattern '%s': %s", pattern, err);
    return re;
}

/* re:test(string, pattern[, flags]): does pattern match somewhere in string. */
static void re_test(xmlXPathParserContextPtr ctxt, int nargs)
{
    if (nargs < 2 || nargs > 3) {
        xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
        return;
    }
    char *v[3] = {0};
    if (!pop_args(ctxt, nargs, v))
        return;
    const kumo_regex *re = compile(ctxt, v[1], nargs == 3 ? v[2] : "");
    if (re)
        valuePush(ctxt, xmlXPathNewBoolean(kumo__regex_search(re, v[0], strlen(v[0]))));
    free_args(v, nargs);
}

typedef struct match_ctx {
    xmlDocPtr doc;
    xmlNodePtr parent;
    xmlNodeSetPtr set;
} match_ctx;

static void add_match(void *ctx, const char *s, size_t n)
{
    match_ctx *m = ctx;
    xmlNodePtr el = xmlNewDocNode(m->doc, NULL, BAD_CAST "match", NULL);
    if (n)
        xmlAddChild(el, xmlNewDocTextLen(m->doc, BAD_CAST s, (int)n));
    xmlAddChild(m->parent, el);
    xmlXPathNodeSetAdd(m->set, el);
}

/*
 * re:match(string, pattern[, flags]): <match> elements (in a scratch document the selectors'
 * document owns): with 'g' one per match (groups joined), else the whole first match then
 * each of its groups.
 */
static void re_match(xmlXPathParserContextPtr ctxt, int nargs)
{
    if (nargs < 2 || nargs > 3) {
        xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
        return;
    }
    kumo_doc *doc = ctxt->context->userData;
    if (!doc) {
        fail(ctxt, "re:match() needs a document");
        return;
    }
    char *v[3] = {0};
    if (!pop_args(ctxt, nargs, v))
        return;
    const char *flags = nargs == 3 ? v[2] : "";
    const kumo_regex *re = compile(ctxt, v[1], flags);
    if (re) {
        if (!doc->scratch) {
            doc->scratch = xmlNewDoc(BAD_CAST "1.0");
            xmlDocSetRootElement(doc->scratch,
                                 xmlNewDocNode(doc->scratch, NULL, BAD_CAST "root", NULL));
        }
        match_ctx m = {doc->scratch, NULL, xmlXPathNodeSetCreate(NULL)};
        m.parent = xmlNewDocNode(doc->scratch, NULL, BAD_CAST "matches", NULL);
        xmlAddChild(xmlDocGetRootElement(doc->scratch), m.parent);
        size_t n = strlen(v[0]);
        if (strchr(flags, 'g'))
            kumo__regex_findall_joined(re, v[0], n, add_match, &m);
        else
            kumo__regex_search_groups(re, v[0], n, add_match, &m);
        valuePush(ctxt, xmlXPathWrapNodeSet(m.set));
    }
    free_args(v, nargs);
}

/* re:replace(string, pattern, flags, replacement): Python's re.sub, all with 'g' else once. */
static void re_replace(xmlXPathParserContextPtr ctxt, int nargs)
{
    if (nargs != 4) {
        xmlXPathErr(ctxt, XPATH_INVALID_ARITY);
        return;
    }
    char *v[4] = {0};
    if (!pop_args(ctxt, nargs, v))
        return;
    const kumo_regex *re = compile(ctxt, v[1], v[2]);
    if (re) {
        const char *err = NULL;
        char *r = kumo__regex_sub(re, v[3], v[0], strlen(v[0]), strchr(v[2], 'g') ? 0 : 1,
                                  &err);
        if (r) {
            valuePush(ctxt, xmlXPathNewString(BAD_CAST r));
            kumo_free(r);
        } else {
            fail(ctxt, "re:replace(): %s", err ? err : "bad replacement");
        }
    }
    free_args(v, nargs);
}

/* parsel's has-class(*classes): the context element's class attribute has every class. */
static void has_class(xmlXPathParserContextPtr ctxt, int nargs)
{
    if (nargs < 1) {
        fail(ctxt, "has-class must have at least 1 argument");
        return;
    }
    for (int i = 0; i < nargs; i++) {
        xmlXPathObjectPtr o = ctxt->valueTab[ctxt->valueNr - 1 - i];
        if (!o || o->type != XPATH_STRING) {
            fail(ctxt, "has-class arguments must be strings");
            return;
        }
    }
    xmlNodePtr node = ctxt->context->node;
    xmlChar *cls = node && node->type == XML_ELEMENT_NODE ? xmlGetProp(node, BAD_CAST "class")
                                                          : NULL;
    kumo_buf norm;
    kumo__buf_init(&norm, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&norm, "");
    if (cls) {
        /* " " + class + " " with runs of HTML5 whitespace as one space. */
        kumo__buf_addc(&norm, ' ');
        bool space = true;
        for (const xmlChar *p = cls; *p; p++) {
            bool ws = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f';
            if (ws) {
                if (!space)
                    kumo__buf_addc(&norm, ' ');
                space = true;
            } else {
                kumo__buf_addc(&norm, (char)*p);
                space = false;
            }
        }
        if (!space)
            kumo__buf_addc(&norm, ' ');
    }
    bool all = cls != NULL;
    for (int i = 0; i < nargs; i++) {
        xmlXPathObjectPtr o = valuePop(ctxt);
        if (all) {
            char *want = kumo_alloc(strlen((const char *)o->stringval) + 3, KUMO_T_STR,
                                    KUMO_V_TEXT);
            sprintf(want, " %s ", (const char *)o->stringval);
            all = strstr(kumo__buf_str(&norm), want) != NULL;
            kumo_free(want);
        }
        xmlXPathFreeObject(o);
    }
    xmlFree(cls);
    kumo__buf_release(&norm);
    valuePush(ctxt, xmlXPathNewBoolean(all));
}

void kumo__xpath_register(xmlXPathContextPtr ctx)
{
    xmlXPathRegisterNs(ctx, BAD_CAST "re", BAD_CAST RE_NS);
    xmlXPathRegisterFuncNS(ctx, BAD_CAST "test", BAD_CAST RE_NS, re_test);
    xmlXPathRegisterFuncNS(ctx, BAD_CAST "match", BAD_CAST RE_NS, re_match);
    xmlXPathRegisterFuncNS(ctx, BAD_CAST "replace", BAD_CAST RE_NS, re_replace);
    xmlXPathRegisterFunc(ctx, BAD_CAST "has-class", has_class);
}
