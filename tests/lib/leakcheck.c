/* leakcheck.c - the teardown check: live tracked objects and kumo heap blocks per tag. */
#include "lib/leakcheck.h"
#include "kumo-int.h"
#include "select/css.h"

#include <criterion/criterion.h>
#include <libxml/parser.h>

#define MAX_COUNTERS 512

/* The heap's non-empty counters at kumo_leakcheck_start(), for the report of what grew. */
static kumo_heap_counter at_start[MAX_COUNTERS];
static size_t nat_start;
static uint64_t blocks_at_start;

void kumo_leakcheck_start(void)
{
    size_t n = kumo_heap_snapshot(at_start, MAX_COUNTERS);
    nat_start = n < MAX_COUNTERS ? n : MAX_COUNTERS;
    kumo_heap_totals(&blocks_at_start, NULL);
}

static uint64_t count_at_start(kumo_tag type, kumo_tag via)
{
    for (size_t i = 0; i < nat_start; i++)
        if (at_start[i].type == type && at_start[i].via == via)
            return at_start[i].count;
    return 0;
}

/* Print "leaked: <type>/<via> +N blocks (B bytes)" per counter that grew since the start. */
static void report_growth(void)
{
    static kumo_heap_counter now[MAX_COUNTERS];
    size_t n = kumo_heap_snapshot(now, MAX_COUNTERS);
    if (n > MAX_COUNTERS)
        n = MAX_COUNTERS;
    for (size_t i = 0; i < n; i++) {
        uint64_t before = count_at_start(now[i].type, now[i].via);
        if (now[i].count > before)
            fprintf(stderr, "leaked: %s/%s +%llu blocks (%llu bytes live)\n",
                    kumo_type_name(now[i].type), kumo_via_name(now[i].via),
                    (unsigned long long)(now[i].count - before),
                    (unsigned long long)now[i].bytes);
    }
}

/* Criterion does not fail a test for an assertion in its .fini: a leak ends the test's
 * process instead, which Criterion reports as a crash and counts as a failure. */
static void leak_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void leak_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("leakcheck: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void kumo_leakcheck_refs(void)
{
    size_t live = kumo_ref_total();
    if (live)
        kumo_prefs(stderr, NULL, 0);
    if (live)
        leak_fail("live tracked objects at teardown: %zu", live);
}

void kumo_leakcheck_end(void)
{
    kumo_leakcheck_refs();
    /* What a process keeps until it exits (query and pattern caches, libxml2's parser
     * state, classes no object uses) is freed as kumo__global_cleanup() frees it at exit. */
    kumo__select_cleanup();
    xmlCleanupParser();
    kumo_class_cleanup();
    uint64_t blocks;
    kumo_heap_totals(&blocks, NULL);
    if (blocks != blocks_at_start)
        report_growth();
    if (blocks != blocks_at_start)
        leak_fail("heap blocks leaked at teardown: %lld", (long long)(blocks - blocks_at_start));
}
