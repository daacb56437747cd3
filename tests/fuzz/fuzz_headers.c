/* fuzz_headers.c - an HTTP response header block, line by line as libcurl hands it to the
 * downloader (a status line starts a new block), then read back as the middlewares do. */
#include "fuzz.h"
#include "http/headers.h"
#include "http/response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kumo_headers *h = kumo__headers_new();
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        char *line = malloc(n);             /* exactly the line, as curl passes it */
        if (!line)
            abort();
        memcpy(line, p, n);
        if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
            kumo__headers_free(h);
            h = kumo__headers_new();
        } else {
            kumo__headers_add_line(h, line, n);
        }
        free(line);
        p += n;
    }
    kumo_headers *c = kumo__headers_copy(h);
    kumo_assert(kumo_headers_count(c) == kumo_headers_count(h));
    kumo_assert(kumo__headers_bytes(c) == kumo__headers_bytes(h));
    const char *ct = kumo_headers_get(h, "content-type");
    kumo__response_class_for(ct, "http://example.com/a.xml");
    for (size_t i = 0; i < kumo_headers_count(h); i++) {
        const char *name, *value;
        kumo_headers_at(h, i, &name, &value);
        kumo_headers_set(c, name, value);
    }
    kumo__headers_free(c);
    kumo__headers_free(h);
    return 0;
}
