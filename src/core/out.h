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

struct kumo_out {
    kumo_spider *spider;        /* borrowed */
    kumo_output *v;             /* each entry holds one reference */
    size_t len, cap;
};

void kumo__out_init(kumo_out *out, kumo_spider *spider);
/* Release every output not taken yet. */
void kumo__out_release(kumo_out *out);

#endif
