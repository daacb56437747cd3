/* builtins.c - Python's builtins in the console (len, print, repr, str, int, float, bool,
 * list, tuple, sorted, min, max, sum, range, dir, type, isinstance, help, exit, quit): one
 * table registered into the namespace. */
#include "console/builtins.h"
#include "console/num.h"

static cval *one_arg(cv_ctx *c, const char *fname, const cv_args *a)
{
    static const char *const names[] = {"obj"};
    cval *arg[1];
    if (a->nkw)
        return cv_raise(c, "TypeError", "%s() takes no keyword arguments", fname);
    if (a->n != 1)
        return cv_raise(c, "TypeError", "%s() takes exactly one argument (%zu given)", fname,
                        a->n);
    return cv_args_parse(c, fname, a, names, 1, 1, arg) ? NULL : arg[0];
}

static cval *b_len(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *v = one_arg(c, "len", a);
    size_t n;
    if (!v || cv_len(c, v, &n))
        return NULL;
    return cv_int((int64_t)n);
}

static cval *b_print(cv_ctx *c, cval *self, const cv_args *a)
{
    const char *sep = " ", *end = "\n";
    for (size_t k = 0; k < a->nkw; k++) {
        cval *v = a->kw[k].v;
        bool is_sep = !strcmp(a->kw[k].name, "sep"), is_end = !strcmp(a->kw[k].name, "end");
        if (!is_sep && !is_end)
            return cv_raise(c, "TypeError", "'%s' is an invalid keyword argument for print()",
                            a->kw[k].name);
        if (v->type != CV_STR && v->type != CV_NONE)
            return cv_raise(c, "TypeError", "%s must be None or a string, not %s",
                            a->kw[k].name, cv_type_name(v));
        if (v->type == CV_STR)
            *(is_sep ? &sep : &end) = v->u.s.s;
    }
    for (size_t i = 0; i < a->n; i++) {
        if ((i && cv_print(c, sep, strlen(sep))) || cv_str_of(c, a->v[i], c->out))
            return cv_none();
    }
    cv_print(c, end, strlen(end));
    return cv_none();
}

static cval *to_text(cv_ctx *c, cval *v, bool repr)
{
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo__buf_add(&b, "", 0);
    int rc = repr ? cv_repr(c, v, &b) : cv_str_of(c, v, &b);
    if (rc) {
        kumo__buf_release(&b);
        return cv_raise(c, "MemoryError", "text longer than %zu bytes", CV_STR_MAX);
    }
    size_t len;
    char *s = kumo__buf_detach(&b, &len);
    return cv_str_take(s, len);
}

static cval *b_repr(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *v = one_arg(c, "repr", a);
    return v ? to_text(c, v, true) : NULL;
}

static cval *b_str(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"object"};
    cval *arg[1];
    if (cv_args_parse(c, "str", a, names, 1, 0, arg))
        return NULL;
    return arg[0] ? to_text(c, arg[0], false) : cv_str("");
}

static cval *b_int(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"x", "base"};
    cval *arg[2];
    if (cv_args_parse(c, "int", a, names, 2, 0, arg))
        return NULL;
    cval *v = arg[0];
    int64_t base = 10;
    if (arg[1] && cv_as_index(c, arg[1], &base))
        return NULL;
    if (!v)
        return cv_int(0);
    if (v->type == CV_INT || v->type == CV_BOOL)
        return cv_int(v->type == CV_INT ? v->u.i : v->u.b);
    if (v->type == CV_FLOAT) {
        if (v->u.f != v->u.f)
            return cv_raise(c, "ValueError", "cannot convert float NaN to integer");
        if (v->u.f >= 9.2233720368547758e18 || v->u.f < -9.2233720368547758e18)
            return cv_raise(c, "OverflowError", "cannot convert float to a 64-bit integer");
        return cv_int((int64_t)v->u.f);
    }
    if (v->type == CV_STR || v->type == CV_BYTES) {
        if (base < 2 || base > 36)
            return cv_raise(c, "ValueError", "int() base must be >= 2 and <= 36");
        char *e;
        errno = 0;
        long long r = strtoll(v->u.s.s, &e, (int)base);
        while (*e == ' ' || *e == '\t' || *e == '\n')
            e++;
        if (e == v->u.s.s || *e || (size_t)(e - v->u.s.s) != v->u.s.len || errno) {
            char rr[128];
            cv_repr_short(c, v, rr, sizeof(rr));
            return cv_raise(c, "ValueError", "invalid literal for int() with base %d: %s",
                            (int)base, rr);
        }
        return cv_int(r);
    }
    return cv_raise(c, "TypeError", "int() argument must be a string, a bytes-like object or "
                    "a real number, not '%s'", cv_type_name(v));
}

