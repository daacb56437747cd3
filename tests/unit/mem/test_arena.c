/* test_arena.c - arenas: small blocks carry no header (their chunk marks where each starts),
 * free with their arena, are reused or grow in place while their arena is current, and grow
 * by copying out otherwise (kumo_free() and kumo_realloc() reach the arena through the hooks
 * it sets). */
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
    cr_assert_eq(kumo_alloc_size(p), 16, "rounded to 8 bytes");
    char *pad = kumo__arena_current_alloc(10);  /* p is not the last block carved */
    char *q = kumo_realloc(p, 4000, KUMO_T_XMLDOC, KUMO_V_DOC);
    cr_assert_neq(q, p, "a block in the middle grows by copying");
    cr_assert_str_eq(q, "arena blk");
    cr_assert_eq(kumo_alloc_size(q), 4000);
    cr_assert_eq(kumo_alloc_size(pad), 16, "the block after it keeps its size");
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
    cr_assert_eq(kumo__arena_current_alloc(200), s2 + 32, "another size is carved");
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
    cr_assert_eq(kumo__arena_cache_flush(), 64 * 1024, "the one chunk kept");
    cr_assert_eq(kumo__arena_cache_flush(), 0, "nothing kept after a flush");
    uint64_t after;
    kumo_heap_totals(NULL, &after);
    cr_assert_eq(after, before);
}

/* The cache keeps at most 128 chunks (8 MiB) resident: a big document's others give their
 * pages back. */
Test(arena, the_cache_is_bounded)
{
    kumo__arena_cache_flush();
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    for (int i = 0; i < 600; i++)
        kumo__arena_current_alloc(15 * 1024);       /* 4 a chunk: 150 chunks */
    kumo__arena_enter(NULL);
    cr_assert_geq(kumo__arena_bytes(a), 150 * 64 * 1024);
    kumo__arena_free(a);
    cr_assert_eq(kumo__arena_cache_flush(), 128 * 64 * 1024);
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
    /* 10,000 copies of 16 bytes: 160,000 bytes; 10,000 dead 200-byte buffers would add
     * 2,000,000 */
    cr_assert_lt(kumo__arena_bytes(a), 400 * 1024, "%zu", kumo__arena_bytes(a));
    kumo__arena_enter(NULL);
    kumo__arena_free(a);
}

/*
 * A small block has no header: kumo_free() knows it by its address, never by the bytes in
 * front of it, which are the end of the block before it, written by a page.  Here they are
 * a heap block's magic and an arena tag: freeing and growing the block after them still
 * works (a header read there would free a pointer malloc never gave).
 */
Test(arena, the_bytes_before_a_block_do_not_matter)
{
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    static const uint32_t fakes[][2] = {
        {0x6b756d6fU, 0},           /* "kumo", a heap block's magic, then size 0 */
        {0xa0000001U, 16},          /* an arena tag with a size */
        {0xffffffffU, 0xffffffffU},
    };
    for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++) {
        uint32_t *before = kumo__arena_current_alloc(24);
        char *p = kumo__arena_current_alloc(24);
        cr_assert_eq((char *)before + 24, p, "blocks are contiguous");
        before[4] = fakes[i][0];    /* the 8 bytes right before p */
        before[5] = fakes[i][1];
        cr_assert_eq(kumo_alloc_size(p), 24);
        strcpy(p, "survives");
        char *q = kumo_realloc(p, 48, KUMO_T_XMLDOC, KUMO_V_DOC);
        cr_assert_str_eq(q, "survives");
        kumo_free(q);
        cr_assert_eq(before[4], fakes[i][0], "the block before is untouched");
    }
    kumo__arena_enter(NULL);
    /* and with no arena current, a free is still recognised and ignored */
    kumo__arena_enter(a);
    uint32_t *before = kumo__arena_current_alloc(8);
    char *p = kumo__arena_current_alloc(8);
    before[0] = 0x6b756d6fU;
    before[1] = 0;
    kumo__arena_enter(NULL);
    kumo_free(p);
    cr_assert_eq(kumo_alloc_size(p), 8);
    kumo__arena_free(a);
}

/* A block's size is where the next one starts: right after blocks are freed, reused, grown
 * in place and given back at the end of a chunk. */
