/* feed_csv.c - the CSV feed format: Python's csv.writer as Scrapy's CsvItemExporter uses it. */
#include "pipeline/feed.h"
#include "util/json.h"

#include <inttypes.h>
#include <math.h>

#define TRY(x)                      \
    do {                            \
        int try_rc_ = (x);          \
        if (try_rc_ != KUMO_OK)     \
            return try_rc_;         \
    } while (0)

#define REPR_DEPTH 32   /* deeper nesting prints as [...] or {...} */

/* The containers being printed, outermost first: an item inside itself prints as {...}. */
typedef struct repr_path {
    const kumo_ref *obj[REPR_DEPTH];   /* NULL for a list level */
    int depth;
} repr_path;

/* The columns, fixed by the first item, and a scratch buffer for one cell. */
typedef struct csv_state {
    char **cols;
    size_t ncols;
    kumo_buf cell;
} csv_state;

static int put_text(kumo_buf *b, const kumo_value *v, bool repr, repr_path *path);

/*
 * Length of the UTF-8 sequence at p[0..n), at least 1, and its code point when valid.  An
 * invalid sequence is its maximal subpart, as util/json.c and Python's errors="replace"
 * take it; it stands for U+FFFD.
 */
static size_t utf8_seq(const unsigned char *p, size_t n, bool *ok, uint32_t *cp)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t need;
    *ok = false;
    *cp = 0xfffd;
    if (c < 0x80) {
        *ok = true;
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 1;
    }
    if (n < 2 || p[1] < lo || p[1] > hi)
        return 1;
    size_t i = 2;
    while (i < need && i < n && p[i] >= 0x80 && p[i] <= 0xbf)
        i++;
    if (i < need)
        return i;
    uint32_t v = c & (0x7f >> need);
    for (size_t k = 1; k < need; k++)
        v = v << 6 | (p[k] & 0x3f);
    *ok = true;
    *cp = v;
    return need;
}

/* Append s[0..len) with each invalid UTF-8 sequence replaced by U+FFFD. */
static int put_utf8(kumo_buf *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t run = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        bool ok;
        uint32_t cp;
        size_t n = utf8_seq(s + i, len - i, &ok, &cp);
        if (!ok) {
            TRY(kumo_buf_add(b, s + run, i - run));
            TRY(kumo_buf_adds(b, "\xef\xbf\xbd"));
            run = i + n;
        }
        i += n;
    }
    return kumo_buf_add(b, s + run, len - run);
}

/* Python's str.isprintable() for a non-ASCII code point, for the common cases. */
static bool py_printable(uint32_t c)
{
    static const uint32_t unprintable[][2] = {
        {0x80, 0xa0}, {0xad, 0xad}, {0x1680, 0x1680}, {0x180e, 0x180e},
        {0x2000, 0x200f}, {0x2028, 0x202f}, {0x205f, 0x2064}, {0x2066, 0x206f},
        {0x3000, 0x3000}, {0xe000, 0xf8ff}, {0xfeff, 0xfeff}, {0xfff9, 0xfffb},
        {0xf0000, 0x10ffff},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(unprintable); i++)
        if (c >= unprintable[i][0] && c <= unprintable[i][1])
            return false;
    return true;
}

/* Python's repr() of a str: 'x' (or "x" when it holds ' and no "), with its escapes. */
static int put_repr_str(kumo_buf *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    char quote = memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';
    TRY(kumo_buf_addc(b, quote));
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c == quote || c == '\\') {
            TRY(kumo_buf_addc(b, '\\'));
            TRY(kumo_buf_addc(b, (char)c));
        } else if (c == '\t' || c == '\n' || c == '\r') {
            TRY(kumo_buf_adds(b, c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r"));
        } else if (c < 0x20 || c == 0x7f) {
            TRY(kumo_buf_printf(b, "\\x%02x", c));
        } else if (c < 0x80) {
            TRY(kumo_buf_addc(b, (char)c));
        } else {
            bool ok;
            uint32_t cp;
            size_t n = utf8_seq(s + i, len - i, &ok, &cp);
            if (!ok) {
                TRY(kumo_buf_adds(b, "\xef\xbf\xbd"));     /* U+FFFD, printable */
            } else if (py_printable(cp)) {
                TRY(kumo_buf_add(b, s + i, n));
            } else {
                const char *fmt = cp <= 0xff ? "\\x%02" PRIx32
                                : cp <= 0xffff ? "\\u%04" PRIx32 : "\\U%08" PRIx32;
                TRY(kumo_buf_printf(b, fmt, cp));
            }
            i += n;
            continue;
        }
        i++;
    }
    return kumo_buf_addc(b, quote);
}

