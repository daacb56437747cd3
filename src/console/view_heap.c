/* view_heap.c - console views of kumo's heap: Scrapy's trackref (prefs(), get_oldest(),
 * iter_all()), Guppy's hpy (heap snapshots, partitions by type and by via), mem() and
 * trim(), as namespace names. */
#include "console/view_heap.h"
#include "console/num.h"
#include "mem/heapview.h"
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
        kumo_class *cls = cn_class_of(x);
        if (!cls && cn_is_class(x))
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
    if (cv_args_parse(c, fname, a, names, 1, 0, arg) || ignore_classes(c, arg[0], ign, 64, &nign))
        return KUMO_EINVAL;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);     /* stdio's buffer: libc allocates it */
    if (!f)
        return cv_raisei(c, "OSError", "cannot open a memory stream");
    kumo_prefs(f, ign, nign);
    fclose(f);
    int rc = kumo__buf_add(b, text, len);
    free(text);
    return rc ? cv_raisei(c, "MemoryError", "live references report too long") : KUMO_OK;
}

static cval *b_prefs(cv_ctx *c, cval *self, const cv_args *a)
{
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    int rc = live_refs_text(c, a, "print_live_refs", &b);
    if (!rc)
        cv_print(c, b.s ? b.s : "", b.len);
    kumo__buf_release(&b);
    return rc ? NULL : cv_none();
}

static cval *b_format_live_refs(cv_ctx *c, cval *self, const cv_args *a)
{
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    int rc = live_refs_text(c, a, "format_live_refs", &b);
    /* format_live_refs() is print_live_refs()'s text without print's final newline */
    cval *r = rc ? NULL : cv_strn(b.s ? b.s : "", b.len ? b.len - 1 : 0);
    kumo__buf_release(&b);
    return r;
}

