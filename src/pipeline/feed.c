/* feed.c - feed exporters: the format table, opening, encodings, buffered writing, closing. */
#include "pipeline/feed.h"
#include "util/err.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/utf8.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <sys/stat.h>

#define FEED_FLUSH_AT (64 * 1024)   /* write the buffer out once it holds this much */
#define FEED_LOGGER "kumo.extensions.feedexport"

/* The formats, in the order error messages list them. */
static const kumo_feed_fmt *const formats[] = {
    &kumo__feed_jsonlines,
    &kumo__feed_json,
    &kumo__feed_csv,
    &kumo__feed_xml,
    &kumo__feed_sqlite,
};

/* ---- Python's str() ---- */

int kumo__feed_scalar(kumo_buf *b, const kumo_value *v)
{
    switch (v->type) {
    case KUMO_VAL_NONE:
        return kumo__buf_adds(b, "None");
    case KUMO_VAL_BOOL:
        return kumo__buf_adds(b, v->u.b ? "True" : "False");
    case KUMO_VAL_INT:
        return kumo__buf_printf(b, "%" PRId64, v->u.i);
    case KUMO_VAL_FLOAT:
        if (isnan(v->u.f))
            return kumo__buf_adds(b, "nan");
        if (isinf(v->u.f))
            return kumo__buf_adds(b, v->u.f > 0 ? "inf" : "-inf");
        return kumo__json_value(b, v);   /* the JSON writer's digits are Python's repr */
    case KUMO_VAL_STR:
    case KUMO_VAL_OBJ:
    case KUMO_VAL_LIST:
        break;
    }
    return KUMO_EINVAL;
}

/* ---- encodings ---- */

int kumo__feed_enc_parse(const char *name, kumo_feed_enc *enc)
{
    static const struct {
        const char *name;
        kumo_feed_enc enc;
    } names[] = {
        {"utf_8", KUMO_FEED_ENC_UTF8}, {"utf8", KUMO_FEED_ENC_UTF8},
        {"u8", KUMO_FEED_ENC_UTF8}, {"utf", KUMO_FEED_ENC_UTF8},
        {"cp65001", KUMO_FEED_ENC_UTF8},
        {"latin_1", KUMO_FEED_ENC_LATIN1}, {"latin1", KUMO_FEED_ENC_LATIN1},
        {"latin", KUMO_FEED_ENC_LATIN1}, {"l1", KUMO_FEED_ENC_LATIN1},
        {"iso_8859_1", KUMO_FEED_ENC_LATIN1}, {"iso8859_1", KUMO_FEED_ENC_LATIN1},
        {"8859", KUMO_FEED_ENC_LATIN1}, {"cp819", KUMO_FEED_ENC_LATIN1},
        {"iso_ir_100", KUMO_FEED_ENC_LATIN1},
        {"ascii", KUMO_FEED_ENC_ASCII}, {"us_ascii", KUMO_FEED_ENC_ASCII},
        {"646", KUMO_FEED_ENC_ASCII}, {"us", KUMO_FEED_ENC_ASCII},
    };
    *enc = KUMO_FEED_ENC_NONE;
    if (!name || !*name)
        return KUMO_OK;
    /* Python's codec lookup: case-insensitive, '-' and ' ' as '_' */
    char norm[32];
    size_t n = strlen(name);
    if (n >= sizeof(norm))
        return KUMO_EINVAL;
    for (size_t i = 0; i <= n; i++) {
        char c = (char)tolower((unsigned char)name[i]);
        norm[i] = c == '-' || c == ' ' ? '_' : c;
    }
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++)
        if (strcmp(norm, names[i].name) == 0) {
            *enc = names[i].enc;
            return KUMO_OK;
        }
    return KUMO_EINVAL;
}

/* Python's name of the codec in its error messages. */
static const char *enc_codec(kumo_feed_enc enc)
{
    return enc == KUMO_FEED_ENC_ASCII ? "ascii" : "latin-1";
}

/*
 * Re-encode f->out[mark..) (UTF-8) for the feed's encoding: \uXXXX escapes for a JSON
 * format with encoding None, latin-1 or ascii bytes otherwise (unencodable characters
 * become &#N; for xml, else an error naming the first one in err).
 */
