/* timing.c - per-thread stage switches and the process's time per stage (atomic totals). */
#include "util/timing.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic uint64_t totals[KUMO_STAGE_N];

/* The calling thread's stage and when it entered it (0: not yet read). */
static __thread kumo_stage cur = KUMO_STAGE_IDLE;
static __thread uint64_t since;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Count the time since the last switch in the current stage, then make s current. */
static void switch_to(kumo_stage s)
{
    uint64_t t = now_ns();
    if (cur != KUMO_STAGE_IDLE && since && t > since)
        atomic_fetch_add_explicit(&totals[cur], t - since, memory_order_relaxed);
    since = t;
    cur = s;
}

kumo_stage kumo__stage_enter(kumo_stage s)
{
    kumo_stage prev = cur;
    if (s != prev)
        switch_to(s);
    return prev;
}

void kumo__stage_leave(kumo_stage prev)
{
    if (prev != cur)
        switch_to(prev);
}

void kumo__stage_totals(uint64_t ns[KUMO_STAGE_N])
{
    for (int i = 0; i < KUMO_STAGE_N; i++)
        ns[i] = atomic_load_explicit(&totals[i], memory_order_relaxed);
    ns[KUMO_STAGE_IDLE] = 0;
}

const char *kumo__stage_name(kumo_stage s)
{
    static const char *const names[KUMO_STAGE_N] = {
        "idle", "engine", "download", "callback", "select", "parse",
    };
    return (unsigned)s < KUMO_STAGE_N ? names[s] : "?";
}
