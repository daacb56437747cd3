/* json.c - JSON writer for kumo values (Python's json.dumps) and a strict depth-limited parser. */
#include "util/json.h"
#include "util/utf8.h"

#include <float.h>
#include <math.h>

/* ---- UTF-8 ---- */

static size_t utf8_put(unsigned char *o, uint32_t cp)
{
    return kumo__utf8_encode(cp, (char *)o);
}

/* ---- writer ---- */

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* True when a byte of w is below 0x20, '"', '\\' or above 0x7F (SWAR: a zero byte of
 * w ^ (c * ONES) is a byte equal to c). */
static inline bool has_special(uint64_t w)
{
    uint64_t q = w ^ ('"' * ONES), bs = w ^ ('\\' * ONES);
    uint64_t zero = ((q - ONES) & ~q) | ((bs - ONES) & ~bs);
    return ((w - 0x20 * ONES) | zero | w) & HIGHS;
}

int kumo__json_str(kumo_buf *b, const char *s, size_t len)
{
    static const char hexd[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0;     /* start of the bytes not yet written */
    int rc = kumo__buf_addc(b, '"');
    for (size_t i = 0; i < len && !rc;) {
        /* eight plain bytes at a time: none below 0x20, none '"', '\\' or above 0x7F */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (has_special(w))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = p[i];
        char esc[8];
        const char *rep = NULL;
        size_t replen = 2, adv = 1;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0x80) {
            bool ok;
            uint32_t cp;
            adv = kumo__utf8_decode(p + i, len - i, &ok, &cp);
            if (ok) {
                i += adv;
                continue;
            }
            rep = "\xef\xbf\xbd";
            replen = 3;
        } else if (c == '"') {
            rep = "\\\"";
        } else if (c == '\\') {
            rep = "\\\\";
        } else if (c == '\n') {
            rep = "\\n";
        } else if (c == '\r') {
            rep = "\\r";
        } else if (c == '\t') {
            rep = "\\t";
        } else if (c == '\b') {
            rep = "\\b";
        } else if (c == '\f') {
            rep = "\\f";
        } else {
            memcpy(esc, "\\u00", 4);
            esc[4] = hexd[c >> 4];
            esc[5] = hexd[c & 15];
            rep = esc;
            replen = 6;
        }
        rc = kumo__buf_add(b, p + run, i - run);
        if (!rc)
            rc = kumo__buf_add(b, rep, replen);
        i += adv;
        run = i;
    }
    if (!rc)
        rc = kumo__buf_add(b, p + run, len - run);
    return rc ? rc : kumo__buf_addc(b, '"');
}

/*
 * The digits of x (no sign) and the exponent of the first when x is d / 10^k exactly as
 * doubles divide, for a whole d below 10^15 and k <= 8 (prices, most figures): then the
 * decimal d.10^-k reads back as x, and with at most 15 significant digits it is the only
 * such decimal of its length or shorter (DBL_DIG), so its digits are the shortest repr.
 * Two multiplications and a division instead of snprintf and strtod; false otherwise.
 */
static bool short_decimal(double x, char digits[24], size_t *nd, int *exp10)
{
    static const double p10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    double a = fabs(x);
    if (!(a >= DBL_MIN) || a >= 1e15)
        return false;
    for (size_t k = 0; k < KUMO_ARRAY_LEN(p10); k++) {
        double s = a * p10[k];
        if (s >= 1e15)
            return false;
        double r = nearbyint(s);
        if (r < 1 || r / p10[k] != a)
            continue;
        char tmp[24];
        size_t n = 0;
        for (uint64_t d = (uint64_t)r; d; d /= 10)
            tmp[n++] = (char)('0' + d % 10);
        for (size_t i = 0; i < n; i++)
            digits[i] = tmp[n - 1 - i];
        *nd = n;
        *exp10 = (int)n - 1 - (int)k;
        return true;
    }
    return false;
}

