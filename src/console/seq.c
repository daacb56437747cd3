/* seq.c - the console's list, tuple and slice: repr, length, items, indexing and slicing,
 * comparison, + and *, and the methods count() and index(). */
#include "console/seq.h"
#include "console/num.h"

int cv_slice_indices(cv_ctx *c, cval *slice, size_t len, int64_t *start, int64_t *stop,
                     int64_t *step, size_t *count)
{
    cval **p = slice->u.seq.v;
    int64_t n = (int64_t)len, st = 1, lo, hi;
    if (p[2]->type != CV_NONE && cv_as_index(c, p[2], &st))
        return KUMO_EINVAL;
    if (st == 0)
        return cv_raisei(c, "ValueError", "slice step cannot be zero");
    if (st == INT64_MIN)
        st = -INT64_MAX;
    if (p[0]->type == CV_NONE) {
        lo = st < 0 ? n - 1 : 0;
    } else {
        if (cv_as_index(c, p[0], &lo))
            return KUMO_EINVAL;
        if (lo < 0)
            lo = lo < -n ? (st < 0 ? -1 : 0) : lo + n;
        else if (lo >= n)
            lo = st < 0 ? n - 1 : n;
    }
    if (p[1]->type == CV_NONE) {
        hi = st < 0 ? -1 : n;
    } else {
        if (cv_as_index(c, p[1], &hi))
            return KUMO_EINVAL;
        if (hi < 0)
            hi = hi < -n ? (st < 0 ? -1 : 0) : hi + n;
        else if (hi >= n)
            hi = st < 0 ? n - 1 : n;
    }
    size_t cnt = 0;
    if (st > 0 && hi > lo)
        cnt = (size_t)((hi - lo - 1) / st + 1);
    else if (st < 0 && lo > hi)
        cnt = (size_t)((lo - hi - 1) / -st + 1);
    *start = lo;
    *stop = hi;
    *step = st;
    *count = cnt;
    return KUMO_OK;
}

static cval *seq_like(const cval *seq)
{
    return seq->type == CV_TUPLE ? cv_tuple_new() : cv_list_new();
}

static cval *seq_getitem(cv_ctx *c, cval *seq, cval *key)
{
    size_t len = seq->u.seq.len;
    if (key->type == CV_SLICE) {
        int64_t lo, hi, st;
        size_t cnt;
        if (cv_slice_indices(c, key, len, &lo, &hi, &st, &cnt))
            return NULL;
        cval *r = seq_like(seq);
        for (size_t i = 0; i < cnt; i++)
            if (cv_seq_push(c, r, cv_ref(seq->u.seq.v[lo + (int64_t)i * st]))) {
                cv_unref(r);
                return NULL;
            }
        return r;
    }
    int64_t i;
    if (!cv_int_like(key, &i))
        return cv_raise(c, "TypeError", "%s indices must be integers or slices, not %s",
                        cv_type_name(seq), cv_type_name(key));
    if (i < 0)
        i += (int64_t)len;
    if (i < 0 || i >= (int64_t)len)
        return cv_raise(c, "IndexError", "%s index out of range", cv_type_name(seq));
    return cv_ref(seq->u.seq.v[i]);
}

static int seq_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = self->u.seq.len;
    return KUMO_OK;
}

static cval *seq_iter(cv_ctx *c, cval *v)
{
    cval *l = cv_list_new();
    for (size_t i = 0; i < v->u.seq.len; i++)
        if (cv_seq_push(c, l, cv_ref(v->u.seq.v[i]))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static int seq_equal(cv_ctx *c, cval *a, cval *b)
{
    if (a == b)
        return 1;
    if (a->type != b->type || a->u.seq.len != b->u.seq.len)
        return 0;
    for (size_t i = 0; i < a->u.seq.len; i++) {
        int r = cv_equal(c, a->u.seq.v[i], b->u.seq.v[i]);
        if (r != 1)
            return r;
    }
    return 1;
}

static int seq_compare(cv_ctx *c, cval *a, cval *b, const char *opname, int *cmp)
{
    if (a->type != b->type)
        return KUMO_EDECLINED;
    size_t n = KUMO_MIN(a->u.seq.len, b->u.seq.len);
    for (size_t i = 0; i < n; i++) {
        int eq = cv_equal(c, a->u.seq.v[i], b->u.seq.v[i]);
        if (eq < 0)
            return KUMO_EINVAL;
        if (!eq)
            return cv_compare(c, a->u.seq.v[i], b->u.seq.v[i], opname, cmp);
    }
    *cmp = a->u.seq.len < b->u.seq.len ? -1 : a->u.seq.len > b->u.seq.len;
    return KUMO_OK;
}

static int repr_seq(cv_ctx *c, cval *v, kumo_buf *b, const char *open, const char *close)
{
    int rc = cv_writes(c, b, open);
    for (size_t i = 0; !rc && i < v->u.seq.len; i++) {
        if (i)
            rc = cv_write(c, b, ", ", 2);
        if (!rc)
            rc = cv_repr(c, v->u.seq.v[i], b);
    }
    if (!rc && v->type == CV_TUPLE && v->u.seq.len == 1)
        rc = cv_write(c, b, ",", 1);
    return rc ? rc : cv_writes(c, b, close);
}

static int list_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return repr_seq(c, self, b, "[", "]");
}

static int tuple_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return repr_seq(c, self, b, "(", ")");
}

