/* test_parser.c - the console parser: syntax trees as s-expressions, and Python's errors. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "console/parser.h"
#include "console/eval.h"
#include "util/buf.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    ce_init();          /* the constants' repr goes through the built-in types */
    kumo_leakcheck_start();
}

TestSuite(parser, .init = setup, .fini = kumo_leakcheck_end);

static const char *const kind_names[] = {
    [CP_CONST] = "const", [CP_NAME] = "name", [CP_ATTR] = "attr", [CP_CALL] = "call",
    [CP_KWARG] = "kw", [CP_INDEX] = "index", [CP_SLICE] = "slice", [CP_BINOP] = "bin",
    [CP_UNARY] = "unary", [CP_NOT] = "not", [CP_AND] = "and", [CP_OR] = "or", [CP_CMP] = "cmp",
    [CP_IFEXP] = "ifexp", [CP_TUPLE] = "tuple", [CP_LIST] = "list", [CP_DICT] = "dict",
    [CP_LISTCOMP] = "comp", [CP_FOR] = "for", [CP_IF] = "if", [CP_EXPR] = "expr",
    [CP_ASSIGN] = "assign", [CP_FROM] = "from", [CP_IMPORT] = "import", [CP_ALIAS] = "alias",
    [CP_PASS] = "pass",
};

static void sexpr(const cp_node *n, kumo_buf *b)
{
    if (!n) {
        kumo__buf_adds(b, "_");
        return;
    }
    kumo__buf_printf(b, "(%s", kind_names[n->kind]);
    if (n->kind == CP_CONST) {
        cv_ctx c = {0};
        kumo__buf_addc(b, ' ');
        cv_repr(&c, n->val, b);
    }
    if (n->op && n->kind != CP_CMP)
        kumo__buf_printf(b, " %s", cp_op_name(n->op));
    if (n->name)
        kumo__buf_printf(b, " %s", n->name);
    if (n->name2)
        kumo__buf_printf(b, " as %s", n->name2);
    for (size_t i = 0; i < n->nkids; i++) {
        kumo__buf_addc(b, ' ');
        if (n->kind == CP_CMP && i)
            kumo__buf_printf(b, "%s ", cp_op_name(n->ops[i - 1]));
        sexpr(n->kids[i], b);
    }
    kumo__buf_addc(b, ')');
}

static int parse(const char *src, kumo_buf *b, const char **etype)
{
    cl_toks t;
    int rc = cl_lex(src, strlen(src), &t);
    if (rc) {
        *etype = t.etype;
        kumo__buf_adds(b, t.err);
        cl_release(&t);
        return rc;
    }
    cp_node *n;
    char err[256];
    rc = cp_parse(&t, &n, etype, err, sizeof(err));
    cl_release(&t);
    if (rc) {
        kumo__buf_adds(b, err);
        return rc;
    }
    sexpr(n, b);
    cp_free(n);
    return KUMO_OK;
}

typedef struct pcase {
    const char *in, *want;
} pcase;

