/* test_feed.c - feed exporters against the bytes Scrapy 2.8's exporters write. */
#include <criterion/criterion.h>

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kumo-int.h"
#include "pipeline/feed.h"
#include "lib/leakcheck.h"

/*
 * Expected bytes come from scrapy.exporters (Scrapy 2.8, Python 3.11) fed the items of the
 * build_* functions below, as `scrapy runspider x.py -o out.EXT` writes them with
 * FEED_EXPORT_ENCODING=utf-8 (the append and empty cases were checked with runspider):
 *   import io; from scrapy.exporters import JsonItemExporter as X   # or JsonLines, Csv
 *   b = io.BytesIO(); e = X(b, encoding='utf-8', indent=0)           # Csv: no indent
 *   e.start_exporting(); [e.export_item(i) for i in items]; e.finish_exporting()
 *   print(b.getvalue())
 * An empty set writes nothing: with FEED_STORE_EMPTY=False Scrapy never starts exporting.
 */

static void setup(void)
{
    kumo_leakcheck_start();
    kumo__log_set_level(KUMO_LOG_CRITICAL);     /* the "Stored ... feed" lines */
}

TestSuite(feed, .init = setup, .fini = kumo_leakcheck_end);

/* ---- helpers ---- */

#define MAX_ITEMS 8

static kumo_value strs(const char *a, const char *b)
{
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_str(a));
    if (b)
        kumo_val_list_push(&l, kumo_val_str(b));
    return l;
}

static size_t build_mixed(kumo_item **it)
{
    it[0] = kumo_item_new();
    kumo_item_set_str(it[0], "name",
                      "Tom & Jerry's \xe2\x80\x93 cr\xc3\xa8me \"br\xc3\xbbl\xc3\xa9" "e\"\nline2");
    kumo_item_set_int(it[0], "n", 1);
    kumo_item_set_float(it[0], "price", 1.5);
    kumo_item_set(it[0], "tags", strs("a", "b,c"));
    kumo_item_set_str(it[0], "none", NULL);
    kumo_item_set(it[0], "ok", kumo_val_bool(1));

    it[1] = kumo_item_new();
    kumo_item_set_str(it[1], "name", "plain");
    kumo_item_set_int(it[1], "n", -2);
    kumo_item_set_str(it[1], "extra", "x");

    it[2] = kumo_item_new();
    kumo_item_set_int(it[2], "n", 10000000000000000);
    kumo_item_set_float(it[2], "price", 1e16);
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_int(1));
    kumo_val_list_push(&l, kumo_val_str("x"));
    kumo_val_list_push(&l, kumo_val_none());
    kumo_val_list_push(&l, kumo_val_float(0.1));
    kumo_val_list_push(&l, kumo_val_bool(0));
    kumo_val_list_push(&l, strs("y'z", NULL));
    kumo_item_set(it[2], "tags", l);
    kumo_item_set_str(it[2], "name", "tab\there\r\x01\x7f\\");
    kumo_item_set(it[2], "ok", kumo_val_bool(0));

    it[3] = kumo_item_new();
    kumo_item_set_str(it[3], "name", "");
    kumo_item_set_float(it[3], "price", 100.0);
    kumo_item_set(it[3], "tags", kumo_val_list());
    kumo_item_set_int(it[3], "n", 0);
    return 4;
}

static size_t build_single(kumo_item **it)
{
    static const char *const a[] = {"", NULL, " lead", "x y"};
    for (size_t i = 0; i < 4; i++) {
        it[i] = kumo_item_new();
        kumo_item_set_str(it[i], "a", a[i]);
    }
    it[4] = kumo_item_new();
    kumo_item_set_str(it[4], "b", "other");   /* not a csv column: the row is one "" */
    return 5;
}

static size_t build_floats(kumo_item **it)
{
    static const double f[] = {0.1, 1e-7, 123456789012345678.0, -0.0, 2.5e-5, 1e22, -1.5, 3.0};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(f); i++) {
        it[i] = kumo_item_new();
        kumo_item_set_float(it[i], "f", f[i]);
    }
    return KUMO_ARRAY_LEN(f);
}

