/* kumo/select.h - selectors: CSS and XPath over a parsed response. */
#ifndef KUMO_SELECT_H
#define KUMO_SELECT_H

#include <stddef.h>
#include "kumo/http.h"

typedef struct kumo_selector kumo_selector;
typedef struct kumo_selector_list kumo_selector_list;

/*
 * Lifetime: every selector and list returned below is borrowed and valid until the spider
 * callback that made it returns (kumo keeps it in the callback's pool, so a callback never
 * frees selectors).  To keep one longer, take a reference with _ref and drop it with _unref.
 * The response's document is parsed once, on the first query.
 *
 * Query strings: CSS with parsel's ::text and ::attr(name), or XPath 1.0.  An invalid query
 * returns an empty list and logs one ERROR line naming the query.
 */
kumo_selector_list *kumo_css(kumo_response *res, const char *css);
kumo_selector_list *kumo_xpath(kumo_response *res, const char *xpath);

/* The same, relative to one selector or to every selector of a list (results concatenated). */
kumo_selector_list *kumo_sel_css(kumo_selector *sel, const char *css);
kumo_selector_list *kumo_sel_xpath(kumo_selector *sel, const char *xpath);
kumo_selector_list *kumo_list_css(kumo_selector_list *list, const char *css);
kumo_selector_list *kumo_list_xpath(kumo_selector_list *list, const char *xpath);

/* Number of selectors in list, and selector i (borrowed; NULL when out of range). */
size_t kumo_list_len(const kumo_selector_list *list);
kumo_selector *kumo_list_at(kumo_selector_list *list, size_t i);

/*
 * The first selector's serialisation (parsel's get()): an element as HTML, a text node as
 * its text, an attribute as its value, a number or string result as text.  def when empty.
 * Borrowed, valid as long as the list.
 */
const char *kumo_list_get(kumo_selector_list *list, const char *def);

/* The serialisation of one selector; borrowed, valid as long as sel. */
const char *kumo_sel_get(kumo_selector *sel);

/* The value of attribute name of the selected element, or NULL; borrowed. */
const char *kumo_sel_attr(kumo_selector *sel, const char *name);

/* The first selector's attribute name (parsel's list.attrib[name]), or NULL; borrowed. */
const char *kumo_list_attr(kumo_selector_list *list, const char *name);

/* Take and drop a reference, to keep a selector or list past its callback. */
kumo_selector *kumo_sel_ref(kumo_selector *sel);
void kumo_sel_unref(kumo_selector *sel);
kumo_selector_list *kumo_list_ref(kumo_selector_list *list);
void kumo_list_unref(kumo_selector_list *list);

#endif