/* Python's float repr: the shortest digits that read back as x, fixed or exponent form. */
static void float_repr(double x, char out[40])
{
    if (isnan(x)) {
        strcpy(out, "NaN");
        return;
    }
    if (isinf(x)) {
        strcpy(out, x < 0 ? "-Infinity" : "Infinity");
        return;
    }
    if (x == 0) {
        strcpy(out, signbit(x) ? "-0.0" : "0.0");
        return;
    }
    char digits[24];
    size_t nd = 0;
    int exp10;
    char *o = out;
    if (!short_decimal(x, digits, &nd, &exp10)) {
        /* A normal double whose shortest repr has at most 15 digits (DBL_DIG: most figures)
         * reads back from its 15 digits, which are that repr and zeros: one try instead of
         * one per length.  Else (and for subnormals, which hold fewer digits) the first
         * length that reads back. */
        char tmp[40];
        snprintf(tmp, sizeof(tmp), "%.*e", DBL_DIG - 1, x);
        if (fabs(x) < DBL_MIN || strtod(tmp, NULL) != x) {
            for (int prec = fabs(x) < DBL_MIN ? 0 : DBL_DIG; prec <= 17; prec++) {
                snprintf(tmp, sizeof(tmp), "%.*e", prec, x);
                if (strtod(tmp, NULL) == x)
                    break;
            }
        }
        /* tmp is [-]d[.ddd]e(+|-)dd */
        const char *t = tmp;
        if (*t == '-')
            t++;
        for (; *t && *t != 'e'; t++) {
            if (*t != '.')
                digits[nd++] = *t;
        }
        exp10 = atoi(t + 1);
    }
    if (signbit(x))
        *o++ = '-';
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int decpt = exp10 + 1;
    if (decpt <= -4 || decpt > 16) {
        *o++ = digits[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(o, 16, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
        return;
    }
    if (decpt <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -decpt; i++)
            *o++ = '0';
        memcpy(o, digits, nd);
        o += nd;
    } else if ((size_t)decpt >= nd) {
        memcpy(o, digits, nd);
        o += nd;
        for (size_t i = nd; i < (size_t)decpt; i++)
            *o++ = '0';
        memcpy(o, ".0", 2);
        o += 2;
    } else {
        memcpy(o, digits, (size_t)decpt);
        o += decpt;
        *o++ = '.';
        memcpy(o, digits + decpt, nd - (size_t)decpt);
        o += nd - (size_t)decpt;
    }
    *o = '\0';
}

int (*kumo__json_obj_hook)(kumo_buf *b, const kumo_ref *obj, const char *item_sep);

static int obj_repr(kumo_buf *b, const kumo_ref *obj, const char *item_sep)
{
    if (kumo__json_obj_hook) {
        int rc = kumo__json_obj_hook(b, obj, item_sep);
        if (rc != KUMO_EDECLINED)
            return rc;
    }
    kumo_buf tmp;
    kumo__buf_init(&tmp, 0, KUMO_T_STR, KUMO_V_NONE);
    int rc = kumo__buf_add_repr(&tmp, obj);
    if (rc == KUMO_OK)
        rc = kumo__json_str(b, kumo__buf_str(&tmp), tmp.len);
    kumo__buf_release(&tmp);
    return rc;
}

int kumo__json_value_sep(kumo_buf *b, const kumo_value *v, const char *item_sep)
{
    char num[40];
    switch (v->type) {
    case KUMO_VAL_NONE:
        return kumo__buf_add(b, "null", 4);
    case KUMO_VAL_BOOL:
        return v->u.b ? kumo__buf_add(b, "true", 4) : kumo__buf_add(b, "false", 5);
    case KUMO_VAL_INT:
        snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
        return kumo__buf_adds(b, num);
    case KUMO_VAL_FLOAT:
        float_repr(v->u.f, num);
        return kumo__buf_adds(b, num);
    case KUMO_VAL_STR:
        return kumo__json_str(b, v->u.str.s, v->u.str.len);
    case KUMO_VAL_OBJ:
        return obj_repr(b, v->u.obj, item_sep);
    case KUMO_VAL_LIST: {
        int rc = kumo__buf_addc(b, '[');
        for (size_t i = 0; i < v->u.list->len && !rc; i++) {
            if (i)
                rc = kumo__buf_adds(b, item_sep);
            if (!rc)
                rc = kumo__json_value_sep(b, &v->u.list->v[i], item_sep);
        }
        return rc ? rc : kumo__buf_addc(b, ']');
    }
    }
    return KUMO_EINVAL;
}

int kumo__json_value(kumo_buf *b, const kumo_value *v)
{
    return kumo__json_value_sep(b, v, ", ");
}

int kumo__json_map(kumo_buf *b, const kumo_map *m, const char *item_sep, const char *kv_sep)
{
    int rc = kumo__buf_addc(b, '{');
    for (size_t i = 0; i < m->len && !rc; i++) {
        if (i)
            rc = kumo__buf_adds(b, item_sep);
        if (!rc)
            rc = kumo__json_str(b, m->e[i].key, strlen(m->e[i].key));
        if (!rc)
            rc = kumo__buf_adds(b, kv_sep);
        if (!rc)
            rc = kumo__json_value_sep(b, &m->e[i].val, item_sep);
    }
    return rc ? rc : kumo__buf_addc(b, '}');
}

/* ---- parser ---- */

typedef struct parser {
    const unsigned char *p;
    size_t len, pos;
    char *err;
    size_t errlen;
} parser;

static int fail(parser *ps, int rc, size_t at, const char *what)
{
    if (ps->err && ps->errlen)
        snprintf(ps->err, ps->errlen, "%s at byte %zu", what, at);
    return rc;
}

static int unexpected(parser *ps)
{
    char what[32];
    if (ps->pos >= ps->len)
        return fail(ps, KUMO_ESYNTAX, ps->pos, "unexpected end of input");
    unsigned char c = ps->p[ps->pos];
    if (c >= 0x20 && c < 0x7f)
        snprintf(what, sizeof(what), "unexpected '%c'", c);
    else
        snprintf(what, sizeof(what), "unexpected byte 0x%02x", c);
    return fail(ps, KUMO_ESYNTAX, ps->pos, what);
}

static void skip_ws(parser *ps)
{
    while (ps->pos < ps->len) {
        unsigned char c = ps->p[ps->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        ps->pos++;
    }
}

static bool eat(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0)
        return false;
    ps->pos += n;
    return true;
}

/* The 4 hex digits at p into *out: KUMO_OK, or KUMO_ESYNTAX at a byte that is not one. */
static int hex4(const unsigned char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return KUMO_ESYNTAX;
    }
    *out = v;
    return KUMO_OK;
}

