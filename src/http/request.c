/* request.c - the Request object: url, method, headers, body, callback, meta. */
#include "http/request.h"
#include "http/fingerprint.h"
#include "http/url.h"

static void retain(kumo_ref *r)
{
    kumo_request_ref((kumo_request *)r);
}

static void release(kumo_ref *r)
{
    kumo_request_unref((kumo_request *)r);
}

/* Request is the root of the request classes: give it the shared-object verbs. */
static void set_class_ops(void)
{
    KUMO_CLASS(Request).retain = retain;
    KUMO_CLASS(Request).release = release;
}

static kumo_request *alloc_request(void)
{
    if (!KUMO_CLASS(Request).retain)
        set_class_ops();
    kumo_request *req = kumo_calloc(1, sizeof(*req), KUMO_T_REQUEST, KUMO_V_NONE);
    kumo_ref_init(&req->ref, &KUMO_CLASS(Request));
    req->refcount = 1;
    req->headers = kumo_headers_new();
    kumo_map_init(&req->meta, KUMO_T_DICT, KUMO_V_META);
    return req;
}

kumo_request *kumo_request_new(const char *url, kumo_callback_fn cb, int *err)
{
    int rc = url ? kumo_url_check(url) : KUMO_EURL;
    if (err)
        *err = rc;
    if (rc != KUMO_OK)
        return NULL;
    kumo_request *req = alloc_request();
    req->url = kumo_strdup(url, KUMO_T_STR, KUMO_V_URL);
    req->method = kumo_strdup("GET", KUMO_T_STR, KUMO_V_DICT);
    req->cb = cb;
    return req;
}

kumo_request *kumo_request_copy(const kumo_request *src)
{
    kumo_request *req = alloc_request();
    req->url = kumo_strdup(src->url, KUMO_T_STR, KUMO_V_URL);
    req->method = kumo_strdup(src->method, KUMO_T_STR, KUMO_V_DICT);
    kumo_headers_free(req->headers);
    req->headers = kumo_headers_copy(src->headers);
    if (src->body)
        kumo_request_set_body(req, src->body, src->body_len);
    req->cb = src->cb;
    req->priority = src->priority;
    req->dont_filter = src->dont_filter;
    kumo_map_copy(&req->meta, &src->meta);
    return req;
}

kumo_request *kumo_request_ref(kumo_request *req)
{
    kumo_assert(req->refcount > 0);
    req->refcount++;
    return req;
}

void kumo_request_unref(kumo_request *req)
{
    if (!req)
        return;
    kumo_assert(req->refcount > 0);
    if (--req->refcount)
        return;
    kumo_ref_fini(&req->ref);
    kumo_free(req->url);
    kumo_free(req->method);
    kumo_free(req->body);
    kumo_headers_free(req->headers);
    kumo_map_release(&req->meta);
    kumo_free(req);
}

const char *kumo_request_url(const kumo_request *req)
{
    return req->url;
}

void kumo_request_set_url(kumo_request *req, const char *url)
{
    char *u = kumo_strdup(url, KUMO_T_STR, KUMO_V_URL);
    kumo_free(req->url);
    req->url = u;
    req->fp_done = false;
}

const char *kumo_request_method(const kumo_request *req)
{
    return req->method;
}

void kumo_request_set_method(kumo_request *req, const char *method)
{
    char *m = kumo_strdup(method, KUMO_T_STR, KUMO_V_DICT);
    for (char *p = m; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    kumo_free(req->method);
    req->method = m;
    req->fp_done = false;
}

void kumo_request_set_body(kumo_request *req, const void *body, size_t len)
{
    kumo_free(req->body);
    req->body = NULL;
    req->body_len = 0;
    if (body && len) {
        req->body = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
        memcpy(req->body, body, len);
        req->body[len] = '\0';
        req->body_len = len;
    }
    req->fp_done = false;
}

kumo_headers *kumo_request_headers(kumo_request *req)
{
    return req->headers;
}

kumo_map *kumo_request_meta(kumo_request *req)
{
    return &req->meta;
}

void kumo_request_set_priority(kumo_request *req, int priority)
{
    req->priority = priority;
}

int kumo_request_priority(const kumo_request *req)
{
    return req->priority;
}

void kumo_request_set_dont_filter(kumo_request *req, int on)
{
    req->dont_filter = on != 0;
}

void kumo_request_set_callback(kumo_request *req, kumo_callback_fn cb)
{
    req->cb = cb;
}

const unsigned char *kumo_request_fingerprint(kumo_request *req)
{
    if (!req->fp_done) {
        if (kumo_fingerprint(req->method, req->url, req->body, req->body_len, req->fp))
            memset(req->fp, 0, sizeof(req->fp));
        req->fp_done = true;
    }
    return req->fp;
}

size_t kumo_request_bytes(const kumo_request *req)
{
    /* Scrapy counts request_httprepr(): "METHOD path HTTP/1.1\r\nHost: h\r\n" + headers + body */
    return strlen(req->method) + strlen(req->url) + 12 + kumo_headers_bytes(req->headers) + 2 +
           req->body_len;
}
