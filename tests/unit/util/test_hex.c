/* test_hex.c - hex digit values: both cases, the bytes around each range, negative chars. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "util/hex.h"
#include "lib/leakcheck.h"

TestSuite(hex, KUMO_LEAKCHECK);

Test(hex, digits_of_both_cases)
{
    const char *digits = "0123456789abcdef", *upper = "ABCDEF";
    for (int i = 0; i < 16; i++)
        cr_assert_eq(kumo__hex_value(digits[i]), i, "'%c'", digits[i]);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(kumo__hex_value(upper[i]), 10 + i, "'%c'", upper[i]);
}

Test(hex, every_other_byte_is_minus_one)
{
    int valid = 0;
    for (int c = -128; c < 256; c++)
        valid += kumo__hex_value(c) >= 0;
    cr_assert_eq(valid, 22);
    /* the neighbours of each range */
    const char *edges = "/:`g@G xX";
    for (const char *p = edges; *p; p++)
        cr_assert_eq(kumo__hex_value(*p), -1, "'%c'", *p);
    cr_assert_eq(kumo__hex_value((char)0xe9), -1);
    cr_assert_eq(kumo__hex_value(-1), -1);
}
