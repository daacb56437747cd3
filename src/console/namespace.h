/* namespace.h - the console's namespace: the names a line can use without defining them
 * (registered in tables by builtins.c and the views), the modules `import` and
 * `from X import y` accept, and classes and modules as values. */
#ifndef KUMO_CONSOLE_NAMESPACE_H
#define KUMO_CONSOLE_NAMESPACE_H

#include "console/eval.h"

/* One name of the console's namespace: a function, a value made on demand, or a class. */
typedef struct cn_entry {
    const char *name;
    const char *usage;                      /* "prefs(ignore=())", or NULL: the name */
    const char *help;                       /* one line for help() */
    cv_fn fn;                               /* a function, or NULL */
    cval *(*make)(cv_ctx *c);               /* a value (engine, stats...), or NULL */
    kumo_class *cls;                        /* a class value, or NULL */
    bool hidden;                            /* importable, but not listed by help() */
} cn_entry;

/* Where a table goes in help()'s listing: lower orders first. */
enum {
    CN_ORDER_HEAP = 10,         /* view_heap.c: prefs(), hpy, mem()... */
    CN_ORDER_CRAWL = 20,        /* view_crawl.c: est(), engine, stats... */
    CN_ORDER_CLASSES = 30,      /* view_http.c then view_crawl.c: Request... Spider */
    CN_ORDER_PYTHON = 40,       /* builtins.c: len(), print()... */
};

/* Set up the namespace: the built-in types (ce_init()) and the evaluator's names hook.
 * Idempotent.  Tables are registered after it. */
void cn_init(void);

/* Add n entries of tab (borrowed, valid for the process) at help() position order (tables
 * of equal order keep their registration order).  Registering the same tab twice is a
 * no-op. */
void cn_register(const cn_entry *tab, size_t n, int order);

/* Call fn(entry, ctx) for every entry, hidden ones too, in help() order. */
void cn_each(void (*fn)(const cn_entry *e, void *ctx), void *ctx);

/* Returns the entry named name, or NULL. */
const cn_entry *cn_find(const char *name);

/* Returns a new reference to the entry's value, or NULL with an error raised. */
cval *cn_value(cv_ctx *c, const cn_entry *e);

/* help(x): the listing of every entry that is not hidden, one builtin's usage, or the
 * attributes of x.  A cv_fn for builtins.c's table. */
cval *cn_help(cv_ctx *c, cval *self, const cv_args *a);

/* `from module import name`: a new reference, or NULL with ImportError /
 * ModuleNotFoundError raised.  name "*" binds every name of module into the session. */
cval *cn_import_name(cv_ctx *c, const char *module, const char *name);
int cn_import_star(cv_ctx *c, const char *module);

/* `import module`: a new module object, or NULL with ModuleNotFoundError raised. */
cval *cn_import_module(cv_ctx *c, const char *module);

/* A class as a value (Request, HtmlResponse...), and the class a value names (or NULL). */
cval *cn_class(kumo_class *cls);
kumo_class *cn_class_of(cval *v);
/* Whether v is a class value at all (type(1) is one, but names no kumo class). */
bool cn_is_class(cval *v);
/* The type of any value as a class value (type(x)); new reference. */
cval *cn_type_of(cval *v);
/* Whether v is a view of a tracked object of class cls or a subclass of it. */
bool cn_isinstance(cval *v, const kumo_class *cls);

#endif