static cval *b_float(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"x"};
    cval *arg[1];
    if (cv_args_parse(c, "float", a, names, 1, 0, arg))
        return NULL;
    cval *v = arg[0];
    if (!v)
        return cv_float(0);
    if (v->type == CV_INT || v->type == CV_BOOL)
        return cv_float(v->type == CV_INT ? (double)v->u.i : v->u.b);
    if (v->type == CV_FLOAT)
        return cv_ref(v);
    if (v->type == CV_STR) {
        char *e;
        double f = strtod(v->u.s.s, &e);
        if (e == v->u.s.s || *e || (size_t)(e - v->u.s.s) != v->u.s.len) {
            char rr[128];
            cv_repr_short(c, v, rr, sizeof(rr));
            return cv_raise(c, "ValueError", "could not convert string to float: %s", rr);
        }
        return cv_float(f);
    }
    return cv_raise(c, "TypeError", "float() argument must be a string or a real number, not "
                    "'%s'", cv_type_name(v));
}

static cval *b_bool(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"x"};
    cval *arg[1];
    if (cv_args_parse(c, "bool", a, names, 1, 0, arg))
        return NULL;
    int t = arg[0] ? cv_truthy(c, arg[0]) : 0;
    return t < 0 ? NULL : cv_bool(t);
}

static cval *b_list(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable"};
    cval *arg[1];
    if (cv_args_parse(c, "list", a, names, 1, 0, arg))
        return NULL;
    return arg[0] ? cv_iter_list(c, arg[0]) : cv_list_new();
}

static cval *b_tuple(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable"};
    cval *arg[1];
    if (cv_args_parse(c, "tuple", a, names, 1, 0, arg))
        return NULL;
    cval *l = arg[0] ? cv_iter_list(c, arg[0]) : cv_list_new();
    if (l)
        l->type = CV_TUPLE;
    return l;
}

/* Merge sort with Python's ordering (stable); KUMO_OK or an error raised. */
static int sort_vals(cv_ctx *c, cval **v, cval **tmp, size_t n, bool reverse)
{
    if (n < 2)
        return KUMO_OK;
    size_t h = n / 2;
    if (sort_vals(c, v, tmp, h, reverse) || sort_vals(c, v + h, tmp, n - h, reverse))
        return KUMO_EINVAL;
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        int cmp;
        if (cv_compare(c, v[j], v[i], "<", &cmp))
            return KUMO_EINVAL;
        bool take_right = reverse ? cmp > 0 : cmp < 0;
        tmp[k++] = take_right ? v[j++] : v[i++];
    }
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
    return KUMO_OK;
}

static cval *b_sorted(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable", "reverse"};
    cval *arg[2];
    if (cv_args_parse(c, "sorted", a, names, 2, 1, arg))
        return NULL;
    int rev = arg[1] ? cv_truthy(c, arg[1]) : 0;
    if (rev < 0)
        return NULL;
    cval *l = cv_iter_list(c, arg[0]);
    if (!l)
        return NULL;
    size_t n = l->u.seq.len;
    cval **tmp = kumo_alloc((n ? n : 1) * sizeof(*tmp), cv_tag(), KUMO_V_NONE);
    int rc = sort_vals(c, l->u.seq.v, tmp, n, rev);
    kumo_free(tmp);
    if (rc) {
        cv_unref(l);
        return NULL;
    }
    return l;
}

static cval *b_minmax(cv_ctx *c, const cv_args *a, const char *fname, bool max)
{
    if (a->nkw)
        return cv_raise(c, "TypeError", "%s() takes no keyword arguments in the console", fname);
    if (a->n == 0)
        return cv_raise(c, "TypeError", "%s expected at least 1 argument, got 0", fname);
    cval *l;
    if (a->n == 1) {
        l = cv_iter_list(c, a->v[0]);
    } else {
        l = cv_list_new();
        for (size_t i = 0; i < a->n; i++)
            cv_seq_push(c, l, cv_ref(a->v[i]));
    }
    if (!l)
        return NULL;
    cval *best = NULL;
    for (size_t i = 0; i < l->u.seq.len; i++) {
        int cmp;
        if (!best) {
            best = l->u.seq.v[i];
            continue;
        }
        if (cv_compare(c, l->u.seq.v[i], best, max ? ">" : "<", &cmp)) {
            cv_unref(l);
            return NULL;
        }
        if (max ? cmp == 1 : cmp == -1)
            best = l->u.seq.v[i];
    }
    cval *r = best ? cv_ref(best) : cv_raise(c, "ValueError", "%s() arg is an empty sequence",
                                             fname);
    cv_unref(l);
    return r;
}

static cval *b_min(cv_ctx *c, cval *self, const cv_args *a)
{
    return b_minmax(c, a, "min", false);
}

static cval *b_max(cv_ctx *c, cval *self, const cv_args *a)
{
    return b_minmax(c, a, "max", true);
}