static size_t build_repr(kumo_item **it)
{
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_int(1));
    kumo_val_list_push(&l, kumo_val_str("it's"));
    kumo_val_list_push(&l, kumo_val_str("say \"hi\""));
    kumo_val_list_push(&l, kumo_val_str("both ' \""));
    kumo_val_list_push(&l, kumo_val_str("\xc3\xa9\xc2\xa0\xe2\x80\xa8"));
    kumo_val_list_push(&l, kumo_val_str("\\"));
    kumo_val_list_push(&l, kumo_val_float(2.5));
    kumo_val_list_push(&l, kumo_val_float(NAN));
    kumo_val_list_push(&l, kumo_val_float(INFINITY));
    kumo_val_list_push(&l, kumo_val_float(-INFINITY));
    kumo_val_list_push(&l, kumo_val_none());
    kumo_val_list_push(&l, kumo_val_bool(1));
    kumo_val_list_push(&l, kumo_val_strn("\0\x1b\n", 3));
    it[0] = kumo_item_new();
    kumo_item_set(it[0], "l", l);
    kumo_item_set_float(it[0], "f", NAN);
    kumo_item_set_float(it[0], "g", -INFINITY);

    l = kumo_val_list();
    kumo_val_list_push(&l, strs("a", "b"));
    kumo_val_list_push(&l, kumo_val_list());
    it[1] = kumo_item_new();
    kumo_item_set(it[1], "l", l);
    kumo_item_set_float(it[1], "f", INFINITY);
    kumo_item_set_int(it[1], "g", 1);
    return 2;
}

static size_t build_empty(kumo_item **it)
{
    (void)it;
    return 0;
}

static const struct {
    const char *name;
    size_t (*build)(kumo_item **it);
} sets[] = {
    {"mixed", build_mixed},   {"single", build_single}, {"floats", build_floats},
    {"repr", build_repr},     {"empty", build_empty},
};

static size_t build(const char *set, kumo_item **it)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(sets); i++)
        if (strcmp(sets[i].name, set) == 0)
            return sets[i].build(it);
    cr_assert_fail("no item set '%s'", set);
    return 0;
}

static void unref_all(kumo_item **it, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_item_unref(it[i]);
}

/* A new empty file /tmp/kumo-feed-XXXXXX.EXT; path must hold 64 bytes. */
static void temp_path(char *path, const char *ext)
{
    snprintf(path, 64, "/tmp/kumo-feed-XXXXXX.%s", ext);
    int fd = mkstemps(path, (int)strlen(ext) + 1);
    cr_assert_geq(fd, 0, "mkstemps: %s", strerror(errno));
    close(fd);
}

/* Returns the file's bytes (free with free()), *len their count. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open '%s'", path);
    char *s = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (cap - *len < 4096) {
            cap = cap ? cap * 2 : 8192;
            s = realloc(s, cap);
            cr_assert_not_null(s);
        }
        size_t n = fread(s + *len, 1, cap - *len, fp);
        if (!n)
            break;
        *len += n;
    }
    fclose(fp);
    return s;
}

static void expect_file(const char *path, const char *want, size_t wantlen, const char *what)
{
    size_t len;
    char *got = slurp(path, &len);
    cr_expect_eq(len, wantlen, "%s: %zu bytes, want %zu:\n%.*s", what, len, wantlen,
                 (int)len, got);
    if (len == wantlen)
        cr_expect(memcmp(got, want, len) == 0, "%s: got\n%.*s\nwant\n%s", what, (int)len, got,
                  want);
    free(got);
}

/* Write items to a new feed on path and close it; returns the close code. */
static int export(const char *path, const char *format, bool overwrite, kumo_item **it,
                  size_t n)
{
    kumo_feed *f;
    char err[256] = "";
    int rc = kumo__feed_open(&f, path, format, overwrite, err, sizeof(err));
    cr_assert_eq(rc, KUMO_OK, "open '%s': %s", path, err);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(kumo__feed_write(f, it[i]), KUMO_OK);
    size_t count = 99;
    rc = kumo__feed_close(f, &count);
    cr_expect_eq(count, n);
    return rc;
}

/* ---- byte for byte against Scrapy ---- */

