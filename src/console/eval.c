/* eval.c - the console's evaluator: names, operators, calls, comprehensions, imports, and
 * the methods of str, bytes, list and dict. */
#include "console/eval.h"
#include <math.h>

static cval *eval(cv_ctx *c, ce_scope *sc, const cp_node *n);

/* ---------------------------------------------------------------- variables */

static cval *var_get(kumo_repl *r, const char *name)
{
    for (size_t i = 0; i < r->nvars; i++)
        if (strcmp(r->names[i], name) == 0)
            return r->vals[i];
    return NULL;
}

int ce_var_set(cv_ctx *c, const char *name, cval *v)
{
    kumo_repl *r = c->repl;
    for (size_t i = 0; i < r->nvars; i++)
        if (strcmp(r->names[i], name) == 0) {
            cval *old = r->vals[i];
            r->vals[i] = v;
            cv_unref(old);
            return KUMO_OK;
        }
    if (r->nvars >= CE_VARS_MAX) {
        cv_unref(v);
        return cv_raisei(c, "MemoryError", "too many variables in this session (max %d)",
                         CE_VARS_MAX);
    }
    if (r->nvars == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->names = kumo_realloc(r->names, r->cap * sizeof(*r->names), cv_tag(), KUMO_V_DICT);
        r->vals = kumo_realloc(r->vals, r->cap * sizeof(*r->vals), cv_tag(), KUMO_V_DICT);
    }
    r->names[r->nvars] = kumo_strdup(name, cv_tag(), KUMO_V_DICT);
    r->vals[r->nvars++] = v;
    return KUMO_OK;
}

static cval **scope_slot(ce_scope *sc, const char *name)
{
    for (; sc; sc = sc->up)
        for (size_t i = 0; i < sc->n; i++)
            if (strcmp(sc->names[i], name) == 0)
                return &sc->vals[i];
    return NULL;
}

static cval *lookup(cv_ctx *c, ce_scope *sc, const char *name)
{
    cval **slot = scope_slot(sc, name);
    if (slot) {
        if (!*slot)
            return cv_raise(c, "NameError", "cannot access free variable '%s'", name);
        return cv_ref(*slot);
    }
    cval *v = var_get(c->repl, name);
    if (v)
        return cv_ref(v);
    const ce_builtin *b = ce_builtin_find(name);
    if (b)
        return ce_builtin_value(c, b);
    kumo_class *cls = kumo_class_find(name);     /* a spider's own class: QuotesSpider */
    if (cls)
        return co_class(cls);
    return cv_raise(c, "NameError", "name '%s' is not defined", name);
}

/* ---------------------------------------------------------------- arguments */

int ce_args(cv_ctx *c, const char *fname, const cv_args *a, const char *const *names,
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

const char *ce_arg_str(cv_ctx *c, const char *fname, cval *v)
{
    if (v->type != CV_STR) {
        cv_raise(c, "TypeError", "%s() argument must be str, not %s", fname, cv_type_name(v));
        return NULL;
    }
    return v->u.s.s;
}

/* ---------------------------------------------------------------- str, bytes, list, dict */

static cval *str_new_checked(cv_ctx *c, char *s, size_t len, int type)
{
    cval *v = cv_str_take(s, len);
    v->type = (uint8_t)type;
    (void)c;
    return v;
}

static cval *m_startswith(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"prefix"};
    cval *arg[1];
    if (ce_args(c, "startswith", a, names, 1, 1, arg))
        return NULL;
    cval *p = arg[0];
    if (p->type != self->type)
        return cv_raise(c, "TypeError", "startswith first arg must be %s, not %s",
                        cv_type_name(self), cv_type_name(p));
    return cv_bool(p->u.s.len <= self->u.s.len &&
                   memcmp(self->u.s.s, p->u.s.s, p->u.s.len) == 0);
}

static cval *m_endswith(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"suffix"};
    cval *arg[1];
    if (ce_args(c, "endswith", a, names, 1, 1, arg))
        return NULL;
    cval *p = arg[0];
    if (p->type != self->type)
        return cv_raise(c, "TypeError", "endswith first arg must be %s, not %s",
                        cv_type_name(self), cv_type_name(p));
    return cv_bool(p->u.s.len <= self->u.s.len &&
                   memcmp(self->u.s.s + self->u.s.len - p->u.s.len, p->u.s.s, p->u.s.len) == 0);
}

static cval *strip_common(cv_ctx *c, cval *self, const cv_args *a, const char *fname,
                          bool left, bool right)
{
    static const char *const names[] = {"chars"};
    cval *arg[1];
    if (ce_args(c, fname, a, names, 1, 0, arg))
        return NULL;
    const char *set = " \t\n\r\f\v";
    size_t setlen = strlen(set);
    if (arg[0] && arg[0]->type != CV_NONE) {
        if (arg[0]->type != self->type)
            return cv_raise(c, "TypeError", "%s arg must be None or %s", fname,
                            cv_type_name(self));
        set = arg[0]->u.s.s;
        setlen = arg[0]->u.s.len;
    }
    size_t lo = 0, hi = self->u.s.len;
    while (left && lo < hi && memchr(set, self->u.s.s[lo], setlen))
        lo++;
    while (right && hi > lo && memchr(set, self->u.s.s[hi - 1], setlen))
        hi--;
    cval *r = cv_strn(self->u.s.s + lo, hi - lo);
    r->type = self->type;
    return r;
}

