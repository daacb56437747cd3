/* regex.c - Python re semantics on PCRE2: the pattern cache, findall, search, sub, entities,
 * and kumo/re.h's re.search and re.sub for spider code. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "select/regex.h"
#include "select/encoding.h"
#include "select/entities.h"
#include "util/buf.h"
#include <ctype.h>
#include <pcre2.h>
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

struct kumo_regex {
    char *key;
    unsigned flags;
    uint32_t hash;
    pcre2_code *code;
    pcre2_match_data *md;
    uint32_t ngroups;
    int extract;                /* number of the group named "extract", or -1 */
    struct kumo_regex *next;
};

#define NBUCKETS 128
#define MAX_CACHED 512

/* Per thread, as the query cache (css.c): a PCRE2 code's match data is not shared. */
static _Thread_local kumo_regex *buckets[NBUCKETS];
static _Thread_local size_t ncached;
static _Thread_local pcre2_general_context *gctx;
static _Thread_local pcre2_compile_context *cctx;
static _Thread_local char errmsg[256];
static _Thread_local kumo_tag re_type;

/* PCRE2 allocates through the tagged heap (the JIT's executable pages excepted). */
static void *re_alloc(size_t n, void *data)
{
    (void)data;
    return kumo_alloc(n, re_type, KUMO_V_CACHE);
}

static void re_free(void *p, void *data)
{
    (void)data;
    kumo_free(p);
}

static void contexts(void)
{
    if (gctx)
        return;
    re_type = kumo_type_intern("re.Pattern");
    gctx = pcre2_general_context_create(re_alloc, re_free, NULL);
    cctx = pcre2_compile_context_create(gctx);
    if (!gctx || !cctx)
        kumo_oom(sizeof(void *));
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
}

/*
 * Python's syntax where PCRE2's differs: \Z is PCRE2's \z, {,n} is {0,n}, \uXXXX and
 * \UXXXXXXXX are \x{...}, a '[' inside a class is a literal (no POSIX [:digit:]).
 * Everything else is passed as it is.
 */
static char *translate(const char *p)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_CACHE);
    kumo__buf_adds(&b, "");
    bool in_class = false;
    for (size_t i = 0; p[i]; i++) {
        char c = p[i];
        if (c == '\\' && p[i + 1]) {
            char d = p[i + 1];
            size_t hex = d == 'u' ? 4 : d == 'U' ? 8 : 0;
            if (d == 'Z' && !in_class) {
                kumo__buf_adds(&b, "\\z");
                i++;
                continue;
            }
            if (hex && strspn(p + i + 2, "0123456789abcdefABCDEF") >= hex) {
                kumo__buf_printf(&b, "\\x{%.*s}", (int)hex, p + i + 2);
                i += 1 + hex;
                continue;
            }
            kumo__buf_add(&b, p + i, 2);
            i++;
            continue;
        }
        if (in_class) {
            if (c == ']')
                in_class = false;
            /* Python has no POSIX classes: a '[' in a class is itself ("[[:digit:]]"). */
            if (c == '[')
                kumo__buf_addc(&b, '\\');
            kumo__buf_addc(&b, c);
            continue;
        }
        if (c == '[') {
            in_class = true;
            kumo__buf_addc(&b, c);
            /* A leading ] (or ^]) is a literal member. */
            if (p[i + 1] == '^') {
                kumo__buf_addc(&b, '^');
                i++;
            }
            if (p[i + 1] == ']') {
                kumo__buf_addc(&b, ']');
                i++;
            }
            continue;
        }
        if (c == '{' && p[i + 1] == ',') {
            size_t k = i + 2;
            while (p[k] >= '0' && p[k] <= '9')
                k++;
            if (k > i + 2 && p[k] == '}') {
                kumo__buf_adds(&b, "{0");
                continue;
            }
        }
        kumo__buf_addc(&b, c);
    }
    return kumo__buf_detach(&b, NULL);
}

