/* out.h - what a callback emits: requests and items, in order. */
#ifndef KUMO_OUT_H
#define KUMO_OUT_H

#include "kumo-int.h"

typedef struct kumo_output {
    bool is_item;
    union {
        kumo_request *req;
        kumo_item *item;
    } u;
} kumo_output;

/* Called when a kumo_out holds flush_at outputs: it hands them on (kumo__out_take()). */
typedef void (*kumo_out_flush_fn)(kumo_out *out, void *ctx);

struct kumo_out {
    kumo_spider *spider;        /* borrowed */
    kumo_output *v;             /* each entry holds one reference */
    size_t len, cap;
    kumo_out_flush_fn flush;    /* NULL: everything waits for the callback's end */
    void *flush_ctx;
    size_t flush_at;
};

void kumo__out_init(kumo_out *out, kumo_spider *spider);
/* Have flush(out, ctx) called each time out holds n outputs (while the callback runs). */
void kumo__out_flush_at(kumo_out *out, size_t n, kumo_out_flush_fn flush, void *ctx);
/* Move the outputs of from into to (initialized here, no flush hook), leaving from empty. */
void kumo__out_take(kumo_out *to, kumo_out *from);
/* Release every output not taken yet. */
void kumo__out_release(kumo_out *out);

#endif
