/* test_heapview.c - hpy.heap(): known allocations read back in Guppy's exact table layout. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "mem/heapview.h"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
}

TestSuite(heapview, .init = setup, .fini = kumo_leakcheck_end);

/* Blocks a test allocates, freed at its end. */
static void *held[64];
static size_t nheld;

static void hold(size_t n, size_t size, const char *type, const char *via)
{
    kumo_tag t = kumo_type_intern(type), v = via ? kumo_via_intern(via) : KUMO_V_NONE;
    for (size_t i = 0; i < n; i++) {
        cr_assert_lt(nheld, KUMO_ARRAY_LEN(held));
        held[nheld++] = kumo_alloc(size, t, v);
    }
}

static void release(void)
{
    while (nheld)
        kumo_free(held[--nheld]);
}

static size_t find_row(const kumo_partition *p, const char *name)
{
    for (size_t i = 0; i < kumo__partition_rows(p); i++)
        if (strcmp(kumo__partition_row_name(p, i), name) == 0)
            return i;
    cr_assert_fail("no row named '%s'", name);
    return 0;
}

/* The set of blocks under one via (or type) in the whole heap: a part the test controls. */
static kumo_heapset *restrict_to(kumo_partition_kind kind, const char *name)
{
    kumo_heapset *all = kumo__heapset_snapshot();
    kumo_partition *p = kumo__heapset_partition(all, kind);
    kumo_heapset *s = kumo__partition_row(p, find_row(p, name));
    kumo__partition_free(p);
    kumo__heapset_free(all);
    cr_assert_not_null(s);
    return s;
}

/* Format a partition of s from row start; checks the returned index. */
static void expect_table(const kumo_heapset *s, kumo_partition_kind kind, size_t start,
                         size_t next, const char *want)
{
    kumo_partition *p = kumo__heapset_partition(s, kind);
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_NONE);
    size_t got = kumo__partition_format(p, start, &out);
    cr_assert_str_eq(kumo__buf_str(&out), want);
    cr_assert_eq(got, next, "format returned %zu, want %zu", got, next);
    kumo__buf_release(&out);
    kumo__partition_free(p);
}

Test(heapview, set_counts_are_the_heap_totals_and_views_hide_themselves)
{
    uint64_t n0, b0;
    kumo_heap_totals(&n0, &b0);
    kumo_heapset *s = kumo__heapset_snapshot();
    cr_assert_eq(kumo__heapset_count(s), n0);
    cr_assert_eq(kumo__heapset_size(s), b0);
    kumo_partition *p = kumo__heapset_partition(s, KUMO_PART_BYTYPE);
    kumo_heapset *again = kumo__heapset_snapshot();      /* s and p are alive: not counted */
    cr_assert_eq(kumo__heapset_count(again), n0);
    cr_assert_eq(kumo__heapset_size(again), b0);
    hold(3, 1000, "hvtest.Counted", "'.hv_counted'");
    kumo_heapset *more = kumo__heapset_snapshot();
    cr_assert_eq(kumo__heapset_count(more), n0 + 3);
    cr_assert_eq(kumo__heapset_size(more), b0 + 3000);
    uint64_t rows_count = 0, rows_size = 0;
    kumo_partition *pm = kumo__heapset_partition(more, KUMO_PART_BYVIA);
    for (size_t i = 0; i < kumo__partition_rows(pm); i++) {
        kumo_heapset *r = kumo__partition_row(pm, i);
        rows_count += kumo__heapset_count(r);
        rows_size += kumo__heapset_size(r);
        kumo__heapset_free(r);
    }
    cr_assert_eq(rows_count, n0 + 3, "the rows partition the set");
    cr_assert_eq(rows_size, b0 + 3000);
    cr_assert_null(kumo__partition_row(pm, kumo__partition_rows(pm)));
    cr_assert_null(kumo__partition_row_name(pm, kumo__partition_rows(pm)));
    kumo__partition_free(pm);
    kumo__heapset_free(more);
    kumo__heapset_free(again);
    kumo__partition_free(p);
    kumo__heapset_free(s);
    kumo__heapset_free(NULL);
    kumo__partition_free(NULL);
    release();
}

Test(heapview, bytype_row_and_its_byvia)
{
    hold(2, 1000, "hvtest.Alpha", "'.hv_a'");
    hold(1, 500, "hvtest.Alpha", "\"['hv_b']\"");
    hold(1, 300, "hvtest.Alpha", NULL);
    hold(1, 4000, "hvtest.Other", "'.hv_a'");       /* same via, other type: not in the row */
    kumo_heapset *row = restrict_to(KUMO_PART_BYTYPE, "hvtest.Alpha");   /* x.bytype[i] */
    cr_assert_eq(kumo__heapset_count(row), 4);
    cr_assert_eq(kumo__heapset_size(row), 2800);
    expect_table(row, KUMO_PART_BYTYPE, 0, 1,
        "Partition of a set of 4 objects. Total size = 2800 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Type\n"
        "     0      4 100     2800 100      2800 100 hvtest.Alpha\n");
    /* x.bytype[i].byvia: the seed's second table; KUMO_V_NONE is an empty name column */
    expect_table(row, KUMO_PART_BYVIA, 0, 3,
        "Partition of a set of 4 objects. Total size = 2800 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Referred Via:\n"
        "     0      2  50     2000  71      2000  71 '.hv_a'\n"
        "     1      1  25      500  18      2500  89 \"['hv_b']\"\n"
        "     2      1  25      300  11      2800 100\n");
    kumo__heapset_free(row);
    release();
}