static uint32_t hash_pattern(const char *s, unsigned flags)
{
    uint32_t h = 2166136261u ^ flags;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void regex_free(kumo_regex *re)
{
    pcre2_match_data_free(re->md);
    pcre2_code_free(re->code);
    kumo_free(re->key);
    kumo_free(re);
}

static void cache_flush(void)
{
    for (size_t i = 0; i < NBUCKETS; i++) {
        while (buckets[i]) {
            kumo_regex *re = buckets[i];
            buckets[i] = re->next;
            regex_free(re);
        }
    }
    ncached = 0;
}

bool kumo__regex_jit_ok(void)
{
    return !RUNNING_ON_VALGRIND;
}

const kumo_regex *kumo__regex_get(const char *pattern, unsigned flags, const char **error)
{
    if (error)
        *error = NULL;
    if (!pattern) {
        snprintf(errmsg, sizeof(errmsg), "pattern is NULL");
        if (error)
            *error = errmsg;
        return NULL;
    }
    uint32_t h = hash_pattern(pattern, flags);
    kumo_regex **slot = &buckets[h % NBUCKETS];
    for (kumo_regex *re = *slot; re; re = re->next)
        if (re->hash == h && re->flags == flags && strcmp(re->key, pattern) == 0)
            return re;
    contexts();
    char *tr = translate(pattern);
    int code;
    PCRE2_SIZE off;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK;
    if (flags & KUMO_RE_I)
        opts |= PCRE2_CASELESS;
    /* The pattern's own bytes are checked here: invalid UTF-8 is a compile error. */
    bool valid = kumo__utf8_valid(tr, strlen(tr));
    pcre2_code *c = valid ? pcre2_compile((PCRE2_SPTR)tr, PCRE2_ZERO_TERMINATED, opts, &code,
                                          &off, cctx)
                          : NULL;
    kumo_free(tr);
    if (!c) {
        if (!valid) {
            snprintf(errmsg, sizeof(errmsg), "pattern is not valid UTF-8");
        } else {
            char m[200];
            pcre2_get_error_message(code, (PCRE2_UCHAR *)m, sizeof(m));
            snprintf(errmsg, sizeof(errmsg), "%s at position %zu", m, (size_t)off);
        }
        if (error)
            *error = errmsg;
        return NULL;
    }
    if (kumo__regex_jit_ok())
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);   /* optional: else the interpreter */
    if (ncached >= MAX_CACHED)
        cache_flush();
    kumo_regex *re = kumo_calloc(1, sizeof(*re), re_type, KUMO_V_CACHE);
    re->key = kumo_strdup(pattern, KUMO_T_STR, KUMO_V_CACHE);
    re->flags = flags;
    re->hash = h;
    re->code = c;
    re->md = pcre2_match_data_create_from_pattern(c, gctx);
    if (!re->md)
        kumo_oom(sizeof(void *));
    pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &re->ngroups);
    re->extract = pcre2_substring_number_from_name(c, (PCRE2_SPTR) "extract");
    if (re->extract < 0)
        re->extract = -1;
    re->next = *slot;
    *slot = re;
    ncached++;
    return re;
}

/*
 * Python's iteration over matches (finditer): after an empty match the next one may not be
 * empty at the same place.  Calls fn for every match with the ovector; stops when fn
 * returns false.
 */
typedef bool (*match_fn)(const kumo_regex *re, const char *s, const PCRE2_SIZE *ov, void *ctx);

static void each_match(const kumo_regex *re, const char *s, size_t n, match_fn fn, void *ctx)
{
    if (!kumo__utf8_valid(s, n))
        return;
    PCRE2_SIZE start = 0;
    bool last_empty = false;
    for (;;) {
        uint32_t opts = PCRE2_NO_UTF_CHECK;
        if (last_empty)
            opts |= PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED;
        int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, start, opts, re->md, NULL);
        if (rc < 0) {
            if (rc != PCRE2_ERROR_NOMATCH || !last_empty || start >= n)
                return;
            /* No non-empty match here: step over one character and search again. */
            start++;
            while (start < n && ((unsigned char)s[start] & 0xC0) == 0x80)
                start++;
            last_empty = false;
            continue;
        }
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
        if (!fn(re, s, ov, ctx))
            return;
        last_empty = ov[0] == ov[1];
        start = ov[1];
        if (start > n)
            return;
    }
}

typedef struct emit_ctx {
    kumo_regex_emit emit;
    void *ctx;
    kumo_buf *join;
} emit_ctx;

