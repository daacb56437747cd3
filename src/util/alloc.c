/* alloc.c - the tagged heap: kumo_alloc() with O(1) per-(type, via) counters. */
#include "util/alloc.h"
#include "util/lock.h"
#include <pthread.h>

#define HDR_MAGIC 0x6b756d6fU   /* "kumo" */
#define ARENA_TAG 0xa0000000U   /* top nibble of an arena block's tag: freed with its arena */
#define ARENA_TAG_MASK 0xf0000000U
#define PARK_MAGIC 0x7061726bU  /* "park": kept by a cache, not counted */

/* 16 bytes before every block: keeps malloc's alignment for the payload. */
typedef struct hdr {
    uint32_t size;          /* payload bytes, or UINT32_MAX with big[] holding it */
    uint16_t type, via;
    uint32_t magic;
    uint32_t big;           /* high half of sizes >= 4 GiB */
} hdr;

_Static_assert(sizeof(hdr) == 16, "heap header must keep 16-byte alignment");

/* Signed: a block allocated by one thread and freed by another moves both threads'
 * counters; only their sum is meaningful. */
typedef struct counter {
    int64_t count, bytes;
} counter;

/*
 * Counters are per thread (no lock, no atomic on the hot path) and summed on read.  The
 * loop thread's block is static; a worker thread (HTML parsing) gets its own on first use,
 * linked into a list that lives as long as the process.
 */
typedef struct counters {
    counter c[KUMO_TAG_MAX][KUMO_TAG_MAX];
    struct counters *next;
} counters;

static counters main_counters;
static counters *all_counters = &main_counters;
static pthread_mutex_t counters_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local counters *mine;
static pthread_t main_thread;
static bool main_thread_set;

static counters *thread_counters_slow(void);

static inline counters *thread_counters(void)
{
    counters *c = mine;
    return __builtin_expect(c != NULL, 1) ? c : thread_counters_slow();
}

static counters *thread_counters_slow(void)
{
    if (!main_thread_set || pthread_equal(pthread_self(), main_thread)) {
        main_thread = pthread_self();
        main_thread_set = true;
        return mine = &main_counters;
    }
    counters *c = calloc(1, sizeof(*c));    /* outside the tagged heap: it counts it */
    if (!c)
        kumo_oom(sizeof(*c));
    pthread_mutex_lock(&counters_lock);
    c->next = all_counters->next;
    all_counters->next = c;
    pthread_mutex_unlock(&counters_lock);
    return mine = c;
}

/*
 * Only the owning thread writes its counters: relaxed atomic loads and stores (plain moves on
 * x86, no locked instruction) keep concurrent readers well-defined.
 */
static void add(counter *c, int64_t n, int64_t bytes)
{
    __atomic_store_n(&c->count, __atomic_load_n(&c->count, __ATOMIC_RELAXED) + n,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&c->bytes, __atomic_load_n(&c->bytes, __ATOMIC_RELAXED) + bytes,
                     __ATOMIC_RELAXED);
}

/* Sum of one (type, via) counter over every thread; the caller holds counters_lock. */
static counter sum(size_t t, size_t v)
{
    counter s = {0, 0};
    for (const counters *c = all_counters; c; c = c->next) {
        s.count += __atomic_load_n(&c->c[t][v].count, __ATOMIC_RELAXED);
        s.bytes += __atomic_load_n(&c->c[t][v].bytes, __ATOMIC_RELAXED);
    }
    return s;
}

static const char *type_names[KUMO_TAG_MAX] = {
#define KUMO_TAG_NAME(name, str) str,
    KUMO_TYPE_MAP(KUMO_TAG_NAME)
#undef KUMO_TAG_NAME
};
static const char *via_names[KUMO_TAG_MAX] = {
#define KUMO_TAG_NAME(name, str) str,
    KUMO_VIA_MAP(KUMO_TAG_NAME)
#undef KUMO_TAG_NAME
};
static size_t ntypes = KUMO_T_BUILTIN_MAX, nvias = KUMO_V_BUILTIN_MAX;

/* mem/arena.c's current-arena allocator; set before the first arena block exists. */
static const kumo_arena_hooks *arena_hooks;

