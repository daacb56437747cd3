/* routes_files.c - test server routes under /files/ for the FilesPipeline: files of known
 * content (a.pdf, b.txt, big.bin?n=BYTES), a 404, a redirect and an empty file. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

static void h_files(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
    (void)s, (void)path;
    if (strcmp(rest, "a.pdf") == 0) {
        kumo_ts_reply_str(req, 200, "application/pdf", "%PDF-1.4 file a\n", 16);
    } else if (strcmp(rest, "b.txt") == 0) {
        kumo_ts_reply_str(req, 200, "text/plain", "file b\n", 7);
    } else if (strcmp(rest, "empty.txt") == 0) {
        kumo_ts_reply_str(req, 200, "text/plain", "", 0);
    } else if (strcmp(rest, "moved.pdf") == 0) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Location", "/files/a.pdf");
        kumo_ts_reply_str(req, 302, "text/html", "moved", 5);
    } else if (strcmp(rest, "big.bin") == 0) {
        char *q = kumo_ts_query(req, "n");
        long n = 0;
        if (!q || kumo_ts_parse_long(q, 1, 64L << 20, &n) != 0) {
            free(q);
            kumo_ts_status_page(req, 400);
            return;
        }
        free(q);
        struct evbuffer *b = evbuffer_new();
        char chunk[4096];
        for (size_t i = 0; i < sizeof(chunk); i++)
            chunk[i] = (char)('a' + i % 26);
        for (long left = n; left > 0; left -= (long)sizeof(chunk))
            evbuffer_add(b, chunk, left < (long)sizeof(chunk) ? (size_t)left : sizeof(chunk));
        kumo_ts_reply(req, 200, "application/octet-stream", b);
        evbuffer_free(b);
    } else {
        kumo_ts_status_page(req, 404);
    }
}

const kumo_testroute kumo_routes_files[] = {
    {"/files/", h_files},
    {NULL, NULL},
};
