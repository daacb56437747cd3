/* progress.h - the status line at the bottom of a terminal, under the log (PROGRESS). */
#ifndef KUMO_PROGRESS_H
#define KUMO_PROGRESS_H

#include "kumo-int.h"

/* What the line shows, read on the loop. */
typedef struct kumo_progress_snap {
    double elapsed;             /* seconds since the crawl started */
    int64_t pages, items, errors;
    double pages_min, items_min;    /* over the last minute; the crawl's average in its first
                                     * minute and once finished */
    size_t inflight, queued;
    uint64_t rss;               /* bytes, 0 when unknown */
    const char *reason;         /* the finish reason once closing, else NULL; borrowed */
} kumo_progress_snap;

/*
 * Write the status line for s into out[0..cap) (NUL-terminated, no newline), cut to width
 * columns (0: not cut):
 *   "0:01:05 | 1234 pages (620/min) | 1180 items (590/min) | 16 in flight | 372 queued |
 *    0 errors | RSS 41.2 MiB"      (one line) and, once closing, " | finished".
 */
void kumo__progress_format(const kumo_progress_snap *s, size_t width, char *out, size_t cap);

#endif
