/* cval.c - console values: constructors, refcounts, Python's repr, equality and ordering. */
#include "console/cval.h"
#include <math.h>

static cval none_v = {.refs = 0, .type = CV_NONE};
static cval true_v = {.refs = 0, .type = CV_BOOL, .u.b = 1};
static cval false_v = {.refs = 0, .type = CV_BOOL, .u.b = 0};

kumo_tag cv_tag(void)
{
    static kumo_tag tag;
    if (!tag)
        tag = kumo_type_intern("console");
    return tag;
}

static cval *alloc_val(cv_type t)
{
    cval *v = kumo_calloc(1, sizeof(*v), cv_tag(), KUMO_V_NONE);
    v->refs = 1;
    v->type = (uint8_t)t;
    return v;
}

cval *cv_none(void)
{
    return &none_v;
}

cval *cv_bool(int b)
{
    return b ? &true_v : &false_v;
}

cval *cv_int(int64_t i)
{
    cval *v = alloc_val(CV_INT);
    v->u.i = i;
    return v;
}

cval *cv_float(double f)
{
    cval *v = alloc_val(CV_FLOAT);
    v->u.f = f;
    return v;
}

cval *cv_str_take(char *s, size_t len)
{
    cval *v = alloc_val(CV_STR);
    v->u.s.s = s;
    v->u.s.len = len;
    return v;
}

cval *cv_strn(const char *s, size_t len)
{
    char *p = kumo_alloc(len + 1, cv_tag(), KUMO_V_TEXT);
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return cv_str_take(p, len);
}

cval *cv_str(const char *s)
{
    return cv_strn(s, strlen(s));
}

cval *cv_bytesn(const char *s, size_t len)
{
    cval *v = cv_strn(s, len);
    v->type = CV_BYTES;
    return v;
}

cval *cv_list_new(void)
{
    cval *v = alloc_val(CV_LIST);
    v->depth = 1;
    return v;
}

cval *cv_tuple_new(void)
{
    cval *v = alloc_val(CV_TUPLE);
    v->depth = 1;
    return v;
}

cval *cv_dict_new(void)
{
    cval *v = alloc_val(CV_DICT);
    v->depth = 1;
    return v;
}

cval *cv_func(const char *name, cv_fn fn, cval *self)
{
    cval *v = alloc_val(CV_FUNC);
    v->u.fn.name = name;
    v->u.fn.fn = fn;
    v->u.fn.self = self ? cv_ref(self) : NULL;
    return v;
}

cval *cv_native(const cv_vtable *vt, void *p, cval *owner)
{
    cval *v = alloc_val(CV_NATIVE);
    v->u.nat.vt = vt;
    v->u.nat.p = p;
    v->u.nat.owner = owner;
    return v;
}

cval *cv_ref(cval *v)
{
    if (v->refs)
        v->refs++;
    return v;
}

void cv_unref(cval *v)
{
    if (!v || !v->refs)
        return;
    kumo_assert(v->refs > 0);
    if (--v->refs)
        return;
    switch (v->type) {
    case CV_STR:
    case CV_BYTES:
        kumo_free(v->u.s.s);
        break;
    case CV_LIST:
    case CV_TUPLE:
    case CV_SLICE:
        for (size_t i = 0; i < v->u.seq.len; i++)
            cv_unref(v->u.seq.v[i]);
        kumo_free(v->u.seq.v);
        break;
    case CV_DICT:
        for (size_t i = 0; i < v->u.dict.len; i++) {
            cv_unref(v->u.dict.k[i]);
            cv_unref(v->u.dict.v[i]);
        }
        kumo_free(v->u.dict.k);
        kumo_free(v->u.dict.v);
        break;
    case CV_FUNC:
        cv_unref(v->u.fn.self);
        break;
    case CV_NATIVE:
        if (v->u.nat.vt->free)
            v->u.nat.vt->free(v->u.nat.p);
        cv_unref(v->u.nat.owner);
        break;
    default:
        break;
    }
    kumo_free(v);
}

/* ---------------------------------------------------------------- errors */

static void vraise(cv_ctx *c, const char *type, const char *fmt, va_list ap)
{
    if (c->etype)
        return;             /* keep the first error */
    c->etype = type;
    vsnprintf(c->emsg, sizeof(c->emsg), fmt, ap);
}

