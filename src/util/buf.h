/* buf.h - growable byte buffers with a hard cap (curl's dynbuf). */
#ifndef KUMO_BUF_H
#define KUMO_BUF_H

#include "kumo-int.h"

/* Always NUL-terminated once anything was added.  Embedded: _init / _release. */
typedef struct kumo_buf {
    char *s;
    size_t len, cap;
    size_t max;            /* hard cap on len; 0: SIZE_MAX */
    kumo_tag type, via;
} kumo_buf;

void kumo__buf_init(kumo_buf *b, size_t max, kumo_tag type, kumo_tag via);
void kumo__buf_release(kumo_buf *b);
/* Returns KUMO_ETOOBIG (and adds nothing) when the cap would be passed. */
int kumo__buf_add(kumo_buf *b, const void *p, size_t n);
int kumo__buf_adds(kumo_buf *b, const char *s);
int kumo__buf_addc(kumo_buf *b, char c);
int kumo__buf_printf(kumo_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Add obj's repr, kumo_ref_repr(): "<GET url>", "<200 url>", "<Item>"; KUMO_ETOOBIG as add. */
int kumo__buf_add_repr(kumo_buf *b, const kumo_ref *obj);
void kumo__buf_reset(kumo_buf *b);
/* Make room for n more bytes at once (a known Content-Length); KUMO_ETOOBIG past the cap. */
int kumo__buf_reserve(kumo_buf *b, size_t n);
/* Detach the bytes (caller frees with kumo_free; "" allocated when empty); b is reset. */
char *kumo__buf_detach(kumo_buf *b, size_t *len);
/* The same, the block first cut to the bytes when growth by doubling left more than an
 * eighth of it unused (a body kept until its callback runs). */
char *kumo__buf_detach_fit(kumo_buf *b, size_t *len);
/* Returns the contents as a string ("" when empty); borrowed. */
const char *kumo__buf_str(const kumo_buf *b);

#endif
