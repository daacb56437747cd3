/* test_feed_formats.c - every feed format and option against the bytes Scrapy 2.8 writes. */
#include <criterion/criterion.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kumo-int.h"
#include "pipeline/feed.h"
#include "lib/leakcheck.h"

/*
 * The expected bytes come from scrapy.exporters (Scrapy 2.8) fed the items of build_rich()
 * and build_latin() as Python dicts (a nested item as a dict):
 *   b = io.BytesIO(); e = XmlItemExporter(b, encoding=ENC, indent=INDENT,
 *                                         fields_to_export=FIELDS)
 *   e.start_exporting(); [e.export_item(i) for i in items]; e.finish_exporting()
 * (JsonItemExporter, JsonLinesItemExporter, CsvItemExporter alike; ENC None is Scrapy's
 * default FEED_EXPORT_ENCODING, which escapes non-ASCII in JSON as \uXXXX).
 */

static void setup(void)
{
    kumo_leakcheck_start();
    kumo__log_set_level(KUMO_LOG_CRITICAL);     /* the "Stored ... feed" lines */
}

TestSuite(feed_formats, .init = setup, .fini = kumo_leakcheck_end);

/* ---- items ---- */

static kumo_value list2(kumo_value a, kumo_value b)
{
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, a);
    kumo_val_list_push(&l, b);
    return l;
}

/* Put a new item in field of item (the field holds the only reference). */
static kumo_item *nest(kumo_item *item, const char *field)
{
    kumo_item *in = kumo_item_new();
    kumo_item_set(item, field, kumo_val_obj((kumo_ref *)in));
    kumo_item_unref(in);
    return in;
}

static size_t build_rich(kumo_item **it)
{
    it[0] = kumo_item_new();
    kumo_item_set_str(it[0], "name", "Tom & <Jerry> \"q\" 'a' \xe2\x82\xac\xc3\xa9\x7f");
    kumo_item_set_int(it[0], "n", 1);
    kumo_item_set_float(it[0], "f", 1.5);
    kumo_item_set(it[0], "tags", list2(kumo_val_str("a"), kumo_val_str("b")));
    kumo_item_set_str(it[0], "none", NULL);
    kumo_item_set(it[0], "ok", kumo_val_bool(1));
    kumo_item *in = nest(it[0], "nest");
    kumo_item_set_str(in, "k", "v");
    kumo_item_set(in, "l", list2(kumo_val_int(1), list2(kumo_val_int(2), kumo_val_int(3))));
    kumo_item_set(it[0], "empty", kumo_val_list());
    nest(it[0], "ed");
    it[1] = kumo_item_new();
    kumo_item_set_str(it[1], "name", "x\xf0\x9f\x98\x80");
    kumo_item_set_int(it[1], "n", 2);
    return 2;
}

static size_t build_latin(kumo_item **it)
{
    it[0] = kumo_item_new();
    kumo_item_set_str(it[0], "a", "caf\xc3\xa9");
    kumo_item_set(it[0], "b", list2(kumo_val_str("\xc3\xbc"), kumo_val_int(1)));
    kumo_item_set_float(it[0], "c", 1e16);
    it[1] = kumo_item_new();
    kumo_item_set_str(it[1], "a", "na\xc3\xafve");
    kumo_item_set_float(it[1], "c", -0.5);
    return 2;
}

static size_t build(const char *set, kumo_item **it)
{
    return strcmp(set, "rich") == 0 ? build_rich(it) : build_latin(it);
}

static void unref_all(kumo_item **it, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kumo_item_unref(it[i]);
}

/* ---- files ---- */

/* A fresh path /tmp/kumo-ff-PID-N/NAME (the directory does not exist yet). */
static void temp_path(char *path, size_t n, const char *name)
{
    static int seq;
    snprintf(path, n, "/tmp/kumo-ff-%d-%d/%s", (int)getpid(), ++seq, name);
}

/* Remove the file and its directory. */
static void remove_path(const char *path)
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

/* Returns the file's bytes (free with free()), *len their count. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open '%s'", path);
    char *s = malloc(1 << 16);
    cr_assert_not_null(s);
    *len = fread(s, 1, (1 << 16) - 1, fp);
    s[*len] = '\0';
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

/* Split "a b c" into at most max words of buf; returns how many. */
static size_t words(const char *s, char *buf, size_t n, const char **out, size_t max)
{
    size_t k = 0;
    if (!s)
        return 0;
    snprintf(buf, n, "%s", s);
    for (char *save, *w = strtok_r(buf, " ", &save); w && k < max; w = strtok_r(NULL, " ", &save))
        out[k++] = w;
    return k;
}

