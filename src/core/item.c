/* item.c - the Item object: ordered fields of typed values; the reason of a drop. */
#include "core/item.h"
#include "util/json.h"

/*
 * The reason given by the last kumo_item_drop(): one slot per thread is enough, since the
 * pipelines handle one item at a time and the chain reads the reason right after the hook
 * returns (and the item_dropped signal right after that).  Forgotten when its item is freed,
 * so a new item at the same address never inherits it.
 */
static _Thread_local struct {
    const kumo_item *item;
    char text[1024];
} drop;

static void retain(kumo_ref *r)
{
    kumo_item_ref((kumo_item *)r);
}

static void release(kumo_ref *r)
{
    kumo_item_unref((kumo_item *)r);
}

/* What an item holds: objects in its fields, at "['field']". */
static void refs(const kumo_ref *r, kumo_ref_visit_fn visit, void *ctx)
{
    kumo_map_refs(&((const kumo_item *)r)->fields, "", visit, ctx);
}

static unsigned refcount(const kumo_ref *r)
{
    return ((const kumo_item *)r)->refcount;
}

/* An Item held in a value (a nested dict) is written as a JSON object. */
static int item_json(kumo_buf *b, const kumo_ref *obj, const char *item_sep)
{
    if (obj->cls != &KUMO_CLASS(Item))
        return KUMO_EDECLINED;
    return kumo__json_map(b, &((const kumo_item *)obj)->fields, item_sep, ": ");
}

kumo_item *kumo_item_new(void)
{
    if (!KUMO_CLASS(Item).retain) {
        KUMO_CLASS(Item).retain = retain;
        KUMO_CLASS(Item).release = release;
        KUMO_CLASS(Item).refs = refs;
        KUMO_CLASS(Item).refcount = refcount;
        kumo__json_obj_hook = item_json;
    }
    kumo_item *item = kumo_calloc(1, sizeof(*item), KUMO_T_ITEM, KUMO_V_NONE);
    kumo_ref_init(&item->ref, &KUMO_CLASS(Item));
    item->refcount = 1;
    kumo_map_init(&item->fields, KUMO_T_DICT, KUMO_V_ITEMS);
    return item;
}

kumo_item *kumo_item_ref(kumo_item *item)
{
    kumo_assert(item->refcount > 0);
    item->refcount++;
    return item;
}

void kumo_item_unref(kumo_item *item)
{
    if (!item)
        return;
    kumo_assert(item->refcount > 0);
    if (--item->refcount)
        return;
    if (drop.item == item)
        drop.item = NULL;
    kumo_ref_fini(&item->ref);
    kumo_map_release(&item->fields);
    kumo_free(item);
}

void kumo_item_set(kumo_item *item, const char *field, kumo_value v)
{
    kumo_map_set(&item->fields, field, v);
}

void kumo_item_set_str(kumo_item *item, const char *field, const char *s)
{
    kumo_map_set(&item->fields, field, s ? kumo_val_str(s) : kumo_val_none());
}

void kumo_item_set_int(kumo_item *item, const char *field, int64_t i)
{
    kumo_map_set(&item->fields, field, kumo_val_int(i));
}

void kumo_item_set_float(kumo_item *item, const char *field, double f)
{
    kumo_map_set(&item->fields, field, kumo_val_float(f));
}

kumo_map *kumo_item_fields(kumo_item *item)
{
    return &item->fields;
}

int kumo_item_drop(kumo_item *item, const char *fmt, ...)
{
    drop.item = item;
    drop.text[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(drop.text, sizeof(drop.text), fmt, ap);
        va_end(ap);
    }
    return KUMO_EIGNORED;
}

const char *kumo_item_drop_reason(const kumo_item *item)
{
    return item && drop.item == item ? drop.text : NULL;
}
