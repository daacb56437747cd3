/* test_feed_set.c - the FEEDS setting: options, URI templates, batches, errors, stats. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kumo-int.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "pipeline/feed.h"
#include "util/buf.h"
#include "lib/leakcheck.h"

/*
 * Expected bytes and names were checked against Scrapy 2.8's FeedExporter: runspider with
 * the same FEEDS, items and (for %(time)s) datetime.utcfromtimestamp(FIXED_NOW).
 */

#define FIXED_NOW 1795556585.25     /* 2026-11-24T21-43-05.250000 UTC */

static char dir[64];
static kumo_crawler *crawler;      /* bare: the settings and stats the feeds read */
static kumo_settings *settings;     /* crawler's */
static kumo_stats *stats;           /* crawler's */

static double fixed_now(void)
{
    return FIXED_NOW;
}

static void setup(void)
{
    kumo_leakcheck_start();
    kumo__log_set_level(KUMO_LOG_CRITICAL);
    snprintf(dir, sizeof(dir), "/tmp/kumo-fs-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    crawler = kumo__crawler_new_bare(NULL, NULL);
    settings = kumo__crawler_settings(crawler);
    stats = kumo__crawler_stats(crawler);
}

/* Remove dir and everything in it (one level of subdirectories). */
static void rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char p[512];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
        if (unlink(p) != 0)
            rm_tree(p);
    }
    closedir(d);
    rmdir(path);
}

static void teardown(void)
{
    kumo__crawler_free(crawler);
    rm_tree(dir);
    kumo_leakcheck_end();
}

TestSuite(feed_set, .init = setup, .fini = teardown);

/* ---- helpers ---- */

/* FEEDS JSON from a format with %s standing for the temporary directory (twice at most). */
static void feeds_json(char *out, size_t n, const char *fmt)
{
    snprintf(out, n, fmt, dir, dir);
}

static void set(const char *name, const char *value)
{
    char err[256];
    cr_assert_eq(kumo__settings_set(settings, name, value, KUMO_PRIO_CMDLINE, err, sizeof(err)),
                 KUMO_OK, "%s", err);
}

static kumo_feedset *open_set(const char *feeds, const kumo_map *args)
{
    kumo_feedset *fs = NULL;
    char err[512] = "";
    int rc = kumo__feedset_new(&fs, feeds, crawler, "quotes", args, false, fixed_now,
                              err, sizeof(err));
    cr_assert_eq(rc, KUMO_OK, "%s: %s", feeds, err);
    return fs;
}

/* Write items {"n": 1}, {"n": 2}... and free the set. */
static void write_items(kumo_feedset *fs, int n)
{
    for (int i = 1; i <= n; i++) {
        kumo_item *it = kumo_item_new();
        kumo_item_set_int(it, "n", i);
        kumo_item_set_str(it, "t", i % 2 ? "caf\xc3\xa9" : "x");
        kumo__feedset_write(fs, it);
        kumo_item_unref(it);
    }
}

/* The file dir/name holds exactly want. */
static void expect_file(const char *name, const char *want)
{
    char path[256], got[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "no file '%s'", path);
    size_t n = fread(got, 1, sizeof(got) - 1, fp);
    fclose(fp);
    got[n] = '\0';
    cr_expect_str_eq(got, want, "%s", name);
}

