/* css.c - CSS-to-XPath translation (cssselect's HTMLTranslator + parsel) and the query cache. */
#include "select/css.h"
#include "select/cssmatch.h"
#include "util/utf8.h"
#include "select/regex.h"
#include "util/buf.h"
#include <libxml/xpathInternals.h>

/* ---------------------------------------------------------------- strings */

static char *sdup(const char *s)
{
    return kumo_strdup(s, KUMO_T_STR, KUMO_V_CACHE);
}

static char *sfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *sfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    kumo_assert(n >= 0);
    char *s = kumo_alloc((size_t)n + 1, KUMO_T_STR, KUMO_V_CACHE);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Replace *dst with s (takes ownership of s). */
static void sset(char **dst, char *s)
{
    kumo_free(*dst);
    *dst = s;
}

static void ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* cssselect's xpath_literal(): a string literal whatever quotes s holds. */
static char *xpath_literal(const char *s)
{
    if (!strchr(s, '\''))
        return sfmt("'%s'", s);
    if (!strchr(s, '"'))
        return sfmt("\"%s\"", s);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_CACHE);
    kumo__buf_adds(&b, "concat(");
    bool first = true;
    while (*s) {
        bool quotes = *s == '\'';
        size_t n = quotes ? strspn(s, "'") : strcspn(s, "'");
        if (!first)
            kumo__buf_addc(&b, ',');
        first = false;
        kumo__buf_printf(&b, quotes ? "\"%.*s\"" : "'%.*s'", (int)n, s);
        s += n;
    }
    kumo__buf_addc(&b, ')');
    return kumo__buf_detach(&b, NULL);
}

/* cssselect's is_safe_name(): ^[a-zA-Z_][a-zA-Z0-9_.-]*$ */
static bool is_safe_name(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
            return false;
    return true;
}

/* ---------------------------------------------------------------- XPathExpr */

/* cssselect's XPathExpr with parsel's textnode / attribute. */
typedef struct xexpr {
    char *path, *element, *cond;    /* cond NULL: none */
    bool textnode;
    char *attribute;                /* NULL: none */
} xexpr;

static void x_init(xexpr *x, const char *element)
{
    *x = (xexpr){.path = sdup(""), .element = sdup(element)};
}

static void x_release(xexpr *x)
{
    kumo_free(x->path);
    kumo_free(x->element);
    kumo_free(x->cond);
    kumo_free(x->attribute);
    *x = (xexpr){0};
}

static void x_add_cond(xexpr *x, const char *c)
{
    if (x->cond && *x->cond)
        sset(&x->cond, sfmt("(%s) and (%s)", x->cond, c));
    else
        sset(&x->cond, sdup(c));
}

static void x_add_name_test(xexpr *x)
{
    if (strcmp(x->element, "*") == 0)
        return;
    char *lit = xpath_literal(x->element);
    char *c = sfmt("name() = %s", lit);
    x_add_cond(x, c);
    kumo_free(c);
    kumo_free(lit);
    sset(&x->element, sdup("*"));
}

