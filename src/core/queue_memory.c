/* queue_memory.c - the memory queue backend: a binary heap and a fingerprint hash set. */
#include "core/scheduler.h"
#include "http/request.h"
#include "util/heap.h"

/*
 * A queued request that nothing else references is kept packed (kumo__request_pack(): about
 * its url's length plus a few bytes) instead of as an object with its url, method, headers
 * and meta in separate blocks; it becomes a Request again when popped.  Requests that are
 * shared, of a subclass, or hold objects in meta stay as they are.  The caller of push often
 * holds a reference of its own until push returns (the engine does): the newest request waits
 * in `last` and is packed, or not, at the next operation, when that reference is gone.
 */
typedef struct packed {
    uint64_t seq;
    double born;                /* the request's, for prefs while it sleeps here */
    int priority;
    uint32_t len;
    unsigned char data[];       /* kumo__request_pack() */
} packed;

/* A heap slot: a kumo_request *, or a packed * with the low bit set (blocks are aligned). */
typedef uintptr_t slot;
#define PACKED_BIT ((uintptr_t)1)
#define SCRATCH_KEEP 65536      /* a bigger packing buffer is freed after use */

typedef struct memq {
    slot *heap;                 /* max-heap on (priority, seq): LIFO within a priority */
    size_t len, cap;
    uint64_t seq;
    unsigned char (*fp)[20];    /* open addressing; all-zero slot is empty */
    size_t fp_len, fp_cap;      /* fp_cap a power of two */
    bool zero_seen;             /* the all-zero fingerprint, kept aside */
    kumo_buf scratch;           /* packing buffer */
    kumo_request *last;         /* pushed, not yet in the heap (seq set) */
    size_t npacked;             /* packed slots in the heap: dormant Requests */
} memq;

static const packed *as_packed(slot e)
{
    return (e & PACKED_BIT) ? (const packed *)(e & ~PACKED_BIT) : NULL;
}

static int prio_of(slot e)
{
    const packed *p = as_packed(e);
    return p ? p->priority : ((const kumo_request *)e)->priority;
}

static uint64_t seq_of(slot e)
{
    const packed *p = as_packed(e);
    return p ? p->seq : ((const kumo_request *)e)->seq;
}

static bool before(slot a, slot b)
{
    int pa = prio_of(a), pb = prio_of(b);
    return pa != pb ? pa > pb : seq_of(a) > seq_of(b);
}

KUMO_HEAP_DEFINE(slot_heap, slot, before)

/* kumo_class.dormant for Request: the packed requests are alive, only smaller. */
static size_t dormant_requests(void *ctx, double *oldest_born)
{
    const memq *q = ctx;
    double oldest = 0;
    for (size_t i = 0; q->npacked && i < q->len; i++) {
        const packed *p = as_packed(q->heap[i]);
        if (p && (oldest == 0 || p->born < oldest))
            oldest = p->born;
    }
    *oldest_born = oldest;
    return q->npacked;
}

