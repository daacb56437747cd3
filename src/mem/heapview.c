/* heapview.c - Guppy-style partitions of the tagged heap: hpy.heap(), .bytype, .byvia. */
#include "mem/heapview.h"

#include <inttypes.h>
#include <math.h>

#define LINE_LENGTH 100     /* guppy.heapy.Part line_length: rows wrap at this width */
#define PAGE_ROWS 10        /* guppy.heapy.OutputHandling max_more_lines */
#define STAT_HEADER " Index  Count   %     Size   % Cumulative  % "

struct kumo_heapset {
    size_t n;
    kumo_heap_counter *c;       /* n non-empty counters */
};

typedef struct part_row {
    const char *name;           /* tag name: static, or interned for the process */
    uint64_t count, size, cumul;
    size_t first, n;            /* its counters: p->c[first .. first + n) */
} part_row;

struct kumo_partition {
    kumo_partition_kind kind;
    uint64_t count, size;
    size_t nrows;
    part_row *rows;
    size_t nc;
    kumo_heap_counter *c;       /* the set's counters, grouped by row key */
    char **names;               /* kumo__partition_named: the rows' names, owned */
    size_t nnames;
};

/* The type of the heap view's own blocks: left out of every snapshot (Guppy's hiding tag). */
static kumo_tag self_type(void)
{
    return kumo_type_intern("kumo.heapview");
}

static void *self_alloc(size_t n, size_t size)
{
    return kumo_calloc(n ? n : 1, size, self_type(), KUMO_V_NONE);
}

kumo_heapset *kumo__heapset_snapshot(void)
{
    kumo_tag self = self_type();
    kumo_heapset *s = self_alloc(1, sizeof(*s));
    /* Room for a few counters more than now: our own blocks may add one. */
    size_t cap = kumo_heap_snapshot(NULL, 0) + 4;
    for (;;) {
        s->c = kumo_realloc(s->c, cap * sizeof(*s->c), self, KUMO_V_NONE);
        size_t n = kumo_heap_snapshot(s->c, cap);
        if (n <= cap) {
            s->n = n;
            break;
        }
        cap = n + 4;
    }
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].type != self || self == KUMO_T_OTHER)
            s->c[kept++] = s->c[i];
    s->n = kept;
    return s;
}

void kumo__heapset_free(kumo_heapset *s)
{
    if (!s)
        return;
    kumo_free(s->c);
    kumo_free(s);
}

uint64_t kumo__heapset_count(const kumo_heapset *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->c[i].count;
    return n;
}

uint64_t kumo__heapset_size(const kumo_heapset *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += s->c[i].bytes;
    return n;
}

bool kumo__heapset_has_type(const kumo_heapset *s, kumo_tag type)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].type == type && s->c[i].count)
            return true;
    return false;
}

static kumo_tag key_of(const kumo_heap_counter *c, kumo_partition_kind kind)
{
    return kind == KUMO_PART_BYTYPE ? c->type : c->via;
}

static int cmp_by_type(const void *a, const void *b)
{
    const kumo_heap_counter *x = a, *y = b;
    return (x->type > y->type) - (x->type < y->type);
}

static int cmp_by_via(const void *a, const void *b)
{
    const kumo_heap_counter *x = a, *y = b;
    return (x->via > y->via) - (x->via < y->via);
}

/* Guppy sorts rows on (-size, name). */
static int cmp_row(const void *a, const void *b)
{
    const part_row *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return strcmp(x->name, y->name);
}

kumo_partition *kumo__heapset_partition(const kumo_heapset *s, kumo_partition_kind kind)
{
    kumo_partition *p = self_alloc(1, sizeof(*p));
    p->kind = kind;
    p->nc = s->n;
    p->c = self_alloc(s->n, sizeof(*p->c));
    if (s->n)
        memcpy(p->c, s->c, s->n * sizeof(*p->c));
    qsort(p->c, p->nc, sizeof(*p->c), kind == KUMO_PART_BYTYPE ? cmp_by_type : cmp_by_via);
    p->rows = self_alloc(p->nc, sizeof(*p->rows));
    for (size_t i = 0; i < p->nc; i++) {
        kumo_tag key = key_of(&p->c[i], kind);
        if (i == 0 || key != key_of(&p->c[i - 1], kind)) {
            part_row *r = &p->rows[p->nrows++];
            r->name = kind == KUMO_PART_BYTYPE ? kumo_type_name(key) : kumo_via_name(key);
            r->first = i;
        }
        part_row *r = &p->rows[p->nrows - 1];
        r->n++;
        r->count += p->c[i].count;
        r->size += p->c[i].bytes;
        p->count += p->c[i].count;
        p->size += p->c[i].bytes;
    }
    qsort(p->rows, p->nrows, sizeof(*p->rows), cmp_row);
    uint64_t cumul = 0;
    for (size_t i = 0; i < p->nrows; i++) {
        cumul += p->rows[i].size;
        p->rows[i].cumul = cumul;
    }
    return p;
}

