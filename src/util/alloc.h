/* alloc.h - the tagged heap's internals shared with the arena (mem/arena.c), which carves
 * blocks that are freed with their arena and reach kumo_free() through its hooks. */
#ifndef KUMO_UTIL_ALLOC_H
#define KUMO_UTIL_ALLOC_H

#include "kumo-int.h"

/* Bytes of the header in front of an arena block (a heap block's is 16). */
#define KUMO_ARENA_HDR 8

/* Stamp the header of a block at p of the arena numbered owner (28 bits, not 0) and size
 * bytes (below 4 GiB); returns the payload, 8-byte aligned when p is. */
void *kumo__arena_block(void *p, size_t size, uint32_t owner);

/*
 * Set by mem/arena.c when a thread enters an arena (util names no arena):
 * alloc(n) allocates n bytes from this thread's current arena, or returns NULL when none is
 * set; span(p, owner) gives the size of a block of the arena region (below) and its arena's
 * number in *owner; release(p, size, owner) is kumo_free() of an arena block of size bytes,
 * which the current arena takes back for its next blocks when it is owner (else the block is
 * freed with its arena); resize(p, size, n, owner) makes it n bytes in place when it can, and
 * returns whether it did.  kumo_realloc() of an arena block resizes it, or copies it into
 * alloc()'s block (the heap when NULL) and releases it.
 */
typedef struct kumo_arena_hooks {
    void *(*alloc)(size_t n);
    size_t (*span)(const void *p, uint32_t *owner);
    void (*release)(void *p, size_t size, uint32_t owner);
    bool (*resize)(void *p, size_t size, size_t n, uint32_t owner);
} kumo_arena_hooks;
void kumo__alloc_set_arena_hooks(const kumo_arena_hooks *hooks);

/*
 * The address range of mem/arena.c's chunks of small blocks, set once before the first of
 * them exists: a pointer in it is an arena block without a header (the hooks' span() knows
 * its size); any other arena block carries the 8-byte header of kumo__arena_block().
 */
void kumo__alloc_set_arena_region(const void *lo, size_t len);

/* Count n blocks of bytes (negative: uncount) that the tagged heap did not allocate (the
 * arena region's chunks) under type and via, on the calling thread's counters. */
void kumo__alloc_count(kumo_tag type, kumo_tag via, int64_t n, int64_t bytes);

/*
 * For a cache of blocks kept for reuse (mem/arena.c's chunks): kumo__alloc_park() takes a
 * block out of the tagged heap's counters without freeing it, as malloc's free-but-held
 * bytes are not kumo's; kumo__alloc_unpark() counts it again (type and via unchanged) and
 * returns it; kumo__alloc_free_parked() gives it back to malloc.
 */
void kumo__alloc_park(void *ptr);
void *kumo__alloc_unpark(void *ptr);
void kumo__alloc_free_parked(void *ptr);

/*
 * Give the small blocks kept for reuse by the calling thread (see alloc.c's pool), and the
 * full pools kept for any thread, back to malloc; returns their bytes.  trim(), the end of a
 * process and of a parse thread call it.
 */
size_t kumo__alloc_pool_flush(void);

#endif
