/* doc.h - a parsed document (libxml2) and its decoded text, shared by its selectors.  Knows
 * bytes, a url and a charset, never a response: core keeps a response's document. */
#ifndef KUMO_DOC_H
#define KUMO_DOC_H

#include "kumo-int.h"
#include "select/encoding.h"

/* Returns a new empty document (count 1) for a body read by the HTML parser (html) or by
 * the XML one.  The text and the tree come later, on demand. */
kumo_doc *kumo__doc_new(bool html);
kumo_doc *kumo__doc_ref(kumo_doc *doc);
void kumo__doc_unref(kumo_doc *doc);

/*
 * The body's text decoded as Scrapy's TextResponse.text (charset: the Content-Type label,
 * may be NULL), made on the first call and kept on doc.  Borrowed, valid while doc lives;
 * body must stay the same across calls.
 */
const kumo_text *kumo__doc_text(kumo_doc *doc, const char *body, size_t len, const char *charset);

/*
 * At least the first chars characters of that text (the whole text when it was decoded
 * already; else kumo__text_decode_head(), kept on doc): for a look at the start of a large
 * body without decoding it whole on the loop.  Borrowed, valid until the next call or doc's
 * end.
 */
const kumo_text *kumo__doc_text_head(kumo_doc *doc, const char *body, size_t len,
                                    const char *charset, size_t chars);

/* Let go of the text kumo__doc_text_head() keeps (a pointer it returned is no longer
 * valid); nothing when it keeps none. */
void kumo__doc_text_head_release(kumo_doc *doc);

/*
 * Parse body into doc unless it is parsed already (from the decoded text when doc has it).
 * Returns KUMO_OK, or KUMO_ENOMEM when libxml2 fails outright.
 */
int kumo__doc_parse(kumo_doc *doc, const char *body, size_t len, const char *url,
                   const char *charset);

/* The decoded text when kumo__doc_text() made it already, else NULL.  Borrowed, valid while
 * doc lives. */
const kumo_text *kumo__doc_decoded(const kumo_doc *doc);

/* True once doc has its tree. */
bool kumo__doc_parsed(const kumo_doc *doc);

/* True when doc is read by the HTML parser. */
bool kumo__doc_is_html(const kumo_doc *doc);

/* Run a CSS (css) or XPath query over the whole document.  Returns a pooled list (empty on
 * an invalid query, which is logged). */
kumo_selector_list *kumo__doc_select(kumo_doc *doc, const char *query, bool css);

/* For the parse pool (parsepool.c): the same steps, split across threads. */
typedef struct _xmlDoc *kumo_xmldoc;

/*
 * Parse bytes into a libxml2 document: HTML parser or XML parser, encoding enc (NULL:
 * detect), an empty body as "<html/>".  Touches nothing but its arguments and libxml2:
 * safe to call from a worker thread.  Returns NULL only when libxml2 fails outright.
 */
struct kumo_arena;
kumo_xmldoc kumo__doc_parse_xml(const char *body, size_t len, const char *url, const char *enc,
                            bool html, struct kumo_arena **arena);

/* The same for text decoded already (UTF-8, as kumo__doc_text() makes it). */
kumo_xmldoc kumo__doc_parse_utf8(const char *text, size_t len, const char *url, bool html,
                                 struct kumo_arena **arena);

/* Free a parsed document that was never adopted, with its arena. */
void kumo__doc_discard(kumo_xmldoc d, struct kumo_arena *arena);

/* Make d and its arena (takes ownership of both) doc's tree; a doc parsed meanwhile keeps
 * its first tree.  Loop thread only. */
void kumo__doc_adopt(kumo_doc *doc, kumo_xmldoc d, struct kumo_arena *arena);

#endif
