/* feed_set.c - the FEEDS setting of one crawl: options, URI templates, batches, stats. */
#include "pipeline/feed.h"
#include "util/err.h"
#include "kumo/plugin.h"
#include "util/json.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <sys/time.h>
#include <time.h>

#define LOGGER "kumo.extensions.feedexport"
#define MAX_FIELDS 256

/* One FEEDS entry and the file of its current batch. */
typedef struct feedslot {
    char *label;            /* the FEEDS key as given, for messages */
    char *tmpl;             /* the URI template, without a ":FORMAT" suffix */
    char *format;           /* NULL: from the path's extension */
    bool is_stdout;
    bool file_scheme;       /* file://... */
    bool overwrite;
    char *encoding;         /* NULL: None */
    bool indent_none;
    int indent;
    char **fields, **names;
    size_t nfields;
    bool store_empty;
    int64_t batch_item_count;
    int64_t batch_id;
    kumo_feed *f;           /* the open batch; NULL once a file could not be opened */
} feedslot;

struct kumo_feedset {
    feedslot *slots;
    size_t n;
    char *spider;
    kumo_map args;
    kumo_crawler *c;        /* borrowed, may be NULL: no FEED_* defaults, no stats */
    bool repair;            /* a resumed job: cut torn JSON Lines files before appending */
    double (*now)(void);
};

