/* feedtest.h - helpers for the feed format tests: temporary paths, small items, one feed
 * written with given options and read back. */
#ifndef KUMO_FEEDTEST_H
#define KUMO_FEEDTEST_H

#include "unit/middleware/mwtest.h"
#include "pipeline/feed.h"

/* .init: the heap baseline, and no "Stored ... feed" INFO lines in the test output. */
static inline void ft_setup(void)
{
    kumo_leakcheck_start();
    kumo__log_set_level(KUMO_LOG_CRITICAL);
}

/* A fresh path /tmp/kumo-ft-PID-N/NAME whose directory does not exist yet (the feed
 * creates it, as Scrapy's FileFeedStorage does). */
static inline void ft_path(char *path, size_t n, const char *name)
{
    static int seq;
    snprintf(path, n, "/tmp/kumo-ft-%d-%d/%s", (int)getpid(), ++seq, name);
}

/* Remove the file at path and its directory. */
static inline void ft_remove(const char *path)
{
    char dir[256];
    unlink(path);
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        rmdir(dir);
    }
}

/* Returns a new item with fields kv (NAME, VALUE strings, NULL-terminated); the caller
 * unrefs it. */
static inline kumo_item *ft_item(const char *const *kv)
{
    kumo_item *it = kumo_item_new();
    for (size_t i = 0; kv && kv[i]; i += 2)
        kumo_item_set_str(it, kv[i], kv[i + 1]);
    return it;
}

/*
 * Write items[0..n) to a feed on path with o (format and fields; overwrite is forced on)
 * and close it.  Asserts every call succeeds and the feed counted n items.
 */
static inline void ft_export(const char *path, kumo_feed_opts *o, kumo_item **items, size_t n)
{
    kumo_feed *f = NULL;
    char err[256] = "";
    o->overwrite = true;
    cr_assert_eq(kumo__feed_open_opts(&f, path, o, err, sizeof(err)), KUMO_OK, "%s", err);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(kumo__feed_write(f, items[i]), KUMO_OK, "item %zu", i);
    cr_assert_eq(kumo__feed_count(f), n);
    size_t count = 0;
    cr_assert_eq(kumo__feed_close(f, &count), KUMO_OK);
    cr_assert_eq(count, n);
}

/* Returns the file's bytes, NUL-terminated (free with kumo_free()), *len their count. */
static inline char *ft_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open '%s'", path);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    char chunk[4096];
    size_t k;
    while ((k = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        kumo__buf_add(&b, chunk, k);
    fclose(fp);
    kumo__buf_addc(&b, '\0');
    char *s = kumo__buf_detach(&b, len);
    (*len)--;
    return s;
}

/* Export items[0..n) in format with o's other options (o may be NULL), then assert the file
 * holds exactly want. */
static inline void ft_expect(const char *format, kumo_feed_opts *o, kumo_item **items,
                             size_t n, const char *want)
{
    kumo_feed_opts def;
    if (!o) {
        kumo__feed_opts_init(&def);
        o = &def;
    }
    o->format = format;
    char path[128];
    ft_path(path, sizeof(path), "feed.out");
    ft_export(path, o, items, n);
    size_t len;
    char *got = ft_slurp(path, &len);
    cr_expect_eq(len, strlen(want), "%s: %zu bytes, want %zu:\n%s", format, len,
                 strlen(want), got);
    cr_expect_str_eq(got, want, "%s", format);
    kumo_free(got);
    ft_remove(path);
}

static inline void ft_unref_all(kumo_item **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_item_unref(items[i]);
}

#endif