static cval *m_strip(cv_ctx *c, cval *self, const cv_args *a)
{
    return strip_common(c, self, a, "strip", true, true);
}

static cval *m_lstrip(cv_ctx *c, cval *self, const cv_args *a)
{
    return strip_common(c, self, a, "lstrip", true, false);
}

static cval *m_rstrip(cv_ctx *c, cval *self, const cv_args *a)
{
    return strip_common(c, self, a, "rstrip", false, true);
}

static cval *m_split(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"sep", "maxsplit"};
    cval *arg[2];
    if (ce_args(c, "split", a, names, 2, 0, arg))
        return NULL;
    int64_t maxsplit = -1;
    if (arg[1] && cv_as_index(c, arg[1], &maxsplit))
        return NULL;
    const char *s = self->u.s.s;
    size_t len = self->u.s.len, i = 0;
    cval *l = cv_list_new();
    if (!arg[0] || arg[0]->type == CV_NONE) {
        for (;;) {
            while (i < len && strchr(" \t\n\r\f\v", s[i]) && s[i])
                i++;
            if (i >= len)
                break;
            size_t j = i;
            if (maxsplit == 0) {
                j = len;
                while (j > i && strchr(" \t\n\r\f\v", s[j - 1]) && s[j - 1])
                    j--;
            } else {
                while (j < len && !(strchr(" \t\n\r\f\v", s[j]) && s[j]))
                    j++;
            }
            cval *part = cv_strn(s + i, j - i);
            part->type = self->type;
            if (cv_seq_push(c, l, part))
                goto fail;
            if (maxsplit > 0)
                maxsplit--;
            i = j;
        }
        return l;
    }
    if (arg[0]->type != self->type) {
        cv_raise(c, "TypeError", "must be %s or None, not %s", cv_type_name(self),
                 cv_type_name(arg[0]));
        goto fail;
    }
    const char *sep = arg[0]->u.s.s;
    size_t seplen = arg[0]->u.s.len;
    if (!seplen) {
        cv_raise(c, "ValueError", "empty separator");
        goto fail;
    }
    for (;;) {
        const char *hit = maxsplit == 0 ? NULL : memmem(s + i, len - i, sep, seplen);
        size_t j = hit ? (size_t)(hit - s) : len;
        cval *part = cv_strn(s + i, j - i);
        part->type = self->type;
        if (cv_seq_push(c, l, part))
            goto fail;
        if (!hit)
            break;
        if (maxsplit > 0)
            maxsplit--;
        i = j + seplen;
    }
    return l;
fail:
    cv_unref(l);
    return NULL;
}

static cval *m_join(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable"};
    cval *arg[1];
    if (ce_args(c, "join", a, names, 1, 1, arg))
        return NULL;
    cval *items = cv_iter_list(c, arg[0]);
    if (!items)
        return NULL;
    kumo_buf b;
    kumo_buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo_buf_add(&b, "", 0);
    cval *r = NULL;
    for (size_t i = 0; i < items->u.seq.len; i++) {
        cval *it = items->u.seq.v[i];
        if (it->type != self->type) {
            cv_raise(c, "TypeError", "sequence item %zu: expected %s instance, %s found", i,
                     self->type == CV_STR ? "str" : "a bytes-like object", cv_type_name(it));
            goto out;
        }
        if ((i && kumo_buf_add(&b, self->u.s.s, self->u.s.len)) ||
            kumo_buf_add(&b, it->u.s.s, it->u.s.len)) {
            cv_raise(c, "MemoryError", "joined string longer than %zu bytes", CV_STR_MAX);
            goto out;
        }
    }
    size_t len;
    char *s = kumo_buf_detach(&b, &len);
    r = str_new_checked(c, s, len, self->type);
out:
    kumo_buf_release(&b);
    cv_unref(items);
    return r;
}

static cval *case_map(cv_ctx *c, cval *self, const cv_args *a, const char *fname, bool up)
{
    cval *none[1];
    if (ce_args(c, fname, a, NULL, 0, 0, none))
        return NULL;
    cval *r = cv_strn(self->u.s.s, self->u.s.len);
    r->type = self->type;
    for (size_t i = 0; i < r->u.s.len; i++) {
        char ch = r->u.s.s[i];
        if (up && ch >= 'a' && ch <= 'z')
            r->u.s.s[i] = (char)(ch - 32);
        else if (!up && ch >= 'A' && ch <= 'Z')
            r->u.s.s[i] = (char)(ch + 32);
    }
    return r;
}

static cval *m_upper(cv_ctx *c, cval *self, const cv_args *a)
{
    return case_map(c, self, a, "upper", true);
}

static cval *m_lower(cv_ctx *c, cval *self, const cv_args *a)
{
    return case_map(c, self, a, "lower", false);
}

