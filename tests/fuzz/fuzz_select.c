/* fuzz_select.c - the selector API on an arbitrary body: css, xpath, re, urljoin and the
 * LinkExtractor, as a spider callback uses it (its selectors pooled, dropped when the
 * callback returns).
 * Input: content-type \0 css \0 xpath \0 regex \0 href \0 body (the body may hold NULs). */
#include "fuzz.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "select/css.h"
#include "select/pool.h"
#include "kumo/select.h"

static void use_list(kumo_selector_list *l, const char *re)
{
    if (!l)
        return;
    kumo_value all = kumo_list_getall(l);
    kumo_val_clear(&all);
    kumo_list_get(l, NULL);
    kumo_list_attr(l, "href");
    for (size_t i = 0; i < kumo_list_len(l) && i < 4; i++) {
        kumo_selector *s = kumo_list_at(l, i);
        kumo_sel_get(s);
        kumo_sel_xpath(s, "./@*|./text()");
        kumo_sel_re(s, re);
    }
    kumo_selector_list *m = kumo_list_re(l, re);
    if (m) {
        kumo_value v = kumo_list_getall(m);
        kumo_val_clear(&v);
    }
    kumo_list_re_first(l, re, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_in in = fuzz_in_make(data, size);
    char *ct = fuzz_field(&in), *css = fuzz_field(&in), *xp = fuzz_field(&in);
    char *re = fuzz_field(&in), *href = fuzz_field(&in);
    if (!href)
        goto out;
    size_t len = in.p <= in.end ? (size_t)(in.end - in.p) : 0;
    char *body = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    if (len)
        memcpy(body, in.p, len);
    body[len] = '\0';
    size_t mark = kumo__pool_mark();     /* a callback starts */
    int err;
    kumo_request *req = kumo_request_new("http://example.com/a/b?c=d", NULL, &err);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", ct);
    kumo_response *res = kumo__response_new(req, "http://example.com/a/b?c=d", 200, h, body,
                                           len);
    if (kumo__response_is_text(res)) {
        use_list(kumo_css(res, css), re);
        use_list(kumo_xpath(res, xp), re);
        kumo_links_free(kumo_extract_links(NULL, res));
        const char *const allow[] = {re, NULL}, *const rcss[] = {css, NULL},
                          *const rxp[] = {xp, NULL};
        kumo_link_extractor le = {.allow = allow, .restrict_css = rcss, .restrict_xpaths = rxp,
                                  .restrict_text = allow, .canonicalize = true,
                                  .unique = KUMO_NO, .strip = KUMO_NO};
        kumo_links_free(kumo_extract_links(&le, res));
        size_t tl;
        kumo_response_text(res, &tl);
        kumo_response_encoding(res);
    }
    char *j = kumo_response_urljoin(res, href);
    kumo_free(j);
    kumo__pool_drain(mark);              /* the callback returns */
    kumo_response_unref(res);
    kumo_request_unref(req);
    if (kumo__query_cached() > 1000)
        kumo__select_cleanup();
out:
    free(ct);
    free(css);
    free(xp);
    free(re);
    free(href);
    return 0;
}