/* The class a get_oldest()/iter_all() argument names (a str, or a class value). */
static int class_arg(cv_ctx *c, const char *fname, const cv_args *a, kumo_class **cls)
{
    static const char *const names[] = {"class_name"};
    cval *arg[1];
    if (cv_args_parse(c, fname, a, names, 1, 1, arg))
        return KUMO_EINVAL;
    *cls = cn_class_of(arg[0]);
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

static cval *report(cv_ctx *c, const cv_args *a, const char *fname, void (*fn)(kumo_buf *))
{
    cval *none[1];
    if (cv_args_parse(c, fname, a, NULL, 0, 0, none))
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    fn(&b);
    cv_print(c, b.s ? b.s : "", b.len);
    kumo__buf_release(&b);
    return cv_none();
}

static cval *b_mem(cv_ctx *c, cval *self, const cv_args *a)
{
    return report(c, a, "mem", kumo__mem_report);
}

static cval *b_trim(cv_ctx *c, cval *self, const cv_args *a)
{
    return report(c, a, "trim", kumo__mem_trim);
}

/* ---------------------------------------------------------------- hpy */

#define HPY_PAGE 10

typedef struct hset {
    kumo_heapset *s;                /* owned */
} hset;

typedef struct hpart {
    kumo_partition *p;              /* owned */
    uint64_t count, size;
} hpart;

typedef struct hmore {
    size_t start;                   /* first row shown; the owner cval is the partition */
} hmore;

static const cv_vtable hset_vt, hpart_vt, hmore_vt;

static void hset_free(void *p)
{
    hset *h = p;
    kumo__heapset_free(h->s);
    kumo_free(h);
}

static void hpart_free(void *p)
{
    hpart *h = p;
    kumo__partition_free(h->p);
    kumo_free(h);
}

static cval *set_view(kumo_heapset *s)
{
    hset *h = kumo_calloc(1, sizeof(*h), cv_tag(), KUMO_V_NONE);
    h->s = s;
    return cv_native(&hset_vt, h, NULL);
}

static cval *part_view(const kumo_heapset *s, kumo_partition_kind kind)
{
    hpart *h = kumo_calloc(1, sizeof(*h), cv_tag(), KUMO_V_NONE);
    h->p = kumo__heapset_partition(s, kind);
    h->count = kumo__heapset_count(s);
    h->size = kumo__heapset_size(s);
    return cv_native(&hpart_vt, h, NULL);
}

static cval *more_view(cval *part, size_t start)
{
    hmore *m = kumo_calloc(1, sizeof(*m), cv_tag(), KUMO_V_NONE);
    m->start = start;
    return cv_native(&hmore_vt, m, cv_ref(part));
}

/* Format a partition's rows from start into b (through a private buffer). */
static int part_format(cv_ctx *c, const kumo_partition *p, size_t start, kumo_buf *b)
{
    kumo_buf tmp;
    kumo__buf_init(&tmp, 0, cv_tag(), KUMO_V_TEXT);
    kumo__partition_format(p, start, &tmp);
    /* the console adds the line's final newline itself */
    size_t n = tmp.len;
    if (n && tmp.s[n - 1] == '\n')
        n--;
    int rc = cv_write(c, b, tmp.s ? tmp.s : "", n);
    kumo__buf_release(&tmp);
    return rc;
}

static size_t next_start(const kumo_partition *p, size_t start)
{
    return KUMO_MIN(start + HPY_PAGE, kumo__partition_rows(p));
}

/* ---- a set ---- */

static cval *hset_getattr(cv_ctx *c, cval *self, const char *name)
{
    hset *h = self->u.nat.p;
    if (!strcmp(name, "bytype"))
        return part_view(h->s, KUMO_PART_BYTYPE);
    if (!strcmp(name, "byvia"))
        return part_view(h->s, KUMO_PART_BYVIA);
    if (!strcmp(name, "size"))
        return cv_int((int64_t)kumo__heapset_size(h->s));
    if (!strcmp(name, "count"))
        return cv_int((int64_t)kumo__heapset_count(h->s));
    if (!strcmp(name, "more")) {
        cval *p = part_view(h->s, KUMO_PART_BYTYPE);
        cval *m = more_view(p, next_start(((hpart *)p->u.nat.p)->p, 0));
        cv_unref(p);
        return m;
    }
    return NULL;
}

static cval *hset_getitem(cv_ctx *c, cval *self, cval *key)
{
    hset *h = self->u.nat.p;
    cval *p = part_view(h->s, KUMO_PART_BYTYPE);
    cval *r = cv_getitem(c, p, key);
    cv_unref(p);
    return r;
}

static int hset_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    hset *h = self->u.nat.p;
    kumo_partition *p = kumo__heapset_partition(h->s, KUMO_PART_BYTYPE);
    int rc = part_format(c, p, 0, b);
    kumo__partition_free(p);
    return rc;
}

static int hset_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = (size_t)kumo__heapset_count(((hset *)self->u.nat.p)->s);
    return KUMO_OK;
}

static const char *const hset_attrs[] = {"bytype", "byvia", "count", "more", "size", NULL};
static const cv_vtable hset_vt = {
    .name = "IdentitySet", .getattr = hset_getattr, .getitem = hset_getitem, .len = hset_len,
    .repr = hset_repr, .free = hset_free, .attrs = hset_attrs,
};

/* ---- a partition ---- */

static cval *hpart_getattr(cv_ctx *c, cval *self, const char *name)
{
    hpart *h = self->u.nat.p;
    if (!strcmp(name, "more"))
        return more_view(self, next_start(h->p, 0));
    if (!strcmp(name, "size"))
        return cv_int((int64_t)h->size);
    if (!strcmp(name, "count"))
        return cv_int((int64_t)h->count);
    return NULL;
}

static cval *hpart_getitem(cv_ctx *c, cval *self, cval *key)
{
    hpart *h = self->u.nat.p;
    int64_t i;
    if (cv_as_index(c, key, &i))
        return NULL;
    size_t rows = kumo__partition_rows(h->p);
    if (i < 0)
        i += (int64_t)rows;
    kumo_heapset *s = i >= 0 ? kumo__partition_row(h->p, (size_t)i) : NULL;
    if (!s)
        return cv_raise(c, "IndexError", "partition index out of range");
    return set_view(s);
}