Test(heapview, rows_by_size_then_name_and_percentages_round_half_even)
{
    hold(1, 75, "hvtest.B", "'.hv_order'");
    hold(3, 25, "hvtest.C", "'.hv_order'");
    hold(1, 25, "hvtest.A", "'.hv_order'");
    hold(1, 25, "hvtest.D", "'.hv_order'");
    hold(1, 9999, "hvtest.D", "'.hv_elsewhere'");
    kumo_heapset *s = restrict_to(KUMO_PART_BYVIA, "'.hv_order'");      /* x.byvia[i] */
    /* 37.5 -> 38, 12.5 -> 12, 87.5 -> 88: Guppy's int('%.0f' % x), not truncation */
    expect_table(s, KUMO_PART_BYTYPE, 0, 4,
        "Partition of a set of 6 objects. Total size = 200 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Type\n"
        "     0      1  17       75  38        75  38 hvtest.B\n"
        "     1      3  50       75  38       150  75 hvtest.C\n"
        "     2      1  17       25  12       175  88 hvtest.A\n"
        "     3      1  17       25  12       200 100 hvtest.D\n");
    kumo__heapset_free(s);
    release();
}

Test(heapview, ten_rows_a_page_then_more)
{
    char name[32];
    for (int k = 0; k < 13; k++) {
        snprintf(name, sizeof(name), "hvtest.page%02d", k);
        hold(1, (size_t)(13 - k) * 100, name, "'.hv_page'");
    }
    kumo_heapset *s = restrict_to(KUMO_PART_BYVIA, "'.hv_page'");
    expect_table(s, KUMO_PART_BYTYPE, 0, 10,
        "Partition of a set of 13 objects. Total size = 9100 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Type\n"
        "     0      1   8     1300  14      1300  14 hvtest.page00\n"
        "     1      1   8     1200  13      2500  27 hvtest.page01\n"
        "     2      1   8     1100  12      3600  40 hvtest.page02\n"
        "     3      1   8     1000  11      4600  51 hvtest.page03\n"
        "     4      1   8      900  10      5500  60 hvtest.page04\n"
        "     5      1   8      800   9      6300  69 hvtest.page05\n"
        "     6      1   8      700   8      7000  77 hvtest.page06\n"
        "     7      1   8      600   7      7600  84 hvtest.page07\n"
        "     8      1   8      500   5      8100  89 hvtest.page08\n"
        "     9      1   8      400   4      8500  93 hvtest.page09\n"
        "<3 more rows. Type e.g. '_.more' to view.>\n");
    /* _.more: no label, Cumulative goes on from row 0 */
    expect_table(s, KUMO_PART_BYTYPE, 10, 13,
        " Index  Count   %     Size   % Cumulative  % Type\n"
        "    10      1   8      300   3      8800  97 hvtest.page10\n"
        "    11      1   8      200   2      9000  99 hvtest.page11\n"
        "    12      1   8      100   1      9100 100 hvtest.page12\n");
    expect_table(s, KUMO_PART_BYTYPE, 13, 13, "");
    kumo__heapset_free(s);
    release();
}