static int slice_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return repr_seq(c, self, b, "slice(", ")");
}

/* ---------------------------------------------------------------- + and * */

static cval *concat(cv_ctx *c, cval *a, cval *b)
{
    cval *r = seq_like(a);
    for (size_t i = 0; i < a->u.seq.len; i++)
        if (cv_seq_push(c, r, cv_ref(a->u.seq.v[i])))
            goto fail;
    for (size_t i = 0; i < b->u.seq.len; i++)
        if (cv_seq_push(c, r, cv_ref(b->u.seq.v[i])))
            goto fail;
    return r;
fail:
    cv_unref(r);
    return NULL;
}

static cval *repeat(cv_ctx *c, cval *seq, int64_t n)
{
    if (n < 0)
        n = 0;
    if (seq->u.seq.len && (uint64_t)n > CV_LIST_MAX / seq->u.seq.len)
        return cv_raise(c, "MemoryError", "more than %zu items", CV_LIST_MAX);
    cval *r = seq_like(seq);
    for (int64_t i = 0; i < n; i++)
        for (size_t k = 0; k < seq->u.seq.len; k++)
            if (cv_seq_push(c, r, cv_ref(seq->u.seq.v[k]))) {
                cv_unref(r);
                return NULL;
            }
    return r;
}

/* seq + seq of the same type, seq * int, int * seq; a list + anything else is an error. */
static cval *seq_binop(cv_ctx *c, int op, cval *a, cval *b)
{
    int64_t n;
    bool mine = a->type == CV_LIST || a->type == CV_TUPLE;
    if (op == CP_OP_ADD && mine && a->type == b->type)
        return concat(c, a, b);
    if (op == CP_OP_MUL && mine && cv_int_like(b, &n))
        return repeat(c, a, n);
    if (op == CP_OP_MUL && !mine && cv_int_like(a, &n))
        return repeat(c, b, n);
    if (op == CP_OP_ADD && a->type == CV_LIST)
        return cv_raise(c, "TypeError", "can only concatenate %s (not \"%s\") to %s",
                        cv_type_name(a), cv_type_name(b), cv_type_name(a));
    return NULL;
}

/* ---------------------------------------------------------------- methods */

static cval *m_count(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"value"};
    cval *arg[1];
    if (cv_args_parse(c, "count", a, names, 1, 1, arg))
        return NULL;
    int64_t n = 0;
    for (size_t i = 0; i < self->u.seq.len; i++) {
        int eq = cv_equal(c, self->u.seq.v[i], arg[0]);
        if (eq < 0)
            return NULL;
        n += eq;
    }
    return cv_int(n);
}

static cval *m_index(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"value"};
    cval *arg[1];
    if (cv_args_parse(c, "index", a, names, 1, 1, arg))
        return NULL;
    for (size_t i = 0; i < self->u.seq.len; i++) {
        int eq = cv_equal(c, self->u.seq.v[i], arg[0]);
        if (eq < 0)
            return NULL;
        if (eq)
            return cv_int((int64_t)i);
    }
    char r[128];
    cv_repr_short(c, arg[0], r, sizeof(r));
    return cv_raise(c, "ValueError", "%s is not in %s", r, cv_type_name(self));
}

static const cv_method seq_methods[] = {
    {"count", m_count},
    {"index", m_index},
    {NULL, NULL},
};

const cv_vtable cv_list_type = {
    .name = "list", .getitem = seq_getitem, .len = seq_len, .iter = seq_iter,
    .repr = list_repr, .equal = seq_equal, .compare = seq_compare, .binop = seq_binop,
    .methods = seq_methods,
};

const cv_vtable cv_tuple_type = {
    .name = "tuple", .getitem = seq_getitem, .len = seq_len, .iter = seq_iter,
    .repr = tuple_repr, .equal = seq_equal, .compare = seq_compare, .binop = seq_binop,
    .methods = seq_methods,
};

const cv_vtable cv_slice_type = {
    .name = "slice", .repr = slice_repr, .equal = seq_equal,
};