static int hpart_len(cv_ctx *c, cval *self, size_t *n)
{
    *n = kumo__partition_rows(((hpart *)self->u.nat.p)->p);
    return KUMO_OK;
}

static int hpart_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return part_format(c, ((hpart *)self->u.nat.p)->p, 0, b);
}

static const char *const hpart_attrs[] = {"count", "more", "size", NULL};
static const cv_vtable hpart_vt = {
    .name = "Partition", .getattr = hpart_getattr, .getitem = hpart_getitem, .len = hpart_len,
    .repr = hpart_repr, .free = hpart_free, .attrs = hpart_attrs,
};

/* ---- `_.more`: the next page of a partition ---- */

static cval *hmore_getattr(cv_ctx *c, cval *self, const char *name)
{
    hmore *m = self->u.nat.p;
    cval *part = self->u.nat.owner;
    if (!strcmp(name, "more"))
        return more_view(part, next_start(((hpart *)part->u.nat.p)->p, m->start));
    return hpart_getattr(c, part, name);
}

static int hmore_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    hmore *m = self->u.nat.p;
    return part_format(c, ((hpart *)self->u.nat.owner->u.nat.p)->p, m->start, b);
}

static void hmore_free(void *p)
{
    kumo_free(p);
}

static const cv_vtable hmore_vt = {
    .name = "MorePrinter", .getattr = hmore_getattr, .repr = hmore_repr, .free = hmore_free,
    .attrs = hpart_attrs,
};

/* ---- hpy itself ---- */

static cval *m_heap(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "heap", a))
        return NULL;
    return set_view(kumo__heapset_snapshot());
}

static cval *hpy_getattr(cv_ctx *c, cval *self, const char *name)
{
    CO_METHOD("heap", m_heap);
    return NULL;
}

static int hpy_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writes(c, b, "<hpy: kumo's tagged heap; hpy.heap() takes a snapshot>");
}

static cval *hpy_call(cv_ctx *c, cval *self, const cv_args *a)
{
    if (co_no_args(c, "hpy", a))
        return NULL;
    return cv_ref(self);        /* Guppy's hpy() gives the same interface */
}

static const char *const hpy_attrs[] = {"heap", NULL};
static const cv_vtable hpy_vt = {
    .name = "hpy", .getattr = hpy_getattr, .repr = hpy_repr, .call = hpy_call,
    .attrs = hpy_attrs,
};

static cval *co_hpy(cv_ctx *c)
{
    return cv_native(&hpy_vt, NULL, NULL);
}

/* ---------------------------------------------------------------- registration */

#define FN(nm, use, fn, help) {nm, use, help, fn, NULL, NULL, false}
#define HIDDEN_FN(nm, use, fn, help) {nm, use, help, fn, NULL, NULL, true}
#define VAL(nm, mk, help) {nm, NULL, help, NULL, mk, NULL, false}

static const cn_entry heap_names[] = {
    FN("prefs", "prefs(ignore=None)", b_prefs,
       "print live tracked objects per class, oldest age (Scrapy's print_live_refs)"),
    FN("print_live_refs", "print_live_refs(ignore=None)", b_prefs, "the same as prefs()"),
    HIDDEN_FN("format_live_refs", "format_live_refs(ignore=None)", b_format_live_refs,
              "prefs()' text as a str"),
    FN("get_oldest", "get_oldest('HtmlResponse')", b_get_oldest,
       "the oldest live object of a class, or None"),
    FN("iter_all", "iter_all('HtmlResponse')", b_iter_all,
       "every live object of a class, oldest first"),
    VAL("hpy", co_hpy, "heap views: x = hpy.heap(); x.bytype, x.byvia, x.bytype[0].byvia, _.more"),
    FN("mem", "mem()", b_mem, "process RSS and peak, kumo's heap, malloc in use and held free"),
    FN("trim", "trim()", b_trim, "give malloc's free memory back to the system (malloc_trim)"),
};

void co_heap_init(void)
{
    cn_register(heap_names, KUMO_ARRAY_LEN(heap_names), CN_ORDER_HEAP);
}
