/* test_alloc.c - the tagged heap: counters per (type, via) read back exactly. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "util/alloc.h"

static uint64_t count_of(kumo_tag type, kumo_tag via, uint64_t *bytes)
{
    kumo_heap_counter v[4096];
    size_t n = kumo_heap_snapshot(v, KUMO_ARRAY_LEN(v));
    cr_assert_leq(n, KUMO_ARRAY_LEN(v));
    *bytes = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].type == type && v[i].via == via) {
            *bytes = v[i].bytes;
            return v[i].count;
        }
    return 0;
}

Test(alloc, counts_known_amounts_under_known_tags)
{
    kumo_tag t = kumo_type_intern("TestThing"), via = kumo_via_intern("'.test'");
    cr_assert_eq(kumo_type_intern("TestThing"), t, "interning twice gives the same tag");
    cr_assert_str_eq(kumo_type_name(t), "TestThing");
    cr_assert_str_eq(kumo_via_name(via), "'.test'");
    void *p[10];
    for (int i = 0; i < 10; i++)
        p[i] = kumo_alloc(100 + (size_t)i, t, via);
    uint64_t bytes, n = count_of(t, via, &bytes);
    cr_assert_eq(n, 10);
    cr_assert_eq(bytes, 10 * 100 + 45);
    p[0] = kumo_realloc(p[0], 1000, KUMO_T_STR, KUMO_V_NONE);   /* keeps its own tags */
    n = count_of(t, via, &bytes);
    cr_assert_eq(bytes, 1000 + 9 * 100 + 45);
    cr_assert_eq(kumo_alloc_size(p[0]), 1000);
    for (int i = 0; i < 10; i++)
        kumo_free(p[i]);
    cr_assert_eq(count_of(t, via, &bytes), 0);
    cr_assert_eq(bytes, 0);
}

Test(alloc, totals_and_strings)
{
    uint64_t n0, b0, n1, b1;
    kumo_heap_totals(&n0, &b0);
    char *s = kumo_strdup("hello", KUMO_T_STR, KUMO_V_URL);
    char *t = kumo_strndup("hello world", 5, KUMO_T_STR, KUMO_V_URL);
    cr_assert_str_eq(s, t);
    kumo_heap_totals(&n1, &b1);
    cr_assert_eq(n1 - n0, 2);
    cr_assert_eq(b1 - b0, 12);
    kumo_free(s);
    kumo_free(t);
    kumo_free(NULL);
    kumo_heap_totals(&n1, &b1);
    cr_assert_eq(n1, n0);
    cr_assert_eq(b1, b0);
}

Test(alloc, calloc_zeroes_and_counts)
{
    unsigned char *p = kumo_calloc(16, 4, KUMO_T_BYTES, KUMO_V_BODY);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(p[i], 0);
    cr_assert_eq(kumo_alloc_size(p), 64);
    kumo_free(p);
}

Test(alloc, small_blocks_are_reused_and_counted_exactly)
{
    kumo_tag t = kumo_type_intern("TestSmall"), via = kumo_via_intern("'.small'");
    uint64_t bytes;
    kumo__alloc_pool_flush();
    char *p = kumo_alloc(20, t, via);
    memset(p, 'x', 20);
    kumo_free(p);
    cr_assert_eq(count_of(t, via, &bytes), 0, "a kept block is not counted");
    /* any size of the same 16-byte class may get it back: all 32 bytes are usable */
    char *q = kumo_alloc(32, t, via);
    memset(q, 'y', 32);
    cr_assert_eq(count_of(t, via, &bytes), 1);
    cr_assert_eq(bytes, 32);
    cr_assert_eq(kumo_alloc_size(q), 32);
    q = kumo_realloc(q, 300, t, via);        /* grows out of the small classes */
    cr_assert_eq(q[31], 'y');
    q = kumo_realloc(q, 17, t, via);         /* and back */
    cr_assert_eq(q[16], 'y');
    char *z = kumo_calloc(3, 10, t, via);
    for (int i = 0; i < 30; i++)
        cr_assert_eq(z[i], 0, "calloc zeroes a reused block");
    cr_assert_eq(count_of(t, via, &bytes), 2);
    cr_assert_eq(bytes, 17 + 30);
    kumo_free(q);
    kumo_free(z);
    cr_assert_eq(count_of(t, via, &bytes), 0);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    cr_assert_eq(kumo__alloc_pool_flush(), 0, "sanitizer builds keep nothing");
#else
    cr_assert_geq(kumo__alloc_pool_flush(), 2 * (16 + 32), "both blocks were kept");
#endif
    cr_assert_eq(kumo__alloc_pool_flush(), 0, "nothing kept after a flush");
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#include <pthread.h>
#include <semaphore.h>

#define CROSS_BLOCKS 600

typedef struct cross {
    void *p[CROSS_BLOCKS];
    sem_t freed, taken;
} cross;

/* Frees what the test's thread made, as the loop thread frees a parse thread's requests. */
static void *free_them(void *arg)
{
    cross *x = arg;
    for (int i = 0; i < CROSS_BLOCKS; i++)
        kumo_free(x->p[i]);
    sem_post(&x->freed);
    sem_wait(&x->taken);
    kumo__alloc_pool_flush();           /* the few blocks its own pool still keeps */
    return NULL;
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return (x > y) - (x < y);
}

/* 100-byte blocks are made 112: 256 of them (with headers) fill a pool of 32 KiB. */
Test(alloc, a_thread_that_frees_what_another_makes_hands_it_back_in_whole_pools)
{
    kumo_tag t = kumo_type_intern("TestCross"), via = kumo_via_intern("'.cross'");
    kumo__alloc_pool_flush();
    cross *x = calloc(1, sizeof(*x));
    sem_init(&x->freed, 0, 0);
    sem_init(&x->taken, 0, 0);
    for (int i = 0; i < CROSS_BLOCKS; i++)
        x->p[i] = kumo_alloc(100, t, via);
    qsort(x->p, CROSS_BLOCKS, sizeof(x->p[0]), by_address);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, free_them, x), 0);
    sem_wait(&x->freed);
    uint64_t bytes;
    cr_assert_eq(count_of(t, via, &bytes), 0, "pooled blocks are not counted");
    /* two full pools went to the depot: this thread's next 512 blocks are the freed ones */
    void *again[512];
    for (int i = 0; i < 512; i++) {
        again[i] = kumo_alloc(100, t, via);
        cr_assert(bsearch(&again[i], x->p, CROSS_BLOCKS, sizeof(x->p[0]), by_address),
                  "block %d is one the other thread freed", i);
    }
    cr_assert_eq(count_of(t, via, &bytes), 512);
    cr_assert_eq(bytes, 512 * 100);
    sem_post(&x->taken);
    pthread_join(th, NULL);
    for (int i = 0; i < 512; i++)
        kumo_free(again[i]);
    cr_assert_eq(count_of(t, via, &bytes), 0);
    kumo__alloc_pool_flush();
    cr_assert_eq(kumo__alloc_pool_flush(), 0, "the depot is empty after a flush");
    sem_destroy(&x->freed);
    sem_destroy(&x->taken);
    free(x);
}
#endif
