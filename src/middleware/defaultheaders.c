/* defaultheaders.c - the DefaultHeaders downloader middleware: DEFAULT_REQUEST_HEADERS. */
#include "middleware/mw.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "http/headers.h"
#include "util/json.h"

/* The headers to set, as name, value pairs. */
typedef struct dh {
    kumo_headers *h;
} dh;

/* Text of a JSON value for a header; NULL for None (Scrapy's without_none_values). */
static const char *value_text(const kumo_value *v, char *num, size_t len)
{
    switch (v->type) {
    case KUMO_VAL_STR:
        return v->u.str.s;
    case KUMO_VAL_INT:
        snprintf(num, len, "%lld", (long long)v->u.i);
        return num;
    case KUMO_VAL_FLOAT:
        snprintf(num, len, "%.17g", v->u.f);
        return num;
    case KUMO_VAL_BOOL:
        return v->u.b ? "True" : "False";
    default:
        return NULL;
    }
}

static void add_value(kumo_headers *h, const char *name, const kumo_value *v)
{
    char num[64];
    if (v->type == KUMO_VAL_LIST) {
        for (size_t i = 0; i < v->u.list->len; i++)
            add_value(h, name, &v->u.list->v[i]);
        return;
    }
    const char *s = value_text(v, num, sizeof(num));
    if (s)
        kumo_headers_add(h, name, s);
}

static int dh_open(kumo_crawler *c, void **self)
{
    const char *text = kumo_crawler_setting(c, "DEFAULT_REQUEST_HEADERS");
    dh *d = kumo_calloc(1, sizeof(*d), KUMO_T_MIDDLEWARE, KUMO_V_DICT);
    d->h = kumo__headers_new();
    *self = d;
    if (!text || !*text)
        return KUMO_OK;
    kumo_value val;
    char msg[128];
    if (kumo__json_parse(text, strlen(text), &val, msg, sizeof(msg)) != KUMO_OK) {
        KUMO_ERROR("kumo.downloadermiddlewares.defaultheaders",
                   "invalid DEFAULT_REQUEST_HEADERS: %s", msg);
        return KUMO_EINVAL;
    }
    int rc = val.type == KUMO_VAL_LIST ? KUMO_OK : KUMO_EINVAL;
    for (size_t i = 0; rc == KUMO_OK && i < val.u.list->len; i++) {
        const kumo_value *pair = &val.u.list->v[i];
        if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2 ||
            pair->u.list->v[0].type != KUMO_VAL_STR) {
            rc = KUMO_EINVAL;
            break;
        }
        add_value(d->h, pair->u.list->v[0].u.str.s, &pair->u.list->v[1]);
    }
    if (rc != KUMO_OK)
        KUMO_ERROR("kumo.downloadermiddlewares.defaultheaders",
                   "invalid DEFAULT_REQUEST_HEADERS: expected a JSON object");
    kumo_val_clear(&val);
    return rc;
}

static void dh_close(void *self, kumo_crawler *c)
{
    (void)c;
    dh *d = self;
    if (!d)
        return;
    kumo__headers_free(d->h);
    kumo_free(d);
}

static int dh_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                      kumo_request **next)
{
    (void)c, (void)res, (void)next;
    const dh *d = self;
    kumo_headers *h = kumo_request_headers(req);
    size_t n = kumo_headers_count(d->h);
    for (size_t i = 0; i < n; i++) {
        const char *name, *value, *pn, *pv;
        kumo_headers_at(d->h, i, &name, &value);
        bool first = true;
        for (size_t j = 0; j < i && first; j++) {
            kumo_headers_at(d->h, j, &pn, &pv);
            first = strcasecmp(pn, name) != 0;
        }
        /* setdefault: every value of a name the request does not have yet */
        if (!first || kumo_headers_get(h, name))
            continue;
        for (size_t j = i; j < n; j++) {
            kumo_headers_at(d->h, j, &pn, &pv);
            if (strcasecmp(pn, name) == 0)
                kumo_headers_add(h, pn, pv);
        }
    }
    return KUMO_OK;
}

const kumo_dlmw_def kumo__dlmw_defaultheaders = {
    KUMO_DLMW_HEADER,
    .name = "DefaultHeaders",
    .order = 400,
    .open = dh_open,
    .close = dh_close,
    .process_request = dh_request,
};
