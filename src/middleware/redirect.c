/* redirect.c - the Redirect downloader middleware: follow 301, 302, 303, 307 and 308. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "http/response.h"
#include "http/url.h"

#define LOGGER "kumo.downloadermiddlewares.redirect"

/* The settings are read when a redirect happens (REDIRECT_MAX_TIMES and
 * REDIRECT_PRIORITY_ADJUST are shared with the MetaRefresh middleware). */
static int redirect_open(kumo_crawler *c, void **self)
{
    (void)self;
    if (!kumo_crawler_setting_bool(c, "REDIRECT_ENABLED"))
        return KUMO_EDECLINED;
    return KUMO_OK;
}

static void redirect_close(void *self, kumo_crawler *c)
{
    (void)self;
    (void)c;
}

/* The netloc ("user@host:port") of an absolute url: its start and length. */
static size_t netloc(const char *url, const char **start)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    *start = p;
    return strcspn(p, "/?#");
}

static bool same_netloc(const char *a, const char *b)
{
    const char *pa, *pb;
    size_t na = netloc(a, &pa), nb = netloc(b, &pb);
    return na == nb && strncasecmp(pa, pb, na) == 0;
}

/* meta[key] + [v]: a new list value (the old one copied when it is a list). */
static kumo_value list_plus(const kumo_map *meta, const char *key, kumo_value v)
{
    const kumo_value *old = kumo_map_get(meta, key);
    kumo_value l = old && old->type == KUMO_VAL_LIST ? kumo_val_copy(old) : kumo_val_list();
    kumo_val_list_push(&l, v);
    return l;
}

/*
 * Scrapy's _build_redirect_request (the Cookie header goes on a change of netloc; on the
 * same host the Cookies middleware rebuilds it from the jar), with
 * _redirect_request_using_get when to_get.
 */
static kumo_request *build(kumo_crawler *c, kumo_request *req, const char *url, bool to_get)
{
    kumo_request *nr = kumo__request_copy(req);
    kumo__request_set_url(nr, url);
    if (to_get) {
        kumo_request_set_method(nr, "GET");
        kumo_request_set_body(nr, NULL, 0);
        kumo_request_set_header(nr, "Content-Type", NULL);
        kumo_request_set_header(nr, "Content-Length", NULL);
    }
    if (kumo_headers_get(nr->headers, "Cookie") && !same_netloc(req->url, url))
        kumo_request_set_header(nr, "Cookie", NULL);
    return nr;
}

/* "302" or "meta refresh": how a reason prints in the log. */
static void reason_text(const kumo_value *reason, char *buf, size_t n)
{
    if (reason->type == KUMO_VAL_INT)
        snprintf(buf, n, "%lld", (long long)reason->u.i);
    else if (reason->type == KUMO_VAL_STR)
        snprintf(buf, n, "%s", reason->u.str.s);
    else
        snprintf(buf, n, "?");
}

