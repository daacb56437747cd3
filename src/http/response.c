/* response.c - the Response object; its class follows Content-Type as in Scrapy. */
#include "http/response.h"
#include "http/request.h"
#include "http/url.h"

static void retain(kumo_ref *r)
{
    kumo_response_ref((kumo_response *)r);
}

static void release(kumo_ref *r)
{
    kumo_response_unref((kumo_response *)r);
}

/* What a response holds: the request it answers. */
static void refs(const kumo_ref *r, kumo_ref_visit_fn visit, void *ctx)
{
    const kumo_response *res = (const kumo_response *)r;
    if (res->request)
        visit(ctx, ".request", &res->request->ref);
}

static unsigned refcount(const kumo_ref *r)
{
    return ((const kumo_response *)r)->refcount;
}

/* Scrapy's repr of a response: "<200 https://a.test/>". */
static size_t repr(const kumo_ref *r, char *out, size_t cap)
{
    const kumo_response *res = (const kumo_response *)r;
    int n = snprintf(out, cap, "<%d %s>", res->status, res->url);
    return n < 0 ? 0 : (size_t)n;
}

/* Scrapy's responsetypes.CLASSES, most specific first. */
static const struct {
    const char *mime;
    kumo_class *cls;
} mime_classes[] = {
    {"text/html", &KUMO_CLASS(HtmlResponse)},
    {"application/xhtml+xml", &KUMO_CLASS(HtmlResponse)},
    {"application/vnd.wap.xhtml+xml", &KUMO_CLASS(HtmlResponse)},
    {"application/atom+xml", &KUMO_CLASS(XmlResponse)},
    {"application/rdf+xml", &KUMO_CLASS(XmlResponse)},
    {"application/rss+xml", &KUMO_CLASS(XmlResponse)},
    {"application/xml", &KUMO_CLASS(XmlResponse)},
    {"text/xml", &KUMO_CLASS(XmlResponse)},
    {"application/json", &KUMO_CLASS(TextResponse)},
    {"application/x-json", &KUMO_CLASS(TextResponse)},
    {"application/javascript", &KUMO_CLASS(TextResponse)},
    {"application/x-javascript", &KUMO_CLASS(TextResponse)},
    {"text/", &KUMO_CLASS(TextResponse)},   /* prefix: any other text type */
};

static const struct {
    const char *ext;
    kumo_class *cls;
} ext_classes[] = {
    {".html", &KUMO_CLASS(HtmlResponse)}, {".htm", &KUMO_CLASS(HtmlResponse)},
    {".xhtml", &KUMO_CLASS(HtmlResponse)}, {".xml", &KUMO_CLASS(XmlResponse)},
    {".rss", &KUMO_CLASS(XmlResponse)},   {".txt", &KUMO_CLASS(TextResponse)},
    {".json", &KUMO_CLASS(TextResponse)}, {".csv", &KUMO_CLASS(TextResponse)},
};

static kumo_class *class_for_mime(const char *ct)
{
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(mime_classes); i++) {
        size_t m = strlen(mime_classes[i].mime);
        bool prefix = mime_classes[i].mime[m - 1] == '/';
        if ((prefix ? n >= m : n == m) && strncasecmp(ct, mime_classes[i].mime, m) == 0)
            return mime_classes[i].cls;
    }
    return NULL;
}

static kumo_class *class_for_url(const char *url)
{
    size_t n = strcspn(url, "?#");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(ext_classes); i++) {
        size_t m = strlen(ext_classes[i].ext);
        if (n >= m && strncasecmp(url + n - m, ext_classes[i].ext, m) == 0)
            return ext_classes[i].cls;
    }
    return NULL;
}

kumo_class *kumo__response_class_for(const char *content_type, const char *url)
{
    kumo_class *c = NULL;
    if (content_type && strncasecmp(content_type, "application/octet-stream", 24) != 0)
        c = class_for_mime(content_type);
    if (!c && url && (!content_type || !*content_type ||
                      strncasecmp(content_type, "application/octet-stream", 24) == 0))
        c = class_for_url(url);
    return c ? c : &KUMO_CLASS(Response);
}