static int parse_string(parser *ps, kumo_value *out)
{
    size_t start = ps->pos++;   /* the opening quote */
    size_t end = ps->pos;
    while (end < ps->len && ps->p[end] != '"')
        end += ps->p[end] == '\\' ? 2 : 1;
    if (end >= ps->len)
        return fail(ps, KUMO_ESYNTAX, start, "unterminated string");

    /* Decoding never grows: an escape is at least as long as the bytes it stands for. */
    unsigned char *s = kumo_alloc(end - ps->pos + 1, KUMO_T_STR, KUMO_V_DICT);
    size_t n = 0;
    while (ps->pos < end) {
        size_t at = ps->pos;
        unsigned char c = ps->p[at];
        if (c < 0x20) {
            kumo_free(s);
            return fail(ps, KUMO_ESYNTAX, at, "control character in string");
        }
        if (c >= 0x80) {
            bool ok;
            uint32_t cp;
            size_t k = kumo__utf8_decode(ps->p + at, end - at, &ok, &cp);
            if (!ok) {
                kumo_free(s);
                return fail(ps, KUMO_ESYNTAX, at, "invalid UTF-8");
            }
            memcpy(s + n, ps->p + at, k);
            n += k;
            ps->pos += k;
            continue;
        }
        if (c != '\\') {
            s[n++] = c;
            ps->pos++;
            continue;
        }
        unsigned char e = ps->p[at + 1];
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *hit = e ? strchr(from, e) : NULL;
        if (hit) {
            s[n++] = (unsigned char)to[hit - from];
            ps->pos += 2;
            continue;
        }
        uint32_t cp, lo;
        if (e != 'u' || end - at < 6 || hex4(ps->p + at + 2, &cp)) {
            kumo_free(s);
            return fail(ps, KUMO_ESYNTAX, at, "invalid escape in string");
        }
        ps->pos += 6;
        if (cp >= 0xd800 && cp <= 0xdbff && end - ps->pos >= 6 && ps->p[ps->pos] == '\\' &&
            ps->p[ps->pos + 1] == 'u' && !hex4(ps->p + ps->pos + 2, &lo) && lo >= 0xdc00 &&
            lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            ps->pos += 6;
        } else if (cp >= 0xd800 && cp <= 0xdfff) {
            cp = 0xfffd;
        }
        n += utf8_put(s + n, cp);
    }
    ps->pos = end + 1;
    s[n] = '\0';
    *out = (kumo_value){.type = KUMO_VAL_STR, .u.str = {(char *)s, n}};
    return KUMO_OK;
}

