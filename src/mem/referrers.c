/* referrers.c - who holds a tracked object: the roots' and live objects' references walked
 * on demand, for holders(), paths(), byrcs and LeakWatch. */
#include "mem/referrers.h"

#define ROOTS_MAX 8
#define KINDS_MAX 64            /* distinct referrer kinds byrcs tells apart (a bit each) */
#define ROWS_MAX 256            /* distinct kind sets byrcs shows; more go to "<other>" */
#define PATH_DEPTH_MAX 512      /* links in one path at most */
#define HELD_MAX 64             /* groups LeakWatch's held_by tells apart */

/* ---------------------------------------------------------------- roots */

static struct {
    kumo__roots_fn fn;
    void *ctx;
} roots[ROOTS_MAX];
static size_t nroots;

void kumo__ref_roots_add(kumo__roots_fn fn, void *rctx)
{
    kumo_assert(nroots < ROOTS_MAX);
    roots[nroots].fn = fn;
    roots[nroots++].ctx = rctx;
}

void kumo__ref_roots_remove(kumo__roots_fn fn, void *rctx)
{
    for (size_t i = 0; i < nroots; i++)
        if (roots[i].fn == fn && roots[i].ctx == rctx) {
            memmove(&roots[i], &roots[i + 1], (nroots - i - 1) * sizeof(roots[0]));
            nroots--;
            return;
        }
}

/* ---------------------------------------------------------------- the scan */

typedef struct scan {
    kumo__edge_fn fn;
    void *ctx;
    size_t n;
    bool cut;
    kumo_ref_edge e;
} scan;

static void root_visit(void *vctx, const char *holder, const char *kind, const char *path,
                       const char *place, kumo_ref *obj)
{
    scan *s = vctx;
    if (s->n >= KUMO_REFSCAN_MAX || !obj) {
        s->cut = s->cut || obj;
        return;
    }
    s->n++;
    s->e = (kumo_ref_edge){NULL, holder, kind, path, place ? place : "", obj};
    s->fn(s->ctx, &s->e);
}

static void obj_visit(void *vctx, const char *place, kumo_ref *obj)
{
    scan *s = vctx;
    if (s->n >= KUMO_REFSCAN_MAX || !obj) {
        s->cut = s->cut || obj;
        return;
    }
    s->n++;
    s->e.place = place ? place : "";
    s->e.target = obj;
    s->fn(s->ctx, &s->e);
}

/* The refs hook of cls or of its nearest ancestor with one. */
static void (*refs_of(const kumo_class *cls))(const kumo_ref *, kumo_ref_visit_fn, void *)
{
    for (; cls; cls = cls->parent)
        if (cls->refs)
            return cls->refs;
    return NULL;
}

/* Walk the references held by obj itself. */
static void scan_object(scan *s, kumo_ref *obj)
{
    void (*refs)(const kumo_ref *, kumo_ref_visit_fn, void *) = refs_of(obj->cls);
    if (!refs)
        return;
    s->e = (kumo_ref_edge){.holder = obj, .place = ""};
    refs(obj, obj_visit, s);
}

size_t kumo__refs_scan(kumo__edge_fn fn, void *ctx, bool *cut)
{
    scan s = {.fn = fn, .ctx = ctx};
    for (size_t i = 0; i < nroots; i++)
        roots[i].fn(roots[i].ctx, root_visit, &s);
    for (kumo_class *c = kumo_class_first(); c && !s.cut; c = c->next_class) {
        if (!refs_of(c))
            continue;
        for (kumo_ref *r = kumo_ref_first(c); r && !s.cut; r = r->next)
            scan_object(&s, r);
    }
    if (cut)
        *cut = s.cut;
    return s.n;
}

unsigned kumo__ref_refcount(const kumo_ref *obj, bool *known)
{
    for (const kumo_class *c = obj->cls; c; c = c->parent)
        if (c->refcount) {
            *known = true;
            return c->refcount(obj);
        }
    *known = false;
    return 0;
}

/* The root class of cls: Request for FormRequest, Spider for LeakySpider. */
static const kumo_class *root_class(const kumo_class *cls)
{
    while (cls->parent)
        cls = cls->parent;
    return cls;
}