static double wall_clock(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

void kumo__feed_time(double t, bool micro, char *buf, size_t n)
{
    time_t secs = (time_t)floor(t);
    long usec = (long)((t - (double)secs) * 1e6 + 0.5);
    if (usec >= 1000000) {
        secs++;
        usec -= 1000000;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t w = strftime(buf, n, "%Y-%m-%dT%H-%M-%S", &tm);
    if (micro && usec && w < n)
        snprintf(buf + w, n - w, ".%06ld", usec);   /* isoformat() omits a zero fraction */
}

/* ---- URI templates ---- */

int kumo__feed_uri_expand(kumo_buf *out, const char *tmpl, const kumo_map *params, char *err,
                         size_t errlen)
{
    for (const char *p = tmpl; *p;) {
        if (p[0] != '%' || (p[1] != '(' && p[1] != '%')) {
            kumo__buf_addc(out, *p++);
            continue;
        }
        if (p[1] == '%') {
            kumo__buf_addc(out, '%');
            p += 2;
            continue;
        }
        const char *key = p + 2, *close = strchr(key, ')');
        if (!close) {
            kumo__err_printf(err, errlen, "unclosed placeholder '%s'", p);
            return KUMO_EINVAL;
        }
        /* printf flags, width and precision, then the conversion */
        const char *q = close + 1;
        char spec[32] = "%";
        size_t sl = 1;
        while (*q && strchr("-+ #0", *q) && sl < 8)
            spec[sl++] = *q++;
        while (isdigit((unsigned char)*q) && sl < 16)
            spec[sl++] = *q++;
        if (*q == '.') {
            spec[sl++] = *q++;
            while (isdigit((unsigned char)*q) && sl < 24)
                spec[sl++] = *q++;
        }
        char conv = *q;
        char name[128];
        snprintf(name, sizeof(name), "%.*s", (int)(close - key), key);
        if (!conv || !strchr("sdi", conv)) {
            kumo__err_printf(err, errlen, "bad placeholder '%%(%s)%.*s': use %%(%s)s or %%(%s)d",
                            name, conv ? (int)(q - close) : (int)(q - close - 1), close + 1, name,
                            name);
            return KUMO_EINVAL;
        }
        const kumo_value *v = kumo_map_get(params, name);
        if (!v) {
            kumo__err_printf(err, errlen, "unknown placeholder '%%(%s)%c': use name, time, "
                            "batch_time, batch_id or a spider argument (-a %s=...)", name, conv,
                            name);
            return KUMO_EINVAL;
        }
        char text[64];
        const char *s;
        if (conv == 's') {
            if (v->type == KUMO_VAL_INT) {
                snprintf(text, sizeof(text), "%" PRId64, v->u.i);
                s = text;
            } else {
                s = v->type == KUMO_VAL_STR ? v->u.str.s : "";
            }
            memcpy(spec + sl, "s", 2);
            kumo__buf_printf(out, spec, s);
        } else {
            if (v->type != KUMO_VAL_INT) {
                /* Python's "%d format: a real number is required, not str" */
                kumo__err_printf(err, errlen, "placeholder '%%(%s)%c' needs a number (spider "
                                "arguments are strings): use %%(%s)s", name, conv, name);
                return KUMO_EINVAL;
            }
            int64_t i = v->u.i;
            memcpy(spec + sl, PRId64, sizeof(PRId64));
            kumo__buf_printf(out, spec, i);
        }
        p = q + 1;
    }
    return KUMO_OK;
}

/* ---- options ---- */

static void slot_release(feedslot *sl)
{
    kumo_free(sl->label);
    kumo_free(sl->tmpl);
    kumo_free(sl->format);
    kumo_free(sl->encoding);
    for (size_t i = 0; i < sl->nfields; i++) {
        kumo_free(sl->fields[i]);
        kumo_free(sl->names[i]);
    }
    kumo_free(sl->fields);
    kumo_free(sl->names);
}

static void add_field(feedslot *sl, const char *field, const char *name)
{
    size_t n = sl->nfields + 1;
    sl->fields = kumo_realloc(sl->fields, n * sizeof(char *), KUMO_T_FEED, KUMO_V_NONE);
    sl->names = kumo_realloc(sl->names, n * sizeof(char *), KUMO_T_FEED, KUMO_V_NONE);
    sl->fields[sl->nfields] = kumo_strdup(field, KUMO_T_STR, KUMO_V_NONE);
    sl->names[sl->nfields] = kumo_strdup(name, KUMO_T_STR, KUMO_V_NONE);
    sl->nfields = n;
}

/* True when v is a parsed JSON object: a list of [string, value] pairs. */
static bool is_object(const kumo_value *v)
{
    if (v->type != KUMO_VAL_LIST)
        return false;
    for (size_t i = 0; i < v->u.list->len; i++) {
        const kumo_value *p = &v->u.list->v[i];
        if (p->type != KUMO_VAL_LIST || p->u.list->len != 2 ||
            p->u.list->v[0].type != KUMO_VAL_STR)
            return false;
    }
    return true;
}

static bool is_bool(const kumo_value *v)
{
    return v->type == KUMO_VAL_BOOL ||
           (v->type == KUMO_VAL_INT && (v->u.i == 0 || v->u.i == 1));
}

/* The fields option: null, ["a", "b"] or {"a": "A", "b": "B"} (item field: output name). */
static int read_fields(feedslot *sl, const kumo_value *v)
{
    if (v->type == KUMO_VAL_NONE)
        return KUMO_OK;
    if (v->type != KUMO_VAL_LIST)
        return KUMO_EINVAL;
    const kumo_vlist *l = v->u.list;
    bool strings = true;
    for (size_t i = 0; i < l->len; i++)
        strings = strings && l->v[i].type == KUMO_VAL_STR;
    if (strings) {
        for (size_t i = 0; i < l->len && i < MAX_FIELDS; i++)
            add_field(sl, l->v[i].u.str.s, l->v[i].u.str.s);
        return KUMO_OK;
    }
    if (!is_object(v))
        return KUMO_EINVAL;
    for (size_t i = 0; i < l->len; i++)
        if (l->v[i].u.list->v[1].type != KUMO_VAL_STR)
            return KUMO_EINVAL;
    for (size_t i = 0; i < l->len && i < MAX_FIELDS; i++)
        add_field(sl, l->v[i].u.list->v[0].u.str.s, l->v[i].u.list->v[1].u.str.s);
    return KUMO_OK;
}

/* The defaults of the FEED_* settings, then the entry's own options over them. */
static int read_options(feedslot *sl, const kumo_value *opts, kumo_crawler *c,
                        char *err, size_t errlen)
{
    static const char *const ignored[] = {
        "item_export_kwargs", "uri_params", "postprocessing", "item_classes", "item_filter",
    };
    sl->batch_item_count = c ? kumo_crawler_setting_int(c, "FEED_EXPORT_BATCH_ITEM_COUNT") : 0;
    const char *enc = c ? kumo_crawler_setting(c, "FEED_EXPORT_ENCODING") : NULL;
    if (enc && *enc && strcmp(enc, "None") != 0 && strcmp(enc, "null") != 0)
        sl->encoding = kumo_strdup(enc, KUMO_T_STR, KUMO_V_NONE);
    sl->store_empty = c && kumo_crawler_setting_bool(c, "FEED_STORE_EMPTY");
    const char *indent = c ? kumo_crawler_setting(c, "FEED_EXPORT_INDENT") : NULL;
    sl->indent_none = indent && (strcmp(indent, "None") == 0 || strcmp(indent, "null") == 0);
    sl->indent = c && !sl->indent_none ? (int)kumo_crawler_setting_int(c, "FEED_EXPORT_INDENT")
                                       : 0;
    if (c) {
        char *list[MAX_FIELDS];
        size_t n = kumo_crawler_setting_list(c, "FEED_EXPORT_FIELDS", list, MAX_FIELDS);
        for (size_t i = 0; i < n && i < MAX_FIELDS; i++) {
            add_field(sl, list[i], list[i]);
            kumo_free(list[i]);
        }
    }

    for (size_t i = 0; i < opts->u.list->len; i++) {
        const char *key = opts->u.list->v[i].u.list->v[0].u.str.s;
        const kumo_value *v = kumo__json_get(opts, key);
        if (v != &opts->u.list->v[i].u.list->v[1])
            continue;   /* a duplicate key: the last one counts, as in a Python dict */
        const char *want = NULL;
        if (strcmp(key, "format") == 0) {
            if (v->type != KUMO_VAL_STR)
                want = "a string";
            else if (!kumo__feed_format_find(v->u.str.s)) {
                kumo__err_printf(err, errlen, "FEEDS: feed '%s': unknown format '%s' (use "
                                "jsonlines, jsonl, jl, json, csv, xml or sqlite)", sl->label,
                                v->u.str.s);
                return KUMO_EINVAL;
            } else {
                kumo_free(sl->format);
                sl->format = kumo_strdup(v->u.str.s, KUMO_T_STR, KUMO_V_NONE);
            }
        } else if (strcmp(key, "overwrite") == 0) {
            if (!is_bool(v))
                want = "true or false";
            else
                sl->overwrite = v->type == KUMO_VAL_BOOL ? v->u.b != 0 : v->u.i != 0;
        } else if (strcmp(key, "store_empty") == 0) {
            if (!is_bool(v))
                want = "true or false";
            else
                sl->store_empty = v->type == KUMO_VAL_BOOL ? v->u.b != 0 : v->u.i != 0;
        } else if (strcmp(key, "encoding") == 0) {
            kumo_feed_enc e;
            if (v->type != KUMO_VAL_STR && v->type != KUMO_VAL_NONE) {
                want = "a string or null";
            } else if (v->type == KUMO_VAL_STR &&
                       kumo__feed_enc_parse(v->u.str.s, &e) != KUMO_OK) {
                kumo__err_printf(err, errlen, "FEEDS: feed '%s': option 'encoding': unsupported "
                                "encoding '%s' (use utf-8, latin-1 or ascii)", sl->label,
                                v->u.str.s);
                return KUMO_EINVAL;
            } else {
                kumo_free(sl->encoding);
                sl->encoding = v->type == KUMO_VAL_STR && v->u.str.len
                                   ? kumo_strdup(v->u.str.s, KUMO_T_STR, KUMO_V_NONE) : NULL;
            }
        } else if (strcmp(key, "indent") == 0) {
            if (v->type == KUMO_VAL_NONE) {
                sl->indent_none = true;
                sl->indent = 0;
            } else if (v->type != KUMO_VAL_INT || v->u.i > 64 || v->u.i < -64) {
                want = "an integer (at most 64) or null";
            } else {
                sl->indent_none = false;
                sl->indent = (int)v->u.i;
            }
        } else if (strcmp(key, "batch_item_count") == 0) {
            if (v->type != KUMO_VAL_INT || v->u.i < 0)
                want = "an integer >= 0";
            else
                sl->batch_item_count = v->u.i;
        } else if (strcmp(key, "fields") == 0) {
            for (size_t k = 0; k < sl->nfields; k++) {
                kumo_free(sl->fields[k]);
                kumo_free(sl->names[k]);
            }
            sl->nfields = 0;
            if (read_fields(sl, v) != KUMO_OK)
                want = "a list of field names, an object {\"field\": \"name\"} or null";
        } else {
            bool known = false;
            for (size_t k = 0; k < KUMO_ARRAY_LEN(ignored); k++)
                known = known || strcmp(key, ignored[k]) == 0;
            KUMO_WARN(LOGGER, "FEEDS: feed '%s': %s option '%s' ignored", sl->label,
                      known ? "unsupported" : "unknown", key);
        }
        if (want) {
            kumo__err_printf(err, errlen, "FEEDS: feed '%s': option '%s' must be %s", sl->label,
                            key, want);
            return KUMO_EINVAL;
        }
    }
    return KUMO_OK;
}

/*
 * The storage of the URI: "-", "stdout:" (stdout), file:// or a plain path; a ":FORMAT"
 * suffix names the format when the options do not (Scrapy's `-o URI:FORMAT`).
 */
static int read_uri(feedslot *sl, char *err, size_t errlen)
{
    const char *uri = sl->label;
    size_t len = strlen(uri);
    const char *colon = strrchr(uri, ':');
    bool split = false;
    if (!sl->format && colon && colon > uri && kumo__feed_format_find(colon + 1)) {
        sl->format = kumo_strdup(colon + 1, KUMO_T_STR, KUMO_V_NONE);
        len = (size_t)(colon - uri);
        split = true;
    }
    sl->tmpl = kumo_strndup(uri, len, KUMO_T_STR, KUMO_V_NONE);
    size_t scheme = 0;
    if (isalpha((unsigned char)sl->tmpl[0])) {
        scheme = 1;
        while (isalnum((unsigned char)sl->tmpl[scheme]) || sl->tmpl[scheme] == '+' ||
               sl->tmpl[scheme] == '-' || sl->tmpl[scheme] == '.')
            scheme++;
        if (sl->tmpl[scheme] != ':')
            scheme = 0;
    }
    if (strcmp(sl->tmpl, "-") == 0 || (split && strcmp(sl->tmpl, "stdout") == 0) ||
        (scheme == 6 && strncasecmp(sl->tmpl, "stdout", 6) == 0)) {
        sl->is_stdout = true;
        if (!sl->format)
            sl->format = kumo_strdup("jsonlines", KUMO_T_STR, KUMO_V_NONE);
    } else if (scheme == 4 && strncasecmp(sl->tmpl, "file", 4) == 0) {
        sl->file_scheme = true;
    } else if (scheme) {
        kumo__err_printf(err, errlen, "FEEDS: feed '%s': unknown feed storage scheme '%.*s' (use a "
                        "path, file://PATH, - or stdout:)", sl->label, (int)scheme, sl->tmpl);
        return KUMO_EINVAL;
    }
    if (sl->batch_item_count > 0 && !strstr(sl->tmpl, "%(batch_time)s") &&
        !strstr(sl->tmpl, "%(batch_id)")) {
        kumo__err_printf(err, errlen, "FEEDS: feed '%s': %%(batch_time)s or %%(batch_id)d must "
                        "be in the feed URI when batch_item_count "
                        "(FEED_EXPORT_BATCH_ITEM_COUNT) is %" PRId64, sl->label,
                        sl->batch_item_count);
        return KUMO_EINVAL;
    }
    return KUMO_OK;
}

/* w3lib's file_uri_to_path: file:///a%20b -> /a b; file://host/x -> /x; file:x -> x. */
static void file_uri_path(const char *uri, kumo_buf *out)
{
    const char *p = uri + 5;    /* after "file:" */
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        p += strcspn(p, "/");   /* the host, dropped */
    }
    for (; *p; p++) {
        if (p[0] == '%' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2])) {
            char hex[3] = {p[1], p[2], 0};
            kumo__buf_addc(out, (char)strtol(hex, NULL, 16));
            p += 2;
        } else {
            kumo__buf_addc(out, *p);
        }
    }
}