cval *cv_raise(cv_ctx *c, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vraise(c, type, fmt, ap);
    va_end(ap);
    return NULL;
}

int cv_raisei(cv_ctx *c, const char *type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vraise(c, type, fmt, ap);
    va_end(ap);
    return KUMO_EINVAL;
}

/* ---------------------------------------------------------------- containers */

static int check_child(cv_ctx *c, cval *parent, cval *v)
{
    if (v->depth + 1 > CV_DEPTH_MAX)
        return cv_raisei(c, "RecursionError", "maximum container nesting depth exceeded");
    if (v->depth + 1 > parent->depth)
        parent->depth = (uint8_t)(v->depth + 1);
    return KUMO_OK;
}

int cv_seq_push(cv_ctx *c, cval *seq, cval *v)
{
    if (seq->u.seq.len >= CV_LIST_MAX) {
        cv_unref(v);
        return cv_raisei(c, "MemoryError", "more than %zu items", CV_LIST_MAX);
    }
    if (check_child(c, seq, v)) {
        cv_unref(v);
        return KUMO_EINVAL;
    }
    if (seq->u.seq.len == seq->u.seq.cap) {
        seq->u.seq.cap = seq->u.seq.cap ? seq->u.seq.cap * 2 : 4;
        seq->u.seq.v = kumo_realloc(seq->u.seq.v, seq->u.seq.cap * sizeof(cval *), cv_tag(),
                                    KUMO_V_ITEMS);
    }
    seq->u.seq.v[seq->u.seq.len++] = v;
    return KUMO_OK;
}

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
            if (check_child(c, d, v))
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
    if (check_child(c, d, k) || check_child(c, d, v))
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

/* ---------------------------------------------------------------- semantics */

const char *cv_type_name(cval *v)
{
    static const char *const names[] = {
        [CV_NONE] = "NoneType", [CV_BOOL] = "bool",   [CV_INT] = "int",
        [CV_FLOAT] = "float",   [CV_STR] = "str",     [CV_BYTES] = "bytes",
        [CV_LIST] = "list",     [CV_TUPLE] = "tuple", [CV_DICT] = "dict",
        [CV_SLICE] = "slice",   [CV_FUNC] = "builtin_function_or_method",
    };
    if (v->type == CV_NATIVE) {
        const cv_vtable *vt = v->u.nat.vt;
        const char *n = vt->tname ? vt->tname(v) : NULL;
        return n ? n : vt->name;
    }
    return names[v->type];
}

/* Start offsets of the code points of a str that is not plain ASCII (n + 1 entries, the
 * last one len), or NULL for ASCII.  A byte that is not valid UTF-8 counts as one. */
static size_t *cp_offsets(const char *s, size_t len, size_t *n)
{
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    if (i == len)
        return NULL;
    size_t *off = kumo_alloc((len + 1) * sizeof(*off), cv_tag(), KUMO_V_NONE);
    size_t k = 0;
    for (i = 0; i < len;) {
        off[k++] = i;
        unsigned char ch = (unsigned char)s[i];
        size_t w = ch < 0xc0 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
        size_t j = 1;
        while (j < w && i + j < len && ((unsigned char)s[i + j] & 0xc0) == 0x80)
            j++;
        i += ch < 0x80 || j < w ? 1 : w;
    }
    off[k] = len;
    *n = k;
    return off;
}

int cv_len(cv_ctx *c, cval *v, size_t *n)
{
    size_t *off;
    switch (v->type) {
    case CV_STR:
        off = cp_offsets(v->u.s.s, v->u.s.len, n);
        if (!off)
            *n = v->u.s.len;
        kumo_free(off);
        return KUMO_OK;
    case CV_BYTES:
        *n = v->u.s.len;
        return KUMO_OK;
    case CV_LIST:
    case CV_TUPLE:
        *n = v->u.seq.len;
        return KUMO_OK;
    case CV_DICT:
        *n = v->u.dict.len;
        return KUMO_OK;
    case CV_NATIVE:
        if (v->u.nat.vt->len)
            return v->u.nat.vt->len(c, v, n);
        break;
    default:
        break;
    }
    return cv_raisei(c, "TypeError", "object of type '%s' has no len()", cv_type_name(v));
}