static void emit_group(const kumo_regex *re, const char *s, const PCRE2_SIZE *ov, uint32_t g,
                       kumo_regex_emit emit, void *ctx)
{
    (void)re;
    if (ov[2 * g] == PCRE2_UNSET)
        emit(ctx, "", 0);
    else
        emit(ctx, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
}

static bool findall_one(const kumo_regex *re, const char *s, const PCRE2_SIZE *ov, void *ctx)
{
    emit_ctx *e = ctx;
    if (re->ngroups == 0) {
        emit_group(re, s, ov, 0, e->emit, e->ctx);
        return true;
    }
    for (uint32_t g = 1; g <= re->ngroups; g++)
        emit_group(re, s, ov, g, e->emit, e->ctx);
    return true;
}

void kumo__regex_extract(const kumo_regex *re, const char *s, size_t n, kumo_regex_emit emit,
                         void *ctx)
{
    if (re->extract >= 0) {
        if (!kumo__utf8_valid(s, n))
            return;
        int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, re->md, NULL);
        if (rc < 0)
            return;
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
        uint32_t g = (uint32_t)re->extract;
        if (ov[2 * g] != PCRE2_UNSET)
            emit(ctx, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        return;
    }
    emit_ctx e = {emit, ctx, NULL};
    each_match(re, s, n, findall_one, &e);
}

static bool findall_joined_one(const kumo_regex *re, const char *s, const PCRE2_SIZE *ov,
                               void *ctx)
{
    emit_ctx *e = ctx;
    if (re->ngroups <= 1) {
        uint32_t g = re->ngroups;
        emit_group(re, s, ov, g, e->emit, e->ctx);
        return true;
    }
    kumo__buf_reset(e->join);
    kumo__buf_adds(e->join, "");
    for (uint32_t g = 1; g <= re->ngroups; g++)
        if (ov[2 * g] != PCRE2_UNSET)
            kumo__buf_add(e->join, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    e->emit(e->ctx, e->join->s, e->join->len);
    return true;
}

void kumo__regex_findall_joined(const kumo_regex *re, const char *s, size_t n,
                                kumo_regex_emit emit, void *ctx)
{
    kumo_buf join;
    kumo__buf_init(&join, 0, KUMO_T_STR, KUMO_V_TEXT);
    emit_ctx e = {emit, ctx, &join};
    each_match(re, s, n, findall_joined_one, &e);
    kumo__buf_release(&join);
}

bool kumo__regex_search(const kumo_regex *re, const char *s, size_t n)
{
    if (!kumo__utf8_valid(s, n))
        return false;
    return pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, re->md, NULL) >= 0;
}

bool kumo__regex_search_groups(const kumo_regex *re, const char *s, size_t n,
                               kumo_regex_emit emit, void *ctx)
{
    if (!kumo__utf8_valid(s, n))
        return false;
    if (pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, re->md, NULL) < 0)
        return false;
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    for (uint32_t g = 0; g <= re->ngroups; g++)
        emit_group(re, s, ov, g, emit, ctx);
    return true;
}

/* ---------------------------------------------------------------- sub */

typedef struct sub_ctx {
    const char *repl;
    kumo_buf *out;
    size_t copied;              /* bytes of s already copied to out */
    int left;                   /* replacements left, or -1 for all */
    const char *error;
} sub_ctx;

/*
 * Expand repl for one match into c->out (Python's parse_template and expand): \g<name> and
 * \g<n>, \1..\99 (three octal digits are an octal escape), \0 with up to two more octal
 * digits, \a \b \f \n \r \t \v \\; another escaped ASCII letter and a trailing backslash are
 * errors, any other escaped character stays as it is.  With ov NULL only checks repl.
 * Returns false (with c->error) for an invalid template.
 */