void kumo__ref_edge_kind(const kumo_ref_edge *e, char *out, size_t cap)
{
    if (!e->holder) {
        snprintf(out, cap, "%s", e->kind ? e->kind : "?");
        return;
    }
    const char *p = e->place;
    size_t attr = 0;
    if (p[0] == '.') {
        attr = 1;
        while (p[attr] && p[attr] != '[' && p[attr] != '.')
            attr++;
    }
    snprintf(out, cap, "%s%.*s", e->holder->cls->name, (int)attr, p);
}

/* ---------------------------------------------------------------- a pointer map */

typedef struct ptrmap {
    const void **k;
    size_t *v;
    size_t len, cap;            /* cap a power of two */
} ptrmap;

static void *heap_alloc(size_t n, size_t size)
{
    return kumo_calloc(n ? n : 1, size, KUMO_T_OTHER, KUMO_V_NONE);
}

static size_t ptr_hash(const void *p, size_t mask)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & mask;
}

static void map_release(ptrmap *m)
{
    kumo_free(m->k);
    kumo_free(m->v);
    memset(m, 0, sizeof(*m));
}

/* Returns the slot of p: m->k[slot] == p when present, NULL when free. */
static size_t map_slot(const ptrmap *m, const void *p)
{
    size_t mask = m->cap - 1, i = ptr_hash(p, mask);
    while (m->k[i] && m->k[i] != p)
        i = (i + 1) & mask;
    return i;
}

static void map_put(ptrmap *m, const void *p, size_t v);

static void map_grow(ptrmap *m)
{
    ptrmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 1024;
    m->k = heap_alloc(m->cap, sizeof(*m->k));
    m->v = heap_alloc(m->cap, sizeof(*m->v));
    m->len = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.k[i])
            map_put(m, old.k[i], old.v[i]);
    kumo_free(old.k);
    kumo_free(old.v);
}

static void map_put(ptrmap *m, const void *p, size_t v)
{
    if (2 * (m->len + 1) > m->cap)
        map_grow(m);
    size_t i = map_slot(m, p);
    if (!m->k[i]) {
        m->k[i] = p;
        m->len++;
    }
    m->v[i] = v;
}

/* Returns true and *v when p is in m. */
static bool map_get(const ptrmap *m, const void *p, size_t *v)
{
    if (!m->cap)
        return false;
    size_t i = map_slot(m, p);
    if (!m->k[i])
        return false;
    *v = m->v[i];
    return true;
}

/* ---------------------------------------------------------------- paths */

/* A link into a node: from a root (from == NONE, label the root path + place) or from node
 * `from` (label the place). */
#define NONE SIZE_MAX

typedef struct link {
    size_t from;
    char *label;                /* owned */
    size_t next;                /* the node's next link, or NONE */
} link;

typedef struct node {
    kumo_ref *ref;
    size_t dist;
    size_t links;               /* first link, or NONE */
} node;

typedef struct bfs {
    node *nodes;
    size_t nn, ncap;
    link *links;
    size_t nl, lcap;
    ptrmap idx;
    size_t cur;                 /* the node whose references are being walked, or NONE */
    size_t walked;
    bool cut;
} bfs;

static void add_link(bfs *b, size_t to, size_t from, const char *label)
{
    if (b->nl == b->lcap) {
        b->lcap = b->lcap ? b->lcap * 2 : 256;
        b->links = kumo_realloc(b->links, b->lcap * sizeof(*b->links), KUMO_T_OTHER,
                                KUMO_V_NONE);
    }
    link *l = &b->links[b->nl];
    l->from = from;
    l->label = kumo_strdup(label, KUMO_T_STR, KUMO_V_NONE);
    l->next = b->nodes[to].links;
    b->nodes[to].links = b->nl++;
}

/* Reach obj at dist through (from, label): a new node, or one more shortest link. */
static void reach(bfs *b, kumo_ref *obj, size_t dist, size_t from, const char *label)
{
    if (b->walked >= KUMO_REFSCAN_MAX) {
        b->cut = true;
        return;
    }
    b->walked++;
    size_t i;
    if (map_get(&b->idx, obj, &i)) {
        if (b->nodes[i].dist == dist)
            add_link(b, i, from, label);
        return;
    }
    if (b->nn == b->ncap) {
        b->ncap = b->ncap ? b->ncap * 2 : 256;
        b->nodes = kumo_realloc(b->nodes, b->ncap * sizeof(*b->nodes), KUMO_T_OTHER,
                                KUMO_V_NONE);
    }
    i = b->nn++;
    b->nodes[i] = (node){obj, dist, NONE};
    map_put(&b->idx, obj, i);
    add_link(b, i, from, label);
}

