/* view.h - what every console view of a kumo object builds on: the view of a tracked
 * object (held by reference, or looked up while alive), the registry from class to view
 * type the views fill at start, and kumo values as console values. */
#ifndef KUMO_CONSOLE_VIEW_H
#define KUMO_CONSOLE_VIEW_H

#include "console/namespace.h"

/* A view of a tracked object: one reference when its class is shared; otherwise the
 * object is looked up in its class's live list on every use (it may be gone).  The p of
 * the cval of every view type that uses CO_TREF_SLOTS. */
typedef struct co_tref {
    kumo_ref *obj;
    char *cls_name;             /* owned: to find the class again when not shared */
    bool shared;
    char *query;                /* owned: the XPath a selector came from, or NULL */
} co_tref;

void co_tref_free(void *p);
/* The object, or NULL with ReferenceError raised when an unshared object is gone. */
kumo_ref *co_tref_obj(cv_ctx *c, cval *self);
const char *co_tref_tname(cval *self);
int co_tref_same(cval *a, cval *b);

/* The slots every view of a tracked object shares: its class name, identity, lifetime. */
#define CO_TREF_SLOTS \
    .tname = co_tref_tname, .same = co_tref_same, .free = co_tref_free, .ref = co_tref_obj

/* Show objects of class cls (and its subclasses) with vt (borrowed, static).  Called by
 * the views at start; classes nobody registers get a plain "<Class object at 0x...>". */
void co_view_register(const kumo_class *cls, const cv_vtable *vt);

/* A console view of a tracked object, holding one reference on it (or, for classes that
 * are not shared, checking it is still alive on each use).  New reference. */
cval *co_from_ref(kumo_ref *obj);

/* Remember the query a selector view came from (copied; q may be NULL).  Returns v. */
cval *co_with_query(cval *v, const char *q);

/* Convert kumo values and maps (meta, item fields, stats) into console values. */
cval *co_from_value(cv_ctx *c, const kumo_value *v);
cval *co_from_map(cv_ctx *c, const kumo_map *m);

/* KUMO_OK when the call has no arguments, else TypeError raised. */
int co_no_args(cv_ctx *c, const char *fname, const cv_args *a);

/* In a getattr hook: return the method fn bound to self when name is nm. */
#define CO_METHOD(nm, fn) \
    if (strcmp(name, nm) == 0) \
        return cv_func(nm, fn, self)

#endif