static int parse_number(parser *ps, kumo_value *out)
{
    const unsigned char *p = ps->p;
    size_t start = ps->pos, i = start;
    bool integral = true;
    if (i < ps->len && p[i] == '-')
        i++;
    if (i < ps->len && p[i] == '0') {
        i++;
    } else if (i < ps->len && p[i] >= '1' && p[i] <= '9') {
        while (i < ps->len && p[i] >= '0' && p[i] <= '9')
            i++;
    } else {
        ps->pos = i;
        return unexpected(ps);
    }
    if (i < ps->len && p[i] == '.') {
        integral = false;
        i++;
        if (i >= ps->len || p[i] < '0' || p[i] > '9') {
            ps->pos = i;
            return unexpected(ps);
        }
        while (i < ps->len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    if (i < ps->len && (p[i] == 'e' || p[i] == 'E')) {
        integral = false;
        i++;
        if (i < ps->len && (p[i] == '+' || p[i] == '-'))
            i++;
        if (i >= ps->len || p[i] < '0' || p[i] > '9') {
            ps->pos = i;
            return unexpected(ps);
        }
        while (i < ps->len && p[i] >= '0' && p[i] <= '9')
            i++;
    }
    ps->pos = i;
    if (integral) {
        bool neg = p[start] == '-';
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;
        size_t d = start + neg;
        for (; d < i; d++) {
            unsigned dig = p[d] - '0';
            if (v > (limit - dig) / 10)
                break;
            v = v * 10 + dig;
        }
        if (d == i) {
            int64_t iv = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v)
                             : (int64_t)v;
            *out = kumo_val_int(iv);
            return KUMO_OK;
        }
    }
    /* strtod needs a NUL-terminated copy; numbers are short, except hostile ones. */
    char small[64];
    size_t n = i - start;
    char *copy = n < sizeof(small) ? small : kumo_alloc(n + 1, KUMO_T_STR, KUMO_V_NONE);
    memcpy(copy, p + start, n);
    copy[n] = '\0';
    *out = kumo_val_float(strtod(copy, NULL));
    if (copy != small)
        kumo_free(copy);
    return KUMO_OK;
}

static int parse_value(parser *ps, kumo_value *out, int depth);

/* An array (pairs == false) or an object (pairs == true) into a list. */
static int parse_container(parser *ps, kumo_value *out, int depth, bool pairs)
{
    char close = pairs ? '}' : ']';
    if (depth >= KUMO_JSON_MAX_DEPTH)
        return fail(ps, KUMO_ETOOBIG, ps->pos, "nesting too deep");
    ps->pos++;
    kumo_value list = kumo_val_list();
    skip_ws(ps);
    if (ps->pos < ps->len && ps->p[ps->pos] == close) {
        ps->pos++;
        *out = list;
        return KUMO_OK;
    }
    for (;;) {
        kumo_value item;
        int rc;
        skip_ws(ps);
        if (pairs) {
            kumo_value key, val;
            if (ps->pos >= ps->len || ps->p[ps->pos] != '"') {
                rc = ps->pos >= ps->len ? unexpected(ps)
                                        : fail(ps, KUMO_ESYNTAX, ps->pos, "expected a key");
                goto err;
            }
            rc = parse_string(ps, &key);
            if (rc)
                goto err;
            skip_ws(ps);
            if (ps->pos >= ps->len || ps->p[ps->pos] != ':') {
                kumo_val_clear(&key);
                rc = ps->pos >= ps->len ? unexpected(ps)
                                        : fail(ps, KUMO_ESYNTAX, ps->pos, "expected ':'");
                goto err;
            }
            ps->pos++;
            rc = parse_value(ps, &val, depth + 1);
            if (rc) {
                kumo_val_clear(&key);
                goto err;
            }
            item = kumo_val_list();
            kumo_val_list_push(&item, key);
            kumo_val_list_push(&item, val);
        } else {
            rc = parse_value(ps, &item, depth + 1);
            if (rc)
                goto err;
        }
        kumo_val_list_push(&list, item);
        skip_ws(ps);
        if (ps->pos < ps->len && ps->p[ps->pos] == ',') {
            ps->pos++;
            continue;
        }
        if (ps->pos < ps->len && ps->p[ps->pos] == close) {
            ps->pos++;
            *out = list;
            return KUMO_OK;
        }
        rc = unexpected(ps);
    err:
        kumo_val_clear(&list);
        return rc;
    }
}

/* The words a value is spelt with: JSON's, and the three Python's json writes for floats. */
typedef enum { WORD_BOOL, WORD_NONE, WORD_FLOAT } word_kind;

static const struct {
    const char *word;
    word_kind kind;
    double v;
} words[] = {
    {"true", WORD_BOOL, 1},      {"false", WORD_BOOL, 0},        {"null", WORD_NONE, 0},
    {"NaN", WORD_FLOAT, NAN},    {"Infinity", WORD_FLOAT, INFINITY},
    {"-Infinity", WORD_FLOAT, -INFINITY},
};

/* The word at ps's position into *out: true, or false when none is there. */
static bool parse_word(parser *ps, kumo_value *out)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(words); i++)
        if (words[i].word[0] == ps->p[ps->pos] && eat(ps, words[i].word)) {
            *out = words[i].kind == WORD_BOOL   ? kumo_val_bool(words[i].v != 0)
                   : words[i].kind == WORD_NONE ? kumo_val_none()
                                                : kumo_val_float(words[i].v);
            return true;
        }
    return false;
}

