/* parser.c - recursive-descent parser for the console language: one line, one statement. */
#include "console/parser.h"

typedef struct parser {
    const cl_tok *t;
    size_t pos, n;
    int depth;
    const char *etype;
    char *err;
    size_t errlen;
} parser;

static cp_node *test(parser *p);
static cp_node *or_test(parser *p);
static cp_node *testlist(parser *p, bool *had_comma);

static void *perr(parser *p, const char *etype, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void *perr(parser *p, const char *etype, const char *fmt, ...)
{
    if (p->etype)
        return NULL;
    p->etype = etype;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    return NULL;
}

static void *syntax(parser *p)
{
    return perr(p, "SyntaxError", "invalid syntax");
}

static const cl_tok *peek(parser *p)
{
    return &p->t[p->pos];
}

static const cl_tok *peek2(parser *p)
{
    return &p->t[p->pos + 1 < p->n ? p->pos + 1 : p->pos];
}

static bool at(parser *p, const char *s)
{
    return cl_is(peek(p), s);
}

static bool accept(parser *p, const char *s)
{
    if (!at(p, s))
        return false;
    p->pos++;
    return true;
}

static bool expect(parser *p, const char *s)
{
    if (accept(p, s))
        return true;
    syntax(p);
    return false;
}

static cp_node *node(cp_kind kind, size_t col)
{
    cp_node *n = kumo_calloc(1, sizeof(*n), cv_tag(), KUMO_V_NONE);
    n->kind = kind;
    n->col = col;
    n->height = 1;
    return n;
}

static void add(cp_node *n, cp_node *kid)
{
    if (n->nkids == n->cap) {
        n->cap = n->cap ? n->cap * 2 : 2;
        n->kids = kumo_realloc(n->kids, n->cap * sizeof(*n->kids), cv_tag(), KUMO_V_NONE);
    }
    n->kids[n->nkids++] = kid;
    if (kid && kid->height + 1 > n->height)
        n->height = kid->height + 1;
}

/* Chains (a.b.c..., 1+1+...) grow without recursion: bound their height here. */
static bool too_tall(parser *p, const cp_node *n)
{
    if (n->height <= CP_HEIGHT_MAX)
        return false;
    perr(p, "RecursionError", "maximum recursion depth exceeded during compilation");
    return true;
}

static char *tokdup(const cl_tok *t)
{
    return kumo_strndup(t->p, t->len, cv_tag(), KUMO_V_NONE);
}

void cp_free(cp_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        cp_free(n->kids[i]);
    kumo_free(n->kids);
    kumo_free(n->ops);
    kumo_free(n->name);
    kumo_free(n->name2);
    cv_unref(n->val);
    kumo_free(n);
}

const char *cp_op_name(cp_op op)
{
    static const char *const names[] = {
        [CP_OP_NONE] = "?",  [CP_OP_ADD] = "+",  [CP_OP_SUB] = "-",   [CP_OP_MUL] = "*",
        [CP_OP_DIV] = "/",   [CP_OP_FLOORDIV] = "//", [CP_OP_MOD] = "%",
        [CP_OP_POW] = "** or pow()",
        [CP_OP_NEG] = "unary -", [CP_OP_POS] = "unary +", [CP_OP_INV] = "unary ~",
        [CP_OP_EQ] = "==",   [CP_OP_NE] = "!=",  [CP_OP_LT] = "<",    [CP_OP_LE] = "<=",
        [CP_OP_GT] = ">",    [CP_OP_GE] = ">=",  [CP_OP_IN] = "in",   [CP_OP_NOTIN] = "not in",
        [CP_OP_IS] = "is",   [CP_OP_ISNOT] = "is not",
    };
    return names[op];
}

/* Depth guard around every recursive production. */
#define ENTER(p)                                                                   \
    do {                                                                           \
        if (++(p)->depth > CP_DEPTH_MAX) {                                         \
            (p)->depth--;                                                          \
            return perr((p), "RecursionError",                                     \
                        "maximum recursion depth exceeded during compilation");     \
        }                                                                          \
    } while (0)
#define LEAVE(p, v)                                                                \
    do {                                                                           \
        cp_node *leave_ = (v);                                                     \
        (p)->depth--;                                                              \
        return leave_;                                                             \
    } while (0)

/* ---------------------------------------------------------------- atoms */

/* Adjacent string literals concatenate. */
static cp_node *strings(parser *p)
{
    const cl_tok *first = peek(p);
    cl_kind kind = first->kind;
    kumo_buf b;
    kumo__buf_init(&b, 0, cv_tag(), KUMO_V_TEXT);
    kumo__buf_add(&b, "", 0);
    while (peek(p)->kind == CL_STR || peek(p)->kind == CL_BYTES) {
        if (peek(p)->kind != kind) {
            kumo__buf_release(&b);
            return perr(p, "SyntaxError", "cannot mix bytes and nonbytes literals");
        }
        kumo__buf_add(&b, peek(p)->s, peek(p)->slen);
        p->pos++;
    }
    size_t len;
    char *s = kumo__buf_detach(&b, &len);
    cp_node *n = node(CP_CONST, first->col);
    n->val = cv_str_take(s, len);
    if (kind == CL_BYTES)
        n->val->type = CV_BYTES;
    return n;
}

/* A for-target: NAME, or a tuple of targets with or without brackets. */
static cp_node *target_atom(parser *p);

static cp_node *target_list(parser *p, const char *close)
{
    cp_node *first = target_atom(p);
    if (!first)
        return NULL;
    if (!at(p, ","))
        return first;
    cp_node *t = node(CP_TUPLE, first->col);
    add(t, first);
    while (accept(p, ",")) {
        if (at(p, "in") || (close && at(p, close)))
            break;
        cp_node *k = target_atom(p);
        if (!k) {
            cp_free(t);
            return NULL;
        }
        add(t, k);
    }
    return t;
}

static cp_node *target_atom(parser *p)
{
    ENTER(p);
    const cl_tok *tk = peek(p);
    if (tk->kind == CL_NAME) {
        p->pos++;
        cp_node *n = node(CP_NAME, tk->col);
        n->name = tokdup(tk);
        LEAVE(p, n);
    }
    if (at(p, "(") || at(p, "[")) {
        const char *close = at(p, "(") ? ")" : "]";
        p->pos++;
        cp_node *n = target_list(p, close);
        if (n && !expect(p, close)) {
            cp_free(n);
            n = NULL;
        }
        LEAVE(p, n);
    }
    LEAVE(p, syntax(p));
}

/* The for/if clauses after the element of a comprehension. */
static bool comp_clauses(parser *p, cp_node *comp)
{
    while (at(p, "for") || (comp->nkids > 1 && at(p, "if"))) {
        size_t col = peek(p)->col;
        if (accept(p, "for")) {
            cp_node *f = node(CP_FOR, col);
            add(comp, f);
            cp_node *tgt = target_list(p, NULL);
            if (!tgt)
                return false;
            add(f, tgt);
            if (!expect(p, "in"))
                return false;
            cp_node *it = or_test(p);
            if (!it)
                return false;
            add(f, it);
        } else {
            p->pos++;
            cp_node *c = node(CP_IF, col);
            add(comp, c);
            cp_node *cond = or_test(p);
            if (!cond)
                return false;
            add(c, cond);
        }
    }
    return true;
}

static cp_node *comprehension(parser *p, cp_node *elt)
{
    cp_node *comp = node(CP_LISTCOMP, elt->col);
    add(comp, elt);
    if (!comp_clauses(p, comp)) {
        cp_free(comp);
        return NULL;
    }
    return comp;
}

static cp_node *bracketed(parser *p, const char *close, cp_kind kind, size_t col)
{
    cp_node *n = node(kind, col);
    if (accept(p, close))
        return n;
    cp_node *first = test(p);
    if (!first) {
        cp_free(n);
        return NULL;
    }
    if (at(p, "for")) {
        cp_free(n);
        n = comprehension(p, first);
        if (n && !expect(p, close)) {
            cp_free(n);
            return NULL;
        }
        return n;
    }
    add(n, first);
    bool comma = false;
    while (accept(p, ",")) {
        comma = true;
        if (at(p, close))
            break;
        cp_node *k = test(p);
        if (!k) {
            cp_free(n);
            return NULL;
        }
        add(n, k);
    }
    if (!expect(p, close)) {
        cp_free(n);
        return NULL;
    }
    if (kind == CP_TUPLE && !comma) {       /* (x) is x */
        cp_node *k = n->kids[0];
        n->nkids = 0;
        cp_free(n);
        return k;
    }
    return n;
}

static cp_node *dict_display(parser *p, size_t col)
{
    cp_node *n = node(CP_DICT, col);
    while (!at(p, "}")) {
        cp_node *k = test(p);
        if (!k)
            goto fail;
        add(n, k);
        if (!at(p, ":")) {
            perr(p, "SyntaxError", "set displays are not supported by the console");
            goto fail;
        }
        p->pos++;
        cp_node *v = test(p);
        if (!v)
            goto fail;
        add(n, v);
        if (!accept(p, ","))
            break;
    }
    if (expect(p, "}"))
        return n;
fail:
    cp_free(n);
    return NULL;
}

static cp_node *atom(parser *p)
{
    const cl_tok *tk = peek(p);
    cp_node *n;
    switch (tk->kind) {
    case CL_NAME:
        p->pos++;
        n = node(CP_NAME, tk->col);
        n->name = tokdup(tk);
        return n;
    case CL_INT:
        p->pos++;
        n = node(CP_CONST, tk->col);
        n->val = cv_int(tk->i);
        return n;
    case CL_FLOAT:
        p->pos++;
        n = node(CP_CONST, tk->col);
        n->val = cv_float(tk->f);
        return n;
    case CL_STR:
    case CL_BYTES:
        return strings(p);
    case CL_KW:
        if (cl_is(tk, "True") || cl_is(tk, "False") || cl_is(tk, "None")) {
            p->pos++;
            n = node(CP_CONST, tk->col);
            n->val = cl_is(tk, "None") ? cv_none() : cv_bool(cl_is(tk, "True"));
            return n;
        }
        if (cl_is(tk, "lambda") || cl_is(tk, "def") || cl_is(tk, "class") ||
            cl_is(tk, "while") || cl_is(tk, "try") || cl_is(tk, "with"))
            return perr(p, "SyntaxError", "'%.*s' is not supported by the console",
                        (int)tk->len, tk->p);
        return syntax(p);
    case CL_OP:
        if (accept(p, "("))
            return bracketed(p, ")", CP_TUPLE, tk->col);
        if (accept(p, "["))
            return bracketed(p, "]", CP_LIST, tk->col);
        if (accept(p, "{"))
            return dict_display(p, tk->col);
        return syntax(p);
    default:
        return syntax(p);
    }
}

/* ---------------------------------------------------------------- trailers */

static cp_node *subscript_item(parser *p)
{
    size_t col = peek(p)->col;
    cp_node *lo = NULL;
    if (!at(p, ":")) {
        lo = test(p);
        if (!lo || !at(p, ":"))
            return lo;
    }
    cp_node *s = node(CP_SLICE, col);
    add(s, lo);
    p->pos++;   /* ':' */
    cp_node *hi = NULL, *st = NULL;
    if (!at(p, "]") && !at(p, ":") && !at(p, ",")) {
        hi = test(p);
        if (!hi)
            goto fail;
    }
    add(s, hi);
    if (accept(p, ":") && !at(p, "]") && !at(p, ",")) {
        st = test(p);
        if (!st)
            goto fail;
    }
    add(s, st);
    return s;
fail:
    cp_free(s);
    return NULL;
}

static cp_node *subscript(parser *p)
{
    if (at(p, "]"))
        return syntax(p);
    cp_node *first = subscript_item(p);
    if (!first || !at(p, ","))
        return first;
    cp_node *t = node(CP_TUPLE, first->col);
    add(t, first);
    while (accept(p, ",") && !at(p, "]")) {
        cp_node *k = subscript_item(p);
        if (!k) {
            cp_free(t);
            return NULL;
        }
        add(t, k);
    }
    return t;
}

static bool arguments(parser *p, cp_node *call)
{
    bool kw_seen = false;
    while (!at(p, ")")) {
        const cl_tok *tk = peek(p);
        if (tk->kind == CL_NAME && cl_is(peek2(p), "=")) {
            for (size_t i = 1; i < call->nkids; i++)
                if (call->kids[i]->kind == CP_KWARG && strlen(call->kids[i]->name) == tk->len &&
                    memcmp(call->kids[i]->name, tk->p, tk->len) == 0) {
                    perr(p, "SyntaxError", "keyword argument repeated: %.*s", (int)tk->len, tk->p);
                    return false;
                }
            p->pos += 2;
            cp_node *kw = node(CP_KWARG, tk->col);
            kw->name = tokdup(tk);
            add(call, kw);
            cp_node *v = test(p);
            if (!v)
                return false;
            add(kw, v);
            kw_seen = true;
        } else {
            if (at(p, "*") || at(p, "**")) {
                perr(p, "SyntaxError", "*args and **kwargs are not supported by the console");
                return false;
            }
            cp_node *v = test(p);
            if (!v)
                return false;
            if (at(p, "for")) {         /* f(x for x in y): a list comprehension */
                v = comprehension(p, v);
                if (!v)
                    return false;
                if (call->nkids > 1 || !at(p, ")")) {
                    cp_free(v);
                    perr(p, "SyntaxError", "Generator expression must be parenthesized");
                    return false;
                }
            }
            if (kw_seen) {
                cp_free(v);
                perr(p, "SyntaxError", "positional argument follows keyword argument");
                return false;
            }
            add(call, v);
        }
        if (!accept(p, ","))
            break;
    }
    return expect(p, ")");
}

static cp_node *primary(parser *p)
{
    cp_node *n = atom(p);
    while (n) {
        const cl_tok *tk = peek(p);
        if (accept(p, ".")) {
            const cl_tok *name = peek(p);
            if (name->kind != CL_NAME) {
                cp_free(n);
                return syntax(p);
            }
            p->pos++;
            cp_node *a = node(CP_ATTR, tk->col);
            a->name = tokdup(name);
            add(a, n);
            n = a;
        } else if (accept(p, "(")) {
            cp_node *c = node(CP_CALL, tk->col);
            add(c, n);
            n = c;
            if (!arguments(p, c)) {
                cp_free(n);
                return NULL;
            }
        } else if (accept(p, "[")) {
            cp_node *x = node(CP_INDEX, tk->col);
            add(x, n);
            n = x;
            cp_node *k = subscript(p);
            if (!k || !expect(p, "]")) {
                cp_free(k);
                cp_free(n);
                return NULL;
            }
            add(x, k);
        } else {
            break;
        }
        if (too_tall(p, n)) {
            cp_free(n);
            return NULL;
        }
    }
    return n;
}

/* ---------------------------------------------------------------- operators */

static cp_node *factor(parser *p);

static cp_node *binop(cp_op op, cp_node *a, cp_node *b)
{
    cp_node *n = node(CP_BINOP, a->col);
    n->op = op;
    add(n, a);
    add(n, b);
    return n;
}

static cp_node *power(parser *p)
{
    cp_node *a = primary(p);
    if (!a || !accept(p, "**"))
        return a;
    cp_node *b = factor(p);
    if (!b) {
        cp_free(a);
        return NULL;
    }
    return binop(CP_OP_POW, a, b);
}

static cp_node *factor(parser *p)
{
    ENTER(p);
    const cl_tok *tk = peek(p);
    cp_op op = at(p, "-") ? CP_OP_NEG : at(p, "+") ? CP_OP_POS : at(p, "~") ? CP_OP_INV
                                                                              : CP_OP_NONE;
    if (op == CP_OP_NONE)
        LEAVE(p, power(p));
    p->pos++;
    cp_node *k = factor(p);
    if (!k)
        LEAVE(p, NULL);
    cp_node *n = node(CP_UNARY, tk->col);
    n->op = op;
    add(n, k);
    LEAVE(p, n);
}

/* A binary operator of one precedence level: its token and node. */
typedef struct binop_tok {
    const char *tok;
    cp_op op;
} binop_tok;

static const binop_tok term_ops[] = {
    {"*", CP_OP_MUL}, {"/", CP_OP_DIV}, {"//", CP_OP_FLOORDIV}, {"%", CP_OP_MOD}, {NULL, 0},
};
static const binop_tok arith_ops[] = {{"+", CP_OP_ADD}, {"-", CP_OP_SUB}, {NULL, 0}};

/* One left-associative level: operand (op operand)*, with ops from the table. */
static cp_node *binary_level(parser *p, cp_node *(*operand)(parser *), const binop_tok *ops)
{
    cp_node *a = operand(p);
    while (a) {
        const binop_tok *o = ops;
        while (o->tok && !at(p, o->tok))
            o++;
        if (!o->tok)
            break;
        p->pos++;
        cp_node *b = operand(p);
        if (!b) {
            cp_free(a);
            return NULL;
        }
        a = binop(o->op, a, b);
        if (too_tall(p, a)) {
            cp_free(a);
            return NULL;
        }
    }
    return a;
}

static cp_node *term(parser *p)
{
    return binary_level(p, factor, term_ops);
}

static cp_node *arith(parser *p)
{
    return binary_level(p, term, arith_ops);
}

static cp_op comp_op(parser *p)
{
    static const struct {
        const char *s;
        cp_op op;
    } simple[] = {
        {"==", CP_OP_EQ}, {"!=", CP_OP_NE}, {"<", CP_OP_LT}, {"<=", CP_OP_LE},
        {">", CP_OP_GT},  {">=", CP_OP_GE}, {"in", CP_OP_IN},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(simple); i++)
        if (accept(p, simple[i].s))
            return simple[i].op;
    if (at(p, "not") && cl_is(peek2(p), "in")) {
        p->pos += 2;
        return CP_OP_NOTIN;
    }
    if (accept(p, "is"))
        return accept(p, "not") ? CP_OP_ISNOT : CP_OP_IS;
    return CP_OP_NONE;
}

static cp_node *comparison(parser *p)
{
    cp_node *a = arith(p);
    if (!a)
        return NULL;
    cp_op op = comp_op(p);
    if (op == CP_OP_NONE)
        return a;
    cp_node *n = node(CP_CMP, a->col);
    add(n, a);
    size_t nops = 0;
    while (op != CP_OP_NONE) {
        n->ops = kumo_realloc(n->ops, (nops + 1) * sizeof(*n->ops), cv_tag(), KUMO_V_NONE);
        n->ops[nops++] = op;
        cp_node *b = arith(p);
        if (!b) {
            cp_free(n);
            return NULL;
        }
        add(n, b);
        op = comp_op(p);
    }
    return n;
}

static cp_node *not_test(parser *p)
{
    ENTER(p);
    const cl_tok *tk = peek(p);
    if (!accept(p, "not"))
        LEAVE(p, comparison(p));
    cp_node *k = not_test(p);
    if (!k)
        LEAVE(p, NULL);
    cp_node *n = node(CP_NOT, tk->col);
    add(n, k);
    LEAVE(p, n);
}

static cp_node *bool_chain(parser *p, const char *kw, cp_kind kind,
                           cp_node *(*sub)(parser *p))
{
    cp_node *a = sub(p);
    if (!a || !at(p, kw))
        return a;
    cp_node *n = node(kind, a->col);
    add(n, a);
    while (accept(p, kw)) {
        cp_node *b = sub(p);
        if (!b) {
            cp_free(n);
            return NULL;
        }
        add(n, b);
    }
    return n;
}

static cp_node *and_test(parser *p)
{
    return bool_chain(p, "and", CP_AND, not_test);
}

static cp_node *or_test(parser *p)
{
    return bool_chain(p, "or", CP_OR, and_test);
}

static cp_node *test(parser *p)
{
    ENTER(p);
    cp_node *a = or_test(p);
    if (!a || !at(p, "if"))
        LEAVE(p, a);
    p->pos++;
    cp_node *n = node(CP_IFEXP, a->col);
    cp_node *cond = or_test(p);
    if (!cond) {
        cp_free(a);
        cp_free(n);
        LEAVE(p, NULL);
    }
    add(n, cond);
    add(n, a);
    if (!accept(p, "else")) {
        cp_free(n);
        LEAVE(p, perr(p, "SyntaxError", "expected 'else' after 'if' expression"));
    }
    cp_node *b = test(p);
    if (!b) {
        cp_free(n);
        LEAVE(p, NULL);
    }
    add(n, b);
    LEAVE(p, n);
}

static cp_node *testlist(parser *p, bool *had_comma)
{
    cp_node *first = test(p);
    if (had_comma)
        *had_comma = false;
    if (!first || !at(p, ","))
        return first;
    cp_node *t = node(CP_TUPLE, first->col);
    add(t, first);
    while (accept(p, ",")) {
        if (at(p, "=") || peek(p)->kind == CL_END)
            break;
        cp_node *k = test(p);
        if (!k) {
            cp_free(t);
            return NULL;
        }
        add(t, k);
    }
    if (had_comma)
        *had_comma = true;
    return t;
}

/* ---------------------------------------------------------------- statements */

static char *dotted_name(parser *p)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, cv_tag(), KUMO_V_NONE);
    for (;;) {
        const cl_tok *tk = peek(p);
        if (tk->kind != CL_NAME) {
            kumo__buf_release(&b);
            return syntax(p);
        }
        kumo__buf_add(&b, tk->p, tk->len);
        p->pos++;
        if (!accept(p, "."))
            break;
        kumo__buf_addc(&b, '.');
    }
    return kumo__buf_detach(&b, NULL);
}