/* Python's repr() of a float: the JSON writer's digits, with Python's nan and inf. */
static int put_float(kumo_buf *b, double f)
{
    if (isnan(f))
        return kumo_buf_adds(b, "nan");
    if (isinf(f))
        return kumo_buf_adds(b, f > 0 ? "inf" : "-inf");
    kumo_value v = kumo_val_float(f);
    return kumo_json_value(b, &v);
}

/* str() of a tracked object: Scrapy's forms for requests and responses, a dict for items. */
static int put_obj(kumo_buf *b, kumo_ref *obj, repr_path *path)
{
    if (kumo_class_is(obj->cls, &KUMO_CLASS(Request))) {
        const kumo_request *req = (const kumo_request *)obj;
        return kumo_buf_printf(b, "<%s %s>", kumo_request_method(req), kumo_request_url(req));
    }
    if (kumo_class_is(obj->cls, &KUMO_CLASS(Response))) {
        const kumo_response *res = (const kumo_response *)obj;
        return kumo_buf_printf(b, "<%d %s>", kumo_response_status(res), kumo_response_url(res));
    }
    if (!kumo_class_is(obj->cls, &KUMO_CLASS(Item)))
        return kumo_buf_printf(b, "<%s>", obj->cls->name);
    bool seen = path->depth >= REPR_DEPTH;
    for (int i = 0; i < path->depth && !seen; i++)
        seen = path->obj[i] == obj;
    if (seen)
        return kumo_buf_adds(b, "{...}");
    const kumo_map *m = kumo_item_fields((kumo_item *)obj);
    path->obj[path->depth++] = obj;
    int rc = kumo_buf_addc(b, '{');
    for (size_t i = 0; i < m->len && rc == KUMO_OK; i++) {
        rc = i ? kumo_buf_adds(b, ", ") : KUMO_OK;
        if (rc == KUMO_OK)
            rc = put_repr_str(b, m->e[i].key, strlen(m->e[i].key));
        if (rc == KUMO_OK)
            rc = kumo_buf_adds(b, ": ");
        if (rc == KUMO_OK)
            rc = put_text(b, &m->e[i].val, true, path);
    }
    path->depth--;
    return rc != KUMO_OK ? rc : kumo_buf_addc(b, '}');
}

static bool all_strings(const kumo_vlist *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (l->v[i].type != KUMO_VAL_STR)
            return false;
    return true;
}

/*
 * The text of a value as the csv module writes it: str(v), with Scrapy's join of a list
 * of strings by ",".  With repr, Python's repr() (the elements of a list).
 */
static int put_text(kumo_buf *b, const kumo_value *v, bool repr, repr_path *path)
{
    switch (v->type) {
    case KUMO_VAL_NONE:
        return repr ? kumo_buf_adds(b, "None") : KUMO_OK;
    case KUMO_VAL_BOOL:
        return kumo_buf_adds(b, v->u.b ? "True" : "False");
    case KUMO_VAL_INT:
        return kumo_buf_printf(b, "%" PRId64, v->u.i);
    case KUMO_VAL_FLOAT:
        return put_float(b, v->u.f);
    case KUMO_VAL_STR:
        return repr ? put_repr_str(b, v->u.str.s, v->u.str.len)
                    : put_utf8(b, v->u.str.s, v->u.str.len);
    case KUMO_VAL_OBJ:
        return put_obj(b, v->u.obj, path);
    case KUMO_VAL_LIST:
        break;
    }
    const kumo_vlist *l = v->u.list;
    if (!repr && all_strings(l)) {
        for (size_t i = 0; i < l->len; i++) {
            if (i)
                TRY(kumo_buf_addc(b, ','));
            TRY(put_utf8(b, l->v[i].u.str.s, l->v[i].u.str.len));
        }
        return KUMO_OK;
    }
    if (path->depth >= REPR_DEPTH)
        return kumo_buf_adds(b, "[...]");
    path->obj[path->depth++] = NULL;
    int rc = kumo_buf_addc(b, '[');
    for (size_t i = 0; i < l->len && rc == KUMO_OK; i++) {
        rc = i ? kumo_buf_adds(b, ", ") : KUMO_OK;
        if (rc == KUMO_OK)
            rc = put_text(b, &l->v[i], true, path);
    }
    path->depth--;
    return rc != KUMO_OK ? rc : kumo_buf_addc(b, ']');
}