static cval *b_sum(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable", "start"};
    cval *arg[2];
    if (cv_args_parse(c, "sum", a, names, 2, 1, arg))
        return NULL;
    cval *l = cv_iter_list(c, arg[0]);
    if (!l)
        return NULL;
    cval *acc = arg[1] ? cv_ref(arg[1]) : cv_int(0);
    for (size_t i = 0; acc && i < l->u.seq.len; i++) {
        cval *next = cv_binop(c, CP_OP_ADD, acc, l->u.seq.v[i]);
        cv_unref(acc);
        acc = next;
    }
    cv_unref(l);
    return acc;
}

static cval *b_range(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"start", "stop", "step"};
    cval *arg[3];
    if (cv_args_parse(c, "range", a, names, 3, 1, arg))
        return NULL;
    int64_t lo = 0, hi, st = 1;
    if (arg[1]) {
        if (cv_as_index(c, arg[0], &lo) || cv_as_index(c, arg[1], &hi))
            return NULL;
    } else if (cv_as_index(c, arg[0], &hi)) {
        return NULL;
    }
    if (arg[2] && cv_as_index(c, arg[2], &st))
        return NULL;
    if (st == 0)
        return cv_raise(c, "ValueError", "range() arg 3 must not be zero");
    cval *l = cv_list_new();
    for (int64_t i = lo; st > 0 ? i < hi : i > hi; i += st) {
        if (cv_seq_push(c, l, cv_int(i))) {
            cv_unref(l);
            return NULL;
        }
        if ((st > 0 && i > INT64_MAX - st) || (st < 0 && i < INT64_MIN - st))
            break;
    }
    return l;
}

static cval *b_dir(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *v = one_arg(c, "dir", a);
    return v ? cv_dir(c, v) : NULL;
}

static cval *b_type(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *v = one_arg(c, "type", a);
    return v ? cn_type_of(v) : NULL;
}

static cval *b_isinstance(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"obj", "class_or_tuple"};
    cval *arg[2];
    if (cv_args_parse(c, "isinstance", a, names, 2, 2, arg))
        return NULL;
    cval *t = arg[1];
    size_t n = t->type == CV_TUPLE ? t->u.seq.len : 1;
    for (size_t i = 0; i < n; i++) {
        cval *x = t->type == CV_TUPLE ? t->u.seq.v[i] : t;
        kumo_class *cls = cn_class_of(x);
        if (cls && cn_isinstance(arg[0], cls))
            return cv_bool(1);
        if (!cls) {
            if (!cn_is_class(x))
                return cv_raise(c, "TypeError", "isinstance() arg 2 must be a type, a tuple of "
                                "types, or a union");
            if (!strcmp(cv_type_name(x), cv_type_name(arg[0])))
                return cv_bool(1);
        }
    }
    return cv_bool(0);
}

static cval *b_exit(cv_ctx *c, cval *self, const cv_args *a)
{
    c->done = 1;
    return cv_none();
}

/* ---------------------------------------------------------------- the table */

#define FN(nm, use, fn, help) {nm, use, help, fn, NULL, NULL, false}

static const cn_entry builtins[] = {
    FN("len", "len(x)", b_len, "the length of a str, bytes, list, dict, SelectorList..."),
    FN("print", "print(*values, sep=' ', end='\\n')", b_print, "print values as str() does"),
    FN("repr", "repr(x)", b_repr, "the text the console prints for x"),
    FN("str", "str(x)", b_str, "x as text"),
    FN("int", "int(x, base=10)", b_int, "an integer from a number or text"),
    FN("float", "float(x)", b_float, "a float from a number or text"),
    FN("bool", "bool(x)", b_bool, "x's truth value"),
    FN("list", "list(iterable)", b_list, "a new list of the items"),
    FN("tuple", "tuple(iterable)", b_tuple, "a new tuple of the items"),
    FN("sorted", "sorted(iterable, reverse=False)", b_sorted, "a new sorted list"),
    FN("min", "min(iterable)", b_min, "the smallest item"),
    FN("max", "max(iterable)", b_max, "the largest item"),
    FN("sum", "sum(iterable, start=0)", b_sum, "the sum of the items"),
    FN("range", "range(start, stop, step)", b_range, "a list of integers"),
    FN("dir", "dir(x)", b_dir, "the attributes of x"),
    FN("type", "type(x)", b_type, "the class of x"),
    FN("isinstance", "isinstance(x, cls)", b_isinstance, "whether x is of class cls"),
    FN("help", "help(x)", cn_help, "this list, or one builtin's help"),
    FN("exit", "exit()", b_exit, "end the session"),
    FN("quit", "quit()", b_exit, "end the session"),
};

void cb_init(void)
{
    cn_register(builtins, KUMO_ARRAY_LEN(builtins), CN_ORDER_PYTHON);
}
