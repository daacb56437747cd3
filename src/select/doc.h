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

#endif