/* cssselect's str(XPathExpr). */
static char *x_str(const xexpr *x)
{
    if (x->cond && *x->cond)
        return sfmt("%s%s[%s]", x->path, x->element, x->cond);
    return sfmt("%s%s", x->path, x->element);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* parsel's str(XPathExpr): ::text and ::attr() applied to the last step. */
static char *x_str_parsel(const xexpr *x)
{
    char *path = x_str(x);
    if (x->textnode) {
        if (strcmp(path, "*") == 0) {
            sset(&path, sdup("text()"));
        } else if (ends_with(path, "::*/*")) {
            path[strlen(path) - 3] = '\0';
            sset(&path, sfmt("%stext()", path));
        } else {
            sset(&path, sfmt("%s/text()", path));
        }
    }
    if (x->attribute) {
        if (ends_with(path, "::*/*"))
            path[strlen(path) - 2] = '\0';
        sset(&path, sfmt("%s/@%s", path, x->attribute));
    }
    return path;
}

/* cssselect's XPathExpr.join(): left becomes left + combiner + right; right is consumed. */
static void x_join(xexpr *left, const char *combiner, xexpr *right)
{
    char *s = x_str(left);
    sset(&left->path, sfmt("%s%s%s", s, combiner, strcmp(right->path, "*/") ? right->path : ""));
    kumo_free(s);
    sset(&left->element, right->element);
    sset(&left->cond, right->cond);
    sset(&left->attribute, right->attribute);
    left->textnode = right->textnode;
    right->element = right->cond = right->attribute = NULL;
    x_release(right);
}

/* ---------------------------------------------------------------- parser */

typedef struct parser {
    const char *s;
    size_t i;
    size_t errpos;
    char *msg;
    size_t msglen;
    bool failed;
    kumo_cssmatch *m;           /* the native matcher built alongside, or NULL */
} parser;

static bool fail(parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(parser *p, size_t pos, const char *fmt, ...)
{
    if (p->failed)
        return false;
    p->failed = true;
    p->errpos = pos;
    if (p->msg && p->msglen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->msg, p->msglen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Describe the token at p->i as cssselect does: <EOF at 5>, <DELIM 'x' at 2>, <IDENT 'a' at 0>,
 * <STRING 'v' at 3>, <NUMBER '1' at 3>, <S ' ' at 7>. */
static const char *what(const parser *p, char *buf, size_t n)
{
    const char *s = p->s + p->i;
    unsigned char c = (unsigned char)*s;
    size_t len = 0;
    if (!c) {
        snprintf(buf, n, "<EOF at %zu>", p->i);
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        while (s[len] == ' ' || s[len] == '\t' || s[len] == '\n' || s[len] == '\r' ||
               s[len] == '\f')
            len++;
        snprintf(buf, n, "<S '%.*s' at %zu>", (int)len, s, p->i);
    } else if (c == '\'' || c == '"') {
        len = 1;
        while (s[len] && s[len] != (char)c)
            len += s[len] == '\\' && s[len + 1] ? 2 : 1;
        snprintf(buf, n, "<STRING '%.*s' at %zu>", (int)(len - 1), s + 1, p->i);
    } else if ((c >= '0' && c <= '9') || (c == '.' && s[1] >= '0' && s[1] <= '9')) {
        while ((s[len] >= '0' && s[len] <= '9') || s[len] == '.')
            len++;
        snprintf(buf, n, "<NUMBER '%.*s' at %zu>", (int)len, s, p->i);
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ||
               (c == '-' && s[1] && !(s[1] >= '0' && s[1] <= '9'))) {
        len = 1;
        while (s[len] && (((unsigned char)s[len] >= 0x80) || s[len] == '_' || s[len] == '-' ||
                          (s[len] >= 'a' && s[len] <= 'z') || (s[len] >= 'A' && s[len] <= 'Z') ||
                          (s[len] >= '0' && s[len] <= '9')))
            len++;
        snprintf(buf, n, "<IDENT '%.*s' at %zu>", (int)len, s, p->i);
    } else {
        snprintf(buf, n, "<DELIM '%c' at %zu>", c, p->i);
    }
    return buf;
}

static bool expected(parser *p, const char *thing)
{
    char w[96];
    return fail(p, p->i, "Expected %s, got %s", thing, what(p, w, sizeof(w)));
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Skip whitespace and comments; returns true when any whitespace was skipped. */
static bool skip_ws(parser *p)
{
    bool ws = false;
    for (;;) {
        if (is_ws(p->s[p->i])) {
            ws = true;
            p->i++;
        } else if (p->s[p->i] == '/' && p->s[p->i + 1] == '*') {
            const char *end = strstr(p->s + p->i + 2, "*/");
            p->i = end ? (size_t)(end - p->s) + 2 : strlen(p->s);
        } else {
            return ws;
        }
    }
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void add_utf8(kumo_buf *b, unsigned long cp)
{
    kumo__buf_add_cp(b, cp == 0 || cp > 0x10FFFF ? 0xFFFD : (uint32_t)cp);
}

/* An escape at s (a backslash, not before a newline): decode it into b, return its length. */
static size_t escape(const char *s, kumo_buf *b)
{
    if (is_hex(s[1])) {
        size_t n = 1;
        unsigned long cp = 0;
        while (n <= 6 && is_hex(s[n])) {
            cp = cp * 16 + (unsigned long)(s[n] <= '9' ? s[n] - '0' : (s[n] | 0x20) - 'a' + 10);
            n++;
        }
        add_utf8(b, cp);
        if (s[n] == '\r' && s[n + 1] == '\n')
            n += 2;
        else if (is_ws(s[n]))
            n++;
        return n;
    }
    kumo__buf_addc(b, s[1]);
    return 2;
}

static bool escape_at(const char *s)
{
    return s[0] == '\\' && s[1] && s[1] != '\n' && s[1] != '\r' && s[1] != '\f';
}

static bool nmstart(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 ||
           escape_at(s);
}

static bool nmchar(const char *s)
{
    return nmstart(s) || (*s >= '0' && *s <= '9') || *s == '-';
}

/* Read name characters at p->i into b (escapes decoded); returns how many bytes were read. */
static size_t read_name(parser *p, kumo_buf *b)
{
    size_t start = p->i;
    while (nmchar(p->s + p->i)) {
        if (p->s[p->i] == '\\')
            p->i += escape(p->s + p->i, b);
        else
            kumo__buf_addc(b, p->s[p->i++]);
    }
    return p->i - start;
}

static bool ident_at(const parser *p)
{
    const char *s = p->s + p->i;
    return nmstart(s) || (s[0] == '-' && nmstart(s + 1));
}

/* Read an identifier into a new string, or return NULL (nothing consumed) if none is here. */
static char *read_ident(parser *p)
{
    if (!ident_at(p))
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_CACHE);
    if (p->s[p->i] == '-')
        kumo__buf_addc(&b, p->s[p->i++]);
    read_name(p, &b);
    return kumo__buf_detach(&b, NULL);
}

/* Read a quoted string at p->i (which is a quote) into a new string; NULL on error. */
static char *read_string(parser *p)
{
    char q = p->s[p->i];
    size_t start = p->i++;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_CACHE);
    kumo__buf_adds(&b, "");
    for (;;) {
        char c = p->s[p->i];
        if (!c) {
            kumo__buf_release(&b);
            fail(p, start, "Unclosed string at %zu", start);
            return NULL;
        }
        if (c == q) {
            p->i++;
            return kumo__buf_detach(&b, NULL);
        }
        if (c == '\n' || c == '\r' || c == '\f') {
            kumo__buf_release(&b);
            fail(p, start, "Invalid string at %zu", start);
            return NULL;
        }
        if (c == '\\') {
            char d = p->s[p->i + 1];
            if (d == '\r' && p->s[p->i + 2] == '\n')
                p->i += 3;
            else if (d == '\n' || d == '\r' || d == '\f')
                p->i += 2;
            else if (!d)
                p->i++;
            else
                p->i += escape(p->s + p->i, &b);
            continue;
        }
        kumo__buf_addc(&b, c);
        p->i++;
    }
}

/* A token of a functional pseudo's arguments. */
typedef enum { ARG_IDENT, ARG_STRING, ARG_NUMBER, ARG_DELIM } argtype;
typedef struct arg {
    argtype type;
    char *value;
} arg;

#define MAX_ARGS 16

static void args_free(arg *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_free(a[i].value);
}

/* cssselect's parse_arguments(): after '(' up to and including ')'.  On failure *n is 0. */
static bool parse_args(parser *p, arg *a, size_t *n)
{
    *n = 0;
    for (;;) {
        skip_ws(p);
        char c = p->s[p->i];
        if (c == ')') {
            p->i++;
            return true;
        }
        if (*n == MAX_ARGS)
            break;
        char *v = NULL;
        argtype t;
        if ((c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')) &&
            ((c >= '0' && c <= '9') || (p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9') ||
             (p->s[p->i + 1] == '.' && c != '.'))) {
            size_t k = p->i + 1;
            while ((p->s[k] >= '0' && p->s[k] <= '9') || p->s[k] == '.')
                k++;
            v = kumo_strndup(p->s + p->i, k - p->i, KUMO_T_STR, KUMO_V_CACHE);
            p->i = k;
            t = ARG_NUMBER;
        } else if (ident_at(p)) {
            v = read_ident(p);
            t = ARG_IDENT;
        } else if (c == '\'' || c == '"') {
            v = read_string(p);
            if (!v)
                break;
            t = ARG_STRING;
        } else if (c == '+' || c == '-') {
            v = kumo_strndup(p->s + p->i, 1, KUMO_T_STR, KUMO_V_CACHE);
            p->i++;
            t = ARG_DELIM;
        } else {
            expected(p, "an argument");
            break;
        }
        a[*n].type = t;
        a[*n].value = v;
        (*n)++;
    }
    if (*n == MAX_ARGS)
        fail(p, p->i, "Too many arguments at %zu", p->i);
    args_free(a, *n);
    *n = 0;
    return false;
}

/* Parse an integer with an optional sign; the whole of s[0..n) must be used. */
static bool parse_int(const char *s, size_t n, long *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == n)
        return false;
    long v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > 100000000)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* cssselect's parse_series(): an+b. */
static bool parse_series(const arg *a, size_t n, long *pa, long *pb)
{
    char s[128];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i].type == ARG_STRING)
            return false;
        size_t m = strlen(a[i].value);
        if (len + m >= sizeof(s))
            return false;
        memcpy(s + len, a[i].value, m);
        len += m;
    }
    s[len] = '\0';
    if (strcmp(s, "odd") == 0) {
        *pa = 2, *pb = 1;
        return true;
    }
    if (strcmp(s, "even") == 0) {
        *pa = 2, *pb = 0;
        return true;
    }
    if (strcmp(s, "n") == 0) {
        *pa = 1, *pb = 0;
        return true;
    }
    char *npos = strchr(s, 'n');
    if (!npos)
        return *pa = 0, parse_int(s, len, pb);
    size_t alen = (size_t)(npos - s);
    if (alen == 0)
        *pa = 1;
    else if (alen == 1 && (s[0] == '-' || s[0] == '+'))
        *pa = s[0] == '-' ? -1 : 1;
    else if (!parse_int(s, alen, pa))
        return false;
    const char *b = npos + 1;
    if (!*b) {
        *pb = 0;
        return true;
    }
    return parse_int(b, strlen(b), pb);
}

/* cssselect's xpath_nth_child_function(). */
static void nth_child(xexpr *x, long a, long b, bool last, bool name_test)
{
    long b1 = b - 1;
    if (a == 1 && b1 <= 0)
        return;
    if (a < 0 && b1 < 1) {
        x_add_cond(x, "0");
        return;
    }
    char *count = sfmt("count(%s-sibling::%s)", last ? "following" : "preceding",
                       name_test ? "*" : x->element);
    if (a == 0) {
        char *c = sfmt("%s = %ld", count, b1);
        x_add_cond(x, c);
        kumo_free(c);
        kumo_free(count);
        return;
    }
    char *e1 = NULL, *e2 = NULL;
    if (a > 0) {
        if (b1 > 0)
            e1 = sfmt("%s >= %ld", count, b1);
    } else {
        e1 = sfmt("%s <= %ld", count, b1);
    }
    if (labs(a) != 1) {
        long m = labs(a);
        long bneg = ((-b1) % m + m) % m;
        if (bneg)
            e2 = sfmt("(%s +%ld) mod %ld = 0", count, bneg, a);
        else
            e2 = sfmt("%s mod %ld = 0", count, a);
    }
    char *c;
    if (e1 && e2)
        c = sfmt("(%s) and (%s)", e1, e2);
    else
        c = sdup(e1 ? e1 : e2);
    x_add_cond(x, c);
    kumo_free(c);
    kumo_free(e1);
    kumo_free(e2);
    kumo_free(count);
}

static const struct {
    const char *name;
    const char *cond;           /* NULL: needs the element name (…-of-type) */
} simple_pseudos[] = {
    {"first-child", "count(preceding-sibling::*) = 0"},
    {"last-child", "count(following-sibling::*) = 0"},
    {"only-child", "count(parent::*/child::*) = 1"},
    {"empty", "not(*) and not(string-length())"},
    {"root", "not(parent::*)"},
    {"first-of-type", NULL},
    {"last-of-type", NULL},
    {"only-of-type", NULL},
    {"link", "@href and (name(.) = 'a' or name(.) = 'link' or name(.) = 'area')"},
    {"hover", "0"},
    {"active", "0"},
    {"focus", "0"},
    {"target", "0"},
    {"target-within", "0"},
    {"focus-within", "0"},
    {"visited", "0"},
};

static bool parse_compound(parser *p, xexpr *x, char **pseudo_el, bool in_not,
                           kumo_cssm_comb comb);

static bool pseudo_class_simple(parser *p, xexpr *x, const char *name, size_t pos)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(simple_pseudos); i++) {
        if (strcmp(simple_pseudos[i].name, name) != 0)
            continue;
        if (simple_pseudos[i].cond) {
            x_add_cond(x, simple_pseudos[i].cond);
            return true;
        }
        if (strcmp(x->element, "*") == 0)
            return fail(p, pos, "*:%s is not implemented", name);
        char *c;
        if (strcmp(name, "first-of-type") == 0)
            c = sfmt("count(preceding-sibling::%s) = 0", x->element);
        else if (strcmp(name, "last-of-type") == 0)
            c = sfmt("count(following-sibling::%s) = 0", x->element);
        else
            c = sfmt("count(parent::*/child::%s) = 1", x->element);
        x_add_cond(x, c);
        kumo_free(c);
        return true;
    }
    return fail(p, pos, "The pseudo-class :%s is unknown", name);
}

