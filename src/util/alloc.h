/* alloc.h - the tagged heap's internals shared with the arena (mem/arena.c), which carves
 * blocks that carry the heap header and are freed with their arena. */
#ifndef KUMO_UTIL_ALLOC_H
#define KUMO_UTIL_ALLOC_H

#include "kumo-int.h"

/* Bytes of the header in front of every tagged block, arena blocks included. */
#define KUMO_ARENA_HDR 16

/* Stamp the tagged-heap header of an arena block at p; returns the payload. */
void *kumo__arena_block(void *p, size_t size);

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

#endif
