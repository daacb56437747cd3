/* seltool.c - kumo-seltool: runs Python-shaped selector expressions on a saved page and
 * prints each value's repr() on one line, for scripts/parsel-diff.py (until kumo shell -c).
 *
 *   kumo-seltool [--url URL] [--ct CONTENT-TYPE] PAGE EXPR...
 *
 * EXPR: response then .css(s) .xpath(s) .get() .get(default=s) .getall() .extract()
 * .extract_first() .re(s) .re_first(s[, d]) .attrib .text .encoding .urljoin(s) [i] [a:b],
 * len(EXPR), and [r.url for r in response.follow_all(css=s | xpath=s)].  Errors print
 * "Error: ..." on their line.
 *
 * EXPR may also be the pair --links JSON (LinkExtractor options, tests/lib/lecases.h): the
 * extracted links, "[", one JSON array per link, "]", for scripts/linkextractor-diff.py. */
#include "kumo-int.h"
#include "core/out.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "select/css.h"
#include "select/pool.h"
#include "select/regex.h"
#include "util/buf.h"
#include "util/json.h"
#include "lib/lecases.h"

typedef enum { V_NONE, V_RES, V_LIST, V_SEL, V_STR, V_INT, V_STRS, V_ATTRIB, V_URLS } vkind;

typedef struct val {
    vkind k;
    kumo_response *res;
    kumo_selector_list *list;       /* V_LIST, V_STRS (string selectors) */
    kumo_selector *sel;             /* V_SEL, V_ATTRIB */
    const char *str;                /* V_STR: borrowed (pool, response) or owned below */
    size_t len;                     /* V_STR: its length, or SIZE_MAX for strlen() */
    char *owned;
    long i;
    kumo_out *out;                  /* V_URLS */
} val;

typedef struct parser {
    const char *s;
    size_t i;
    const char *err;
    char errbuf[300];
    kumo_response *res;
    kumo_out out;
} parser;

static void ws(parser *p)
{
    while (p->s[p->i] == ' ')
        p->i++;
}

static bool eat(parser *p, const char *tok)
{
    ws(p);
    size_t n = strlen(tok);
    if (strncmp(p->s + p->i, tok, n) != 0)
        return false;
    p->i += n;
    return true;
}

static bool error(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool error(parser *p, const char *fmt, ...)
{
    if (p->err)
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errbuf, sizeof(p->errbuf), fmt, ap);
    va_end(ap);
    p->err = p->errbuf;
    return false;
}

static char *ident(parser *p)
{
    ws(p);
    size_t start = p->i;
    while (p->s[p->i] == '_' || (p->s[p->i] >= 'a' && p->s[p->i] <= 'z') ||
           (p->s[p->i] >= 'A' && p->s[p->i] <= 'Z') || (p->s[p->i] >= '0' && p->s[p->i] <= '9'))
        p->i++;
    if (p->i == start)
        return NULL;
    return kumo_strndup(p->s + start, p->i - start, KUMO_T_STR, KUMO_V_TEXT);
}

static void put_utf8(kumo_buf *b, unsigned long cp)
{
    kumo__utf8_put(b, cp);
}

