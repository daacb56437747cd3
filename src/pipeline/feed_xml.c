/* feed_xml.c - the XML feed format: Scrapy's XmlItemExporter on Python's XMLGenerator. */
#include "pipeline/feed.h"
#include "util/utf8.h"

#define XML_DEPTH 32    /* nested items deeper than this (a cycle) are left empty */

/* indent * depth spaces, when indent > 0 (_beautify_indent). */
static int put_indent(kumo_feed *f, int depth)
{
    for (int i = 0; i < f->indent * depth; i++)
        KUMO_TRY(kumo__buf_addc(&f->out, ' '));
    return KUMO_OK;
}

/* A newline when indent > 0, or for a new item when indent is not None (_beautify_newline). */
static int put_newline(kumo_feed *f, bool new_item)
{
    if (f->indent > 0 || (new_item && !f->indent_none))
        return kumo__buf_addc(&f->out, '\n');
    return KUMO_OK;
}

/* XMLGenerator.characters(): &, < and > escaped, invalid UTF-8 as U+FFFD. */
static int put_text(kumo_buf *b, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *rep = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;"
                                                                                      : NULL;
        if (!rep)
            continue;
        KUMO_TRY(kumo__buf_add_utf8(b, s + run, i - run));
        KUMO_TRY(kumo__buf_adds(b, rep));
        run = i + 1;
    }
    return kumo__buf_add_utf8(b, s + run, len - run);
}

/* str() of a value that is neither a list nor an item. */
static int put_scalar(kumo_buf *b, const kumo_value *v)
{
    if (v->type == KUMO_VAL_STR)
        return put_text(b, v->u.str.s, v->u.str.len);
    if (v->type != KUMO_VAL_OBJ)
        return kumo__feed_scalar(b, v);     /* KUMO_EINVAL for a list */
    kumo_buf tmp;
    kumo__buf_init(&tmp, 0, KUMO_T_STR, KUMO_V_NONE);
    int rc = kumo__buf_add_repr(&tmp, v->u.obj);
    if (rc == KUMO_OK)
        rc = put_text(b, tmp.s ? tmp.s : "", tmp.len);
    kumo__buf_release(&tmp);
    return rc;
}

static int put_field(kumo_feed *f, const char *name, const kumo_value *v, int depth)
{
    KUMO_TRY(put_indent(f, depth));
    KUMO_TRY(kumo__buf_printf(&f->out, "<%s>", name));
    bool is_item = v->type == KUMO_VAL_OBJ && kumo_class_is(v->u.obj->cls, &KUMO_CLASS(Item));
    if (is_item) {
        KUMO_TRY(put_newline(f, false));
        const kumo_map *m = kumo_item_fields((kumo_item *)v->u.obj);
        for (size_t i = 0; i < m->len && depth < XML_DEPTH; i++)
            KUMO_TRY(put_field(f, m->e[i].key, &m->e[i].val, depth + 1));
        KUMO_TRY(put_indent(f, depth));
    } else if (v->type == KUMO_VAL_LIST) {
        KUMO_TRY(put_newline(f, false));
        for (size_t i = 0; i < v->u.list->len && depth < XML_DEPTH; i++)
            KUMO_TRY(put_field(f, "value", &v->u.list->v[i], depth + 1));
        KUMO_TRY(put_indent(f, depth));
    } else {
        KUMO_TRY(put_scalar(&f->out, v));
    }
    KUMO_TRY(kumo__buf_printf(&f->out, "</%s>", name));
    return put_newline(f, false);
}

static int xml_start(kumo_feed *f)
{
    KUMO_TRY(kumo__buf_printf(&f->out, "<?xml version=\"1.0\" encoding=\"%s\"?>\n<items>",
                        f->enc_name ? f->enc_name : "utf-8"));
    return put_newline(f, true);
}

static int xml_item(kumo_feed *f, const kumo_map *fields)
{
    KUMO_TRY(put_indent(f, 1));
    KUMO_TRY(kumo__buf_adds(&f->out, "<item>"));
    KUMO_TRY(put_newline(f, false));
    for (size_t i = 0; i < fields->len; i++)
        KUMO_TRY(put_field(f, fields->e[i].key, &fields->e[i].val, 2));
    KUMO_TRY(put_indent(f, 1));
    KUMO_TRY(kumo__buf_adds(&f->out, "</item>"));
    return put_newline(f, true);
}

static int xml_finish(kumo_feed *f)
{
    return kumo__buf_adds(&f->out, "</items>");
}

static const char *const xml_exts[] = {"xml", NULL};

const kumo_feed_fmt kumo__feed_xml = {
    .name = "xml",
    .exts = xml_exts,
    .charrefs = true,
    .start = xml_start,
    .item = xml_item,
    .finish = xml_finish,
};
