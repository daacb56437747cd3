/* utf8.h - decoding and encoding UTF-8, with Python's U+FFFD replacement. */
#ifndef KUMO_UTF8_H
#define KUMO_UTF8_H

#include "kumo-int.h"
#include "util/buf.h"

/*
 * Decode the UTF-8 sequence at p[0..n), n >= 1.  Returns its length, at least 1.  *ok tells
 * whether it is valid; *cp is its code point, or U+FFFD when it is not.  An invalid sequence
 * is its maximal subpart (Unicode's "U+FFFD substitution of maximal subparts", what Python's
 * decode(errors="replace") does): the bytes one U+FFFD stands for.
 */
size_t kumo__utf8_decode(const unsigned char *p, size_t n, bool *ok, uint32_t *cp);

/* Write cp as UTF-8 into out; surrogates and values past U+10FFFF become U+FFFD.  Returns
 * the bytes written (1 to 4). */
size_t kumo__utf8_encode(uint32_t cp, char out[4]);

/* Append cp as UTF-8 to b (same replacement rule). */
int kumo__buf_add_cp(kumo_buf *b, uint32_t cp);

/* Append s[0..len) to b with each invalid UTF-8 sequence (as kumo__utf8_decode() takes it)
 * replaced by U+FFFD.  Returns KUMO_OK or kumo__buf_add()'s error. */
int kumo__buf_add_utf8(kumo_buf *b, const char *s, size_t len);

/* The bytes of s[0..len)'s first chars characters (Python's text[0:chars] of valid UTF-8: a
 * character starts at every byte that is not a continuation byte, 10xxxxxx); len when it
 * holds fewer. */
size_t kumo__utf8_prefix(const char *s, size_t len, size_t chars);

#endif