/* A Python string literal ('...' or "...", with \\ \' \" \n \t \r \xNN \uNNNN escapes). */
static char *string(parser *p)
{
    ws(p);
    bool raw = false;
    if (p->s[p->i] == 'r' && (p->s[p->i + 1] == '\'' || p->s[p->i + 1] == '"')) {
        raw = true;
        p->i++;
    }
    char q = p->s[p->i];
    if (q != '\'' && q != '"')
        return NULL;
    p->i++;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&b, "");
    for (;;) {
        char c = p->s[p->i];
        if (!c) {
            kumo__buf_release(&b);
            error(p, "SyntaxError: unterminated string literal");
            return NULL;
        }
        p->i++;
        if (c == q)
            break;
        if (c != '\\' || !p->s[p->i]) {
            kumo__buf_addc(&b, c);
            continue;
        }
        char d = p->s[p->i++];
        if (raw) {
            kumo__buf_addc(&b, '\\');
            kumo__buf_addc(&b, d);
            continue;
        }
        size_t hex = d == 'x' ? 2 : d == 'u' ? 4 : d == 'U' ? 8 : 0;
        if (hex) {
            char h[9] = {0};
            memcpy(h, p->s + p->i, hex);
            p->i += strlen(h);
            put_utf8(&b, strtoul(h, NULL, 16));
            continue;
        }
        const char *e = strchr("ntr\\'\"", d);
        if (e) {
            kumo__buf_addc(&b, "\n\t\r\\'\""[e - "ntr\\'\""]);
        } else {
            kumo__buf_addc(&b, '\\');
            kumo__buf_addc(&b, d);
        }
    }
    return kumo__buf_detach(&b, NULL);
}

static bool number(parser *p, long *out, bool *none)
{
    ws(p);
    char *end;
    *none = false;
    long v = strtol(p->s + p->i, &end, 10);
    if (end == p->s + p->i) {
        *none = true;
        return true;
    }
    p->i = (size_t)(end - p->s);
    *out = v;
    return true;
}

static void val_clear(val *v)
{
    kumo_free(v->owned);
    memset(v, 0, sizeof(*v));
}

/* One argument: a string, optionally named (default=..., css=...). */
typedef struct args {
    char *name[3];
    char *v[3];
    size_t n;
} args;

static void args_free(args *a)
{
    for (size_t i = 0; i < a->n; i++) {
        kumo_free(a->name[i]);
        kumo_free(a->v[i]);
    }
    a->n = 0;
}

static bool parse_args(parser *p, args *a)
{
    a->n = 0;
    if (eat(p, ")"))
        return true;
    for (;;) {
        if (a->n == 3)
            return error(p, "TypeError: too many arguments");
        size_t save = p->i;
        char *name = ident(p);
        if (name && (strcmp(name, "r") == 0 || !eat(p, "="))) {
            kumo_free(name);
            name = NULL;
            p->i = save;
        }
        char *s = NULL;
        if (eat(p, "None"))
            s = NULL;
        else if (!(s = string(p))) {
            kumo_free(name);
            return error(p, "SyntaxError: expected a string at %zu", p->i);
        }
        a->name[a->n] = name;
        a->v[a->n++] = s;
        if (eat(p, ")"))
            return true;
        if (!eat(p, ","))
            return error(p, "SyntaxError: expected ',' or ')' at %zu", p->i);
    }
}

static const char *arg(const args *a, size_t i, const char *name)
{
    for (size_t k = 0; k < a->n; k++)
        if (a->name[k] && strcmp(a->name[k], name) == 0)
            return a->v[k];
    return i < a->n && !a->name[i] ? a->v[i] : NULL;
}

static bool query_ok(parser *p, const char *q, bool css)
{
    if (!q)
        return error(p, "TypeError: query is None");
    const kumo_query *kq = kumo__query_get(q, css);
    if (!kq->comp)
        return error(p, "ValueError: %s", kq->error ? kq->error : "invalid expression");
    return true;
}

