/* test_referrers.c - who holds what: value walkers' places, the scan over roots and objects,
 * shortest paths from the roots, the byrcs partition in Guppy's layout, LeakWatch's held_by. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "mem/referrers.h"
#include "lib/leakcheck.h"

/* A shared test class whose objects hold a list value, .kids. */
typedef struct box {
    kumo_ref ref;
    unsigned refcount;
    kumo_value kids;
} box;

static void box_retain(kumo_ref *r)
{
    ((box *)r)->refcount++;
}

static void box_release(kumo_ref *r)
{
    box *b = (box *)r;
    cr_assert_gt(b->refcount, 0);
    if (--b->refcount)
        return;
    kumo_ref_fini(&b->ref);
    kumo_val_clear(&b->kids);
    kumo_free(b);
}

static void box_refs(const kumo_ref *r, kumo_ref_visit_fn visit, void *ctx)
{
    kumo_val_refs(&((const box *)r)->kids, ".kids", visit, ctx);
}

static unsigned box_count(const kumo_ref *r)
{
    return ((const box *)r)->refcount;
}

static kumo_class box_class = {.name = "Box", .retain = box_retain, .release = box_release,
                               .refs = box_refs, .refcount = box_count};
static kumo_class crate_class = {.name = "Crate", .parent = &box_class};

static box *box_new(kumo_class *cls)
{
    box *b = kumo_calloc(1, sizeof(*b), KUMO_T_OTHER, KUMO_V_NONE);
    kumo_ref_init(&b->ref, cls);
    b->refcount = 1;
    b->kids = kumo_val_list();
    return b;
}

/* b holds one more reference to k. */
static void put(box *b, box *k)
{
    kumo_val_list_push(&b->kids, kumo_val_obj(&k->ref));
}

/* A root holding up to 4 boxes, as an engine queue would. */
static box *rooted[4];
static size_t nrooted;

static void test_roots(void *rctx, kumo__root_visit_fn visit, void *vctx)
{
    for (size_t i = 0; i < nrooted; i++) {
        char path[64];
        snprintf(path, sizeof(path), "engine.q[%zu]", i);
        visit(vctx, "test queue (slot 0)", "test queue", path, "", &rooted[i]->ref);
    }
}

static void setup(void)
{
    kumo_class_register(&box_class);
    kumo_class_register(&crate_class);
    kumo_leakcheck_start();
    nrooted = 0;
    kumo__ref_roots_add(test_roots, NULL);
}

static void teardown(void)
{
    kumo__ref_roots_remove(test_roots, NULL);
    kumo_leakcheck_end();
}

TestSuite(referrers, .init = setup, .fini = teardown);

/* ---- the value walkers ---- */

typedef struct seen {
    char place[8][64];
    kumo_ref *obj[8];
    size_t n;
} seen;

static void record(void *ctx, const char *place, kumo_ref *obj)
{
    seen *s = ctx;
    cr_assert_lt(s->n, 8);
    snprintf(s->place[s->n], sizeof(s->place[0]), "%s", place);
    s->obj[s->n++] = obj;
}

Test(referrers, map_and_list_places)
{
    box *a = box_new(&box_class);
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_META);
    kumo_map_set(&m, "depth", kumo_val_int(2));
    kumo_map_set(&m, "referer", kumo_val_obj(&a->ref));
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_str("x"));
    kumo_value inner = kumo_val_list();
    kumo_val_list_push(&inner, kumo_val_obj(&a->ref));
    kumo_val_list_push(&l, inner);
    kumo_map_set(&m, "it's", l);
    seen s = {0};
    kumo_map_refs(&m, ".meta", record, &s);
    cr_assert_eq(s.n, 2, "plain values hold nothing");
    cr_assert_str_eq(s.place[0], ".meta['referer']");
    cr_assert_str_eq(s.place[1], ".meta['it\\'s'][1][0]");
    cr_assert(s.obj[0] == &a->ref && s.obj[1] == &a->ref);
    seen t = {0};
    kumo_val_refs(kumo_map_get(&m, "referer"), "['page']", record, &t);
    cr_assert_eq(t.n, 1);
    cr_assert_str_eq(t.place[0], "['page']");
    kumo_map_release(&m);
    box_release(&a->ref);
}

