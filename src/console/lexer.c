/* lexer.c - the console language's tokenizer: names, numbers, strings, operators. */
#include "console/lexer.h"
#include "util/hex.h"
#include "util/utf8.h"

/* The console's heap tag, as cval.c names it: the lexer sits below the values. */
static kumo_tag lex_tag(void)
{
    static kumo_tag tag;
    if (!tag)
        tag = kumo_type_intern("console");
    return tag;
}

static const char *const keywords[] = {
    "and", "or", "not", "in", "is", "for", "if", "else", "from", "import", "as", "True",
    "False", "None", "lambda", "def", "class", "return", "while", "del", "global", "with",
    "yield", "try", "except", "finally", "raise", "pass", "break", "continue", "assert",
    "async", "await", "nonlocal", "elif",
};

/* Longest first so that "**" wins over "*". */
static const char *const ops[] = {
    "**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=",
    "*=", "/=", "%=", "&=", "|=", "^=", ":=", "<<", ">>", "(", ")", "[", "]", "{", "}", ",",
    ":", ".", "=", "+", "-", "*", "/", "%", "<", ">", "~", "&", "|", "^", ";", "@",
};

static int fail(cl_toks *t, const char *etype, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(cl_toks *t, const char *etype, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, sizeof(t->err), fmt, ap);
    va_end(ap);
    t->etype = etype;
    return KUMO_ESYNTAX;
}

static cl_tok *push(cl_toks *t, cl_kind kind, const char *line, const char *p, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->t = kumo_realloc(t->t, t->cap * sizeof(*t->t), lex_tag(), KUMO_V_NONE);
    }
    cl_tok *k = &t->t[t->n++];
    *k = (cl_tok){.kind = kind, .p = p, .len = len, .col = (size_t)(p - line)};
    return k;
}

bool cl_is(const cl_tok *tok, const char *s)
{
    return (tok->kind == CL_OP || tok->kind == CL_KW) && tok->len == strlen(s) &&
           memcmp(tok->p, s, tok->len) == 0;
}

static bool is_name_start(unsigned char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Decode the body of a string literal [p, p+n) into b.  Returns KUMO_OK or a failure. */
static int decode(cl_toks *t, const char *p, size_t n, bool raw, bool bytes, kumo_buf *b)
{
    const char *codec = bytes ? "bytes" : "unicode";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (bytes && ch >= 0x80)
            return fail(t, "SyntaxError", "bytes can only contain ASCII literal characters");
        if (ch != '\\' || raw) {
            if (raw && ch == '\\' && i + 1 < n) {   /* r'\'' keeps both characters */
                kumo__buf_add(b, p + i, 2);
                i++;
                continue;
            }
            kumo__buf_addc(b, (char)ch);
            continue;
        }
        if (++i >= n)
            break;
        char e = p[i];
        int digits = 0;
        switch (e) {
        case '\n':
            break;
        case '\\': case '\'': case '"':
            kumo__buf_addc(b, e);
            break;
        case 'a': kumo__buf_addc(b, '\a'); break;
        case 'b': kumo__buf_addc(b, '\b'); break;
        case 'f': kumo__buf_addc(b, '\f'); break;
        case 'n': kumo__buf_addc(b, '\n'); break;
        case 'r': kumo__buf_addc(b, '\r'); break;
        case 't': kumo__buf_addc(b, '\t'); break;
        case 'v': kumo__buf_addc(b, '\v'); break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            unsigned v = 0;
            size_t k = 0;
            while (k < 3 && i + k < n && p[i + k] >= '0' && p[i + k] <= '7')
                v = v * 8 + (unsigned)(p[i + k++] - '0');
            i += k - 1;
            if (bytes)
                kumo__buf_addc(b, (char)(v & 0xff));
            else
                kumo__buf_add_cp(b, v);
            break;
        }
        case 'x':
            digits = 2;
            break;
        case 'u':
            digits = bytes ? 0 : 4;
            break;
        case 'U':
            digits = bytes ? 0 : 8;
            break;
        case 'N':
            if (!bytes)
                return fail(t, "SyntaxError", "(unicode error) 'unicodeescape' codec can't "
                            "decode bytes: \\N{...} escapes are not supported");
            /* fall through */
        default:
            kumo__buf_addc(b, '\\');
            kumo__buf_addc(b, e);
            break;
        }
        if ((e == 'u' || e == 'U') && bytes) {
            kumo__buf_addc(b, '\\');
            kumo__buf_addc(b, e);
            continue;
        }
        if (!digits)
            continue;
        uint32_t v = 0;
        for (int k = 1; k <= digits; k++) {
            int h = i + (size_t)k < n ? kumo__hex_value(p[i + (size_t)k]) : -1;
            if (h < 0)
                return fail(t, "SyntaxError", "(%s error) '%sescape' codec can't decode bytes: "
                            "truncated \\%c%s escape", codec, bytes ? "" : "unicode", e,
                            e == 'x' ? "XX" : e == 'u' ? "XXXX" : "XXXXXXXX");
            v = v << 4 | (uint32_t)h;
        }
        i += (size_t)digits;
        if (e == 'x' && bytes)
            kumo__buf_addc(b, (char)v);
        else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
            return fail(t, "SyntaxError", "(unicode error) 'unicodeescape' codec can't decode "
                        "bytes: illegal Unicode character");
        else
            kumo__buf_add_cp(b, v);
    }
    return KUMO_OK;
}