void kumo__alloc_set_arena_hooks(const kumo_arena_hooks *hooks)
{
    __atomic_store_n(&arena_hooks, hooks, __ATOMIC_RELAXED);
}

/* mem/arena.c's region of headerless blocks: [region_lo, region_lo + region_len). */
static uintptr_t region_lo;
static size_t region_len;

void kumo__alloc_set_arena_region(const void *lo, size_t len)
{
    __atomic_store_n(&region_lo, (uintptr_t)lo, __ATOMIC_RELAXED);
    __atomic_store_n(&region_len, len, __ATOMIC_RELAXED);
}

/*
 * Small blocks freed on a thread, kept for its next allocation of their size class
 * (16-byte steps up to POOL_MAX payload bytes): an XPath query allocates and frees its node
 * sets and objects by the million, and malloc's own per-size cache (7 blocks) overflows on
 * each query.  Every small block is made with its class's whole size so that any block of a
 * class serves any request of it.  Kept blocks are out of the counters, as malloc's
 * free-but-held bytes are, at most POOL_CLASS_BYTES a class and a thread (a parse thread running
 * callbacks keeps its own: their selectors and strings die where they were made).  Sanitizer
 * builds keep nothing: a use after free is still caught there.
 */
#define POOL_MAX 256
#define POOL_CLASSES (POOL_MAX / 16)
#define POOL_CLASS_BYTES (32 * 1024)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define POOL_ON 0
#else
#define POOL_ON 1
#endif

typedef struct pooled {
    struct pooled *next;
} pooled;

static _Thread_local pooled *pool[POOL_CLASSES];
static _Thread_local uint32_t pool_len[POOL_CLASSES];

/* The class of a small block of size payload bytes, and the payload it is made with. */
static inline size_t pool_class(size_t size)
{
    return size ? (size - 1) >> 4 : 0;
}

static inline size_t pool_cap(size_t cls)
{
    return (cls + 1) << 4;
}

static inline uint32_t pool_depth(size_t cls)
{
    return (uint32_t)(POOL_CLASS_BYTES / (sizeof(hdr) + pool_cap(cls)));
}

/* The bytes to ask malloc for a block of size payload bytes. */
static inline size_t block_bytes(size_t size)
{
    return sizeof(hdr) + (size <= POOL_MAX ? pool_cap(pool_class(size)) : size);
}

/*
 * Full pools move between threads through a depot.  A parse thread makes the requests and
 * URL strings that the loop thread frees: the maker's pool of their class is always empty,
 * the freer's always full, and without the depot every block of them was one malloc() on
 * one thread and one free() on the other, both under the lock of the malloc arena they
 * came from (1,700 of a pg crawl's 4,300 futex calls were that lock's).  A thread whose
 * pool of a class is full hands the whole pool over, one lock for POOL_CLASS_BYTES of
 * blocks, and a thread whose pool is empty takes one.  The depot keeps DEPOT_POOLS pools a
 * class at most (the blocks of a pool it has no room for go back to malloc one by one, as
 * before), so it holds at most DEPOT_POOLS * POOL_CLASS_BYTES a class.
 */
#define DEPOT_POOLS 4

static struct {
    pthread_mutex_t lock;
    uint32_t n[POOL_CLASSES];                       /* full pools kept, read unlocked */
    pooled *full[POOL_CLASSES][DEPOT_POOLS];        /* each pool_depth(class) blocks */
} depot = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Takes the calling thread's full pool of cls if the depot has room for it. */
static bool depot_put(size_t cls)
{
    bool kept = false;
    kumo__lock_spin(&depot.lock);
    if (depot.n[cls] < DEPOT_POOLS) {
        depot.full[cls][depot.n[cls]] = pool[cls];
        __atomic_store_n(&depot.n[cls], depot.n[cls] + 1, __ATOMIC_RELAXED);
        pool[cls] = NULL;
        pool_len[cls] = 0;
        kept = true;
    }
    pthread_mutex_unlock(&depot.lock);
    return kept;
}

