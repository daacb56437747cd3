/* str.c - the console's str (UTF-8, indexed by code points) and bytes: repr, length, items,
 * indexing and slicing, comparison, `in`, + and *, and their methods (split, join...). */
#include "console/str.h"
#include "console/num.h"
#include "console/seq.h"

/* Start offsets of the code points of a str that is not plain ASCII (n + 1 entries, the
 * last one len), or NULL for ASCII.  A byte that is not valid UTF-8 counts as one. */
static size_t *cp_offsets(const char *s, size_t len, size_t *n)
{
    size_t i = 0;
    while (i < len && (unsigned char)s[i] < 0x80)
        i++;
    if (i == len)
        return NULL;
    size_t *off = kumo_alloc((len + 1) * sizeof(*off), cv_tag(), KUMO_V_NONE);
    size_t k = 0;
    for (i = 0; i < len;) {
        off[k++] = i;
        unsigned char ch = (unsigned char)s[i];
        size_t w = ch < 0xc0 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
        size_t j = 1;
        while (j < w && i + j < len && ((unsigned char)s[i + j] & 0xc0) == 0x80)
            j++;
        i += ch < 0x80 || j < w ? 1 : w;
    }
    off[k] = len;
    *n = k;
    return off;
}

static int cmp_bytes(const cval *a, const cval *b)
{
    size_t n = KUMO_MIN(a->u.s.len, b->u.s.len);
    int r = memcmp(a->u.s.s, b->u.s.s, n);
    if (r)
        return r < 0 ? -1 : 1;
    return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

/* A str indexed by code points: the slice or the one character. */
static cval *cp_getitem(cv_ctx *c, cval *seq, cval *key, size_t *off, size_t n)
{
    if (key->type == CV_SLICE) {
        int64_t lo, hi, st;
        size_t cnt;
        if (cv_slice_indices(c, key, n, &lo, &hi, &st, &cnt))
            return NULL;
        kumo_buf b;
        kumo__buf_init(&b, 0, cv_tag(), KUMO_V_TEXT);
        kumo__buf_add(&b, "", 0);
        for (size_t i = 0; i < cnt; i++) {
            size_t k = (size_t)(lo + (int64_t)i * st);
            kumo__buf_add(&b, seq->u.s.s + off[k], off[k + 1] - off[k]);
        }
        size_t len;
        char *p = kumo__buf_detach(&b, &len);
        return cv_str_take(p, len);
    }
    int64_t i;
    if (!cv_int_like(key, &i))
        return cv_raise(c, "TypeError", "string indices must be integers, not '%s'",
                        cv_type_name(key));
    if (i < 0)
        i += (int64_t)n;
    if (i < 0 || i >= (int64_t)n)
        return cv_raise(c, "IndexError", "string index out of range");
    return cv_strn(seq->u.s.s + off[i], off[i + 1] - off[i]);
}

static cval *str_getitem(cv_ctx *c, cval *seq, cval *key)
{
    if (seq->type == CV_STR) {
        size_t n;
        size_t *off = cp_offsets(seq->u.s.s, seq->u.s.len, &n);
        if (off) {
            cval *r = cp_getitem(c, seq, key, off, n);
            kumo_free(off);
            return r;
        }
    }
    size_t len = seq->u.s.len;
    if (key->type == CV_SLICE) {
        int64_t lo, hi, st;
        size_t cnt;
        if (cv_slice_indices(c, key, len, &lo, &hi, &st, &cnt))
            return NULL;
        char *p = kumo_alloc(cnt + 1, cv_tag(), KUMO_V_TEXT);
        for (size_t i = 0; i < cnt; i++)
            p[i] = seq->u.s.s[lo + (int64_t)i * st];
        p[cnt] = '\0';
        cval *r = cv_str_take(p, cnt);
        r->type = seq->type;
        return r;
    }
    int64_t i;
    if (!cv_int_like(key, &i)) {
        if (seq->type == CV_STR)
            return cv_raise(c, "TypeError", "string indices must be integers, not '%s'",
                            cv_type_name(key));
        return cv_raise(c, "TypeError", "%s indices must be integers or slices, not %s",
                        cv_type_name(seq), cv_type_name(key));
    }
    if (i < 0)
        i += (int64_t)len;
    if (i < 0 || i >= (int64_t)len) {
        if (seq->type == CV_BYTES)
            return cv_raise(c, "IndexError", "index out of range");
        return cv_raise(c, "IndexError", "string index out of range");
    }
    if (seq->type == CV_BYTES)
        return cv_int((unsigned char)seq->u.s.s[i]);
    return cv_strn(seq->u.s.s + i, 1);
}

static int str_len(cv_ctx *c, cval *v, size_t *n)
{
    size_t *off = cp_offsets(v->u.s.s, v->u.s.len, n);
    if (!off)
        *n = v->u.s.len;
    kumo_free(off);
    return KUMO_OK;
}

static int bytes_len(cv_ctx *c, cval *v, size_t *n)
{
    *n = v->u.s.len;
    return KUMO_OK;
}

static cval *str_iter(cv_ctx *c, cval *v)
{
    cval *l = cv_list_new();
    const unsigned char *s = (const unsigned char *)v->u.s.s;
    for (size_t i = 0; i < v->u.s.len;) {
        size_t n = 1;
        if (s[i] >= 0xc0)       /* keep a UTF-8 sequence together */
            while (i + n < v->u.s.len && (s[i + n] & 0xc0) == 0x80 && n < 4)
                n++;
        if (cv_seq_push(c, l, cv_strn(v->u.s.s + i, n))) {
            cv_unref(l);
            return NULL;
        }
        i += n;
    }
    return l;
}

static cval *bytes_iter(cv_ctx *c, cval *v)
{
    cval *l = cv_list_new();
    for (size_t i = 0; i < v->u.s.len; i++)
        if (cv_seq_push(c, l, cv_int((unsigned char)v->u.s.s[i]))) {
            cv_unref(l);
            return NULL;
        }
    return l;
}

static int str_equal(cv_ctx *c, cval *a, cval *b)
{
    return a == b || (a->type == b->type && cmp_bytes(a, b) == 0);
}

static int str_compare(cv_ctx *c, cval *a, cval *b, const char *opname, int *cmp)
{
    if (a->type != b->type)
        return KUMO_EDECLINED;
    *cmp = cmp_bytes(a, b);
    return KUMO_OK;
}

static int str_contains(cv_ctx *c, cval *container, cval *item)
{
    int64_t v;
    if (container->type == CV_BYTES && cv_int_like(item, &v)) {
        if (v < 0 || v > 255)
            return cv_raisei(c, "ValueError", "byte must be in range(0, 256)"), CV_RAISED;
        return memchr(container->u.s.s, (int)v, container->u.s.len) != NULL;
    }
    if (item->type != container->type) {
        if (container->type == CV_STR)
            cv_raise(c, "TypeError", "'in <string>' requires string as left operand, not %s",
                     cv_type_name(item));
        else
            cv_raise(c, "TypeError", "a bytes-like object is required, not '%s'",
                     cv_type_name(item));
        return CV_RAISED;
    }
    return item->u.s.len == 0 ||
           memmem(container->u.s.s, container->u.s.len, item->u.s.s, item->u.s.len) != NULL;
}

/* ---------------------------------------------------------------- + and * */

static cval *concat(cv_ctx *c, cval *a, cval *b)
{
    if (a->u.s.len + b->u.s.len > CV_STR_MAX)
        return cv_raise(c, "MemoryError", "result longer than %zu bytes", CV_STR_MAX);
    char *p = kumo_alloc(a->u.s.len + b->u.s.len + 1, cv_tag(), KUMO_V_TEXT);
    memcpy(p, a->u.s.s, a->u.s.len);
    memcpy(p + a->u.s.len, b->u.s.s, b->u.s.len);
    p[a->u.s.len + b->u.s.len] = '\0';
    cval *r = cv_str_take(p, a->u.s.len + b->u.s.len);
    r->type = a->type;
    return r;
}

static cval *repeat(cv_ctx *c, cval *seq, int64_t n)
{
    if (n < 0)
        n = 0;
    size_t len = seq->u.s.len;
    if (len && (uint64_t)n > CV_STR_MAX / len)
        return cv_raise(c, "MemoryError", "result longer than %zu bytes", CV_STR_MAX);
    size_t total = len * (size_t)n;
    char *p = kumo_alloc(total + 1, cv_tag(), KUMO_V_TEXT);
    for (int64_t i = 0; i < n; i++)
        memcpy(p + (size_t)i * len, seq->u.s.s, len);
    p[total] = '\0';
    cval *r = cv_str_take(p, total);
    r->type = seq->type;
    return r;
}

/* s + s of the same type, s * int, int * s; a str + anything else is an error. */
static cval *str_binop(cv_ctx *c, int op, cval *a, cval *b)
{
    int64_t n;
    bool mine = a->type == CV_STR || a->type == CV_BYTES;
    if (op == CP_OP_ADD && mine && a->type == b->type)
        return concat(c, a, b);
    if (op == CP_OP_MUL && mine && cv_int_like(b, &n))
        return repeat(c, a, n);
    if (op == CP_OP_MUL && !mine && cv_int_like(a, &n))
        return repeat(c, b, n);
    if (op == CP_OP_ADD && a->type == CV_STR)
        return cv_raise(c, "TypeError", "can only concatenate %s (not \"%s\") to %s",
                        cv_type_name(a), cv_type_name(b), cv_type_name(a));
    return NULL;
}

/* ---------------------------------------------------------------- repr */

/* Length of a valid UTF-8 sequence at s (at most n bytes), its code point in *cp; 0 when
 * invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t v;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        v = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        v = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        v = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    static const uint32_t minv[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < minv[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* Python's str.isprintable() for the code points a console meets most. */
static bool cp_printable(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xad)
        return false;
    if ((cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
        (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff || cp == 0x1680 ||
        (cp >= 0xd800 && cp <= 0xf8ff) || cp == 0xfff9 || cp == 0xfffa || cp == 0xfffb)
        return false;
    return true;
}

static int repr_quoted(cv_ctx *c, kumo_buf *b, const char *s, size_t len, bool bytes)
{
    bool sq = memchr(s, '\'', len) != NULL, dq = memchr(s, '"', len) != NULL;
    char q = sq && !dq ? '"' : '\'';
    int rc = KUMO_OK;
    if (bytes)
        rc = cv_write(c, b, "b", 1);
    if (!rc)
        rc = cv_write(c, b, &q, 1);
    if (rc)
        return rc;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        /* copy a run of plain ASCII at once */
        size_t j = i;
        while (j < len && u[j] >= 0x20 && u[j] < 0x7f && u[j] != '\\' && u[j] != (unsigned char)q)
            j++;
        rc = j > i ? cv_write(c, b, s + i, j - i) : KUMO_OK;
        if (rc)
            return rc;
        if (j >= len)
            break;
        i = j;
        char esc[16];
        unsigned char ch = u[i];
        size_t adv = 1;
        if (ch == '\\' || ch == (unsigned char)q) {
            snprintf(esc, sizeof(esc), "\\%c", ch);
        } else if (ch == '\n') {
            snprintf(esc, sizeof(esc), "\\n");
        } else if (ch == '\r') {
            snprintf(esc, sizeof(esc), "\\r");
        } else if (ch == '\t') {
            snprintf(esc, sizeof(esc), "\\t");
        } else if (ch < 0x80 || bytes) {
            snprintf(esc, sizeof(esc), "\\x%02x", ch);
        } else {
            uint32_t cp;
            size_t n = utf8_seq(u + i, len - i, &cp);
            if (!n) {       /* invalid UTF-8: Python's surrogateescape */
                snprintf(esc, sizeof(esc), "\\udc%02x", ch);
            } else if (cp_printable(cp)) {
                memcpy(esc, s + i, n);
                esc[n] = '\0';
                adv = n;
            } else {
                adv = n;
                if (cp <= 0xff)
                    snprintf(esc, sizeof(esc), "\\x%02x", (unsigned)cp);
                else if (cp <= 0xffff)
                    snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
                else
                    snprintf(esc, sizeof(esc), "\\U%08x", (unsigned)cp);
            }
        }
        rc = cv_writes(c, b, esc);
        if (rc)
            return rc;
        i += adv;
    }
    return cv_write(c, b, &q, 1);
}

int cv_repr_str(cv_ctx *c, kumo_buf *b, const char *s, size_t len)
{
    return repr_quoted(c, b, s, len, false);
}

int cv_repr_bytes(cv_ctx *c, kumo_buf *b, const char *s, size_t len)
{
    return repr_quoted(c, b, s, len, true);
}

static int str_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_repr_str(c, b, self->u.s.s, self->u.s.len);
}

