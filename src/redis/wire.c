/* wire.c - requests as they are stored in Redis (callbacks by name, kumo's packed encoding)
 * and the start urls scrapy-redis feeds (a url or a JSON object). */
#include "redis/wire.h"
#include "core/spider.h"
#include "http/request.h"
#include "util/json.h"

int kumo__redis_wire_encode(kumo_spider *sp, kumo_request *req, kumo_buf *out, char *why,
                            size_t n)
{
    const char *cb = req->cb ? kumo__spider_callback_name(sp, req->cb) : "";
    kumo_errback_fn ebfn = kumo__request_errback(req);
    const char *eb = ebfn ? kumo__spider_errback_name(sp, ebfn) : "";
    if (!cb || !eb) {
        snprintf(why, n, "its %s is not one of the spider's", cb ? "errback" : "callback");
        return KUMO_EINVAL;
    }
    size_t mark = out->len;
    kumo__buf_add(out, cb, strlen(cb) + 1);
    kumo__buf_add(out, eb, strlen(eb) + 1);
    kumo_callback_fn cbfn = req->cb;
    req->cb = NULL;                 /* the pointers stay out of the stored form */
    kumo_request_set_errback(req, NULL);
    int rc = kumo__request_pack(req, out);
    req->cb = cbfn;
    kumo_request_set_errback(req, ebfn);
    if (rc != KUMO_OK) {
        out->len = mark;
        if (out->s)
            out->s[mark] = '\0';
        snprintf(why, n, "its meta or cb_kwargs hold an object, or its class is not stored");
    }
    return rc;
}

kumo_request *kumo__redis_wire_decode(const kumo_spider_def *def, const void *p, size_t len,
                                      char *why, size_t n)
{
    const char *s = p;
    const char *cb = memchr(s, '\0', len);
    const char *eb = cb ? memchr(cb + 1, '\0', len - (size_t)(cb + 1 - s)) : NULL;
    if (!eb) {
        snprintf(why, n, "no callback names");
        return NULL;
    }
    cb = s;
    const char *ebname = s + strlen(s) + 1;
    kumo_callback_fn cbfn = *cb ? kumo__spider_def_callback(def, cb) : NULL;
    kumo_errback_fn ebfn = *ebname ? kumo__spider_def_errback(def, ebname) : NULL;
    if ((*cb && !cbfn) || (*ebname && !ebfn)) {
        snprintf(why, n, "the spider has no %s '%s'", *cb && !cbfn ? "callback" : "errback",
                 *cb && !cbfn ? cb : ebname);
        return NULL;
    }
    const char *body = eb + 1;
    kumo_request *req = kumo__request_unpack(body, len - (size_t)(body - s));
    if (!req) {
        snprintf(why, n, "malformed request encoding");
        return NULL;
    }
    if (req->cb || kumo__request_errback(req)) {  /* stored pointers are never trusted */
        kumo_request_unref(req);
        snprintf(why, n, "malformed request encoding");
        return NULL;
    }
    req->cb = cbfn;
    kumo_request_set_errback(req, ebfn);
    return req;
}

/* A url string: printable, no blanks, not empty. */
static bool plain_url(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
            return false;
    return true;
}

kumo_request *kumo__redis_start_url_decode(const char *s, size_t len, char *why, size_t n)
{
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    int err = KUMO_EINVAL;
    kumo_request *req = NULL;
    if (len && *s != '{') {
        if (!plain_url(s, len)) {
            snprintf(why, n, "not a url nor a JSON object");
            return NULL;
        }
        char *url = kumo_strndup(s, len, KUMO_T_STR, KUMO_V_NONE);
        req = kumo_request_new(url, NULL, &err);
        if (!req)
            snprintf(why, n, "bad url '%s': %s", url, kumo_strerror(err));
        kumo_free(url);
        if (req)
            req->dont_filter = true;
        return req;
    }
    kumo_value v;
    char jerr[128];
    if (kumo__json_parse(s, len, &v, jerr, sizeof(jerr)) != KUMO_OK) {
        snprintf(why, n, "bad JSON: %s", jerr);
        return NULL;
    }
    const kumo_value *url = kumo__json_get(&v, "url");
    const kumo_value *method = kumo__json_get(&v, "method");
    const kumo_value *meta = kumo__json_get(&v, "meta");
    if (!url || url->type != KUMO_VAL_STR) {
        snprintf(why, n, "no \"url\" string in the JSON object");
    } else if (method && method->type != KUMO_VAL_STR && method->type != KUMO_VAL_NONE) {
        snprintf(why, n, "\"method\" is not a string");
    } else if (meta && meta->type != KUMO_VAL_LIST && meta->type != KUMO_VAL_NONE) {
        snprintf(why, n, "\"meta\" is not an object");
    } else {
        req = kumo_request_new(url->u.str.s, NULL, &err);
        if (!req)
            snprintf(why, n, "bad url '%s': %s", url->u.str.s, kumo_strerror(err));
    }
    if (req) {
        req->dont_filter = true;
        if (method && method->type == KUMO_VAL_STR)
            kumo_request_set_method(req, method->u.str.s);
        for (size_t i = 0; meta && meta->type == KUMO_VAL_LIST && i < meta->u.list->len; i++) {
            const kumo_value *pair = &meta->u.list->v[i];
            if (pair->type == KUMO_VAL_LIST && pair->u.list->len == 2 &&
                pair->u.list->v[0].type == KUMO_VAL_STR)
                kumo_map_set(&req->meta, pair->u.list->v[0].u.str.s,
                             kumo_val_copy(&pair->u.list->v[1]));
        }
    }
    kumo_val_clear(&v);
    return req;
}

void kumo__redis_fp_split(const unsigned char fp[20], unsigned *bucket, uint64_t *value)
{
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | fp[i];
    *bucket = (unsigned)(h >> 50);
    *value = h & ((UINT64_C(1) << 50) - 1);
}
