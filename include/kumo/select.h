/* kumo/select.h - selectors: CSS and XPath over a parsed response. */
#ifndef KUMO_SELECT_H
#define KUMO_SELECT_H

#include <limits.h>
#include <stddef.h>
#include "kumo/http.h"
#include "kumo/value.h"

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

/* The name (into *name) and value of the selected element's attribute i, in document order
 * (parsel's attrib); NULL past the last one.  Borrowed, valid as long as sel. */
const char *kumo_sel_attr_at(kumo_selector *sel, size_t i, const char **name);

/* Selector i, counting from the end when negative (Python's list[i]); NULL out of range. */
kumo_selector *kumo_list_index(kumo_selector_list *list, long i);

/*
 * Python's list[start:stop]: a new list (borrowed, pooled like every other) of the same
 * selectors.  Negative bounds count from the end; KUMO_SLICE_END means "to the end".
 */
#define KUMO_SLICE_END LONG_MAX
kumo_selector_list *kumo_list_slice(kumo_selector_list *list, long start, long stop);

/* parsel's getall(): every selector's serialisation, as a new list value (KUMO_VAL_LIST of
 * strings) that the caller owns (kumo_val_clear(), or hand it to an item). */
kumo_value kumo_list_getall(kumo_selector_list *list);

/* parsel's aliases: extract() is getall(), extract_first() is get(), and a selector's
 * extract() is its get(). */
kumo_value kumo_list_extract(kumo_selector_list *list);
const char *kumo_list_extract_first(kumo_selector_list *list, const char *def);
const char *kumo_sel_extract(kumo_selector *sel);

/*
 * parsel's re(pattern): pattern (Python re syntax, Unicode: \w \d \s match non-ASCII
 * letters, digits and spaces) applied to each selector's serialisation.  From each: the
 * group named "extract" of the first match when the pattern has one; else every match's
 * groups (flattened, "" for a group that did not take part) when it has groups; else every
 * whole match.  Character references other than &lt; and &amp; are then replaced (w3lib).
 * Returns a list of string selectors (borrowed, pooled like query results): read them with
 * kumo_list_len/kumo_list_at/kumo_sel_get or kumo_list_getall.  An invalid pattern logs one
 * ERROR line and returns an empty list.  Patterns are compiled once and cached.
 */
kumo_selector_list *kumo_sel_re(kumo_selector *sel, const char *pattern);
kumo_selector_list *kumo_list_re(kumo_selector_list *list, const char *pattern);

/* parsel's re_first(pattern, default): the first string re() would return, or def.
 * Borrowed, valid until the callback returns (as the selectors). */
const char *kumo_sel_re_first(kumo_selector *sel, const char *pattern, const char *def);
const char *kumo_list_re_first(kumo_selector_list *list, const char *pattern, const char *def);

/* ---- following links (Scrapy's response.follow_all) ---- */

/*
 * Emit a request with callback cb (NULL: the spider's first) for every link the query
 * selects on res: an <a> or <link> element gives its href; an attribute or text result
 * (a::attr(href), //a/@href) gives its value.  Other elements, elements without href,
 * empty links, and links that are not http(s) (mailto:, javascript:, tel:, data:...) are
 * skipped with a DEBUG line.  Links resolve against the page's <base href> or its url as
 * Scrapy resolves them (relative, protocol-relative //host/x, fragment-only #x).
 * Returns how many requests were emitted (duplicates included: the scheduler filters).
 */
size_t kumo_follow_all(kumo_out *out, kumo_response *res, const char *css, kumo_callback_fn cb);
size_t kumo_follow_all_xpath(kumo_out *out, kumo_response *res, const char *xpath,
                             kumo_callback_fn cb);

/* The same for selectors already selected (Scrapy's follow_all(urls=selector_list)). */
size_t kumo_follow_list(kumo_out *out, kumo_response *res, kumo_selector_list *list,
                        kumo_callback_fn cb);

/*
 * The same with Scrapy's follow_all(**kwargs): every request gets opts (borrowed; NULL:
 * none) as kumo_response_follow_with() gives them, its own copy of meta and cb_kwargs:
 *     kumo_follow_opts o = {.meta = &m, .priority = 5, .errback = on_error};
 *     kumo_follow_all_with(out, res, "li.next a", parse_page, &o);
 */
size_t kumo_follow_all_with(kumo_out *out, kumo_response *res, const char *css,
                            kumo_callback_fn cb, const kumo_follow_opts *opts);
size_t kumo_follow_all_xpath_with(kumo_out *out, kumo_response *res, const char *xpath,
                                  kumo_callback_fn cb, const kumo_follow_opts *opts);
size_t kumo_follow_list_with(kumo_out *out, kumo_response *res, kumo_selector_list *list,
                             kumo_callback_fn cb, const kumo_follow_opts *opts);

/* Take and drop a reference, to keep a selector or list past its callback. */
kumo_selector *kumo_sel_ref(kumo_selector *sel);
void kumo_sel_unref(kumo_selector *sel);
kumo_selector_list *kumo_list_ref(kumo_selector_list *list);
void kumo_list_unref(kumo_selector_list *list);

#endif
