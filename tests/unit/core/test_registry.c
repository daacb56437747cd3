/* test_registry.c - the lists upper floors fill: rank order, ties in arrival order. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/registry.h"
#include "lib/leakcheck.h"

TestSuite(registry, KUMO_LEAKCHECK);

/* Where def sits in kind's list, or -1. */
static int position(kumo_reg_kind kind, const void *def)
{
    const void *const *v = kumo__registered(kind);
    for (int i = 0; v[i]; i++)
        if (v[i] == def)
            return i;
    return -1;
}

/* Each test runs in its own process: what it registers is gone for the next one. */
Test(registry, ranks_ascend_and_ties_keep_arrival_order)
{
    static const int a = 1, b = 2, c = 3, d = 4;
    size_t n0 = kumo__registered_len(KUMO_REG_QUEUE);
    kumo__register(KUMO_REG_QUEUE, &a, 5000);
    kumo__register(KUMO_REG_QUEUE, &b, -5000);
    kumo__register(KUMO_REG_QUEUE, &c, 5000);
    kumo__register(KUMO_REG_QUEUE, &d, 4999);
    cr_assert_eq(kumo__registered_len(KUMO_REG_QUEUE), n0 + 4);
    cr_assert_eq(position(KUMO_REG_QUEUE, &b), 0, "the lowest rank comes first");
    int pa = position(KUMO_REG_QUEUE, &a), pc = position(KUMO_REG_QUEUE, &c);
    int pd = position(KUMO_REG_QUEUE, &d);
    cr_assert_lt(pd, pa);
    cr_assert_eq(pc, pa + 1, "a tie stays in registration order");
    cr_assert_eq(pc, (int)(n0 + 3), "the highest rank comes last");
    cr_assert_null(kumo__registered(KUMO_REG_QUEUE)[n0 + 4], "NULL-terminated");
}

Test(registry, kinds_are_separate_lists)
{
    static const int x = 0;
    size_t before[KUMO_REG_KINDS];
    for (int k = 0; k < KUMO_REG_KINDS; k++)
        before[k] = kumo__registered_len(k);
    kumo__register(KUMO_REG_EXT, &x, 0);
    for (int k = 0; k < KUMO_REG_KINDS; k++)
        cr_assert_eq(kumo__registered_len(k), before[k] + (k == KUMO_REG_EXT), "kind %d", k);
    cr_assert_eq(position(KUMO_REG_PIPELINE, &x), -1);
}

Test(registry, upper_floors_registered_their_builtins)
{
    /* the binary's constructors ran before main: every kind but JOB has several */
    cr_assert_gt(kumo__registered_len(KUMO_REG_DLMW), 5);
    cr_assert_gt(kumo__registered_len(KUMO_REG_SPMW), 2);
    cr_assert_gt(kumo__registered_len(KUMO_REG_EXT), 2);
    cr_assert_geq(kumo__registered_len(KUMO_REG_QUEUE), 1);
    cr_assert_eq(kumo__registered_len(KUMO_REG_JOB), 1);
    cr_assert_eq(kumo__job_hooks(), kumo__registered(KUMO_REG_JOB)[0]);
    cr_assert_not_null(kumo__job_hooks()->open);
}
