/* view.c - the base of the console's views: views of tracked objects, the registry from
 * class to view type, and kumo values (meta, item fields, stats) as console values. */
#include "console/view.h"
#include "console/dict.h"

/* ---------------------------------------------------------------- tracked objects */

static const kumo_class *shared_class(const kumo_class *c)
{
    while (c && !c->retain)
        c = c->parent;
    return c;
}

void co_tref_free(void *p)
{
    co_tref *t = p;
    if (t->shared) {
        const kumo_class *c = shared_class(t->obj->cls);
        c->release(t->obj);
    }
    kumo_free(t->cls_name);
    kumo_free(t->query);
    kumo_free(t);
}

kumo_ref *co_tref_obj(cv_ctx *c, cval *self)
{
    co_tref *t = self->u.nat.p;
    if (t->shared)
        return t->obj;
    kumo_class *cls = kumo_class_find(t->cls_name);
    for (kumo_ref *r = cls ? kumo_ref_first(cls) : NULL; r; r = r->next)
        if (r == t->obj)
            return r;
    cv_raise(c, "ReferenceError", "weakly-referenced object no longer exists");
    return NULL;
}

const char *co_tref_tname(cval *self)
{
    return ((co_tref *)self->u.nat.p)->cls_name;
}

int co_tref_same(cval *a, cval *b)
{
    return ((co_tref *)a->u.nat.p)->obj == ((co_tref *)b->u.nat.p)->obj;
}

static const cv_vtable object_vt;

#define VIEWS_MAX 16

static struct {
    const kumo_class *cls;
    const cv_vtable *vt;
} views[VIEWS_MAX];
static size_t nviews;

void co_view_register(const kumo_class *cls, const cv_vtable *vt)
{
    for (size_t i = 0; i < nviews; i++)
        if (views[i].cls == cls) {
            views[i].vt = vt;
            return;
        }
    kumo_assert(nviews < VIEWS_MAX);
    views[nviews].cls = cls;
    views[nviews++].vt = vt;
}

static const cv_vtable *vt_for(const kumo_class *cls)
{
    for (size_t i = 0; i < nviews; i++)
        if (kumo_class_is(cls, views[i].cls))
            return views[i].vt;
    return &object_vt;
}

cval *co_from_ref(kumo_ref *obj)
{
    co_tref *t = kumo_calloc(1, sizeof(*t), cv_tag(), KUMO_V_NONE);
    const kumo_class *sc = shared_class(obj->cls);
    t->obj = obj;
    t->cls_name = kumo_strdup(obj->cls->name, cv_tag(), KUMO_V_NONE);
    t->shared = sc != NULL;
    if (sc)
        sc->retain(obj);
    return cv_native(vt_for(obj->cls), t, NULL);
}

cval *co_with_query(cval *v, const char *q)
{
    co_tref *t = v->u.nat.p;
    t->query = q ? kumo_strdup(q, cv_tag(), KUMO_V_NONE) : NULL;
    return v;
}

static int tref_repr_default(cv_ctx *c, cval *self, kumo_buf *b)
{
    co_tref *t = self->u.nat.p;
    return cv_writef(c, b, "<%s object at %p>", t->cls_name, (void *)t->obj);
}

static const cv_vtable object_vt = {
    .name = "object", .repr = tref_repr_default, CO_TREF_SLOTS,
};

/* ---------------------------------------------------------------- conversions */

cval *co_from_value(cv_ctx *c, const kumo_value *v)
{
    switch (v->type) {
    case KUMO_VAL_BOOL:
        return cv_bool(v->u.b);
    case KUMO_VAL_INT:
        return cv_int(v->u.i);
    case KUMO_VAL_FLOAT:
        return cv_float(v->u.f);
    case KUMO_VAL_STR:
        return cv_strn(v->u.str.s, v->u.str.len);
    case KUMO_VAL_OBJ:
        return co_from_ref(v->u.obj);
    case KUMO_VAL_LIST: {
        cval *l = cv_list_new();
        for (size_t i = 0; i < v->u.list->len; i++) {
            cval *x = co_from_value(c, &v->u.list->v[i]);
            if (!x || cv_seq_push(c, l, x)) {
                cv_unref(l);
                return NULL;
            }
        }
        return l;
    }
    default:
        return cv_none();
    }
}

cval *co_from_map(cv_ctx *c, const kumo_map *m)
{
    cval *d = cv_dict_new();
    for (size_t i = 0; m && i < m->len; i++) {
        cval *x = co_from_value(c, &m->e[i].val);
        if (!x || cv_dict_sets(c, d, m->e[i].key, x)) {
            cv_unref(d);
            return NULL;
        }
    }
    return d;
}

/* ---------------------------------------------------------------- helpers */

int co_no_args(cv_ctx *c, const char *fname, const cv_args *a)
{
    cval *none[1];
    return cv_args_parse(c, fname, a, NULL, 0, 0, none);
}