static bool pseudo_class_function(parser *p, xexpr *x, const char *name, size_t pos)
{
    if (strcmp(name, "not") == 0) {
        skip_ws(p);
        xexpr sub;
        char *pe = NULL;
        if (!parse_compound(p, &sub, &pe, true, KUMO_CSSM_DESCENDANT))
            return false;
        /* cssselect: no whitespace before the ')' of :not(). */
        if (p->s[p->i] != ')') {
            x_release(&sub);
            return expected(p, "')'");
        }
        p->i++;
        x_add_name_test(&sub);
        if (sub.cond && *sub.cond) {
            char *c = sfmt("not(%s)", sub.cond);
            x_add_cond(x, c);
            kumo_free(c);
        } else {
            x_add_cond(x, "0");
        }
        x_release(&sub);
        return true;
    }
    arg a[MAX_ARGS];
    size_t n;
    if (!parse_args(p, a, &n))
        return false;
    bool ok = true;
    if (strcmp(name, "contains") == 0) {
        if (n != 1 || (a[0].type != ARG_STRING && a[0].type != ARG_IDENT)) {
            ok = fail(p, pos, "Expected a single string or ident for :contains() at %zu", pos);
        } else {
            char *lit = xpath_literal(a[0].value);
            char *c = sfmt("contains(., %s)", lit);
            x_add_cond(x, c);
            kumo_free(c);
            kumo_free(lit);
        }
    } else if (strcmp(name, "nth-child") == 0 || strcmp(name, "nth-last-child") == 0 ||
               strcmp(name, "nth-of-type") == 0 || strcmp(name, "nth-last-of-type") == 0) {
        long sa, sb;
        bool of_type = strstr(name, "of-type") != NULL;
        if (!parse_series(a, n, &sa, &sb))
            ok = fail(p, pos, "Invalid series for :%s() at %zu", name, pos);
        else if (of_type && strcmp(x->element, "*") == 0)
            ok = fail(p, pos, "*:%s() is not implemented", name);
        else
            nth_child(x, sa, sb, strstr(name, "last") != NULL, !of_type);
    } else {
        ok = fail(p, pos, "The pseudo-class :%s() is unknown", name);
    }
    args_free(a, n);
    return ok;
}

