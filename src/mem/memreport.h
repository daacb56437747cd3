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

/*
 * Fill mi for this process now.  Returns KUMO_OK, or KUMO_EIO when /proc/self/status cannot
 * be read (rss and rss_peak 0; the other fields are still filled).
 */
int kumo__meminfo_get(kumo_meminfo *mi);

/* Current and peak RSS in bytes (0 when unknown): cheap (no allocation), for memusage. */
uint64_t kumo__rss_now(void);
uint64_t kumo__rss_peak(void);

/*
 * Append mem()'s report: one "%-24s %12s" line each, in this order, sizes in human form
 * ("512 B", "3.2 KiB", "41.2 MiB", "1.5 GiB"):
 *   RSS, peak RSS, kumo heap, kumo heap blocks (a plain count), malloc in use,
 *   malloc free but held
 * then one line saying what it means, the seed's "leaks without leaks" for C: when malloc's
 * free-but-held bytes that can be resident (at most RSS minus malloc in use) are at least
 * 1 MiB and a quarter of RSS, "malloc holds 41.2 MiB free that it has not returned to the
 * system: fragmentation, not a leak; trim() gives back what it can"; else when kumo's heap
 * is at least half of RSS, "kumo's heap is most of RSS (...): live objects hold it; see
 * which with prefs() and hpy.heap()"; else "kumo's heap is X of Y RSS; the rest is code,
 * libraries and their buffers: ...".
 */
void kumo__mem_report(kumo_buf *out);

/*
 * malloc_trim(0) and append "trim(): RSS 120.3 MiB -> 88.1 MiB (32.2 MiB returned)\n";
 * "returned" is never negative (0 when RSS did not drop).
 */
void kumo__mem_trim(kumo_buf *out);

#endif