static cp_node *alias(parser *p, bool dotted)
{
    const cl_tok *tk = peek(p);
    cp_node *a = node(CP_ALIAS, tk->col);
    if (dotted) {
        a->name = dotted_name(p);
    } else if (tk->kind == CL_NAME) {
        a->name = tokdup(tk);
        p->pos++;
    }
    if (!a->name) {
        cp_free(a);
        return syntax(p);
    }
    if (accept(p, "as")) {
        if (peek(p)->kind != CL_NAME) {
            cp_free(a);
            return syntax(p);
        }
        a->name2 = tokdup(peek(p));
        p->pos++;
    }
    return a;
}

static cp_node *from_import(parser *p, size_t col)
{
    if (at(p, ".") || at(p, "..."))
        return perr(p, "ImportError", "attempted relative import with no known parent package");
    cp_node *n = node(CP_FROM, col);
    n->name = dotted_name(p);
    if (!n->name || !expect(p, "import"))
        goto fail;
    if (accept(p, "*")) {
        n->name2 = kumo_strdup("*", cv_tag(), KUMO_V_NONE);
        return n;
    }
    bool paren = accept(p, "(");
    for (;;) {
        cp_node *a = alias(p, false);
        if (!a)
            goto fail;
        add(n, a);
        if (!accept(p, ","))
            break;
        if (!paren && peek(p)->kind == CL_END) {
            perr(p, "SyntaxError", "trailing comma not allowed without surrounding parentheses");
            goto fail;
        }
        if (paren && at(p, ")"))
            break;
    }
    if (paren && !expect(p, ")"))
        goto fail;
    return n;
fail:
    cp_free(n);
    return NULL;
}