static int cmp_named(const void *a, const void *b)
{
    const kumo_named_count *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    return d ? d : (x->type > y->type) - (x->type < y->type);
}

kumo_partition *kumo__partition_named(kumo_partition_kind kind, const kumo_named_count *v,
                                      size_t n)
{
    kumo_partition *p = self_alloc(1, sizeof(*p));
    p->kind = kind;
    kumo_named_count *s = self_alloc(n, sizeof(*s));
    if (n)
        memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_named);
    p->c = self_alloc(n, sizeof(*p->c));
    p->rows = self_alloc(n, sizeof(*p->rows));
    p->names = self_alloc(n, sizeof(*p->names));
    for (size_t i = 0; i < n; i++) {
        bool new_row = i == 0 || strcmp(s[i].name, s[i - 1].name) != 0;
        if (new_row) {
            part_row *r = &p->rows[p->nrows++];
            p->names[p->nnames] = kumo_strdup(s[i].name, self_type(), KUMO_V_NONE);
            r->name = p->names[p->nnames++];
            r->first = p->nc;
        }
        part_row *r = &p->rows[p->nrows - 1];
        if (new_row || s[i].type != s[i - 1].type) {
            p->c[p->nc++] = (kumo_heap_counter){.type = s[i].type, .via = KUMO_V_NONE};
            r->n++;
        }
        p->c[p->nc - 1].count += s[i].count;
        p->c[p->nc - 1].bytes += s[i].bytes;
        r->count += s[i].count;
        r->size += s[i].bytes;
        p->count += s[i].count;
        p->size += s[i].bytes;
    }
    kumo_free(s);
    qsort(p->rows, p->nrows, sizeof(*p->rows), cmp_row);
    uint64_t cumul = 0;
    for (size_t i = 0; i < p->nrows; i++) {
        cumul += p->rows[i].size;
        p->rows[i].cumul = cumul;
    }
    return p;
}

void kumo__partition_free(kumo_partition *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nnames; i++)
        kumo_free(p->names[i]);
    kumo_free(p->names);
    kumo_free(p->rows);
    kumo_free(p->c);
    kumo_free(p);
}

uint64_t kumo__partition_count(const kumo_partition *p)
{
    return p->count;
}

uint64_t kumo__partition_size(const kumo_partition *p)
{
    return p->size;
}

size_t kumo__partition_rows(const kumo_partition *p)
{
    return p->nrows;
}

kumo_heapset *kumo__partition_row(const kumo_partition *p, size_t i)
{
    if (i >= p->nrows)
        return NULL;
    const part_row *r = &p->rows[i];
    kumo_heapset *s = self_alloc(1, sizeof(*s));
    s->n = r->n;
    s->c = self_alloc(r->n, sizeof(*s->c));
    memcpy(s->c, p->c + r->first, r->n * sizeof(*s->c));
    return s;
}

const char *kumo__partition_row_name(const kumo_partition *p, size_t i)
{
    return i < p->nrows ? p->rows[i].name : NULL;
}

/*
 * textwrap.wrap(), the parts Guppy's rows need: tabs expanded, whitespace made spaces,
 * chunks are runs of spaces, words and em-dashes as textwrap's wordsep_re splits them,
 * greedy filling, whitespace dropped at line ends and at the start of every line but the
 * first, and words longer than a line broken (after a hyphen when there is one).  Widths
 * count code points; a non-ASCII byte counts as a letter.
 */
