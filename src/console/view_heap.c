/* view_heap.c - console views of kumo's heap: Scrapy's trackref (prefs(), get_oldest(),
 * iter_all()), Guppy's hpy (heap snapshots, partitions by type and by via), mem() and
 * trim(), as namespace names. */
#include "console/view_heap.h"
#include "console/num.h"
#include "core/crawler.h"
#include "mem/heapview.h"
#include "mem/memreport.h"
#include "mem/referrers.h"

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

/* ---------------------------------------------------------------- who holds what */

#define HOLDERS_SHOWN 40        /* holder lines holders() prints unless given n */
#define PATHS_SHOWN 5           /* paths paths() prints unless given n */
#define SHOWN_MAX ((size_t)10000)        /* the largest n either takes */
#define REPR_SHORT 120          /* a holder's repr in a holders() line, at most */
#define CONSOLE_WALK_MAX 200000 /* console values looked at when counting its references */

/* The tracked object a holders()/paths() argument shows, or NULL with an error raised. */
static kumo_ref *object_arg(cv_ctx *c, const char *fname, cval *v)
{
    kumo_ref *r = cv_ref_of(c, v);
    if (!r && !c->etype)
        cv_raise(c, "TypeError", "%s() argument must be a tracked object (Request, Response, "
                 "Item, Selector, Spider...), not '%s'", fname, cv_type_name(v));
    return r;
}

/* The optional count argument n: def when absent, else an int in [1, SHOWN_MAX]. */
static int count_arg(cv_ctx *c, const char *fname, cval *v, size_t def, size_t *n)
{
    *n = def;
    if (!v)
        return KUMO_OK;
    if (v->type != CV_INT)
        return cv_raisei(c, "TypeError", "%s() argument n must be int, not '%s'", fname,
                         cv_type_name(v));
    if (v->u.i < 1 || v->u.i > (int64_t)SHOWN_MAX)
        return cv_raisei(c, "ValueError", "%s() argument n must be from 1 to %zu, not %lld",
                         fname, SHOWN_MAX, (long long)v->u.i);
    *n = (size_t)v->u.i;
    return KUMO_OK;
}

/* References the console itself holds on obj: views in its variables, `_`, and the call's
 * argument, each counted once. */
typedef struct console_refs {
    kumo_ref *obj;
    const cval *found[64];
    size_t nfound, steps;
} console_refs;

static void count_console(console_refs *s, const cval *v, int depth)
{
    if (!v || depth > CV_DEPTH_MAX || s->steps++ > CONSOLE_WALK_MAX)
        return;
    switch (v->type) {
    case CV_LIST:
    case CV_TUPLE:
    case CV_SLICE:
        for (size_t i = 0; i < v->u.seq.len; i++)
            count_console(s, v->u.seq.v[i], depth + 1);
        return;
    case CV_DICT:
        for (size_t i = 0; i < v->u.dict.len; i++) {
            count_console(s, v->u.dict.k[i], depth + 1);
            count_console(s, v->u.dict.v[i], depth + 1);
        }
        return;
    case CV_FUNC:
        count_console(s, v->u.fn.self, depth + 1);
        return;
    case CV_NATIVE:
        break;
    default:
        return;
    }
    if (v->u.nat.vt->ref == co_tref_obj) {
        const co_tref *t = v->u.nat.p;
        bool seen = false;
        for (size_t i = 0; i < s->nfound; i++)
            seen = seen || s->found[i] == v;
        if (t->shared && t->obj == s->obj && !seen && s->nfound < KUMO_ARRAY_LEN(s->found))
            s->found[s->nfound++] = v;
    }
    count_console(s, v->u.nat.owner, depth + 1);
}

static size_t console_refs_to(cv_ctx *c, kumo_ref *obj, cval *arg)
{
    console_refs s = {.obj = obj};
    for (size_t i = 0; c->repl && i < c->repl->nvars; i++)
        count_console(&s, c->repl->vals[i], 0);
    count_console(&s, arg, 0);
    return s.nfound;
}

typedef struct holders_walk {
    cv_ctx *c;
    kumo_ref *obj;
    size_t found, shown, max;
    kumo_buf lines;
} holders_walk;

/* One holders() line: the root as it names itself, the spider as `spider`, any other object
 * as its class and repr; then the place inside it. */
static void holder_line(void *ctx, const kumo_ref_edge *e)
{
    holders_walk *h = ctx;
    if (e->target != h->obj)
        return;
    h->found++;
    if (h->shown >= h->max)
        return;
    h->shown++;
    const char *sep = e->place[0] ? " " : "";
    if (!e->holder) {
        kumo__buf_printf(&h->lines, "%s%s%s\n", e->root, sep, e->place);
    } else if (kumo_class_is(e->holder->cls, &KUMO_CLASS(Spider))) {
        kumo__buf_printf(&h->lines, "spider%s\n", e->place);
    } else {
        char repr[REPR_SHORT + 8];
        cv_ctx tmp = {0};
        cval *v = co_from_ref(e->holder);
        cv_repr_short(&tmp, v, repr, sizeof(repr));
        cv_unref(v);
        kumo__buf_printf(&h->lines, "%s %s%s%s\n", e->holder->cls->name, repr, sep, e->place);
    }
}

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