static int encode_tail(kumo_feed *f, size_t mark, char *err, size_t errlen)
{
    bool escape = f->enc == KUMO_FEED_ENC_NONE && f->fmt->json;
    if (!escape && (f->enc == KUMO_FEED_ENC_NONE || f->enc == KUMO_FEED_ENC_UTF8))
        return KUMO_OK;
    uint32_t limit = f->enc == KUMO_FEED_ENC_LATIN1 ? 0xff : 0x7f;
    const unsigned char *s = (const unsigned char *)f->out.s + mark;
    size_t len = f->out.len - mark;
    kumo_buf *t = &f->tmp;
    kumo__buf_reset(t);
    int rc = KUMO_OK;
    for (size_t i = 0; i < len && rc == KUMO_OK;) {
        bool ok;
        uint32_t cp;
        size_t n = kumo__utf8_decode(s + i, len - i, &ok, &cp);
        i += n;
        if (escape) {
            if (cp >= 0x20 && cp < 0x7f) {
                rc = kumo__buf_addc(t, (char)cp);
            } else if (cp < 0x20) {
                rc = kumo__buf_addc(t, (char)cp);    /* json.c escaped those already */
            } else if (cp > 0xffff) {
                cp -= 0x10000;
                rc = kumo__buf_printf(t, "\\u%04" PRIx32 "\\u%04" PRIx32,
                                     0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
            } else {
                rc = kumo__buf_printf(t, "\\u%04" PRIx32, cp);
            }
        } else if (cp <= limit) {
            rc = kumo__buf_addc(t, (char)cp);
        } else if (f->fmt->charrefs) {
            rc = kumo__buf_printf(t, "&#%" PRIu32 ";", cp);
        } else {
            kumo__err_printf(err, errlen, "'%s' codec can't encode character U+%04" PRIX32,
                            enc_codec(f->enc), cp);
            return KUMO_EINVAL;
        }
    }
    if (rc != KUMO_OK)
        return rc;
    f->out.len = mark;
    return kumo__buf_add(&f->out, t->s ? t->s : "", t->len);
}

/* ---- formats ---- */

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

const char *kumo__feed_format_find(const char *name)
{
    const char *as_named;
    const kumo_feed_fmt *fmt = name ? find_fmt(name, &as_named) : NULL;
    return fmt ? fmt->name : NULL;
}

/* ".jsonl, .jl, .json or .csv" (or the names, with dot 0) from the table. */
void kumo__feed_format_choices(char *s, size_t n, bool dot)
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

const char *kumo__feed_format_of_path(const char *path)
{
    char ext[64];
    path_suffix(path, ext, sizeof(ext));
    return ext[0] ? kumo__feed_format_find(ext) : NULL;
}

/* Create the missing parent directories of path (mkdir -p of its dirname). */
static int make_parents(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *dir = kumo_strndup(path, (size_t)(slash - path), KUMO_T_STR, KUMO_V_NONE);
    struct stat st;
    int rc = stat(dir, &st) != 0 ? kumo__mkdirs(dir) : 0;
    kumo_free(dir);
    return rc;
}

void kumo__feed_opts_init(kumo_feed_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->encoding = "utf-8";
}

int kumo__feed_open(kumo_feed **out, const char *path, const char *format, bool overwrite,
                   char *err, size_t errlen)
{
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.format = format;
    o.overwrite = overwrite;
    return kumo__feed_open_opts(out, path, &o, err, errlen);
}

static void feed_free(kumo_feed *f)
{
    if (f->fmt->release)
        f->fmt->release(f);
    for (size_t i = 0; i < f->nfields; i++) {
        kumo_free(f->fields[i]);
        kumo_free(f->names[i]);
    }
    kumo_free(f->fields);
    kumo_free(f->names);
    kumo__buf_release(&f->out);
    kumo__buf_release(&f->tmp);
    kumo_free(f->enc_name);
    kumo_free(f->uri);
    kumo_free(f->path);
    kumo_free(f);
}

/* Open the file (or stdout) of a format that writes bytes. */
static int open_file(kumo_feed *f, bool overwrite, char *err, size_t errlen)
{
    if (f->is_stdout) {
        if (overwrite)
            KUMO_WARN(FEED_LOGGER, "Standard output (stdout) storage does not support "
                      "overwriting. To suppress this warning, use -o instead of -O.");
        f->fp = stdout;
        return KUMO_OK;
    }
    int e = make_parents(f->path);
    f->fp = e ? NULL : fopen(f->path, overwrite ? "wb" : "ab");
    if (!f->fp) {
        kumo__err_printf(err, errlen, "cannot open '%s': %s", f->path, strerror(e ? e : errno));
        return KUMO_EIO;
    }
    /* f->out is the buffer: each flush reaches the file whole, as complete items */
    setvbuf(f->fp, NULL, _IONBF, 0);
    return KUMO_OK;
}

int kumo__feed_open_opts(kumo_feed **out, const char *path, const kumo_feed_opts *o,
                        char *err, size_t errlen)
{
    char choices[160];
    kumo_feed_opts defaults;
    *out = NULL;
    if (!o) {
        kumo__feed_opts_init(&defaults);
        o = &defaults;
    }
    if (!path) {
        kumo__err_printf(err, errlen, "no feed path given");
        return KUMO_EINVAL;
    }
    const kumo_feed_fmt *fmt;
    const char *as_named;
    if (o->format) {
        fmt = find_fmt(o->format, &as_named);
        if (!fmt) {
            kumo__feed_format_choices(choices, sizeof(choices), false);
            kumo__err_printf(err, errlen, "unknown feed format '%s': use %s", o->format, choices);
            return KUMO_EINVAL;
        }
    } else {
        char ext[64];
        path_suffix(path, ext, sizeof(ext));
        fmt = ext[0] ? find_fmt(ext, &as_named) : NULL;
        if (!fmt) {
            kumo__feed_format_choices(choices, sizeof(choices), true);
            kumo__err_printf(err, errlen, "cannot tell the feed format of '%s': use %s", path,
                            choices);
            return KUMO_EINVAL;
        }
    }
    kumo_feed_enc enc;
    if (kumo__feed_enc_parse(o->encoding, &enc) != KUMO_OK) {
        kumo__err_printf(err, errlen, "unsupported feed encoding '%s': use utf-8, latin-1 or ascii",
                        o->encoding);
        return KUMO_EINVAL;
    }

    kumo_feed *f = kumo_calloc(1, sizeof(*f), KUMO_T_FEED, KUMO_V_NONE);
    f->fmt = fmt;
    f->as_named = as_named;
    f->path = kumo_strdup(path, KUMO_T_STR, KUMO_V_NONE);
    f->is_stdout = strcmp(path, "-") == 0;
    f->uri = kumo_strdup(o->uri ? o->uri : f->is_stdout ? "stdout:" : path, KUMO_T_STR,
                         KUMO_V_NONE);
    f->store_empty = o->store_empty;
    f->enc = enc;
    f->enc_name = o->encoding && *o->encoding ? kumo_strdup(o->encoding, KUMO_T_STR,
                                                            KUMO_V_NONE) : NULL;
    f->indent_none = o->indent_none;
    f->indent = o->indent > 0 ? o->indent : 0;
    if (o->fields && o->nfields) {
        f->nfields = o->nfields;
        f->fields = kumo_calloc(o->nfields, sizeof(char *), KUMO_T_FEED, KUMO_V_NONE);
        f->names = kumo_calloc(o->nfields, sizeof(char *), KUMO_T_FEED, KUMO_V_NONE);
        for (size_t i = 0; i < o->nfields; i++) {
            f->fields[i] = kumo_strdup(o->fields[i], KUMO_T_STR, KUMO_V_NONE);
            const char *name = o->names && o->names[i] ? o->names[i] : o->fields[i];
            f->names[i] = kumo_strdup(name, KUMO_T_STR, KUMO_V_NONE);
        }
    }
    kumo__buf_init(&f->out, 0, KUMO_T_FEED, KUMO_V_NONE);
    kumo__buf_init(&f->tmp, 0, KUMO_T_FEED, KUMO_V_NONE);
    int rc;
    if (fmt->open) {
        rc = f->is_stdout ? KUMO_EINVAL : fmt->open(f, o, err, errlen);
        if (f->is_stdout)
            kumo__err_printf(err, errlen, "a %s feed needs a file, not stdout", fmt->name);
    } else {
        rc = open_file(f, o->overwrite, err, errlen);
    }
    if (rc != KUMO_OK) {
        feed_free(f);
        return rc;
    }
    *out = f;
    if (f->store_empty && fmt->start) {
        /* Scrapy starts exporting at open when empty feeds are stored */
        if (fmt->start(f) == KUMO_OK && encode_tail(f, 0, NULL, 0) == KUMO_OK)
            f->started = true;
        else
            kumo__buf_reset(&f->out);
    } else if (f->store_empty) {
        f->started = true;
    }
    return KUMO_OK;
}

/* Write the buffer to the file; after a failed write, later bytes are dropped. */
static void flush_out(kumo_feed *f)
{
    if (f->out.len && !f->werrno && f->fp) {
        errno = 0;
        if (fwrite(f->out.s, 1, f->out.len, f->fp) != f->out.len)
            f->werrno = errno ? errno : EIO;
    }
    kumo__buf_reset(&f->out);
}

/* Drop f->out[mark..). */
static void cut(kumo_feed *f, size_t mark)
{
    f->out.len = mark;
    if (f->out.s)
        f->out.s[mark] = '\0';
}

int kumo__feed_write(kumo_feed *f, kumo_item *item)
{
    if (!f || !item)
        return KUMO_EINVAL;
    size_t mark = f->out.len;
    char err[160] = "";
    int rc = KUMO_OK;
    const kumo_map *fields = kumo_item_fields(item);
    kumo_map view = {0};
    kumo_map_entry small[16];
    if (f->nfields) {
        /* only the fields option's fields the item has, in its order, named as asked */
        view.e = f->nfields <= KUMO_ARRAY_LEN(small)
                     ? small
                     : kumo_calloc(f->nfields, sizeof(*view.e), KUMO_T_FEED, KUMO_V_NONE);
        for (size_t i = 0; i < f->nfields; i++) {
            const kumo_value *v = kumo_map_get(fields, f->fields[i]);
            if (v)
                view.e[view.len++] = (kumo_map_entry){f->names[i], *v};
        }
        fields = &view;
    }
    bool starting = !f->started && f->fmt->start;
    if (starting)
        rc = f->fmt->start(f);
    if (rc == KUMO_OK)
        rc = f->fmt->item(f, fields);
    if (rc == KUMO_OK)
        rc = encode_tail(f, mark, err, sizeof(err));
    if (view.e && view.e != small)
        kumo_free(view.e);
    if (rc != KUMO_OK) {
        /* drop the partial item so the file holds whole items only */
        cut(f, mark);
        if (f->count == 0 && !f->fmt->open && f->fmt->release)
            f->fmt->release(f);     /* csv: the next item writes the header again */
        if (err[0])
            KUMO_ERROR(FEED_LOGGER, "Error exporting an item to %s feed %s: %s", f->as_named,
                       f->uri, err);
        return rc;
    }
    f->started = true;
    f->count++;
    if (f->out.len >= FEED_FLUSH_AT)
        flush_out(f);
    return f->werrno ? KUMO_EIO : KUMO_OK;
}

int kumo__feed_flush(kumo_feed *f)
{
    if (!f)
        return KUMO_EINVAL;
    if (f->fmt->flush) {
        if (f->fmt->flush(f) != KUMO_OK && !f->werrno)
            f->werrno = EIO;
        return f->werrno ? KUMO_EIO : KUMO_OK;
    }
    flush_out(f);
    if (fflush(f->fp) != 0 && !f->werrno)
        f->werrno = errno ? errno : EIO;
    return f->werrno ? KUMO_EIO : KUMO_OK;
}

int kumo__feed_close(kumo_feed *f, size_t *count)
{
    if (count)
        *count = f ? f->count : 0;
    if (!f)
        return KUMO_OK;
    if (f->started && f->fmt->finish) {
        size_t mark = f->out.len;
        if (f->fmt->finish(f) != KUMO_OK || encode_tail(f, mark, NULL, 0) != KUMO_OK)
            f->werrno = f->werrno ? f->werrno : EIO;
    }
    if (f->fmt->close) {
        if (f->fmt->close(f) != KUMO_OK && !f->werrno)
            f->werrno = EIO;
    } else {
        flush_out(f);
        if (f->is_stdout) {
            if (fflush(f->fp) != 0 && !f->werrno)
                f->werrno = errno ? errno : EIO;
        } else if (fclose(f->fp) != 0 && !f->werrno) {
            f->werrno = errno ? errno : EIO;
        }
    }
    int rc = f->werrno ? KUMO_EIO : KUMO_OK;
    /* Scrapy's lines; like Scrapy (FEED_STORE_EMPTY=False), an empty feed logs nothing */
    if (f->werrno)
        KUMO_ERROR(FEED_LOGGER, "Error storing %s feed (%zu items) in: %s: %s", f->as_named,
                   f->count, f->uri, strerror(f->werrno));
    else if (f->count || f->store_empty)
        KUMO_INFO(FEED_LOGGER, "Stored %s feed (%zu items) in: %s", f->as_named, f->count,
                  f->uri);
    feed_free(f);
    return rc;
}

const char *kumo__feed_format(const kumo_feed *f)
{
    return f->fmt->name;
}

const char *kumo__feed_path(const kumo_feed *f)
{
    return f->path;
}

size_t kumo__feed_count(const kumo_feed *f)
{
    return f->count;
}