/* '::' seen at p->i - 2: parsel's ::text and ::attr(name). */
static bool parse_pseudo_element(parser *p, char **pseudo_el)
{
    size_t pos = p->i - 2;
    char *name = read_ident(p);
    if (!name)
        return expected(p, "ident");
    if (p->s[p->i] == '(') {
        p->i++;
        ascii_lower(name);
        arg a[MAX_ARGS];
        size_t n;
        bool ok = parse_args(p, a, &n);
        if (ok && strcmp(name, "attr") != 0) {
            ok = fail(p, pos, "The functional pseudo-element ::%s() is unknown", name);
        } else if (ok && (n != 1 || (a[0].type != ARG_STRING && a[0].type != ARG_IDENT))) {
            ok = fail(p, pos, "Expected a single string or ident for ::attr() at %zu", pos);
        } else if (ok) {
            /* Encoded as "@name" so the caller can tell it from "text". */
            *pseudo_el = sfmt("@%s", a[0].value);
        }
        args_free(a, n);
        kumo_free(name);
        return ok;
    }
    ascii_lower(name);
    if (strcmp(name, "text") != 0) {
        fail(p, pos, "The pseudo-element ::%s is unknown", name);
        kumo_free(name);
        return false;
    }
    *pseudo_el = name;
    return true;
}

