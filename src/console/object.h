/* object.h - the console's one object protocol: every value, built-in or native, answers
 * attributes, items, calls, len, iteration, repr, comparisons and operators through its
 * type table (cv_vtable, console/cval.h).  The built-in types register their tables here;
 * natives carry theirs. */
#ifndef KUMO_CONSOLE_OBJECT_H
#define KUMO_CONSOLE_OBJECT_H

#include "console/cval.h"
#include "console/parser.h"

/* Make vt the type of every value of built-in type t (t is not CV_NATIVE).  Called once at
 * start by ce_init() (console/eval.h); vt is borrowed, valid for the process. */
void cv_type_register(cv_type t, const cv_vtable *vt);

/* The type table of v (borrowed, static).  The built-in types must be registered. */
const cv_vtable *cv_type_of(const cval *v);

/* The type name as Python's errors say it: 'int', 'str', 'HtmlResponse'.  Static. */
const char *cv_type_name(cval *v);

/* obj.name, obj[key], f(args): new references, or NULL with an error raised. */
cval *cv_getattr(cv_ctx *c, cval *obj, const char *name);
cval *cv_getitem(cv_ctx *c, cval *obj, cval *key);
cval *cv_call(cv_ctx *c, cval *f, const cv_args *a);

/* Returns the length (str, bytes, list, tuple, dict, natives with len) or an error. */
int cv_len(cv_ctx *c, cval *v, size_t *n);
/*
 * The predicates below answer as CPython's PyObject_IsTrue does: 1 yes, 0 no, or CV_RAISED
 * (-1) when they raised an exception in c (its type and message are the error, not a
 * kumo_err): test `< 0`.
 */
#define CV_RAISED (-1)
int cv_truthy(cv_ctx *c, cval *v);                      /* 1, 0, or CV_RAISED */
/* A new list of the items of an iterable (list, tuple, str, bytes, dict keys, natives). */
cval *cv_iter_list(cv_ctx *c, cval *v);

/* Python's repr(v) and str(v) into b.  KUMO_OK or KUMO_ETOOBIG. */
int cv_repr(cv_ctx *c, cval *v, kumo_buf *b);
int cv_str_of(cv_ctx *c, cval *v, kumo_buf *b);
/* A short repr (at most ~max bytes, "..." when cut) into dst (for error messages). */
void cv_repr_short(cv_ctx *c, cval *v, char *dst, size_t max);

int cv_equal(cv_ctx *c, cval *a, cval *b);              /* 1, 0, or CV_RAISED */
int cv_is(cval *a, cval *b);                            /* `a is b`: 1 or 0 */
/* Ordering for <, <=...: *cmp < 0, 0, > 0 (2: unordered, nan).  KUMO_OK or TypeError
 * raised naming opname ("<"). */
int cv_compare(cv_ctx *c, cval *a, cval *b, const char *opname, int *cmp);
/* `item in container`: 1, 0, or CV_RAISED. */
int cv_contains(cv_ctx *c, cval *container, cval *item);

/* Python's binary operators (+, -, *...) and unary ones (-, +, ~): a new reference or NULL
 * with an error raised. */
cval *cv_binop(cv_ctx *c, cp_op op, cval *a, cval *b);
cval *cv_unary(cv_ctx *c, cp_op op, cval *v);

/* The attribute names of v (dir()): a new list. */
cval *cv_dir(cv_ctx *c, cval *v);

/* The tracked object v shows (borrowed, valid while v lives), or NULL when v is not a view
 * of one; NULL with ReferenceError raised when an unshared object is gone. */
kumo_ref *cv_ref_of(cv_ctx *c, cval *v);

/*
 * Match a call's arguments against a signature: names[0..nnames) in order, of which the
 * first nreq are required.  out[i] is the borrowed argument or NULL.  KUMO_OK or a
 * Python-style TypeError raised ("get_oldest() missing 1 required positional argument").
 */
int cv_args_parse(cv_ctx *c, const char *fname, const cv_args *a, const char *const *names,
                  size_t nnames, size_t nreq, cval **out);

/* Require a str argument; returns its text (borrowed) or NULL with a TypeError raised. */
const char *cv_arg_str(cv_ctx *c, const char *fname, cval *v);

#endif
