/* css.h - CSS-to-XPath translation, the per-process query cache, and the select/ internals
 * (the document struct) shared by the files of src/select/. */
#ifndef KUMO_CSS_H
#define KUMO_CSS_H

#include "kumo-int.h"
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include "select/encoding.h"
#include "kumo/select.h"

/*
 * Translate css into XPath 1.0 exactly as parsel's HTMLTranslator().css_to_xpath(css) does
 * (cssselect 1.2 plus ::text and ::attr(name); prefix "descendant-or-self::").
 * Returns KUMO_OK with *out a new string (kumo_free), or KUMO_ESYNTAX for invalid or
 * unsupported CSS, with *errpos the byte offset of the problem and msg (msglen bytes, may be
 * 0) a one-line reason ("Expected ']', got <EOF> at 5").
 */
int kumo__css_to_xpath(const char *css, char **out, size_t *errpos, char *msg, size_t msglen);

/* A cached query: a CSS selector or an XPath expression, translated and compiled once. */
typedef struct kumo_query {
    char *key;                  /* the query as given */
    bool css;                   /* key is CSS (else XPath) */
    char *xpath;                /* the XPath evaluated (the translation for CSS) or NULL */
    xmlXPathCompExprPtr comp;   /* NULL when the query is invalid */
    struct kumo_cssmatch *match; /* CSS: the native matcher (cssmatch.h) for HTML documents,
                                  * or NULL when only the XPath does it */
    char *error;                /* why the query is invalid, or NULL */
    uint32_t hash;
    struct kumo_query *next;    /* hash chain */
} kumo_query;

/*
 * Returns the query for (q, css), translating and compiling it on first use.  Borrowed,
 * valid until the next kumo__query_get() (the cache is flushed when it grows past its cap)
 * or kumo__select_cleanup().  Never NULL: check ->comp, and ->error for why it is NULL.
 */
const kumo_query *kumo__query_get(const char *q, bool css);

/* Number of queries cached (tests). */
size_t kumo__query_cached(void);

/* Free the query cache and the compile context (kumo__global_cleanup() calls it). */
void kumo__select_cleanup(void);
/* The calling thread's caches only (a parse thread's, as it ends). */
void kumo__select_thread_cleanup(void);

/*
 * libxml2 structured-error handler for XPath contexts: keeps the last message (instead of
 * printing it) for kumo__xpath_last_error(), which returns it (borrowed, static).
 */
void kumo__xpath_error(void *data, xmlErrorPtr err);
const char *kumo__xpath_last_error(void);

/* Set the message kumo__xpath_last_error() returns (an extension function failed). */
void kumo__xpath_set_error(const char *msg);

/* Why the last kumo_css/kumo_xpath/..._css/..._xpath call failed (the message its ERROR
 * line gave, for the console's ValueError), or NULL when it did not.  Static. */
const char *kumo__select_error(void);

/*
 * Scrapy's _url_from_selector(): a text, attribute or string result's value, an <a> or
 * <link> element's href; NULL for anything else, with *what naming the element.  Borrowed,
 * valid as long as sel.
 */
const char *kumo__sel_link(kumo_selector *sel, const char **what);

/* The element or document node sel selected (the LinkExtractor walks its subtree), or NULL
 * for a text, attribute or string result.  Borrowed, valid as long as sel. */
xmlNodePtr kumo__sel_node(kumo_selector *sel);

/*
 * Evaluate comp with node (of doc) as the context node, libxml2's generic error printing
 * silenced (selector.c).  Returns a new object (xmlXPathFreeObject), or NULL when the
 * evaluation failed (kumo__xpath_last_error() may say why).
 */
xmlXPathObjectPtr kumo__doc_eval(kumo_doc *doc, xmlNodePtr node, xmlXPathCompExprPtr comp);

/* ---- select/ internals: the parsed document (doc.c) ---- */

struct kumo_doc {
    unsigned refcount;
    xmlDocPtr xml;              /* owned; NULL until parsed (the text may come first) */
    xmlXPathContextPtr ctx;     /* cached XPath context; ->node set per query */
    bool html;                  /* parsed by the HTML parser (else XML) */
    bool text_done;             /* text below is set */
    kumo_text text;             /* response.text, decoded on first use */
    kumo_text head;             /* the start of it (kumo__doc_text_head()), or empty */
    size_t head_chars;          /* characters head was asked for; 0: none */
    xmlDocPtr scratch;          /* owned: nodes made by re:match(), or NULL */
    struct kumo_arena *arena;   /* owned: holds every node of xml, freed with it */
};

/* Returns the doc's XPath context, creating it once.  Borrowed, valid while doc lives. */
xmlXPathContextPtr kumo__doc_xpath(kumo_doc *doc);

/* Returns the node queries on the whole document start from (parsel: the root element). */
xmlNodePtr kumo__doc_root(kumo_doc *doc);

/* Register parsel's XPath extras on ctx: has-class() and the EXSLT re: functions
 * (xpathfuncs.c). */
void kumo__xpath_register(xmlXPathContextPtr ctx);

/* Python's repr(float) ("3.0", "0.5", "1e+16", "nan") as a new string (kumo_free). */
char *kumo__format_number(double v);

#endif