static bool method(parser *p, val *v, const char *name, args *a)
{
    const char *a0 = arg(a, 0, name[0] == 'f' ? "css" : "default");
    if (strcmp(name, "css") == 0 || strcmp(name, "xpath") == 0) {
        bool css = name[0] == 'c';
        if (!query_ok(p, a0 ? a0 : arg(a, 0, "query"), css))
            return false;
        const char *q = a0 ? a0 : arg(a, 0, "query");
        kumo_selector_list *l;
        if (v->k == V_RES)
            l = css ? kumo_css(v->res, q) : kumo_xpath(v->res, q);
        else if (v->k == V_LIST)
            l = css ? kumo_list_css(v->list, q) : kumo_list_xpath(v->list, q);
        else if (v->k == V_SEL)
            l = css ? kumo_sel_css(v->sel, q) : kumo_sel_xpath(v->sel, q);
        else
            return error(p, "AttributeError: no attribute '%s'", name);
        val_clear(v);
        if (kumo__select_error())
            return error(p, "ValueError: XPath error: %s", kumo__select_error());
        v->k = V_LIST;
        v->list = l;
        return true;
    }
    if (strcmp(name, "get") == 0 || strcmp(name, "extract_first") == 0 ||
        (strcmp(name, "extract") == 0 && v->k == V_SEL)) {
        const char *s;
        if (v->k == V_LIST)
            s = kumo_list_get(v->list, a0);
        else if (v->k == V_SEL)
            s = kumo_sel_get(v->sel);
        else
            return error(p, "AttributeError: no attribute '%s'", name);
        val_clear(v);
        v->k = s ? V_STR : V_NONE;
        v->str = s;
        return true;
    }
    if (strcmp(name, "getall") == 0 || strcmp(name, "extract") == 0) {
        if (v->k == V_SEL) {
            /* parsel: [self.get()] */
            v->k = V_STRS;
            v->list = NULL;
            return true;
        }
        if (v->k != V_LIST)
            return error(p, "AttributeError: no attribute '%s'", name);
        v->k = V_STRS;
        return true;
    }
    if (strcmp(name, "re") == 0 || strcmp(name, "re_first") == 0) {
        const char *pat = arg(a, 0, "regex");
        if (!pat)
            return error(p, "TypeError: re() needs a pattern");
        const char *err;
        bool some = v->k == V_SEL || (v->k == V_LIST && kumo_list_len(v->list));
        if (some && !kumo__regex_get(pat, 0, &err))
            return error(p, "re.error: %s", err);
        kumo_selector_list *l;
        if (v->k == V_LIST)
            l = kumo_list_re(v->list, pat);
        else if (v->k == V_SEL)
            l = kumo_sel_re(v->sel, pat);
        else
            return error(p, "AttributeError: no attribute '%s'", name);
        val_clear(v);
        if (name[2] == '_') {
            const char *def = a->n > 1 ? a->v[1] : arg(a, 9, "default");
            const char *s = kumo_list_get(l, def);
            v->k = s ? V_STR : V_NONE;
            v->str = s;
        } else {
            v->k = V_STRS;
            v->list = l;
        }
        return true;
    }
    if (strcmp(name, "urljoin") == 0 && v->k == V_RES) {
        char *u = kumo_response_urljoin(v->res, a0 ? a0 : "");
        val_clear(v);
        v->k = u ? V_STR : V_NONE;
        v->str = v->owned = u;
        return true;
    }
    if (strcmp(name, "follow_all") == 0 && v->k == V_RES) {
        const char *css = arg(a, 9, "css"), *xp = arg(a, 9, "xpath");
        if (!css && !xp)
            return error(p, "ValueError: Please supply exactly one of the following "
                         "arguments: urls, css, xpath");
        if (!query_ok(p, css ? css : xp, css != NULL))
            return false;
        if (css)
            kumo_follow_all(&p->out, v->res, css, NULL);
        else
            kumo_follow_all_xpath(&p->out, v->res, xp, NULL);
        val_clear(v);
        v->k = V_URLS;
        v->out = &p->out;
        return true;
    }
    return error(p, "AttributeError: no method '%s' here", name);
}

static bool postfix(parser *p, val *v);