int cv_truthy(cv_ctx *c, cval *v)
{
    size_t n;
    switch (v->type) {
    case CV_NONE:
        return 0;
    case CV_BOOL:
        return v->u.b;
    case CV_INT:
        return v->u.i != 0;
    case CV_FLOAT:
        return v->u.f != 0.0;
    case CV_NATIVE:
        if (!v->u.nat.vt->len)
            return 1;
        /* fall through */
    case CV_STR:
    case CV_BYTES:
    case CV_LIST:
    case CV_TUPLE:
    case CV_DICT:
        if (cv_len(c, v, &n))
            return -1;
        return n > 0;
    default:
        return 1;
    }
}

static bool is_num(const cval *v)
{
    return v->type == CV_BOOL || v->type == CV_INT || v->type == CV_FLOAT;
}

static double num_f(const cval *v)
{
    return v->type == CV_FLOAT ? v->u.f : v->type == CV_INT ? (double)v->u.i : (double)v->u.b;
}

static int64_t num_i(const cval *v)
{
    return v->type == CV_INT ? v->u.i : v->u.b;
}

static int cmp_num(const cval *a, const cval *b)
{
    if (a->type != CV_FLOAT && b->type != CV_FLOAT) {
        int64_t x = num_i(a), y = num_i(b);
        return x < y ? -1 : x > y;
    }
    double x = num_f(a), y = num_f(b);
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;     /* 2: unordered (nan) */
}

static int cmp_bytes(const cval *a, const cval *b)
{
    size_t n = KUMO_MIN(a->u.s.len, b->u.s.len);
    int r = memcmp(a->u.s.s, b->u.s.s, n);
    if (r)
        return r < 0 ? -1 : 1;
    return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

int cv_equal(cv_ctx *c, cval *a, cval *b)
{
    if (a == b && a->type != CV_FLOAT)
        return 1;
    if (is_num(a) && is_num(b))
        return cmp_num(a, b) == 0;
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case CV_NONE:
        return 1;
    case CV_STR:
    case CV_BYTES:
        return cmp_bytes(a, b) == 0;
    case CV_LIST:
    case CV_TUPLE:
    case CV_SLICE:
        if (a->u.seq.len != b->u.seq.len)
            return 0;
        for (size_t i = 0; i < a->u.seq.len; i++) {
            int r = cv_equal(c, a->u.seq.v[i], b->u.seq.v[i]);
            if (r != 1)
                return r;
        }
        return 1;
    case CV_DICT:
        if (a->u.dict.len != b->u.dict.len)
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
    case CV_FUNC:
        return a->u.fn.fn == b->u.fn.fn &&
               (a->u.fn.self == b->u.fn.self ||
                (a->u.fn.self && b->u.fn.self && cv_equal(c, a->u.fn.self, b->u.fn.self) == 1));
    case CV_NATIVE:
        if (a->u.nat.vt != b->u.nat.vt)
            return 0;
        if (a->u.nat.vt->same)
            return a->u.nat.vt->same(a, b);
        return a->u.nat.p == b->u.nat.p;
    default:
        return 0;
    }
}