static cval *b_holders(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"obj", "n"};
    cval *arg[2];
    size_t max;
    if (cv_args_parse(c, "holders", a, names, 2, 1, arg) ||
        count_arg(c, "holders", arg[1], HOLDERS_SHOWN, &max))
        return NULL;
    kumo_ref *obj = object_arg(c, "holders", arg[0]);
    if (!obj)
        return NULL;
    holders_walk h = {.c = c, .obj = obj, .max = max};
    kumo__buf_init(&h.lines, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    bool cut = false;
    size_t walked = kumo__refs_scan(holder_line, &h, &cut);
    if (h.found > h.shown)
        kumo__buf_printf(&h.lines, "... %zu more holder%s (holders(obj, n) shows n)\n",
                         h.found - h.shown, plural(h.found - h.shown));
    bool known;
    unsigned total = kumo__ref_refcount(obj, &known);
    size_t mine = known ? console_refs_to(c, obj, arg[0]) : 0;
    if (!h.found)
        kumo__buf_adds(&h.lines, "no kumo object or engine structure holds it\n");
    if (mine)
        kumo__buf_printf(&h.lines, "%zu reference%s held by this console (its variables, `_`, "
                         "this line)\n", mine, plural(mine));
    if (known && total > h.found + mine) {
        size_t rest = total - h.found - mine;
        kumo_spider *sp = c->crawler ? kumo_crawler_spider(c->crawler) : NULL;
        if (sp)
            kumo__buf_printf(&h.lines, "%zu reference%s held elsewhere (C code of spider "
                             "'%s')\n", rest, plural(rest), kumo_spider_name(sp));
        else
            kumo__buf_printf(&h.lines, "%zu reference%s held elsewhere (C code)\n", rest,
                             plural(rest));
    }
    if (cut)
        kumo__buf_printf(&h.lines, "(stopped after %zu references: the list may be "
                         "incomplete)\n", walked);
    cv_print(c, h.lines.s ? h.lines.s : "", h.lines.len);
    kumo__buf_release(&h.lines);
    return cv_none();
}

static void path_line(void *ctx, const char *path)
{
    kumo_buf *b = ctx;
    kumo__buf_printf(b, "%s\n", path);
}

static cval *b_paths(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"obj", "n"};
    cval *arg[2];
    size_t max;
    if (cv_args_parse(c, "paths", a, names, 2, 1, arg) ||
        count_arg(c, "paths", arg[1], PATHS_SHOWN, &max))
        return NULL;
    kumo_ref *obj = object_arg(c, "paths", arg[0]);
    if (!obj)
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    bool cut = false;
    size_t n = kumo__ref_paths(obj, max, path_line, &b, &cut);
    if (!n)
        kumo__buf_printf(&b, "no path from the roots (engine, scheduler, downloader, scraper, "
                         "spider, item pipelines)%s\n", c->crawler ? "" : ": no crawl is "
                         "running");
    if (cut)
        kumo__buf_printf(&b, "(stopped after %zu references: there may be shorter paths)\n",
                         KUMO_REFSCAN_MAX);
    cv_print(c, b.s ? b.s : "", b.len);
    kumo__buf_release(&b);
    return cv_none();
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

/* byrcs looks at the tracked objects whose bytes are of a type the set has. */
static bool in_set(const kumo_class *cls, void *ctx)
{
    return kumo__heapset_has_type(ctx, kumo__ref_class_type(cls));
}

/* x.byrcs: the set's tracked objects by the kinds of what refers to them. */
static cval *byrcs_view(const kumo_heapset *s)
{
    hpart *h = kumo_calloc(1, sizeof(*h), cv_tag(), KUMO_V_NONE);
    h->p = kumo__byrcs_partition(in_set, (void *)s, NULL);
    h->count = kumo__partition_count(h->p);
    h->size = kumo__partition_size(h->p);
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
    if (!strcmp(name, "byrcs"))
        return byrcs_view(h->s);
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

static const char *const hset_attrs[] = {"byrcs", "bytype", "byvia", "count", "more", "size",
                                         NULL};
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
    FN("holders", "holders(obj, n=40)", b_holders,
       "what holds obj: each object or engine structure and the place in it, then the rest"),
    FN("paths", "paths(obj, n=5)", b_paths,
       "the shortest chains from the engine, scheduler, downloader, spider... to obj"),
    FN("mem", "mem()", b_mem, "process RSS and peak, kumo's heap, malloc in use and held free"),
    FN("trim", "trim()", b_trim, "give malloc's free memory back to the system (malloc_trim)"),
};

void co_heap_init(void)
{
    cn_register(heap_names, KUMO_ARRAY_LEN(heap_names), CN_ORDER_HEAP);
}
