/* parser.h - the console language's syntax tree and its recursive-descent parser. */
#ifndef KUMO_CONSOLE_PARSER_H
#define KUMO_CONSOLE_PARSER_H

#include "console/lexer.h"
#include "console/cval.h"

#define CP_DEPTH_MAX 100    /* nesting of expressions in one line */
#define CP_HEIGHT_MAX 200   /* height of a syntax tree (chains like a.b.c... or 1+1+...) */

typedef enum cp_kind {
    CP_CONST,       /* val */
    CP_NAME,        /* name */
    CP_ATTR,        /* kids[0].name */
    CP_CALL,        /* kids[0](kids[1..]); keyword arguments are CP_KWARG kids */
    CP_KWARG,       /* name=kids[0] */
    CP_INDEX,       /* kids[0][kids[1]] */
    CP_SLICE,       /* kids[0]:kids[1]:kids[2], each may be NULL */
    CP_BINOP,       /* kids[0] op kids[1] */
    CP_UNARY,       /* op kids[0] (negation, plus) */
    CP_NOT,         /* not kids[0] */
    CP_AND,         /* kids[0] and kids[1] and ... */
    CP_OR,
    CP_CMP,         /* kids[0] ops[0] kids[1] ops[1] kids[2] ... (chained) */
    CP_IFEXP,       /* kids[1] if kids[0] else kids[2] */
    CP_TUPLE,       /* kids */
    CP_LIST,        /* kids */
    CP_DICT,        /* kids: key, value, key, value... */
    CP_LISTCOMP,    /* kids[0] is the element, then CP_FOR and CP_IF clauses */
    CP_FOR,         /* for kids[0] (a target) in kids[1] */
    CP_IF,          /* if kids[0] */
    CP_EXPR,        /* statement: an expression, kids[0] */
    CP_ASSIGN,      /* statement: kids[0..n-2] = kids[n-1]; op != 0 for augmented (+=) */
    CP_FROM,        /* statement: from name import kids (CP_ALIAS); name2 "*" for import * */
    CP_IMPORT,      /* statement: import kids (CP_ALIAS) */
    CP_ALIAS,       /* name [as name2] */
    CP_PASS,        /* statement: empty line or comment */
} cp_kind;

typedef enum cp_op {
    CP_OP_NONE,
    CP_OP_ADD, CP_OP_SUB, CP_OP_MUL, CP_OP_DIV, CP_OP_FLOORDIV, CP_OP_MOD, CP_OP_POW,
    CP_OP_NEG, CP_OP_POS, CP_OP_INV,
    CP_OP_EQ, CP_OP_NE, CP_OP_LT, CP_OP_LE, CP_OP_GT, CP_OP_GE,
    CP_OP_IN, CP_OP_NOTIN, CP_OP_IS, CP_OP_ISNOT,
} cp_op;

typedef struct cp_node cp_node;
struct cp_node {
    cp_kind kind;
    cp_op op;
    size_t col;             /* where it starts in the line */
    char *name, *name2;     /* owned */
    cval *val;              /* one reference */
    cp_node **kids;         /* owned; entries may be NULL (slices) */
    size_t nkids, cap;
    cp_op *ops;             /* CP_CMP: nkids - 1 operators, owned */
    unsigned height;        /* 1 + the tallest kid: bounds evaluation depth */
};

/*
 * Parse one line's tokens into a statement.  Returns KUMO_OK with *out a new tree
 * (free with cp_free), or KUMO_ESYNTAX with *etype ("SyntaxError", "RecursionError") and a
 * Python-style message in err.
 */
int cp_parse(const cl_toks *toks, cp_node **out, const char **etype, char *err, size_t errlen);
void cp_free(cp_node *n);

/* The name of an operator as Python's errors spell it ("+", "<=", "in"). */
const char *cp_op_name(cp_op op);

#endif