static cval *m_replace(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"old", "new", "count"};
    cval *arg[3];
    if (ce_args(c, "replace", a, names, 3, 2, arg))
        return NULL;
    if (arg[0]->type != self->type || arg[1]->type != self->type)
        return cv_raise(c, "TypeError", "replace() argument must be %s", cv_type_name(self));
    int64_t count = -1;
    if (arg[2] && cv_as_index(c, arg[2], &count))
        return NULL;
    kumo_buf b;
    kumo_buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo_buf_add(&b, "", 0);
    const char *s = self->u.s.s, *old = arg[0]->u.s.s;
    size_t len = self->u.s.len, oldlen = arg[0]->u.s.len, i = 0;
    int rc = KUMO_OK;
    while (i <= len && count != 0 && !rc) {
        const char *hit = oldlen ? memmem(s + i, len - i, old, oldlen) : s + i;
        if (!hit)
            break;
        size_t j = (size_t)(hit - s);
        rc = kumo_buf_add(&b, s + i, j - i);
        if (!rc)
            rc = kumo_buf_add(&b, arg[1]->u.s.s, arg[1]->u.s.len);
        if (!oldlen) {
            if (!rc && j < len)
                rc = kumo_buf_add(&b, s + j, 1);
            i = j + 1;
        } else {
            i = j + oldlen;
        }
        if (count > 0)
            count--;
    }
    if (!rc && i < len)
        rc = kumo_buf_add(&b, s + i, len - i);
    if (rc) {
        kumo_buf_release(&b);
        return cv_raise(c, "MemoryError", "result longer than %zu bytes", CV_STR_MAX);
    }
    size_t n;
    char *p = kumo_buf_detach(&b, &n);
    return str_new_checked(c, p, n, self->type);
}

static cval *m_find(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"sub"};
    cval *arg[1];
    if (ce_args(c, "find", a, names, 1, 1, arg))
        return NULL;
    if (arg[0]->type != self->type)
        return cv_raise(c, "TypeError", "must be %s, not %s", cv_type_name(self),
                        cv_type_name(arg[0]));
    const char *hit = memmem(self->u.s.s, self->u.s.len, arg[0]->u.s.s, arg[0]->u.s.len);
    return cv_int(hit ? (int64_t)(hit - self->u.s.s) : -1);
}

static cval *m_decode(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"encoding", "errors"};
    cval *arg[2];
    if (ce_args(c, "decode", a, names, 2, 0, arg))
        return NULL;
    return cv_strn(self->u.s.s, self->u.s.len);
}

static cval *m_encode(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"encoding", "errors"};
    cval *arg[2];
    if (ce_args(c, "encode", a, names, 2, 0, arg))
        return NULL;
    return cv_bytesn(self->u.s.s, self->u.s.len);
}

static cval *m_keys(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *none[1];
    if (ce_args(c, "keys", a, NULL, 0, 0, none))
        return NULL;
    return cv_iter_list(c, self);
}

static cval *m_values(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *none[1];
    if (ce_args(c, "values", a, NULL, 0, 0, none))
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
    if (ce_args(c, "items", a, NULL, 0, 0, none))
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
    if (ce_args(c, "get", a, names, 2, 1, arg))
        return NULL;
    cval *v = cv_dict_get(self, arg[0]);
    return cv_ref(v ? v : arg[1] ? arg[1] : cv_none());
}

static cval *m_count(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"value"};
    cval *arg[1];
    if (ce_args(c, "count", a, names, 1, 1, arg))
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
    if (ce_args(c, "index", a, names, 1, 1, arg))
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

typedef struct method {
    uint16_t types;     /* 1 << cv_type */
    const char *name;
    cv_fn fn;
} method;

#define T_(t) (1u << (t))
static const method methods[] = {
    {T_(CV_STR) | T_(CV_BYTES), "startswith", m_startswith},
    {T_(CV_STR) | T_(CV_BYTES), "endswith", m_endswith},
    {T_(CV_STR) | T_(CV_BYTES), "strip", m_strip},
    {T_(CV_STR) | T_(CV_BYTES), "lstrip", m_lstrip},
    {T_(CV_STR) | T_(CV_BYTES), "rstrip", m_rstrip},
    {T_(CV_STR) | T_(CV_BYTES), "split", m_split},
    {T_(CV_STR) | T_(CV_BYTES), "join", m_join},
    {T_(CV_STR) | T_(CV_BYTES), "upper", m_upper},
    {T_(CV_STR) | T_(CV_BYTES), "lower", m_lower},
    {T_(CV_STR) | T_(CV_BYTES), "replace", m_replace},
    {T_(CV_STR) | T_(CV_BYTES), "find", m_find},
    {T_(CV_BYTES), "decode", m_decode},
    {T_(CV_STR), "encode", m_encode},
    {T_(CV_DICT), "keys", m_keys},
    {T_(CV_DICT), "values", m_values},
    {T_(CV_DICT), "items", m_items},
    {T_(CV_DICT), "get", m_get},
    {T_(CV_LIST) | T_(CV_TUPLE), "count", m_count},
    {T_(CV_LIST) | T_(CV_TUPLE), "index", m_index},
};

cval *ce_getattr(cv_ctx *c, cval *obj, const char *name)
{
    if (obj->type == CV_NATIVE && obj->u.nat.vt->getattr) {
        cval *r = obj->u.nat.vt->getattr(c, obj, name);
        if (r || c->etype)
            return r;
    } else if (obj->type == CV_FUNC && strcmp(name, "__name__") == 0) {
        return cv_str(obj->u.fn.name);
    } else if (obj->type != CV_NATIVE) {
        for (size_t i = 0; i < KUMO_ARRAY_LEN(methods); i++)
            if ((methods[i].types & T_(obj->type)) && strcmp(methods[i].name, name) == 0)
                return cv_func(methods[i].name, methods[i].fn, obj);
    }
    if (obj->type == CV_NATIVE && co_class_of(obj))
        return cv_raise(c, "AttributeError", "type object '%s' has no attribute '%s'",
                        cv_type_name(obj), name);
    return cv_raise(c, "AttributeError", "'%s' object has no attribute '%s'", cv_type_name(obj),
                    name);
}

