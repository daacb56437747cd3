/* test_err.c - the one error enum (kumo/err.h): KUMO_OK is 0, every other code is positive
 * with a name and a message, and a message buffer is optional wherever one is taken. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "util/err.h"
#include "util/json.h"
#include "lib/leakcheck.h"

TestSuite(err, KUMO_LEAKCHECK);

Test(err, names_and_messages_come_from_the_map)
{
    cr_assert_str_eq(kumo_errname(KUMO_OK), "OK");
    cr_assert_str_eq(kumo_strerror(KUMO_OK), "success");
    cr_assert_str_eq(kumo_errname(KUMO_EINVAL), "EINVAL");
    cr_assert_str_eq(kumo_strerror(KUMO_EINVAL), "invalid argument");
    cr_assert_str_eq(kumo_strerror(KUMO_ENOMEM), "out of memory");
    /* every code has a distinct name and a non-empty message */
    for (int i = 0; i < KUMO_ERR_MAX; i++) {
        cr_assert_neq(kumo_strerror(i)[0], '\0', "code %d", i);
        for (int j = 0; j < i; j++)
            cr_assert_str_neq(kumo_errname(i), kumo_errname(j));
    }
}

Test(err, out_of_range_codes_are_unknown)
{
    cr_assert_str_eq(kumo_strerror(-1), "unknown error");
    cr_assert_str_eq(kumo_strerror(KUMO_ERR_MAX), "unknown error");
    cr_assert_str_eq(kumo_errname(-7), "EUNKNOWN");
    cr_assert_str_eq(kumo_errname(KUMO_ERR_MAX + 3), "EUNKNOWN");
}

Test(err, printf_cuts_to_fit_and_ignores_no_buffer)
{
    char buf[8];
    memset(buf, 'x', sizeof(buf));
    kumo__err_printf(buf, sizeof(buf), "cannot open '%s'", "file");
    cr_assert_str_eq(buf, "cannot ");
    kumo__err_printf(buf, sizeof(buf), "%d", 42);
    cr_assert_str_eq(buf, "42");
    memset(buf, 'x', sizeof(buf));
    kumo__err_printf(buf, 0, "%s", "nothing");
    cr_assert_eq(buf[0], 'x', "errlen 0 writes nothing");
    kumo__err_printf(NULL, 100, "%s", "no crash");
}

Test(err, codes_are_positive_and_named)
{
    cr_assert_eq(KUMO_OK, 0);
    cr_assert_str_eq(kumo_errname(KUMO_OK), "OK");
    /* the flow codes come first, in nginx's order */
    cr_assert_eq(KUMO_EDECLINED, 1);
    cr_assert_eq(KUMO_EDONE, 2);
    cr_assert_eq(KUMO_EAGAIN, 3);
    for (int e = 1; e < KUMO_ERR_MAX; e++) {
        cr_assert_gt(e, KUMO_OK);
        cr_assert_neq(strcmp(kumo_errname(e), "OK"), 0, "code %d", e);
        cr_assert_neq(kumo_strerror(e)[0], '\0', "code %d", e);
    }
    /* "dropped", in every chain */
    cr_assert_str_eq(kumo_errname(KUMO_EIGNORED), "EIGNORED");
    cr_assert_str_eq(kumo_strerror(KUMO_EIGNORED), "ignored");
    /* never NULL, even for what is not a code (a stray -1 shows) */
    cr_assert_not_null(kumo_strerror(-1));
    cr_assert_not_null(kumo_errname(KUMO_ERR_MAX));
}

/* (char *err, size_t errlen) may be NULL / 0: the code alone tells. */
Test(err, message_buffer_is_optional)
{
    kumo_value v;
    cr_assert_eq(kumo__json_parse("{\"a\": ", 6, &v, NULL, 0), KUMO_ESYNTAX);
    cr_assert_eq(kumo__json_parse("[1] x", 5, &v, NULL, 0), KUMO_ESYNTAX);
    cr_assert_eq(kumo__json_parse("\"\\u12g4\"", 8, &v, NULL, 0), KUMO_ESYNTAX);
    char one[1] = {'x'};
    cr_assert_eq(kumo__json_parse("nul", 3, &v, one, sizeof(one)), KUMO_ESYNTAX);
    cr_assert_eq(one[0], '\0', "a one-byte buffer still ends the message");
    cr_assert_eq(kumo__json_parse("[1, 2]", 6, &v, NULL, 0), KUMO_OK);
    kumo_val_clear(&v);
}