static const struct {
    const char *set, *ext;
    size_t nitems, len;
    const char *bytes;
} scrapy_bytes[] = {
    {"mixed", "jsonl", 4, 348,
        "{\"name\": \"Tom & Jerry's \342\200\223 cr\303\250me \\\"br\303\273l\303\251e\\\"\\n"
        "line2\", \"n\": 1, \"price\": 1.5, \"tags\": [\"a\", \"b,c\"], \"none\": null, \"ok"
        "\": true}\n"
        "{\"name\": \"plain\", \"n\": -2, \"extra\": \"x\"}\n"
        "{\"n\": 10000000000000000, \"price\": 1e+16, \"tags\": [1, \"x\", null, 0.1, false, "
        "[\"y'z\"]], \"name\": \"tab\\there\\r\\u0001\177\\\\\", \"ok\": false}\n"
        "{\"name\": \"\", \"price\": 100.0, \"tags\": [], \"n\": 0}\n"},
    {"mixed", "json", 4, 354,
        "[\n"
        "{\"name\": \"Tom & Jerry's \342\200\223 cr\303\250me \\\"br\303\273l\303\251e\\\"\\n"
        "line2\", \"n\": 1, \"price\": 1.5, \"tags\": [\"a\", \"b,c\"], \"none\": null, \"ok"
        "\": true},\n"
        "{\"name\": \"plain\", \"n\": -2, \"extra\": \"x\"},\n"
        "{\"n\": 10000000000000000, \"price\": 1e+16, \"tags\": [1, \"x\", null, 0.1, false, "
        "[\"y'z\"]], \"name\": \"tab\\there\\r\\u0001\177\\\\\", \"ok\": false},\n"
        "{\"name\": \"\", \"price\": 100.0, \"tags\": [], \"n\": 0}\n"
        "]"},
    {"mixed", "csv", 4, 208,
        "name,n,price,tags,none,ok\015\n"
        "\"Tom & Jerry's \342\200\223 cr\303\250me \"\"br\303\273l\303\251e\"\"\n"
        "line2\",1,1.5,\"a,b,c\",,True\015\n"
        "plain,-2,,,,\015\n"
        "\"tab\011here\015\001\177\\\",10000000000000000,1e+16,\"[1, 'x', None, 0.1, False, ["
        "\"\"y'z\"\"]]\",,False\015\n"
        ",0,100.0,,,\015\n"},
    {"single", "jsonl", 5, 65,
        "{\"a\": \"\"}\n"
        "{\"a\": null}\n"
        "{\"a\": \" lead\"}\n"
        "{\"a\": \"x y\"}\n"
        "{\"b\": \"other\"}\n"},
    {"single", "json", 5, 72,
        "[\n"
        "{\"a\": \"\"},\n"
        "{\"a\": null},\n"
        "{\"a\": \" lead\"},\n"
        "{\"a\": \"x y\"},\n"
        "{\"b\": \"other\"}\n"
        "]"},
    {"single", "csv", 5, 27,
        "a\015\n"
        "\"\"\015\n"
        "\"\"\015\n"
        " lead\015\n"
        "x y\015\n"
        "\"\"\015\n"},
    {"floats", "jsonl", 8, 117,
        "{\"f\": 0.1}\n"
        "{\"f\": 1e-07}\n"
        "{\"f\": 1.2345678901234568e+17}\n"
        "{\"f\": -0.0}\n"
        "{\"f\": 2.5e-05}\n"
        "{\"f\": 1e+22}\n"
        "{\"f\": -1.5}\n"
        "{\"f\": 3.0}\n"},
    {"floats", "json", 8, 127,
        "[\n"
        "{\"f\": 0.1},\n"
        "{\"f\": 1e-07},\n"
        "{\"f\": 1.2345678901234568e+17},\n"
        "{\"f\": -0.0},\n"
        "{\"f\": 2.5e-05},\n"
        "{\"f\": 1e+22},\n"
        "{\"f\": -1.5},\n"
        "{\"f\": 3.0}\n"
        "]"},
    {"floats", "csv", 8, 72,
        "f\015\n"
        "0.1\015\n"
        "1e-07\015\n"
        "1.2345678901234568e+17\015\n"
        "-0.0\015\n"
        "2.5e-05\015\n"
        "1e+22\015\n"
        "-1.5\015\n"
        "3.0\015\n"},
    {"repr", "jsonl", 2, 197,
        "{\"l\": [1, \"it's\", \"say \\\"hi\\\"\", \"both ' \\\"\", \"\303\251\302\240\342"
        "\200\250\", \"\\\\\", 2.5, NaN, Infinity, -Infinity, null, true, \"\\u0000\\u001b\\n"
        "\"], \"f\": NaN, \"g\": -Infinity}\n"
        "{\"l\": [[\"a\", \"b\"], []], \"f\": Infinity, \"g\": 1}\n"},
    {"repr", "json", 2, 201,
        "[\n"
        "{\"l\": [1, \"it's\", \"say \\\"hi\\\"\", \"both ' \\\"\", \"\303\251\302\240\342"
        "\200\250\", \"\\\\\", 2.5, NaN, Infinity, -Infinity, null, true, \"\\u0000\\u001b\\n"
        "\"], \"f\": NaN, \"g\": -Infinity},\n"
        "{\"l\": [[\"a\", \"b\"], []], \"f\": Infinity, \"g\": 1}\n"
        "]"},
    {"repr", "csv", 2, 156,
        "l,f,g\015\n"
        "\"[1, \"\"it's\"\", 'say \"\"hi\"\"', 'both \\' \"\"', '\303\251\\xa0\\u2028', '\\\\"
        "', 2.5, nan, inf, -inf, None, True, '\\x00\\x1b\\n']\",nan,-inf\015\n"
        "\"[['a', 'b'], []]\",inf,1\015\n"},
    {"empty", "jsonl", 0, 0,
        ""},
    {"empty", "json", 0, 0,
        ""},
    {"empty", "csv", 0, 0,
        ""},
};