/* ---- byte for byte against Scrapy ---- */

static const struct {
    const char *name, *set, *format, *encoding;
    bool indent_none;
    int indent;
    const char *fields, *names;     /* space-separated */
    size_t len;
    const char *bytes;
} cases[] = {
    {"json_none_0", "rich", "json", NULL, false, 0, NULL, NULL, 218,
        "[\n"
        "{\"name\": \"Tom & <Jerry> \\\"q\\\" 'a' \\u20ac\\u00e9\\u007f\", \"n\": 1, \"f\": 1"
        ".5, \"tags\": [\"a\", \"b\"], \"none\": null, \"ok\": true, \"nest\": {\"k\": \"v\","
        " \"l\": [1, [2, 3]]}, \"empty\": [], \"ed\": {}},\n"
        "{\"name\": \"x\\ud83d\\ude00\", \"n\": 2}\n"
        "]"},
    {"json_none_null", "rich", "json", NULL, true, 0, NULL, NULL, 215,
        "[{\"name\": \"Tom & <Jerry> \\\"q\\\" 'a' \\u20ac\\u00e9\\u007f\", \"n\": 1, \"f\": "
        "1.5, \"tags\": [\"a\", \"b\"], \"none\": null, \"ok\": true, \"nest\": {\"k\": \"v\""
        ", \"l\": [1, [2, 3]]}, \"empty\": [], \"ed\": {}},{\"name\": \"x\\ud83d\\ude00\", \""
        "n\": 2}]"},
    {"json_utf8_2", "rich", "json", "utf-8", false, 2, NULL, NULL, 290,
        "[\n"
        "{\n"
        "  \"name\": \"Tom & <Jerry> \\\"q\\\" 'a' \xe2\x82\xac\xc3\xa9\x7f\",\n"
        "  \"n\": 1,\n"
        "  \"f\": 1.5,\n"
        "  \"tags\": [\n"
        "    \"a\",\n"
        "    \"b\"\n"
        "  ],\n"
        "  \"none\": null,\n"
        "  \"ok\": true,\n"
        "  \"nest\": {\n"
        "    \"k\": \"v\",\n"
        "    \"l\": [\n"
        "      1,\n"
        "      [\n"
        "        2,\n"
        "        3\n"
        "      ]\n"
        "    ]\n"
        "  },\n"
        "  \"empty\": [],\n"
        "  \"ed\": {}\n"
        "},\n"
        "{\n"
        "  \"name\": \"x\xf0\x9f\x98\x80\",\n"
        "  \"n\": 2\n"
        "}\n"
        "]"},
    {"json_latin1_4", "latin", "json", "latin-1", false, 4, NULL, NULL, 117,
        "[\n"
        "{\n"
        "    \"a\": \"caf\xe9\",\n"
        "    \"b\": [\n"
        "        \"\xfc\",\n"
        "        1\n"
        "    ],\n"
        "    \"c\": 1e+16\n"
        "},\n"
        "{\n"
        "    \"a\": \"na\xefve\",\n"
        "    \"c\": -0.5\n"
        "}\n"
        "]"},
    {"jsonl_none", "rich", "jsonlines", NULL, false, 0, NULL, NULL, 214,
        "{\"name\": \"Tom & <Jerry> \\\"q\\\" 'a' \\u20ac\\u00e9\\u007f\", \"n\": 1, \"f\": 1"
        ".5, \"tags\": [\"a\", \"b\"], \"none\": null, \"ok\": true, \"nest\": {\"k\": \"v\","
        " \"l\": [1, [2, 3]]}, \"empty\": [], \"ed\": {}}\n"
        "{\"name\": \"x\\ud83d\\ude00\", \"n\": 2}\n"},
    {"jsonl_latin1", "latin", "jsonlines", "latin-1", false, 0, NULL, NULL, 67,
        "{\"a\": \"caf\xe9\", \"b\": [\"\xfc\", 1], \"c\": 1e+16}\n"
        "{\"a\": \"na\xefve\", \"c\": -0.5}\n"},
    {"jsonl_fields_map", "rich", "jsonlines", "utf-8", false, 0, "n zz name", "N Z Name", 77,
        "{\"N\": 1, \"Name\": \"Tom & <Jerry> \\\"q\\\" 'a' \xe2\x82\xac\xc3\xa9\x7f\"}\n"
        "{\"N\": 2, \"Name\": \"x\xf0\x9f\x98\x80\"}\n"},
    {"xml_null", "rich", "xml", NULL, true, 0, NULL, NULL, 365,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<items><item><name>Tom &amp; &lt;Jerry&gt; \"q\" 'a' \xe2\x82\xac\xc3\xa9\x7f</name>"
        "<n>1</n><f>1.5</f><tags><value>a</value><value>b</value></tags><none>None</none><ok>"
        "True</ok><nest><k>v</k><l><value>1</value><value><value>2</value><value>3</value></v"
        "alue></l></nest><empty></empty><ed></ed></item><item><name>x\xf0\x9f\x98\x80</name><"
        "n>2</n></item></items>"},
    {"xml_0", "rich", "xml", NULL, false, 0, NULL, NULL, 368,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<items>\n"
        "<item><name>Tom &amp; &lt;Jerry&gt; \"q\" 'a' \xe2\x82\xac\xc3\xa9\x7f</name><n>1</n"
        "><f>1.5</f><tags><value>a</value><value>b</value></tags><none>None</none><ok>True</o"
        "k><nest><k>v</k><l><value>1</value><value><value>2</value><value>3</value></value></"
        "l></nest><empty></empty><ed></ed></item>\n"
        "<item><name>x\xf0\x9f\x98\x80</name><n>2</n></item>\n"
        "</items>"},
    {"xml_2", "rich", "xml", "utf-8", false, 2, NULL, NULL, 537,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<items>\n"
        "  <item>\n"
        "    <name>Tom &amp; &lt;Jerry&gt; \"q\" 'a' \xe2\x82\xac\xc3\xa9\x7f</name>\n"
        "    <n>1</n>\n"
        "    <f>1.5</f>\n"
        "    <tags>\n"
        "      <value>a</value>\n"
        "      <value>b</value>\n"
        "    </tags>\n"
        "    <none>None</none>\n"
        "    <ok>True</ok>\n"
        "    <nest>\n"
        "      <k>v</k>\n"
        "      <l>\n"
        "        <value>1</value>\n"
        "        <value>\n"
        "          <value>2</value>\n"
        "          <value>3</value>\n"
        "        </value>\n"
        "      </l>\n"
        "    </nest>\n"
        "    <empty>\n"
        "    </empty>\n"
        "    <ed>\n"
        "    </ed>\n"
        "  </item>\n"
        "  <item>\n"
        "    <name>x\xf0\x9f\x98\x80</name>\n"
        "    <n>2</n>\n"
        "  </item>\n"
        "</items>"},
    {"xml_latin1", "rich", "xml", "latin-1", false, 0, NULL, NULL, 378,
        "<?xml version=\"1.0\" encoding=\"latin-1\"?>\n"
        "<items>\n"
        "<item><name>Tom &amp; &lt;Jerry&gt; \"q\" 'a' &#8364;\xe9\x7f</name><n>1</n><f>1.5</"
        "f><tags><value>a</value><value>b</value></tags><none>None</none><ok>True</ok><nest><"
        "k>v</k><l><value>1</value><value><value>2</value><value>3</value></value></l></nest>"
        "<empty></empty><ed></ed></item>\n"
        "<item><name>x&#128512;</name><n>2</n></item>\n"
        "</items>"},
    {"xml_ascii_1", "rich", "xml", "ascii", false, 1, NULL, NULL, 479,
        "<?xml version=\"1.0\" encoding=\"ascii\"?>\n"
        "<items>\n"
        " <item>\n"
        "  <name>Tom &amp; &lt;Jerry&gt; \"q\" 'a' &#8364;&#233;\x7f</name>\n"
        "  <n>1</n>\n"
        "  <f>1.5</f>\n"
        "  <tags>\n"
        "   <value>a</value>\n"
        "   <value>b</value>\n"
        "  </tags>\n"
        "  <none>None</none>\n"
        "  <ok>True</ok>\n"
        "  <nest>\n"
        "   <k>v</k>\n"
        "   <l>\n"
        "    <value>1</value>\n"
        "    <value>\n"
        "     <value>2</value>\n"
        "     <value>3</value>\n"
        "    </value>\n"
        "   </l>\n"
        "  </nest>\n"
        "  <empty>\n"
        "  </empty>\n"
        "  <ed>\n"
        "  </ed>\n"
        " </item>\n"
        " <item>\n"
        "  <name>x&#128512;</name>\n"
        "  <n>2</n>\n"
        " </item>\n"
        "</items>"},
    {"xml_fields", "rich", "xml", NULL, false, 0, "n zz name", NULL, 168,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<items>\n"
        "<item><n>1</n><name>Tom &amp; &lt;Jerry&gt; \"q\" 'a' \xe2\x82\xac\xc3\xa9\x7f</name"
        "></item>\n"
        "<item><n>2</n><name>x\xf0\x9f\x98\x80</name></item>\n"
        "</items>"},
    {"csv_fields", "rich", "csv", "utf-8", false, 0, "n zz name", NULL, 58,
        "n,zz,name\r\n"
        "1,,\"Tom & <Jerry> \"\"q\"\" 'a' \xe2\x82\xac\xc3\xa9\x7f\"\r\n"
        "2,,x\xf0\x9f\x98\x80\r\n"},
    {"csv_fields_map", "rich", "csv", NULL, false, 0, "n name", "N Name", 53,
        "N,Name\r\n"
        "1,\"Tom & <Jerry> \"\"q\"\" 'a' \xe2\x82\xac\xc3\xa9\x7f\"\r\n"
        "2,x\xf0\x9f\x98\x80\r\n"},
    {"csv_latin1", "latin", "csv", "latin-1", false, 0, NULL, NULL, 43,
        "a,b,c\r\n"
        "caf\xe9,\"['\xfc', 1]\",1e+16\r\n"
        "na\xefve,,-0.5\r\n"},
};

