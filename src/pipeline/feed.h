/* feed.h - feed exporters: items to JSON Lines, JSON, CSV, XML or SQLite, as Scrapy 2.8. */
#ifndef KUMO_FEED_H
#define KUMO_FEED_H

#include "kumo-int.h"
#include "util/buf.h"

/*
 * A feed is one output file (`-o FILE` appends, `-O FILE` overwrites) in one format.
 * Bytes match Scrapy 2.8's exporters (FEED_STORE_EMPTY=False, FEED_EXPORT_INDENT=0 and
 * FEED_EXPORT_ENCODING=utf-8 unless the options say otherwise):
 *   jsonlines  one `{"k": "v", "n": 1}` object per item, each ending in "\n".
 *   json       "[\n" + items joined by ",\n" + "\n]" (no final newline); indent N > 0:
 *              each item as json.dumps(indent=N); indent none: "[" items joined "," "]".
 *   csv        Python's csv.writer (excel dialect: "\r\n", minimal quoting); a header row
 *              from the fields option or the first item's fields; later items give those
 *              columns only (missing ones empty).  A cell is Python's str() of the value:
 *              None empty, True/False, floats as repr, a list of strings joined by ",",
 *              any other list as its repr ("[1, 'x']"), an item as a dict ("{'a': 1}").
 *   xml        XmlItemExporter: <?xml version="1.0" encoding="utf-8"?>, <items>, one
 *              <item> per item with a child per field (lists as <value> children, items
 *              as nested fields), &, < and > escaped, str() of other values.
 *   sqlite     kumo's own: the path is a SQLite database, the items rows of one table.
 * Like Scrapy, the file is created (and truncated by -O) when the feed opens, but nothing
 * is written before the first item (unless store_empty): an empty feed leaves an empty
 * file.  Appending (-o) to a file from an earlier run adds a whole new feed after it,
 * again like Scrapy: a .json file then holds "[...][...]" (not valid JSON) and a .csv
 * file a second header row.  Items are buffered and reach the file once the buffer passes
 * 64 KB, at each kumo__feed_flush() and at close; the file holds only complete items after
 * close.
 */
typedef struct kumo_feed kumo_feed;

/* The encodings a feed writes (Python's codec names and aliases map onto these). */
typedef enum kumo_feed_enc {
    KUMO_FEED_ENC_NONE,     /* Scrapy's None: UTF-8, and JSON escapes non-ASCII (\uXXXX) */
    KUMO_FEED_ENC_UTF8,
    KUMO_FEED_ENC_LATIN1,
    KUMO_FEED_ENC_ASCII,
} kumo_feed_enc;

/*
 * Parse a Python codec name ("utf-8", "UTF8", "latin-1", "iso-8859-1", "ascii", ...):
 * returns KUMO_OK and sets *enc, or KUMO_EINVAL for one kumo does not write.  NULL and
 * "" give KUMO_FEED_ENC_NONE.
 */
int kumo__feed_enc_parse(const char *name, kumo_feed_enc *enc);

/* The options of one feed file (all borrowed during kumo__feed_open_opts() only). */
typedef struct kumo_feed_opts {
    const char *format;         /* name or alias; NULL: from the path's extension */
    bool overwrite;             /* -O: truncate; else append */
    const char *encoding;       /* as given (XML's declaration repeats it); NULL: None */
    bool indent_none;           /* FEED_EXPORT_INDENT = None */
    int indent;                 /* json and xml; <= 0: one item per line */
    const char *const *fields;  /* item fields to export, in order; NULL: the item's own */
    const char *const *names;   /* their output names (NULL: the same) */
    size_t nfields;
    bool store_empty;           /* start the format at open: an empty feed is stored */
    const char *table;          /* sqlite: the table name (the spider's); NULL: "items" */
    const char *uri;            /* the name log lines use ("stdout:", "file:///x"); NULL:
                                   the path */
} kumo_feed_opts;

/* Fill o with the defaults: encoding "utf-8", indent 0, nothing else set. */
void kumo__feed_opts_init(kumo_feed_opts *o);

/*
 * Open a feed on path ("-" is stdout, never closed; needs an explicit format).  format is
 * a format name or alias ("jsonlines", "jsonl", "jl", "json", "csv", "xml", "sqlite"), or
 * NULL to take it from the path's extension (case-sensitive, as Scrapy).  Missing parent
 * directories are created, as Scrapy's FileFeedStorage does.  On success *out is a new
 * feed the caller closes with kumo__feed_close().  Returns KUMO_EINVAL for an unknown
 * format, extension or encoding and KUMO_EIO when the file cannot be opened; then *out is
 * NULL and err (when errlen > 0) holds a one-line message.
 */