cval *ce_call(cv_ctx *c, cval *f, const cv_args *a)
{
    if (f->type == CV_FUNC)
        return f->u.fn.fn(c, f->u.fn.self, a);
    if (f->type == CV_NATIVE && f->u.nat.vt->call)
        return f->u.nat.vt->call(c, f, a);
    return cv_raise(c, "TypeError", "'%s' object is not callable", cv_type_name(f));
}

cval *ce_getitem(cv_ctx *c, cval *obj, cval *key)
{
    switch (obj->type) {
    case CV_STR:
    case CV_BYTES:
    case CV_LIST:
    case CV_TUPLE:
        return cv_seq_getitem(c, obj, key);
    case CV_DICT: {
        cval *v = cv_dict_get(obj, key);
        if (v)
            return cv_ref(v);
        char r[256];
        cv_repr_short(c, key, r, sizeof(r));
        return cv_raise(c, "KeyError", "%s", r);
    }
    case CV_NATIVE:
        if (obj->u.nat.vt->getitem)
            return obj->u.nat.vt->getitem(c, obj, key);
        break;
    default:
        break;
    }
    if (obj->type == CV_NATIVE && co_class_of(obj))
        return cv_raise(c, "TypeError", "type '%s' is not subscriptable", cv_type_name(obj));
    return cv_raise(c, "TypeError", "'%s' object is not subscriptable", cv_type_name(obj));
}

/* ---------------------------------------------------------------- operators */

static bool is_num(const cval *v)
{
    return v->type == CV_BOOL || v->type == CV_INT || v->type == CV_FLOAT;
}

static bool is_int(const cval *v)
{
    return v->type == CV_BOOL || v->type == CV_INT;
}

static int64_t ival(const cval *v)
{
    return v->type == CV_INT ? v->u.i : v->u.b;
}

static double fval(const cval *v)
{
    return v->type == CV_FLOAT ? v->u.f : (double)ival(v);
}

static cval *overflow(cv_ctx *c)
{
    return cv_raise(c, "OverflowError", "integer result too large for the console (64 bits)");
}

static cval *int_op(cv_ctx *c, cp_op op, int64_t x, int64_t y)
{
    int64_t r;
    switch (op) {
    case CP_OP_ADD:
        return __builtin_add_overflow(x, y, &r) ? overflow(c) : cv_int(r);
    case CP_OP_SUB:
        return __builtin_sub_overflow(x, y, &r) ? overflow(c) : cv_int(r);
    case CP_OP_MUL:
        return __builtin_mul_overflow(x, y, &r) ? overflow(c) : cv_int(r);
    case CP_OP_DIV:
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "division by zero");
        return cv_float((double)x / (double)y);
    case CP_OP_FLOORDIV:
    case CP_OP_MOD: {
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", op == CP_OP_MOD ? "integer modulo by zero"
                                                                    : "integer division or "
                                                                      "modulo by zero");
        if (x == INT64_MIN && y == -1)
            return op == CP_OP_MOD ? cv_int(0) : overflow(c);
        int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) {
            q--;
            m += y;
        }
        return cv_int(op == CP_OP_MOD ? m : q);
    }
    case CP_OP_POW: {
        if (y < 0) {
            if (x == 0)
                return cv_raise(c, "ZeroDivisionError",
                                "0.0 cannot be raised to a negative power");
            return cv_float(pow((double)x, (double)y));
        }
        int64_t acc = 1, base = x;
        while (y) {
            if ((y & 1) && __builtin_mul_overflow(acc, base, &acc))
                return overflow(c);
            y >>= 1;
            if (y && __builtin_mul_overflow(base, base, &base))
                return overflow(c);
        }
        return cv_int(acc);
    }
    default:
        return NULL;
    }
}

static cval *float_op(cv_ctx *c, cp_op op, double x, double y)
{
    switch (op) {
    case CP_OP_ADD:
        return cv_float(x + y);
    case CP_OP_SUB:
        return cv_float(x - y);
    case CP_OP_MUL:
        return cv_float(x * y);
    case CP_OP_DIV:
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "float division by zero");
        return cv_float(x / y);
    case CP_OP_FLOORDIV:
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "float floor division by zero");
        return cv_float(floor(x / y));
    case CP_OP_MOD: {
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "float modulo");
        double m = fmod(x, y);
        if (m != 0 && ((m < 0) != (y < 0)))
            m += y;
        return cv_float(m);
    }
    case CP_OP_POW:
        if (x == 0 && y < 0)
            return cv_raise(c, "ZeroDivisionError", "0.0 cannot be raised to a negative power");
        return cv_float(pow(x, y));
    default:
        return NULL;
    }
}