static int bytes_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_repr_bytes(c, b, self->u.s.s, self->u.s.len);
}

static int str_str(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_write(c, b, self->u.s.s, self->u.s.len);
}

/* ---------------------------------------------------------------- methods */

static cval *str_new_checked(cv_ctx *c, char *s, size_t len, int type)
{
    cval *v = cv_str_take(s, len);
    v->type = (uint8_t)type;
    (void)c;
    return v;
}

static cval *m_startswith(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"prefix"};
    cval *arg[1];
    if (cv_args_parse(c, "startswith", a, names, 1, 1, arg))
        return NULL;
    cval *p = arg[0];
    if (p->type != self->type)
        return cv_raise(c, "TypeError", "startswith first arg must be %s, not %s",
                        cv_type_name(self), cv_type_name(p));
    return cv_bool(p->u.s.len <= self->u.s.len &&
                   memcmp(self->u.s.s, p->u.s.s, p->u.s.len) == 0);
}

static cval *m_endswith(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"suffix"};
    cval *arg[1];
    if (cv_args_parse(c, "endswith", a, names, 1, 1, arg))
        return NULL;
    cval *p = arg[0];
    if (p->type != self->type)
        return cv_raise(c, "TypeError", "endswith first arg must be %s, not %s",
                        cv_type_name(self), cv_type_name(p));
    return cv_bool(p->u.s.len <= self->u.s.len &&
                   memcmp(self->u.s.s + self->u.s.len - p->u.s.len, p->u.s.s, p->u.s.len) == 0);
}

