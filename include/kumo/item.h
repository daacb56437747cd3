/* kumo/item.h - scraped items: ordered fields of typed values. */
#ifndef KUMO_ITEM_H
#define KUMO_ITEM_H

#include <stdint.h>
#include "kumo/value.h"

typedef struct kumo_item kumo_item;

/* Returns a new reference to an empty item. */
kumo_item *kumo_item_new(void);
kumo_item *kumo_item_ref(kumo_item *item);
void kumo_item_unref(kumo_item *item);

/* Set a field, replacing an old value (fields keep their first insertion order). */
void kumo_item_set(kumo_item *item, const char *field, kumo_value v);   /* takes ownership */
void kumo_item_set_str(kumo_item *item, const char *field, const char *s);  /* copies; NULL: None */
void kumo_item_set_int(kumo_item *item, const char *field, int64_t i);
void kumo_item_set_float(kumo_item *item, const char *field, double f);

/* The fields, borrowed, valid while the item lives. */
kumo_map *kumo_item_fields(kumo_item *item);

#endif