int kumo__redirect_follow(kumo_crawler *c, kumo_request *req, const char *url, bool to_get,
                          kumo_value reason, kumo_request **next)
{
    char why[64];
    reason_text(&reason, why, sizeof(why));
    int check = kumo__url_check(url);
    if (check != KUMO_OK) {
        if (check == KUMO_ESCHEME) {
            KUMO_DEBUG(LOGGER, "Discarding redirect (%s) to '%s' from <%s %s>: scheme not "
                       "allowed (only http and https)", why, url, req->method, req->url);
            kumo_crawler_stats_inc(c, "downloader/redirect_scheme_dropped", 1);
        } else {
            KUMO_DEBUG(LOGGER, "Discarding <%s %s>: cannot follow redirect (%s) to '%s'",
                       req->method, req->url, why, url);
        }
        kumo_val_clear(&reason);
        return KUMO_EIGNORED;
    }

    /* Scrapy's _redirect: meta.setdefault("redirect_ttl", max) on the source request */
    int64_t max_times = kumo_crawler_setting_int(c, "REDIRECT_MAX_TIMES");
    kumo_map *meta = kumo_request_meta(req);
    if (!kumo_map_get(meta, "redirect_ttl"))
        kumo_map_set(meta, "redirect_ttl", kumo_val_int(max_times));
    int64_t ttl = kumo_map_get_int(meta, "redirect_ttl", max_times);
    int64_t times = kumo_map_get_int(meta, "redirect_times", 0) + 1;
    if (!ttl || times > max_times) {
        KUMO_DEBUG(LOGGER, "Discarding <%s %s>: max redirections reached", req->method,
                   req->url);
        kumo_val_clear(&reason);
        return KUMO_EIGNORED;
    }
    kumo_request *nr = build(c, req, url, to_get);
    kumo_map *nm = kumo_request_meta(nr);
    kumo_map_set(nm, "redirect_times", kumo_val_int(times));
    kumo_map_set(nm, "redirect_ttl", kumo_val_int(ttl - 1));
    kumo_map_set(nm, "redirect_urls", list_plus(meta, "redirect_urls", kumo_val_str(req->url)));
    kumo_map_set(nm, "redirect_reasons", list_plus(meta, "redirect_reasons", reason));
    nr->dont_filter = req->dont_filter;
    nr->priority = (int)(req->priority +
                         kumo_crawler_setting_int(c, "REDIRECT_PRIORITY_ADJUST"));
    kumo__referer_redirected(c, nr);
    KUMO_DEBUG(LOGGER, "Redirecting (%s) to <%s %s> from <%s %s>", why, nr->method, nr->url,
               req->method, req->url);
    *next = nr;
    return KUMO_EDONE;
}

static int redirect_response(void *self, kumo_crawler *c, kumo_request *req,
                             kumo_response **res, kumo_request **next)
{
    (void)self;
    kumo_map *meta = kumo_request_meta(req);
    int status = (*res)->status;
    if (kumo__meta_true(meta, "dont_redirect") ||
        kumo__list_has_int(kumo_map_get(meta, "handle_httpstatus_list"), status) ||
        kumo__meta_true(meta, "handle_httpstatus_all"))
        return KUMO_OK;
    const char *loc = kumo_headers_get((*res)->headers, "Location");
    if (!loc || (status != 301 && status != 302 && status != 303 && status != 307 &&
                 status != 308))
        return KUMO_OK;

    char *url;
    if (loc[0] == '/' && loc[1] == '/') {
        /* scheme-relative: Scrapy glues the request's scheme on, slashes stripped */
        const char *colon = strstr(req->url, "://");
        size_t sl = colon ? (size_t)(colon - req->url) : 4;
        while (*loc == '/')
            loc++;
        size_t len = sl + 3 + strlen(loc) + 1;
        char *abs = kumo_alloc(len, KUMO_T_STR, KUMO_V_URL);
        snprintf(abs, len, "%.*s://%s", (int)sl, colon ? req->url : "http", loc);
        url = kumo__url_join(req->url, abs);
        kumo_free(abs);
    } else {
        url = kumo__url_join(req->url, loc);
    }
    if (!url) {
        KUMO_DEBUG(LOGGER, "Discarding <%s %s>: cannot follow redirect (%d) to '%s'",
                   req->method, req->url, status, loc);
        return KUMO_EIGNORED;
    }
    bool to_get = strcmp(req->method, "HEAD") != 0 &&
                  (status == 302 || status == 303 ||
                   (status == 301 && strcmp(req->method, "POST") == 0));
    int rc = kumo__redirect_follow(c, req, url, to_get, kumo_val_int(status), next);
    kumo_free(url);
    return rc;
}

const kumo_dlmw_def kumo__dlmw_redirect = {
    KUMO_DLMW_HEADER,
    .name = "Redirect",
    .order = 600,
    .open = redirect_open,
    .close = redirect_close,
    .process_response = redirect_response,
};
