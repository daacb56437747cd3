/* arena.c - bump-pointer arenas: chunks from the tagged heap, blocks carved from them and
 * reused when libxml2 frees them while parsing, everything freed at once. */
#include "mem/arena.h"

#include <pthread.h>

#define CHUNK_SIZE (64 * 1024)
#define BIG_BLOCK (16 * 1024)       /* blocks this large get a chunk of their own */
#define CACHE_MAX 32                /* freed chunks kept for the next documents (2 MiB) */
#define FREE_CLASSES 64             /* blocks up to 504 bytes freed while parsing are reused */
#define ROUND(n) (((n) + 7) & ~(size_t)7)   /* 8-byte blocks: libxml2 needs no more */

typedef struct chunk {
    struct chunk *next;
    size_t size, used;              /* payload bytes of the chunk, and bytes carved */
    size_t pad;                     /* keeps data 16-byte aligned */
    unsigned char data[];
} chunk;

_Static_assert(sizeof(chunk) % 16 == 0, "arena chunks keep 16-byte alignment");

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
    size_t bytes;
    uint32_t id;                    /* stamped on its blocks: the arena a freed block is of */
    void *free[FREE_CLASSES];       /* freed blocks by 8-byte size class, linked in place */
};

static uint32_t next_id;

static _Thread_local kumo_arena *current;

/*
 * Chunks of freed arenas, parked (out of the tagged heap's counts) for the next documents:
 * a document's tree is hundreds of KiB, and giving its chunks back to malloc at every page
 * made malloc shrink the heap and the next parse fault the same pages in again (a third of
 * the bench crawl's CPU went to brk() and page faults).  Shared by the parse threads, which
 * make documents, and the loop, which frees them.
 */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static chunk *cache;
static size_t ncached;

/* A chunk of CHUNK_SIZE from the cache, or NULL. */
static chunk *cache_take(void)
{
    pthread_mutex_lock(&cache_lock);
    chunk *c = cache;
    if (c) {
        cache = c->next;
        ncached--;
    }
    pthread_mutex_unlock(&cache_lock);
    return c ? kumo__alloc_unpark(c) : NULL;
}

/* Keep c (of CHUNK_SIZE) for the next arena; returns false when the cache is full. */
static bool cache_put(chunk *c)
{
    pthread_mutex_lock(&cache_lock);
    bool kept = ncached < CACHE_MAX;
    if (kept) {
        kumo__alloc_park(c);
        c->next = cache;
        cache = c;
        ncached++;
    }
    pthread_mutex_unlock(&cache_lock);
    return kept;
}

size_t kumo__arena_cache_flush(void)
{
    pthread_mutex_lock(&cache_lock);
    chunk *c = cache;
    size_t n = ncached;
    cache = NULL;
    ncached = 0;
    pthread_mutex_unlock(&cache_lock);
    while (c) {
        chunk *next = c->next;
        kumo__alloc_free_parked(c);
        c = next;
    }
    return n * (sizeof(chunk) + CHUNK_SIZE);
}

kumo_arena *kumo__arena_new(void)
{
    kumo_arena *a = kumo_calloc(1, sizeof(kumo_arena), KUMO_T_XMLDOC, KUMO_V_DOC);
    do      /* 28 bits: what the block header keeps */
        a->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED) & 0x0fffffffU;
    while (a->id == 0);
    return a;
}

/* Give a chunk back: to the cache for the next arena, or to the heap. */
static void chunk_free(chunk *c)
{
    if (c->size != CHUNK_SIZE || !cache_put(c))
        kumo_free(c);
}

void kumo__arena_free(kumo_arena *a)
{
    if (!a)
        return;
    kumo_assert(current != a);
    while (a->head) {
        chunk *c = a->head;
        a->head = c->next;
        chunk_free(c);
    }
    kumo_free(a);
}

size_t kumo__arena_bytes(const kumo_arena *a)
{
    return a ? a->bytes : 0;
}

