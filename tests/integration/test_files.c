/* test_files.c - FilesPipeline crawls against the test server's /files/ routes: files stored
 * at Scrapy's paths with md5 checksums, a 404 and a redirect that fail without stopping the
 * item, MEDIA_ALLOW_REDIRECTS, one download per url, FILES_EXPIRES, the stats. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <event2/event.h>

#include "lib/crawl.h"
#include "pipeline/files.h"

static kumo_testcrawl t;
static char store[] = "/tmp/kumo-files-XXXXXX";

static void setup(void)
{
    memcpy(store + strlen(store) - 6, "XXXXXX", 6);
    cr_assert(mkdtemp(store));
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", store);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(files_crawl, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

static void add_urls(kumo_item *item, const char *field, const char *const *paths)
{
    char url[256];
    kumo_value list = kumo_val_list();
    for (; *paths; paths++) {
        kumo_testserver_url(t.srv, *paths, url, sizeof(url));
        kumo_val_list_push(&list, kumo_val_str(url));
    }
    kumo_item_set(item, field, list);
}

static void parse(kumo_response *res, kumo_out *out)
{
    (void)res;
    kumo_item *one = kumo_item_new();
    kumo_item_set_str(one, "name", "one");
    add_urls(one, "file_urls", KUMO_LIST("/files/a.pdf", "/files/missing.pdf",
                                         "/files/moved.pdf"));
    kumo_yield_item(out, one);
    kumo_item *two = kumo_item_new();
    kumo_item_set_str(two, "name", "two");
    add_urls(two, "file_urls", KUMO_LIST("/files/b.txt", "/files/a.pdf"));
    kumo_yield_item(out, two);
    kumo_item *three = kumo_item_new();            /* no file_urls: files = [] */
    kumo_item_set_str(three, "name", "three");
    kumo_yield_item(out, three);
}

static int start(kumo_spider *sp, kumo_out *out)
{
    char url[256];
    int err;
    (void)sp;
    kumo_testserver_url(t.srv, "/ok", url, sizeof(url));
    kumo_yield_request(out, kumo_request_new(url, parse, &err));
    return KUMO_OK;
}

static const kumo_spider_def def = {
    KUMO_SPIDER_HEADER,
    .name = "files",
    .callbacks = KUMO_CALLBACKS(parse),
    .start_requests = start,
};

static void crawl(const char *allow_redirects, const char *expires)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &def, SET("ITEM_PIPELINES",
                                                  "{\"scrapy.pipelines.files.FilesPipeline\": 1}",
                                                  "FILES_STORE", store,
                                                  "MEDIA_ALLOW_REDIRECTS", allow_redirects,
                                                  "FILES_EXPIRES", expires,
                                                  "LOG_LEVEL", "WARNING"), NULL),
                 KUMO_OK, "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(t.nitems, 3);
}

/* {"url": ..., "path": ..., "checksum": ..., "status": ...} of path, as in an item. */
static const char *entry(const char *path, const char *md5, const char *status)
{
    static char buf[512];
    char url[256], p[128];
    kumo_testserver_url(t.srv, path, url, sizeof(url));
    kumo__files_path(url, p, sizeof(p));
    snprintf(buf, sizeof(buf), "{\"url\": \"%s\", \"path\": \"%s\", \"checksum\": \"%s\", "
             "\"status\": \"%s\"}", url, p, md5, status);
    return buf;
}

static const char *md5_of(const char *text)
{
    static char out[33];
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "printf '%s' | md5sum", text);
    FILE *p = popen(cmd, "r");
    cr_assert(p && fgets(out, sizeof(out), p));
    pclose(p);
    return out;
}

static void stored(const char *path, const char *content)
{
    char url[256], p[128], full[512], got[256] = "";
    kumo_testserver_url(t.srv, path, url, sizeof(url));
    kumo__files_path(url, p, sizeof(p));
    snprintf(full, sizeof(full), "%s/%s", store, p);
    FILE *f = fopen(full, "r");
    cr_assert(f, "%s not stored at %s", path, full);
    size_t n = fread(got, 1, sizeof(got) - 1, f);
    got[n] = '\0';
    fclose(f);
    cr_assert_str_eq(got, content);
}

