/* stats.h - the stats collector: named counters and values, dumped at close. */
#ifndef KUMO_STATS_H
#define KUMO_STATS_H

#include "kumo-int.h"
#include "util/buf.h"

kumo_stats *kumo__stats_new(void);
void kumo__stats_free(kumo_stats *st);

/* Add n to an integer stat (created at 0). */
void kumo__stats_inc(kumo_stats *st, const char *key, int64_t n);
/* printf-style key: kumo__stats_incf(st, 1, "downloader/response_status_count/%d", 200). */
void kumo__stats_incf(kumo_stats *st, int64_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void kumo__stats_set_int(kumo_stats *st, const char *key, int64_t v);
void kumo__stats_set_float(kumo_stats *st, const char *key, double v);
void kumo__stats_set_str(kumo_stats *st, const char *key, const char *v);
/* Keep the larger / smaller of the current value and v. */
void kumo__stats_max(kumo_stats *st, const char *key, int64_t v);
void kumo__stats_min(kumo_stats *st, const char *key, int64_t v);

/* Returns the integer value of key, or def. */
int64_t kumo__stats_get_int(const kumo_stats *st, const char *key, int64_t def);
/* Returns the value of key, or NULL.  Borrowed. */
const kumo_value *kumo__stats_get(const kumo_stats *st, const char *key);

/* The map behind the collector (read-only use). */
const kumo_map *kumo__stats_map(const kumo_stats *st);

/* Write Scrapy's stats dump: a Python dict literal, sorted keys, one per line. */
void kumo__stats_dump(const kumo_stats *st, kumo_buf *out);

#endif