Test(feed_formats, scrapy_bytes)
{
    for (size_t c = 0; c < KUMO_ARRAY_LEN(cases); c++) {
        char path[128], fb[256], nb[256], err[256] = "";
        const char *fields[16], *names[16];
        temp_path(path, sizeof(path), "out");
        kumo_feed_opts o;
        kumo__feed_opts_init(&o);
        o.format = cases[c].format;
        o.encoding = cases[c].encoding;
        o.indent_none = cases[c].indent_none;
        o.indent = cases[c].indent;
        o.nfields = words(cases[c].fields, fb, sizeof(fb), fields, 16);
        o.fields = o.nfields ? fields : NULL;
        o.names = words(cases[c].names, nb, sizeof(nb), names, 16) ? names : NULL;
        kumo_feed *f;
        cr_assert_eq(kumo__feed_open_opts(&f, path, &o, err, sizeof(err)), KUMO_OK, "%s: %s",
                     cases[c].name, err);
        kumo_item *it[4];
        size_t n = build(cases[c].set, it);
        for (size_t i = 0; i < n; i++)
            cr_expect_eq(kumo__feed_write(f, it[i]), KUMO_OK, "%s: item %zu", cases[c].name, i);
        unref_all(it, n);
        cr_expect_eq(kumo__feed_close(f, NULL), KUMO_OK);
        expect_file(path, cases[c].bytes, cases[c].len, cases[c].name);
        remove_path(path);
    }
}

