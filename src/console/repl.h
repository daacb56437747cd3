/* repl.h - one console session of the expression language: what the telnet console and
 * `kumo shell` feed lines into. */
#ifndef KUMO_REPL_H
#define KUMO_REPL_H

#include "kumo-int.h"
#include "util/buf.h"

typedef struct kumo_repl kumo_repl;

/*
 * Returns a new session bound to crawler c (NULL: no crawl; builtins that need one say so
 * with a Python-style error).  Each session has its own variables and `_`.
 */
kumo_repl *kumo__repl_new(kumo_crawler *c);
void kumo__repl_free(kumo_repl *r);

/*
 * Evaluate one line (no newline; may be empty) and append what Python's interactive
 * console would print to out: the repr of an expression's value (nothing for None or an
 * assignment), printed text, or a one-line error such as
 * "NameError: name 'x' is not defined".  Output stops at out's cap with
 * "... (output truncated)".  Returns KUMO_OK; KUMO_EDONE when the line asked to end the
 * session (exit(), quit()).
 */
int kumo__repl_eval(kumo_repl *r, const char *line, size_t len, kumo_buf *out);

/* kumo__repl_run() flags. */
#define KUMO_REPL_SHOW_NONE 1u  /* print the repr of every expression's value, None too */

/*
 * kumo__repl_eval() with choices, for `kumo shell -c`: flags as above; when err is not NULL
 * the error line goes to err instead of out.  Returns KUMO_OK, KUMO_EDONE (exit()), or
 * KUMO_EINVAL when the line raised an error (the error line written).
 */
int kumo__repl_run(kumo_repl *r, const char *line, size_t len, unsigned flags, kumo_buf *out,
                  kumo_buf *err);

struct cval;

/*
 * Bind name in the session to v (a console value, see console/cval.h), replacing what name
 * held: how `kumo shell` binds response, request and fetch().  Takes ownership of v.
 * Returns KUMO_OK, or KUMO_ENOMEM when the session holds too many names (v dropped).
 */
int kumo__repl_bind(kumo_repl *r, const char *name, struct cval *v);

/* Bind name to a view of the tracked object obj (a Request, a Response...; NULL: None).
 * The view holds a reference on shared objects.  Returns as kumo__repl_bind(). */
int kumo__repl_bind_ref(kumo_repl *r, const char *name, kumo_ref *obj);

#endif