kumo_response *kumo__response_new(kumo_request *req, const char *url, int status,
                                 kumo_headers *headers, char *body, size_t body_len)
{
    if (!KUMO_CLASS(Response).retain) {
        KUMO_CLASS(Response).retain = retain;
        KUMO_CLASS(Response).release = release;
        KUMO_CLASS(Response).repr = repr;
        KUMO_CLASS(Response).refs = refs;
        KUMO_CLASS(Response).refcount = refcount;
    }
    kumo_response *res = kumo_calloc(1, sizeof(*res), KUMO_T_RESPONSE, KUMO_V_NONE);
    const char *ct = headers ? kumo_headers_get(headers, "Content-Type") : NULL;
    kumo_ref_init(&res->ref, kumo__response_class_for(ct, url));
    res->refcount = 1;
    res->url = kumo_strdup(url, KUMO_T_STR, KUMO_V_URL);
    res->status = status;
    res->headers = headers ? headers : kumo__headers_new();
    if (!body) {
        body = kumo_alloc(1, KUMO_T_BYTES, KUMO_V_BODY);
        body_len = 0;
    }
    body[body_len] = '\0';
    res->body = body;
    res->body_len = body_len;
    res->request = req ? kumo_request_ref(req) : NULL;
    return res;
}

/* Releases a response's document: set by the floor that makes documents (core), so that
 * http never names select. */
static void (*doc_release)(kumo_doc *doc);

void kumo__response_set_doc_release(void (*fn)(kumo_doc *doc))
{
    if (doc_release != fn)      /* once: parse threads read it */
        doc_release = fn;
}

kumo_response *kumo_response_ref(kumo_response *res)
{
    kumo_assert(res->refcount > 0);
    res->refcount++;
    return res;
}

void kumo_response_unref(kumo_response *res)
{
    if (!res)
        return;
    kumo_assert(res->refcount > 0);
    if (--res->refcount)
        return;
    kumo_ref_fini(&res->ref);
    if (res->doc)
        doc_release(res->doc);
    kumo_request_unref(res->request);
    kumo__headers_free(res->headers);
    kumo_free(res->body);
    kumo_free(res->url);
    kumo_free(res->base_url);
    kumo_free(res->ip);
    kumo_free(res);
}

bool kumo__response_is_text(const kumo_response *res)
{
    return kumo_class_is(res->ref.cls, &KUMO_CLASS(TextResponse));
}

const char *kumo_response_url(const kumo_response *res)
{
    return res->url;
}

int kumo_response_status(const kumo_response *res)
{
    return res->status;
}

const kumo_headers *kumo_response_headers(const kumo_response *res)
{
    return res->headers;
}

const char *kumo_response_body(const kumo_response *res, size_t *len)
{
    if (len)
        *len = res->body_len;
    return res->body;
}

kumo_request *kumo_response_request(const kumo_response *res)
{
    return res->request;
}

kumo_map *kumo_response_meta(const kumo_response *res)
{
    return res->request ? &res->request->meta : NULL;
}

const char *kumo__response_flags_str(const kumo_response *res)
{
    return res->flags & KUMO_RESPONSE_CACHED ? " ['cached']" : "";
}

kumo_map *kumo_response_cb_kwargs(const kumo_response *res)
{
    return res->request ? kumo_request_cb_kwargs(res->request) : NULL;
}

const kumo_class *kumo_response_class(const kumo_response *res)
{
    return res->ref.cls;
}

kumo_value kumo_val_response(kumo_response *res)
{
    return kumo_val_obj(&res->ref);
}

int kumo_response_depth(const kumo_response *res)
{
    return res->request ? (int)kumo_map_get_int(&res->request->meta, "depth", 0) : 0;
}

kumo_spider *kumo_response_spider(kumo_response *res)
{
    return res->spider;
}