static bool primary(parser *p, val *v)
{
    if (eat(p, "len(")) {
        if (!postfix(p, v))
            return false;
        if (!eat(p, ")"))
            return error(p, "SyntaxError: expected ')'");
        long n;
        if (v->k == V_LIST || v->k == V_STRS)
            n = v->list || v->k == V_LIST ? (long)kumo_list_len(v->list) : 1;
        else if (v->k == V_STR) {
            n = 0;
            size_t len = v->len ? v->len : strlen(v->str);
            for (size_t k = 0; k < len; k++)
                n += ((unsigned char)v->str[k] & 0xC0) != 0x80;
        } else if (v->k == V_URLS)
            n = (long)v->out->len;
        else
            return error(p, "TypeError: object has no len()");
        val_clear(v);
        v->k = V_INT;
        v->i = n;
        return true;
    }
    if (eat(p, "[r.url for r in ")) {
        if (!postfix(p, v))
            return false;
        if (!eat(p, "]"))
            return error(p, "SyntaxError: expected ']'");
        if (v->k != V_URLS)
            return error(p, "TypeError: not requests");
        return true;
    }
    if (eat(p, "response")) {
        v->k = V_RES;
        v->res = p->res;
        return true;
    }
    return error(p, "NameError: at %zu", p->i);
}

static bool postfix(parser *p, val *v)
{
    if (!primary(p, v))
        return false;
    for (;;) {
        if (eat(p, ".")) {
            char *name = ident(p);
            if (!name)
                return error(p, "SyntaxError: expected a name at %zu", p->i);
            bool ok;
            if (eat(p, "(")) {
                args a;
                ok = parse_args(p, &a) && method(p, v, name, &a);
                args_free(&a);
            } else if (strcmp(name, "attrib") == 0 && (v->k == V_SEL || v->k == V_LIST)) {
                kumo_selector *s = v->k == V_SEL ? v->sel : kumo_list_at(v->list, 0);
                val_clear(v);
                v->k = V_ATTRIB;
                v->sel = s;
                ok = true;
            } else if (strcmp(name, "text") == 0 && v->k == V_RES) {
                v->str = kumo_response_text(v->res, &v->len);
                v->k = v->str ? V_STR : V_NONE;
                ok = true;
            } else if (strcmp(name, "encoding") == 0 && v->k == V_RES) {
                v->str = kumo_response_encoding(v->res);
                v->k = v->str ? V_STR : V_NONE;
                ok = true;
            } else if (strcmp(name, "url") == 0 && v->k == V_RES) {
                v->str = kumo_response_url(v->res);
                v->k = V_STR;
                ok = true;
            } else {
                ok = error(p, "AttributeError: no attribute '%s'", name);
            }
            kumo_free(name);
            if (!ok)
                return false;
            continue;
        }
        if (eat(p, "[")) {
            long a = 0, b = KUMO_SLICE_END;
            bool none_a, none_b = true;
            number(p, &a, &none_a);
            bool slice = eat(p, ":");
            if (slice)
                number(p, &b, &none_b);
            if (!eat(p, "]"))
                return error(p, "SyntaxError: expected ']'");
            if (v->k != V_LIST && v->k != V_STRS)
                return error(p, "TypeError: not subscriptable here");
            if (slice) {
                vkind k = v->k;
                v->list = kumo_list_slice(v->list, none_a ? 0 : a, none_b ? KUMO_SLICE_END : b);
                v->k = k;
            } else {
                kumo_selector *s = kumo_list_index(v->list, a);
                if (!s)
                    return error(p, "IndexError: list index out of range");
                if (v->k == V_STRS) {
                    v->k = V_STR;
                    v->str = kumo_sel_get(s);
                } else {
                    v->k = V_SEL;
                    v->sel = s;
                }
            }
            continue;
        }
        return true;
    }
}

/* ---------------------------------------------------------------- repr */

