/* cval.c - console values: constructors, refcounts, errors, containers being built, output. */
#include "console/cval.h"

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

cval *cv_slice_new(void)
{
    cval *v = alloc_val(CV_SLICE);
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

int cv_adopt(cv_ctx *c, cval *parent, cval *v)
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
    if (cv_adopt(c, seq, v)) {
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

/* ---------------------------------------------------------------- output */

int cv_write(cv_ctx *c, kumo_buf *b, const void *p, size_t n)
{
    size_t room = b->max > b->len ? b->max - b->len : 0;
    if (n <= room)
        return kumo__buf_add(b, p, n);
    if (room)
        kumo__buf_add(b, p, room);
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

const void *cv_identity(const cval *v)
{
    return v->type == CV_NATIVE ? v->u.nat.p : v;
}
