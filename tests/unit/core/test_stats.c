/* test_stats.c - counters, max/min, and the dump in Scrapy's pprint layout. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/stats.h"

Test(stats, counters_and_dump)
{
    kumo_stats *st = kumo__stats_new();
    kumo__stats_inc(st, "downloader/request_count", 2);
    kumo__stats_incf(st, 1, "downloader/response_status_count/%d", 200);
    kumo__stats_inc(st, "downloader/request_count", 1);
    kumo__stats_max(st, "request_depth_max", 3);
    kumo__stats_max(st, "request_depth_max", 1);
    kumo__stats_min(st, "lowest", 5);
    kumo__stats_min(st, "lowest", 7);
    kumo__stats_set_str(st, "finish_reason", "finished");
    kumo__stats_set_float(st, "elapsed_time_seconds", 1.5);
    kumo__stats_set_str(st, "quote", "it's");
    cr_assert_eq(kumo__stats_get_int(st, "downloader/request_count", 0), 3);
    cr_assert_eq(kumo__stats_get_int(st, "request_depth_max", 0), 3);
    cr_assert_eq(kumo__stats_get_int(st, "lowest", 0), 5);
    cr_assert_eq(kumo__stats_get_int(st, "missing", -1), -1);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__stats_dump(st, &b);
    cr_assert_str_eq(kumo__buf_str(&b), "{'downloader/request_count': 3,\n"
                                       " 'downloader/response_status_count/200': 1,\n"
                                       " 'elapsed_time_seconds': 1.500000,\n"
                                       " 'finish_reason': 'finished',\n"
                                       " 'lowest': 5,\n"
                                       " 'quote': \"it's\",\n"
                                       " 'request_depth_max': 3}");
    kumo__buf_release(&b);
    kumo__stats_free(st);
}

/* A thousand counters (the index grows several times): each found by name, in the order
 * first set, and a key set again with another type replaced in place. */
Test(stats, many_keys_by_name)
{
    kumo_stats *st = kumo__stats_new();
    char key[64];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 1000; i++) {
            snprintf(key, sizeof(key), "downloader/response_status_count/%d", i);
            kumo__stats_inc(st, key, i);
        }
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "downloader/response_status_count/%d", i);
        cr_assert_eq(kumo__stats_get_int(st, key, -1), 3 * i, "%s", key);
    }
    cr_assert_null(kumo__stats_get(st, "downloader/response_status_count/1000"));
    const kumo_map *m = kumo__stats_map(st);
    cr_assert_eq(m->len, 1000);
    cr_assert_str_eq(m->e[999].key, "downloader/response_status_count/999");
    kumo__stats_set_str(st, "downloader/response_status_count/7", "seven");
    cr_assert_str_eq(kumo__stats_get(st, "downloader/response_status_count/7")->u.str.s,
                     "seven");
    kumo__stats_inc(st, "downloader/response_status_count/7", 1);     /* not an int: reset */
    cr_assert_eq(kumo__stats_get_int(st, "downloader/response_status_count/7", -1), 1);
    cr_assert_eq(m->len, 1000);
    kumo__stats_free(st);
}