static void bfs_root(void *vctx, const char *holder, const char *kind, const char *path,
                     const char *place, kumo_ref *obj)
{
    bfs *b = vctx;
    char label[512];
    snprintf(label, sizeof(label), "%s%s", path ? path : "?", place ? place : "");
    if (obj)
        reach(b, obj, 1, NONE, label);
}

static void bfs_obj(void *vctx, const char *place, kumo_ref *obj)
{
    bfs *b = vctx;
    if (obj)
        reach(b, obj, b->nodes[b->cur].dist + 1, b->cur, place ? place : "");
}

typedef struct emit {
    bfs *b;
    size_t max, given;
    void (*fn)(void *ctx, const char *path);
    void *ctx;
    const char *parts[PATH_DEPTH_MAX];
} emit;

/* Walk back from node i over shortest links; parts[depth..] hold the labels after it. */
static void emit_paths(emit *e, size_t i, size_t depth)
{
    if (e->given >= e->max || depth == 0)
        return;
    for (size_t l = e->b->nodes[i].links; l != NONE && e->given < e->max;
         l = e->b->links[l].next) {
        const link *k = &e->b->links[l];
        e->parts[depth - 1] = k->label;
        if (k->from != NONE) {
            emit_paths(e, k->from, depth - 1);
            continue;
        }
        kumo_buf p;
        kumo__buf_init(&p, 0, KUMO_T_STR, KUMO_V_NONE);
        for (size_t d = depth - 1; d < PATH_DEPTH_MAX && e->parts[d]; d++)
            kumo__buf_adds(&p, e->parts[d]);
        e->fn(e->ctx, kumo__buf_str(&p));
        kumo__buf_release(&p);
        e->given++;
    }
}

size_t kumo__ref_paths(kumo_ref *obj, size_t max, void (*fn)(void *ctx, const char *path),
                       void *ctx, bool *cut)
{
    bfs b = {.cur = NONE};
    for (size_t i = 0; i < nroots; i++)
        roots[i].fn(roots[i].ctx, bfs_root, &b);
    size_t found = NONE;
    for (size_t i = 0; i < b.nn && !b.cut; i++) {
        if (b.nodes[i].ref == obj)
            found = i;
        if (found != NONE && b.nodes[i].dist >= b.nodes[found].dist)
            break;      /* every shortest link into obj is known once its level is done */
        if (b.nodes[i].dist >= PATH_DEPTH_MAX)
            break;
        void (*refs)(const kumo_ref *, kumo_ref_visit_fn, void *) =
            refs_of(b.nodes[i].ref->cls);
        b.cur = i;
        if (refs)
            refs(b.nodes[i].ref, bfs_obj, &b);
    }
    size_t at;
    size_t given = 0;
    if (map_get(&b.idx, obj, &at) && b.nodes[at].dist <= PATH_DEPTH_MAX) {
        emit e = {.b = &b, .max = max, .fn = fn, .ctx = ctx};
        emit_paths(&e, at, b.nodes[at].dist);
        given = e.given;
    }
    if (cut)
        *cut = b.cut;
    for (size_t i = 0; i < b.nl; i++)
        kumo_free(b.links[i].label);
    kumo_free(b.links);
    kumo_free(b.nodes);
    map_release(&b.idx);
    return given;
}

/* ---------------------------------------------------------------- byrcs */

typedef struct rcs {
    ptrmap sets;                /* target -> its kind bits */
    char *kinds[KINDS_MAX];     /* owned */
    size_t nkinds;
    bool overflow;              /* a kind past KINDS_MAX: counted under the last bit */
} rcs;