Test(heapview, one_row_left_is_printed_not_announced)
{
    char name[32];
    for (int k = 0; k < 11; k++) {
        snprintf(name, sizeof(name), "hvtest.eleven%02d", k);
        hold(1, (size_t)(11 - k) * 10, name, "'.hv_eleven'");
    }
    kumo_heapset *s = restrict_to(KUMO_PART_BYVIA, "'.hv_eleven'");
    expect_table(s, KUMO_PART_BYTYPE, 0, 11,
        "Partition of a set of 11 objects. Total size = 660 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Type\n"
        "     0      1   9      110  17       110  17 hvtest.eleven00\n"
        "     1      1   9      100  15       210  32 hvtest.eleven01\n"
        "     2      1   9       90  14       300  45 hvtest.eleven02\n"
        "     3      1   9       80  12       380  58 hvtest.eleven03\n"
        "     4      1   9       70  11       450  68 hvtest.eleven04\n"
        "     5      1   9       60   9       510  77 hvtest.eleven05\n"
        "     6      1   9       50   8       560  85 hvtest.eleven06\n"
        "     7      1   9       40   6       600  91 hvtest.eleven07\n"
        "     8      1   9       30   5       630  95 hvtest.eleven08\n"
        "     9      1   9       20   3       650  98 hvtest.eleven09\n"
        "    10      1   9       10   2       660 100 hvtest.eleven10\n");
    kumo__heapset_free(s);
    release();
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

Test(heapview, whole_heap_largest_first_with_more_pages)
{
    char name[32];
    for (int k = 0; k < 12; k++) {
        snprintf(name, sizeof(name), "hvtest.many%02d", k);
        hold(1, 64, name, NULL);
    }
    hold(1, 16 << 20, "hvtest.Huge", "'.hv_huge'");
    kumo_heapset *x = kumo__heapset_snapshot();                 /* x = hpy.heap() */
    kumo_partition *p = kumo__heapset_partition(x, KUMO_PART_BYTYPE);
    size_t rows = kumo__partition_rows(p);
    cr_assert_geq(rows, 13);
    cr_assert_str_eq(kumo__partition_row_name(p, 0), "hvtest.Huge");
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__partition_format(p, 0, &out), 10);
    char label[128], more[96];
    snprintf(label, sizeof(label), "Partition of a set of %llu objects. Total size = %llu bytes.\n"
             " Index  Count   %%     Size   %% Cumulative  %% Type\n     0      1 ",
             (unsigned long long)kumo__heapset_count(x), (unsigned long long)kumo__heapset_size(x));
    cr_assert_eq(strncmp(kumo__buf_str(&out), label, strlen(label)), 0, "%s", kumo__buf_str(&out));
    snprintf(more, sizeof(more), " hvtest.Huge\n");
    cr_assert_not_null(strstr(kumo__buf_str(&out), more));
    snprintf(more, sizeof(more), "\n<%zu more rows. Type e.g. '_.more' to view.>\n", rows - 10);
    size_t len = out.len, mlen = strlen(more);
    cr_assert_str_eq(kumo__buf_str(&out) + len - mlen, more);
    /* _.more until the end shows every row once */
    size_t at = 10, shown = 10;
    while (at < rows) {
        kumo__buf_reset(&out);
        size_t next = kumo__partition_format(p, at, &out);
        cr_assert_gt(next, at);
        const char *t = kumo__buf_str(&out);
        cr_assert_eq(strncmp(t, " Index  Count", 13), 0);
        size_t lines = count_lines(t) - 1 - (next < rows);
        cr_assert_geq(lines, next - at, "one line or more per row");
        shown += next - at;
        at = next;
    }
    cr_assert_eq(shown, rows);
    /* x.bytype[0].byvia */
    kumo_heapset *huge = kumo__partition_row(p, 0);
    kumo__buf_release(&out);
    expect_table(huge, KUMO_PART_BYVIA, 0, 1,
        "Partition of a set of 1 object. Total size = 16777216 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Referred Via:\n"
        "     0      1 100 16777216 100  16777216 100 '.hv_huge'\n");
    kumo__heapset_free(huge);
    kumo__partition_free(p);
    kumo__heapset_free(x);
    release();
}

Test(heapview, long_names_wrap_like_textwrap_at_100_columns)
{
    char name[96] = "hvtest.";
    memset(name + 7, 'x', 70);      /* one word longer than the 55 columns left for names */
    name[77] = '\0';
    hold(1, 64, name, "'.hv_wrap'");
    hold(2, 16, "hvtest.two\nlines", "'.hv_wrap'");
    hold(1, 16, "hvtest.a-very-long-hyphenated-type-name-that-needs-wrapping", "'.hv_wrap'");
    kumo_heapset *s = restrict_to(KUMO_PART_BYVIA, "'.hv_wrap'");
    expect_table(s, KUMO_PART_BYTYPE, 0, 3,
        "Partition of a set of 4 objects. Total size = 112 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Type\n"
        "     0      1  25       64  57        64  57\n"
        "                                             "
        "hvtest.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        "                                             xxxxxxxxxxxxxxxxxxxxxx\n"
        "     1      2  50       32  29        96  86 hvtest.two\n"
        "                                             lines\n"
        "     2      1  25       16  14       112 100 "
        "hvtest.a-very-long-hyphenated-type-name-that-needs-\n"
        "                                             wrapping\n");
    kumo__heapset_free(s);
    release();
}

Test(heapview, zero_byte_blocks_and_one_object)
{
    hold(1, 0, "hvtest.Zero", "'.hv_zero'");
    kumo_heapset *s = restrict_to(KUMO_PART_BYVIA, "'.hv_zero'");
    cr_assert_eq(kumo__heapset_count(s), 1);
    cr_assert_eq(kumo__heapset_size(s), 0);
    expect_table(s, KUMO_PART_BYTYPE, 0, 1,
        "Partition of a set of 1 object. Total size = 0 bytes.\n"
        " Index  Count   %     Size   % Cumulative  % Type\n"
        "     0      1 100        0   0         0   0 hvtest.Zero\n");
    kumo__heapset_free(s);
    release();
}