/* A string literal starting at p (after its prefix); pushes the token. */
static int lex_string(cl_toks *t, const char *line, const char *start, const char *p,
                      const char *end, bool raw, bool bytes, const char **next)
{
    char q = *p;
    bool triple = end - p >= 3 && p[1] == q && p[2] == q;
    const char *body = p + (triple ? 3 : 1), *s = body;
    for (;;) {
        if (s >= end)
            return fail(t, "SyntaxError", triple ? "unterminated triple-quoted string literal "
                        "(detected at line 1)" : "unterminated string literal (detected at "
                        "line 1)");
        if (*s == '\\') {
            if (end - s < 2) {
                s = end;
                continue;
            }
            s += 2;
            continue;
        }
        if (*s == q && (!triple || (end - s >= 3 && s[1] == q && s[2] == q)))
            break;
        s++;
    }
    kumo_buf b;
    kumo__buf_init(&b, 0, lex_tag(), KUMO_V_TEXT);
    kumo__buf_add(&b, "", 0);
    int rc = decode(t, body, (size_t)(s - body), raw, bytes, &b);
    if (rc) {
        kumo__buf_release(&b);
        return rc;
    }
    *next = s + (triple ? 3 : 1);
    cl_tok *k = push(t, bytes ? CL_BYTES : CL_STR, line, start, (size_t)(*next - start));
    k->s = kumo__buf_detach(&b, &k->slen);
    return KUMO_OK;
}

static int lex_number(cl_toks *t, const char *line, const char *p, const char *end,
                      const char **next)
{
    char clean[128];
    size_t n = 0;
    const char *s = p;
    bool isfloat = false;
    int base = 10;
    if (*s == '0' && s + 1 < end && strchr("xXoObB", s[1])) {
        base = s[1] == 'x' || s[1] == 'X' ? 16 : s[1] == 'o' || s[1] == 'O' ? 8 : 2;
        s += 2;
        while (s < end && (is_name_char((unsigned char)*s))) {
            if (*s != '_' && n < sizeof(clean) - 1)
                clean[n++] = *s;
            s++;
        }
        clean[n] = '\0';
        const char *kind = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
        char *e;
        errno = 0;
        unsigned long long v = n ? strtoull(clean, &e, base) : 0;
        if (!n || *e || s[-1] == '_')
            return fail(t, "SyntaxError", "invalid %s literal", kind);
        if (errno || v > INT64_MAX)
            return fail(t, "OverflowError", "int too large for the console (max %lld)",
                        (long long)INT64_MAX);
        cl_tok *k = push(t, CL_INT, line, p, (size_t)(s - p));
        k->i = (int64_t)v;
        *next = s;
        return KUMO_OK;
    }
    bool bad = false;
    while (s < end) {
        char c = *s;
        if ((c >= '0' && c <= '9') || c == '_') {
            if (c == '_' && (s + 1 >= end || s[1] < '0' || s[1] > '9'))
                bad = true;
        } else if (c == '.') {
            isfloat = true;
        } else if ((c == 'e' || c == 'E') && s + 1 < end &&
                   ((s[1] >= '0' && s[1] <= '9') ||
                    ((s[1] == '+' || s[1] == '-') && s + 2 < end && s[2] >= '0' && s[2] <= '9'))) {
            isfloat = true;
            if (n < sizeof(clean) - 2)
                clean[n++] = c;
            c = *++s;
        } else if (is_name_char((unsigned char)c)) {
            bad = true;
        } else {
            break;
        }
        if (c != '_' && n < sizeof(clean) - 1)
            clean[n++] = c;
        s++;
    }
    clean[n] = '\0';
    if (bad || n >= sizeof(clean) - 2)
        return fail(t, "SyntaxError", "invalid decimal literal");
    if (isfloat) {
        char *e;
        double f = strtod(clean, &e);
        if (*e)
            return fail(t, "SyntaxError", "invalid syntax");
        cl_tok *k = push(t, CL_FLOAT, line, p, (size_t)(s - p));
        k->f = f;
    } else {
        if (n > 1 && clean[0] == '0' && strspn(clean, "0") != n)
            return fail(t, "SyntaxError", "leading zeros in decimal integer literals are not "
                        "permitted; use an 0o prefix for octal integers");
        errno = 0;
        unsigned long long v = strtoull(clean, NULL, 10);
        if (errno || v > INT64_MAX)
            return fail(t, "OverflowError", "int too large for the console (max %lld)",
                        (long long)INT64_MAX);
        cl_tok *k = push(t, CL_INT, line, p, (size_t)(s - p));
        k->i = (int64_t)v;
    }
    *next = s;
    return KUMO_OK;
}

