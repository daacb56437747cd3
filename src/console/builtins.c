/* builtins.c - the console's namespace: one table of builtins (functions, classes, the
 * crawl's objects) with their help lines, and the modules `from X import y` accepts. */
#include "console/eval.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "mem/memreport.h"

/* ---------------------------------------------------------------- trackref */

/* Collect prefs()' ignore= argument: a class, a tuple of classes, or None. */
static int ignore_classes(cv_ctx *c, cval *v, kumo_class **out, size_t max, size_t *n)
{
    *n = 0;
    if (!v || v->type == CV_NONE)
        return KUMO_OK;
    size_t cnt = v->type == CV_TUPLE ? v->u.seq.len : 1;
    for (size_t i = 0; i < cnt; i++) {
        cval *x = v->type == CV_TUPLE ? v->u.seq.v[i] : v;
        kumo_class *cls = co_class_of(x);
        if (!cls && x->type == CV_NATIVE && x->u.nat.vt->name && !strcmp(x->u.nat.vt->name, "type"))
            continue;       /* a class with no kumo objects (NoneType, int): nothing to drop */
        if (!cls)
            return cv_raisei(c, "TypeError", "issubclass() arg 2 must be a class, a tuple of "
                             "classes, or a union");
        if (*n < max)
            out[(*n)++] = cls;
    }
    return KUMO_OK;
}

static int live_refs_text(cv_ctx *c, const cv_args *a, const char *fname, kumo_buf *b)
{
    static const char *const names[] = {"ignore"};
    cval *arg[1];
    kumo_class *ign[64];
    size_t nign;
    if (ce_args(c, fname, a, names, 1, 0, arg) || ignore_classes(c, arg[0], ign, 64, &nign))
        return KUMO_EINVAL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);     /* stdio's buffer: libc allocates it */
    if (!f)
        return cv_raisei(c, "OSError", "cannot open a memory stream");
    kumo_prefs(f, ign, nign);
    fclose(f);
    int rc = kumo_buf_add(b, text, len);
    free(text);
    return rc ? cv_raisei(c, "MemoryError", "live references report too long") : KUMO_OK;
}

static cval *b_prefs(cv_ctx *c, cval *self, const cv_args *a)
{
    kumo_buf b;
    kumo_buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    int rc = live_refs_text(c, a, "print_live_refs", &b);
    if (!rc)
        cv_print(c, b.s ? b.s : "", b.len);
    kumo_buf_release(&b);
    return rc ? NULL : cv_none();
}

static cval *b_format_live_refs(cv_ctx *c, cval *self, const cv_args *a)
{
    kumo_buf b;
    kumo_buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    int rc = live_refs_text(c, a, "format_live_refs", &b);
    /* format_live_refs() is print_live_refs()'s text without print's final newline */
    cval *r = rc ? NULL : cv_strn(b.s ? b.s : "", b.len ? b.len - 1 : 0);
    kumo_buf_release(&b);
    return r;
}

/* The class a get_oldest()/iter_all() argument names (a str, or a class value). */
static int class_arg(cv_ctx *c, const char *fname, const cv_args *a, kumo_class **cls)
{
    static const char *const names[] = {"class_name"};
    cval *arg[1];
    if (ce_args(c, fname, a, names, 1, 1, arg))
        return KUMO_EINVAL;
    *cls = co_class_of(arg[0]);
    if (*cls)
        return KUMO_OK;
    if (arg[0]->type != CV_STR)
        return KUMO_OK;             /* Scrapy compares names: nothing matches */
    *cls = kumo_class_find(arg[0]->u.s.s);
    return KUMO_OK;
}

static cval *b_get_oldest(cv_ctx *c, cval *self, const cv_args *a)
{
    kumo_class *cls;
    if (class_arg(c, "get_oldest", a, &cls))
        return NULL;
    kumo_ref *r = cls ? kumo_ref_oldest(cls) : NULL;
    return r ? co_from_ref(r) : cv_none();
}

