/* decode.h - a response body's Content-Encoding (gzip, deflate, br) decoded a bounded
 * number of bytes at a time, so that a compression bomb never holds the loop. */
#ifndef KUMO_DECODE_H
#define KUMO_DECODE_H

#include "kumo-int.h"
#include "util/buf.h"

typedef struct kumo_decoder kumo_decoder;

/*
 * Returns true when coding, a Content-Encoding value, names one coding kumo decodes
 * (gzip, x-gzip, deflate, br; case and blanks ignored).  "identity" and "" are not codings.
 */
bool kumo__decoder_knows(const char *coding);

/*
 * Returns a new decoder for coding (see kumo__decoder_knows), or NULL when kumo does not
 * decode it.  Free it with kumo__decoder_free.
 */
kumo_decoder *kumo__decoder_new(const char *coding);
void kumo__decoder_free(kumo_decoder *d);

/* Queue n encoded bytes (copied). */
void kumo__decoder_feed(kumo_decoder *d, const void *p, size_t n);

/* Returns how many queued encoded bytes are not decoded yet. */
size_t kumo__decoder_pending(const kumo_decoder *d);

/*
 * Decode queued bytes and add what they decode to out, stopping once about budget bytes
 * were added (at most 64 KiB more) or the queue is empty.  *added (may be NULL) is set to
 * what was added.  Returns KUMO_OK; KUMO_ETOOBIG when out's cap would be passed (out holds
 * what fitted); KUMO_EDECODE when the bytes do not decode, with why[0..whylen) saying so.
 * Bytes after the end of the encoded stream are ignored, as zlib and Python do.
 */
int kumo__decoder_run(kumo_decoder *d, kumo_buf *out, size_t budget, size_t *added, char *why,
                      size_t whylen);

#endif
