/* ctest.h - what the console's unit tests share: the evaluator's types registered before the
 * leak check starts, repr() of a value as a string, a console line's output. */
#ifndef KUMO_CTEST_H
#define KUMO_CTEST_H

#include <criterion/criterion.h>

#include "kumo-int.h"
#include "console/eval.h"
#include "console/repl.h"
#include "lib/leakcheck.h"

/* .init: the built-in types and classes exist before the heap is counted. */
static inline void ctest_setup(void)
{
    ce_init();
    kumo_class_first();
    kumo_leakcheck_start();
}

/* A suite with ctest_setup and the shared teardown check. */
#define CTEST_SUITE .init = ctest_setup, .fini = kumo_leakcheck_end

/* repr(v) as a NUL-terminated string in a static buffer; drops v. */
static inline const char *repr_of(cval *v)
{
    static char text[1024];
    cv_ctx c = {0};
    kumo_buf b;
    kumo__buf_init(&b, sizeof(text) - 1, KUMO_T_STR, KUMO_V_NONE);
    cv_repr(&c, v, &b);
    snprintf(text, sizeof(text), "%s", kumo__buf_str(&b));
    kumo__buf_release(&b);
    cv_unref(v);
    return text;
}

/* Run one console line in r; returns its output (a static buffer, valid until the next). */
static inline const char *run(kumo_repl *r, const char *line)
{
    static char text[4096];
    kumo_buf out;
    kumo__buf_init(&out, sizeof(text) - 1, KUMO_T_STR, KUMO_V_NONE);
    kumo__repl_eval(r, line, strlen(line), &out);
    snprintf(text, sizeof(text), "%s", kumo__buf_str(&out));
    kumo__buf_release(&out);
    return text;
}

#endif