static cval *b_iter_all(cv_ctx *c, cval *self, const cv_args *a)
{
    kumo_class *cls;
    if (class_arg(c, "iter_all", a, &cls))
        return NULL;
    cval *l = cv_list_new();
    for (kumo_ref *r = cls ? kumo_ref_first(cls) : NULL; r; r = r->next)
        if (cv_seq_push(c, l, co_from_ref(r))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

/* ---------------------------------------------------------------- the crawl and memory */

static cval *b_est(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *none[1];
    if (ce_args(c, "est", a, NULL, 0, 0, none))
        return NULL;
    if (!c->crawler || !c->crawler->engine)
        return cv_raise(c, "RuntimeError", "no crawl is running");
    kumo_buf b;
    kumo_buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo_engine_status_format(c->crawler->engine, &b);
    cv_print(c, b.s ? b.s : "", b.len);
    kumo_buf_release(&b);
    return cv_none();
}

static cval *report(cv_ctx *c, const cv_args *a, const char *fname, void (*fn)(kumo_buf *))
{
    cval *none[1];
    if (ce_args(c, fname, a, NULL, 0, 0, none))
        return NULL;
    kumo_buf b;
    kumo_buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    fn(&b);
    cv_print(c, b.s ? b.s : "", b.len);
    kumo_buf_release(&b);
    return cv_none();
}

static cval *b_mem(cv_ctx *c, cval *self, const cv_args *a)
{
    return report(c, a, "mem", kumo_mem_report);
}

static cval *b_trim(cv_ctx *c, cval *self, const cv_args *a)
{
    return report(c, a, "trim", kumo_mem_trim);
}

/* ---------------------------------------------------------------- Python's builtins */

static cval *one_arg(cv_ctx *c, const char *fname, const cv_args *a)
{
    static const char *const names[] = {"obj"};
    cval *arg[1];
    if (a->nkw)
        return cv_raise(c, "TypeError", "%s() takes no keyword arguments", fname);
    if (a->n != 1)
        return cv_raise(c, "TypeError", "%s() takes exactly one argument (%zu given)", fname,
                        a->n);
    return ce_args(c, fname, a, names, 1, 1, arg) ? NULL : arg[0];
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
    kumo_buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo_buf_add(&b, "", 0);
    int rc = repr ? cv_repr(c, v, &b) : cv_str_of(c, v, &b);
    if (rc) {
        kumo_buf_release(&b);
        return cv_raise(c, "MemoryError", "text longer than %zu bytes", CV_STR_MAX);
    }
    size_t len;
    char *s = kumo_buf_detach(&b, &len);
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
    if (ce_args(c, "str", a, names, 1, 0, arg))
        return NULL;
    return arg[0] ? to_text(c, arg[0], false) : cv_str("");
}

static cval *b_int(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"x", "base"};
    cval *arg[2];
    if (ce_args(c, "int", a, names, 2, 0, arg))
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
    if (ce_args(c, "float", a, names, 1, 0, arg))
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
    if (ce_args(c, "bool", a, names, 1, 0, arg))
        return NULL;
    int t = arg[0] ? cv_truthy(c, arg[0]) : 0;
    return t < 0 ? NULL : cv_bool(t);
}

static cval *b_list(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable"};
    cval *arg[1];
    if (ce_args(c, "list", a, names, 1, 0, arg))
        return NULL;
    return arg[0] ? cv_iter_list(c, arg[0]) : cv_list_new();
}

static cval *b_tuple(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable"};
    cval *arg[1];
    if (ce_args(c, "tuple", a, names, 1, 0, arg))
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
    if (ce_args(c, "sorted", a, names, 2, 1, arg))
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
    if (ce_args(c, "sum", a, names, 2, 1, arg))
        return NULL;
    cval *l = cv_iter_list(c, arg[0]);
    if (!l)
        return NULL;
    cval *acc = arg[1] ? cv_ref(arg[1]) : cv_int(0);
    for (size_t i = 0; acc && i < l->u.seq.len; i++) {
        cval *next = ce_binop(c, CP_OP_ADD, acc, l->u.seq.v[i]);
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
    if (ce_args(c, "range", a, names, 3, 1, arg))
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
    return v ? ce_dir(c, v) : NULL;
}

static cval *b_type(cv_ctx *c, cval *self, const cv_args *a)
{
    cval *v = one_arg(c, "type", a);
    return v ? co_type_of(v) : NULL;
}

static cval *b_isinstance(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"obj", "class_or_tuple"};
    cval *arg[2];
    if (ce_args(c, "isinstance", a, names, 2, 2, arg))
        return NULL;
    cval *t = arg[1];
    size_t n = t->type == CV_TUPLE ? t->u.seq.len : 1;
    for (size_t i = 0; i < n; i++) {
        cval *x = t->type == CV_TUPLE ? t->u.seq.v[i] : t;
        kumo_class *cls = co_class_of(x);
        if (cls && co_isinstance(arg[0], cls))
            return cv_bool(1);
        if (!cls) {
            if (x->type != CV_NATIVE || strcmp(x->u.nat.vt->name, "type") != 0)
                return cv_raise(c, "TypeError", "isinstance() arg 2 must be a type, a tuple of "
                                "types, or a union");
            if (!strcmp((const char *)x->u.nat.p, cv_type_name(arg[0])))
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

static cval *b_help(cv_ctx *c, cval *self, const cv_args *a);

/* ---------------------------------------------------------------- the table */

static cval *mk_hpy(cv_ctx *c)
{
    return co_hpy(c);
}

#define FN(nm, use, fn, help) {nm, use, help, fn, NULL, NULL, false}
#define HIDDEN_FN(nm, use, fn, help) {nm, use, help, fn, NULL, NULL, true}
#define VAL(nm, mk, help) {nm, NULL, help, NULL, mk, NULL, false}
#define CLS(nm) {#nm, NULL, "the " #nm " class (a value for ignore=, isinstance())", NULL, NULL, \
                 &KUMO_CLASS(nm), false}

static const ce_builtin builtins[] = {
    FN("prefs", "prefs(ignore=None)", b_prefs,
       "print live tracked objects per class, oldest age (Scrapy's print_live_refs)"),
    FN("print_live_refs", "print_live_refs(ignore=None)", b_prefs, "the same as prefs()"),
    HIDDEN_FN("format_live_refs", "format_live_refs(ignore=None)", b_format_live_refs,
              "prefs()' text as a str"),
    FN("get_oldest", "get_oldest('HtmlResponse')", b_get_oldest,
       "the oldest live object of a class, or None"),
    FN("iter_all", "iter_all('HtmlResponse')", b_iter_all,
       "every live object of a class, oldest first"),
    VAL("hpy", mk_hpy, "heap views: x = hpy.heap(); x.bytype, x.byvia, x.bytype[0].byvia, _.more"),
    FN("mem", "mem()", b_mem, "process RSS and peak, kumo's heap, malloc in use and held free"),
    FN("trim", "trim()", b_trim, "give malloc's free memory back to the system (malloc_trim)"),
    FN("est", "est()", b_est, "print the engine status (Scrapy's print_engine_status)"),
    HIDDEN_FN("print_engine_status", "print_engine_status()", b_est, "the same as est()"),
    VAL("engine", co_engine, "the engine: engine.pause(), .unpause(), .stop(), .paused"),
    VAL("spider", co_spider, "the running spider: spider.name, spider.state"),
    VAL("crawler", co_crawler, "the crawler: .engine, .spider, .stats, .settings"),
    VAL("stats", co_stats, "the stats: stats.get_value(key, default), stats.get_stats()"),
    VAL("settings", co_settings, "the settings: settings['KEY'], settings.get('KEY', default)"),
    CLS(Request), CLS(FormRequest), CLS(JsonRequest), CLS(Response), CLS(TextResponse),
    CLS(HtmlResponse), CLS(XmlResponse), CLS(Item), CLS(Selector), CLS(SelectorList),
    CLS(Spider),
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
    FN("help", "help(x)", b_help, "this list, or one builtin's help"),
    FN("exit", "exit()", b_exit, "end the session"),
    FN("quit", "quit()", b_exit, "end the session"),
};

const ce_builtin *ce_builtin_find(const char *name)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(builtins); i++)
        if (!strcmp(builtins[i].name, name))
            return &builtins[i];
    return NULL;
}

cval *ce_builtin_value(cv_ctx *c, const ce_builtin *b)
{
    if (b->fn)
        return cv_func(b->name, b->fn, NULL);
    if (b->cls)
        return co_class(b->cls);
    return b->make(c);
}

static cval *b_help(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"obj"};
    cval *arg[1];
    if (ce_args(c, "help", a, names, 1, 0, arg))
        return NULL;
    if (!arg[0]) {
        for (size_t i = 0; i < KUMO_ARRAY_LEN(builtins); i++) {
            const ce_builtin *b = &builtins[i];
            if (b->hidden)
                continue;
            if (cv_writef(c, c->out, "%-34s %s\n", b->usage ? b->usage : b->name, b->help))
                break;
        }
        return cv_none();
    }
    cval *v = arg[0];
    if (v->type == CV_FUNC && !v->u.fn.self) {
        for (size_t i = 0; i < KUMO_ARRAY_LEN(builtins); i++)
            if (builtins[i].fn == v->u.fn.fn) {
                cv_writef(c, c->out, "%s: %s\n", builtins[i].usage, builtins[i].help);
                return cv_none();
            }
    }
    cval *attrs = ce_dir(c, v);
    if (!attrs)
        return NULL;
    cv_writef(c, c->out, "%s object; attributes: ", cv_type_name(v));
    for (size_t i = 0; i < attrs->u.seq.len; i++)
        cv_writef(c, c->out, "%s%s", i ? ", " : "", attrs->u.seq.v[i]->u.s.s);
    cv_writes(c, c->out, attrs->u.seq.len ? "\n" : "(none)\n");
    cv_unref(attrs);
    return cv_none();
}

