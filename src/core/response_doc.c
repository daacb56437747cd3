/* response_doc.c - response.text, response.encoding, response.css()/xpath() and the parse
 * pool's hand-over: a response (http) meets its document (select) here. */
#include "core/response_doc.h"
#include "http/headers.h"
#include "select/css.h"
#include "select/encoding.h"

#define LOGGER "kumo.selector"

/* The charset label of the response's Content-Type into buf, or NULL.  The label is
 * resolved (w3lib's aliases) when the body is decoded. */
static const char *charset_of(const kumo_response *res, char *buf, size_t n)
{
    const char *ct = res->headers ? kumo_headers_get(res->headers, "Content-Type") : NULL;
    return kumo__content_type_charset(ct, buf, n);
}

/* The response's document object, made empty on first use (its text and tree come later). */
static bool is_html(const kumo_response *res)
{
    return !kumo_class_is(res->ref.cls, &KUMO_CLASS(XmlResponse));
}

void kumo__response_doc_hooks(void)
{
    kumo__response_set_doc_release(kumo__doc_unref);
}

static kumo_doc *doc_of(kumo_response *res)
{
    if (!res->doc) {
        kumo__response_doc_hooks();
        res->doc = kumo__doc_new(is_html(res));
    }
    return res->doc;
}

static const kumo_text *text_of(kumo_response *res)
{
    char cs[64];
    return kumo__doc_text(doc_of(res), res->body, res->body_len, charset_of(res, cs, sizeof(cs)));
}

kumo_doc *kumo__doc_for(kumo_response *res, int *err)
{
    if (res->doc && kumo__doc_parsed(res->doc))
        return res->doc;
    if (!kumo__response_is_text(res)) {
        if (err)
            *err = KUMO_EINVAL;
        return NULL;
    }
    char cs[64];
    int rc = kumo__doc_parse(doc_of(res), res->body, res->body_len, res->url,
                            charset_of(res, cs, sizeof(cs)));
    if (rc != KUMO_OK) {
        if (err)
            *err = rc;
        return NULL;
    }
    return res->doc;
}

bool kumo__response_parsed(const kumo_response *res)
{
    return res->doc && kumo__doc_parsed(res->doc);
}

const char *kumo_response_text(kumo_response *res, size_t *len)
{
    if (!res || !kumo__response_is_text(res)) {
        if (len)
            *len = 0;
        return NULL;
    }
    const kumo_text *t = text_of(res);
    if (len)
        *len = t->len;
    return t->s;
}

const char *kumo_response_text_head(kumo_response *res, size_t chars, size_t *len)
{
    if (!res || !kumo__response_is_text(res)) {
        if (len)
            *len = 0;
        return NULL;
    }
    char cs[64];
    const kumo_text *t = kumo__doc_text_head(doc_of(res), res->body, res->body_len,
                                             charset_of(res, cs, sizeof(cs)), chars);
    if (len)
        *len = t->len;
    return t->s;
}

void kumo_response_text_head_release(kumo_response *res)
{
    if (res && res->doc)
        kumo__doc_text_head_release(res->doc);
}

const char *kumo_response_encoding(kumo_response *res)
{
    if (!res || !kumo__response_is_text(res))
        return NULL;
    return text_of(res)->encoding;
}

/* A query over the whole response: the query is checked first, as for any selector, so an
 * invalid one is reported as such even on a body that cannot be parsed. */
static kumo_selector_list *select_all(kumo_response *res, const char *query, bool css)
{
    int err = KUMO_OK;
    kumo_doc *doc = res ? kumo__doc_for(res, &err) : NULL;
    kumo_selector_list *out = kumo__doc_select(doc, query, css);
    if (!doc && res && !kumo__select_error())
        KUMO_ERROR(LOGGER, "Cannot query '%s': response %s has no text body (%s)", query,
                   res->url, kumo_strerror(err));
    return out;
}

kumo_selector_list *kumo_css(kumo_response *res, const char *css)
{
    return select_all(res, css, true);
}

kumo_selector_list *kumo_xpath(kumo_response *res, const char *xpath)
{
    return select_all(res, xpath, false);
}

/* ---- the parse pool's hand-over ---- */

void kumo__response_parse_src(const kumo_response *res, kumo_parse_src *src)
{
    /* A middleware read response.text already (MetaRefresh does): parse that text rather
     * than decode the body a second time. */
    const kumo_text *text = res->doc ? kumo__doc_decoded(res->doc) : NULL;
    src->body = text ? text->s : res->body;
    src->len = text ? text->len : res->body_len;
    src->decoded = text != NULL;
    src->url = res->url;
    if (!charset_of(res, src->charset, sizeof(src->charset)))
        src->charset[0] = '\0';
    src->html = is_html(res);
    src->skip = kumo__response_parsed(res);
}

void kumo__response_drop_doc(kumo_response *res)
{
    kumo__doc_unref(res->doc);
    res->doc = NULL;
}

void kumo__response_adopt_doc(kumo_response *res, kumo_xmldoc d, struct kumo_arena *arena)
{
    if (d)
        kumo__doc_adopt(doc_of(res), d, arena);
    else
        kumo__doc_discard(NULL, arena);
}