Test(files_crawl, downloads_once_fails_alone_and_expires)
{
    char a[33], b[33];
    snprintf(a, sizeof(a), "%s", md5_of("%%PDF-1.4 file a\\n"));
    snprintf(b, sizeof(b), "%s", md5_of("file b\\n"));
    crawl("0", "90");
    char want[2048];
    snprintf(want, sizeof(want), "\"name\": \"one\", \"file_urls\": [");
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1);
    /* the 404 and the (unfollowed) redirect are logged and left out; the item goes on */
    snprintf(want, sizeof(want), "\"files\": [%s]}", entry("/files/a.pdf", a, "downloaded"));
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1, "%s\n%s", t.items[0], want);
    char two[1024];
    snprintf(two, sizeof(two), "\"files\": [%s, ", entry("/files/b.txt", b, "downloaded"));
    snprintf(want, sizeof(want), "%s%s]}", two, entry("/files/a.pdf", a, "downloaded"));
    cr_assert_eq(kumo_testcrawl_items_with(&t, want), 1, "%s", want);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"name\": \"three\", \"files\": []}"), 1);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/files/a.pdf"), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "file_count", 0), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "file_status_count/downloaded", 0), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/WARNING", 0), 2);
    stored("/files/a.pdf", "%PDF-1.4 file a\n");
    stored("/files/b.txt", "file b\n");

    /* again: both are fresh in the store, not fetched; the redirect is followed now */
    crawl("1", "90");
    cr_assert_eq(kumo_testserver_hits(t.srv, "/files/a.pdf"), 2);    /* via moved.pdf */
    cr_assert_eq(kumo_testserver_hits(t.srv, "/files/b.txt"), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "file_status_count/uptodate", 0), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "file_status_count/downloaded", 0), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, entry("/files/moved.pdf", a, "downloaded")), 1);
    cr_assert_eq(kumo_testcrawl_items_with(&t, entry("/files/a.pdf", a, "uptodate")), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/WARNING", 0), 1);  /* the 404 */

    /* FILES_EXPIRES=0: every stored file is stale, fetched again */
    crawl("0", "0");
    cr_assert_eq(kumo_testserver_hits(t.srv, "/files/b.txt"), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "file_status_count/downloaded", 0), 2);
    cr_assert_eq(kumo_testcrawl_stat(&t, "file_status_count/uptodate", -1), -1);
}

/* Off unless ITEM_PIPELINES names it; named without FILES_STORE: a warning, still off. */
Test(files_crawl, off_by_default)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &def, SET("FILES_STORE", store), NULL), KUMO_OK);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"files\""), 0);
    cr_assert_eq(kumo_testserver_hits(t.srv, "/files/a.pdf"), 0);
    cr_assert_eq(kumo_testcrawl_run(&t, &def, SET("ITEM_PIPELINES", "{\"FilesPipeline\": 1}",
                                                  "LOG_LEVEL", "WARNING"), NULL), KUMO_OK);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"files\""), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "log_count/WARNING", 0), 1);
}

/* A plugin pipeline may hold items too: this one resumes each on a timer, dropping "two". */
typedef struct holder {
    kumo_crawler *c;
    struct event *ev;
    kumo_item *held[8];
    size_t n;
} holder;

static void release_all(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    holder *h = arg;
    for (size_t i = 0; i < h->n; i++) {
        bool two = strcmp(kumo_map_get_str(kumo_item_fields(h->held[i]), "name", ""), "two") == 0;
        if (two)
            kumo_item_drop(h->held[i], "held and dropped");
        cr_assert_eq(kumo_crawler_item_resume(h->c, h->held[i], two ? KUMO_EIGNORED : KUMO_OK),
                     KUMO_OK);
        cr_assert_eq(kumo_crawler_item_resume(h->c, h->held[i], KUMO_OK), KUMO_ENOENT);
        kumo_item_unref(h->held[i]);
    }
    h->n = 0;
}

static int hold_open(kumo_crawler *c, void **self)
{
    holder *h = calloc(1, sizeof(*h));
    h->c = c;
    h->ev = evtimer_new(kumo_crawler_event_base(c), release_all, h);
    *self = h;
    return KUMO_OK;
}

static void hold_close(void *self, kumo_crawler *c)
{
    (void)c;
    holder *h = self;
    event_free(h->ev);
    free(h);
}

static int hold_item(void *self, kumo_crawler *c, kumo_item *item)
{
    (void)c;
    holder *h = self;
    cr_assert_lt(h->n, 8);
    h->held[h->n++] = kumo_item_ref(item);
    struct timeval tv = {0, 20000};
    evtimer_add(h->ev, &tv);
    return KUMO_EAGAIN;
}

static int mark_item(void *self, kumo_crawler *c, kumo_item *item)
{
    (void)self, (void)c;
    kumo_item_set_str(item, "after", "yes");
    return KUMO_OK;
}

static const kumo_pipeline_def hold = {KUMO_PIPELINE_HEADER, .name = "Hold", .order = 100,
                                       .open = hold_open, .close = hold_close,
                                       .process_item = hold_item};
static const kumo_pipeline_def mark = {KUMO_PIPELINE_HEADER, .name = "Mark", .order = 200,
                                       .process_item = mark_item};

static const kumo_spider_def holding = {
    KUMO_SPIDER_HEADER,
    .name = "holding",
    .callbacks = KUMO_CALLBACKS(parse),
    .start_requests = start,
    .item_pipelines = (const kumo_pipeline_def *const[]){&hold, &mark, NULL},
};

Test(files_crawl, plugin_pipelines_hold_items)
{
    cr_assert_eq(kumo_testcrawl_run(&t, &holding, SET("LOG_LEVEL", "CRITICAL"), NULL), KUMO_OK,
                 "%s", t.err);
    cr_assert_str_eq(kumo_testcrawl_stat_str(&t, "finish_reason"), "finished");
    cr_assert_eq(t.nitems, 2);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"after\": \"yes\""), 2);
    cr_assert_eq(kumo_testcrawl_items_with(&t, "\"name\": \"two\""), 0);
    cr_assert_eq(kumo_testcrawl_stat(&t, "item_dropped_count", 0), 1);
    cr_assert_eq(kumo_testcrawl_stat(&t, "item_scraped_count", 0), 2);
}