/* ---------------------------------------------------------------- modules */

typedef struct module {
    const char *path;
    const char *const *names;       /* builtin names it exports, NULL-terminated */
} module;

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TRACKREF NAMES("print_live_refs", "format_live_refs", "get_oldest", "iter_all")
#define HTTP NAMES("Request", "FormRequest", "JsonRequest", "Response", "TextResponse", \
                   "HtmlResponse", "XmlResponse")

static const module modules[] = {
    {"scrapy", NAMES("Request", "FormRequest", "Spider", "Item", "Selector")},
    {"scrapy.utils", NAMES("trackref")},
    {"scrapy.utils.trackref", TRACKREF},
    {"scrapy.utils.engine", NAMES("print_engine_status")},
    {"scrapy.spiders", NAMES("Spider")},
    {"scrapy.http", HTTP},
    {"scrapy.item", NAMES("Item")},
    {"scrapy.selector", NAMES("Selector", "SelectorList")},
    {"kumo", NAMES("Request", "FormRequest", "Spider", "Item", "Selector")},
    {"kumo.utils", NAMES("trackref")},
    {"kumo.utils.trackref", TRACKREF},
    {"kumo.utils.engine", NAMES("print_engine_status")},
    {"kumo.trackref", TRACKREF},
    {"kumo.spiders", NAMES("Spider")},
    {"kumo.http", HTTP},
    {"kumo.item", NAMES("Item")},
    {"kumo.selector", NAMES("Selector", "SelectorList")},
    {"kumo.mem", NAMES("hpy", "mem", "trim")},
    {"guppy", NAMES("hpy")},
};