static int lex(const char *line, size_t len, cl_toks *t)
{
    const char *p = line, *end = line + len;
    if (memchr(line, '\0', len))
        return fail(t, "SyntaxError", "source code string cannot contain null bytes");
    if (len && (*p == ' ' || *p == '\t')) {
        size_t ws = 0;  /* the line may not be NUL-terminated: count blanks within len */
        while (ws < len && (p[ws] == ' ' || p[ws] == '\t' || p[ws] == '\r' || p[ws] == '\f'))
            ws++;
        if (ws < len && p[ws] != '#')
            return fail(t, "IndentationError", "unexpected indent");
    }
    /* bracket nesting for "was never closed" / "unmatched" */
    char stack[128];
    size_t depth = 0;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\n') {
            p++;
            continue;
        }
        if (c == '#')
            break;
        if (c == '\\' && p + 1 == end)
            return fail(t, "SyntaxError", "unexpected EOF while parsing");
        if (is_name_start(c)) {
            const char *s = p;
            while (s < end && is_name_char((unsigned char)*s))
                s++;
            size_t n = (size_t)(s - p);
            /* string prefixes: r, b, rb, br, u, f... */
            if (s < end && (*s == '\'' || *s == '"') && n <= 2) {
                bool raw = false, bytes = false, ok = true, fstr = false;
                for (size_t i = 0; i < n; i++) {
                    char pc = (char)(p[i] | 0x20);
                    if (pc == 'r')
                        raw = true;
                    else if (pc == 'b')
                        bytes = true;
                    else if (pc == 'f')
                        fstr = true;
                    else if (pc != 'u' || n > 1)
                        ok = false;
                }
                if (ok && fstr)
                    return fail(t, "SyntaxError", "f-strings are not supported by the console");
                if (ok) {
                    int rc = lex_string(t, line, p, s, end, raw, bytes, &p);
                    if (rc)
                        return rc;
                    continue;
                }
            }
            bool kw = false;
            for (size_t i = 0; i < KUMO_ARRAY_LEN(keywords) && !kw; i++)
                kw = strlen(keywords[i]) == n && memcmp(keywords[i], p, n) == 0;
            push(t, kw ? CL_KW : CL_NAME, line, p, n);
            p = s;
            continue;
        }
        if ((c >= '0' && c <= '9') || (c == '.' && p + 1 < end && p[1] >= '0' && p[1] <= '9')) {
            int rc = lex_number(t, line, p, end, &p);
            if (rc)
                return rc;
            continue;
        }
        if (c == '\'' || c == '"') {
            int rc = lex_string(t, line, p, p, end, false, false, &p);
            if (rc)
                return rc;
            continue;
        }
        size_t oplen = 0;
        for (size_t i = 0; i < KUMO_ARRAY_LEN(ops) && !oplen; i++) {
            size_t n = strlen(ops[i]);
            if ((size_t)(end - p) >= n && memcmp(p, ops[i], n) == 0)
                oplen = n;
        }
        if (!oplen) {
            if (c >= 0x80) {
                uint32_t cp = 0;
                size_t n = 1;
                if (c >= 0xc0 && c < 0xf8) {
                    n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
                    cp = c & (0x3f >> (n - 1));
                    for (size_t i = 1; i < n; i++) {
                        if (p + i >= end || (p[i] & 0xc0) != 0x80) {
                            n = 0;
                            break;
                        }
                        cp = cp << 6 | (p[i] & 0x3f);
                    }
                } else {
                    n = 0;
                }
                if (!n)
                    return fail(t, "SyntaxError", "(unicode error) 'utf-8' codec can't decode "
                                "byte 0x%02x in position %zu: invalid start byte", c,
                                (size_t)(p - line));
                return fail(t, "SyntaxError", "invalid character '%.*s' (U+%04X)", (int)n, p,
                            (unsigned)cp);
            }
            if (c < 0x20 || c == 0x7f)
                return fail(t, "SyntaxError", "invalid non-printable character U+%04X", c);
            return fail(t, "SyntaxError", "invalid syntax");
        }
        if (oplen == 1 && strchr("([{", c)) {
            if (depth >= sizeof(stack))
                return fail(t, "SyntaxError", "too many nested parentheses");
            stack[depth++] = (char)c;
        } else if (oplen == 1 && strchr(")]}", c)) {
            char want = c == ')' ? '(' : c == ']' ? '[' : '{';
            if (!depth)
                return fail(t, "SyntaxError", "unmatched '%c'", c);
            if (stack[depth - 1] != want)
                return fail(t, "SyntaxError", "closing parenthesis '%c' does not match opening "
                            "parenthesis '%c'", c, stack[depth - 1]);
            depth--;
        }
        push(t, CL_OP, line, p, oplen);
        p += oplen;
    }
    if (depth)
        return fail(t, "SyntaxError", "'%c' was never closed", stack[depth - 1]);
    push(t, CL_END, line, end, 0);
    return KUMO_OK;
}

int cl_lex(const char *line, size_t len, cl_toks *out)
{
    *out = (cl_toks){0};
    return lex(line, len, out);
}

void cl_release(cl_toks *t)
{
    for (size_t i = 0; i < t->n; i++)
        kumo_free(t->t[i].s);
    kumo_free(t->t);
    t->t = NULL;
    t->n = t->cap = 0;
}
