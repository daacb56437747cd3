/* alloc.h - the tagged heap's internals shared with the arena (mem/arena.c), which carves
 * blocks that carry the heap header and are freed with their arena. */
#ifndef KUMO_UTIL_ALLOC_H
#define KUMO_UTIL_ALLOC_H

#include "kumo-int.h"

/* Bytes of the header in front of every tagged block, arena blocks included. */
#define KUMO_ARENA_HDR 16

/* The header: 16 bytes before every block, keeping malloc's alignment for the payload. */
typedef struct kumo__hdr {
    uint32_t size;          /* payload bytes, low half */
    uint16_t type, via;
    uint32_t magic;
    uint32_t big;           /* high half of sizes >= 4 GiB */
} kumo__hdr;

#define KUMO__ARENA_MAGIC 0x61726e61U /* "arna": carved from an arena, freed with it */

/* Stamp the tagged-heap header of an arena block at p; returns the payload.  Inline: every
 * node of a parsed document passes here. */
static inline void *kumo__arena_block(void *p, size_t size)
{
    kumo__hdr *h = p;
    h->size = (uint32_t)size;
    h->big = (uint32_t)((uint64_t)size >> 32);
    h->type = KUMO_T_XMLDOC;
    h->via = KUMO_V_DOC;
    h->magic = KUMO__ARENA_MAGIC;
    return h + 1;
}

/*
 * Set by mem/arena.c when a thread enters an arena: fn allocates n bytes from this thread's
 * current arena, or returns NULL when none is set.  kumo_realloc() of an arena block copies
 * it into the block fn returns (or the heap when NULL); util names no arena.
 */
void kumo__alloc_set_arena_hook(void *(*fn)(size_t n));

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
 * Give the small blocks kept for reuse by the calling thread (see alloc.c's pool) back to
 * malloc; returns their bytes.  trim() and the end of a process call it.
 */
size_t kumo__alloc_pool_flush(void);

#endif
