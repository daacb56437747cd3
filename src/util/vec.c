/* vec.c - a growable array of pointers. */
#include "util/vec.h"

void kumo__vec_init(kumo_vec *v, kumo_tag type, kumo_tag via)
{
    *v = (kumo_vec){.type = type, .via = via};
}

void kumo__vec_release(kumo_vec *v)
{
    kumo_free(v->v);
    v->v = NULL;
    v->len = v->cap = 0;
}

void kumo__vec_push(kumo_vec *v, void *p)
{
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 8;
        v->v = kumo_realloc(v->v, v->cap * sizeof(*v->v), v->type, v->via);
    }
    v->v[v->len++] = p;
}

void *kumo__vec_pop(kumo_vec *v)
{
    return v->len ? v->v[--v->len] : NULL;
}