static bool expand(const kumo_regex *re, const char *s, const PCRE2_SIZE *ov, sub_ctx *c)
{
    const char *r = c->repl;
    for (size_t i = 0; r[i]; i++) {
        if (r[i] != '\\') {
            if (ov)
                kumo__buf_addc(c->out, r[i]);
            continue;
        }
        char d = r[++i];
        long g = -1;
        if (!d) {
            c->error = "bad escape (end of pattern)";
            return false;
        } else if (d == 'g') {
            if (r[i + 1] != '<') {
                c->error = "missing <";
                return false;
            }
            const char *end = strchr(r + i + 2, '>');
            if (!end) {
                c->error = "missing >, unterminated name";
                return false;
            }
            char name[64];
            size_t len = (size_t)(end - (r + i + 2));
            if (len == 0) {
                c->error = "missing group name";
                return false;
            }
            if (len >= sizeof(name)) {
                c->error = "bad character in group name";
                return false;
            }
            memcpy(name, r + i + 2, len);
            name[len] = '\0';
            if (name[0] >= '0' && name[0] <= '9') {
                if (strspn(name, "0123456789") != len) {
                    c->error = "bad character in group name";
                    return false;
                }
                g = len > 6 ? LONG_MAX : strtol(name, NULL, 10);
            } else {
                g = pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name);
                if (g < 0) {
                    c->error = "unknown group name";
                    return false;
                }
            }
            i = (size_t)(end - r);
        } else if (d == '0') {
            unsigned v = 0;
            for (int k = 0; k < 2 && r[i + 1] >= '0' && r[i + 1] <= '7'; k++)
                v = v * 8 + (unsigned)(r[++i] - '0');
            if (ov)
                kumo__utf8_put(c->out, v & 0xff);
            continue;
        } else if (d >= '1' && d <= '9') {
            g = d - '0';
            if (r[i + 1] >= '0' && r[i + 1] <= '9') {
                char e = r[++i];
                if (d <= '7' && e <= '7' && r[i + 1] >= '0' && r[i + 1] <= '7') {
                    unsigned v = (unsigned)((d - '0') * 64 + (e - '0') * 8 + (r[++i] - '0'));
                    if (v > 0377) {
                        c->error = "octal escape value outside of range 0-0o377";
                        return false;
                    }
                    if (ov)
                        kumo__utf8_put(c->out, v);
                    continue;
                }
                g = g * 10 + (e - '0');
            }
        } else {
            const char *esc = strchr("abfnrtv\\", d);
            if (!esc && ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z'))) {
                c->error = "bad escape";
                return false;
            }
            if (!ov)
                continue;
            if (esc) {
                kumo__buf_addc(c->out, "\a\b\f\n\r\t\v\\"[esc - "abfnrtv\\"]);
            } else {
                kumo__buf_addc(c->out, '\\');
                kumo__buf_addc(c->out, d);
            }
            continue;
        }
        if (g > (long)re->ngroups) {
            c->error = "invalid group reference";
            return false;
        }
        if (ov && ov[2 * g] != PCRE2_UNSET)
            kumo__buf_add(c->out, s + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
    }
    return true;
}

static bool sub_one(const kumo_regex *re, const char *s, const PCRE2_SIZE *ov, void *ctx)
{
    sub_ctx *c = ctx;
    if (c->left == 0)
        return false;
    kumo__buf_add(c->out, s + c->copied, ov[0] - c->copied);
    if (!expand(re, s, ov, c))
        return false;
    c->copied = ov[1];
    if (c->left > 0)
        c->left--;
    return c->left != 0;
}

char *kumo__regex_sub(const kumo_regex *re, const char *repl, const char *s, size_t n,
                      int count, const char **error)
{
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&out, "");
    sub_ctx c = {repl, &out, 0, count > 0 ? count : -1, NULL};
    /* The template is checked first, as Python parses it before it searches. */
    if (expand(re, s, NULL, &c) && count >= 0)
        each_match(re, s, n, sub_one, &c);
    if (c.error) {
        if (error)
            *error = c.error;
        kumo__buf_release(&out);
        return NULL;
    }
    kumo__buf_add(&out, s + c.copied, n - c.copied);
    return kumo__buf_detach(&out, NULL);
}

/* ---------------------------------------------------------------- entities */

static int entity_cmp(const void *key, const void *e)
{
    return strcmp(key, ((const struct entity *)e)->name);
}

