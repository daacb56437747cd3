/* memreport.h - what Guppy cannot show: process memory, malloc's view, and trimming. */
#ifndef KUMO_MEMREPORT_H
#define KUMO_MEMREPORT_H

#include "kumo-int.h"
#include "util/buf.h"

typedef struct kumo_meminfo {
    uint64_t rss, rss_peak;             /* bytes, from /proc/self/status (VmRSS, VmHWM) */
    uint64_t heap_blocks, heap_bytes;   /* kumo's tagged heap (payload) */
    uint64_t malloc_in_use;             /* mallinfo2: uordblks + hblkhd */
    uint64_t malloc_free_held;          /* mallinfo2: fordblks (free, not given back) */
    uint64_t malloc_arena;              /* mallinfo2: arena + hblkhd */
} kumo_meminfo;

/* Fill mi for this process now.  Returns KUMO_EIO when /proc cannot be read (rss 0). */
int kumo_meminfo_get(kumo_meminfo *mi);

/* Current and peak RSS in bytes (0 when unknown): cheap, for memusage checks. */
uint64_t kumo_rss_now(void);
uint64_t kumo_rss_peak(void);

/*
 * Append mem()'s report: one "%-24s %12s" line each (RSS, peak RSS, kumo heap, malloc in
 * use, malloc free but held) with human sizes, then one line saying what it means: e.g.
 * "malloc holds 41.2 MiB free that it has not returned to the system: fragmentation, not
 * a leak; trim() gives back what it can" (the seed's "leaks without leaks" for C).
 */
void kumo_mem_report(kumo_buf *out);

/* malloc_trim(0) and append "trim(): RSS 120.3 MiB -> 88.1 MiB (32.2 MiB returned)". */
void kumo_mem_trim(kumo_buf *out);

#endif