static chunk *chunk_new(kumo_arena *a, size_t size)
{
    chunk *c = size == CHUNK_SIZE ? cache_take() : NULL;
    if (!c)
        c = kumo_alloc(sizeof(chunk) + size, KUMO_T_XMLDOC, KUMO_V_DOC);
    c->size = size;
    c->used = 0;
    a->bytes += size;
    return c;
}

static void *carve(kumo_arena *a, size_t n)
{
    size_t need = KUMO_ARENA_HDR + ROUND(n);
    if (need < n)
        kumo_oom(n);
    size_t k = ROUND(n) / 8;
    if (k && k < FREE_CLASSES && a->free[k]) {
        void *p = a->free[k];
        a->free[k] = *(void **)p;
        return kumo__arena_block((unsigned char *)p - KUMO_ARENA_HDR, n, a->id);
    }
    chunk *c = a->head;
    if (!c || c->size - c->used < need) {
        if (need > BIG_BLOCK) {
            /* its own chunk, behind the one being carved so that one's room is kept */
            chunk *big = chunk_new(a, need);
            big->used = need;
            if (c) {
                big->next = c->next;
                c->next = big;
            } else {
                big->next = NULL;
                a->head = big;
            }
            return kumo__arena_block(big->data, n, a->id);
        }
        c = chunk_new(a, CHUNK_SIZE);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    return kumo__arena_block(p, n, a->id);
}

/* Whether blk, of need bytes with its header, is the last carved from a's head chunk. */
static bool is_last(const kumo_arena *a, const unsigned char *blk, size_t need)
{
    const chunk *c = a->head;
    return c && blk >= c->data && blk + need == c->data + c->used;
}

/* kumo_free() of a block of size bytes of the arena numbered owner (alloc.h's hook). */
static void release(void *p, size_t size, uint32_t owner)
{
    kumo_arena *a = current;
    if (!a || a->id != owner)
        return;                     /* freed with its arena */
    unsigned char *blk = (unsigned char *)p - KUMO_ARENA_HDR;
    size_t need = KUMO_ARENA_HDR + ROUND(size);
    if (is_last(a, blk, need)) {
        a->head->used -= need;
        return;
    }
    if (need > BIG_BLOCK) {         /* a chunk of its own (unless it grew in place) */
        for (chunk **pc = &a->head; *pc; pc = &(*pc)->next) {
            chunk *c = *pc;
            if (c->data == blk && c != a->head) {
                *pc = c->next;
                a->bytes -= c->size;
                chunk_free(c);
                return;
            }
        }
        return;
    }
    size_t k = ROUND(size) / 8;
    if (k && k < FREE_CLASSES) {
        *(void **)p = a->free[k];
        a->free[k] = p;
    }
}

/*
 * kumo_realloc() of a block in place: within its 8-byte rounding, or the last one carved
 * growing into its chunk's room unless a freed block of the new size waits.  libxml2 reads
 * every attribute value into a 100-byte buffer it grows to 200 at the first character and
 * frees once the value is copied: grown in place each time, the freed 200-byte buffers were
 * never taken again (6.7 MB of the 36 MB arena of a 2.5 MB page with 61,000 attributes).
 * Copied into the waiting block instead, the last block gives its room back.
 */
static bool resize(void *p, size_t size, size_t n, uint32_t owner)
{
    kumo_arena *a = current;
    if (!a || a->id != owner || ROUND(n) < n)
        return false;
    unsigned char *blk = p;
    blk -= KUMO_ARENA_HDR;
    size_t have = ROUND(size), want = ROUND(n);
    if (want <= have) {
        kumo__arena_block(blk, n, owner);
        return true;
    }
    size_t k = want / 8;
    if (k < FREE_CLASSES && a->free[k])
        return false;
    if (is_last(a, blk, KUMO_ARENA_HDR + have) &&
        a->head->size - a->head->used >= want - have) {
        a->head->used += want - have;
        kumo__arena_block(blk, n, owner);
        return true;
    }
    return false;
}

static const kumo_arena_hooks hooks = {kumo__arena_current_alloc, release, resize};

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