static long entity_lookup(const char *name)
{
    const struct entity *e = bsearch(name, entities, KUMO_ARRAY_LEN(entities),
                                     sizeof(entities[0]), entity_cmp);
    return e ? (long)e->cp : -1;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*
 * One reference at s (s[0] == '&'): w3lib's &((named)|#(dec)|#x(hex))(;?) with its rules.
 * Returns the bytes consumed (0: not a reference, copy the '&').
 */
static size_t entity(const char *s, size_t n, kumo_buf *b)
{
    size_t i = 1;
    long cp = -1;
    bool numeric = false, overflow = false;
    if (i < n && s[i] == '#' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
        numeric = true;
        i++;
        cp = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            cp = cp * 10 + (s[i] - '0');
            if (cp > 0x10FFFF)
                overflow = true, cp = 0x110000;
        }
    } else if (i + 1 < n && s[i] == '#' && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < n &&
               isxdigit((unsigned char)s[i + 2])) {
        numeric = true;
        i += 2;
        cp = 0;
        for (; i < n && isxdigit((unsigned char)s[i]); i++) {
            int d = s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10;
            cp = cp * 16 + d;
            if (cp > 0x10FFFF)
                overflow = true, cp = 0x110000;
        }
    } else if (i < n && is_alnum(s[i])) {
        size_t start = i;
        while (i < n && is_alnum(s[i]))
            i++;
        char name[16];
        size_t len = i - start;
        bool semi = i < n && s[i] == ';';
        size_t used = i + (semi ? 1 : 0);
        if (len >= sizeof(name)) {
            if (!semi)
                kumo__buf_add(b, s, used);
            return used;
        }
        memcpy(name, s + start, len);
        name[len] = '\0';
        char lower[16];
        for (size_t k = 0; k <= len; k++)
            lower[k] = (char)tolower((unsigned char)name[k]);
        if (strcmp(lower, "lt") == 0 || strcmp(lower, "amp") == 0) {
            kumo__buf_add(b, s, used);
            return used;
        }
        cp = entity_lookup(name);
        if (cp <= 0)
            cp = entity_lookup(lower);
        if (cp <= 0) {
            if (!semi)
                kumo__buf_add(b, s, used);
            return used;
        }
        kumo__utf8_put(b, (unsigned long)cp);
        return used;
    } else {
        return 0;
    }
    bool semi = i < n && s[i] == ';';
    size_t used = i + (semi ? 1 : 0);
    (void)numeric;
    if (!overflow && cp >= 0x80 && cp <= 0x9F) {
        /* Browsers read &#128;-&#159; as windows-1252 bytes. */
        unsigned long u = kumo__cp1252_char((unsigned char)cp);
        if (u != 0xFFFD) {
            kumo__utf8_put(b, u);
            return used;
        }
    } else if (!overflow && cp > 0) {
        kumo__utf8_put(b, (unsigned long)cp);
        return used;
    }
    /* Not a character (Python raises and w3lib keeps or drops the reference). */
    if (!semi)
        kumo__buf_add(b, s, used);
    return used;
}

/* w3lib's _REMOVECOMMENTS_RE */
static const char re_comments[] = "(?s)<!--.*?(?:-->|$)";

char *kumo__remove_comments(const char *s, size_t n)
{
    if (!memmem(s, n, "<!--", 4))
        return NULL;
    const kumo_regex *re = kumo__regex_get(re_comments, 0, NULL);
    kumo_assert(re);
    char *out = kumo__regex_sub(re, "", s, n, 0, NULL);
    kumo_assert(out);
    return out;
}

void kumo__replace_entities(const char *s, size_t n, kumo_buf *b)
{
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        if (!amp) {
            kumo__buf_add(b, s + i, n - i);
            return;
        }
        size_t k = (size_t)(amp - s);
        kumo__buf_add(b, s + i, k - i);
        size_t used = entity(s + k, n - k, b);
        if (used == 0) {
            kumo__buf_addc(b, '&');
            used = 1;
        }
        i = k + used;
    }
}

/* ---------------------------------------------------------------- kumo/re.h */

#define LOGGER "kumo.re"

struct kumo_re_match {
    size_t ngroups;
    size_t *span;               /* start, end of each group; SIZE_MAX for a group not set */
    char **text;                /* each group's text (NUL-terminated), or NULL */
    char *names;                /* PCRE2's name table: 2-byte group number, then the name */
    uint32_t namecount, entrysize;
};

static _Thread_local kumo_tag match_type;

static const kumo_regex *public_get(const char *pattern, int *err)
{
    const char *why = NULL;
    const kumo_regex *re = kumo__regex_get(pattern, 0, &why);
    if (!re) {
        KUMO_ERROR(LOGGER, "Invalid regular expression '%s': %s", pattern ? pattern : "(null)",
                   why);
        if (err)
            *err = KUMO_ESYNTAX;
    }
    return re;
}