/* Makes a full pool from the depot the calling thread's pool of cls, which is empty; returns
 * it (NULL when the depot has none). */
static pooled *depot_take(size_t cls)
{
    if (__atomic_load_n(&depot.n[cls], __ATOMIC_RELAXED) == 0)
        return NULL;
    kumo__lock_spin(&depot.lock);
    if (depot.n[cls] > 0) {
        pool[cls] = depot.full[cls][depot.n[cls] - 1];
        pool_len[cls] = pool_depth(cls);
        __atomic_store_n(&depot.n[cls], depot.n[cls] - 1, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&depot.lock);
    return pool[cls];
}

size_t kumo__alloc_pool_flush(void)
{
    size_t bytes = 0;
    for (size_t cls = 0; cls < POOL_CLASSES; cls++) {
        while (pool[cls]) {
            pooled *p = pool[cls];
            pool[cls] = p->next;
            free(p);
            bytes += sizeof(hdr) + pool_cap(cls);
        }
        pool_len[cls] = 0;
    }
    pthread_mutex_lock(&depot.lock);
    for (size_t cls = 0; cls < POOL_CLASSES; cls++) {
        for (uint32_t i = 0; i < depot.n[cls]; i++)
            for (pooled *p = depot.full[cls][i], *next; p; p = next) {
                next = p->next;
                free(p);
                bytes += sizeof(hdr) + pool_cap(cls);
            }
        __atomic_store_n(&depot.n[cls], 0, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&depot.lock);
    return bytes;
}

/* Under counters_lock: parse threads intern too (a callback's first re.Match). */
static kumo_tag intern(const char **names, size_t *n, const char *name, kumo_tag full)
{
    kumo_tag t = full;
    pthread_mutex_lock(&counters_lock);
    for (size_t i = 0; i < *n; i++)
        if (strcmp(names[i], name) == 0) {
            t = (kumo_tag)i;
            goto out;
        }
    if (*n < KUMO_TAG_MAX) {
        char *copy = strdup(name);  /* lives as long as the process: tags are never freed */
        if (!copy)
            kumo_oom(strlen(name) + 1);
        names[*n] = copy;
        t = (kumo_tag)(*n)++;
    }
out:
    pthread_mutex_unlock(&counters_lock);
    return t;
}

kumo_tag kumo_type_intern(const char *name)
{
    return intern(type_names, &ntypes, name, KUMO_T_OTHER);
}

kumo_tag kumo_via_intern(const char *name)
{
    return intern(via_names, &nvias, name, KUMO_V_NONE);
}

const char *kumo_type_name(kumo_tag t)
{
    return t < ntypes ? type_names[t] : "";
}

const char *kumo_via_name(kumo_tag v)
{
    return v < nvias ? via_names[v] : "";
}

void kumo_oom(size_t size)
{
    fprintf(stderr, "kumo: out of memory allocating %zu bytes\n", size);
    abort();
}

static size_t hdr_size(const hdr *h)
{
    return ((size_t)h->big << 32) | h->size;
}

static inline void *finish_on(counters *tc, hdr *h, size_t size, kumo_tag type, kumo_tag via)
{
    if (type >= KUMO_TAG_MAX)
        type = KUMO_T_OTHER;
    if (via >= KUMO_TAG_MAX)
        via = KUMO_V_NONE;
    h->size = (uint32_t)size;
    h->big = (uint32_t)((uint64_t)size >> 32);
    h->type = type;
    h->via = via;
    h->magic = HDR_MAGIC;
    add(&tc->c[type][via], 1, (int64_t)size);
    return h + 1;
}

static void *finish(hdr *h, size_t size, kumo_tag type, kumo_tag via)
{
    return finish_on(thread_counters(), h, size, type, via);
}

/*
 * A document is hundreds of thousands of small blocks (nodes, attributes, strings), counted
 * with their chunks, never alone: those live in the arena region and carry no header.  A
 * big arena block, in a chunk of its own from the heap, has an 8-byte header, not 16.  Its
 * tag sits where a heap block's magic is (the 4 bytes at ptr - 8) and says which kind ptr
 * is: ARENA_TAG and the arena's number (28 bits), then its size (arena blocks stay below
 * 4 GiB: a parse takes at most INT_MAX bytes of text).
 */
typedef struct ahdr {
    uint32_t tag;
    uint32_t size;
} ahdr;

_Static_assert(sizeof(ahdr) == KUMO_ARENA_HDR, "arena blocks carry the short header");
_Static_assert(offsetof(hdr, magic) + 8 == sizeof(hdr), "the tag and the magic coincide");
_Static_assert((HDR_MAGIC & ARENA_TAG_MASK) != ARENA_TAG &&
               (PARK_MAGIC & ARENA_TAG_MASK) != ARENA_TAG, "a heap magic is not an arena tag");

/*
 * Whether ptr is an arena block, with its size and its arena's number.  The region is asked
 * first: the 8 bytes before a block there are the end of the block before it, whatever a
 * page's text put there.
 */
static bool arena_block(const void *ptr, size_t *size, uint32_t *owner)
{
    uintptr_t lo = __atomic_load_n(&region_lo, __ATOMIC_RELAXED);
    if ((uintptr_t)ptr - lo < __atomic_load_n(&region_len, __ATOMIC_RELAXED)) {
        const kumo_arena_hooks *ah = __atomic_load_n(&arena_hooks, __ATOMIC_RELAXED);
        *size = ah->span(ptr, owner);
        return true;
    }
    const ahdr *a = (const ahdr *)ptr - 1;
    if ((a->tag & ARENA_TAG_MASK) != ARENA_TAG)
        return false;
    *size = a->size;
    *owner = a->tag & ~ARENA_TAG_MASK;
    return true;
}

static hdr *header_of(const void *ptr)
{
    hdr *h = (hdr *)ptr - 1;
    kumo_assert(h->magic == HDR_MAGIC);
    return h;
}

void *kumo__arena_block(void *p, size_t size, uint32_t owner)
{
    if (size > UINT32_MAX)
        kumo_oom(size);
    ahdr *a = p;
    a->tag = ARENA_TAG | (owner & ~ARENA_TAG_MASK);
    a->size = (uint32_t)size;
    return a + 1;
}

void kumo__alloc_count(kumo_tag type, kumo_tag via, int64_t n, int64_t bytes)
{
    add(&thread_counters()->c[type][via], n, bytes);
}

static void uncount(const hdr *h)
{
    add(&thread_counters()->c[h->type][h->via], -1, -(int64_t)hdr_size(h));
}

void *kumo_alloc(size_t size, kumo_tag type, kumo_tag via)
{
    counters *tc = thread_counters();
    if (POOL_ON && size <= POOL_MAX) {
        size_t cls = pool_class(size);
        pooled *p = pool[cls];
        if (!p)
            p = depot_take(cls);
        if (p) {
            pool[cls] = p->next;
            pool_len[cls]--;
            return finish_on(tc, (hdr *)p, size, type, via);
        }
    }
    if (size > SIZE_MAX - sizeof(hdr))
        kumo_oom(size);
    hdr *h = malloc(block_bytes(size));
    if (!h)
        kumo_oom(size);
    return finish_on(tc, h, size, type, via);
}

void *kumo_calloc(size_t n, size_t size, kumo_tag type, kumo_tag via)
{
    if (size && n > (SIZE_MAX - sizeof(hdr)) / size)
        kumo_oom(SIZE_MAX);
    if (POOL_ON && n * size <= POOL_MAX) {
        void *p = kumo_alloc(n * size, type, via);
        memset(p, 0, n * size);
        return p;
    }
    hdr *h = calloc(1, block_bytes(n * size));
    if (!h)
        kumo_oom(n * size);
    return finish(h, n * size, type, via);
}

void *kumo_realloc(void *ptr, size_t size, kumo_tag type, kumo_tag via)
{
    if (!ptr)
        return kumo_alloc(size, type, via);
    if (size > SIZE_MAX - sizeof(hdr))
        kumo_oom(size);
    size_t n;
    uint32_t owner;
    if (arena_block(ptr, &n, &owner)) {
        /* in place, or copied into the current arena (or the heap) and given back */
        const kumo_arena_hooks *ah = __atomic_load_n(&arena_hooks, __ATOMIC_RELAXED);
        kumo_assert(ah);
        if (ah->resize(ptr, n, size, owner))
            return ptr;
        void *p = ah->alloc(size);
        if (!p)
            p = kumo_alloc(size, KUMO_T_XMLDOC, KUMO_V_DOC);
        memcpy(p, ptr, n < size ? n : size);
        ah->release(ptr, n, owner);
        return p;
    }
    hdr *old = header_of(ptr);
    kumo_tag t = old->type, v = old->via;
    uncount(old);
    old->magic = 0;
    hdr *h = realloc(old, block_bytes(size));
    if (!h)
        kumo_oom(size);
    return finish(h, size, t, v);
}

void kumo_free(void *ptr)
{
    if (!ptr)
        return;
    size_t n;
    uint32_t owner;
    if (arena_block(ptr, &n, &owner)) {     /* reused by its arena while current, else nothing */
        const kumo_arena_hooks *ah = __atomic_load_n(&arena_hooks, __ATOMIC_RELAXED);
        if (ah)
            ah->release(ptr, n, owner);
        return;
    }
    hdr *h = header_of(ptr);
    counters *tc = thread_counters();
    size_t size = hdr_size(h);
    add(&tc->c[h->type][h->via], -1, -(int64_t)size);
    h->magic = 0;
    if (POOL_ON && size <= POOL_MAX) {
        size_t cls = pool_class(size);
        if (pool_len[cls] < pool_depth(cls) || depot_put(cls)) {
            pooled *p = (pooled *)h;
            p->next = pool[cls];
            pool[cls] = p;
            pool_len[cls]++;
            return;
        }
    }
    free(h);
}

void kumo__alloc_park(void *ptr)
{
    hdr *h = header_of(ptr);
    kumo_assert(h->magic == HDR_MAGIC);
    uncount(h);
    h->magic = PARK_MAGIC;
}

void *kumo__alloc_unpark(void *ptr)
{
    hdr *h = (hdr *)ptr - 1;
    kumo_assert(h->magic == PARK_MAGIC);
    h->magic = HDR_MAGIC;
    add(&thread_counters()->c[h->type][h->via], 1, (int64_t)hdr_size(h));
    return ptr;
}

void kumo__alloc_free_parked(void *ptr)
{
    hdr *h = (hdr *)ptr - 1;
    kumo_assert(h->magic == PARK_MAGIC);
    h->magic = 0;
    free(h);
}

size_t kumo_alloc_size(const void *ptr)
{
    size_t n;
    uint32_t owner;
    return arena_block(ptr, &n, &owner) ? n : hdr_size(header_of(ptr));
}

char *kumo_strndup(const char *s, size_t n, kumo_tag type, kumo_tag via)
{
    char *p = kumo_alloc(n + 1, type, via);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *kumo_strdup(const char *s, kumo_tag type, kumo_tag via)
{
    return kumo_strndup(s, strlen(s), type, via);
}

void kumo_heap_totals(uint64_t *count, uint64_t *bytes)
{
    uint64_t n = 0, b = 0;
    pthread_mutex_lock(&counters_lock);
    for (size_t t = 0; t < ntypes; t++)
        for (size_t v = 0; v < nvias; v++) {
            counter c = sum(t, v);
            n += (uint64_t)c.count;
            b += (uint64_t)c.bytes;
        }
    pthread_mutex_unlock(&counters_lock);
    if (count)
        *count = n;
    if (bytes)
        *bytes = b;
}

size_t kumo_heap_snapshot(kumo_heap_counter *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&counters_lock);
    for (size_t t = 0; t < ntypes; t++)
        for (size_t v = 0; v < nvias; v++) {
            counter c = sum(t, v);
            if (c.count <= 0)
                continue;
            if (n < max)
                out[n] = (kumo_heap_counter){(kumo_tag)t, (kumo_tag)v, (uint64_t)c.count,
                                             (uint64_t)c.bytes};
            n++;
        }
    pthread_mutex_unlock(&counters_lock);
    return n;
}