static bool printable(unsigned long c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0xA0) || c == 0xAD)
        return false;
    if ((c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
        (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF || c == 0x1680 ||
        (c >= 0xFFF9 && c <= 0xFFFB) || (c >= 0xE000 && c <= 0xF8FF) || c == 0xFFFE ||
        c == 0xFFFF || (c >= 0x600 && c <= 0x605) || c == 0x61C || c == 0x180E)
        return false;
    return true;
}

static void repr_strn(kumo_buf *b, const char *s, size_t len)
{
    char q = memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';
    kumo__buf_addc(b, q);
    const unsigned char *u = (const unsigned char *)s, *end = u + len;
    while (u < end) {
        unsigned long c = *u;
        size_t n = 1;
        if (c >= 0xF0)
            c = ((c & 7) << 18) | ((u[1] & 63ul) << 12) | ((u[2] & 63ul) << 6) | (u[3] & 63), n = 4;
        else if (c >= 0xE0)
            c = ((c & 15) << 12) | ((u[1] & 63ul) << 6) | (u[2] & 63), n = 3;
        else if (c >= 0xC0)
            c = ((c & 31) << 6) | (u[1] & 63), n = 2;
        if (c == '\\' || c == (unsigned char)q)
            kumo__buf_printf(b, "\\%c", (char)c);
        else if (c == '\n')
            kumo__buf_adds(b, "\\n");
        else if (c == '\r')
            kumo__buf_adds(b, "\\r");
        else if (c == '\t')
            kumo__buf_adds(b, "\\t");
        else if (!printable(c))
            kumo__buf_printf(b, c < 0x100 ? "\\x%02lx" : c < 0x10000 ? "\\u%04lx" : "\\U%08lx", c);
        else
            kumo__buf_add(b, u, n);
        u += n;
    }
    kumo__buf_addc(b, q);
}

static void repr_str(kumo_buf *b, const char *s)
{
    repr_strn(b, s, strlen(s));
}

/* parsel's repr: <Selector xpath=... data='<first 37 characters>...'>; the diff script drops
 * the query (kumo keeps none on a selector). */
static void repr_sel(kumo_buf *b, kumo_selector *sel)
{
    const char *s = kumo_sel_get(sel);
    size_t chars = 0, cut = 0, i;
    for (i = 0; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (chars == 37)
                cut = i;
            chars++;
        }
    }
    kumo__buf_adds(b, "<Selector data=");
    if (chars > 40) {
        kumo__buf_adds(b, "");
        kumo_buf b2;
        kumo__buf_init(&b2, 0, KUMO_T_STR, KUMO_V_TEXT);
        kumo__buf_add(&b2, s, cut);
        kumo__buf_adds(&b2, "...");
        repr_str(b, kumo__buf_str(&b2));
        kumo__buf_release(&b2);
    } else {
        repr_str(b, s);
    }
    kumo__buf_addc(b, '>');
}

static void repr(kumo_buf *b, const val *v)
{
    switch (v->k) {
    case V_NONE:
        kumo__buf_adds(b, "None");
        break;
    case V_STR:
        repr_strn(b, v->str, v->len ? v->len : strlen(v->str));
        break;
    case V_INT:
        kumo__buf_printf(b, "%ld", v->i);
        break;
    case V_RES:
        kumo__buf_printf(b, "<%d %s>", kumo_response_status(v->res), kumo_response_url(v->res));
        break;
    case V_SEL:
        repr_sel(b, v->sel);
        break;
    case V_LIST:
        kumo__buf_addc(b, '[');
        for (size_t i = 0; i < kumo_list_len(v->list); i++) {
            if (i)
                kumo__buf_adds(b, ", ");
            repr_sel(b, kumo_list_at(v->list, i));
        }
        kumo__buf_addc(b, ']');
        break;
    case V_STRS:
        kumo__buf_addc(b, '[');
        if (!v->list && v->sel)
            repr_str(b, kumo_sel_get(v->sel));
        for (size_t i = 0; i < kumo_list_len(v->list); i++) {
            if (i)
                kumo__buf_adds(b, ", ");
            repr_str(b, kumo_sel_get(kumo_list_at(v->list, i)));
        }
        kumo__buf_addc(b, ']');
        break;
    case V_ATTRIB: {
        kumo__buf_addc(b, '{');
        const char *name, *value;
        for (size_t i = 0; v->sel && (value = kumo_sel_attr_at(v->sel, i, &name)); i++) {
            if (i)
                kumo__buf_adds(b, ", ");
            repr_str(b, name);
            kumo__buf_adds(b, ": ");
            repr_str(b, value);
        }
        kumo__buf_addc(b, '}');
        break;
    }
    case V_URLS:
        kumo__buf_addc(b, '[');
        for (size_t i = 0; i < v->out->len; i++) {
            if (i)
                kumo__buf_adds(b, ", ");
            repr_str(b, kumo_request_url(v->out->v[i].u.req));
        }
        kumo__buf_addc(b, ']');
        break;
    }
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_BODY);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        kumo__buf_add(&b, chunk, n);
    fclose(f);
    kumo__buf_adds(&b, "");
    return kumo__buf_detach(&b, len);
}