static const pcase ok_cases[] = {
    {"r = get_oldest('HtmlResponse')",
     "(assign (name r) (call (name get_oldest) (const 'HtmlResponse')))"},
    {"r.url", "(expr (attr url (name r)))"},
    {"[r.url for r in iter_all('HtmlResponse')]",
     "(expr (comp (attr url (name r)) (for (name r) (call (name iter_all) "
     "(const 'HtmlResponse')))))"},
    {"[x for x in y if x for z in x]",
     "(expr (comp (name x) (for (name x) (name y)) (if (name x)) (for (name z) (name x))))"},
    {"prefs(ignore=Spider)", "(expr (call (name prefs) (kw ignore (name Spider))))"},
    {"prefs(ignore=(Spider, Request))",
     "(expr (call (name prefs) (kw ignore (tuple (name Spider) (name Request)))))"},
    {"from scrapy.utils.trackref import get_oldest, iter_all as ia",
     "(from scrapy.utils.trackref (alias get_oldest) (alias iter_all as ia))"},
    {"from scrapy.http import (Request,\tResponse,)",
     "(from scrapy.http (alias Request) (alias Response))"},
    {"from kumo.http import *", "(from kumo.http as *)"},
    {"import scrapy.http as h, kumo", "(import (alias scrapy.http as h) (alias kumo))"},
    {"r.body[:80]", "(expr (index (attr body (name r)) (slice _ (const 80) _)))"},
    {"x[::-1]", "(expr (index (name x) (slice _ _ (unary unary - (const 1)))))"},
    {"x[1:2, 3]", "(expr (index (name x) (tuple (slice (const 1) (const 2) _) (const 3))))"},
    {"1 + 2 * 3 ** 2", "(expr (bin + (const 1) (bin * (const 2) (bin ** or pow() (const 3) "
                       "(const 2)))))"},
    {"-2 ** 2", "(expr (unary unary - (bin ** or pow() (const 2) (const 2))))"},
    {"a < b <= c not in d is not e",
     "(expr (cmp (name a) < (name b) <= (name c) not in (name d) is not (name e)))"},
    {"not a and b or c", "(expr (or (and (not (name a)) (name b)) (name c)))"},
    {"a if b else c", "(expr (ifexp (name b) (name a) (name c)))"},
    {"1,", "(expr (tuple (const 1)))"},
    {"()", "(expr (tuple))"},
    {"(1)", "(expr (const 1))"},
    {"{'a': [1, 2], 'b': {}}", "(expr (dict (const 'a') (list (const 1) (const 2)) "
                               "(const 'b') (dict)))"},
    {"'a' 'b' \"c\"", "(expr (const 'abc'))"},
    {"a, b = b, a", "(assign (tuple (name a) (name b)) (tuple (name b) (name a)))"},
    {"a = b = 1", "(assign (name a) (name b) (const 1))"},
    {"n += 1", "(assign + (name n) (const 1))"},
    {"sum(x for x in y)", "(expr (call (name sum) (comp (name x) (for (name x) (name y)))))"},
    {"_.more", "(expr (attr more (name _)))"},
    {"x.bytype[0].byvia", "(expr (attr byvia (index (attr bytype (name x)) (const 0))))"},
    {"", "(pass)"},
};

Test(parser, trees)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(ok_cases); i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        const char *etype = NULL;
        int rc = parse(ok_cases[i].in, &b, &etype);
        cr_expect_eq(rc, KUMO_OK, "%s: %s", ok_cases[i].in, kumo__buf_str(&b));
        cr_expect_str_eq(kumo__buf_str(&b), ok_cases[i].want, "parsing %s", ok_cases[i].in);
        kumo__buf_release(&b);
    }
}

typedef struct ecase {
    const char *in, *etype, *msg;
} ecase;

static const ecase err_cases[] = {
    {"1 +", "SyntaxError", "invalid syntax"},
    {"a b", "SyntaxError", "invalid syntax"},
    {"x = 1 = 2", "SyntaxError", "cannot assign to literal"},
    {"f() = 1", "SyntaxError", "cannot assign to function call"},
    {"a + 1 = 2", "SyntaxError", "cannot assign to expression"},
    {"f(a=1, 2)", "SyntaxError", "positional argument follows keyword argument"},
    {"f(a=1, a=2)", "SyntaxError", "keyword argument repeated: a"},
    {"f(x for x in y, 1)", "SyntaxError", "Generator expression must be parenthesized"},
    {"from x import", "SyntaxError", "invalid syntax"},
    {"from x import a,", "SyntaxError", "trailing comma not allowed without surrounding "
                                        "parentheses"},
    {"from . import a", "ImportError", "attempted relative import with no known parent "
                                       "package"},
    {"[x for x in]", "SyntaxError", "invalid syntax"},
    {"1 if 2", "SyntaxError", "expected 'else' after 'if' expression"},
    {"a[]", "SyntaxError", "invalid syntax"},
    {"x.1", "SyntaxError", "invalid syntax"},
    {"(a, b) += 1", "SyntaxError", "'tuple' is an illegal expression for augmented assignment"},
    {"{1, 2}", "SyntaxError", "set displays are not supported by the console"},
    {"return 1", "SyntaxError", "'return' statements are not supported by the console"},
    {"lambda: 0", "SyntaxError", "'lambda' is not supported by the console"},
    {"not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not not not not not not not not not not not not not not not "
     "not not not not not not not not not not not not not not not not not not not not "
     "not not not 1", "RecursionError", "maximum recursion depth exceeded during compilation"},
};

Test(parser, errors)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(err_cases); i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        const char *etype = NULL;
        int rc = parse(err_cases[i].in, &b, &etype);
        cr_expect_neq(rc, KUMO_OK, "parsing %s", err_cases[i].in);
        cr_expect_str_eq(etype ? etype : "", err_cases[i].etype, "parsing %s", err_cases[i].in);
        cr_expect_str_eq(kumo__buf_str(&b), err_cases[i].msg, "parsing %s", err_cases[i].in);
        kumo__buf_release(&b);
    }
}
