/* json.h - JSON out of kumo values (Python's json.dumps) and a small strict parser. */
#ifndef KUMO_JSON_H
#define KUMO_JSON_H

#include "kumo-int.h"
#include "util/buf.h"

/*
 * Writers append to b and return KUMO_OK, or KUMO_ETOOBIG when b's cap is reached (b then
 * holds a partial document; the caller drops it).  The output is json.dumps(x,
 * ensure_ascii=False) as Scrapy writes feeds with FEED_EXPORT_ENCODING=utf-8.
 */

/*
 * Append s[0..len) as a JSON string: UTF-8 kept as is; ", \ and control characters escaped
 * (\n \t \r \b \f, else \u00XX); each invalid UTF-8 sequence becomes U+FFFD.
 */
int kumo__json_str(kumo_buf *b, const char *s, size_t len);

/*
 * Append v: None -> null, true/false, integers, floats as Python's repr (12.34, 3.0,
 * 1e+16; NaN, Infinity, -Infinity as Python's json), strings, lists ("[1, 2]").  A tracked
 * object is written as a string naming it like Scrapy's repr: "<200 url>" for a response,
 * "<GET url>" for a request, "<ClassName>" otherwise.
 */
int kumo__json_value(kumo_buf *b, const kumo_value *v);

/*
 * How an object value is written: core sets it so that an Item (a dict nested in an item,
 * as FilesPipeline's files) is written as a JSON object.  It returns KUMO_EDECLINED for
 * any other object, which is then written as its repr, a JSON string.  NULL: every object
 * as its repr.
 */
extern int (*kumo__json_obj_hook)(kumo_buf *b, const kumo_ref *obj, const char *item_sep);

/* Same as kumo__json_value() with item_sep between list items ("," for compact output). */
int kumo__json_value_sep(kumo_buf *b, const kumo_value *v, const char *item_sep);

/*
 * Append m as an object in insertion order: {"k": v, ...} with item_sep between entries
 * (and list items) and kv_sep between a key and its value: ", " and ": " as Python's
 * default, "," and ":" for compact.
 */
int kumo__json_map(kumo_buf *b, const kumo_map *m, const char *item_sep, const char *kv_sep);

/* Deepest nesting of arrays and objects kumo__json_parse() accepts. */
#define KUMO_JSON_MAX_DEPTH 64

/*
 * Parse one JSON document (RFC 8259, plus NaN, Infinity and -Infinity as Python reads
 * them) from text[0..len) into *out, which the caller then owns (kumo_val_clear).
 *   null -> NONE, true/false -> BOOL, numbers -> INT when integral and within int64,
 *   else FLOAT; strings -> STR (UTF-8, may hold NUL bytes; a lone surrogate escape
 *   becomes U+FFFD); arrays -> LIST; objects -> LIST of 2-element LISTs [key, value] in
 *   document order (duplicate keys kept).
 * Returns KUMO_OK; KUMO_ESYNTAX for malformed input (invalid UTF-8 included) and
 * KUMO_ETOOBIG for nesting deeper than KUMO_JSON_MAX_DEPTH, with *out left NONE and a
 * message naming the byte offset ("unexpected 'x' at byte 12") in err[0..errlen).
 * err may be NULL.
 */
int kumo__json_parse(const char *text, size_t len, kumo_value *out, char *err, size_t errlen);

/*
 * In a parsed JSON object (a list of [key, value] pairs), the value of the last pair whose key
 * is key (Python's dict keeps the last), or NULL.  Borrowed, valid while obj lives.
 */
const kumo_value *kumo__json_get(const kumo_value *obj, const char *key);

#endif
