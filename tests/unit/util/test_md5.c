/* test_md5.c - MD5 against RFC 1321's test suite and a long input. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "util/md5.h"

static void check(const char *s, size_t reps, const char *want)
{
    kumo_md5 m;
    kumo__md5_init(&m);
    for (size_t i = 0; i < reps; i++)
        kumo__md5_update(&m, s, strlen(s));
    char hex[33];
    kumo__md5_final_hex(&m, hex);
    cr_assert_str_eq(hex, want, "md5 of %zu x '%s'", reps, s);
}

Test(md5, rfc1321_suite)
{
    check("", 1, "d41d8cd98f00b204e9800998ecf8427e");
    check("a", 1, "0cc175b9c0f1b6a831c399e269772661");
    check("abc", 1, "900150983cd24fb0d6963f7d28e17f72");
    check("message digest", 1, "f96b697d7cb7938d525a2f31aaf161d0");
    check("abcdefghijklmnopqrstuvwxyz", 1, "c3fcd3d76192e4007dfb496cca67e13b");
    check("1234567890", 8, "57edf4a22be3c955ac49da2e2107b67a");
    check("a", 1000000, "7707d6ae4e027c70eea2a935c2296f21");
}