Test(feed, scrapy_bytes)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(scrapy_bytes); i++) {
        char path[64], what[64];
        kumo_item *it[MAX_ITEMS];
        temp_path(path, scrapy_bytes[i].ext);
        size_t n = build(scrapy_bytes[i].set, it);
        cr_assert_eq(n, scrapy_bytes[i].nitems);
        snprintf(what, sizeof(what), "%s.%s", scrapy_bytes[i].set, scrapy_bytes[i].ext);
        cr_expect_eq(export(path, NULL, true, it, n), KUMO_OK, "%s", what);
        expect_file(path, scrapy_bytes[i].bytes, scrapy_bytes[i].len, what);
        unref_all(it, n);
        unlink(path);
    }
}

/* `-o` twice on one file: a second whole feed after the first, as Scrapy does. */
static const struct {
    const char *ext;
    size_t len;
    const char *bytes;
} append_bytes[] = {
    {"jsonl", 96,
        "{\"name\": \"caf\303\251 \\\"0\\\"\", \"n\": 0}\n"
        "{\"name\": \"caf\303\251 \\\"1\\\"\", \"n\": 1}\n"
        "{\"name\": \"caf\303\251 \\\"0\\\"\", \"n\": 0}\n"},
    {"json", 103,
        "[\n"
        "{\"name\": \"caf\303\251 \\\"0\\\"\", \"n\": 0},\n"
        "{\"name\": \"caf\303\251 \\\"1\\\"\", \"n\": 1}\n"
        "][\n"
        "{\"name\": \"caf\303\251 \\\"0\\\"\", \"n\": 0}\n"
        "]"},
    {"csv", 67,
        "name,n\015\n"
        "\"caf\303\251 \"\"0\"\"\",0\015\n"
        "\"caf\303\251 \"\"1\"\"\",1\015\n"
        "name,n\015\n"
        "\"caf\303\251 \"\"0\"\"\",0\015\n"},
};

static void cafe_items(kumo_item **it, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "caf\xc3\xa9 \"%zu\"", i);
        it[i] = kumo_item_new();
        kumo_item_set_str(it[i], "name", name);
        kumo_item_set_int(it[i], "n", (int64_t)i);
    }
}

Test(feed, append_twice)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(append_bytes); i++) {
        char path[64];
        kumo_item *it[2];
        temp_path(path, append_bytes[i].ext);
        cafe_items(it, 2);
        cr_expect_eq(export(path, NULL, false, it, 2), KUMO_OK);
        cr_expect_eq(export(path, NULL, false, it, 1), KUMO_OK);
        expect_file(path, append_bytes[i].bytes, append_bytes[i].len, append_bytes[i].ext);
        /* -O starts over: one feed of one item, whatever was there */
        cr_expect_eq(export(path, NULL, true, it, 1), KUMO_OK);
        size_t len;
        char *got = slurp(path, &len);
        cr_expect(len > 0 && len < append_bytes[i].len / 2, "%s: -O left %zu bytes",
                  append_bytes[i].ext, len);
        free(got);
        unref_all(it, 2);
        unlink(path);
    }
}

