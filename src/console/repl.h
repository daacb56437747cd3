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
kumo_repl *kumo_repl_new(kumo_crawler *c);
void kumo_repl_free(kumo_repl *r);

/*
 * Evaluate one line (no newline; may be empty) and append what Python's interactive
 * console would print to out: the repr of an expression's value (nothing for None or an
 * assignment), printed text, or a one-line error such as
 * "NameError: name 'x' is not defined".  Output stops at out's cap with
 * "... (output truncated)".  Returns KUMO_OK; KUMO_EDONE when the line asked to end the
 * session (exit(), quit()).
 */
int kumo_repl_eval(kumo_repl *r, const char *line, size_t len, kumo_buf *out);

#endif
