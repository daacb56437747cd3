/* test_random.c - random hex secrets: their length, their digits, and that they differ. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "util/random.h"

Test(random, hex_of_the_asked_length_and_different_each_time)
{
    char a[33], b[33];
    cr_assert_eq(kumo__random_hex(a, 16), KUMO_OK);
    cr_assert_eq(kumo__random_hex(b, 16), KUMO_OK);
    cr_assert_eq(strlen(a), 32);
    cr_assert_eq(strspn(a, "0123456789abcdef"), 32, "%s", a);
    cr_assert_str_neq(a, b);
    char c[3];
    cr_assert_eq(kumo__random_hex(c, 1), KUMO_OK);
    cr_assert_eq(strlen(c), 2);
}
