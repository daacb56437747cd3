/* cssmatch.h - a native matcher for the common CSS selectors on HTML documents: the nodes the
 * XPath translation selects, in the same order, without evaluating XPath. */
#ifndef KUMO_CSSMATCH_H
#define KUMO_CSSMATCH_H

#include "kumo-int.h"
#include <libxml/tree.h>

/*
 * What it matches: selectors (a comma group of at most KUMO_CSSM_MAX_SELECTORS) of compounds
 * (an element name or '*', then #id, .class and [attr], [attr=v], [attr~=v], [attr|=v],
 * [attr^=v], [attr$=v], [attr*=v], [attr!=v]) joined by descendant (' ') and child ('>')
 * combinators, each ending in an element, ::text or ::attr(name).  Anything else (pseudo-
 * classes, sibling combinators, names that need name() or a namespace) makes the builder
 * give up: the caller evaluates the XPath instead.
 */
typedef struct kumo_cssmatch kumo_cssmatch;

#define KUMO_CSSM_MAX_SELECTORS 64

/* How a compound joins the one before it. */
typedef enum kumo_cssm_comb {
    KUMO_CSSM_DESCENDANT,
    KUMO_CSSM_CHILD,
} kumo_cssm_comb;

/* An attribute test; the names are cssselect's operators. */
typedef enum kumo_cssm_op {
    KUMO_CSSM_EXISTS,           /* [a] */
    KUMO_CSSM_EQUALS,           /* [a=v], #id */
    KUMO_CSSM_INCLUDES,         /* [a~=v], .class: v is one of the whitespace-separated words */
    KUMO_CSSM_DASHMATCH,        /* [a|=v]: v or v-... */
    KUMO_CSSM_PREFIXMATCH,      /* [a^=v] */
    KUMO_CSSM_SUFFIXMATCH,      /* [a$=v] */
    KUMO_CSSM_SUBSTRINGMATCH,   /* [a*=v] */
    KUMO_CSSM_DIFFERENT,        /* [a!=v]: no a, or a is not v */
} kumo_cssm_op;

/* ---- building (css.c's parser calls these as it reads; all ignore a NULL m) ---- */

/* Returns a new empty matcher (kumo__cssm_free). */
kumo_cssmatch *kumo__cssm_new(void);

/* Start the next selector of the group. */
void kumo__cssm_selector(kumo_cssmatch *m);

/* Start a compound joined to the previous one by comb (ignored for the first), with element
 * name element (lower-case; "*" for any). */
void kumo__cssm_compound(kumo_cssmatch *m, kumo_cssm_comb comb, const char *element);

/* Add an attribute test on attribute name to the current compound.  value is NULL for
 * KUMO_CSSM_EXISTS.  The tests the translation turns into "0" (never true) are the caller's:
 * it calls kumo__cssm_never() for them. */
void kumo__cssm_test(kumo_cssmatch *m, kumo_cssm_op op, const char *name, const char *value);

/* The current compound matches nothing (cssselect's "0" condition). */
void kumo__cssm_never(kumo_cssmatch *m);

/* The current selector ends in ::text (attr NULL) or ::attr(attr). */
void kumo__cssm_pseudo_element(kumo_cssmatch *m, const char *attr);

/* The selector has something the matcher does not do: the whole query goes to XPath. */
void kumo__cssm_unsupported(kumo_cssmatch *m);

/* Returns m when every selector of it can be matched natively (takes ownership of m), else
 * frees it and returns NULL. */
kumo_cssmatch *kumo__cssm_finish(kumo_cssmatch *m);

void kumo__cssm_free(kumo_cssmatch *m);

/* ---- matching ---- */

/* Called with every result, in document order, each node once. */
typedef void (*kumo_cssm_emit_fn)(void *arg, xmlNodePtr node);

/*
 * Run m on the subtree of ctx (an element, or the document node) of an HTML document, as
 * the XPath translation would with ctx as its context node: emit(arg, node) is called for
 * each element, text node or attribute node selected, in document order, without
 * duplicates.  Returns the number of nodes emitted.
 */
size_t kumo__cssm_run(const kumo_cssmatch *m, xmlNodePtr ctx, kumo_cssm_emit_fn emit,
                      void *arg);

#endif
