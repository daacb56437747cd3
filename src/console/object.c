/* object.c - the console's object protocol: each operation asks the value's type table,
 * and gives Python's default or error when the type has no hook for it. */
#include "console/object.h"

static const cv_vtable *builtin_types[CV_NATIVE];

void cv_type_register(cv_type t, const cv_vtable *vt)
{
    kumo_assert(t < CV_NATIVE);
    builtin_types[t] = vt;
}

const cv_vtable *cv_type_of(const cval *v)
{
    if (v->type == CV_NATIVE)
        return v->u.nat.vt;
    const cv_vtable *t = builtin_types[v->type];
    kumo_assert(t != NULL);     /* ce_init() registers the built-in types */
    return t;
}

const char *cv_type_name(cval *v)
{
    const cv_vtable *t = cv_type_of(v);
    const char *n = t->tname ? t->tname(v) : NULL;
    return n ? n : t->name;
}

/* ---------------------------------------------------------------- attributes, items, calls */

cval *cv_getattr(cv_ctx *c, cval *obj, const char *name)
{
    const cv_vtable *t = cv_type_of(obj);
    if (t->getattr) {
        cval *r = t->getattr(c, obj, name);
        if (r || c->etype)
            return r;
    }
    for (const cv_method *m = t->methods; m && m->name; m++)
        if (strcmp(m->name, name) == 0)
            return cv_func(m->name, m->fn, obj);
    return cv_raise(c, "AttributeError", "'%s' object has no attribute '%s'", cv_type_name(obj),
                    name);
}

cval *cv_getitem(cv_ctx *c, cval *obj, cval *key)
{
    const cv_vtable *t = cv_type_of(obj);
    if (t->getitem)
        return t->getitem(c, obj, key);
    return cv_raise(c, "TypeError", "'%s' object is not subscriptable", cv_type_name(obj));
}

cval *cv_call(cv_ctx *c, cval *f, const cv_args *a)
{
    const cv_vtable *t = cv_type_of(f);
    if (t->call)
        return t->call(c, f, a);
    return cv_raise(c, "TypeError", "'%s' object is not callable", cv_type_name(f));
}

/* ---------------------------------------------------------------- length, truth, items */

int cv_len(cv_ctx *c, cval *v, size_t *n)
{
    const cv_vtable *t = cv_type_of(v);
    if (t->len)
        return t->len(c, v, n);
    return cv_raisei(c, "TypeError", "object of type '%s' has no len()", cv_type_name(v));
}

int cv_truthy(cv_ctx *c, cval *v)
{
    const cv_vtable *t = cv_type_of(v);
    size_t n;
    if (t->truthy)
        return t->truthy(c, v);
    if (!t->len)
        return 1;
    if (cv_len(c, v, &n))
        return CV_RAISED;
    return n > 0;
}

cval *cv_iter_list(cv_ctx *c, cval *v)
{
    const cv_vtable *t = cv_type_of(v);
    if (t->iter)
        return t->iter(c, v);
    return cv_raise(c, "TypeError", "'%s' object is not iterable", cv_type_name(v));
}

/* ---------------------------------------------------------------- text */

int cv_repr(cv_ctx *c, cval *v, kumo_buf *b)
{
    const cv_vtable *t = cv_type_of(v);
    if (t->repr)
        return t->repr(c, v, b);
    return cv_writef(c, b, "<%s object at %p>", cv_type_name(v), cv_identity(v));
}

int cv_str_of(cv_ctx *c, cval *v, kumo_buf *b)
{
    const cv_vtable *t = cv_type_of(v);
    return t->str ? t->str(c, v, b) : cv_repr(c, v, b);
}

void cv_repr_short(cv_ctx *c, cval *v, char *dst, size_t max)
{
    kumo_buf b;
    kumo__buf_init(&b, max > 4 ? max - 4 : 1, cv_tag(), KUMO_V_NONE);
    int rc = cv_repr(c, v, &b);
    snprintf(dst, max, "%s%s", kumo__buf_str(&b), rc ? "..." : "");
    kumo__buf_release(&b);
}

/* ---------------------------------------------------------------- comparisons */

int cv_is(cval *a, cval *b)
{
    if (a == b)
        return 1;
    const cv_vtable *t = cv_type_of(a);
    if (t != cv_type_of(b))
        return 0;
    if (t->same)
        return t->same(a, b);
    return cv_identity(a) == cv_identity(b);
}

int cv_equal(cv_ctx *c, cval *a, cval *b)
{
    const cv_vtable *t = cv_type_of(a);
    return t->equal ? t->equal(c, a, b) : cv_is(a, b);
}