static const char *const attr_ops[] = {"~=", "|=", "^=", "*=", "!=", "$=", "="};

static bool non_whitespace(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (is_ws(*s))
            return false;
    return true;
}

/* The number of characters of UTF-8 s (Python's len() of the string cssselect reads). */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* '[' seen: parse up to and including ']' and add the condition (and the test to m). */
static bool parse_attrib(parser *p, xexpr *x, kumo_cssmatch *m)
{
    skip_ws(p);
    char *name = read_ident(p);
    if (!name)
        return expected(p, "ident or '*'");
    ascii_lower(name);
    char *attr = NULL;
    if (is_safe_name(name)) {
        attr = sfmt("@%s", name);
    } else {
        char *lit = xpath_literal(name);
        attr = sfmt("attribute::*[name() = %s]", lit);
        kumo_free(lit);
        kumo__cssm_unsupported(m);
    }
    skip_ws(p);
    bool ok = true;
    if (p->s[p->i] == ']') {
        p->i++;
        x_add_cond(x, attr);
        kumo__cssm_test(m, KUMO_CSSM_EXISTS, name, NULL);
        kumo_free(attr);
        kumo_free(name);
        return true;
    }
    size_t k;
    for (k = 0; k < KUMO_ARRAY_LEN(attr_ops); k++)
        if (strncmp(p->s + p->i, attr_ops[k], strlen(attr_ops[k])) == 0)
            break;
    if (k == KUMO_ARRAY_LEN(attr_ops)) {
        char w[96];
        kumo_free(attr);
        kumo_free(name);
        return fail(p, p->i, "Operator expected, got %s", what(p, w, sizeof(w)));
    }
    p->i += strlen(attr_ops[k]);
    skip_ws(p);
    char *value = NULL;
    if (p->s[p->i] == '\'' || p->s[p->i] == '"')
        value = read_string(p);
    else if (ident_at(p))
        value = read_ident(p);
    else
        ok = expected(p, "string or ident");
    if (ok && !value)
        ok = false;
    if (ok) {
        skip_ws(p);
        if (p->s[p->i] != ']')
            ok = expected(p, "']'");
        else
            p->i++;
    }
    if (ok) {
        const char *op = attr_ops[k];
        char *lit = xpath_literal(value);
        char *c = NULL;
        kumo_cssm_op mop = KUMO_CSSM_EQUALS;
        if (strcmp(op, "~=") == 0) {
            if (non_whitespace(value)) {
                char *spaced = sfmt(" %s ", value);
                char *l2 = xpath_literal(spaced);
                c = sfmt("%s and contains(concat(' ', normalize-space(%s), ' '), %s)", attr,
                         attr, l2);
                kumo_free(l2);
                kumo_free(spaced);
            }
            mop = KUMO_CSSM_INCLUDES;
        } else if (strcmp(op, "|=") == 0) {
            char *dashed = sfmt("%s-", value);
            char *l2 = xpath_literal(dashed);
            c = sfmt("%s and (%s = %s or starts-with(%s, %s))", attr, attr, lit, attr, l2);
            kumo_free(l2);
            kumo_free(dashed);
            mop = KUMO_CSSM_DASHMATCH;
        } else if (strcmp(op, "$=") == 0) {
            /* cssselect's len(value) - 1: characters, not bytes */
            if (*value)
                c = sfmt("%s and substring(%s, string-length(%s)-%zu) = %s", attr, attr, attr,
                         utf8_chars(value) - 1, lit);
            mop = KUMO_CSSM_SUFFIXMATCH;
        } else if (strcmp(op, "=") == 0) {
            c = sfmt("%s = %s", attr, lit);
        } else if (strcmp(op, "!=") == 0) {
            c = sfmt("not(%s) or %s != %s", attr, attr, lit);
            mop = KUMO_CSSM_DIFFERENT;
        } else {
            if (*value)
                c = sfmt(strcmp(op, "^=") == 0 ? "%s and starts-with(%s, %s)"
                                               : "%s and contains(%s, %s)", attr, attr, lit);
            mop = strcmp(op, "^=") == 0 ? KUMO_CSSM_PREFIXMATCH : KUMO_CSSM_SUBSTRINGMATCH;
        }
        x_add_cond(x, c ? c : "0");
        if (c)
            kumo__cssm_test(m, mop, name, value);
        else
            kumo__cssm_never(m);
        kumo_free(c);
        kumo_free(lit);
    }
    kumo_free(value);
    kumo_free(attr);
    kumo_free(name);
    return ok;
}