/* An empty feed creates the file, truncates it with -O, leaves it alone with -o. */
Test(feed, empty_feed)
{
    static const char *const exts[] = {"jsonl", "json", "csv"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(exts); i++) {
        char path[64];
        temp_path(path, exts[i]);
        unlink(path);
        cr_expect_eq(export(path, NULL, false, NULL, 0), KUMO_OK);
        struct stat st;
        cr_expect_eq(stat(path, &st), 0, "%s: not created", path);
        cr_expect_eq(st.st_size, 0);

        FILE *fp = fopen(path, "wb");
        fputs("old", fp);
        fclose(fp);
        cr_expect_eq(export(path, NULL, false, NULL, 0), KUMO_OK);
        expect_file(path, "old", 3, "append nothing");
        cr_expect_eq(export(path, NULL, true, NULL, 0), KUMO_OK);
        expect_file(path, "", 0, "overwrite with nothing");
        unlink(path);
    }
}

/* Python's str() of an item in an item, in a CSV cell. */
Test(feed, csv_nested_item)
{
    char path[64];
    temp_path(path, "csv");
    kumo_item *sub = kumo_item_new();
    kumo_item_set_int(sub, "a", 1);
    kumo_item_set(sub, "b", strs("x", NULL));
    kumo_item_set_str(sub, "c", NULL);
    kumo_item *it = kumo_item_new();
    kumo_item_set(it, "sub", kumo_val_obj((kumo_ref *)sub));
    kumo_item_set_str(it, "k", "v");
    kumo_item_unref(sub);
    cr_expect_eq(export(path, NULL, true, &it, 1), KUMO_OK);
    static const char want[] = "sub,k\r\n\"{'a': 1, 'b': ['x'], 'c': None}\",v\r\n";
    expect_file(path, want, sizeof(want) - 1, "nested");
    kumo_item_unref(it);
    unlink(path);
}

/* str() of a request, and invalid UTF-8 as Python's decode(errors="replace") leaves it. */
Test(feed, csv_request_and_bad_utf8)
{
    char path[64];
    temp_path(path, "csv");
    int err = 0;
    kumo_request *req = kumo_request_new("https://example.com/", NULL, &err);
    cr_assert_not_null(req, "%s", kumo_errname(err));
    kumo_item *it = kumo_item_new();
    kumo_item_set(it, "r", kumo_val_obj((kumo_ref *)req));
    kumo_item_set_str(it, "s", "a\xff" "b\xe2\x82");
    kumo_request_unref(req);
    cr_expect_eq(export(path, NULL, true, &it, 1), KUMO_OK);
    static const char want[] =
        "r,s\r\n<GET https://example.com/>,a\xef\xbf\xbd" "b\xef\xbf\xbd\r\n";
    expect_file(path, want, sizeof(want) - 1, "request");
    kumo_item_unref(it);
    unlink(path);
}

/* An item that holds itself prints as {...} (Python's str() of such a dict). */
Test(feed, csv_self_reference)
{
    char path[64];
    temp_path(path, "csv");
    kumo_item *it = kumo_item_new();
    kumo_item_set_str(it, "k", "v");
    kumo_item_set(it, "me", kumo_val_obj((kumo_ref *)it));
    cr_expect_eq(export(path, NULL, true, &it, 1), KUMO_OK);
    static const char want[] = "k,me\r\nv,\"{'k': 'v', 'me': {...}}\"\r\n";
    expect_file(path, want, sizeof(want) - 1, "self");
    kumo_item_set_str(it, "me", NULL);     /* break the cycle */
    kumo_item_unref(it);
    unlink(path);
}

/* ---- formats from names and extensions ---- */

