/* utf8.h - encoding code points as UTF-8. */
#ifndef KUMO_UTF8_H
#define KUMO_UTF8_H

#include "kumo-int.h"
#include "util/buf.h"

/* Write cp as UTF-8 into out; surrogates and values past U+10FFFF become U+FFFD.  Returns
 * the bytes written (1 to 4). */
size_t kumo_utf8_encode(uint32_t cp, char out[4]);

/* Append cp as UTF-8 to b (same replacement rule). */
int kumo_buf_add_cp(kumo_buf *b, uint32_t cp);

#endif