/*
 * One cell, QUOTE_MINIMAL of the excel dialect: quoted (with "" for ") when it holds a
 * comma, a quote, \r or \n, or when it is empty and the only cell of its row.
 */
static int put_cell(kumo_buf *b, const char *s, size_t len, bool only)
{
    bool quote = len == 0 && only;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote)
        return kumo_buf_add(b, s, len);
    TRY(kumo_buf_addc(b, '"'));
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            TRY(kumo_buf_addc(b, '"'));
        TRY(kumo_buf_addc(b, s[i]));
    }
    return kumo_buf_addc(b, '"');
}

static void csv_release(kumo_feed *f)
{
    csv_state *st = f->state;
    if (!st)
        return;
    for (size_t i = 0; i < st->ncols; i++)
        kumo_free(st->cols[i]);
    kumo_free(st->cols);
    kumo_buf_release(&st->cell);
    kumo_free(st);
    f->state = NULL;
}

/*
 * The fields option, else the first item, fixes the columns (Scrapy's fields_to_export)
 * and the header.  Rows look their cells up by output name in the item's view.
 */
static int csv_header(kumo_feed *f, const kumo_map *fields)
{
    csv_state *st = kumo_calloc(1, sizeof(*st), KUMO_T_FEED, KUMO_V_NONE);
    kumo_buf_init(&st->cell, 0, KUMO_T_FEED, KUMO_V_NONE);
    st->ncols = f->nfields ? f->nfields : fields->len;
    st->cols = kumo_calloc(st->ncols ? st->ncols : 1, sizeof(*st->cols), KUMO_T_FEED,
                           KUMO_V_NONE);
    for (size_t i = 0; i < st->ncols; i++)
        st->cols[i] = kumo_strdup(f->nfields ? f->names[i] : fields->e[i].key, KUMO_T_STR,
                                  KUMO_V_NONE);
    f->state = st;
    for (size_t i = 0; i < st->ncols; i++) {
        if (i)
            TRY(kumo_buf_addc(&f->out, ','));
        TRY(put_cell(&f->out, st->cols[i], strlen(st->cols[i]), st->ncols == 1));
    }
    return kumo_buf_adds(&f->out, "\r\n");
}

static int csv_row(kumo_feed *f, const kumo_map *fields)
{
    csv_state *st = f->state;
    for (size_t i = 0; i < st->ncols; i++) {
        if (i)
            TRY(kumo_buf_addc(&f->out, ','));
        const kumo_value *v = kumo_map_get(fields, st->cols[i]);
        repr_path path = {.depth = 0};
        kumo_buf_reset(&st->cell);
        if (v)
            TRY(put_text(&st->cell, v, false, &path));
        TRY(put_cell(&f->out, kumo_buf_str(&st->cell), st->cell.len, st->ncols == 1));
    }
    return kumo_buf_adds(&f->out, "\r\n");
}

static int csv_item(kumo_feed *f, const kumo_map *fields)
{
    bool first = f->state == NULL;
    int rc = first ? csv_header(f, fields) : KUMO_OK;
    if (rc == KUMO_OK)
        rc = csv_row(f, fields);
    if (rc != KUMO_OK && first)
        csv_release(f);     /* feed.c drops the header bytes: the next item writes them */
    return rc;
}

static const char *const csv_exts[] = {"csv", NULL};

const kumo_feed_fmt kumo__feed_csv = {
    .name = "csv",
    .exts = csv_exts,
    .item = csv_item,
    .release = csv_release,
};
