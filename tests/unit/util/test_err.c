/* test_err.c - kumo_err names and messages, and the caller's error buffer. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "util/err.h"
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
    kumo_err_printf(buf, sizeof(buf), "cannot open '%s'", "file");
    cr_assert_str_eq(buf, "cannot ");
    kumo_err_printf(buf, sizeof(buf), "%d", 42);
    cr_assert_str_eq(buf, "42");
    memset(buf, 'x', sizeof(buf));
    kumo_err_printf(buf, 0, "%s", "nothing");
    cr_assert_eq(buf[0], 'x', "errlen 0 writes nothing");
    kumo_err_printf(NULL, 100, "%s", "no crash");
}
