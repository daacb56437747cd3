/* doc.h - a response's parsed document (libxml2), shared by its selectors. */
#ifndef KUMO_DOC_H
#define KUMO_DOC_H

#include "kumo-int.h"

/*
 * Returns the response's document, parsing the body on the first call (HTML parser for
 * HtmlResponse and TextResponse, XML parser for XmlResponse).  Borrowed: the response
 * holds one reference; a selector that keeps nodes takes its own with kumo_doc_ref().
 * NULL with *err set when the response has no text body.
 */
kumo_doc *kumo_doc_for(kumo_response *res, int *err);
kumo_doc *kumo_doc_ref(kumo_doc *doc);
void kumo_doc_unref(kumo_doc *doc);

/* For the parse pool (parsepool.c): the same steps, split across threads. */
typedef struct _xmlDoc *kumo_xmldoc;

/*
 * Parse bytes into a libxml2 document: HTML parser or XML parser, encoding enc (NULL:
 * detect), an empty body as "<html/>".  Touches nothing but its arguments and libxml2:
 * safe to call from a worker thread.  Returns NULL only when libxml2 fails outright.
 */
struct kumo_arena;
kumo_xmldoc kumo__doc_parse(const char *body, size_t len, const char *url, const char *enc,
                            bool html, struct kumo_arena **arena);

/* Free a parsed document that was never adopted, with its arena. */
void kumo__doc_discard(kumo_xmldoc d, struct kumo_arena *arena);

/* The Content-Type charset libxml2 knows, into buf, or NULL.  Loop thread only. */
const char *kumo__doc_charset(const kumo_response *res, char *buf, size_t n);

/* True when res is parsed with the HTML parser (everything but XmlResponse). */
bool kumo__doc_is_html(const kumo_response *res);

/* Make d and its arena (takes ownership of both) the response's document.  Loop thread
 * only. */
kumo_doc *kumo__doc_adopt(kumo_response *res, kumo_xmldoc d, struct kumo_arena *arena);

#endif
