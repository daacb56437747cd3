/* stats.c - the stats collector: a map of named values, dumped like Scrapy's pprint. */
#include "core/stats.h"

/*
 * The map keeps Scrapy's order of first setting (the dump sorts); beside it, an open
 * addressing index from a key's hash to its entry, as counters are bumped by name several
 * times per request and per item and a crawl has dozens of them.  Entries are only ever
 * appended (the collector deletes nothing), so an index stays valid.
 */
struct kumo_stats {
    kumo_map m;
    uint32_t *slots;                /* entry index + 1, 0 for an empty slot */
    size_t nslots;                  /* a power of two, at least twice the entries */
};

kumo_stats *kumo__stats_new(void)
{
    kumo_stats *st = kumo_calloc(1, sizeof(*st), KUMO_T_STATS, KUMO_V_NONE);
    kumo_map_init(&st->m, KUMO_T_STATS, KUMO_V_DICT);
    return st;
}

void kumo__stats_free(kumo_stats *st)
{
    if (!st)
        return;
    kumo_map_release(&st->m);
    kumo_free(st->slots);
    kumo_free(st);
}

static size_t hash_key(const char *key)
{
    uint32_t h = 2166136261u;                       /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

static void index_add(kumo_stats *st, size_t entry)
{
    size_t mask = st->nslots - 1;
    size_t i = hash_key(st->m.e[entry].key) & mask;
    while (st->slots[i])
        i = (i + 1) & mask;
    st->slots[i] = (uint32_t)entry + 1;
}

/* Index the entries the map got since the last call, growing the table first if needed. */
static void index_sync(kumo_stats *st, size_t had)
{
    if (st->m.len * 2 > st->nslots) {
        size_t n = st->nslots ? st->nslots : 64;
        while (st->m.len * 2 > n)
            n *= 2;
        kumo_free(st->slots);
        st->slots = kumo_calloc(n, sizeof(*st->slots), KUMO_T_STATS, KUMO_V_DICT);
        st->nslots = n;
        had = 0;
    }
    for (size_t e = had; e < st->m.len; e++)
        index_add(st, e);
}

/* The value of key, or NULL: borrowed, valid until the next set of a new key. */
static kumo_value *lookup(const kumo_stats *st, const char *key)
{
    if (!st->nslots)
        return NULL;
    size_t mask = st->nslots - 1;
    for (size_t i = hash_key(key) & mask; st->slots[i]; i = (i + 1) & mask) {
        kumo_map_entry *e = &st->m.e[st->slots[i] - 1];
        if (strcmp(e->key, key) == 0)
            return &e->val;
    }
    return NULL;
}

/* Set key to v (taking ownership): in place when it exists, else appended and indexed. */
static void set(kumo_stats *st, const char *key, kumo_value v)
{
    kumo_value *old = lookup(st, key);
    if (old) {
        kumo_val_clear(old);
        *old = v;
        return;
    }
    size_t had = st->m.len;
    kumo_map_set(&st->m, key, v);
    index_sync(st, had);
}

void kumo__stats_inc(kumo_stats *st, const char *key, int64_t n)
{
    kumo_value *v = lookup(st, key);
    if (v && v->type == KUMO_VAL_INT)
        v->u.i += n;
    else
        set(st, key, kumo_val_int(n));
}

void kumo__stats_incf(kumo_stats *st, int64_t n, const char *fmt, ...)
{
    char key[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(key, sizeof(key), fmt, ap);
    va_end(ap);
    kumo__stats_inc(st, key, n);
}

void kumo__stats_set_int(kumo_stats *st, const char *key, int64_t v)
{
    set(st, key, kumo_val_int(v));
}

void kumo__stats_set_float(kumo_stats *st, const char *key, double v)
{
    set(st, key, kumo_val_float(v));
}

void kumo__stats_set_str(kumo_stats *st, const char *key, const char *v)
{
    set(st, key, kumo_val_str(v));
}

void kumo__stats_max(kumo_stats *st, const char *key, int64_t n)
{
    kumo_value *v = lookup(st, key);
    if (!v || v->type != KUMO_VAL_INT || v->u.i < n)
        kumo__stats_set_int(st, key, n);
}

void kumo__stats_min(kumo_stats *st, const char *key, int64_t n)
{
    kumo_value *v = lookup(st, key);
    if (!v || v->type != KUMO_VAL_INT || v->u.i > n)
        kumo__stats_set_int(st, key, n);
}

int64_t kumo__stats_get_int(const kumo_stats *st, const char *key, int64_t def)
{
    return kumo_val_as_int(lookup(st, key), def);
}

const kumo_value *kumo__stats_get(const kumo_stats *st, const char *key)
{
    return lookup(st, key);
}

const kumo_map *kumo__stats_map(const kumo_stats *st)
{
    return &st->m;
}

static int by_key(const void *a, const void *b)
{
    const kumo_map_entry *x = *(const kumo_map_entry *const *)a;
    const kumo_map_entry *y = *(const kumo_map_entry *const *)b;
    return strcmp(x->key, y->key);
}

/* Python's repr of a str: single quotes unless the text holds one and no double quote. */
static void repr_str(kumo_buf *out, const char *s)
{
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    kumo__buf_addc(out, q);
    for (; *s; s++) {
        if (*s == q || *s == '\\')
            kumo__buf_addc(out, '\\');
        if (*s == '\n')
            kumo__buf_adds(out, "\\n");
        else
            kumo__buf_addc(out, *s);
    }
    kumo__buf_addc(out, q);
}

void kumo__stats_dump(const kumo_stats *st, kumo_buf *out)
{
    size_t n = st->m.len;
    const kumo_map_entry **v = kumo_alloc((n ? n : 1) * sizeof(*v), KUMO_T_LIST, KUMO_V_NONE);
    for (size_t i = 0; i < n; i++)
        v[i] = &st->m.e[i];
    qsort(v, n, sizeof(*v), by_key);
    kumo__buf_addc(out, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            kumo__buf_adds(out, ",\n ");
        repr_str(out, v[i]->key);
        kumo__buf_adds(out, ": ");
        const kumo_value *x = &v[i]->val;
        switch (x->type) {
        case KUMO_VAL_INT:
            kumo__buf_printf(out, "%lld", (long long)x->u.i);
            break;
        case KUMO_VAL_FLOAT:
            kumo__buf_printf(out, "%.6f", x->u.f);
            break;
        case KUMO_VAL_STR:
            repr_str(out, x->u.str.s);
            break;
        case KUMO_VAL_BOOL:
            kumo__buf_adds(out, x->u.b ? "True" : "False");
            break;
        default:
            kumo__buf_adds(out, "None");
            break;
        }
    }
    kumo__buf_addc(out, '}');
    kumo_free(v);
}