static cval *strip_common(cv_ctx *c, cval *self, const cv_args *a, const char *fname,
                          bool left, bool right)
{
    static const char *const names[] = {"chars"};
    cval *arg[1];
    if (cv_args_parse(c, fname, a, names, 1, 0, arg))
        return NULL;
    const char *set = " \t\n\r\f\v";
    size_t setlen = strlen(set);
    if (arg[0] && arg[0]->type != CV_NONE) {
        if (arg[0]->type != self->type)
            return cv_raise(c, "TypeError", "%s arg must be None or %s", fname,
                            cv_type_name(self));
        set = arg[0]->u.s.s;
        setlen = arg[0]->u.s.len;
    }
    size_t lo = 0, hi = self->u.s.len;
    while (left && lo < hi && memchr(set, self->u.s.s[lo], setlen))
        lo++;
    while (right && hi > lo && memchr(set, self->u.s.s[hi - 1], setlen))
        hi--;
    cval *r = cv_strn(self->u.s.s + lo, hi - lo);
    r->type = self->type;
    return r;
}

static cval *m_strip(cv_ctx *c, cval *self, const cv_args *a)
{
    return strip_common(c, self, a, "strip", true, true);
}

static cval *m_lstrip(cv_ctx *c, cval *self, const cv_args *a)
{
    return strip_common(c, self, a, "lstrip", true, false);
}

