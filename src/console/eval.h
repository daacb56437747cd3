/* eval.h - the console's evaluator, its session, and what builtins.c and objects.c share. */
#ifndef KUMO_CONSOLE_EVAL_H
#define KUMO_CONSOLE_EVAL_H

#include "console/cval.h"
#include "console/parser.h"
#include "console/repl.h"

#define CE_VARS_MAX 1000        /* variables one session may hold */

/* One console session: its variables (with `_`) and the crawl it looks at. */
struct kumo_repl {
    kumo_crawler *crawler;      /* borrowed; NULL: no crawl */
    char **names;               /* owned */
    cval **vals;                /* one reference each */
    size_t nvars, cap;
};

/* A comprehension's own names, searched before the session's. */
typedef struct ce_scope {
    struct ce_scope *up;
    char **names;               /* borrowed from the tree */
    cval **vals;                /* one reference each, NULL until bound */
    size_t n, cap;
} ce_scope;

/* ---- eval.c ---- */

/*
 * Execute one statement.  For an expression statement *result is set to a new reference
 * to its value; otherwise NULL.  Returns KUMO_OK, or KUMO_EINVAL with an error raised in c.
 */
int ce_exec(cv_ctx *c, const cp_node *stmt, cval **result);

/* Bind name in the session; takes ownership of v.  KUMO_OK or an error raised. */
int ce_var_set(cv_ctx *c, const char *name, cval *v);

/* obj.name, f(args): new references, or NULL with an error raised. */
cval *ce_getattr(cv_ctx *c, cval *obj, const char *name);
cval *ce_call(cv_ctx *c, cval *f, const cv_args *a);
cval *ce_getitem(cv_ctx *c, cval *obj, cval *key);

/*
 * Match a call's arguments against a signature: names[0..nnames) in order, of which the
 * first nreq are required.  out[i] is the borrowed argument or NULL.  KUMO_OK or a
 * Python-style TypeError raised ("get_oldest() missing 1 required positional argument").
 */
int ce_args(cv_ctx *c, const char *fname, const cv_args *a, const char *const *names,
            size_t nnames, size_t nreq, cval **out);

/* Python's binary operators (+, -, *...) on two values: a new reference or NULL. */
cval *ce_binop(cv_ctx *c, cp_op op, cval *a, cval *b);

/* The attribute names of v (dir()): a new list. */
cval *ce_dir(cv_ctx *c, cval *v);

/* Require a str argument; returns its text (borrowed) or NULL with a TypeError raised. */
const char *ce_arg_str(cv_ctx *c, const char *fname, cval *v);

/* ---- builtins.c ---- */

/* One name of the console's namespace: a function, or a value made on demand. */
typedef struct ce_builtin {
    const char *name;
    const char *usage;                      /* "prefs(ignore=())", or NULL: the name */
    const char *help;                       /* one line for help() */
    cv_fn fn;                               /* a function, or NULL */
    cval *(*make)(cv_ctx *c);               /* a value (engine, stats...), or NULL */
    kumo_class *cls;                        /* a class value, or NULL */
    bool hidden;                            /* importable, but not listed by help() */
} ce_builtin;

/* Returns the builtin named name, or NULL. */
const ce_builtin *ce_builtin_find(const char *name);

/* Returns a new reference to the builtin's value, or NULL with an error raised. */
cval *ce_builtin_value(cv_ctx *c, const ce_builtin *b);

/* `from module import name`: a new reference, or NULL with ImportError /
 * ModuleNotFoundError raised.  name "*" binds every name of module into the session. */
cval *ce_import_name(cv_ctx *c, const char *module, const char *name);
int ce_import_star(cv_ctx *c, const char *module);

/* `import module`: a new module object, or NULL with ModuleNotFoundError raised. */
cval *ce_import_module(cv_ctx *c, const char *module);

/* ---- objects.c ---- */

/* A console view of a tracked object, holding one reference on it (or, for classes that
 * are not shared, checking it is still alive on each use).  New reference. */
cval *co_from_ref(kumo_ref *obj);

/* The tracked object a view shows (borrowed, valid while v lives), or NULL when v is not
 * a view; NULL with ReferenceError raised when an unshared object is gone. */
kumo_ref *co_ref_of(cv_ctx *c, cval *v);

/* Convert kumo values and maps (meta, item fields, stats) into console values. */
cval *co_from_value(cv_ctx *c, const kumo_value *v);
cval *co_from_map(cv_ctx *c, const kumo_map *m);

/* A class as a value (Request, HtmlResponse...), and the class a value names (or NULL). */
cval *co_class(kumo_class *cls);
kumo_class *co_class_of(cval *v);
/* The type of any value as a class value (type(x)); new reference. */
cval *co_type_of(cval *v);
/* Whether v is a view of a tracked object of class cls or a subclass of it. */
bool co_isinstance(cval *v, const kumo_class *cls);

/* A module object (`import scrapy`) for a known module path. */
cval *co_module(const char *path);

/* The crawl's objects; each raises "RuntimeError: no crawl is running" without one. */
cval *co_engine(cv_ctx *c);
cval *co_stats(cv_ctx *c);
cval *co_settings(cv_ctx *c);
cval *co_spider(cv_ctx *c);
cval *co_crawler(cv_ctx *c);

/* Guppy's hpy: hpy.heap() and its sets and partitions. */
cval *co_hpy(cv_ctx *c);

#endif
