/* routes_forms.c - test server pages with forms: a login that guards a page, a search form,
 * and an echo of the method, Content-Type and body a request arrived with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "routes.h"

#define HTML "text/html; charset=utf-8"
#define TOKEN "k7Qz"           /* what a good login hands out, and /forms/private wants */

static const char login_page[] =
    "<!DOCTYPE html>\n<html><head><title>Login</title></head><body>\n"
    "<form id=\"search\" action=\"/forms/echo\"><input name=\"q\" value=\"kumo\"></form>\n"
    "<form id=\"login\" action=\"/forms/session\" method=\"post\">\n"
    "<input type=\"hidden\" name=\"csrf\" value=\"c5rf\">\n"
    "<input name=\"user\"><input type=\"password\" name=\"pass\">\n"
    "<input type=\"checkbox\" name=\"remember\" checked>\n"
    "<input type=\"submit\" name=\"go\" value=\"Log in\">\n"
    "</form>\n</body></html>\n";

/* The request's method as its name. */
static const char *method_name(struct evhttp_request *req)
{
    switch (evhttp_request_get_command(req)) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    default:
        return "OTHER";
    }
}

/* The request body as a new NUL-terminated string (malloc), or NULL. */
static char *body_of(struct evhttp_request *req)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = in ? evbuffer_get_length(in) : 0;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    if (n)
        evbuffer_copyout(in, s, n);
    s[n] = '\0';
    return s;
}

/* /forms/login: a search form (GET) and a login form (POST, with a hidden csrf field). */
static void h_login(kumo_testserver *s, struct evhttp_request *req, const char *path,
                    const char *rest)
{
    kumo_ts_reply_str(req, 200, HTML, login_page, sizeof(login_page) - 1);
}

/* /forms/session: the login form's target.  The exact body a browser sends gets a welcome
 * page linking to /forms/private?token=TOKEN; anything else a 403. */
static void h_session(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    char *body = body_of(req);
    int ok = evhttp_request_get_command(req) == EVHTTP_REQ_POST && ct &&
             strcmp(ct, "application/x-www-form-urlencoded") == 0 && body &&
             strcmp(body, "csrf=c5rf&remember=on&go=Log+in&user=alice&pass=s3cret%21") == 0;
    free(body);
    if (!ok) {
        kumo_ts_status_page(req, 403);
        return;
    }
    static const char page[] =
        "<!DOCTYPE html>\n<html><head><title>Welcome alice</title></head><body>\n"
        "<a href=\"/forms/private?token=" TOKEN "\">your page</a>\n</body></html>\n";
    kumo_ts_reply_str(req, 200, HTML, page, sizeof(page) - 1);
}

/* /forms/private?token=TOKEN: the page behind the login (403 without the token). */
static void h_private(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    char *token = kumo_ts_query(req, "token");
    int ok = token && strcmp(token, TOKEN) == 0;
    free(token);
    if (!ok) {
        kumo_ts_status_page(req, 403);
        return;
    }
    static const char page[] =
        "<!DOCTYPE html>\n<html><head><title>Private page</title></head><body>\n"
        "<p>only for alice</p>\n</body></html>\n";
    kumo_ts_reply_str(req, 200, HTML, page, sizeof(page) - 1);
}

/* /forms/echo: "method: M\ncontent-type: CT\nquery: Q\nbody: B\n" as text/plain. */
static void h_echo(kumo_testserver *s, struct evhttp_request *req, const char *path,
                   const char *rest)
{
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *q = uri ? evhttp_uri_get_query(uri) : NULL;
    char *body = body_of(req);
    struct evbuffer *b = evbuffer_new();
    if (!b || !body) {
        free(body);
        if (b)
            evbuffer_free(b);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evbuffer_add_printf(b, "method: %s\ncontent-type: %s\nquery: %s\nbody: %s\n",
                        method_name(req), ct ? ct : "", q ? q : "", body);
    kumo_ts_reply(req, 200, "text/plain; charset=utf-8", b);
    evbuffer_free(b);
    free(body);
}

const kumo_testroute kumo_routes_forms[] = {
    {"/forms/login", h_login},
    {"/forms/session", h_session},
    {"/forms/private", h_private},
    {"/forms/echo", h_echo},
    {NULL, NULL},
};
