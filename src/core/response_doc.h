/* response_doc.h - a response's text and parsed document: core joins http's responses to
 * select's documents, so that neither of the two floors names the other. */
#ifndef KUMO_RESPONSE_DOC_H
#define KUMO_RESPONSE_DOC_H

#include "kumo-int.h"
#include "http/response.h"
#include "select/doc.h"
#include "select/parsepool.h"

/*
 * Returns the response's document, parsing the body on the first call (HTML parser for
 * HtmlResponse and TextResponse, XML parser for XmlResponse).  Borrowed: the response
 * holds one reference; a selector that keeps nodes takes its own with kumo__doc_ref().
 * NULL with *err set when the response has no text body or libxml2 failed.
 */
kumo_doc *kumo__doc_for(kumo_response *res, int *err);

/* True when res has its parsed document already. */
bool kumo__response_parsed(const kumo_response *res);

/* What the parse pool needs to parse res's body in a worker (res must stay alive and
 * unchanged until the pool reports back: submit it with a reference as the owner). */
void kumo__response_parse_src(const kumo_response *res, kumo_parse_src *src);

/* Give http's responses the way to release their documents (before any thread makes one). */
void kumo__response_doc_hooks(void);

/* Let go of res's document and text (a selector that keeps nodes keeps the document). */
void kumo__response_drop_doc(kumo_response *res);

/* Give res the document a worker parsed (takes ownership of d and arena; d may be NULL:
 * the next query parses on the loop).  A response parsed meanwhile keeps its own. */
void kumo__response_adopt_doc(kumo_response *res, kumo_xmldoc d, struct kumo_arena *arena);

#endif
