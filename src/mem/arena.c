/* arena.c - bump-pointer arenas: small blocks carved without headers from chunks of one
 * reserved address range, big blocks in chunks of their own, blocks reused when libxml2
 * frees them while parsing, everything freed at once. */
#include "mem/arena.h"

#include <pthread.h>
#include <sys/mman.h>

#define CHUNK_SIZE (64 * 1024)      /* a chunk of small blocks, aligned to its size */
#define BIG_BLOCK (16 * 1024)       /* blocks this large get a chunk of their own */
#define CACHE_MAX 128               /* freed chunks kept resident for the next documents (8 MiB) */
#define FREE_CLASSES 64             /* blocks up to 504 bytes freed while parsing are reused */
#define ROUND(n) (((n) + 7) & ~(size_t)7)   /* 8-byte blocks: libxml2 needs no more */
#define UNITS (CHUNK_SIZE / 8)
#define WORDS (UNITS / 64)

/*
 * A chunk of small blocks: 64 KiB at an address that is a multiple of 64 KiB inside the
 * region, so a block finds its chunk by masking its address.  Its blocks carry no header
 * (a tree is hundreds of thousands of them: nodes of 120 bytes, attributes of 96, short
 * strings; 8 bytes each were 11% of a tree).  Instead a bit per 8 bytes marks where each
 * block starts: a block ends where the next one starts, or at `used`.  Bits past `used` are
 * always clear, so the last block can grow in place.
 */
typedef struct chunk {
    struct chunk *next;             /* the arena's chunks, newest first, or the cache */
    uint32_t id;                    /* the arena's number: the arena a freed block is of */
    uint32_t used;                  /* bytes of data carved */
    uint64_t starts[WORDS];         /* bit i: a block starts at data + 8 * i */
    unsigned char data[];
} chunk;

#define DATA_BYTES (CHUNK_SIZE - sizeof(chunk))

_Static_assert(sizeof(chunk) % 16 == 0, "a chunk's blocks keep 8-byte alignment");

/* A big block's chunk, from the heap: one block with kumo__arena_block()'s header. */
typedef struct big {
    struct big *next;
    size_t size;                    /* payload bytes of the chunk */
    unsigned char data[];
} big;

_Static_assert(sizeof(big) % 16 == 0, "big chunks keep 16-byte alignment");

/*
 * libxml2 frees and grows blocks while it parses: every attribute value passes through a
 * 100-byte buffer, text and input buffers grow by realloc.  Left in place, those blocks
 * made a document's arena twice what malloc held for the same tree (69 MB for the 2.5 MB
 * contents page of the Python docs, against 33 MB).  So while the arena is current, a freed
 * block goes back: the last one carved gives its room back to the chunk (and the last one
 * grows in place), a block with a chunk of its own frees the chunk, a small one waits in a
 * list by size for the next block of that size.
 */
struct kumo_arena {
    chunk *head;                    /* the chunk being carved first */
    big *bigs;
    size_t bytes;
    uint32_t id;                    /* stamped on its chunks and big blocks */
    void *free[FREE_CLASSES];       /* freed blocks by 8-byte size class, linked in place */
};

static uint32_t next_id;

static _Thread_local kumo_arena *current;

/*
 * The region: address space reserved once for the process's life (no memory until touched),
 * cut into chunks.
 * Chunks of freed arenas are kept for the next documents, CACHE_MAX of them resident (a
 * document's tree is hundreds of KiB, and giving its pages back at every page made the next
 * parse fault them in again: a third of the bench crawl's CPU went to page faults); the
 * others give their pages back and wait in `cold`.  Shared by the parse threads, which make
 * documents, and the loop, which frees them.
 */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *region;
static size_t region_size, region_used;
static bool region_failed;
static chunk *cache;                /* resident, linked through next */
static size_t ncached;
static uint32_t *cold;              /* chunk numbers of the others */
static size_t ncold, cold_cap;

