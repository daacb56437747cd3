/* test_buf.c - growable buffers keep their hard cap. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "util/buf.h"
#include "util/vec.h"

Test(buf, grows_and_caps)
{
    kumo_buf b;
    kumo__buf_init(&b, 10, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_str_eq(kumo__buf_str(&b), "");
    cr_assert_eq(kumo__buf_adds(&b, "hello"), KUMO_OK);
    cr_assert_eq(kumo__buf_printf(&b, "%d", 1234), KUMO_OK);
    cr_assert_str_eq(b.s, "hello1234");
    cr_assert_eq(kumo__buf_adds(&b, "xy"), KUMO_ETOOBIG);
    cr_assert_str_eq(b.s, "hello1234", "a refused add changes nothing");
    cr_assert_eq(kumo__buf_addc(&b, '!'), KUMO_OK);
    cr_assert_eq(kumo__buf_addc(&b, '!'), KUMO_ETOOBIG);
    size_t len;
    char *s = kumo__buf_detach(&b, &len);
    cr_assert_eq(len, 10);
    cr_assert_str_eq(s, "hello1234!");
    cr_assert_null(b.s);
    kumo_free(s);
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    char big[1000];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cr_assert_eq(kumo__buf_printf(&b, "%s%s", big, big), KUMO_OK);
    cr_assert_eq(b.len, 2 * (sizeof(big) - 1));
    kumo__buf_release(&b);
}

Test(buf, detach_fit_gives_back_the_doubling_room)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_BODY);
    char chunk[1000];
    memset(chunk, 'b', sizeof(chunk));
    for (int i = 0; i < 70; i++)                /* 70,000 bytes: grown to 131,072 */
        cr_assert_eq(kumo__buf_add(&b, chunk, sizeof(chunk)), KUMO_OK);
    cr_assert_eq(b.cap, 131072);
    size_t len;
    char *s = kumo__buf_detach_fit(&b, &len);
    cr_assert_eq(len, 70000);
    cr_assert_eq(kumo_alloc_size(s), 70001, "cut to the bytes and their NUL");
    cr_assert_eq(s[69999], 'b');
    cr_assert_eq(s[70000], '\0');
    cr_assert_null(b.s);
    kumo_free(s);
    /* a buffer reserved to its size (a Content-Length) is left as it is */
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_BODY);
    cr_assert_eq(kumo__buf_reserve(&b, 1000), KUMO_OK);
    cr_assert_eq(kumo__buf_add(&b, chunk, 1000), KUMO_OK);
    char *same = b.s;
    cr_assert_eq(kumo__buf_detach_fit(&b, &len), same);
    cr_assert_eq(kumo_alloc_size(same), 1001);
    kumo_free(same);
}

Test(vec, push_pop)
{
    kumo_vec v;
    kumo__vec_init(&v, KUMO_T_LIST, KUMO_V_NONE);
    int x[100];
    for (int i = 0; i < 100; i++)
        kumo__vec_push(&v, &x[i]);
    cr_assert_eq(v.len, 100);
    cr_assert_eq(kumo__vec_pop(&v), &x[99]);
    kumo__vec_release(&v);
    cr_assert_null(kumo__vec_pop(&v));
}