static void *open_q(kumo_crawler *c, int *err)
{
    *err = KUMO_OK;
    memq *q = kumo_calloc(1, sizeof(memq), KUMO_T_QUEUE, KUMO_V_NONE);
    kumo__buf_init(&q->scratch, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
    if (!KUMO_CLASS(Request).dormant) {     /* one reporter: the first queue open */
        KUMO_CLASS(Request).dormant = dormant_requests;
        KUMO_CLASS(Request).dormant_ctx = q;
    }
    return q;
}

static void free_slot(slot e)
{
    if (e & PACKED_BIT)
        kumo_free((void *)(e & ~PACKED_BIT));
    else
        kumo_request_unref((kumo_request *)e);
}

static void close_q(void *p)
{
    memq *q = p;
    if (KUMO_CLASS(Request).dormant_ctx == q) {
        KUMO_CLASS(Request).dormant = NULL;
        KUMO_CLASS(Request).dormant_ctx = NULL;
    }
    for (size_t i = 0; i < q->len; i++)
        free_slot(q->heap[i]);
    kumo_request_unref(q->last);
    kumo_free(q->heap);
    kumo__buf_release(&q->scratch);
    kumo_free(q->fp);
    kumo_free(q);
}

/* Returns the slot that keeps req (whose reference it takes). */
static slot to_slot(memq *q, kumo_request *req)
{
    if (req->refcount != 1)
        return (slot)req;
    kumo__buf_reset(&q->scratch);
    if (kumo__request_pack(req, &q->scratch) != KUMO_OK || q->scratch.len > UINT32_MAX)
        return (slot)req;
    packed *p = kumo_alloc(sizeof(*p) + q->scratch.len, KUMO_T_QUEUE, KUMO_V_QUEUE);
    p->seq = req->seq;
    p->born = req->ref.born;
    p->priority = req->priority;
    q->npacked++;
    p->len = (uint32_t)q->scratch.len;
    memcpy(p->data, q->scratch.s, q->scratch.len);
    if (q->scratch.cap > SCRATCH_KEEP) {
        kumo__buf_release(&q->scratch);
        kumo__buf_init(&q->scratch, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
    }
    kumo_request_unref(req);
    return (slot)p | PACKED_BIT;
}

static kumo_request *from_slot(slot e)
{
    const packed *p = as_packed(e);
    if (!p)
        return (kumo_request *)e;
    kumo_request *req = kumo__request_unpack(p->data, p->len);
    kumo_assert(req && "a packed request decodes");
    req->seq = p->seq;
    kumo_free((void *)p);
    return req;     /* the caller counts it out of npacked */
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
    slot_heap_push(q->heap, &q->len, to_slot(q, req));
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
    slot top = slot_heap_pop(q->heap, &q->len);
    if (top & PACKED_BIT)
        q->npacked--;
    return from_slot(top);
}

static size_t len(void *p)
{
    const memq *q = p;
    return q->len + (q->last != NULL);
}

static bool is_zero(const unsigned char *fp)
{
    for (int i = 0; i < 20; i++)
        if (fp[i])
            return false;
    return true;
}

static size_t slot_of(const unsigned char *fp, size_t mask)
{
    uint64_t h;
    memcpy(&h, fp, sizeof(h));
    return (size_t)h & mask;
}

static void fp_insert(memq *q, const unsigned char *fp)
{
    size_t mask = q->fp_cap - 1, i = slot_of(fp, mask);
    while (!is_zero(q->fp[i]))
        i = (i + 1) & mask;
    memcpy(q->fp[i], fp, 20);
    q->fp_len++;
}

static void fp_grow(memq *q)
{
    unsigned char(*old)[20] = q->fp;
    size_t old_cap = q->fp_cap;
    q->fp_cap = old_cap ? old_cap * 2 : 1024;
    q->fp = kumo_calloc(q->fp_cap, 20, KUMO_T_FPSET, KUMO_V_SEEN);
    q->fp_len = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (!is_zero(old[i]))
            fp_insert(q, old[i]);
    kumo_free(old);
}

static bool seen_or_add(void *p, const unsigned char fp[20])
{
    memq *q = p;
    if (is_zero(fp)) {
        bool seen = q->zero_seen;
        q->zero_seen = true;
        return seen;
    }
    if (2 * (q->fp_len + 1) > q->fp_cap)
        fp_grow(q);
    size_t mask = q->fp_cap - 1, i = slot_of(fp, mask);
    for (; !is_zero(q->fp[i]); i = (i + 1) & mask)
        if (memcmp(q->fp[i], fp, 20) == 0)
            return true;
    memcpy(q->fp[i], fp, 20);
    q->fp_len++;
    return false;
}

/* The requests kept as objects (packed ones hold no object), and the newest one. */
static void walk(void *p, void (*fn)(void *ctx, int priority, size_t index, kumo_request *req),
                 void *ctx)
{
    const memq *q = p;
    for (size_t i = 0; i < q->len; i++)
        if (!as_packed(q->heap[i]))
            fn(ctx, prio_of(q->heap[i]), i, (kumo_request *)q->heap[i]);
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
