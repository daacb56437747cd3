/* kumo/value.h - typed values and small ordered maps (request meta, item fields, state). */
#ifndef KUMO_VALUE_H
#define KUMO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kumo/ref.h"

typedef enum kumo_vtype {
    KUMO_VAL_NONE,
    KUMO_VAL_BOOL,
    KUMO_VAL_INT,
    KUMO_VAL_FLOAT,
    KUMO_VAL_STR,       /* UTF-8 bytes, owned by the value, NUL-terminated */
    KUMO_VAL_OBJ,       /* a tracked object; the value holds one reference */
    KUMO_VAL_LIST,      /* a list of values, owned */
} kumo_vtype;

typedef struct kumo_value kumo_value;
typedef struct kumo_vlist {
    kumo_value *v;
    size_t len, cap;
} kumo_vlist;

struct kumo_value {
    kumo_vtype type;
    union {
        int b;
        int64_t i;
        double f;
        struct {
            char *s;
            size_t len;
        } str;
        kumo_ref *obj;
        kumo_vlist *list;
    } u;
};

typedef struct kumo_map_entry {
    char *key;
    kumo_value val;
} kumo_map_entry;

/* An insertion-ordered map of string keys to values.  Embedded: _init / _release. */
typedef struct kumo_map {
    kumo_map_entry *e;
    size_t len, cap;
    uint16_t type, via;   /* heap tags for its storage */
} kumo_map;

/* Values: constructors return values that own their contents. */
kumo_value kumo_val_none(void);
kumo_value kumo_val_bool(int b);
kumo_value kumo_val_int(int64_t i);
kumo_value kumo_val_float(double f);
kumo_value kumo_val_str(const char *s);                 /* copies s */
kumo_value kumo_val_strn(const char *s, size_t len);    /* copies len bytes */
kumo_value kumo_val_obj(kumo_ref *obj);                 /* takes a new reference on obj */
kumo_value kumo_val_list(void);                         /* an empty list */

/* Append v to a list value; takes ownership of v. */
void kumo_val_list_push(kumo_value *list, kumo_value v);

/* Returns a deep copy of v (objects get one more reference). */
kumo_value kumo_val_copy(const kumo_value *v);

/* Release what v owns and make it NONE. */
void kumo_val_clear(kumo_value *v);

/* Returns true when v is an object reference or a list holding one, at any depth: such a
 * value cannot be written as JSON (jobs save only plain values). */
bool kumo_val_holds_object(const kumo_value *v);

/*
 * Report each tracked object v holds (a KUMO_VAL_OBJ, at any depth of lists) to visit
 * (kumo/ref.h), with place: place then "[i]" per list level ("['page']", ".kept[3][0]").
 * place is borrowed for the call; paths longer than 255 bytes are cut.
 */
void kumo_val_refs(const kumo_value *v, const char *place, kumo_ref_visit_fn visit, void *ctx);

/* The same for each value of m, at prefix + "['key']" (".meta['referer']"). */
void kumo_map_refs(const kumo_map *m, const char *prefix, kumo_ref_visit_fn visit, void *ctx);

/* Embedded map lifecycle; type/via tag its storage in the heap view. */
void kumo_map_init(kumo_map *m, uint16_t type, uint16_t via);
void kumo_map_release(kumo_map *m);

/* Set key to v, replacing an old value; takes ownership of v. */
void kumo_map_set(kumo_map *m, const char *key, kumo_value v);

/* Returns the value of key, or NULL.  Borrowed, valid until the map changes. */
kumo_value *kumo_map_get(const kumo_map *m, const char *key);

/* Remove key; returns 1 if it was there. */
int kumo_map_del(kumo_map *m, const char *key);

/* Typed reads with a default when the key is missing or of another type. */
int64_t kumo_map_get_int(const kumo_map *m, const char *key, int64_t def);

/* v as an integer: an int, a float (truncated) or a bool; def for NULL or any other type. */
int64_t kumo_val_as_int(const kumo_value *v, int64_t def);
const char *kumo_map_get_str(const kumo_map *m, const char *key, const char *def);

/* Copy every entry of src into dst (values copied). */
void kumo_map_copy(kumo_map *dst, const kumo_map *src);

#endif