static size_t cp_count(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Byte offset of code point k in s[0..n). */
static size_t cp_offset(const char *s, size_t n, size_t k)
{
    size_t i = 0;
    while (i < n && k) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

#define NO_CP SIZE_MAX

/* Start of the code point before the one at i (NO_CP at the start of t). */
static size_t cp_prev(const char *t, size_t i)
{
    if (i == 0 || i == NO_CP)
        return NO_CP;
    i--;
    while (i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* Start of the code point after the one at i. */
static size_t cp_next(const char *t, size_t n, size_t i)
{
    if (i >= n)
        return n;
    i++;
    while (i < n && ((unsigned char)t[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* textwrap's "letter": [^\d\W], a word character that is not a digit, at code point i. */
static bool is_letter(const char *t, size_t n, size_t i)
{
    if (i >= n)
        return false;
    unsigned char c = (unsigned char)t[i];
    return c >= 0x80 || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* \w */
static bool is_word(const char *t, size_t n, size_t i)
{
    return is_letter(t, n, i) || (i < n && t[i] >= '0' && t[i] <= '9');
}

/* textwrap's word_punct: [\w!"'&.,?] */
static bool is_word_punct(const char *t, size_t n, size_t i)
{
    return is_word(t, n, i) || (i < n && t[i] && strchr("!\"'&.,?", t[i]));
}

static bool is_char(const char *t, size_t n, size_t i, char c)
{
    return i < n && t[i] == c;
}

/* Length of the em-dash "-{2,}(?=\w)" at i, 0 when there is none. */
static size_t em_dash(const char *t, size_t n, size_t i)
{
    size_t k = i;
    while (k < n && t[k] == '-')
        k++;
    return k - i >= 2 && is_word(t, n, k) ? k - i : 0;
}

/* A hyphen at i that ends a chunk: after two letters or letter-letter-, before a letter. */
static bool hyphen_break(const char *t, size_t n, size_t i)
{
    size_t p1 = cp_prev(t, i), p2 = cp_prev(t, p1), p3 = cp_prev(t, p2);
    size_t n1 = i + 1, n2 = cp_next(t, n, n1), n3 = cp_next(t, n, n2);
    bool before = (is_letter(t, n, p2) && is_letter(t, n, p1)) ||
                  (is_letter(t, n, p3) && is_char(t, n, p2, '-') && is_letter(t, n, p1));
    bool after = is_letter(t, n, n1) &&
                 (is_letter(t, n, n2) || (is_char(t, n, n2, '-') && is_letter(t, n, n3)));
    return before && after;
}

/*
 * End of the chunk that starts at pos (t holds only spaces as whitespace): textwrap's
 * wordsep_re, alternative by alternative.
 */
static size_t chunk_end(const char *t, size_t n, size_t pos)
{
    size_t i = pos;
    if (t[i] == ' ') {
        while (i < n && t[i] == ' ')
            i++;
        return i;
    }
    /* em-dash between words */
    if (is_word_punct(t, n, cp_prev(t, pos)) && em_dash(t, n, pos))
        return pos + em_dash(t, n, pos);
    /* a word, possibly hyphenated: the shortest run of non-spaces that ends well */
    for (i = cp_next(t, n, pos); i < n && t[i] != ' '; i = cp_next(t, n, i)) {
        if (t[i] != '-')
            continue;
        if (em_dash(t, n, i) && is_word_punct(t, n, cp_prev(t, i)))
            return i;
        if (hyphen_break(t, n, i))
            return i + 1;
    }
    return i;
}

static void add_spaces(kumo_buf *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo__buf_addc(out, ' ');
}

/* Append the wrapped lines of text[0..n), each ending in "\n". */
static void wrap_text(kumo_buf *out, const char *text, size_t n, size_t indent0, size_t indent)
{
    kumo_buf t;
    kumo__buf_init(&t, 0, self_type(), KUMO_V_NONE);
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\t') {
            do
                kumo__buf_addc(&t, ' ');
            while (++col % 8);
            continue;
        }
        if (c == '\n' || c == '\r')
            col = 0;
        else if ((c & 0xC0) != 0x80)
            col++;
        kumo__buf_addc(&t, c == '\n' || c == '\v' || c == '\f' || c == '\r' ? ' ' : (char)c);
    }
    const char *s = kumo__buf_str(&t);
    size_t len = t.len, pos = 0, lines = 0;
    while (pos < len) {
        size_t ind = lines ? indent : indent0;
        size_t width = LINE_LENGTH > ind ? LINE_LENGTH - ind : 0;
        if (lines && s[pos] == ' ')
            pos = chunk_end(s, len, pos);
        if (pos >= len)
            break;
        size_t start = pos, cur = 0;
        while (pos < len) {
            size_t e = chunk_end(s, len, pos), w = cp_count(s + pos, e - pos);
            if (cur + w > width)
                break;
            cur += w;
            pos = e;
        }
        if (pos < len) {
            size_t e = chunk_end(s, len, pos), w = cp_count(s + pos, e - pos);
            if (w > width) {
                size_t left = width > cur ? width - cur : 1, end = left;
                if (w > left) {
                    /* break after the last hyphen among the first `left` code points */
                    size_t lim = cp_offset(s + pos, e - pos, left), hy = 0, k = 0;
                    bool found = false, word = false;
                    for (size_t b = 0; b < lim; b++) {
                        if (((unsigned char)s[pos + b] & 0xC0) == 0x80)
                            continue;
                        if (s[pos + b] == '-' && word) {
                            hy = k;
                            found = true;
                        }
                        word = word || s[pos + b] != '-';
                        k++;
                    }
                    if (found)
                        end = hy + 1;
                }
                pos += cp_offset(s + pos, e - pos, end);
            }
        }
        size_t stop = pos;
        while (stop > start && s[stop - 1] == ' ')
            stop--;
        if (stop == start)
            continue;
        add_spaces(out, ind);
        kumo__buf_add(out, s + start, stop - start);
        kumo__buf_addc(out, '\n');
        lines++;
    }
    kumo__buf_release(&t);
}

/* Guppy: int('%.0f' % (part * 100.0 / total)), which rounds half to even. */
static int percent(uint64_t part, uint64_t total)
{
    return total ? (int)nearbyint((double)part * 100.0 / (double)total) : 0;
}

/* One row: the stat columns, then the name wrapped under them, line by line. */
static void format_row(const kumo_partition *p, size_t i, kumo_buf *out)
{
    const part_row *r = &p->rows[i];
    char fr[160];
    int frn = snprintf(fr, sizeof(fr), "%6zu %6" PRIu64 " %3d %8" PRIu64 " %3d %9" PRIu64
                       " %3d ", i, r->count, percent(r->count, p->count), r->size,
                       percent(r->size, p->size), r->cumul, percent(r->cumul, p->size));
    size_t frlen = frn > 0 ? (size_t)frn : 0;
    const char *name = r->name, *nl = strchr(name, '\n');
    size_t first = nl ? (size_t)(nl - name) : strlen(name);
    kumo_buf line;
    kumo__buf_init(&line, 0, self_type(), KUMO_V_NONE);
    kumo__buf_add(&line, fr, frlen);
    kumo__buf_add(&line, name, first);
    wrap_text(out, kumo__buf_str(&line), line.len, 0, frlen);
    kumo__buf_release(&line);
    while (nl) {
        name = nl + 1;
        nl = strchr(name, '\n');
        size_t n = nl ? (size_t)(nl - name) : strlen(name);
        wrap_text(out, name, n, frlen, frlen);
    }
}

size_t kumo__partition_format(const kumo_partition *p, size_t start, kumo_buf *out)
{
    if (start == 0)
        kumo__buf_printf(out, "Partition of a set of %" PRIu64 " object%s. Total size = %"
                        PRIu64 " bytes.\n", p->count, p->count == 1 ? "" : "s", p->size);
    if (start >= p->nrows)
        return start;
    const char *kind = p->kind == KUMO_PART_BYTYPE  ? "Type"
                       : p->kind == KUMO_PART_BYVIA ? "Referred Via:"
                                                    : "Referrers by Kind (class / dict of class)";
    char header[128];
    int n = snprintf(header, sizeof(header), "%s%s", STAT_HEADER, kind);
    wrap_text(out, header, n > 0 ? (size_t)n : 0, 0, strlen(STAT_HEADER));
    size_t i = start, shown = 0;
    while (i < p->nrows) {
        if (shown >= PAGE_ROWS) {
            if (i + 1 < p->nrows) {
                kumo__buf_printf(out, "<%zu more rows. Type e.g. '_.more' to view.>\n",
                                p->nrows - i);
                break;
            }
        }
        format_row(p, i, out);
        shown++;
        i++;
    }
    return i;
}
