/* lexer.h - tokens of the console's Python-shaped language. */
#ifndef KUMO_CONSOLE_LEXER_H
#define KUMO_CONSOLE_LEXER_H

#include "kumo-int.h"

typedef enum cl_kind {
    CL_END,
    CL_NAME,
    CL_KW,          /* a keyword: and, or, not, in, is, for, if, else, from, import, as,
                     * True, False, None, and the ones the language refuses (lambda...) */
    CL_INT,
    CL_FLOAT,
    CL_STR,
    CL_BYTES,
    CL_OP,          /* punctuation: ( ) [ ] { } , : . = + - * / // % ** == != < > <= >= ... */
} cl_kind;

typedef struct cl_tok {
    cl_kind kind;
    const char *p;          /* the source text of the token (borrowed from the line) */
    size_t len;
    size_t col;             /* byte offset in the line */
    int64_t i;              /* CL_INT */
    double f;               /* CL_FLOAT */
    char *s;                /* CL_STR / CL_BYTES: the decoded value, owned, NUL-terminated */
    size_t slen;
} cl_tok;

typedef struct cl_toks {
    cl_tok *t;              /* always ends with a CL_END token after a successful lex */
    size_t n, cap;
    const char *etype;      /* on failure: "SyntaxError", "IndentationError"... */
    char err[256];          /* on failure: the message */
} cl_toks;

/*
 * Split line (len bytes, any bytes at all) into tokens.  Returns KUMO_OK, or KUMO_ESYNTAX
 * with etype and err set to Python's message ("unterminated string literal (detected at
 * line 1)").  Release the tokens with cl_release() in both cases.
 */
int cl_lex(const char *line, size_t len, cl_toks *out);
void cl_release(cl_toks *t);

/* Returns true when tok is the operator or keyword s. */
bool cl_is(const cl_tok *tok, const char *s);

#endif