static const module *module_find(const char *path)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(modules); i++)
        if (!strcmp(modules[i].path, path))
            return &modules[i];
    return NULL;
}

cval *ce_import_module(cv_ctx *c, const char *path)
{
    if (!module_find(path))
        return cv_raise(c, "ModuleNotFoundError", "No module named '%s'", path);
    return co_module(path);
}

cval *ce_import_name(cv_ctx *c, const char *path, const char *name)
{
    const module *m = module_find(path);
    if (!m)
        return cv_raise(c, "ModuleNotFoundError", "No module named '%s'", path);
    char sub[256];
    snprintf(sub, sizeof(sub), "%s.%s", path, name);
    for (const char *const *n = m->names; *n; n++) {
        if (strcmp(*n, name) != 0)
            continue;
        if (module_find(sub))
            return co_module(sub);
        return ce_builtin_value(c, ce_builtin_find(name));
    }
    if (module_find(sub))
        return co_module(sub);
    return cv_raise(c, "ImportError", "cannot import name '%s' from '%s'",
                    name, path);
}

int ce_import_star(cv_ctx *c, const char *path)
{
    const module *m = module_find(path);
    if (!m)
        return cv_raisei(c, "ModuleNotFoundError", "No module named '%s'", path);
    for (const char *const *n = m->names; *n; n++) {
        cval *v = ce_import_name(c, path, *n);
        if (!v || ce_var_set(c, *n, v))
            return KUMO_EINVAL;
    }
    return KUMO_OK;
}