static cval *concat(cv_ctx *c, cval *a, cval *b)
{
    if (a->type == CV_STR || a->type == CV_BYTES) {
        if (a->u.s.len + b->u.s.len > CV_STR_MAX)
            return cv_raise(c, "MemoryError", "result longer than %zu bytes", CV_STR_MAX);
        char *p = kumo_alloc(a->u.s.len + b->u.s.len + 1, cv_tag(), KUMO_V_TEXT);
        memcpy(p, a->u.s.s, a->u.s.len);
        memcpy(p + a->u.s.len, b->u.s.s, b->u.s.len);
        p[a->u.s.len + b->u.s.len] = '\0';
        cval *r = cv_str_take(p, a->u.s.len + b->u.s.len);
        r->type = a->type;
        return r;
    }
    cval *r = a->type == CV_TUPLE ? cv_tuple_new() : cv_list_new();
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
    if (seq->type == CV_STR || seq->type == CV_BYTES) {
        size_t len = seq->u.s.len;
        if (len && (uint64_t)n > CV_STR_MAX / len)
            return cv_raise(c, "MemoryError", "result longer than %zu bytes", CV_STR_MAX);
        size_t total = len * (size_t)n;
        char *p = kumo_alloc(total + 1, cv_tag(), KUMO_V_TEXT);
        for (int64_t i = 0; i < n; i++)
            memcpy(p + (size_t)i * len, seq->u.s.s, len);
        p[total] = '\0';
        cval *r = cv_str_take(p, total);
        r->type = seq->type;
        return r;
    }
    if (seq->u.seq.len && (uint64_t)n > CV_LIST_MAX / seq->u.seq.len)
        return cv_raise(c, "MemoryError", "more than %zu items", CV_LIST_MAX);
    cval *r = seq->type == CV_TUPLE ? cv_tuple_new() : cv_list_new();
    for (int64_t i = 0; i < n; i++)
        for (size_t k = 0; k < seq->u.seq.len; k++)
            if (cv_seq_push(c, r, cv_ref(seq->u.seq.v[k]))) {
                cv_unref(r);
                return NULL;
            }
    return r;
}

static cval *binary(cv_ctx *c, cp_op op, cval *a, cval *b)
{
    if (is_int(a) && is_int(b))
        return int_op(c, op, ival(a), ival(b));
    if (is_num(a) && is_num(b))
        return float_op(c, op, fval(a), fval(b));
    bool seq_a = a->type == CV_STR || a->type == CV_BYTES || a->type == CV_LIST ||
                 a->type == CV_TUPLE;
    if (op == CP_OP_ADD && seq_a && a->type == b->type)
        return concat(c, a, b);
    if (op == CP_OP_MUL && seq_a && is_int(b))
        return repeat(c, a, ival(b));
    if (op == CP_OP_MUL && is_int(a) && (b->type == CV_STR || b->type == CV_BYTES ||
                                         b->type == CV_LIST || b->type == CV_TUPLE))
        return repeat(c, b, ival(a));
    if (op == CP_OP_ADD && (a->type == CV_STR || a->type == CV_LIST))
        return cv_raise(c, "TypeError", "can only concatenate %s (not \"%s\") to %s",
                        cv_type_name(a), cv_type_name(b), cv_type_name(a));
    return cv_raise(c, "TypeError", "unsupported operand type(s) for %s: '%s' and '%s'",
                    cp_op_name(op), cv_type_name(a), cv_type_name(b));
}

static int contains(cv_ctx *c, cval *container, cval *item)
{
    switch (container->type) {
    case CV_STR:
    case CV_BYTES:
        if (container->type == CV_BYTES && is_int(item)) {
            int64_t v = ival(item);
            if (v < 0 || v > 255)
                return cv_raisei(c, "ValueError", "byte must be in range(0, 256)"), -1;
            return memchr(container->u.s.s, (int)v, container->u.s.len) != NULL;
        }
        if (item->type != container->type) {
            if (container->type == CV_STR)
                cv_raise(c, "TypeError", "'in <string>' requires string as left operand, not %s",
                         cv_type_name(item));
            else
                cv_raise(c, "TypeError", "a bytes-like object is required, not '%s'",
                         cv_type_name(item));
            return -1;
        }
        return item->u.s.len == 0 ||
               memmem(container->u.s.s, container->u.s.len, item->u.s.s, item->u.s.len) != NULL;
    case CV_DICT:
        return cv_dict_get(container, item) != NULL;
    default: {
        cval *l = cv_iter_list(c, container);
        if (!l) {
            if (!strcmp(c->etype, "TypeError")) {
                c->etype = NULL;
                cv_raise(c, "TypeError", "argument of type '%s' is not iterable",
                         cv_type_name(container));
            }
            return -1;
        }
        int found = 0;
        for (size_t i = 0; i < l->u.seq.len && !found; i++)
            found = cv_equal(c, l->u.seq.v[i], item);
        cv_unref(l);
        return found;
    }
    }
}

static int same(cval *a, cval *b)
{
    if (a == b)
        return 1;
    if (a->type != b->type)
        return 0;
    if (a->type == CV_NATIVE && a->u.nat.vt == b->u.nat.vt)
        return a->u.nat.vt->same ? a->u.nat.vt->same(a, b) : a->u.nat.p == b->u.nat.p;
    if (a->type == CV_INT)
        return a->u.i == b->u.i && a->u.i >= -5 && a->u.i <= 256;   /* CPython's small ints */
    return 0;
}

/* Returns 1, 0, or -1 with an error. */
static int compare(cv_ctx *c, cp_op op, cval *a, cval *b)
{
    int r, cmp;
    switch (op) {
    case CP_OP_EQ:
        return cv_equal(c, a, b);
    case CP_OP_NE:
        r = cv_equal(c, a, b);
        return r < 0 ? r : !r;
    case CP_OP_IN:
        return contains(c, b, a);
    case CP_OP_NOTIN:
        r = contains(c, b, a);
        return r < 0 ? r : !r;
    case CP_OP_IS:
        return same(a, b);
    case CP_OP_ISNOT:
        return !same(a, b);
    default:
        if (cv_compare(c, a, b, cp_op_name(op), &cmp))
            return -1;
        if (cmp == 2)
            return 0;       /* nan */
        return op == CP_OP_LT ? cmp < 0 : op == CP_OP_LE ? cmp <= 0 : op == CP_OP_GT ? cmp > 0
                                                                                      : cmp >= 0;
    }
}

