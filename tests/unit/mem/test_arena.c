/* test_arena.c - arenas: blocks carry the heap header, free with their arena, are reused or
 * grow in place while their arena is current, and grow by copying out otherwise
 * (kumo_free() and kumo_realloc() reach the arena through the hooks it sets). */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "mem/arena.h"

Test(arena, blocks_free_with_their_arena_and_grow_by_copying)
{
    uint64_t before;
    kumo_heap_totals(NULL, &before);
    kumo_arena *a = kumo__arena_new();
    cr_assert_eq(kumo__arena_enter(a), NULL);
    char *p = kumo__arena_current_alloc(10);
    cr_assert_not_null(p);
    memcpy(p, "arena blk", 10);
    cr_assert_eq(kumo_alloc_size(p), 10);
    char *pad = kumo__arena_current_alloc(10);  /* p is not the last block carved */
    char *q = kumo_realloc(p, 4000, KUMO_T_XMLDOC, KUMO_V_DOC);
    cr_assert_neq(q, p, "a block in the middle grows by copying");
    cr_assert_str_eq(q, "arena blk");
    cr_assert_eq(kumo_alloc_size(q), 4000);
    size_t held = kumo__arena_bytes(a);
    cr_assert_geq(held, 4000);
    cr_assert_eq(kumo__arena_current_alloc(10), p, "the block it left is reused");
    (void)pad;
    cr_assert_eq(kumo__arena_enter(NULL), a);
    cr_assert_null(kumo__arena_current_alloc(10), "no arena entered");
    kumo_free(q);                               /* no arena current: nothing */
    cr_assert_str_eq(q, "arena blk");
    /* with no arena entered, a block grows into the tagged heap */
    char *r = kumo_realloc(q, 8000, KUMO_T_XMLDOC, KUMO_V_DOC);
    cr_assert_str_eq(r, "arena blk");
    cr_assert_eq(kumo__arena_bytes(a), held);
    kumo_free(r);
    kumo__arena_free(a);
    uint64_t after;
    kumo_heap_totals(NULL, &after);
    cr_assert_eq(after, before, "the arena's chunks left the tagged heap");
}

/* What libxml2 frees and grows while it parses does not stay in the arena as waste. */
Test(arena, freed_blocks_are_reused_while_current)
{
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    /* the last block carved grows in place and gives its room back */
    char *p = kumo__arena_current_alloc(100);
    memcpy(p, "grow", 5);
    char *q = kumo_realloc(p, 3000, KUMO_T_XMLDOC, KUMO_V_DOC);
    cr_assert_eq(q, p, "the last block grows in place");
    cr_assert_str_eq(q, "grow");
    cr_assert_eq(kumo_alloc_size(q), 3000);
    kumo_free(q);
    cr_assert_eq(kumo__arena_current_alloc(50), p, "its room is carved again");
    /* a small block in the middle waits for the next of its size */
    char *s1 = kumo__arena_current_alloc(100);
    char *s2 = kumo__arena_current_alloc(30);
    kumo_free(s1);
    cr_assert_eq(kumo__arena_current_alloc(200), s2 + 32 + 8, "another size is carved");
    cr_assert_eq(kumo__arena_current_alloc(99), s1, "the same size class is reused");
    /* a big block's own chunk goes back to the heap */
    size_t held = kumo__arena_bytes(a);
    char *big = kumo__arena_current_alloc(100 * 1024);
    kumo__arena_current_alloc(10);              /* the big block is not the head chunk */
    cr_assert_geq(kumo__arena_bytes(a), held + 100 * 1024);
    kumo_free(big);
    cr_assert_eq(kumo__arena_bytes(a), held);
    kumo__arena_enter(NULL);
    /* another arena's blocks are left alone while it is not current */
    kumo_arena *b = kumo__arena_new();
    kumo__arena_enter(b);
    char *x = kumo__arena_current_alloc(100);
    kumo__arena_enter(a);
    kumo_free(x);
    char *y = kumo__arena_current_alloc(100);
    cr_assert_neq(y, x, "a block of b is not reused by a");
    kumo__arena_enter(b);
    cr_assert_neq(kumo__arena_current_alloc(100), x, "nor by b: freed while a was current");
    kumo__arena_enter(NULL);
    kumo__arena_free(b);
    kumo__arena_free(a);
}

/* A freed arena's chunks wait, out of the tagged heap's counts, for the next arena. */
Test(arena, freed_chunks_are_reused_by_the_next_arena)
{
    kumo__arena_cache_flush();
    uint64_t before;
    kumo_heap_totals(NULL, &before);
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    char *p = kumo__arena_current_alloc(100);
    kumo__arena_enter(NULL);
    kumo__arena_free(a);
    uint64_t parked;
    kumo_heap_totals(NULL, &parked);
    cr_assert_eq(parked, before, "a kept chunk is not kumo's bytes");

    kumo_arena *b = kumo__arena_new();
    kumo__arena_enter(b);
    char *q = kumo__arena_current_alloc(100);
    kumo__arena_enter(NULL);
    cr_assert_eq(q, p, "the same chunk, carved from its start again");
    uint64_t in_use;
    kumo_heap_totals(NULL, &in_use);
    cr_assert_gt(in_use, before, "counted again once in use");
    kumo__arena_free(b);
    cr_assert_gt(kumo__arena_cache_flush(), 64 * 1024);
    cr_assert_eq(kumo__arena_cache_flush(), 0, "nothing kept after a flush");
    uint64_t after;
    kumo_heap_totals(NULL, &after);
    cr_assert_eq(after, before);
}

/* The cache keeps at most 32 chunks (2 MiB): a big document's others go back to malloc. */
Test(arena, the_cache_is_bounded)
{
    kumo__arena_cache_flush();
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    for (int i = 0; i < 50; i++)
        kumo__arena_current_alloc(15 * 1024);       /* 4 a chunk: 13 chunks */
    for (int i = 0; i < 100; i++)
        kumo__arena_current_alloc(15 * 1024);       /* 25 more */
    kumo__arena_enter(NULL);
    cr_assert_geq(kumo__arena_bytes(a), 38 * 64 * 1024);
    kumo__arena_free(a);
    cr_assert_eq(kumo__arena_cache_flush(), 32 * (64 * 1024 + 32));
}

/* libxml2's attribute values: a 100-byte buffer grown to 200 at once, the value copied out,
 * the buffer freed.  A freed 200-byte block is taken again, so 10,000 values hold the
 * copies, not 10,000 dead buffers too. */
Test(arena, a_grown_buffer_takes_a_freed_block_of_its_size)
{
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    for (int i = 0; i < 10000; i++) {
        char *buf = kumo__arena_current_alloc(100);
        cr_assert_not_null(buf);
        buf = kumo_realloc(buf, 200, KUMO_T_XMLDOC, KUMO_V_DOC);
        snprintf(buf, 200, "value %d", i);
        char *copy = kumo__arena_current_alloc(strlen(buf) + 1);
        strcpy(copy, buf);
        kumo_free(buf);
    }
    /* 10,000 copies of 16 bytes with their 8-byte headers: 240,000 bytes; 10,000 dead
     * 200-byte buffers would add 2,080,000 */
    cr_assert_lt(kumo__arena_bytes(a), 400 * 1024, "%zu", kumo__arena_bytes(a));
    kumo__arena_enter(NULL);
    kumo__arena_free(a);
}
