/* crawl.h - run a real crawl in the test process against the test server, and read back
 * what it did: items, stats, finish reason. */
#ifndef KUMO_TESTCRAWL_H
#define KUMO_TESTCRAWL_H

#include "kumo-int.h"
#include "lib/server.h"

typedef struct kumo_testcrawl {
    kumo_testserver *srv;
    kumo_crawler *c;            /* kept after the run so tests can read stats */
    char **items;               /* each scraped item as a JSON line, owned */
    size_t nitems;
    char err[512];              /* kumo__crawler_new's message when it failed */
    char log[64];               /* a LOG_FILE for its crawls, removed at the end */
} kumo_testcrawl;

/*
 * The test spider "probe": starts at every url of -a urls=U1,U2 (server paths such as
 * "/ok" are made absolute), yields {url, status, class, title, depth} per response, and
 * follows every a[href] unless -a follow=0.
 */
extern const kumo_spider_def kumo_test_probe_spider;

/* Start the server (once per test). */
void kumo_testcrawl_init(kumo_testcrawl *t);

/*
 * Run def with settings kv (NAME, VALUE, ..., NULL; LOG_LEVEL defaults to ERROR) and spider
 * arguments args (NAME, VALUE, ..., NULL).  Returns kumo__crawler_run()'s code: KUMO_OK when
 * the crawl ran and closed.
 */
int kumo_testcrawl_run(kumo_testcrawl *t, const kumo_spider_def *def, const char *const *kv,
                       const char *const *args);

/* Stats of the last run: an integer (def when missing) or a string (NULL). */
int64_t kumo_testcrawl_stat(kumo_testcrawl *t, const char *key, int64_t def);
const char *kumo_testcrawl_stat_str(kumo_testcrawl *t, const char *key);

/* What the crawls logged to t->log (-s LOG_FILE=t->log) so far, the log file closed first
 * (a static buffer); "" when nothing was. */
const char *kumo_testcrawl_log(kumo_testcrawl *t);

/* Number of items whose JSON contains needle. */
size_t kumo_testcrawl_items_with(kumo_testcrawl *t, const char *needle);

/* Free the crawl and stop the server; asserts nothing is left alive (kumo_leakcheck_end()). */
void kumo_testcrawl_fini(kumo_testcrawl *t);

/* kumo_testcrawl_fini() without the leak check, for a suite that frees more afterwards (a
 * plugin the crawler used) and then calls kumo_leakcheck_end() itself. */
void kumo_testcrawl_release(kumo_testcrawl *t);

#endif