static int parse_value(parser *ps, kumo_value *out, int depth)
{
    skip_ws(ps);
    if (ps->pos >= ps->len)
        return unexpected(ps);
    unsigned char c = ps->p[ps->pos];
    if (c == '{' || c == '[')
        return parse_container(ps, out, depth, c == '{');
    if (c == '"')
        return parse_string(ps, out);
    if (parse_word(ps, out))
        return KUMO_OK;
    if (c == '-' || (c >= '0' && c <= '9'))
        return parse_number(ps, out);
    return unexpected(ps);
}

const kumo_value *kumo__json_get(const kumo_value *obj, const char *key)
{
    const kumo_value *found = NULL;
    for (size_t i = 0; obj && obj->type == KUMO_VAL_LIST && i < obj->u.list->len; i++) {
        const kumo_value *pair = &obj->u.list->v[i];
        if (pair->type == KUMO_VAL_LIST && pair->u.list->len == 2 &&
            pair->u.list->v[0].type == KUMO_VAL_STR &&
            strcmp(pair->u.list->v[0].u.str.s, key) == 0)
            found = &pair->u.list->v[1];
    }
    return found;
}

int kumo__json_parse(const char *text, size_t len, kumo_value *out, char *err, size_t errlen)
{
    parser ps = {.p = (const unsigned char *)text, .len = len, .err = err, .errlen = errlen};
    kumo_value v;
    *out = kumo_val_none();
    if (err && errlen)
        err[0] = '\0';
    int rc = parse_value(&ps, &v, 0);
    if (rc)
        return rc;
    skip_ws(&ps);
    if (ps.pos < ps.len) {
        kumo_val_clear(&v);
        return fail(&ps, KUMO_ESYNTAX, ps.pos, "extra data");
    }
    *out = v;
    return KUMO_OK;
}