static const struct {
    const char *path, *format;
    int rc;
    const char *want;       /* format name, or the error message */
} open_cases[] = {
    /* OK cases other than "-" are opened under a temporary directory */
    {"x.jsonl", NULL, KUMO_OK, "jsonlines"},
    {"x.jl", NULL, KUMO_OK, "jsonlines"},
    {"x.jsonlines", NULL, KUMO_OK, "jsonlines"},
    {"x.json", NULL, KUMO_OK, "json"},
    {"x.csv", NULL, KUMO_OK, "csv"},
    {"x.xml", NULL, KUMO_OK, "xml"},
    {"x.db", NULL, KUMO_OK, "sqlite"},
    {"x.sqlite", "sqlite3", KUMO_OK, "sqlite"},
    {"a.b.tar.csv", NULL, KUMO_OK, "csv"},
    {"..csv", NULL, KUMO_OK, "csv"},
    {"x.txt", "jl", KUMO_OK, "jsonlines"},
    {"x.json", "csv", KUMO_OK, "csv"},
    {"-", "json", KUMO_OK, "json"},
    {"x.txt", NULL, KUMO_EINVAL,
     "cannot tell the feed format of 'x.txt': use .jsonl, .jl, .json, .csv, .xml, .sqlite,"
     " .sqlite3 or .db"},
    {"x.JSON", NULL, KUMO_EINVAL,
     "cannot tell the feed format of 'x.JSON': use .jsonl, .jl, .json, .csv, .xml, .sqlite,"
     " .sqlite3 or .db"},
    {"/tmp/.json", NULL, KUMO_EINVAL,
     "cannot tell the feed format of '/tmp/.json': use .jsonl, .jl, .json, .csv, .xml, .sqlite,"
     " .sqlite3 or .db"},
    {"/tmp/x.json/y", NULL, KUMO_EINVAL,
     "cannot tell the feed format of '/tmp/x.json/y': use .jsonl, .jl, .json, .csv, .xml, .sqlite,"
     " .sqlite3 or .db"},
    {"x.", NULL, KUMO_EINVAL,
     "cannot tell the feed format of 'x.': use .jsonl, .jl, .json, .csv, .xml, .sqlite,"
     " .sqlite3 or .db"},
    {"", NULL, KUMO_EINVAL,
     "cannot tell the feed format of '': use .jsonl, .jl, .json, .csv, .xml, .sqlite,"
     " .sqlite3 or .db"},
    {"-", NULL, KUMO_EINVAL,
     "cannot tell the feed format of '-': use .jsonl, .jl, .json, .csv, .xml, .sqlite,"
     " .sqlite3 or .db"},
    {"x.json", "yaml", KUMO_EINVAL,
     "unknown feed format 'yaml': use jsonlines, jsonl, jl, json, csv, xml, sqlite, sqlite3 or db"},
};

Test(feed, open_formats)
{
    char dir[] = "/tmp/kumo-feed-dir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(open_cases); i++) {
        kumo_feed *f = (kumo_feed *)&f;
        char err[256] = "", path[128];
        bool in_dir = open_cases[i].rc == KUMO_OK && strcmp(open_cases[i].path, "-") != 0;
        if (in_dir)
            snprintf(path, sizeof(path), "%s/%s", dir, open_cases[i].path);
        else
            snprintf(path, sizeof(path), "%s", open_cases[i].path);
        int rc = kumo__feed_open(&f, path, open_cases[i].format, false, err, sizeof(err));
        cr_expect_eq(rc, open_cases[i].rc, "'%s': %s", path, kumo_errname(rc));
        if (rc == KUMO_OK) {
            cr_expect_str_eq(kumo__feed_format(f), open_cases[i].want);
            cr_expect_str_eq(kumo__feed_path(f), path);
            cr_expect_eq(kumo__feed_close(f, NULL), KUMO_OK);
            if (in_dir)
                cr_expect_eq(unlink(path), 0, "'%s' was not created", path);
        } else {
            cr_expect_null(f);
            cr_expect_str_eq(err, open_cases[i].want);
        }
    }
    cr_expect_eq(rmdir(dir), 0);
}

