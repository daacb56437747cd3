/* test_feed_repair.c - a JSON Lines feed torn by a kill is cut back to its last newline;
 * whole, empty and missing files are left alone. */
#include "feedtest.h"

#include <sys/stat.h>

TestSuite(feed_repair, .init = ft_setup, .fini = kumo_leakcheck_end);

/* Write data to a new file at path (its directory created). */
static void write_file(char *path, size_t n, const char *data)
{
    ft_path(path, n, "items.jsonl");
    char dir[160];
    snprintf(dir, sizeof(dir), "%s", path);
    *strrchr(dir, '/') = '\0';
    cr_assert_eq(mkdir(dir, 0700), 0);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, strlen(data), f), strlen(data));
    fclose(f);
}

/* Repair path and assert it dropped want_dropped bytes and now holds want. */
static void repaired(const char *path, size_t want_dropped, const char *want)
{
    size_t dropped = 12345, len;
    cr_assert_eq(kumo__feed_repair_jsonl(path, &dropped), KUMO_OK);
    cr_assert_eq(dropped, want_dropped);
    char *got = ft_slurp(path, &len);
    cr_assert_eq(len, strlen(want));
    cr_assert_str_eq(got, want);
    kumo_free(got);
}

Test(feed_repair, torn_last_line_is_cut)
{
    char path[128];
    write_file(path, sizeof(path), "{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3, \"b\": \"tor");
    repaired(path, strlen("{\"a\": 3, \"b\": \"tor"), "{\"a\": 1}\n{\"a\": 2}\n");
    /* a second repair finds it whole */
    repaired(path, 0, "{\"a\": 1}\n{\"a\": 2}\n");
    ft_remove(path);
}

Test(feed_repair, whole_file_is_kept)
{
    char path[128];
    write_file(path, sizeof(path), "{\"a\": 1}\n{\"a\": \"\xc3\xa9\"}\n");
    repaired(path, 0, "{\"a\": 1}\n{\"a\": \"\xc3\xa9\"}\n");
    ft_remove(path);
}

Test(feed_repair, no_newline_at_all_empties_the_file)
{
    char path[128];
    write_file(path, sizeof(path), "{\"a\": 1");
    repaired(path, 7, "");
    ft_remove(path);
}

Test(feed_repair, torn_line_longer_than_one_read)
{
    /* the tail spans more than the 64 KB the repair reads at a time */
    size_t tail = 150 * 1024;
    char *data = kumo_alloc(tail + 32, KUMO_T_STR, KUMO_V_NONE);
    strcpy(data, "{\"a\": 1}\n{\"big\": \"");
    size_t head = strlen("{\"a\": 1}\n");
    size_t at = strlen(data);
    memset(data + at, 'x', tail);
    data[at + tail] = '\0';
    char path[128];
    write_file(path, sizeof(path), data);
    repaired(path, strlen(data) - head, "{\"a\": 1}\n");
    kumo_free(data);
    ft_remove(path);
}

Test(feed_repair, missing_file_is_fine)
{
    char path[128];
    ft_path(path, sizeof(path), "none.jsonl");
    size_t dropped = 99;
    cr_assert_eq(kumo__feed_repair_jsonl(path, &dropped), KUMO_OK);
    cr_assert_eq(dropped, 0);
}

Test(feed_repair, feed_output_after_repair_appends_whole_lines)
{
    char path[128];
    write_file(path, sizeof(path), "{\"a\": 1}\n{\"a\": ");
    size_t dropped;
    cr_assert_eq(kumo__feed_repair_jsonl(path, &dropped), KUMO_OK);
    kumo_item *it = ft_item(KUMO_LIST("a", "2"));
    kumo_feed *f = NULL;
    char err[256] = "";
    cr_assert_eq(kumo__feed_open(&f, path, NULL, false, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_assert_str_eq(kumo__feed_format(f), "jsonlines");
    cr_assert_eq(kumo__feed_write(f, it), KUMO_OK);
    cr_assert_eq(kumo__feed_close(f, NULL), KUMO_OK);
    kumo_item_unref(it);
    size_t len;
    char *got = ft_slurp(path, &len);
    cr_assert_str_eq(got, "{\"a\": 1}\n{\"a\": \"2\"}\n");
    kumo_free(got);
    ft_remove(path);
}