/*
 * cssselect's parse_simple_selector(): [element] then #id, .class, [attr], :pseudo,
 * ::pseudo-element.  x is initialised here (released on failure).  Outside :not(), the
 * compound also goes to the native matcher, joined to the one before it by comb.
 */
static bool parse_compound(parser *p, xexpr *x, char **pseudo_el, bool in_not,
                           kumo_cssm_comb comb)
{
    kumo_cssmatch *m = in_not ? NULL : p->m;
    size_t start = p->i;
    *pseudo_el = NULL;
    char *el = NULL;
    bool safe = true;
    if (p->s[p->i] == '*') {
        p->i++;
        el = sdup("*");
    } else {
        el = read_ident(p);
        if (el) {
            safe = is_safe_name(el);
            ascii_lower(el);
        } else {
            el = sdup("*");
        }
    }
    if (p->s[p->i] == '|') {
        kumo_free(el);
        return fail(p, p->i, "Namespaces are not supported at %zu", p->i);
    }
    x_init(x, el);
    if (safe)
        kumo__cssm_compound(m, comb, el);
    else
        kumo__cssm_unsupported(m);
    kumo_free(el);
    if (!safe)
        x_add_name_test(x);
    bool ok = true;
    while (ok) {
        char c = p->s[p->i];
        if (!c || is_ws(c) || c == ',' || c == '+' || c == '>' || c == '~' ||
            (in_not && c == ')') || (c == '/' && p->s[p->i + 1] == '*'))
            break;
        if (*pseudo_el) {
            ok = fail(p, p->i, "Got pseudo-element ::%s not at the end of a selector",
                      **pseudo_el == '@' ? "attr()" : *pseudo_el);
            break;
        }
        if (c == '#') {
            p->i++;
            kumo_buf b;
            kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_CACHE);
            if (!read_name(p, &b)) {
                p->i--;
                kumo__buf_release(&b);
                ok = expected(p, "selector");
                break;
            }
            char *lit = xpath_literal(kumo__buf_str(&b));
            char *cond = sfmt("@id = %s", lit);
            x_add_cond(x, cond);
            kumo__cssm_test(m, KUMO_CSSM_EQUALS, "id", kumo__buf_str(&b));
            kumo_free(cond);
            kumo_free(lit);
            kumo__buf_release(&b);
        } else if (c == '.') {
            p->i++;
            char *cls = read_ident(p);
            if (!cls) {
                ok = expected(p, "ident");
                break;
            }
            char *cond;
            if (non_whitespace(cls)) {
                char *spaced = sfmt(" %s ", cls);
                char *lit = xpath_literal(spaced);
                cond = sfmt("@class and contains(concat(' ', normalize-space(@class), ' '), %s)",
                            lit);
                kumo_free(lit);
                kumo_free(spaced);
                kumo__cssm_test(m, KUMO_CSSM_INCLUDES, "class", cls);
            } else {
                cond = sdup("0");
                kumo__cssm_never(m);
            }
            x_add_cond(x, cond);
            kumo_free(cond);
            kumo_free(cls);
        } else if (c == '[') {
            p->i++;
            ok = parse_attrib(p, x, m);
        } else if (c == ':' && p->s[p->i + 1] == ':') {
            if (in_not) {
                ok = fail(p, p->i, "Got pseudo-element inside :not() at %zu", p->i);
                break;
            }
            p->i += 2;
            ok = parse_pseudo_element(p, pseudo_el);
        } else if (c == ':') {
            size_t pos = p->i++;
            kumo__cssm_unsupported(p->m);
            char *name = read_ident(p);
            if (!name) {
                ok = expected(p, "ident");
                break;
            }
            ascii_lower(name);
            if (p->s[p->i] == '(') {
                p->i++;
                if (in_not && strcmp(name, "not") == 0)
                    ok = fail(p, pos, "Got nested :not() at %zu", pos);
                else
                    ok = pseudo_class_function(p, x, name, pos);
            } else {
                ok = pseudo_class_simple(p, x, name, pos);
            }
            kumo_free(name);
        } else {
            ok = expected(p, "selector");
        }
    }
    if (ok && p->i == start)
        ok = expected(p, "selector");
    if (!ok) {
        x_release(x);
        kumo_free(*pseudo_el);
        *pseudo_el = NULL;
    }
    return ok;
}

