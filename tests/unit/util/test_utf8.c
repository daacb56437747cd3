/* test_utf8.c - decoding with maximal-subpart replacement, encoding, buffer appends. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "lib/leakcheck.h"

TestSuite(utf8, KUMO_LEAKCHECK);

#define U(s) (const unsigned char *)(s), sizeof(s) - 1

Test(utf8, decodes_each_length)
{
    bool ok;
    uint32_t cp;
    cr_assert_eq(kumo__utf8_decode(U("A"), &ok, &cp), 1);
    cr_assert(ok);
    cr_assert_eq(cp, 'A');
    cr_assert_eq(kumo__utf8_decode(U("\xc3\xa9!"), &ok, &cp), 2);
    cr_assert(ok);
    cr_assert_eq(cp, 0xe9);
    cr_assert_eq(kumo__utf8_decode(U("\xe2\x82\xac"), &ok, &cp), 3);
    cr_assert_eq(cp, 0x20ac);
    cr_assert_eq(kumo__utf8_decode(U("\xf0\x9f\x98\x80"), &ok, &cp), 4);
    cr_assert(ok);
    cr_assert_eq(cp, 0x1f600);
}

Test(utf8, invalid_sequences_are_their_maximal_subpart)
{
    bool ok;
    uint32_t cp;
    /* a lone continuation byte: one byte */
    cr_assert_eq(kumo__utf8_decode(U("\x80z"), &ok, &cp), 1);
    cr_assert_not(ok);
    cr_assert_eq(cp, 0xfffd);
    /* a truncated 3-byte sequence: the two valid bytes go together */
    cr_assert_eq(kumo__utf8_decode(U("\xe2\x82z"), &ok, &cp), 2);
    cr_assert_not(ok);
    /* cut off by the end of input */
    cr_assert_eq(kumo__utf8_decode(U("\xf0\x9f\x98"), &ok, &cp), 3);
    cr_assert_not(ok);
    /* overlong, surrogate and past-U+10FFFF leads are invalid on their own */
    cr_assert_eq(kumo__utf8_decode(U("\xc0\xaf"), &ok, &cp), 1);
    cr_assert_not(ok);
    cr_assert_eq(kumo__utf8_decode(U("\xed\xa0\x80"), &ok, &cp), 1);
    cr_assert_not(ok);
    cr_assert_eq(kumo__utf8_decode(U("\xf4\x90\x80\x80"), &ok, &cp), 1);
    cr_assert_not(ok);
    cr_assert_eq(kumo__utf8_decode(U("\xff"), &ok, &cp), 1);
    cr_assert_not(ok);
}

Test(utf8, encode_round_trips_and_replaces_what_cannot_be)
{
    static const uint32_t cps[] = {0, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff};
    static const size_t lens[] = {1, 1, 2, 2, 3, 3, 4, 4};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cps); i++) {
        char out[4];
        size_t n = kumo__utf8_encode(cps[i], out);
        cr_assert_eq(n, lens[i], "U+%X", cps[i]);
        bool ok;
        uint32_t cp;
        cr_assert_eq(kumo__utf8_decode((const unsigned char *)out, n, &ok, &cp), n);
        cr_assert(ok);
        cr_assert_eq(cp, cps[i]);
    }
    char out[4];
    cr_assert_eq(kumo__utf8_encode(0xd800, out), 3);
    cr_assert_eq(memcmp(out, "\xef\xbf\xbd", 3), 0, "a surrogate becomes U+FFFD");
    cr_assert_eq(kumo__utf8_encode(0x110000, out), 3);
    cr_assert_eq(memcmp(out, "\xef\xbf\xbd", 3), 0, "past U+10FFFF becomes U+FFFD");
}

Test(utf8, buf_appends_replace_invalid_bytes)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__buf_add_utf8(&b, "a\xff" "b\xe2\x82" "c\xc3\xa9", 9), KUMO_OK);
    cr_assert_str_eq(kumo__buf_str(&b), "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xc3\xa9");
    cr_assert_eq(kumo__buf_add_cp(&b, 0x20ac), KUMO_OK);
    cr_assert_str_eq(kumo__buf_str(&b) + b.len - 3, "\xe2\x82\xac");
    kumo__buf_release(&b);
}

Test(utf8, buf_append_respects_the_cap)
{
    kumo_buf b;
    kumo__buf_init(&b, 4, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__buf_add_utf8(&b, "abc", 3), KUMO_OK);
    cr_assert_neq(kumo__buf_add_utf8(&b, "\xe2\x82\xac", 3), KUMO_OK);
    kumo__buf_release(&b);
}