cval *ce_binop(cv_ctx *c, cp_op op, cval *a, cval *b)
{
    return binary(c, op, a, b);
}

cval *ce_dir(cv_ctx *c, cval *v)
{
    cval *l = cv_list_new();
    if (v->type == CV_NATIVE) {
        for (const char *const *a = v->u.nat.vt->attrs; a && *a; a++)
            if (cv_seq_push(c, l, cv_str(*a)))
                goto fail;
        return l;
    }
    for (size_t i = 0; i < KUMO_ARRAY_LEN(methods); i++)
        if ((methods[i].types & T_(v->type)) && cv_seq_push(c, l, cv_str(methods[i].name)))
            goto fail;
    return l;
fail:
    cv_unref(l);
    return NULL;
}

/* ---------------------------------------------------------------- assignment */

static int assign(cv_ctx *c, ce_scope *sc, const cp_node *t, cval *v);

static int unpack(cv_ctx *c, ce_scope *sc, const cp_node *t, cval *v)
{
    cval *l = cv_iter_list(c, v);
    if (!l) {
        if (c->etype && !strcmp(c->etype, "TypeError")) {
            c->etype = NULL;
            cv_raise(c, "TypeError", "cannot unpack non-iterable %s object", cv_type_name(v));
        }
        return KUMO_EINVAL;
    }
    int rc = KUMO_OK;
    if (l->u.seq.len > t->nkids)
        rc = cv_raisei(c, "ValueError", "too many values to unpack (expected %zu)", t->nkids);
    else if (l->u.seq.len < t->nkids)
        rc = cv_raisei(c, "ValueError", "not enough values to unpack (expected %zu, got %zu)",
                       t->nkids, l->u.seq.len);
    for (size_t i = 0; !rc && i < t->nkids; i++)
        rc = assign(c, sc, t->kids[i], cv_ref(l->u.seq.v[i]));
    cv_unref(l);
    return rc;
}

/* Bind target t to v; takes ownership of v. */
static int assign(cv_ctx *c, ce_scope *sc, const cp_node *t, cval *v)
{
    int rc = KUMO_OK;
    cval *obj;
    switch (t->kind) {
    case CP_NAME: {
        cval **slot = scope_slot(sc, t->name);
        if (slot) {
            cv_unref(*slot);
            *slot = v;
            return KUMO_OK;
        }
        return ce_var_set(c, t->name, v);
    }
    case CP_TUPLE:
    case CP_LIST:
        rc = unpack(c, sc, t, v);
        break;
    case CP_ATTR:
        obj = eval(c, sc, t->kids[0]);
        if (obj) {
            rc = cv_raisei(c, "AttributeError", "'%s' object attribute '%s' is read-only in the "
                           "console", cv_type_name(obj), t->name);
            cv_unref(obj);
        }
        break;
    default:
        obj = eval(c, sc, t->kids[0]);
        if (obj) {
            rc = cv_raisei(c, "TypeError", "'%s' object does not support item assignment in the "
                           "console", cv_type_name(obj));
            cv_unref(obj);
        }
        break;
    }
    cv_unref(v);
    return c->etype ? KUMO_EINVAL : rc;
}

/* ---------------------------------------------------------------- comprehensions */

static void scope_names(ce_scope *sc, const cp_node *t)
{
    if (t->kind == CP_NAME) {
        for (size_t i = 0; i < sc->n; i++)
            if (strcmp(sc->names[i], t->name) == 0)
                return;
        if (sc->n == sc->cap) {
            sc->cap = sc->cap ? sc->cap * 2 : 4;
            sc->names = kumo_realloc(sc->names, sc->cap * sizeof(*sc->names), cv_tag(),
                                     KUMO_V_NONE);
            sc->vals = kumo_realloc(sc->vals, sc->cap * sizeof(*sc->vals), cv_tag(),
                                    KUMO_V_NONE);
        }
        sc->names[sc->n] = t->name;
        sc->vals[sc->n++] = NULL;
        return;
    }
    for (size_t i = 0; i < t->nkids; i++)
        scope_names(sc, t->kids[i]);
}

/* Run clause k of comprehension n and the ones after it, appending to out. */
static int comp_run(cv_ctx *c, ce_scope *sc, const cp_node *n, size_t k, cval *out)
{
    if (k == n->nkids) {
        cval *v = eval(c, sc, n->kids[0]);
        return v ? cv_seq_push(c, out, v) : KUMO_EINVAL;
    }
    const cp_node *cl = n->kids[k];
    if (cl->kind == CP_IF) {
        cval *cond = eval(c, sc, cl->kids[0]);
        if (!cond)
            return KUMO_EINVAL;
        int t = cv_truthy(c, cond);
        cv_unref(cond);
        if (t < 0)
            return KUMO_EINVAL;
        return t ? comp_run(c, sc, n, k + 1, out) : KUMO_OK;
    }
    cval *it = eval(c, sc, cl->kids[1]);
    if (!it)
        return KUMO_EINVAL;
    cval *items = cv_iter_list(c, it);
    cv_unref(it);
    if (!items)
        return KUMO_EINVAL;
    int rc = KUMO_OK;
    for (size_t i = 0; !rc && i < items->u.seq.len; i++) {
        if (++c->steps > CV_STEPS_MAX) {
            rc = cv_raisei(c, "RuntimeError", "evaluation step limit exceeded (%llu)",
                           (unsigned long long)CV_STEPS_MAX);
            break;
        }
        rc = assign(c, sc, cl->kids[0], cv_ref(items->u.seq.v[i]));
        if (!rc)
            rc = comp_run(c, sc, n, k + 1, out);
    }
    cv_unref(items);
    return rc;
}