/* cssselect's parse_selector(): compounds joined by combinators, then the pseudo-element. */
static bool parse_selector(parser *p, xexpr *x)
{
    char *pe;
    if (!parse_compound(p, x, &pe, false, KUMO_CSSM_DESCENDANT))
        return false;
    for (;;) {
        bool ws = skip_ws(p);
        char c = p->s[p->i];
        if (!c || c == ',')
            break;
        if (pe) {
            fail(p, p->i, "Got pseudo-element ::%s not at the end of a selector",
                 *pe == '@' ? "attr()" : pe);
            break;
        }
        const char *comb;
        bool adjacent = false;
        kumo_cssm_comb mcomb = KUMO_CSSM_DESCENDANT;
        if (c == '>' || c == '+' || c == '~') {
            p->i++;
            skip_ws(p);
            comb = c == '>' ? "/" : "/following-sibling::";
            adjacent = c == '+';
            if (c == '>')
                mcomb = KUMO_CSSM_CHILD;
            else
                kumo__cssm_unsupported(p->m);
        } else if (ws) {
            comb = "/descendant-or-self::*/";
        } else {
            expected(p, "selector");
            break;
        }
        xexpr right;
        if (!parse_compound(p, &right, &pe, false, mcomb))
            break;
        x_join(x, comb, &right);
        if (adjacent) {
            x_add_name_test(x);
            x_add_cond(x, "position() = 1");
        }
    }
    if (p->failed) {
        kumo_free(pe);
        x_release(x);
        return false;
    }
    if (pe && *pe == '@') {
        x->attribute = sdup(pe + 1);
        /* "@name" as it goes into the XPath: anything but a plain name stays XPath's */
        if (is_safe_name(pe + 1))
            kumo__cssm_pseudo_element(p->m, pe + 1);
        else
            kumo__cssm_unsupported(p->m);
    } else if (pe) {
        x->textnode = true;
        kumo__cssm_pseudo_element(p->m, NULL);
    }
    kumo_free(pe);
    return true;
}

/* kumo__css_to_xpath(), building the native matcher into m (may be NULL) as it reads. */
static int translate(const char *css, char **out, kumo_cssmatch *m, size_t *errpos, char *msg,
                     size_t msglen)
{
    parser p = {.s = css, .msg = msg, .msglen = msglen, .m = m};
    *out = NULL;
    if (msg && msglen)
        msg[0] = '\0';
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_CACHE);
    skip_ws(&p);
    for (;;) {
        xexpr x;
        kumo__cssm_selector(m);
        if (!parse_selector(&p, &x))
            break;
        char *s = x_str_parsel(&x);
        kumo__buf_printf(&b, "%sdescendant-or-self::%s", b.len ? " | " : "", s);
        kumo_free(s);
        x_release(&x);
        if (!p.s[p.i])
            break;
        p.i++; /* ',' */
        skip_ws(&p);
    }
    if (p.failed) {
        kumo__buf_release(&b);
        if (errpos)
            *errpos = p.errpos;
        return KUMO_ESYNTAX;
    }
    *out = kumo__buf_detach(&b, NULL);
    return KUMO_OK;
}

