/* links.c - response.urljoin(), follow() and follow_all() (with Scrapy's **kwargs): links
 * resolved against the page. */
#include "core/response_doc.h"
#include "http/response.h"
#include "http/url.h"
#include "select/css.h"

#define LOGGER "kumo.selector"

/* The base links resolve against: the <base href> (resolved), else the response url. */
static const char *base_of(kumo_response *res)
{
    if (!res->base_done) {
        res->base_done = true;
        int err = KUMO_OK;
        kumo_doc *doc = kumo__response_is_text(res) ? kumo__doc_for(res, &err) : NULL;
        const char *href = doc ? kumo__doc_base_href(doc) : NULL;
        if (href && *href)
            res->base_url = kumo__url_join(res->url, href);
    }
    return res->base_url ? res->base_url : res->url;
}

char *kumo_response_urljoin(kumo_response *res, const char *href)
{
    if (!res || !href)
        return NULL;
    /* urllib's urljoin(base, ""): the base itself, fragment included. */
    if (!*href)
        return kumo_strdup(base_of(res), KUMO_T_STR, KUMO_V_URL);
    return kumo__url_join(base_of(res), href);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

kumo_request *kumo_response_follow(kumo_response *res, const char *href, kumo_callback_fn cb)
{
    if (!res || !href)
        return NULL;
    while (is_space(*href))
        href++;
    size_t n = strlen(href);
    while (n && is_space(href[n - 1]))
        n--;
    if (n == 0) {
        KUMO_DEBUG(LOGGER, "Ignoring empty link on %s", res->url);
        return NULL;
    }
    char *link = kumo_strndup(href, n, KUMO_T_STR, KUMO_V_URL);
    char *scheme = kumo__url_scheme(link);
    kumo_request *req = NULL;
    if (scheme && strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        KUMO_DEBUG(LOGGER, "Ignoring link with scheme %s: %s", scheme, link);
    } else {
        char *url = kumo_response_urljoin(res, link);
        int err = KUMO_EURL;
        if (url)
            req = kumo_request_new(url, cb, &err);
        if (!req)
            KUMO_DEBUG(LOGGER, "Ignoring link %s (%s): %s", link, url ? url : "unresolved",
                       kumo_strerror(err));
        kumo_free(url);
    }
    kumo_free(scheme);
    kumo_free(link);
    return req;
}

kumo_request *kumo_response_follow_with(kumo_response *res, const char *href,
                                        kumo_callback_fn cb, const kumo_follow_opts *opts)
{
    kumo_request *req = kumo_response_follow(res, href, cb);
    if (!req || !opts)
        return req;
    if (opts->meta)
        kumo_map_copy(kumo_request_meta(req), opts->meta);
    if (opts->cb_kwargs)
        kumo_map_copy(kumo_request_cb_kwargs(req), opts->cb_kwargs);
    if (opts->errback)
        kumo_request_set_errback(req, opts->errback);
    if (opts->priority)
        kumo_request_set_priority(req, opts->priority);
    if (opts->dont_filter)
        kumo_request_set_dont_filter(req, 1);
    return req;
}

void kumo_follow(kumo_out *out, kumo_response *res, const char *href, kumo_callback_fn cb)
{
    kumo_yield_request(out, kumo_response_follow(res, href, cb));
}

void kumo_follow_with(kumo_out *out, kumo_response *res, const char *href, kumo_callback_fn cb,
                      const kumo_follow_opts *opts)
{
    kumo_yield_request(out, kumo_response_follow_with(res, href, cb, opts));
}

size_t kumo_follow_list(kumo_out *out, kumo_response *res, kumo_selector_list *list,
                        kumo_callback_fn cb)
{
    return kumo_follow_list_with(out, res, list, cb, NULL);
}

size_t kumo_follow_list_with(kumo_out *out, kumo_response *res, kumo_selector_list *list,
                             kumo_callback_fn cb, const kumo_follow_opts *opts)
{
    size_t n = 0;
    for (size_t i = 0; res && i < kumo_list_len(list); i++) {
        const char *what;
        const char *href = kumo__sel_link(kumo_list_at(list, i), &what);
        if (!href) {
            KUMO_DEBUG(LOGGER, "Ignoring <%s> without a link on %s (only <a> and <link> "
                       "elements with href are followed)", what, res->url);
            continue;
        }
        kumo_request *req = kumo_response_follow_with(res, href, cb, opts);
        if (req) {
            kumo_yield_request(out, req);
            n++;
        }
    }
    return n;
}

size_t kumo_follow_all(kumo_out *out, kumo_response *res, const char *css, kumo_callback_fn cb)
{
    return kumo_follow_all_with(out, res, css, cb, NULL);
}

size_t kumo_follow_all_xpath(kumo_out *out, kumo_response *res, const char *xpath,
                             kumo_callback_fn cb)
{
    return kumo_follow_all_xpath_with(out, res, xpath, cb, NULL);
}

size_t kumo_follow_all_with(kumo_out *out, kumo_response *res, const char *css,
                            kumo_callback_fn cb, const kumo_follow_opts *opts)
{
    if (!res)
        return 0;
    return kumo_follow_list_with(out, res, kumo_css(res, css), cb, opts);
}

size_t kumo_follow_all_xpath_with(kumo_out *out, kumo_response *res, const char *xpath,
                                  kumo_callback_fn cb, const kumo_follow_opts *opts)
{
    if (!res)
        return 0;
    return kumo_follow_list_with(out, res, kumo_xpath(res, xpath), cb, opts);
}
