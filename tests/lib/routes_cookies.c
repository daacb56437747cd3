/* routes_cookies.c - test server routes for cookies and meta refresh: set, echo, a login
 * flow, a logout that deletes across a redirect, and refresh pages. */
#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

#define HTML "text/html; charset=utf-8"

static void page(struct evhttp_request *req, int code, const char *title, const char *body)
{
    char html[1024];
    int n = snprintf(html, sizeof(html), "<html><head><title>%s</title></head>"
                     "<body>%s</body></html>", title, body);
    if (n < 0 || (size_t)n >= sizeof(html))
        n = 0;
    kumo_ts_reply_str(req, code, HTML, html, (size_t)n);
}

/* /cookies/NAME: see server.h. */
static void h_cookies(kumo_testserver *s, struct evhttp_request *req, const char *path,
                      const char *rest)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *cookie = evhttp_find_header(in, "Cookie");
    char line[512];
    (void)s, (void)path;

    if (strcmp(rest, "set") == 0) {
        char *name = kumo_ts_query(req, "name"), *value = kumo_ts_query(req, "value");
        char *attrs = kumo_ts_query(req, "attrs");
        snprintf(line, sizeof(line), "%s=%s%s%s", name ? name : "c", value ? value : "",
                 attrs ? "; " : "", attrs ? attrs : "");
        evhttp_add_header(out, "Set-Cookie", line);
        free(name);
        free(value);
        free(attrs);
        page(req, 200, "set", "<a href=\"/cookies/echo\">echo</a>");
    } else if (strcmp(rest, "echo") == 0) {
        snprintf(line, sizeof(line), "Cookie: %s\n", cookie ? cookie : "(none)");
        kumo_ts_reply_str(req, 200, "text/plain; charset=utf-8", line, strlen(line));
    } else if (strcmp(rest, "login") == 0) {
        evhttp_add_header(out, "Set-Cookie", "session=s3cret; Path=/; HttpOnly; SameSite=Lax");
        page(req, 200, "login", "<a href=\"/cookies/private\">private</a>");
    } else if (strcmp(rest, "private") == 0) {
        if (cookie && strstr(cookie, "session=s3cret"))
            page(req, 200, "private", "<p>welcome back</p>");
        else
            page(req, 403, "forbidden", "<p>log in first</p>");
    } else if (strcmp(rest, "logout") == 0) {
        evhttp_add_header(out, "Set-Cookie", "session=; Path=/; Max-Age=0");
        evhttp_add_header(out, "Location", "/cookies/echo");
        kumo_ts_status_page(req, 302);
    } else if (strcmp(rest, "hop") == 0) {
        char *to = kumo_ts_query(req, "to");
        evhttp_add_header(out, "Set-Cookie", "hop=1; Path=/");
        evhttp_add_header(out, "Location", to ? to : "/cookies/echo");
        free(to);
        kumo_ts_status_page(req, 302);
    } else if (strcmp(rest, "refresh") == 0) {
        char *delay = kumo_ts_query(req, "delay"), *to = kumo_ts_query(req, "to");
        char body[512];
        snprintf(body, sizeof(body), "<meta http-equiv=\"Refresh\" content=\"%.64s; url=%.256s\">"
                 "<p>moved</p>", delay ? delay : "0", to ? to : "/cookies/echo");
        free(delay);
        free(to);
        char html[600];
        snprintf(html, sizeof(html), "<html><head>%s</head><body></body></html>", body);
        kumo_ts_reply_str(req, 200, HTML, html, strlen(html));
    } else {
        page(req, 404, "404 Not Found", "<h1>404 Not Found</h1>");
    }
}

const kumo_testroute kumo_routes_cookies[] = {
    {"/cookies/", h_cookies},
    {NULL, NULL},
};
