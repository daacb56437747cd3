/* doc.c - a body's text and libxml2 document: decoded and parsed once, reference counted. */
#include "select/doc.h"
#include "mem/arena.h"
#include "select/css.h"
#include "util/timing.h"
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <malloc.h>

#define HTML_OPTIONS                                                                \
    (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | \
     HTML_PARSE_COMPACT)
#define XML_OPTIONS                                                                 \
    (XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |      \
     XML_PARSE_HUGE)

/* Python's str.isspace() for the code point at s (len bytes left); its length, or 0. */
static size_t space_at(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F))
        return 1;
    if (c == 0xC2 && len >= 2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (len >= 3 && c == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3;
    if (len >= 3 && c == 0xE2 && s[1] == 0x80 &&
        (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3;
    if (len >= 3 && c == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
        return 3;
    if (len >= 3 && c == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

/* parsel: text.strip() (Python's whitespace), on UTF-8. */
static void strip(const char **ps, size_t *pn)
{
    const unsigned char *s = (const unsigned char *)*ps;
    size_t n = *pn, k;
    while (n && (k = space_at(s, n))) {
        s += k;
        n -= k;
    }
    while (n) {
        size_t start = n - 1;
        while (start > 0 && n - start < 4 && (s[start] & 0xC0) == 0x80)
            start--;
        if (space_at(s + start, n - start) != n - start)
            break;
        n = start;
    }
    *ps = (const char *)s;
    *pn = n;
}

/* The text an HTML parse reads, handed to libxml2 a read at a time. */
typedef struct html_src {
    const char *s;              /* borrowed, valid until the parse returns */
    size_t n, off;
} html_src;

static int html_src_read(void *ctx, char *buf, int len)
{
    html_src *src = ctx;
    size_t k = src->n - src->off;
    if (len <= 0)
        return 0;
    if (k > (size_t)len)
        k = (size_t)len;
    memcpy(buf, src->s + src->off, k);
    src->off += k;
    return (int)k;
}

/*
 * htmlReadMemory(s, n, url, "UTF-8", HTML_OPTIONS) without its copies of the input: libxml2
 * 2.9.14 copies the whole text into a buffer grown by doubling, then converts that "from
 * UTF-8" into a second buffer sized twice the text (20 MB while a 2.5 MB page parses, on
 * top of its tree).  Here the text reaches libxml2 in reads of 4,000 bytes into a buffer
 * it shrinks as it goes.  Everything else is htmlReadMemory's and htmlDoRead's, step by
 * step (the same context, SAX handler, encoding and options), so the tree is the same: a
 * <meta charset> cannot switch the encoding (the input's is set), and every lookahead of
 * the HTML parser fits in what one read brings (GROW keeps 250 bytes ahead, a read brings
 * 4,000).  Not for XML: its parser switches to an <?xml encoding?> for the bytes not read
 * yet.  Returns NULL when libxml2 fails outright.
 */
static xmlDocPtr html_read(const char *s, size_t n, const char *url)
{
    html_src src = {s, n, 0};
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt)
        return NULL;
    memcpy(ctxt->sax, &htmlDefaultSAXHandler, sizeof(xmlSAXHandlerV1));
    xmlParserInputBufferPtr buf =
        xmlParserInputBufferCreateIO(html_src_read, NULL, &src, XML_CHAR_ENCODING_NONE);
    xmlParserInputPtr input = buf ? xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE)
                                  : NULL;
    if (!input) {
        if (buf)
            xmlFreeParserInputBuffer(buf);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    inputPush(ctxt, input);
    htmlCtxtUseOptions(ctxt, HTML_OPTIONS);
    ctxt->html = 1;
    xmlCharEncodingHandlerPtr utf8 = xmlFindCharEncodingHandler("UTF-8");
    if (utf8) {
        xmlSwitchToEncoding(ctxt, utf8);
        if (ctxt->input->encoding)
            xmlFree((xmlChar *)ctxt->input->encoding);
        ctxt->input->encoding = xmlStrdup(BAD_CAST "UTF-8");
    }
    if (url && !ctxt->input->filename)
        ctxt->input->filename = (char *)xmlStrdup(BAD_CAST url);
    htmlParseDocument(ctxt);
    xmlDocPtr d = ctxt->myDoc;
    ctxt->myDoc = NULL;
    if (ctxt->dictNames && d && d->dict == ctxt->dict)
        ctxt->dict = NULL;
    xmlFreeParserCtxt(ctxt);
    return d;
}

/*
 * xmlXPathOrderDocElems() in one iterative walk of the tree (no deep recursion): libxml2's
 * numbering of the elements in document order, for the order of XPath results without
 * comparing paths.
 */
static void walk_doc(xmlDocPtr d)
{
    ptrdiff_t count = 0;
    xmlNodePtr n = d->children;
    while (n) {
        if (n->type == XML_ELEMENT_NODE) {
            n->content = (void *)(-(++count));
            if (n->children) {
                n = n->children;
                continue;
            }
        }
        while (!n->next) {
            n = n->parent;
            if (!n || n == (xmlNodePtr)d)
                return;
        }
        n = n->next;
    }
}

/* What parsel parses for a text with no root: "<html/>". */
static const char empty_doc[] = "<html/>";

static xmlDocPtr read_doc(const char *s, size_t n, const char *url, bool html)
{
    return html ? html_read(s, n, url) : xmlReadMemory(s, (int)n, url, "UTF-8", XML_OPTIONS);
}

/*
 * Parse UTF-8 text as parsel does: stripped, NUL characters removed, "" as "<html/>".
 * Every node comes from a new arena, returned in *arena: the tree is freed at once with
 * it, never node by node.
 */
static xmlDocPtr parse_text(const char *s, size_t n, const char *url, bool html,
                            kumo_arena **arena)
{
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_PARSE);
    strip(&s, &n);
    char *copy = NULL;
    if (n && memchr(s, '\0', n)) {
        copy = kumo_alloc(n, KUMO_T_STR, KUMO_V_TEXT);
        size_t o = 0;
        for (size_t i = 0; i < n; i++)
            if (s[i])
                copy[o++] = s[i];
        s = copy;
        n = o;
    }
    if (n == 0 || n > INT_MAX) {
        s = empty_doc;
        n = sizeof(empty_doc) - 1;
    }
    *arena = kumo__arena_new();
    kumo_arena *prev = kumo__arena_enter(*arena);
    xmlDocPtr d = read_doc(s, n, url, html);
    kumo_free(copy);
    if (d && !xmlDocGetRootElement(d)) {
        xmlFreeDoc(d);
        d = NULL;
    }
    if (!d)     /* lxml gives no root for some inputs ("<!-- x -->"): parsel parses "<html/>" */
        d = read_doc(empty_doc, sizeof(empty_doc) - 1, url, html);
    /* libxml2 keeps a copy of the last parse error in its per-thread state: made in the
     * arena, it must not outlive it. */
    xmlResetLastError();
    kumo__arena_enter(prev);
    /* Document order for XPath results without walking the tree on every comparison. */
    if (d)
        walk_doc(d);
    kumo__stage_leave(stage);
    return d;
}

xmlDocPtr kumo__doc_parse_utf8(const char *text, size_t len, const char *url, bool html,
                               kumo_arena **arena)
{
    return parse_text(text, len, url, html, arena);
}

xmlDocPtr kumo__doc_parse_xml(const char *body, size_t len, const char *url, const char *enc,
                          bool html, kumo_arena **arena)
{
    kumo_stage stage = kumo__stage_enter(KUMO_STAGE_PARSE);
    kumo_text t;
    kumo__text_decode(&t, body ? body : "", body ? len : 0, enc);
    xmlDocPtr d = parse_text(t.s, t.len, url, html, arena);
    kumo__text_release(&t);
    kumo__stage_leave(stage);
    return d;
}

/* A document whose arena held this much gives malloc's free pages back when it dies. */
#define TRIM_AFTER (16u << 20)

void kumo__doc_discard(xmlDocPtr d, kumo_arena *arena)
{
    /* An empty arena means libxml2 was not routed through kumo's allocator (a program
     * that never called kumo__global_init): then the tree is libxml2's to free. */
    size_t bytes = kumo__arena_bytes(arena);
    if (d && bytes == 0)
        xmlFreeDoc(d);
    kumo__arena_free(arena);     /* else the whole tree at once */
    /* malloc keeps a dead tree's pages (29 MB after the Python docs' contents.html) and
     * the process's RSS stays at its peak: give them back.  Only after the largest trees:
     * the next large tree faults the pages in again (from 4 MiB up, the Python docs' crawl
     * took 15% more CPU; from 16 MiB up, 3%). */
    if (bytes >= TRIM_AFTER)
        malloc_trim(0);
}

kumo_doc *kumo__doc_new(bool html)
{
    kumo_doc *doc = kumo_calloc(1, sizeof(*doc), KUMO_T_XMLDOC, KUMO_V_DOC);
    doc->refcount = 1;
    doc->html = html;
    return doc;
}

void kumo__doc_adopt(kumo_doc *doc, xmlDocPtr d, kumo_arena *arena)
{
    if (doc->xml) {             /* parsed meanwhile: keep the first */
        kumo__doc_discard(d, arena);
        return;
    }
    doc->xml = d;
    doc->arena = arena;
}

const kumo_text *kumo__doc_text(kumo_doc *doc, const char *body, size_t len, const char *charset)
{
    if (!doc->text_done) {
        kumo_stage stage = kumo__stage_enter(KUMO_STAGE_PARSE);
        kumo__text_decode(&doc->text, body ? body : "", body ? len : 0, charset);
        doc->text_done = true;
        kumo__stage_leave(stage);
    }
    return &doc->text;
}

const kumo_text *kumo__doc_text_head(kumo_doc *doc, const char *body, size_t len,
                                    const char *charset, size_t chars)
{
    if (doc->text_done)
        return &doc->text;
    if (doc->head_chars < chars) {
        kumo_stage stage = kumo__stage_enter(KUMO_STAGE_PARSE);
        kumo__text_release(&doc->head);
        kumo__text_decode_head(&doc->head, body ? body : "", body ? len : 0, charset, chars);
        doc->head_chars = chars;
        kumo__stage_leave(stage);
    }
    return &doc->head;
}

void kumo__doc_text_head_release(kumo_doc *doc)
{
    kumo__text_release(&doc->head);
    doc->head_chars = 0;
}

int kumo__doc_parse(kumo_doc *doc, const char *body, size_t len, const char *url,
                   const char *charset)
{
    if (doc->xml)
        return KUMO_OK;
    xmlDocPtr d;
    kumo_arena *arena = NULL;
    if (doc->text_done)
        d = parse_text(doc->text.s, doc->text.len, url, doc->html, &arena);
    else
        d = kumo__doc_parse_xml(body, len, url, charset, doc->html, &arena);
    if (!d) {
        kumo__arena_free(arena);
        return KUMO_ENOMEM;
    }
    kumo__doc_adopt(doc, d, arena);
    return KUMO_OK;
}

const kumo_text *kumo__doc_decoded(const kumo_doc *doc)
{
    return doc->text_done ? &doc->text : NULL;
}

bool kumo__doc_parsed(const kumo_doc *doc)
{
    return doc->xml != NULL;
}

bool kumo__doc_is_html(const kumo_doc *doc)
{
    return doc->html;
}

kumo_doc *kumo__doc_ref(kumo_doc *doc)
{
    kumo_assert(doc->refcount > 0);
    doc->refcount++;
    return doc;
}

void kumo__doc_unref(kumo_doc *doc)
{
    if (!doc)
        return;
    kumo_assert(doc->refcount > 0);
    if (--doc->refcount)
        return;
    if (doc->ctx)
        xmlXPathFreeContext(doc->ctx);
    if (doc->scratch)
        xmlFreeDoc(doc->scratch);
    kumo__doc_discard(doc->xml, doc->arena);
    kumo__text_release(&doc->text);
    kumo__text_release(&doc->head);
    kumo_free(doc);
}

xmlXPathContextPtr kumo__doc_xpath(kumo_doc *doc)
{
    if (!doc->ctx) {
        doc->ctx = xmlXPathNewContext(doc->xml);
        if (!doc->ctx)
            kumo_oom(sizeof(xmlXPathContext));
        doc->ctx->error = kumo__xpath_error;
        doc->ctx->userData = doc;
        kumo__xpath_register(doc->ctx);
    }
    return doc->ctx;
}

xmlNodePtr kumo__doc_root(kumo_doc *doc)
{
    xmlNodePtr root = xmlDocGetRootElement(doc->xml);
    return root ? root : (xmlNodePtr)doc->xml;
}

