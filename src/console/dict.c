/* dict.c - the console's dict: insertion-ordered pairs found by equality (consoles hold
 * small dicts), its repr, length, keys, `in`, indexing, and keys() values() items() get(). */
#include "console/dict.h"

cval *cv_dict_get(cval *d, cval *k)
{
    for (size_t i = 0; i < d->u.dict.len; i++) {
        cv_ctx tmp = {0};
        if (cv_equal(&tmp, d->u.dict.k[i], k) == 1)
            return d->u.dict.v[i];
    }
    return NULL;
}

int cv_dict_set(cv_ctx *c, cval *d, cval *k, cval *v)
{
    for (size_t i = 0; i < d->u.dict.len; i++) {
        cv_ctx tmp = {0};
        if (cv_equal(&tmp, d->u.dict.k[i], k) == 1) {
            if (cv_adopt(c, d, v))
                goto fail;
            cv_unref(d->u.dict.v[i]);
            d->u.dict.v[i] = v;
            cv_unref(k);
            return KUMO_OK;
        }
    }
    if (d->u.dict.len >= CV_LIST_MAX) {
        cv_raise(c, "MemoryError", "more than %zu items", CV_LIST_MAX);
        goto fail;
    }
    if (cv_adopt(c, d, k) || cv_adopt(c, d, v))
        goto fail;
    if (d->u.dict.len == d->u.dict.cap) {
        d->u.dict.cap = d->u.dict.cap ? d->u.dict.cap * 2 : 4;
        d->u.dict.k = kumo_realloc(d->u.dict.k, d->u.dict.cap * sizeof(cval *), cv_tag(),
                                   KUMO_V_DICT);
        d->u.dict.v = kumo_realloc(d->u.dict.v, d->u.dict.cap * sizeof(cval *), cv_tag(),
                                   KUMO_V_DICT);
    }
    d->u.dict.k[d->u.dict.len] = k;
    d->u.dict.v[d->u.dict.len++] = v;
    return KUMO_OK;
fail:
    cv_unref(k);
    cv_unref(v);
    return KUMO_EINVAL;
}

int cv_dict_sets(cv_ctx *c, cval *d, const char *key, cval *v)
{
    return cv_dict_set(c, d, cv_str(key), v);
}

int cv_dict_check_key(cv_ctx *c, cval *k)
{
    if (k->type == CV_LIST || k->type == CV_DICT)
        return cv_raisei(c, "TypeError", "unhashable type: '%s'", cv_type_name(k));
    return KUMO_OK;
}

static cval *dict_getitem(cv_ctx *c, cval *self, cval *key)
{
    cval *v = cv_dict_get(self, key);
    if (v)
        return cv_ref(v);
    char r[256];
    cv_repr_short(c, key, r, sizeof(r));
    return cv_raise(c, "KeyError", "%s", r);
}

static int dict_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = self->u.dict.len;
    return KUMO_OK;
}

static cval *dict_iter(cv_ctx *c, cval *v)
{
    cval *l = cv_list_new();
    for (size_t i = 0; i < v->u.dict.len; i++)
        if (cv_seq_push(c, l, cv_ref(v->u.dict.k[i]))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static int dict_contains(cv_ctx *c, cval *self, cval *item)
{
    return cv_dict_get(self, item) != NULL;
}

static int dict_equal(cv_ctx *c, cval *a, cval *b)
{
    if (a == b)
        return 1;
    if (a->type != b->type || a->u.dict.len != b->u.dict.len)
        return 0;
    for (size_t i = 0; i < a->u.dict.len; i++) {
        cval *o = cv_dict_get(b, a->u.dict.k[i]);
        if (!o)
            return 0;
        int r = cv_equal(c, a->u.dict.v[i], o);
        if (r != 1)
            return r;
    }
    return 1;
}

static int dict_repr(cv_ctx *c, cval *v, kumo_buf *b)
{
    int rc = cv_write(c, b, "{", 1);
    for (size_t i = 0; !rc && i < v->u.dict.len; i++) {
        if (i)
            rc = cv_write(c, b, ", ", 2);
        if (!rc)
            rc = cv_repr(c, v->u.dict.k[i], b);
        if (!rc)
            rc = cv_write(c, b, ": ", 2);
        if (!rc)
            rc = cv_repr(c, v->u.dict.v[i], b);
    }
    return rc ? rc : cv_write(c, b, "}", 1);
}

/* ---------------------------------------------------------------- methods */

static cval *m_keys(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *none[1];
    if (cv_args_parse(c, "keys", a, NULL, 0, 0, none))
        return NULL;
    return cv_iter_list(c, self);
}

static cval *m_values(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *none[1];
    if (cv_args_parse(c, "values", a, NULL, 0, 0, none))
        return NULL;
    cval *l = cv_list_new();
    for (size_t i = 0; i < self->u.dict.len; i++)
        if (cv_seq_push(c, l, cv_ref(self->u.dict.v[i]))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static cval *m_items(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *none[1];
    if (cv_args_parse(c, "items", a, NULL, 0, 0, none))
        return NULL;
    cval *l = cv_list_new();
    for (size_t i = 0; i < self->u.dict.len; i++) {
        cval *t = cv_tuple_new();
        if (cv_seq_push(c, t, cv_ref(self->u.dict.k[i])) ||
            cv_seq_push(c, t, cv_ref(self->u.dict.v[i])) || cv_seq_push(c, l, t)) {
            cv_unref(l);
            return NULL;
        }
    }
    return l;
}

static cval *m_get(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"key", "default"};
    cval *arg[2];
    if (cv_args_parse(c, "get", a, names, 2, 1, arg))
        return NULL;
    cval *v = cv_dict_get(self, arg[0]);
    return cv_ref(v ? v : arg[1] ? arg[1] : cv_none());
}

static const cv_method dict_methods[] = {
    {"keys", m_keys},
    {"values", m_values},
    {"items", m_items},
    {"get", m_get},
    {NULL, NULL},
};

const cv_vtable cv_dict_type = {
    .name = "dict", .getitem = dict_getitem, .len = dict_len, .iter = dict_iter,
    .repr = dict_repr, .equal = dict_equal, .contains = dict_contains, .methods = dict_methods,
};
