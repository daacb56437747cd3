/* test_memreport.c - mem() and trim(): the report's lines parse, the numbers hang together. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "mem/memreport.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
}

TestSuite(memreport, .init = setup, .fini = kumo_leakcheck_end);

/* "41.2 MiB" / "512 B" -> bytes (approximate for the rounded forms); -1 when malformed. */
static double parse_human(const char *s)
{
    double v;
    char unit[8];
    int used = 0;
    if (sscanf(s, "%lf %7s%n", &v, unit, &used) != 2 || s[used] != '\0' || v < 0)
        return -1;
    if (strcmp(unit, "B") == 0)
        return v == (double)(uint64_t)v ? v : -1;
    if (strchr(s, '.') == NULL || strlen(strchr(s, '.')) != 1 + 1 + 1 + strlen(unit))
        return -1;                                  /* one decimal: "41.2 MiB" */
    if (strcmp(unit, "KiB") == 0)
        return v * 1024;
    if (strcmp(unit, "MiB") == 0)
        return v * 1024 * 1024;
    if (strcmp(unit, "GiB") == 0)
        return v * 1024 * 1024 * 1024;
    return -1;
}

Test(memreport, meminfo_is_consistent)
{
    kumo_meminfo mi;
    cr_assert_eq(kumo__meminfo_get(&mi), KUMO_OK);
    cr_assert_gt(mi.rss, 0);
    cr_assert_geq(mi.rss_peak, mi.rss);
    uint64_t blocks, bytes;
    kumo_heap_totals(&blocks, &bytes);
    cr_assert_eq(mi.heap_blocks, blocks);
    cr_assert_eq(mi.heap_bytes, bytes);
    cr_assert_geq(mi.malloc_arena, mi.malloc_in_use, "in use is part of what malloc holds");
    cr_assert_gt(kumo__rss_now(), 0);
    cr_assert_gt(kumo__rss_peak(), 0);
}

Test(memreport, report_lines_are_labelled_and_parse)
{
    static const char *labels[] = {
        "RSS", "peak RSS", "kumo heap", "kumo heap blocks", "malloc in use",
        "malloc free but held",
    };
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__mem_report(&out);
    const char *s = kumo__buf_str(&out);
    double value[KUMO_ARRAY_LEN(labels)];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(labels); i++) {
        const char *nl = strchr(s, '\n');
        cr_assert_not_null(nl, "line %zu missing in:\n%s", i, kumo__buf_str(&out));
        size_t len = (size_t)(nl - s);
        cr_assert_eq(len, 24 + 1 + 12, "'%.*s' is not %%-24s %%12s", (int)len, s);
        char label[32], val[16];
        memcpy(label, s, 24);
        label[24] = '\0';
        for (size_t k = 24; k > 0 && label[k - 1] == ' '; k--)
            label[k - 1] = '\0';
        cr_assert_str_eq(label, labels[i]);
        cr_assert_eq(s[24], ' ');
        const char *v = s + 25;
        while (*v == ' ')
            v++;
        memcpy(val, v, (size_t)(nl - v));
        val[nl - v] = '\0';
        if (strcmp(labels[i], "kumo heap blocks") == 0) {
            char *end;
            value[i] = (double)strtoull(val, &end, 10);
            cr_assert_eq(*end, '\0', "'%s' is not a count", val);
        } else {
            value[i] = parse_human(val);
            cr_assert_geq(value[i], 0, "'%s' is not a size", val);
        }
        s = nl + 1;
    }
    cr_assert_gt(value[0], 0, "RSS is known");
    cr_assert_geq(value[1] * 1.06, value[0], "peak >= RSS (within rounding)");
    /* the last line interprets, and ends the report */
    const char *nl = strchr(s, '\n');
    cr_assert_not_null(nl);
    cr_assert_eq(nl[1], '\0', "one interpretation line:\n%s", kumo__buf_str(&out));
    cr_assert(strstr(s, "not a leak") || strstr(s, "prefs()"), "%s", s);
    kumo__buf_release(&out);
}

Test(memreport, heap_size_follows_allocations)
{
    kumo_tag t = kumo_type_intern("memtest.Big");
    void *big = kumo_alloc(3 << 20, t, KUMO_V_NONE);
    memset(big, 1, 3 << 20);
    kumo_meminfo mi;
    cr_assert_eq(kumo__meminfo_get(&mi), KUMO_OK);
    cr_assert_geq(mi.heap_bytes, 3 << 20);
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__mem_report(&out);
    const char *line = strstr(kumo__buf_str(&out), "\nkumo heap  ");
    cr_assert_not_null(line);
    char val[16];
    const char *p = line + 1 + 25;
    p += strspn(p, " ");
    size_t n = strcspn(p, "\n");
    cr_assert_lt(n, sizeof(val));
    memcpy(val, p, n);
    val[n] = '\0';
    double v = parse_human(val);
    cr_assert_geq(v, 2.9 * 1024 * 1024, "kumo heap '%s' counts the 3 MiB block", val);
    kumo__buf_release(&out);
    kumo_free(big);
}

Test(memreport, trim_after_freeing_many_small_blocks)
{
    enum { N = 20000 };
    kumo_tag t = kumo_type_intern("memtest.Small");
    void **v = kumo_alloc(N * sizeof(*v), t, KUMO_V_NONE);
    for (size_t i = 0; i < N; i++) {
        v[i] = kumo_alloc(200, t, KUMO_V_NONE);
        memset(v[i], 7, 200);
    }
    for (size_t i = 0; i < N; i++)
        kumo_free(v[i]);
    kumo_free(v);
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__mem_trim(&out);
    const char *s = kumo__buf_str(&out);
    char u1[8], u2[8], u3[8];
    double b, a, r;
    int used = 0;
    cr_assert_eq(sscanf(s, "trim(): RSS %lf %7s -> %lf %7s (%lf %7s returned)\n%n", &b, u1,
                        &a, u2, &r, u3, &used), 6, "'%s'", s);
    cr_assert_eq((size_t)used, strlen(s), "one line: '%s'", s);
    cr_assert_eq(s[strlen(s) - 1], '\n');
    cr_assert_geq(r, 0, "returned is never negative: '%s'", s);
    cr_assert_gt(b, 0);
    cr_assert_gt(a, 0);
    static const char *units[] = {"B", "KiB", "MiB", "GiB"};
    const char *got[] = {u1, u2, u3};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(got); i++) {
        bool known = false;
        for (size_t k = 0; k < KUMO_ARRAY_LEN(units); k++)
            known = known || strcmp(got[i], units[k]) == 0;
        cr_assert(known, "unit '%s' in '%s'", got[i], s);
    }
    kumo__buf_release(&out);
}