/* Reserve the region: 64 GiB of address space, less when the system refuses (ulimit -v). */
static bool region_reserve(void)
{
    if (region || region_failed)
        return region != NULL;
    for (size_t size = (size_t)64 << 30; size >= ((size_t)64 << 20); size /= 8) {
        void *p = mmap(NULL, size + CHUNK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
            continue;
        uintptr_t lo = ((uintptr_t)p + CHUNK_SIZE - 1) & ~(uintptr_t)(CHUNK_SIZE - 1);
        __atomic_store_n(&region, (unsigned char *)lo, __ATOMIC_RELAXED);
        __atomic_store_n(&region_size, size, __ATOMIC_RELAXED);
        kumo__alloc_set_arena_region(region, region_size);
        return true;
    }
    region_failed = true;           /* every block then gets a chunk of its own */
    return false;
}

/* A chunk for the arena numbered id, or NULL when the region is full or was refused. */
static chunk *chunk_take(uint32_t id)
{
    chunk *c = NULL;
    pthread_mutex_lock(&cache_lock);
    if (cache) {
        c = cache;
        cache = c->next;
        ncached--;
    } else if (ncold) {
        c = (chunk *)(region + (size_t)cold[--ncold] * CHUNK_SIZE);
    } else if (region_reserve() && region_used + CHUNK_SIZE <= region_size) {
        c = (chunk *)(region + region_used);
        region_used += CHUNK_SIZE;
    }
    pthread_mutex_unlock(&cache_lock);
    if (!c)
        return NULL;
    memset(c, 0, sizeof(chunk));
    c->id = id;
    kumo__alloc_count(KUMO_T_XMLDOC, KUMO_V_DOC, 1, CHUNK_SIZE);
    return c;
}

static int by_number(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/*
 * Give the pages of n chunks back; they wait in `cold` for the next arenas.  One madvise()
 * a run of neighbours: each call makes every core flush its TLB, and a 29 MB tree's 460
 * chunks, given back one call each, took three times the crawl's parse.  The caller holds
 * cache_lock.
 */
static void chunks_cool(chunk **cs, size_t n)
{
    if (n == 0)
        return;
    if (ncold + n > cold_cap) {
        size_t cap = cold_cap ? cold_cap : 64;
        while (cap < ncold + n)
            cap *= 2;
        uint32_t *m = realloc(cold, cap * sizeof(*cold));     /* outside the tagged heap */
        if (!m)
            kumo_oom(cap * sizeof(*cold));
        cold = m;
        cold_cap = cap;
    }
    uint32_t *num = cold + ncold;
    for (size_t i = 0; i < n; i++)
        num[i] = (uint32_t)(((unsigned char *)cs[i] - region) / CHUNK_SIZE);
    qsort(num, n, sizeof(*num), by_number);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && num[j] == num[j - 1] + 1; j++)
            ;
        madvise(region + (size_t)num[i] * CHUNK_SIZE, (j - i) * CHUNK_SIZE, MADV_DONTNEED);
    }
    ncold += n;
}

/* chunks_cool() every chunk of a list linked through next; the caller holds cache_lock. */
static void cool_list(chunk *list)
{
    chunk *batch[256];
    size_t n = 0;
    while (list) {
        batch[n++] = list;
        list = list->next;          /* before a madvise() zeroes it */
        if (n == KUMO_ARRAY_LEN(batch)) {
            chunks_cool(batch, n);
            n = 0;
        }
    }
    chunks_cool(batch, n);
}

/* A freed arena's chunks: kept resident for the next arenas while the cache has room, the
 * others cooled. */
static void chunks_give(chunk *list)
{
    pthread_mutex_lock(&cache_lock);
    while (list && ncached < CACHE_MAX) {
        chunk *c = list;
        list = c->next;
        c->next = cache;
        cache = c;
        ncached++;
        kumo__alloc_count(KUMO_T_XMLDOC, KUMO_V_DOC, -1, -(int64_t)CHUNK_SIZE);
    }
    for (chunk *c = list; c; c = c->next)
        kumo__alloc_count(KUMO_T_XMLDOC, KUMO_V_DOC, -1, -(int64_t)CHUNK_SIZE);
    cool_list(list);
    pthread_mutex_unlock(&cache_lock);
}

size_t kumo__arena_cache_flush(void)
{
    pthread_mutex_lock(&cache_lock);
    size_t n = ncached;
    cool_list(cache);
    cache = NULL;
    ncached = 0;
    pthread_mutex_unlock(&cache_lock);
    return n * CHUNK_SIZE;
}

kumo_arena *kumo__arena_new(void)
{
    kumo_arena *a = kumo_calloc(1, sizeof(kumo_arena), KUMO_T_XMLDOC, KUMO_V_DOC);
    do      /* 28 bits: what a big block's header keeps */
        a->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED) & 0x0fffffffU;
    while (a->id == 0);
    return a;
}

void kumo__arena_free(kumo_arena *a)
{
    if (!a)
        return;
    kumo_assert(current != a);
    chunks_give(a->head);
    while (a->bigs) {
        big *b = a->bigs;
        a->bigs = b->next;
        kumo_free(b);
    }
    kumo_free(a);
}

size_t kumo__arena_bytes(const kumo_arena *a)
{
    return a ? a->bytes : 0;
}

static chunk *chunk_of(const void *p)
{
    return (chunk *)((uintptr_t)p & ~(uintptr_t)(CHUNK_SIZE - 1));
}

static bool in_region(const void *p)
{
    uintptr_t lo = (uintptr_t)__atomic_load_n(&region, __ATOMIC_RELAXED);
    return (uintptr_t)p - lo < __atomic_load_n(&region_size, __ATOMIC_RELAXED);
}

/* The size of the block starting at unit i of c: up to the next start, or to `used`. */
static size_t extent(const chunk *c, size_t i)
{
    size_t end = c->used / 8, w = (i + 1) / 64;
    uint64_t bits = (i + 1) % 64 ? c->starts[w] & (~(uint64_t)0 << ((i + 1) % 64))
                                 : (w < WORDS ? c->starts[w] : 0);
    while (!bits) {
        if (++w * 64 >= end)
            return (end - i) * 8;
        bits = c->starts[w];
    }
    size_t j = w * 64 + (size_t)__builtin_ctzll(bits);
    return ((j < end ? j : end) - i) * 8;
}