static cval *m_rstrip(cv_ctx *c, cval *self, const cv_args *a)
{
    return strip_common(c, self, a, "rstrip", false, true);
}

static cval *m_split(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"sep", "maxsplit"};
    cval *arg[2];
    if (cv_args_parse(c, "split", a, names, 2, 0, arg))
        return NULL;
    int64_t maxsplit = -1;
    if (arg[1] && cv_as_index(c, arg[1], &maxsplit))
        return NULL;
    const char *s = self->u.s.s;
    size_t len = self->u.s.len, i = 0;
    cval *l = cv_list_new();
    if (!arg[0] || arg[0]->type == CV_NONE) {
        for (;;) {
            while (i < len && strchr(" \t\n\r\f\v", s[i]) && s[i])
                i++;
            if (i >= len)
                break;
            size_t j = i;
            if (maxsplit == 0) {
                j = len;
                while (j > i && strchr(" \t\n\r\f\v", s[j - 1]) && s[j - 1])
                    j--;
            } else {
                while (j < len && !(strchr(" \t\n\r\f\v", s[j]) && s[j]))
                    j++;
            }
            cval *part = cv_strn(s + i, j - i);
            part->type = self->type;
            if (cv_seq_push(c, l, part))
                goto fail;
            if (maxsplit > 0)
                maxsplit--;
            i = j;
        }
        return l;
    }
    if (arg[0]->type != self->type) {
        cv_raise(c, "TypeError", "must be %s or None, not %s", cv_type_name(self),
                 cv_type_name(arg[0]));
        goto fail;
    }
    const char *sep = arg[0]->u.s.s;
    size_t seplen = arg[0]->u.s.len;
    if (!seplen) {
        cv_raise(c, "ValueError", "empty separator");
        goto fail;
    }
    for (;;) {
        const char *hit = maxsplit == 0 ? NULL : memmem(s + i, len - i, sep, seplen);
        size_t j = hit ? (size_t)(hit - s) : len;
        cval *part = cv_strn(s + i, j - i);
        part->type = self->type;
        if (cv_seq_push(c, l, part))
            goto fail;
        if (!hit)
            break;
        if (maxsplit > 0)
            maxsplit--;
        i = j + seplen;
    }
    return l;
