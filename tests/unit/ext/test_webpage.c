/* test_webpage.c - the web service's page is embedded whole and fetches nothing from
 * elsewhere. */
#include <criterion/criterion.h>
#include "ext/webpage.h"

Test(webpage, self_contained)
{
    size_t len;
    const char *page = kumo__webpage(&len);
    cr_assert_gt(len, 1000);
    cr_assert_eq(strlen(page), len);
    cr_assert(strstr(page, "<svg id=\"chart-rate\""));
    cr_assert(strstr(page, "<svg id=\"chart-mem\""));
    cr_assert(strstr(page, "<svg id=\"chart-live\""));
    cr_assert(strstr(page, KUMO_WEBPAGE_DATA_MARK));
    /* nothing fetched from elsewhere: no src=, no href=, no url(), no @import */
    cr_assert_null(strstr(page, "src="));
    cr_assert_null(strstr(page, "href="));
    cr_assert_null(strstr(page, "url("));
    cr_assert_null(strstr(page, "@import"));
    cr_assert_null(strstr(page, "//cdn"));
}
