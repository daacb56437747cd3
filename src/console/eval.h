/* eval.h - the console's evaluator: one statement at a time against a session's variables.
 * Names it does not hold and imports it asks of the namespace through ce_names. */
#ifndef KUMO_CONSOLE_EVAL_H
#define KUMO_CONSOLE_EVAL_H

#include "console/object.h"
#include "console/parser.h"

#define CE_VARS_MAX 1000        /* variables one session may hold */

/* One console session (kumo_repl, console/repl.h): its variables (with `_`) and the crawl
 * it looks at. */
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

/* Register the built-in types (None, bool, int, float, str, bytes, list, tuple, slice,
 * dict, functions) with the object protocol.  Idempotent. */
void ce_init(void);

/*
 * What the evaluator asks the layer above it (console/namespace.c sets it at start).  Each
 * returns a new reference, or NULL with an error raised; builtin may return NULL without
 * raising: name is not a builtin.
 */
typedef struct ce_names {
    cval *(*builtin)(cv_ctx *c, const char *name);
    cval *(*import_module)(cv_ctx *c, const char *path);            /* import a.b */
    cval *(*import_name)(cv_ctx *c, const char *path, const char *name);   /* from a import b */
    int (*import_star)(cv_ctx *c, const char *path);    /* from a import *: KUMO_OK or error */
} ce_names;

/* Use n (borrowed, valid for the process) for names and imports. */
void ce_set_names(const ce_names *n);

/*
 * Execute one statement.  For an expression statement *result is set to a new reference
 * to its value; otherwise NULL.  Returns KUMO_OK, or KUMO_EINVAL with an error raised in c.
 */
int ce_exec(cv_ctx *c, const cp_node *stmt, cval **result);

/* Bind name in the session; takes ownership of v.  KUMO_OK or an error raised. */
int ce_var_set(cv_ctx *c, const char *name, cval *v);

#endif