/* ---- batches ---- */

static const char *storage_name(const feedslot *sl)
{
    return sl->is_stdout ? "StdoutFeedStorage" : "FileFeedStorage";
}

/* A resumed job appends to path: cut the line a kill tore off a JSON Lines file first. */
static void repair(const char *path, const char *format)
{
    const char *fmt = format ? kumo__feed_format_find(format) : kumo__feed_format_of_path(path);
    size_t dropped;
    if (!fmt || strcmp(fmt, "jsonlines") != 0)
        return;
    if (kumo__feed_repair_jsonl(path, &dropped) != KUMO_OK)
        KUMO_ERROR(LOGGER, "cannot repair feed '%s': %s", path, strerror(errno));
    else if (dropped)
        KUMO_WARN(LOGGER, "Repaired feed '%s': dropped its torn last line (%zu bytes)", path,
                  dropped);
}

/*
 * Open batch sl->batch_id.  Returns KUMO_OK (sl->f set, or NULL after a logged failure to
 * open the file) or KUMO_EINVAL for a bad template or format, with the message in err.
 * With dry, only check the template and the format: nothing is opened.
 */
static int open_batch(kumo_feedset *fs, feedslot *sl, bool dry, char *err, size_t errlen)
{
    char when[64], msg[512];
    double t = fs->now();
    kumo_map params;
    kumo_map_init(&params, KUMO_T_FEED, KUMO_V_NONE);
    kumo_map_copy(&params, &fs->args);
    kumo_map_set(&params, "name", kumo_val_str(fs->spider));
    kumo__feed_time(t, false, when, sizeof(when));
    kumo_map_set(&params, "time", kumo_val_str(when));
    kumo__feed_time(t, true, when, sizeof(when));
    kumo_map_set(&params, "batch_time", kumo_val_str(when));
    kumo_map_set(&params, "batch_id", kumo_val_int(sl->batch_id));
    kumo_buf uri, path;
    kumo__buf_init(&uri, 4096, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_init(&path, 4096, KUMO_T_STR, KUMO_V_NONE);
    int rc = kumo__feed_uri_expand(&uri, sl->tmpl, &params, msg, sizeof(msg));
    kumo_map_release(&params);
    if (rc != KUMO_OK) {
        kumo__err_printf(err, errlen, "FEEDS: feed '%s': %s", sl->label, msg);
        goto out;
    }
    if (sl->is_stdout)
        kumo__buf_adds(&path, "-");
    else if (sl->file_scheme)
        file_uri_path(kumo__buf_str(&uri), &path);
    else
        kumo__buf_add(&path, uri.s, uri.len);
    if (dry) {
        if (!sl->format && !kumo__feed_format_of_path(kumo__buf_str(&path))) {
            kumo__err_printf(err, errlen, "FEEDS: feed '%s': cannot tell the feed format of "
                            "'%s': use a format option or .jsonl, .jl, .json, .csv, .xml, "
                            ".sqlite, .sqlite3 or .db", sl->label, kumo__buf_str(&path));
            rc = KUMO_EINVAL;
        }
        goto out;
    }

    if (fs->repair && !sl->is_stdout && !sl->overwrite)
        repair(kumo__buf_str(&path), sl->format);

    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.format = sl->format;
    o.overwrite = sl->overwrite;
    o.encoding = sl->encoding;
    o.indent_none = sl->indent_none;
    o.indent = sl->indent;
    o.fields = (const char *const *)sl->fields;
    o.names = (const char *const *)sl->names;
    o.nfields = sl->nfields;
    o.store_empty = sl->store_empty;
    o.table = fs->spider;
    o.uri = sl->is_stdout ? "stdout:" : kumo__buf_str(&uri);
    rc = kumo__feed_open_opts(&sl->f, kumo__buf_str(&path), &o, msg, sizeof(msg));
    if (rc == KUMO_EINVAL) {
        kumo__err_printf(err, errlen, "FEEDS: feed '%s': %s", sl->label, msg);
    } else if (rc != KUMO_OK) {
        KUMO_ERROR(LOGGER, "Error opening feed %s: %s", o.uri, msg);
        if (fs->c)
            kumo_crawler_stats_incf(fs->c, 1, "feedexport/failed_count/%s", storage_name(sl));
        rc = KUMO_OK;
    }
out:
    kumo__buf_release(&uri);
    kumo__buf_release(&path);
    return rc;
}

/* Close the open batch: the feed logs "Stored ..." itself; count Scrapy's stats. */
static void close_batch(kumo_feedset *fs, feedslot *sl)
{
    if (!sl->f)
        return;
    size_t n;
    int rc = kumo__feed_close(sl->f, &n);
    sl->f = NULL;
    if (!fs->c)
        return;
    if (rc != KUMO_OK)
        kumo_crawler_stats_incf(fs->c, 1, "feedexport/failed_count/%s", storage_name(sl));
    else if (n || sl->store_empty)
        kumo_crawler_stats_incf(fs->c, 1, "feedexport/success_count/%s", storage_name(sl));
}

/* kumo__feedset_new(), or with open false kumo__feedset_check(): everything but the files. */
static int feedset_new(kumo_feedset **out, const char *feeds, kumo_crawler *c,
                       const char *spider, const kumo_map *args, bool repair,
                       double (*now)(void), bool open, char *err, size_t errlen)
{
    char msg[256];
    *out = NULL;
    if (!feeds || !*feeds)
        return KUMO_EDECLINED;
    kumo_value v;
    if (kumo__json_parse(feeds, strlen(feeds), &v, msg, sizeof(msg)) != KUMO_OK) {
        kumo__err_printf(err, errlen, "FEEDS: not a JSON object: %s", msg);
        return KUMO_EINVAL;
    }
    if (!is_object(&v)) {
        kumo_val_clear(&v);
        kumo__err_printf(err, errlen, "FEEDS: not a JSON object {\"URI\": {\"format\": ...}, ...}");
        return KUMO_EINVAL;
    }
    if (v.u.list->len == 0) {
        kumo_val_clear(&v);
        return KUMO_EDECLINED;
    }
    kumo_feedset *fs = kumo_calloc(1, sizeof(*fs), KUMO_T_FEED, KUMO_V_NONE);
    fs->slots = kumo_calloc(v.u.list->len, sizeof(*fs->slots), KUMO_T_FEED, KUMO_V_NONE);
    fs->spider = kumo_strdup(spider ? spider : "items", KUMO_T_STR, KUMO_V_NONE);
    kumo_map_init(&fs->args, KUMO_T_FEED, KUMO_V_NONE);
    if (args)
        kumo_map_copy(&fs->args, args);
    fs->c = c;
    fs->repair = repair;
    fs->now = now ? now : wall_clock;
    int rc = KUMO_OK;
    for (size_t i = 0; rc == KUMO_OK && i < v.u.list->len; i++) {
        const kumo_value *key = &v.u.list->v[i].u.list->v[0];
        const kumo_value *opts = &v.u.list->v[i].u.list->v[1];
        if (kumo__json_get(&v, key->u.str.s) != opts)
            continue;   /* the same URI twice: the last one counts */
        feedslot *sl = &fs->slots[fs->n++];
        sl->label = kumo_strdup(key->u.str.s, KUMO_T_STR, KUMO_V_NONE);
        sl->batch_id = 1;
        if (!is_object(opts)) {
            kumo__err_printf(err, errlen, "FEEDS: feed '%s': options must be a JSON object",
                            sl->label);
            rc = KUMO_EINVAL;
        }
        if (rc == KUMO_OK)
            rc = read_options(sl, opts, c, err, errlen);
        if (rc == KUMO_OK)
            rc = read_uri(sl, err, errlen);
    }
    kumo_val_clear(&v);
    /* every entry is checked before any file opens: a bad one leaves no file behind */
    for (size_t i = 0; rc == KUMO_OK && i < fs->n; i++)
        rc = open_batch(fs, &fs->slots[i], true, err, errlen);
    for (size_t i = 0; rc == KUMO_OK && open && i < fs->n; i++)
        rc = open_batch(fs, &fs->slots[i], false, err, errlen);
    if (rc != KUMO_OK || !open) {
        kumo__feedset_free(fs);
        return rc;
    }
    *out = fs;
    return KUMO_OK;
}

int kumo__feedset_new(kumo_feedset **out, const char *feeds, kumo_crawler *c,
                     const char *spider, const kumo_map *args, bool repair,
                     double (*now)(void), char *err, size_t errlen)
{
    return feedset_new(out, feeds, c, spider, args, repair, now, true, err, errlen);
}

int kumo__feedset_check(const char *feeds, kumo_crawler *c, const char *spider,
                        const kumo_map *args, double (*now)(void), char *err, size_t errlen)
{
    kumo_feedset *fs;
    return feedset_new(&fs, feeds, c, spider, args, false, now, false, err, errlen);
}

void kumo__feedset_write(kumo_feedset *fs, kumo_item *item)
{
    char err[512];
    for (size_t i = 0; fs && i < fs->n; i++) {
        feedslot *sl = &fs->slots[i];
        if (!sl->f)
            continue;
        kumo__feed_write(sl->f, item);
        if (sl->batch_item_count <= 0 || kumo__feed_count(sl->f) < (size_t)sl->batch_item_count)
            continue;
        /* as Scrapy: the full batch is stored and the next file opens at once */
        close_batch(fs, sl);
        sl->batch_id++;
        if (open_batch(fs, sl, false, err, sizeof(err)) != KUMO_OK)
            KUMO_ERROR(LOGGER, "%s", err);
    }
}

void kumo__feedset_flush(kumo_feedset *fs)
{
    for (size_t i = 0; fs && i < fs->n; i++)
        if (fs->slots[i].f)
            kumo__feed_flush(fs->slots[i].f);
}

void kumo__feedset_close(kumo_feedset *fs)
{
    for (size_t i = 0; fs && i < fs->n; i++) {
        close_batch(fs, &fs->slots[i]);
        fs->slots[i].batch_item_count = 0;
    }
}

void kumo__feedset_free(kumo_feedset *fs)
{
    if (!fs)
        return;
    kumo__feedset_close(fs);
    for (size_t i = 0; i < fs->n; i++)
        slot_release(&fs->slots[i]);
    kumo_free(fs->slots);
    kumo_free(fs->spider);
    kumo_map_release(&fs->args);
    kumo_free(fs);
}