/* ---- the scan ---- */

typedef struct edges {
    char line[16][128];
    size_t n;
} edges;

static void edge_line(void *ctx, const kumo_ref_edge *e)
{
    edges *x = ctx;
    if (x->n >= 16)
        return;
    char kind[64];
    kumo__ref_edge_kind(e, kind, sizeof(kind));
    snprintf(x->line[x->n++], sizeof(x->line[0]), "%s|%s|%s|%p", e->holder ? "obj" : e->root,
             kind, e->place, (void *)e->target);
}

Test(referrers, scan_reports_roots_then_objects)
{
    box *a = box_new(&box_class), *b = box_new(&crate_class);
    put(a, b);
    put(a, b);
    rooted[nrooted++] = a;
    edges x = {0};
    bool cut = true;
    cr_assert_eq(kumo__refs_scan(edge_line, &x, &cut), 3);
    cr_assert(!cut);
    char want[128];
    snprintf(want, sizeof(want), "test queue (slot 0)|test queue||%p", (void *)a);
    cr_assert_str_eq(x.line[0], want);
    snprintf(want, sizeof(want), "obj|Box.kids|.kids[0]|%p", (void *)b);
    cr_assert_str_eq(x.line[1], want);
    snprintf(want, sizeof(want), "obj|Box.kids|.kids[1]|%p", (void *)b);
    cr_assert_str_eq(x.line[2], want);
    bool known = false;
    cr_assert_eq(kumo__ref_refcount(&b->ref, &known), 3, "the subclass uses Box's hook");
    cr_assert(known);
    nrooted = 0;
    box_release(&b->ref);
    box_release(&a->ref);
}

Test(referrers, a_class_without_refcount_is_not_counted)
{
    static kumo_class plain = {.name = "PlainThing"};   /* registered for good: static */
    kumo_ref r;
    kumo_ref_init(&r, &plain);
    bool known = true;
    cr_assert_eq(kumo__ref_refcount(&r, &known), 0);
    cr_assert(!known);
    kumo_ref_fini(&r);
}

/* ---- paths ---- */

typedef struct plist {
    char p[8][256];
    size_t n;
} plist;

static void path_rec(void *ctx, const char *path)
{
    plist *l = ctx;
    cr_assert_lt(l->n, 8);
    snprintf(l->p[l->n++], sizeof(l->p[0]), "%s", path);
}

Test(referrers, shortest_paths_from_the_roots)
{
    /* q[0] -> a -> c -> d and q[1] -> b -> d: d's shortest path goes through b */
    box *a = box_new(&box_class), *b = box_new(&box_class), *c = box_new(&box_class);
    box *d = box_new(&box_class), *lone = box_new(&box_class);
    put(a, c);
    put(c, d);
    put(b, d);
    rooted[nrooted++] = a;
    rooted[nrooted++] = b;
    plist l = {0};
    bool cut = true;
    cr_assert_eq(kumo__ref_paths(&d->ref, 5, path_rec, &l, &cut), 1);
    cr_assert(!cut);
    cr_assert_str_eq(l.p[0], "engine.q[1].kids[0]");
    /* two paths of the same length: both, and n bounds them */
    put(a, d);
    l.n = 0;
    cr_assert_eq(kumo__ref_paths(&d->ref, 5, path_rec, &l, NULL), 2);
    cr_assert(strcmp(l.p[0], "engine.q[0].kids[1]") == 0 || strcmp(l.p[1],
              "engine.q[0].kids[1]") == 0, "%s / %s", l.p[0], l.p[1]);
    l.n = 0;
    cr_assert_eq(kumo__ref_paths(&d->ref, 1, path_rec, &l, NULL), 1);
    l.n = 0;
    cr_assert_eq(kumo__ref_paths(&a->ref, 5, path_rec, &l, NULL), 1);
    cr_assert_str_eq(l.p[0], "engine.q[0]", "a root's object is its path");
    l.n = 0;
    cr_assert_eq(kumo__ref_paths(&lone->ref, 5, path_rec, &l, NULL), 0, "unreachable");
    /* a cycle does not loop */
    put(d, c);
    l.n = 0;
    cr_assert_eq(kumo__ref_paths(&c->ref, 5, path_rec, &l, NULL), 1);
    cr_assert_str_eq(l.p[0], "engine.q[0].kids[0]");
    kumo_val_clear(&d->kids);           /* break the cycle before releasing */
    nrooted = 0;
    box *all[] = {a, b, c, d, lone};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(all); i++)
        box_release(&all[i]->ref);
}

