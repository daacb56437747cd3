/* arena.c - bump-pointer arenas: chunks from the tagged heap, blocks carved from them,
 * everything freed at once. */
#include "mem/arena.h"

#include <pthread.h>

#define CHUNK_SIZE (64 * 1024)
#define BIG_BLOCK (16 * 1024)       /* blocks this large get a chunk of their own */
#define CACHE_MAX 32                /* freed chunks kept for the next documents (2 MiB) */

typedef struct chunk {
    struct chunk *next;
    size_t size, used;              /* payload bytes of the chunk, and bytes carved */
    size_t pad;                     /* keeps data 16-byte aligned */
    unsigned char data[];
} chunk;

_Static_assert(sizeof(chunk) % 16 == 0, "arena chunks keep 16-byte alignment");

struct kumo_arena {
    chunk *head;                    /* the chunk being carved first */
    size_t bytes;
};

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
    return kumo_calloc(1, sizeof(kumo_arena), KUMO_T_XMLDOC, KUMO_V_DOC);
}

void kumo__arena_free(kumo_arena *a)
{
    if (!a)
        return;
    kumo_assert(current != a);
    while (a->head) {
        chunk *c = a->head;
        a->head = c->next;
        if (c->size != CHUNK_SIZE || !cache_put(c))
            kumo_free(c);
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

/* carve()'s way when the head chunk has no room for need bytes. */
static void *carve_slow(kumo_arena *a, size_t n, size_t need)
{
    if (need < n)
        kumo_oom(n);
    chunk *c = a->head;
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
        return kumo__arena_block(big->data, n);
    }
    c = chunk_new(a, CHUNK_SIZE);
    c->next = a->head;
    a->head = c;
    void *p = c->data;
    c->used = need;
    return kumo__arena_block(p, n);
}

/* Inline: every node, attribute and string of a parsed document is carved here. */
static inline void *carve(kumo_arena *a, size_t n)
{
    size_t need = KUMO_ARENA_HDR + ((n + 15) & ~(size_t)15);
    chunk *c = a->head;
    if (__builtin_expect(!c || c->size - c->used < need || need < n, 0))
        return carve_slow(a, n, need);
    void *p = c->data + c->used;
    c->used += need;
    return kumo__arena_block(p, n);
}

kumo_arena *kumo__arena_enter(kumo_arena *a)
{
    if (a)      /* before any block of a exists: where kumo_realloc() copies blocks to */
        kumo__alloc_set_arena_hook(kumo__arena_current_alloc);
    kumo_arena *prev = current;
    current = a;
    return prev;
}

void *kumo__arena_current_alloc(size_t n)
{
    kumo_arena *a = current;
    return a ? carve(a, n) : NULL;
}