/* --links JSON: the links kumo_extract_links() gives for those options. */
static int print_links(kumo_response *res, const char *json)
{
    kumo_value obj;
    char err[256];
    lecase_opts o;
    if (kumo__json_parse(json, strlen(json), &obj, err, sizeof(err)) != KUMO_OK ||
        lecase_opts_from_json(&obj, &o, err, sizeof(err)) != KUMO_OK) {
        fprintf(stderr, "kumo-seltool: --links '%s': %s\n", json, err);
        return 1;
    }
    kumo_links *ls = kumo_extract_links(&o.le, res);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&b, "[\n");
    for (size_t k = 0; k < ls->len; k++) {
        lecase_link_json(&b, &ls->v[k]);
        kumo__buf_addc(&b, '\n');
    }
    kumo__buf_adds(&b, "]\n");
    fputs(kumo__buf_str(&b), stdout);
    kumo__buf_release(&b);
    kumo_links_free(ls);
    lecase_opts_release(&o);
    kumo_val_clear(&obj);
    return 0;
}

int main(int argc, char **argv)
{
    const char *url = "http://example.com/page.html", *ct = NULL;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (strcmp(argv[i], "--url") == 0)
            url = argv[i + 1];
        else if (strcmp(argv[i], "--ct") == 0)
            ct = argv[i + 1];
    }
    if (i >= argc) {
        fprintf(stderr, "usage: kumo-seltool [--url URL] [--ct CONTENT-TYPE] PAGE EXPR...\n");
        return 2;
    }
    if (kumo__global_init() != KUMO_OK)
        return 1;
    kumo__log_set_level(KUMO_LOG_CRITICAL);
    size_t len;
    char *body = slurp(argv[i], &len);
    if (!body) {
        fprintf(stderr, "kumo-seltool: cannot open '%s'\n", argv[i]);
        return 1;
    }
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    if (!req) {
        fprintf(stderr, "kumo-seltool: bad url '%s'\n", url);
        kumo_free(body);
        return 1;
    }
    kumo_headers *h = kumo__headers_new();
    if (ct)
        kumo_headers_add(h, "Content-Type", ct);
    parser p = {.res = kumo__response_new(req, url, 200, h, body, len)};
    kumo_request_unref(req);
    kumo__out_init(&p.out, NULL);
    int rc = 0;
    for (i++; i < argc; i++) {
        if (strcmp(argv[i], "--links") == 0 && i + 1 < argc) {
            rc |= print_links(p.res, argv[++i]);
            continue;
        }
        size_t mark = kumo__pool_mark();
        p.s = argv[i];
        p.i = 0;
        p.err = NULL;
        val v = {0};
        kumo_buf line;
        kumo__buf_init(&line, 0, KUMO_T_STR, KUMO_V_TEXT);
        kumo__buf_adds(&line, "");
        if (postfix(&p, &v) && (ws(&p), p.s[p.i] != '\0'))
            error(&p, "SyntaxError: unexpected '%s'", p.s + p.i);
        if (p.err)
            kumo__buf_printf(&line, "Error: %s", p.err);
        else
            repr(&line, &v);
        printf("%s\n", kumo__buf_str(&line));
        kumo__buf_release(&line);
        val_clear(&v);
        kumo__out_release(&p.out);
        kumo__out_init(&p.out, NULL);
        kumo__pool_drain(mark);
    }
    kumo__out_release(&p.out);
    kumo_response_unref(p.res);
    kumo__select_cleanup();
    kumo__global_cleanup();
    return rc;
}