/* ---- byrcs ---- */

static bool only_boxes(const kumo_class *cls, void *ctx)
{
    return kumo_class_is(cls, &box_class);
}

Test(referrers, byrcs_in_guppy_layout)
{
    box *q = box_new(&box_class), *k1 = box_new(&box_class), *k2 = box_new(&box_class);
    box *free1 = box_new(&crate_class);
    put(q, k1);
    put(q, k2);
    rooted[nrooted++] = q;
    rooted[nrooted++] = k1;          /* k1: held by a Box and by the queue */
    kumo_partition *p = kumo__byrcs_partition(only_boxes, NULL, NULL);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__partition_format(p, 0, &b);
    /* test objects are not kumo's built-in kinds: 0 bytes; rows by (-size, name) */
    cr_assert_str_eq(kumo__buf_str(&b),
                     "Partition of a set of 4 objects. Total size = 0 bytes.\n"
                     " Index  Count   %     Size   % Cumulative  % Referrers by Kind (class / "
                     "dict of class)\n"
                     "     0      1  25        0   0         0   0 <no referrer>\n"
                     "     1      1  25        0   0         0   0 Box.kids\n"
                     "     2      1  25        0   0         0   0 test queue\n"
                     "     3      1  25        0   0         0   0 test queue, Box.kids\n");
    cr_assert_eq(kumo__partition_rows(p), 4);
    cr_assert_eq(kumo__partition_count(p), 4);
    kumo__buf_release(&b);
    kumo__partition_free(p);
    nrooted = 0;
    box *all[] = {q, k1, k2, free1};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(all); i++)
        box_release(&all[i]->ref);
}

/* ---- held by ---- */

Test(referrers, held_by_groups_by_kind_and_counts_holders)
{
    box *kid[3], *h[2];
    for (size_t i = 0; i < 3; i++)
        kid[i] = box_new(&crate_class);
    for (size_t i = 0; i < 2; i++)
        h[i] = box_new(&box_class);
    put(h[0], kid[0]);
    put(h[0], kid[1]);
    put(h[1], kid[2]);
    rooted[nrooted++] = kid[0];
    kumo_held_by g[4];
    cr_assert_eq(kumo__held_by(&crate_class, g, 4), 2);
    cr_assert_str_eq(g[0].label, "Box.kids[*]");
    cr_assert_eq(g[0].refs, 3);
    cr_assert_eq(g[0].holders, 2, "two boxes hold three crates");
    cr_assert_str_eq(g[0].unit, "boxes");
    cr_assert_str_eq(g[1].label, "test queue");
    cr_assert_eq(g[1].refs, 1);
    cr_assert_str_eq(g[1].unit, "references");
    cr_assert_eq(kumo__held_by(&box_class, g, 4), 0, "nothing holds the boxes");
    nrooted = 0;
    for (size_t i = 0; i < 2; i++)
        box_release(&h[i]->ref);
    for (size_t i = 0; i < 3; i++)
        box_release(&kid[i]->ref);
}
