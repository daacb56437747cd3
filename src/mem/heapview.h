/* heapview.h - Guppy-style views of the tagged heap: hpy.heap(), .bytype, .byvia, .more. */
#ifndef KUMO_HEAPVIEW_H
#define KUMO_HEAPVIEW_H

#include "kumo-int.h"
#include "util/buf.h"

/*
 * A heap set: a snapshot of (type, via) counters, optionally restricted to one type or one
 * via.  A partition groups a set's counters by type or by via into rows, largest size
 * first (ties: larger count, then name).  Sets and partitions are plain heap objects (not
 * tracked), owned by the caller: free with kumo_heapset_free / kumo_partition_free.
 */
typedef struct kumo_heapset kumo_heapset;
typedef struct kumo_partition kumo_partition;

typedef enum kumo_partition_kind {
    KUMO_PART_BYTYPE,   /* rows named by type: "str", "kumo.http.Request" */
    KUMO_PART_BYVIA,    /* rows named by via: "'.body'", "\"['meta']\"" (header "Referred Via:") */
} kumo_partition_kind;

/* Returns a new snapshot of the whole tagged heap (hpy.heap()). */
kumo_heapset *kumo_heapset_snapshot(void);
void kumo_heapset_free(kumo_heapset *s);

/* Objects (live blocks) and bytes in the set (x.count, x.size). */
uint64_t kumo_heapset_count(const kumo_heapset *s);
uint64_t kumo_heapset_size(const kumo_heapset *s);

/* Returns a new partition of s (x.bytype, x.byvia). */
kumo_partition *kumo_heapset_partition(const kumo_heapset *s, kumo_partition_kind kind);
void kumo_partition_free(kumo_partition *p);

/* Rows in p; returns a new set holding row i's blocks (x.bytype[i]), NULL out of range. */
size_t kumo_partition_rows(const kumo_partition *p);
kumo_heapset *kumo_partition_row(const kumo_partition *p, size_t i);

/*
 * Append Guppy's table to out, rows [start, start + 10):
 *   "Partition of a set of N objects. Total size = B bytes.\n"
 *   " Index  Count   %     Size   % Cumulative  % Type\n"   (or "Referred Via:")
 *   "%6zu %6llu %3d %8llu %3d %10llu %3d %s\n" per row
 *   "<K more rows. Type e.g. '_.more' to view.>\n" when rows remain.
 * Returns the index after the last row printed (for `_.more`).  Percentages truncate as
 * Guppy's do; Cumulative accumulates from row 0 even when start > 0.
 */
size_t kumo_partition_format(const kumo_partition *p, size_t start, kumo_buf *out);

/*
 * The repr of a set that is not partitioned (x.bytype[0] printed alone) is its partition
 * by type: kumo_partition_format on it.
 */

#endif