static size_t span(const void *p, uint32_t *owner)
{
    const chunk *c = chunk_of(p);
    *owner = c->id;
    return extent(c, (size_t)((const unsigned char *)p - c->data) / 8);
}

/* A block of n bytes in a chunk of its own (big, or the region refused). */
static void *carve_big(kumo_arena *a, size_t n)
{
    size_t need = KUMO_ARENA_HDR + ROUND(n);
    if (need < n)
        kumo_oom(n);
    big *b = kumo_alloc(sizeof(big) + need, KUMO_T_XMLDOC, KUMO_V_DOC);
    b->size = need;
    b->next = a->bigs;
    a->bigs = b;
    a->bytes += need;
    return kumo__arena_block(b->data, n, a->id);
}

static void *carve(kumo_arena *a, size_t n)
{
    size_t need = n ? ROUND(n) : 8;
    if (need > BIG_BLOCK || need < n)
        return carve_big(a, n);
    size_t k = need / 8;
    if (k < FREE_CLASSES && a->free[k]) {
        void *p = a->free[k];
        a->free[k] = *(void **)p;
        return p;
    }
    chunk *c = a->head;
    if (!c || DATA_BYTES - c->used < need) {
        c = chunk_take(a->id);
        if (!c)
            return carve_big(a, n);
        c->next = a->head;
        a->head = c;
        a->bytes += CHUNK_SIZE;
    }
    size_t i = c->used / 8;
    c->starts[i / 64] |= (uint64_t)1 << (i % 64);
    c->used += (uint32_t)need;
    return c->data + i * 8;
}

/* Whether the block at p of size bytes is the last carved from a's head chunk. */
static bool is_last(const kumo_arena *a, const unsigned char *p, size_t size)
{
    const chunk *c = a->head;
    return c && chunk_of(p) == c && p + size == c->data + c->used;
}

/* kumo_free() of a block of size bytes of the arena numbered owner (alloc.h's hook). */
static void release(void *p, size_t size, uint32_t owner)
{
    kumo_arena *a = current;
    if (!a || a->id != owner)
        return;                     /* freed with its arena */
    if (!in_region(p)) {            /* a big block: its chunk goes */
        for (big **pb = &a->bigs; *pb; pb = &(*pb)->next) {
            big *b = *pb;
            if (b->data + KUMO_ARENA_HDR == p) {
                *pb = b->next;
                a->bytes -= b->size;
                kumo_free(b);
                return;
            }
        }
        return;
    }
    if (is_last(a, p, size)) {
        chunk *c = a->head;
        c->used -= (uint32_t)size;
        size_t i = c->used / 8;
        c->starts[i / 64] &= ~((uint64_t)1 << (i % 64));
        return;
    }
    size_t k = size / 8;
    if (k < FREE_CLASSES) {
        *(void **)p = a->free[k];
        a->free[k] = p;
    }
}

/*
 * kumo_realloc() of a block in place: within its size, or the last one carved growing into
 * its chunk's room unless a freed block of the new size waits.  libxml2 reads every
 * attribute value into a 100-byte buffer it grows to 200 at the first character and frees
 * once the value is copied: grown in place each time, the freed 200-byte buffers were never
 * taken again (6.7 MB of the 36 MB arena of a 2.5 MB page with 61,000 attributes).  Copied
 * into the waiting block instead, the last block gives its room back.
 */
static bool resize(void *p, size_t size, size_t n, uint32_t owner)
{
    kumo_arena *a = current;
    if (!a || a->id != owner || ROUND(n) < n)
        return false;
    if (!in_region(p)) {            /* a big block, within its rounding */
        if (ROUND(n) > ROUND(size))
            return false;
        kumo__arena_block((unsigned char *)p - KUMO_ARENA_HDR, n, owner);
        return true;
    }
    size_t want = ROUND(n);
    if (want <= size)
        return true;
    size_t k = want / 8;
    if (want > BIG_BLOCK || (k < FREE_CLASSES && a->free[k]))
        return false;
    chunk *c = a->head;
    if (is_last(a, p, size) && DATA_BYTES - c->used >= want - size) {
        c->used += (uint32_t)(want - size);
        return true;
    }
    return false;
}

static const kumo_arena_hooks hooks = {kumo__arena_current_alloc, span, release, resize};

kumo_arena *kumo__arena_enter(kumo_arena *a)
{
    if (a)      /* before any block of a exists: kumo_free() and kumo_realloc() of its blocks */
        kumo__alloc_set_arena_hooks(&hooks);
    kumo_arena *prev = current;
    current = a;
    return prev;
}

void *kumo__arena_current_alloc(size_t n)
{
    return current ? carve(current, n) : NULL;
}
