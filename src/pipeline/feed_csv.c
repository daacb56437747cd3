/* feed_csv.c - the CSV feed format: Python's csv.writer as Scrapy's CsvItemExporter uses it. */
#include "pipeline/feed.h"
#include "util/utf8.h"

#include <inttypes.h>

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
    KUMO_TRY(kumo__buf_addc(b, quote));
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c == quote || c == '\\') {
            KUMO_TRY(kumo__buf_addc(b, '\\'));
            KUMO_TRY(kumo__buf_addc(b, (char)c));
        } else if (c == '\t' || c == '\n' || c == '\r') {
            KUMO_TRY(kumo__buf_adds(b, c == '\t' ? "\\t" : c == '\n' ? "\\n" : "\\r"));
        } else if (c < 0x20 || c == 0x7f) {
            KUMO_TRY(kumo__buf_printf(b, "\\x%02x", c));
        } else if (c < 0x80) {
            KUMO_TRY(kumo__buf_addc(b, (char)c));
        } else {
            bool ok;
            uint32_t cp;
            size_t n = kumo__utf8_decode(s + i, len - i, &ok, &cp);
            if (!ok) {
                KUMO_TRY(kumo__buf_adds(b, "\xef\xbf\xbd"));     /* U+FFFD, printable */
            } else if (py_printable(cp)) {
                KUMO_TRY(kumo__buf_add(b, s + i, n));
            } else {
                const char *fmt = cp <= 0xff ? "\\x%02" PRIx32
                                : cp <= 0xffff ? "\\u%04" PRIx32 : "\\U%08" PRIx32;
                KUMO_TRY(kumo__buf_printf(b, fmt, cp));
            }
            i += n;
            continue;
        }
        i++;
    }
    return kumo__buf_addc(b, quote);
}

/* str() of a tracked object: Scrapy's forms for requests and responses, a dict for items. */
static int put_obj(kumo_buf *b, kumo_ref *obj, repr_path *path)
{
    if (!kumo_class_is(obj->cls, &KUMO_CLASS(Item)))
        return kumo__buf_add_repr(b, obj);
    bool seen = path->depth >= REPR_DEPTH;
    for (int i = 0; i < path->depth && !seen; i++)
        seen = path->obj[i] == obj;
    if (seen)
        return kumo__buf_adds(b, "{...}");
    const kumo_map *m = kumo_item_fields((kumo_item *)obj);
    path->obj[path->depth++] = obj;
    int rc = kumo__buf_addc(b, '{');
    for (size_t i = 0; i < m->len && rc == KUMO_OK; i++) {
        rc = i ? kumo__buf_adds(b, ", ") : KUMO_OK;
        if (rc == KUMO_OK)
            rc = put_repr_str(b, m->e[i].key, strlen(m->e[i].key));
        if (rc == KUMO_OK)
            rc = kumo__buf_adds(b, ": ");
        if (rc == KUMO_OK)
            rc = put_text(b, &m->e[i].val, true, path);
    }
    path->depth--;
    return rc != KUMO_OK ? rc : kumo__buf_addc(b, '}');
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
        return repr ? kumo__feed_scalar(b, v) : KUMO_OK;   /* the csv module writes "" */
    case KUMO_VAL_BOOL:
    case KUMO_VAL_INT:
    case KUMO_VAL_FLOAT:
        return kumo__feed_scalar(b, v);
    case KUMO_VAL_STR:
        return repr ? put_repr_str(b, v->u.str.s, v->u.str.len)
                    : kumo__buf_add_utf8(b, v->u.str.s, v->u.str.len);
    case KUMO_VAL_OBJ:
        return put_obj(b, v->u.obj, path);
    case KUMO_VAL_LIST:
        break;
    }
    const kumo_vlist *l = v->u.list;
    if (!repr && all_strings(l)) {
        for (size_t i = 0; i < l->len; i++) {
            if (i)
                KUMO_TRY(kumo__buf_addc(b, ','));
            KUMO_TRY(kumo__buf_add_utf8(b, l->v[i].u.str.s, l->v[i].u.str.len));
        }
        return KUMO_OK;
    }
    if (path->depth >= REPR_DEPTH)
        return kumo__buf_adds(b, "[...]");
    path->obj[path->depth++] = NULL;
    int rc = kumo__buf_addc(b, '[');
    for (size_t i = 0; i < l->len && rc == KUMO_OK; i++) {
        rc = i ? kumo__buf_adds(b, ", ") : KUMO_OK;
        if (rc == KUMO_OK)
            rc = put_text(b, &l->v[i], true, path);
    }
    path->depth--;
    return rc != KUMO_OK ? rc : kumo__buf_addc(b, ']');
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
        return kumo__buf_add(b, s, len);
    KUMO_TRY(kumo__buf_addc(b, '"'));
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            KUMO_TRY(kumo__buf_addc(b, '"'));
        KUMO_TRY(kumo__buf_addc(b, s[i]));
    }
    return kumo__buf_addc(b, '"');
}

static void csv_release(kumo_feed *f)
{
    csv_state *st = f->state;
    if (!st)
        return;
    for (size_t i = 0; i < st->ncols; i++)
        kumo_free(st->cols[i]);
    kumo_free(st->cols);
    kumo__buf_release(&st->cell);
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
    kumo__buf_init(&st->cell, 0, KUMO_T_FEED, KUMO_V_NONE);
    st->ncols = f->nfields ? f->nfields : fields->len;
    st->cols = kumo_calloc(st->ncols ? st->ncols : 1, sizeof(*st->cols), KUMO_T_FEED,
                           KUMO_V_NONE);
    for (size_t i = 0; i < st->ncols; i++)
        st->cols[i] = kumo_strdup(f->nfields ? f->names[i] : fields->e[i].key, KUMO_T_STR,
                                  KUMO_V_NONE);
    f->state = st;
    for (size_t i = 0; i < st->ncols; i++) {
        if (i)
            KUMO_TRY(kumo__buf_addc(&f->out, ','));
        KUMO_TRY(put_cell(&f->out, st->cols[i], strlen(st->cols[i]), st->ncols == 1));
    }
    return kumo__buf_adds(&f->out, "\r\n");
}

static int csv_row(kumo_feed *f, const kumo_map *fields)
{
    csv_state *st = f->state;
    for (size_t i = 0; i < st->ncols; i++) {
        if (i)
            KUMO_TRY(kumo__buf_addc(&f->out, ','));
        const kumo_value *v = kumo_map_get(fields, st->cols[i]);
        repr_path path = {.depth = 0};
        kumo__buf_reset(&st->cell);
        if (v)
            KUMO_TRY(put_text(&st->cell, v, false, &path));
        KUMO_TRY(put_cell(&f->out, kumo__buf_str(&st->cell), st->cell.len, st->ncols == 1));
    }
    return kumo__buf_adds(&f->out, "\r\n");
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
