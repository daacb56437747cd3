/* str.h - the console's str and bytes types. */
#ifndef KUMO_CONSOLE_STR_H
#define KUMO_CONSOLE_STR_H

#include "console/object.h"

extern const cv_vtable cv_str_type, cv_bytes_type;

/* Python's repr of a str / bytes value given as bytes, into b.  KUMO_OK or KUMO_ETOOBIG. */
int cv_repr_str(cv_ctx *c, kumo_buf *b, const char *s, size_t len);
int cv_repr_bytes(cv_ctx *c, kumo_buf *b, const char *s, size_t len);

#endif