int kumo__feed_open(kumo_feed **out, const char *path, const char *format, bool overwrite,
                   char *err, size_t errlen);

/* The same with every option (o may be NULL: the defaults). */
int kumo__feed_open_opts(kumo_feed **out, const char *path, const kumo_feed_opts *o,
                        char *err, size_t errlen);

/*
 * Append one item (borrowed: only read during the call).  Returns KUMO_OK, KUMO_EINVAL
 * for a NULL item or an item the feed's encoding cannot hold (logged as an ERROR; the
 * item is skipped), or KUMO_EIO once a write to the file has failed (the feed stays usable
 * until closed, but the file is incomplete).
 */
int kumo__feed_write(kumo_feed *f, kumo_item *item);

/*
 * Finish the format (json's "]"), flush, close the file (not stdout) and free f; f may be
 * NULL.  Logs Scrapy's "Stored json feed (N items) in: PATH" (INFO, only when N > 0 or
 * store_empty) or "Error storing ..." (ERROR).  *count (when count is not NULL) receives
 * the number of items written.  Returns KUMO_EIO if any write, the flush or the close
 * failed, else KUMO_OK.
 */
int kumo__feed_close(kumo_feed *f, size_t *count);

/*
 * Write every buffered item to the file now (the engine calls it once a request's items
 * are all out, so a crash never loses an item of a request recorded as done; sqlite
 * commits).  Returns KUMO_EIO if a write failed.
 */
int kumo__feed_flush(kumo_feed *f);

/* Returns the canonical format name: "jsonlines", "json", "csv", "xml", "sqlite" (static). */
const char *kumo__feed_format(const kumo_feed *f);

/* Returns the path as given to kumo__feed_open(); borrowed, valid until the feed closes. */
const char *kumo__feed_path(const kumo_feed *f);

/* Returns the number of items written so far. */
size_t kumo__feed_count(const kumo_feed *f);

/*
 * Returns the canonical name of the format called name (a name, alias or extension), or
 * NULL when there is none (static).
 */
const char *kumo__feed_format_find(const char *name);

/* Returns the canonical name of the format path's extension names, or NULL (static). */
const char *kumo__feed_format_of_path(const char *path);

/*
 * The formats of the format table into s (n bytes, truncated to fit), as error messages and
 * the command line's help list them: with dot, every extension (".jsonl, .jl, .json, .csv,
 * .xml, .sqlite, .sqlite3 or .db"); without, every name and alias.
 */
void kumo__feed_format_choices(char *s, size_t n, bool dot);

/*
 * feed_repair.c: a JSON Lines file whose last line is torn (no final newline, after a
 * kill) is cut back to its last newline.  Returns KUMO_OK (with *dropped the bytes cut, 0
 * when the file is whole or missing) or KUMO_EIO.
 */
int kumo__feed_repair_jsonl(const char *path, size_t *dropped);

/* ---- feed_set.c: the FEEDS setting of one crawl ---- */

/*
 * The feeds of one crawl: the FEEDS setting parsed and checked, URI templates expanded
 * (%(name)s, %(time)s, %(batch_time)s, %(batch_id)d, any spider argument %(ARG)s), one
 * open file per feed, batches of batch_item_count items, Scrapy's log lines and stats
 * (feedexport/success_count/FileFeedStorage, feedexport/failed_count/...).
 */
typedef struct kumo_feedset kumo_feedset;

/*
 * Parse feeds (the FEEDS JSON object; NULL, "" or "{}": none) with the defaults of c's
 * settings (FEED_EXPORT_*, FEED_STORE_EMPTY) for the spider called spider with the
 * arguments args (may be NULL), and open every feed; the feedexport stats go to c.
 * c (borrowed, outliving the set) may be NULL: no defaults and no stats.  repair (a
 * resumed job): a JSON Lines file appended to first loses the last line a kill tore
 * (kumo__feed_repair_jsonl(), a WARNING).  now (NULL: the wall clock) returns Unix seconds
 * for %(time)s.  Returns KUMO_OK with *out set,
 * KUMO_EDECLINED when there are no feeds, or KUMO_EINVAL with a one-line message naming
 * the feed and the option (bad JSON, unknown format, option of the wrong type, batches
 * without a batch placeholder, unknown placeholder, unknown scheme).  A file that cannot
 * be opened is not an error here: it is logged, counted as failed, and the other feeds
 * still write.
 */
int kumo__feedset_new(kumo_feedset **out, const char *feeds, kumo_crawler *c,
                     const char *spider, const kumo_map *args, bool repair,
                     double (*now)(void), char *err, size_t errlen);

