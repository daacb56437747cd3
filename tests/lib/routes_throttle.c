/* routes_throttle.c - test server routes for the downloader: Basic auth and a forward proxy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "routes.h"

#define TEXT "text/plain; charset=utf-8"

/* /auth/basic: 200 "authorized" with "Authorization: Basic a3VtbzpzM2NyZXQ=" (kumo:s3cret),
 * else 401 with WWW-Authenticate. */
static void h_auth(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    const char *a = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    static const char ok[] = "authorized\n", no[] = "unauthorized\n";

    if (a && strcmp(a, "Basic a3VtbzpzM2NyZXQ=") == 0) {
        kumo_ts_reply_str(req, 200, TEXT, ok, sizeof(ok) - 1);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                      "Basic realm=\"kumo\"");
    kumo_ts_reply_str(req, 401, TEXT, no, sizeof(no) - 1);
}

/* /proxy/echo: a forward proxy's view.  With an absolute-URI request line (a client that
 * talks to us as its proxy) 200 "proxied URI" then the request headers; otherwise 400. */
static void h_proxy_echo(kumo_testserver *s, struct evhttp_request *req, const char *path,
                         const char *rest)
{
    const char *uri = evhttp_request_get_uri(req);
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyval *kv;
    struct evbuffer *b;

    if (!uri || (strncmp(uri, "http://", 7) != 0 && strncmp(uri, "https://", 8) != 0)) {
        static const char direct[] = "not proxied\n";
        kumo_ts_reply_str(req, 400, TEXT, direct, sizeof(direct) - 1);
        return;
    }
    b = evbuffer_new();
    if (!b) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "proxied %s\n", uri);
    TAILQ_FOREACH(kv, in, next)
        evbuffer_add_printf(b, "%s: %s\n", kv->key, kv->value);
    kumo_ts_reply(req, 200, TEXT, b);
    evbuffer_free(b);
}

const kumo_testroute kumo_routes_throttle[] = {
    {"/auth/basic", h_auth},
    {"/proxy/echo", h_proxy_echo},
    {NULL, NULL},
};
