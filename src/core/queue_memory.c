/* queue_memory.c - the memory queue backend: a heap of packed requests, a fingerprint set. */
#include "core/scheduler.h"
#include "core/fpset.h"
#include "http/request.h"
#include "util/heap.h"

/*
 * A queued request that nothing else references is kept packed (kumo__request_pack()) instead
 * of as an object with its url, method, headers and meta in separate blocks; it becomes a
 * Request again when popped.  Requests that are shared, of a subclass, or hold objects in
 * meta stay as they are.  The caller of push often holds a reference of its own until push
 * returns (the engine does): the newest request waits in `last` and is packed, or not, at the
 * next operation, when that reference is gone.
 *
 * Requests queued together look alike: the links of one page share its Referer, their
 * callback, depth and most of their url.  So a packed request is kept as the difference to
 * an anchor, an earlier packed request shared by reference count (the diff below).  A
 * difference of up to 7 bytes sits in the heap entry itself; a longer one gets its own
 * block.  When a request's difference does not fit in the entry but its difference to the
 * request queued before it does, that one becomes the next anchor (the second link of the
 * next page: the Referer changed with the first).  A request whose difference is over a
 * quarter of its bytes is the next anchor itself.  An anchor is freed with the last request
 * that refers to it.
 */
typedef struct anchor {
    uint32_t refs;              /* entries that decode against it, and q->cur */
    uint32_t len;
    unsigned char data[];       /* kumo__request_pack() */
} anchor;

/* A heap entry: 32 bytes, no block of its own for a packed request whose diff fits in it. */
typedef struct entry {
    uint64_t seq;
    int32_t priority;
    float born;                 /* packed: the request's birth less q->t0, for prefs */
    uintptr_t ref;              /* a kumo_request *, or an anchor * | PACKED_BIT [| INLINE_BIT] */
    union {
        unsigned char b[8];     /* INLINE_BIT: b[0] bytes of diff in b[1..] */
        unsigned char *p;       /* else: the diff, a block of kumo_alloc_size() bytes */
    } diff;
} entry;

_Static_assert(sizeof(entry) == 32, "a heap entry is 32 bytes");

/*
 * The diff: runs of a varint copy, a byte skip << 4 | insert (or 0xff, then skip and insert
 * as varints) and the insert bytes: copy the anchor's next copy bytes, step over skip bytes
 * of it, add the insert bytes that follow; after the last run, the rest of the anchor.  No
 * runs: the anchor itself.  The encoder looks for the next 4 common bytes within 32 bytes of
 * a difference and gives up once the diff is too long to be worth keeping.
 */
#define PACKED_BIT ((uintptr_t)1)
#define INLINE_BIT ((uintptr_t)2)   /* blocks are 16-byte aligned: both bits are free */
#define INLINE_MAX 7
#define SYNC_LEN 4              /* common bytes that end a difference */
#define SYNC_WINDOW 32          /* how far to look for them */
#define DIFF_MAX 4096           /* longer requests are not compared: each is an anchor */
#define SCRATCH_KEEP 65536      /* a bigger packing buffer is freed after use */

typedef struct memq {
    entry *heap;                /* max-heap on (priority, seq): LIFO within a priority */
    size_t len, cap;
    uint64_t seq;
    double t0;                  /* entry.born is relative to it */
    kumo_fpset seen;            /* the dupefilter */
    kumo_buf scratch;           /* packing and unpacking buffer */
    kumo_buf prev;              /* the last request packed, a candidate anchor */
    anchor *cur;                /* the anchor new requests are compared with, or NULL */
    kumo_request *last;         /* pushed, not yet in the heap (seq set) */
    size_t npacked;             /* packed entries in the heap: dormant Requests */
} memq;

static anchor *anchor_of(const entry *e)
{
    return (e->ref & PACKED_BIT) ? (anchor *)(e->ref & ~(PACKED_BIT | INLINE_BIT)) : NULL;
}

static bool before(entry a, entry b)
{
    return a.priority != b.priority ? a.priority > b.priority : a.seq > b.seq;
}