static cval *listcomp(cv_ctx *c, ce_scope *up, const cp_node *n)
{
    ce_scope sc = {.up = up};
    for (size_t k = 1; k < n->nkids; k++)
        if (n->kids[k]->kind == CP_FOR)
            scope_names(&sc, n->kids[k]->kids[0]);
    cval *out = cv_list_new();
    int rc = comp_run(c, &sc, n, 1, out);
    for (size_t i = 0; i < sc.n; i++)
        cv_unref(sc.vals[i]);
    kumo_free(sc.names);
    kumo_free(sc.vals);
    if (rc) {
        cv_unref(out);
        return NULL;
    }
    return out;
}

/* ---------------------------------------------------------------- expressions */

static cval *call(cv_ctx *c, ce_scope *sc, const cp_node *n)
{
    cval *f = eval(c, sc, n->kids[0]);
    if (!f)
        return NULL;
    size_t nargs = n->nkids - 1;
    cval *stackv[8];
    cv_kw stackk[8];
    cval **v = nargs <= 8 ? stackv : kumo_alloc(nargs * sizeof(*v), cv_tag(), KUMO_V_NONE);
    cv_kw *kw = nargs <= 8 ? stackk : kumo_alloc(nargs * sizeof(*kw), cv_tag(), KUMO_V_NONE);
    cv_args a = {.v = v, .kw = kw};
    cval *r = NULL;
    for (size_t i = 1; i < n->nkids; i++) {
        const cp_node *arg = n->kids[i];
        cval *x = eval(c, sc, arg->kind == CP_KWARG ? arg->kids[0] : arg);
        if (!x)
            goto out;
        if (arg->kind == CP_KWARG)
            kw[a.nkw++] = (cv_kw){.name = arg->name, .v = x};
        else
            v[a.n++] = x;
    }
    r = ce_call(c, f, &a);
out:
    for (size_t i = 0; i < a.n; i++)
        cv_unref(v[i]);
    for (size_t i = 0; i < a.nkw; i++)
        cv_unref(kw[i].v);
    if (v != stackv)
        kumo_free(v);
    if (kw != stackk)
        kumo_free(kw);
    cv_unref(f);
    return r;
}

static cval *display(cv_ctx *c, ce_scope *sc, const cp_node *n, cval *out)
{
    for (size_t i = 0; i < n->nkids; i++) {
        cval *x = n->kids[i] ? eval(c, sc, n->kids[i]) : cv_none();
        if (!x || cv_seq_push(c, out, x)) {
            cv_unref(out);
            return NULL;
        }
    }
    return out;
}

static cval *dict_display(cv_ctx *c, ce_scope *sc, const cp_node *n)
{
    cval *d = cv_dict_new();
    for (size_t i = 0; i + 1 < n->nkids; i += 2) {
        cval *k = eval(c, sc, n->kids[i]);
        if (!k)
            goto fail;
        if (k->type == CV_LIST || k->type == CV_DICT) {
            cv_raise(c, "TypeError", "unhashable type: '%s'", cv_type_name(k));
            cv_unref(k);
            goto fail;
        }
        cval *v = eval(c, sc, n->kids[i + 1]);
        if (!v) {
            cv_unref(k);
            goto fail;
        }
        if (cv_dict_set(c, d, k, v))
            goto fail;
    }
    return d;
fail:
    cv_unref(d);
    return NULL;
}

static cval *unary(cv_ctx *c, cp_op op, cval *v)
{
    if (op == CP_OP_NEG && is_int(v)) {
        if (ival(v) == INT64_MIN)
            return overflow(c);
        return cv_int(-ival(v));
    }
    if (op == CP_OP_NEG && v->type == CV_FLOAT)
        return cv_float(-v->u.f);
    if (op == CP_OP_POS && is_int(v))
        return cv_int(ival(v));
    if (op == CP_OP_POS && v->type == CV_FLOAT)
        return cv_float(v->u.f);
    if (op == CP_OP_INV && is_int(v))
        return cv_int(~ival(v));
    return cv_raise(c, "TypeError", "bad operand type for %s: '%s'", cp_op_name(op),
                    cv_type_name(v));
}