int kumo__css_to_xpath(const char *css, char **out, size_t *errpos, char *msg, size_t msglen)
{
    return translate(css, out, NULL, errpos, msg, msglen);
}

/* ---------------------------------------------------------------- query cache */

#define NBUCKETS 256
#define MAX_CACHED 1024

/* Per thread: a parse thread running callbacks keeps its own queries (compiled XPath is not
 * shared between threads by libxml2's contract: each evaluation writes to it). */
static _Thread_local kumo_query *buckets[NBUCKETS];
static _Thread_local size_t ncached;
static _Thread_local xmlXPathContextPtr compile_ctx;
static _Thread_local char last_error[256];

void kumo__xpath_error(void *data, xmlErrorPtr err)
{
    (void)data;
    if (!err || !err->message)
        return;
    snprintf(last_error, sizeof(last_error), "%s", err->message);
    size_t n = strlen(last_error);
    while (n && (last_error[n - 1] == '\n' || last_error[n - 1] == ' '))
        last_error[--n] = '\0';
}

void kumo__xpath_set_error(const char *msg)
{
    snprintf(last_error, sizeof(last_error), "%s", msg);
}

const char *kumo__xpath_last_error(void)
{
    return last_error[0] ? last_error : "invalid expression";
}

static uint32_t hash_query(const char *q, bool css)
{
    uint32_t h = css ? 2166136261u : 84696351u;
    for (; *q; q++)
        h = (h ^ (unsigned char)*q) * 16777619u;
    return h;
}

static void query_free(kumo_query *q)
{
    if (q->comp)
        xmlXPathFreeCompExpr(q->comp);
    kumo__cssm_free(q->match);
    kumo_free(q->key);
    kumo_free(q->xpath);
    kumo_free(q->error);
    kumo_free(q);
}

static void cache_flush(void)
{
    for (size_t i = 0; i < NBUCKETS; i++) {
        while (buckets[i]) {
            kumo_query *q = buckets[i];
            buckets[i] = q->next;
            query_free(q);
        }
    }
    ncached = 0;
}

static void compile(kumo_query *q)
{
    if (!compile_ctx) {
        compile_ctx = xmlXPathNewContext(NULL);
        compile_ctx->error = kumo__xpath_error;
        kumo__xpath_register(compile_ctx);
    }
    last_error[0] = '\0';
    q->comp = xmlXPathCtxtCompile(compile_ctx, BAD_CAST q->xpath);
    if (!q->comp)
        q->error = sfmt("%s", kumo__xpath_last_error());
}

const kumo_query *kumo__query_get(const char *key, bool css)
{
    uint32_t h = hash_query(key, css);
    kumo_query **slot = &buckets[h % NBUCKETS];
    for (kumo_query *q = *slot; q; q = q->next)
        if (q->hash == h && q->css == css && strcmp(q->key, key) == 0)
            return q;
    if (ncached >= MAX_CACHED)
        cache_flush();
    kumo_query *q = kumo_calloc(1, sizeof(*q), KUMO_T_XPATH, KUMO_V_CACHE);
    q->key = sdup(key);
    q->css = css;
    q->hash = h;
    if (css) {
        char msg[200];
        size_t pos = 0;
        kumo_cssmatch *m = kumo__cssm_new();
        if (translate(key, &q->xpath, m, &pos, msg, sizeof(msg)) != KUMO_OK) {
            q->error = sfmt("%s", msg);
            kumo__cssm_free(m);
        } else {
            q->match = kumo__cssm_finish(m);
        }
    } else {
        q->xpath = sdup(key);
    }
    if (q->xpath)
        compile(q);
    if (!q->comp) {
        /* an XPath libxml2 refuses stays an error, whatever the matcher could do */
        kumo__cssm_free(q->match);
        q->match = NULL;
    }
    q->next = *slot;
    *slot = q;
    ncached++;
    return q;
}

size_t kumo__query_cached(void)
{
    return ncached;
}

void kumo__select_thread_cleanup(void)
{
    cache_flush();
    kumo__regex_cleanup();
    if (compile_ctx)
        xmlXPathFreeContext(compile_ctx);
    compile_ctx = NULL;
}

void kumo__select_cleanup(void)
{
    kumo__select_thread_cleanup();
    kumo__encoding_cleanup();
}