Test(arena, sizes_follow_the_starts)
{
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    char *b[70];
    for (int i = 0; i < 70; i++) {          /* across a word of the start bits */
        b[i] = kumo__arena_current_alloc((size_t)(i % 5) * 8 + 1);
        cr_assert_eq(kumo_alloc_size(b[i]), (size_t)(i % 5) * 8 + 8, "block %d", i);
    }
    kumo_free(b[69]);                       /* the last: its room goes back */
    char *g = kumo__arena_current_alloc(8);
    cr_assert_eq(g, b[69]);
    g = kumo_realloc(g, 640, KUMO_T_XMLDOC, KUMO_V_DOC);
    cr_assert_eq(g, b[69], "the last block grows in place");
    cr_assert_eq(kumo_alloc_size(g), 640);
    cr_assert_eq(kumo_alloc_size(b[68]), 32, "the block before keeps its size");
    kumo_free(g);
    char *h = kumo__arena_current_alloc(16);
    cr_assert_eq(h, b[69], "given back again");
    cr_assert_eq(kumo_alloc_size(h), 16);
    kumo_free(b[10]);                       /* 8 bytes, in the middle: to its list */
    cr_assert_eq(kumo__arena_current_alloc(3), b[10]);
    cr_assert_eq(kumo_alloc_size(b[10]), 8);
    /* fill the chunk: a new one starts, the old one's blocks keep their sizes */
    size_t held = kumo__arena_bytes(a);
    char *last = NULL;
    for (int i = 0; i < 2000 && kumo__arena_bytes(a) == held; i++)
        last = kumo__arena_current_alloc(40);
    cr_assert_gt(kumo__arena_bytes(a), held, "a second chunk");
    cr_assert_eq(kumo_alloc_size(last), 40);
    for (int i = 0; i < 69; i++)
        cr_assert_eq(kumo_alloc_size(b[i]), (size_t)(i % 5) * 8 + 8, "block %d", i);
    kumo__arena_enter(NULL);
    kumo__arena_free(a);
}

/* Chunks past the cache give their pages back and are taken again, zeroed, by later arenas. */
Test(arena, cold_chunks_come_back)
{
    kumo__arena_cache_flush();
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    char *first = NULL;
    for (int i = 0; i < 140 * 60; i++) {    /* 140 chunks of ~60 blocks of 1,000 bytes */
        char *p = kumo__arena_current_alloc(1000);
        memset(p, 0xab, 1000);
        if (!first)
            first = p;
    }
    kumo__arena_enter(NULL);
    kumo__arena_free(a);
    cr_assert_eq(kumo__arena_cache_flush(), 128 * 64 * 1024, "128 were kept resident");
    kumo_arena *b = kumo__arena_new();
    kumo__arena_enter(b);
    for (int i = 0; i < 150 * 60; i++) {
        char *p = kumo__arena_current_alloc(1000);
        cr_assert_eq(kumo_alloc_size(p), 1000);
        memset(p, 0xcd, 1000);
    }
    char *x = kumo__arena_current_alloc(24);
    cr_assert_eq(kumo_alloc_size(x), 24, "a reused chunk's starts were cleared");
    kumo__arena_enter(NULL);
    kumo__arena_free(b);
    (void)first;
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's checks of an arena whose region the system refused; 0 when all hold. */
static int refused_region_child(void)
{
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld", &pages) != 1)
        return 10;
    fclose(f);
    /* room for a few MB more, less than the smallest region kumo asks for (64 MiB) */
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (16u << 20);
    if (setrlimit(RLIMIT_AS, &rl) != 0)
        return 11;
    kumo_arena *a = kumo__arena_new();
    kumo__arena_enter(a);
    char *p[100];
    for (int i = 0; i < 100; i++) {
        p[i] = kumo__arena_current_alloc(24);
        if (!p[i])
            return 12;
        snprintf(p[i], 24, "block %d", i);
    }
    /* no 64 KiB chunk: each block has a chunk of its own, with its header */
    if (kumo__arena_bytes(a) != 100 * (8 + 24))
        return 13;
    if (kumo_alloc_size(p[7]) != 24)
        return 14;
    char *q = kumo_realloc(p[7], 4000, KUMO_T_XMLDOC, KUMO_V_DOC);
    if (strcmp(q, "block 7") != 0)
        return 15;
    kumo_free(p[8]);                /* its chunk goes back */
    if (kumo__arena_bytes(a) != 99 * (8 + 24) - (8 + 24) + 8 + 4000)
        return 16;
    kumo__arena_enter(NULL);
    kumo__arena_free(a);
    return 0;
}

/* Under `ulimit -v` too small for the region, arenas still work: every block gets a chunk of
 * its own from the heap (slower, never wrong). */
Test(arena, without_the_region_blocks_get_chunks_of_their_own)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        _exit(refused_region_child());
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "the child died: %d", status);
    cr_assert_eq(WEXITSTATUS(status), 0, "check %d failed", WEXITSTATUS(status));
}
#endif
