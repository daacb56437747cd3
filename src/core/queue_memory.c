/* queue_memory.c - the memory queue backend: a binary heap and a fingerprint hash set. */
#include "core/scheduler.h"
#include "http/request.h"

typedef struct memq {
    kumo_request **heap;        /* max-heap on (priority, seq): LIFO within a priority */
    size_t len, cap;
    uint64_t seq;
    unsigned char (*fp)[20];    /* open addressing; all-zero slot is empty */
    size_t fp_len, fp_cap;      /* fp_cap a power of two */
    bool zero_seen;             /* the all-zero fingerprint, kept aside */
} memq;

static bool before(const kumo_request *a, const kumo_request *b)
{
    return a->priority != b->priority ? a->priority > b->priority : a->seq > b->seq;
}

static void *open_q(kumo_crawler *c, int *err)
{
    *err = KUMO_OK;
    return kumo_calloc(1, sizeof(memq), KUMO_T_QUEUE, KUMO_V_NONE);
}

static void close_q(void *p)
{
    memq *q = p;
    for (size_t i = 0; i < q->len; i++)
        kumo_request_unref(q->heap[i]);
    kumo_free(q->heap);
    kumo_free(q->fp);
    kumo_free(q);
}

static void push(void *p, kumo_request *req)
{
    memq *q = p;
    if (q->len == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->heap = kumo_realloc(q->heap, q->cap * sizeof(*q->heap), KUMO_T_QUEUE, KUMO_V_QUEUE);
    }
    req->seq = ++q->seq;
    size_t i = q->len++;
    while (i && before(req, q->heap[(i - 1) / 2])) {
        q->heap[i] = q->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->heap[i] = req;
}

static kumo_request *pop(void *p)
{
    memq *q = p;
    if (!q->len)
        return NULL;
    kumo_request *top = q->heap[0], *last = q->heap[--q->len];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const kumo_request *best = last;
        if (l < q->len && before(q->heap[l], best))
            m = l, best = q->heap[l];
        if (r < q->len && before(q->heap[r], best))
            m = r;
        if (m == i)
            break;
        q->heap[i] = q->heap[m];
        i = m;
    }
    if (q->len)
        q->heap[i] = last;
    return top;
}

static size_t len(void *p)
{
    return ((memq *)p)->len;
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

const kumo_queue_backend kumo_queue_memory = {
    .name = "memory",
    .open = open_q,
    .close = close_q,
    .push = push,
    .pop = pop,
    .len = len,
    .seen_or_add = seen_or_add,
};
