/* routes_urls.c - a test server page that shows the request target as it arrived on the
 * request line, to check how kumo encodes the urls it fetches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "routes.h"

/*
 * /echo/ANYTHING: an HTML page whose <title> is the request target ("/echo/a%20b?q=1") with
 * '&', '<' and '>' escaped, bytes outside printable ASCII as "\xHH", and a link to /ok.
 */
static void h_echo(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    const char *target = evhttp_request_get_uri(req);
    struct evbuffer *b = evbuffer_new();

    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "<!DOCTYPE html>\n<html><head><title>");
    for (const unsigned char *p = (const unsigned char *)(target ? target : ""); *p; p++) {
        if (*p == '&')
            evbuffer_add_printf(b, "&amp;");
        else if (*p == '<')
            evbuffer_add_printf(b, "&lt;");
        else if (*p == '>')
            evbuffer_add_printf(b, "&gt;");
        else if (*p < 0x21 || *p > 0x7e)
            evbuffer_add_printf(b, "\\x%02X", *p);
        else
            evbuffer_add(b, p, 1);
    }
    evbuffer_add_printf(b, "</title></head><body><a href=\"/ok\">ok</a></body></html>\n");
    kumo_ts_reply(req, 200, "text/html; charset=utf-8", b);
    evbuffer_free(b);
}

const kumo_testroute kumo_routes_urls[] = {
    {"/echo/", h_echo},
    {NULL, NULL},
};