static cp_node *import_stmt(parser *p, size_t col)
{
    cp_node *n = node(CP_IMPORT, col);
    do {
        cp_node *a = alias(p, true);
        if (!a) {
            cp_free(n);
            return NULL;
        }
        add(n, a);
    } while (accept(p, ","));
    return n;
}

/* Check that n can be assigned to; returns false with Python's error. */
static bool check_target(parser *p, const cp_node *n, bool augmented)
{
    switch (n->kind) {
    case CP_NAME:
    case CP_ATTR:
    case CP_INDEX:
        return true;
    case CP_TUPLE:
    case CP_LIST:
        if (augmented) {
            perr(p, "SyntaxError", "'%s' is an illegal expression for augmented assignment",
                 n->kind == CP_TUPLE ? "tuple" : "list");
            return false;
        }
        for (size_t i = 0; i < n->nkids; i++)
            if (!check_target(p, n->kids[i], false))
                return false;
        return true;
    case CP_CONST:
        perr(p, "SyntaxError", "cannot assign to literal");
        return false;
    case CP_CALL:
        perr(p, "SyntaxError", "cannot assign to function call");
        return false;
    default:
        perr(p, "SyntaxError", "cannot assign to expression");
        return false;
    }
}

static cp_node *statement(parser *p)
{
    const cl_tok *tk = peek(p);
    if (tk->kind == CL_END)
        return node(CP_PASS, 0);
    if (accept(p, "from"))
        return from_import(p, tk->col);
    if (accept(p, "import"))
        return import_stmt(p, tk->col);
    if (accept(p, "pass"))
        return node(CP_PASS, tk->col);
    if (tk->kind == CL_KW && !cl_is(tk, "not") && !cl_is(tk, "True") && !cl_is(tk, "False") &&
        !cl_is(tk, "None") && !cl_is(tk, "lambda"))
        return perr(p, "SyntaxError", "'%.*s' statements are not supported by the console",
                    (int)tk->len, tk->p);
    cp_node *e = testlist(p, NULL);
    if (!e)
        return NULL;
    static const struct {
        const char *s;
        cp_op op;
    } aug[] = {
        {"+=", CP_OP_ADD}, {"-=", CP_OP_SUB}, {"*=", CP_OP_MUL}, {"/=", CP_OP_DIV},
        {"//=", CP_OP_FLOORDIV}, {"%=", CP_OP_MOD}, {"**=", CP_OP_POW},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(aug); i++) {
        if (!at(p, aug[i].s))
            continue;
        p->pos++;
        cp_node *n = node(CP_ASSIGN, tk->col);
        n->op = aug[i].op;
        add(n, e);
        if (!check_target(p, e, true)) {
            cp_free(n);
            return NULL;
        }
        cp_node *v = testlist(p, NULL);
        if (!v) {
            cp_free(n);
            return NULL;
        }
        add(n, v);
        return n;
    }
    if (!at(p, "=")) {
        cp_node *n = node(CP_EXPR, tk->col);
        add(n, e);
        return n;
    }
    cp_node *n = node(CP_ASSIGN, tk->col);
    add(n, e);
    while (accept(p, "=")) {
        cp_node *v = testlist(p, NULL);
        if (!v) {
            cp_free(n);
            return NULL;
        }
        add(n, v);
    }
    for (size_t i = 0; i + 1 < n->nkids; i++)
        if (!check_target(p, n->kids[i], false)) {
            cp_free(n);
            return NULL;
        }
    return n;
}

int cp_parse(const cl_toks *toks, cp_node **out, const char **etype, char *err, size_t errlen)
{
    parser p = {.t = toks->t, .n = toks->n, .err = err, .errlen = errlen};
    *out = NULL;
    cp_node *n = statement(&p);
    if (n && peek(&p)->kind != CL_END) {
        if (at(&p, "="))
            perr(&p, "SyntaxError", "cannot assign to expression");
        else
            syntax(&p);
        cp_free(n);
        n = NULL;
    }
    if (!n) {
        if (!p.etype)
            syntax(&p);
        *etype = p.etype;
        return KUMO_ESYNTAX;
    }
    *out = n;
    return KUMO_OK;
}