int cv_compare(cv_ctx *c, cval *a, cval *b, const char *opname, int *cmp)
{
    if (is_num(a) && is_num(b)) {
        *cmp = cmp_num(a, b);
        return KUMO_OK;
    }
    if (a->type == b->type && (a->type == CV_STR || a->type == CV_BYTES)) {
        *cmp = cmp_bytes(a, b);
        return KUMO_OK;
    }
    if (a->type == b->type && (a->type == CV_LIST || a->type == CV_TUPLE)) {
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
    return cv_raisei(c, "TypeError", "'%s' not supported between instances of '%s' and '%s'",
                     opname, cv_type_name(a), cv_type_name(b));
}

cval *cv_iter_list(cv_ctx *c, cval *v)
{
    cval *l;
    switch (v->type) {
    case CV_LIST:
    case CV_TUPLE:
        l = cv_list_new();
        for (size_t i = 0; i < v->u.seq.len; i++)
            if (cv_seq_push(c, l, cv_ref(v->u.seq.v[i])))
                goto fail;
        return l;
    case CV_DICT:
        l = cv_list_new();
        for (size_t i = 0; i < v->u.dict.len; i++)
            if (cv_seq_push(c, l, cv_ref(v->u.dict.k[i])))
                goto fail;
        return l;
    case CV_STR: {
        l = cv_list_new();
        const unsigned char *s = (const unsigned char *)v->u.s.s;
        for (size_t i = 0; i < v->u.s.len;) {
            size_t n = 1;
            if (s[i] >= 0xc0)       /* keep a UTF-8 sequence together */
                while (i + n < v->u.s.len && (s[i + n] & 0xc0) == 0x80 && n < 4)
                    n++;
            if (cv_seq_push(c, l, cv_strn(v->u.s.s + i, n)))
                goto fail;
            i += n;
        }
        return l;
    }
    case CV_BYTES:
        l = cv_list_new();
        for (size_t i = 0; i < v->u.s.len; i++)
            if (cv_seq_push(c, l, cv_int((unsigned char)v->u.s.s[i])))
                goto fail;
        return l;
    case CV_NATIVE:
        if (v->u.nat.vt->iter)
            return v->u.nat.vt->iter(c, v);
        break;
    default:
        break;
    }
    return cv_raise(c, "TypeError", "'%s' object is not iterable", cv_type_name(v));
fail:
    cv_unref(l);
    return NULL;
}

int cv_as_index(cv_ctx *c, cval *v, int64_t *out)
{
    if (v->type == CV_INT || v->type == CV_BOOL) {
        *out = num_i(v);
        return KUMO_OK;
    }
    return cv_raisei(c, "TypeError", "indices must be integers or slices, not %s",
                     cv_type_name(v));
}

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

/* A str indexed by code points: the slice or the one character. */
static cval *str_getitem(cv_ctx *c, cval *seq, cval *key, size_t *off, size_t n)
{
    if (key->type == CV_SLICE) {
        int64_t lo, hi, st;
        size_t cnt;
        if (cv_slice_indices(c, key, n, &lo, &hi, &st, &cnt))
            return NULL;
        kumo_buf b;
        kumo_buf_init(&b, 0, cv_tag(), KUMO_V_TEXT);
        kumo_buf_add(&b, "", 0);
        for (size_t i = 0; i < cnt; i++) {
            size_t k = (size_t)(lo + (int64_t)i * st);
            kumo_buf_add(&b, seq->u.s.s + off[k], off[k + 1] - off[k]);
        }
        size_t len;
        char *p = kumo_buf_detach(&b, &len);
        return cv_str_take(p, len);
    }
    int64_t i;
    if (key->type != CV_INT && key->type != CV_BOOL)
        return cv_raise(c, "TypeError", "string indices must be integers, not '%s'",
                        cv_type_name(key));
    cv_as_index(c, key, &i);
    if (i < 0)
        i += (int64_t)n;
    if (i < 0 || i >= (int64_t)n)
        return cv_raise(c, "IndexError", "string index out of range");
    return cv_strn(seq->u.s.s + off[i], off[i + 1] - off[i]);
}

cval *cv_seq_getitem(cv_ctx *c, cval *seq, cval *key)
{
    if (seq->type == CV_STR) {
        size_t n;
        size_t *off = cp_offsets(seq->u.s.s, seq->u.s.len, &n);
        if (off) {
            cval *r = str_getitem(c, seq, key, off, n);
            kumo_free(off);
            return r;
        }
    }
    bool bytes = seq->type == CV_STR || seq->type == CV_BYTES;
    size_t len = bytes ? seq->u.s.len : seq->u.seq.len;
    if (key->type == CV_SLICE) {
        int64_t lo, hi, st;
        size_t cnt;
        if (cv_slice_indices(c, key, len, &lo, &hi, &st, &cnt))
            return NULL;
        if (bytes) {
            char *p = kumo_alloc(cnt + 1, cv_tag(), KUMO_V_TEXT);
            for (size_t i = 0; i < cnt; i++)
                p[i] = seq->u.s.s[lo + (int64_t)i * st];
            p[cnt] = '\0';
            cval *r = cv_str_take(p, cnt);
            r->type = seq->type;
            return r;
        }
        cval *r = seq->type == CV_TUPLE ? cv_tuple_new() : cv_list_new();
        for (size_t i = 0; i < cnt; i++)
            if (cv_seq_push(c, r, cv_ref(seq->u.seq.v[lo + (int64_t)i * st]))) {
                cv_unref(r);
                return NULL;
            }
        return r;
    }
    int64_t i;
    if (key->type != CV_INT && key->type != CV_BOOL) {
        if (seq->type == CV_STR)
            return cv_raise(c, "TypeError", "string indices must be integers, not '%s'",
                            cv_type_name(key));
        return cv_raise(c, "TypeError", "%s indices must be integers or slices, not %s",
                        cv_type_name(seq), cv_type_name(key));
    }
    cv_as_index(c, key, &i);
    if (i < 0)
        i += (int64_t)len;
    if (i < 0 || i >= (int64_t)len) {
        if (seq->type == CV_BYTES)
            return cv_raise(c, "IndexError", "index out of range");
        return cv_raise(c, "IndexError", "%s index out of range",
                        seq->type == CV_STR ? "string" : cv_type_name(seq));
    }
    if (seq->type == CV_BYTES)
        return cv_int((unsigned char)seq->u.s.s[i]);
    if (seq->type == CV_STR)
        return cv_strn(seq->u.s.s + i, 1);
    return cv_ref(seq->u.seq.v[i]);
}

/* ---------------------------------------------------------------- output */

int cv_write(cv_ctx *c, kumo_buf *b, const void *p, size_t n)
{
    size_t room = b->max > b->len ? b->max - b->len : 0;
    if (n <= room)
        return kumo_buf_add(b, p, n);
    if (room)
        kumo_buf_add(b, p, room);
    if (c && b == c->out)
        c->truncated = true;
    return KUMO_ETOOBIG;
}

int cv_writes(cv_ctx *c, kumo_buf *b, const char *s)
{
    return cv_write(c, b, s, strlen(s));
}

int cv_writef(cv_ctx *c, kumo_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return KUMO_EINVAL;
    return cv_write(c, b, small, KUMO_MIN((size_t)n, sizeof(small) - 1));
}

int cv_print(cv_ctx *c, const char *s, size_t n)
{
    return cv_write(c, c->out, s, n);
}

void cv_float_repr(double f, char *dst, size_t n)
{
    if (isnan(f)) {
        snprintf(dst, n, "nan");
        return;
    }
    if (isinf(f)) {
        snprintf(dst, n, f < 0 ? "-inf" : "inf");
        return;
    }
    /* The shortest digits that read back as f, laid out as Python's repr does. */
    char e[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, f);
        if (strtod(e, NULL) == f)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *p = e;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    char out[64];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (exp < -4 || exp >= 16) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(out + o, sizeof(out) - o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = -1; i > exp; i--)
            out[o++] = '0';
        memcpy(out + o, digits, nd);
        o += nd;
        out[o] = '\0';
    } else {
        for (int i = 0; i <= exp; i++)
            out[o++] = (size_t)i < nd ? digits[i] : '0';
        out[o++] = '.';
        if ((size_t)exp + 1 < nd) {
            memcpy(out + o, digits + exp + 1, nd - (size_t)exp - 1);
            o += nd - (size_t)exp - 1;
        } else {
            out[o++] = '0';
        }
        out[o] = '\0';
    }
    snprintf(dst, n, "%s", out);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), its code point in *cp; 0 when
 * invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t v;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        v = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        v = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        v = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    static const uint32_t minv[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < minv[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* Python's str.isprintable() for the code points a console meets most. */
static bool cp_printable(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad)
        return false;
    if ((cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
        (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff || cp == 0x1680 ||
        (cp >= 0xd800 && cp <= 0xf8ff) || cp == 0xfff9 || cp == 0xfffa || cp == 0xfffb)
        return false;
    return true;
}

static int repr_quoted(cv_ctx *c, kumo_buf *b, const char *s, size_t len, bool bytes)
{
    bool sq = memchr(s, '\'', len) != NULL, dq = memchr(s, '"', len) != NULL;
    char q = sq && !dq ? '"' : '\'';
    int rc = KUMO_OK;
    if (bytes)
        rc = cv_write(c, b, "b", 1);
    if (!rc)
        rc = cv_write(c, b, &q, 1);
    if (rc)
        return rc;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* copy a run of plain ASCII at once */
        size_t j = i;
        while (j < len && u[j] >= 0x20 && u[j] < 0x7f && u[j] != '\\' && u[j] != (unsigned char)q)
            j++;
        rc = j > i ? cv_write(c, b, s + i, j - i) : KUMO_OK;
        if (rc)
            return rc;
        if (j >= len)
            break;
        i = j;
        char esc[16];
        unsigned char ch = u[i];
        size_t adv = 1;
        if (ch == '\\' || ch == (unsigned char)q) {
            snprintf(esc, sizeof(esc), "\\%c", ch);
        } else if (ch == '\n') {
            snprintf(esc, sizeof(esc), "\\n");
        } else if (ch == '\r') {
            snprintf(esc, sizeof(esc), "\\r");
        } else if (ch == '\t') {
            snprintf(esc, sizeof(esc), "\\t");
        } else if (ch < 0x80 || bytes) {
            snprintf(esc, sizeof(esc), "\\x%02x", ch);
        } else {
            uint32_t cp;
            size_t n = utf8_seq(u + i, len - i, &cp);
            if (!n) {       /* invalid UTF-8: Python's surrogateescape */
                snprintf(esc, sizeof(esc), "\\udc%02x", ch);
            } else if (cp_printable(cp)) {
                memcpy(esc, s + i, n);
                esc[n] = '\0';
                adv = n;
            } else {
                adv = n;
                if (cp <= 0xff)
                    snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
                else if (cp <= 0xffff)
                    snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
                else
                    snprintf(esc, sizeof(esc), "\\U%08x", (unsigned)cp);
            }
        }
        rc = cv_writes(c, b, esc);
        if (rc)
            return rc;
        i += adv;
    }
    return cv_write(c, b, &q, 1);
}

int cv_repr_str(cv_ctx *c, kumo_buf *b, const char *s, size_t len)
{
    return repr_quoted(c, b, s, len, false);
}

int cv_repr_bytes(cv_ctx *c, kumo_buf *b, const char *s, size_t len)
{
    return repr_quoted(c, b, s, len, true);
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

int cv_repr(cv_ctx *c, cval *v, kumo_buf *b)
{
    char num[64];
    int rc;
    switch (v->type) {
    case CV_NONE:
        return cv_write(c, b, "None", 4);
    case CV_BOOL:
        return cv_writes(c, b, v->u.b ? "True" : "False");
    case CV_INT:
        snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
        return cv_writes(c, b, num);
    case CV_FLOAT:
        cv_float_repr(v->u.f, num, sizeof(num));
        return cv_writes(c, b, num);
    case CV_STR:
        return cv_repr_str(c, b, v->u.s.s, v->u.s.len);
    case CV_BYTES:
        return cv_repr_bytes(c, b, v->u.s.s, v->u.s.len);
    case CV_LIST:
        return repr_seq(c, v, b, "[", "]");
    case CV_TUPLE:
        return repr_seq(c, v, b, "(", ")");
    case CV_SLICE:
        return repr_seq(c, v, b, "slice(", ")");
    case CV_DICT:
        rc = cv_write(c, b, "{", 1);
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
    case CV_FUNC:
        if (v->u.fn.self)
            return cv_writef(c, b, "<built-in method %s of %s object at %p>", v->u.fn.name,
                             cv_type_name(v->u.fn.self), (void *)v->u.fn.self);
        return cv_writef(c, b, "<built-in function %s>", v->u.fn.name);
    case CV_NATIVE:
        if (v->u.nat.vt->repr)
            return v->u.nat.vt->repr(c, v, b);
        return cv_writef(c, b, "<%s object at %p>", cv_type_name(v), v->u.nat.p);
    default:
        return KUMO_OK;
    }
}

int cv_str_of(cv_ctx *c, cval *v, kumo_buf *b)
{
    if (v->type == CV_STR)
        return cv_write(c, b, v->u.s.s, v->u.s.len);
    return cv_repr(c, v, b);
}

void cv_repr_short(cv_ctx *c, cval *v, char *dst, size_t max)
{
    kumo_buf b;
    kumo_buf_init(&b, max > 4 ? max - 4 : 1, cv_tag(), KUMO_V_NONE);
    int rc = cv_repr(c, v, &b);
    snprintf(dst, max, "%s%s", kumo_buf_str(&b), rc ? "..." : "");
    kumo_buf_release(&b);
}
