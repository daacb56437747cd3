/* doc.c - a response's libxml2 document: parsed once, reference counted, XPath context cached. */
#include "select/doc.h"
#include "select/css.h"
#include "http/response.h"
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/encoding.h>

#define HTML_OPTIONS                                                                \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | \
     HTML_PARSE_COMPACT)
#define XML_OPTIONS                                                                 \
    (XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/*
 * Copy the charset parameter of the response's Content-Type into buf when libxml2 knows
 * that encoding; returns buf, or NULL to let libxml2 detect it (BOM, <meta charset>, UTF-8).
 */
const char *kumo__doc_charset(const kumo_response *res, char *buf, size_t n)
{
    const char *ct = res->headers ? kumo_headers_get(res->headers, "Content-Type") : NULL;
    if (!ct)
        return NULL;
    for (const char *p = strchr(ct, ';'); p; p = strchr(p, ';')) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        if (*p == '"' || *p == '\'')
            p++;
        size_t len = strcspn(p, "\"'; \t");
        if (len == 0 || len >= n)
            return NULL;
        memcpy(buf, p, len);
        buf[len] = '\0';
        xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(buf);
        if (!h)
            return NULL;
        xmlCharEncCloseFunc(h);
        return buf;
    }
    return NULL;
}

xmlDocPtr kumo__doc_parse(const char *body, size_t len, const char *url, const char *enc,
                          bool html)
{
    xmlDocPtr d = NULL;
    if (len > 0 && len <= INT_MAX) {
        if (html)
            d = htmlReadMemory(body, (int)len, url, enc, HTML_OPTIONS);
        else
            d = xmlReadMemory(body, (int)len, url, enc, XML_OPTIONS);
    }
    if (d && !xmlDocGetRootElement(d)) {
        xmlFreeDoc(d);
        d = NULL;
    }
    if (!d) {
        /* Scrapy parses an empty body as "<html/>": queries then find nothing. */
        static const char empty[] = "<html/>";
        if (html)
            d = htmlReadMemory(empty, (int)strlen(empty), url, NULL, HTML_OPTIONS);
        else
            d = xmlReadMemory(empty, (int)strlen(empty), url, NULL, XML_OPTIONS);
    }
    /* Document order for XPath results without walking the tree on every comparison. */
    if (d)
        xmlXPathOrderDocElems(d);
    return d;
}

bool kumo__doc_is_html(const kumo_response *res)
{
    return !kumo_class_is(res->ref.cls, &KUMO_CLASS(XmlResponse));
}

kumo_doc *kumo__doc_adopt(kumo_response *res, xmlDocPtr d)
{
    kumo_assert(!res->doc);
    kumo_doc *doc = kumo_calloc(1, sizeof(*doc), KUMO_T_XMLDOC, KUMO_V_DOC);
    doc->refcount = 1;
    doc->xml = d;
    doc->html = kumo__doc_is_html(res);
    res->doc = doc;
    return doc;
}

kumo_doc *kumo_doc_for(kumo_response *res, int *err)
{
    if (res->doc)
        return res->doc;
    if (!kumo_response_is_text(res)) {
        if (err)
            *err = KUMO_EINVAL;
        return NULL;
    }
    char cs[64];
    xmlDocPtr d = kumo__doc_parse(res->body, res->body_len, res->url,
                                  kumo__doc_charset(res, cs, sizeof(cs)), kumo__doc_is_html(res));
    if (!d) {
        if (err)
            *err = KUMO_ENOMEM;
        return NULL;
    }
    return kumo__doc_adopt(res, d);
}

kumo_doc *kumo_doc_ref(kumo_doc *doc)
{
    kumo_assert(doc->refcount > 0);
    doc->refcount++;
    return doc;
}

void kumo_doc_unref(kumo_doc *doc)
{
    if (!doc)
        return;
    kumo_assert(doc->refcount > 0);
    if (--doc->refcount)
        return;
    if (doc->ctx)
        xmlXPathFreeContext(doc->ctx);
    xmlFreeDoc(doc->xml);
    kumo_free(doc);
}

xmlXPathContextPtr kumo__doc_xpath(kumo_doc *doc)
{
    if (!doc->ctx) {
        doc->ctx = xmlXPathNewContext(doc->xml);
        if (!doc->ctx)
            kumo_oom(sizeof(xmlXPathContext));
        doc->ctx->error = kumo__xpath_error;
    }
    return doc->ctx;
}

xmlNodePtr kumo__doc_root(kumo_doc *doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc->xml);
    return root ? root : (xmlNodePtr)doc->xml;
}

/* The first <base> element with an href, in document order (iterative: no deep recursion). */
static xmlNodePtr find_base(xmlDocPtr d)
{
    xmlNodePtr n = d->children;
    while (n) {
        if (n->type == XML_ELEMENT_NODE) {
            if (xmlStrcasecmp(n->name, BAD_CAST "base") == 0 && xmlHasProp(n, BAD_CAST "href"))
                return n;
            if (n->children) {
                n = n->children;
                continue;
            }
        }
        while (!n->next) {
            n = n->parent;
            if (!n || n == (xmlNodePtr)d)
                return NULL;
        }
        n = n->next;
    }
    return NULL;
}

const char *kumo__doc_base_href(kumo_doc *doc)
{
    xmlNodePtr base = find_base(doc->xml);
    if (!base)
        return NULL;
    xmlAttrPtr a = xmlHasProp(base, BAD_CAST "href");
    if (!a || !a->children || a->children->next || a->children->type != XML_TEXT_NODE)
        return NULL;
    return (const char *)a->children->content;
}
