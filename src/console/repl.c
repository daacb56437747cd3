/* repl.c - one console session: read a line, run it, print what Python's console would. */
#include "console/repl.h"
#include "console/builtins.h"
#include "console/eval.h"
#include "console/lexer.h"
#include "console/parser.h"
#include "console/view_crawl.h"
#include "console/view_heap.h"
#include "console/view_http.h"
#include "console/view_links.h"
#include "select/pool.h"

#define REPL_LINE_MAX 16384             /* bytes in one line */
#define REPL_OUT_MAX ((size_t)1 << 20)  /* output of one line when out has no smaller cap */

static const char truncated_note[] = "... (output truncated)\n";

/* The layers that register into the namespace, in order: the evaluator and namespace,
 * Python's builtins, then the views (http before crawl: help() lists classes in order). */
static void console_init(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    cn_init();
    cb_init();
    co_heap_init();
    co_http_init();
    co_crawl_init();
    co_links_init();
}

kumo_repl *kumo__repl_new(kumo_crawler *c)
{
    console_init();
    kumo_repl *r = kumo_calloc(1, sizeof(*r), cv_tag(), KUMO_V_NONE);
    r->crawler = c;
    return r;
}

void kumo__repl_free(kumo_repl *r)
{
    if (!r)
        return;
    /* drop values last-bound first: a view may be the owner of an older one */
    for (size_t i = r->nvars; i-- > 0;) {
        cv_unref(r->vals[i]);
        kumo_free(r->names[i]);
    }
    kumo_free(r->vals);
    kumo_free(r->names);
    kumo_free(r);
}

/* Write the error raised in c as one line into b (through ec, the context that owns b). */
static void print_error(cv_ctx *c, cv_ctx *ec, kumo_buf *b)
{
    if (c->emsg[0])
        cv_writef(ec, b, "%s: %s\n", c->etype, c->emsg);
    else
        cv_writef(ec, b, "%s\n", c->etype);
}

/* Lex, parse and run one line into c->out (errors into errout).  KUMO_OK or KUMO_EINVAL
 * when the line raised an error. */
static int run(cv_ctx *c, const char *line, size_t len, unsigned flags, kumo_buf *errout)
{
    cv_ctx e = {.out = errout};
    cv_ctx *ec = errout == c->out ? c : &e;
    if (len > REPL_LINE_MAX) {
        cv_writef(ec, errout, "SyntaxError: line too long (%zu bytes; the console reads at "
                  "most %d)\n", len, REPL_LINE_MAX);
        return KUMO_EINVAL;
    }
    cl_toks toks;
    cp_node *stmt = NULL;
    if (cl_lex(line, len, &toks) != KUMO_OK) {
        cv_writef(ec, errout, "%s: %s\n", toks.etype, toks.err);
        cl_release(&toks);
        return KUMO_EINVAL;
    }
    const char *etype = NULL;
    char err[256];
    int rc = cp_parse(&toks, &stmt, &etype, err, sizeof(err));
    cl_release(&toks);
    if (rc != KUMO_OK) {
        cv_writef(ec, errout, "%s: %s\n", etype, err);
        return KUMO_EINVAL;
    }
    size_t mark = kumo__pool_mark();
    cval *result = NULL;
    rc = KUMO_OK;
    if (ce_exec(c, stmt, &result) != KUMO_OK || c->etype) {
        if (!c->etype)
            cv_raise(c, "SystemError", "error without an exception");
        print_error(c, ec, errout);
        rc = KUMO_EINVAL;
    } else if (result && (result != cv_none() || (flags & KUMO_REPL_SHOW_NONE))) {
        /* sys.displayhook: print the repr, then bind `_` */
        if (cv_repr(c, result, c->out) == KUMO_OK)
            cv_write(c, c->out, "\n", 1);
        if (result != cv_none() && ce_var_set(c, "_", cv_ref(result)) != KUMO_OK) {
            print_error(c, ec, errout);
            rc = KUMO_EINVAL;
        }
    }
    cv_unref(result);
    cp_free(stmt);
    kumo__pool_drain(mark);
    return rc;
}

/* Append tmp to out, with the truncation note when tmp reached its cap. */
static void flush(kumo_buf *out, kumo_buf *tmp, bool truncated)
{
    cv_write(NULL, out, tmp->s ? tmp->s : "", tmp->len);
    if (truncated) {
        if (tmp->len && tmp->s[tmp->len - 1] != '\n')
            cv_write(NULL, out, "\n", 1);
        cv_write(NULL, out, truncated_note, sizeof(truncated_note) - 1);
    }
    kumo__buf_release(tmp);
}

/* A buffer for one line's output into out: bounded by out's room and REPL_OUT_MAX. */
static void tmp_init(kumo_buf *tmp, const kumo_buf *out)
{
    size_t note = sizeof(truncated_note) - 1;
    size_t room = out->max > out->len ? out->max - out->len : 0;
    size_t cap = room > note + 1 ? room - note - 1 : 1;
    kumo__buf_init(tmp, KUMO_MIN(cap, REPL_OUT_MAX), cv_tag(), KUMO_V_TEXT);
}

int kumo__repl_run(kumo_repl *r, const char *line, size_t len, unsigned flags, kumo_buf *out,
                  kumo_buf *err)
{
    kumo_buf tmp, etmp;
    tmp_init(&tmp, out);
    cv_ctx c = {.repl = r, .crawler = r->crawler, .out = &tmp};
    if (err)
        tmp_init(&etmp, err);

    if (!line)
        len = 0;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    int rc = run(&c, line ? line : "", len, flags, err ? &etmp : &tmp);

    flush(out, &tmp, c.truncated);
    if (err)
        flush(err, &etmp, false);
    if (c.done)
        return KUMO_EDONE;
    return rc;
}

int kumo__repl_eval(kumo_repl *r, const char *line, size_t len, kumo_buf *out)
{
    int rc = kumo__repl_run(r, line, len, 0, out, NULL);
    return rc == KUMO_EDONE ? KUMO_EDONE : KUMO_OK;
}

int kumo__repl_bind(kumo_repl *r, const char *name, cval *v)
{
    cv_ctx c = {.repl = r, .crawler = r->crawler};
    return ce_var_set(&c, name, v) == KUMO_OK ? KUMO_OK : KUMO_ENOMEM;
}

int kumo__repl_bind_ref(kumo_repl *r, const char *name, kumo_ref *obj)
{
    return kumo__repl_bind(r, name, obj ? co_from_ref(obj) : cv_none());
}
