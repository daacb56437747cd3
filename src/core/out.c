/* out.c - the callback output buffer. */
#include "core/out.h"

void kumo__out_init(kumo_out *out, kumo_spider *spider)
{
    *out = (kumo_out){.spider = spider};
}

void kumo__out_flush_at(kumo_out *out, size_t n, kumo_out_flush_fn flush, void *ctx)
{
    out->flush = flush;
    out->flush_ctx = ctx;
    out->flush_at = n;
}

void kumo__out_take(kumo_out *to, kumo_out *from)
{
    *to = (kumo_out){.spider = from->spider, .v = from->v, .len = from->len, .cap = from->cap};
    from->v = NULL;
    from->len = from->cap = 0;
}

void kumo__out_release(kumo_out *out)
{
    for (size_t i = 0; i < out->len; i++) {
        if (out->v[i].is_item)
            kumo_item_unref(out->v[i].u.item);
        else
            kumo_request_unref(out->v[i].u.req);
    }
    kumo_free(out->v);
    out->v = NULL;
    out->len = out->cap = 0;
}

static void push(kumo_out *out, kumo_output o)
{
    if (out->len == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 16;
        out->v = kumo_realloc(out->v, out->cap * sizeof(*out->v), KUMO_T_LIST, KUMO_V_NONE);
    }
    out->v[out->len++] = o;
    if (out->flush && out->len >= out->flush_at)
        out->flush(out, out->flush_ctx);
}

void kumo_yield_request(kumo_out *out, kumo_request *req)
{
    if (req)
        push(out, (kumo_output){.is_item = false, .u.req = req});
}

void kumo_yield_item(kumo_out *out, kumo_item *item)
{
    if (item)
        push(out, (kumo_output){.is_item = true, .u.item = item});
}

kumo_spider *kumo_out_spider(kumo_out *out)
{
    return out->spider;
}