/* How many entries dir holds. */
static int count_files(const char *path)
{
    DIR *d = opendir(path);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* ---- tests ---- */

/* Batches: a new file every 2 items, named by %(batch_id)03d; as Scrapy, the batch after a
 * full one opens at once, so 4 items leave an empty third file. */
Test(feed_set, batches)
{
    char feeds[512], logpath[300];
    feeds_json(feeds, sizeof(feeds), "{\"%s/b-%%(batch_id)03d-%%(name)s.jsonl\": "
               "{\"batch_item_count\": 2, \"encoding\": \"utf-8\"}}");
    snprintf(logpath, sizeof(logpath), "%s/log", dir);
    kumo__log_set_level(KUMO_LOG_INFO);
    cr_assert_eq(kumo__log_set_file(logpath), KUMO_OK);
    kumo_feedset *fs = open_set(feeds, NULL);
    write_items(fs, 4);
    kumo__feedset_free(fs);
    kumo__log_set_file(NULL);
    kumo__log_set_level(KUMO_LOG_CRITICAL);
    expect_file("b-001-quotes.jsonl",
                "{\"n\": 1, \"t\": \"caf\xc3\xa9\"}\n{\"n\": 2, \"t\": \"x\"}\n");
    expect_file("b-002-quotes.jsonl",
                "{\"n\": 3, \"t\": \"caf\xc3\xa9\"}\n{\"n\": 4, \"t\": \"x\"}\n");
    expect_file("b-003-quotes.jsonl", "");
    cr_expect_eq(kumo__stats_get_int(stats, "feedexport/success_count/FileFeedStorage", 0), 2);
    cr_expect_null(kumo__stats_get(stats, "feedexport/failed_count/FileFeedStorage"));

    char log[4096], line[600];
    FILE *fp = fopen(logpath, "r");
    cr_assert_not_null(fp);
    size_t n = fread(log, 1, sizeof(log) - 1, fp);
    fclose(fp);
    log[n] = '\0';
    for (int b = 1; b <= 2; b++) {
        snprintf(line, sizeof(line), "INFO: Stored jsonl feed (2 items) in: %s/b-%03d-quotes.jsonl",
                 dir, b);
        cr_expect(strstr(log, line) != NULL, "want <%s> in\n%s", line, log);
    }
    cr_expect(strstr(log, "[kumo.extensions.feedexport]") != NULL, "%s", log);
    cr_expect(strstr(log, "b-003") == NULL, "an empty batch logs nothing:\n%s", log);
    unlink(logpath);
}

/* %(name)s, %(time)s, %(batch_time)s and spider arguments; FEED_EXPORT_BATCH_ITEM_COUNT. */
Test(feed_set, placeholders)
{
    char feeds[512];
    set("FEED_EXPORT_BATCH_ITEM_COUNT", "3");
    feeds_json(feeds, sizeof(feeds), "{\"%s/%%(cat)s/%%(name)s-%%(time)s.csv\": "
               "{\"batch_item_count\": 0}, \"%s/%%(batch_time)s.json\": {}}");
    kumo_map args;
    kumo_map_init(&args, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&args, "cat", kumo_val_str("books"));
    kumo_map_set(&args, "name", kumo_val_str("not the spider's"));
    kumo_feedset *fs = open_set(feeds, &args);
    kumo_map_release(&args);
    write_items(fs, 2);
    kumo__feedset_free(fs);
    expect_file("books/quotes-2026-11-24T21-43-05.csv", "n,t\r\n1,caf\xc3\xa9\r\n2,x\r\n");
    expect_file("2026-11-24T21-43-05.250000.json",
                "[\n{\"n\": 1, \"t\": \"caf\xc3\xa9\"},\n{\"n\": 2, \"t\": \"x\"}\n]");
}

Test(feed_set, uri_expand)
{
    static const struct {
        const char *tmpl, *want;
    } cases[] = {
        {"%(batch_id)03d-%(x)5s|%(x)-5s|%%|%(batch_id)+d", "007-   ab|ab   |%|+7"},
        {"a%20b%zz%", "a%20b%zz%"},
        {"%(x)s%(batch_id)s%(batch_id)i", "ab77"},
        {"%(nope)s", "unknown placeholder '%(nope)s': use name, time, batch_time, batch_id "
                     "or a spider argument (-a nope=...)"},
        {"%(x)d", "placeholder '%(x)d' needs a number (spider arguments are strings): use "
                  "%(x)s"},
        {"%(x)r", "bad placeholder '%(x)r': use %(x)s or %(x)d"},
        {"%(x", "unclosed placeholder '%(x'"},
    };
    kumo_map params;
    kumo_map_init(&params, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&params, "batch_id", kumo_val_int(7));
    kumo_map_set(&params, "x", kumo_val_str("ab"));
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_buf b;
        char err[256] = "";
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        int rc = kumo__feed_uri_expand(&b, cases[i].tmpl, &params, err, sizeof(err));
        cr_expect_str_eq(rc == KUMO_OK ? kumo__buf_str(&b) : err, cases[i].want, "%s",
                         cases[i].tmpl);
        kumo__buf_release(&b);
    }
    kumo_map_release(&params);

    char t[64];
    kumo__feed_time(FIXED_NOW, false, t, sizeof(t));
    cr_expect_str_eq(t, "2026-11-24T21-43-05");
    kumo__feed_time(FIXED_NOW, true, t, sizeof(t));
    cr_expect_str_eq(t, "2026-11-24T21-43-05.250000");
    kumo__feed_time(1795556585.0, true, t, sizeof(t));
    cr_expect_str_eq(t, "2026-11-24T21-43-05");   /* isoformat() drops a zero fraction */
}

