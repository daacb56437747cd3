/* arena.h - bump-pointer arenas for parsed documents: libxml2 allocates a whole tree from
 * one, and the tree dies at once with it (no per-node malloc and free). */
#ifndef KUMO_ARENA_H
#define KUMO_ARENA_H

#include "util/alloc.h"

typedef struct kumo_arena kumo_arena;

/* Returns a new, empty arena; its chunks are counted in the tagged heap (libxml2). */
kumo_arena *kumo__arena_new(void);

/* Free every block of a at once (NULL is ignored). */
void kumo__arena_free(kumo_arena *a);

/* Give the chunks kept from freed arenas for the next ones (at most 2 MiB, outside the
 * tagged heap's counts) back to malloc; returns their bytes. */
size_t kumo__arena_cache_flush(void);

/* Bytes held by a's chunks. */
size_t kumo__arena_bytes(const kumo_arena *a);

/*
 * Route this thread's libxml2 allocations to a (NULL: back to the tagged heap); returns
 * the arena routed before, to restore.  kumo_free() of an arena block does nothing and
 * kumo_realloc() copies it out, so libxml2 may free and grow as it likes while parsing.
 */
kumo_arena *kumo__arena_enter(kumo_arena *a);

/* Allocate n bytes from this thread's current arena, or return NULL when none is set. */
void *kumo__arena_current_alloc(size_t n);

#endif
