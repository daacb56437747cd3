/* links.c - response.urljoin(), follow() and follow_all() (with Scrapy's **kwargs): links
 * resolved against the page. */
#include "core/response_doc.h"
#include "http/response.h"
#include "http/url.h"
#include "select/css.h"
#include "select/regex.h"
#include "util/buf.h"
#include "util/utf8.h"

#define LOGGER "kumo.selector"

/* Scrapy's get_base_url() reads response.text[0:4096]: characters, not bytes. */
#define BASE_CHARS 4096

/* w3lib.html's _baseurl_re (re.I): a quoted href only, the last one of the first <base>
 * tag that has one ([^>]* is greedy). */
static const char re_base[] = "<base\\s[^>]*href\\s*=\\s*[\"']\\s*([^\"'\\s]+)\\s*[\"']";

static void take_href(void *ctx, const char *s, size_t n)
{
    kumo_buf *g = ctx;          /* group 0 first, then the href: keep the last */
    kumo__buf_reset(g);
    kumo__buf_add(g, s, n);
}

/*
 * The base links resolve against: Scrapy's get_base_url(response), w3lib's
 * get_base_url(response.text[0:4096], response.url) (comments removed, then _baseurl_re:
 * a <base> later in the page, in a comment or with an unquoted href is not one, one in a
 * script's string is), joined with the response url; else the response url.  From the
 * start of the text alone: no parse.
 */
static const char *base_of(kumo_response *res)
{
    if (res->base_done)
        return res->base_url ? res->base_url : res->url;
    res->base_done = true;
    size_t len;
    const char *text = kumo__response_is_text(res) ? kumo_response_text_head(res, BASE_CHARS,
                                                                              &len) : NULL;
    if (!text)
        return res->url;
    /* "<ba" in any case, whose letters have no other case in Unicode ("s" has: U+017F),
     * looked for before the 4,096 characters are counted: most pages have none */
    const char *p = text, *end = text + KUMO_MIN(len, 4 * (size_t)BASE_CHARS);
    while ((p = memchr(p, '<', (size_t)(end - p))) && !(end - p >= 3 && (p[1] | 0x20) == 'b' &&
                                                          (p[2] | 0x20) == 'a'))
        p++;
    size_t cut = p ? kumo__utf8_prefix(text, len, BASE_CHARS) : 0;
    if (p && (size_t)(p - text) < cut) {
        char *clean = kumo__remove_comments(text, cut);
        const kumo_regex *re = kumo__regex_get(re_base, KUMO_RE_I, NULL);
        kumo_buf href;
        kumo__buf_init(&href, 0, KUMO_T_STR, KUMO_V_URL);
        kumo_assert(re);
        if (kumo__regex_search_groups(re, clean ? clean : text, clean ? strlen(clean) : cut,
                                      take_href, &href))
            res->base_url = kumo__url_join(res->url, kumo__buf_str(&href));
        kumo__buf_release(&href);
        kumo_free(clean);
    }
    kumo_response_text_head_release(res);
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