/* Missing directories are made, as Scrapy's FileFeedStorage; a file in the way is EIO. */
Test(feed, open_directories)
{
    char dir[] = "/tmp/kumo-feed-dir-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[128], err[256] = "";
    kumo_feed *f;
    kumo_item *it;
    cafe_items(&it, 1);

    snprintf(path, sizeof(path), "%s/a/b/out.jsonl", dir);
    cr_assert_eq(kumo__feed_open(&f, path, NULL, false, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_expect_eq(kumo__feed_write(f, it), KUMO_OK);
    cr_expect_eq(kumo__feed_close(f, NULL), KUMO_OK);
    static const char want[] = "{\"name\": \"caf\xc3\xa9 \\\"0\\\"\", \"n\": 0}\n";
    expect_file(path, want, sizeof(want) - 1, "made dirs");
    unlink(path);

    /* a/b/out.jsonl/x.json: a file where a directory should be */
    char bad[160];
    snprintf(bad, sizeof(bad), "%s/x.json", path);
    FILE *fp = fopen(path, "w");
    fclose(fp);
    f = (kumo_feed *)&f;
    cr_expect_eq(kumo__feed_open(&f, bad, NULL, true, err, sizeof(err)), KUMO_EIO);
    cr_expect_null(f);
    char want_err[256];
    snprintf(want_err, sizeof(want_err), "cannot open '%s': %s", bad, strerror(ENOTDIR));
    cr_expect_str_eq(err, want_err);

    /* a directory itself cannot be opened as a file */
    snprintf(bad, sizeof(bad), "%s/a/b", dir);
    cr_expect_eq(kumo__feed_open(&f, bad, "csv", true, err, sizeof(err)), KUMO_EIO);
    snprintf(want_err, sizeof(want_err), "cannot open '%s': %s", bad, strerror(EISDIR));
    cr_expect_str_eq(err, want_err);
    /* no err buffer is fine */
    cr_expect_eq(kumo__feed_open(&f, bad, "csv", true, NULL, 0), KUMO_EIO);

    unlink(path);
    snprintf(path, sizeof(path), "%s/a/b", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/a", dir);
    rmdir(path);
    cr_expect_eq(rmdir(dir), 0);
    kumo_item_unref(it);
}

/* ---- buffering, errors, odd calls ---- */

/* Past 64 KB the buffer goes to the file before close; close leaves whole lines. */
Test(feed, flushes_as_it_goes)
{
    char path[64];
    temp_path(path, "jsonl");
    kumo_feed *f;
    cr_assert_eq(kumo__feed_open(&f, path, NULL, true, NULL, 0), KUMO_OK);
    kumo_item *it = kumo_item_new();
    char text[200];
    memset(text, 'x', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    kumo_item_set_str(it, "t", text);
    size_t line = strlen("{\"t\": \"\"}\n") + strlen(text);
    size_t n = 2 * 64 * 1024 / line + 10;
    struct stat st;
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(kumo__feed_write(f, it), KUMO_OK);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_geq(st.st_size, 64 * 1024, "only %lld bytes written before close",
                  (long long)st.st_size);
    cr_expect_lt((size_t)st.st_size, n * line);
    cr_expect_eq((size_t)st.st_size % line, 0, "a partial line in the file");
    size_t count;
    cr_expect_eq(kumo__feed_close(f, &count), KUMO_OK);
    cr_expect_eq(count, n);
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq((size_t)st.st_size, n * line);
    kumo_item_unref(it);
    unlink(path);
}

/* /dev/full: the failed write shows up as KUMO_EIO, from write or at the latest close. */
Test(feed, write_error)
{
    kumo_feed *f;
    char err[256];
    if (kumo__feed_open(&f, "/dev/full", "jsonl", false, err, sizeof(err)) != KUMO_OK)
        cr_skip_test("no /dev/full: %s", err);
    kumo_item *it = kumo_item_new();
    kumo_item_set_str(it, "k", "v");
    cr_expect_eq(kumo__feed_write(f, it), KUMO_OK);    /* still in the buffer */
    int rc = KUMO_OK;
    for (int i = 0; i < 10000 && rc == KUMO_OK; i++)
        rc = kumo__feed_write(f, it);
    cr_expect_eq(rc, KUMO_EIO);
    cr_expect_eq(kumo__feed_close(f, NULL), KUMO_EIO);

    cr_assert_eq(kumo__feed_open(&f, "/dev/full", "csv", false, NULL, 0), KUMO_OK);
    cr_expect_eq(kumo__feed_write(f, it), KUMO_OK);
    cr_expect_eq(kumo__feed_close(f, NULL), KUMO_EIO);
    kumo_item_unref(it);
}

Test(feed, bad_calls)
{
    size_t count = 7;
    cr_expect_eq(kumo__feed_close(NULL, &count), KUMO_OK);
    cr_expect_eq(count, 0);
    kumo_feed *f = (kumo_feed *)&f;
    cr_expect_eq(kumo__feed_open(&f, NULL, "json", false, NULL, 0), KUMO_EINVAL);
    cr_expect_null(f);
    cr_assert_eq(kumo__feed_open(&f, "-", "jsonl", false, NULL, 0), KUMO_OK);
    cr_expect_eq(kumo__feed_write(f, NULL), KUMO_EINVAL);
    cr_expect_eq(kumo__feed_write(NULL, NULL), KUMO_EINVAL);
    cr_expect_eq(kumo__feed_close(f, &count), KUMO_OK);   /* stdout stays open */
    cr_expect_eq(count, 0);
    cr_expect_neq(fflush(stdout), EOF);
}