/*
 * kumo__feedset_new() without opening, creating or repairing any file: FEEDS parsed and
 * every feed checked (options, scheme, URI template, format).  Returns KUMO_OK,
 * KUMO_EDECLINED or KUMO_EINVAL with err as kumo__feedset_new().
 */
int kumo__feedset_check(const char *feeds, kumo_crawler *c, const char *spider,
                        const kumo_map *args, double (*now)(void), char *err, size_t errlen);

/* Export item (borrowed) to every feed; starts new batch files as they fill. */
void kumo__feedset_write(kumo_feedset *fs, kumo_item *item);

/* Flush every feed (see kumo__feed_flush()). */
void kumo__feedset_flush(kumo_feedset *fs);

/*
 * Close every feed now (the spider closed): "Stored ..." lines, stats.  Later writes go
 * nowhere.  fs may be NULL.
 */
void kumo__feedset_close(kumo_feedset *fs);

/* Close every feed still open (as kumo__feedset_close()) and free fs; NULL ok. */
void kumo__feedset_free(kumo_feedset *fs);

/*
 * Expand a feed URI template into out: %(KEY)s / %(KEY)d (with printf flags and width,
 * "%(batch_id)05d"), %% for %, any other % kept as is.  Keys come from params (strings
 * and integers).  Returns KUMO_OK, or KUMO_EINVAL naming the unknown key or bad
 * conversion in err.
 */
int kumo__feed_uri_expand(kumo_buf *out, const char *tmpl, const kumo_map *params, char *err,
                         size_t errlen);

/* Scrapy's %(time)s for Unix time t (UTC, "2026-11-24T21-03-05") into buf[0..n). */
void kumo__feed_time(double t, bool micro, char *buf, size_t n);

/* ---- internal: what the per-format files (feed_jsonl.c, ...) see ---- */

/*
 * One output format: a row of the table in feed.c.  Each hook appends bytes to f->out and
 * returns KUMO_OK or a kumo_err (then feed.c drops what the hook added).  start runs before
 * the first item, finish at close only if start ran, release (may be NULL) at close always
 * to free f->state.  A format with open (sqlite) keeps its own storage: feed.c opens no
 * file, and calls flush and close instead of writing f->out.
 */
typedef struct kumo_feed_fmt {
    const char *name;                   /* canonical: "jsonlines" */
    const char *const *exts;            /* extensions without the dot, NULL-ended; also
                                           accepted as format names */
    bool json;                          /* encoding None escapes non-ASCII as \uXXXX */
    bool charrefs;                      /* unencodable characters become &#N; (xml) */
    int (*start)(kumo_feed *f);
    int (*item)(kumo_feed *f, const kumo_map *fields);
    int (*finish)(kumo_feed *f);
    void (*release)(kumo_feed *f);
    int (*open)(kumo_feed *f, const kumo_feed_opts *o, char *err, size_t errlen);
    int (*flush)(kumo_feed *f);
    int (*close)(kumo_feed *f);
} kumo_feed_fmt;

struct kumo_feed {
    const kumo_feed_fmt *fmt;
    const char *as_named;   /* the format name or extension that chose fmt (static) */
    char *path;
    char *uri;              /* what log lines show */
    FILE *fp;               /* NULL for a format with its own storage */
    bool is_stdout;
    bool started;           /* start hook ran */
    bool store_empty;
    kumo_feed_enc enc;
    char *enc_name;         /* as given, NULL for None */
    bool indent_none;
    int indent;
    char **fields, **names; /* the fields option, owned, or NULL */
    size_t nfields;
    int werrno;             /* first write error (errno), 0 if none */
    size_t count;           /* items written */
    kumo_buf out;           /* bytes not yet written to fp */
    kumo_buf tmp;           /* scratch for the encoding pass */
    void *state;            /* the format's own, freed by its release hook */
};

extern const kumo_feed_fmt kumo__feed_jsonlines;
extern const kumo_feed_fmt kumo__feed_json;
extern const kumo_feed_fmt kumo__feed_csv;
extern const kumo_feed_fmt kumo__feed_xml;
extern const kumo_feed_fmt kumo__feed_sqlite;

/* feed_json.c: one item as JSON (json.dumps with indent > 0, else ", " and ": "). */
int kumo__feed_json_item(kumo_buf *b, const kumo_map *fields, int indent);

/* feed_json.c: one value as compact JSON, nested items as objects. */
int kumo__feed_json_value(kumo_buf *b, const kumo_value *v);

/*
 * feed.c: Python's str() of None, a bool, an int or a float: "None", "True", "3", the
 * float's repr ("1.5", "1e+16", "nan", "inf").  KUMO_EINVAL for a string, object or list.
 */
int kumo__feed_scalar(kumo_buf *b, const kumo_value *v);

#endif