fail:
    cv_unref(l);
    return NULL;
}

static cval *m_join(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"iterable"};
    cval *arg[1];
    if (cv_args_parse(c, "join", a, names, 1, 1, arg))
        return NULL;
    cval *items = cv_iter_list(c, arg[0]);
    if (!items)
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo__buf_add(&b, "", 0);
    cval *r = NULL;
    for (size_t i = 0; i < items->u.seq.len; i++) {
        cval *it = items->u.seq.v[i];
        if (it->type != self->type) {
            cv_raise(c, "TypeError", "sequence item %zu: expected %s instance, %s found", i,
                     self->type == CV_STR ? "str" : "a bytes-like object", cv_type_name(it));
            goto out;
        }
        if ((i && kumo__buf_add(&b, self->u.s.s, self->u.s.len)) ||
            kumo__buf_add(&b, it->u.s.s, it->u.s.len)) {
            cv_raise(c, "MemoryError", "joined string longer than %zu bytes", CV_STR_MAX);
            goto out;
        }
    }
    size_t len;
    char *s = kumo__buf_detach(&b, &len);
    r = str_new_checked(c, s, len, self->type);
out:
    kumo__buf_release(&b);
    cv_unref(items);
    return r;
}

static cval *case_map(cv_ctx *c, cval *self, const cv_args *a, const char *fname, bool up)
{
    cval *none[1];
    if (cv_args_parse(c, fname, a, NULL, 0, 0, none))
        return NULL;
    cval *r = cv_strn(self->u.s.s, self->u.s.len);
    r->type = self->type;
    for (size_t i = 0; i < r->u.s.len; i++) {
        char ch = r->u.s.s[i];
        if (up && ch >= 'a' && ch <= 'z')
            r->u.s.s[i] = (char)(ch - 32);
        else if (!up && ch >= 'A' && ch <= 'Z')
            r->u.s.s[i] = (char)(ch + 32);
    }
    return r;
}

static cval *m_upper(cv_ctx *c, cval *self, const cv_args *a)
{
    return case_map(c, self, a, "upper", true);
}

static cval *m_lower(cv_ctx *c, cval *self, const cv_args *a)
{
    return case_map(c, self, a, "lower", false);
}