/* With store_empty the format starts at open: Scrapy's bytes for a feed without items. */
Test(feed_formats, store_empty)
{
    static const struct {
        const char *format, *bytes;
    } want[] = {
        {"json", "[\n\n]"},
        {"jsonlines", ""},
        {"csv", ""},
        {"xml", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<items>\n</items>"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(want); i++) {
        char path[128];
        temp_path(path, sizeof(path), "empty");
        kumo_feed_opts o;
        kumo__feed_opts_init(&o);
        o.format = want[i].format;
        o.store_empty = true;
        kumo_feed *f;
        cr_assert_eq(kumo__feed_open_opts(&f, path, &o, NULL, 0), KUMO_OK);
        size_t count = 9;
        cr_expect_eq(kumo__feed_close(f, &count), KUMO_OK);
        cr_expect_eq(count, 0);
        expect_file(path, want[i].bytes, strlen(want[i].bytes), want[i].format);
        remove_path(path);
    }
}

/* An item the encoding cannot hold is skipped whole; the csv header comes with the next. */
Test(feed_formats, encoding_error_skips_item)
{
    char path[128];
    temp_path(path, sizeof(path), "x.csv");
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.encoding = "ascii";
    kumo_feed *f;
    cr_assert_eq(kumo__feed_open_opts(&f, path, &o, NULL, 0), KUMO_OK);
    kumo_item *it[3];
    build_latin(it);
    it[2] = kumo_item_new();
    kumo_item_set_str(it[2], "a", "plain");
    cr_expect_eq(kumo__feed_write(f, it[0]), KUMO_EINVAL);
    cr_expect_eq(kumo__feed_write(f, it[2]), KUMO_OK);
    cr_expect_eq(kumo__feed_write(f, it[1]), KUMO_EINVAL);
    unref_all(it, 3);
    size_t count;
    cr_expect_eq(kumo__feed_close(f, &count), KUMO_OK);
    cr_expect_eq(count, 1);
    expect_file(path, "a\r\nplain\r\n", 10, "ascii csv");
    remove_path(path);
}

Test(feed_formats, encodings)
{
    static const struct {
        const char *name;
        int rc;
        kumo_feed_enc enc;
    } encs[] = {
        {NULL, KUMO_OK, KUMO_FEED_ENC_NONE},       {"", KUMO_OK, KUMO_FEED_ENC_NONE},
        {"utf-8", KUMO_OK, KUMO_FEED_ENC_UTF8},    {"UTF8", KUMO_OK, KUMO_FEED_ENC_UTF8},
        {"Latin-1", KUMO_OK, KUMO_FEED_ENC_LATIN1}, {"iso-8859-1", KUMO_OK, KUMO_FEED_ENC_LATIN1},
        {"ISO8859-1", KUMO_OK, KUMO_FEED_ENC_LATIN1}, {"us-ascii", KUMO_OK, KUMO_FEED_ENC_ASCII},
        {"ascii", KUMO_OK, KUMO_FEED_ENC_ASCII},   {"cp1252", KUMO_EINVAL, KUMO_FEED_ENC_NONE},
        {"utf-16", KUMO_EINVAL, KUMO_FEED_ENC_NONE},
        {"a-very-long-encoding-name-that-is-not-one", KUMO_EINVAL, KUMO_FEED_ENC_NONE},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(encs); i++) {
        kumo_feed_enc e = KUMO_FEED_ENC_UTF8;
        cr_expect_eq(kumo__feed_enc_parse(encs[i].name, &e), encs[i].rc, "%s", encs[i].name);
        if (encs[i].rc == KUMO_OK)
            cr_expect_eq(e, encs[i].enc, "%s", encs[i].name);
    }
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.encoding = "cp1252";
    kumo_feed *f;
    char err[200];
    cr_expect_eq(kumo__feed_open_opts(&f, "/tmp/never.json", &o, err, sizeof(err)), KUMO_EINVAL);
    cr_expect_str_eq(err, "unsupported feed encoding 'cp1252': use utf-8, latin-1 or ascii");
    cr_expect_eq(access("/tmp/never.json", F_OK), -1);
}

/* ---- sqlite ---- */

/* "name TYPE, ..." of the table, from PRAGMA table_info. */
static void schema(sqlite3 *db, const char *table, char *out, size_t n)
{
    char sql[256];
    sqlite3_stmt *q;
    snprintf(sql, sizeof(sql), "PRAGMA table_info(\"%s\")", table);
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    size_t used = 0;
    out[0] = '\0';
    while (sqlite3_step(q) == SQLITE_ROW && used < n)
        used += (size_t)snprintf(out + used, n - used, "%s%s %s", used ? ", " : "",
                                 sqlite3_column_text(q, 1), sqlite3_column_text(q, 2));
    sqlite3_finalize(q);
}

/* The first column of the first row of sql, as text ("NULL" for null), into out. */
static void query(sqlite3 *db, const char *sql, char *out, size_t n)
{
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK, "%s: %s", sql,
                 sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW, "%s", sql);
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(out, n, "%s", t ? (const char *)t : "NULL");
    sqlite3_finalize(q);
}

