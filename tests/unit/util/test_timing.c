/* test_timing.c - stage switches: nested stages are exclusive, idle is not counted, threads
 * add to the same totals. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <time.h>

#include "kumo-int.h"
#include "util/timing.h"
#include "lib/leakcheck.h"

TestSuite(timing, KUMO_LEAKCHECK);

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Busy for at least ns of monotonic time (bounded: the clock moves on its own). */
static void spin(uint64_t ns)
{
    uint64_t end = mono_ns() + ns;
    while (mono_ns() < end)
        ;
}

static uint64_t delta(const uint64_t *after, const uint64_t *before, kumo_stage s)
{
    return after[s] - before[s];
}

Test(timing, nested_stages_are_exclusive)
{
    uint64_t before[KUMO_STAGE_N], after[KUMO_STAGE_N];
    kumo__stage_totals(before);
    uint64_t t0 = mono_ns();
    kumo_stage outer = kumo__stage_enter(KUMO_STAGE_CALLBACK);
    cr_assert_eq(outer, KUMO_STAGE_IDLE);
    spin(2000000);
    kumo_stage inner = kumo__stage_enter(KUMO_STAGE_SELECT);
    cr_assert_eq(inner, KUMO_STAGE_CALLBACK);
    spin(3000000);
    kumo__stage_leave(inner);
    kumo__stage_leave(outer);
    uint64_t wall = mono_ns() - t0;
    kumo__stage_totals(after);
    uint64_t cb = delta(after, before, KUMO_STAGE_CALLBACK);
    uint64_t sel = delta(after, before, KUMO_STAGE_SELECT);
    cr_assert_geq(cb, 2000000u, "the callback's own time: %llu", (unsigned long long)cb);
    cr_assert_geq(sel, 3000000u, "the query's time: %llu", (unsigned long long)sel);
    cr_assert_leq(cb + sel, wall, "counted once: %llu + %llu > %llu", (unsigned long long)cb,
                  (unsigned long long)sel, (unsigned long long)wall);
    cr_assert_eq(after[KUMO_STAGE_IDLE], 0);
}

Test(timing, idle_time_is_not_counted)
{
    uint64_t before[KUMO_STAGE_N], after[KUMO_STAGE_N];
    kumo__stage_totals(before);
    spin(2000000);                          /* idle: counted nowhere */
    kumo_stage prev = kumo__stage_enter(KUMO_STAGE_ENGINE);
    kumo__stage_leave(prev);
    kumo__stage_totals(after);
    uint64_t sum = 0;
    for (int s = 0; s < KUMO_STAGE_N; s++)
        sum += delta(after, before, (kumo_stage)s);
    cr_assert_lt(sum, 2000000u, "%llu ns counted while idle", (unsigned long long)sum);
}

Test(timing, entering_the_current_stage_changes_nothing)
{
    kumo_stage a = kumo__stage_enter(KUMO_STAGE_PARSE);
    kumo_stage b = kumo__stage_enter(KUMO_STAGE_PARSE);
    cr_assert_eq(b, KUMO_STAGE_PARSE);
    kumo__stage_leave(b);
    cr_assert_eq(kumo__stage_enter(KUMO_STAGE_PARSE), KUMO_STAGE_PARSE, "still in parse");
    kumo__stage_leave(a);
    cr_assert_eq(kumo__stage_enter(KUMO_STAGE_IDLE), KUMO_STAGE_IDLE, "back to idle");
}

static void *parse_thread(void *arg)
{
    kumo_stage prev = kumo__stage_enter(KUMO_STAGE_PARSE);
    spin(2000000);
    kumo__stage_leave(prev);
    return arg;
}

Test(timing, other_threads_add_to_the_totals)
{
    uint64_t before[KUMO_STAGE_N], after[KUMO_STAGE_N];
    kumo__stage_totals(before);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, parse_thread, NULL), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    kumo__stage_totals(after);
    uint64_t parse = delta(after, before, KUMO_STAGE_PARSE);
    cr_assert_geq(parse, 4000000u, "two threads' parse time: %llu", (unsigned long long)parse);
}

Test(timing, stage_names)
{
    cr_assert_str_eq(kumo__stage_name(KUMO_STAGE_PARSE), "parse");
    cr_assert_str_eq(kumo__stage_name(KUMO_STAGE_SELECT), "select");
    cr_assert_str_eq(kumo__stage_name(KUMO_STAGE_CALLBACK), "callback");
    cr_assert_str_eq(kumo__stage_name(KUMO_STAGE_ENGINE), "engine");
    cr_assert_str_eq(kumo__stage_name(KUMO_STAGE_DOWNLOAD), "download");
    cr_assert_str_eq(kumo__stage_name(KUMO_STAGE_N), "?");
}