static cval *eval(cv_ctx *c, ce_scope *sc, const cp_node *n)
{
    if (++c->steps > CV_STEPS_MAX)
        return cv_raise(c, "RuntimeError", "evaluation step limit exceeded (%llu)",
                        (unsigned long long)CV_STEPS_MAX);
    cval *a, *b, *r;
    int t;
    switch (n->kind) {
    case CP_CONST:
        return cv_ref(n->val);
    case CP_NAME:
        return lookup(c, sc, n->name);
    case CP_ATTR:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        r = ce_getattr(c, a, n->name);
        cv_unref(a);
        return r;
    case CP_CALL:
        return call(c, sc, n);
    case CP_INDEX:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        b = eval(c, sc, n->kids[1]);
        r = b ? ce_getitem(c, a, b) : NULL;
        cv_unref(a);
        cv_unref(b);
        return r;
    case CP_SLICE:
        r = display(c, sc, n, cv_tuple_new());
        if (r)
            r->type = CV_SLICE;
        return r;
    case CP_BINOP:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        b = eval(c, sc, n->kids[1]);
        r = b ? binary(c, n->op, a, b) : NULL;
        cv_unref(a);
        cv_unref(b);
        return r;
    case CP_UNARY:
        a = eval(c, sc, n->kids[0]);
        r = a ? unary(c, n->op, a) : NULL;
        cv_unref(a);
        return r;
    case CP_NOT:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        t = cv_truthy(c, a);
        cv_unref(a);
        return t < 0 ? NULL : cv_bool(!t);
    case CP_AND:
    case CP_OR:
        for (size_t i = 0; i < n->nkids; i++) {
            a = eval(c, sc, n->kids[i]);
            if (!a || i + 1 == n->nkids)
                return a;
            t = cv_truthy(c, a);
            if (t < 0 || (n->kind == CP_AND ? !t : t))
                return t < 0 ? (cv_unref(a), NULL) : a;
            cv_unref(a);
        }
        return cv_none();
    case CP_CMP:
        a = eval(c, sc, n->kids[0]);
        for (size_t i = 1; a && i < n->nkids; i++) {
            b = eval(c, sc, n->kids[i]);
            if (!b) {
                cv_unref(a);
                return NULL;
            }
            t = compare(c, n->ops[i - 1], a, b);
            cv_unref(a);
            a = b;
            if (t <= 0) {
                cv_unref(a);
                return t < 0 ? NULL : cv_bool(0);
            }
        }
        if (!a)
            return NULL;
        cv_unref(a);
        return cv_bool(1);
    case CP_IFEXP:
        a = eval(c, sc, n->kids[0]);
        if (!a)
            return NULL;
        t = cv_truthy(c, a);
        cv_unref(a);
        if (t < 0)
            return NULL;
        return eval(c, sc, n->kids[t ? 1 : 2]);
    case CP_TUPLE:
        return display(c, sc, n, cv_tuple_new());
    case CP_LIST:
        return display(c, sc, n, cv_list_new());
    case CP_DICT:
        return dict_display(c, sc, n);
    case CP_LISTCOMP:
        return listcomp(c, sc, n);
    default:
        return cv_raise(c, "SyntaxError", "invalid syntax");
    }
}

/* ---------------------------------------------------------------- statements */

static int import_from(cv_ctx *c, const cp_node *n)
{
    if (n->name2)
        return ce_import_star(c, n->name);
    for (size_t i = 0; i < n->nkids; i++) {
        const cp_node *a = n->kids[i];
        cval *v = ce_import_name(c, n->name, a->name);
        if (!v || ce_var_set(c, a->name2 ? a->name2 : a->name, v))
            return KUMO_EINVAL;
    }
    return KUMO_OK;
}

static int import(cv_ctx *c, const cp_node *n)
{
    for (size_t i = 0; i < n->nkids; i++) {
        const cp_node *a = n->kids[i];
        cval *full = ce_import_module(c, a->name);
        if (!full)
            return KUMO_EINVAL;
        if (a->name2) {
            if (ce_var_set(c, a->name2, full))
                return KUMO_EINVAL;
            continue;
        }
        cv_unref(full);
        char top[128];
        snprintf(top, sizeof(top), "%.*s", (int)strcspn(a->name, "."), a->name);
        cval *m = ce_import_module(c, top);
        if (!m || ce_var_set(c, top, m))
            return KUMO_EINVAL;
    }
    return KUMO_OK;
}

int ce_exec(cv_ctx *c, const cp_node *stmt, cval **result)
{
    *result = NULL;
    cval *v;
    switch (stmt->kind) {
    case CP_PASS:
        return KUMO_OK;
    case CP_EXPR:
        v = eval(c, NULL, stmt->kids[0]);
        if (!v)
            return KUMO_EINVAL;
        *result = v;
        return KUMO_OK;
    case CP_ASSIGN:
        if (stmt->op != CP_OP_NONE) {
            cval *old = eval(c, NULL, stmt->kids[0]);
            if (!old)
                return KUMO_EINVAL;
            cval *rhs = eval(c, NULL, stmt->kids[1]);
            v = rhs ? binary(c, stmt->op, old, rhs) : NULL;
            cv_unref(old);
            cv_unref(rhs);
            if (!v)
                return KUMO_EINVAL;
            return assign(c, NULL, stmt->kids[0], v);
        }
        v = eval(c, NULL, stmt->kids[stmt->nkids - 1]);
        if (!v)
            return KUMO_EINVAL;
        for (size_t i = 0; i + 1 < stmt->nkids; i++)
            if (assign(c, NULL, stmt->kids[i], cv_ref(v))) {
                cv_unref(v);
                return KUMO_EINVAL;
            }
        cv_unref(v);
        return KUMO_OK;
    case CP_FROM:
        return import_from(c, stmt);
    case CP_IMPORT:
        return import(c, stmt);
    default:
        return cv_raisei(c, "SyntaxError", "invalid syntax");
    }
}
