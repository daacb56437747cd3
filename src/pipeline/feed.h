/* feed.h - feed exporters: items to JSON Lines, JSON or CSV files, as Scrapy 2.8 writes them. */
#ifndef KUMO_FEED_H
#define KUMO_FEED_H

#include "kumo-int.h"
#include "util/buf.h"

/*
 * A feed is one output file (`-o FILE` appends, `-O FILE` overwrites) in one format.
 * Bytes match Scrapy 2.8's exporters with FEED_EXPORT_ENCODING=utf-8 and the default
 * FEED_STORE_EMPTY=False, FEED_EXPORT_INDENT=0:
 *   jsonlines  one `{"k": "v", "n": 1}` object per item, each ending in "\n".
 *   json       "[\n" + items joined by ",\n" + "\n]" (no final newline).
 *   csv        Python's csv.writer (excel dialect: "\r\n", minimal quoting); a header row
 *              from the first item's fields; later items give those columns only
 *              (missing ones empty).  A cell is Python's str() of the value: None empty,
 *              True/False, floats as repr, a list of strings joined by ",", any other
 *              list as its repr ("[1, 'x']"), an item as a dict ("{'a': 1}").
 * Like Scrapy, the file is created (and truncated by -O) when the feed opens, but nothing
 * is written before the first item: an empty feed leaves an empty file.  Appending (-o)
 * to a file from an earlier run adds a whole new feed after it, again like Scrapy: a .json
 * file then holds "[...][...]" (not valid JSON) and a .csv file a second header row.
 * Items are buffered and reach the file once the buffer passes 64 KB and at close; the
 * file holds only complete items after close.
 */
typedef struct kumo_feed kumo_feed;

/*
 * Open a feed on path ("-" is stdout, never closed; needs an explicit format).  format is
 * a format name or alias ("jsonlines", "jsonl", "jl", "json", "csv"), or NULL to take it
 * from the path's extension (case-sensitive, as Scrapy).  Scrapy's `-o PATH:FORMAT` is
 * the command line's to split: pass the two parts here.  Missing parent directories are
 * created, as Scrapy's FileFeedStorage does.  On success *out is a new feed the caller
 * closes with kumo_feed_close().  Returns KUMO_EINVAL for an unknown format or extension
 * and KUMO_EIO when the file cannot be opened; then *out is NULL and err (when errlen > 0)
 * holds a one-line message.
 */
/*
 * Read a FEEDS entry's options (the parsed JSON object {"format": ..., "overwrite": ...}):
 * *format (borrowed from opts, NULL when absent) and *overwrite (false when absent).
 */
void kumo_feed_options(const kumo_value *opts, const char **format, bool *overwrite);

int kumo_feed_open(kumo_feed **out, const char *path, const char *format, bool overwrite,
                   char *err, size_t errlen);

/*
 * Append one item (borrowed: only read during the call).  Returns KUMO_OK, KUMO_EINVAL
 * for a NULL item, or KUMO_EIO once a write to the file has failed (the feed stays usable
 * until closed, but the file is incomplete).
 */
int kumo_feed_write(kumo_feed *f, kumo_item *item);

/*
 * Finish the format (json's "]"), flush, close the file (not stdout) and free f; f may be
 * NULL.  Logs Scrapy's "Stored json feed (N items) in: PATH" (INFO, only when N > 0) or
 * "Error storing ..." (ERROR).  *count (when count is not NULL) receives the number of
 * items written.  Returns KUMO_EIO if any write, the flush or the close failed, else KUMO_OK.
 */
int kumo_feed_close(kumo_feed *f, size_t *count);

/*
 * Write every buffered item to the file now (the engine calls it once a request's items
 * are all out, so a crash never loses an item of a request recorded as done).  Returns
 * KUMO_EIO if a write failed.
 */
int kumo_feed_flush(kumo_feed *f);

/* Returns the canonical format name: "jsonlines", "json" or "csv" (static). */
const char *kumo_feed_format(const kumo_feed *f);

/* Returns the path as given to kumo_feed_open(); borrowed, valid until the feed closes. */
const char *kumo_feed_path(const kumo_feed *f);

/* ---- internal: what the per-format files (feed_jsonl.c, ...) see ---- */

/*
 * One output format: a row of the table in feed.c.  Each hook appends bytes to f->out and
 * returns KUMO_OK or a kumo_err (then feed.c drops what the hook added).  start runs before
 * the first item, finish at close only if start ran, release (may be NULL) at close always
 * to free f->state.
 */
typedef struct kumo_feed_fmt {
    const char *name;                   /* canonical: "jsonlines" */
    const char *const *exts;            /* extensions without the dot, NULL-ended; also
                                           accepted as format names */
    int (*start)(kumo_feed *f);
    int (*item)(kumo_feed *f, const kumo_map *fields);
    int (*finish)(kumo_feed *f);
    void (*release)(kumo_feed *f);
} kumo_feed_fmt;

struct kumo_feed {
    const kumo_feed_fmt *fmt;
    const char *as_named;   /* the format name or extension that chose fmt (static) */
    char *path;
    FILE *fp;
    bool is_stdout;
    bool started;           /* start hook ran */
    int werrno;             /* first write error (errno), 0 if none */
    size_t count;           /* items written */
    kumo_buf out;           /* bytes not yet written to fp */
    void *state;            /* the format's own, freed by its release hook */
};

extern const kumo_feed_fmt kumo__feed_jsonlines;
extern const kumo_feed_fmt kumo__feed_json;
extern const kumo_feed_fmt kumo__feed_csv;

#endif
