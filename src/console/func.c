/* func.c - the console's built-in functions and bound methods: calls, __name__, repr and
 * equality (the same function bound to equal selves). */
#include "console/func.h"

static cval *func_call(cv_ctx *c, cval *f, const cv_args *a)
{
    return f->u.fn.fn(c, f->u.fn.self, a);
}

static cval *func_getattr(cv_ctx *c, cval *self, const char *name)
{
    if (strcmp(name, "__name__") == 0)
        return cv_str(self->u.fn.name);
    return NULL;
}

static int func_repr(cv_ctx *c, cval *v, kumo_buf *b)
{
    if (v->u.fn.self)
        return cv_writef(c, b, "<built-in method %s of %s object at %p>", v->u.fn.name,
                         cv_type_name(v->u.fn.self), (void *)v->u.fn.self);
    return cv_writef(c, b, "<built-in function %s>", v->u.fn.name);
}

static int func_equal(cv_ctx *c, cval *a, cval *b)
{
    if (a == b)
        return 1;
    if (a->type != b->type)
        return 0;
    return a->u.fn.fn == b->u.fn.fn &&
           (a->u.fn.self == b->u.fn.self ||
            (a->u.fn.self && b->u.fn.self && cv_equal(c, a->u.fn.self, b->u.fn.self) == 1));
}

const cv_vtable cv_func_type = {
    .name = "builtin_function_or_method", .getattr = func_getattr, .repr = func_repr,
    .call = func_call, .equal = func_equal,
};
