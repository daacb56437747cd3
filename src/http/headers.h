/* headers.h - the Headers object: ordered (name, value) pairs. */
#ifndef KUMO_HEADERS_INT_H
#define KUMO_HEADERS_INT_H

#include "kumo-int.h"

struct kumo_headers {
    char **kv;              /* kv[2*i] name, kv[2*i+1] value, both owned */
    size_t len, cap;        /* pairs */
};

/* Returns a new, empty Headers; free with kumo__headers_free(). */
kumo_headers *kumo__headers_new(void);
void kumo__headers_free(kumo_headers *h);
/* Returns a new copy of h; NULL (no headers) for NULL. */
kumo_headers *kumo__headers_copy(const kumo_headers *h);
/* Bytes held (for stats: downloader/request_bytes); 0 for NULL. */
size_t kumo__headers_bytes(const kumo_headers *h);

/*
 * Add the header of one line as a server sent it ("Name: value\r\n", len bytes, any bytes):
 * blanks before the value and CR, LF and spaces after it dropped.  A line without a colon,
 * with an empty name or with a name of 256 bytes or more adds nothing.  Returns true when
 * a header was added.
 */
bool kumo__headers_add_line(kumo_headers *h, const char *line, size_t len);

#endif
