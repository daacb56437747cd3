/* test_lexer.c - the console tokenizer: token kinds, decoded literals, Python's errors. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "console/lexer.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
}

TestSuite(lexer, .init = setup, .fini = kumo_leakcheck_end);

/* Tokens as "KIND:text" words: N name, K keyword, I int, F float, S str, B bytes, O op. */
static void dump(const cl_toks *t, char *out, size_t n)
{
    static const char kinds[] = {[CL_END] = 'E', [CL_NAME] = 'N', [CL_KW] = 'K', [CL_INT] = 'I',
                                 [CL_FLOAT] = 'F', [CL_STR] = 'S', [CL_BYTES] = 'B',
                                 [CL_OP] = 'O'};
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t->n && o < n; i++) {
        const cl_tok *k = &t->t[i];
        if (k->kind == CL_INT)
            o += (size_t)snprintf(out + o, n - o, "%sI:%lld", i ? " " : "", (long long)k->i);
        else if (k->kind == CL_FLOAT)
            o += (size_t)snprintf(out + o, n - o, "%sF:%g", i ? " " : "", k->f);
        else if (k->kind == CL_STR || k->kind == CL_BYTES)
            o += (size_t)snprintf(out + o, n - o, "%s%c:%s", i ? " " : "", kinds[k->kind], k->s);
        else
            o += (size_t)snprintf(out + o, n - o, "%s%c:%.*s", i ? " " : "", kinds[k->kind],
                                  (int)k->len, k->p);
    }
}

typedef struct ok_case {
    const char *in, *want;
} ok_case;

static const ok_case ok_cases[] = {
    {"x = get_oldest('HtmlResponse')", "N:x O:= N:get_oldest O:( S:HtmlResponse O:) E:"},
    {"r.body[:80]", "N:r O:. N:body O:[ O:: I:80 O:] E:"},
    {"[r.url for r in iter_all(\"A\")]",
     "O:[ N:r O:. N:url K:for N:r K:in N:iter_all O:( S:A O:) O:] E:"},
    {"from scrapy.utils.trackref import get_oldest, iter_all",
     "K:from N:scrapy O:. N:utils O:. N:trackref K:import N:get_oldest O:, N:iter_all E:"},
    {"1 2.5 .5 1e3 1_000 0x1F 0o17 0b101 7.", "I:1 F:2.5 F:0.5 F:1000 I:1000 I:31 I:15 I:5 "
                                             "F:7 E:"},
    {"a**b//c!=d<=e>=f==g", "N:a O:** N:b O:// N:c O:!= N:d O:<= N:e O:>= N:f O:== N:g E:"},
    {"'a\\tb\\x41\\101\\u00e9\\'' r'\\n' b'\\xff'", "S:a\tbAA\xc3\xa9' S:\\n B:\xff E:"},
    {"'''tri'ple''' \"q\\\"\"", "S:tri'ple S:q\" E:"},
    {"True and not None  # comment", "K:True K:and K:not K:None E:"},
    {"", "E:"},
    {"   # only a comment", "E:"},
};

Test(lexer, tokens)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(ok_cases); i++) {
        cl_toks t;
        int rc = cl_lex(ok_cases[i].in, strlen(ok_cases[i].in), &t);
        cr_assert_eq(rc, KUMO_OK, "%s: %s", ok_cases[i].in, t.err);
        char got[512];
        dump(&t, got, sizeof(got));
        cl_release(&t);
        cr_expect_str_eq(got, ok_cases[i].want, "lexing %s", ok_cases[i].in);
    }
}

typedef struct err_case {
    const char *in;
    size_t len;             /* 0: strlen */
    const char *etype, *msg;
} err_case;

static const err_case err_cases[] = {
    {"'abc", 0, "SyntaxError", "unterminated string literal (detected at line 1)"},
    {"'''abc''", 0, "SyntaxError", "unterminated triple-quoted string literal (detected at "
                                   "line 1)"},
    {"'abc\\", 0, "SyntaxError", "unterminated string literal (detected at line 1)"},
    {"x = (1", 0, "SyntaxError", "'(' was never closed"},
    {")", 0, "SyntaxError", "unmatched ')'"},
    {"(]", 0, "SyntaxError", "closing parenthesis ']' does not match opening parenthesis '('"},
    {"1abc", 0, "SyntaxError", "invalid decimal literal"},
    {"0x", 0, "SyntaxError", "invalid hexadecimal literal"},
    {"012", 0, "SyntaxError", "leading zeros in decimal integer literals are not permitted; "
                              "use an 0o prefix for octal integers"},
    {"$", 0, "SyntaxError", "invalid syntax"},
    {"\xc2\xa5", 0, "SyntaxError", "invalid character '\xc2\xa5' (U+00A5)"},
    {"\xff", 0, "SyntaxError", "(unicode error) 'utf-8' codec can't decode byte 0xff in "
                               "position 0: invalid start byte"},
    {"a\0b", 3, "SyntaxError", "source code string cannot contain null bytes"},
    {"  x", 0, "IndentationError", "unexpected indent"},
    {"b'\xc3\xa9'", 0, "SyntaxError", "bytes can only contain ASCII literal characters"},
    {"'\\x4'", 0, "SyntaxError", "(unicode error) 'unicodeescape' codec can't decode bytes: "
                                 "truncated \\xXX escape"},
    {"99999999999999999999", 0, "OverflowError", "int too large for the console (max "
                                                 "9223372036854775807)"},
    {"f'x'", 0, "SyntaxError", "f-strings are not supported by the console"},
    {"x \\", 0, "SyntaxError", "unexpected EOF while parsing"},
};

Test(lexer, errors)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(err_cases); i++) {
        const err_case *e = &err_cases[i];
        cl_toks t;
        int rc = cl_lex(e->in, e->len ? e->len : strlen(e->in), &t);
        cr_expect_eq(rc, KUMO_ESYNTAX, "lexing %s", e->in);
        if (rc == KUMO_ESYNTAX) {
            cr_expect_str_eq(t.etype, e->etype, "lexing %s", e->in);
            cr_expect_str_eq(t.err, e->msg, "lexing %s", e->in);
        }
        cl_release(&t);
    }
}

Test(lexer, every_byte)
{
    /* each single byte and each pair of a few interesting bytes: no crash, no leak */
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b += 17) {
            char s[3] = {(char)a, (char)b, '\''};
            cl_toks t;
            cl_lex(s, 3, &t);
            cl_release(&t);
        }
    }
}

Test(lexer, blank_line_stays_within_len)
{
    /* cl_lex takes len bytes, not a C string: a line of blanks with no NUL after it is read
     * no further than len (a heap buffer, so that ASan sees an over-read) */
    static const char *const blanks[] = {" ", "\t", " \t\r\f", "\t \f"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(blanks); i++) {
        size_t n = strlen(blanks[i]);
        char *s = malloc(n);
        cr_assert_not_null(s);
        memcpy(s, blanks[i], n);
        cl_toks t;
        int rc = cl_lex(s, n, &t);
        cr_expect_eq(rc, KUMO_OK, "lexing %zu blanks", n);
        cr_expect_eq(t.n, 1, "only the end token");
        cl_release(&t);
        free(s);
    }
}
