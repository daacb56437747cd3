/* feed.c - feed exporters: the format table, opening, buffered writing and closing. */
#include "pipeline/feed.h"
#include "util/fs.h"
#include "util/json.h"

#include <sys/stat.h>

#define FEED_FLUSH_AT (64 * 1024)   /* write the buffer out once it holds this much */
#define FEED_LOGGER "kumo.extensions.feedexport"

/* The formats, in the order error messages list them. */
static const kumo_feed_fmt *const formats[] = {
    &kumo__feed_jsonlines,
    &kumo__feed_json,
    &kumo__feed_csv,
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/*
 * Returns the format whose name or extension is name, or NULL; *as_named is the table's
 * (static) copy of name, which Scrapy's log lines use ("Stored jsonl feed").
 */
static const kumo_feed_fmt *find_fmt(const char *name, const char **as_named)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(formats); i++) {
        const kumo_feed_fmt *fmt = formats[i];
        *as_named = fmt->name;
        if (strcmp(fmt->name, name) == 0)
            return fmt;
        for (const char *const *e = fmt->exts; *e; e++) {
            *as_named = *e;
            if (strcmp(*e, name) == 0)
                return fmt;
        }
    }
    return NULL;
}

/* ".jsonl, .jl, .json or .csv" (or the names, with dot 0) from the table. */
static void list_choices(char *s, size_t n, bool dot)
{
    const char *items[32];
    size_t k = 0;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(formats); i++) {
        if (!dot && k < KUMO_ARRAY_LEN(items))
            items[k++] = formats[i]->name;
        for (const char *const *e = formats[i]->exts; *e; e++)
            if (k < KUMO_ARRAY_LEN(items) && (dot || strcmp(*e, formats[i]->name) != 0))
                items[k++] = *e;
    }
    size_t used = 0;
    s[0] = '\0';
    for (size_t i = 0; i < k && used < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 == k ? " or " : ", ";
        int w = snprintf(s + used, n - used, "%s%s%s", sep, dot ? "." : "", items[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/*
 * The extension of path without its dot, as Python's PurePath.suffix: of the last
 * component, after its last dot, neither the first nor the last character.  Writes ""
 * when there is none.
 */
static void path_suffix(const char *path, char *out, size_t n)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    size_t dot = end;
    for (size_t i = start; i < end; i++)
        if (path[i] == '.')
            dot = i;
    out[0] = '\0';
    if (dot == end || dot == start || dot + 1 >= end)
        return;
    snprintf(out, n, "%.*s", (int)(end - dot - 1), path + dot + 1);
}

/* Create the missing parent directories of path (mkdir -p of its dirname). */
static int make_parents(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *dir = kumo_strndup(path, (size_t)(slash - path), KUMO_T_STR, KUMO_V_NONE);
    struct stat st;
    int rc = stat(dir, &st) != 0 ? kumo_mkdirs(dir) : 0;
    kumo_free(dir);
    return rc;
}

int kumo_feed_open(kumo_feed **out, const char *path, const char *format, bool overwrite,
                   char *err, size_t errlen)
{
    char choices[128];
    *out = NULL;
    if (!path) {
        set_err(err, errlen, "no feed path given");
        return KUMO_EINVAL;
    }
    const kumo_feed_fmt *fmt;
    const char *as_named;
    if (format) {
        fmt = find_fmt(format, &as_named);
        if (!fmt) {
            list_choices(choices, sizeof(choices), false);
            set_err(err, errlen, "unknown feed format '%s': use %s", format, choices);
            return KUMO_EINVAL;
        }
    } else {
        char ext[64];
        path_suffix(path, ext, sizeof(ext));
        fmt = ext[0] ? find_fmt(ext, &as_named) : NULL;
        if (!fmt) {
            list_choices(choices, sizeof(choices), true);
            set_err(err, errlen, "cannot tell the feed format of '%s': use %s", path, choices);
            return KUMO_EINVAL;
        }
    }

    bool is_stdout = strcmp(path, "-") == 0;
    FILE *fp;
    if (is_stdout) {
        if (overwrite)
            KUMO_WARN(FEED_LOGGER, "Standard output (stdout) storage does not support "
                      "overwriting. To suppress this warning, use -o instead of -O.");
        fp = stdout;
    } else {
        int e = make_parents(path);
        fp = e ? NULL : fopen(path, overwrite ? "wb" : "ab");
        if (!fp) {
            set_err(err, errlen, "cannot open '%s': %s", path, strerror(e ? e : errno));
            return KUMO_EIO;
        }
        /* f->out is the buffer: each flush reaches the file whole, as complete items */
        setvbuf(fp, NULL, _IONBF, 0);
    }

    kumo_feed *f = kumo_calloc(1, sizeof(*f), KUMO_T_FEED, KUMO_V_NONE);
    f->fmt = fmt;
    f->as_named = as_named;
    f->path = kumo_strdup(path, KUMO_T_STR, KUMO_V_NONE);
    f->fp = fp;
    f->is_stdout = is_stdout;
    kumo_buf_init(&f->out, 0, KUMO_T_FEED, KUMO_V_NONE);
    *out = f;
    return KUMO_OK;
}

/* Write the buffer to the file; after a failed write, later bytes are dropped. */
static void flush_out(kumo_feed *f)
{
    if (f->out.len && !f->werrno) {
        errno = 0;
        if (fwrite(f->out.s, 1, f->out.len, f->fp) != f->out.len)
            f->werrno = errno ? errno : EIO;
    }
    kumo_buf_reset(&f->out);
}

int kumo_feed_write(kumo_feed *f, kumo_item *item)
{
    if (!f || !item)
        return KUMO_EINVAL;
    size_t mark = f->out.len;
    int rc = KUMO_OK;
    if (!f->started && f->fmt->start)
        rc = f->fmt->start(f);
    if (rc == KUMO_OK)
        rc = f->fmt->item(f, kumo_item_fields(item));
    if (rc != KUMO_OK) {
        /* drop the partial item so the file holds whole items only */
        f->out.len = mark;
        if (f->out.s)
            f->out.s[mark] = '\0';
        return rc;
    }
    f->started = true;
    f->count++;
    if (f->out.len >= FEED_FLUSH_AT)
        flush_out(f);
    return f->werrno ? KUMO_EIO : KUMO_OK;
}

void kumo_feed_options(const kumo_value *opts, const char **format, bool *overwrite)
{
    const kumo_value *f = kumo_json_get(opts, "format");
    const kumo_value *o = kumo_json_get(opts, "overwrite");
    *format = f && f->type == KUMO_VAL_STR ? f->u.str.s : NULL;
    *overwrite = o && ((o->type == KUMO_VAL_BOOL && o->u.b) || (o->type == KUMO_VAL_INT && o->u.i));
}

int kumo_feed_flush(kumo_feed *f)
{
    if (!f)
        return KUMO_EINVAL;
    flush_out(f);
    if (fflush(f->fp) != 0 && !f->werrno)
        f->werrno = errno ? errno : EIO;
    return f->werrno ? KUMO_EIO : KUMO_OK;
}

int kumo_feed_close(kumo_feed *f, size_t *count)
{
    if (count)
        *count = f ? f->count : 0;
    if (!f)
        return KUMO_OK;
    if (f->started && f->fmt->finish && f->fmt->finish(f) != KUMO_OK)
        f->werrno = f->werrno ? f->werrno : EIO;
    flush_out(f);
    if (f->is_stdout) {
        if (fflush(f->fp) != 0 && !f->werrno)
            f->werrno = errno ? errno : EIO;
    } else if (fclose(f->fp) != 0 && !f->werrno) {
        f->werrno = errno ? errno : EIO;
    }
    int rc = f->werrno ? KUMO_EIO : KUMO_OK;
    /* Scrapy's lines; like Scrapy (FEED_STORE_EMPTY=False), an empty feed logs nothing */
    if (f->werrno)
        KUMO_ERROR(FEED_LOGGER, "Error storing %s feed (%zu items) in: %s: %s", f->as_named,
                   f->count, f->path, strerror(f->werrno));
    else if (f->count)
        KUMO_INFO(FEED_LOGGER, "Stored %s feed (%zu items) in: %s", f->as_named, f->count,
                  f->is_stdout ? "stdout:" : f->path);
    if (f->fmt->release)
        f->fmt->release(f);
    kumo_buf_release(&f->out);
    kumo_free(f->path);
    kumo_free(f);
    return rc;
}

const char *kumo_feed_format(const kumo_feed *f)
{
    return f->fmt->name;
}

const char *kumo_feed_path(const kumo_feed *f)
{
    return f->path;
}
