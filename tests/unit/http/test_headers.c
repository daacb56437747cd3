/* test_headers.c - Headers: ordered pairs, names matched case-insensitively, repeated names,
 * set replacing every value, copies and byte counts. */
#include "unit/middleware/mwtest.h"

TestSuite(headers, KUMO_LEAKCHECK);

Test(headers, get_ignores_case)
{
    kumo_headers *h = kumo__headers_new();
    cr_assert_null(kumo_headers_get(h, "Content-Type"));
    kumo_headers_add(h, "Content-Type", "text/html");
    cr_assert_str_eq(kumo_headers_get(h, "content-type"), "text/html");
    cr_assert_str_eq(kumo_headers_get(h, "CONTENT-TYPE"), "text/html");
    cr_assert_null(kumo_headers_get(h, "Content-Typ"));
    cr_assert_null(kumo_headers_get(h, "Content-Type2"));
    kumo__headers_free(h);
}

Test(headers, repeated_names_keep_every_value_in_order)
{
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Set-Cookie", "a=1");
    kumo_headers_add(h, "X-Other", "x");
    kumo_headers_add(h, "set-cookie", "b=2");
    cr_assert_eq(kumo_headers_count(h), 3);
    /* get returns the first value */
    cr_assert_str_eq(kumo_headers_get(h, "SET-COOKIE"), "a=1");
    const char *want[][2] = {{"Set-Cookie", "a=1"}, {"X-Other", "x"}, {"set-cookie", "b=2"}};
    for (size_t i = 0; i < 3; i++) {
        const char *n, *v;
        kumo_headers_at(h, i, &n, &v);
        cr_assert_str_eq(n, want[i][0], "pair %zu", i);
        cr_assert_str_eq(v, want[i][1], "pair %zu", i);
    }
    kumo__headers_free(h);
}

Test(headers, set_replaces_every_value_and_null_removes)
{
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Accept", "a");
    kumo_headers_add(h, "Host", "example.com");
    kumo_headers_add(h, "ACCEPT", "b");
    kumo_headers_set(h, "accept", "c");
    cr_assert_eq(kumo_headers_count(h), 2);
    const char *n, *v;
    kumo_headers_at(h, 0, &n, &v);
    cr_assert_str_eq(n, "Host");
    kumo_headers_at(h, 1, &n, &v);
    cr_assert_str_eq(n, "accept");
    cr_assert_str_eq(v, "c");
    kumo_headers_set(h, "Accept", NULL);
    cr_assert_eq(kumo_headers_count(h), 1);
    cr_assert_null(kumo_headers_get(h, "Accept"));
    /* removing a name that is not there changes nothing */
    kumo_headers_set(h, "X-Missing", NULL);
    cr_assert_eq(kumo_headers_count(h), 1);
    cr_assert_str_eq(kumo_headers_get(h, "host"), "example.com");
    kumo__headers_free(h);
}

Test(headers, add_copies_its_arguments)
{
    kumo_headers *h = kumo__headers_new();
    char name[] = "X-Name", value[] = "value";
    kumo_headers_add(h, name, value);
    name[0] = 'Y';
    value[0] = 'W';
    cr_assert_str_eq(kumo_headers_get(h, "x-name"), "value");
    kumo__headers_free(h);
}

Test(headers, copy_is_independent)
{
    kumo_headers *h = kumo__headers_new();
    for (int i = 0; i < 20; i++) {     /* past the first growth */
        char n[16], v[16];
        snprintf(n, sizeof(n), "H%d", i);
        snprintf(v, sizeof(v), "v%d", i);
        kumo_headers_add(h, n, v);
    }
    kumo_headers *c = kumo__headers_copy(h);
    cr_assert_eq(kumo_headers_count(c), 20);
    cr_assert_str_eq(kumo_headers_get(c, "h19"), "v19");
    kumo_headers_set(c, "H0", "changed");
    cr_assert_str_eq(kumo_headers_get(h, "H0"), "v0");
    cr_assert_str_eq(kumo_headers_get(c, "H0"), "changed");
    kumo__headers_free(h);
    kumo__headers_free(c);
    kumo__headers_free(NULL);
}

Test(headers, bytes_count_name_colon_space_value_crlf)
{
    kumo_headers *h = kumo__headers_new();
    cr_assert_eq(kumo__headers_bytes(h), 0);
    kumo_headers_add(h, "Host", "a.test");         /* "Host: a.test\r\n" = 14 */
    cr_assert_eq(kumo__headers_bytes(h), 14);
    kumo_headers_add(h, "Accept", "a/b");          /* "Accept: a/b\r\n" = 13 */
    cr_assert_eq(kumo__headers_bytes(h), 27);
    kumo__headers_free(h);
}
