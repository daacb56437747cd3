/* feed_json.c - the JSON feed format (one array of item objects) and its item writer. */
#include "pipeline/feed.h"
#include "util/json.h"

#define JSON_DEPTH 32   /* nested items deeper than this (a cycle) are written as null */

static int put_map(kumo_buf *b, const kumo_map *m, int indent, int level);

/* A newline and indent * level spaces (json.dumps with indent). */
static int newline(kumo_buf *b, int indent, int level)
{
    int rc = kumo__buf_addc(b, '\n');
    for (int i = 0; i < indent * level && rc == KUMO_OK; i++)
        rc = kumo__buf_addc(b, ' ');
    return rc;
}

/* One value: lists and nested items as json.dumps writes them, the rest as util/json.c. */
static int put_value(kumo_buf *b, const kumo_value *v, int indent, int level)
{
    if (v->type == KUMO_VAL_OBJ && kumo_class_is(v->u.obj->cls, &KUMO_CLASS(Item))) {
        if (level >= JSON_DEPTH)
            return kumo__buf_adds(b, "null");
        return put_map(b, kumo_item_fields((kumo_item *)v->u.obj), indent, level);
    }
    if (v->type != KUMO_VAL_LIST)
        return kumo__json_value(b, v);
    const kumo_vlist *l = v->u.list;
    if (l->len == 0)
        return kumo__buf_adds(b, "[]");
    if (level >= JSON_DEPTH)
        return kumo__buf_adds(b, "null");
    int rc = kumo__buf_addc(b, '[');
    for (size_t i = 0; i < l->len && rc == KUMO_OK; i++) {
        if (i)
            rc = kumo__buf_adds(b, indent > 0 ? "," : ", ");
        if (rc == KUMO_OK && indent > 0)
            rc = newline(b, indent, level + 1);
        if (rc == KUMO_OK)
            rc = put_value(b, &l->v[i], indent, level + 1);
    }
    if (rc == KUMO_OK && indent > 0)
        rc = newline(b, indent, level);
    return rc != KUMO_OK ? rc : kumo__buf_addc(b, ']');
}

static int put_map(kumo_buf *b, const kumo_map *m, int indent, int level)
{
    if (m->len == 0)
        return kumo__buf_adds(b, "{}");
    int rc = kumo__buf_addc(b, '{');
    for (size_t i = 0; i < m->len && rc == KUMO_OK; i++) {
        if (i)
            rc = kumo__buf_adds(b, indent > 0 ? "," : ", ");
        if (rc == KUMO_OK && indent > 0)
            rc = newline(b, indent, level + 1);
        if (rc == KUMO_OK)
            rc = kumo__json_str(b, m->e[i].key, strlen(m->e[i].key));
        if (rc == KUMO_OK)
            rc = kumo__buf_adds(b, ": ");
        if (rc == KUMO_OK)
            rc = put_value(b, &m->e[i].val, indent, level + 1);
    }
    if (rc == KUMO_OK && indent > 0)
        rc = newline(b, indent, level);
    return rc != KUMO_OK ? rc : kumo__buf_addc(b, '}');
}

int kumo__feed_json_item(kumo_buf *b, const kumo_map *fields, int indent)
{
    return put_map(b, fields, indent, 0);
}

int kumo__feed_json_value(kumo_buf *b, const kumo_value *v)
{
    return put_value(b, v, 0, 0);
}

/*
 * Scrapy's JsonItemExporter: "[" and a newline, the items separated by "," and a newline,
 * then a newline and "]" with no newline after it; with indent None no newlines at all.
 */
static int json_start(kumo_feed *f)
{
    return kumo__buf_adds(&f->out, f->indent_none ? "[" : "[\n");
}

static int json_item(kumo_feed *f, const kumo_map *fields)
{
    if (f->count) {
        int rc = kumo__buf_adds(&f->out, f->indent_none ? "," : ",\n");
        if (rc != KUMO_OK)
            return rc;
    }
    return kumo__feed_json_item(&f->out, fields, f->indent);
}

static int json_finish(kumo_feed *f)
{
    return kumo__buf_adds(&f->out, f->indent_none ? "]" : "\n]");
}

static const char *const json_exts[] = {"json", NULL};

const kumo_feed_fmt kumo__feed_json = {
    .name = "json",
    .exts = json_exts,
    .json = true,
    .start = json_start,
    .item = json_item,
    .finish = json_finish,
};