static cval *m_replace(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"old", "new", "count"};
    cval *arg[3];
    if (cv_args_parse(c, "replace", a, names, 3, 2, arg))
        return NULL;
    if (arg[0]->type != self->type || arg[1]->type != self->type)
        return cv_raise(c, "TypeError", "replace() argument must be %s", cv_type_name(self));
    int64_t count = -1;
    if (arg[2] && cv_as_index(c, arg[2], &count))
        return NULL;
    kumo_buf b;
    kumo__buf_init(&b, CV_STR_MAX, cv_tag(), KUMO_V_TEXT);
    kumo__buf_add(&b, "", 0);
    const char *s = self->u.s.s, *old = arg[0]->u.s.s;
    size_t len = self->u.s.len, oldlen = arg[0]->u.s.len, i = 0;
    int rc = KUMO_OK;
    while (i <= len && count != 0 && !rc) {
        const char *hit = oldlen ? memmem(s + i, len - i, old, oldlen) : s + i;
        if (!hit)
            break;
        size_t j = (size_t)(hit - s);
        rc = kumo__buf_add(&b, s + i, j - i);
        if (!rc)
            rc = kumo__buf_add(&b, arg[1]->u.s.s, arg[1]->u.s.len);
        if (!oldlen) {
            if (!rc && j < len)
                rc = kumo__buf_add(&b, s + j, 1);
            i = j + 1;
        } else {
            i = j + oldlen;
        }
        if (count > 0)
            count--;
    }
    if (!rc && i < len)
        rc = kumo__buf_add(&b, s + i, len - i);
    if (rc) {
        kumo__buf_release(&b);
        return cv_raise(c, "MemoryError", "result longer than %zu bytes", CV_STR_MAX);
    }
    size_t n;
    char *p = kumo__buf_detach(&b, &n);
    return str_new_checked(c, p, n, self->type);
}

static cval *m_find(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"sub"};
    cval *arg[1];
    if (cv_args_parse(c, "find", a, names, 1, 1, arg))
        return NULL;
    if (arg[0]->type != self->type)
        return cv_raise(c, "TypeError", "must be %s, not %s", cv_type_name(self),
                        cv_type_name(arg[0]));
    const char *hit = memmem(self->u.s.s, self->u.s.len, arg[0]->u.s.s, arg[0]->u.s.len);
    return cv_int(hit ? (int64_t)(hit - self->u.s.s) : -1);
}

static cval *m_decode(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"encoding", "errors"};
    cval *arg[2];
    if (cv_args_parse(c, "decode", a, names, 2, 0, arg))
        return NULL;
    return cv_strn(self->u.s.s, self->u.s.len);
}

static cval *m_encode(cv_ctx *c, cval *self, const cv_args *a)
{
    static const char *const names[] = {"encoding", "errors"};
    cval *arg[2];
    if (cv_args_parse(c, "encode", a, names, 2, 0, arg))
        return NULL;
    return cv_bytesn(self->u.s.s, self->u.s.len);
}

#define COMMON_METHODS \
    {"startswith", m_startswith}, {"endswith", m_endswith}, {"strip", m_strip}, \
    {"lstrip", m_lstrip}, {"rstrip", m_rstrip}, {"split", m_split}, {"join", m_join}, \
    {"upper", m_upper}, {"lower", m_lower}, {"replace", m_replace}, {"find", m_find}

static const cv_method str_methods[] = {COMMON_METHODS, {"encode", m_encode}, {NULL, NULL}};
static const cv_method bytes_methods[] = {COMMON_METHODS, {"decode", m_decode}, {NULL, NULL}};

const cv_vtable cv_str_type = {
    .name = "str", .getitem = str_getitem, .len = str_len, .iter = str_iter,
    .repr = str_repr, .str = str_str, .equal = str_equal, .compare = str_compare,
    .contains = str_contains, .binop = str_binop, .methods = str_methods,
};

const cv_vtable cv_bytes_type = {
    .name = "bytes", .getitem = str_getitem, .len = bytes_len, .iter = bytes_iter,
    .repr = bytes_repr, .equal = str_equal, .compare = str_compare,
    .contains = str_contains, .binop = str_binop, .methods = bytes_methods,
};
