/* pool.c - the callback pool: one reference to each selector or list made during a callback. */
#include "select/pool.h"
#include "util/vec.h"

static _Thread_local kumo_vec pool = {.type = KUMO_T_SELECTOR, .via = KUMO_V_ACTIVE};

/* The class's release op (a subclass inherits its parent's), as kumo_val_clear() finds it. */
static void release_obj(kumo_ref *obj)
{
    const kumo_class *c = obj->cls;
    while (c && !c->release)
        c = c->parent;
    kumo_assert(c);
    c->release(obj);
}

size_t kumo__pool_mark(void)
{
    return pool.len;
}

void kumo__pool_add(kumo_ref *obj)
{
    kumo_assert(obj);
    kumo__vec_push(&pool, obj);
}

void kumo__pool_drain(size_t mark)
{
    while (pool.len > mark)
        release_obj(kumo__vec_pop(&pool));
    if (pool.len == 0)
        kumo__vec_release(&pool);
}
