/* encoding.h - response bodies to UTF-8 text as Scrapy's TextResponse.text decodes them. */
#ifndef KUMO_ENCODING_H
#define KUMO_ENCODING_H

#include "kumo-int.h"

struct kumo_buf;

/* A decoded body. */
typedef struct kumo_text {
    const char *s;              /* UTF-8, NUL-terminated: the body itself or owned */
    size_t len;                 /* bytes, NUL bytes of the text included */
    char *owned;                /* s when it was made (kumo_free), else NULL */
    char encoding[24];          /* Python's codec name used: "utf-8", "cp1252"... */
} kumo_text;

/*
 * Decode body (len bytes, with a NUL after them) as Scrapy 2.8's TextResponse.text: the
 * BOM's encoding (BOM stripped), else charset (the Content-Type charset label, may be NULL),
 * else a <meta charset> / http-equiv / <?xml encoding> in the first 4096 bytes, else ascii
 * or UTF-8 when the bytes are valid in it, else cp1252; latin-1 and ascii read as cp1252
 * (w3lib).  Undecodable bytes become U+FFFD.  Touches nothing but its arguments: safe from a
 * worker thread.  Release with kumo__text_release().
 */
void kumo__text_decode(kumo_text *t, const char *body, size_t len, const char *charset);
void kumo__text_release(kumo_text *t);

/*
 * The first chars characters of what kumo__text_decode() makes (fewer when the text is
 * shorter; a character cut at the end may follow as U+FFFD), decoding at most chars * 4 + 4
 * bytes of body: Scrapy's response.text[0:chars] without decoding a large body whole.  The
 * encoding is chosen as kumo__text_decode() does, the automatic detection (ascii, UTF-8,
 * cp1252) looking at the first bytes only.  The text is always owned.  Thread-safe.
 */
void kumo__text_decode_head(kumo_text *t, const char *body, size_t len, const char *charset,
                            size_t chars);

/*
 * w3lib's resolve_encoding(): Python's codec name for label ("ISO-8859-1" -> "cp1252"),
 * or NULL when kumo cannot decode it.  Static string.
 */
const char *kumo__encoding_resolve(const char *label);

/* The charset label of a Content-Type value ("text/html; charset=UTF-8" -> "UTF-8"), copied
 * into buf (n bytes); NULL when there is none or it does not fit. */
const char *kumo__content_type_charset(const char *ct, char *buf, size_t n);

/* Free the <meta> charset pattern compiled on first use (kumo__select_cleanup() calls it;
 * no thread may be decoding). */
void kumo__encoding_cleanup(void);

/* True when s[0..n) is valid UTF-8 (no surrogates, no overlongs). */
bool kumo__utf8_valid(const char *s, size_t n);

/* Append code point cp as UTF-8 (invalid ones as U+FFFD). */
void kumo__utf8_put(struct kumo_buf *b, unsigned long cp);

/* The character windows-1252 byte c stands for (U+FFFD for the five undefined bytes). */
unsigned long kumo__cp1252_char(unsigned char c);

#endif
