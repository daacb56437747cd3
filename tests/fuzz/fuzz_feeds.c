/* fuzz_feeds.c - the FEEDS setting (JSON): options, URI templates, schemes and formats,
 * checked as a crawl's start does, without opening any file. */
#include "fuzz.h"
#include "core/crawler.h"
#include "pipeline/feed.h"

static double fixed_now(void)
{
    return 1700000000.123456;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kumo_crawler *c;
    if (!c)
        c = kumo__crawler_new_bare(NULL, NULL);  /* the default settings: kept for every input */
    char *feeds = fuzz_str(data, size);
    kumo_map args;
    kumo_map_init(&args, KUMO_T_FEED, KUMO_V_NONE);
    kumo_map_set(&args, "category", kumo_val_str("books"));
    char err[512];
    err[0] = '\0';
    int rc = kumo__feedset_check(feeds, c, "quotes", &args, fixed_now, err, sizeof(err));
    kumo_assert(rc == KUMO_OK || rc == KUMO_EDECLINED || (rc == KUMO_EINVAL && err[0]));
    kumo_map_release(&args);
    free(feeds);
    return 0;
}
