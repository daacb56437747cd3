/* repl.c - one console session: read a line, run it, print what Python's console would. */
#include "console/eval.h"
#include "console/lexer.h"
#include "console/parser.h"
#include "select/pool.h"

#define REPL_LINE_MAX 16384             /* bytes in one line */
#define REPL_OUT_MAX ((size_t)1 << 20)  /* output of one line when out has no smaller cap */

static const char truncated_note[] = "... (output truncated)\n";

kumo_repl *kumo_repl_new(kumo_crawler *c)
{
    kumo_repl *r = kumo_calloc(1, sizeof(*r), cv_tag(), KUMO_V_NONE);
    r->crawler = c;
    return r;
}

void kumo_repl_free(kumo_repl *r)
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

static void print_error(cv_ctx *c)
{
    if (c->emsg[0])
        cv_writef(c, c->out, "%s: %s\n", c->etype, c->emsg);
    else
        cv_writef(c, c->out, "%s\n", c->etype);
}

/* Lex, parse and run one line into c->out. */
static void run(cv_ctx *c, const char *line, size_t len)
{
    if (len > REPL_LINE_MAX) {
        cv_writef(c, c->out, "SyntaxError: line too long (%zu bytes; the console reads at most "
                  "%d)\n", len, REPL_LINE_MAX);
        return;
    }
    cl_toks toks;
    cp_node *stmt = NULL;
    if (cl_lex(line, len, &toks) != KUMO_OK) {
        cv_writef(c, c->out, "%s: %s\n", toks.etype, toks.err);
        cl_release(&toks);
        return;
    }
    const char *etype = NULL;
    char err[256];
    int rc = cp_parse(&toks, &stmt, &etype, err, sizeof(err));
    cl_release(&toks);
    if (rc != KUMO_OK) {
        cv_writef(c, c->out, "%s: %s\n", etype, err);
        return;
    }
    size_t mark = kumo_pool_mark();
    cval *result = NULL;
    if (ce_exec(c, stmt, &result) != KUMO_OK || c->etype) {
        if (!c->etype)
            cv_raise(c, "SystemError", "error without an exception");
        print_error(c);
    } else if (result && result->type != CV_NONE) {
        /* sys.displayhook: print the repr, then bind `_` */
        if (cv_repr(c, result, c->out) == KUMO_OK)
            cv_write(c, c->out, "\n", 1);
        if (ce_var_set(c, "_", cv_ref(result)) != KUMO_OK)
            print_error(c);
    }
    cv_unref(result);
    cp_free(stmt);
    kumo_pool_drain(mark);
}

int kumo_repl_eval(kumo_repl *r, const char *line, size_t len, kumo_buf *out)
{
    size_t note = sizeof(truncated_note) - 1;
    size_t room = out->max > out->len ? out->max - out->len : 0;
    size_t cap = room > note + 1 ? room - note - 1 : 1;
    kumo_buf tmp;
    kumo_buf_init(&tmp, KUMO_MIN(cap, REPL_OUT_MAX), cv_tag(), KUMO_V_TEXT);
    cv_ctx c = {.repl = r, .crawler = r->crawler, .out = &tmp};

    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    run(&c, line ? line : "", line ? len : 0);

    cv_write(NULL, out, tmp.s ? tmp.s : "", tmp.len);
    if (c.truncated) {
        if (tmp.len && tmp.s[tmp.len - 1] != '\n')
            cv_write(NULL, out, "\n", 1);
        cv_write(NULL, out, truncated_note, note);
    }
    kumo_buf_release(&tmp);
    return c.done ? KUMO_EDONE : KUMO_OK;
}