static size_t kind_bit(rcs *r, const char *kind)
{
    for (size_t i = 0; i < r->nkinds; i++)
        if (!strcmp(r->kinds[i], kind))
            return i;
    if (r->nkinds == KINDS_MAX) {
        r->overflow = true;
        return KINDS_MAX - 1;
    }
    r->kinds[r->nkinds] = kumo_strdup(kind, KUMO_T_STR, KUMO_V_NONE);
    return r->nkinds++;
}

static void rcs_edge(void *ctx, const kumo_ref_edge *e)
{
    rcs *r = ctx;
    char kind[160];
    kumo__ref_edge_kind(e, kind, sizeof(kind));
    uint64_t bit = (uint64_t)1 << kind_bit(r, kind), bits = 0;
    size_t v;
    if (map_get(&r->sets, e->target, &v))
        bits = v;
    map_put(&r->sets, e->target, (size_t)(bits | bit));
}

/* The heap type of a tracked object's bytes, and whether kumo allocated it (its size). */
static kumo_tag type_of(const kumo_class *cls, bool *sized)
{
    const kumo_class *root = root_class(cls);
    *sized = true;
    if (root == &KUMO_CLASS(Request))
        return KUMO_T_REQUEST;
    if (root == &KUMO_CLASS(Response))
        return KUMO_T_RESPONSE;
    if (root == &KUMO_CLASS(Item))
        return KUMO_T_ITEM;
    if (root == &KUMO_CLASS(Selector) || root == &KUMO_CLASS(SelectorList))
        return KUMO_T_SELECTOR;
    if (root == &KUMO_CLASS(Spider))
        return KUMO_T_SPIDER;
    *sized = false;             /* a plugin's own class: its objects may not be kumo's */
    return KUMO_T_OTHER;
}

kumo_tag kumo__ref_class_type(const kumo_class *cls)
{
    bool sized;
    return type_of(cls, &sized);
}

/* The row name of a kind set: its kinds in order of appearance, ", " between. */
static void set_name(const rcs *r, uint64_t bits, kumo_buf *out)
{
    kumo__buf_reset(out);
    if (!bits) {
        kumo__buf_adds(out, "<no referrer>");
        return;
    }
    for (size_t i = 0; i < r->nkinds; i++)
        if (bits & ((uint64_t)1 << i)) {
            if (out->len)
                kumo__buf_adds(out, ", ");
            kumo__buf_adds(out, r->kinds[i]);
        }
    if (r->overflow && (bits >> (KINDS_MAX - 1)))
        kumo__buf_adds(out, ", ...");
}

kumo_partition *kumo__byrcs_partition(bool (*want)(const kumo_class *cls, void *ctx), void *ctx,
                                      bool *cut)
{
    rcs r = {0};
    kumo__refs_scan(rcs_edge, &r, cut);
    /* one (set, type) entry per distinct pair */
    typedef struct entry {
        uint64_t bits;
        kumo_tag type;
        uint64_t count, bytes;
    } entry;
    entry *ent = heap_alloc(ROWS_MAX + 1, sizeof(*ent));
    size_t nent = 0;
    for (kumo_class *c = kumo_class_first(); c; c = c->next_class) {
        if (want && !want(c, ctx))
            continue;
        bool sized;
        kumo_tag type = type_of(c, &sized);
        for (kumo_ref *o = kumo_ref_first(c); o; o = o->next) {
            size_t v = 0;
            uint64_t bits = map_get(&r.sets, o, &v) ? (uint64_t)v : 0;
            size_t k;
            for (k = 0; k < nent; k++)
                if (ent[k].bits == bits && ent[k].type == type)
                    break;
            if (k == nent) {
                if (nent == ROWS_MAX)
                    k = ROWS_MAX;           /* "<other>" below */
                else
                    ent[nent++] = (entry){bits, type, 0, 0};
            }
            if (k == ROWS_MAX && ent[k].count == 0)
                ent[k] = (entry){UINT64_MAX, type, 0, 0};
            ent[k].count++;
            ent[k].bytes += sized ? kumo_alloc_size(o) : 0;
        }
    }
    kumo_named_count *nc = heap_alloc(nent + 1, sizeof(*nc));
    kumo_buf *names = heap_alloc(nent + 1, sizeof(*names));
    size_t n = 0;
    for (size_t k = 0; k <= nent && k <= ROWS_MAX; k++) {
        if (k == nent && (k != ROWS_MAX || !ent[k].count))
            break;
        kumo__buf_init(&names[n], 0, KUMO_T_STR, KUMO_V_NONE);
        if (ent[k].bits == UINT64_MAX && k == ROWS_MAX)
            kumo__buf_adds(&names[n], "<other>");
        else
            set_name(&r, ent[k].bits, &names[n]);
        nc[n] = (kumo_named_count){kumo__buf_str(&names[n]), ent[k].type, ent[k].count,
                                   ent[k].bytes};
        n++;
    }
    kumo_partition *p = kumo__partition_named(KUMO_PART_BYRCS, nc, n);
    for (size_t i = 0; i < n; i++)
        kumo__buf_release(&names[i]);
    kumo_free(names);
    kumo_free(nc);
    kumo_free(ent);
    for (size_t i = 0; i < r.nkinds; i++)
        kumo_free(r.kinds[i]);
    map_release(&r.sets);
    return p;
}

