/* stats.c - the stats collector: a map of named values, dumped like Scrapy's pprint. */
#include "core/stats.h"

struct kumo_stats {
    kumo_map m;
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
    kumo_free(st);
}

void kumo__stats_inc(kumo_stats *st, const char *key, int64_t n)
{
    kumo_value *v = kumo_map_get(&st->m, key);
    if (v && v->type == KUMO_VAL_INT)
        v->u.i += n;
    else
        kumo_map_set(&st->m, key, kumo_val_int(n));
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
    kumo_map_set(&st->m, key, kumo_val_int(v));
}

void kumo__stats_set_float(kumo_stats *st, const char *key, double v)
{
    kumo_map_set(&st->m, key, kumo_val_float(v));
}

void kumo__stats_set_str(kumo_stats *st, const char *key, const char *v)
{
    kumo_map_set(&st->m, key, kumo_val_str(v));
}

void kumo__stats_max(kumo_stats *st, const char *key, int64_t n)
{
    kumo_value *v = kumo_map_get(&st->m, key);
    if (!v || v->type != KUMO_VAL_INT || v->u.i < n)
        kumo__stats_set_int(st, key, n);
}

void kumo__stats_min(kumo_stats *st, const char *key, int64_t n)
{
    kumo_value *v = kumo_map_get(&st->m, key);
    if (!v || v->type != KUMO_VAL_INT || v->u.i > n)
        kumo__stats_set_int(st, key, n);
}

int64_t kumo__stats_get_int(const kumo_stats *st, const char *key, int64_t def)
{
    return kumo_map_get_int(&st->m, key, def);
}

const kumo_value *kumo__stats_get(const kumo_stats *st, const char *key)
{
    return kumo_map_get(&st->m, key);
}

const kumo_map *kumo__stats_map(const kumo_stats *st)
{
    return &st->m;
}

static int by_key(const void *a, const void *b)
{
    return strcmp((*(const kumo_map_entry *const *)a)->key, (*(const kumo_map_entry *const *)b)->key);
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