/* Bad FEEDS: one line naming the feed and the option, and no file is created. */
Test(feed_set, errors)
{
    static const struct {
        const char *feeds;
        int rc;
        const char *err;
    } cases[] = {
        {NULL, KUMO_EDECLINED, ""},
        {"{}", KUMO_EDECLINED, ""},
        {"{", KUMO_EINVAL, "FEEDS: not a JSON object: "},
        {"[1]", KUMO_EINVAL, "FEEDS: not a JSON object {\"URI\": {\"format\": ...}, ...}"},
        {"{\"%s/x.json\": 5}", KUMO_EINVAL, "FEEDS: feed '%s/x.json': options must be a JSON "
                                            "object"},
        {"{\"%s/x.json\": {\"format\": \"yaml\"}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': unknown format 'yaml' (use jsonlines, jsonl, jl, json, csv, "
         "xml or sqlite)"},
        {"{\"%s/x.json\": {\"format\": 1}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'format' must be a string"},
        {"{\"%s/x.json\": {\"overwrite\": \"yes\"}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'overwrite' must be true or false"},
        {"{\"%s/x.json\": {\"store_empty\": 2}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'store_empty' must be true or false"},
        {"{\"%s/x.json\": {\"indent\": \"2\"}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'indent' must be an integer (at most 64) or null"},
        {"{\"%s/x.json\": {\"encoding\": \"cp1252\"}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'encoding': unsupported encoding 'cp1252' (use "
         "utf-8, latin-1 or ascii)"},
        {"{\"%s/x.json\": {\"encoding\": 8}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'encoding' must be a string or null"},
        {"{\"%s/x.json\": {\"fields\": [1]}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'fields' must be a list of field names, an object "
         "{\"field\": \"name\"} or null"},
        {"{\"%s/x.json\": {\"batch_item_count\": -1}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'batch_item_count' must be an integer >= 0"},
        {"{\"%s/x.json\": {\"batch_item_count\": 2}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': %%(batch_time)s or %%(batch_id)d must be in the feed URI "
         "when "
         "batch_item_count (FEED_EXPORT_BATCH_ITEM_COUNT) is 2"},
        {"{\"s3://bucket/x.json\": {}}", KUMO_EINVAL,
         "FEEDS: feed 's3://bucket/x.json': unknown feed storage scheme 's3' (use a path, "
         "file://PATH, - or stdout:)"},
        {"{\"%s/%%(nope)s.json\": {}}", KUMO_EINVAL,
         "FEEDS: feed '%s/%%(nope)s.json': unknown placeholder '%%(nope)s': use name, time, "
         "batch_time, batch_id or a spider argument (-a nope=...)"},
        {"{\"%s/x.txt\": {}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.txt': cannot tell the feed format of '%s/x.txt': use a format "
         "option or .jsonl, .jl, .json, .csv, .xml, .sqlite, .sqlite3 or .db"},
        /* checked before any file opens: the first feed is not created either */
        {"{\"%s/first.json\": {}, \"%s/%%(nope)s.json\": {}}", KUMO_EINVAL,
         "FEEDS: feed '%s/%%(nope)s.json': unknown placeholder '%%(nope)s': use name, time, "
         "batch_time, batch_id or a spider argument (-a nope=...)"},
        /* the good first feed is not created when the second is bad */
        {"{\"%s/good.json\": {}, \"%s/x.json\": {\"indent\": 1.5}}", KUMO_EINVAL,
         "FEEDS: feed '%s/x.json': option 'indent' must be an integer (at most 64) or null"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        char feeds[512], want[600], err[600] = "";
        kumo_feedset *fs = (kumo_feedset *)&fs;
        if (cases[i].feeds)
            feeds_json(feeds, sizeof(feeds), cases[i].feeds);
        int rc = kumo__feedset_new(&fs, cases[i].feeds ? feeds : NULL, crawler, "quotes", NULL,
                                  false, fixed_now, err, sizeof(err));
        cr_expect_eq(rc, cases[i].rc, "%s: %s", feeds, kumo_errname(rc));
        cr_expect_null(fs);
        snprintf(want, sizeof(want), cases[i].err, dir, dir);
        if (cases[i].rc == KUMO_EINVAL && i == 2)
            cr_expect(strncmp(err, want, strlen(want)) == 0, "%s", err);
        else if (cases[i].rc == KUMO_EINVAL)
            cr_expect_str_eq(err, want);
        cr_expect_eq(count_files(dir), 0, "%s left a file", feeds);
    }
}

/* A feed that cannot be opened is logged and counted; the other feed still writes. */
Test(feed_set, one_feed_fails)
{
    char feeds[512];
    feeds_json(feeds, sizeof(feeds), "{\"/dev/null/x.json\": {}, \"%s/ok.jl\": {}}");
    kumo_feedset *fs = open_set(feeds, NULL);
    write_items(fs, 1);
    kumo__feedset_free(fs);
    expect_file("ok.jl", "{\"n\": 1, \"t\": \"caf\xc3\xa9\"}\n");
    cr_expect_eq(kumo__stats_get_int(stats, "feedexport/failed_count/FileFeedStorage", 0), 1);
    cr_expect_eq(kumo__stats_get_int(stats, "feedexport/success_count/FileFeedStorage", 0), 1);
}

/* FEED_STORE_EMPTY, FEED_EXPORT_FIELDS, FEED_EXPORT_INDENT, FEED_EXPORT_ENCODING as defaults,
 * each entry's own options over them. */
Test(feed_set, defaults_and_options)
{
    char feeds[600];
    set("FEED_STORE_EMPTY", "1");
    set("FEED_EXPORT_FIELDS", "t,missing");
    set("FEED_EXPORT_INDENT", "2");
    set("FEED_EXPORT_ENCODING", "");
    feeds_json(feeds, sizeof(feeds), "{\"%s/a.json\": {}, \"%s/b.xml\": {\"fields\": null, "
               "\"indent\": null, \"encoding\": \"latin-1\", \"store_empty\": false}}");
    kumo_feedset *fs = open_set(feeds, NULL);
    write_items(fs, 1);
    kumo__feedset_free(fs);
    expect_file("a.json", "[\n{\n  \"t\": \"caf\\u00e9\"\n}\n]");
    expect_file("b.xml", "<?xml version=\"1.0\" encoding=\"latin-1\"?>\n"
                         "<items><item><n>1</n><t>caf\xe9</t></item></items>");
    cr_expect_eq(kumo__stats_get_int(stats, "feedexport/success_count/FileFeedStorage", 0), 2);

    /* no items: only the store_empty feed logs and counts */
    feeds_json(feeds, sizeof(feeds), "{\"%s/c.json\": {\"overwrite\": true}, "
               "\"%s/d.csv\": {\"store_empty\": false}}");
    fs = open_set(feeds, NULL);
    kumo__feedset_free(fs);
    expect_file("c.json", "[\n\n]");
    expect_file("d.csv", "");
    cr_expect_eq(kumo__stats_get_int(stats, "feedexport/success_count/FileFeedStorage", 0), 3);
}

/* file:// URIs (percent-decoded), "URI:FORMAT", overwrite and append, and stdout. */
Test(feed_set, uris_and_stdout)
{
    char feeds[600], out[300];
    feeds_json(feeds, sizeof(feeds), "{\"file://%s/a%%20b.json\": {\"overwrite\": true}, "
               "\"%s/c.out:csv\": {}}");
    for (int run = 0; run < 2; run++) {
        kumo_feedset *fs = open_set(feeds, NULL);
        write_items(fs, 1);
        kumo__feedset_free(fs);
    }
    expect_file("a b.json", "[\n{\"n\": 1, \"t\": \"caf\xc3\xa9\"}\n]");
    expect_file("c.out", "n,t\r\n1,caf\xc3\xa9\r\nn,t\r\n1,caf\xc3\xa9\r\n");

    /* "-", "stdout:" and "-:json": standard output, jsonlines unless a format is named */
    snprintf(out, sizeof(out), "%s/stdout", dir);
    static const struct {
        const char *feeds, *want;
    } std[] = {
        {"{\"-\": {}}", "{\"n\": 1, \"t\": \"caf\\u00e9\"}\n"},
        {"{\"stdout:\": {\"encoding\": \"utf-8\"}}", "{\"n\": 1, \"t\": \"caf\xc3\xa9\"}\n"},
        {"{\"-:json\": {}}", "[\n{\"n\": 1, \"t\": \"caf\\u00e9\"}\n]"},
        {"{\"stdout:\": {\"format\": \"xml\", \"indent\": null}}",
         "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<items><item><n>1</n><t>caf\xc3\xa9</t>"
         "</item></items>"},
    };
    set("FEED_EXPORT_ENCODING", "");
    for (size_t i = 0; i < KUMO_ARRAY_LEN(std); i++) {
        fflush(stdout);
        int saved = dup(1);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        cr_assert_geq(fd, 0);
        dup2(fd, 1);
        close(fd);
        kumo_feedset *fs = open_set(std[i].feeds, NULL);
        write_items(fs, 1);
        kumo__feedset_free(fs);
        fflush(stdout);
        dup2(saved, 1);
        close(saved);
        expect_file("stdout", std[i].want);
    }
    cr_expect_eq(kumo__stats_get_int(stats, "feedexport/success_count/StdoutFeedStorage", 0), 4);
}

/* ---- a resumed job: torn JSON Lines feeds ---- */

/* Write data to dir/name. */
static void put_file(const char *name, const char *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

Test(feed_set, torn_jsonl_is_cut_to_its_last_newline)
{
    static const struct {
        const char *in, *out;
        size_t dropped;
    } cases[] = {
        {"", "", 0},
        {"{\"a\": 1}\n", "{\"a\": 1}\n", 0},
        {"{\"a\": 1}\n{\"b\": ", "{\"a\": 1}\n", 6},
        {"{\"a\": 1}\n{\"b\": 2}\n{", "{\"a\": 1}\n{\"b\": 2}\n", 1},
        {"{\"torn", "", 6},
    };
    char feed[160];
    snprintf(feed, sizeof(feed), "%s/items.jsonl", dir);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        put_file("items.jsonl", cases[i].in, strlen(cases[i].in));
        size_t dropped = 99;
        cr_assert_eq(kumo__feed_repair_jsonl(feed, &dropped), KUMO_OK);
        cr_assert_eq(dropped, cases[i].dropped, "case %zu", i);
        expect_file("items.jsonl", cases[i].out);
    }
    /* a long last line, past the read chunk */
    FILE *f = fopen(feed, "wb");
    fputs("{\"first\": 1}\n", f);
    for (int i = 0; i < 100000; i++)
        fputc('x', f);
    fclose(f);
    size_t dropped;
    cr_assert_eq(kumo__feed_repair_jsonl(feed, &dropped), KUMO_OK);
    cr_assert_eq(dropped, 100000);
    expect_file("items.jsonl", "{\"first\": 1}\n");
    snprintf(feed, sizeof(feed), "%s/missing.jsonl", dir);
    cr_assert_eq(kumo__feed_repair_jsonl(feed, &dropped), KUMO_OK);
    cr_assert_eq(dropped, 0);
}

/*
 * A resumed job's feed set cuts the torn last line off the JSON Lines files it appends to,
 * whatever way FEEDS names them (a path, file://, URI:FORMAT, a format option); files it
 * overwrites and other formats are left alone.  Without repair nothing is cut.
 */
Test(feed_set, resumed_job_repairs_appended_jsonl_feeds)
{
    static const char *const names[] = {"a.jsonl", "b.data", "c.out", "o.jl", "j.json"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(names); i++)
        put_file(names[i], "{}\n{", 4);
    char feeds[1024];
    snprintf(feeds, sizeof(feeds),
             "{\"%s/a.jsonl\": {}, \"file://%s/b.data\": {\"format\": \"jsonlines\"}, "
             "\"%s/c.out:jsonl\": {}, \"%s/o.jl\": {\"overwrite\": true}, "
             "\"%s/j.json\": {}}", dir, dir, dir, dir, dir);
    for (int repair = 0; repair <= 1; repair++) {
        kumo_feedset *fs = NULL;
        char err[512] = "";
        cr_assert_eq(kumo__feedset_new(&fs, feeds, crawler, "quotes", NULL, repair, fixed_now,
                                      err, sizeof(err)), KUMO_OK, "%s", err);
        kumo__feedset_free(fs);
        if (!repair)
            for (size_t i = 0; i < 3; i++)
                expect_file(names[i], "{}\n{");
    }
    expect_file("a.jsonl", "{}\n");
    expect_file("b.data", "{}\n");
    expect_file("c.out", "{}\n");
    expect_file("o.jl", "");            /* overwritten: empty, no item */
    expect_file("j.json", "{}\n{");
}