KUMO_HEAP_DEFINE(entry_heap, entry, before)

/* kumo_class.dormant for Request: the packed requests are alive, only smaller. */
static size_t dormant_requests(void *ctx, double *oldest_born)
{
    const memq *q = ctx;
    bool any = false;
    float oldest = 0;
    for (size_t i = 0; q->npacked && i < q->len; i++)
        if (anchor_of(&q->heap[i]) && (!any || q->heap[i].born < oldest)) {
            oldest = q->heap[i].born;
            any = true;
        }
    *oldest_born = any ? q->t0 + oldest : 0;
    return q->npacked;
}

static void *open_q(kumo_crawler *c, int *err)
{
    (void)c;
    *err = KUMO_OK;
    memq *q = kumo_calloc(1, sizeof(memq), KUMO_T_QUEUE, KUMO_V_NONE);
    q->t0 = kumo_now();
    kumo__fpset_init(&q->seen);
    kumo__buf_init(&q->scratch, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
    kumo__buf_init(&q->prev, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
    if (!KUMO_CLASS(Request).dormant) {     /* one reporter: the first queue open */
        KUMO_CLASS(Request).dormant = dormant_requests;
        KUMO_CLASS(Request).dormant_ctx = q;
    }
    return q;
}

static void anchor_unref(anchor *a)
{
    if (a && --a->refs == 0)
        kumo_free(a);
}

static void free_entry(entry *e)
{
    anchor *a = anchor_of(e);
    if (!a) {
        kumo_request_unref((kumo_request *)e->ref);
        return;
    }
    if (!(e->ref & INLINE_BIT))
        kumo_free(e->diff.p);
    anchor_unref(a);
}

static void close_q(void *p)
{
    memq *q = p;
    if (KUMO_CLASS(Request).dormant_ctx == q) {
        KUMO_CLASS(Request).dormant = NULL;
        KUMO_CLASS(Request).dormant_ctx = NULL;
    }
    for (size_t i = 0; i < q->len; i++)
        free_entry(&q->heap[i]);
    kumo_request_unref(q->last);
    anchor_unref(q->cur);
    kumo_free(q->heap);
    kumo__buf_release(&q->scratch);
    kumo__buf_release(&q->prev);
    kumo__fpset_release(&q->seen);
    kumo_free(q);
}

static size_t put_uv(unsigned char *out, uint64_t v)
{
    size_t n = 0;
    do {
        out[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return n;
}

/* Reads a varint of p[0..len) at *at; false when it runs past the end. */
static bool get_uv(const unsigned char *p, size_t len, size_t *at, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64 && *at < len; shift += 7) {
        unsigned char c = p[(*at)++];
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* Make b (n bytes, in q->scratch) the current anchor. */
static void new_anchor(memq *q, const unsigned char *b, size_t n)
{
    anchor *a = kumo_alloc(sizeof(*a) + n, KUMO_T_QUEUE, KUMO_V_QUEUE);
    kumo_assert(((uintptr_t)a & (PACKED_BIT | INLINE_BIT)) == 0);
    a->refs = 1;                /* q->cur's */
    a->len = (uint32_t)n;
    memcpy(a->data, b, n);
    anchor_unref(q->cur);
    q->cur = a;
}

/* Appends a run to out[*len..max); false when it does not fit. */
static bool put_run(unsigned char *out, size_t *len, size_t max, size_t copy, size_t skip,
                    const unsigned char *ins, size_t n)
{
    unsigned char t[31];
    size_t h = put_uv(t, copy);
    if (skip < 16 && n < 16 && (skip << 4 | n) != 0xff) {     /* 0xff: the long form */
        t[h++] = (unsigned char)(skip << 4 | n);
    } else {
        t[h++] = 0xff;
        h += put_uv(t + h, skip);
        h += put_uv(t + h, n);
    }
    if (h + n > max - *len)
        return false;
    memcpy(out + *len, t, h);
    memcpy(out + *len + h, ins, n);
    *len += h + n;
    return true;
}

/* The diff that turns a[0..alen) into b[0..n) into out[0..max); returns its length, or
 * SIZE_MAX when it would be longer than max. */
static size_t diff(const unsigned char *a, size_t alen, const unsigned char *b, size_t n,
                   unsigned char *out, size_t max)
{
    size_t i = 0, j = 0, len = 0;
    for (;;) {
        size_t copy = 0;
        while (i + copy < alen && j + copy < n && a[i + copy] == b[j + copy])
            copy++;
        i += copy;
        j += copy;
        if (j == n) {           /* the rest of the anchor goes, unless there is none */
            if (i < alen && !put_run(out, &len, max, copy, alen - i, b, 0))
                return SIZE_MAX;
            return len;
        }
        size_t skip = alen - i, ins = n - j;    /* no common bytes again: to the end */
        bool found = false;
        for (size_t d = 1; d <= SYNC_WINDOW && !found; d++)
            for (size_t db = 0; db <= d && !found; db++) {
                size_t da = d - db;
                found = i + da + SYNC_LEN <= alen && j + db + SYNC_LEN <= n &&
                        memcmp(a + i + da, b + j + db, SYNC_LEN) == 0;
                if (found) {
                    skip = da;
                    ins = db;
                }
            }
        if (!put_run(out, &len, max, copy, skip, b + j, ins))
            return SIZE_MAX;
        i += skip;
        j += ins;
    }
}

/* Packs req into e as a diff to q->cur (made anew when too different).  False when req
 * cannot be packed. */
static bool pack_entry(memq *q, kumo_request *req, entry *e)
{
    kumo__buf_reset(&q->scratch);
    if (kumo__request_pack(req, &q->scratch) != KUMO_OK || q->scratch.len > UINT32_MAX / 2)
        return false;
    const unsigned char *b = (const unsigned char *)q->scratch.s;
    size_t n = q->scratch.len;
    unsigned char d[DIFF_MAX / 4], dp[INLINE_MAX];
    size_t max = n / 4 > INLINE_MAX ? n / 4 : INLINE_MAX;
    size_t dlen = SIZE_MAX, plen = SIZE_MAX;
    const anchor *a = q->cur;
    if (a && a->refs < UINT32_MAX && n <= DIFF_MAX && a->len <= DIFF_MAX)
        dlen = diff(a->data, a->len, b, n, d, max);
    /* the previous request is a better anchor: this is the second link of the next page */
    if (dlen > INLINE_MAX && q->prev.len && q->prev.len <= DIFF_MAX && n <= DIFF_MAX)
        plen = diff((const unsigned char *)q->prev.s, q->prev.len, b, n, dp, INLINE_MAX);
    if (plen != SIZE_MAX) {
        new_anchor(q, (const unsigned char *)q->prev.s, q->prev.len);
        memcpy(d, dp, plen);
        dlen = plen;
    } else if (dlen == SIZE_MAX) {
        new_anchor(q, b, n);
        dlen = 0;
    }
    kumo_buf t = q->prev;   /* b is the next one's previous request */
    q->prev = q->scratch;
    q->scratch = t;
    q->cur->refs++;
    e->ref = (uintptr_t)q->cur | PACKED_BIT;
    if (dlen <= INLINE_MAX) {
        e->ref |= INLINE_BIT;
        e->diff.b[0] = (unsigned char)dlen;
        memcpy(e->diff.b + 1, d, dlen);
    } else {
        e->diff.p = kumo_alloc(dlen, KUMO_T_QUEUE, KUMO_V_QUEUE);
        memcpy(e->diff.p, d, dlen);
    }
    e->born = (float)(req->ref.born - q->t0);
    return true;
}

/* Free a packing buffer that a big request grew. */
static void trim(memq *q)
{
    kumo_buf *const bufs[] = {&q->scratch, &q->prev};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bufs); i++)
        if (bufs[i]->cap > SCRATCH_KEEP) {
            kumo__buf_release(bufs[i]);
            kumo__buf_init(bufs[i], 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
        }
}

/* The entry that keeps req (whose reference it takes). */
static entry to_entry(memq *q, kumo_request *req)
{
    entry e = {.seq = req->seq, .priority = req->priority, .ref = (uintptr_t)req};
    if (req->refcount != 1 || !pack_entry(q, req, &e))
        return e;
    q->npacked++;
    kumo_request_unref(req);
    return e;
}

/* Returns the request e keeps (a new reference), freeing what e held. */
static kumo_request *from_entry(memq *q, entry *e)
{
    anchor *a = anchor_of(e);
    if (!a)
        return (kumo_request *)e->ref;
    q->npacked--;
    const unsigned char *d = (e->ref & INLINE_BIT) ? e->diff.b + 1 : e->diff.p;
    size_t dlen = (e->ref & INLINE_BIT) ? e->diff.b[0] : kumo_alloc_size(e->diff.p), at = 0;
    uint64_t i = 0, copy, skip, ins;
    kumo__buf_reset(&q->scratch);
    while (at < dlen) {
        bool ok = get_uv(d, dlen, &at, &copy) && at < dlen;
        unsigned char si = ok ? d[at++] : 0;
        if (si != 0xff) {
            skip = si >> 4;
            ins = si & 15;
        } else {
            ok = get_uv(d, dlen, &at, &skip) && get_uv(d, dlen, &at, &ins);
        }
        ok = ok && copy <= a->len - i && skip <= a->len - i - copy && ins <= dlen - at;
        kumo_assert(ok && "a queue entry's diff decodes");
        kumo__buf_add(&q->scratch, a->data + i, (size_t)copy);
        kumo__buf_add(&q->scratch, d + at, (size_t)ins);
        i += copy + skip;
        at += (size_t)ins;
    }
    kumo__buf_add(&q->scratch, a->data + i, (size_t)(a->len - i));
    kumo_request *req = kumo__request_unpack(q->scratch.s, q->scratch.len);
    kumo_assert(req && "a packed request decodes");
    req->seq = e->seq;
    free_entry(e);
    trim(q);
    return req;
}

/* Move q->last into the heap. */
static void settle(memq *q)
{
    kumo_request *req = q->last;
    if (!req)
        return;
    q->last = NULL;
    if (q->len == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->heap = kumo_realloc(q->heap, q->cap * sizeof(*q->heap), KUMO_T_QUEUE, KUMO_V_QUEUE);
    }
    entry_heap_push(q->heap, &q->len, to_entry(q, req));
    trim(q);
}

static void push(void *p, kumo_request *req)
{
    memq *q = p;
    settle(q);
    req->seq = ++q->seq;
    q->last = req;
}

static kumo_request *pop(void *p)
{
    memq *q = p;
    settle(q);
    if (!q->len)
        return NULL;
    entry top = entry_heap_pop(q->heap, &q->len);
    return from_entry(q, &top);
}

static size_t len(void *p)
{
    const memq *q = p;
    return q->len + (q->last != NULL);
}

static bool seen_or_add(void *p, const unsigned char fp[20])
{
    memq *q = p;
    return kumo__fpset_add(&q->seen, fp);
}

/* The requests kept as objects (packed ones hold no object), and the newest one. */
static void walk(void *p, void (*fn)(void *ctx, int priority, size_t index, kumo_request *req),
                 void *ctx)
{
    const memq *q = p;
    for (size_t i = 0; i < q->len; i++)
        if (!anchor_of(&q->heap[i]))
            fn(ctx, q->heap[i].priority, i, (kumo_request *)q->heap[i].ref);
    if (q->last)
        fn(ctx, q->last->priority, q->len, q->last);
}

const kumo_queue_backend kumo__queue_memory = {
    .name = "memory",
    .open = open_q,
    .close = close_q,
    .push = push,
    .pop = pop,
    .len = len,
    .seen_or_add = seen_or_add,
    .walk = walk,
};
