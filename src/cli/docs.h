/* docs.h - the documentation pages (doc/TOPIC.md) built into the binary, for `kumo help`. */
#ifndef KUMO_CLI_DOCS_H
#define KUMO_CLI_DOCS_H

#include <stddef.h>

typedef struct kumo_doc {
    const char *topic;          /* the page's file name without .md: "feeds" */
    const char *title;          /* its first heading: "Feed exports" */
    const char *text;           /* the whole page, Markdown */
} kumo_doc;

/* Generated from doc/TOPIC.md by scripts/gen-docs, in file name order. */
extern const kumo_doc kumo_docs[];
extern const size_t kumo_ndocs;

#endif