/* ---------------------------------------------------------------- held by (LeakWatch) */

typedef struct held {
    const kumo_class *cls;
    kumo_held_by g[HELD_MAX];
    const kumo_ref *last_holder[HELD_MAX];
    size_t n;
} held;

/* The label of an edge: root kind, or holder class + place with list indices as [*]. */
static void held_label(const kumo_ref_edge *e, char *out, size_t cap)
{
    if (!e->holder) {
        snprintf(out, cap, "%s", e->kind ? e->kind : "?");
        return;
    }
    size_t n = (size_t)snprintf(out, cap, "%s", e->holder->cls->name);
    for (const char *p = e->place; *p && n + 4 < cap; p++) {
        if (p[0] == '[' && p[1] >= '0' && p[1] <= '9') {
            const char *q = p + 1;
            while (*q >= '0' && *q <= '9')
                q++;
            if (*q == ']') {
                memcpy(out + n, "[*]", 3);
                n += 3;
                p = q;
                continue;
            }
        }
        out[n++] = *p;
    }
    out[n] = '\0';
}

static void held_edge(void *ctx, const kumo_ref_edge *e)
{
    held *h = ctx;
    if (e->target->cls != h->cls)
        return;
    char label[160];
    held_label(e, label, sizeof(label));
    size_t i;
    for (i = 0; i < h->n; i++)
        if (!strcmp(h->g[i].label, label))
            break;
    if (i == h->n) {
        if (h->n == HELD_MAX)
            return;
        kumo_held_by *g = &h->g[h->n++];
        memset(g, 0, sizeof(*g));
        snprintf(g->label, sizeof(g->label), "%s", label);
        if (e->holder) {
            snprintf(g->unit, sizeof(g->unit), "%s", root_class(e->holder->cls)->name);
            for (char *u = g->unit; *u; u++)
                *u = (char)(*u >= 'A' && *u <= 'Z' ? *u - 'A' + 'a' : *u);
            size_t ul = strlen(g->unit);
            const char *end = ul && strchr("sx", g->unit[ul - 1]) ? "es" : "s";
            if (ul + 3 < sizeof(g->unit))
                memcpy(g->unit + ul, end, strlen(end) + 1);
        } else {
            snprintf(g->unit, sizeof(g->unit), "references");
        }
        h->last_holder[i] = NULL;
    }
    h->g[i].refs++;
    /* an object's references come together: a new holder is one not seen just before */
    if (!e->holder || e->holder != h->last_holder[i])
        h->g[i].holders++;
    h->last_holder[i] = e->holder;
}

static int cmp_held(const void *a, const void *b)
{
    const kumo_held_by *x = a, *y = b;
    if (x->refs != y->refs)
        return x->refs > y->refs ? -1 : 1;
    return strcmp(x->label, y->label);
}

size_t kumo__held_by(const kumo_class *cls, kumo_held_by *out, size_t max)
{
    held *h = heap_alloc(1, sizeof(*h));
    h->cls = cls;
    kumo__refs_scan(held_edge, h, NULL);
    qsort(h->g, h->n, sizeof(h->g[0]), cmp_held);
    size_t n = h->n;
    if (out && max)
        memcpy(out, h->g, KUMO_MIN(n, max) * sizeof(*out));
    kumo_free(h);
    return n;
}
