/* heapview.h - Guppy-style views of the tagged heap: hpy.heap(), .bytype, .byvia, .more. */
#ifndef KUMO_HEAPVIEW_H
#define KUMO_HEAPVIEW_H

#include "kumo-int.h"
#include "util/buf.h"

/*
 * A heap set: a snapshot of (type, via) counters, optionally restricted to one type or one
 * via.  A partition groups a set's counters by type or by via into rows, largest size
 * first, ties by name (Guppy sorts on (-size, name)).  Sets and partitions are plain heap
 * objects (not tracked), owned by the caller: free with kumo__heapset_free /
 * kumo__partition_free.  Like Guppy's own objects they are hidden from every snapshot: their
 * blocks are tagged with the type "kumo.heapview", which snapshots leave out.
 */
typedef struct kumo_heapset kumo_heapset;
typedef struct kumo_partition kumo_partition;

typedef enum kumo_partition_kind {
    KUMO_PART_BYTYPE,   /* rows named by type: "str", "kumo.http.Request" */
    KUMO_PART_BYVIA,    /* rows named by via: "'.body'", "\"['meta']\"" (header "Referred Via:") */
    KUMO_PART_BYRCS,    /* rows named by referrer kinds: "Request.meta", "<no referrer>"
                         * (header "Referrers by Kind (class / dict of class)") */
} kumo_partition_kind;

/* Returns a new snapshot of the whole tagged heap (hpy.heap()); never NULL. */
kumo_heapset *kumo__heapset_snapshot(void);

/* Free a set from this API; NULL is ignored. */
void kumo__heapset_free(kumo_heapset *s);

/* Objects (live blocks) and bytes in the set (x.count, x.size). */
uint64_t kumo__heapset_count(const kumo_heapset *s);
uint64_t kumo__heapset_size(const kumo_heapset *s);

/* Returns true when s has blocks of type (a byrcs on a row looks at those objects). */
bool kumo__heapset_has_type(const kumo_heapset *s, kumo_tag type);

/* Returns a new partition of s (x.bytype, x.byvia); it does not borrow s. */
kumo_partition *kumo__heapset_partition(const kumo_heapset *s, kumo_partition_kind kind);

/* One row's share of a partition built from counts rather than from the heap. */
typedef struct kumo_named_count {
    const char *name;           /* the row's name (copied) */
    kumo_tag type;              /* what the objects are: their row set's type */
    uint64_t count, bytes;
} kumo_named_count;

/*
 * Returns a new partition of kind whose rows are v[0..n) grouped by name (counts of equal
 * names and types summed), sorted as every partition is; a row's set holds one counter per
 * type (byrcs: referrers.h builds it from the live objects).
 */
kumo_partition *kumo__partition_named(kumo_partition_kind kind, const kumo_named_count *v,
                                      size_t n);

/* Free a partition; NULL is ignored. */
void kumo__partition_free(kumo_partition *p);

/* Objects and bytes in p's set. */
uint64_t kumo__partition_count(const kumo_partition *p);
uint64_t kumo__partition_size(const kumo_partition *p);

/* Rows in p; returns a new set holding row i's blocks (x.bytype[i]), NULL out of range. */
size_t kumo__partition_rows(const kumo_partition *p);
kumo_heapset *kumo__partition_row(const kumo_partition *p, size_t i);

/*
 * Returns row i's name as printed in the table ("dict", "'.body'", "" for KUMO_V_NONE);
 * borrowed, valid for the life of the process (tag names are never freed).  NULL out of
 * range.
 */
const char *kumo__partition_row_name(const kumo_partition *p, size_t i);

/*
 * Append Guppy's table to out, rows [start, start + 10), exactly as guppy3's
 * Part.SetFormat prints it:
 *   "Partition of a set of N objects. Total size = B bytes.\n"   (only when start is 0:
 *                                                    `_.more` pages have no label; "1 object")
 *   " Index  Count   %     Size   % Cumulative  % Type\n"   (or "Referred Via:"; only when
 *                                                    a row follows)
 *   "%6zu %6llu %3d %8llu %3d %9llu %3d %s\n" per row, wrapped as textwrap.wrap() does at
 *                                                    100 columns (Guppy's line_length), so
 *                                                    an empty name leaves no trailing space
 *   "<K more rows. Type e.g. '_.more' to view.>\n" when more than one row remains (a single
 *                                                    remaining row is printed instead)
 * Returns the index after the last row printed (the start of `_.more`), or start when
 * there is nothing left.  Percentages round to nearest as Guppy's int('%.0f' % x) does
 * (half to even: 12.5 -> 12), 0 when the total is 0; Cumulative accumulates from row 0
 * even when start > 0.
 */
size_t kumo__partition_format(const kumo_partition *p, size_t start, kumo_buf *out);

/*
 * The repr of a set that is not partitioned (x.bytype[0] printed alone) is its partition
 * by type: kumo__partition_format on it.
 */

#endif
