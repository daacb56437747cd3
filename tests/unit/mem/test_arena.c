/* test_arena.c - arenas: blocks carry the heap header, free with their arena, and grow by
 * copying out (kumo_realloc() reaches the arena through the hook it sets). */
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
    kumo_free(p);                               /* does nothing: freed with the arena */
    cr_assert_str_eq(p, "arena blk");
    char *q = kumo_realloc(p, 4000, KUMO_T_XMLDOC, KUMO_V_DOC);
    cr_assert_neq(q, p, "arena blocks never grow in place");
    cr_assert_str_eq(q, "arena blk");
    cr_assert_eq(kumo_alloc_size(q), 4000);
    size_t held = kumo__arena_bytes(a);
    cr_assert_geq(held, 4000);
    cr_assert_eq(kumo__arena_enter(NULL), a);
    cr_assert_null(kumo__arena_current_alloc(10), "no arena entered");
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