kumo_re_match *kumo_re_search(const char *pattern, const char *s, int *err)
{
    if (err)
        *err = KUMO_OK;
    const kumo_regex *re = public_get(pattern, err);
    if (!re || !s)
        return NULL;
    size_t n = strlen(s);
    if (!kumo__utf8_valid(s, n) ||
        pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, re->md, NULL) < 0)
        return NULL;
    if (!match_type)
        match_type = kumo_type_intern("re.Match");
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(re->md);
    kumo_re_match *m = kumo_calloc(1, sizeof(*m), match_type, KUMO_V_TEXT);
    m->ngroups = re->ngroups;
    m->span = kumo_alloc(2 * (m->ngroups + 1) * sizeof(size_t), match_type, KUMO_V_TEXT);
    m->text = kumo_calloc(m->ngroups + 1, sizeof(char *), match_type, KUMO_V_TEXT);
    for (size_t g = 0; g <= m->ngroups; g++) {
        bool set = ov[2 * g] != PCRE2_UNSET;
        m->span[2 * g] = set ? ov[2 * g] : SIZE_MAX;
        m->span[2 * g + 1] = set ? ov[2 * g + 1] : SIZE_MAX;
        if (set)
            m->text[g] = kumo_strndup(s + ov[2 * g], ov[2 * g + 1] - ov[2 * g], KUMO_T_STR,
                                      KUMO_V_TEXT);
    }
    /* The names are copied: the cached pattern may be gone before the match is read. */
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &m->namecount);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &m->entrysize);
    pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
    if (m->namecount && table) {
        size_t len = (size_t)m->namecount * m->entrysize;
        m->names = kumo_alloc(len, match_type, KUMO_V_TEXT);
        memcpy(m->names, table, len);
    } else {
        m->namecount = 0;
    }
    return m;
}

const char *kumo_re_match_group(const kumo_re_match *m, size_t n)
{
    return m && n <= m->ngroups ? m->text[n] : NULL;
}

const char *kumo_re_match_named(const kumo_re_match *m, const char *name)
{
    if (!m || !name)
        return NULL;
    for (uint32_t i = 0; i < m->namecount; i++) {
        const char *e = m->names + (size_t)i * m->entrysize;
        size_t g = (size_t)((unsigned char)e[0] << 8 | (unsigned char)e[1]);
        if (strcmp(e + 2, name) == 0)
            return kumo_re_match_group(m, g);
    }
    return NULL;
}

size_t kumo_re_match_groups(const kumo_re_match *m)
{
    return m ? m->ngroups : 0;
}

bool kumo_re_match_span(const kumo_re_match *m, size_t n, size_t *start, size_t *end)
{
    if (!m || n > m->ngroups || m->span[2 * n] == SIZE_MAX)
        return false;
    if (start)
        *start = m->span[2 * n];
    if (end)
        *end = m->span[2 * n + 1];
    return true;
}

void kumo_re_match_free(kumo_re_match *m)
{
    if (!m)
        return;
    for (size_t g = 0; g <= m->ngroups; g++)
        kumo_free(m->text[g]);
    kumo_free(m->text);
    kumo_free(m->span);
    kumo_free(m->names);
    kumo_free(m);
}

char *kumo_re_sub(const char *pattern, const char *repl, const char *s, int count, int *err)
{
    if (err)
        *err = KUMO_OK;
    const kumo_regex *re = public_get(pattern, err);
    if (!re)
        return NULL;
    const char *why = NULL;
    char *r = kumo__regex_sub(re, repl ? repl : "", s ? s : "", s ? strlen(s) : 0, count, &why);
    if (!r) {
        KUMO_ERROR(LOGGER, "Invalid replacement '%s' for '%s': %s", repl, pattern, why);
        if (err)
            *err = KUMO_ESYNTAX;
    }
    return r;
}

/* ---------------------------------------------------------------- cleanup */

void kumo__regex_cleanup(void)
{
    cache_flush();
    pcre2_compile_context_free(cctx);
    pcre2_general_context_free(gctx);
    cctx = NULL;
    gctx = NULL;
}

size_t kumo__regex_cached(void)
{
    return ncached;
}