static void export_sqlite(const char *path, const char *table, bool overwrite, kumo_item **it,
                          size_t n)
{
    kumo_feed_opts o;
    kumo__feed_opts_init(&o);
    o.overwrite = overwrite;
    o.table = table;
    kumo_feed *f;
    char err[256] = "";
    cr_assert_eq(kumo__feed_open_opts(&f, path, &o, err, sizeof(err)), KUMO_OK, "%s", err);
    cr_expect_str_eq(kumo__feed_format(f), "sqlite");
    for (size_t i = 0; i < n; i++) {
        cr_expect_eq(kumo__feed_write(f, it[i]), KUMO_OK);
        if (i == 0)
            cr_expect_eq(kumo__feed_flush(f), KUMO_OK);  /* one commit, then a new batch */
    }
    size_t count;
    cr_expect_eq(kumo__feed_close(f, &count), KUMO_OK);
    cr_expect_eq(count, n);
}

Test(feed_formats, sqlite_table)
{
    char path[128], got[512];
    temp_path(path, sizeof(path), "items.db");
    kumo_item *it[3];
    build_rich(it);
    it[2] = kumo_item_new();
    kumo_item_set_str(it[2], "n", "three");         /* a TEXT in an INTEGER column */
    kumo_item_set_float(it[2], "extra", 2.5);       /* a new column */
    kumo_item_set_str(it[2], "NAME", "bad \xff utf-8");   /* the same column as "name" */
    export_sqlite(path, "my \"spider\"", true, it, 3);

    sqlite3 *db;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    schema(db, "my \"\"spider\"\"", got, sizeof(got));
    cr_expect_str_eq(got, "name TEXT, n INTEGER, f REAL, tags TEXT, none , ok INTEGER, "
                          "nest TEXT, empty TEXT, ed TEXT, extra REAL");
    static const struct {
        const char *sql, *want;
    } rows[] = {
        {"SELECT count(*) FROM \"my \"\"spider\"\"\"", "3"},
        {"SELECT name FROM \"my \"\"spider\"\"\" WHERE rowid = 1",
         "Tom & <Jerry> \"q\" 'a' \xe2\x82\xac\xc3\xa9\x7f"},
        {"SELECT typeof(n) || typeof(f) || typeof(none) || typeof(ok) FROM \"my \"\"spider\"\"\""
         " WHERE rowid = 1", "integerrealnullinteger"},
        {"SELECT tags || nest || empty || ed FROM \"my \"\"spider\"\"\" WHERE rowid = 1",
         "[\"a\", \"b\"]{\"k\": \"v\", \"l\": [1, [2, 3]]}[]{}"},
        {"SELECT quote(extra) FROM \"my \"\"spider\"\"\" WHERE rowid = 1", "NULL"},
        {"SELECT n || ' ' || typeof(n) || ' ' || extra || ' ' || name "
         "FROM \"my \"\"spider\"\"\" WHERE rowid = 3", "three text 2.5 bad \xef\xbf\xbd utf-8"},
        {"SELECT name || n FROM \"my \"\"spider\"\"\" WHERE rowid = 2", "x\xf0\x9f\x98\x80" "2"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(rows); i++) {
        query(db, rows[i].sql, got, sizeof(got));
        cr_expect_str_eq(got, rows[i].want, "%s", rows[i].sql);
    }
    sqlite3_close(db);

    /* appending adds rows to the same table; overwriting starts a new database */
    export_sqlite(path, "my \"spider\"", false, it, 2);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    query(db, "SELECT count(*) FROM \"my \"\"spider\"\"\"", got, sizeof(got));
    cr_expect_str_eq(got, "5");
    sqlite3_close(db);
    export_sqlite(path, "other", true, it + 1, 1);
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    query(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", got, sizeof(got));
    cr_expect_str_eq(got, "1");
    query(db, "SELECT name || n FROM other", got, sizeof(got));
    cr_expect_str_eq(got, "x\xf0\x9f\x98\x80" "2");
    sqlite3_close(db);
    unref_all(it, 3);
    remove_path(path);
}

Test(feed_formats, sqlite_errors)
{
    char err[256] = "";
    kumo_feed *f;
    cr_expect_eq(kumo__feed_open(&f, "-", "sqlite", false, err, sizeof(err)), KUMO_EINVAL);
    cr_expect_str_eq(err, "a sqlite feed needs a file, not stdout");
    cr_expect_null(f);

    /* a file that is not a database: the open fails, nothing is written to it */
    char path[128];
    temp_path(path, sizeof(path), "text.db");
    cr_assert_eq(kumo__feed_open(&f, path, "jsonl", true, NULL, 0), KUMO_OK);
    kumo_item *it = kumo_item_new();
    kumo_item_set_int(it, "n", 1);
    kumo__feed_write(f, it);
    kumo__feed_close(f, NULL);
    cr_expect_eq(kumo__feed_open(&f, path, NULL, false, err, sizeof(err)), KUMO_EIO);
    cr_expect(strstr(err, "cannot open '") == err, "%s", err);
    cr_expect(strstr(err, "not a database") != NULL, "%s", err);
    expect_file(path, "{\"n\": 1}\n", 9, "left alone");
    kumo_item_unref(it);
    remove_path(path);
}