int cv_compare(cv_ctx *c, cval *a, cval *b, const char *opname, int *cmp)
{
    const cv_vtable *t = cv_type_of(a);
    int rc = t->compare ? t->compare(c, a, b, opname, cmp) : KUMO_EDECLINED;
    if (rc != KUMO_EDECLINED)
        return rc;
    return cv_raisei(c, "TypeError", "'%s' not supported between instances of '%s' and '%s'",
                     opname, cv_type_name(a), cv_type_name(b));
}

int cv_contains(cv_ctx *c, cval *container, cval *item)
{
    const cv_vtable *t = cv_type_of(container);
    if (t->contains)
        return t->contains(c, container, item);
    cval *l = cv_iter_list(c, container);
    if (!l) {
        if (!strcmp(c->etype, "TypeError")) {
            c->etype = NULL;
            cv_raise(c, "TypeError", "argument of type '%s' is not iterable",
                     cv_type_name(container));
        }
        return CV_RAISED;
    }
    int found = 0;
    for (size_t i = 0; i < l->u.seq.len && !found; i++)
        found = cv_equal(c, l->u.seq.v[i], item);
    cv_unref(l);
    return found;
}

/* ---------------------------------------------------------------- operators */

cval *cv_binop(cv_ctx *c, cp_op op, cval *a, cval *b)
{
    const cv_vtable *ta = cv_type_of(a), *tb = cv_type_of(b);
    cval *r = ta->binop ? ta->binop(c, op, a, b) : NULL;
    if (r || c->etype)
        return r;
    if (tb != ta && tb->binop) {
        r = tb->binop(c, op, a, b);
        if (r || c->etype)
            return r;
    }
    return cv_raise(c, "TypeError", "unsupported operand type(s) for %s: '%s' and '%s'",
                    cp_op_name(op), cv_type_name(a), cv_type_name(b));
}

cval *cv_unary(cv_ctx *c, cp_op op, cval *v)
{
    const cv_vtable *t = cv_type_of(v);
    cval *r = t->unary ? t->unary(c, op, v) : NULL;
    if (r || c->etype)
        return r;
    return cv_raise(c, "TypeError", "bad operand type for %s: '%s'", cp_op_name(op),
                    cv_type_name(v));
}

/* ---------------------------------------------------------------- dir, views */

cval *cv_dir(cv_ctx *c, cval *v)
{
    const cv_vtable *t = cv_type_of(v);
    cval *l = cv_list_new();
    for (const char *const *a = t->attrs; a && *a; a++)
        if (cv_seq_push(c, l, cv_str(*a)))
            goto fail;
    for (const cv_method *m = t->methods; m && m->name; m++)
        if (cv_seq_push(c, l, cv_str(m->name)))
            goto fail;
    return l;
fail:
    cv_unref(l);
    return NULL;
}

kumo_ref *cv_ref_of(cv_ctx *c, cval *v)
{
    const cv_vtable *t = cv_type_of(v);
    return t->ref ? t->ref(c, v) : NULL;
}

/* ---------------------------------------------------------------- arguments */

int cv_args_parse(cv_ctx *c, const char *fname, const cv_args *a, const char *const *names,
                  size_t nnames, size_t nreq, cval **out)
{
    for (size_t i = 0; i < nnames; i++)
        out[i] = NULL;
    if (a->n > nnames) {
        if (nnames == 0)
            return cv_raisei(c, "TypeError", "%s() takes no arguments (%zu given)", fname, a->n);
        if (nreq == nnames)
            return cv_raisei(c, "TypeError", "%s() takes %zu positional argument%s but %zu %s "
                             "given", fname, nnames, nnames == 1 ? "" : "s", a->n,
                             a->n == 1 ? "was" : "were");
        return cv_raisei(c, "TypeError", "%s() takes from %zu to %zu positional arguments but "
                         "%zu were given", fname, nreq, nnames, a->n);
    }
    for (size_t i = 0; i < a->n; i++)
        out[i] = a->v[i];
    for (size_t k = 0; k < a->nkw; k++) {
        size_t i;
        for (i = 0; i < nnames; i++)
            if (strcmp(names[i], a->kw[k].name) == 0)
                break;
        if (i == nnames)
            return cv_raisei(c, "TypeError", "%s() got an unexpected keyword argument '%s'",
                             fname, a->kw[k].name);
        if (out[i])
            return cv_raisei(c, "TypeError", "%s() got multiple values for argument '%s'",
                             fname, names[i]);
        out[i] = a->kw[k].v;
    }
    for (size_t i = 0; i < nreq; i++)
        if (!out[i])
            return cv_raisei(c, "TypeError", "%s() missing required argument '%s' (pos %zu)",
                             fname, names[i], i + 1);
    return KUMO_OK;
}

const char *cv_arg_str(cv_ctx *c, const char *fname, cval *v)
{
    if (v->type != CV_STR) {
        cv_raise(c, "TypeError", "%s() argument must be str, not %s", fname, cv_type_name(v));
        return NULL;
    }
    return v->u.s.s;
}
