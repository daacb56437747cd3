/* vec.h - a growable array of pointers. */
#ifndef KUMO_VEC_H
#define KUMO_VEC_H

#include "kumo-int.h"

typedef struct kumo_vec {
    void **v;
    size_t len, cap;
    kumo_tag type, via;
} kumo_vec;

void kumo__vec_init(kumo_vec *v, kumo_tag type, kumo_tag via);
void kumo__vec_release(kumo_vec *v);
void kumo__vec_push(kumo_vec *v, void *p);
void *kumo__vec_pop(kumo_vec *v);

#endif
